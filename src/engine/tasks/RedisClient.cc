#include "engine/tasks/RedisClient.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "core/Error.h"

namespace scaleml::tasks {
namespace {

timeval ToTimeval(double seconds) {
  timeval tv;
  tv.tv_sec = static_cast<long>(seconds);
  tv.tv_usec = static_cast<long>((seconds - static_cast<double>(tv.tv_sec)) * 1e6);
  return tv;
}

RedisReply Convert(const redisReply* reply) {
  RedisReply out;
  switch (reply->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = reply->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(reply->elements);
      for (size_t i = 0; i < reply->elements; ++i)
        out.elements.push_back(Convert(reply->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

void AppendArgv(redisContext* context, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  redisAppendCommandArgv(context, static_cast<int>(args.size()), argv.data(), lengths.data());
}

}  // namespace

long long RedisReply::AsInt() const {
  if (type == Type::kInteger) return integer;
  if (type == Type::kString || type == Type::kStatus) return std::strtoll(str.c_str(), nullptr, 10);
  return 0;
}

void ParseAddress(const std::string& address, std::string* host, int* port) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    throw InputError("address '", address, "': expected HOST:PORT");
  }
  *host = address.substr(0, colon);
  char* end = nullptr;
  const long value = std::strtol(address.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || value <= 0 || value > 65535) {
    throw InputError("address '", address, "': port must be 1..65535");
  }
  *port = static_cast<int>(value);
}

RedisClient::RedisClient(const std::string& host, int port, const std::string& token,
                         double timeout_s)
    : host_(host),
      port_(port),
      token_(token),
      timeout_s_(timeout_s),
      address_(StrCat(host, ":", port)) {
  Status status = Connect();
  if (status.code() == StatusCode::kDenied) throw InputError(status.message());
  if (!status.ok()) throw Failure(status.message());
}

RedisClient::~RedisClient() {
  if (context_ != nullptr) redisFree(context_);
}

Status RedisClient::Connect() {
  if (context_ != nullptr) redisFree(context_);
  context_ = redisConnectWithTimeout(host_.c_str(), port_, ToTimeval(timeout_s_));
  if (context_ == nullptr || context_->err != 0) {
    const bool refused = context_ != nullptr && context_->err == REDIS_ERR_IO &&
                         (errno == ECONNREFUSED || errno == EHOSTUNREACH);
    std::string why = context_ != nullptr ? context_->errstr : "out of memory";
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
    return Status::Fail(refused ? StatusCode::kRefused : StatusCode::kPeerLost,
                        StrCat("cannot reach the cluster's Redis at ", address_, ": ", why,
                               " (is the head running? scaleml start --head)"));
  }
  SetTimeout(timeout_s_);
  std::vector<RedisReply> replies;
  if (Status s = TryPipeline({{"AUTH", token_}}, &replies); !s.ok()) return s;
  if (replies.front().type == RedisReply::Type::kError) {
    redisFree(context_);
    context_ = nullptr;
    return Status::Fail(StatusCode::kDenied, StrCat("cluster at ", address_,
                                                    " refused the token: ", replies.front().str));
  }
  return Status::Ok();
}

void RedisClient::SetTimeout(double seconds) {
  if (context_ != nullptr) redisSetTimeout(context_, ToTimeval(seconds));
}

int RedisClient::fd() const { return context_ != nullptr ? context_->fd : -1; }

RedisReply RedisClient::Command(const std::vector<std::string>& args) {
  RedisReply reply = std::move(Pipeline({args}).front());
  if (reply.type == RedisReply::Type::kError) {
    throw Failure("redis ", args.empty() ? "" : args[0], " at ", address_, ": ", reply.str);
  }
  return reply;
}

Status RedisClient::TryPipeline(const std::vector<std::vector<std::string>>& commands,
                                std::vector<RedisReply>* replies) {
  replies->clear();
  if (context_ == nullptr) return Status::Fail(StatusCode::kPeerLost, "not connected");
  for (const auto& args : commands) AppendArgv(context_, args);
  replies->reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
      const bool timed_out =
          context_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == ETIMEDOUT);
      std::string why = context_->errstr;
      redisFree(context_);  // the connection's state is unknown now: never reuse it
      context_ = nullptr;
      return Status::Fail(timed_out ? StatusCode::kTimeout : StatusCode::kPeerLost,
                          StrCat("lost the connection to the cluster's Redis at ", address_, ": ",
                                 why.empty() ? "no reply" : why));
    }
    replies->push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  for (const auto& reply : *replies) {
    // Replaying its append-only file after a restart: nothing of this pipeline ran.
    if (reply.type == RedisReply::Type::kError && reply.str.rfind("LOADING", 0) == 0) {
      return Status::Fail(StatusCode::kInvalid, "the cluster's Redis is loading its data");
    }
  }
  return Status::Ok();
}

std::vector<RedisReply> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  std::vector<RedisReply> replies;
  Status status = TryPipeline(commands, &replies);
  if (status.ok()) return replies;
  // The server went away (killed, restarted, stopped) or is loading: retry with backoff until
  // the reconnect timeout. Every caller's command is safe to run twice (see the header).
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long>(reconnect_timeout_s_ * 1000));
  int backoff_ms = 20;
  while (std::chrono::steady_clock::now() < deadline) {
    if (interrupted_ && interrupted_()) {
      throw Failure(status.message(), " (stopped waiting for it: asked to stop)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, 250);
    if (context_ == nullptr) {
      Status connected = Connect();
      if (connected.code() == StatusCode::kDenied) throw InputError(connected.message());
      if (!connected.ok()) {
        status = connected;
        continue;
      }
      ++generation_;
    }
    status = TryPipeline(commands, &replies);
    if (status.ok()) return replies;
  }
  if (status.code() == StatusCode::kInvalid) throw Failure(status.message());
  throw Failure(status.message(), reconnect_timeout_s_ > 0
                                      ? StrCat(" (not back within ", reconnect_timeout_s_, " s)")
                                      : std::string());
}

}  // namespace scaleml::tasks
