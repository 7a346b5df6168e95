// Selects between doubles only become vector blends when comparisons may not trap; nothing here
// reads floating-point exception flags.
#pragma GCC optimize("no-trapping-math")

#include "algo/logreg/LogisticObjective.h"

#include <algorithm>
#include <cmath>

#include "algo/logreg/FastMath.h"
#include "comm/CommOps.h"

namespace scaleml {
namespace {

// Rows per block: a block's features and per-row terms stay in L1/L2 while every sum is taken.
constexpr std::size_t kBlock = 256;
// Rows are summed in this many chunks (fewer for small data), whatever the thread count.
constexpr std::size_t kChunks = 64;
// Below this many rows one thread is faster than waking a team.
constexpr std::size_t kParallelRows = 32768;

int Triangle(int n) { return n * (n + 1) / 2; }

}  // namespace

// Per-thread sums and scratch. The Hessian is kept packed: for each pair of vectors m <= l the
// upper triangle d <= e of its dim x dim block (every block is symmetric, because the row
// weight W_ml multiplies x_d * x_e).
struct LogisticObjective::Accumulator {
  double loss = 0.0;
  std::vector<double> gradient;
  std::vector<double> hessian;
  std::vector<float> ones;        // kBlock: the intercept's column
  std::vector<const float*> x;    // dim: the block's rows of each feature, then the ones
  std::vector<double> z;          // vectors x kBlock
  std::vector<double> residual;   // vectors x kBlock: p - y
  std::vector<float> weight;      // vector pairs x kBlock: d^2 loss / dz_m dz_l
  std::vector<float> weighted_x;  // dim x kBlock
  std::vector<double> proba;      // vectors: one row's softmax

