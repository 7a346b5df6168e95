#include "algo/logreg/LogregClassifier.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "algo/AlgorithmFactories.h"
#include "algo/logreg/LogisticObjective.h"
#include "algo/logreg/LogregSolver.h"
#include "comm/CommOps.h"
#include "comm/LocalComm.h"
#include "core/Error.h"
#include "core/Hash.h"
#include "core/Log.h"

namespace scaleml {
namespace {

constexpr std::size_t kPredictBlock = 256;

// Newton on a large dataset starts from the optimum of a sample of its rows, which is close
// enough for quadratic convergence: two or three full passes instead of six or seven. The
// sample is chosen by a hash of the global row id, so every partitioning samples the same rows.
constexpr double kSampleStartRows = 262144;
constexpr double kSampleStartFraction = 1.0 / 16;
constexpr std::uint64_t kSampleStartSeed = 0x5ca1e10915;

struct RowSample {
  Dataset data;
  std::vector<std::int32_t> codes;
  double rows = 0.0;  // over all ranks
};

RowSample SampleRows(const Dataset& train, const std::vector<std::int32_t>& codes, Comm& comm) {
  std::vector<std::size_t> rows;
  const auto ids = train.row_ids();
  for (std::size_t r = 0; r < train.rows(); ++r) {
    if (HashToUnit(HashKey(kSampleStartSeed, static_cast<std::uint64_t>(ids[r]))) <
        kSampleStartFraction) {
      rows.push_back(r);
    }
  }
  RowSample sample{train.Take(rows), {}, 0.0};
  for (std::size_t r : rows) sample.codes.push_back(codes[r]);
  sample.rows = AllreduceSum(comm, static_cast<double>(rows.size()));
  return sample;
}

// The optimum on the sample, Newton's start on all rows.
std::vector<double> SampleOptimum(const RowSample& sample, const SolverOptions& options,
                                  int positive, int vectors, const LogregParams& params,
                                  Comm& comm) {
  // The sample's penalty shrinks with it, so its optimum estimates the full one.
  LogisticObjective coarse(sample.data, sample.codes, vectors, positive, params.fit_intercept,
                           sample.rows / options.samples / params.C);
  SolverOptions coarse_options;
  coarse_options.max_iter = options.max_iter;
  coarse_options.samples = std::max(1.0, sample.rows);
  coarse_options.tol = std::max(options.tol, 1e-6);
  coarse_options.cancel = options.cancel;
  return MinimizeNewton(coarse, std::vector<double>(coarse.size(), 0.0), coarse_options, comm)
      .weights;
}

double Sigmoid(double z) {
  const double e = std::exp(-std::fabs(z));
  return z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

}  // namespace

ParamMap LogregClassifier::params() const { return LogregSchema().ToMap(params_); }

void LogregClassifier::Fit(const Dataset& data, Comm& comm) {
  classes_ = GlobalClasses(data, comm);
  const int num_classes = static_cast<int>(classes_.size());
  const int input_features = static_cast<int>(data.features());
  if (AllreduceValue(comm, input_features, ReduceOp::kMax) != input_features ||
      AllreduceValue(comm, input_features, ReduceOp::kMin) != input_features) {
    throw InputError("logreg: ranks hold different feature counts (this rank has ", input_features,
                     ")");
  }
  // Missing values are imputed; infinite ones have no sensible encoding (an input error).
  Dataset encoded;
  const Dataset& train = encoder_.FitEncode(data, {params_.min_frequency, params_.standardize},
                                            "logreg", comm, encoded);
  features_ = static_cast<int>(train.features());
  if (params_.multi_class == LogregMultiClass::kMultinomial ||
      (params_.multi_class == LogregMultiClass::kAuto && num_classes > 2)) {
    kind_ = Kind::kSoftmax;
  } else {
    kind_ = num_classes == 2 ? Kind::kSigmoid : Kind::kOneVsRest;
  }
  SolverOptions options;
  options.max_iter = params_.max_iter;
  options.tol = params_.tol;
  options.samples = std::max(1.0, AllreduceSum(comm, static_cast<double>(train.rows())));
  options.cancel = cancel_flag();
  Solve(train, options, comm, Monitored(data, comm));
  LogInfo("logreg: ", iterations_, " iterations, converged=", converged_);
}

bool LogregClassifier::Monitored(const Dataset& train, const Comm& comm) const {
  const FitMonitoring& monitoring = this->monitoring();
  if (!monitoring.enabled()) return false;
  if (comm.size() > 1) {
    LogWarning("logreg: per-iteration reports need one process; training ", comm.size(),
               " ranks without them");
    return false;
  }
  if (monitoring.validation->features() != train.features()) {
    throw InputError("logreg: the validation rows have ", monitoring.validation->features(),
                     " features, the training data ", train.features());
  }
  return true;
}

void LogregClassifier::Solve(const Dataset& train, SolverOptions options, Comm& comm,
                             bool monitored) {
  const int num_classes = static_cast<int>(classes_.size());
  const std::vector<std::int32_t> codes = EncodeLabels(train, classes_);
  // One problem per sigmoid of one-vs-rest; one otherwise.
  const int problems = kind_ == Kind::kOneVsRest ? num_classes : 1;
  const int vectors_per_problem = kind_ == Kind::kSoftmax ? num_classes : 1;
  const int dim = features_ + (params_.fit_intercept ? 1 : 0);
  const bool newton =
      params_.solver == LogregSolver::kNewton ||
      (params_.solver == LogregSolver::kAuto && vectors_per_problem * dim <= kNewtonMaxParameters);
  coef_.assign(static_cast<std::size_t>(problems) * vectors_per_problem * features_, 0.0);
  intercept_.assign(static_cast<std::size_t>(problems) * vectors_per_problem, 0.0);
  iterations_ = 0;
  converged_ = true;
  const bool sample_start = newton && params_.sample_start && options.samples >= kSampleStartRows;
  const RowSample sample = sample_start ? SampleRows(train, codes, comm) : RowSample{};
  // Reports count iterations over one-vs-rest's sigmoids, one after another.
  const int every = std::max(1, monitoring().report_every);
  int done = 0, last_reported = 0;
  bool stopped = false;
  for (int problem = 0; problem < problems && !stopped; ++problem) {
    const int positive = kind_ == Kind::kOneVsRest ? problem : 1;
    LogisticObjective objective(train, codes, vectors_per_problem, positive, params_.fit_intercept,
                                1.0 / params_.C);
    std::vector<double> start(objective.size(), 0.0);
    if (sample_start) {
      start = SampleOptimum(sample, options, positive, vectors_per_problem, params_, comm);
    }
    if (monitored) {
      options.after_iteration = [&](int iteration, const std::vector<double>& weights) {
        if ((done + iteration) % every != 0) return true;
        SetWeights(problem * vectors_per_problem, vectors_per_problem, weights);
        last_reported = done + iteration;
        return Report(last_reported) == RoundDecision::kContinue;
      };
    }
    SolverResult result = newton ? MinimizeNewton(objective, std::move(start), options, comm)
                                 : MinimizeLbfgs(objective, std::move(start), options, comm);
    SetWeights(problem * vectors_per_problem, vectors_per_problem, result.weights);
    iterations_ = std::max(iterations_, result.iterations);
    converged_ = converged_ && result.converged;
    done += result.iterations;
    stopped = result.stopped;
  }
  CentreIntercepts();
  // The last iteration (a solver at its optimum from the start reports once, as iteration 1).
  if (monitored && !stopped && (last_reported != done || done == 0)) Report(std::max(done, 1));
}

void LogregClassifier::SetWeights(int first_vector, int vectors,
                                  const std::vector<double>& weights) {
  const int dim = features_ + (params_.fit_intercept ? 1 : 0);
  for (int m = 0; m < vectors; ++m) {
    const int row = first_vector + m;
    for (int f = 0; f < features_; ++f) coef_[row * features_ + f] = weights[m * dim + f];
    if (params_.fit_intercept) intercept_[row] = weights[m * dim + features_];
  }
}

void LogregClassifier::CentreIntercepts() {
  if (kind_ != Kind::kSoftmax || !params_.fit_intercept) return;
  // Only differences of softmax intercepts matter; report them centred, as scikit-learn's.
  double mean = 0.0;
  for (double b : intercept_) mean += b / static_cast<double>(intercept_.size());
  for (double& b : intercept_) b -= mean;
}

RoundDecision LogregClassifier::Report(int iteration) const {
  LocalComm local;
  const std::vector<float> proba = PredictProba(*monitoring().validation, local);
  return monitoring().monitor->OnRound(iteration, proba, *this);
}

const Dataset& LogregClassifier::Predictable(const Dataset& data, Dataset& storage) const {
  if (intercept_.empty())
    throw InputError("logreg: the model is not trained (call Fit or load one)");
  if (data.features() != encoder_.input_features()) {
    throw InputError("logreg: the data has ", data.features(),
                     " features but the model was trained on ", encoder_.input_features());
  }
  const ValueScan scan = ScanValues(data);
  if (scan.infinite) {
    LocalComm local;  // prediction is not collective: this rank's rows only
    CheckNotInfinite(data, "logreg", "prediction", local);
  }
  return encoder_.Encode(data, storage, &scan);
}

template <class Consume>
void LogregClassifier::ScoreBlocks(const Dataset& data, Consume&& consume) const {
  const std::size_t rows = data.rows();
  const int vecs = vectors();
  const std::size_t blocks = (rows + kPredictBlock - 1) / kPredictBlock;
#pragma omp parallel if (rows >= 16384)
  {
    std::vector<double> z(static_cast<std::size_t>(vecs) * kPredictBlock);
#pragma omp for schedule(static)
    for (std::size_t b = 0; b < blocks; ++b) {
      const std::size_t begin = b * kPredictBlock;
      const std::size_t n = std::min(rows, begin + kPredictBlock) - begin;
      for (int m = 0; m < vecs; ++m) {
        double* zm = &z[m * kPredictBlock];
        std::fill(zm, zm + n, intercept_[m]);
        for (int f = 0; f < features_; ++f) {
          const double w = coef_[m * features_ + f];
          const float* x = data.column(f).data() + begin;
#pragma omp simd
          for (std::size_t i = 0; i < n; ++i) zm[i] += w * static_cast<double>(x[i]);
        }
      }
      consume(begin, n, static_cast<const double*>(z.data()));
    }
  }
}

std::vector<float> LogregClassifier::PredictProba(const Dataset& input, Comm&) const {
  Dataset storage;
  const Dataset& data = Predictable(input, storage);
  const int num_classes = static_cast<int>(classes_.size());
  const int vecs = vectors();
  std::vector<float> proba(data.rows() * num_classes);
  ScoreBlocks(data, [&](std::size_t begin, std::size_t n, const double* z) {
    double p[2];
    for (std::size_t i = 0; i < n; ++i) {
      float* out = &proba[(begin + i) * num_classes];
      if (kind_ == Kind::kSigmoid) {
        p[1] = Sigmoid(z[i]);
        p[0] = 1.0 - p[1];
        out[0] = static_cast<float>(p[0]);
        out[1] = static_cast<float>(p[1]);
      } else if (kind_ == Kind::kSoftmax) {
        double top = z[i];
        for (int m = 1; m < vecs; ++m) top = std::max(top, z[m * kPredictBlock + i]);
        double sum = 0.0;
        for (int m = 0; m < vecs; ++m) sum += std::exp(z[m * kPredictBlock + i] - top);
        for (int m = 0; m < vecs; ++m) {
          out[m] = static_cast<float>(std::exp(z[m * kPredictBlock + i] - top) / sum);
        }
      } else {  // one-vs-rest: each sigmoid, normalised to sum to one (as scikit-learn)
        double sum = 0.0;
        for (int m = 0; m < vecs; ++m) sum += Sigmoid(z[m * kPredictBlock + i]);
        for (int m = 0; m < vecs; ++m) {
          out[m] = static_cast<float>(Sigmoid(z[m * kPredictBlock + i]) / sum);
        }
      }
    }
  });
  return proba;
}

// From the scores, as scikit-learn's decision_function: exact where float probabilities would
// round a near-tie to a tie.
std::vector<std::int32_t> LogregClassifier::Predict(const Dataset& input, Comm&) const {
  Dataset storage;
  const Dataset& data = Predictable(input, storage);
  const int vecs = vectors();
  std::vector<std::int32_t> labels(data.rows());
  ScoreBlocks(data, [&](std::size_t begin, std::size_t n, const double* z) {
    for (std::size_t i = 0; i < n; ++i) {
      int best = 0;
      if (kind_ == Kind::kSigmoid) {
        best = z[i] > 0.0 ? 1 : 0;
      } else {
        for (int m = 1; m < vecs; ++m) {
          if (z[m * kPredictBlock + i] > z[best * kPredictBlock + i]) best = m;
        }
      }
      labels[begin + i] = classes_[best];
    }
  });
  return labels;
}

// Payload: kind (u32), features (u32), coefficients (vectors x features doubles), intercepts
// (vectors doubles), iterations (i32), converged (u8), then the feature encoder.
void LogregClassifier::SaveModel(BinaryWriter& out) const {
  out.Put<std::uint32_t>(static_cast<std::uint32_t>(kind_));
  out.Put<std::uint32_t>(static_cast<std::uint32_t>(features_));
  out.PutVector(coef_);
  out.PutVector(intercept_);
  out.Put<std::int32_t>(iterations_);
  out.Put<std::uint8_t>(converged_ ? 1 : 0);
  encoder_.Save(out);
}

void LogregClassifier::LoadModel(BinaryReader& in) {
  const auto kind = in.Get<std::uint32_t>();
  if (kind > static_cast<std::uint32_t>(Kind::kOneVsRest))
    throw in.Corrupt("unknown logreg model kind");
  const auto features = in.Get<std::uint32_t>();
  // Zero encoded columns is possible: categorical features whose training rows were all missing.
  if (features > (1u << 24)) throw in.Corrupt("implausible feature count");
  auto coef = in.GetVector<double>();
  auto intercept = in.GetVector<double>();
  const auto iterations = in.Get<std::int32_t>();
  const auto converged = in.Get<std::uint8_t>();
  FeatureEncoder encoder;
  encoder.Load(in);
  if (encoder.output_features() != features) {
    throw in.Corrupt("the feature encoding does not match the coefficients");
  }
  const std::size_t classes = classes_.size();
  const std::size_t expected_vectors = kind == 0 ? 1 : classes;
  if (classes < 2 || (kind == 0 && classes != 2))
    throw in.Corrupt("class list does not fit the model");
  if (intercept.size() != expected_vectors || coef.size() != expected_vectors * features) {
    throw in.Corrupt("coefficient arrays do not match the classes and features");
  }
  for (double v : coef) {
    if (!std::isfinite(v)) throw in.Corrupt("non-finite coefficient");
  }
  for (double v : intercept) {
    if (!std::isfinite(v)) throw in.Corrupt("non-finite intercept");
  }
  kind_ = static_cast<Kind>(kind);
  features_ = static_cast<int>(features);
  encoder_ = std::move(encoder);
  coef_ = std::move(coef);
  intercept_ = std::move(intercept);
  iterations_ = iterations;
  converged_ = converged != 0;
}

const ParamSchemaBase& LogregParamSchema() { return LogregSchema(); }

std::unique_ptr<Classifier> MakeLogregClassifier(const ParamMap& params) {
  return std::make_unique<LogregClassifier>(LogregSchema().Parse(params));
}

}  // namespace scaleml
