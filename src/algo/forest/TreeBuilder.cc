#include "algo/forest/TreeBuilder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/Error.h"
#include "core/Hash.h"

namespace scaleml {
namespace {

// scikit-learn's FEATURE_THRESHOLD: values closer than this are one value.
constexpr float kFeatureThreshold = 1e-7f;
constexpr int kMaxBins = 256;

// A midpoint strictly below `high` and not below `low` (float rounding may reach `high`).
float Midpoint(float low, float high) {
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
  int bin = 0;            // histogram split: bins <= bin go left
  int next_bin = 0;       // histogram split: the next bin holding rows of the node
  int slot = 0;           // histogram split: where its histogram is
  float threshold = 0.f;  // x <= threshold goes left

  // Takes the histogram split at `bin` if it scores better than the best so far.
  bool TakeBins(double candidate, int at_feature, int at_slot, int at_bin) {
    if (!(candidate > score)) return false;
    score = candidate;
    feature = at_feature;
    slot = at_slot;
    bin = at_bin;
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

// One tree's growth: its rows, scratch space and random stream.
class Grower {
 public:
  Grower(const BinnedFeatures& data, std::span<const std::int32_t> codes,
         std::span<const std::uint16_t> weights, int classes, const ForestParams& params,
         std::uint64_t seed, std::uint64_t tree_number)
      : data_(data),
        classes_(classes),
        params_(params),
        features_(data.features()),
        stride_((8 + data.features() + 3) & ~std::size_t{3}),
        per_split_(params.FeaturesPerSplit(data.features())),
        row_counts_(params.min_samples_leaf > 1),
        two_class_gini_(classes == 2 && !row_counts_ && params.criterion != "entropy"),
        width_(classes + (row_counts_ ? 1 : 0)),
        rng_(seed, tree_number),
        draw_(data.features(), rng_),
        score_(params.criterion == "entropy", classes),
        tree_(classes),
        totals_(classes),
        left_(classes),
        fractions_(classes) {
    MakeRecords(codes, weights);
  }

  DecisionTree Grow() {
    std::vector<Task> stack;
    stack.push_back({0, record_count_, 0, -1});
    // Class weights of the stacked tasks, K per task in stack order: a split knows its
    // children's from the histogram, so no node needs a pass of its own to count them.
    std::vector<double> stacked_totals;
    SumRecordClasses(0, record_count_);
    stacked_totals.insert(stacked_totals.end(), totals_.begin(), totals_.end());
    hist_.resize(static_cast<std::size_t>(features_) * kMaxBins * width_);
    batch_.resize(features_);
    while (!stack.empty()) {
      const Task task = stack.back();
      stack.pop_back();
      std::copy(stacked_totals.end() - classes_, stacked_totals.end(), totals_.begin());
      stacked_totals.resize(stacked_totals.size() - classes_);
      const std::size_t n = task.end - task.begin;
      if (IsLeaf(n, task.depth)) {
        Link(task.parent, AddLeaf());
        continue;
      }
      if (data_.has_raw() && n < static_cast<std::size_t>(params_.exact_split_rows)) {
        GrowExact(task);
        continue;
      }
      Split split = FindHistogramSplit(task.begin, task.end);
      if (split.feature < 0) {
        // Every drawn feature sits in one bin here; the raw values may still differ.
        if (data_.has_raw() && params_.exact_split_rows > 0) {
          GrowExact(task);
        } else {
          Link(task.parent, AddLeaf());
        }
        continue;
      }
      const std::int32_t node = tree_.AddSplit(split.feature, split.threshold);
      Link(task.parent, node);
      const std::size_t mid = PartitionRecords(task.begin, task.end, split);
      // Left child's class weights: the split feature's bins up to the split.
      const std::uint32_t* hist = SlotHistogram(split.slot);
      std::fill(left_.begin(), left_.end(), 0.0);
      for (int b = 0; b <= split.bin; ++b) {
        for (int k = 0; k < classes_; ++k) left_[k] += hist[b * width_ + k];
      }
      for (int k = 0; k < classes_; ++k) stacked_totals.push_back(totals_[k] - left_[k]);
      stacked_totals.insert(stacked_totals.end(), left_.begin(), left_.end());
      stack.push_back({mid, task.end, task.depth + 1, node});
      stack.push_back({task.begin, mid, task.depth + 1, -1});
    }
    return std::move(tree_);
  }

 private:
  // A record: row index (uint32), class (uint16), bootstrap weight (uint16), then the bins.
  std::uint32_t RecordRow(const std::uint8_t* r) const {
    std::uint32_t row;
    std::memcpy(&row, r, 4);
    return row;
  }
  static std::uint16_t RecordClass(const std::uint8_t* r) {
    std::uint16_t c;
    std::memcpy(&c, r + 4, 2);
    return c;
  }
  static std::uint16_t RecordWeight(const std::uint8_t* r) {
    std::uint16_t w;
    std::memcpy(&w, r + 6, 2);
    return w;
  }
  // Records live in 32-bit words (so they can be swapped a word at a time) and are read bytewise.
  std::uint8_t* Record(std::size_t i) {
    return reinterpret_cast<std::uint8_t*>(records_.data()) + i * stride_;
  }
  std::uint32_t* RecordWords(std::size_t i) { return records_.data() + i * (stride_ / 4); }

  void MakeRecords(std::span<const std::int32_t> codes, std::span<const std::uint16_t> weight) {
    const std::size_t n = data_.rows();
    record_count_ = 0;
    for (std::size_t r = 0; r < n; ++r) record_count_ += weight[r] > 0;
    records_.assign(record_count_ * stride_ / 4, 0);
    std::size_t at = 0;
    for (std::size_t r = 0; r < n; ++r) {
      if (weight[r] == 0) continue;
      std::uint8_t* rec = Record(at++);
      const auto row = static_cast<std::uint32_t>(r);
      const auto cls = static_cast<std::uint16_t>(codes[r]);
      std::memcpy(rec, &row, 4);
      std::memcpy(rec + 4, &cls, 2);
      std::memcpy(rec + 6, &weight[r], 2);
      std::memcpy(rec + 8, data_.row_bins(r), features_);
    }
  }

  // Class weights of the node's records into totals_.
  void SumRecordClasses(std::size_t begin, std::size_t end) {
    std::fill(totals_.begin(), totals_.end(), 0.0);
    for (std::size_t i = begin; i < end; ++i) {
      const std::uint8_t* rec = Record(i);
      totals_[RecordClass(rec)] += RecordWeight(rec);
    }
  }

  bool IsLeaf(std::size_t n, int depth) const {
    if (n < static_cast<std::size_t>(params_.min_samples_split) ||
        n < 2 * static_cast<std::size_t>(params_.min_samples_leaf)) {
      return true;
    }
    if (params_.max_depth > 0 && depth >= params_.max_depth) return true;
    int present = 0;
    for (double t : totals_) present += t > 0;
    return present <= 1;
  }

  std::int32_t AddLeaf() {
    double w = 0.0;
    for (double t : totals_) w += t;
    for (int k = 0; k < classes_; ++k) fractions_[k] = static_cast<float>(totals_[k] / w);
    return tree_.AddLeaf(fractions_.data());
  }

  void Link(std::int32_t parent, std::int32_t node) {
    if (parent >= 0) tree_.SetRightChild(parent, node);
  }

  double TotalWeight() const {
    double w = 0.0;
    for (double t : totals_) w += t;
    return w;
  }

  std::uint32_t* SlotHistogram(int slot) {
    return hist_.data() + static_cast<std::size_t>(slot) * kMaxBins * width_;
  }

  // Histograms of features[0..count) into slots first..first+count, in one pass over the rows:
  // per bin the class weights and, when min_samples_leaf needs it, the row count.
  void BuildHistograms(std::size_t begin, std::size_t end, const int* features, int count,
                       int first) {
    std::uint32_t* hists[4];
    for (int j = 0; j < count; ++j) {
      hists[j] = SlotHistogram(first + j);
      std::fill(hists[j], hists[j] + (data_.bounds(features[j]).size() + 1) * width_, 0u);
    }
    if (classes_ == 2 && !row_counts_) {
      switch (count) {  // the common case: a constant width and feature count the compiler sees
        case 1:
          return BuildTwoClassHistograms<1>(begin, end, features, hists);
        case 2:
          return BuildTwoClassHistograms<2>(begin, end, features, hists);
        case 3:
          return BuildTwoClassHistograms<3>(begin, end, features, hists);
        case 4:
          return BuildTwoClassHistograms<4>(begin, end, features, hists);
        default:
          break;
      }
    }
    if (count == 1 && !row_counts_) {
      std::uint32_t* hist = hists[0];
      const int offset = 8 + features[0];
      for (std::size_t i = begin; i < end; ++i) {
        const std::uint8_t* rec = Record(i);
        hist[rec[offset] * width_ + RecordClass(rec)] += RecordWeight(rec);
      }
      return;
    }
    for (std::size_t i = begin; i < end; ++i) {
      const std::uint8_t* rec = Record(i);
      const std::uint16_t cls = RecordClass(rec), w = RecordWeight(rec);
      const std::uint8_t* bins = rec + 8;
      for (int j = 0; j < count; ++j) {
        std::uint32_t* cell = hists[j] + bins[features[j]] * width_;
        cell[cls] += w;
        if (row_counts_) cell[classes_] += 1;
      }
    }
  }

  template <int Count>
  void BuildTwoClassHistograms(std::size_t begin, std::size_t end, const int* features,
                               std::uint32_t* const* hists) {
    int offsets[Count];
    std::uint32_t* out[Count];
    for (int j = 0; j < Count; ++j) {
      offsets[j] = 8 + features[j];
      out[j] = hists[j];
    }
    for (std::size_t i = begin; i < end; ++i) {
      const std::uint8_t* rec = Record(i);
      const std::uint16_t cls = RecordClass(rec), w = RecordWeight(rec);
      for (int j = 0; j < Count; ++j) out[j][rec[offsets[j]] * 2 + cls] += w;
    }
  }

  // Best split of one feature's histogram; false if the node's rows share one bin.
  // (Every row in a node has a bootstrap weight of at least 1: a bin holds rows iff it holds
  // weight.)
  bool ScanHistogram(int feature, int slot, std::size_t n, double w, Split* best) {
    const std::uint32_t* hist = SlotHistogram(slot);
    const int bins = static_cast<int>(data_.bounds(feature).size()) + 1;
    bin_weight_.resize(bins);
    int occupied = 0;
    for (int b = 0; b < bins; ++b) {
      std::uint64_t sum = 0;
      for (int k = 0; k < classes_; ++k) sum += hist[b * width_ + k];
      bin_weight_[b] = static_cast<double>(sum);
      occupied += sum > 0;
    }
    if (occupied < 2) return false;
    std::fill(left_.begin(), left_.end(), 0.0);
    double wl = 0.0;
    std::size_t nl = 0;
    const std::size_t min_leaf = params_.min_samples_leaf;
    bool best_here = false;  // the best split so far is at the previous occupied bin
    for (int b = 0; b < bins; ++b) {
      if (bin_weight_[b] == 0) continue;
      const std::uint32_t* cell = hist + b * width_;
      if (best_here) {
        best->next_bin = b;
        best_here = false;
      }
      for (int k = 0; k < classes_; ++k) left_[k] += cell[k];
      wl += bin_weight_[b];
      if (wl >= w) break;
      if (row_counts_) {
        nl += cell[classes_];
        if (nl < min_leaf || n - nl < min_leaf) continue;
      }
      const double score = score_(left_.data(), wl, totals_.data(), w);
      if (best->TakeBins(score, feature, slot, b)) best_here = true;
    }
    return true;
  }

  // ScanHistogram for two classes, gini and no row counts, in one pass over the bins: the same
  // scores from the same sums, without the general case's loops and bin weight table.
  bool ScanTwoClassGini(int feature, int slot, double w, Split* best) {
    const std::uint32_t* hist = SlotHistogram(slot);
    const int bins = static_cast<int>(data_.bounds(feature).size()) + 1;
    const double t0 = totals_[0], t1 = totals_[1];
    double l0 = 0.0, l1 = 0.0;
    int occupied = 0;
    bool best_here = false;  // the best split so far is at the previous occupied bin
    for (int b = 0; b < bins; ++b) {
      const std::uint32_t c0 = hist[2 * b], c1 = hist[2 * b + 1];
      if ((c0 | c1) == 0) continue;
      ++occupied;
      if (best_here) {
        best->next_bin = b;
        best_here = false;
      }
      l0 += c0;
      l1 += c1;
      const double wl = l0 + l1;
      if (wl >= w) break;  // the last occupied bin
      const double r0 = t0 - l0, r1 = t1 - l1;
      const double score = (l0 * l0 + l1 * l1) / wl + (r0 * r0 + r1 * r1) / (w - wl);
      if (best->TakeBins(score, feature, slot, b)) best_here = true;
    }
    return occupied >= 2;
  }

  Split FindHistogramSplit(std::size_t begin, std::size_t end) {
    const std::size_t n = end - begin;
    const double w = TotalWeight();
    Split best;
    draw_.Reset();
    int visited = 0, varying = 0;
    while (!draw_.Exhausted() && (visited < per_split_ || varying == 0)) {
      // Up to four features per pass over the rows: the ones a split needs, then one at a time
      // while all drawn so far were constant here.
      const int count =
          std::min({visited < per_split_ ? per_split_ - visited : 1, features_ - visited, 4});
      for (int j = 0; j < count; ++j) batch_[visited + j] = draw_.Next();
      BuildHistograms(begin, end, batch_.data() + visited, count, visited);
      for (int j = 0; j < count; ++j) {
        varying += two_class_gini_ ? ScanTwoClassGini(batch_[visited + j], visited + j, w, &best)
                                   : ScanHistogram(batch_[visited + j], visited + j, n, w, &best);
      }
      visited += count;
    }
    if (best.feature < 0) return best;
    // The rows split the same way anywhere in the run of empty bins after the best bin: take
    // its middle, as scikit-learn takes the midpoint between the two values.
    best.bin = (best.bin + best.next_bin - 1) / 2;
    best.threshold = data_.bounds(best.feature)[best.bin];
    return best;
  }

  std::size_t PartitionRecords(std::size_t begin, std::size_t end, const Split& split) {
    const int f = split.feature;
    const std::uint8_t limit = static_cast<std::uint8_t>(split.bin);
    const std::size_t words = stride_ / 4;
    std::size_t i = begin, j = end;
    while (true) {
      while (i < j && Record(i)[8 + f] <= limit) ++i;
      while (i < j && Record(j - 1)[8 + f] > limit) --j;
      if (i + 1 >= j) break;
      // Word by word: records are a few words long and a libc memcpy per record costs more.
      std::uint32_t* a = RecordWords(i);
      std::uint32_t* b = RecordWords(j - 1);
      for (std::size_t k = 0; k < words; ++k) std::swap(a[k], b[k]);
      ++i;
      --j;
    }
    return i;
  }

  // Grows the whole subtree of `root` on exact values, in a buffer small enough for the cache.
  void GrowExact(const Task& root) {
    const std::size_t n = root.end - root.begin;
    values_.resize(n * features_);
    classes_of_.resize(n);
    weights_of_.resize(n);
    // The rows are scattered over the raw table: ask for them a few records ahead.
    constexpr std::size_t kPrefetchAhead = 8;
    for (std::size_t i = 0; i < std::min(n, kPrefetchAhead); ++i) {
      __builtin_prefetch(data_.row_values(RecordRow(Record(root.begin + i))));
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (i + kPrefetchAhead < n) {
        __builtin_prefetch(data_.row_values(RecordRow(Record(root.begin + i + kPrefetchAhead))));
      }
      const std::uint8_t* rec = Record(root.begin + i);
      float* dst = values_.data() + i * features_;
      std::memcpy(dst, data_.row_values(RecordRow(rec)), features_ * sizeof(float));
      // NaN sorts last and goes right, as `x <= threshold` sends it at prediction.
      for (int f = 0; f < features_; ++f) {
        if (std::isnan(dst[f])) dst[f] = std::numeric_limits<float>::infinity();
      }
      classes_of_[i] = RecordClass(rec);
      weights_of_[i] = RecordWeight(rec);
    }
    std::vector<Task> stack;
    stack.push_back({0, n, root.depth, root.parent});
    while (!stack.empty()) {
      const Task task = stack.back();
      stack.pop_back();
      std::fill(totals_.begin(), totals_.end(), 0.0);
      for (std::size_t i = task.begin; i < task.end; ++i) totals_[classes_of_[i]] += weights_of_[i];
      const std::size_t m = task.end - task.begin;
      Split split;
      if (!IsLeaf(m, task.depth)) split = FindExactSplit(task.begin, task.end);
      if (split.feature < 0) {
        Link(task.parent, AddLeaf());
        continue;
      }
      const std::int32_t node = tree_.AddSplit(split.feature, split.threshold);
      Link(task.parent, node);
      const std::size_t mid = PartitionValues(task.begin, task.end, split);
      stack.push_back({mid, task.end, task.depth + 1, node});
      stack.push_back({task.begin, mid, task.depth + 1, -1});
    }
  }

  // A key whose unsigned order is the value's order (no NaN here: they were made +inf), with
  // the class and weight in its low bits.
  static std::uint64_t SortKey(float value, std::uint16_t cls, std::uint16_t weight) {
    std::uint32_t bits;
    std::memcpy(&bits, &value, 4);
    bits = (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
    return (std::uint64_t{bits} << 32) | (std::uint32_t{cls} << 16) | weight;
  }
  static Item KeyItem(std::uint64_t key) {
    auto bits = static_cast<std::uint32_t>(key >> 32);
    bits = (bits & 0x80000000u) ? bits & 0x7fffffffu : ~bits;
    float value;
    std::memcpy(&value, &bits, 4);
    return {value, static_cast<std::uint16_t>(key >> 16), static_cast<std::uint16_t>(key)};
  }

  // Best split of one feature on exact values; false if the feature is constant in the node.
  bool ScanValues(int feature, std::size_t begin, std::size_t end, double w, Split* best) {
    const std::size_t m = end - begin;
    keys_.resize(m);
    for (std::size_t i = 0; i < m; ++i) {
      keys_[i] = SortKey(values_[(begin + i) * features_ + feature], classes_of_[begin + i],
                         weights_of_[begin + i]);
    }
    // Integer keys sort faster than float pairs with a comparator.
    std::sort(keys_.begin(), keys_.end());
    if (two_class_gini_) return ScanTwoClassGiniKeys(feature, w, best);
    items_.resize(m);
    for (std::size_t i = 0; i < m; ++i) items_[i] = KeyItem(keys_[i]);
    if (items_.back().value <= items_.front().value + kFeatureThreshold) return false;
    std::fill(left_.begin(), left_.end(), 0.0);
    double wl = 0.0;
    const std::size_t min_leaf = params_.min_samples_leaf;
    for (std::size_t i = 0; i + 1 < m; ++i) {
      left_[items_[i].cls] += items_[i].weight;
      wl += items_[i].weight;
      if (items_[i + 1].value <= items_[i].value + kFeatureThreshold) continue;
      const std::size_t nl = i + 1;
      if (nl < min_leaf || m - nl < min_leaf) continue;
      const double score = score_(left_.data(), wl, totals_.data(), w);
      if (score > best->score) {
        best->score = score;
        best->feature = feature;
        best->threshold = Midpoint(items_[i].value, items_[i + 1].value);
      }
    }
    return true;
  }

  // The rest of ScanValues for two classes, gini and no minimum leaf size, on the sorted keys
  // themselves: the same scores from the same sums.
  bool ScanTwoClassGiniKeys(int feature, double w, Split* best) {
    const std::size_t m = keys_.size();
    float value = KeyItem(keys_[0]).value;
    if (KeyItem(keys_[m - 1]).value <= value + kFeatureThreshold) return false;
    const double t0 = totals_[0], t1 = totals_[1];
    double l0 = 0.0, l1 = 0.0;
    for (std::size_t i = 0; i + 1 < m; ++i) {
      const std::uint64_t key = keys_[i];
      const double weight = static_cast<double>(key & 0xffff);
      if ((key >> 16) & 0xffff) {
        l1 += weight;
      } else {
        l0 += weight;
      }
      const float next = KeyItem(keys_[i + 1]).value;
      if (next <= value + kFeatureThreshold) {
        value = next;
        continue;
      }
      const double wl = l0 + l1, r0 = t0 - l0, r1 = t1 - l1;
      const double score = (l0 * l0 + l1 * l1) / wl + (r0 * r0 + r1 * r1) / (w - wl);
      if (score > best->score) {
        best->score = score;
        best->feature = feature;
        best->threshold = Midpoint(value, next);
      }
      value = next;
    }
    return true;
  }

  Split FindExactSplit(std::size_t begin, std::size_t end) {
    const double w = TotalWeight();
    Split best;
    draw_.Reset();
    int visited = 0, varying = 0;
    while (!draw_.Exhausted() && (visited < per_split_ || varying == 0)) {
      varying += ScanValues(draw_.Next(), begin, end, w, &best);
      ++visited;
    }
    return best;
  }

  std::size_t PartitionValues(std::size_t begin, std::size_t end, const Split& split) {
    const int f = split.feature;
    const std::size_t nf = features_;
    auto goes_left = [&](std::size_t i) { return values_[i * nf + f] <= split.threshold; };
    std::size_t i = begin, j = end;
    while (true) {
      while (i < j && goes_left(i)) ++i;
      while (i < j && !goes_left(j - 1)) --j;
      if (i + 1 >= j) break;
      std::swap_ranges(values_.begin() + i * nf, values_.begin() + (i + 1) * nf,
                       values_.begin() + (j - 1) * nf);
      std::swap(classes_of_[i], classes_of_[j - 1]);
      std::swap(weights_of_[i], weights_of_[j - 1]);
      ++i;
      --j;
    }
    return i;
  }

  const BinnedFeatures& data_;
  int classes_;
  const ForestParams& params_;
  int features_;
  std::size_t stride_;
  int per_split_;
  bool row_counts_;      // histograms count rows too (only min_samples_leaf needs them)
  bool two_class_gini_;  // the common case, with its own histogram scan
  int width_;            // cells per histogram bin
  Rng rng_;
  FeatureDraw draw_;
  SplitScore score_;
  DecisionTree tree_;
  std::vector<std::uint32_t> records_;
  std::size_t record_count_ = 0;
  std::vector<std::uint32_t> hist_;
  std::vector<int> batch_;  // features drawn for the node, in order; slot = position
  std::vector<double> bin_weight_;
  // Exact stage: the subtree's rows (raw values row-major, class, weight) and a sort buffer.
  std::vector<float> values_;
  std::vector<std::uint16_t> classes_of_, weights_of_;
  std::vector<Item> items_;
  std::vector<std::uint64_t> keys_;
  std::vector<double> totals_, left_;
  std::vector<float> fractions_;
};

}  // namespace

TreeBuilder::TreeBuilder(const BinnedFeatures& data, std::span<const std::int32_t> codes,
                         int classes, const ForestParams& params)
    : data_(data), codes_(codes), classes_(classes), params_(params) {
  if (classes > 65535) throw InputError("rf: at most 65535 classes are supported");
  if (data.rows() > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError("rf: at most 2^32 rows per process are supported");
  }
}

DecisionTree TreeBuilder::Build(std::uint64_t seed, std::uint64_t tree_number,
                                std::span<const std::uint16_t> weights) const {
  if (weights.size() != data_.rows()) {
    throw Failure("rf: ", weights.size(), " bootstrap weights for ", data_.rows(), " rows");
  }
  Grower grower(data_, codes_, weights, classes_, params_, seed, tree_number);
  return grower.Grow();
}

}  // namespace scaleml
