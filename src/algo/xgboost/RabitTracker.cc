#include "algo/xgboost/RabitTracker.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "algo/xgboost/RabitLinkMap.h"
#include "algo/xgboost/RabitMessages.h"
#include "core/Error.h"
#include "core/Log.h"
#include "net/Socket.h"

namespace scaleml {
namespace {

constexpr std::int32_t kMagic = kRabitMagic;
// A worker retries the connections it could not make; one that keeps failing is stuck.
constexpr int kMaxLinkRounds = 32;

using Clock = std::chrono::steady_clock;

Clock::time_point After(double seconds) {
  return Clock::now() +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

int MillisecondsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<long long>(left.count(), 0, 1 << 30));
}

// A worker that broke the protocol or went away. Caught inside the tracker's thread and turned
// into its Status.
using LinkError = RabitLinkError;

// One worker's connection: native-endian int32s and length-prefixed strings, as rabit sends
// them. Every wait also watches the tracker's stop pipe and the exchange's deadline.
class Channel {
 public:
  Channel(net::Socket fd, std::string host, int stop_fd, Clock::time_point deadline)
      : fd_(std::move(fd)), host_(std::move(host)), stop_fd_(stop_fd), deadline_(deadline) {}

  const std::string& host() const { return host_; }
  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }

  // The decoders of RabitMessages.h, reading from this channel's socket.
  struct Reader {
    Channel* channel;
    void operator()(void* data, std::size_t bytes) const { channel->Transfer(data, bytes, false); }
  };
  std::int32_t RecvInt() { return DecodeRabitInt(Reader{this}); }
  void SendInt(std::int32_t value) { Transfer(&value, sizeof(value), true); }
  std::string RecvString() { return DecodeRabitString(Reader{this}); }
  RabitWorkerHello RecvWorkerHello() { return DecodeRabitWorkerHello(Reader{this}); }
  void SendString(std::string_view text) {
    SendInt(static_cast<std::int32_t>(text.size()));
    Transfer(const_cast<char*>(text.data()), text.size(), true);  // only read
  }

 private:
  void Transfer(void* data, std::size_t bytes, bool sending) {
    auto* at = static_cast<char*>(data);
    while (bytes > 0) {
      pollfd fds[2] = {{fd_.fd(), static_cast<short>(sending ? POLLOUT : POLLIN), 0},
                       {stop_fd_, POLLIN, 0}};
      int ready = poll(fds, 2, MillisecondsLeft(deadline_));
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) throw LinkError(StrCat("poll: ", std::strerror(errno)));
      if (fds[1].revents != 0) throw LinkError("the tracker was stopped");
      if (ready == 0) throw LinkError("no answer before the deadline");
      ssize_t done = sending ? send(fd_.fd(), at, bytes, MSG_NOSIGNAL | MSG_DONTWAIT)
                             : recv(fd_.fd(), at, bytes, MSG_DONTWAIT);
      if (done < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
      if (done < 0) throw LinkError(std::strerror(errno));
      if (done == 0) throw LinkError("the connection was closed");
      at += done;
      bytes -= static_cast<std::size_t>(done);
    }
  }

  net::Socket fd_;
  std::string host_;
  int stop_fd_;
  Clock::time_point deadline_;
};

}  // namespace

// The protocol's state, on the tracker's thread only.
class RabitTracker::Session {
 public:
  explicit Session(RabitTracker& tracker)
      : tracker_(tracker),
        n_(tracker.workers_),
        links_(MakeLinkMap(tracker.workers_)),
        start_deadline_(After(tracker.start_timeout_s_)) {
    for (int r = 0; r < n_; ++r) todo_.insert(r);
  }

  Status Serve() {
    try {
      while (static_cast<int>(shutdown_.size()) < n_) {
        const bool all_started = todo_.empty();
        const int wait_ms = all_started ? -1 : MillisecondsLeft(start_deadline_);
        if (!all_started && wait_ms == 0) {
          return Status::Fail(StatusCode::kTimeout, StartTimeoutMessage());
        }
        pollfd fds[2] = {{tracker_.listener_.fd(), POLLIN, 0}, {tracker_.stop_read_fd_, POLLIN, 0}};
        int ready = poll(fds, 2, wait_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) return Status::Fail(StrCat("xgboost tracker: poll: ", std::strerror(errno)));
        if (fds[1].revents != 0) {
          return Status::Fail(StrCat("xgboost tracker: stopped with ", Started(), " of ", n_,
                                     " workers started and ", shutdown_.size(), " shut down"));
        }
        if (fds[0].revents != 0) Accept();
      }
    } catch (const LinkError& e) {
      return Status::Fail(StrCat("xgboost tracker: ", e.what()));
    }
    return Status::Ok();
  }

 private:
  struct Listening {
    std::string host;
    int port = 0;
    int accepts_left = 0;  // neighbours that will still connect to it
  };
  struct Arrival {
    Channel channel;
    std::string task_id;
  };

  int Started() const { return n_ - static_cast<int>(todo_.size()); }

