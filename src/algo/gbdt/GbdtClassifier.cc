#include "algo/gbdt/GbdtClassifier.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <span>

#include "algo/AlgorithmFactories.h"
#include "algo/RowExchange.h"
#include "algo/gbdt/BinnedMatrix.h"
#include "algo/gbdt/GlobalBins.h"
#include "algo/gbdt/HistogramTreeLearner.h"
#include "algo/gbdt/Parallelism.h"
#include "comm/CommOps.h"
#include "core/Error.h"
#include "core/Hash.h"
#include "core/Log.h"

namespace scaleml {
namespace {

constexpr std::uint32_t kPayloadMagic = 0x54444247;  // "GBDT"
// Version 2 added the trees' decisions (missing side, categorical sets); 1 still loads.
constexpr std::uint32_t kPayloadVersion = 2;
// Hash streams, so that the sample, the bags and the validation rows are independent.
constexpr std::uint64_t kValidationStream = 0x7a11d;
constexpr std::uint64_t kBaggingStream = 0xba99;
constexpr std::uint64_t kFeatureStream = 0xfea7;
constexpr std::uint64_t kExchangeSeed = 0xde41'0000'0000'0000ULL;

GbdtObjective::Kind ChooseObjective(GbdtObjectiveChoice objective, std::size_t classes) {
  if (objective == GbdtObjectiveChoice::kBinary && classes != 2) {
    throw InputError("gbdt: objective=binary needs 2 classes, the training data has ", classes,
                     "; use objective=multiclass or auto");
  }
  if (objective == GbdtObjectiveChoice::kBinary ||
      (objective == GbdtObjectiveChoice::kAuto && classes == 2)) {
    return GbdtObjective::Kind::kBinary;
  }
  return GbdtObjective::Kind::kMulticlass;
}

// The features one tree may split on: all, or a seeded sample of feature_fraction of them
// (the same on every rank).
std::vector<int> SampleFeatures(int features, double fraction, std::uint64_t seed,
                                std::uint64_t tree) {
  std::vector<int> all(features);
  std::iota(all.begin(), all.end(), 0);
  if (fraction >= 1.0) return all;
  const int keep = std::max(1, static_cast<int>(std::lround(features * fraction)));
  Rng rng(HashKey(seed, kFeatureStream, tree));
  for (int i = 0; i < keep; ++i) {
    std::swap(all[i], all[i + rng.Below(features - i)]);
  }
  all.resize(keep);
  std::sort(all.begin(), all.end());
  return all;
}

// The figures to check when ranks do not scale.
void LogCommunication(const Comm& comm, const GbdtFitStats& stats) {
  const double per_round = 1.0 / std::max(stats.rounds, 1);
  LogInfo("gbdt: rank ", comm.rank(), " of ", comm.size(), ": setup ", stats.setup_collectives,
          " collectives, ", stats.setup_bytes, " bytes; ", stats.rounds, " rounds, ",
          static_cast<double>(stats.training_collectives) * per_round, " collectives and ",
          static_cast<double>(stats.training_bytes) * per_round, " bytes sent per round; ",
          stats.histograms.builds, " histogram builds in ", stats.histograms.batches,
          " batches, of ", stats.histograms.rows, " rows (even share ",
          std::llround(stats.histograms.even_share_rows), ", above it ",
          std::llround(stats.histograms.rows_above_even_share), ")");
}

}  // namespace

ParamMap GbdtClassifier::params() const { return GbdtSchema().ToMap(params_); }

int GbdtClassifier::iterations() const {
  return static_cast<int>(trees_.size()) / std::max(trees_per_iteration_, 1);
}

// What one Fit works on: the rank's training rows, their bins, scores and gradients, and the
// state of bagging and early stopping between rounds.
struct GbdtClassifier::FitContext {
  FitContext(const Dataset& train_rows_data, Comm& rank_comm, const GbdtObjective& loss,
             std::uint64_t fit_seed)
      : train(train_rows_data), comm(rank_comm), objective(loss), seed(fit_seed) {}

