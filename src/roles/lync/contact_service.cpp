#include "roles/lync/contact_service.hpp"

#include "roles/lync/xml_util.hpp"

namespace parley::lync {
namespace {

BodyError invalid(std::string reason) { return BodyError{BodyError::Kind::invalid, std::move(reason)}; }

// <m:deltaNum>: absent is allowed (nullopt), present must be a non-negative number.
bool read_delta(pugi::xml_node method, std::optional<std::int64_t>& out, std::string& error) {
  pugi::xml_node n = xml::child(method, "deltaNum");
  if (!n) return true;
  auto v = xml::to_int(xml::text(n));
  if (!v || *v < 0) {
    error = "deltaNum is not a non-negative number";
    return false;
  }
  out = *v;
  return true;
}

std::optional<std::int64_t> read_group_id(pugi::xml_node method) {
  auto v = xml::to_int(xml::text(xml::child(method, "groupID")));
  if (!v || *v < 1 || *v > store::kMaxGroupId) return std::nullopt;
  return v;
}

std::variant<ContactOperation, BodyError> parse_set_contact(pugi::xml_node m) {
  SetContactOp op;
  pugi::xml_node uri = xml::child(m, "URI");
  op.contact.uri = xml::text(uri);
  if (!uri || op.contact.uri.empty()) return invalid("setContact without URI");
  op.contact.name = xml::text(xml::child(m, "displayName"));
  const std::string groups = xml::text(xml::child(m, "groups"));
  std::size_t pos = 0;
  while (pos < groups.size()) {
    const std::size_t start = groups.find_first_not_of(" \t\r\n", pos);
    if (start == std::string::npos) break;
    std::size_t end = groups.find_first_of(" \t\r\n", start);
    if (end == std::string::npos) end = groups.size();
    auto id = xml::to_int(std::string_view(groups).substr(start, end - start));
    if (!id || *id < 1 || *id > store::kMaxGroupId) return invalid("setContact: bad group id");
    op.contact.groups.push_back(*id);
    if (op.contact.groups.size() > static_cast<std::size_t>(store::kMaxGroupId)) {
      return invalid("setContact: too many groups");
    }
    pos = end;
  }
  if (pugi::xml_node s = xml::child(m, "subscribed")) {
    auto b = xml::to_bool(xml::text(s));
    if (!b) return invalid("setContact: subscribed is not a boolean");
    op.contact.subscribed = *b;
  }
  op.contact.external_uri = xml::text(xml::child(m, "externalURI"));
  if (pugi::xml_node ext = xml::child(m, "contactExtension")) {
    op.contact.extension = xml::inner_xml(ext);
  }
  std::string error;
  if (!read_delta(m, op.delta_num, error)) return invalid(error);
  return op;
}

std::variant<ContactOperation, BodyError> parse_method(pugi::xml_node m) {
  const std::string_view name = xml::local_name(m);
  std::string error;
  if (name == "setContact") return parse_set_contact(m);
  if (name == "deleteContact") {
    DeleteContactOp op;
    op.uri = xml::text(xml::child(m, "URI"));
    if (op.uri.empty()) return invalid("deleteContact without URI");
    if (!read_delta(m, op.delta_num, error)) return invalid(error);
    return op;
  }
  if (name == "addGroup") {
    AddGroupOp op;
    op.name = xml::text(xml::child(m, "name"));
    if (op.name.empty()) return invalid("addGroup without name");
    op.external_uri = xml::text(xml::child(m, "externalURI"));
    if (!read_delta(m, op.delta_num, error)) return invalid(error);
    return op;
  }
  if (name == "modifyGroup") {
    ModifyGroupOp op;
    auto id = read_group_id(m);
    if (!id) return invalid("modifyGroup without a valid groupID");
    op.id = *id;
    op.name = xml::text(xml::child(m, "name"));
    if (op.name.empty()) return invalid("modifyGroup without name");
    op.external_uri = xml::text(xml::child(m, "externalURI"));
    if (!read_delta(m, op.delta_num, error)) return invalid(error);
    return op;
  }
  if (name == "deleteGroup") {
    DeleteGroupOp op;
    auto id = read_group_id(m);
    if (!id) return invalid("deleteGroup without a valid groupID");
    op.id = *id;
    if (!read_delta(m, op.delta_num, error)) return invalid(error);
    return op;
  }
  if (name == "setACE") {
    SetAceOp op;
    op.ace.type = xml::text(xml::child(m, "type"));
    op.ace.mask = xml::text(xml::child(m, "mask"));
    op.ace.rights = xml::text(xml::child(m, "rights"));
    if (op.ace.type.empty() || op.ace.rights.empty()) return invalid("setACE without type or rights");
    if (!read_delta(m, op.delta_num, error)) return invalid(error);
    return op;
  }
  return BodyError{BodyError::Kind::unsupported, "SOAP method " + std::string(name) + " not handled"};
}

ServiceReply reply(int status, std::string reason) {
  ServiceReply r;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

std::string add_group_response(std::int64_t id) {
  pugi::xml_document doc;
  pugi::xml_node env = doc.append_child("SOAP-ENV:Envelope");
  xml::set_attr(env, "xmlns:SOAP-ENV", kNsSoapEnvelope);
  pugi::xml_node m = env.append_child("SOAP-ENV:Body").append_child("m:addGroup");
  xml::set_attr(m, "xmlns:m", kNsWinrtcSip);
  xml::add_text(m, "m:groupID", std::to_string(id));
  return xml::serialize(doc);
}

ServiceReply wrong_delta(std::optional<std::int64_t> sent, std::int64_t current) {
  ServiceReply r = reply(409, "Conflict");
  pugi::xml_document doc;
  pugi::xml_node fault = doc.append_child("Fault");
  xml::add_text(fault, "Faultcode", "Client.BadCall.WrongDelta");
  pugi::xml_node op = fault.append_child("details").append_child("operation");
  op.append_attribute("index").set_value(1);
  op.append_attribute("version").set_value(static_cast<long long>(sent.value_or(0)));
  op.append_attribute("curVersion").set_value(static_cast<long long>(current));
  r.content_type = std::string(kTypeMsrtcFault);
  r.body = xml::serialize(doc);
  return r;
}

ServiceReply refused(store::ContactRefusal why) {
  using store::ContactRefusal;
  std::string reason(store::to_string(why));
  reason[0] = static_cast<char>(reason[0] >= 'a' && reason[0] <= 'z' ? reason[0] - 'a' + 'A'
                                                                      : reason[0]);
  switch (why) {
    case ContactRefusal::default_group:
    case ContactRefusal::limit: return reply(403, reason);
    default: return reply(400, reason);
  }
}

// The reply to a contact list change.
ServiceReply list_reply(store::ContactStore& store, std::string_view aor,
                        const store::ContactResult<store::ContactDelta>& result,
                        std::optional<std::int64_t> sent) {
  if (const auto* why = std::get_if<store::ContactRefusal>(&result)) {
    if (*why == store::ContactRefusal::stale_delta) {
      return wrong_delta(sent, store.list(aor).delta_num);
    }
    return refused(*why);
  }
  ServiceReply r;
  r.delta = std::get<store::ContactDelta>(result);
  return r;
}

}  // namespace

std::variant<ContactOperation, BodyError> parse_contact_service(std::string_view body) {
  pugi::xml_document doc;
  std::string error;
  if (!xml::load(doc, body, kMaxRequestBodyBytes, error)) {
    return BodyError{BodyError::Kind::malformed, error};
  }
  pugi::xml_node env = doc.document_element();
  if (xml::local_name(env) != "Envelope") {
    return BodyError{BodyError::Kind::malformed, "not a SOAP Envelope"};
  }
  pugi::xml_node method = xml::first_element(xml::child(env, "Body"));
  if (!method) return BodyError{BodyError::Kind::malformed, "SOAP Envelope without a Body method"};
  return parse_method(method);
}

ServiceReply apply_contact_operation(store::ContactStore& store, std::string_view aor,
                                     const ContactOperation& op) {
  if (const auto* o = std::get_if<SetContactOp>(&op)) {
    return list_reply(store, aor, store.set_contact(aor, o->contact, o->delta_num), o->delta_num);
  }
  if (const auto* o = std::get_if<DeleteContactOp>(&op)) {
    return list_reply(store, aor, store.delete_contact(aor, o->uri, o->delta_num), o->delta_num);
  }
  if (const auto* o = std::get_if<AddGroupOp>(&op)) {
    ServiceReply r = list_reply(store, aor, store.add_group(aor, o->name, o->external_uri, o->delta_num),
                                o->delta_num);
    if (r.delta && !r.delta->added_groups.empty()) {
      r.content_type = std::string(kTypeSoap);
      r.body = add_group_response(r.delta->added_groups.front().id);
    }
    return r;
  }
  if (const auto* o = std::get_if<ModifyGroupOp>(&op)) {
    return list_reply(store, aor,
                      store.modify_group(aor, o->id, o->name, o->external_uri, o->delta_num),
                      o->delta_num);
  }
  if (const auto* o = std::get_if<DeleteGroupOp>(&op)) {
    return list_reply(store, aor, store.delete_group(aor, o->id, o->delta_num), o->delta_num);
  }
  const auto& ace = std::get<SetAceOp>(op);
  auto result = store.set_ace(aor, ace.ace, ace.delta_num);
  if (const auto* why = std::get_if<store::ContactRefusal>(&result)) {
    if (*why == store::ContactRefusal::stale_delta) {
      return wrong_delta(ace.delta_num, store.acl(aor).delta_num);
    }
    return refused(*why);
  }
  ServiceReply r;
  r.acl_delta_num = std::get<std::int64_t>(result);
  return r;
}

ServiceReply handle_contact_service(store::ContactStore& store, std::string_view aor,
                                    std::string_view body) {
  auto parsed = parse_contact_service(body);
  if (const auto* err = std::get_if<BodyError>(&parsed)) {
    // The reason can quote the client's element names: keep it printable and short.
    std::string why;
    for (char c : err->reason) {
      if (c >= 0x20 && c < 0x7f) why += c;
      if (why.size() >= 100) break;
    }
    return reply(400, "Bad Request (" + why + ")");
  }
  return apply_contact_operation(store, aor, std::get<ContactOperation>(parsed));
}

}  // namespace parley::lync