  std::string StartTimeoutMessage() const {
    const int arrived = Started() + static_cast<int>(pending_.size());
    std::string waiting;
    for (const auto& a : pending_) {
      waiting += StrCat(waiting.empty() ? "" : ", ", "task ", a.task_id, " at ", a.channel.host());
    }
    return StrCat("xgboost tracker: only ", arrived, " of ", n_, " workers connected within ",
                  tracker_.start_timeout_s_, " s",
                  waiting.empty() ? "" : StrCat(" (arrived: ", waiting, "; a task id is a rank)"),
                  "; check that every rank trains xgboost and can reach ", tracker_.host_, ":",
                  tracker_.port_, ", or raise --param tracker_timeout_s");
  }

  void Accept() {
    std::string peer;
    net::Socket accepted = net::AcceptPending(tracker_.listener_, &peer);
    if (!accepted.valid()) return;  // the peer gave up already; the next poll goes on
    Channel channel(std::move(accepted), std::move(peer), tracker_.stop_read_fd_,
                    After(tracker_.start_timeout_s_));
    RabitWorkerHello hello;
    try {
      if (channel.RecvInt() != kMagic) throw LinkError("not rabit's magic number");
      channel.SendInt(kMagic);
      hello = channel.RecvWorkerHello();
    } catch (const LinkError& e) {
      // A stray connection (a port scan, a client of another service) is not a worker.
      LogWarning("xgboost tracker: ignoring a connection from ", channel.host(), ": ", e.what());
      return;
    }
    std::int32_t rank = hello.rank;
    const std::int32_t world_size = hello.world_size;
    std::string task_id = std::move(hello.task_id);
    const std::string& command = hello.command;
    if (command == "print") {
      LogInfo("xgboost: ", channel.RecvString());
    } else if (command == "shutdown") {
      if (rank < 0 || rank >= n_ || shutdown_.count(rank) || waiting_.count(rank)) {
        throw LinkError(StrCat("an unexpected shutdown from rank ", rank, " at ", channel.host()));
      }
      shutdown_.insert(rank);
      std::lock_guard lock(tracker_.mutex_);
      tracker_.shutdowns_ = static_cast<int>(shutdown_.size());
    } else if (command == "start" || command == "recover") {
      if (world_size != -1 && world_size != n_) {
        throw LinkError(StrCat("the worker at ", channel.host(), " expects ", world_size,
                               " workers, the tracker ", n_));
      }
      if (rank < 0 && task_id != "NULL" && job_map_.count(task_id)) rank = job_map_[task_id];
      if (rank >= n_) throw LinkError(StrCat("rank ", rank, " of ", n_, " at ", channel.host()));
      if (rank >= 0) {
        Assign(channel, rank, task_id);
      } else {
        pending_.push_back({std::move(channel), std::move(task_id)});
        if (pending_.size() == todo_.size()) AssignPending();
      }
    } else {
      LogWarning("xgboost tracker: ignoring the unknown command '", command, "' from ",
                 channel.host());
    }
  }

  // Every worker has arrived: ranks by task id when the ids are the ranks still to give,
  // otherwise by address (rabit's default order).
  void AssignPending() {
    std::vector<Arrival> arrivals = std::move(pending_);
    pending_.clear();
    std::vector<int> by_task;
    for (const auto& a : arrivals) {
      char* end = nullptr;
      errno = 0;
      long id = std::strtol(a.task_id.c_str(), &end, 10);
      // "4294967296" is no rank: out of int's range, a cast would wrap it onto rank 0.
      if (a.task_id.empty() || *end != '\0' || errno == ERANGE || id < 0 || id >= n_ ||
          !todo_.count(static_cast<int>(id)) || std::count(by_task.begin(), by_task.end(), id)) {
        by_task.clear();
        break;
      }
      by_task.push_back(static_cast<int>(id));
    }
    std::vector<int> ranks;
    if (by_task.size() == arrivals.size()) {
      ranks = by_task;
    } else {
      std::stable_sort(arrivals.begin(), arrivals.end(), [](const Arrival& a, const Arrival& b) {
        return a.channel.host() < b.channel.host();
      });
      ranks.assign(todo_.begin(), todo_.end());
    }
    for (std::size_t i = 0; i < arrivals.size(); ++i) {
      arrivals[i].channel.set_deadline(After(tracker_.start_timeout_s_));
      Assign(arrivals[i].channel, ranks[i], arrivals[i].task_id);
    }
    LogDebug("xgboost tracker: all ", n_, " workers started");
  }

