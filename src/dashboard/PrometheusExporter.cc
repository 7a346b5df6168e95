#include "dashboard/PrometheusExporter.h"

#include <cstdio>

#include "core/Error.h"

namespace scaleml::dashboard {
namespace {

std::string Number(double value) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}

void Header(std::string& out, const char* name, const char* type, const char* help) {
  out += StrCat("# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

std::int64_t IntOr(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

std::string StringOr(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string PrometheusExporter::EscapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusExporter::Render(const nlohmann::json& status,
                                       const LatencyHistogram& latencies,
                                       const std::map<std::string, std::int64_t>& trials) {
  std::string out;
  const bool reachable = !status.contains("error");
  Header(out, "scaleml_cluster_up", "gauge", "1 when the dashboard reaches the control store");
  const bool has_cluster = status.contains("address") && !status.at("address").is_null();
  out += StrCat("scaleml_cluster_up ", reachable && has_cluster ? 1 : 0, "\n");

  const nlohmann::json nodes = status.value("nodes", nlohmann::json::array());
  std::int64_t alive = 0, lost = 0;
  for (const auto& n : nodes) (StringOr(n, "state") == "ALIVE" ? alive : lost) += 1;
  Header(out, "scaleml_nodes", "gauge", "Nodes of the cluster by state");
  out += StrCat("scaleml_nodes{state=\"alive\"} ", alive, "\nscaleml_nodes{state=\"lost\"} ", lost,
                "\n");
  Header(out, "scaleml_cpus", "gauge", "CPUs of the live nodes");
  out += StrCat("scaleml_cpus{kind=\"total\"} ", IntOr(status, "cpus_total"),
                "\nscaleml_cpus{kind=\"used\"} ", IntOr(status, "cpus_used"), "\n");

  auto per_node = [&](const char* name, const char* help, const char* field) {
    Header(out, name, "gauge", help);
    for (const auto& n : nodes) {
      out += StrCat(name, "{node=\"", EscapeLabel(StringOr(n, "name")), "\",node_id=\"",
                    EscapeLabel(StringOr(n, "node_id")), "\"} ", IntOr(n, field), "\n");
    }
  };
  per_node("scaleml_object_store_bytes", "Bytes of objects in a node's object store",
           "object_bytes");
  per_node("scaleml_object_store_limit_bytes", "A node's object store size", "store_limit");
  per_node("scaleml_object_store_spilled_bytes", "Bytes of objects spilled to disk",
           "spilled_bytes");
  per_node("scaleml_node_cpus_used", "CPUs in use on a node", "used_cpus");

  Header(out, "scaleml_tasks", "gauge", "Tasks by state");
  const nlohmann::json tasks = status.value("tasks", nlohmann::json::object());
  for (const char* state : {"pending", "running", "done", "failed"}) {
    out += StrCat("scaleml_tasks{state=\"", state, "\"} ", IntOr(tasks, state), "\n");
  }

  Header(out, "scaleml_trials", "gauge", "Trials of the experiments shown, by status");
  for (const auto& [state, count] : trials) {
    out += StrCat("scaleml_trials{state=\"", EscapeLabel(state), "\"} ", count, "\n");
  }

  Header(out, "scaleml_task_run_seconds", "histogram",
         "Run time of finished tasks (finished - started)");
  std::int64_t cumulative = 0;
  for (std::size_t i = 0; i < LatencyHistogram::kBounds.size(); ++i) {
    cumulative += latencies.counts[i];
    out += StrCat("scaleml_task_run_seconds_bucket{le=\"", Number(LatencyHistogram::kBounds[i]),
                  "\"} ", cumulative, "\n");
  }
  out += StrCat("scaleml_task_run_seconds_bucket{le=\"+Inf\"} ", latencies.total, "\n");
  out += StrCat("scaleml_task_run_seconds_sum ", Number(latencies.sum), "\n");
  out += StrCat("scaleml_task_run_seconds_count ", latencies.total, "\n");
  return out;
}

}  // namespace scaleml::dashboard
