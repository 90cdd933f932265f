// The presence role: one presence model per user, served to both families of
// clients.
//
//   Lync-protocol clients ([MS-PRES])
//     SERVICE to self, application/msrtc-category-publish+xml    3.7.5.1 publish
//       categories in containers; a version that is not the current one fails
//       the whole request with 409 and a WrongDelta fault listing the current
//       versions, so the client republishes (2.2.2.10.4, pidgin-sipe does).
//     SERVICE to self, application/msrtc-setcontainermembers+xml  access levels
//     SUBSCRIBE to self, Event: presence, Require: adhoclist, categoryList,
//       application/msrtc-adrl-categorylist+xml: a batched subscription to many
//       contacts; the first state is piggybacked on the 200 (multipart/related
//       with an RLMI root, RFC 4662) and every change is a NOTIFY with
//       application/msrtc-event-categories+xml for the one contact.
//   Standard SIP clients (SIMPLE)
//     PUBLISH, Event: presence, application/pidf+xml            RFC 3903, 3863
//       entity tags, refresh, modify and remove; the state becomes an endpoint
//       publication of the category model (pidf.hpp has the mapping).
//     SUBSCRIBE, Event: presence to a user                        RFC 3856, 6665
//       200, then an immediate NOTIFY with PIDF, then one per change.
//     SUBSCRIBE, Event: presence to oneself with Supported: eventlist   RFC 4662
//       the user's server-stored contact list as a resource list: NOTIFYs are
//       multipart/related, an RLMI document and one PIDF per contact (full
//       state first, then the contact that changed).
//     SUBSCRIBE, Event: presence.winfo to oneself                RFC 3857, 3858
//       who watches the user's presence, full state at every change.
//
// The model ([MS-PRES] 3.7.5.x): each user (presentity) has publications keyed
// by (category, instance, container) with a version, and containers that say
// which watchers see which container (container_members.hpp). The server
// aggregates the state publications of containers 2 and 3 into one
// availability (aggregation.hpp) and presents it as the `state` category of
// containers 100-400; a watcher in the Blocked container (32000), or in none,
// sees offline. Endpoint publications (expireType "endpoint") live as long as
// the registration of the flow they came over: when the registrar drops that
// binding (sign-out, expiry), they go and the watchers are told.
//
// Threads: presentities and subscriptions are in sharded maps (a mutex per
// shard, by AOR and by Call-ID). A change locks one presentity's shard to
// apply it and copy what its watchers must get, then each watcher's shard in
// turn to number its NOTIFY; no lock is held while sending, and nothing global
// is locked. Any worker may call any method.
//
// What outlives a restart is in the presence store (store/presence_store.hpp,
// when set): the categories published with expireType "static" or "user" (a
// manual state, the personal note) and the containers (who is blocked). A
// user's entry is read from it the first time this process needs it, and
// written when one of those changes; reads and writes happen under the user's
// shard lock, so they are ordered per user. Everything else is in memory:
// endpoints republish at sign-in ([MS-PRES] clients do) and SIMPLE clients
// refresh their PUBLISH.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/timer.hpp"
#include "roles/lync/roaming_self.hpp"
#include "roles/proxy/local_identity.hpp"
#include "roles/proxy/proxy.hpp"
#include "roles/registrar/location.hpp"
#include "sip/message.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "roles/presence/watcherinfo.hpp"
#include "store/presence_store.hpp"

namespace parley::presence {

inline constexpr std::string_view kEventPresence = "presence";  // RFC 3856 6.1

struct PresenceOptions {
  std::string server_header = "Parley";
  std::uint32_t min_expires = 60;      // SUBSCRIBE/PUBLISH below this: 423 (RFC 6665 4.2.1.1, RFC 3903 6)
  std::uint32_t max_expires = 3600;    // longer requests are shortened to this
  std::uint32_t default_expires = 3600;
  std::size_t max_subscriptions_per_watcher = 64;   // dialogs one watcher AOR may hold
  std::size_t max_publications_per_user = 256;      // category instances of one user
  // The local domains: presentities elsewhere get 404 (federation is the
  // Edge's), and batched lists leave them out. Empty: any domain.
  std::vector<std::string> domains;
};

class PresenceService final : public proxy::LocalService {
 public:
  PresenceService(PresenceOptions options, const proxy::LocalIdentity& identity,
                  registrar::LocationService& location, sip::TransactionLayer& transactions,
                  const base::TimerService& clock);

