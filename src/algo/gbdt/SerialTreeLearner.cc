#include "algo/gbdt/SerialTreeLearner.h"

#include <algorithm>
#include <cstring>
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
      pool_(static_cast<std::size_t>(2 * params.num_leaves + 1) * (bins.total_bins() + 1)) {
  constraints_.lambda_l1 = params.lambda_l1;
  constraints_.lambda_l2 = params.lambda_l2;
  constraints_.min_sum_hessian = params.min_sum_hessian_in_leaf;
  constraints_.min_gain = params.min_gain_to_split;
  constraints_.min_data = params.min_data_in_leaf;
}

void SerialTreeLearner::BuildLocal(const std::uint32_t* rows, std::size_t count,
                                   const GradientPair* gradients, std::span<const int> features,
                                   int slot) {
  HistBin* hist = Slot(slot);
  builder_.Build(rows, count, gradients, features, hist);
  hist[total_bins_] = HistBin{static_cast<std::int64_t>(count), 0};
  ++stats_.builds;
  stats_.rows += static_cast<std::int64_t>(count);
}

void SerialTreeLearner::SumOverRanks(std::span<const int> slots) {
  const std::size_t slot_size = SlotSize();
  std::int64_t local = 0;
  for (int slot : slots) local += Slot(slot)[total_bins_].g;
  if (comm_.size() > 1) {
    static_assert(sizeof(HistBin) == 2 * sizeof(std::int64_t));
    HistBin* data = Slot(slots[0]);
    if (slots.size() > 1) {
      batch_.resize(slots.size() * slot_size);
      for (std::size_t i = 0; i < slots.size(); ++i) {
        std::memcpy(batch_.data() + i * slot_size, Slot(slots[i]), slot_size * sizeof(HistBin));
      }
      data = batch_.data();
    }
    ThrowIfFailed(
        comm_,
        comm_.AllreduceBytes(data, slots.size() * slot_size * 2, DataType::kInt64, ReduceOp::kSum),
        "gbdt histogram allreduce");
    if (slots.size() > 1) {
      for (std::size_t i = 0; i < slots.size(); ++i) {
        std::memcpy(Slot(slots[i]), batch_.data() + i * slot_size, slot_size * sizeof(HistBin));
      }
    }
  }
  std::int64_t global = 0;
  for (int slot : slots) global += Slot(slot)[total_bins_].g;
  const double even_share = static_cast<double>(global) / comm_.size();
  ++stats_.batches;
  stats_.even_share_rows += even_share;
  stats_.rows_above_even_share += std::max(0.0, static_cast<double>(local) - even_share);
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
  // The global histogram of the smaller child of a leaf's best split, built ahead of the split.
  std::vector<int> ahead_slot_of(max_leaves, -1);
  std::vector<int> free_slots(2 * max_leaves + 1);
  std::iota(free_slots.rbegin(), free_slots.rend(), 0);  // take slot 0 first
  auto take_slot = [&] {
    int slot = free_slots.back();
    free_slots.pop_back();
    return slot;
  };
  auto release_slot = [&](int& slot) {
    if (slot >= 0) free_slots.push_back(slot);
    slot = -1;
  };
  // Whether either child of a leaf's best split could be split again (as far as counts tell).
  auto children_splittable = [&](int leaf) {
    return CanSplit(best[leaf].left_count, depth[leaf] + 1) ||
           CanSplit(best[leaf].right_count, depth[leaf] + 1);
  };
  auto left_is_smaller = [&](const SplitInfo& split) {
    return split.left_count <= split.right_count;
  };

  // Root: its sums are those of any feature's histogram (every row is in one bin of each).
  slot_of[0] = take_slot();
  BuildLocal(all_rows ? nullptr : rows.data(), rows.size(), gradients, features, slot_of[0]);
  SumOverRanks(std::span<const int>(&slot_of[0], 1));
  HistBin* root = Slot(slot_of[0]);
  count[0] = root[total_bins_].g;
  {
    const int f = features[0];
    for (int b = 0; b < bins_.bins(f); ++b) total[0] += root[bins_.offset(f) + b];
  }
  if (CanSplit(count[0], 0)) {
    best[0] = FindBestSplit(root, bins_, total[0], count[0], features, constraints_);
  }

  std::vector<int> batch, candidates;
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
    int child_slot = ahead_slot_of[leaf];
    ahead_slot_of[leaf] = -1;
    if (!left_ok && !right_ok) {
      release_slot(slot_of[leaf]);
      release_slot(child_slot);
      continue;
    }
    // Build the child with fewer rows over all ranks (the same choice on every rank).
    const bool left_smaller = left_is_smaller(split);
    const int smaller = left_smaller ? leaf : new_leaf;
    const int larger = left_smaller ? new_leaf : leaf;
    if (child_slot < 0) {
      child_slot = take_slot();
      auto small_rows = partition_.rows(smaller);
      BuildLocal(small_rows.data(), small_rows.size(), gradients, features, child_slot);
      batch.assign(1, child_slot);
      if (comm_.size() > 1) {
        // The leaves that may split next, best first (ties to the lower leaf, as the choice
        // above).
        candidates.clear();
        for (int l = 0; l < tree.leaves(); ++l) {
          if (best[l].found() && ahead_slot_of[l] < 0 && children_splittable(l)) {
            candidates.push_back(l);
          }
        }
        // An allreduce on loopback costs the same for 16 bytes as for a megabyte (a few thread
        // wake-ups, milliseconds on a busy host), so it pays to build ahead for every leaf that
        // could split in the room left, though some are never used (measured: up to three
        // quarters more histograms than one process builds, but only 4-8% more rows).
        const auto room = static_cast<std::size_t>(max_leaves - tree.leaves());
        const auto ahead = std::min(candidates.size(), room);
        std::partial_sort(
            candidates.begin(), candidates.begin() + ahead, candidates.end(), [&](int a, int b) {
              return best[a].gain > best[b].gain || (best[a].gain == best[b].gain && a < b);
            });
        for (std::size_t i = 0; i < ahead; ++i) {
          const int l = candidates[i];
          const SplitInfo& next = best[l];
          const bool to_left = left_is_smaller(next);
          const std::uint8_t* column = matrix_.column(next.feature);
          const auto threshold = static_cast<std::uint8_t>(next.bin);
          child_rows_.clear();
          for (std::uint32_t row : partition_.rows(l)) {
            if ((column[row] <= threshold) == to_left) child_rows_.push_back(row);
          }
          ahead_slot_of[l] = take_slot();
          BuildLocal(child_rows_.data(), child_rows_.size(), gradients, features, ahead_slot_of[l]);
          batch.push_back(ahead_slot_of[l]);
        }
      }
      SumOverRanks(batch);
    }
    HistBin* small_hist = Slot(child_slot);
    const int parent_slot = slot_of[leaf];
    count[smaller] = small_hist[total_bins_].g;
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
