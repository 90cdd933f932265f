// Fuzz target: the presence bodies of src/roles/presence. The first input byte
// selects the parser, the rest is its body:
//
//   byte - '0' (mod 5)  parser
//   0                   parse_category_publish (+ parse_state of each state
//                       payload, build_categories of the result)
//   1                   parse_batch_subscribe
//   2                   parse_set_container_members (+ apply_container_changes
//                       to lync::default_containers(), container_for_watcher)
//   3                   parse_pidf (+ availability_from_pidf, and the round trip
//                       through pidf_from_availability and build_pidf)
//   4                   parse_state over each NUL-separated piece of the body
//                       (+ aggregate_availability of all of them)
//
// so the seeds (corpus/fuzz_presence/) begin with an ASCII digit.
//
// Checks, for every input: nothing throws, aborts or reads out of bounds; every
// refusal says why; what is accepted is within the limits the headers state
// (kMaxPublications, kMaxBatchResources, kMaxBatchCategories,
// kMaxMemberChanges) and has the shape they document; the documented rules of
// apply_container_changes, container_for_watcher and aggregate_availability
// hold; and what the builders make of an accepted body parses back
// (build_categories, holding only valid XML 1.0 characters; and
// build_pidf(pidf_from_availability(...)) with the same availability band:
// pidf.hpp, "Every band round-trips").
#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/ascii.hpp"
#include "fuzz_check.hpp"
#include "roles/lync/lync_events.hpp"
#include "roles/lync/roaming_self.hpp"
#include "roles/lync/xml_util.hpp"
#include "roles/presence/aggregation.hpp"
#include "roles/presence/availability.hpp"
#include "roles/presence/batch_subscribe.hpp"
#include "roles/presence/categories_document.hpp"
#include "roles/presence/category_publish.hpp"
#include "roles/presence/container_members.hpp"
#include "roles/presence/pidf.hpp"

namespace {

namespace pr = parley::presence;
namespace lync = parley::lync;
using parley::fuzz::printable;

#define CHECK PARLEY_FUZZ_CHECK
#define CHECK_MSG PARLEY_FUZZ_CHECK_MSG

// The BodyError of `v`, checked to carry a reason; nullptr when `v` holds a result.
template <class V>
const lync::BodyError* refusal(const V& v) {
  const auto* e = std::get_if<lync::BodyError>(&v);
  if (e) CHECK_MSG(!e->reason.empty(), "refusal without a reason");
  return e;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && parley::base::iequals(s.substr(0, prefix.size()), prefix);
}

bool well_formed(std::string_view xml, pugi::xml_document& doc) {
  return doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8) &&
         doc.document_element();
}

std::size_t element_children(pugi::xml_node n) {
  std::size_t count = 0;
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) ++count;
  }
  return count;
}

// Every text and attribute value under `doc` is valid XML 1.0 character data
// (lync::xml::clean leaves it alone): what pidgin-sipe's libxml2 accepts.
struct CleanWalker final : pugi::xml_tree_walker {
  std::string bad;
  bool for_each(pugi::xml_node& n) override {
    const auto check = [&](std::string_view v) {
      if (bad.empty() && parley::lync::xml::clean(v) != v) bad = printable(v);
    };
    if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) check(n.value());
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) check(a.value());
    return bad.empty();
  }
};

bool is_band_constant(std::uint32_t a) {
  static constexpr std::array<std::uint32_t, 8> kAll = {
      pr::kAvailable, pr::kAvailableIdle, pr::kBusy,    pr::kBusyIdle,
      pr::kDoNotDisturb, pr::kBeRightBack, pr::kAway, pr::kOffline};
  return std::find(kAll.begin(), kAll.end(), a) != kAll.end();
}

// --- aggregation (aggregation.hpp, rules 1-5) ---------------------------------