  // tracker.py's assign_rank: the rank and its links, then the neighbours to connect to until
  // the worker reports no failure, then the port it listens on for the others.
  void Assign(Channel& channel, int rank, const std::string& task_id) {
    const auto [prev, next] = links_.ring[rank];
    channel.SendInt(rank);
    channel.SendInt(links_.parent[rank]);
    channel.SendInt(n_);
    channel.SendInt(static_cast<std::int32_t>(links_.tree[rank].size()));
    std::set<int> neighbours;
    for (int r : links_.tree[rank]) {
      channel.SendInt(r);
      neighbours.insert(r);
    }
    for (int r : {prev, next}) {
      const bool linked = r != -1 && r != rank;
      channel.SendInt(linked ? r : -1);
      if (linked) neighbours.insert(r);
    }
    for (int round = 0;; ++round) {
      if (round == kMaxLinkRounds) {
        throw LinkError(StrCat("rank ", rank, " at ", channel.host(), " failed to connect to its ",
                               "neighbours ", kMaxLinkRounds, " times"));
      }
      const std::int32_t good_count = channel.RecvInt();
      if (good_count < 0 || good_count > static_cast<int>(neighbours.size())) {
        throw LinkError(StrCat("rank ", rank, " reports ", good_count, " working links"));
      }
      std::set<int> missing = neighbours;
      for (int i = 0; i < good_count; ++i) {
        const int r = channel.RecvInt();
        if (!neighbours.count(r)) throw LinkError(StrCat("rank ", rank, " has a link to ", r));
        missing.erase(r);
      }
      std::vector<int> to_connect;
      for (int r : missing) {
        if (waiting_.count(r)) to_connect.push_back(r);
      }
      channel.SendInt(static_cast<std::int32_t>(to_connect.size()));
      channel.SendInt(static_cast<std::int32_t>(missing.size() - to_connect.size()));
      for (int r : to_connect) {
        channel.SendString(waiting_[r].host);
        channel.SendInt(waiting_[r].port);
        channel.SendInt(r);
      }
      if (channel.RecvInt() != 0) continue;  // some connections failed: another round
      const int port = channel.RecvInt();
      for (int r : to_connect) {
        if (--waiting_[r].accepts_left == 0) waiting_.erase(r);
      }
      const int accepts = static_cast<int>(missing.size() - to_connect.size());
      if (accepts > 0) waiting_[rank] = {channel.host(), port, accepts};
      break;
    }
    todo_.erase(rank);
    if (task_id != "NULL") job_map_[task_id] = rank;
    LogDebug("xgboost tracker: rank ", rank, " (task ", task_id, ") at ", channel.host());
  }

  RabitTracker& tracker_;
  const int n_;
  const LinkMap links_;
  const Clock::time_point start_deadline_;
  std::set<int> todo_;                  // ranks not started yet
  std::vector<Arrival> pending_;        // arrived, waiting for the others to get ranks
  std::map<int, Listening> waiting_;    // started ranks that still accept links
  std::map<std::string, int> job_map_;  // task id -> rank
  std::set<int> shutdown_;
};

RabitTracker::RabitTracker(std::string host, int workers, double start_timeout_s)
    : host_(std::move(host)), workers_(workers), start_timeout_s_(start_timeout_s) {
  if (workers < 1) throw Failure("xgboost tracker: ", workers, " workers");
  net::Listener listener;
  if (Status listened = net::Listen(host_, 0, 256, &listener); !listened.ok()) {
    throw Failure("xgboost tracker: ", listened.message(),
                  " (set MASTER_ADDR to an address of rank 0's host)");
  }
  port_ = listener.port;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw Failure("xgboost tracker: pipe: ", std::strerror(errno));
  }
  listener_ = std::move(listener.socket);
  stop_read_fd_ = pipe_fds[0];
  stop_write_fd_ = pipe_fds[1];
}

RabitTracker::~RabitTracker() {
  if (thread_.joinable()) {
    const char stop = 1;
    // The pipe is empty and non-blocking; one byte always fits.
    [[maybe_unused]] ssize_t written = write(stop_write_fd_, &stop, 1);
    thread_.join();
  }
  for (int fd : {stop_read_fd_, stop_write_fd_}) {
    if (fd >= 0) close(fd);
  }
}

void RabitTracker::Start() {
  if (thread_.joinable()) throw Failure("xgboost tracker: started twice");
  thread_ = std::thread([this] { Run(); });
}

void RabitTracker::Run() {
  Session session(*this);
  Finish(session.Serve());
}

void RabitTracker::Finish(Status status) {
  std::lock_guard lock(mutex_);
  result_ = std::move(status);
  finished_.notify_all();
}

bool RabitTracker::finished() {
  std::lock_guard lock(mutex_);
  return result_.has_value();
}

Status RabitTracker::Wait(double timeout_s) {
  std::unique_lock lock(mutex_);
  finished_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                     [this] { return result_.has_value(); });
  if (result_) return *result_;
  return Status::Fail(StatusCode::kTimeout,
                      StrCat("xgboost tracker: ", shutdowns_, " of ", workers_,
                             " workers shut down within ", timeout_s, " s"));
}

std::string RabitTracker::ReachableHost() {
  const char* master = std::getenv("MASTER_ADDR");
  if (master == nullptr || master[0] == '\0') return "127.0.0.1";
  const char* port = std::getenv("MASTER_PORT");
  std::string local;
  const Status routed =
      net::LocalAddressTowards(master, port != nullptr && port[0] ? std::atoi(port) : 1, &local);
  if (!routed.ok()) {
    throw Failure("xgboost tracker: no route from rank 0 to MASTER_ADDR ", master, ": ",
                  routed.message());
  }
  return local;
}

}  // namespace scaleml
