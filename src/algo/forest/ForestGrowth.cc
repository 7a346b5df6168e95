#include "algo/forest/ForestGrowth.h"

#include <algorithm>
#include <string_view>

#include "algo/forest/TreeBuilder.h"
#include "algo/forest/TreeSample.h"
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

// Every tree on this process's rows, omp threads growing one tree each.
std::vector<DecisionTree> GrowAllHere(const ForestRows& rows, const ForestParams& params,
                                      std::uint64_t seed) {
  const TreeBuilder builder(rows.binned, rows.codes, rows.classes, params);
  std::vector<DecisionTree> trees(params.n_estimators);
#pragma omp parallel
  {
    std::vector<std::uint16_t> weights;
#pragma omp for schedule(dynamic, 1)
    for (int t = 0; t < params.n_estimators; ++t) {
      const std::size_t kept = BootstrapWeights(rows.ids, seed, t, params.bootstrap, &weights);
      trees[t] = kept == 0 ? PriorLeaf(rows) : builder.Build(seed, t, weights);
    }
  }
  return trees;
}

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

// Every rank's rows of tree t's sample on rank t % size, which grows the tree.
std::vector<DecisionTree> GrowAcrossRanks(const ForestRows& rows, const ForestParams& params,
                                          std::uint64_t seed, Comm& comm) {
  const int size = comm.size(), rank = comm.rank(), trees = params.n_estimators;
  // Trees per rank per round: memory holds one round's samples.
  const auto round_trees = static_cast<int>(
      AllreduceValue<std::int64_t>(comm, std::max(GetThreads(), 1), ReduceOp::kMin));
  const int most_per_rank = (trees + size - 1) / size;

  std::vector<std::uint64_t> numbers;
  std::vector<DecisionTree> mine;
  std::vector<std::uint16_t> weights;
  for (int first = 0; first < most_per_rank; first += round_trees) {
    // This round: trees (first + j) * size + owner for j < round_trees, below `trees`.
    std::vector<int> round_mine;
    std::vector<std::vector<std::vector<std::byte>>> packs;  // [my tree][rank]
    for (int j = first; j < std::min(first + round_trees, most_per_rank); ++j) {
      for (int owner = 0; owner < size; ++owner) {
        const int t = j * size + owner;
        if (t >= trees) break;
        const std::size_t kept = BootstrapWeights(rows.ids, seed, t, params.bootstrap, &weights);
        std::vector<std::byte> pack = PackSample(rows.binned, rows.codes, weights, kept);
        if (owner != rank) {
          AllgatherV(comm, std::span<const std::byte>(pack));
          continue;
        }
        auto received = AllgatherV(comm, std::span<const std::byte>());
        received[rank] = std::move(pack);
        round_mine.push_back(t);
        packs.push_back(std::move(received));
      }
    }
    std::vector<DecisionTree> grown(round_mine.size());
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t i = 0; i < round_mine.size(); ++i) {
      std::vector<std::span<const std::byte>> views(packs[i].begin(), packs[i].end());
      TreeSample sample =
          UnpackSample(views, rows.binned.bounds(), rows.binned.has_raw(), rows.classes);
      std::vector<std::vector<std::byte>>().swap(packs[i]);
      if (sample.weights.empty()) {
        grown[i] = PriorLeaf(rows);
      } else {
        const TreeBuilder builder(sample.rows, sample.codes, rows.classes, params);
        grown[i] = builder.Build(seed, round_mine[i], sample.weights);
      }
    }
    for (std::size_t i = 0; i < round_mine.size(); ++i) {
      numbers.push_back(round_mine[i]);
      mine.push_back(std::move(grown[i]));
    }
  }
  return GatherTrees(comm, mine, numbers, trees, rows.classes, rows.binned.features());
}

}  // namespace

std::vector<DecisionTree> GrowForest(const ForestRows& rows, const ForestParams& params,
                                     std::uint64_t seed, Comm& comm) {
  if (comm.size() == 1) return GrowAllHere(rows, params, seed);
  return GrowAcrossRanks(rows, params, seed, comm);
}

}  // namespace scaleml
