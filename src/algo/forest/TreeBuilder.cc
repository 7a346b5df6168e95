#include "algo/forest/TreeBuilder.h"

#include <limits>

#include "algo/forest/Grower.h"
#include "core/Error.h"

namespace scaleml {

TreeBuilder::TreeBuilder(const BinnedFeatures& data, std::span<const std::int32_t> codes,
                         int classes, const ForestParams& params)
    : data_(data), codes_(codes), classes_(classes), params_(params) {
  if (classes > 65535) throw InputError("rf: at most 65535 classes are supported");
  if (data.features() > TreeNode::kFeatureMask) {
    throw InputError("rf: at most ", TreeNode::kFeatureMask, " features are supported");
  }
  if (data.rows() > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError("rf: at most 2^32 rows per process are supported");
  }
}

DecisionTree TreeBuilder::Build(std::uint64_t seed, std::uint64_t tree_number,
                                std::span<const std::uint16_t> weights) const {
  if (weights.size() != data_.rows()) {
    throw Failure("rf: ", weights.size(), " bootstrap weights for ", data_.rows(), " rows");
  }
  forest_growth::Grower grower(data_, codes_, weights, classes_, params_, seed, tree_number);
  return grower.Grow();
}

}  // namespace scaleml