  Accumulator(int vectors, int dim, bool with_hessian) {
    gradient.assign(static_cast<std::size_t>(vectors) * dim, 0.0);
    if (with_hessian)
      hessian.assign(static_cast<std::size_t>(Triangle(vectors)) * Triangle(dim), 0.0);
    ones.assign(kBlock, 1.0f);
    x.assign(dim, ones.data());
    z.assign(static_cast<std::size_t>(vectors) * kBlock, 0.0);
    residual.assign(static_cast<std::size_t>(vectors) * kBlock, 0.0);
    weight.assign(static_cast<std::size_t>(Triangle(vectors)) * kBlock, 0.0f);
    weighted_x.assign(static_cast<std::size_t>(dim) * kBlock, 0.0f);
    proba.assign(vectors, 0.0);
  }
};

LogisticObjective::LogisticObjective(const Dataset& data, std::span<const std::int32_t> codes,
                                     int vectors, int positive, bool fit_intercept, double l2)
    : data_(data),
      codes_(codes),
      vectors_(vectors),
      positive_(positive),
      fit_intercept_(fit_intercept),
      l2_(l2),
      features_(static_cast<int>(data.features())),
      dim_(static_cast<int>(data.features()) + (fit_intercept ? 1 : 0)) {}

void LogisticObjective::AccumulateBlock(std::span<const double> w, std::size_t begin,
                                        std::size_t end, bool with_hessian,
                                        Accumulator& acc) const {
  const std::size_t n = end - begin;
  const int dim = dim_;
  const int vectors = vectors_;
  for (int f = 0; f < features_; ++f) {
    acc.x[f] = data_.column(f).data() + begin;
  }
  // Linear scores, in double so that the gradient at the optimum is not limited by float.
  for (int m = 0; m < vectors; ++m) {
    double* z = &acc.z[m * kBlock];
    const double bias = fit_intercept_ ? w[m * dim + features_] : 0.0;
    for (std::size_t i = 0; i < n; ++i) z[i] = bias;
    for (int f = 0; f < features_; ++f) {
      const double wf = w[m * dim + f];
      const float* x = acc.x[f];
#pragma omp simd
      for (std::size_t i = 0; i < n; ++i) z[i] += wf * static_cast<double>(x[i]);
    }
  }
  // Per-row loss, residual and curvature weights.
  if (vectors == 1) {
    const std::int32_t* codes = codes_.data() + begin;
    const double* zs = acc.z.data();
    double* residual = acc.residual.data();
    float* weight = acc.weight.data();
    double loss = 0.0;
#pragma omp simd reduction(+ : loss)
    for (std::size_t i = 0; i < n; ++i) {
      const double z = zs[i];
      const double y = codes[i] == positive_ ? 1.0 : 0.0;
      const double e = ExpNonPositive(z < 0 ? z : -z);
      const double inverse = 1.0 / (1.0 + e);
      const double p = z >= 0 ? inverse : e * inverse;
      loss += (z > 0 ? z : 0.0) + Log1pUnit(e) - y * z;
      residual[i] = p - y;
      weight[i] = static_cast<float>(p * (1.0 - p));
    }
    acc.loss += loss;
  } else {
    double* p = acc.proba.data();
    for (std::size_t i = 0; i < n; ++i) {
      double top = acc.z[i];
      for (int m = 1; m < vectors; ++m) top = std::max(top, acc.z[m * kBlock + i]);
      double sum = 0.0;
      for (int m = 0; m < vectors; ++m) {
        p[m] = std::exp(acc.z[m * kBlock + i] - top);
        sum += p[m];
      }
      const int y = codes_[begin + i];
      acc.loss += top + std::log(sum) - acc.z[y * kBlock + i];
      int pair = 0;
      for (int m = 0; m < vectors; ++m) {
        p[m] /= sum;
        acc.residual[m * kBlock + i] = p[m] - (m == y ? 1.0 : 0.0);
      }
      for (int m = 0; m < vectors; ++m) {
        for (int l = m; l < vectors; ++l, ++pair) {
          acc.weight[pair * kBlock + i] =
              static_cast<float>(m == l ? p[m] * (1.0 - p[m]) : -p[m] * p[l]);
        }
      }
    }
  }
  for (int m = 0; m < vectors; ++m) {
    const double* r = &acc.residual[m * kBlock];
    for (int d = 0; d < dim; ++d) {
      const float* x = acc.x[d];
      double sum = 0.0;
#pragma omp simd reduction(+ : sum)
      for (std::size_t i = 0; i < n; ++i) sum += r[i] * static_cast<double>(x[i]);
      acc.gradient[m * dim + d] += sum;
    }
  }
  if (!with_hessian) return;
  // The Hessian only steers Newton's steps (the gradient fixes the optimum), so its block sums
  // are taken in float, four lanes wide, and only added up in double.
  const int pairs = Triangle(vectors);
  const int block_size = Triangle(dim);
  for (int pair = 0; pair < pairs; ++pair) {
    const float* wt = &acc.weight[pair * kBlock];
    for (int d = 0; d < dim; ++d) {
      const float* x = acc.x[d];
      float* wx = &acc.weighted_x[d * kBlock];
#pragma omp simd
      for (std::size_t i = 0; i < n; ++i) wx[i] = wt[i] * x[i];
    }
    double* h = &acc.hessian[static_cast<std::size_t>(pair) * block_size];
    for (int d = 0; d < dim; ++d) {
      const float* wx = &acc.weighted_x[d * kBlock];
      for (int e = d; e < dim; ++e) {
        const float* x = acc.x[e];
        float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
        for (std::size_t i = 0; i < n; ++i) sum += wx[i] * x[i];
        *h++ += sum;
      }
    }
  }
}

void LogisticObjective::Evaluate(std::span<const double> w, bool with_hessian, Comm& comm,
                                 ObjectiveValue* out) const {
  const std::size_t rows = data_.rows();
  const std::size_t blocks = (rows + kBlock - 1) / kBlock;
  // A fixed number of chunks, summed in order: the result does not depend on the thread count.
  const std::size_t chunks = std::min(kChunks, blocks);
  const std::size_t packed_hessian =
      with_hessian ? static_cast<std::size_t>(Triangle(vectors_)) * Triangle(dim_) : 0;
  const std::size_t width = 1 + size() + packed_hessian;  // [loss, gradient, packed Hessian]
  std::vector<double> chunk_sums(chunks * width, 0.0);
#pragma omp parallel if (rows >= kParallelRows)
  {
    Accumulator acc(vectors_, dim_, with_hessian);
#pragma omp for schedule(dynamic, 1)
    for (std::size_t c = 0; c < chunks; ++c) {
      acc.loss = 0.0;
      std::fill(acc.gradient.begin(), acc.gradient.end(), 0.0);
      std::fill(acc.hessian.begin(), acc.hessian.end(), 0.0);
      for (std::size_t b = c * blocks / chunks; b < (c + 1) * blocks / chunks; ++b) {
        AccumulateBlock(w, b * kBlock, std::min(rows, (b + 1) * kBlock), with_hessian, acc);
      }
      double* sums = &chunk_sums[c * width];
      sums[0] = acc.loss;
      std::copy(acc.gradient.begin(), acc.gradient.end(), sums + 1);
      std::copy(acc.hessian.begin(), acc.hessian.end(), sums + 1 + size());
    }
  }
  std::vector<double> sums(width, 0.0);
  for (std::size_t c = 0; c < chunks; ++c) {
    for (std::size_t j = 0; j < width; ++j) sums[j] += chunk_sums[c * width + j];
  }
  AllreduceSum(comm, std::span<double>(sums));

  out->loss = sums[0];
  out->gradient.assign(sums.begin() + 1, sums.begin() + 1 + size());
  for (int m = 0; m < vectors_; ++m) {
    for (int f = 0; f < features_; ++f) {
      const double wf = w[m * dim_ + f];
      out->loss += 0.5 * l2_ * wf * wf;
      out->gradient[m * dim_ + f] += l2_ * wf;
    }
  }
  if (!with_hessian) {
    out->hessian.clear();
    return;
  }
  const std::size_t n = size();
  out->hessian.assign(n * n, 0.0);
  const double* packed = sums.data() + 1 + n;
  for (int m = 0; m < vectors_; ++m) {
    for (int l = m; l < vectors_; ++l) {
      for (int d = 0; d < dim_; ++d) {
        for (int e = d; e < dim_; ++e) {
          const double value = *packed++;
          const std::size_t a = m * dim_ + d, b = l * dim_ + e;
          const std::size_t a2 = m * dim_ + e, b2 = l * dim_ + d;
          out->hessian[a * n + b] = out->hessian[b * n + a] = value;
          out->hessian[a2 * n + b2] = out->hessian[b2 * n + a2] = value;
        }
      }
    }
  }
  for (int m = 0; m < vectors_; ++m) {
    for (int f = 0; f < features_; ++f) {
      const std::size_t a = m * dim_ + f;
      out->hessian[a * n + a] += l2_;
    }
  }
}

}  // namespace scaleml
