// The small parts of a tree's split search, shared by the stages of the Grower (Grower.h): the
// score of a candidate split, the best split found so far, a node task, the draw of features.
// Thread-safety: plain values; a FeatureDraw belongs to one grower.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "algo/forest/DecisionTree.h"
#include "core/Hash.h"

namespace scaleml::forest_growth {

// scikit-learn's FEATURE_THRESHOLD: values closer than this are one value.
constexpr float kFeatureThreshold = 1e-7f;
constexpr int kMaxBins = 256;

// A midpoint strictly below `high` and not below `low` (float rounding may reach `high`).
inline float Midpoint(float low, float high) {
  float mid = static_cast<float>((static_cast<double>(low) + static_cast<double>(high)) / 2.0);
  return (mid >= high || !std::isfinite(mid)) ? low : mid;
}

// The quantity scikit-learn's splitter maximises (proxy_impurity_improvement): minus the
// weighted child impurities, up to a constant of the node.
class SplitScore {
 public:
  SplitScore(bool entropy, int classes) : entropy_(entropy), classes_(classes) {}
  double operator()(const double* left, double wl, const double* total, double w) const {
    const double wr = w - wl;
    double score = 0.0;
    if (entropy_) {
      for (int k = 0; k < classes_; ++k) {
        const double r = total[k] - left[k];
        if (left[k] > 0) score += left[k] * std::log(left[k] / wl);
        if (r > 0) score += r * std::log(r / wr);
      }
      return score;
    }
    if (classes_ == 2) {  // the common case, without a loop
      const double r0 = total[0] - left[0], r1 = total[1] - left[1];
      return (left[0] * left[0] + left[1] * left[1]) / wl + (r0 * r0 + r1 * r1) / wr;
    }
    double sl = 0.0, sr = 0.0;
    for (int k = 0; k < classes_; ++k) {
      const double r = total[k] - left[k];
      sl += left[k] * left[k];
      sr += r * r;
    }
    return sl / wl + sr / wr;
  }

 private:
  bool entropy_;
  int classes_;
};

struct Split {
  int feature = -1;
  double score = -std::numeric_limits<double>::infinity();
  int bin = 0;                // numeric histogram split: bins <= bin go left
  int next_bin = 0;           // numeric histogram split: the next bin holding rows of the node
  int slot = 0;               // histogram split: where its histogram is
  float threshold = 0.f;      // numeric split: x <= threshold goes left
  bool default_left = false;  // missing rows (and categories the node had not) go left
  // Categorical: the left bins and the node's bins are in the grower's category_set_ (kept out
  // of this struct, which every node creates and copies: the exact stage's nodes are many).
  bool categorical = false;

  // Takes the numeric histogram split at `bin` if it scores better than the best so far.
  bool TakeBins(double candidate, int at_feature, int at_slot, int at_bin, bool missing_left) {
    if (!(candidate > score)) return false;
    score = candidate;
    feature = at_feature;
    slot = at_slot;
    bin = at_bin;
    default_left = missing_left;
    categorical = false;
    return true;
  }
  // Takes the numeric split at `at_threshold` if it scores better than the best so far.
  bool TakeThreshold(double candidate, int at_feature, float at_threshold, bool missing_left) {
    if (!(candidate > score)) return false;
    score = candidate;
    feature = at_feature;
    threshold = at_threshold;
    default_left = missing_left;
    categorical = false;
    return true;
  }
};

// One row of a node in the exact stage, in a feature's value order.
struct Item {
  float value;
  std::uint16_t cls, weight;
};

struct Task {
  std::size_t begin, end;
  int depth;
  std::int32_t parent;  // split whose right child this is; -1 for a left child or the root
};

// Draws features without replacement for one node, as scikit-learn does: at least
// `per_split` of them, and more while every one drawn so far was constant in the node.
class FeatureDraw {
 public:
  FeatureDraw(int features, Rng& rng) : order_(features), rng_(rng) {
    for (int f = 0; f < features; ++f) order_[f] = f;
  }
  void Reset() { drawn_ = 0; }
  bool Exhausted() const { return drawn_ == static_cast<int>(order_.size()); }
  int Next() {
    const int pick = drawn_ + static_cast<int>(rng_.Below(order_.size() - drawn_));
    std::swap(order_[drawn_], order_[pick]);
    return order_[drawn_++];
  }

 private:
  std::vector<int> order_;
  Rng& rng_;
  int drawn_ = 0;
};

}  // namespace scaleml::forest_growth
