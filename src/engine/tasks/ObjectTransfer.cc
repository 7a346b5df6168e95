#include "engine/tasks/ObjectTransfer.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include "core/Error.h"
#include "data/DatasetMeta.h"

namespace scaleml::tasks {
namespace {

constexpr std::size_t kChunk = 4 << 20;
constexpr int kMaxConnections = 64;

bool SendAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, std::min(size, kChunk), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// One line up to '\n' (bounded); false on timeout or a closed peer.
bool ReadLine(int fd, std::string* line) {
  line->clear();
  char c = 0;
  while (line->size() < 512) {
    const ssize_t n = recv(fd, &c, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (c == '\n') return true;
    *line += c;
  }
  return false;
}

void SetTimeouts(int fd, int seconds) {
  timeval tv{seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

bool TokensEqual(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

void ServeConnection(int fd, const ObjectStore& store, const std::string& token) {
  SetTimeouts(fd, 30);
  std::string line;
  if (ReadLine(fd, &line)) {
    const std::optional<ObjectRequest> request = ParseObjectRequest(line);
    std::unique_ptr<ObjectMapping> mapping;
    std::string error;
    if (!request) {
      error = "bad request";
    } else if (!TokensEqual(request->token, token)) {
      error = "wrong token";
    } else {
      try {
        mapping = store.Open(request->object_id);
        if (mapping == nullptr) error = StrCat("no object ", request->object_id, " here");
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    if (!error.empty()) {
      const std::string reply = "ERR " + error + "\n";
      SendAll(fd, reply.data(), reply.size());
    } else {
      const std::string reply = StrCat("OK ", mapping->size(), "\n");
      if (SendAll(fd, reply.data(), reply.size())) SendAll(fd, mapping->data(), mapping->size());
    }
  }
  close(fd);
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

int ObjectTransfer::Listen(const std::string& host, int* port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Failure("object server: socket failed");
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(*port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    close(fd);
    throw InputError("object server: '", host, "' is not an IPv4 address");
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 64) != 0) {
    close(fd);
    throw Failure("object server: cannot listen on ", host, ":", *port, ": ", std::strerror(errno));
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

void ObjectTransfer::Serve(int listen_fd, const ObjectStore& store, const std::string& token) {
  static std::atomic<int> active{0};
  for (;;) {
    const int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      _exit(1);
    }
    if (active.load() >= kMaxConnections) {
      close(fd);
      continue;
    }
    ++active;
    std::thread([fd, &store, token] {
      ServeConnection(fd, store, token);
      --active;
    }).detach();
  }
}

std::int64_t ObjectTransfer::Pull(const std::string& host, int port, const std::string& token,
                                  const ObjectInfo& object, ObjectStore& store,
                                  std::vector<std::string>* evicted) {
  const std::string peer = StrCat(host, ":", port);
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Failure("object pull: socket failed");
  SetTimeouts(fd, 30);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    throw Failure("object pull: cannot reach the object server at ", peer, ": ",
                  std::strerror(errno));
  }
  const std::string request = StrCat("SMOBJ1 ", token, " ", object.object_id, "\n");
  std::string line;
  if (!SendAll(fd, request.data(), request.size()) || !ReadLine(fd, &line)) {
    throw Failure("object pull: no answer from ", peer);
  }
  const ObjectReply reply = ParseObjectReply(line, peer);
  if (!reply.ok) {
    throw Failure("object pull: ", peer, " refused object ", object.object_id, ": ", reply.error);
  }
  const std::int64_t size = reply.size;
  if (size != object.size) {
    throw Failure("object pull: ", peer, " has ", size, " bytes of object ", object.object_id,
                  ", the directory says ", object.size);
  }
  auto mapping = store.Create(object.object_id, size, false, evicted);
  const std::string temp_path = mapping->path();
  try {
    Checksum checksum;
    std::int64_t received = 0;
    while (received < size) {
      const std::size_t want =
          std::min<std::size_t>(kChunk, static_cast<std::size_t>(size - received));
      const ssize_t n = recv(fd, mapping->mutable_data() + received, want, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        throw Failure("object pull: ", peer, " closed after ", received, " of ", size, " bytes");
      checksum.Update(mapping->data() + received, static_cast<std::size_t>(n));
      received += n;
    }
    if (checksum.Digest() != object.checksum) {
      throw Failure("object pull: checksum mismatch for object ", object.object_id, " from ", peer);
    }
    mapping->Seal(store.SealPath(object.object_id, false));
  } catch (...) {
    unlink(temp_path.c_str());
    throw;
  }
  return size;
}

}  // namespace scaleml::tasks
