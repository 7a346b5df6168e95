// The make_classification generator: the statistics scikit-learn's algorithm promises (class
// proportions, flip fraction, exact linear redundancy, repeated copies, hypercube centroids),
// the streaming guarantees (same bytes for any thread count, file == in-memory API), and the
// difference between one problem per file and one per chunk.
#include "data/ClassificationGenerator.h"

#include <gtest/gtest.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "data/CsvReader.h"
#include "data/DatasetMeta.h"

namespace scaleml {
namespace {

GeneratorParams Params(std::int64_t samples, std::uint64_t seed = 1) {
  GeneratorParams p;
  p.samples = samples;
  p.seed = seed;
  return p;
}

double Column(const GeneratedRows& rows, std::int64_t r, int c) {
  return rows.values[static_cast<std::size_t>(r) * rows.features + c];
}

// Least squares fit of column `target` on `sources` (normal equations, Gaussian elimination with
// partial pivoting); returns the largest absolute residual over the rows.
double MaxResidual(const GeneratedRows& rows, const std::vector<int>& sources, int target) {
  const int n = static_cast<int>(sources.size());
  std::vector<double> a(n * (n + 1), 0.0);
  for (std::int64_t r = 0; r < rows.rows; ++r) {
    for (int i = 0; i < n; ++i) {
      const double xi = Column(rows, r, sources[i]);
      for (int j = 0; j < n; ++j) a[i * (n + 1) + j] += xi * Column(rows, r, sources[j]);
      a[i * (n + 1) + n] += xi * Column(rows, r, target);
    }
  }
  for (int col = 0; col < n; ++col) {
    int pivot = col;
    for (int i = col + 1; i < n; ++i) {
      if (std::abs(a[i * (n + 1) + col]) > std::abs(a[pivot * (n + 1) + col])) pivot = i;
    }
    for (int j = 0; j <= n; ++j) std::swap(a[col * (n + 1) + j], a[pivot * (n + 1) + j]);
    for (int i = 0; i < n; ++i) {
      if (i == col) continue;
      const double factor = a[i * (n + 1) + col] / a[col * (n + 1) + col];
      for (int j = col; j <= n; ++j) a[i * (n + 1) + j] -= factor * a[col * (n + 1) + j];
    }
  }
  std::vector<double> beta(n);
  for (int i = 0; i < n; ++i) beta[i] = a[i * (n + 1) + n] / a[i * (n + 1) + i];
  double worst = 0.0;
  for (std::int64_t r = 0; r < rows.rows; ++r) {
    double fit = 0.0;
    for (int i = 0; i < n; ++i) fit += beta[i] * Column(rows, r, sources[i]);
    worst = std::max(worst, std::abs(fit - Column(rows, r, target)));
  }
  return worst;
}

std::vector<double> ColumnStddevs(const GeneratedRows& rows, std::int64_t begin, std::int64_t end) {
  std::vector<double> result;
  for (int c = 0; c < rows.features; ++c) {
    double sum = 0, sum2 = 0;
    for (std::int64_t r = begin; r < end; ++r) {
      sum += Column(rows, r, c);
      sum2 += Column(rows, r, c) * Column(rows, r, c);
    }
    const double n = static_cast<double>(end - begin);
    result.push_back(std::sqrt(sum2 / n - (sum / n) * (sum / n)));
  }
  return result;
}

double MaxRelativeDifference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(a[i], b[i]));
  }
  return worst;
}

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("scaleml_gen_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(ClassificationGeneratorTest, DefaultsAreThePapersAndScikitLearnsAlgorithmSizes) {
  const GeneratorParams p = ResolveGeneratorParams(Params(100));
  EXPECT_EQ(p.features, 10);
  EXPECT_EQ(p.informative, 5);
  EXPECT_EQ(p.redundant, 5);
  EXPECT_EQ(p.useless(), 0);
  EXPECT_EQ(p.classes, 2);
  EXPECT_EQ(p.clusters_per_class, 2);
  EXPECT_DOUBLE_EQ(p.flip_y, 0.01);
  // scikit-learn: int(n * w / cpc) per cluster, then the remainder one by one from cluster 0.
  EXPECT_EQ(ClusterSizes(ResolveGeneratorParams(Params(10)), 10),
            (std::vector<std::int64_t>{3, 3, 2, 2}));
  GeneratorParams weighted = Params(100);
  weighted.classes = 3;
  weighted.clusters_per_class = 1;
  weighted.weights = {0.5, 0.25};  // the last class gets the rest
  EXPECT_EQ(ClusterSizes(ResolveGeneratorParams(weighted), 100),
            (std::vector<std::int64_t>{50, 25, 25}));
}

