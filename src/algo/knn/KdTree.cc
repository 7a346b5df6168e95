#include "algo/knn/KdTree.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <utility>

#include "core/Error.h"

namespace scaleml {
namespace {

using Float4 = float __attribute__((vector_size(16)));
// Floats after the last point, so a leaf scan may read a whole group of four.
constexpr std::size_t kPointPadding = 4;

// Points sampled to pick a node's widest dimension: enough to see its spread, cheap for the top.
constexpr std::uint32_t kSpreadSample = 256;
// Nodes with more points than this split their children as separate OpenMP tasks.
constexpr std::uint32_t kTaskPoints = 65536;
// Subtrees with at most this many points are built on a row-major copy of their points (which
// fits in a core's L2 cache), not through the columns (random reads).
constexpr std::uint32_t kLocalPoints = 32768;
// Leaves must stay below kLocalPoints (the subtree builds write every leaf).
constexpr int kMaxLeafSize = 4096;

}  // namespace

std::uint32_t KdTree::Shape(std::uint32_t begin, std::uint32_t end) {
  const auto index = static_cast<std::uint32_t>(nodes_.size());
  nodes_.push_back(Node{0.0f, -1, begin, end, 0, 0});
  if (end - begin <= static_cast<std::uint32_t>(leaf_size_)) return index;
  const std::uint32_t mid = begin + (end - begin) / 2;
  const std::uint32_t left = Shape(begin, mid);
  const std::uint32_t right = Shape(mid, end);
  nodes_[index].dim = 0;  // internal; the real dimension is chosen by Split()
  nodes_[index].left = left;
  nodes_[index].right = right;
  return index;
}

void KdTree::Split(std::uint32_t index, const BuildSource& source,
                   std::vector<std::uint32_t>& order) {
  const Dataset& data = source.data;
  Node& node = nodes_[index];
  const std::uint32_t begin = node.begin, end = node.end, count = end - begin;
  // Leaves are far smaller than kLocalPoints: every leaf is written by a subtree build.
  if (count <= kLocalPoints) {
    SplitSubtree(index, source, order);
    return;
  }
  const std::uint32_t step = std::max<std::uint32_t>(1, count / kSpreadSample);
  int widest = 0;
  float widest_spread = -1.0f;
  for (int d = 0; d < features_; ++d) {
    const float* column = data.column(d).data();
    float low = std::numeric_limits<float>::infinity(), high = -low;
    for (std::uint32_t i = begin; i < end; i += step) {
      const float v = column[order[i]];
      low = std::min(low, v);
      high = std::max(high, v);
    }
    if (high - low > widest_spread) {
      widest_spread = high - low;
      widest = d;
    }
  }
  const float* key = data.column(widest).data();
  const std::uint32_t mid = begin + count / 2;
  // Ties broken by row index so the partition is fully determined by the data.
  std::vector<std::pair<float, std::uint32_t>> keyed(count);
  for (std::uint32_t i = 0; i < count; ++i) keyed[i] = {key[order[begin + i]], order[begin + i]};
  std::nth_element(keyed.begin(), keyed.begin() + (mid - begin), keyed.end());
  for (std::uint32_t i = 0; i < count; ++i) order[begin + i] = keyed[i].second;
  node.dim = widest;
  node.split = key[order[mid]];
  const std::uint32_t left = node.left, right = node.right;
  if (count > kTaskPoints) {
#pragma omp task default(shared) firstprivate(left)
    Split(left, source, order);
#pragma omp task default(shared) firstprivate(right)
    Split(right, source, order);
#pragma omp taskwait
  } else {
    Split(left, source, order);
    Split(right, source, order);
  }
}

void KdTree::SplitSubtree(std::uint32_t index, const BuildSource& source,
                          std::vector<std::uint32_t>& order) {
  const Dataset& data = source.data;
  const std::uint32_t begin = nodes_[index].begin, end = nodes_[index].end, count = end - begin;
  // One gather of the subtree's points into a row-major buffer; below, every access is local.
  std::vector<float> local(static_cast<std::size_t>(count) * features_);
  for (int d = 0; d < features_; ++d) {
    const float* column = data.column(d).data();
    for (std::uint32_t i = 0; i < count; ++i) local[i * features_ + d] = column[order[begin + i]];
  }
  std::vector<std::uint32_t> positions(count);
  std::iota(positions.begin(), positions.end(), 0u);
  SplitLocal(index, local.data(), begin, positions);
  const std::vector<std::uint32_t> original(order.begin() + begin, order.begin() + end);
  const auto ids = data.row_ids();
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint32_t row = original[positions[i]];
    order[begin + i] = row;
    labels_[begin + i] = source.codes[row];
    row_ids_[begin + i] = ids[row];
  }
  // The subtree's nodes follow it in preorder, up to the first node that starts after it.
  for (std::size_t j = index; j < nodes_.size() && nodes_[j].begin < end; ++j) {
    const Node& leaf = nodes_[j];
    if (leaf.dim >= 0) continue;
    const std::uint32_t size = leaf.end - leaf.begin;
    float* block = points_.data() + static_cast<std::size_t>(leaf.begin) * features_;
    for (std::uint32_t i = 0; i < size; ++i) {
      const float* point =
          local.data() + static_cast<std::size_t>(positions[leaf.begin - begin + i]) * features_;
      for (int d = 0; d < features_; ++d) block[d * size + i] = point[d];
    }
  }
}

