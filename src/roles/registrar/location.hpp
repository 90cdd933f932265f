// The location service: bindings from an address-of-record to contacts
// (RFC 3261 10.3), with the flow each binding was registered over (RFC 5626),
// its instance id and GRUU (RFC 5627).
//
// Bindings live in memory only: clients re-register after a restart. The table
// is sharded by AOR with one mutex per shard, so registrations of different
// users never contend on one lock. All times come from the caller (a
// TimerService's now()), so expiry is testable without sleeping.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/timer.hpp"
#include "sip/peer.hpp"

namespace parley::registrar {

struct Binding {
  std::string contact;       // the Contact URI as registered (no <>)
  std::string instance;      // +sip.instance value without quotes, e.g. "<urn:uuid:...>"; may be empty
  std::string reg_id;        // RFC 5626 reg-id; may be empty
  std::string call_id;       // of the REGISTER that created/refreshed it
  std::uint32_t cseq = 0;
  std::uint16_t q = 1000;    // q-value in thousandths (RFC 3261 20.10)
  bool lync = false;         // registered by a Lync-protocol client (msrtc-event-categories)
  base::TimePoint expires_at;
  sip::Peer flow;            // source of the REGISTER: where requests for it go

  // Seconds left at `now`, at least 0.
  std::uint32_t seconds_left(base::TimePoint now) const;
};

// What a REGISTER asks for one contact (RFC 3261 10.3 step 7).
struct BindingUpdate {
  std::string contact;
  std::string instance;
  std::string reg_id;
  std::uint16_t q = 1000;
  std::uint32_t expires = 0;  // seconds; 0 removes the binding
  // Where requests for this contact go; when unset, the REGISTER's flow.
  std::optional<sip::Peer> destination;
  bool lync = false;  // the REGISTER came from a Lync-protocol client
};

class LocationService {
 public:
  enum class Result { Ok, OutOfOrder };

  // Applies one REGISTER's contacts to `aor` atomically. A binding matches an
  // update when both have the same instance id and reg-id, or else the same
  // contact URI (compared as text). RFC 3261 10.3 step 7: an update whose
  // Call-ID equals the binding's and whose CSeq is not higher is out of order
  // and changes nothing.
  Result update(const std::string& aor, const std::vector<BindingUpdate>& updates,
                std::string_view call_id, std::uint32_t cseq, const sip::Peer& flow,
                base::TimePoint now);
  // Contact: * with Expires: 0 (RFC 3261 10.3 step 6): removes every binding of
  // the AOR unless one has the same Call-ID and a higher or equal CSeq.
  Result remove_all(const std::string& aor, std::string_view call_id, std::uint32_t cseq);
  // Live bindings of the AOR at `now`, highest q first; expired ones are purged.
  std::vector<Binding> lookup(const std::string& aor, base::TimePoint now);
  // The live binding whose contact URI text equals `contact`, if any: lets the
  // proxy reach a registered contact over its flow (in-dialog requests).
  std::optional<Binding> find_contact(std::string_view contact, base::TimePoint now);
  // A connection closed. Bindings registered over it with a reg-id (RFC 5626
  // outbound) are dropped: the flow was their only way in. Others stay (RFC
  // 3261 10: a binding outlives its connection) and are reached afterwards at
  // their Contact address; those whose Contact has no numeric address are
  // dropped, since nothing could reach them.
  void flow_closed(sip::FlowId flow);
  // Removes expired bindings everywhere; returns how many were removed.
  std::size_t purge(base::TimePoint now);
  std::size_t size() const;

 private:
  // One binding as the table keeps it (about 56 bytes plus one allocation for
  // its text), where a Binding is about 200 bytes plus up to five strings:
  // memory per registration is what a registrar is sized by. lookup() and
  // find_contact() hand out Binding copies.
  class Stored {
   public:
    Stored(const BindingUpdate& u, std::string_view call_id, std::uint32_t cseq,
           const sip::Peer& flow, base::TimePoint expires_at);
    std::string_view contact() const { return field(0); }
    std::string_view instance() const { return field(1); }
    std::string_view reg_id() const { return field(2); }
    std::string_view call_id() const { return field(3); }
    std::uint32_t cseq() const { return cseq_; }
    base::TimePoint expires_at() const { return expires_at_; }
    sip::Transport transport() const { return transport_; }
    sip::FlowId flow_id() const { return flow_id_; }
    // Re-points the binding at `flow` (a connection closed: RFC 3261 10).
    void set_flow(const sip::Peer& flow);
    Binding to_binding() const;

   private:
    enum : std::size_t { kContact, kInstance, kRegId, kCallId, kIp, kFields };
    void assign(const std::array<std::string_view, kFields>& fields);
    std::string_view field(std::size_t i) const {
      std::uint32_t begin = i == 0 ? 0 : end_[i - 1];
      return {text_.get() + begin, end_[i] - begin};
    }
    std::unique_ptr<char[]> text_;          // the fields back to back, no separators
    std::array<std::uint32_t, kFields> end_{};  // where each field ends in text_
    std::uint32_t cseq_ = 0;
    std::uint16_t q_ = 1000;
    std::uint16_t port_ = 0;
    sip::Transport transport_ = sip::Transport::Udp;
    bool lync_ = false;
    sip::FlowId flow_id_ = 0;
    base::TimePoint expires_at_;
  };

  static constexpr std::size_t kShards = 64;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::vector<Stored>> by_aor;
  };
  // Hash of a contact URI -> AOR, so find_contact() is one lookup, not a scan.
  // Keyed by the 64-bit hash rather than the text (half the bytes); a
  // collision only means two entries to check. Entries may outlive their
  // binding; readers check the binding still exists and purge() drops stale
  // ones.
  struct IndexShard {
    mutable std::mutex mu;
    std::unordered_multimap<std::uint64_t, std::string> aor_of;
  };
  static std::uint64_t contact_hash(std::string_view contact);
  // RFC 3261 10.3 step 7 / RFC 5626: same instance and reg-id, else same contact.
  static bool matches(const Stored& b, const BindingUpdate& u);
  Shard& shard_for(std::string_view aor);
  std::array<Shard, kShards> shards_;
  std::array<IndexShard, kShards> index_;
};

}  // namespace parley::registrar