  const Dataset& train;
  Comm& comm;
  const GbdtObjective& objective;
  std::uint64_t seed;
  bool continuing = false;  // warm start: the model's trees stay and boosting goes on from them
  std::size_t rows = 0;
  std::vector<std::int32_t> labels;
  std::span<const std::int64_t> row_ids;
  bool early_stopping = false;
  std::vector<std::uint8_t> is_train;  // empty: every row trains
  std::vector<std::uint32_t> train_rows, valid_rows;
  std::optional<FeatureBins> bins;
  std::optional<BinnedMatrix> matrix;
  std::vector<double> scores;  // class-major: class k's scores at k * rows
  std::vector<GradientPair> gradients;
  std::optional<HistogramTreeLearner> learner;
  std::vector<std::uint32_t> bag;
  std::int64_t bag_draw = -1;        // the draw `bag` holds
  std::vector<std::uint8_t> in_bag;  // rows whose scores the leaf ranges update
  double best_loss = std::numeric_limits<double>::infinity();
  int best_iteration = -1;
  // Per-round reports: the monitor's validation rows' raw scores with the first valid_trees
  // trees (row-major, as PredictRaw), and the iteration reported last.
  bool monitored = false;
  std::vector<double> valid_raw;
  std::size_t valid_trees = 0;
  int last_reported = 0;
};

void GbdtClassifier::Fit(const Dataset& local, Comm& comm) {
  packed_.Drop();
  const std::int64_t calls_before = comm.stats().calls;
  const std::int64_t bytes_before = comm.stats().bytes_sent;
  // Warm start keeps the trees (and initial scores) of the model held now.
  const bool continuing = warm_start() && !init_scores_.empty();
  const std::vector<std::int32_t> kept_classes = classes_;
  const int kept_features = features_;
  const GbdtObjective::Kind kept_objective = objective_;
  SetUpClassesAndFeatures(local, comm);
  if (continuing) CheckContinuable(kept_classes, kept_features, kept_objective);
  const GbdtObjective objective(objective_, static_cast<int>(classes_.size()));
  const std::uint64_t seed = static_cast<std::uint64_t>(params_.seed);

  // Byte-range shards of a file hold whole chunks, and in the paper's data every chunk is its own
  // problem: most rows of a leaf then sit on one rank, and every histogram allreduce waits for
  // that rank. Dealt out at random, each rank holds about 1/size of every leaf. The trees stay the
  // same: histogram sums are exact whichever rank holds a row, and the validation rows, bags and
  // bin sample are chosen by global row id.
  Dataset exchanged;
  const bool exchange = comm.size() > 1 && params_.exchange_rows;
  if (exchange) {
    exchanged = ExchangeRows(local, comm, seed ^ kExchangeSeed);
    exchanged.set_schema(local.schema());  // the categorical features, whichever rows came
  }
  FitContext fit(exchange ? exchanged : local, comm, objective, seed);
  ChooseTrainingRows(fit);
  FindBins(fit);
  fit.continuing = continuing;
  InitScores(fit);

  fit_stats_ = GbdtFitStats{};
  fit_stats_.setup_collectives = comm.stats().calls - calls_before;
  fit_stats_.setup_bytes = comm.stats().bytes_sent - bytes_before;
  if (!continuing) trees_.clear();
  fit.monitored = Monitored(comm);
  BoostRounds(fit, iterations());
  fit_stats_.training_collectives =
      comm.stats().calls - calls_before - fit_stats_.setup_collectives;
  fit_stats_.training_bytes = comm.stats().bytes_sent - bytes_before - fit_stats_.setup_bytes;
  fit_stats_.histograms = fit.learner->histogram_stats();
  if (comm.size() > 1) LogCommunication(comm, fit_stats_);
}

void GbdtClassifier::CheckContinuable(const std::vector<std::int32_t>& kept_classes,
                                      int kept_features, GbdtObjective::Kind kept_objective) const {
  if (kept_classes != classes_ || kept_features != features_ || kept_objective != objective_) {
    throw InputError("gbdt: warm start: the model holds ", kept_classes.size(), " classes and ",
                     kept_features, " features, the training data has ", classes_.size(),
                     " classes and ", features_,
                     " features (or another objective); continue a model on data like the one it "
                     "was trained on, or turn warm start off");
  }
}

void GbdtClassifier::BoostRounds(FitContext& fit, int first) {
  const int every = std::max(1, monitoring().report_every);
  fit.last_reported = first;
  for (int it = first; it < params_.num_iterations; ++it) {
    ++fit_stats_.rounds;
    if (!BoostOneRound(fit, it)) break;
    if (fit.monitored && (it + 1) % every == 0 && Report(fit) == RoundDecision::kStop) {
      LogInfo("gbdt: stopped by the monitor after round ", it + 1);
      return;
    }
  }
  // The last round, or the best one where early stopping dropped the rounds after it.
  if (fit.monitored && fit.last_reported != iterations()) Report(fit);
}

bool GbdtClassifier::Monitored(const Comm& comm) const {
  const FitMonitoring& monitoring = this->monitoring();
  if (!monitoring.enabled()) return false;
  if (comm.size() > 1) {
    LogWarning("gbdt: per-round reports need one process; training ", comm.size(),
               " ranks without them");
    return false;
  }
  if (static_cast<int>(monitoring.validation->features()) != features_) {
    throw InputError("gbdt: the validation rows have ", monitoring.validation->features(),
                     " features, the training data ", features_);
  }
  return true;
}

RoundDecision GbdtClassifier::Report(FitContext& fit) const {
  const Dataset& valid = *monitoring().validation;
  const std::size_t rows = valid.rows();
  const int per_iteration = trees_per_iteration_;
  if (fit.valid_trees > trees_.size()) fit.valid_trees = 0;  // early stopping dropped trees
  if (fit.valid_trees == 0) {
    fit.valid_raw.resize(rows * per_iteration);
    for (std::size_t r = 0; r < rows; ++r) {
      for (int k = 0; k < per_iteration; ++k)
        fit.valid_raw[r * per_iteration + k] = init_scores_[k];
    }
  }
  // Each new tree once over the validation rows, in tree order as PredictRaw sums them.
  const auto n = static_cast<std::int64_t>(rows);
#pragma omp parallel for schedule(static) if (n >= kParallelMinRows)
  for (std::int64_t r = 0; r < n; ++r) {
    for (std::size_t t = fit.valid_trees; t < trees_.size(); ++t) {
      const int leaf = trees_[t].LeafOf([&](int f) { return valid.column(f)[r]; });
      fit.valid_raw[r * per_iteration + t % per_iteration] += trees_[t].leaf_value(leaf);
    }
  }
  fit.valid_trees = trees_.size();
  std::vector<float> proba(rows * classes_.size());
  for (std::size_t r = 0; r < rows; ++r) {
    fit.objective.Probabilities(fit.valid_raw.data() + r * per_iteration,
                                proba.data() + r * classes_.size());
  }
  fit.last_reported = iterations();
  return monitoring().monitor->OnRound(fit.last_reported, proba, *this);
}

void GbdtClassifier::SetUpClassesAndFeatures(const Dataset& local, Comm& comm) {
  classes_ = GlobalClasses(local, comm);
  objective_ = ChooseObjective(params_.objective, classes_.size());
  trees_per_iteration_ =
      GbdtObjective(objective_, static_cast<int>(classes_.size())).trees_per_iteration();
  features_ = static_cast<int>(local.features());
  if (AllreduceValue<std::int64_t>(comm, features_, ReduceOp::kMax) != features_ ||
      AllreduceValue<std::int64_t>(comm, features_, ReduceOp::kMin) != features_) {
    throw InputError("gbdt: ranks hold data with different feature counts (this rank: ", features_,
                     ")");
  }
  if (features_ == 0) throw InputError("gbdt: the training data has no feature columns");
}

void GbdtClassifier::ChooseTrainingRows(FitContext& fit) const {
  fit.rows = fit.train.rows();
  if (fit.rows >= std::numeric_limits<std::uint32_t>::max()) {
    throw InputError("gbdt: ", fit.rows, " rows on one rank; at most 2^32-1 are supported");
  }
  fit.labels = EncodeLabels(fit.train, classes_);
  fit.row_ids = fit.train.row_ids();
  // Validation rows for early stopping, by a hash of the global row id.
  fit.early_stopping = params_.early_stopping_round > 0;
  if (fit.early_stopping) {
    fit.is_train.resize(fit.rows);
    for (std::size_t r = 0; r < fit.rows; ++r) {
      const double u = HashToUnit(
          HashKey(fit.seed, static_cast<std::uint64_t>(fit.row_ids[r]), kValidationStream));
      fit.is_train[r] = u >= params_.validation_fraction;
      (fit.is_train[r] ? fit.train_rows : fit.valid_rows).push_back(static_cast<std::uint32_t>(r));
    }
    if (AllreduceSum<std::int64_t>(fit.comm, static_cast<std::int64_t>(fit.valid_rows.size())) ==
        0) {
      LogWarning("gbdt: no validation rows for early stopping; training without it");
      fit.early_stopping = false;
    }
  }
  if (!fit.early_stopping) {
    fit.is_train.clear();
    fit.train_rows.resize(fit.rows);
    std::iota(fit.train_rows.begin(), fit.train_rows.end(), 0u);
    fit.valid_rows.clear();
  }
}

void GbdtClassifier::FindBins(FitContext& fit) const {
  fit.bins.emplace(FindGlobalBins(fit.train, fit.is_train, fit.comm, params_.max_bin,
                                  params_.bin_sample_count, fit.seed));
  fit.matrix.emplace(fit.train, *fit.bins);
}

void GbdtClassifier::InitScores(FitContext& fit) {
  const std::size_t rows = fit.rows;
  fit.scores.resize(static_cast<std::size_t>(trees_per_iteration_) * rows);
  if (fit.continuing) {
    InitScoresFromModel(fit);
  } else {
    std::vector<std::int64_t> class_counts(classes_.size(), 0);
    for (std::uint32_t r : fit.train_rows) ++class_counts[fit.labels[r]];
    AllreduceSum(fit.comm, std::span<std::int64_t>(class_counts));
    init_scores_ = fit.objective.InitScores(class_counts);
    for (int k = 0; k < trees_per_iteration_; ++k) {
      std::fill(fit.scores.begin() + k * rows, fit.scores.begin() + (k + 1) * rows,
                init_scores_[k]);
    }
  }
  fit.gradients.resize(static_cast<std::size_t>(trees_per_iteration_) * rows);
  fit.learner.emplace(*fit.matrix, *fit.bins, params_, fit.comm);
}

void GbdtClassifier::InitScoresFromModel(FitContext& fit) const {
  const std::vector<double> raw = PredictRaw(fit.train);  // row-major; scores are class-major
  const std::size_t rows = fit.rows;
  for (int k = 0; k < trees_per_iteration_; ++k) {
    for (std::size_t r = 0; r < rows; ++r) {
      fit.scores[k * rows + r] = raw[r * trees_per_iteration_ + k];
    }
  }
}

const std::vector<std::uint32_t>& GbdtClassifier::DrawBag(FitContext& fit, int it) const {
  const bool bagging = params_.bagging_freq > 0 && params_.bagging_fraction < 1.0;
  if (!bagging) return fit.train_rows;
  // A new bag every bagging_freq rounds (and at the first round of a continued fit).
  const auto draw = static_cast<std::uint64_t>(it / params_.bagging_freq);
  if (fit.bag_draw != static_cast<std::int64_t>(draw)) {
    fit.bag_draw = static_cast<std::int64_t>(draw);
    fit.bag.clear();
    for (std::uint32_t r : fit.train_rows) {
      const double u =
          HashToUnit(HashKey(fit.seed ^ (draw * 0x9e3779b97f4a7c15ULL),
                             static_cast<std::uint64_t>(fit.row_ids[r]), kBaggingStream));
      if (u < params_.bagging_fraction) fit.bag.push_back(r);
    }
  }
  return fit.bag;
}

bool GbdtClassifier::BoostOneRound(FitContext& fit, int it) {
  ThrowIfCancelled();
  const int per_iteration = trees_per_iteration_;
  const std::size_t rows = fit.rows;
  const std::vector<std::uint32_t>& fit_rows = DrawBag(fit, it);
  const bool all_rows = fit_rows.size() == rows;
  if (!all_rows) {
    fit.in_bag.assign(rows, 0);
    for (std::uint32_t r : fit_rows) fit.in_bag[r] = 1;
  }
  fit.objective.Gradients(fit.scores, fit.labels, fit.gradients.data());
  bool any_split = false;
  for (int k = 0; k < per_iteration; ++k) {
    const auto features = SampleFeatures(features_, params_.feature_fraction, fit.seed,
                                         static_cast<std::uint64_t>(it) * per_iteration + k);
    Tree tree = fit.learner->Train(fit_rows, all_rows, fit.gradients.data() + k * rows, features);
    tree.Shrink(params_.learning_rate);
    any_split |= tree.leaves() > 1;
    AddTreeToScores(fit, tree, all_rows, fit.scores.data() + k * rows);
    trees_.push_back(std::move(tree));
  }
  if (!any_split) {
    // As LightGBM: no leaf can be split any more, so further rounds would add nothing.
    trees_.resize(trees_.size() - per_iteration);
    LogInfo("gbdt: stopped after ", it, " rounds: no split meets the constraints");
    return false;
  }
  return !fit.early_stopping || !ShouldStopEarly(fit, it);
}

void GbdtClassifier::AddTreeToScores(const FitContext& fit, const Tree& tree, bool all_rows,
                                     double* class_scores) const {
  const auto& partition = fit.learner->partition();
  const bool parallel = static_cast<std::int64_t>(fit.rows) >= kParallelMinRows;
#pragma omp parallel if (parallel)
  for (int leaf = 0; leaf < tree.leaves(); ++leaf) {
    const double value = tree.leaf_value(leaf);
    auto leaf_rows = partition.rows(leaf);
    const auto n = static_cast<std::int64_t>(leaf_rows.size());
#pragma omp for schedule(static) nowait
    for (std::int64_t i = 0; i < n; ++i) class_scores[leaf_rows[i]] += value;
  }
  if (all_rows) return;
  // Rows outside the bag (and validation rows) go down the tree on their bins.
  const BinnedMatrix& matrix = *fit.matrix;
  const auto n = static_cast<std::int64_t>(fit.rows);
#pragma omp parallel for schedule(static) if (parallel)
  for (std::int64_t r = 0; r < n; ++r) {
    if (fit.in_bag[r]) continue;
    const int leaf = tree.LeafOfBinned([&](int f) { return matrix.at(r, f); });
    class_scores[r] += tree.leaf_value(leaf);
  }
}

bool GbdtClassifier::ShouldStopEarly(FitContext& fit, int it) {
  double sums[2] = {fit.objective.Loss(fit.scores, fit.labels, fit.valid_rows),
                    static_cast<double>(fit.valid_rows.size())};
  AllreduceSum(fit.comm, std::span<double>(sums, 2));
  const double loss = sums[0] / sums[1];
  LogDebug("gbdt: round ", it + 1, " validation loss ", loss);
  if (loss < fit.best_loss) {
    fit.best_loss = loss;
    fit.best_iteration = it;
    return false;
  }
  if (it - fit.best_iteration < params_.early_stopping_round) return false;
  trees_.resize(static_cast<std::size_t>(fit.best_iteration + 1) * trees_per_iteration_);
  LogInfo("gbdt: early stopping at round ", it + 1, "; best round ", fit.best_iteration + 1);
  return true;
}

std::vector<double> GbdtClassifier::PredictRaw(const Dataset& data) const {
  if (static_cast<int>(data.features()) != features_) {
    throw InputError("gbdt: the model was trained on ", features_, " features, the data has ",
                     data.features());
  }
  const std::size_t rows = data.rows();
  const std::size_t features = data.features();
  const int per_iteration = trees_per_iteration_;
  std::vector<double> raw(rows * per_iteration);
  const std::shared_ptr<const PackedForest> packed = packed_.Get(trees_);
  const PackedForest& forest = *packed;
  // A block of rows is copied row-major so that a row's features share cache lines.
  const std::size_t block = std::max<std::size_t>(16, (std::size_t{1} << 14) / features);
  const auto blocks = static_cast<std::int64_t>((rows + block - 1) / block);
#pragma omp parallel if (blocks > 1)
  {
    std::vector<float> values(block * features);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::size_t begin = b * block, end = std::min(rows, begin + block);
      const std::size_t count = end - begin;
      for (std::size_t f = 0; f < features; ++f) {
        const float* column = data.column(f).data() + begin;
        for (std::size_t i = 0; i < count; ++i) values[i * features + f] = column[i];
      }
      double* out = raw.data() + begin * per_iteration;
      for (std::size_t i = 0; i < count; ++i) {
        for (int k = 0; k < per_iteration; ++k) out[i * per_iteration + k] = init_scores_[k];
      }
      for (std::size_t t = 0; t < trees_.size(); ++t) {
        const PackedForest::Node* nodes = forest.nodes.data() + forest.node_begin[t];
        const double* leaves = forest.leaf_values.data() + forest.leaf_begin[t];
        const int depth = forest.depth[t];
        const std::size_t k = t % per_iteration;
        if (!forest.nan_always_left[t]) {
          // Categorical nodes, or missing values sent right: the tree's own walk.
          const Tree& tree = trees_[t];
          for (std::size_t i = 0; i < count; ++i) {
            const float* row = values.data() + i * features;
            out[i * per_iteration + k] +=
                tree.leaf_value(tree.LeafOf([row](int f) { return row[f]; }));
          }
          continue;
        }
        if (depth == 0) {
          for (std::size_t i = 0; i < count; ++i) out[i * per_iteration + k] += leaves[0];
          continue;
        }
        for (std::size_t i = 0; i < count; ++i) {
          const float* row = values.data() + i * features;
          std::int32_t at = 0;
          while (at >= 0) {
            const PackedForest::Node& n = nodes[at];
            // Not greater: NaN goes left, as it does in training (bin 0).
            at = !(row[n.feature] > n.threshold) ? n.left : n.right;
          }
          out[i * per_iteration + k] += leaves[~at];
        }
      }
    }
  }
  return raw;
}