void check_aggregation(const std::vector<pr::StateInstance>& states) {
  CHECK(pr::aggregate_availability(states, false) == pr::kOffline);  // rule 1
  const std::uint32_t r = pr::aggregate_availability(states, true);

  // The result is offline, an idle variant or one of the known values.
  const bool from_input = std::any_of(states.begin(), states.end(), [&](const pr::StateInstance& s) {
    return s.availability >= 3000 && s.availability == r;
  });
  CHECK_MSG(r == pr::kOffline || r == pr::kAvailableIdle || r == pr::kBusyIdle || from_input,
            std::to_string(r));

  // Without phone/calendar states (rules 2-4).
  std::vector<pr::StateInstance> base;
  std::uint32_t activity = 0;  // highest phone/calendar value, 0 when none
  for (const pr::StateInstance& s : states) {
    if (s.availability < 3000) continue;
    if (s.kind == pr::StateKind::phone || s.kind == pr::StateKind::calendar) {
      activity = std::max(activity, s.availability);
    } else {
      base.push_back(s);
    }
  }
  const std::uint32_t r0 = pr::aggregate_availability(base, true);
  const pr::StateInstance* user = nullptr;
  std::uint32_t machine = 0;  // lowest, 0 when none
  for (const pr::StateInstance& s : base) {
    if (s.kind == pr::StateKind::user && (!user || s.publish_time >= user->publish_time)) user = &s;
    if (s.kind == pr::StateKind::machine) machine = machine ? std::min(machine, s.availability) : s.availability;
  }
  if (user) {
    const pr::Band ub = pr::band_of(user->availability);
    CHECK_MSG(r0 == user->availability || (r0 == pr::kAvailableIdle && ub == pr::Band::available) ||
                  (r0 == pr::kBusyIdle && ub == pr::Band::busy),
              std::to_string(r0) + " for user state " + std::to_string(user->availability));
    if (machine == 0) CHECK(r0 == user->availability);  // no machine state: no idle variant
  } else if (machine != 0) {
    CHECK(r0 == machine);  // the most active endpoint
  } else {
    CHECK(r0 == pr::kOffline);
  }

  // Rule 5: phone/calendar raise an available result, never lower nor change others.
  if (activity == 0) {
    CHECK(r == r0);
  } else if (!user && machine == 0) {
    CHECK(r == activity);
  } else {
    const pr::Band b = pr::band_of(r0);
    const bool raisable = b == pr::Band::available || b == pr::Band::available_idle;
    CHECK_MSG(r == (raisable ? std::max(r0, activity) : r0),
              std::to_string(r) + " from " + std::to_string(r0) + " and " + std::to_string(activity));
  }

  // With distinct publish times the order of the instances does not matter.
  std::vector<pr::StateInstance> reversed(states.rbegin(), states.rend());
  bool distinct = true;
  for (std::size_t i = 0; i < states.size() && distinct; ++i) {
    for (std::size_t j = i + 1; j < states.size(); ++j) {
      if (states[i].publish_time == states[j].publish_time) distinct = false;
    }
  }
  if (distinct) CHECK(pr::aggregate_availability(reversed, true) == r);
}

// A parsed state: the fields parse_state documents.
void check_state(const pr::StateInstance& s) {
  CHECK(s.publish_time == 0);
  CHECK(s.kind == pr::StateKind::machine || s.kind == pr::StateKind::user ||
        s.kind == pr::StateKind::phone || s.kind == pr::StateKind::calendar);
}

// --- 0: category publication ----------------------------------------------------

