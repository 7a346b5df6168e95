#include "algo/knn/KdTree.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "core/Error.h"

namespace scaleml {
namespace {

// Points sampled to pick a node's widest dimension: enough to see its spread, cheap for the top.
constexpr std::uint32_t kSpreadSample = 256;
// Nodes with more points than this split their children as separate OpenMP tasks.
constexpr std::uint32_t kTaskPoints = 65536;
// Nodes with more points than this partition a gathered (key, index) copy, not the index array
// through the column (random reads).
constexpr std::uint32_t kGatherPoints = 4096;
// The box bound is exact in double, leaf distances are float sums: visit a far child whose bound
// is within float rounding of the worst kept distance, so no equal or nearer point is missed.
constexpr double kBoundSlack = 1e-5;

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

void KdTree::Split(std::uint32_t index, const Dataset& data, std::vector<std::uint32_t>& order) {
  Node& node = nodes_[index];
  if (node.dim < 0) return;
  const std::uint32_t begin = node.begin, end = node.end, count = end - begin;
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
  if (count > kGatherPoints) {
    std::vector<std::pair<float, std::uint32_t>> keyed(count);
    for (std::uint32_t i = 0; i < count; ++i) keyed[i] = {key[order[begin + i]], order[begin + i]};
    std::nth_element(keyed.begin(), keyed.begin() + (mid - begin), keyed.end());
    for (std::uint32_t i = 0; i < count; ++i) order[begin + i] = keyed[i].second;
  } else {
    std::nth_element(order.begin() + begin, order.begin() + mid, order.begin() + end,
                     [key](std::uint32_t a, std::uint32_t b) {
                       return key[a] < key[b] || (key[a] == key[b] && a < b);
                     });
  }
  node.dim = widest;
  node.split = key[order[mid]];
  const std::uint32_t left = node.left, right = node.right;
  if (count > kTaskPoints) {
#pragma omp task default(shared) firstprivate(left)
    Split(left, data, order);
#pragma omp task default(shared) firstprivate(right)
    Split(right, data, order);
#pragma omp taskwait
  } else {
    Split(left, data, order);
    Split(right, data, order);
  }
}

void KdTree::Build(const Dataset& data, std::span<const std::int32_t> codes, int leaf_size) {
  const std::size_t rows = data.rows();
  if (rows >= std::numeric_limits<std::uint32_t>::max()) {
    throw InputError("knn: ", rows, " training rows on one rank; at most 4294967294 fit an index");
  }
  features_ = static_cast<int>(data.features());
  leaf_size_ = std::max(1, leaf_size);
  nodes_.clear();
  const auto n = static_cast<std::uint32_t>(rows);
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  if (n > 0) {
    Shape(0, n);
#pragma omp parallel if (n > kTaskPoints)
#pragma omp single
    Split(0, data, order);
  }
  points_.assign(rows * features_, 0.0f);
  labels_.assign(rows, 0);
  row_ids_.assign(rows, 0);
  const auto ids = data.row_ids();
#pragma omp parallel for schedule(dynamic, 64) if (n > kTaskPoints)
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Node& node = nodes_[i];
    if (node.dim >= 0) continue;
    const std::uint32_t count = node.end - node.begin;
    float* block = points_.data() + static_cast<std::size_t>(node.begin) * features_;
    for (int d = 0; d < features_; ++d) {
      const float* column = data.column(d).data();
      for (std::uint32_t j = 0; j < count; ++j)
        block[d * count + j] = column[order[node.begin + j]];
    }
    for (std::uint32_t j = node.begin; j < node.end; ++j) {
      labels_[j] = codes[order[j]];
      row_ids_[j] = ids[order[j]];
    }
  }
}

// One thread's search state: the sorted k best so far and the query's squared distance to the
// current node's box, per dimension (nanoflann's incremental bound).
class KdTree::Searcher {
 public:
  Searcher(const KdTree& tree, int k)
      : tree_(tree), k_(k), best_(k), offsets_(tree.features_), distances_(tree.leaf_size_) {}

  void Run(const float* query, Neighbor* out) {
    query_ = query;
    kept_ = 0;
    std::fill(offsets_.begin(), offsets_.end(), 0.0);
    Visit(0, 0.0);
    for (int j = 0; j < k_; ++j) out[j] = j < kept_ ? best_[j] : kNoNeighbor;
  }