TEST(ClassificationGeneratorTest, ValidatesLikeScikitLearnNamingTheFlag) {
  auto expect_error = [](GeneratorParams p, const std::string& flag) {
    try {
      ResolveGeneratorParams(p);
      ADD_FAILURE() << "no error for " << flag;
    } catch (const Error& e) {
      EXPECT_EQ(e.ExitCode(), 2);
      EXPECT_NE(std::string(e.what()).find(flag), std::string::npos) << e.what();
    }
  };
  GeneratorParams p = Params(10);
  p.informative = 5, p.redundant = 5, p.repeated = 1;
  expect_error(p, "--informative + --redundant + --repeated");
  p = Params(10);
  p.informative = 2, p.classes = 3;  // 3 * 2 clusters > 2**2 vertices
  expect_error(p, "2**--informative");
  p = Params(10);
  p.weights = {0.1, 0.2, 0.3};
  expect_error(p, "--weights");
  p = Params(10);
  p.flip_y = 1.5;
  expect_error(p, "--flip-y");
  p = Params(0);
  expect_error(p, "--samples");
  p = Params(10);
  p.chunk_size = 0;
  expect_error(p, "--chunk-size");
  // The boundary scikit-learn accepts: 2 classes x 2 clusters = 2**2 vertices.
  p = Params(10);
  p.features = 4, p.informative = 2, p.redundant = 0;
  EXPECT_NO_THROW(ResolveGeneratorParams(p));
}

TEST(ClassificationGeneratorTest, ClassProportionsFollowWeightsInEveryChunk) {
  GeneratorParams p = Params(60000);
  p.classes = 3;
  p.weights = {0.2, 0.3, 0.5};
  p.flip_y = 0.0;
  p.chunk_size = 25000;  // chunks of 25000, 25000, 10000
  const GeneratedRows rows = GenerateRows(p);
  const std::int64_t chunk_rows[] = {25000, 25000, 10000};
  std::int64_t first = 0;
  for (std::int64_t n : chunk_rows) {
    std::vector<std::int64_t> counts(3, 0);
    for (std::int64_t r = first; r < first + n; ++r) ++counts[rows.labels[r]];
    EXPECT_EQ(counts[0], n * 2 / 10);
    EXPECT_EQ(counts[1], n * 3 / 10);
    EXPECT_EQ(counts[2], n * 5 / 10);
    first += n;
  }
  // With the default flips the balance holds within a tolerance.
  const GeneratedRows flipped = GenerateRows(Params(40000));
  const auto ones = std::count(flipped.labels.begin(), flipped.labels.end(), 1);
  EXPECT_NEAR(static_cast<double>(ones) / 40000.0, 0.5, 0.01);
}

TEST(ClassificationGeneratorTest, FlipYReplacesThatFractionOfLabelsByRandomClasses) {
  GeneratorParams p = Params(50000, 4);
  p.classes = 4;
  p.informative = 5;
  p.flip_y = 0.0;
  const GeneratedRows clean = GenerateRows(p);
  p.flip_y = 0.2;
  const GeneratedRows noisy = GenerateRows(p);
  ASSERT_EQ(clean.values, noisy.values);  // flips touch labels only
  std::int64_t changed = 0;
  for (std::int64_t r = 0; r < clean.rows; ++r) changed += clean.labels[r] != noisy.labels[r];
  // A flipped label is a uniform class, so it changes with probability 1 - 1/classes.
  const double expected = 0.2 * (1.0 - 1.0 / 4.0);
  EXPECT_NEAR(static_cast<double>(changed) / 50000.0, expected, 0.008);
}

