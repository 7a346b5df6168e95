#include "comm/gloo/GlooComm.h"

#include "comm/RendezvousClient.h"
#include "comm/gloo/ScalemlStore.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <span>
#include <stdexcept>
#include <thread>

#include <ATen/ATen.h>
#include <gloo/allreduce.h>
#include <gloo/math.h>
#include <gloo/types.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "comm/TcpMeshComm.h"
#include "core/Error.h"
#include "core/Stopwatch.h"
#include "net/Socket.h"

namespace scaleml {
namespace {

using Milliseconds = std::chrono::milliseconds;

Milliseconds ToMilliseconds(double seconds) {
  return Milliseconds(static_cast<std::int64_t>(std::max(seconds, 0.001) * 1000.0));
}

// c10 errors carry a backtrace and several lines of context; a Status is one line.
std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  // Gloo starts its messages with the source location, "[./gloo/transport/tcp/pair.cc:598] ".
  if (line.rfind("[", 0) == 0 && line.find(".cc:") != std::string::npos) {
    std::size_t close = line.find("] ");
    if (close != std::string::npos) line = line.substr(close + 2);
  }
  return line.empty() ? "unknown error" : line;
}

std::string MessageOf(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) {
    return FirstLine(c10_error->what_without_backtrace());
  }
  return FirstLine(e.what());
}

bool Contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

// The address of this host on the route to the master: Gloo's device must bind an address its
// peers can reach, and in a multi-host run the hostname may resolve to anything (or to
// 127.0.1.1). Connecting a UDP socket picks the route without sending a packet.
std::string RouteLocalAddress(const std::string& master_addr, int master_port) {
  std::string local;
  if (Status routed = net::LocalAddressTowards(master_addr, master_port, &local); !routed.ok()) {
    if (routed.code() == StatusCode::kInvalid) {
      throw std::runtime_error(
          StrCat("cannot resolve master address '", master_addr, "' (", routed.message(), ")"));
    }
    throw std::runtime_error(
        StrCat("no route from this host to master address ", master_addr, ": ", routed.message()));
  }
  return local;
}

// c10d's client sleeps a whole second after a refused connection, which is what every worker
// that starts before the master meets; polling for the listener first saves that second.
// Gives up quietly at the deadline: the store's own connect then reports the error.
void WaitForListener(const std::string& host, int port, double timeout_s) {
  const net::Deadline deadline = net::DeadlineIn(timeout_s);
  while (net::Clock::now() < deadline) {
    net::Socket probe;
    const net::Deadline attempt = std::min(deadline, net::DeadlineIn(1.0));
    const Status connected = net::ConnectBefore(host, port, attempt, &probe);
    if (connected.ok() || connected.code() == StatusCode::kInvalid) return;  // or unresolvable
    std::this_thread::sleep_for(Milliseconds(20));
  }
}

// One line that says what went wrong with the rendezvous and what to check.
// A failure of scaleml's own rendezvous store, with its code.
class RendezvousError : public std::runtime_error {
 public:
  explicit RendezvousError(const Status& status)
      : std::runtime_error(status.message()), code_(status.code()) {}
  StatusCode code() const { return code_; }

 private:
  StatusCode code_;
};

std::string ExplainRendezvousStatus(const RendezvousError& error, const ScalemlGlooConfig& config) {
  const std::string where = StrCat(config.master_addr, ":", config.master_port);
  switch (error.code()) {
    case StatusCode::kInUse:
      return StrCat("rank 0 cannot host the rendezvous on port ", config.master_port,
                    ": address already in use (choose another --master-port)");
    case StatusCode::kTimeout:
      return StrCat("rank ", config.rank, " of ", config.size, ": the group did not form at ",
                    where, " within ", config.timeout_s,
                    " s (is every rank started, and --master-addr/--master-port the same on all "
                    "nodes?): ",
                    error.what());
    case StatusCode::kDenied:
      return StrCat("rank ", config.rank, " of ", config.size, ": the rendezvous at ", where,
                    " refused this rank's token, or does not hold it (give every rank the same "
                    "SCALEML_TOKEN or --token-file)");
    default:
      return StrCat("rank ", config.rank, " of ", config.size, ": rendezvous at ", where,
                    " failed: ", error.what());
  }
}

