// Vocabulary of the transaction layer (RFC 3261 section 17): ids, states,
// errors, timer configuration.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "base/timer.hpp"

namespace parley::sip {

class ClientTransaction;
class ServerTransaction;
using ClientTransactionPtr = std::shared_ptr<ClientTransaction>;
using ServerTransactionPtr = std::shared_ptr<ServerTransaction>;

// Identifies one transaction within a TransactionLayer; never 0. The sender
// receives it with every message it puts on the wire, and hands it back to
// TransactionLayer::transport_failed() when a send fails later (17.1.4, 17.2.4).
using TransactionId = std::uint64_t;

// RFC 3261 17.1.1.2 (INVITE, Figure 5) and 17.1.2.2 (non-INVITE, Figure 6),
// with the "Accepted" state of RFC 6026 7.2 for INVITE.
enum class ClientState : std::uint8_t {
  Deferred,    // a CANCEL waiting for a provisional response to the INVITE (RFC 3261 9.1)
  Calling,     // INVITE sent, nothing received
  Trying,      // non-INVITE sent, nothing received
  Proceeding,  // a provisional response received
  Completed,   // a final response received (INVITE: 300-699)
  Accepted,    // INVITE: a 2xx received (RFC 6026); further 2xx are passed up
  Terminated,
};

// RFC 3261 17.2.1 (INVITE, Figure 7) and 17.2.2 (non-INVITE, Figure 8), with
// "Accepted" of RFC 6026 7.1 for INVITE.
enum class ServerState : std::uint8_t {
  Trying,      // non-INVITE: nothing sent yet
  Proceeding,  // INVITE from the start; non-INVITE once a provisional was sent
  Completed,   // a final response sent (INVITE: 300-699)
  Confirmed,   // INVITE: the ACK for the 300-699 response arrived
  Accepted,    // INVITE: a 2xx sent (RFC 6026)
  Terminated,
};

std::string_view to_string(ClientState s);
std::string_view to_string(ServerState s);

// Why a transaction failed.
enum class TransactionError : std::uint8_t {
  // Client: Timer B or F fired (RFC 3261 17.1.1.2, 17.1.2.2), Timer C fired
  // before any provisional response (16.8), or no final response came 64*T1
  // after a CANCEL (9.1). The TU treats it as a 408 (8.1.3.1, 16.7 step 6).
  // Server: Timer H fired, the ACK never came (17.2.1).
  Timeout,
  // The transport could not send (17.1.4, 17.2.4). A UAC treats it as a 503
  // (8.1.3.1).
  TransportError,
};

std::string_view to_string(TransactionError e);

// Timer configuration (RFC 3261 17.1.1.1 and Table 4). Every timer of the
// layer derives from these:
//   A (INVITE request retransmit, UDP only)   starts at T1, doubles, no cap
//   B (INVITE client timeout)                 64*T1
//   C (proxy INVITE, 16.6 step 11)            per request, ClientOptions::timer_c
//   D (wait for final response retransmits)   timer_d on UDP, 0 on TCP/TLS
//   E (non-INVITE request retransmit, UDP)    starts at T1, doubles up to T2
//   F (non-INVITE client timeout)             64*T1
//   G (INVITE final response retransmit, UDP) starts at T1, doubles up to T2
//   H (wait for ACK)                          64*T1
//   I (absorb ACK retransmits)                T4 on UDP, 0 on TCP/TLS
//   J (absorb non-INVITE retransmits)         64*T1 on UDP, 0 on TCP/TLS
//   K (absorb response retransmits)           T4 on UDP, 0 on TCP/TLS
//   L (INVITE server Accepted, RFC 6026)      64*T1
//   M (INVITE client Accepted, RFC 6026)      64*T1
struct TransactionConfig {
  base::Millis t1{500};     // RTT estimate
  base::Millis t2{4000};    // maximum retransmit interval for non-INVITE / responses
  base::Millis t4{5000};    // maximum time a message stays in the network
  base::Millis timer_d{32000};  // RFC 3261 17.1.1.2: at least 32 s for UDP
  // RFC 3261 17.2.1: an INVITE server transaction sends 100 Trying itself when
  // the TU has sent no response this long after the INVITE arrived. Zero sends
  // it at once; nullopt never (the TU then answers within 200 ms itself).
  std::optional<base::Millis> invite_trying_after = base::Millis{200};
  // Number of shards of each transaction table (rounded up to 1).
  std::size_t shards = 64;
};

// Per-request options of TransactionLayer::send_request.
struct ClientOptions {
  // RFC 3261 16.6 step 11 / 16.8: a proxy sets Timer C (more than 3 minutes)
  // on INVITE client transactions. It restarts on every provisional response
  // other than 100. When it fires before any provisional, the transaction fails
  // with TransactionError::Timeout; after one, the layer sends a CANCEL itself
  // (16.8) and the INVITE ends with its final response or, 64*T1 later, with a
  // Timeout (9.1). Ignored for non-INVITE requests. Without it an INVITE that
  // got a provisional response waits for its final response indefinitely, as
  // RFC 3261 17.1.1.2 has it (a UA's TU cancels it when the user gives up).
  std::optional<base::Millis> timer_c;
  // Opaque TU data kept with the transaction (e.g. the proxy's response
  // context), returned by ClientTransaction::context().
  std::shared_ptr<void> context;
};

}  // namespace parley::sip
