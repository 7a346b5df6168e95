#include "bench/ReportTables.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "bench/PaperFigures.h"
#include "bench/SuitePlan.h"

namespace scaleml::bench {
namespace {

using json = nlohmann::json;

std::string Fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", digits, value);
  return buffer;
}

bool IsOk(const json& r) { return r.value("status", "") == "ok"; }

std::vector<std::string> AlgosIn(const std::vector<json>& records) {
  std::vector<std::string> algos;
  for (const auto& a : AllAlgorithms()) {
    for (const auto& r : records) {
      if (r.value("algo", "") == a) {
        algos.push_back(a);
        break;
      }
    }
  }
  return algos;
}

std::string Escape(std::string text) {
  for (char& c : text) {
    if (c == '|' || c == '\n' || c == '\r') c = ' ';
  }
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  return text;
}

// Series (engine label + size) in order of first appearance.
std::vector<std::string> SeriesOf(const std::vector<json>& records) {
  std::vector<std::string> series;
  for (const auto& r : records) {
    if (r.value("engine", "") == "python" || IsOk(r)) {
      const std::string s = EngineLabel(r) + " " + r.value("size", "");
      if (std::find(series.begin(), series.end(), s) == series.end()) series.push_back(s);
    }
  }
  return series;
}

}  // namespace

std::vector<json> LatestRecords(const std::vector<json>& records) {
  std::vector<std::string> order;
  std::map<std::string, json> latest;
  for (const auto& r : records) {
    const std::string id = r.value("run_id", "");
    if (latest.count(id) == 0) order.push_back(id);
    latest[id] = r;
  }
  std::vector<json> out;
  for (const auto& id : order) out.push_back(latest[id]);
  return out;
}

std::string EngineLabel(const json& r) {
  const std::string engine = r.value("engine", "?");
  const std::string mode = r.value("mode", "");
  if (engine == "ddp") {
    return (mode == "paper" ? "ddp-paper" : "ddp") + std::string(" x") +
           std::to_string(r.value("ranks", 1));
  }
  if (engine == "tasks") return "tasks x" + std::to_string(r.value("trials", 1));
  return engine;
}

double ComputeSeconds(const json& r) { return r.value("fit_s", 0.0) + r.value("predict_s", 0.0); }

std::string Cell(const json& r, const char* key, int digits) {
  if (!r.contains(key) || !r[key].is_number()) return "—";
  return Fixed(r[key].get<double>(), digits);
}

std::string PerAlgorithmTables(const std::vector<json>& records) {
  std::string out;
  for (const auto& algo : AlgosIn(records)) {
    out += "### " + algo + "\n\n";
    out +=
        "| engine | size | rows | load s | fit s | predict s | comm s | scheduling s | "
        "transfer s | total s | accuracy | peak RSS MiB | status |\n";
    out += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
    for (const auto& r : records) {
      if (r.value("algo", "") != algo) continue;
      const double rss = r.value("peak_rss_bytes", 0.0) / (1024.0 * 1024.0);
      out += "| " + EngineLabel(r) + " | " + r.value("size", "") + " | " +
             std::to_string(r.value("rows", 0)) + " | " + Cell(r, "load_s", 2) + " | " +
             Cell(r, "fit_s", 2) + " | " + Cell(r, "predict_s", 2) + " | " + Cell(r, "comm_s", 2) +
             " | " + Cell(r, "scheduling_s", 2) + " | " + Cell(r, "object_transfer_s", 2) + " | " +
             Cell(r, "total_s", 2) + " | " + Cell(r, "accuracy", 4) + " | " +
             (rss > 0 ? Fixed(rss, 0) : "—") + " | " + r.value("status", "?") + " |\n";
    }
    out += "\n";
  }
  return out;
}

std::string AccuracyTable(const std::vector<json>& records) {
  const auto series = SeriesOf(records);
  if (series.empty()) return "No run finished.\n";
  std::string out = "| algorithm |";
  std::string rule = "|---|";
  for (const auto& s : series) {
    out += " " + s + " |";
    rule += "---:|";
  }
  out += "\n" + rule + "\n";
  for (const auto& algo : AlgosIn(records)) {
    out += "| " + algo + " |";
    for (const auto& s : series) {
      std::string cell = "—";
      for (const auto& r : records) {
        if (IsOk(r) && r.value("algo", "") == algo &&
            EngineLabel(r) + " " + r.value("size", "") == s) {
          cell = Cell(r, "accuracy", 4);
        }
      }
      out += " " + cell + " |";
    }
    out += "\n";
  }
  return out;
}

std::string PaperComparisonTable(const std::vector<json>& records) {
  std::string out =
      "| algorithm | size | paper Ray s | scaleml tasks s (load excluded) | paper PyTorch s | "
      "scaleml ddp s (load included) | paper accuracy | scaleml accuracy |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& f : kPaperFigures) {
    std::string tasks = "—", ddp = "—", accuracy = "—";
    for (const auto& r : records) {
      if (!IsOk(r) || r.value("algo", "") != f.algo || r.value("size", "") != f.size) continue;
      const std::string engine = r.value("engine", "");
      if (engine == "tasks") {
        tasks = Fixed(r.value("total_s", 0.0) - r.value("load_s", 0.0), 2);
        accuracy = Cell(r, "accuracy", 3);
      }
      if (engine == "ddp" && r.value("mode", "") != "paper") {
        ddp = Cell(r, "total_s", 2);
        if (accuracy == "—") accuracy = Cell(r, "accuracy", 3);
      }
    }
    out += std::string("| ") + f.name + " | " + f.size + " | " + Fixed(f.ray_s, 2) + " | " + tasks +
           " | " + Fixed(f.pytorch_s, 2) + " | " + ddp + " | " + Fixed(f.accuracy, 3) + " | " +
           accuracy + " |\n";
  }
  return out;
}