std::vector<float> GbdtClassifier::PredictProba(const Dataset& data, Comm&) const {
  if (init_scores_.empty()) throw InputError("gbdt: the model is not trained");
  const std::vector<double> raw = PredictRaw(data);
  const std::size_t classes = classes_.size();
  const auto rows = static_cast<std::int64_t>(data.rows());
  std::vector<float> proba(data.rows() * classes);
  const GbdtObjective objective(objective_, static_cast<int>(classes));
#pragma omp parallel for schedule(static) if (rows >= kParallelMinRows)
  for (std::int64_t r = 0; r < rows; ++r) {
    objective.Probabilities(raw.data() + r * trees_per_iteration_, proba.data() + r * classes);
  }
  return proba;
}

void GbdtClassifier::SaveModel(BinaryWriter& out) const {
  out.Put<std::uint32_t>(kPayloadMagic);
  out.Put<std::uint32_t>(kPayloadVersion);
  out.Put<std::uint8_t>(static_cast<std::uint8_t>(objective_));
  out.Put<std::int32_t>(features_);
  out.Put<std::int32_t>(trees_per_iteration_);
  out.PutVector(init_scores_);
  out.Put<std::uint64_t>(trees_.size());
  for (const Tree& tree : trees_) tree.Save(out);
}

void GbdtClassifier::LoadModel(BinaryReader& in) {
  if (in.Get<std::uint32_t>() != kPayloadMagic) throw in.Corrupt("not a gbdt model payload");
  const auto version = in.Get<std::uint32_t>();
  if (version != 1 && version != kPayloadVersion) {
    throw in.Corrupt(StrCat("gbdt model version ", version, " is not supported"));
  }
  const auto objective = in.Get<std::uint8_t>();
  if (objective > 1) throw in.Corrupt("unknown gbdt objective");
  objective_ = static_cast<GbdtObjective::Kind>(objective);
  features_ = in.Get<std::int32_t>();
  trees_per_iteration_ = in.Get<std::int32_t>();
  const auto classes = static_cast<int>(classes_.size());
  const int expected = objective_ == GbdtObjective::Kind::kBinary ? 1 : classes;
  if (features_ <= 0 || classes < 2 || trees_per_iteration_ != expected ||
      (objective_ == GbdtObjective::Kind::kBinary && classes != 2)) {
    throw in.Corrupt("gbdt model header disagrees with its classes");
  }
  init_scores_ = in.GetVector<double>(expected);
  if (static_cast<int>(init_scores_.size()) != expected) {
    throw in.Corrupt("wrong number of initial scores");
  }
  packed_.Drop();
  const auto count = in.Get<std::uint64_t>();
  if (count % expected != 0 || count > (1ULL << 28)) throw in.Corrupt("bad tree count");
  trees_.clear();
  for (std::uint64_t t = 0; t < count; ++t) trees_.push_back(Tree::Load(in, features_, version));
}

std::unique_ptr<Classifier> MakeGbdtClassifier(const ParamMap& params) {
  return std::make_unique<GbdtClassifier>(GbdtSchema().Parse(params));
}

}  // namespace scaleml
