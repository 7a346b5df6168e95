#include "algo/gbdt/HistogramTreeLearner.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>
#include <type_traits>

#include "comm/CommOps.h"

namespace scaleml {

HistogramTreeLearner::HistogramTreeLearner(const BinnedMatrix& matrix, const FeatureBins& bins,
                                           const GbdtParams& params, Comm& comm)
    : matrix_(matrix),
      bins_(bins),
      params_(params),
      comm_(comm),
      total_bins_(bins.total_bins()),
      builder_(matrix, bins),
      pool_(static_cast<std::size_t>(2 * params.num_leaves + 1) * (bins.total_bins() + 2)),
      scatter_(comm.size() > 1 && params.histogram_reduce == HistogramReduce::kScatter) {
  constraints_.lambda_l1 = params.lambda_l1;
  constraints_.lambda_l2 = params.lambda_l2;
  constraints_.min_sum_hessian = params.min_sum_hessian_in_leaf;
  constraints_.min_gain = params.min_gain_to_split;
  constraints_.min_data = params.min_data_in_leaf;
  constraints_.max_cat_to_onehot = params.max_cat_to_onehot;
  constraints_.max_cat_threshold = params.max_cat_threshold;
  constraints_.cat_l2 = params.cat_l2;
  constraints_.cat_smooth = params.cat_smooth;
  constraints_.min_data_per_group = params.min_data_per_group;
  // Contiguous ranges of features, cut at the feature boundary at or after an even share of bins.
  const int ranks = scatter_ ? comm.size() : 1;
  rank_bins_.assign(ranks + 1, total_bins_);
  rank_bins_[0] = 0;
  std::size_t feature = 0;
  for (int r = 1; r < ranks; ++r) {
    const std::size_t even = total_bins_ * r / ranks;
    while (feature < bins.features() && bins.offset(feature) < even) ++feature;
    rank_bins_[r] = feature < bins.features() ? bins.offset(feature) : total_bins_;
  }
}

void HistogramTreeLearner::BuildLocal(const std::uint32_t* rows, std::size_t count,
                                      const GradientPair* gradients, std::span<const int> features,
                                      int slot) {
  HistBin* hist = Slot(slot);
  builder_.Build(rows, count, gradients, features, hist);
  hist[CountEntry()] = HistBin{static_cast<std::int64_t>(count), 0};
  // Every row is in one bin of each feature: any feature's bins add up to the sums.
  HistBin sums;
  const int first = features[0];
  for (int b = 0; b < bins_.bins(first); ++b) sums += hist[bins_.offset(first) + b];
  hist[SumsEntry()] = sums;
  ++stats_.builds;
  stats_.rows += static_cast<std::int64_t>(count);
}

void HistogramTreeLearner::SumOverRanks(std::span<const int> slots) {
  const std::size_t slot_size = SlotSize();
  std::int64_t local = 0;
  for (int slot : slots) local += Slot(slot)[CountEntry()].g;
  static_assert(sizeof(HistBin) == 2 * sizeof(std::int64_t));
  if (scatter_) {
    ReduceScatterSlots(slots);
  } else if (comm_.size() > 1) {
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
  for (int slot : slots) global += Slot(slot)[CountEntry()].g;
  const double even_share = static_cast<double>(global) / comm_.size();
  ++stats_.batches;
  stats_.even_share_rows += even_share;
  stats_.rows_above_even_share += std::max(0.0, static_cast<double>(local) - even_share);
}

void HistogramTreeLearner::ReduceScatterSlots(std::span<const int> slots) {
  // Block r: rank r's bins of every slot, then every slot's two extra entries (in every block,
  // so that every rank gets the row counts and sums).
  const int ranks = comm_.size();
  const std::size_t extras = 2;
  block_counts_.resize(ranks);
  std::size_t total = 0;
  for (int r = 0; r < ranks; ++r) {
    const std::size_t width = rank_bins_[r + 1] - rank_bins_[r];
    block_counts_[r] = slots.size() * (width + extras) * 2;
    total += slots.size() * (width + extras);
  }
  batch_.resize(total);
  HistBin* out = batch_.data();
  for (int r = 0; r < ranks; ++r) {
    const std::size_t width = rank_bins_[r + 1] - rank_bins_[r];
    for (int slot : slots) {
      std::memcpy(out, Slot(slot) + rank_bins_[r], width * sizeof(HistBin));
      out += width;
    }
    for (int slot : slots) {
      std::memcpy(out, Slot(slot) + CountEntry(), extras * sizeof(HistBin));
      out += extras;
    }
  }
  const int me = comm_.rank();
  const std::size_t own_begin = rank_bins_[me];
  const std::size_t own_width = rank_bins_[me + 1] - own_begin;
  own_block_.resize(slots.size() * (own_width + extras));
  ThrowIfFailed(comm_,
                comm_.ReduceScatterBytes(batch_.data(), own_block_.data(), block_counts_,
                                         DataType::kInt64, ReduceOp::kSum),
                "gbdt histogram reduce-scatter");
  const HistBin* in = own_block_.data();
  for (int slot : slots) {
    std::memcpy(Slot(slot) + own_begin, in, own_width * sizeof(HistBin));
    in += own_width;
  }
  for (int slot : slots) {
    std::memcpy(Slot(slot) + CountEntry(), in, extras * sizeof(HistBin));
    in += extras;
  }
}

void HistogramTreeLearner::AgreeOnBestSplits(std::vector<SplitInfo>& splits) {
  if (!scatter_ || splits.empty()) return;
  static_assert(std::is_trivially_copyable_v<SplitInfo>);
  const std::size_t n = splits.size();
  all_splits_.resize(n * comm_.size());
  ThrowIfFailed(comm_,
                comm_.AllgatherBytes(splits.data(), n * sizeof(SplitInfo), all_splits_.data()),
                "gbdt best split allgather");
  // Ranks own ascending ranges of features, and each rank's best is its first of the largest
  // gain: the first of the largest over the ranks is then the single process's choice (the
  // lower feature, then the lower bin).
  for (std::size_t i = 0; i < n; ++i) {
    SplitInfo best;
    for (int r = 0; r < comm_.size(); ++r) {
      const SplitInfo& candidate = all_splits_[r * n + i];
      if (candidate.found() && candidate.gain > best.gain) best = candidate;
    }
    splits[i] = best;
  }
}

std::array<std::uint8_t, 256> HistogramTreeLearner::GoesLeftTable(const SplitInfo& split) const {
  std::array<std::uint8_t, 256> table{};
  const BinKind kind = bins_.kind(split.feature);
  for (int b = 0; b < bins_.bins(split.feature); ++b) table[b] = split.GoesLeft(kind, b) ? 1 : 0;
  return table;
}

int HistogramTreeLearner::ApplySplit(Tree& tree, int leaf, const SplitInfo& split) {
  const int f = split.feature;
  const std::uint8_t* column = matrix_.column(f);
  const BinKind kind = bins_.kind(f);
  if (kind == BinKind::kNumeric) {
    // The paper's path: a threshold compare, NaN left.
    const int new_leaf = tree.Split(leaf, f, split.bin, bins_.upper_bound(f, split.bin));
    partition_.Split(leaf, new_leaf, column, 1, split.bin);
    return new_leaf;
  }
  int new_leaf = 0;
  if (kind == BinKind::kNumericWithMissing) {
    // Bin 0 is the missing bin: a boundary there sends every number right (on raw values every
    // number but -infinity, which training binned with the smallest numbers).
    const float threshold =
        split.bin < 1 ? -std::numeric_limits<float>::infinity() : bins_.upper_bound(f, split.bin);
    new_leaf = tree.SplitNumeric(leaf, f, split.bin, threshold, true, split.default_left);
  } else {
    std::vector<std::int32_t> codes;
    for (int b = 1; b < bins_.bins(f); ++b) {
      if (split.BinInLeftSet(b)) codes.push_back(bins_.category(f, b));
    }
    new_leaf = tree.SplitCategorical(leaf, f, split.left_bins, codes);
  }
  const std::array<std::uint8_t, 256> goes_left = GoesLeftTable(split);
  partition_.SplitByTable(leaf, new_leaf, column, 1, goes_left.data());
  return new_leaf;
}

bool HistogramTreeLearner::CanSplit(std::int64_t count, int depth) const {
  if (params_.max_depth > 0 && depth >= params_.max_depth) return false;
  return count >= 2 * static_cast<std::int64_t>(params_.min_data_in_leaf);
}

Tree HistogramTreeLearner::Train(std::span<const std::uint32_t> rows, bool all_rows,
                                 const GradientPair* gradients, std::span<const int> features) {
  const int max_leaves = params_.num_leaves;
  Tree tree;
  partition_.Init(rows, max_leaves);
  if (features.empty()) return tree;
  // The features whose summed histograms this rank holds (all of them unless scattering).
  const std::size_t own_begin = scatter_ ? rank_bins_[comm_.rank()] : 0;
  const std::size_t own_end = scatter_ ? rank_bins_[comm_.rank() + 1] : total_bins_;
  std::vector<int> own_features;
  for (int f : features) {
    if (bins_.offset(f) >= own_begin && bins_.offset(f) < own_end) own_features.push_back(f);
  }

  std::vector<HistBin> total(max_leaves);
  std::vector<std::int64_t> count(max_leaves, 0);  // global rows; estimated for unbuilt leaves
  std::vector<int> depth(max_leaves, 0);
  // The L2 of each leaf's value: that of the split that made it.
  std::vector<double> lambda_l2(max_leaves, params_.lambda_l2);
  std::vector<SplitInfo> best(max_leaves);
  std::vector<int> slot_of(max_leaves, -1);
  // The global histogram of the smaller child of a leaf's best split, built ahead of the split;
  // once summed, the leaf's own slot holds the larger child's and `children_of` the exact row
  // counts and best splits of both (left, right).
  std::vector<int> ahead_slot_of(max_leaves, -1);
  struct Children {
    std::int64_t count[2] = {0, 0};
    SplitInfo best[2];
  };
  std::vector<Children> children_of(max_leaves);
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
  auto search = [&](int slot, const HistBin& sums, std::int64_t rows_in_leaf, int leaf_depth) {
    if (!CanSplit(rows_in_leaf, leaf_depth)) return SplitInfo{};
    return FindBestSplit(Slot(slot), bins_, sums, rows_in_leaf, own_features, constraints_);
  };
  // After the smaller children of the best splits of `parents` are summed: the larger ones by
  // subtraction, then the best splits of all of them, agreed on in one collective.
  std::vector<SplitInfo> found;
  auto search_children = [&](std::span<const int> parents) {
    found.clear();
    for (int l : parents) {
      const SplitInfo& split = best[l];
      const int small_slot = ahead_slot_of[l], large_slot = slot_of[l];
      const std::int64_t small_count = Slot(small_slot)[CountEntry()].g;
      // The count entry too: the parent's exact count becomes the larger child's.
      SubtractHistogram(Slot(large_slot), Slot(small_slot), SlotSize());
      const std::int64_t large_count = Slot(large_slot)[CountEntry()].g;
      const bool left_smaller = left_is_smaller(split);
      Children& children = children_of[l];
      children.count[0] = left_smaller ? small_count : large_count;
      children.count[1] = left_smaller ? large_count : small_count;
      found.push_back(search(left_smaller ? small_slot : large_slot, split.left, children.count[0],
                             depth[l] + 1));
      found.push_back(search(left_smaller ? large_slot : small_slot, split.right, children.count[1],
                             depth[l] + 1));
    }
    AgreeOnBestSplits(found);
    for (std::size_t i = 0; i < parents.size(); ++i) {
      children_of[parents[i]].best[0] = found[2 * i];
      children_of[parents[i]].best[1] = found[2 * i + 1];
    }
  };

  // Root: its sums are those of any feature's histogram (every row is in one bin of each).
  slot_of[0] = take_slot();
  BuildLocal(all_rows ? nullptr : rows.data(), rows.size(), gradients, features, slot_of[0]);
  SumOverRanks(std::span<const int>(&slot_of[0], 1));
  count[0] = Slot(slot_of[0])[CountEntry()].g;
  total[0] = Slot(slot_of[0])[SumsEntry()];
  found.assign(1, search(slot_of[0], total[0], count[0], 0));
  AgreeOnBestSplits(found);
  best[0] = found[0];

  std::vector<int> batch, parents, candidates;
  while (tree.leaves() < max_leaves) {
    int leaf = -1;
    for (int l = 0; l < tree.leaves(); ++l) {
      if (best[l].found() && (leaf < 0 || best[l].gain > best[leaf].gain)) leaf = l;
    }
    if (leaf < 0) break;
    const SplitInfo split = best[leaf];
    const int new_leaf = ApplySplit(tree, leaf, split);
    total[leaf] = split.left;
    total[new_leaf] = split.right;
    count[leaf] = split.left_count;
    count[new_leaf] = split.right_count;
    lambda_l2[leaf] = lambda_l2[new_leaf] =
        params_.lambda_l2 + (split.with_cat_l2 ? params_.cat_l2 : 0.0);
    const int child_depth = depth[leaf] + 1;

    const bool more = tree.leaves() < max_leaves;
    const bool left_ok = more && CanSplit(count[leaf], child_depth);
    const bool right_ok = more && CanSplit(count[new_leaf], child_depth);
    // Build the child with fewer rows over all ranks (the same choice on every rank).
    const bool left_smaller = left_is_smaller(split);
    const int smaller = left_smaller ? leaf : new_leaf;
    const int larger = left_smaller ? new_leaf : leaf;
    if ((left_ok || right_ok) && ahead_slot_of[leaf] < 0) {
      // best[leaf] and depth[leaf] still describe the parent here, as search_children needs.
      ahead_slot_of[leaf] = take_slot();
      auto small_rows = partition_.rows(smaller);
      BuildLocal(small_rows.data(), small_rows.size(), gradients, features, ahead_slot_of[leaf]);
      batch.assign(1, ahead_slot_of[leaf]);
      parents.assign(1, leaf);
      if (comm_.size() > 1) {
        // The leaves that may split next, best first (ties to the lower leaf, as the choice
        // above).
        candidates.clear();
        for (int l = 0; l < tree.leaves(); ++l) {
          if (best[l].found() && ahead_slot_of[l] < 0 && children_splittable(l)) {
            candidates.push_back(l);
          }
        }
        // With build_ahead, every leaf that could split in the room left gets its smaller
        // child's histogram now, in the same collective: fewer collectives (17.7 instead of 30
        // a round) for up to three quarters more histograms (4-8% more rows), some never used.
        // It pays only where a collective costs far more than building histograms: on a
        // quiet 2-core host it made the 1GB fit slower (10.6 s vs 7.9 s at 2 ranks).
        const auto room = static_cast<std::size_t>(max_leaves - tree.leaves());
        const auto ahead = params_.build_ahead ? std::min(candidates.size(), room) : std::size_t{0};
        std::partial_sort(
            candidates.begin(), candidates.begin() + ahead, candidates.end(), [&](int a, int b) {
              return best[a].gain > best[b].gain || (best[a].gain == best[b].gain && a < b);
            });
        for (std::size_t i = 0; i < ahead; ++i) {
          const int l = candidates[i];
          const SplitInfo& next = best[l];
          const bool to_left = left_is_smaller(next);
          const std::uint8_t* column = matrix_.column(next.feature);
          const std::array<std::uint8_t, 256> goes_left = GoesLeftTable(next);
          child_rows_.clear();
          for (std::uint32_t row : partition_.rows(l)) {
            if ((goes_left[column[row]] != 0) == to_left) child_rows_.push_back(row);
          }
          ahead_slot_of[l] = take_slot();
          BuildLocal(child_rows_.data(), child_rows_.size(), gradients, features, ahead_slot_of[l]);
          batch.push_back(ahead_slot_of[l]);
          parents.push_back(l);
        }
      }
      SumOverRanks(batch);
      search_children(parents);
    }
    depth[leaf] = depth[new_leaf] = child_depth;
    best[leaf] = best[new_leaf] = SplitInfo{};
    if (!left_ok && !right_ok) {
      release_slot(slot_of[leaf]);
      release_slot(ahead_slot_of[leaf]);
      continue;
    }
    const Children& children = children_of[leaf];
    slot_of[larger] = slot_of[leaf];  // now the larger child's histogram
    slot_of[smaller] = ahead_slot_of[leaf];
    ahead_slot_of[leaf] = -1;
    count[leaf] = children.count[0];
    count[new_leaf] = children.count[1];
    if (left_ok) best[leaf] = children.best[0];
    if (right_ok) best[new_leaf] = children.best[1];
  }
  for (int l = 0; l < tree.leaves(); ++l) {
    tree.set_leaf_value(l, LeafOutput(total[l], params_.lambda_l1, lambda_l2[l]));
  }
  return tree;
}

}  // namespace scaleml