TEST(ClassificationGeneratorTest, RedundantAreExactLinearCombinationsAndUselessAreNot) {
  GeneratorParams p = Params(3000, 2);
  p.features = 14;
  p.informative = 4;
  p.redundant = 5;
  p.repeated = 3;  // 2 useless
  p.shuffle = false;
  const GeneratedRows rows = GenerateRows(p);
  const std::vector<int> informative = {0, 1, 2, 3};
  for (int c = 4; c < 9; ++c) {
    EXPECT_LT(MaxResidual(rows, informative, c), 1e-9) << "redundant column " << c;
  }
  for (int c = 12; c < 14; ++c) {
    EXPECT_GT(MaxResidual(rows, informative, c), 1.0) << "useless column " << c;
  }
  // Repeated columns are bit-identical copies of informative or redundant ones.
  for (int c = 9; c < 12; ++c) {
    bool found = false;
    for (int source = 0; source < 9 && !found; ++source) {
      bool same = true;
      for (std::int64_t r = 0; r < rows.rows && same; ++r) {
        same = Column(rows, r, c) == Column(rows, r, source);
      }
      found = same;
    }
    EXPECT_TRUE(found) << "repeated column " << c;
  }
  // Informative columns are not combinations of each other.
  EXPECT_GT(MaxResidual(rows, {0, 1, 2}, 3), 1.0);
}

TEST(ClassificationGeneratorTest, CentroidsAreDistinctHypercubeVertices) {
  GeneratorParams p = ResolveGeneratorParams(Params(10));
  p.informative = 3;
  p.classes = 4;  // 8 clusters: every vertex of the 3-cube
  p.class_sep = 1.5;
  Rng rng(5);
  const auto problem = ClassificationProblem::Draw(p, rng);
  std::set<std::vector<double>> vertices;
  for (int k = 0; k < problem.clusters; ++k) {
    std::vector<double> vertex(problem.centroids.begin() + k * 3,
                               problem.centroids.begin() + k * 3 + 3);
    for (double v : vertex) EXPECT_TRUE(v == 1.5 || v == -1.5) << v;
    vertices.insert(vertex);
  }
  EXPECT_EQ(vertices.size(), 8u);
  for (double a : problem.transforms) EXPECT_TRUE(a >= -1.0 && a < 1.0);
}

TEST(ClassificationGeneratorTest, ColumnShuffleIsAPermutationOfTheUnshuffledRows) {
  GeneratorParams p = Params(5000, 8);
  p.features = 8;
  p.informative = 3;
  p.redundant = 2;  // 3 useless
  p.shuffle = false;
  const GeneratedRows plain = GenerateRows(p);
  p.shuffle = true;
  const GeneratedRows shuffled = GenerateRows(p);
  const auto order = ClassificationGenerator(p).ProblemForChunk(0).column_order;
  std::vector<int> identity(8);
  for (int c = 0; c < 8; ++c) identity[c] = c;
  EXPECT_NE(order, identity);
  EXPECT_TRUE(std::is_permutation(order.begin(), order.end(), identity.begin()));
  // Rows of the shuffled file, columns put back, are exactly the unshuffled rows, reordered.
  auto rows_of = [](const GeneratedRows& g, const std::vector<int>& column_order) {
    std::vector<std::vector<double>> result(g.rows, std::vector<double>(g.features + 1));
    for (std::int64_t r = 0; r < g.rows; ++r) {
      for (int c = 0; c < g.features; ++c) result[r][column_order[c]] = Column(g, r, c);
      result[r][g.features] = g.labels[r];
    }
    return result;
  };
  auto a = rows_of(plain, identity);
  auto b = rows_of(shuffled, order);
  EXPECT_NE(a, b);  // the rows were shuffled too
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
  // Unshuffled rows come cluster by cluster: labels in runs (0 0 .. 1 1 .. 0 0 .. 1 1 ..).
  int runs = 1;
  for (std::int64_t r = 1; r < plain.rows; ++r) runs += plain.labels[r] != plain.labels[r - 1];
  EXPECT_LT(runs, 200);  // 4 runs plus the 1% flips
}

