#include "engine/tasks/RedisClient.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cstdlib>

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
    : address_(StrCat(host, ":", port)) {
  context_ = redisConnectWithTimeout(host.c_str(), port, ToTimeval(timeout_s));
  if (context_ == nullptr || context_->err != 0) {
    std::string why = context_ != nullptr ? context_->errstr : "out of memory";
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
    throw Failure("cannot reach the cluster's Redis at ", address_, ": ", why,
                  " (is the head running? scaleml start --head)");
  }
  SetTimeout(timeout_s);
  RedisReply auth = Pipeline({{"AUTH", token}}).front();
  if (auth.type == RedisReply::Type::kError) {
    redisFree(context_);
    context_ = nullptr;
    throw InputError("cluster at ", address_, " refused the token: ", auth.str);
  }
}

RedisClient::~RedisClient() {
  if (context_ != nullptr) redisFree(context_);
}

void RedisClient::SetTimeout(double seconds) { redisSetTimeout(context_, ToTimeval(seconds)); }

int RedisClient::fd() const { return context_->fd; }

RedisReply RedisClient::Command(const std::vector<std::string>& args) {
  RedisReply reply = std::move(Pipeline({args}).front());
  if (reply.type == RedisReply::Type::kError) {
    throw Failure("redis ", args.empty() ? "" : args[0], " at ", address_, ": ", reply.str);
  }
  return reply;
}

std::vector<RedisReply> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  for (const auto& args : commands) AppendArgv(context_, args);
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
      std::string why = context_->errstr;
      throw Failure("lost the connection to the cluster's Redis at ", address_, ": ",
                    why.empty() ? "no reply" : why);
    }
    replies.push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return replies;
}

}  // namespace scaleml::tasks
