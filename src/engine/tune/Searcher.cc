#include "engine/tune/Searcher.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/Error.h"
#include "core/Hash.h"

namespace scaleml::tune {
namespace {

using Domain = TpeSearcher::Domain;

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// Acklam's rational approximation, refined by one Halley step (relative error ~1e-15).
double NormalQuantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  p = std::clamp(p, 1e-300, 1 - 1e-16);
  double x;
  if (p < 0.02425) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - 0.02425) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double e = NormalCdf(x) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

// A normal(mu, sigma) truncated to [low, high], drawn by inverting its CDF (from the nearer
// tail, so a component far outside the range still draws inside it).
double SampleTruncNormal(double mu, double sigma, double low, double high, Rng& rng) {
  double a = (low - mu) / sigma, b = (high - mu) / sigma;
  const bool flip = a > 0;  // both bounds in the upper tail: draw the mirror image
  if (flip) {
    const double mirrored_low = -b;
    b = -a;
    a = mirrored_low;
  }
  const double pa = NormalCdf(a), pb = NormalCdf(b);
  double z = NormalQuantile(pa + (pb - pa) * rng.Uniform());
  if (flip) z = -z;
  return std::clamp(mu + sigma * z, low, high);
}

double LogSumExp(const std::vector<double>& terms) {
  double largest = -std::numeric_limits<double>::infinity();
  for (double t : terms) largest = std::max(largest, t);
  if (!std::isfinite(largest)) return largest;
  double sum = 0;
  for (double t : terms) sum += std::exp(t - largest);
  return largest + std::log(sum);
}

// Optuna's default_weights: 1 for up to 25 observations, else a ramp from 1/n for the oldest.
std::vector<double> ObservationWeights(std::size_t n) {
  std::vector<double> w(n, 1.0);
  if (n < 25) return w;
  const std::size_t ramp = n - 25;
  for (std::size_t i = 0; i < ramp; ++i) {
    w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / static_cast<double>(ramp - 1);
  }
  return w;
}

// A mixture of truncated normals (or categorical rows), one kernel per observation plus the
// prior, as Optuna's _ParzenEstimator builds it for one parameter.
struct Parzen {
  std::vector<double> weights;
  std::vector<double> mus, sigmas;              // numeric
  std::vector<std::vector<double>> categories;  // categorical: each kernel's distribution
  double low = 0, high = 0, step = 0;
};

Parzen BuildParzen(const Domain& domain, const std::vector<double>& values, double prior_weight) {
  Parzen p;
  p.weights = ObservationWeights(values.size());
  p.weights.push_back(prior_weight);
  double total = 0;
  for (double w : p.weights) total += w;
  for (double& w : p.weights) w /= total;
  const std::size_t kernels = values.size() + 1;
  if (domain.kind == Domain::Kind::kCategorical) {
    const std::size_t n = domain.choices.size();
    for (double v : values) {
      std::vector<double> row(n, prior_weight / kernels);
      row[static_cast<std::size_t>(v)] += 1;
      p.categories.push_back(std::move(row));
    }
    p.categories.emplace_back(n, prior_weight / kernels);
    for (auto& row : p.categories) {
      double sum = 0;
      for (double x : row) sum += x;
      for (double& x : row) x /= sum;
    }
    return p;
  }
  p.step = domain.kind == Domain::Kind::kInt ? 1.0 : 0.0;
  p.low = domain.low;
  p.high = domain.high;
  const double low = p.low - p.step / 2, high = p.high + p.step / 2;
  // Sigmas: the larger gap to a sorted neighbour (the range ends count as neighbours), except
  // the outermost observations take their inner gap (consider_endpoints=False).
  std::vector<std::size_t> order(values.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return values[x] < values[y]; });
  std::vector<double> sorted = {low};
  for (std::size_t i : order) sorted.push_back(values[i]);
  sorted.push_back(high);
  std::vector<double> sorted_sigmas(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    sorted_sigmas[i] = std::max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1]);
  }
  if (sorted.size() >= 4) {
    sorted_sigmas.front() = sorted[2] - sorted[1];
    sorted_sigmas.back() = sorted[sorted.size() - 2] - sorted[sorted.size() - 3];
  }
  const double width = p.high - p.low + p.step;
  const double max_sigma = width;
  const double min_sigma = width / std::min(100.0, 1.0 + static_cast<double>(kernels));
  p.mus = values;
  p.sigmas.assign(values.size(), 0);
  for (std::size_t k = 0; k < order.size(); ++k) {
    p.sigmas[order[k]] = std::clamp(sorted_sigmas[k], min_sigma, max_sigma);
  }
  p.mus.push_back(0.5 * (p.low + p.high));
  p.sigmas.push_back(width);
  return p;
}

