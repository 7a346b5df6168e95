#include "bench/ReportTables.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "bench/PaperFigures.h"
#include "bench/PeerSkipRule.h"
#include "bench/RunStatus.h"
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

// Rows of the engines x sizes tables: each scaleml engine followed by its peer (odd numbers).
int PairingOrder(const json& r) {
  const std::string engine = r.value("engine", ""), mode = r.value("mode", "");
  if (engine == "local") return 0;
  if (engine == "python") return 1;
  if (engine == "tasks") return 2;
  if (engine == "ddp" && mode != "paper") return 4;
  if (engine == "ddp") return 6;
  if (engine == "torch-ddp") return 7;
  return 8;
}

bool IsPeer(const json& r) { return IsPeerEngine(r.value("engine", "")); }

// A peer that did not finish for a reason that is a result: out of time or memory, or skipped
// because it was at a smaller size.
bool IsPeerResult(const json& r) {
  const RunStatus status = StatusOf(r);
  return IsPeer(r) && (status == RunStatus::kTimedOut || status == RunStatus::kOutOfMemory ||
                       status == RunStatus::kSkipped);
}

std::string Seconds(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", s);
  return buffer;
}

// The peer run of a scaleml run: python for local, torch-ddp at the same ranks for the ddp
// engine's paper mode; null when there is none.
const json* MatchingPeer(const std::vector<json>& records, const json& ours) {
  const std::string engine = ours.value("engine", "");
  std::string peer_engine;
  if (engine == "local") peer_engine = "python";
  if (engine == "ddp" && ours.value("mode", "") == "paper") peer_engine = "torch-ddp";
  if (peer_engine.empty()) return nullptr;
  for (const auto& r : records) {
    if (StatusOf(r) != RunStatus::kFailed && r.value("engine", "") == peer_engine &&
        r.value("algo", "") == ours.value("algo", "") && SizeLabel(r) == SizeLabel(ours) &&
        (peer_engine == "python" || r.value("ranks", 0) == ours.value("ranks", 0))) {
      return &r;
    }
  }
  return nullptr;
}

std::string Ratio(double peer, double ours) { return ours > 0 ? Fixed(peer / ours, 2) : "—"; }

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
    if (IsPeer(r) || IsOk(r)) {
      const std::string s = EngineLabel(r) + " " + SizeLabel(r);
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
  if (engine == "torch-ddp") return "torch-ddp x" + std::to_string(r.value("ranks", 1));
  return engine;
}

double ComputeSeconds(const json& r) { return r.value("fit_s", 0.0) + r.value("predict_s", 0.0); }

std::string Cell(const json& r, const char* key, int digits) {
  if (!r.contains(key) || !r[key].is_number()) return "—";
  return Fixed(r[key].get<double>(), digits);
}

std::string SizeLabel(const json& r) {
  const std::string size = r.value("size", "");
  return ProblemOfRecord(r.value("problem", "")) == DataProblem::kOne ? size + " one-problem"
                                                                      : size;
}

std::string StatusText(const json& r) {
  const RunStatus status = StatusOf(r);
  const double limit = LimitOf(r);
  if (status == RunStatus::kTimedOut && limit > 0) {
    return std::string(StatusName(status)) + " (" + Seconds(limit) + " s limit)";
  }
  return StatusName(status);
}

std::string OutcomeText(const json& r) {
  const double limit = LimitOf(r);
  switch (StatusOf(r)) {
    case RunStatus::kOk:
      return Cell(r, "total_s", 2);
    case RunStatus::kTimedOut:
      return limit > 0 ? "> " + Seconds(limit) + " s (limit)" : "timeout";
    case RunStatus::kOutOfMemory:
      return "out of memory";
    case RunStatus::kSkipped:
      return "skipped (" + Escape(r.value("error", "")) + ")";
    case RunStatus::kFailed:
      break;
  }
  return "failed";
}

