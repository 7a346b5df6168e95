#include "algo/gbdt/SerialTreeLearner.h"

#include <algorithm>
#include <numeric>

#include "comm/CommOps.h"

namespace scaleml {

SerialTreeLearner::SerialTreeLearner(const BinnedMatrix& matrix, const QuantileBins& bins,
                                     const GbdtParams& params, Comm& comm)
    : matrix_(matrix),
      bins_(bins),
      params_(params),
      comm_(comm),
      total_bins_(bins.total_bins()),
      builder_(matrix, bins),
      pool_(static_cast<std::size_t>(params.num_leaves + 1) * (bins.total_bins() + 1)) {
  constraints_.lambda_l1 = params.lambda_l1;
  constraints_.lambda_l2 = params.lambda_l2;
  constraints_.min_sum_hessian = params.min_sum_hessian_in_leaf;
  constraints_.min_gain = params.min_gain_to_split;
  constraints_.min_data = params.min_data_in_leaf;
}

std::int64_t SerialTreeLearner::BuildGlobal(const std::uint32_t* rows, std::size_t count,
                                            const GradientPair* gradients,
                                            std::span<const int> features, HistBin* slot) {
  builder_.Build(rows, count, gradients, features, slot);
  slot[total_bins_] = HistBin{static_cast<std::int64_t>(count), 0};
  if (comm_.size() > 1) {
    static_assert(sizeof(HistBin) == 2 * sizeof(std::int64_t));
    ThrowIfFailed(comm_,
                  comm_.AllreduceBytes(slot, SlotSize() * 2, DataType::kInt64, ReduceOp::kSum),
                  "gbdt histogram allreduce");
  }
  const std::int64_t global = slot[total_bins_].g;
  const double even_share = static_cast<double>(global) / comm_.size();
  ++stats_.builds;
  stats_.rows += static_cast<std::int64_t>(count);
  stats_.even_share_rows += even_share;
  stats_.rows_above_even_share += std::max(0.0, static_cast<double>(count) - even_share);
  return global;
}

bool SerialTreeLearner::CanSplit(std::int64_t count, int depth) const {
  if (params_.max_depth > 0 && depth >= params_.max_depth) return false;
  return count >= 2 * static_cast<std::int64_t>(params_.min_data_in_leaf);
}

Tree SerialTreeLearner::Train(std::span<const std::uint32_t> rows, bool all_rows,
                              const GradientPair* gradients, std::span<const int> features) {
  const int max_leaves = params_.num_leaves;
  Tree tree;
  partition_.Init(rows, max_leaves);
  if (features.empty()) return tree;

  std::vector<HistBin> total(max_leaves);
  std::vector<std::int64_t> count(max_leaves, 0);  // global rows; estimated for unbuilt leaves
  std::vector<int> depth(max_leaves, 0);
  std::vector<SplitInfo> best(max_leaves);
  std::vector<int> slot_of(max_leaves, -1);
  std::vector<int> free_slots(max_leaves + 1);
  std::iota(free_slots.rbegin(), free_slots.rend(), 0);  // take slot 0 first
  auto take_slot = [&] {
    int slot = free_slots.back();
    free_slots.pop_back();
    return slot;
  };

  // Root: its sums are those of any feature's histogram (every row is in one bin of each).
  slot_of[0] = take_slot();
  HistBin* root = Slot(slot_of[0]);
  count[0] = BuildGlobal(all_rows ? nullptr : rows.data(), rows.size(), gradients, features, root);
  {
    const int f = features[0];
    for (int b = 0; b < bins_.bins(f); ++b) total[0] += root[bins_.offset(f) + b];
  }
  if (CanSplit(count[0], 0)) {
    best[0] = FindBestSplit(root, bins_, total[0], count[0], features, constraints_);
  }

  while (tree.leaves() < max_leaves) {
    int leaf = -1;
    for (int l = 0; l < tree.leaves(); ++l) {
      if (best[l].found() && (leaf < 0 || best[l].gain > best[leaf].gain)) leaf = l;
    }
    if (leaf < 0) break;
    const SplitInfo split = best[leaf];
    const int new_leaf =
        tree.Split(leaf, split.feature, split.bin, bins_.upper_bound(split.feature, split.bin));
    partition_.Split(leaf, new_leaf, matrix_.column(split.feature), 1, split.bin);
    total[leaf] = split.left;
    total[new_leaf] = split.right;
    count[leaf] = split.left_count;
    count[new_leaf] = split.right_count;
    depth[leaf] = depth[new_leaf] = depth[leaf] + 1;
    best[leaf] = best[new_leaf] = SplitInfo{};

    const bool more = tree.leaves() < max_leaves;
    const bool left_ok = more && CanSplit(count[leaf], depth[leaf]);
    const bool right_ok = more && CanSplit(count[new_leaf], depth[leaf]);
    if (!left_ok && !right_ok) {
      free_slots.push_back(slot_of[leaf]);
      slot_of[leaf] = -1;
      continue;
    }
    // Build the child with fewer rows over all ranks (the same choice on every rank).
    const bool left_smaller = split.left_count <= split.right_count;
    const int smaller = left_smaller ? leaf : new_leaf;
    const int larger = left_smaller ? new_leaf : leaf;
    const int parent_slot = slot_of[leaf];
    const int child_slot = take_slot();
    HistBin* small_hist = Slot(child_slot);
    auto small_rows = partition_.rows(smaller);
    count[smaller] =
        BuildGlobal(small_rows.data(), small_rows.size(), gradients, features, small_hist);
    // The count entry too: the parent's exact count becomes the larger child's.
    SubtractHistogram(Slot(parent_slot), small_hist, SlotSize());
    count[larger] = Slot(parent_slot)[total_bins_].g;
    slot_of[smaller] = child_slot;
    slot_of[larger] = parent_slot;
    for (int child : {leaf, new_leaf}) {
      if ((child == leaf ? left_ok : right_ok) && CanSplit(count[child], depth[child])) {
        best[child] = FindBestSplit(Slot(slot_of[child]), bins_, total[child], count[child],
                                    features, constraints_);
      }
    }
  }
  for (int l = 0; l < tree.leaves(); ++l) {
    tree.set_leaf_value(l, LeafOutput(total[l], params_.lambda_l1, params_.lambda_l2));
  }
  return tree;
}

}  // namespace scaleml
