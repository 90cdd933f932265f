// The state one TransactionLayer shares with its transactions. Internal.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "base/timer.hpp"
#include "sip/transaction/completed_table.hpp"
#include "sip/transaction/sender.hpp"
#include "sip/transaction/sharded_map.hpp"
#include "sip/transaction/transaction_base.hpp"
#include "sip/transaction/transaction_types.hpp"
#include "sip/transaction/transaction_user.hpp"

namespace parley::sip::detail {

class Core {
 public:
  Core(const TransactionConfig& cfg, Sender& s, TransactionUser& u, base::TimerService& t)
      : config(cfg), sender(s), tu(u), timers(t),
        servers(cfg.shards), clients(cfg.shards), by_id(cfg.shards),
        completed(std::make_shared<CompletedTable>(cfg.shards, t)) {}

  base::Millis t1x64() const { return config.t1 * 64; }
  TransactionId next_id() { return ++last_id_; }

  const TransactionConfig config;
  Sender& sender;
  TransactionUser& tu;
  base::TimerService& timers;
  ShardedMap<std::string, ServerTransactionPtr> servers;
  ShardedMap<std::string, ClientTransactionPtr> clients;
  ShardedMap<TransactionId, std::weak_ptr<TransactionBase>> by_id;
  // Non-INVITE server transactions in Completed over UDP (completed_table.hpp).
  const std::shared_ptr<CompletedTable> completed;

 private:
  std::atomic<TransactionId> last_id_{0};
};

}  // namespace parley::sip::detail
