// The conferencing roles of the Front End for multiparty IM: the focus
// factory, the Focus ([MS-CONFBAS]) and the IM MCU ([MS-CONFIM]), as
// Lync-protocol clients use them (docs/research/issue7-conferencing-sipe.md
// has the exchange pidgin-sipe drives).
//
// Addresses (conference_uri.hpp), all of the organizer's AOR with an opaque
// GRUU parameter, so the proxy can hand them here ([MS-CONFBAS] 3.x):
//   focus factory  sip:alice@dom;gruu;opaque=app:conf:focusfactory
//   Focus          sip:alice@dom;gruu;opaque=app:conf:focus:id:<ID>
//   IM MCU         sip:alice@dom;gruu;opaque=app:conf:chat:id:<ID>
//
//   SERVICE focus factory   C3P getConferencingCapabilities (chat only),
//                           addConference: a new conference, the caller its
//                           organizer; the answer names the Focus;
//                           getConference: its state; deleteConference (the
//                           organizer): everyone is disconnected, it ends.
//   INVITE Focus            C3P addUser: the caller joins (organizer as
//                           presenter, others as attendees); 403 when the
//                           conference is locked and the caller not in it.
//   SUBSCRIBE Focus         Event: conference (RFC 4575): the roster, in full
//                           first, then in full at every change; kept for as
//                           long as the user is in the conference (pidgin-sipe
//                           never refreshes it). Expires: 0 (a new Call-ID is
//                           allowed) ends the caller's subscriptions.
//   INFO Focus (dialog)     C3P modifyConferenceLock, deleteUser,
//                           modifyUserRoles: presenters only.
//   BYE Focus               the user leaves.
//   INVITE IM MCU           joins the chat (SDP m=message); MESSAGEs in that
//                           dialog go to every other participant's MCU dialog
//                           with Ms-Sender naming the author ([MS-CONFIM]);
//                           INFO (typing notices) goes to the others the same
//                           way; BYE leaves the chat. A user removed by
//                           deleteUser gets a BYE from the MCU URI.
//
// A participant whose connection closes (a client that crashed) leaves the
// conference at once: Lync clients are reached only over their connection.
//
// A conference ends when its last user leaves (or its organizer deletes it);
// its record (organizer, participants with join and leave times, message
// count) goes to the store and the sink. With a store, a conference outlives
// a restart until it ends or expires (24 hours after it was created: an ad
// hoc conference, [MS-CONFBAS] expiry-time): clients rejoin by its URI.
//
// Threads: conferences are in a sharded map by ID, each with its own mutex;
// no lock is held while sending. Any worker may call any method.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/timer.hpp"
#include "roles/proxy/local_identity.hpp"
#include "roles/proxy/proxy.hpp"
#include "sip/message.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "store/conference_store.hpp"

namespace parley::conf {

struct ConferenceOptions {
  std::string server_header = "Parley";
  std::vector<std::string> domains;         // local domains: organizers live here
  std::size_t max_conferences_per_organizer = 32;
  std::size_t max_participants = 250;       // Lync's default conference size
};

// What a finished conference leaves behind.
struct ConferenceRecord {
  std::string id;
  std::string organizer;  // "alice@example.com"
  struct Participant {
    std::string aor;
    std::chrono::system_clock::time_point joined;
    std::chrono::system_clock::time_point left;
  };
  std::vector<Participant> participants;
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point ended;
  std::uint64_t messages = 0;
};

class ConferenceService final : public proxy::LocalService {
 public:
  ConferenceService(ConferenceOptions options, const proxy::LocalIdentity& identity,
                    sip::TransactionLayer& transactions, const base::TimerService& clock);

  // Requests whose Request-URI carries opaque=app:conf:focusfactory,
  // app:conf:focus:id:..., or app:conf:chat:id:... for a local organizer.
  bool wants(const sip::Message& request) const override;
  bool understands(std::string_view option_tag) const override;
  void handle(const sip::ServerTransactionPtr& tx, const std::string& caller) override;

  // Where conferences and their records are kept (none: memory only). Set
  // before the first request; it must outlive this.
  void set_store(store::ConferenceStore* store) { store_ = store; }
  // Conferences whose expiry passed leave the store; returns how many.
  std::size_t expire();

  // Where records of finished conferences go (none: not kept).
  void set_record_sink(std::function<void(const ConferenceRecord&)> sink) {
    sink_ = std::move(sink);
  }

  // A connection closed: its users leave the conferences they were in.
  void flow_closed(sip::FlowId flow);

  std::size_t conference_count() const;
  // Ends every conference in memory (at shutdown), recording each; the
  // store keeps them for after the restart.
  std::size_t close_all();

