// The live trial table, as Tune prints it: a status line (counts by status), then one row per
// trial (name, status, node, config, iteration, metric, time). On a terminal it is redrawn in
// place; otherwise a line is printed whenever a trial changes status, so logs stay readable.
// The metric is the trial's last per-round report (validation rows) while it runs, its --metric
// on the test rows once it finished.
// Thread-safety: one thread draws.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/tune/Trial.h"

namespace scaleml::tune {

class TrialTable {
 public:
  TrialTable(std::string metric, bool quiet);
  void Update(const std::vector<Trial>& trials, double elapsed_s);
  // The final table (always printed unless quiet).
  void Finish(const std::vector<Trial>& trials, double elapsed_s);
  static std::string Render(const std::vector<Trial>& trials, const std::string& metric,
                            double elapsed_s);

 private:
  std::string metric_;
  bool quiet_;
  bool live_;
  int drawn_lines_ = 0;
  double last_draw_ = -1;
  std::map<std::string, TrialStatus> reported_;  // trial -> status already printed
};

}  // namespace scaleml::tune
