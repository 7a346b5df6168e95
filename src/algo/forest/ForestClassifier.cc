#include "algo/forest/ForestClassifier.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "algo/AlgorithmFactories.h"
#include "algo/forest/BinnedFeatures.h"
#include "algo/forest/ForestGrowth.h"
#include "comm/CommOps.h"
#include "core/Error.h"
#include "core/Log.h"

namespace scaleml {
namespace {

constexpr std::uint32_t kForestMagic = 0x32544652;     // "RFT2"
constexpr std::uint32_t kOldForestMagic = 0x31544652;  // "RFT1": numeric splits only
// Rows per prediction block: their features fit in L1 while every tree walks them.
constexpr std::size_t kPredictBlock = 128;

}  // namespace

ParamMap ForestClassifier::params() const { return ForestSchema().ToMap(params_); }

void ForestClassifier::Fit(const Dataset& train, Comm& comm) {
  classes_ = GlobalClasses(train, comm);
  features_ = static_cast<int>(train.features());
  const auto seed = static_cast<std::uint64_t>(params_.random_state);
  const int classes = static_cast<int>(classes_.size());
  const std::vector<std::int32_t> codes = EncodeLabels(train, classes_);

  std::vector<std::int64_t> class_rows(classes, 0);
  for (std::int32_t code : codes) ++class_rows[code];
  AllreduceSum(comm, std::span<std::int64_t>(class_rows));
  std::int64_t total = 0;
  for (std::int64_t count : class_rows) total += count;
  if (total == 0) throw InputError("rf: no training rows on any of ", comm.size(), " ranks");
  std::vector<float> prior(classes);
  for (int k = 0; k < classes; ++k) prior[k] = static_cast<float>(class_rows[k]) / total;

  ForestBins bins = ForestBins::Global(train, params_.max_bin, seed, comm);
  category_maps_ = bins;
  category_maps_.bounds.assign(bins.features(), {});  // prediction needs only the categories
  const BinnedFeatures binned =
      BinnedFeatures::Build(train, std::move(bins), params_.exact_split_rows > 0);
  const ForestRows rows{binned, train.row_ids(), codes, classes, prior};
  if (Monitored(train, comm)) {
    GrowMonitored(rows, seed);
  } else {
    trees_ = GrowForest(rows, params_, seed, comm, cancel_flag());
  }
}

bool ForestClassifier::Monitored(const Dataset& train, const Comm& comm) const {
  const FitMonitoring& monitoring = this->monitoring();
  if (!monitoring.enabled()) return false;
  if (comm.size() > 1) {
    LogWarning("rf: per-tree reports need one process; training ", comm.size(),
               " ranks without them");
    return false;
  }
  if (monitoring.validation->features() != train.features()) {
    throw InputError("rf: the validation rows have ", monitoring.validation->features(),
                     " features, the training data ", train.features());
  }
  return true;
}

void ForestClassifier::GrowMonitored(const ForestRows& rows, std::uint64_t seed) {
  const int every = std::max(1, monitoring().report_every), total = params_.n_estimators;
  // A batch of whole report intervals that keeps every thread busy; trees grown past a kStop
  // are dropped (each tree depends only on its number, so the forest is the same).
  const int batch = every * std::max(1, (omp_get_max_threads() + every - 1) / every);
  const std::vector<float> valid_rows = RowMajor(*monitoring().validation);
  std::vector<double> sums(monitoring().validation->rows() * classes_.size(), 0.0);
  trees_.clear();
  for (int first = 0; first < total; first += batch) {
    std::vector<DecisionTree> grown =
        GrowTreesHere(rows, params_, seed, first, std::min(batch, total - first), cancel_flag());
    for (DecisionTree& tree : grown) {
      AddLeafFractions(tree, valid_rows, sums);
      trees_.push_back(std::move(tree));
      const int count = static_cast<int>(trees_.size());
      if (count % every != 0 && count != total) continue;
      // As PredictProba: the sums in tree order, times 1/trees.
      const double scale = 1.0 / static_cast<double>(count);
      std::vector<float> proba(sums.size());
      for (std::size_t i = 0; i < sums.size(); ++i) proba[i] = static_cast<float>(sums[i] * scale);
      if (monitoring().monitor->OnRound(count, proba, *this) == RoundDecision::kStop) {
        LogInfo("rf: stopped by the monitor after ", count, " trees");
        return;
      }
    }
  }
}

std::vector<float> ForestClassifier::RowMajor(const Dataset& data) const {
  const std::size_t n = data.rows(), nf = data.features();
  std::vector<float> rows(n * nf);
  for (std::size_t f = 0; f < nf; ++f) {
    auto column = data.column(f);
    const bool categorical = category_maps_.IsCategorical(f);
    for (std::size_t r = 0; r < n; ++r) {
      rows[r * nf + f] = categorical ? category_maps_.CategoryValue(f, column[r]) : column[r];
    }
  }
  return rows;
}

void ForestClassifier::AddLeafFractions(const DecisionTree& tree, const std::vector<float>& rows,
                                        std::vector<double>& sums) const {
  const std::size_t k = classes_.size(), nf = static_cast<std::size_t>(features_);
  const auto n = static_cast<std::int64_t>(sums.size() / k);
#pragma omp parallel for schedule(static) if (n >= 16384)
  for (std::int64_t r = 0; r < n; ++r) {
    const float* fractions = tree.LeafFractions(rows.data() + r * nf);
    for (std::size_t c = 0; c < k; ++c) sums[r * k + c] += fractions[c];
  }
}

std::vector<float> ForestClassifier::PredictProba(const Dataset& data, Comm&) const {
  if (trees_.empty()) throw InputError("rf: the model has not been fitted or loaded");
  if (data.features() != static_cast<std::size_t>(features_)) {
    throw InputError("rf: the data has ", data.features(),
                     " features but the model was trained on ", features_);
  }
  const std::size_t k = classes_.size(), n = data.rows(), nf = data.features();
  std::vector<float> proba(n * k);
  const std::size_t blocks = (n + kPredictBlock - 1) / kPredictBlock;
  const double scale = 1.0 / static_cast<double>(trees_.size());
  // One block (a few rows): no thread team to wake.
#pragma omp parallel if (blocks > 1)
  {
    std::vector<float> rows(kPredictBlock * nf);
    std::vector<double> sums(kPredictBlock * k);
    std::vector<const float*> leaves(kPredictBlock);
#pragma omp for schedule(dynamic, 16)
    for (std::size_t b = 0; b < blocks; ++b) {
      const std::size_t begin = b * kPredictBlock, count = std::min(kPredictBlock, n - begin);
      for (std::size_t f = 0; f < nf; ++f) {
        auto column = data.column(f);
        if (category_maps_.IsCategorical(f)) {
          for (std::size_t r = 0; r < count; ++r) {
            rows[r * nf + f] = category_maps_.CategoryValue(f, column[begin + r]);
          }
        } else {
          for (std::size_t r = 0; r < count; ++r) rows[r * nf + f] = column[begin + r];
        }
      }
      std::fill(sums.begin(), sums.end(), 0.0);
      for (const DecisionTree& tree : trees_) {
        tree.LeafFractionsOfRows(rows.data(), count, nf, leaves.data());
        for (std::size_t r = 0; r < count; ++r) {
          const float* fractions = leaves[r];
          for (std::size_t c = 0; c < k; ++c) sums[r * k + c] += fractions[c];
        }
      }
      for (std::size_t i = 0; i < count * k; ++i) {
        proba[begin * k + i] = static_cast<float>(sums[i] * scale);
      }
    }
  }
  return proba;
}

void ForestClassifier::SaveModel(BinaryWriter& out) const {
  out.Put<std::uint32_t>(kForestMagic);
  out.Put<std::int32_t>(features_);
  out.Put<std::int32_t>(static_cast<std::int32_t>(classes_.size()));
  category_maps_.SaveCategoryMaps(out);
  out.Put<std::uint64_t>(trees_.size());
  for (const DecisionTree& tree : trees_) tree.Save(out);
}

void ForestClassifier::LoadModel(BinaryReader& in) {
  const auto magic = in.Get<std::uint32_t>();
  if (magic == kOldForestMagic) {
    throw in.Corrupt("a random forest model of an older scaleml (RFT1); train it again");
  }
  if (magic != kForestMagic) throw in.Corrupt("not a random forest model");
  const auto features = in.Get<std::int32_t>();
  const auto classes = in.Get<std::int32_t>();
  if (features <= 0) throw in.Corrupt("feature count " + std::to_string(features));
  if (classes < 2 || static_cast<std::size_t>(classes) != classes_.size()) {
    throw in.Corrupt("class count " + std::to_string(classes) + " does not match the header's " +
                     std::to_string(classes_.size()));
  }
  ForestBins maps = ForestBins::LoadCategoryMaps(in, features);
  const auto count = in.Get<std::uint64_t>();
  if (count == 0 || count > 100000) throw in.Corrupt("tree count " + std::to_string(count));
  std::vector<DecisionTree> trees;
  trees.reserve(count);
  for (std::uint64_t t = 0; t < count; ++t) {
    trees.push_back(DecisionTree::Load(in, classes, features));
    for (const TreeNode& node : trees.back().nodes()) {
      if (!node.is_leaf() && node.categorical() != maps.IsCategorical(node.feature_index())) {
        throw in.Corrupt("a split of tree " + std::to_string(t) + " does not match the kind of " +
                         "feature " + std::to_string(node.feature_index()));
      }
    }
  }
  features_ = features;
  category_maps_ = std::move(maps);
  trees_ = std::move(trees);
}

const ParamSchemaBase& ForestParamSchema() { return ForestSchema(); }

std::unique_ptr<Classifier> MakeForestClassifier(const ParamMap& params) {
  return std::make_unique<ForestClassifier>(ForestSchema().Parse(params));
}

}  // namespace scaleml
