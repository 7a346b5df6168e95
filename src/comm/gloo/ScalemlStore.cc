#include "comm/gloo/ScalemlStore.h"

#include <stdexcept>

namespace scaleml {
namespace {

void ThrowIfFailed(const Status& status) {
  if (!status.ok()) throw std::runtime_error(status.message());
}

double Seconds(std::chrono::milliseconds timeout) {
  return static_cast<double>(timeout.count()) / 1000.0;
}

}  // namespace

ScalemlStore::ScalemlStore(std::unique_ptr<RendezvousClient> client,
                           std::chrono::milliseconds timeout)
    : c10d::Store(timeout), client_(std::move(client)) {
  client_->set_timeout_s(Seconds(timeout));
}

void ScalemlStore::set(const std::string& key, const std::vector<uint8_t>& value) {
  ThrowIfFailed(client_->Set(key, std::string(value.begin(), value.end())));
}

std::vector<uint8_t> ScalemlStore::get(const std::string& key) {
  std::string value;
  ThrowIfFailed(client_->Get(key, &value));
  return {value.begin(), value.end()};
}

int64_t ScalemlStore::add(const std::string& key, int64_t value) {
  std::int64_t result = 0;
  ThrowIfFailed(client_->Add(key, value, &result));
  return result;
}

bool ScalemlStore::deleteKey(const std::string& key) {
  bool existed = false;
  ThrowIfFailed(client_->Delete(key, &existed));
  return existed;
}

bool ScalemlStore::check(const std::vector<std::string>& keys) {
  bool all = false;
  ThrowIfFailed(client_->Check(keys, &all));
  return all;
}

int64_t ScalemlStore::getNumKeys() {
  std::int64_t count = 0;
  ThrowIfFailed(client_->NumKeys(&count));
  return count;
}

void ScalemlStore::wait(const std::vector<std::string>& keys) { wait(keys, timeout_); }

void ScalemlStore::wait(const std::vector<std::string>& keys,
                        const std::chrono::milliseconds& timeout) {
  const double saved = client_->timeout_s();
  client_->set_timeout_s(Seconds(timeout));
  std::string ignored;
  Status status = Status::Ok();
  for (const auto& key : keys) {
    status = client_->Get(key, &ignored);
    if (!status.ok()) break;
  }
  client_->set_timeout_s(saved);
  ThrowIfFailed(status);
}

void ScalemlStore::setTimeout(const std::chrono::milliseconds& timeout) {
  c10d::Store::setTimeout(timeout);
  client_->set_timeout_s(Seconds(timeout));
}

}  // namespace scaleml