std::string PeerRatioTable(const std::vector<json>& records) {
  std::string rows;
  for (const auto& peer : records) {
    if (!IsOk(peer) || peer.value("engine", "") != "python") continue;
    const double peer_total = peer.value("total_s", 0.0);
    for (const auto& r : records) {
      if (!IsOk(r) || r.value("engine", "") == "python" ||
          r.value("algo", "") != peer.value("algo", "") ||
          r.value("size", "") != peer.value("size", "")) {
        continue;
      }
      const double total = r.value("total_s", 0.0);
      rows += "| " + r.value("algo", "") + " | " + r.value("size", "") + " | " + EngineLabel(r) +
              " | " + Cell(r, "total_s", 2) + " | " + Fixed(peer_total, 2) + " | " +
              (total > 0 ? Fixed(peer_total / total, 2) : "—") + " | " + Cell(r, "accuracy", 4) +
              " | " + Cell(peer, "accuracy", 4) + " |\n";
    }
  }
  if (rows.empty()) return "";
  return "| algorithm | size | scaleml engine | scaleml total s | python total s | "
         "python / scaleml | scaleml accuracy | python accuracy |\n"
         "|---|---|---|---:|---:|---:|---:|---:|\n" +
         rows;
}

std::vector<ScalingPoint> ScalingPoints(const std::vector<json>& records) {
  std::vector<ScalingPoint> points;
  for (const char* engine : {"ddp", "tasks"}) {
    const bool ddp = std::string(engine) == "ddp";
    const char* count_key = ddp ? "ranks" : "trials";
    auto counts = [&](const json& r) {
      return IsOk(r) && r.value("engine", "") == engine && r.value("mode", "") != "paper";
    };
    // Baselines: the 1-rank (1-trial) total of each algorithm and size.
    std::map<std::string, double> base;
    std::set<std::string> multi;
    for (const auto& r : records) {
      if (!counts(r)) continue;
      const std::string key = r.value("algo", "") + "/" + r.value("size", "");
      if (r.value(count_key, 0) == 1) base[key] = r.value("total_s", 0.0);
      if (r.value(count_key, 0) > 1) multi.insert(key);
    }
    for (const auto& r : records) {
      if (!counts(r)) continue;
      const std::string key = r.value("algo", "") + "/" + r.value("size", "");
      if (base.count(key) == 0 || multi.count(key) == 0) continue;
      ScalingPoint p{r.value("algo", ""),   r.value("size", ""),     engine,
                     r.value(count_key, 1), r.value("total_s", 0.0), 0.0};
      // ddp: one model, faster with more ranks. tasks: n trials in the time of one is n-fold.
      if (p.total_s > 0) p.speedup = (ddp ? 1.0 : p.n) * base[key] / p.total_s;
      points.push_back(p);
    }
  }
  return points;
}

std::string ScalingTable(const std::vector<json>& records) {
  std::string rows;
  for (const auto& p : ScalingPoints(records)) {
    rows += "| " + p.algo + " | " + p.size + " | " + p.engine + " | " + std::to_string(p.n) +
            " | " + Fixed(p.total_s, 2) + " | " + Fixed(p.speedup, 2) + " | " +
            Fixed(p.speedup / p.n, 2) + " |\n";
  }
  if (rows.empty()) return "";
  return "| algorithm | size | engine | ranks or trials | total s | speed-up | efficiency |\n"
         "|---|---|---|---:|---:|---:|---:|\n" +
         rows;
}

std::string ResponsivenessTable(const std::vector<json>& records) {
  std::string rows;
  auto mib = [](double bytes) { return bytes > 0 ? Fixed(bytes / (1024.0 * 1024.0), 0) : "—"; };
  for (const auto& r : records) {
    if (!IsOk(r)) continue;
    std::string per_rank;
    if (r.contains("peak_rss_per_rank") && r["peak_rss_per_rank"].is_array()) {
      for (const auto& v : r["peak_rss_per_rank"]) {
        per_rank += (per_rank.empty() ? "" : " / ") + mib(v.get<double>());
      }
    }
    if (per_rank.empty()) per_rank = mib(r.value("peak_rss_trial_bytes", 0.0));
    if (per_rank == "—" || per_rank.empty()) per_rank = "—";
    rows += "| " + r.value("algo", "") + " | " + r.value("size", "") + " | " + EngineLabel(r) +
            " | " + mib(r.value("peak_rss_bytes", 0.0)) + " | " + per_rank + " | " +
            Cell(r, "time_to_first_result_s", 2) + " | " + Cell(r, "scheduling_s", 2) + " |\n";
  }
  if (rows.empty()) return "";
  return "| algorithm | size | engine | peak RSS MiB | per rank / trial MiB | first result s | "
         "submit to start s |\n|---|---|---|---:|---:|---:|---:|\n" +
         rows;
}

std::string ProblemTable(const std::vector<json>& records) {
  std::string rows;
  for (const auto& r : records) {
    if (IsOk(r)) continue;
    rows += "| " + r.value("run_id", "") + " | " + r.value("status", "?") + " | " +
            Escape(r.value("error", "")) + " |\n";
  }
  if (rows.empty()) return "";
  return "| run | status | error |\n|---|---|---|\n" + rows;
}

}  // namespace scaleml::bench
