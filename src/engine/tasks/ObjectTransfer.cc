#include "engine/tasks/ObjectTransfer.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <list>
#include <thread>

#include "core/Error.h"
#include "data/DatasetMeta.h"
#include "net/PeerLimits.h"

namespace scaleml::tasks {
namespace {

constexpr std::size_t kChunk = 4 << 20;
constexpr std::size_t kMaxLine = 512;
// A chunk of an object (or a reply line) must move within this long.
constexpr double kChunkDeadlineS = 30.0;
constexpr double kConnectDeadlineS = 10.0;

bool TokensEqual(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// One line up to '\n' (bounded), a byte at a time so nothing after it is consumed.
Status ReadLine(int fd, std::string* line, net::Deadline deadline) {
  line->clear();
  char c = 0;
  while (line->size() < kMaxLine) {
    if (Status s = net::RecvAll(fd, &c, 1, deadline); !s.ok()) return s;
    if (c == '\n') return Status::Ok();
    *line += c;
  }
  return Status::Fail(StatusCode::kInvalid, "a line longer than 512 bytes");
}

void SendLine(int fd, const std::string& line, double seconds) {
  const std::string text = line + "\n";
  (void)net::SendAll(fd, text.data(), text.size(), net::DeadlineIn(seconds));
}

// A connection accepted and not yet authenticated: what it has sent so far.
struct Pending {
  net::Socket socket;
  std::string peer;
  net::Deadline deadline;
  std::string line;
};

// An authenticated request served on its own thread: the object streamed chunk by chunk.
void ServeObject(net::Socket socket, std::string object_id, const ObjectStore& store) {
  std::unique_ptr<ObjectMapping> mapping;
  std::string error;
  try {
    mapping = store.Open(object_id);
    if (mapping == nullptr) error = StrCat("no object ", object_id, " here");
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) {
    SendLine(socket.fd(), "ERR " + error, kChunkDeadlineS);
    return;
  }
  const std::string header = StrCat("OK ", mapping->size(), "\n");
  if (!net::SendAll(socket.fd(), header.data(), header.size(), net::DeadlineIn(kChunkDeadlineS))
           .ok()) {
    return;
  }
  for (std::size_t sent = 0; sent < mapping->size();) {
    const std::size_t n = std::min(kChunk, mapping->size() - sent);
    if (!net::SendAll(socket.fd(), mapping->data() + sent, n, net::DeadlineIn(kChunkDeadlineS))
             .ok()) {
      return;  // the puller sees a short object and fails it
    }
    sent += n;
  }
}

// What a pending connection's complete request line leads to: a transfer thread, or an error
// reply and the connection closed.
void Answer(Pending pending, const ObjectStore& store, const std::string& token,
            net::PeerLimits& serving) {
  const std::optional<ObjectRequest> request = ParseObjectRequest(pending.line);
  if (!request) return SendLine(pending.socket.fd(), "ERR invalid: bad request", 0.5);
  if (!TokensEqual(request->token, token)) {
    return SendLine(pending.socket.fd(), "ERR denied: wrong token", 0.5);
  }
  if (!serving.TryAcquire(pending.peer)) {
    return SendLine(pending.socket.fd(),
                    StrCat("ERR busy: ", serving.Count(pending.peer), " transfers to ",
                           pending.peer, " and ", serving.Total(), " in all are running"),
                    0.5);
  }
  std::thread([socket = std::move(pending.socket), peer = pending.peer,
               object_id = request->object_id, &store, &serving]() mutable {
    ServeObject(std::move(socket), object_id, store);
    serving.Release(peer);
  }).detach();
}

// Admits a new connection to the pending list: a peer at its cap loses its oldest pending
// connection, the list at its cap loses its oldest, so new honest requests always get a turn.
void Admit(net::Socket socket, std::list<Pending>* pending) {
  Pending entry;
  entry.peer = net::PeerAddressOf(socket.fd());
  entry.socket = std::move(socket);
  entry.deadline = net::DeadlineIn(kAuthDeadlineS);
  int from_peer = 0;
  for (const auto& p : *pending) from_peer += p.peer == entry.peer ? 1 : 0;
  if (from_peer >= kMaxPendingPerPeer) {
    pending->erase(std::find_if(pending->begin(), pending->end(),
                                [&](const Pending& p) { return p.peer == entry.peer; }));
  } else if (static_cast<int>(pending->size()) >= kMaxPending) {
    pending->pop_front();
  }
  pending->push_back(std::move(entry));
}

// Reads what a pending connection has sent; true when it is done with (answered or dropped).
bool ReadPending(Pending& p, const ObjectStore& store, const std::string& token,
                 net::PeerLimits& serving) {
  char buffer[256];
  for (;;) {
    const ssize_t n = recv(p.socket.fd(), buffer, sizeof(buffer), MSG_PEEK);
    if (n == 0) return true;  // closed
    if (n < 0) return !(errno == EAGAIN || errno == EINTR);
    // Consume up to the newline only: the request line is all a puller sends.
    const auto* newline = static_cast<const char*>(std::memchr(buffer, '\n', n));
    const std::size_t take = newline ? static_cast<std::size_t>(newline - buffer) + 1 : n;
    if (recv(p.socket.fd(), buffer, take, 0) != static_cast<ssize_t>(take)) return true;
    p.line.append(buffer, newline ? take - 1 : take);
    if (newline) {
      Answer(std::move(p), store, token, serving);
      return true;
    }
    if (p.line.size() > kMaxLine) return true;
  }
}

// The next field of `text` up to a space (or the end), removed from `text`.
std::string_view NextField(std::string_view& text) {
  const std::size_t space = text.find(' ');
  const std::string_view field = text.substr(0, space);
  text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  return field;
}

}  // namespace

std::optional<ObjectRequest> ParseObjectRequest(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::string_view magic = NextField(line);
  const std::string_view token = NextField(line);
  const std::string_view object_id = line;
  if (magic != "SMOBJ1" || token.empty() || token.size() > 127 || object_id.empty() ||
      object_id.size() > 79 || object_id.find(' ') != std::string_view::npos) {
    return std::nullopt;
  }
  return ObjectRequest{std::string(token), std::string(object_id)};
}

ObjectReply ParseObjectReply(std::string_view line, const std::string& peer) {
  ObjectReply reply;
  if (line.rfind("ERR ", 0) == 0) {
    reply.error = std::string(line.substr(4));
    const std::pair<const char*, StatusCode> kinds[] = {{"denied:", StatusCode::kDenied},
                                                        {"busy:", StatusCode::kRefused},
                                                        {"invalid:", StatusCode::kInvalid}};
    for (const auto& [prefix, code] : kinds) {
      if (reply.error.rfind(prefix, 0) == 0) reply.code = code;
    }
    return reply;
  }
  if (line.rfind("OK ", 0) == 0) {
    const std::string_view number = line.substr(3);
    const char* end = number.data() + number.size();
    auto [at, ec] = std::from_chars(number.data(), end, reply.size);
    if (ec == std::errc() && at == end && reply.size >= 0) {
      reply.ok = true;
      return reply;
    }
  }
  throw Failure("object pull: ", peer, " sent a malformed reply '", line, "'");
}

Status ObjectTransfer::Listen(const std::string& host, int port, net::Listener* out) {
  return net::Listen(host, port, 128, out);
}

void ObjectTransfer::Serve(net::Socket listener, const ObjectStore& store,
                           const std::string& token) {
  net::PeerLimits serving(kMaxServingPerPeer, kMaxServing);
  std::list<Pending> pending;
  std::vector<pollfd> fds;
  for (;;) {
    fds.assign(1, pollfd{listener.fd(), POLLIN, 0});
    int wait_ms = 1000;
    for (const auto& p : pending) {
      fds.push_back(pollfd{p.socket.fd(), POLLIN, 0});
      wait_ms = std::min(wait_ms, net::RemainingMs(p.deadline));
    }
    if (poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR) _exit(1);
    // Existing connections first (the new ones were not polled).
    std::size_t i = 1;
    for (auto it = pending.begin(); it != pending.end(); ++i) {
      const bool ready = fds[i].revents != 0;
      const bool done =
          (ready && ReadPending(*it, store, token, serving)) || net::RemainingMs(it->deadline) == 0;
      it = done ? pending.erase(it) : std::next(it);
    }
    if (fds[0].revents != 0) {
      for (int accepted = 0; accepted < 64; ++accepted) {
        net::Socket socket = net::AcceptPending(listener);
        if (!socket.valid()) break;
        Admit(std::move(socket), &pending);
      }
    }
  }
}

Status ObjectTransfer::Pull(const std::string& host, int port, const std::string& token,
                            const ObjectInfo& object, ObjectStore& store,
                            std::vector<std::string>* evicted, std::int64_t* bytes) {
  const std::string peer = StrCat(host, ":", port);
  const auto fail = [&](StatusCode code, const std::string& what) {
    return Status::Fail(code,
                        StrCat("object pull of ", object.object_id, " from ", peer, ": ", what));
  };
  net::Socket socket;
  if (Status s = net::ConnectBefore(host, port, net::DeadlineIn(kConnectDeadlineS), &socket);
      !s.ok()) {
    return fail(s.code(), "cannot reach the object server: " + s.message());
  }
  const std::string request = StrCat("SMOBJ1 ", token, " ", object.object_id, "\n");
  std::string line;
  if (Status s = net::SendAll(socket.fd(), request.data(), request.size(),
                              net::DeadlineIn(kChunkDeadlineS));
      !s.ok()) {
    return fail(s.code(), "no answer: " + s.message());
  }
  if (Status s = ReadLine(socket.fd(), &line, net::DeadlineIn(kChunkDeadlineS)); !s.ok()) {
    return fail(s.code(), "no answer: " + s.message());
  }
  ObjectReply reply;
  try {
    reply = ParseObjectReply(line, peer);
  } catch (const Error& e) {
    return fail(StatusCode::kInvalid, e.what());
  }
  if (!reply.ok) return fail(reply.code, "refused: " + reply.error);
  if (reply.size != object.size) {
    return fail(StatusCode::kInvalid,
                StrCat("the server has ", reply.size, " bytes, the directory says ", object.size));
  }
  std::unique_ptr<ObjectMapping> mapping;
  try {
    mapping = store.Create(object.object_id, reply.size, false, evicted);
  } catch (const Error& e) {
    return fail(StatusCode::kFailed, e.what());
  }
  Checksum checksum;
  Status received = Status::Ok();
  for (std::int64_t at = 0; at < reply.size && received.ok();) {
    const std::size_t n = std::min<std::size_t>(kChunk, static_cast<std::size_t>(reply.size - at));
    received = net::RecvAll(socket.fd(), mapping->mutable_data() + at, n,
                            net::DeadlineIn(kChunkDeadlineS));
    if (!received.ok()) {
      received = fail(received.code(), StrCat("stopped after ", at, " of ", reply.size,
                                              " bytes: ", received.message()));
      break;
    }
    checksum.Update(mapping->data() + at, n);
    at += static_cast<std::int64_t>(n);
  }
  if (received.ok() && checksum.Digest() != object.checksum) {
    received = fail(StatusCode::kInvalid, "checksum mismatch");
  }
  if (received.ok()) {
    try {
      mapping->Seal();
    } catch (const Error& e) {
      received = fail(StatusCode::kFailed, e.what());
    }
  }
  if (!received.ok()) {
    unlink(mapping->path().c_str());
    return received;
  }
  *bytes = reply.size;
  return Status::Ok();
}

}  // namespace scaleml::tasks
