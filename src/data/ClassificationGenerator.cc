#include "data/ClassificationGenerator.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <filesystem>
#include <memory>

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
};

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
  const GeneratedRows all = GenerateRows(params);
  std::vector<std::string> names;
  for (int f = 0; f < all.features; ++f) names.push_back("feature_" + std::to_string(f));
  Dataset data(names, static_cast<std::size_t>(all.rows));
  for (int f = 0; f < all.features; ++f) {
    auto column = data.mutable_column(f);
    for (std::int64_t r = 0; r < all.rows; ++r) {
      column[r] = FloatFromShortestText(all.values[r * all.features + f]);
    }
  }
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