void fuzz_category_publish(std::string_view body) {
  auto v = pr::parse_category_publish(body);
  if (refusal(v)) return;
  const pr::CategoryPublish& pub = std::get<pr::CategoryPublish>(v);
  CHECK(pub.publications.size() <= pr::kMaxPublications);

  std::vector<lync::Category> cats;
  std::vector<pr::StateInstance> states;
  for (std::size_t i = 0; i < pub.publications.size(); ++i) {
    const pr::PublicationOp& op = pub.publications[i];
    const lync::Category& c = op.category;
    CHECK(op.index == i + 1);
    CHECK(!c.name.empty());
    CHECK(c.version >= 0);
    CHECK(c.instance >= INT32_MIN && c.instance <= 0xFFFFFFFFLL);
    CHECK(c.publish_time.empty());
    CHECK_MSG(c.expire_type.empty() || c.expire_type == "static" || c.expire_type == "user" ||
                  c.expire_type == "endpoint" || c.expire_type == "time",
              printable(c.expire_type));
    if (!c.payload_xml.empty()) {
      // One element, serialized: it parses on its own.
      pugi::xml_document one;
      CHECK_MSG(well_formed(c.payload_xml, one), printable(c.payload_xml));
      CHECK(element_children(one) == 1);
    }
    if (c.name == "state" && (c.container == 2 || c.container == 3)) {
      if (auto s = pr::parse_state(c.payload_xml)) {
        check_state(*s);
        s->publish_time = static_cast<std::int64_t>(i);
        states.push_back(*s);
      }
    }
    cats.push_back(c);
  }
  check_aggregation(states);

  // What a watcher is sent: the categories document with these payloads
  // (inserted verbatim) is well-formed and holds every category.
  const std::string doc = pr::build_categories(pub.uri, cats);
  pugi::xml_document parsed;
  CHECK_MSG(well_formed(doc, parsed), printable(doc));
  CHECK(element_children(parsed.document_element()) == cats.size());
  // The builders write only valid XML 1.0 characters (xml_util.hpp, clean):
  // one publisher's payload must not make the watchers' parsers reject it.
  CleanWalker walker;
  parsed.traverse(walker);
  CHECK_MSG(walker.bad.empty(), walker.bad);
}

// --- 1: batched subscription ------------------------------------------------------

void fuzz_batch_subscribe(std::string_view body) {
  auto v = pr::parse_batch_subscribe(body);
  if (refusal(v)) return;
  const pr::BatchSubscribe& b = std::get<pr::BatchSubscribe>(v);
  CHECK(b.action == "subscribe" || b.action == "unsubscribe");
  CHECK(b.resources.size() <= pr::kMaxBatchResources);
  CHECK(b.categories.size() <= pr::kMaxBatchCategories);
  for (std::size_t i = 0; i < b.resources.size(); ++i) {
    CHECK(!b.resources[i].empty());
    for (std::size_t j = i + 1; j < b.resources.size(); ++j) {
      CHECK_MSG(!parley::base::iequals(b.resources[i], b.resources[j]), printable(b.resources[i]));
    }
  }
  for (std::size_t i = 0; i < b.categories.size(); ++i) {
    CHECK(!b.categories[i].empty());
    for (std::size_t j = i + 1; j < b.categories.size(); ++j) {
      CHECK(b.categories[i] != b.categories[j]);
    }
  }
}

// --- 2: container membership --------------------------------------------------

bool same_containers(const std::vector<lync::Container>& a, const std::vector<lync::Container>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].version != b[i].version ||
        a[i].members.size() != b[i].members.size()) {
      return false;
    }
    for (std::size_t k = 0; k < a[i].members.size(); ++k) {
      if (a[i].members[k].type != b[i].members[k].type ||
          a[i].members[k].value != b[i].members[k].value) {
        return false;
      }
    }
  }
  return true;
}

