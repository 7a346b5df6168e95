#include "engine/Metrics.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "comm/CommOps.h"
#include "core/Error.h"

namespace scaleml {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A key whose unsigned order is the order of the float values (for non-NaN values); -0 and +0
// get the same key, as they are the same score.
std::uint32_t OrderedKey(float score) {
  if (score == 0.0f) score = 0.0f;
  const auto bits = std::bit_cast<std::uint32_t>(score);
  return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
}

// Sorts keys below 2^33 (a 32-bit score key and the class bit): three counting passes of 11 bits,
// several times faster than a comparison sort on the millions of test rows of the paper's files.
void SortKeys33(std::vector<std::uint64_t>& keys) {
  constexpr int kDigitBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
  std::vector<std::uint64_t> buffer(keys.size());
  std::vector<std::size_t> starts(kBuckets);
  for (int shift = 0; shift < 33; shift += kDigitBits) {
    std::fill(starts.begin(), starts.end(), 0);
    for (std::uint64_t key : keys) ++starts[(key >> shift) & (kBuckets - 1)];
    std::size_t total = 0;
    for (std::size_t& start : starts) {
      const std::size_t count = start;
      start = total;
      total += count;
    }
    for (std::uint64_t key : keys) buffer[starts[(key >> shift) & (kBuckets - 1)]++] = key;
    keys.swap(buffer);
  }
}

// The scalar metrics by name, in report order.
constexpr const char* kScalarNames[] = {"accuracy", "logloss", "roc_auc", "f1",
                                        "balanced_accuracy"};

std::vector<double> Scalars(const ClassificationMetrics& m) {
  return {m.accuracy, m.logloss, m.roc_auc, m.f1, m.balanced_accuracy};
}

// Index of a label value in a sorted class list, -1 when absent: a table over the classes' range
// when it is small (the usual 0..k-1), a binary search otherwise.
class ClassIndex {
 public:
  explicit ClassIndex(const std::vector<std::int32_t>& classes) : classes_(classes) {
    if (classes.empty()) return;
    const std::int64_t range = std::int64_t{classes.back()} - classes.front() + 1;
    if (range > (1 << 20)) return;
    low_ = classes.front();
    table_.assign(static_cast<std::size_t>(range), -1);
    for (std::size_t c = 0; c < classes.size(); ++c) {
      table_[static_cast<std::size_t>(classes[c] - low_)] = static_cast<std::int32_t>(c);
    }
  }
  std::int32_t operator()(std::int32_t label) const {
    if (!table_.empty()) {
      const std::int64_t at = std::int64_t{label} - low_;
      return at >= 0 && at < static_cast<std::int64_t>(table_.size())
                 ? table_[static_cast<std::size_t>(at)]
                 : -1;
    }
    auto it = std::lower_bound(classes_.begin(), classes_.end(), label);
    return it != classes_.end() && *it == label ? static_cast<std::int32_t>(it - classes_.begin())
                                                : -1;
  }

