// scaleml._core: the C++ classifiers, the CSV reader and the data generator for Python. The
// estimators of the scaleml package (python/scaleml) are thin scikit-learn wrappers over Model.
// Arrays cross without copies where the layout allows: features as Fortran-order float32 (the
// Dataset's columnar layout), so Dataset::View points into numpy's memory. Every call into the
// algorithms releases the GIL. scaleml::Error becomes ValueError (bad input) or RuntimeError.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "DdpGroup.h"
#include "FeatureInput.h"
#include "InterruptibleRun.h"
#include "TuneBinding.h"
#include "algo/Registry.h"
#include "algo/forest/ForestClassifier.h"
#include "algo/gbdt/GbdtClassifier.h"
#include "algo/knn/KnnClassifier.h"
#include "algo/logreg/LogregClassifier.h"
#include "comm/LocalComm.h"
#include "core/Error.h"
#include "core/Stopwatch.h"
#include "core/Threads.h"
#include "core/Version.h"
#include "data/ClassificationGenerator.h"
#include "data/CsvReader.h"
#include "data/Schema.h"

namespace py = pybind11;

namespace scaleml {
namespace {

using LabelArray = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>;

// Row ids 0..rows-1 and the label storage a view needs besides the caller's arrays.
struct ViewParts {
  std::vector<std::int64_t> row_ids;
  std::vector<std::int32_t> zero_labels;
};

// A Dataset over numpy memory: `features` is (rows, features) in Fortran order, i.e. columnar.
// The arrays must outlive the returned view (the caller holds them for the call). Row ids count
// from `first_row_id` (a ddp rank's rows follow the ranks' before it, as in a file's ranges).
Dataset MakeView(const ColumnarArray& features, const std::int32_t* labels,
                 const std::vector<std::string>& feature_names, const Schema* schema,
                 ViewParts& parts, std::int64_t first_row_id = 0) {
  if (features.ndim() != 2) throw InputError("X must be a 2-d array, got ", features.ndim(), "-d");
  auto rows = static_cast<std::size_t>(features.shape(0));
  auto columns = static_cast<std::size_t>(features.shape(1));
  std::vector<std::string> names = feature_names;
  if (names.empty()) {
    for (std::size_t f = 0; f < columns; ++f) names.push_back("feature_" + std::to_string(f));
  }
  if (names.size() != columns) {
    throw InputError("X has ", columns, " features but ", names.size(), " feature names");
  }
  parts.row_ids.resize(rows);
  std::iota(parts.row_ids.begin(), parts.row_ids.end(), first_row_id);
  if (labels == nullptr) {
    parts.zero_labels.assign(rows, 0);
    labels = parts.zero_labels.data();
  }
  Dataset view = Dataset::View(std::move(names), "target", rows, features.data(), labels,
                               parts.row_ids.data(), nullptr);
  if (schema != nullptr) view.set_schema(*schema);
  return view;
}

// One classifier of the registry, as the Python estimators hold it.
class Model {
 public:
  Model(const std::string& algorithm, const ParamMap& params)
      : model_(MakeClassifier(algorithm, params)) {}
  explicit Model(std::unique_ptr<Classifier> model) : model_(std::move(model)) {}

  std::string name() const { return model_->name(); }
  ParamMap params() const { return model_->params(); }
  std::vector<std::int32_t> classes() const { return model_->classes(); }
  // Features the model was trained on: known after Fit here, or from the model where it tells
  // (rf, logreg); -1 otherwise.
  int feature_count() const {
    if (features_ >= 0) return features_;
    if (const auto* forest = dynamic_cast<const ForestClassifier*>(model_.get())) {
      return forest->features();
    }
    if (const auto* logreg = dynamic_cast<const LogregClassifier*>(model_.get())) {
      if (!logreg->intercept().empty()) {
        return static_cast<int>(logreg->coef().size() / logreg->intercept().size());
      }
    }
    return -1;
  }

