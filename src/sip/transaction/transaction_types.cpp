#include "sip/transaction/transaction_types.hpp"

namespace parley::sip {

std::string_view to_string(ClientState s) {
  switch (s) {
    case ClientState::Deferred: return "Deferred";
    case ClientState::Calling: return "Calling";
    case ClientState::Trying: return "Trying";
    case ClientState::Proceeding: return "Proceeding";
    case ClientState::Completed: return "Completed";
    case ClientState::Accepted: return "Accepted";
    case ClientState::Terminated: return "Terminated";
  }
  return "?";
}

std::string_view to_string(ServerState s) {
  switch (s) {
    case ServerState::Trying: return "Trying";
    case ServerState::Proceeding: return "Proceeding";
    case ServerState::Completed: return "Completed";
    case ServerState::Confirmed: return "Confirmed";
    case ServerState::Accepted: return "Accepted";
    case ServerState::Terminated: return "Terminated";
  }
  return "?";
}

std::string_view to_string(TransactionError e) {
  switch (e) {
    case TransactionError::Timeout: return "timeout";
    case TransactionError::TransportError: return "transport error";
  }
  return "?";
}

}  // namespace parley::sip
