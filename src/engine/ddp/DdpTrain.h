// `scaleml train --engine ddp`: one rank of a group started by `scaleml launch` or torchrun. It
// reads the torchrun environment, joins the Gloo process group (libscaleml_gloo.so, loaded
// now), runs RunTrainJob in one of two modes, and gathers every rank's phase times and
// communication so that rank 0 can report them:
// - one-model (the default): the ranks read their byte ranges of the file and train one model
//   together through the group;
// - paper (the paper's PyTorch protocol): every rank reads the whole file, trains a model of its
//   own with LocalComm on its share of the training rows (PaperSplit.h) and scores the whole test
//   set; the group only gathers the report (mean accuracy, slowest rank's phase times).
// Thread-safety: RunDdpTrain forms a process group; call it once per process.
#pragma once

#include "engine/EngineKind.h"
#include "engine/TrainJob.h"
#include "engine/ddp/RankEnvironment.h"

namespace scaleml {

// The thread count a rank uses when --threads is not given: OMP_NUM_THREADS (which the launcher
// sets to the node's cores divided by its ranks), or 0 (all cores) when it is unset.
int DdpDefaultThreads();

// Throws an InputError when not run under a launcher, a Failure when the group fails. Every rank
// returns a report (report.rank: its rank) with every rank's times (per_rank).
// One-model: global accuracy, metrics and row counts, times are this rank's. Paper: the mean of
// the ranks' accuracies and other metrics (the confusion matrix is rank 0's model's), rows_train
// summed over the ranks' shares, rows_test the whole test set, each phase time the slowest
// rank's, and accuracy_per_rank / rows_train_per_rank; only rank 0 writes request.save_model
// (its own model).
// `overrides` stand in for MASTER_ADDR/MASTER_PORT under mpirun and srun (RankEnvironment.h).
TrainReport RunDdpTrain(const TrainRequest& request, DdpMode mode = DdpMode::kOneModel,
                        const RankOverrides& overrides = {});

}  // namespace scaleml