  // Trains in this process; Ctrl-C stops it (InterruptibleRun.h) with KeyboardInterrupt.
  // X: any float32/float64 array (FeatureInput.h: viewed or converted, and checked in that
  // pass: a NaN is a ValueError unless `allow_missing`, an infinity always; `estimator` names
  // the Python class in the message).
  void Fit(const py::array& X, const LabelArray& labels,
           const std::vector<std::string>& feature_names, const Schema& schema, int threads,
           bool allow_missing, const std::string& estimator) {
    // logreg and k-NN look at every training value themselves (FeatureEncoder: an infinity is
    // their input error, a NaN is imputed and noted), so a view of X needs no pass of its own
    // here: a NaN they were not to accept is refused once the fit has ended.
    const FeatureEncoder* fit_scans = EncoderOf(*model_);
    const FeatureInput input = ReadFeatures(
        X, threads, fit_scans != nullptr ? ScanPass::kWhenConverting : ScanPass::kAlways);
    CheckFeatureValues(input, allow_missing, estimator);
    const ColumnarArray& features = input.columns;
    CheckLabels(features, labels);
    ViewParts parts;
    Dataset train = MakeView(features, labels.data(), feature_names, &schema, parts);
    std::atomic<bool> cancel{false};
    model_->set_cancel_flag(&cancel);
    try {
      RunInterruptibly(
          [&] {
            SetThreads(threads);
            LocalComm comm;
            model_->Fit(train, comm);
          },
          cancel);
    } catch (...) {
      model_->set_cancel_flag(nullptr);
      throw;
    }
    model_->set_cancel_flag(nullptr);
    if (fit_scans != nullptr) {
      FeatureInput seen;
      seen.missing = fit_scans->training_had_missing();
      CheckFeatureValues(seen, allow_missing, estimator);
    }
    features_ = static_cast<int>(train.features());
  }

  // The encoder of a model whose fit scans every training value (logreg, k-NN); null otherwise.
  static const FeatureEncoder* EncoderOf(const Classifier& model) {
    if (const auto* logreg = dynamic_cast<const LogregClassifier*>(&model)) {
      return &logreg->encoder();
    }
    if (const auto* knn = dynamic_cast<const KnnClassifier*>(&model)) return &knn->encoder();
    return nullptr;
  }

  // One model across the ranks of `group`, each passing its own rows (collective): every rank
  // ends with the same model. Not interruptible: a rank that stopped alone would leave the others
  // waiting in a collective (the launcher stops the group on Ctrl-C).
  void FitDdp(const py::array& X, const LabelArray& labels,
              const std::vector<std::string>& feature_names, const Schema& schema, int threads,
              bool allow_missing, const std::string& estimator, DdpGroup& group) {
    const FeatureInput input = ReadFeatures(X, threads);
    CheckFeatureValues(input, allow_missing, estimator);
    const ColumnarArray& features = input.columns;
    CheckLabels(features, labels);
    const std::int64_t first_row_id = group.FirstRowId(features.shape(0));
    ViewParts parts;
    Dataset train = MakeView(features, labels.data(), feature_names, &schema, parts, first_row_id);
    {
      py::gil_scoped_release release;
      SetThreads(threads);
      model_->Fit(train, group.comm());
    }
    features_ = static_cast<int>(train.features());
  }

  static void CheckLabels(const ColumnarArray& features, const LabelArray& labels) {
    if (labels.ndim() != 1 || labels.shape(0) != features.shape(0)) {
      throw InputError("y must be 1-d with one label per row of X");
    }
  }

  // `group`: the ddp group a k-NN model was trained in (its rows stay on their ranks, so the
  // prediction is collective); null otherwise. X and the check of its values as for Fit.
  py::array_t<float> PredictProba(const py::array& X, int threads, DdpGroup* group,
                                  bool allow_missing, const std::string& estimator) const {
    const FeatureInput input = ReadFeatures(X, threads);
    CheckFeatureValues(input, allow_missing, estimator);
    ViewParts parts;
    Dataset data = MakeView(input.columns, nullptr, {}, nullptr, parts);
    const std::size_t classes = model_->classes().size();
    std::vector<float> proba = RunPrediction<float>(
        data, classes, threads, group,
        [&](const Dataset& rows, Comm& comm) { return model_->PredictProba(rows, comm); });
    py::array_t<float> out(
        {static_cast<py::ssize_t>(data.rows()), static_cast<py::ssize_t>(classes)});
    std::copy(proba.begin(), proba.end(), out.mutable_data());
    return out;
  }