std::string EnginesBySizesTable(const std::vector<json>& records, const std::string& algo) {
  std::vector<std::string> sizes;
  std::vector<std::pair<int, std::string>> engines;                 // (pairing order, label)
  std::map<std::string, std::map<std::string, const json*>> cells;  // label -> size -> record
  for (const auto& r : records) {
    // A skipped peer is a result (it ran out of time or memory at a smaller size); another
    // skipped run is not shown here.
    if (r.value("algo", "") != algo || (StatusOf(r) == RunStatus::kSkipped && !IsPeer(r))) {
      continue;
    }
    const std::string size = SizeLabel(r), label = EngineLabel(r);
    if (std::find(sizes.begin(), sizes.end(), size) == sizes.end()) sizes.push_back(size);
    const std::pair<int, std::string> engine{PairingOrder(r), label};
    if (std::find(engines.begin(), engines.end(), engine) == engines.end()) {
      engines.push_back(engine);
    }
    cells[label][size] = &r;
  }
  if (sizes.empty()) return "";
  std::stable_sort(engines.begin(), engines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "| engine |", rule = "|---|";
  for (const auto& size : sizes) {
    out += " " + size + " total s | " + size + " accuracy |";
    rule += "---:|---:|";
  }
  out += "\n" + rule + "\n";
  for (const auto& [order, label] : engines) {
    out += "| " + label + (order % 2 == 1 ? " (peer)" : "") + " |";
    for (const auto& size : sizes) {
      const auto found = cells[label].find(size);
      if (found == cells[label].end()) {
        out += " — | — |";
      } else if (!IsOk(*found->second)) {
        out += " " + OutcomeText(*found->second) + " | — |";
      } else {
        out += " " + Cell(*found->second, "total_s", 2) + " | " +
               Cell(*found->second, "accuracy", 4) + " |";
      }
    }
    out += "\n";
  }
  // The paper's published figures at the same size labels, where it has them.
  std::string ray = "| paper: Ray Tune, 2 trials (load excluded) |";
  std::string torch = "| paper: PyTorch, 3 nodes (load included) |";
  bool any = false;
  for (const auto& size : sizes) {
    const auto f = FindPaperFigure(algo, size);
    any = any || f.has_value();
    ray += f ? " " + Fixed(f->ray_s, 2) + " | " + Fixed(f->accuracy, 3) + " |" : " — | — |";
    torch += f ? " " + Fixed(f->pytorch_s, 2) + " | " + Fixed(f->accuracy, 3) + " |" : " — | — |";
  }
  if (any) out += ray + "\n" + torch + "\n";
  return out;
}

std::string PerAlgorithmTables(const std::vector<json>& records) {
  std::string out;
  for (const auto& algo : AlgosIn(records)) {
    out += "### " + algo + "\n\n";
    out += EnginesBySizesTable(records, algo) + "\nPhases:\n\n";
    out +=
        "| engine | size | rows | load s | fit s | predict s | comm s | scheduling s | "
        "transfer s | total s | accuracy | peak RSS MiB | status |\n";
    out += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
    for (const auto& r : records) {
      if (r.value("algo", "") != algo) continue;
      const double rss = r.value("peak_rss_bytes", 0.0) / (1024.0 * 1024.0);
      out += "| " + EngineLabel(r) + " | " + SizeLabel(r) + " | " +
             std::to_string(r.value("rows", 0)) + " | " + Cell(r, "load_s", 2) + " | " +
             Cell(r, "fit_s", 2) + " | " + Cell(r, "predict_s", 2) + " | " + Cell(r, "comm_s", 2) +
             " | " + Cell(r, "scheduling_s", 2) + " | " + Cell(r, "object_transfer_s", 2) + " | " +
             Cell(r, "total_s", 2) + " | " + Cell(r, "accuracy", 4) + " | " +
             (rss > 0 ? Fixed(rss, 0) : "—") + " | " + StatusText(r) + " |\n";
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
        if (r.value("algo", "") != algo || EngineLabel(r) + " " + SizeLabel(r) != s) continue;
        if (IsOk(r)) cell = Cell(r, "accuracy", 4);
        if (IsPeerResult(r)) cell = StatusName(StatusOf(r));
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
      if (!IsOk(r) || r.value("algo", "") != f.algo || SizeLabel(r) != f.size ||
          ProblemOfRecord(r.value("problem", "")) != DataProblem::kPerChunk) {
        continue;
      }
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
  for (const auto& r : records) {
    if (!IsOk(r)) continue;
    const json* peer = MatchingPeer(records, r);
    if (peer == nullptr) continue;
    const bool peer_ok = IsOk(*peer);
    // A peer killed at its limit took longer than the limit: the ratio is at least limit / ours.
    const double limit = LimitOf(*peer);
    const std::string total_ratio =
        peer_ok ? Ratio(peer->value("total_s", 0.0), r.value("total_s", 0.0))
        : StatusOf(*peer) == RunStatus::kTimedOut && limit > 0 && r.value("total_s", 0.0) > 0
            ? "> " + Fixed(limit / r.value("total_s", 0.0), 1)
            : "—";
    rows += "| " + r.value("algo", "") + " | " + SizeLabel(r) + " | " + EngineLabel(r) + " | " +
            EngineLabel(*peer) + " | " + Cell(r, "total_s", 2) + " | " +
            (peer_ok ? Cell(*peer, "total_s", 2) : OutcomeText(*peer)) + " | " + total_ratio +
            " | " + Cell(r, "fit_s", 2) + " | " + (peer_ok ? Cell(*peer, "fit_s", 2) : "—") +
            " | " + (peer_ok ? Ratio(peer->value("fit_s", 0.0), r.value("fit_s", 0.0)) : "—") +
            " | " + Cell(r, "accuracy", 4) + " | " + (peer_ok ? Cell(*peer, "accuracy", 4) : "—") +
            " | " + Cell(r, "wall_s", 2) + " | " + (peer_ok ? Cell(*peer, "wall_s", 2) : "—") +
            " |\n";
  }
  if (rows.empty()) return "";
  return "| algorithm | size | scaleml | peer | scaleml total s | peer total s | peer / scaleml | "
         "scaleml fit s | peer fit s | fit peer / scaleml | scaleml accuracy | peer accuracy | "
         "scaleml wall s | peer wall s |\n"
         "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n" +
         rows;
}

std::string MissingPeerNote(const std::vector<json>& records) {
  bool paper_mode = false, torch_peer = false;
  for (const auto& r : records) {
    paper_mode =
        paper_mode || (IsOk(r) && r.value("engine", "") == "ddp" && r.value("mode", "") == "paper");
    torch_peer = torch_peer || r.value("engine", "") == "torch-ddp";
  }
  if (!paper_mode || torch_peer) return "";
  return "The ddp engine's paper mode has no torch-ddp peer here: it needs /usr/bin/python3 with "
         "torch (torch.distributed with gloo) besides scikit-learn, pandas and xgboost.\n";
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
    struct Base {
      double total_s = 0, compute_s = 0;
    };
    std::map<std::string, Base> base;
    std::set<std::string> multi;
    for (const auto& r : records) {
      if (!counts(r)) continue;
      const std::string key = r.value("algo", "") + "/" + SizeLabel(r);
      if (r.value(count_key, 0) == 1) base[key] = {r.value("total_s", 0.0), ComputeSeconds(r)};
      if (r.value(count_key, 0) > 1) multi.insert(key);
    }
    for (const auto& r : records) {
      if (!counts(r)) continue;
      const std::string key = r.value("algo", "") + "/" + SizeLabel(r);
      if (base.count(key) == 0 || multi.count(key) == 0) continue;
      ScalingPoint p;
      p.algo = r.value("algo", "");
      p.size = SizeLabel(r);
      p.engine = engine;
      p.n = r.value(count_key, 1);
      p.total_s = r.value("total_s", 0.0);
      p.fit_s = r.value("fit_s", 0.0);
      p.predict_s = r.value("predict_s", 0.0);
      p.comm_s = r.contains("comm_s") ? r.value("comm_s", 0.0) : -1;
      p.comm_bytes = r.contains("comm_bytes_total") ? r.value("comm_bytes_total", 0.0)
                     : r.contains("comm_bytes")     ? r.value("comm_bytes", 0.0)
                                                    : -1;
      // ddp: one model, faster with more ranks. tasks: n trials in the time of one is n-fold.
      const double scale = ddp ? 1.0 : p.n;
      if (p.total_s > 0) p.speedup = scale * base[key].total_s / p.total_s;
      const double compute = p.fit_s + p.predict_s;
      if (compute > 0) p.compute_speedup = scale * base[key].compute_s / compute;
      points.push_back(p);
    }
  }
  return points;
}

std::string ScalingTable(const std::vector<json>& records) {
  std::string rows;
  auto optional = [](double value, double scale, int digits) {
    return value < 0 ? std::string("—") : Fixed(value / scale, digits);
  };
  for (const auto& p : ScalingPoints(records)) {
    rows += "| " + p.algo + " | " + p.size + " | " + p.engine + " | " + std::to_string(p.n) +
            " | " + Fixed(p.fit_s, 2) + " | " + Fixed(p.predict_s, 2) + " | " +
            Fixed(p.fit_s + p.predict_s, 2) + " | " + optional(p.comm_s, 1, 2) + " | " +
            optional(p.comm_bytes, 1, 0) + " | " + Fixed(p.total_s, 2) + " | " +
            Fixed(p.speedup, 2) + " | " + Fixed(p.speedup / p.n, 2) + " | " +
            Fixed(p.compute_speedup, 2) + " | " + Fixed(p.compute_speedup / p.n, 2) + " |\n";
  }
  if (rows.empty()) return "";
  return "| algorithm | size | engine | ranks or trials | fit s | predict s | fit+predict s | "
         "comm s | comm bytes | total s | speed-up | efficiency | fit+predict speed-up | "
         "fit+predict efficiency |\n"
         "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n" +
         rows;
}

std::string ProblemTable(const std::vector<json>& records) {
  std::string rows;
  for (const auto& r : records) {
    if (IsOk(r)) continue;
    rows += "| " + r.value("run_id", "") + " | " + StatusText(r) + " | " +
            Escape(r.value("error", "")) + " |\n";
  }
  if (rows.empty()) return "";
  return "| run | status | error |\n|---|---|---|\n" + rows;
}

}  // namespace scaleml::bench