const lync::Container* find_container(const std::vector<lync::Container>& cs, std::int64_t id) {
  for (const lync::Container& c : cs) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::size_t count_member(const lync::Container& c, const lync::ContainerMember& m) {
  return static_cast<std::size_t>(std::count_if(c.members.begin(), c.members.end(), [&](const auto& x) {
    return x.type == m.type && parley::base::iequals(x.value, m.value);
  }));
}

void fuzz_set_container_members(std::string_view body) {
  auto v = pr::parse_set_container_members(body);
  if (refusal(v)) return;
  const auto& changes = std::get<std::vector<pr::ContainerMemberChange>>(v);
  CHECK(changes.size() <= pr::kMaxMemberChanges);
  for (const pr::ContainerMemberChange& ch : changes) {
    const std::string& t = ch.member.type;
    CHECK(ch.version >= 0);
    CHECK_MSG(t == "user" || t == "domain" || t == "sameEnterprise" || t == "federated" ||
                  t == "publicCloud" || t == "everyone",
              printable(t));
    if (t == "user" || t == "domain") {
      CHECK(!ch.member.value.empty());
      // container_members.hpp: "a user value is stored without a leading sip:"
      if (t == "user") {
        CHECK_MSG(!istarts_with(ch.member.value, "sip:"), printable(ch.member.value));
      }
    } else {
      CHECK(ch.member.value.empty());  // a value on the other types is dropped
    }
  }

  const std::vector<lync::Container> before = lync::default_containers();
  std::vector<lync::Container> after = before;
  const bool applied = pr::apply_container_changes(after, changes);

  // All or nothing: refused only for a version mismatch, and then unchanged.
  bool versions_match = true;
  for (const pr::ContainerMemberChange& ch : changes) {
    const lync::Container* c = find_container(before, ch.container);
    if (ch.version != (c ? c->version : 0)) versions_match = false;
  }
  CHECK(applied == versions_match);
  if (!applied) {
    CHECK(same_containers(before, after));
    return;
  }

  // Existing containers keep their place; new ones are appended, in order.
  CHECK(after.size() >= before.size());
  for (std::size_t i = 0; i < before.size(); ++i) CHECK(after[i].id == before[i].id);
  bool any_bumped = false;
  for (std::size_t i = 0; i < after.size(); ++i) {
    const lync::Container& c = after[i];
    const std::int64_t old = i < before.size() ? before[i].version : 0;
    if (i >= before.size()) {
      CHECK(find_container(before, c.id) == nullptr);
      CHECK(std::any_of(changes.begin(), changes.end(), [&](const auto& ch) { return ch.container == c.id; }));
      for (std::size_t j = 0; j < i; ++j) CHECK(after[j].id != c.id);
    }
    // Once per call, and only when members changed.
    CHECK(c.version == old || c.version == old + 1);
    const lync::Container empty{c.id, 0, {}};
    const lync::Container& was = i < before.size() ? before[i] : empty;
    if (!same_containers({was}, {lync::Container{c.id, was.version, c.members}})) {
      CHECK(c.version == old + 1);
    }
    if (c.version != old) any_bumped = true;
  }
  // The last change for a member decides whether it is there (once) or not.
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const pr::ContainerMemberChange& ch = changes[i];
    bool last = true;
    for (std::size_t j = i + 1; j < changes.size(); ++j) {
      if (changes[j].container == ch.container && changes[j].member.type == ch.member.type &&
          parley::base::iequals(changes[j].member.value, ch.member.value)) {
        last = false;
      }
    }
    if (!last) continue;
    const lync::Container* c = find_container(after, ch.container);
    CHECK(c != nullptr);
    CHECK_MSG(count_member(*c, ch.member) == (ch.add ? 1u : 0u), printable(ch.member.value));
  }
  // Applying the same changes again: refused when a version moved, else a no-op.
  std::vector<lync::Container> again = after;
  CHECK(pr::apply_container_changes(again, changes) == !any_bumped);
  CHECK(same_containers(again, after));

  // Where watchers land: a container of the documented order that exists.
  static constexpr std::array<std::int64_t, 6> kResults = {0, 32000, 400, 300, 200, 100};
  const auto check_watcher = [&](std::string_view watcher) {
    const std::int64_t id = pr::container_for_watcher(after, watcher, "parley.test");
    CHECK_MSG(std::find(kResults.begin(), kResults.end(), id) != kResults.end(), std::to_string(id));
    if (id != 0) CHECK(find_container(after, id) != nullptr);
    return id;
  };
  const auto plain = [](std::string_view u) {
    return !istarts_with(u, "sip:") && !istarts_with(u, "sips:") &&
           u.find_first_of("<;>?") == std::string_view::npos;
  };
  bool all_plain = true;  // every user member as container_for_watcher compares it
  for (const lync::Container& c : after) {
    for (const lync::ContainerMember& m : c.members) {
      if (m.type == "user" && !plain(m.value)) all_plain = false;
    }
  }
  for (const pr::ContainerMemberChange& ch : changes) {
    if (ch.member.type != "user") continue;
    const std::string& u = ch.member.value;
    // A user member in a listed container: the watcher lands in the first
    // (32000, 400, 300, 200, 100) that lists it.
    std::int64_t expected = 0;
    for (std::int64_t id : {std::int64_t{32000}, std::int64_t{400}, std::int64_t{300},
                            std::int64_t{200}, std::int64_t{100}}) {
      const lync::Container* c = find_container(after, id);
      if (c && count_member(*c, ch.member) > 0) {
        expected = id;
        break;
      }
    }
    const std::int64_t got = check_watcher("sip:" + u);
    if (all_plain && expected != 0) {
      CHECK_MSG(got == expected, printable(u) + " in " + std::to_string(expected) + ", got " +
                                     std::to_string(got));
      CHECK(check_watcher("<sips:" + u + ";transport=tls>") == expected);
    }
  }
  check_watcher("sip:someone@parley.test");
  check_watcher("sip:someone@elsewhere.test");
  check_watcher("");
}