 private:
  struct Dialog {
    std::string call_id;
    std::string their_tag;
    std::string our_tag;
    std::string their_uri;  // the participant's From URI
    std::string target;     // the participant's Contact URI
    sip::Peer flow;
    std::uint32_t cseq = 0;  // of our requests in the dialog
  };
  struct Participant {
    std::string aor;
    std::string endpoint;  // addUser endpoint entity (the client's GUID)
    std::vector<std::string> roles;
    std::optional<Dialog> focus;         // the INVITE dialog with the Focus
    std::vector<Dialog> subscriptions;   // Event: conference
    std::optional<Dialog> chat;          // the MCU dialog
    std::chrono::system_clock::time_point joined;
  };
  struct Conference {
    std::mutex mu;
    std::string id;
    std::string organizer;
    std::string focus_uri;
    std::string mcu_uri;
    std::string subject;
    bool locked = false;
    std::int64_t created = 0;   // unix seconds
    std::int64_t expires = 0;   // unix seconds; 0: never
    std::uint32_t version = 0;  // of the last conference-info sent
    std::vector<Participant> users;
    ConferenceRecord record;
    bool ended = false;
  };
  using ConferencePtr = std::shared_ptr<Conference>;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, ConferencePtr> map;
  };
  struct FlowShard {
    std::mutex mu;
    std::unordered_map<sip::FlowId, std::vector<std::string>> ids;  // conferences joined over it
  };
  static constexpr std::size_t kShards = 16;

  // A request this role sends (NOTIFY, MESSAGE, BYE) in `d`.
  struct Outgoing {
    sip::Message message;
    sip::Peer to;
  };

  Shard& shard_of(std::string_view id) const;
  ConferencePtr find(std::string_view id) const;
  void respond(const sip::ServerTransactionPtr& tx, int status, std::string_view reason = {});
  void respond_c3p(const sip::ServerTransactionPtr& tx, int status, const std::string& body,
                   std::string_view contact = {}, std::string_view to_tag = {});

  void focus_factory(const sip::ServerTransactionPtr& tx, const std::string& caller,
                     const std::string& organizer);
  void focus(const sip::ServerTransactionPtr& tx, const std::string& caller,
             const ConferencePtr& conf);
  void focus_invite(const sip::ServerTransactionPtr& tx, const std::string& caller,
                    const ConferencePtr& conf);
  void focus_subscribe(const sip::ServerTransactionPtr& tx, const std::string& caller,
                       const ConferencePtr& conf);
  void focus_info(const sip::ServerTransactionPtr& tx, const std::string& caller,
                  const ConferencePtr& conf);
  void mcu(const sip::ServerTransactionPtr& tx, const std::string& caller,
           const ConferencePtr& conf);

  // The roster NOTIFY for every subscription of `conf`, naming `deleted` as
  // gone (caller holds its lock).
  void roster_to_all(Conference& conf, std::vector<Outgoing>& out,
                     const std::vector<std::string>& deleted);
  // A request in dialog `d` from `from_uri` (caller holds the lock).
  Outgoing in_dialog(sip::Method method, Dialog& d, std::string_view from_uri,
                     std::vector<std::string> extra, std::string_view body = {});
  // Removes `aor` from `conf`: BYEs where `ejected`, roster to the others.
  // False when `aor` was not in it (nothing changes).
  bool remove_user(Conference& conf, const std::string& aor, bool ejected,
                   std::vector<Outgoing>& out);
  // Ends `conf` if nobody is left (caller holds its lock; returns the record).
  std::optional<ConferenceRecord> end_if_empty(Conference& conf);
  void send(std::vector<Outgoing>& out);
  // Records an ended conference; `forget` also removes it from the store
  // (not at shutdown: it may be joined again after the restart).
  void finish(std::optional<ConferenceRecord> record, const std::string& id, bool forget = true);

  ConferenceOptions options_;
  const proxy::LocalIdentity& identity_;
  sip::TransactionLayer& transactions_;
  const base::TimerService& clock_;
  std::function<void(const ConferenceRecord&)> sink_;
  store::ConferenceStore* store_ = nullptr;
  // Writes what the store keeps of `conf` (caller holds its lock).
  void persist(const Conference& conf) const;
  std::unique_ptr<Shard[]> shards_;
  std::unique_ptr<FlowShard[]> flows_;
  void remember_flow(sip::FlowId flow, const std::string& id);
  // The conference a C3P request's keys name, if the caller organizes it.
  ConferencePtr conference_named(const std::string& conf_entity, const std::string& conference_id,
                                 const std::string& organizer) const;
  // The full roster document of `conf` (caller holds its lock).
  std::string roster_document(Conference& conf, const std::vector<std::string>& deleted);
};

}  // namespace parley::conf
