// scaleml._core.tune_run: the C++ TuneRunner in this process (the driver: it reads the CSV once,
// puts it into the cluster's object store and follows the trials), and the cluster file that says
// whether a cluster runs on this machine. python/scaleml/tune.py starts a private local cluster
// with the CLI when none runs (its agents must be `scaleml` processes, not forks of Python).
#include "TuneBinding.h"

#include <pybind11/stl.h>

#include "engine/tasks/ClusterFiles.h"
#include "engine/tasks/Daemon.h"
#include "engine/tune/TuneRunner.h"

namespace py = pybind11;

namespace scaleml {
namespace {

// The summary JSON of the experiment (summary.json's content), as text.
std::string TuneRun(const tune::TuneOptions& options) {
  tune::TuneResult result;
  {
    py::gil_scoped_release release;
    result = tune::TuneRunner::Run(options);
  }
  return result.summary.dump();
}

// (address, token) of the cluster whose file is in SCALEML_HOME, when its head runs here (or the
// file is a worker machine's); None otherwise.
py::object RunningCluster() {
  auto file = tasks::ReadClusterFile(tasks::ScalemlHome());
  if (!file) return py::none();
  if (file->redis_pid > 0 && !tasks::ProcessAlive(file->redis_pid, "redis-server")) {
    return py::none();
  }
  return py::make_tuple(file->address, file->token);
}

}  // namespace

void BindTune(py::module_& m) {
  py::class_<tune::TuneOptions>(m, "TuneOptions")
      .def(py::init<>())
      .def_readwrite("algo", &tune::TuneOptions::algo)
      .def_readwrite("data_path", &tune::TuneOptions::data_path)
      .def_readwrite("num_samples", &tune::TuneOptions::num_samples)
      .def_readwrite("cpus_per_trial", &tune::TuneOptions::cpus_per_trial)
      .def_readwrite("search_space", &tune::TuneOptions::search_space)
      .def_readwrite("params", &tune::TuneOptions::params)
      .def_readwrite("metric", &tune::TuneOptions::metric)
      .def_readwrite("mode", &tune::TuneOptions::mode)
      .def_readwrite("storage", &tune::TuneOptions::storage)
      .def_readwrite("name", &tune::TuneOptions::name)
      .def_readwrite("max_failures", &tune::TuneOptions::max_failures)
      .def_readwrite("address", &tune::TuneOptions::address)
      .def_readwrite("token", &tune::TuneOptions::token)
      .def_readwrite("test_size", &tune::TuneOptions::test_size)
      .def_readwrite("split_seed", &tune::TuneOptions::split_seed)
      .def_readwrite("cv_folds", &tune::TuneOptions::cv_folds)
      .def_readwrite("search_seed", &tune::TuneOptions::search_seed)
      .def_readwrite("load_threads", &tune::TuneOptions::load_threads)
      .def_readwrite("local_cpus", &tune::TuneOptions::local_cpus)
      .def_readwrite("quiet", &tune::TuneOptions::quiet)
      .def_property(
          "target", [](const tune::TuneOptions& o) { return o.csv.target; },
          [](tune::TuneOptions& o, const std::string& target) { o.csv.target = target; });
  m.def("tune_run", &TuneRun, py::arg("options"),
        "Runs the experiment (TuneRunner::Run, the GIL released) and returns its summary JSON");
  m.def("running_cluster", &RunningCluster,
        "(address, token) of the cluster of SCALEML_HOME when one runs here, else None");
}

}  // namespace scaleml