// --- 3: PIDF ------------------------------------------------------------------

void fuzz_pidf(std::string_view body) {
  auto v = pr::parse_pidf(body);
  if (refusal(v)) return;
  const pr::PidfPresence& p = std::get<pr::PidfPresence>(v);
  CHECK(!p.entity.empty());
  for (std::size_t i = 0; i < p.activities.size(); ++i) {
    CHECK(!p.activities[i].empty());
    for (std::size_t j = i + 1; j < p.activities.size(); ++j) CHECK(p.activities[i] != p.activities[j]);
  }
  const std::uint32_t a = pr::availability_from_pidf(p);
  CHECK_MSG(is_band_constant(a), std::to_string(a));
  CHECK(p.open || a == pr::kOffline);

  // Every band round-trips (pidf.hpp).
  const std::string built = pr::build_pidf(pr::pidf_from_availability(p.entity, a, p.note));
  auto back = pr::parse_pidf(built);
  const auto* e = std::get_if<lync::BodyError>(&back);
  CHECK_MSG(e == nullptr, (e ? e->reason : std::string()) + " in " + printable(built));
  const pr::PidfPresence& q = std::get<pr::PidfPresence>(back);
  CHECK_MSG(pr::band_of(pr::availability_from_pidf(q)) == pr::band_of(a),
            std::to_string(a) + " came back as " + std::to_string(pr::availability_from_pidf(q)));
}

// --- 4: state instances and their aggregation ---------------------------------

void fuzz_states(std::string_view body) {
  std::vector<pr::StateInstance> states;
  std::size_t pieces = 0;
  while (pieces < 16) {
    const std::size_t nul = body.find('\0');
    const std::string_view piece = body.substr(0, nul);
    if (auto s = pr::parse_state(piece)) {
      check_state(*s);
      s->publish_time = static_cast<std::int64_t>(pieces);
      states.push_back(*s);
    }
    ++pieces;
    if (nul == std::string_view::npos) break;
    body.remove_prefix(nul + 1);
  }
  check_aggregation(states);
  // Same publish time for all: the later user state wins, still within the rules.
  for (pr::StateInstance& s : states) s.publish_time = 0;
  check_aggregation(states);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (static_cast<std::uint8_t>(data[0] - '0') % 5) {
    case 0: fuzz_category_publish(body); break;
    case 1: fuzz_batch_subscribe(body); break;
    case 2: fuzz_set_container_members(body); break;
    case 3: fuzz_pidf(body); break;
    case 4: fuzz_states(body); break;
  }
  return 0;
}
