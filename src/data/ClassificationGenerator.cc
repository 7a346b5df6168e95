#include "data/ClassificationGenerator.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <numeric>
#include <string>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/ProgressBar.h"
#include "core/Version.h"
#include "data/CsvWriter.h"
#include "data/DatasetMeta.h"
#include "data/NormalSampler.h"
#include "data/RowPermutation.h"

namespace scaleml {
namespace {

// Random streams: a chunk's row values, its row shuffle, and each problem draw are independent.
constexpr std::uint64_t kValuesStream = 0x76616c756573;   // "values"
constexpr std::uint64_t kShuffleStream = 0x73687566666c;  // "shuffl"
constexpr std::uint64_t kProblemStream = 0x70726f626c6d;  // "problm"
constexpr std::uint64_t kMissingStream = 0x6d697373696e;  // "missin"

// Levels of categorical column i of n: geometric from 10 to 10,000.
int LevelsOfCategorical(int i, int n) {
  if (n <= 1) return 10;
  return static_cast<int>(std::lround(10.0 * std::pow(1000.0, static_cast<double>(i) / (n - 1))));
}

// Rows made and formatted per unit of parallel work: at most 16384, and at most about 4 MB of
// text per thread however wide the rows.
constexpr std::int64_t kMaxBlockRows = 16384;
constexpr std::size_t kMaxBlockChars = std::size_t{4} << 20;

// Rows of the first chunk formatted to estimate bytes per row for --size.
constexpr std::int64_t kSizeSampleRows = 20000;

Rng ProblemRng(std::uint64_t seed, std::int64_t index) {
  return Rng(seed, HashKey(kProblemStream, static_cast<std::uint64_t>(index)));
}

}  // namespace

ClassificationGenerator::ClassificationGenerator(const GeneratorParams& params)
    : params_(ResolveGeneratorParams(params)) {
  Rng rng = ProblemRng(params_.seed, 0);
  shared_problem_ = ClassificationProblem::Draw(params_, rng);
  column_levels_.assign(params_.features, 0);
  for (int i = 0; i < params_.categorical; ++i) {
    column_levels_[shared_problem_.output_column[i]] = LevelsOfCategorical(i, params_.categorical);
  }
  plain_numbers_ = params_.categorical == 0 && params_.missing == 0.0;
}

std::string ClassificationGenerator::CategoryName(int level, int levels) {
  // A multiplier near levels / golden ratio, coprime to levels, so the map is a permutation.
  std::int64_t multiplier = std::max<std::int64_t>(1, static_cast<std::int64_t>(levels * 0.618));
  while (std::gcd(multiplier, static_cast<std::int64_t>(levels)) != 1) ++multiplier;
  const std::int64_t shuffled = levels > 0 ? level * multiplier % levels : level;
  const std::string digits = std::to_string(shuffled);
  const std::size_t width = std::to_string(std::max(levels - 1, 0)).size();
  std::string name(1, 'c');
  if (digits.size() < width) name.append(width - digits.size(), '0');
  name.append(digits);
  return name;
}

std::int64_t ClassificationGenerator::chunks() const {
  return (params_.samples + params_.chunk_size - 1) / params_.chunk_size;
}

std::int64_t ClassificationGenerator::ChunkRows(std::int64_t chunk) const {
  return std::min(params_.chunk_size, params_.samples - chunk * params_.chunk_size);
}

ClassificationProblem ClassificationGenerator::ProblemForChunk(std::int64_t chunk) const {
  ClassificationProblem own;
  return ProblemFor(chunk, own);
}

const ClassificationProblem& ClassificationGenerator::ProblemFor(std::int64_t chunk,
                                                                 ClassificationProblem& own) const {
  if (!params_.problem_per_chunk || chunk == 0) return shared_problem_;
  Rng rng = ProblemRng(params_.seed, chunk);
  own = ClassificationProblem::Draw(params_, rng);
  return own;
}

// What every row of a chunk needs: its problem, its cluster boundaries, its row permutation, and
// scratch space. Cheap to build (microseconds), so each block of rows builds its own.
struct ClassificationGenerator::ChunkContext {
  std::int64_t chunk = 0;
  ClassificationProblem own_problem;  // paper mode only
  const ClassificationProblem* problem = nullptr;
  std::vector<std::int64_t> cluster_end;  // prefix sums of the cluster sizes
  RowPermutation permutation{0, 0, false};
  std::vector<double> x;  // one row in generated column order
  std::vector<double> z;  // the informative normals
  // Categorical columns: the generated feature each holds in this chunk's problem and its
  // distribution, one normal per cluster (mean, standard deviation), weighted by cluster size.
  struct Categorical {
    int column = 0;
    int feature = 0;
    int levels = 0;
    std::vector<double> mean, sd;
  };
  std::vector<Categorical> categorical;
  std::vector<double> cluster_weight;
  std::uint64_t missing_key = 0;
};

namespace {

// Mean and standard deviation of generated feature `s` (before shift and scale) in cluster k:
// informative x = z A_k + c_k, redundant x B, repeated copies, useless standard normals.
void FeatureInCluster(const ClassificationProblem& p, int s, int k, double& mean, double& sd) {
  const int inf = p.informative;
  const double* a = &p.transforms[static_cast<std::size_t>(k) * inf * inf];
  const double* c = &p.centroids[static_cast<std::size_t>(k) * inf];
  if (s >= inf + p.redundant && s < inf + p.redundant + p.repeated) {
    s = p.repeated_source[s - inf - p.redundant];
  }
  if (s < inf) {
    double var = 0.0;
    for (int i = 0; i < inf; ++i) var += a[i * inf + s] * a[i * inf + s];
    mean = c[s];
    sd = std::sqrt(var);
  } else if (s < inf + p.redundant) {
    const int r = s - inf;
    const double* b = p.redundant_mix.data();
    mean = 0.0;
    for (int j = 0; j < inf; ++j) mean += c[j] * b[j * p.redundant + r];
    double var = 0.0;
    for (int i = 0; i < inf; ++i) {
      double coefficient = 0.0;  // (A_k B)[i][r]
      for (int j = 0; j < inf; ++j) coefficient += a[i * inf + j] * b[j * p.redundant + r];
      var += coefficient * coefficient;
    }
    sd = std::sqrt(var);
  } else {
    mean = 0.0;
    sd = 1.0;
  }
}

}  // namespace

void ClassificationGenerator::PrepareChunk(std::int64_t chunk, ChunkContext& context) const {
  context.chunk = chunk;
  context.problem = &ProblemFor(chunk, context.own_problem);
  const std::int64_t rows = ChunkRows(chunk);
  context.cluster_end = ClusterSizes(params_, rows);
  for (std::size_t k = 1; k < context.cluster_end.size(); ++k) {
    context.cluster_end[k] += context.cluster_end[k - 1];
  }
  context.permutation = RowPermutation(
      static_cast<std::uint64_t>(rows),
      HashKey(params_.seed, kShuffleStream, static_cast<std::uint64_t>(chunk)), params_.shuffle);
  context.x.resize(params_.features);
  context.z.resize(context.problem->informative);
  if (plain_numbers_) return;
  context.missing_key = HashKey(params_.seed, kMissingStream, static_cast<std::uint64_t>(chunk));
  const int clusters = params_.clusters();
  context.cluster_weight.resize(clusters);
  for (int k = 0; k < clusters; ++k) {
    const std::int64_t size = context.cluster_end[k] - (k > 0 ? context.cluster_end[k - 1] : 0);
    context.cluster_weight[k] = static_cast<double>(size) / static_cast<double>(rows);
  }
  context.categorical.clear();
  for (int column = 0; column < params_.features; ++column) {
    if (column_levels_[column] == 0) continue;
    ChunkContext::Categorical& cat = context.categorical.emplace_back();
    cat.column = column;
    cat.feature = context.problem->column_order[column];
    cat.levels = column_levels_[column];
    cat.mean.resize(clusters);
    cat.sd.resize(clusters);
    for (int k = 0; k < clusters; ++k) {
      FeatureInCluster(*context.problem, cat.feature, k, cat.mean[k], cat.sd[k]);
    }
  }
}

// The categorical levels and missing cells of a row made by GenerateRow (x: generated order).
void ClassificationGenerator::ApplyCategoriesAndMissing(const ChunkContext& context,
                                                        std::int64_t cluster_row, const double* x,
                                                        double* values) const {
  for (const auto& cat : context.categorical) {
    double cdf = 0.0;
    for (std::size_t k = 0; k < cat.mean.size(); ++k) {
      if (context.cluster_weight[k] == 0.0) continue;
      const double z = cat.sd[k] > 0.0 ? (x[cat.feature] - cat.mean[k]) / cat.sd[k]
                                       : (x[cat.feature] < cat.mean[k] ? -1e300 : 1e300);
      cdf += context.cluster_weight[k] * 0.5 * std::erfc(-z * M_SQRT1_2);
    }
    const double level = std::floor(cdf * cat.levels);
    values[cat.column] = std::clamp(level, 0.0, static_cast<double>(cat.levels - 1));
  }
  if (params_.missing > 0.0) {
    const int features = params_.features;
    const auto first_cell = static_cast<std::uint64_t>(cluster_row) * features;
    for (int c = 0; c < features; ++c) {
      if (HashToUnit(HashKey(context.missing_key, first_cell + c)) < params_.missing) {
        values[c] = std::numeric_limits<double>::quiet_NaN();
      }
    }
  }
}

// Row `cluster_row` of the chunk in scikit-learn's unshuffled order (cluster by cluster), its
// features in output column order.
void ClassificationGenerator::GenerateRow(ChunkContext& context, std::int64_t cluster_row,
                                          double* values, std::int32_t* label) const {
  const ClassificationProblem& problem = *context.problem;
  const int features = params_.features;
  const int inf = problem.informative;
  const int red = problem.redundant;
  const int rep = problem.repeated;
  double* x = context.x.data();
  double* z = context.z.data();
  const int k = static_cast<int>(
      std::upper_bound(context.cluster_end.begin(), context.cluster_end.end(), cluster_row) -
      context.cluster_end.begin());
  Rng rng(params_.seed, HashKey(kValuesStream, static_cast<std::uint64_t>(context.chunk),
                                static_cast<std::uint64_t>(cluster_row)));
  const ZigguratTables& zig = NormalZiggurat();
  // Informative: z A + centroid with z standard normal (scikit-learn: np.dot(X_k, A) + centroid).
  for (int i = 0; i < inf; ++i) z[i] = SampleNormal(rng, zig);
  const double* a = &problem.transforms[static_cast<std::size_t>(k) * inf * inf];
  const double* centroid = &problem.centroids[static_cast<std::size_t>(k) * inf];
  for (int j = 0; j < inf; ++j) {
    double sum = 0.0;
    for (int i = 0; i < inf; ++i) sum += z[i] * a[i * inf + j];
    x[j] = sum + centroid[j];
  }
  // Redundant: x_inf B.
  const double* mix = problem.redundant_mix.data();
  for (int r = 0; r < red; ++r) {
    double sum = 0.0;
    for (int j = 0; j < inf; ++j) sum += x[j] * mix[j * red + r];
    x[inf + r] = sum;
  }
  for (int q = 0; q < rep; ++q) x[inf + red + q] = x[problem.repeated_source[q]];
  for (int u = inf + red + rep; u < features; ++u) x[u] = SampleNormal(rng, zig);
  const int* where = problem.output_column.data();
  for (int s = 0; s < features; ++s) {
    values[where[s]] = (x[s] + problem.shift[s]) * problem.scale[s];
  }
  if (!plain_numbers_) ApplyCategoriesAndMissing(context, cluster_row, x, values);
  std::int32_t y = k % params_.classes;
  if (rng.Uniform() < params_.flip_y) {
    y = static_cast<std::int32_t>(rng.Below(static_cast<std::uint64_t>(params_.classes)));
  }
  *label = y;
}

template <class Sink>
void ClassificationGenerator::ForEachRow(std::int64_t chunk, std::int64_t begin, std::int64_t end,
                                         Sink&& sink) const {
  ChunkContext context;
  PrepareChunk(chunk, context);
  std::vector<double> values(params_.features);
  std::int32_t label = 0;
  for (std::int64_t i = begin; i < end; ++i) {
    const auto cluster_row =
        static_cast<std::int64_t>(context.permutation.At(static_cast<std::uint64_t>(i)));
    GenerateRow(context, cluster_row, values.data(), &label);
    sink(values.data(), label);
  }
}

void ClassificationGenerator::MakeRows(std::int64_t chunk, std::int64_t begin, std::int64_t end,
                                       double* values, std::int32_t* labels) const {
  const int features = params_.features;
  ForEachRow(chunk, begin, end, [&](const double* row, std::int32_t label) {
    values = std::copy_n(row, features, values);
    *labels++ = label;
  });
}

char* ClassificationGenerator::FormatRows(std::int64_t chunk, std::int64_t begin, std::int64_t end,
                                          char* out) const {
  const int features = params_.features;
  if (plain_numbers_) {
    ForEachRow(chunk, begin, end, [&](const double* row, std::int32_t label) {
      for (int f = 0; f < features; ++f) {
        out = FormatShortest(out, row[f]);
        *out++ = ',';
      }
      out = FormatInteger(out, label);
      *out++ = '\n';
    });
    return out;
  }
  // Category names for every level of every categorical column, made once per block.
  std::vector<std::vector<std::string>> names(features);
  for (int f = 0; f < features; ++f) {
    for (int level = 0; level < column_levels_[f]; ++level) {
      names[f].push_back(CategoryName(level, column_levels_[f]));
    }
  }
  ForEachRow(chunk, begin, end, [&](const double* row, std::int32_t label) {
    for (int f = 0; f < features; ++f) {
      if (std::isnan(row[f])) {
        // missing: an empty field
      } else if (column_levels_[f] > 0) {
        const std::string& name = names[f][static_cast<std::size_t>(row[f])];
        out = std::copy(name.begin(), name.end(), out);
      } else {
        out = FormatShortest(out, row[f]);
      }
      *out++ = ',';
    }
    out = FormatInteger(out, label);
    *out++ = '\n';
  });
  return out;
}

std::size_t ClassificationGenerator::MaxTextChars(std::int64_t rows) const {
  return static_cast<std::size_t>(rows) *
         (static_cast<std::size_t>(params_.features) * (kMaxDoubleChars + 1) + kMaxIntChars + 1);
}

std::string ClassificationGenerator::Header() const {
  std::vector<std::string> names;
  for (int f = 0; f < params_.features; ++f) names.push_back("feature_" + std::to_string(f));
  return CsvHeader(names, "target");
}

GenerateResult ClassificationGenerator::WriteCsv(const std::string& path, bool progress) const {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw InputError("--out ", path, " is a folder; give the CSV file to write, e.g. ",
                     (std::filesystem::path(path) / "data.csv").string());
  }
  AtomicFile file(path);
  Checksum checksum;
  GenerateResult result;
  const std::string header = Header();
  file.Write(header);
  checksum.Update(header.data(), header.size());
  result.bytes = static_cast<std::int64_t>(header.size());
  std::unique_ptr<ProgressBar> bar;
  if (progress) bar = std::make_unique<ProgressBar>("generate", params_.samples, "rows");
  std::exception_ptr error;         // the first failure, set under the critical section
  std::atomic<bool> failed{false};  // read without it
  const std::int64_t chunk_count = chunks();
  const std::int64_t block_rows = std::clamp<std::int64_t>(
      static_cast<std::int64_t>(kMaxBlockChars / MaxTextChars(1)), 1, kMaxBlockRows);
  const std::int64_t blocks_per_chunk = (params_.chunk_size + block_rows - 1) / block_rows;
  const std::int64_t block_count = chunk_count * blocks_per_chunk;
  // An ordered parallel pipeline: each thread makes and formats blocks of rows into its own
  // buffer; the writes (and the checksum) happen in file order while the other threads go on.
#pragma omp parallel
  {
    const std::size_t capacity = MaxTextChars(std::min(block_rows, params_.chunk_size));
    auto text = std::make_unique_for_overwrite<char[]>(capacity);
#pragma omp for ordered schedule(dynamic, 1)
    for (std::int64_t b = 0; b < block_count; ++b) {
      // Blocks past the end of the last (shorter) chunk are empty.
      const std::int64_t chunk = b / blocks_per_chunk;
      const std::int64_t begin = (b % blocks_per_chunk) * block_rows;
      const std::int64_t end = std::min(ChunkRows(chunk), begin + block_rows);
      std::size_t size = 0;
      if (begin < end && !failed.load()) {
        try {
          size = static_cast<std::size_t>(FormatRows(chunk, begin, end, text.get()) - text.get());
        } catch (...) {
#pragma omp critical(scaleml_generate_error)
          if (!failed.exchange(true)) error = std::current_exception();
        }
      }
#pragma omp ordered
      {
        // An exception must not leave an OpenMP region: keep the first, rethrow after it.
        if (size > 0 && !failed.load()) {
          try {
            file.Write(text.get(), size);
            checksum.Update(text.get(), size);
            result.bytes += static_cast<std::int64_t>(size);
            result.rows += end - begin;
            if (bar) bar->Advance(end - begin);
          } catch (...) {
#pragma omp critical(scaleml_generate_error)
            if (!failed.exchange(true)) error = std::current_exception();
          }
        }
      }
    }
  }
  if (error) std::rethrow_exception(error);
  if (bar) bar->Finish();
  result.checksum = checksum.Digest();
  nlohmann::json description;
  description["generator"] = "make_classification";
  description["scaleml_version"] = kVersion;
  description["header"] = header.substr(0, header.size() - 1);
  description["parameters"] = GeneratorParamsJson(params_);
  description["categorical_columns"] = nlohmann::json::array();
  for (int f = 0; f < params_.features; ++f) {
    if (column_levels_[f] > 0) {
      description["categorical_columns"].push_back(
          {{"column", StrCat("feature_", f)}, {"levels", column_levels_[f]}});
    }
  }
  // The CSV first: a failure or a signal before this point leaves no file at all, and the
  // sidecars never describe a CSV that is not there.
  file.Commit();
  WriteDatasetMeta(path, result.rows, params_.features, result.bytes, result.checksum,
                   std::move(description));
  return result;
}

