// Tasks that only the tests run: the production binary's registry (TaskRegistry::Builtin) does
// not offer them. Node agents forked by the tests (TestCluster.h) take TestRegistry().
#pragma once

#include "engine/tasks/TaskRegistry.h"

namespace scaleml::tasks {

// sleep (writes its worker's PID to args.pid_file, then sleeps args.seconds), crash (SIGKILLs
// itself on the first args.crash_attempts attempts), fail (an InputError with args.message),
// dataset_sum (an object's rows and feature sum as this node sees it).
void RegisterTestTasks(TaskRegistry& registry);

// The builtin tasks and the test tasks.
const TaskRegistry& TestRegistry();

}  // namespace scaleml::tasks