TEST(ClassificationGeneratorTest, OneProblemPerFileByDefaultOnePerChunkInPaperMode) {
  GeneratorParams p = Params(40000, 6);
  p.chunk_size = 20000;
  const ClassificationGenerator shared(p);
  EXPECT_EQ(shared.ProblemForChunk(0).centroids, shared.ProblemForChunk(1).centroids);
  EXPECT_EQ(shared.ProblemForChunk(0).transforms, shared.ProblemForChunk(1).transforms);
  const GeneratedRows one = shared.GenerateAll();
  EXPECT_LT(MaxRelativeDifference(ColumnStddevs(one, 0, 20000), ColumnStddevs(one, 20000, 40000)),
            0.05);

  p.problem_per_chunk = true;
  const ClassificationGenerator paper(p);
  EXPECT_NE(paper.ProblemForChunk(0).transforms, paper.ProblemForChunk(1).transforms);
  const GeneratedRows each = paper.GenerateAll();
  EXPECT_GT(MaxRelativeDifference(ColumnStddevs(each, 0, 20000), ColumnStddevs(each, 20000, 40000)),
            0.15);
  // Chunk 0 is the same problem in both modes: the first chunk's rows agree.
  EXPECT_TRUE(std::equal(one.values.begin(), one.values.begin() + 20000 * 10, each.values.begin()));
}

TEST(ClassificationGeneratorTest, SameBytesForAnyThreadCountAndFileMatchesInMemoryRows) {
  GeneratorParams p = Params(45001, 9);
  p.chunk_size = 20000;  // two blocks per chunk and a short last chunk
  p.problem_per_chunk = true;
  const ClassificationGenerator generator(p);
  TempDir dir;
  const int saved = omp_get_max_threads();
  std::vector<std::string> texts;
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    const std::string path = dir.File("t" + std::to_string(threads) + ".csv");
    const GenerateResult result = generator.WriteCsv(path, false);
    texts.push_back(ReadWholeFile(path));
    EXPECT_EQ(result.rows, 45001);
    EXPECT_EQ(result.bytes, static_cast<std::int64_t>(texts.back().size()));
    EXPECT_EQ(result.checksum, ChecksumOf(texts.back().data(), texts.back().size()));
  }
  omp_set_num_threads(saved);
  EXPECT_TRUE(texts[0] == texts[1]);
  EXPECT_TRUE(texts[0] == texts[2]);

  // Parsed back, the file holds exactly the in-memory rows (shortest round-trip doubles).
  const GeneratedRows rows = generator.GenerateAll();
  const std::string& text = texts[0];
  std::size_t pos = text.find('\n');
  EXPECT_EQ(text.substr(0, pos), generator.Header().substr(0, generator.Header().size() - 1));
  const char* p_text = text.data() + pos + 1;
  const char* end = text.data() + text.size();
  for (std::int64_t r = 0; r < rows.rows; ++r) {
    for (int c = 0; c < rows.features; ++c) {
      double value = 0;
      const auto parsed = std::from_chars(p_text, end, value);
      ASSERT_EQ(parsed.ec, std::errc());
      ASSERT_EQ(std::bit_cast<std::uint64_t>(value),
                std::bit_cast<std::uint64_t>(Column(rows, r, c)))
          << "row " << r << " column " << c;
      p_text = parsed.ptr + 1;
    }
    int label = -1;
    const auto parsed = std::from_chars(p_text, end, label);
    ASSERT_EQ(parsed.ec, std::errc());
    ASSERT_EQ(label, rows.labels[r]);
    ASSERT_EQ(*parsed.ptr, '\n');
    p_text = parsed.ptr + 1;
  }
  EXPECT_EQ(p_text, end);

  // GenerateDataset is the same rows as float32.
  const Dataset data = GenerateDataset(p);
  ASSERT_EQ(data.rows(), 45001u);
  for (std::int64_t r = 0; r < rows.rows; r += 997) {
    for (int c = 0; c < rows.features; ++c) {
      EXPECT_EQ(data.at(r, c), static_cast<float>(Column(rows, r, c)));
    }
    EXPECT_EQ(data.labels()[r], rows.labels[r]);
  }
}

