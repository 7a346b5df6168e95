#include "algo/forest/ForestClassifier.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "algo/AlgorithmFactories.h"
#include "algo/RowExchange.h"
#include "algo/forest/BinnedFeatures.h"
#include "algo/forest/TreeBuilder.h"
#include "comm/CommOps.h"
#include "core/Error.h"

namespace scaleml {
namespace {

constexpr std::uint32_t kForestMagic = 0x31544652;  // "RFT1"
// Rows per prediction block: their features fit in L1 while every tree walks them.
constexpr std::size_t kPredictBlock = 128;

// Trees of all ranks, each tagged with its number, in one byte buffer.
std::vector<DecisionTree> GatherTrees(Comm& comm, const std::vector<DecisionTree>& mine,
                                      const std::vector<std::uint64_t>& numbers, int total,
                                      int classes, int features) {
  BinaryWriter out;
  out.Put<std::uint64_t>(mine.size());
  for (std::size_t i = 0; i < mine.size(); ++i) {
    out.Put<std::uint64_t>(numbers[i]);
    mine[i].Save(out);
  }
  const std::string& bytes = out.bytes();
  auto parts = AllgatherV(
      comm,
      std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()));
  std::vector<DecisionTree> all(total);
  std::vector<bool> seen(total, false);
  for (std::size_t rank = 0; rank < parts.size(); ++rank) {
    BinaryReader in(
        std::string_view(reinterpret_cast<const char*>(parts[rank].data()), parts[rank].size()),
        "rf trees from rank " + std::to_string(rank));
    const auto count = in.Get<std::uint64_t>();
    for (std::uint64_t i = 0; i < count; ++i) {
      const auto number = in.Get<std::uint64_t>();
      if (number >= static_cast<std::uint64_t>(total) || seen[number]) {
        throw Failure("rf: rank ", rank, " sent tree ", number, " unexpectedly");
      }
      all[number] = DecisionTree::Load(in, classes, features);
      seen[number] = true;
    }
  }
  if (std::find(seen.begin(), seen.end(), false) != seen.end()) {
    throw Failure("rf: trees are missing after gathering them from all ranks");
  }
  return all;
}

}  // namespace

ParamMap ForestClassifier::params() const { return ForestSchema().ToMap(params_); }

void ForestClassifier::Fit(const Dataset& train, Comm& comm) {
  classes_ = GlobalClasses(train, comm);
  features_ = static_cast<int>(train.features());
  const auto seed = static_cast<std::uint64_t>(params_.random_state);
  const int size = comm.size(), rank = comm.rank();

  Dataset exchanged;
  const Dataset* rows = &train;
  if (size > 1) {
    exchanged = ExchangeRows(train, comm, seed);
    rows = &exchanged;
    // Decided together, so that no rank waits in a collective for one that gave up.
    const auto fewest =
        AllreduceValue<std::int64_t>(comm, static_cast<std::int64_t>(rows->rows()), ReduceOp::kMin);
    if (fewest == 0) {
      throw InputError("rf: too few training rows (", train.rows(), " on rank ", rank,
                       ") to give every one of ", size, " ranks some");
    }
  }
  const int classes = static_cast<int>(classes_.size());
  const std::vector<std::int32_t> codes = EncodeLabels(*rows, classes_);
  const BinnedFeatures binned =
      BinnedFeatures::Build(*rows, params_.max_bin, seed, params_.exact_split_rows > 0);
  const TreeBuilder builder(binned, codes, classes, params_);

  // Tree t belongs to rank t % size.
  std::vector<std::uint64_t> numbers;
  for (int t = rank; t < params_.n_estimators; t += size) numbers.push_back(t);
  std::vector<DecisionTree> mine(numbers.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t i = 0; i < numbers.size(); ++i) mine[i] = builder.Build(seed, numbers[i]);

  if (size == 1) {
    trees_ = std::move(mine);
  } else {
    trees_ = GatherTrees(comm, mine, numbers, params_.n_estimators, classes, features_);
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
#pragma omp parallel
  {
    std::vector<float> rows(kPredictBlock * nf);
    std::vector<double> sums(kPredictBlock * k);
#pragma omp for schedule(dynamic, 16)
    for (std::size_t b = 0; b < blocks; ++b) {
      const std::size_t begin = b * kPredictBlock, count = std::min(kPredictBlock, n - begin);
      for (std::size_t f = 0; f < nf; ++f) {
        auto column = data.column(f);
        for (std::size_t r = 0; r < count; ++r) rows[r * nf + f] = column[begin + r];
      }
      std::fill(sums.begin(), sums.end(), 0.0);
      for (const DecisionTree& tree : trees_) {
        for (std::size_t r = 0; r < count; ++r) {
          const float* fractions = tree.LeafFractions(rows.data() + r * nf);
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
  out.Put<std::uint64_t>(trees_.size());
  for (const DecisionTree& tree : trees_) tree.Save(out);
}

void ForestClassifier::LoadModel(BinaryReader& in) {
  if (in.Get<std::uint32_t>() != kForestMagic) throw in.Corrupt("not a random forest model");
  const auto features = in.Get<std::int32_t>();
  const auto classes = in.Get<std::int32_t>();
  if (features <= 0) throw in.Corrupt("feature count " + std::to_string(features));
  if (classes < 2 || static_cast<std::size_t>(classes) != classes_.size()) {
    throw in.Corrupt("class count " + std::to_string(classes) + " does not match the header's " +
                     std::to_string(classes_.size()));
  }
  const auto count = in.Get<std::uint64_t>();
  if (count == 0 || count > 100000) throw in.Corrupt("tree count " + std::to_string(count));
  std::vector<DecisionTree> trees;
  trees.reserve(count);
  for (std::uint64_t t = 0; t < count; ++t)
    trees.push_back(DecisionTree::Load(in, classes, features));
  features_ = features;
  trees_ = std::move(trees);
}

const ParamSchemaBase& ForestParamSchema() { return ForestSchema(); }

std::unique_ptr<Classifier> MakeForestClassifier(const ParamMap& params) {
  return std::make_unique<ForestClassifier>(ForestSchema().Parse(params));
}

}  // namespace scaleml