  py::array_t<std::int32_t> Predict(const py::array& X, int threads, DdpGroup* group,
                                    bool allow_missing, const std::string& estimator) const {
    const FeatureInput input = ReadFeatures(X, threads);
    CheckFeatureValues(input, allow_missing, estimator);
    ViewParts parts;
    Dataset data = MakeView(input.columns, nullptr, {}, nullptr, parts);
    std::vector<std::int32_t> labels = RunPrediction<std::int32_t>(
        data, 1, threads, group,
        [&](const Dataset& rows, Comm& comm) { return model_->Predict(rows, comm); });
    py::array_t<std::int32_t> out(static_cast<py::ssize_t>(labels.size()));
    std::copy(labels.begin(), labels.end(), out.mutable_data());
    return out;
  }

  void Save(const std::string& path) const {
    py::gil_scoped_release release;
    SaveClassifier(*model_, path);
  }
  static Model Load(const std::string& path) {
    py::gil_scoped_release release;
    return Model(LoadClassifier(path));
  }

  // How many splits use each feature, over all trees (LightGBM's importance_type="split");
  // empty for the algorithms without trees that the binding can read.
  std::vector<double> SplitCounts(std::size_t features) const {
    std::vector<double> counts;
    auto count = [&](int feature) {
      if (feature >= 0 && static_cast<std::size_t>(feature) < features) counts[feature] += 1;
    };
    if (const auto* gbdt = dynamic_cast<const GbdtClassifier*>(model_.get())) {
      counts.assign(features, 0.0);
      for (const auto& tree : gbdt->trees()) {
        for (int node = 0; node < tree.internal_nodes(); ++node) count(tree.split_feature(node));
      }
    } else if (const auto* forest = dynamic_cast<const ForestClassifier*>(model_.get())) {
      counts.assign(features, 0.0);
      for (const auto& tree : forest->trees()) {
        for (const auto& node : tree.nodes()) count(node.feature);
      }
    }
    return counts;
  }

  // Logistic regression's weights as scikit-learn reports them: coef (vectors x features) and
  // intercept; a two-class softmax reports its second vector only, as scikit-learn does.
  py::tuple LinearModel(std::size_t features) const {
    const auto* logreg = dynamic_cast<const LogregClassifier*>(model_.get());
    if (logreg == nullptr) throw Failure(model_->name(), " is not a linear model");
    const auto& coef = logreg->coef();
    const auto& intercept = logreg->intercept();
    std::size_t vectors = intercept.size();
    std::size_t first = 0;
    if (model_->classes().size() == 2 && vectors == 2) first = 1;
    std::size_t kept = vectors - first;
    py::array_t<double> coef_out(
        {static_cast<py::ssize_t>(kept), static_cast<py::ssize_t>(features)});
    py::array_t<double> intercept_out(static_cast<py::ssize_t>(kept));
    for (std::size_t v = 0; v < kept; ++v) {
      for (std::size_t f = 0; f < features; ++f) {
        coef_out.mutable_at(v, f) = coef[(first + v) * features + f];
      }
      intercept_out.mutable_at(v) = intercept[first + v];
    }
    return py::make_tuple(coef_out, intercept_out);
  }

 private:
  // Query rows per block of a long prediction: the first block is small, then the size doubles
  // while a block takes under 25 ms and halves above 100 ms, so Ctrl-C is seen within about
  // 0.1 s whatever a query costs (k-NN's grows with the features), at a few blocks' overhead.
  static constexpr std::size_t kFirstBlockRows = 256;
  static constexpr std::size_t kMaxBlockRows = 65536;

