#include "algo/knn/NearestExchange.h"

#include <algorithm>
#include <cstring>

#include "comm/CommOps.h"
#include "core/Error.h"

namespace scaleml {
namespace {

void Append(std::vector<std::byte>& out, const void* data, std::size_t bytes) {
  const std::size_t at = out.size();
  out.resize(at + bytes);
  if (bytes > 0) std::memcpy(out.data() + at, data, bytes);
}

// Reads `count` values at `at` of a peer's buffer, checking that they are there: a short buffer
// means the ranks disagree on the protocol.
template <class T>
void ReadArray(std::span<const std::byte> in, std::size_t& at, std::size_t count, T* out,
               const Comm& comm, int peer) {
  if (at > in.size() || (in.size() - at) / sizeof(T) < count) {
    throw Failure("knn exchange on rank ", comm.rank(), ": rank ", peer, " sent ", in.size(),
                  " bytes, too few for its own header (do all ranks run the same scaleml build?)");
  }
  if (count > 0) std::memcpy(out, in.data() + at, count * sizeof(T));
  at += count * sizeof(T);
}

void Add(KnnSearchCounts& to, const KnnSearchCounts& from) {
  to.queries += from.queries;
  to.leaves += from.leaves;
  to.distances += from.distances;
}

// The neighbours a list of k holds before its padding (lists are sorted, padding last).
std::uint32_t Filled(const Neighbor* list, int k) {
  std::uint32_t filled = 0;
  while (filled < static_cast<std::uint32_t>(k) && !(list[filled] == kNoNeighbor)) ++filled;
  return filled;
}

// One round: this rank's queries [begin, end) go to every other rank with their bounds (the
// k-th neighbour found so far in `out`); this rank searches the others' queries inside their
// bounds and replies; the replies are merged into `out`.
void ExchangeRound(const KdTree& tree, std::span<const float> queries, std::size_t begin,
                   std::size_t end, int k, Comm& comm, std::span<Neighbor> out,
                   NearestExchangeStats& stats) {
  const std::size_t kk = static_cast<std::size_t>(k);
  const std::size_t features = static_cast<std::size_t>(tree.features());
  const int ranks = comm.size(), me = comm.rank();
  const std::size_t mine = end - begin;

  // Request: query count, the queries, their bounds.
  std::vector<std::byte> request;
  request.reserve(sizeof(std::uint64_t) + mine * (features * sizeof(float) + sizeof(Neighbor)));
  const auto mine64 = static_cast<std::uint64_t>(mine);
  Append(request, &mine64, sizeof(mine64));
  Append(request, queries.data() + begin * features, mine * features * sizeof(float));
  for (std::size_t q = begin; q < end; ++q) {
    Append(request, &out[q * kk + kk - 1], sizeof(Neighbor));
  }
  const auto requests = AllgatherV(comm, request);
  stats.bytes_sent += request.size();

  // The other ranks' queries back to back, rank by rank.
  std::vector<std::size_t> asked(ranks, 0), first(ranks + 1, 0);
  std::vector<float> remote_queries;
  std::vector<Neighbor> bounds;
  for (int r = 0; r < ranks; ++r) {
    first[r + 1] = first[r];
    if (r == me) continue;
    const std::span<const std::byte> part(requests[r]);
    stats.bytes_received += part.size();
    std::size_t at = 0;
    std::uint64_t n = 0;
    ReadArray(part, at, 1, &n, comm, r);
    if (part.size() != sizeof(n) + n * (features * sizeof(float) + sizeof(Neighbor))) {
      throw Failure("knn exchange on rank ", me, ": rank ", r, " sent ", part.size(), " bytes for ",
                    n, " queries of ", features,
                    " features (do all ranks run the same scaleml build?)");
    }
    asked[r] = static_cast<std::size_t>(n);
    first[r + 1] = first[r] + asked[r];
    remote_queries.resize(first[r + 1] * features);
    bounds.resize(first[r + 1]);
    ReadArray(part, at, asked[r] * features, remote_queries.data() + first[r] * features, comm, r);
    ReadArray(part, at, asked[r], bounds.data() + first[r], comm, r);
  }
  const std::size_t total = first[ranks];
  std::vector<Neighbor> found(total * kk);
  KnnSearchCounts remote;
  tree.Search(remote_queries, total, k, found, bounds, &remote);
  Add(stats.remote, remote);

  // Reply: neighbours per destination rank, then per destination rank its per-query counts and
  // its neighbours (only the real ones: most remote searches find nothing inside the bound).
  std::vector<std::uint32_t> filled(total);
  std::vector<std::uint64_t> per_rank(ranks, 0);
  for (int r = 0; r < ranks; ++r) {
    for (std::size_t q = first[r]; q < first[r + 1]; ++q) {
      filled[q] = Filled(found.data() + q * kk, k);
      per_rank[r] += filled[q];
    }
  }
  std::vector<std::byte> reply;
  std::uint64_t found_total = 0;
  for (const std::uint64_t n : per_rank) found_total += n;
  reply.reserve(ranks * sizeof(std::uint64_t) + total * sizeof(std::uint32_t) +
                found_total * sizeof(Neighbor));
  Append(reply, per_rank.data(), per_rank.size() * sizeof(std::uint64_t));
  for (int r = 0; r < ranks; ++r) {
    Append(reply, filled.data() + first[r], asked[r] * sizeof(std::uint32_t));
    for (std::size_t q = first[r]; q < first[r + 1]; ++q) {
      Append(reply, found.data() + q * kk, filled[q] * sizeof(Neighbor));
    }
  }
  const auto replies = AllgatherV(comm, reply);
  stats.bytes_sent += reply.size();

  // Each other rank's answers to this rank's queries: a count per query, then the neighbours.
  struct Answer {
    std::vector<std::uint32_t> counts;
    std::vector<std::size_t> starts;
    std::vector<Neighbor> neighbors;
  };
  std::vector<Answer> answers;
  bool any = false;
  for (int s = 0; s < ranks; ++s) {
    if (s == me) continue;
    const std::span<const std::byte> part(replies[s]);
    stats.bytes_received += part.size();
    std::size_t at = 0;
    std::vector<std::uint64_t> totals(ranks);
    ReadArray(part, at, totals.size(), totals.data(), comm, s);
    // Sections come in rank order; the sender's own is empty.
    for (int r = 0; r < me; ++r) {
      const std::size_t asked_of_r = r == s ? 0 : asked[r];
      at += asked_of_r * sizeof(std::uint32_t) + totals[r] * sizeof(Neighbor);
    }
    Answer& answer = answers.emplace_back();
    answer.counts.resize(mine);
    ReadArray(part, at, mine, answer.counts.data(), comm, s);
    answer.starts.resize(mine);
    std::uint64_t sum = 0;
    for (std::size_t q = 0; q < mine; ++q) {
      if (answer.counts[q] > kk) {
        throw Failure("knn exchange on rank ", me, ": rank ", s, " returned ", answer.counts[q],
                      " neighbours for one query, more than k=", k,
                      " (do all ranks run the same scaleml build?)");
      }
      answer.starts[q] = sum;
      sum += answer.counts[q];
    }
    if (sum != totals[me]) {
      throw Failure("knn exchange on rank ", me, ": rank ", s, " announced ", totals[me],
                    " neighbours and listed ", sum, " (do all ranks run the same scaleml build?)");
    }
    answer.neighbors.resize(sum);
    ReadArray(part, at, sum, answer.neighbors.data(), comm, s);
    stats.candidates_received += sum;
    any = any || sum > 0;
  }
  if (!any) return;

    // The owner's k best, then each answer padded to k: the merge of sorted lists.
#pragma omp parallel if (mine > 4096)
  {
    std::vector<Neighbor> lists((answers.size() + 1) * kk);
#pragma omp for schedule(static)
    for (std::size_t q = 0; q < mine; ++q) {
      bool answered = false;
      for (const Answer& answer : answers) answered = answered || answer.counts[q] > 0;
      if (!answered) continue;
      Neighbor* own = out.data() + (begin + q) * kk;
      std::copy(own, own + kk, lists.begin());
      for (std::size_t a = 0; a < answers.size(); ++a) {
        const Answer& answer = answers[a];
        const auto list = lists.begin() + static_cast<std::ptrdiff_t>((a + 1) * kk);
        const Neighbor* first_found = answer.neighbors.data() + answer.starts[q];
        std::copy(first_found, first_found + answer.counts[q], list);
        std::fill(list + answer.counts[q], list + static_cast<std::ptrdiff_t>(kk), kNoNeighbor);
      }
      MergeNearest(lists, k, std::span<Neighbor>(own, kk));
    }
  }
}

}  // namespace

std::vector<Neighbor> ExchangeNearest(const KdTree& tree, std::span<const float> queries,
                                      std::size_t count, int k, Comm& comm,
                                      std::size_t batch_queries, NearestExchangeStats* stats) {
  NearestExchangeStats ignored;
  NearestExchangeStats& tally = stats != nullptr ? *stats : ignored;
  const std::size_t kk = static_cast<std::size_t>(k);
  std::vector<Neighbor> out(count * kk);
  tree.Search(queries, count, k, out, {}, &tally.own);
  if (comm.size() == 1) return out;
  const std::size_t batch = std::max<std::size_t>(1, batch_queries);
  const auto my_rounds = static_cast<std::int64_t>((count + batch - 1) / batch);
  const auto rounds = AllreduceValue(comm, my_rounds, ReduceOp::kMax);
  for (std::int64_t round = 0; round < rounds; ++round) {
    const std::size_t begin = std::min(count, static_cast<std::size_t>(round) * batch);
    const std::size_t end = std::min(count, begin + batch);
    ExchangeRound(tree, queries, begin, end, k, comm, out, tally);
    ++tally.rounds;
  }
  return out;
}

}  // namespace scaleml