// torchrun's TCPStore reports failures as text only.
std::string ExplainRendezvousError(const std::string& message, const ScalemlGlooConfig& config) {
  std::string where = StrCat(config.master_addr, ":", config.master_port);
  if (Contains(message, "already in use")) {
    return StrCat("rank 0 cannot host the rendezvous on port ", config.master_port,
                  ": address already in use (choose another --master-port)");
  }
  if (Contains(message, "timed out") || Contains(message, "Timeout") ||
      Contains(message, "timeout")) {
    return StrCat("rank ", config.rank, " of ", config.size, ": the group did not form at ", where,
                  " within ", config.timeout_s,
                  " s (is every rank started, and --master-addr/--master-port the same on all "
                  "nodes?): ",
                  message);
  }
  return StrCat("rank ", config.rank, " of ", config.size, ": rendezvous at ", where,
                " failed: ", message);
}

at::Tensor WrapBytes(void* data, std::size_t bytes) {
  return at::from_blob(data, {static_cast<std::int64_t>(bytes)}, at::TensorOptions(at::kByte));
}

// Every key of a group is under its attempt: torchrun's store outlives an attempt that failed,
// and the next must not read its addresses (torch prefixes its own keys the same way).
std::string KeyPrefix(int attempt) { return StrCat("scaleml/attempt_", attempt, "/"); }

// The first IPv4 (else IPv6) address of a network interface, for GLOO_SOCKET_IFNAME.
std::string InterfaceAddress(const char* name) {
  ifaddrs* all = nullptr;
  if (getifaddrs(&all) != 0) throw std::runtime_error("cannot list the network interfaces");
  std::string found[2];  // IPv4, IPv6
  for (ifaddrs* at = all; at != nullptr; at = at->ifa_next) {
    if (at->ifa_addr == nullptr || std::strcmp(at->ifa_name, name) != 0) continue;
    const int family = at->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw =
        family == AF_INET6
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(at->ifa_addr)->sin6_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(at->ifa_addr)->sin_addr);
    std::string& slot = found[family == AF_INET ? 0 : 1];
    if (slot.empty() && inet_ntop(family, raw, text, sizeof(text)) != nullptr) slot = text;
  }
  freeifaddrs(all);
  if (found[0].empty() && found[1].empty()) {
    throw std::runtime_error(
        StrCat("GLOO_SOCKET_IFNAME=", name, ": no such interface with an address"));
  }
  return found[0].empty() ? found[1] : found[0];
}

template <class T>
gloo::AllreduceOptions::Func ReduceFunction(ReduceOp op) {
  using Function = void (*)(void*, const void*, const void*, std::size_t);
  switch (op) {
    case ReduceOp::kSum:
      return static_cast<Function>(&gloo::sum<T>);
    case ReduceOp::kMin:
      return static_cast<Function>(&gloo::min<T>);
    case ReduceOp::kMax:
      return static_cast<Function>(&gloo::max<T>);
  }
  return static_cast<Function>(&gloo::sum<T>);
}

template <class T>
void AllreduceOn(const std::shared_ptr<gloo::Context>& context, std::uint32_t tag, void* data,
                 std::size_t count, ReduceOp op) {
  gloo::AllreduceOptions options(context);  // the context's timeout: the group's
  options.setOutput(static_cast<T*>(data), count);
  options.setReduceFunction(ReduceFunction<T>(op));
  options.setTag(tag);
  gloo::allreduce(options);
}

}  // namespace

void CallerThreadGloo::AllreduceHere(void* data, std::size_t count, DataType type, ReduceOp op) {
  const std::uint32_t tag = nextTag();
  const std::shared_ptr<gloo::Context> context = getContext(tag);
  switch (type) {
    case DataType::kFloat32:
      return AllreduceOn<float>(context, tag, data, count, op);
    case DataType::kFloat64:
      return AllreduceOn<double>(context, tag, data, count, op);
    case DataType::kInt32:
      return AllreduceOn<std::int32_t>(context, tag, data, count, op);
    case DataType::kInt64:
      return AllreduceOn<std::int64_t>(context, tag, data, count, op);
    case DataType::kUInt64:
      return AllreduceOn<std::uint64_t>(context, tag, data, count, op);
  }
}