std::size_t PickKernel(const Parzen& p, Rng& rng) {
  double u = rng.Uniform();
  for (std::size_t k = 0; k + 1 < p.weights.size(); ++k) {
    u -= p.weights[k];
    if (u < 0) return k;
  }
  return p.weights.size() - 1;
}

double SampleParzen(const Parzen& p, Rng& rng) {
  const std::size_t k = PickKernel(p, rng);
  if (!p.categories.empty()) {
    double u = rng.Uniform();
    const auto& row = p.categories[k];
    for (std::size_t c = 0; c + 1 < row.size(); ++c) {
      u -= row[c];
      if (u < 0) return static_cast<double>(c);
    }
    return static_cast<double>(row.size() - 1);
  }
  const double x =
      SampleTruncNormal(p.mus[k], p.sigmas[k], p.low - p.step / 2, p.high + p.step / 2, rng);
  if (p.step == 0) return x;
  return std::clamp(p.low + std::round((x - p.low) / p.step) * p.step, p.low, p.high);
}

double LogPdf(const Parzen& p, double x) {
  std::vector<double> terms;
  for (std::size_t k = 0; k < p.weights.size(); ++k) {
    double density;
    if (!p.categories.empty()) {
      density = p.categories[k][static_cast<std::size_t>(x)];
    } else {
      const double mu = p.mus[k], sigma = p.sigmas[k];
      const double low = p.low - p.step / 2, high = p.high + p.step / 2;
      const double mass = NormalCdf((high - mu) / sigma) - NormalCdf((low - mu) / sigma);
      if (p.step > 0) {
        density =
            (NormalCdf((x + p.step / 2 - mu) / sigma) - NormalCdf((x - p.step / 2 - mu) / sigma)) /
            mass;
      } else {
        const double z = (x - mu) / sigma;
        density = std::exp(-0.5 * z * z) / (sigma * std::sqrt(2 * M_PI) * mass);
      }
    }
    terms.push_back(std::log(p.weights[k]) + std::log(std::max(density, 1e-300)));
  }
  return LogSumExp(terms);
}

bool IsSpec(const nlohmann::json& value, const char* kind) {
  return value.is_object() && value.size() == 1 && value.contains(kind);
}

Domain DomainOf(const nlohmann::json& value) {
  Domain d;
  if (IsSpec(value, "grid_search") || IsSpec(value, "choice")) {
    d.kind = Domain::Kind::kCategorical;
    d.choices = value.begin().value();
  } else if (IsSpec(value, "uniform")) {
    d.kind = Domain::Kind::kFloat;
    d.low = value["uniform"][0];
    d.high = value["uniform"][1];
  } else if (IsSpec(value, "loguniform")) {
    d.kind = Domain::Kind::kFloat;
    d.log = true;
    d.low = std::log(value["loguniform"][0].get<double>());
    d.high = std::log(value["loguniform"][1].get<double>());
  } else if (IsSpec(value, "randint")) {
    d.kind = Domain::Kind::kInt;
    d.low = value["randint"][0].get<double>();
    d.high = value["randint"][1].get<double>() - 1;  // Tune's high is exclusive
  } else {
    d.choices = value;
  }
  return d;
}

// A config's value of a parameter in the sampler's space (a category's index; NaN if absent).
double Internal(const Domain& d, const nlohmann::json& value) {
  switch (d.kind) {
    case Domain::Kind::kCategorical:
      for (std::size_t c = 0; c < d.choices.size(); ++c) {
        if (d.choices[c] == value) return static_cast<double>(c);
      }
      return std::nan("");
    case Domain::Kind::kFloat:
      if (!value.is_number()) return std::nan("");
      return d.log ? std::log(value.get<double>()) : value.get<double>();
    case Domain::Kind::kInt:
      return value.is_number() ? value.get<double>() : std::nan("");
    case Domain::Kind::kConstant:
      break;
  }
  return std::nan("");
}