void KdTree::SplitLocal(std::uint32_t index, const float* local, std::uint32_t base,
                        std::vector<std::uint32_t>& positions) {
  Node& node = nodes_[index];
  if (node.dim < 0) return;
  const std::uint32_t begin = node.begin - base, end = node.end - base, count = end - begin;
  const std::uint32_t step = std::max<std::uint32_t>(1, count / kSpreadSample);
  const int features = features_;
  std::vector<float> low(features, std::numeric_limits<float>::infinity());
  std::vector<float> high(features, -std::numeric_limits<float>::infinity());
  for (std::uint32_t i = begin; i < end; i += step) {
    const float* point = local + static_cast<std::size_t>(positions[i]) * features;
    for (int d = 0; d < features; ++d) {
      low[d] = std::min(low[d], point[d]);
      high[d] = std::max(high[d], point[d]);
    }
  }
  int widest = 0;
  for (int d = 1; d < features; ++d) {
    if (high[d] - low[d] > high[widest] - low[widest]) widest = d;
  }
  const std::uint32_t mid = begin + count / 2;
  auto key = [local, features, widest](std::uint32_t p) {
    return local[static_cast<std::size_t>(p) * features + widest];
  };
  std::nth_element(positions.begin() + begin, positions.begin() + mid, positions.begin() + end,
                   [&key](std::uint32_t a, std::uint32_t b) {
                     const float ka = key(a), kb = key(b);
                     return ka < kb || (ka == kb && a < b);
                   });
  node.dim = widest;
  node.split = key(positions[mid]);
  const std::uint32_t left = node.left, right = node.right;
  SplitLocal(left, local, base, positions);
  SplitLocal(right, local, base, positions);
}

void KdTree::ComputeBoxes() {
  const std::size_t width = BoxWidth();
  boxes_.assign(nodes_.size() * width, 0.0f);
#pragma omp parallel for schedule(dynamic, 64) if (nodes_.size() > 1024)
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Node& node = nodes_[i];
    if (node.dim >= 0) continue;
    const std::uint32_t count = node.end - node.begin;
    const float* block = points_.data() + static_cast<std::size_t>(node.begin) * features_;
    float* low = boxes_.data() + i * width;
    float* high = low + width / 2;
    for (int d = 0; d < features_; ++d) {
      const float* column = block + static_cast<std::size_t>(d) * count;
      low[d] = *std::min_element(column, column + count);
      high[d] = *std::max_element(column, column + count);
    }
  }
  // Children follow their parent in preorder: a reverse sweep sees them first.
  for (std::size_t i = nodes_.size(); i-- > 0;) {
    const Node& node = nodes_[i];
    if (node.dim < 0) continue;
    float* box = boxes_.data() + i * width;
    const float* left = boxes_.data() + node.left * width;
    const float* right = boxes_.data() + node.right * width;
    for (int d = 0; d < features_; ++d) {
      box[d] = std::min(left[d], right[d]);
      box[width / 2 + d] = std::max(left[width / 2 + d], right[width / 2 + d]);
    }
  }
}