 private:
  const std::vector<std::int32_t>& classes_;
  std::int32_t low_ = 0;
  std::vector<std::int32_t> table_;
};

std::vector<std::int32_t> IndicesIn(std::span<const std::int32_t> values,
                                    const std::vector<std::int32_t>& classes) {
  const ClassIndex index(classes);
  std::vector<std::int32_t> out(values.size());
  for (std::size_t r = 0; r < values.size(); ++r) out[r] = index(values[r]);
  return out;
}

void SortUnique(std::vector<std::int32_t>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

}  // namespace

nlohmann::json ClassificationMetrics::ToJson() const {
  nlohmann::json matrix = nlohmann::json::array();
  for (std::size_t t = 0; t < classes(); ++t) {
    nlohmann::json row = nlohmann::json::array();
    for (std::size_t p = 0; p < classes(); ++p) row.push_back(confusion_at(t, p));
    matrix.push_back(std::move(row));
  }
  return {{"logloss", logloss},
          {"roc_auc", roc_auc},
          {"f1", f1},
          {"balanced_accuracy", balanced_accuracy},
          {"confusion_matrix", {{"classes", class_names}, {"matrix", matrix}}}};
}

std::vector<std::int64_t> ConfusionMatrix(std::span<const std::int32_t> truth,
                                          std::span<const std::int32_t> predicted,
                                          std::size_t classes) {
  std::vector<std::int64_t> counts(classes * classes, 0);
  for (std::size_t r = 0; r < truth.size(); ++r) {
    ++counts[static_cast<std::size_t>(truth[r]) * classes + static_cast<std::size_t>(predicted[r])];
  }
  return counts;
}

double LogLossSum(std::span<const std::int32_t> truth, std::span<const float> proba,
                  std::size_t classes) {
  double sum = 0.0;
  for (std::size_t r = 0; r < truth.size(); ++r) {
    const float* p = proba.data() + r * classes;
    double row_sum = 0.0;
    for (std::size_t c = 0; c < classes; ++c) {
      row_sum += std::clamp(static_cast<double>(p[c]), kLogLossEps, 1.0 - kLogLossEps);
    }
    const double mine =
        std::clamp(static_cast<double>(p[truth[r]]), kLogLossEps, 1.0 - kLogLossEps);
    sum -= std::log(mine / row_sum);
  }
  return sum;
}

double BinaryRocAuc(std::span<const float> scores, std::span<const std::uint8_t> positive) {
  // Sorted by score with the class in the lowest bit; a run of equal scores is one threshold.
  std::vector<std::uint64_t> keys(scores.size());
  for (std::size_t r = 0; r < scores.size(); ++r) {
    if (std::isnan(scores[r])) return kNaN;
    keys[r] = (static_cast<std::uint64_t>(OrderedKey(scores[r])) << 1) | (positive[r] ? 1 : 0);
  }
  SortKeys33(keys);
  // Twice the Mann-Whitney U: each (positive, negative) pair counts 2 when the positive scores
  // higher and 1 when they tie. Exact in integers.
  std::uint64_t twice_u = 0, negatives_below = 0, positives = 0;
  for (std::size_t begin = 0; begin < keys.size();) {
    std::size_t end = begin;
    std::uint64_t pos = 0, neg = 0;
    while (end < keys.size() && (keys[end] >> 1) == (keys[begin] >> 1)) {
      ((keys[end] & 1) != 0 ? pos : neg) += 1;
      ++end;
    }
    twice_u += pos * (2 * negatives_below + neg);
    negatives_below += neg;
    positives += pos;
    begin = end;
  }
  if (positives == 0 || negatives_below == 0) return kNaN;
  return static_cast<double>(twice_u) /
         (2.0 * static_cast<double>(positives) * static_cast<double>(negatives_below));
}

double RocAuc(std::span<const std::int32_t> truth, std::span<const float> proba,
              std::size_t classes) {
  const std::size_t rows = truth.size();
  const std::size_t columns = classes == 2 ? 1 : classes;  // binary: the second class only
  std::vector<double> per_class(columns, kNaN);
#pragma omp parallel for schedule(dynamic) if (columns > 1)
  for (std::size_t column = 0; column < columns; ++column) {
    const std::size_t c = classes == 2 ? 1 : column;
    std::vector<float> scores(rows);
    std::vector<std::uint8_t> positive(rows);
    for (std::size_t r = 0; r < rows; ++r) {
      scores[r] = proba[r * classes + c];
      positive[r] = truth[r] == static_cast<std::int32_t>(c);
    }
    per_class[column] = BinaryRocAuc(scores, positive);
  }
  if (columns == 1) return per_class[0];
  // Macro over the classes with both positives and negatives; a NaN score makes every class NaN.
  double sum = 0.0;
  std::size_t defined = 0;
  for (std::size_t c = 0; c < columns; ++c) {
    if (std::isnan(per_class[c])) continue;
    sum += per_class[c];
    ++defined;
  }
  return defined == 0 ? kNaN : sum / static_cast<double>(defined);
}

double AccuracyFromConfusion(std::span<const std::int64_t> confusion, std::size_t classes) {
  std::int64_t total = 0, correct = 0;
  for (std::size_t t = 0; t < classes; ++t) {
    for (std::size_t p = 0; p < classes; ++p) total += confusion[t * classes + p];
    correct += confusion[t * classes + t];
  }
  return total == 0 ? kNaN : static_cast<double>(correct) / static_cast<double>(total);
}

double F1FromConfusion(std::span<const std::int64_t> confusion, std::size_t classes) {
  auto f1_of = [&](std::size_t c, std::int64_t* occurrences) {
    std::int64_t true_rows = 0, predicted_rows = 0;
    for (std::size_t o = 0; o < classes; ++o) {
      true_rows += confusion[c * classes + o];
      predicted_rows += confusion[o * classes + c];
    }
    *occurrences = true_rows + predicted_rows;  // = 2 TP + FP + FN
    return *occurrences == 0 ? 0.0
                             : 2.0 * static_cast<double>(confusion[c * classes + c]) / *occurrences;
  };
  std::int64_t occurrences = 0;
  if (classes == 2) return f1_of(1, &occurrences);
  double sum = 0.0;
  std::size_t present = 0;
  for (std::size_t c = 0; c < classes; ++c) {
    const double f1 = f1_of(c, &occurrences);
    if (occurrences == 0) continue;  // in neither the truth nor the predictions
    sum += f1;
    ++present;
  }
  return present == 0 ? kNaN : sum / static_cast<double>(present);
}

double BalancedAccuracyFromConfusion(std::span<const std::int64_t> confusion, std::size_t classes) {
  double sum = 0.0;
  std::size_t present = 0;
  for (std::size_t t = 0; t < classes; ++t) {
    std::int64_t true_rows = 0;
    for (std::size_t p = 0; p < classes; ++p) true_rows += confusion[t * classes + p];
    if (true_rows == 0) continue;
    sum += static_cast<double>(confusion[t * classes + t]) / static_cast<double>(true_rows);
    ++present;
  }
  return present == 0 ? kNaN : sum / static_cast<double>(present);
}

ClassificationMetrics ComputeMetrics(std::span<const std::int32_t> truth,
                                     std::span<const std::int32_t> predicted,
                                     std::span<const float> proba,
                                     std::vector<std::string> class_names) {
  ClassificationMetrics m;
  const std::size_t k = class_names.size();
  m.class_names = std::move(class_names);
  m.rows = static_cast<std::int64_t>(truth.size());
  m.confusion = ConfusionMatrix(truth, predicted, k);
  m.accuracy = AccuracyFromConfusion(m.confusion, k);
  m.logloss = truth.empty() ? kNaN : LogLossSum(truth, proba, k) / static_cast<double>(m.rows);
  m.roc_auc = RocAuc(truth, proba, k);
  m.f1 = F1FromConfusion(m.confusion, k);
  m.balanced_accuracy = BalancedAccuracyFromConfusion(m.confusion, k);
  return m;
}

ClassificationMetrics ScoreClassifier(std::span<const std::int32_t> labels,
                                      std::span<const float> proba,
                                      std::span<const std::int32_t> predicted,
                                      const std::vector<std::int32_t>& model_classes,
                                      const Schema& schema, Comm& comm) {
  const std::size_t model_k = model_classes.size();
  if (proba.size() != labels.size() * model_k || predicted.size() != labels.size()) {
    throw Failure("scoring: ", labels.size(), " rows with ", proba.size(), " probabilities over ",
                  model_k, " classes and ", predicted.size(), " predictions");
  }
  // The classes: the model's and any test label it never saw, the same list on every rank.
  std::vector<std::int32_t> truth = IndicesIn(labels, model_classes);
  std::vector<std::int32_t> unseen;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    if (truth[r] < 0) unseen.push_back(labels[r]);
  }
  SortUnique(unseen);
  unseen = AllgatherConcat<std::int32_t>(comm, unseen);
  std::vector<std::int32_t> classes = model_classes;
  if (!unseen.empty()) {
    classes.insert(classes.end(), unseen.begin(), unseen.end());
    SortUnique(classes);
    truth = IndicesIn(labels, classes);
  }
  const std::size_t k = classes.size();
  const std::vector<std::int32_t> predicted_index = IndicesIn(predicted, classes);
  std::vector<float> widened;  // the probabilities over `classes` when the model lacks some
  if (k != model_k) {
    const std::vector<std::int32_t> column = IndicesIn(model_classes, classes);
    widened.assign(labels.size() * k, 0.0f);
    for (std::size_t r = 0; r < labels.size(); ++r) {
      for (std::size_t c = 0; c < model_k; ++c) widened[r * k + column[c]] = proba[r * model_k + c];
    }
    proba = widened;
  }