  // A prediction long enough to deserve Ctrl-C: k-NN's (a search per query) on more than a
  // first block of rows, in this process. The others predict a million rows in a fraction of a
  // second; a collective k-NN prediction cannot stop on one rank alone.
  bool InterruptiblePrediction(const Dataset& data, const DdpGroup* group) const {
    return group == nullptr && data.rows() > kFirstBlockRows &&
           dynamic_cast<const KnnClassifier*>(model_.get()) != nullptr;
  }

  // `predict(rows, comm)` over `data` (values_per_row results per row) with the GIL released;
  // an interruptible prediction runs block by block (InterruptibleRun.h),
  // Ctrl-C stopping it between blocks with KeyboardInterrupt.
  template <class T, class PredictRows>
  std::vector<T> RunPrediction(const Dataset& data, std::size_t values_per_row, int threads,
                               DdpGroup* group, PredictRows predict) const {
    if (!InterruptiblePrediction(data, group)) {
      py::gil_scoped_release release;
      SetThreads(threads);
      LocalComm local;
      return predict(data, group != nullptr ? group->comm() : local);
    }
    std::vector<T> out;
    out.reserve(data.rows() * values_per_row);
    std::atomic<bool> cancel{false};
    RunInterruptibly(
        [&] {
          SetThreads(threads);
          LocalComm local;
          std::size_t block = kFirstBlockRows;
          for (std::size_t begin = 0; begin < data.rows();) {
            if (cancel.load()) throw Failure(model_->name(), ": prediction cancelled");
            Stopwatch watch;
            const std::vector<T> part = predict(RowBlock(data, begin, block), local);
            out.insert(out.end(), part.begin(), part.end());
            begin += block;
            const double seconds = watch.Seconds();
            if (seconds < 0.025) block = std::min(block * 2, kMaxBlockRows);
            if (seconds > 0.1) block = std::max(block / 2, kFirstBlockRows);
          }
        },
        cancel);
    return out;
  }

  // Rows begin..begin+count-1 of `data` (fewer at its end) as an owned Dataset.
  static Dataset RowBlock(const Dataset& data, std::size_t begin, std::size_t count) {
    const std::size_t rows = std::min(data.rows(), begin + count) - begin;
    std::vector<float> columns(rows * data.features());
    for (std::size_t f = 0; f < data.features(); ++f) {
      const auto column = data.column(f).subspan(begin, rows);
      std::copy(column.begin(), column.end(), columns.begin() + f * rows);
    }
    std::vector<std::int64_t> row_ids(rows);
    std::iota(row_ids.begin(), row_ids.end(), static_cast<std::int64_t>(begin));
    return Dataset::FromColumns(data.feature_names(), data.target_name(), std::move(columns),
                                std::vector<std::int32_t>(rows, 0), std::move(row_ids));
  }