void KdTree::Build(const Dataset& data, std::span<const std::int32_t> codes, int leaf_size) {
  const std::size_t rows = data.rows();
  if (rows >= std::numeric_limits<std::uint32_t>::max()) {
    throw InputError("knn: ", rows, " training rows on one rank; at most 4294967294 fit an index");
  }
  features_ = static_cast<int>(data.features());
  leaf_size_ = std::clamp(leaf_size, 1, kMaxLeafSize);
  nodes_.clear();
  const auto n = static_cast<std::uint32_t>(rows);
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  // Points, labels and row ids in tree order are written by the subtree builds.
  points_.assign(rows * features_ + kPointPadding, 0.0f);
  labels_.assign(rows, 0);
  row_ids_.assign(rows, 0);
  if (n > 0) {
    Shape(0, n);
    const BuildSource source{data, codes};
#pragma omp parallel if (n > kTaskPoints)
#pragma omp single
    Split(0, source, order);
  }
  ComputeBoxes();
}

// One thread's search state: the sorted k best so far and the query's squared distance to the
// current node's box, per dimension (nanoflann's incremental bound).
template <bool kBounded, bool kCounted>
class KdTree::Searcher {
 public:
  Searcher(const KdTree& tree, int k)
      : tree_(tree),
        k_(k),
        best_(k),
        distances_(tree.leaf_size_ + 4),
        broadcast_query_(tree.features_),
        padded_query_(tree.BoxWidth() / 2, 0.0f),
        box_slack_(1.0f - 1e-7f * static_cast<float>(tree.features_ + 8)) {}

  void Run(const float* query, const Neighbor& bound, Neighbor* out) {
    query_ = query;
    if constexpr (kBounded) bound_ = bound;
    std::copy(query, query + tree_.features_, padded_query_.begin());
    for (int d = 0; d < tree_.features_; ++d) {
      broadcast_query_[d] = Float4{query[d], query[d], query[d], query[d]};
    }
    kept_ = 0;
    Visit(0);
    for (int j = 0; j < k_; ++j) out[j] = j < kept_ ? best_[j] : kNoNeighbor;
    if constexpr (kCounted) ++counts_.queries;
  }

  const KnnSearchCounts& counts() const { return counts_; }

 private:
  // Until k points are kept, the bound (infinite without one) limits the search.
  float Worst() const {
    if (kept_ == k_) return best_[k_ - 1].distance;
    return kBounded ? bound_.distance : std::numeric_limits<float>::infinity();
  }

  void Offer(float distance, std::uint32_t position) {
    const Neighbor candidate{distance, tree_.labels_[position], tree_.row_ids_[position]};
    if (kept_ == k_ ? !(candidate < best_[k_ - 1]) : kBounded && !(candidate < bound_)) return;
    int j = kept_ < k_ ? kept_++ : k_ - 1;
    for (; j > 0 && candidate < best_[j - 1]; --j) best_[j] = best_[j - 1];
    best_[j] = candidate;
  }