  ClassificationMetrics m;
  for (std::int32_t label : classes) m.class_names.push_back(schema.ClassName(label));
  m.confusion = ConfusionMatrix(truth, predicted_index, k);
  AllreduceSum(comm, std::span<std::int64_t>(m.confusion));
  for (std::int64_t count : m.confusion) m.rows += count;
  const double logloss_sum = AllreduceSum(comm, LogLossSum(truth, proba, k));
  m.logloss = m.rows == 0 ? kNaN : logloss_sum / static_cast<double>(m.rows);
  m.accuracy = AccuracyFromConfusion(m.confusion, k);
  m.f1 = F1FromConfusion(m.confusion, k);
  m.balanced_accuracy = BalancedAccuracyFromConfusion(m.confusion, k);

  if (comm.size() == 1) {
    m.roc_auc = RocAuc(truth, proba, k);
    return m;
  }
  // The AUC ranks every test row: gather the scores it needs (two classes: the second's only).
  const std::vector<std::int32_t> all_truth = AllgatherConcat<std::int32_t>(comm, truth);
  if (k == 2) {
    std::vector<float> second(labels.size());
    for (std::size_t r = 0; r < labels.size(); ++r) second[r] = proba[r * 2 + 1];
    const std::vector<float> all_second = AllgatherConcat<float>(comm, second);
    std::vector<std::uint8_t> positive(all_truth.size());
    for (std::size_t r = 0; r < all_truth.size(); ++r) positive[r] = all_truth[r] == 1;
    m.roc_auc = BinaryRocAuc(all_second, positive);
  } else {
    m.roc_auc = RocAuc(all_truth, AllgatherConcat<float>(comm, proba), k);
  }
  return m;
}