GlooComm::GlooComm(int rank, int size, double timeout_s, std::string key_prefix,
                   std::unique_ptr<RendezvousServer> server, c10::intrusive_ptr<c10d::Store> store,
                   c10::intrusive_ptr<CallerThreadGloo> group)
    : rank_(rank),
      size_(size),
      timeout_s_(timeout_s),
      key_prefix_(std::move(key_prefix)),
      server_(std::move(server)),
      store_(std::move(store)),
      group_(std::move(group)) {}

namespace {

// torchrun's agent hosts a TCPStore (no token: torchrun has none); otherwise rank 0 hosts
// scaleml's RendezvousServer on the master address and every rank proves the token to it.
c10::intrusive_ptr<c10d::Store> OpenStore(const ScalemlGlooConfig& config, Milliseconds timeout,
                                          std::unique_ptr<RendezvousServer>* server) {
  const std::string master = config.master_addr;
  if (config.external_store != 0) {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<std::uint16_t>(config.master_port);
    store_options.isServer = false;
    store_options.numWorkers = static_cast<std::size_t>(config.size);
    store_options.timeout = timeout;
    WaitForListener(master, config.master_port, config.timeout_s);
    return c10::make_intrusive<c10d::TCPStore>(master, store_options);
  }
  const std::string token = config.token != nullptr ? config.token : "";
  if (config.rank == 0) {
    RendezvousServerOptions options;
    options.address = master;
    options.port = config.master_port;
    options.token = token;
    options.stall_s = std::min(config.timeout_s, 10.0);
    options.max_connections = 4 * config.size + 16;
    if (Status s = RendezvousServer::Start(options, server); !s.ok()) throw RendezvousError(s);
  }
  std::unique_ptr<RendezvousClient> client;
  if (Status s =
          RendezvousClient::Connect(master, config.master_port, token, config.timeout_s, &client);
      !s.ok()) {
    throw RendezvousError(s);
  }
  return c10::make_intrusive<ScalemlStore>(std::move(client), timeout);
}

}  // namespace

std::unique_ptr<Comm> GlooComm::Connect(const ScalemlGlooConfig& config) {
  if (config.master_addr == nullptr || config.master_addr[0] == '\0') {
    throw std::runtime_error("no master address");
  }
  if (config.size < 1 || config.rank < 0 || config.rank >= config.size) {
    throw std::runtime_error(StrCat("rank ", config.rank, " is not in a group of ", config.size));
  }
  if (config.master_port < 1 || config.master_port > 65535) {
    throw std::runtime_error(StrCat("master port ", config.master_port, " is not a TCP port"));
  }
  if (!(config.timeout_s > 0)) throw std::runtime_error("the timeout must be positive");
  const std::string master = config.master_addr;
  const Milliseconds timeout = ToMilliseconds(config.timeout_s);
  const std::string key_prefix = KeyPrefix(config.attempt);

  std::unique_ptr<RendezvousServer> server;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<CallerThreadGloo> group;
  std::unique_ptr<PeerLinks> links;
  try {
    std::shared_ptr<gloo::transport::Device> device;
    std::string local;
    const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
    if (interface != nullptr && interface[0] != '\0') {
      device = c10d::ProcessGroupGloo::createDeviceForInterface(interface);
      local = InterfaceAddress(interface);
    } else {
      local = config.local_addr != nullptr && config.local_addr[0] != '\0'
                  ? std::string(config.local_addr)
                  : RouteLocalAddress(master, config.master_port);
      device = c10d::ProcessGroupGloo::createDeviceForHostname(local);
    }

    store = OpenStore(config, timeout, &server);
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(std::move(device));
    options->threads = 1;  // one collective at a time: the caller waits for each
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>(key_prefix + "pg", store);
    group = c10::make_intrusive<CallerThreadGloo>(prefixed, config.rank, config.size, options);
    PeerLinks::Rendezvous rendezvous{
        [&](const std::string& key, const std::string& value) {
          store->set(key, std::vector<std::uint8_t>(value.begin(), value.end()));
        },
        [&](const std::string& key) {
          const std::vector<std::uint8_t> value = store->get(key);
          return std::string(value.begin(), value.end());
        }};
    links = PeerLinks::Connect(config.rank, config.size, local, rendezvous, key_prefix + "links/",
                               config.timeout_s, config.token != nullptr ? config.token : "");
  } catch (const RendezvousError& e) {
    throw std::runtime_error(ExplainRendezvousStatus(e, config));
  } catch (const std::exception& e) {
    throw std::runtime_error(ExplainRendezvousError(MessageOf(e), config));
  }
  std::unique_ptr<GlooComm> bulk(new GlooComm(config.rank, config.size, config.timeout_s,
                                              key_prefix, std::move(server), std::move(store),
                                              std::move(group)));
  GlooComm* gloo = bulk.get();
  return std::make_unique<TcpMeshComm>(std::move(links), std::move(bulk),
                                       [gloo] { return gloo->AbandonAndFindLostPeers(); });
}

