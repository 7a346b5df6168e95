#include "data/ClassificationGenerator.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <memory>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/ProgressBar.h"
#include "core/Version.h"
#include "data/CsvWriter.h"
#include "data/DatasetMeta.h"
#include "data/NormalSampler.h"

namespace scaleml {
namespace {

// Random streams: a chunk's row values, its row shuffle, and each problem draw are independent.
constexpr std::uint64_t kValuesStream = 0x76616c756573;   // "values"
constexpr std::uint64_t kShuffleStream = 0x73687566666c;  // "shuffl"
constexpr std::uint64_t kProblemStream = 0x70726f626c6d;  // "problm"

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

void ClassificationGenerator::GenerateChunk(std::int64_t chunk,
                                            const ClassificationProblem& problem,
                                            Chunk& out) const {
  const std::int64_t rows = ChunkRows(chunk);
  const int features = params_.features;
  const int inf = problem.informative;
  const int red = problem.redundant;
  const int rep = problem.repeated;
  const int first_useless = inf + red + rep;
  out.rows = rows;
  out.values.resize(static_cast<std::size_t>(rows) * features);
  out.labels.resize(rows);
  out.order.resize(rows);

  const ZigguratTables& zig = NormalZiggurat();
  Rng rng(params_.seed, HashKey(kValuesStream, static_cast<std::uint64_t>(chunk)));
  const auto sizes = ClusterSizes(params_, rows);
  std::vector<double> z(inf), x(features);
  const double* mix = problem.redundant_mix.data();
  const int* where = problem.output_column.data();
  const double flip_y = params_.flip_y;
  const auto classes = static_cast<std::uint64_t>(params_.classes);
  std::int64_t row = 0;
  for (int k = 0; k < problem.clusters; ++k) {
    const double* centroid = &problem.centroids[static_cast<std::size_t>(k) * inf];
    const double* a = &problem.transforms[static_cast<std::size_t>(k) * inf * inf];
    const auto label = static_cast<std::int32_t>(k % params_.classes);
    for (std::int64_t end = row + sizes[k]; row < end; ++row) {
      for (int i = 0; i < inf; ++i) z[i] = SampleNormal(rng, zig);
      // x_inf = z A + centroid (scikit-learn: np.dot(X_k, A), then += centroid).
      for (int j = 0; j < inf; ++j) {
        double sum = 0.0;
        for (int i = 0; i < inf; ++i) sum += z[i] * a[i * inf + j];
        x[j] = sum + centroid[j];
      }
      // x_red = x_inf B.
      for (int r = 0; r < red; ++r) {
        double sum = 0.0;
        for (int j = 0; j < inf; ++j) sum += x[j] * mix[j * red + r];
        x[inf + r] = sum;
      }
      for (int q = 0; q < rep; ++q) x[inf + red + q] = x[problem.repeated_source[q]];
      for (int u = first_useless; u < features; ++u) x[u] = SampleNormal(rng, zig);
      double* dest = &out.values[static_cast<std::size_t>(row) * features];
      for (int s = 0; s < features; ++s)
        dest[where[s]] = (x[s] + problem.shift[s]) * problem.scale[s];
      std::int32_t y = label;
      if (rng.Uniform() < flip_y) y = static_cast<std::int32_t>(rng.Below(classes));
      out.labels[row] = y;
    }
  }
  for (std::int64_t i = 0; i < rows; ++i) out.order[i] = static_cast<std::uint32_t>(i);
  if (params_.shuffle) {
    Rng shuffle(params_.seed, HashKey(kShuffleStream, static_cast<std::uint64_t>(chunk)));
    for (std::int64_t i = rows - 1; i > 0; --i) {
      std::swap(out.order[i], out.order[shuffle.Below(static_cast<std::uint64_t>(i) + 1)]);
    }
  }
}

std::size_t ClassificationGenerator::MaxChunkChars(std::int64_t rows) const {
  return static_cast<std::size_t>(rows) *
         (static_cast<std::size_t>(params_.features) * (kMaxDoubleChars + 1) + kMaxIntChars + 1);
}

char* ClassificationGenerator::FormatChunk(const Chunk& chunk, char* out) const {
  const int features = params_.features;
  const double* values = chunk.values.data();
  const std::uint32_t* order = chunk.order.data();
  constexpr std::int64_t kPrefetchAhead = 8;
  for (std::int64_t i = 0; i < chunk.rows; ++i) {
    if (i + kPrefetchAhead < chunk.rows) {
      __builtin_prefetch(values + static_cast<std::size_t>(order[i + kPrefetchAhead]) * features);
    }
    const std::uint32_t r = order[i];
    const double* row = values + static_cast<std::size_t>(r) * features;
    for (int f = 0; f < features; ++f) {
      out = FormatShortest(out, row[f]);
      *out++ = ',';
    }
    out = FormatInteger(out, chunk.labels[r]);
    *out++ = '\n';
  }
  return out;
}

std::string ClassificationGenerator::Header() const {
  std::vector<std::string> names;
  for (int f = 0; f < params_.features; ++f) names.push_back("feature_" + std::to_string(f));
  return CsvHeader(names, "target");
}

GenerateResult ClassificationGenerator::WriteCsv(const std::string& path, bool progress) const {
  AtomicFile file(path);
  Checksum checksum;
  GenerateResult result;
  const std::string header = Header();
  file.Write(header);
  checksum.Update(header.data(), header.size());
  result.bytes = static_cast<std::int64_t>(header.size());
  std::unique_ptr<ProgressBar> bar;
  if (progress) bar = std::make_unique<ProgressBar>("generate", params_.samples, "rows");
  const std::int64_t chunk_count = chunks();
  std::exception_ptr error;         // the first failure, set under the critical section
  std::atomic<bool> failed{false};  // read without it
  // An ordered parallel pipeline: each thread makes and formats whole chunks with its own
  // buffers; the writes (and the checksum) happen in chunk order while the other threads go on.
#pragma omp parallel
  {
    Chunk chunk;
    ClassificationProblem own_problem;
    const std::size_t capacity = MaxChunkChars(std::min(params_.chunk_size, params_.samples));
    auto text = std::make_unique_for_overwrite<char[]>(capacity);
#pragma omp for ordered schedule(dynamic, 1)
    for (std::int64_t c = 0; c < chunk_count; ++c) {
      std::size_t size = 0;
      if (!failed.load()) {
        try {
          GenerateChunk(c, ProblemFor(c, own_problem), chunk);
          size = static_cast<std::size_t>(FormatChunk(chunk, text.get()) - text.get());
        } catch (...) {
#pragma omp critical(scaleml_generate_error)
          if (!failed.exchange(true)) error = std::current_exception();
        }
      }
#pragma omp ordered
      {
        // An exception must not leave an OpenMP region: keep the first, rethrow after it.
        if (!failed.load()) {
          try {
            file.Write(text.get(), size);
            checksum.Update(text.get(), size);
            result.bytes += static_cast<std::int64_t>(size);
            result.rows += chunk.rows;
            if (bar) bar->Advance(chunk.rows);
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
  WriteDatasetMeta(path, result.rows, params_.features, result.bytes, result.checksum,
                   std::move(description));
  file.Commit();
  return result;
}

GeneratedRows ClassificationGenerator::GenerateAll() const {
  GeneratedRows all;
  all.rows = params_.samples;
  all.features = params_.features;
  all.values.resize(static_cast<std::size_t>(all.rows) * all.features);
  all.labels.resize(all.rows);
  const std::int64_t chunk_count = chunks();
#pragma omp parallel
  {
    Chunk chunk;
    ClassificationProblem own_problem;
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t c = 0; c < chunk_count; ++c) {
      GenerateChunk(c, ProblemFor(c, own_problem), chunk);
      const std::size_t first = static_cast<std::size_t>(c * params_.chunk_size);
      for (std::int64_t i = 0; i < chunk.rows; ++i) {
        const std::size_t r = chunk.order[i];
        std::copy_n(&chunk.values[r * all.features], all.features,
                    &all.values[(first + i) * all.features]);
        all.labels[first + i] = chunk.labels[r];
      }
    }
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
      column[r] = static_cast<float>(all.values[r * all.features + f]);
    }
  }
  std::copy(all.labels.begin(), all.labels.end(), data.mutable_labels().begin());
  return data;
}

std::int64_t RowsForSize(const GeneratorParams& params, std::int64_t target_bytes) {
  if (target_bytes < 1) throw InputError("--size must be positive, got ", target_bytes, " bytes");
  GeneratorParams sample_params = params;
  sample_params.samples = std::min(kSizeSampleRows, std::max<std::int64_t>(params.chunk_size, 1));
  sample_params.chunk_size = sample_params.samples;
  const ClassificationGenerator sampler(sample_params);
  ClassificationGenerator::Chunk chunk;
  sampler.GenerateChunk(0, sampler.ProblemForChunk(0), chunk);
  std::vector<char> text(sampler.MaxChunkChars(chunk.rows));
  const auto sample_bytes =
      static_cast<double>(sampler.FormatChunk(chunk, text.data()) - text.data());
  const double bytes_per_row = sample_bytes / static_cast<double>(chunk.rows);
  const double header = static_cast<double>(sampler.Header().size());
  const double rows = std::round((static_cast<double>(target_bytes) - header) / bytes_per_row);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(rows));
}

}  // namespace scaleml