nlohmann::json External(const Domain& d, double x) {
  switch (d.kind) {
    case Domain::Kind::kCategorical:
      return d.choices[static_cast<std::size_t>(x)];
    case Domain::Kind::kFloat:
      return d.log ? std::clamp(std::exp(x), std::exp(d.low), std::exp(d.high)) : x;
    case Domain::Kind::kInt:
      return static_cast<std::int64_t>(std::llround(x));
    case Domain::Kind::kConstant:
      break;
  }
  return d.choices;
}

}  // namespace

SearchKind ParseSearchKind(const std::string& name) {
  if (name == "grid") return SearchKind::kGrid;
  if (name == "random") return SearchKind::kRandom;
  if (name == "tpe") return SearchKind::kTpe;
  throw InputError("tune: --search ", name, ": use grid, random or tpe");
}

std::unique_ptr<Searcher> MakeSearcher(SearchKind kind, const SearchSpace& space, bool maximize,
                                       std::uint64_t seed) {
  if (kind == SearchKind::kTpe) return std::make_unique<TpeSearcher>(space, maximize, seed);
  return std::make_unique<VariantSearcher>(space, seed);
}

int TpeGamma(int n) { return std::min(static_cast<int>(std::ceil(0.1 * n)), 25); }

TpeSearcher::TpeSearcher(SearchSpace space, bool maximize, std::uint64_t seed, TpeOptions options)
    : space_(std::move(space)), maximize_(maximize), seed_(seed), options_(options) {
  for (const auto& [key, value] : space_.json().items()) domains_.push_back({key, DomainOf(value)});
}

void TpeSearcher::OnComplete(const nlohmann::json& config, double metric, bool stopped_early,
                             int iteration) {
  if (!std::isfinite(metric)) return;
  observations_.push_back(
      {observations_.size(), config, maximize_ ? -metric : metric, stopped_early, iteration});
}

nlohmann::json TpeSearcher::Suggest(std::size_t index) {
  const int n = static_cast<int>(observations_.size());
  if (n < options_.n_startup_trials) return space_.Sample(index, seed_);
  // Optuna's split: complete trials by loss, then pruned ones (latest round first, then loss).
  std::vector<const Observation*> ranked;
  for (const auto& o : observations_) ranked.push_back(&o);
  std::stable_sort(ranked.begin(), ranked.end(), [](const Observation* x, const Observation* y) {
    if (x->pruned != y->pruned) return !x->pruned;
    if (x->pruned && x->iteration != y->iteration) return x->iteration > y->iteration;
    return x->loss < y->loss;
  });
  const std::size_t n_below = static_cast<std::size_t>(TpeGamma(n));
  std::vector<const Observation*> below(ranked.begin(), ranked.begin() + n_below);
  std::vector<const Observation*> above(ranked.begin() + n_below, ranked.end());
  auto by_order = [](const Observation* x, const Observation* y) { return x->order < y->order; };
  std::sort(below.begin(), below.end(), by_order);
  std::sort(above.begin(), above.end(), by_order);
  nlohmann::json config = nlohmann::json::object();
  std::uint64_t param = 0;
  for (const auto& [name, domain] : domains_) {
    config[name] = SampleParam(domain, name, below, above, HashKey(index, param++, 0x7be));
  }
  return config;
}

nlohmann::json TpeSearcher::SampleParam(const Domain& domain, const std::string& name,
                                        const std::vector<const Observation*>& below,
                                        const std::vector<const Observation*>& above,
                                        std::uint64_t stream) const {
  if (domain.kind == Domain::Kind::kConstant) return domain.choices;
  auto values = [&](const std::vector<const Observation*>& group) {
    std::vector<double> out;
    for (const Observation* o : group) {
      const double x = o->config.contains(name) ? Internal(domain, o->config[name]) : std::nan("");
      if (!std::isnan(x)) out.push_back(x);
    }
    return out;
  };
  const Parzen good = BuildParzen(domain, values(below), options_.prior_weight);
  const Parzen bad = BuildParzen(domain, values(above), options_.prior_weight);
  Rng rng(seed_, stream);
  double best_x = 0, best_score = -std::numeric_limits<double>::infinity();
  for (int i = 0; i < options_.n_ei_candidates; ++i) {
    const double x = SampleParzen(good, rng);
    const double score = LogPdf(good, x) - LogPdf(bad, x);
    if (i == 0 || score > best_score) {
      best_score = score;
      best_x = x;
    }
  }
  return External(domain, best_x);
}

}  // namespace scaleml::tune