TEST(ClassificationGeneratorTest, ReadingTheFileGivesGenerateDatasetBitForBit) {
  GeneratorParams p = Params(30000, 12);
  p.features = 7;
  p.scale = std::nullopt;  // values up to ~100: more digits, more float rounding cases
  p.chunk_size = 9000;
  TempDir dir;
  const std::string path = dir.File("r.csv");
  ClassificationGenerator(p).WriteCsv(path, false);
  CsvOptions options;
  options.use_cache = false;
  const Dataset read = ReadCsv(path, options);
  const Dataset made = GenerateDataset(p);
  ASSERT_EQ(read.rows(), made.rows());
  ASSERT_EQ(read.features(), made.features());
  EXPECT_EQ(read.feature_names(), made.feature_names());
  for (std::size_t f = 0; f < made.features(); ++f) {
    for (std::size_t r = 0; r < made.rows(); ++r) {
      ASSERT_EQ(std::bit_cast<std::uint32_t>(read.at(r, f)),
                std::bit_cast<std::uint32_t>(made.at(r, f)))
          << "row " << r << " feature " << f;
    }
  }
  EXPECT_TRUE(std::equal(read.labels().begin(), read.labels().end(), made.labels().begin()));
}

TEST(ClassificationGeneratorTest, WritesMetaAndJsonAndNoTemporaryFiles) {
  GeneratorParams p = Params(12345, 3);
  p.features = 6;
  const ClassificationGenerator generator(p);
  TempDir dir;
  const std::string path = dir.File("data.csv");
  const GenerateResult result = generator.WriteCsv(path, false);
  const std::string text = ReadWholeFile(path);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 12346);

  const PaperMeta meta = ReadPaperMeta(MetaPath(path));
  EXPECT_EQ(meta.num_samples, 12345);
  EXPECT_EQ(meta.num_features, 6);
  EXPECT_NEAR(meta.dataset_size_mb, static_cast<double>(text.size()) / 1048576.0, 0.005);

  const auto json = nlohmann::json::parse(ReadWholeFile(JsonPath(path)));
  EXPECT_EQ(json["rows"], 12345);
  EXPECT_EQ(json["bytes"], text.size());
  EXPECT_EQ(json["checksum"], ChecksumText(ChecksumOf(text.data(), text.size())));
  EXPECT_EQ(json["checksum"], ChecksumText(result.checksum));
  EXPECT_EQ(json["parameters"]["seed"], 3);
  EXPECT_EQ(json["parameters"]["informative"], 3);
  EXPECT_EQ(json["parameters"]["redundant"], 3);
  EXPECT_EQ(json["parameters"]["flip_y"], 0.01);
  EXPECT_EQ(json["parameters"]["problem_per_chunk"], false);

  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    names.insert(entry.path().filename().string());
  }
  EXPECT_EQ(names, (std::set<std::string>{"data.csv", "data.csv.meta", "data.csv.json"}));
}

TEST(ClassificationGeneratorTest, UnwritableOutputIsAnInputError) {
  const ClassificationGenerator generator(Params(10));
  try {
    generator.WriteCsv("/nonexistent-folder/x.csv", false);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.ExitCode(), 2);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-folder/x.csv"), std::string::npos);
  }
}

TEST(ClassificationGeneratorTest, RowsForSizeLandsNearTheSize) {
  GeneratorParams p = Params(1);
  const std::int64_t rows = RowsForSize(p, 2'000'000);
  p.samples = rows;
  TempDir dir;
  const GenerateResult result = ClassificationGenerator(p).WriteCsv(dir.File("s.csv"), false);
  EXPECT_NEAR(static_cast<double>(result.bytes), 2e6, 2e6 * 0.01);
}

TEST(ClassificationGeneratorTest, DifferentSeedsDifferentData) {
  const GeneratedRows a = GenerateRows(Params(100, 1));
  const GeneratedRows b = GenerateRows(Params(100, 2));
  EXPECT_NE(a.values, b.values);
  EXPECT_EQ(GenerateRows(Params(100, 1)).values, a.values);
}