GeneratedRows ClassificationGenerator::GenerateAll() const {
  GeneratedRows all;
  all.rows = params_.samples;
  all.features = params_.features;
  all.values.resize(static_cast<std::size_t>(all.rows) * all.features);
  all.labels.resize(all.rows);
  const std::int64_t chunk_count = chunks();
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t c = 0; c < chunk_count; ++c) {
    const std::size_t first = static_cast<std::size_t>(c * params_.chunk_size);
    MakeRows(c, 0, ChunkRows(c), &all.values[first * all.features], &all.labels[first]);
  }
  return all;
}

GeneratedRows GenerateRows(const GeneratorParams& params) {
  return ClassificationGenerator(params).GenerateAll();
}

Dataset GenerateDataset(const GeneratorParams& params) {
  const ClassificationGenerator generator(params);
  const GeneratedRows all = generator.GenerateAll();
  std::vector<std::string> names;
  for (int f = 0; f < all.features; ++f) names.push_back("feature_" + std::to_string(f));
  Dataset data(names, static_cast<std::size_t>(all.rows));
  Schema schema = NumericSchema(all.features);
  for (int f = 0; f < all.features; ++f) {
    schema.columns.push_back({names[f], ColumnType::kNumeric, false, false});
    auto column = data.mutable_column(f);
    const int levels = generator.column_levels()[f];
    if (levels == 0) {
      for (std::int64_t r = 0; r < all.rows; ++r) {
        column[r] = FloatFromShortestText(all.values[r * all.features + f]);
      }
      continue;
    }
    // The dictionary is the sorted names of the levels present.
    std::vector<int> code(levels, -1);
    for (std::int64_t r = 0; r < all.rows; ++r) {
      const double level = all.values[r * all.features + f];
      if (!std::isnan(level)) code[static_cast<std::size_t>(level)] = 0;
    }
    std::vector<std::pair<std::string, int>> present;  // (name, level)
    for (int level = 0; level < levels; ++level) {
      if (code[level] >= 0)
        present.emplace_back(ClassificationGenerator::CategoryName(level, levels), level);
    }
    std::sort(present.begin(), present.end());
    FeatureInfo& info = schema.features[f];
    info.kind = FeatureKind::kCategorical;
    schema.columns[f].type = ColumnType::kCategorical;
    for (const auto& [name, level] : present) {
      code[level] = static_cast<int>(info.categories.size());
      info.categories.push_back(name);
    }
    for (std::int64_t r = 0; r < all.rows; ++r) {
      const double level = all.values[r * all.features + f];
      column[r] = std::isnan(level) ? std::numeric_limits<float>::quiet_NaN()
                                    : static_cast<float>(code[static_cast<std::size_t>(level)]);
    }
  }
  schema.columns.push_back({"target", ColumnType::kNumeric, true, false});
  data.set_schema(std::move(schema));
  std::copy(all.labels.begin(), all.labels.end(), data.mutable_labels().begin());
  return data;
}

std::int64_t RowsForSize(const GeneratorParams& params, std::int64_t target_bytes) {
  if (target_bytes < 1) throw InputError("--size must be positive, got ", target_bytes, " bytes");
  GeneratorParams sample_params = params;
  sample_params.samples = std::min(kSizeSampleRows, std::max<std::int64_t>(params.chunk_size, 1));
  const ClassificationGenerator sampler(sample_params);
  const std::int64_t rows = sampler.ChunkRows(0);
  std::vector<char> text(sampler.MaxTextChars(rows));
  const auto sample_bytes =
      static_cast<double>(sampler.FormatRows(0, 0, rows, text.data()) - text.data());
  const double bytes_per_row = sample_bytes / static_cast<double>(rows);
  const double header = static_cast<double>(sampler.Header().size());
  const double estimate = std::round((static_cast<double>(target_bytes) - header) / bytes_per_row);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(estimate));
}

}  // namespace scaleml
