#include "roles/conferencing/c3p.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <string>

namespace parley::conf {
namespace {

C3PRequest parse_ok(std::string_view body) {
  auto r = parse_c3p_request(body);
  if (auto* e = std::get_if<lync::BodyError>(&r)) {
    ADD_FAILURE() << "unexpected error: " << e->reason;
    return {};
  }
  return std::get<C3PRequest>(r);
}

lync::BodyError::Kind error_kind(std::string_view body) {
  auto r = parse_c3p_request(body);
  EXPECT_TRUE(std::holds_alternative<lync::BodyError>(r)) << body;
  if (auto* e = std::get_if<lync::BodyError>(&r)) return e->kind;
  return lync::BodyError::Kind::unsupported;
}

std::string wrap(std::string_view op) {
  return std::string(
             "<?xml version=\"1.0\"?><request xmlns=\"urn:ietf:params:xml:ns:cccp\" "
             "xmlns:mscp=\"http://schemas.microsoft.com/rtc/2005/08/cccpextensions\" "
             "C3PVersion=\"1\" to=\"sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12\" "
             "from=\"sip:alice@dom\" requestId=\"7\">") +
         std::string(op) + "</request>";
}

// Follows pidgin-sipe's sipe_xml_child rule: namespace prefixes dropped, the
// first child of each name at each step.
pugi::xml_node sipe_child(pugi::xml_node n, std::string_view path) {
  while (n && !path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view step = path.substr(0, slash);
    pugi::xml_node found;
    for (pugi::xml_node c = n.first_child(); c && !found; c = c.next_sibling()) {
      std::string_view name = c.name();
      if (const std::size_t colon = name.find(':'); colon != std::string_view::npos) {
        name = name.substr(colon + 1);
      }
      if (c.type() == pugi::node_element && name == step) found = c;
    }
    n = found;
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return n;
}

pugi::xml_node load(pugi::xml_document& d, const std::string& doc) {
  EXPECT_TRUE(d.load_string(doc.c_str())) << doc;
  return d.document_element();
}

// --- requests -------------------------------------------------------------

// pidgin-sipe's login request (research doc 1.0), our wording of its shape.
TEST(C3PRequest, GetConferencingCapabilitiesFromSipe) {
  constexpr std::string_view kBody =
      R"(<?xml version="1.0"?>
<request xmlns="urn:ietf:params:xml:ns:cccp" xmlns:mscp="http://schemas.microsoft.com/rtc/2005/08/cccpextensions" C3PVersion="1" to="sip:alice@dom;gruu;opaque=app:conf:focusfactory" from="sip:alice@dom" requestId="3"><getConferencingCapabilities /></request>)";
  C3PRequest r = parse_ok(kBody);
  EXPECT_EQ(r.op, C3POp::getConferencingCapabilities);
  EXPECT_EQ(r.op_name, "getConferencingCapabilities");
  EXPECT_EQ(r.request_id, "3");
  EXPECT_EQ(r.from, "sip:alice@dom");
  EXPECT_EQ(r.to, "sip:alice@dom;gruu;opaque=app:conf:focusfactory");
  EXPECT_EQ(r.c3p_version, "1");
}

// pidgin-sipe's addConference (research doc 1.1): prefixed ci:/msci: elements.
TEST(C3PRequest, AddConferenceFromSipe) {
  C3PRequest r = parse_ok(wrap(
      R"(<addConference><ci:conference-info xmlns:ci="urn:ietf:params:xml:ns:conference-info" entity="" xmlns:msci="http://schemas.microsoft.com/rtc/2005/08/confinfoextensions"><ci:conference-description><ci:subject/><msci:conference-id>0123456789ABCDEF0123456789ABCDEF</msci:conference-id><msci:expiry-time>2024-01-01T07:00:00Z</msci:expiry-time><msci:admission-policy>openAuthenticated</msci:admission-policy></ci:conference-description><msci:conference-view><msci:entity-view entity="chat"/></msci:conference-view></ci:conference-info></addConference>)"));
  EXPECT_EQ(r.op, C3POp::addConference);
  EXPECT_EQ(r.subject, "");
  EXPECT_EQ(r.conference_id, "0123456789ABCDEF0123456789ABCDEF");
  EXPECT_EQ(r.expiry_time, "2024-01-01T07:00:00Z");
  EXPECT_EQ(r.admission_policy, "openAuthenticated");
  EXPECT_EQ(r.mcu_types, (std::vector<std::string>{"chat"}));
  // Without capabilities pidgin-sipe sends an empty conference-view.
  C3PRequest empty = parse_ok(wrap(
      R"(<addConference><ci:conference-info xmlns:ci="urn:ietf:params:xml:ns:conference-info" entity=""><ci:conference-description><ci:subject>Plans &amp; more</ci:subject></ci:conference-description><msci:conference-view xmlns:msci="x"/></ci:conference-info></addConference>)"));
  EXPECT_TRUE(empty.mcu_types.empty());
  EXPECT_EQ(empty.subject, "Plans & more");
}

// pidgin-sipe's addUser in the focus INVITE (research doc 1.2).
TEST(C3PRequest, AddUserFromSipe) {
  C3PRequest r = parse_ok(wrap(
      R"(<addUser><conferenceKeys confEntity="sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12"/><ci:user xmlns:ci="urn:ietf:params:xml:ns:conference-info" entity="sip:bob@dom"><ci:roles><ci:entry>attendee</ci:entry></ci:roles><ci:endpoint entity="{8C4B7F1A-0D2E-4C51-9A11-2B3C4D5E6F70}" xmlns:msci="http://schemas.microsoft.com/rtc/2005/08/confinfoextensions"/></ci:user></addUser>)"));
  EXPECT_EQ(r.op, C3POp::addUser);
  EXPECT_EQ(r.conf_entity, "sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12");
  EXPECT_EQ(r.user_entity, "sip:bob@dom");
  EXPECT_EQ(r.roles, (std::vector<std::string>{"attendee"}));
  EXPECT_EQ(r.endpoint_entity, "{8C4B7F1A-0D2E-4C51-9A11-2B3C4D5E6F70}");
}

// [MS-CONFIM] 4.3.1 "A User Is Ejected from an IM Conference", step 1 (body):
TEST(C3PRequest, DeleteUserFromConfimExample) {
  constexpr std::string_view kBody = R"(<?xml version="1.0"?>
    <request xmlns="urn:ietf:params:xml:ns:cccp" xmlns:mscp="http://schemas.microsoft.com/rtc/2005/08/cccpextensions" C3PVersion="1" to="sip:alice@contoso.com;gruu;opaque=app:conf:focus:id:7ECB5F9BFFB1F343B36775DBA09E8038" from="sip:alice@contoso.com" requestId="63022864">
      <deleteUser>
        <userKeys confEntity="sip:alice@contoso.com;gruu;opaque=app:conf:focus:id:7ECB5F9BFFB1F343B36775DBA09E8038" userEntity="sip:carol@contoso.com" />
      </deleteUser>
    </request>)";
  C3PRequest r = parse_ok(kBody);
  EXPECT_EQ(r.op, C3POp::deleteUser);
  EXPECT_EQ(r.request_id, "63022864");
  EXPECT_EQ(r.from, "sip:alice@contoso.com");
  EXPECT_EQ(r.conf_entity,
            "sip:alice@contoso.com;gruu;opaque=app:conf:focus:id:7ECB5F9BFFB1F343B36775DBA09E8038");
  EXPECT_EQ(r.user_entity, "sip:carol@contoso.com");
}

// pidgin-sipe's lock and "make leader" INFOs (research doc section 3).
TEST(C3PRequest, ModifyConferenceLockAndUserRolesFromSipe) {
  C3PRequest lock = parse_ok(wrap(
      R"(<modifyConferenceLock><conferenceKeys confEntity="sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12"/><locked>true</locked></modifyConferenceLock>)"));
  EXPECT_EQ(lock.op, C3POp::modifyConferenceLock);
  EXPECT_EQ(lock.conf_entity, "sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12");
  ASSERT_TRUE(lock.locked);
  EXPECT_TRUE(*lock.locked);
  C3PRequest unlock = parse_ok(wrap(
      R"(<modifyConferenceLock><conferenceKeys confEntity="f"/><locked> false </locked></modifyConferenceLock>)"));
  ASSERT_TRUE(unlock.locked);
  EXPECT_FALSE(*unlock.locked);

  C3PRequest roles = parse_ok(wrap(
      R"(<modifyUserRoles><userKeys confEntity="sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12" userEntity="sip:bob@dom"/><user-roles xmlns="urn:ietf:params:xml:ns:conference-info"><entry>presenter</entry></user-roles></modifyUserRoles>)"));
  EXPECT_EQ(roles.op, C3POp::modifyUserRoles);
  EXPECT_EQ(roles.user_entity, "sip:bob@dom");
  EXPECT_EQ(roles.roles, (std::vector<std::string>{"presenter"}));
}

// [MS-CONFPRO] 4.5 "Query for the Details of a Conference", the request body:
TEST(C3PRequest, GetConferenceFromConfproExample) {
  constexpr std::string_view kBody =
      R"(<request C3PVersion="1" requestId="5" from="sip:alice@contoso.com" to="sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory" xmlns="urn:ietf:params:xml:ns:cccp" xmlns:msci="http://schemas.microsoft.com/rtc/2005/08/confinfoextensions"> <getConference> <conferenceKeys msci:conference-id="SDFBSD12"/> <msci:encryption-key> <msci:x509-certificate>123213789BC234D</msci:x509-certificate> </msci:encryption-key> </getConference> </request>)";
  C3PRequest r = parse_ok(kBody);
  EXPECT_EQ(r.op, C3POp::getConference);
  EXPECT_EQ(r.request_id, "5");
  EXPECT_EQ(r.conference_id, "SDFBSD12");
  EXPECT_EQ(r.conf_entity, "");
}

TEST(C3PRequest, DeleteConferenceNeedsTheFocus) {
  C3PRequest r = parse_ok(wrap(
      R"(<deleteConference><conferenceKeys confEntity="sip:alice@fabrikam.com;gruu;opaque=app:conf:focus:id:C0FFEE12"/></deleteConference>)"));
  EXPECT_EQ(r.op, C3POp::deleteConference);
  EXPECT_EQ(r.conf_entity, "sip:alice@fabrikam.com;gruu;opaque=app:conf:focus:id:C0FFEE12");
  EXPECT_EQ(error_kind(wrap("<deleteConference><conferenceKeys/></deleteConference>")),
            lync::BodyError::Kind::invalid);
}

// [MS-CONFPRO] 4.7 "Obtaining a List of MCU-Types": an operation Parley does
// not implement parses as `other`, with its name.
TEST(C3PRequest, UnknownOperationIsOther) {
  constexpr std::string_view kBody =
      R"(<request C3PVersion="1" requestId="7" from="sip:alice@contoso.com" to="sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory" xmlns="urn:ietf:params:xml:ns:cccp"> <getAvailableMcuTypes/> </request>)";
  C3PRequest r = parse_ok(kBody);
  EXPECT_EQ(r.op, C3POp::other);
  EXPECT_EQ(r.op_name, "getAvailableMcuTypes");
  EXPECT_EQ(c3p_op_name(C3POp::other), "");
  EXPECT_EQ(c3p_op_name(C3POp::modifyConferenceLock), "modifyConferenceLock");
}

TEST(C3PRequest, MalformedBodies) {
  EXPECT_EQ(error_kind(""), lync::BodyError::Kind::malformed);
  EXPECT_EQ(error_kind("<request"), lync::BodyError::Kind::malformed);
  EXPECT_EQ(error_kind("<response requestId=\"1\" from=\"a\" to=\"b\"><addUser/></response>"),
            lync::BodyError::Kind::malformed);
  EXPECT_EQ(error_kind("not xml at all"), lync::BodyError::Kind::malformed);
  std::string huge = wrap("<x>" + std::string(lync::kMaxRequestBodyBytes, 'a') + "</x>");
  EXPECT_EQ(error_kind(huge), lync::BodyError::Kind::malformed);
  EXPECT_EQ(error_kind(wrap("<addUser>")), lync::BodyError::Kind::malformed);
}

TEST(C3PRequest, InvalidRequests) {
  using K = lync::BodyError::Kind;
  EXPECT_EQ(error_kind(R"(<request from="a" to="b"><addUser/></request>)"), K::invalid);
  EXPECT_EQ(error_kind(R"(<request requestId="1" to="b"><getConferencingCapabilities/></request>)"),
            K::invalid);
  EXPECT_EQ(error_kind(R"(<request requestId="1" from="a" to="b"/>)"), K::invalid);
  EXPECT_EQ(error_kind(R"(<request requestId="1" from="a" to="b">text only</request>)"), K::invalid);
  EXPECT_EQ(error_kind(wrap("<getConferencingCapabilities/><addUser/>")), K::invalid);
  // addUser without the focus or the user
  EXPECT_EQ(error_kind(wrap(R"(<addUser><user entity="sip:b@x"/></addUser>)")), K::invalid);
  EXPECT_EQ(error_kind(wrap(R"(<addUser><conferenceKeys confEntity="f"/><user/></addUser>)")),
            K::invalid);
  // deleteUser / modifyUserRoles without userKeys attributes or roles
  EXPECT_EQ(error_kind(wrap(R"(<deleteUser><userKeys confEntity="f"/></deleteUser>)")), K::invalid);
  EXPECT_EQ(error_kind(wrap(R"(<modifyUserRoles><userKeys confEntity="f" userEntity="u"/></modifyUserRoles>)")),
            K::invalid);
  // lock without a boolean
  EXPECT_EQ(error_kind(wrap(R"(<modifyConferenceLock><conferenceKeys confEntity="f"/><locked>maybe</locked></modifyConferenceLock>)")),
            K::invalid);
  EXPECT_EQ(error_kind(wrap(R"(<modifyConferenceLock><conferenceKeys confEntity="f"/></modifyConferenceLock>)")),
            K::invalid);
  EXPECT_EQ(error_kind(wrap(R"(<modifyConferenceLock><locked>true</locked></modifyConferenceLock>)")),
            K::invalid);
  EXPECT_EQ(error_kind(wrap("<getConference><conferenceKeys/></getConference>")), K::invalid);
  // too many roles
  std::string roles;
  for (std::size_t i = 0; i <= kMaxC3PListEntries; ++i) roles += "<entry>attendee</entry>";
  EXPECT_EQ(error_kind(wrap(R"(<addUser><conferenceKeys confEntity="f"/><user entity="u"><roles>)" +
                            roles + "</roles></user></addUser>")),
            K::invalid);
}

// --- responses ------------------------------------------------------------

// The shape of [MS-CONFPRO] 4.7's response root (2.2.3: from = the request's
// to, to = the request's from, code success/failure, C3PVersion 1):
//   <response C3PVersion="1" requestId="7" from="sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory"
//             to="sip:alice@contoso.com" code="success" xmlns="urn:ietf:params:xml:ns:cccp"> ...
// with pidgin-sipe's read of getConferencingCapabilities/mcu-types/mcuType.
TEST(C3PResponse, CapabilitiesAsSipeReadsThem) {
  C3PResponse r;
  r.request_id = "7";
  r.from = "sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory";
  r.to = "sip:alice@contoso.com";
  r.op_name = "getConferencingCapabilities";
  r.inner_xml = capabilities_inner({"chat"});
  pugi::xml_document d;
  pugi::xml_node root = load(d, build_c3p_response(r));
  EXPECT_STREQ(root.name(), "response");
  EXPECT_STREQ(root.attribute("xmlns").value(), "urn:ietf:params:xml:ns:cccp");
  EXPECT_STREQ(root.attribute("C3PVersion").value(), "1");
  EXPECT_STREQ(root.attribute("requestId").value(), "7");
  EXPECT_STREQ(root.attribute("from").value(), "sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory");
  EXPECT_STREQ(root.attribute("to").value(), "sip:alice@contoso.com");
  EXPECT_STREQ(root.attribute("code").value(), "success");
  pugi::xml_node t = sipe_child(root, "getConferencingCapabilities/mcu-types/mcuType");
  ASSERT_TRUE(t);
  EXPECT_STREQ(t.text().get(), "chat");
  EXPECT_FALSE(t.next_sibling("mcuType"));
  EXPECT_TRUE(sipe_child(root, "getConferencingCapabilities").attribute("reason").empty());
}

// pidgin-sipe takes the focus URI from addConference/conference-info@entity.
TEST(C3PResponse, AddConferenceGivesTheFocus) {
  const std::string focus = "sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12";
  C3PResponse r{"2", "sip:alice@dom;gruu;opaque=app:conf:focusfactory", "sip:alice@dom",
                "addConference", true, "", add_conference_inner(focus)};
  pugi::xml_document d;
  pugi::xml_node root = load(d, build_c3p_response(r));
  EXPECT_STREQ(root.attribute("code").value(), "success");
  pugi::xml_node info = sipe_child(root, "addConference/conference-info");
  ASSERT_TRUE(info);
  EXPECT_EQ(info.attribute("entity").value(), focus);
  EXPECT_STREQ(info.attribute("xmlns").value(), "urn:ietf:params:xml:ns:conference-info");
}

// [MS-CONFBAS] 2.2.3.4 "addUser Response Document Format for Focus INVITE
// Responses", its example starts:
//   <addUser> <conferenceKeys confEntity="sip:user@fabrikam.com;gruu;opaque=app:conf:focus:id:BE92"/>
//   <user entity="sip:user@fabrikam.com"> <roles> <entry>attendee</entry> </roles> ...
TEST(C3PResponse, AddUserFollowsConfbas2234) {
  const std::string focus = "sip:user@fabrikam.com;gruu;opaque=app:conf:focus:id:BE92";
  C3PResponse r;
  r.request_id = "1";
  r.from = focus;
  r.to = "sip:user@fabrikam.com";
  r.op_name = "addUser";
  r.inner_xml = add_user_inner(focus, "sip:user@fabrikam.com", {"attendee"}, "{GUID-1}");
  pugi::xml_document d;
  pugi::xml_node root = load(d, build_c3p_response(r));
  EXPECT_STREQ(root.attribute("code").value(), "success");
  EXPECT_EQ(sipe_child(root, "addUser/conferenceKeys").attribute("confEntity").value(), focus);
  pugi::xml_node user = sipe_child(root, "addUser/user");
  ASSERT_TRUE(user);
  EXPECT_FALSE(user.next_sibling("user"));  // exactly one user
  EXPECT_STREQ(user.attribute("entity").value(), "sip:user@fabrikam.com");
  EXPECT_STREQ(sipe_child(user, "roles/entry").text().get(), "attendee");
  EXPECT_EQ(std::distance(user.children("roles").begin(), user.children("roles").end()), 1);
  EXPECT_STREQ(sipe_child(user, "endpoint").attribute("entity").value(), "{GUID-1}");

  // No endpoint when the user is not joining.
  pugi::xml_document d2;
  load(d2, "<x>" + add_user_inner(focus, "sip:u@x", {"presenter"}, "") + "</x>");
  EXPECT_FALSE(sipe_child(d2.document_element(), "user/endpoint"));
  EXPECT_STREQ(sipe_child(d2.document_element(), "user/roles/entry").text().get(), "presenter");
}

// [MS-CONFBAS] 2.2.3.14 "deleteConference Response Document", the example body:
//   <deleteConference> <conference-info entity="sip:alice@fabrikam.com;gruu;opaque=app:conf:focus:id:5D3747C"/> </deleteConference>
TEST(C3PResponse, DeleteConferenceFollowsConfbas22314) {
  const std::string focus = "sip:alice@fabrikam.com;gruu;opaque=app:conf:focus:id:5D3747C";
  C3PResponse r{"9", focus, "sip:alice@fabrikam.com", "deleteConference", true, "",
                delete_conference_inner(focus)};
  pugi::xml_document d;
  pugi::xml_node root = load(d, build_c3p_response(r));
  EXPECT_EQ(sipe_child(root, "deleteConference/conference-info").attribute("entity").value(), focus);
}

// [MS-CONFPRO] 2.2.3.8: on failure the reason is an attribute of the
// operation element.
TEST(C3PResponse, FailureCarriesReasonOnTheOperation) {
  C3PResponse r;
  r.request_id = "4";
  r.from = "f";
  r.to = "t";
  r.op_name = "modifyConferenceLock";
  r.success = false;
  r.reason = "unauthorized";
  pugi::xml_document d;
  pugi::xml_node root = load(d, build_c3p_response(r));
  EXPECT_STREQ(root.attribute("code").value(), "failure");
  EXPECT_STREQ(root.child("modifyConferenceLock").attribute("reason").value(), "unauthorized");
  // success ignores reason
  r.success = true;
  pugi::xml_document d2;
  EXPECT_TRUE(load(d2, build_c3p_response(r)).child("modifyConferenceLock").attribute("reason").empty());
}

TEST(C3PResponse, HostileValuesStayWellFormed) {
  C3PResponse r;
  r.request_id = "1\"><evil/>";
  r.from = "sip:a@x\x01\x02";
  r.to = "sip:<b>&@x\xFF";
  r.op_name = "addUser";
  r.success = false;
  r.reason = "a\"b<c>";
  r.inner_xml = add_user_inner("f\"<", "sip:<u>&@x\x07", {"pre</entry>senter", "\xC0\x80"}, "{\x1F}");
  const std::string doc = build_c3p_response(r);
  pugi::xml_document d;
  pugi::xml_node root = load(d, doc);
  EXPECT_EQ(doc.find('\x01'), std::string::npos);
  EXPECT_EQ(doc.find('\x07'), std::string::npos);
  EXPECT_STREQ(root.attribute("requestId").value(), "1\"><evil/>");
  EXPECT_FALSE(root.child("evil"));
  EXPECT_STREQ(sipe_child(root, "addUser/user").attribute("entity").value(), "sip:<u>&@x");
  EXPECT_STREQ(sipe_child(root, "addUser/user/roles/entry").text().get(), "pre</entry>senter");
  EXPECT_STREQ(root.child("addUser").attribute("reason").value(), "a\"b<c>");

  // An op_name that is not an XML name gives no operation element; inner XML
  // that is not well-formed is left out.
  r.op_name = "add User><x";
  pugi::xml_document d2;
  EXPECT_FALSE(load(d2, build_c3p_response(r)).first_child());
  r.op_name = "addUser";
  r.inner_xml = "<open>";
  pugi::xml_document d3;
  pugi::xml_node op = load(d3, build_c3p_response(r)).child("addUser");
  ASSERT_TRUE(op);
  EXPECT_FALSE(op.first_child());
  // hostile capabilities
  pugi::xml_document d4;
  load(d4, "<x>" + capabilities_inner({"chat</mcuType><mcuType>audio-video"}) + "</x>");
  EXPECT_STREQ(sipe_child(d4.document_element(), "mcu-types/mcuType").text().get(),
               "chat</mcuType><mcuType>audio-video");
}

// A parsed request answered with its own fields swapped, end to end.
TEST(C3PResponse, RoundTripFromParsedRequest) {
  C3PRequest q = parse_ok(wrap(
      R"(<addUser><conferenceKeys confEntity="sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12"/><ci:user xmlns:ci="urn:ietf:params:xml:ns:conference-info" entity="sip:alice@dom"><ci:roles><ci:entry>attendee</ci:entry></ci:roles><ci:endpoint entity="{E}"/></ci:user></addUser>)"));
  C3PResponse r{q.request_id, q.to, q.from, q.op_name, true, "",
                add_user_inner(q.conf_entity, q.user_entity, {"presenter"}, q.endpoint_entity)};
  pugi::xml_document d;
  pugi::xml_node root = load(d, build_c3p_response(r));
  EXPECT_STREQ(root.attribute("requestId").value(), "7");
  EXPECT_STREQ(root.attribute("to").value(), "sip:alice@dom");
  EXPECT_STREQ(root.attribute("from").value(), "sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12");
  EXPECT_STREQ(sipe_child(root, "addUser/user/roles/entry").text().get(), "presenter");
  EXPECT_STREQ(sipe_child(root, "addUser/user/endpoint").attribute("entity").value(), "{E}");
}

}  // namespace
}  // namespace parley::conf
