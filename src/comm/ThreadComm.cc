#include "comm/ThreadComm.h"

#include <barrier>
#include <cstdint>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "core/Error.h"

namespace scaleml {

struct ThreadCommGroup::Shared {
  explicit Shared(int n) : size(n), sync(n), slots(n), lengths(n) {}
  int size;
  std::barrier<> sync;
  // Each rank publishes a pointer (and a length for variable-size gathers) between barriers.
  std::vector<const void*> slots;
  std::vector<std::size_t> lengths;
};

namespace {

class ThreadComm final : public Comm {
 public:
  ThreadComm(ThreadCommGroup::Shared* shared, int rank) : shared_(shared), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return shared_->size; }

  Status AllreduceBytes(void* data, std::size_t count, DataType type, ReduceOp op) override {
    const std::size_t bytes = count * DataTypeSize(type);
    Publish(data, bytes);
    // Every rank reduces all contributions in rank order into a private buffer, so all ranks
    // compute bit-identical results, then waits until everyone has read before writing back.
    std::vector<std::byte> result(bytes);
    std::memcpy(result.data(), shared_->slots[0], bytes);
    for (int r = 1; r < shared_->size; ++r) {
      ReduceInto(result.data(), shared_->slots[r], count, type, op);
    }
    shared_->sync.arrive_and_wait();
    std::memcpy(data, result.data(), bytes);
    return Status::Ok();
  }

  Status ReduceScatterBytes(const void* send, void* recv, std::span<const std::size_t> block_counts,
                            DataType type, ReduceOp op) override {
    if (block_counts.size() != static_cast<std::size_t>(shared_->size)) {
      return Status::Fail(StrCat("reduce-scatter: ", block_counts.size(),
                                 " block counts for a group of ", shared_->size));
    }
    const std::size_t element = DataTypeSize(type);
    std::size_t offset = 0, total = 0;
    for (std::size_t r = 0; r < block_counts.size(); ++r) {
      if (static_cast<int>(r) == rank_) offset = total;
      total += block_counts[r];
    }
    const std::size_t count = block_counts[rank_];
    Publish(send, total * element, (total - count) * element);
    std::vector<std::byte> result(count * element);
    auto block_of = [&](int r) {
      return static_cast<const std::byte*>(shared_->slots[r]) + offset * element;
    };
    if (count > 0) {
      std::memcpy(result.data(), block_of(0), result.size());
      for (int r = 1; r < shared_->size; ++r)
        ReduceInto(result.data(), block_of(r), count, type, op);
    }
    shared_->sync.arrive_and_wait();
    if (count > 0) std::memcpy(recv, result.data(), result.size());
    return Status::Ok();
  }

  Status AllgatherBytes(const void* in, std::size_t bytes, void* out) override {
    Publish(in, bytes);
    std::vector<std::byte> result(bytes * shared_->size);
    for (int r = 0; r < shared_->size; ++r) {
      std::memcpy(result.data() + r * bytes, shared_->slots[r], bytes);
    }
    shared_->sync.arrive_and_wait();
    std::memcpy(out, result.data(), result.size());
    return Status::Ok();
  }

  Status AllgatherVBytes(std::span<const std::byte> in,
                         std::vector<std::vector<std::byte>>* out) override {
    Publish(in.data(), in.size());
    out->assign(shared_->size, {});
    for (int r = 0; r < shared_->size; ++r) {
      const auto* begin = static_cast<const std::byte*>(shared_->slots[r]);
      (*out)[r].assign(begin, begin + shared_->lengths[r]);
    }
    shared_->sync.arrive_and_wait();
    return Status::Ok();
  }

  Status BroadcastBytes(void* data, std::size_t bytes, int root) override {
    if (root < 0 || root >= shared_->size) {
      return Status::Fail(StrCat("broadcast root ", root, " is not a rank"));
    }
    Publish(data, bytes);
    if (rank_ != root && bytes > 0) std::memcpy(data, shared_->slots[root], bytes);
    shared_->sync.arrive_and_wait();
    return Status::Ok();
  }

  Status Barrier() override {
    shared_->sync.arrive_and_wait();
    return Status::Ok();
  }

 private:
  // `sent`: the bytes this rank contributes to others (all of them unless told).
  void Publish(const void* data, std::size_t bytes, std::size_t sent = SIZE_MAX) {
    ++stats().calls;
    stats().bytes_sent += static_cast<std::int64_t>(sent == SIZE_MAX ? bytes : sent);
    shared_->slots[rank_] = data;
    shared_->lengths[rank_] = bytes;
    shared_->sync.arrive_and_wait();
  }

  ThreadCommGroup::Shared* shared_;
  int rank_;
};

}  // namespace

ThreadCommGroup::ThreadCommGroup(int size) : shared_(std::make_unique<Shared>(size)) {}
ThreadCommGroup::~ThreadCommGroup() = default;
int ThreadCommGroup::size() const { return shared_->size; }

std::unique_ptr<Comm> ThreadCommGroup::Member(int rank) {
  return std::make_unique<ThreadComm>(shared_.get(), rank);
}

void RunRanks(int size, const std::function<void(Comm&)>& body) {
  ThreadCommGroup group(size);
  std::vector<std::exception_ptr> errors(size);
  std::vector<std::thread> threads;
  for (int r = 0; r < size; ++r) {
    threads.emplace_back([&, r] {
      auto comm = group.Member(r);
      try {
        body(*comm);
      } catch (...) {
        errors[r] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace scaleml
