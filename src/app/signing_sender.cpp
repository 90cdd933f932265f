#include "app/signing_sender.hpp"

#include <variant>

namespace parley::app {

bool SigningSender::send(const sip::Peer& to, std::string bytes, sip::TransactionId tid) {
  if (to.flow != 0 && sas_.has_association(to.flow)) {
    auto parsed = sip::Message::parse(bytes);
    if (auto* m = std::get_if<sip::Message>(&parsed)) {
      if (sas_.sign(*m, to.flow)) bytes = m->serialize();
    }
  }
  return next_.send(to, std::move(bytes), tid);
}

}  // namespace parley::app