  // Whether `request` is for this role (checked by the proxy before it
  // authenticates): SUBSCRIBE for presence, PUBLISH, the two SERVICE bodies
  // above, and in-dialog SUBSCRIBE of a subscription held here.
  bool wants(const sip::Message& request) const override;
  // ms-benotify ([MS-SIP] 3.x: NOTIFYs may be sent best-effort; these are
  // sent as ordinary NOTIFYs, which a client that supports BENOTIFY accepts).
  bool understands(std::string_view option_tag) const override;

  // Handles a request wants() accepted; `watcher` is the authenticated AOR of
  // the sender ("alice@example.com"), or empty when the sender proved no local
  // identity (403: presence is for local users until federation exists).
  void handle(const sip::ServerTransactionPtr& tx, const std::string& watcher) override;

  // A final response to a NOTIFY this role sent: 481 (and other failures that
  // end a subscription, RFC 6665 4.1.3) remove the subscription. Unknown
  // Call-IDs are ignored.
  void on_notify_result(std::string_view call_id, int status);

  // The registrar changed `aor`'s bindings: endpoint publications whose flow
  // no longer has a live binding are removed and the watchers told.
  void bindings_changed(const std::string& aor);

  // A connection closed: the endpoint publications made over it go at once,
  // and the watchers are told. A Lync endpoint's connection is its only way
  // in (it never listens), so a client that crashed or lost its network is
  // offline now rather than when its registration would have expired; when
  // it signs in again it publishes over the new connection.
  void flow_closed(sip::FlowId flow);

  // Drops expired subscriptions and publications, and endpoint publications
  // whose binding expired. Called periodically.
  void sweep();

  // What a user's own vnd-microsoft-roaming-self document carries
  // (roaming_self.hpp): its publications and containers.
  lync::RoamingSelf roaming_self(const std::string& aor) const;

  // Told after a user's publications or containers changed, with the new
  // roaming-self document content: the roaming-self subscriptions of the
  // user's endpoints get a NOTIFY (app/lync_self). Set before use.
  // The contacts of a user's server-stored list ("bob@example.com"), for
  // RFC 4662 list subscriptions of SIMPLE clients. Unset: no list service.
  void set_contact_list(std::function<std::vector<std::string>(const std::string& aor)> fn) {
    contact_list_ = std::move(fn);
  }

  void set_roaming_self_listener(std::function<void(const std::string& aor)> fn) {
    roaming_listener_ = std::move(fn);
  }

  // Where static categories and containers are kept (none: memory only).
  // Set before the first request; it must outlive this.
  void set_store(store::PresenceStore* store) { store_ = store; }

  // The aggregate availability of `aor` now ([MS-PRES] numbers, 18500 offline).
  std::uint32_t availability(const std::string& aor) const;
  std::size_t subscription_count() const;

 private:
  enum class Format : std::uint8_t { categories, batched, pidf, pidf_list, winfo };

