#include "engine/tasks/ClusterStatus.h"

#include <cstdio>

#include "core/Error.h"

namespace scaleml::tasks {

nlohmann::json ClusterStatus::Collect(ControlStore& control, const std::string& address) {
  nlohmann::json status;
  status["address"] = address;
  status["session"] = control.Session();
  int alive = 0, lost = 0, cpus = 0, used = 0;
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& node : control.Nodes()) {
    nlohmann::json entry = {{"name", node.info.name},
                            {"node_id", node.info.node_id},
                            {"host", node.info.host},
                            {"state", node.alive ? "ALIVE" : "LOST"},
                            {"cpus", node.info.cpus},
                            {"used_cpus", node.used_cpus},
                            {"running", node.running},
                            {"objects", node.objects},
                            {"object_bytes", node.object_bytes},
                            {"store_limit", node.info.store_limit},
                            {"memory_bytes", node.info.memory},
                            {"used_memory_bytes", node.used_memory}};
    node.store.AddTo(&entry);
    nodes.push_back(std::move(entry));
    if (node.alive) {
      ++alive;
      cpus += node.info.cpus;
      used += node.used_cpus;
    } else {
      ++lost;
    }
  }
  const TaskCounts counts = control.Counts();
  status["nodes"] = nodes;
  status["nodes_alive"] = alive;
  status["nodes_lost"] = lost;
  status["cpus_total"] = cpus;
  status["cpus_used"] = used;
  status["tasks"] = {{"pending", counts.pending},
                     {"running", counts.running},
                     {"done", counts.done},
                     {"failed", counts.failed}};
  return status;
}

std::string ClusterStatus::Format(const nlohmann::json& status) {
  std::string out = StrCat("cluster ", status["address"].get<std::string>(), " (",
                           status["session"].get<std::string>(), ")\n");
  out += StrCat("nodes: ", status["nodes_alive"].get<int>(), " alive, ",
                status["nodes_lost"].get<int>(), " lost; CPUs ", status["cpus_used"].get<int>(),
                "/", status["cpus_total"].get<int>(), " used\n");
  char line[256];
  std::snprintf(line, sizeof(line), "  %-16s %-12s %-15s %-6s %9s %7s %12s %11s\n", "NODE", "ID",
                "HOST", "STATE", "CPUS", "OBJECTS", "OBJECT MB", "SPILLED MB");
  out += line;
  for (const auto& n : status["nodes"]) {
    const std::string cpus = StrCat(n["used_cpus"].get<int>(), "/", n["cpus"].get<int>());
    std::snprintf(
        line, sizeof(line), "  %-16s %-12s %-15s %-6s %9s %7lld %12.1f %11.1f\n",
        n["name"].get<std::string>().c_str(), n["node_id"].get<std::string>().c_str(),
        n["host"].get<std::string>().c_str(), n["state"].get<std::string>().c_str(), cpus.c_str(),
        static_cast<long long>(n["objects"].get<std::int64_t>()),
        static_cast<double>(n["object_bytes"].get<std::int64_t>()) / 1e6,
        static_cast<double>(n.value("object_store_spilled_bytes", std::int64_t{0})) / 1e6);
    out += line;
  }
  const auto& t = status["tasks"];
  out += StrCat("tasks: ", t["pending"].get<std::int64_t>(), " pending, ",
                t["running"].get<std::int64_t>(), " running, ", t["done"].get<std::int64_t>(),
                " done, ", t["failed"].get<std::int64_t>(), " failed\n");
  return out;
}

}  // namespace scaleml::tasks
