// Fuzz target: the conferencing codecs of src/roles/conferencing. The first
// input byte selects the parser, the rest is its body:
//
//   byte - '0' (mod 3)  parser
//   0                   parse_c3p_request (+ build_c3p_response of a response
//                       echoing it, with the operation's inner helper)
//   1                   parse_conference_info (+ the round trip through
//                       build_conference_info)
//   2                   classify, the body as the `opaque` value (+ the round
//                       trip through focus_uri, mcu_uri and focus_factory_uri);
//                       a NUL in the body splits off the organizer's aor,
//                       else "alice@dom"
//
// so the seeds (corpus/fuzz_conferencing/) begin with an ASCII digit.
//
// Checks, for every input: nothing throws, aborts or reads out of bounds; every
// refusal says why; what is accepted has what the headers promise (c3p.hpp's
// per-operation keys and kMaxC3PListEntries, conference_info.hpp's
// kMaxConferenceUsers / kMaxUserEndpoints, conference_uri.hpp's
// valid_conference_id); the response to an accepted request is well-formed,
// holds only valid XML 1.0 characters (what pidgin-sipe's libxml2 accepts) and
// echoes the request's requestId, from/to swapped and its operation; and a
// parsed conference-info document, built again, parses back with the same
// users, roles, endpoints, lock, focus, MCU, subject, version and state.
//
// "The same" is after what the builders document (lync::xml::clean) and what
// XML itself does to a value: attribute-value and end-of-line normalization
// (tab, CR, LF may come back as a space or LF) and pugixml dropping a text
// that is only whitespace. compare() below applies exactly that.
#include <pugixml.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/ascii.hpp"
#include "fuzz_check.hpp"
#include "roles/conferencing/c3p.hpp"
#include "roles/conferencing/conference_info.hpp"
#include "roles/conferencing/conference_uri.hpp"
#include "roles/lync/lync_events.hpp"
#include "roles/lync/provisioning.hpp"
#include "roles/lync/xml_util.hpp"

namespace {

namespace conf = parley::conf;
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

bool well_formed(std::string_view xml, pugi::xml_document& doc) {
  return doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8) &&
         doc.document_element();
}

// A value as it comes back from being written by a builder and read again:
// cleaned, CR LF as one LF, tab/CR/LF as a space, and whitespace only as
// nothing.
std::string compare(std::string_view v) {
  const std::string cleaned = lync::xml::clean(v);
  std::string s;
  bool blank = true;
  for (std::size_t i = 0; i < cleaned.size(); ++i) {
    char c = cleaned[i];
    if (c == '\r' && i + 1 < cleaned.size() && cleaned[i + 1] == '\n') continue;  // CR LF: one LF
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    if (c != ' ') blank = false;
    s += c;
  }
  return blank ? std::string() : s;
}

bool same(std::string_view original, std::string_view back) { return compare(original) == compare(back); }

std::string mismatch(std::string_view what, std::string_view original, std::string_view back) {
  return std::string(what) + ": '" + printable(original) + "' came back as '" + printable(back) + "'";
}

// Every text and attribute value under `doc` is valid XML 1.0 character data
// (lync::xml::clean leaves it alone).
struct CleanWalker final : pugi::xml_tree_walker {
  std::string bad;
  bool for_each(pugi::xml_node& n) override {
    const auto check = [&](std::string_view v) {
      if (bad.empty() && lync::xml::clean(v) != v) bad = printable(v);
    };
    if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) check(n.value());
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) check(a.value());
    return bad.empty();
  }
};

// The first element child with local name `name` (pidgin-sipe's sipe_xml_child).
pugi::xml_node child(pugi::xml_node n, std::string_view name) { return lync::xml::child(n, name); }

// --- 0: C3P requests and their responses ----------------------------------------