  struct Publication {
    lync::Category category;  // version is the current one
    std::string endpoint;     // "flow:<id>" for Lync endpoints, "etag:<tag>" for PIDF
    sip::FlowId flow = 0;     // the flow of an endpoint publication (0: none)
    std::optional<base::TimePoint> expires;  // expireType "time" and PIDF publications
  };
  struct Presentity {
    std::vector<Publication> publications;
    std::vector<lync::Container> containers = lync::default_containers();
    std::unordered_set<std::string> watchers;  // Call-IDs of subscriptions naming this user
    std::unordered_set<std::string> winfo;     // Call-IDs of the user's presence.winfo subscriptions
    std::uint32_t aggregate = 18500;
    std::int64_t aggregate_version = 1;
    std::string aggregate_time;                // publishTime of the aggregate state
    bool containers_set = false;               // changed by setContainerMembers
  };
  struct Subscription {
    std::string watcher;                  // AOR of the subscriber
    std::vector<std::string> resources;   // presentity AORs
    std::vector<std::string> categories;  // asked for; empty: state and note
    Format format = Format::pidf;
    std::string local_uri;                // our From in NOTIFYs (the SUBSCRIBE's To URI)
    std::string remote_uri;               // the SUBSCRIBE's From URI
    std::string client_tag;
    std::string our_tag;
    std::string target;                   // the subscriber's Contact URI
    sip::Peer flow;                       // where its SUBSCRIBE came from
    std::uint32_t cseq = 0;
    std::uint32_t version = 0;            // RLMI / watcherinfo version of the next NOTIFY
    base::TimePoint expires;
  };
  // What one watcher of one presentity is shown, computed under the
  // presentity's lock.
  struct View {
    std::uint32_t availability = 18500;
    std::string note;
    std::vector<lync::Category> categories;
  };
  struct PresentityShard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Presentity> map;
  };
  struct SubscriptionShard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Subscription> map;
  };
  struct FlowShard {
    mutable std::mutex mu;
    std::unordered_map<sip::FlowId, std::vector<std::string>> aors;  // who published over it
  };
  struct WatcherShard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::size_t> dialogs;  // subscriptions per watcher AOR
  };
  static constexpr std::size_t kShards = 16;

  PresentityShard& shard_of_user(std::string_view aor) const;
  // The user's entry, read from the store when this process has none yet.
  // Caller holds the shard's lock.
  Presentity& entry(PresentityShard& shard, const std::string& aor) const;
  Presentity entry_from_store(const std::string& aor) const;
  // Writes what of `p` outlives a restart. Caller holds the shard's lock.
  void persist_categories(const std::string& aor, const Presentity& p) const;
  void persist_containers(const std::string& aor, const Presentity& p) const;
  SubscriptionShard& shard_of_dialog(std::string_view call_id) const;

  void respond(const sip::ServerTransactionPtr& tx, int status, std::string_view reason = {});
  // The lifetime the request gets: its Expires (or the default), capped at the
  // maximum. Below the minimum (and not 0) the request is answered 423 with
  // Min-Expires (RFC 3903 5, RFC 6665 4.2.1.1) and nullopt returned.
  std::optional<std::uint32_t> granted_expires(const sip::ServerTransactionPtr& tx);
  void category_publish(const sip::ServerTransactionPtr& tx, const std::string& aor);
  void set_container_members(const sip::ServerTransactionPtr& tx, const std::string& aor);
  void publish(const sip::ServerTransactionPtr& tx, const std::string& aor);
  void subscribe(const sip::ServerTransactionPtr& tx, const std::string& watcher);
  void refresh(const sip::ServerTransactionPtr& tx, const std::string& watcher);

  // Removes the publications of `aor` for which `gone` holds (under the
  // user's lock), then tells the user's endpoints (roaming-self) and the
  // watchers when any went.
  void drop_publications(const std::string& aor,
                         const std::function<bool(const Publication&)>& gone);
  // Recomputes `p`'s aggregate; true when it changed. Caller holds the lock.
  bool reaggregate(const std::string& aor, Presentity& p);
  // The view of `p` for `watcher`. Caller holds the lock.
  View view_of(const std::string& aor, const Presentity& p, std::string_view watcher,
               const std::vector<std::string>& categories) const;
  View view_now(const std::string& aor, std::string_view watcher,
                const std::vector<std::string>& categories) const;
  // The NOTIFY body of `view` for a subscription of `format`, and its type.
  static std::pair<std::string, std::string> body_for(Format format, const std::string& aor,
                                                      const View& view);
  // The Call-IDs in one of `aor`'s sets (watchers or winfo), copied under
  // the user's lock.
  std::vector<std::string> calls_of(const std::string& aor,
                                    std::unordered_set<std::string> Presentity::*which) const;
  // Sends every watcher of `aor` what it now sees.
  void notify_watchers(const std::string& aor);
  void notify_one(const std::string& call_id, const std::string& aor, bool terminated);
  void send_notify(const std::string& call_id, Subscription& s, std::string_view content_type,
                   const std::string& body, bool terminated);
  // A list subscription's NOTIFY with every resource (full state).
  void notify_list(const std::string& call_id, bool terminated);
  // Every presence.winfo subscription of `aor` gets the watcher list.
  void notify_winfo(const std::string& aor);
  // The watchers of `aor`'s presence now (takes locks: call with none held).
  std::vector<WatcherEntry> watchers_of(const std::string& aor) const;
  void add_watcher(const std::string& aor, const std::string& call_id);
  void remove_subscription(const std::string& call_id);
  // Counts a new dialog of `watcher`; false (nothing counted) at the limit.
  bool admit(const std::string& watcher);
  void release(const std::string& watcher);
  bool is_local(std::string_view aor) const;
  std::string now_text() const;

  PresenceOptions options_;
  const proxy::LocalIdentity& identity_;
  registrar::LocationService& location_;
  sip::TransactionLayer& transactions_;
  const base::TimerService& clock_;
  std::function<void(const std::string&)> roaming_listener_;
  std::function<std::vector<std::string>(const std::string&)> contact_list_;
  store::PresenceStore* store_ = nullptr;
  std::unique_ptr<PresentityShard[]> users_;
  std::unique_ptr<SubscriptionShard[]> dialogs_;
  std::unique_ptr<WatcherShard[]> watchers_;
  std::unique_ptr<FlowShard[]> flows_;
};

}  // namespace parley::presence