  std::unique_ptr<Classifier> model_;
  int features_ = -1;
};

// Keeps a Dataset alive for as long as numpy arrays view its memory.
py::capsule OwnerCapsule(std::shared_ptr<Dataset> dataset) {
  auto* holder = new std::shared_ptr<Dataset>(std::move(dataset));
  return py::capsule(holder, [](void* p) { delete static_cast<std::shared_ptr<Dataset>*>(p); });
}

// A Dataset as (X, y, feature_names, schema): X a Fortran-order float32 view of its columns.
py::tuple DatasetToPython(Dataset dataset) {
  auto shared = std::make_shared<Dataset>(std::move(dataset));
  auto rows = static_cast<py::ssize_t>(shared->rows());
  auto columns = static_cast<py::ssize_t>(shared->features());
  py::capsule owner = OwnerCapsule(shared);
  const float* data = shared->feature_data().data();
  py::array_t<float> features(
      {rows, columns},
      {static_cast<py::ssize_t>(sizeof(float)), static_cast<py::ssize_t>(sizeof(float)) * rows},
      data, owner);
  py::array_t<std::int32_t> labels(rows, shared->labels().data(), owner);
  return py::make_tuple(features, labels, shared->feature_names(), shared->schema());
}

py::tuple ReadCsvToPython(const std::string& path, const std::string& target, bool allow_missing,
                          int threads, bool use_cache) {
  CsvOptions options;
  options.target = target;
  options.allow_missing = allow_missing;
  options.threads = threads;
  options.use_cache = use_cache;
  Dataset dataset;
  {
    py::gil_scoped_release release;
    if (threads > 0) SetThreads(threads);
    dataset = ReadCsv(path, options);
  }
  return DatasetToPython(std::move(dataset));
}

py::tuple GenerateToPython(const GeneratorParams& params, int threads) {
  Dataset dataset;
  {
    py::gil_scoped_release release;
    SetThreads(threads);
    dataset = GenerateDataset(params);
  }
  return DatasetToPython(std::move(dataset));
}

py::list AlgorithmList() {
  py::list out;
  for (const auto& info : Algorithms()) {
    py::list params;
    for (const auto& param : info.schema->Infos()) {
      py::dict entry;
      entry["name"] = param.name;
      entry["type"] = param.type;
      entry["default"] = param.default_text;
      entry["range"] = param.range_text;
      entry["description"] = param.description;
      params.append(entry);
    }
    py::dict algorithm;
    algorithm["name"] = info.name;
    algorithm["aliases"] = info.aliases;
    algorithm["summary"] = info.summary;
    algorithm["params"] = params;
    out.append(algorithm);
  }
  return out;
}

void BindSchema(py::module_& m) {
  py::enum_<ColumnType>(m, "ColumnType")
      .value("NUMERIC", ColumnType::kNumeric)
      .value("CATEGORICAL", ColumnType::kCategorical)
      .value("BOOLEAN", ColumnType::kBoolean)
      .value("DATETIME", ColumnType::kDatetime)
      .value("IGNORED", ColumnType::kIgnored);
  py::enum_<FeatureKind>(m, "FeatureKind")
      .value("NUMERIC", FeatureKind::kNumeric)
      .value("CATEGORICAL", FeatureKind::kCategorical);
  py::class_<SourceColumn>(m, "SourceColumn")
      .def(py::init<>())
      .def_readwrite("name", &SourceColumn::name)
      .def_readwrite("type", &SourceColumn::type)
      .def_readwrite("is_target", &SourceColumn::is_target)
      .def_readwrite("has_time", &SourceColumn::has_time);
  py::class_<FeatureInfo>(m, "FeatureInfo")
      .def(py::init<>())
      .def_readwrite("kind", &FeatureInfo::kind)
      .def_readwrite("categories", &FeatureInfo::categories);
  py::class_<Schema>(m, "Schema")
      .def(py::init<>())
      .def_readwrite("columns", &Schema::columns)
      .def_readwrite("features", &Schema::features)
      .def_readwrite("classes", &Schema::classes)
      .def("has_categorical", &Schema::HasCategorical);
}

void BindGenerator(py::module_& m) {
  py::class_<GeneratorParams>(m, "GeneratorParams")
      .def(py::init<>())
      .def_readwrite("samples", &GeneratorParams::samples)
      .def_readwrite("features", &GeneratorParams::features)
      .def_readwrite("classes", &GeneratorParams::classes)
      .def_readwrite("informative", &GeneratorParams::informative)
      .def_readwrite("redundant", &GeneratorParams::redundant)
      .def_readwrite("repeated", &GeneratorParams::repeated)
      .def_readwrite("clusters_per_class", &GeneratorParams::clusters_per_class)
      .def_readwrite("flip_y", &GeneratorParams::flip_y)
      .def_readwrite("class_sep", &GeneratorParams::class_sep)
      .def_readwrite("hypercube", &GeneratorParams::hypercube)
      .def_readwrite("shift", &GeneratorParams::shift)
      .def_readwrite("scale", &GeneratorParams::scale)
      .def_readwrite("weights", &GeneratorParams::weights)
      .def_readwrite("shuffle", &GeneratorParams::shuffle)
      .def_readwrite("seed", &GeneratorParams::seed)
      .def_readwrite("chunk_size", &GeneratorParams::chunk_size)
      .def_readwrite("problem_per_chunk", &GeneratorParams::problem_per_chunk);
  m.def("generate", &GenerateToPython, py::arg("params"), py::arg("threads") = 0,
        "The rows `scaleml generate` writes: (X float32 Fortran order, y, names, schema)");
}

}  // namespace
}  // namespace scaleml

