#include "engine/tune/TrialWorker.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "algo/Registry.h"
#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/Hash.h"
#include "core/Log.h"
#include "data/TrainTestSplit.h"
#include "engine/tasks/RedisClient.h"

namespace scaleml::tune {
namespace {

std::string TemporaryPath(const char* what) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != 0 ? tmp : "/tmp") + "/scaleml_" + what + "_XXXXXX";
  const int fd = mkstemp(pattern.data());
  if (fd < 0) throw Failure("tune: cannot create a temporary file in ", pattern);
  close(fd);
  return pattern;
}

}  // namespace

SplitOptions ValidationSplit(double valid_fraction, std::uint64_t split_seed) {
  return {valid_fraction, HashKey(split_seed, 0x7a1d, 0x5ca1e)};
}

std::unique_ptr<TrialOutbox> ConnectOutbox(const tasks::TaskContext& context,
                                           const std::string& channel) {
  if (context.control_address.empty()) {
    throw Failure("train_trial: this worker knows no control store to report to");
  }
  std::string host;
  int port = 0;
  tasks::ParseAddress(context.control_address, &host, &port);
  auto redis = std::make_unique<tasks::RedisClient>(host, port, context.control_token);
  // A trial outlives a restart of the head's Redis (its reports wait), as its agent does.
  redis->SetReconnectTimeout(context.control_reconnect_timeout_s);
  return std::make_unique<RedisTrialOutbox>(std::move(redis), channel);
}

TrialWorker::TrialWorker(const tasks::TaskContext& context, const nlohmann::json& report_args,
                         const Dataset& data, TrainRequest& request,
                         std::unique_ptr<TrialOutbox> outbox)
    : outbox_(std::move(outbox)) {
  if (request.cv_folds != 0) return;  // folds train models of their own: no curve
  const double valid_fraction = report_args.value("valid_fraction", 0.1);
  if (!(valid_fraction >= 0 && valid_fraction < 1)) {
    throw InputError("tune: --valid-fraction ", valid_fraction, " must be in [0, 1)");
  }
  if (report_args.value("keep_model", true)) {
    final_model_path_ = TemporaryPath("final");
    request.save_model = final_model_path_;
  }
  // 0: no per-round reports; the trial trains on all its training rows (the paper's protocol).
  if (valid_fraction == 0) return;
  const SplitOptions valid = ValidationSplit(valid_fraction, request.split.seed);
  std::vector<std::size_t> rows;
  const auto ids = data.row_ids();
  for (std::size_t r = 0; r < ids.size(); ++r) {
    if (!IsTestRow(ids[r], request.split) && IsTestRow(ids[r], valid)) rows.push_back(r);
  }
  validation_ = data.Take(rows);
  if (validation_.rows() == 0) {
    LogWarning("tune: trial ", context.task_id,
               ": no validation rows; it reports once, at its end");
  }
  request.keep_train_rows = [valid](std::span<const std::int64_t> train_ids) {
    std::vector<std::size_t> keep;
    keep.reserve(train_ids.size());
    for (std::size_t r = 0; r < train_ids.size(); ++r) {
      if (!IsTestRow(train_ids[r], valid)) keep.push_back(r);
    }
    return keep;
  };
  TrialMonitorOptions options;
  options.metric = report_args.value("metric", std::string("accuracy"));
  options.checkpoint_every = report_args.value("checkpoint_freq", 0);
  options.attempt = context.attempt;
  monitor_ = std::make_unique<TrialMonitor>(*outbox_, validation_, options);

  // The checkpoint to continue from, when the driver handed one over.
  const std::optional<StoredCheckpoint> resume = outbox_->ResumeModel();
  if (resume && !resume->model.empty()) {
    const std::string path = TemporaryPath("resume");
    try {
      WriteFileAtomically(path, resume->model);
      resume_model_ = LoadClassifier(path);
    } catch (const std::exception& e) {
      LogWarning("tune: trial ", context.task_id, ": its checkpoint cannot be loaded (", e.what(),
                 "); it starts over");
    }
    std::filesystem::remove(path);
  }
  if (resume_model_ != nullptr) resumed_from_ = resume->iteration;
  request.prepare_model = [this](std::unique_ptr<Classifier>& model) {
    if (resume_model_ != nullptr && resume_model_->name() == model->name()) {
      model = std::move(resume_model_);
      model->set_warm_start(true);
    }
    if (validation_.rows() > 0) model->set_monitoring({&validation_, monitor_.get(), 1});
  };
}

TrialWorker::~TrialWorker() {
  if (!final_model_path_.empty()) {
    std::error_code ec;
    std::filesystem::remove(final_model_path_, ec);
  }
}

void TrialWorker::Finish(nlohmann::json& result) {
  int iterations = 0;
  if (monitor_ != nullptr) {
    iterations = std::max(monitor_->last_iteration(), resumed_from_);
    result["iterations"] = iterations;
    result["stopped_early"] = monitor_->stopped();
    result["validation_metric"] =
        monitor_->last_iteration() > 0 && std::isfinite(monitor_->last_metric())
            ? nlohmann::json(monitor_->last_metric())
            : nlohmann::json(nullptr);
    result["resumed_from"] = resumed_from_;
  }
  std::error_code ec;
  if (final_model_path_.empty()) return;
  const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(final_model_path_, ec));
  if (ec || bytes == 0) return;
  if (!outbox_->CarriesCheckpoint(bytes)) {
    result["final_checkpoint"] = false;
    result["checkpoint_refused"] = CheckpointRefused(bytes);
    LogWarning("tune: ", CheckpointRefused(bytes));
    return;
  }
  result["final_checkpoint"] =
      outbox_->StoreCheckpoint({std::max(iterations, 1), ReadWholeFile(final_model_path_)});
}

}  // namespace scaleml::tune
