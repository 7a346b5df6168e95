// c10d's Store interface over scaleml's own rendezvous store (RendezvousClient), so that
// ProcessGroupGloo meets its peers through a store that binds only to the master address,
// proves the token and drops stalled clients. Failures are thrown as std::runtime_error, as
// c10d's stores do; they never cross the library's C boundary.
// Thread-safety: as RendezvousClient (serialised).
#pragma once

#include <torch/csrc/distributed/c10d/Store.hpp>

#include <memory>

#include "comm/RendezvousClient.h"

namespace scaleml {

class ScalemlStore : public c10d::Store {
 public:
  ScalemlStore(std::unique_ptr<RendezvousClient> client, std::chrono::milliseconds timeout);

  void set(const std::string& key, const std::vector<uint8_t>& value) override;
  std::vector<uint8_t> get(const std::string& key) override;
  int64_t add(const std::string& key, int64_t value) override;
  bool deleteKey(const std::string& key) override;
  bool check(const std::vector<std::string>& keys) override;
  int64_t getNumKeys() override;
  void wait(const std::vector<std::string>& keys) override;
  void wait(const std::vector<std::string>& keys,
            const std::chrono::milliseconds& timeout) override;
  void setTimeout(const std::chrono::milliseconds& timeout) override;

  RendezvousClient& client() { return *client_; }

 private:
  std::unique_ptr<RendezvousClient> client_;
};

}  // namespace scaleml
