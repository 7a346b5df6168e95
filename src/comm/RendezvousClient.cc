#include "comm/RendezvousClient.h"

#include <cstring>
#include <thread>

#include "comm/RendezvousProtocol.h"
#include "core/Error.h"

namespace scaleml {
namespace {

using rendezvous::Op;

Status Handshake(const net::Socket& socket, const std::string& token, net::Deadline deadline) {
  char hello[rendezvous::kServerHelloBytes];
  if (Status s = net::RecvAll(socket.fd(), hello, sizeof(hello), deadline); !s.ok()) return s;
  if (std::memcmp(hello, rendezvous::kServerMagic, 4) != 0 ||
      static_cast<std::uint8_t>(hello[4]) != rendezvous::kVersion) {
    return Status::Fail(StatusCode::kInvalid, "not a scaleml rendezvous store");
  }
  net::Nonce server_nonce;
  std::memcpy(server_nonce.data(), hello + 5, server_nonce.size());
  const net::Nonce client_nonce = net::RandomNonce();
  std::string reply(rendezvous::kClientMagic, 4);
  reply.push_back(static_cast<char>(rendezvous::kVersion));
  reply.append(reinterpret_cast<const char*>(client_nonce.data()), client_nonce.size());
  const net::Digest proof =
      net::HmacSha256(token, rendezvous::ProofMessage("client", server_nonce, client_nonce));
  reply.append(reinterpret_cast<const char*>(proof.data()), proof.size());
  if (Status s = net::SendAll(socket.fd(), reply.data(), reply.size(), deadline); !s.ok()) {
    return s;
  }
  net::Digest answer;
  if (Status s = net::RecvAll(socket.fd(), answer.data(), answer.size(), deadline); !s.ok()) {
    // The server hangs up on a wrong proof.
    return Status::Fail(StatusCode::kDenied,
                        "the store did not accept this rank's token (SCALEML_TOKEN must be the "
                        "same on every rank)");
  }
  const net::Digest expected =
      net::HmacSha256(token, rendezvous::ProofMessage("server", client_nonce, server_nonce));
  if (!net::DigestsEqual(answer, expected)) {
    return Status::Fail(StatusCode::kDenied, "the store does not hold the group's token");
  }
  return Status::Ok();
}

}  // namespace

Status RendezvousClient::Connect(const std::string& host, int port, const std::string& token,
                                 double timeout_s, std::unique_ptr<RendezvousClient>* out) {
  const net::Deadline deadline = net::DeadlineIn(timeout_s);
  net::Socket socket;
  while (true) {
    // Refused: the server is not up yet. Closed before its hello: it was full. Both pass.
    Status s = net::ConnectBefore(host, port, deadline, &socket);
    if (s.ok()) s = Handshake(socket, token, deadline);
    if (s.ok()) break;
    const bool passing = s.code() == StatusCode::kPeerLost || s.code() == StatusCode::kRefused;
    if (!passing) return s;
    if (net::RemainingMs(deadline) == 0) {
      return Status::Fail(StatusCode::kTimeout,
                          StrCat("no store answered at ", host, ":", port, " within ", timeout_s,
                                 " s (last: ", s.message(), ")"));
    }
    socket.Close();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  out->reset(new RendezvousClient(std::move(socket), timeout_s));
  return Status::Ok();
}

Status RendezvousClient::Call(std::uint8_t op, const std::string& key, const std::string& value,
                              std::string* reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!broken_.empty()) {
    return Status::Fail(StatusCode::kPeerLost, "the store connection failed earlier: " + broken_);
  }
  const net::Deadline deadline = net::DeadlineIn(timeout_s_);
  rendezvous::RequestHeader header{op, static_cast<std::uint32_t>(key.size()), value.size()};
  if (Status s = rendezvous::CheckRequestHeader(header); !s.ok()) return s;
  std::string request(reinterpret_cast<const char*>(&header), sizeof(header));
  request += key;
  request += value;
  Status s = net::SendAll(socket_.fd(), request.data(), request.size(), deadline);
  rendezvous::ReplyHeader answer{};
  if (s.ok()) s = net::RecvAll(socket_.fd(), &answer, sizeof(answer), deadline);
  if (s.ok() && answer.bytes > rendezvous::kMaxValueBytes) {
    s = Status::Fail(StatusCode::kInvalid, "reply too large");
  }
  if (s.ok()) {
    reply->resize(answer.bytes);
    s = net::RecvAll(socket_.fd(), reply->data(), reply->size(), deadline);
  }
  if (!s.ok()) {
    broken_ = s.message();
    const std::string what = s.code() == StatusCode::kTimeout
                                 ? StrCat("timed out after ", timeout_s_, " s")
                                 : s.message();
    return Status::Fail(s.code(), StrCat("store request for '", key, "': ", what));
  }
  if (answer.status != static_cast<std::uint8_t>(rendezvous::ReplyStatus::kOk)) {
    return Status::Fail(StatusCode::kInvalid, StrCat("store refused '", key, "': ", *reply));
  }
  return Status::Ok();
}

Status RendezvousClient::Set(const std::string& key, const std::string& value) {
  std::string reply;
  return Call(static_cast<std::uint8_t>(Op::kSet), key, value, &reply);
}

Status RendezvousClient::Get(const std::string& key, std::string* value) {
  return Call(static_cast<std::uint8_t>(Op::kGet), key, "", value);
}

Status RendezvousClient::Add(const std::string& key, std::int64_t delta, std::int64_t* result) {
  std::string delta_bytes(sizeof(delta), '\0');
  std::memcpy(delta_bytes.data(), &delta, sizeof(delta));
  std::string reply;
  Status s = Call(static_cast<std::uint8_t>(Op::kAdd), key, delta_bytes, &reply);
  if (s.ok() && reply.size() != sizeof(*result)) {
    return Status::Fail(StatusCode::kInvalid, "add: a reply of the wrong size");
  }
  if (s.ok()) std::memcpy(result, reply.data(), sizeof(*result));
  return s;
}

Status RendezvousClient::Check(const std::vector<std::string>& keys, bool* all_exist) {
  std::string joined;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) joined.push_back('\0');
    joined += keys[i];
  }
  std::string reply;
  Status s = Call(static_cast<std::uint8_t>(Op::kCheck), "", joined, &reply);
  if (s.ok() && reply.size() != 1) return Status::Fail(StatusCode::kInvalid, "check: bad reply");
  if (s.ok()) *all_exist = reply[0] == 1;
  return s;
}

Status RendezvousClient::Delete(const std::string& key, bool* existed) {
  std::string reply;
  Status s = Call(static_cast<std::uint8_t>(Op::kDelete), key, "", &reply);
  if (s.ok() && reply.size() != 1) return Status::Fail(StatusCode::kInvalid, "delete: bad reply");
  if (s.ok()) *existed = reply[0] == 1;
  return s;
}

Status RendezvousClient::NumKeys(std::int64_t* count) {
  std::string reply;
  Status s = Call(static_cast<std::uint8_t>(Op::kNumKeys), "", "", &reply);
  if (s.ok() && reply.size() != sizeof(*count)) {
    return Status::Fail(StatusCode::kInvalid, "num_keys: bad reply");
  }
  if (s.ok()) std::memcpy(count, reply.data(), sizeof(*count));
  return s;
}

}  // namespace scaleml
