// Which local rows each leaf of the growing tree holds: one array of row indices, each leaf a
// contiguous range of it, split in place (stably, so rows stay ascending and column reads stay
// sequential-ish) when its leaf splits. Thread-safety: one thread calls it (it uses OpenMP).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace scaleml {

class DataPartition {
 public:
  // Room for `max_leaves` leaves; leaf 0 starts with all of `rows`.
  void Init(std::span<const std::uint32_t> rows, int max_leaves);

  std::span<const std::uint32_t> rows(int leaf) const {
    return {rows_.data() + begin_[leaf], count_[leaf]};
  }
  std::size_t count(int leaf) const { return count_[leaf]; }

  // Moves the rows r of `leaf` whose bin bins[r * stride] is > threshold_bin to `new_leaf`; the
  // others stay. Returns how many stayed.
  std::size_t Split(int leaf, int new_leaf, const std::uint8_t* bins, std::size_t stride,
                    int threshold_bin);
  // The same with any rule: rows whose bin b has goes_left[b] == 0 move (256 entries).
  std::size_t SplitByTable(int leaf, int new_leaf, const std::uint8_t* bins, std::size_t stride,
                           const std::uint8_t* goes_left);

 private:
  template <class GoesLeft>
  std::size_t SplitBy(int leaf, int new_leaf, const std::uint8_t* bins, std::size_t stride,
                      GoesLeft goes_left_of);

  std::vector<std::uint32_t> rows_;
  std::vector<std::uint32_t> left_scratch_;
  std::vector<std::uint32_t> right_scratch_;
  std::vector<std::size_t> begin_;
  std::vector<std::size_t> count_;
};

}  // namespace scaleml
