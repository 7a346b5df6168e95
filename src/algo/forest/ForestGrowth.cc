#include "algo/forest/ForestGrowth.h"

#include <algorithm>
#include <string_view>

#include "algo/forest/SampleRows.h"
#include "algo/forest/TreeBuilder.h"
#include "comm/CommOps.h"
#include "core/Error.h"
#include "core/Threads.h"

namespace scaleml {
namespace {

DecisionTree PriorLeaf(const ForestRows& rows) {
  DecisionTree tree(rows.classes);
  tree.AddLeaf(rows.prior.data());
  return tree;
}

}  // namespace

std::vector<DecisionTree> GrowTreesHere(const ForestRows& rows, const ForestParams& params,
                                        std::uint64_t seed, int first, int count,
                                        const std::atomic<bool>* cancel) {
  const TreeBuilder builder(rows.binned, rows.codes, rows.classes, params);
  std::vector<DecisionTree> trees(count);
#pragma omp parallel
  {
    std::vector<std::uint16_t> weights;
#pragma omp for schedule(dynamic, 1)
    for (int i = 0; i < count; ++i) {
      const int t = first + i;
      if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) continue;
      const std::size_t kept = BootstrapWeights(rows.ids, seed, t, params.bootstrap, &weights);
      trees[i] = kept == 0 ? PriorLeaf(rows) : builder.Build(seed, t, weights);
    }
  }
  if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
    throw Failure("rf: fit cancelled");
  }
  return trees;
}

namespace {

// Trees of all ranks, each tagged with its number, in one byte buffer.
std::vector<DecisionTree> GatherTrees(Comm& comm, const std::vector<DecisionTree>& mine,
                                      const std::vector<std::uint64_t>& numbers, int total,
                                      int classes, int features) {
  BinaryWriter out;
  out.Put<std::uint64_t>(mine.size());
  for (std::size_t i = 0; i < mine.size(); ++i) {
    out.Put<std::uint64_t>(numbers[i]);
    mine[i].Save(out);
  }
  const std::string& bytes = out.bytes();
  auto parts = AllgatherV(
      comm,
      std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()));
  std::vector<DecisionTree> all(total);
  std::vector<bool> seen(total, false);
  for (std::size_t rank = 0; rank < parts.size(); ++rank) {
    BinaryReader in(
        std::string_view(reinterpret_cast<const char*>(parts[rank].data()), parts[rank].size()),
        "rf trees from rank " + std::to_string(rank));
    const auto count = in.Get<std::uint64_t>();
    for (std::uint64_t i = 0; i < count; ++i) {
      const auto number = in.Get<std::uint64_t>();
      if (number >= static_cast<std::uint64_t>(total) || seen[number]) {
        throw Failure("rf: rank ", rank, " sent tree ", number, " unexpectedly");
      }
      all[number] = DecisionTree::Load(in, classes, features);
      seen[number] = true;
    }
  }
  if (std::find(seen.begin(), seen.end(), false) != seen.end()) {
    throw Failure("rf: trees are missing after gathering them from all ranks");
  }
  return all;
}

// Every rank's rows of a round's trees on their owners, which grow them.
std::vector<DecisionTree> GrowAcrossRanks(const ForestRows& rows, const ForestParams& params,
                                          std::uint64_t seed, Comm& comm) {
  const int size = comm.size(), rank = comm.rank(), trees = params.n_estimators;
  // Trees per rank per round: a rank holds one round's rows at a time and grows its trees of the
  // round in parallel. One round sends every row once; smaller rounds bound an owner's memory
  // but resend the rows of every round (with 10 trees on 2 ranks at 1 thread: 5x the bytes).
  const int most_per_rank = (trees + size - 1) / size;
  const int wanted = params.round_trees > 0 ? params.round_trees : most_per_rank;
  const auto round_trees =
      static_cast<int>(AllreduceValue<std::int64_t>(comm, std::max(wanted, 1), ReduceOp::kMin));

  std::vector<std::uint64_t> numbers;
  std::vector<DecisionTree> mine;
  for (int round = 0; round * round_trees < most_per_rank; ++round) {
    std::vector<int> round_mine;
    SampleRows sample;
    for (int owner = 0; owner < size; ++owner) {
      const std::vector<int> owned = TreesOfRound(round, owner, size, round_trees, trees);
      if (owned.empty()) continue;  // every rank sees the same
      std::vector<std::vector<std::uint16_t>> weights(owned.size());
      for (std::size_t i = 0; i < owned.size(); ++i) {
        BootstrapWeights(rows.ids, seed, owned[i], params.bootstrap, &weights[i]);
      }
      std::vector<std::byte> pack = PackSampleRows(rows.binned, rows.codes, weights);
      if (owner != rank) {
        AllgatherV(comm, std::span<const std::byte>(pack));
        continue;
      }
      // The owner's own rows need not travel.
      auto received = AllgatherV(comm, std::span<const std::byte>());
      received[rank] = std::move(pack);
      const std::vector<std::span<const std::byte>> packs(received.begin(), received.end());
      // From the parameters, not from has_raw(): a rank without rows has no raw values.
      sample = UnpackSampleRows(packs, owned.size(), rows.binned.bins(),
                                params.exact_split_rows > 0, rows.classes);
      round_mine = owned;
    }
    std::vector<DecisionTree> grown(round_mine.size());
    const TreeBuilder builder(sample.rows, sample.codes, rows.classes, params);
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t i = 0; i < round_mine.size(); ++i) {
      const auto& weights = sample.weights[i];
      const bool empty = std::all_of(weights.begin(), weights.end(), [](auto w) { return w == 0; });
      grown[i] = empty ? PriorLeaf(rows) : builder.Build(seed, round_mine[i], weights);
    }
    for (std::size_t i = 0; i < round_mine.size(); ++i) {
      numbers.push_back(round_mine[i]);
      mine.push_back(std::move(grown[i]));
    }
  }
  return GatherTrees(comm, mine, numbers, trees, rows.classes, rows.binned.features());
}

}  // namespace

std::vector<int> TreesOfRound(int round, int owner, int size, int round_trees, int trees) {
  std::vector<int> out;
  for (int j = round * round_trees; j < (round + 1) * round_trees; ++j) {
    const int t = j * size + owner;
    if (t >= trees) break;
    out.push_back(t);
  }
  return out;
}

std::vector<DecisionTree> GrowForest(const ForestRows& rows, const ForestParams& params,
                                     std::uint64_t seed, Comm& comm,
                                     const std::atomic<bool>* cancel) {
  if (comm.size() == 1) return GrowTreesHere(rows, params, seed, 0, params.n_estimators, cancel);
  return GrowAcrossRanks(rows, params, seed, comm);
}

}  // namespace scaleml