const std::vector<std::string>& ScalarMetricNames() {
  static const std::vector<std::string> names(std::begin(kScalarNames), std::end(kScalarNames));
  return names;
}

std::string MetricMode(const std::string& name) {
  if (name == "logloss") return "min";
  for (const char* known : kScalarNames) {
    if (name == known) return "max";
  }
  throw InputError("--metric ", name,
                   " is unknown: use accuracy, logloss, roc_auc, f1 or balanced_accuracy");
}

nlohmann::json MetricsMean(const std::vector<ClassificationMetrics>& folds) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < std::size(kScalarNames); ++i) {
    double sum = 0.0;
    for (const auto& fold : folds) sum += Scalars(fold)[i];
    out[kScalarNames[i]] = folds.empty() ? kNaN : sum / static_cast<double>(folds.size());
  }
  return out;
}

nlohmann::json MetricsStd(const std::vector<ClassificationMetrics>& folds) {
  nlohmann::json out = nlohmann::json::object();
  const nlohmann::json mean = MetricsMean(folds);
  for (std::size_t i = 0; i < std::size(kScalarNames); ++i) {
    const double m = mean[kScalarNames[i]].get<double>();
    double squares = 0.0;
    for (const auto& fold : folds) squares += (Scalars(fold)[i] - m) * (Scalars(fold)[i] - m);
    out[kScalarNames[i]] = folds.empty() ? kNaN : std::sqrt(squares / folds.size());
  }
  return out;
}

}  // namespace scaleml