PYBIND11_MODULE(_core, m) {
  using namespace scaleml;
  m.doc() = "scaleml's C++ classifiers, CSV reader and generator";
  m.attr("__version__") = kVersion;

  static py::exception<Error> failure(m, "Failure", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const Error& error) {
      if (error.kind() == Error::Kind::kInput) {
        PyErr_SetString(PyExc_ValueError, error.what());
      } else {
        failure(error.what());
      }
    }
  });

  BindSchema(m);
  BindGenerator(m);
  BindTune(m);
  py::class_<DdpGroup>(m, "DdpGroup")
      .def_static(
          "from_environment",
          [] {
            py::gil_scoped_release release;
            return DdpGroup::FromEnvironment();
          },
          "Joins the ddp group of the launcher's environment (RANK, WORLD_SIZE, MASTER_ADDR, ...)")
      .def_property_readonly("rank", &DdpGroup::rank)
      .def_property_readonly("size", &DdpGroup::size)
      .def(
          "allgather_bytes",
          [](DdpGroup& group, const py::bytes& mine) {
            std::string text = mine;
            std::vector<std::string> parts;
            {
              py::gil_scoped_release release;
              parts = group.AllgatherBytes(text);
            }
            py::list out;
            for (const auto& part : parts) out.append(py::bytes(part));
            return out;
          },
          py::arg("mine"))
      .def("close", &DdpGroup::Close, py::call_guard<py::gil_scoped_release>());
  m.def("algorithms", &AlgorithmList, "Every algorithm with its parameters (name, type, default)");
  m.def("hardware_threads", &HardwareThreads);
  m.def("read_csv", &ReadCsvToPython, py::arg("path"), py::arg("target") = "target",
        py::arg("allow_missing") = false, py::arg("threads") = 0, py::arg("use_cache") = true,
        "The fast reader: (X float32 Fortran order, y int32, feature names, schema)");

  py::class_<Model>(m, "Model")
      .def(py::init<const std::string&, const ParamMap&>(), py::arg("algorithm"), py::arg("params"))
      .def_property_readonly("name", &Model::name)
      .def_property_readonly("params", &Model::params)
      .def_property_readonly("classes", &Model::classes)
      .def("feature_count", &Model::feature_count)
      .def("fit", &Model::Fit, py::arg("X"), py::arg("y"), py::arg("feature_names"),
           py::arg("schema"), py::arg("threads"), py::arg("allow_missing") = true,
           py::arg("estimator") = "")
      .def("fit_ddp", &Model::FitDdp, py::arg("X"), py::arg("y"), py::arg("feature_names"),
           py::arg("schema"), py::arg("threads"), py::arg("allow_missing"), py::arg("estimator"),
           py::arg("group"))
      .def("predict_proba", &Model::PredictProba, py::arg("X"), py::arg("threads"),
           py::arg("group") = nullptr, py::arg("allow_missing") = true, py::arg("estimator") = "")
      .def("predict", &Model::Predict, py::arg("X"), py::arg("threads"), py::arg("group") = nullptr,
           py::arg("allow_missing") = true, py::arg("estimator") = "")
      .def("save", &Model::Save, py::arg("path"))
      .def_static("load", &Model::Load, py::arg("path"))
      .def("split_counts", &Model::SplitCounts, py::arg("features"))
      .def("linear_model", &Model::LinearModel, py::arg("features"));
}