 private:
  float Worst() const {
    return kept_ < k_ ? std::numeric_limits<float>::infinity() : best_[k_ - 1].distance;
  }

  void Offer(float distance, std::uint32_t position) {
    const Neighbor candidate{distance, tree_.labels_[position], tree_.row_ids_[position]};
    if (kept_ == k_ && !(candidate < best_[k_ - 1])) return;
    int j = kept_ < k_ ? kept_++ : k_ - 1;
    for (; j > 0 && candidate < best_[j - 1]; --j) best_[j] = best_[j - 1];
    best_[j] = candidate;
  }

  void ScanLeaf(const Node& node) {
    const std::uint32_t count = node.end - node.begin;
    const int features = tree_.features_;
    const float* block = tree_.points_.data() + static_cast<std::size_t>(node.begin) * features;
    float* distances = distances_.data();
    std::fill(distances, distances + count, 0.0f);
    for (int d = 0; d < features; ++d) {
      const float q = query_[d];
      const float* column = block + static_cast<std::size_t>(d) * count;
#pragma omp simd
      for (std::uint32_t j = 0; j < count; ++j) {
        const float t = q - column[j];
        distances[j] += t * t;
      }
    }
    for (std::uint32_t j = 0; j < count; ++j) {
      if (distances[j] <= Worst()) Offer(distances[j], node.begin + j);
    }
  }

  void Visit(std::uint32_t index, double box_distance) {
    const Node& node = tree_.nodes_[index];
    if (node.dim < 0) {
      ScanLeaf(node);
      return;
    }
    const double diff = static_cast<double>(query_[node.dim]) - node.split;
    const std::uint32_t near = diff < 0 ? node.left : node.right;
    const std::uint32_t far = diff < 0 ? node.right : node.left;
    Visit(near, box_distance);
    const double offset = diff * diff;
    const double far_distance = box_distance - offsets_[node.dim] + offset;
    if (far_distance <= static_cast<double>(Worst()) * (1.0 + kBoundSlack)) {
      const double saved = offsets_[node.dim];
      offsets_[node.dim] = offset;
      Visit(far, far_distance);
      offsets_[node.dim] = saved;
    }
  }

  const KdTree& tree_;
  const int k_;
  std::vector<Neighbor> best_;
  std::vector<double> offsets_;
  std::vector<float> distances_;
  const float* query_ = nullptr;
  int kept_ = 0;
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
                    std::span<Neighbor> out) const {
  const std::size_t kk = static_cast<std::size_t>(k);
  if (nodes_.empty()) {
    std::fill(out.begin(), out.begin() + count * kk, kNoNeighbor);
    return;
  }
  // Queries in the order of the leaves they fall in: neighbouring queries then walk the same
  // nodes and points, which stay in cache (the index is far larger than the caches).
  std::vector<std::pair<std::uint32_t, std::size_t>> by_leaf(count);
#pragma omp parallel for schedule(static) if (count > 4096)
  for (std::size_t q = 0; q < count; ++q) {
    by_leaf[q] = {LeafOf(queries.data() + q * features_), q};
  }
  std::sort(by_leaf.begin(), by_leaf.end());
#pragma omp parallel if (count > 64)
  {
    Searcher searcher(*this, k);
#pragma omp for schedule(dynamic, 256)
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t q = by_leaf[i].second;
      searcher.Run(queries.data() + q * features_, out.data() + q * kk);
    }
  }
}

void KdTree::Save(BinaryWriter& out) const {
  out.Put<std::int32_t>(features_);
  out.Put<std::int32_t>(leaf_size_);
  out.PutVector(nodes_);
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
  auto points = in.GetVector<float>();
  auto labels = in.GetVector<std::int32_t>();
  auto row_ids = in.GetVector<std::int64_t>();
  const std::size_t n = labels.size();
  if (row_ids.size() != n || points.size() != n * static_cast<std::size_t>(features) ||
      (n > 0) != !nodes.empty() || n >= std::numeric_limits<std::uint32_t>::max()) {
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
  points_ = std::move(points);
  labels_ = std::move(labels);
  row_ids_ = std::move(row_ids);
}

}  // namespace scaleml