  // Distances to a leaf's points, four points at a time, each a float sum over the features in
  // order (the same arithmetic as a scalar loop, lane by lane). The last group may read up to
  // three floats past the leaf: points_ is padded for that, and those lanes are ignored.
  void ScanLeaf(const Node& node) {
    const std::uint32_t count = node.end - node.begin;
    const int features = tree_.features_;
    const float* block = tree_.points_.data() + static_cast<std::size_t>(node.begin) * features;
    float* distances = distances_.data();
    if constexpr (kCounted) {
      ++counts_.leaves;
      counts_.distances += count;
    }
    for (std::uint32_t j = 0; j < count; j += 4) {
      Float4 sum = {0.0f, 0.0f, 0.0f, 0.0f};
      for (int d = 0; d < features; ++d) {
        Float4 p;
        std::memcpy(&p, block + static_cast<std::size_t>(d) * count + j, sizeof(p));
        const Float4 t = broadcast_query_[d] - p;
        sum += t * t;
      }
      std::memcpy(distances + j, &sum, sizeof(sum));
    }
    for (std::uint32_t j = 0; j < count; ++j) {
      if (distances[j] <= Worst()) Offer(distances[j], node.begin + j);
    }
  }

  // Squared distance from the query to a node's bounding box, four features at a time (boxes and
  // query are padded with zeros). Its float rounding differs from a point's distance by a few
  // units in the last place at most, so a child is skipped only when its box is farther than the
  // worst kept distance by more than that: no nearer or equally near point is missed.
  float BoxDistance(std::uint32_t index) const {
    const std::size_t width = tree_.BoxWidth();
    const float* low = tree_.boxes_.data() + index * width;
    const float* high = low + width / 2;
    const Float4 zero = {0.0f, 0.0f, 0.0f, 0.0f};
    Float4 sum = zero;
    for (std::size_t d = 0; d < width / 2; d += 4) {
      Float4 q, lo, hi;
      std::memcpy(&q, padded_query_.data() + d, sizeof(q));
      std::memcpy(&lo, low + d, sizeof(lo));
      std::memcpy(&hi, high + d, sizeof(hi));
      const Float4 below = lo - q, above = q - hi;
      Float4 t = below > above ? below : above;
      t = t > zero ? t : zero;
      sum += t * t;
    }
    return ((sum[0] + sum[1]) + (sum[2] + sum[3])) * box_slack_;
  }

  void Visit(std::uint32_t index) {
    const Node& node = tree_.nodes_[index];
    if (node.dim < 0) {
      ScanLeaf(node);
      return;
    }
    const float left = BoxDistance(node.left), right = BoxDistance(node.right);
    const bool left_first = left <= right;
    const std::uint32_t near = left_first ? node.left : node.right;
    const std::uint32_t far = left_first ? node.right : node.left;
    if ((left_first ? left : right) <= Worst()) Visit(near);
    if ((left_first ? right : left) <= Worst()) Visit(far);
  }

  const KdTree& tree_;
  const int k_;
  std::vector<Neighbor> best_;
  std::vector<float> distances_;
  std::vector<Float4> broadcast_query_;
  std::vector<float> padded_query_;
  const float box_slack_;
  const float* query_ = nullptr;
  Neighbor bound_ = kNoNeighbor;
  int kept_ = 0;
  KnnSearchCounts counts_;
};

std::uint32_t KdTree::LeafOf(const float* query) const {
  std::uint32_t index = 0;
  while (nodes_[index].dim >= 0) {
    const Node& node = nodes_[index];
    index = query[node.dim] < node.split ? node.left : node.right;
  }
  return index;
}

void KdTree::Search(std::span<const float> queries, std::size_t count, int k,
                    std::span<Neighbor> out, std::span<const Neighbor> bounds,
                    KnnSearchCounts* counts) const {
  const std::size_t kk = static_cast<std::size_t>(k);
  if (nodes_.empty()) {
    std::fill(out.begin(), out.begin() + count * kk, kNoNeighbor);
    return;
  }
  // Queries in the order of the leaves they fall in: neighbouring queries then walk the same
  // nodes and points, which stay in cache (the index is far larger than the caches).
  LeafOrder by_leaf(count);
#pragma omp parallel for schedule(static) if (count > 4096)
  for (std::size_t q = 0; q < count; ++q) {
    by_leaf[q] = {LeafOf(queries.data() + q * features_), q};
  }
  std::sort(by_leaf.begin(), by_leaf.end());
  const bool bounded = !bounds.empty(), counted = counts != nullptr;
  if (bounded && counted) {
    SearchInOrder<true, true>(queries, by_leaf, k, out, bounds, counts);
  } else if (bounded) {
    SearchInOrder<true, false>(queries, by_leaf, k, out, bounds, counts);
  } else if (counted) {
    SearchInOrder<false, true>(queries, by_leaf, k, out, bounds, counts);
  } else {
    SearchInOrder<false, false>(queries, by_leaf, k, out, bounds, counts);
  }
}