// Splits a CSV line into its fields.
std::vector<std::string> Fields(const std::string& text, std::size_t& pos) {
  std::vector<std::string> fields;
  const std::size_t end = text.find('\n', pos);
  std::size_t start = pos;
  while (true) {
    const std::size_t comma = std::min(text.find(',', start), end);
    fields.push_back(text.substr(start, comma - start));
    if (comma == end) break;
    start = comma + 1;
  }
  pos = end + 1;
  return fields;
}

TEST(ClassificationGeneratorTest, CategoricalAndMissingAreTheSameBytesForAnyThreadCount) {
  GeneratorParams p = Params(45001, 9);
  p.chunk_size = 20000;
  p.problem_per_chunk = true;  // every chunk its own problem: the binning follows each
  p.categorical = 5;
  p.missing = 0.07;
  const ClassificationGenerator generator(p);
  TempDir dir;
  const int saved = omp_get_max_threads();
  std::vector<std::string> texts;
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    const std::string path = dir.File(std::string("t").append(std::to_string(threads)));
    generator.WriteCsv(path, false);
    texts.push_back(ReadWholeFile(path));
  }
  omp_set_num_threads(saved);
  EXPECT_TRUE(texts[0] == texts[1]);
  EXPECT_TRUE(texts[0] == texts[2]);

  // The levels: 10 to 10,000 over the five columns of informative features.
  std::vector<int> levels = generator.column_levels();
  std::vector<int> sorted_levels;
  for (int l : levels) {
    if (l > 0) sorted_levels.push_back(l);
  }
  std::sort(sorted_levels.begin(), sorted_levels.end());
  EXPECT_EQ(sorted_levels, (std::vector<int>{10, 56, 316, 1778, 10000}));
  const ClassificationProblem first = generator.ProblemForChunk(0);
  for (int s = 0; s < 5; ++s) EXPECT_GT(levels[first.output_column[s]], 0);

  // The text is the in-memory rows: levels as names, NaN as empty; the empty share is --missing.
  const GeneratedRows rows = generator.GenerateAll();
  const std::string& text = texts[0];
  std::size_t pos = text.find('\n') + 1;
  std::int64_t empty = 0;
  std::vector<std::int64_t> count_of_level(10, 0);
  const int ten = static_cast<int>(std::find(levels.begin(), levels.end(), 10) - levels.begin());
  for (std::int64_t r = 0; r < rows.rows; ++r) {
    const auto fields = Fields(text, pos);
    ASSERT_EQ(fields.size(), 11u);
    for (int c = 0; c < 10; ++c) {
      const double value = Column(rows, r, c);
      if (std::isnan(value)) {
        ASSERT_EQ(fields[c], "") << r << "," << c;
        ++empty;
      } else if (levels[c] > 0) {
        ASSERT_EQ(fields[c],
                  ClassificationGenerator::CategoryName(static_cast<int>(value), levels[c]));
        ASSERT_LT(value, levels[c]);
        if (c == ten) ++count_of_level[static_cast<int>(value)];
      } else {
        ASSERT_EQ(std::stod(fields[c]), value);
      }
    }
  }
  EXPECT_NEAR(static_cast<double>(empty) / (rows.rows * 10.0), 0.07, 0.003);
  // Levels of (about) equal probability: each of ten holds about a tenth of the present cells.
  for (std::int64_t n : count_of_level) EXPECT_NEAR(n / (rows.rows * 0.93), 0.1, 0.02);
  // Names are a permutation of the levels that does not keep their order.
  for (int levels : {10, 56, 316, 10000}) {
    std::vector<std::string> names;
    for (int level = 0; level < levels; ++level) {
      names.push_back(ClassificationGenerator::CategoryName(level, levels));
      EXPECT_EQ(names.back().size(), std::to_string(levels - 1).size() + 1);
    }
    EXPECT_FALSE(std::is_sorted(names.begin(), names.end()));
    std::sort(names.begin(), names.end());
    EXPECT_EQ(std::unique(names.begin(), names.end()), names.end()) << levels;
  }
  EXPECT_EQ(ClassificationGenerator::CategoryName(0, 10), "c0");

  const auto json = nlohmann::json::parse(ReadWholeFile(JsonPath(dir.File("t1"))));
  EXPECT_EQ(json["parameters"]["categorical"], 5);
  EXPECT_EQ(json["parameters"]["missing"], 0.07);
  EXPECT_EQ(json["categorical_columns"].size(), 5u);
}