bool is_xml_name(std::string_view s) {
  if (s.empty()) return false;
  const auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!start(s.front())) return false;
  for (char c : s) {
    if (!start(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.') return false;
  }
  return true;
}

void check_request(const conf::C3PRequest& r) {
  CHECK(!r.request_id.empty());
  CHECK(!r.from.empty());
  CHECK(!r.to.empty());
  // op and op_name agree: a known name is its operation, anything else other.
  if (r.op == conf::C3POp::other) {
    CHECK(conf::c3p_op_name(r.op).empty());
    for (conf::C3POp o : {conf::C3POp::getConferencingCapabilities, conf::C3POp::addConference,
                          conf::C3POp::getConference, conf::C3POp::deleteConference,
                          conf::C3POp::addUser, conf::C3POp::deleteUser,
                          conf::C3POp::modifyUserRoles, conf::C3POp::modifyConferenceLock}) {
      CHECK_MSG(conf::c3p_op_name(o) != r.op_name, printable(r.op_name));
    }
  } else {
    CHECK_MSG(conf::c3p_op_name(r.op) == r.op_name, printable(r.op_name));
  }
  CHECK(r.roles.size() <= conf::kMaxC3PListEntries);
  CHECK(r.mcu_types.size() <= conf::kMaxC3PListEntries);
  CHECK(r.locked.has_value() == (r.op == conf::C3POp::modifyConferenceLock));
  switch (r.op) {
    case conf::C3POp::addUser:
      CHECK(!r.conf_entity.empty());
      CHECK(!r.user_entity.empty());
      break;
    case conf::C3POp::deleteUser:
      CHECK(!r.conf_entity.empty());
      CHECK(!r.user_entity.empty());
      CHECK(r.roles.empty());
      break;
    case conf::C3POp::modifyUserRoles:
      CHECK(!r.conf_entity.empty());
      CHECK(!r.user_entity.empty());
      CHECK(!r.roles.empty());
      break;
    case conf::C3POp::modifyConferenceLock:
    case conf::C3POp::deleteConference:
      CHECK(!r.conf_entity.empty());
      break;
    case conf::C3POp::getConference:
      CHECK(!r.conf_entity.empty() || !r.conference_id.empty());
      break;
    case conf::C3POp::getConferencingCapabilities:
    case conf::C3POp::other:
      // Nothing read from the operation element.
      CHECK(r.conf_entity.empty() && r.user_entity.empty() && r.roles.empty() && r.mcu_types.empty());
      break;
    case conf::C3POp::addConference:
      break;
  }
}

// The operation element's content the Focus (Factory) would answer with.
std::string inner_for(const conf::C3PRequest& r) {
  switch (r.op) {
    case conf::C3POp::getConferencingCapabilities: return conf::capabilities_inner(r.mcu_types);
    case conf::C3POp::addConference: return conf::add_conference_inner(r.conf_entity);
    case conf::C3POp::addUser:
      return conf::add_user_inner(r.conf_entity, r.user_entity, r.roles, r.endpoint_entity);
    case conf::C3POp::deleteConference: return conf::delete_conference_inner(r.conf_entity);
    default: return {};
  }
}

void check_response(const conf::C3PRequest& r, bool success) {
  conf::C3PResponse resp;
  resp.request_id = r.request_id;
  resp.from = r.to;
  resp.to = r.from;
  resp.op_name = r.op_name;
  resp.success = success;
  // On failure, a reason taken from the request (its escaping is tested too).
  if (!success) resp.reason = r.subject.empty() ? "otherFailure" : r.subject;
  resp.inner_xml = inner_for(r);

  const std::string doc = conf::build_c3p_response(resp);
  pugi::xml_document parsed;
  CHECK_MSG(well_formed(doc, parsed), printable(doc));
  CleanWalker walker;
  parsed.traverse(walker);
  CHECK_MSG(walker.bad.empty(), walker.bad + " in " + printable(doc));

  const pugi::xml_node root = parsed.document_element();
  CHECK(std::string_view(root.name()) == "response");
  CHECK(std::string_view(root.attribute("xmlns").value()) == conf::kNsCccp);
  CHECK(std::string_view(root.attribute("code").value()) == (success ? "success" : "failure"));
  const std::string_view rid = root.attribute("requestId").value();
  const std::string_view from = root.attribute("from").value();
  const std::string_view to = root.attribute("to").value();
  CHECK_MSG(same(r.request_id, rid), mismatch("requestId", r.request_id, rid));
  CHECK_MSG(same(r.to, from), mismatch("from", r.to, from));
  CHECK_MSG(same(r.from, to), mismatch("to", r.from, to));

  const pugi::xml_node op = lync::xml::first_element(root);
  if (!is_xml_name(r.op_name)) {
    CHECK_MSG(!op, printable(doc));  // no operation element rather than a broken one
    return;
  }
  CHECK_MSG(op && op.name() == r.op_name, printable(doc));
  CHECK(!op.next_sibling());
  const std::string_view reason = op.attribute("reason").value();
  CHECK(success ? !op.attribute("reason") : same(resp.reason, reason));

  // The helper's fragment is in the operation element, as pidgin-sipe reads it.
  switch (r.op) {
    case conf::C3POp::getConferencingCapabilities: {
      pugi::xml_node types = child(op, "mcu-types");
      CHECK_MSG(types, printable(doc));
      std::size_t i = 0;
      for (pugi::xml_node t = types.first_child(); t; t = t.next_sibling(), ++i) {
        CHECK(i < r.mcu_types.size());
        CHECK(std::string_view(t.name()) == "mcuType");
        const std::string back = lync::xml::text(t);
        CHECK_MSG(same(r.mcu_types[i], back), mismatch("mcuType", r.mcu_types[i], back));
      }
      CHECK(i == r.mcu_types.size());
      break;
    }
    case conf::C3POp::addConference:
    case conf::C3POp::deleteConference: {
      const std::string_view entity = child(op, "conference-info").attribute("entity").value();
      CHECK_MSG(child(op, "conference-info"), printable(doc));
      CHECK_MSG(same(r.conf_entity, entity), mismatch("conference-info@entity", r.conf_entity, entity));
      break;
    }
    case conf::C3POp::addUser: {
      const std::string_view keys = child(op, "conferenceKeys").attribute("confEntity").value();
      CHECK_MSG(same(r.conf_entity, keys), mismatch("confEntity", r.conf_entity, keys));
      pugi::xml_node user = child(op, "user");
      CHECK_MSG(user, printable(doc));
      const std::string_view entity = user.attribute("entity").value();
      CHECK_MSG(same(r.user_entity, entity), mismatch("user@entity", r.user_entity, entity));
      std::vector<std::string> roles;
      for (pugi::xml_node e = child(child(user, "roles"), "entry"); e; e = e.next_sibling()) {
        roles.push_back(lync::xml::text(e));
      }
      CHECK(roles.size() == r.roles.size());
      for (std::size_t i = 0; i < roles.size(); ++i) {
        CHECK_MSG(same(r.roles[i], roles[i]), mismatch("roles/entry", r.roles[i], roles[i]));
      }
      pugi::xml_node ep = child(user, "endpoint");
      CHECK(static_cast<bool>(ep) == !r.endpoint_entity.empty());
      if (ep) {
        const std::string_view e = ep.attribute("entity").value();
        CHECK_MSG(same(r.endpoint_entity, e), mismatch("endpoint@entity", r.endpoint_entity, e));
      }
      break;
    }
    default:
      CHECK(!lync::xml::first_element(op));
      break;
  }
}

void fuzz_c3p(std::string_view body) {
  auto v = conf::parse_c3p_request(body);
  if (refusal(v)) {
    CHECK(body.size() <= lync::kMaxRequestBodyBytes ||
          std::get<lync::BodyError>(v).kind == lync::BodyError::Kind::malformed);
    return;
  }
  const conf::C3PRequest& r = std::get<conf::C3PRequest>(v);
  check_request(r);
  check_response(r, true);
  check_response(r, false);
}

// --- 1: conference-info documents -----------------------------------------------

void check_state(const conf::ConferenceState& s) {
  CHECK(!s.focus_uri.empty());
  CHECK(s.users.size() <= conf::kMaxConferenceUsers);
  for (const conf::User& u : s.users) {
    CHECK(!u.entity.empty());
    CHECK(u.endpoints.size() <= conf::kMaxUserEndpoints);
    CHECK(u.roles.size() <= conf::kMaxUserEndpoints);  // "roles/entry beyond the first ... ignored"
  }
}

void fuzz_conference_info(std::string_view body) {
  auto v = conf::parse_conference_info(body);
  if (refusal(v)) return;
  const conf::ConferenceState& s = std::get<conf::ConferenceState>(v);
  check_state(s);

  const std::string doc = conf::build_conference_info(s);
  pugi::xml_document parsed;
  CHECK_MSG(well_formed(doc, parsed), printable(doc));
  CleanWalker walker;
  parsed.traverse(walker);
  CHECK_MSG(walker.bad.empty(), walker.bad + " in " + printable(doc));

  auto back_v = conf::parse_conference_info(doc);
  const auto* e = std::get_if<lync::BodyError>(&back_v);
  CHECK_MSG(e == nullptr, (e ? e->reason : std::string()) + " in " + printable(doc));
  const conf::ConferenceState& b = std::get<conf::ConferenceState>(back_v);
  check_state(b);

  CHECK_MSG(same(s.focus_uri, b.focus_uri), mismatch("entity", s.focus_uri, b.focus_uri));
  CHECK_MSG(same(s.subject, b.subject), mismatch("subject", s.subject, b.subject));
  CHECK_MSG(same(s.mcu_uri, b.mcu_uri), mismatch("mcu", s.mcu_uri, b.mcu_uri));
  CHECK(s.version == b.version);
  CHECK(s.full == b.full);
  CHECK(s.locked == b.locked);
  CHECK_MSG(s.users.size() == b.users.size(),
            std::to_string(s.users.size()) + " users came back as " + std::to_string(b.users.size()));
  for (std::size_t i = 0; i < s.users.size(); ++i) {
    const conf::User& u = s.users[i];
    const conf::User& w = b.users[i];
    CHECK_MSG(same(u.entity, w.entity), mismatch("user@entity", u.entity, w.entity));
    CHECK(u.deleted == w.deleted);
    if (u.deleted) {
      // A departure is written without children.
      CHECK(w.roles.empty() && w.endpoints.empty() && w.display_text.empty());
      continue;
    }
    CHECK_MSG(same(u.display_text, w.display_text), mismatch("display-text", u.display_text, w.display_text));
    CHECK_MSG(u.roles.size() == w.roles.size(), printable(u.entity));
    for (std::size_t k = 0; k < u.roles.size(); ++k) {
      CHECK_MSG(same(u.roles[k], w.roles[k]), mismatch("roles/entry", u.roles[k], w.roles[k]));
    }
    CHECK_MSG(u.endpoints.size() == w.endpoints.size(), printable(u.entity));
    for (std::size_t k = 0; k < u.endpoints.size(); ++k) {
      const conf::Endpoint& p = u.endpoints[k];
      const conf::Endpoint& q = w.endpoints[k];
      CHECK_MSG(same(p.entity, q.entity), mismatch("endpoint@entity", p.entity, q.entity));
      CHECK_MSG(same(p.session_type, q.session_type), mismatch("session-type", p.session_type, q.session_type));
      CHECK_MSG(same(p.status, q.status), mismatch("status", p.status, q.status));
      CHECK(p.chat_media == q.chat_media);
    }
  }
}

// --- 2: opaque URI parameters -----------------------------------------------------

// The `opaque` value of a URI built by focus_uri / mcu_uri / focus_factory_uri.
std::string_view opaque_of(std::string_view uri, std::string_view aor) {
  const std::string prefix = "sip:" + std::string(aor) + ";gruu;opaque=";
  CHECK_MSG(uri.substr(0, prefix.size()) == prefix, printable(uri));
  return uri.substr(prefix.size());
}

void check_back(std::string_view uri, std::string_view aor, conf::ConfTarget::Kind kind,
                std::string_view id) {
  const auto t = conf::classify(opaque_of(uri, aor), aor);
  CHECK_MSG(t.has_value(), printable(uri));
  CHECK_MSG(t->kind == kind && t->id == id && t->organizer == aor, printable(uri));
}

void fuzz_classify(std::string_view body) {
  std::string_view opaque = body;
  std::string_view aor = "alice@dom";
  if (const std::size_t nul = body.find('\0'); nul != std::string_view::npos) {
    opaque = body.substr(0, nul);
    aor = body.substr(nul + 1);
  }
  CHECK(!conf::classify(opaque, "").has_value());
  const auto t = conf::classify(opaque, aor);
  if (!t) return;
  CHECK(t->organizer == aor);
  if (t->kind == conf::ConfTarget::focus_factory) {
    CHECK(t->id.empty());
    CHECK(parley::base::iequals(opaque, "app:conf:focusfactory"));
    const std::string uri = conf::focus_factory_uri(aor);
    CHECK(uri == lync::focus_factory_uri_for(aor));
    check_back(uri, aor, conf::ConfTarget::focus_factory, "");
    return;
  }
  CHECK(t->kind == conf::ConfTarget::focus || t->kind == conf::ConfTarget::chat_mcu);
  CHECK_MSG(conf::valid_conference_id(t->id), printable(t->id));
  // The ID as written: the end of the value.
  CHECK(opaque.size() > t->id.size() && opaque.substr(opaque.size() - t->id.size()) == t->id);
  check_back(conf::focus_uri(aor, t->id), aor, conf::ConfTarget::focus, t->id);
  check_back(conf::mcu_uri(aor, t->id), aor, conf::ConfTarget::chat_mcu, t->id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (static_cast<std::uint8_t>(data[0] - '0') % 3) {
    case 0: fuzz_c3p(body); break;
    case 1: fuzz_conference_info(body); break;
    case 2: fuzz_classify(body); break;
  }
  return 0;
}