template <bool kBounded, bool kCounted>
void KdTree::SearchInOrder(std::span<const float> queries, const LeafOrder& by_leaf, int k,
                           std::span<Neighbor> out, std::span<const Neighbor> bounds,
                           KnnSearchCounts* counts) const {
  const std::size_t count = by_leaf.size(), kk = static_cast<std::size_t>(k);
#pragma omp parallel if (count > 64)
  {
    Searcher<kBounded, kCounted> searcher(*this, k);
#pragma omp for schedule(dynamic, 256)
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t q = by_leaf[i].second;
      searcher.Run(queries.data() + q * features_, kBounded ? bounds[q] : kNoNeighbor,
                   out.data() + q * kk);
    }
    if constexpr (kCounted) {
#pragma omp critical(knn_search_counts)
      {
        counts->queries += searcher.counts().queries;
        counts->leaves += searcher.counts().leaves;
        counts->distances += searcher.counts().distances;
      }
    }
  }
}

void KdTree::Save(BinaryWriter& out) const {
  out.Put<std::int32_t>(features_);
  out.Put<std::int32_t>(leaf_size_);
  out.PutVector(nodes_);
  out.PutVector(boxes_);
  out.PutVector(points_);
  out.PutVector(labels_);
  out.PutVector(row_ids_);
}

void KdTree::Load(BinaryReader& in, int classes) {
  const auto features = in.Get<std::int32_t>();
  const auto leaf_size = in.Get<std::int32_t>();
  if (features <= 0 || features > (1 << 24)) throw in.Corrupt("implausible knn feature count");
  if (leaf_size <= 0 || leaf_size > (1 << 20)) throw in.Corrupt("implausible knn leaf size");
  auto nodes = in.GetVector<Node>();
  auto boxes = in.GetVector<float>();
  auto points = in.GetVector<float>();
  auto labels = in.GetVector<std::int32_t>();
  auto row_ids = in.GetVector<std::int64_t>();
  const std::size_t n = labels.size();
  if (row_ids.size() != n ||
      points.size() != n * static_cast<std::size_t>(features) + kPointPadding ||
      (n > 0) != !nodes.empty() || n >= std::numeric_limits<std::uint32_t>::max() ||
      boxes.size() != nodes.size() * 2 * ((static_cast<std::size_t>(features) + 3) / 4 * 4)) {
    throw in.Corrupt("knn index arrays do not match each other");
  }
  for (std::int32_t label : labels) {
    if (label < 0 || label >= classes) throw in.Corrupt("knn label outside the model's classes");
  }
  // Every index the search follows must stay inside the arrays; children come after their
  // parent (preorder), so the search ends.
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    if (node.begin > node.end || node.end > n) throw in.Corrupt("knn node range out of bounds");
    if (node.dim < 0) {
      if (node.end - node.begin > static_cast<std::uint32_t>(leaf_size)) {
        throw in.Corrupt("knn leaf larger than the leaf size");
      }
    } else if (node.dim >= features || node.left <= i || node.right <= i ||
               node.left >= nodes.size() || node.right >= nodes.size() ||
               !std::isfinite(node.split)) {
      throw in.Corrupt("knn node links out of bounds");
    }
  }
  features_ = features;
  leaf_size_ = leaf_size;
  nodes_ = std::move(nodes);
  boxes_ = std::move(boxes);
  points_ = std::move(points);
  labels_ = std::move(labels);
  row_ids_ = std::move(row_ids);
}

}  // namespace scaleml