template <class Body>
Status GlooComm::Run(const std::string& what, std::size_t bytes, Body&& body) {
  if (!broken_.empty()) {
    return Status::Fail(
        StrCat(what, ": the group is unusable after an earlier failure (", broken_, ")"));
  }
  Stopwatch watch;
  ++stats().calls;
  stats().bytes_sent += static_cast<std::int64_t>(bytes);
  try {
    body();
  } catch (const std::exception& e) {
    broken_ = MessageOf(e);
  }
  stats().seconds += watch.Seconds();
  if (broken_.empty()) return Status::Ok();
  return Status::Fail(broken_);
}

std::string GlooComm::AbandonAndFindLostPeers() {
  try {
    group_.reset();
  } catch (const std::exception&) {
  }
  if (broken_.empty()) broken_ = "abandoned after a failure of the group";
  return DescribeLostPeers();
}

std::string GlooComm::DescribeLostPeers() {
  // Every survivor checks in at the store and waits a moment for the others: those that never
  // check in are the lost ones. The window is short because survivors usually see a dead peer's
  // connection close at once (and the others fail at once when the first closes its own).
  const double window_s = std::min(timeout_s_, 2.0);
  std::vector<int> missing;
  bool observed = false;  // at least one full look at the store
  try {
    store_->setTimeout(ToMilliseconds(window_s));
    store_->set(AliveKey(rank_), std::vector<std::uint8_t>{1});
    Stopwatch waited;
    while (true) {
      std::vector<int> now_missing;
      for (int r = 0; r < size_; ++r) {
        if (r != rank_ && !store_->check({AliveKey(r)})) now_missing.push_back(r);
      }
      missing = std::move(now_missing);
      observed = true;
      if (missing.empty() || waited.Seconds() >= window_s) break;
      std::this_thread::sleep_for(Milliseconds(50));
    }
  } catch (const std::exception& e) {
    // Rank 0 leaves when its own window ends, taking the store along; what was seen before then
    // still stands.
    if (!observed) {
      if (rank_ == 0) return StrCat("the rendezvous store failed too: ", MessageOf(e));
      return StrCat("lost rank 0 (its rendezvous store is unreachable: ", MessageOf(e), ")");
    }
  }
  if (missing.empty()) return "every rank is still reachable";
  std::string ranks;
  for (int r : missing) ranks += StrCat(ranks.empty() ? "" : ", ", r);
  return StrCat("lost rank", missing.size() == 1 ? " " : "s ", ranks,
                " (no sign of life after the failure)");
}

Status GlooComm::AllreduceBytes(void* data, std::size_t count, DataType type, ReduceOp op) {
  std::string what =
      StrCat("allreduce of ", count, " ", DataTypeName(type), " (", ReduceOpName(op), ")");
  return Run(what, count * DataTypeSize(type), [&] {
    if (count == 0 || size_ == 1) return;
    group_->AllreduceHere(data, count, type, op);
  });
}

