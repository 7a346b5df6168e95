#include "engine/tasks/TaskRegistry.h"

#include "core/Error.h"
#include "engine/tasks/DatasetObject.h"

namespace scaleml::tasks {

Dataset TaskContext::LoadDataset(const std::string& object_id) const {
  auto mapping = store->Open(object_id);
  if (mapping == nullptr) {
    throw Failure("object ", object_id, " is not in the object store of node ", node_id);
  }
  return DatasetObject::View(std::move(mapping));
}

void TaskRegistry::Register(const std::string& name, TaskFunction function) {
  functions_[name] = std::move(function);
}

const TaskFunction& TaskRegistry::Find(const std::string& name) const {
  auto it = functions_.find(name);
  if (it == functions_.end()) throw InputError("no task function named '", name, "'");
  return it->second;
}

const TaskRegistry& TaskRegistry::Builtin() {
  static const TaskRegistry registry = [] {
    TaskRegistry r;
    RegisterBuiltinTasks(r);
    return r;
  }();
  return registry;
}

}  // namespace scaleml::tasks