TEST(ClassificationGeneratorTest, LevelsFollowTheValuesSoTheLabelStaysLearnable) {
  GeneratorParams p = Params(20000, 4);
  GeneratorParams categorical = p;
  categorical.categorical = 3;
  const ClassificationGenerator generator(categorical);
  const GeneratedRows numbers = GenerateRows(p);  // the same draws, as numbers
  const GeneratedRows coded = generator.GenerateAll();
  EXPECT_EQ(numbers.labels, coded.labels);
  for (int c = 0; c < 10; ++c) {
    const int levels = generator.column_levels()[c];
    if (levels == 0) {
      for (std::int64_t r = 0; r < 100; ++r) EXPECT_EQ(Column(numbers, r, c), Column(coded, r, c));
      continue;
    }
    // Sorted by value, levels never go down, and they use most of their range.
    std::vector<std::pair<double, double>> pairs;
    for (std::int64_t r = 0; r < numbers.rows; ++r) {
      pairs.emplace_back(Column(numbers, r, c), Column(coded, r, c));
    }
    std::sort(pairs.begin(), pairs.end());
    for (std::size_t i = 1; i < pairs.size(); ++i) {
      ASSERT_LE(pairs[i - 1].second, pairs[i].second) << "column " << c;
    }
    EXPECT_LE(pairs.front().second, levels * 0.01);
    EXPECT_GE(pairs.back().second, levels * 0.99 - 1);
  }
}

TEST(ClassificationGeneratorTest, GenerateDatasetCarriesTheCategoricalSchema) {
  GeneratorParams p = Params(5000, 6);
  p.categorical = 2;
  p.missing = 0.1;
  const ClassificationGenerator generator(p);
  const GeneratedRows rows = generator.GenerateAll();
  const Dataset data = GenerateDataset(p);
  const Schema& schema = data.schema();
  ASSERT_EQ(schema.features.size(), 10u);
  ASSERT_EQ(schema.columns.size(), 11u);
  EXPECT_TRUE(schema.columns[10].is_target);
  int categorical = 0;
  for (int c = 0; c < 10; ++c) {
    const int levels = generator.column_levels()[c];
    EXPECT_EQ(schema.IsCategorical(c), levels > 0);
    if (levels == 0) continue;
    ++categorical;
    EXPECT_EQ(schema.columns[c].type, ColumnType::kCategorical);
    const auto& dictionary = schema.features[c].categories;
    EXPECT_TRUE(std::is_sorted(dictionary.begin(), dictionary.end()));
    for (std::int64_t r = 0; r < rows.rows; ++r) {
      const double level = Column(rows, r, c);
      const float code = data.at(r, c);
      if (std::isnan(level)) {
        ASSERT_TRUE(std::isnan(code));
        continue;
      }
      ASSERT_EQ(dictionary.at(static_cast<std::size_t>(code)),
                ClassificationGenerator::CategoryName(static_cast<int>(level), levels));
    }
  }
  EXPECT_EQ(categorical, 2);
}

TEST(ClassificationGeneratorTest, CategoricalAndMissingAreValidated) {
  GeneratorParams p = Params(10);
  p.categorical = 6;  // more than the 5 informative
  EXPECT_THROW(ClassificationGenerator{p}, Error);
  p.categorical = -1;
  EXPECT_THROW(ClassificationGenerator{p}, Error);
  p.categorical = 0;
  p.missing = 1.0;
  EXPECT_THROW(ClassificationGenerator{p}, Error);
  p.missing = -0.1;
  EXPECT_THROW(ClassificationGenerator{p}, Error);
}

TEST(ClassificationGeneratorTest, AFolderAsOutputIsRefusedBeforeWriting) {
  TempDir dir;
  try {
    ClassificationGenerator(Params(10)).WriteCsv(dir.path().string(), false);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.ExitCode(), 2);
    EXPECT_NE(std::string(e.what()).find("is a folder"), std::string::npos);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace scaleml