Status GlooComm::ReduceScatterBytes(const void* send, void* recv,
                                    std::span<const std::size_t> block_counts, DataType type,
                                    ReduceOp op) {
  std::size_t total = 0;
  for (std::size_t count : block_counts) total += count;
  std::string what = StrCat("reduce-scatter of ", total, " ", DataTypeName(type), " (",
                            ReduceOpName(op), ") in ", block_counts.size(), " blocks");
  if (block_counts.size() != static_cast<std::size_t>(size_)) {
    return Status::Fail(StrCat(what, ": a group of ", size_, " ranks needs ", size_, " blocks"));
  }
  const std::size_t element = DataTypeSize(type);
  return Run(what, total * element, [&] {
    // Gloo has no reduce-scatter of uneven blocks: the whole buffer is allreduced and this
    // rank keeps its block (TcpMeshComm sends only the blocks of the others).
    std::size_t offset = 0;
    for (int r = 0; r < rank_; ++r) offset += block_counts[r];
    scratch_.assign(static_cast<const std::byte*>(send),
                    static_cast<const std::byte*>(send) + total * element);
    if (total > 0 && size_ > 1) group_->AllreduceHere(scratch_.data(), total, type, op);
    if (block_counts[rank_] > 0) {
      std::memcpy(recv, scratch_.data() + offset * element, block_counts[rank_] * element);
    }
  });
}

void GlooComm::AllgatherRaw(const void* in, std::size_t bytes, void* out) {
  if (bytes == 0) return;
  if (size_ == 1) {
    std::memmove(out, in, bytes);
    return;
  }
  // Gloo reads the input and writes each rank's slice of `out` in place (zero-copy wrappers).
  std::vector<at::Tensor> inputs{WrapBytes(const_cast<void*>(in), bytes)};
  std::vector<std::vector<at::Tensor>> outputs(1);
  for (int r = 0; r < size_; ++r) {
    outputs[0].push_back(WrapBytes(static_cast<std::byte*>(out) + bytes * r, bytes));
  }
  group_->allgather(outputs, inputs)->wait();
}

Status GlooComm::AllgatherBytes(const void* in, std::size_t bytes, void* out) {
  return Run(StrCat("allgather of ", bytes, " bytes"), bytes,
             [&] { AllgatherRaw(in, bytes, out); });
}

Status GlooComm::AllgatherVBytes(std::span<const std::byte> in,
                                 std::vector<std::vector<std::byte>>* out) {
  return Run(StrCat("allgatherv of ", in.size(), " bytes"), in.size(), [&] {
    // Gloo's allgather takes one size: every buffer is padded to the largest.
    std::vector<std::int64_t> sizes(static_cast<std::size_t>(size_));
    const std::int64_t mine = static_cast<std::int64_t>(in.size());
    AllgatherRaw(&mine, sizeof(mine), sizes.data());
    const std::size_t largest =
        static_cast<std::size_t>(*std::max_element(sizes.begin(), sizes.end()));
    std::vector<std::byte> padded(largest);
    std::copy(in.begin(), in.end(), padded.begin());
    scratch_.resize(largest * static_cast<std::size_t>(size_));
    AllgatherRaw(padded.data(), largest, scratch_.data());
    out->assign(static_cast<std::size_t>(size_), {});
    for (int r = 0; r < size_; ++r) {
      const std::byte* at = scratch_.data() + largest * static_cast<std::size_t>(r);
      (*out)[r].assign(at, at + sizes[r]);
    }
  });
}

Status GlooComm::BroadcastBytes(void* data, std::size_t bytes, int root) {
  if (root < 0 || root >= size_) {
    return Status::Fail(StrCat("broadcast root ", root, " is not a rank of ", size_));
  }
  return Run(StrCat("broadcast of ", bytes, " bytes from rank ", root), bytes, [&] {
    if (bytes == 0 || size_ == 1) return;
    std::vector<at::Tensor> tensors{WrapBytes(data, bytes)};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    group_->broadcast(tensors, options)->wait();
  });
}

Status GlooComm::Barrier() {
  return Run("barrier", 0, [&] {
    if (size_ > 1) group_->barrier()->wait();
  });
}

}  // namespace scaleml
