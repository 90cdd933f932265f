#include "roles/lync/contact_service.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <random>

#include "roles/lync/roaming_contacts.hpp"
#include "store/sqlite/sqlite_contact_store.hpp"

namespace parley::lync {
namespace {

constexpr std::string_view kUser = "user1@server.contoso.com";

// pidgin-sipe's envelope (sip-soap.c): prefixes s and m declared on the root.
std::string sipe(std::string_view method, std::string_view inner, int delta) {
  return "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""
         " xmlns:m=\"http://schemas.microsoft.com/winrtc/2002/11/sip\"><s:Body><m:" +
         std::string(method) + ">" + std::string(inner) + "<m:deltaNum>" + std::to_string(delta) +
         "</m:deltaNum></m:" + std::string(method) + "></s:Body></s:Envelope>";
}

// [MS-SIP] 4.6 AddContact example body.
constexpr std::string_view kDocAddContact = R"(<SOAP-ENV:Envelope
         xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">
         <SOAP-ENV:Body>
           <m:setContact
            xmlns:m="http://schemas.microsoft.com/winrtc/2002/11/sip">
             <m:displayName>buddy 1</m:displayName>
             <m:groups />
             <m:subscribed>true</m:subscribed>
             <m:URI>sip:user4@server.contoso.com</m:URI>
             <m:externalURI />
             <m:deltaNum>12</m:deltaNum>
           </m:setContact>
         </SOAP-ENV:Body>
       </SOAP-ENV:Envelope>)";

// [MS-SIP] 4.7, 4.8, 4.9, 4.10 example bodies.
constexpr std::string_view kDocDeleteContact = R"(<SOAP-ENV:Envelope
         xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">
         <SOAP-ENV:Body>
           <m:deleteContact
             xmlns:m="http://schemas.microsoft.com/winrtc/2002/11/sip">
             <m:URI>sip:user4@server.contoso.com</m:URI>
             <m:deltaNum>15</m:deltaNum>
           </m:deleteContact>
         </SOAP-ENV:Body>
       </SOAP-ENV:Envelope>)";
constexpr std::string_view kDocAddGroup = R"(<SOAP-ENV:Envelope
         xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">
         <SOAP-ENV:Body>
           <m:addGroup
             xmlns:m="http://schemas.microsoft.com/winrtc/2002/11/sip">
             <m:name>Friends</m:name>
             <m:externalURI />
             <m:deltaNum>16</m:deltaNum>
           </m:addGroup>
         </SOAP-ENV:Body>
       </SOAP-ENV:Envelope>)";
constexpr std::string_view kDocDeleteGroup = R"(<SOAP-ENV:Envelope
         xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">
         <SOAP-ENV:Body>
           <m:deleteGroup
          xmlns:m="http://schemas.microsoft.com/winrtc/2002/11/sip">
             <m:groupID>1</m:groupID>
             <m:deltaNum>17</m:deltaNum>
           </m:deleteGroup>
         </SOAP-ENV:Body>
       </SOAP-ENV:Envelope>)";
constexpr std::string_view kDocSetAce = R"(<SOAP-ENV:Envelope xmlns:SOAP-
 ENV="http://schemas.xmlsoap.org/soap/envelope/">
 <SOAP-ENV:Body>
 <m:setACE xmlns:m="http://schemas.microsoft.com/winrtc/2002/11/sip">
 <m:type>USER</m:type>
 <m:mask>sip:user3@server.contoso.com</m:mask>
 <m:rights>AA</m:rights>
 <m:deltaNum>2</m:deltaNum>
 </m:setACE>
 </SOAP-ENV:Body>
 </SOAP-ENV:Envelope>)";

// The operation of type T in a parse result (a default T, after a failure, if not).
template <class T>
T as(const std::variant<ContactOperation, BodyError>& r) {
  if (const auto* e = std::get_if<BodyError>(&r)) {
    ADD_FAILURE() << "parse error: " << e->reason;
    return T{};
  }
  const auto& op = std::get<ContactOperation>(r);
  EXPECT_TRUE(std::holds_alternative<T>(op));
  return std::holds_alternative<T>(op) ? std::get<T>(op) : T{};
}

TEST(ContactServiceParse, DocumentExamples) {
  const auto& add = as<SetContactOp>(parse_contact_service(kDocAddContact));
  EXPECT_EQ(add.contact.uri, "sip:user4@server.contoso.com");
  EXPECT_EQ(add.contact.name, "buddy 1");
  EXPECT_TRUE(add.contact.groups.empty());
  EXPECT_TRUE(add.contact.subscribed);
  EXPECT_EQ(add.delta_num, 12);

  const auto& del = as<DeleteContactOp>(parse_contact_service(kDocDeleteContact));
  EXPECT_EQ(del.uri, "sip:user4@server.contoso.com");
  EXPECT_EQ(del.delta_num, 15);

  const auto& group = as<AddGroupOp>(parse_contact_service(kDocAddGroup));
  EXPECT_EQ(group.name, "Friends");
  EXPECT_EQ(group.delta_num, 16);

  const auto& dg = as<DeleteGroupOp>(parse_contact_service(kDocDeleteGroup));
  EXPECT_EQ(dg.id, 1);
  EXPECT_EQ(dg.delta_num, 17);
}

TEST(ContactServiceParse, DocumentSetAceExampleAsPrintedIsMalformed) {
  // The [MS-SIP] 4.10 example breaks "xmlns:SOAP-\n ENV" over two lines; as
  // printed it is not XML, and the parser says so instead of guessing.
  auto r = parse_contact_service(kDocSetAce);
  ASSERT_TRUE(std::holds_alternative<BodyError>(r));
  EXPECT_EQ(std::get<BodyError>(r).kind, BodyError::Kind::malformed);
  std::string joined(kDocSetAce);
  joined.replace(joined.find("SOAP-\n "), 7, "SOAP-");
  const auto& ace = as<SetAceOp>(parse_contact_service(joined));
  EXPECT_EQ(ace.ace, (store::AccessControlEntry{"USER", "sip:user3@server.contoso.com", "AA"}));
  EXPECT_EQ(ace.delta_num, 2);
}

TEST(ContactServiceParse, SipeEnvelopes) {
  // sipe-buddy.c / sipe-group.c request bodies.
  const auto& set = as<SetContactOp>(parse_contact_service(
      sipe("setContact",
           "<m:displayName>Bob &amp; Co</m:displayName><m:groups>1 3</m:groups>"
           "<m:subscribed>true</m:subscribed><m:URI>sip:bob@contoso.com</m:URI><m:externalURI />",
           5)));
  EXPECT_EQ(set.contact.name, "Bob & Co");
  EXPECT_EQ(set.contact.groups, (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(set.delta_num, 5);

  EXPECT_EQ(as<AddGroupOp>(parse_contact_service(
                               sipe("addGroup", "<m:name>~</m:name><m:externalURI />", 6)))
                .name,
            "~");
  const auto& mod = as<ModifyGroupOp>(parse_contact_service(
      sipe("modifyGroup", "<m:groupID>2</m:groupID><m:name>Core</m:name><m:externalURI />", 7)));
  EXPECT_EQ(mod.id, 2);
  EXPECT_EQ(mod.name, "Core");
  EXPECT_EQ(as<DeleteContactOp>(parse_contact_service(
                                    sipe("deleteContact", "<m:URI>sip:bob@contoso.com</m:URI>", 8)))
                .uri,
            "sip:bob@contoso.com");
  // OCS 2005 setACE (sip-soap.c): the mask is the bare URI.
  const auto& ace = as<SetAceOp>(parse_contact_service(sipe(
      "setACE", "<m:type>USER</m:type><m:mask>sip:bob@contoso.com</m:mask><m:rights>BD</m:rights>", 1)));
  EXPECT_EQ(ace.ace.rights, "BD");
}

TEST(ContactServiceParse, ContactExtensionIsKeptVerbatim) {
  const auto& set = as<SetContactOp>(parse_contact_service(
      sipe("setContact",
           "<m:displayName/><m:groups>1</m:groups><m:subscribed>false</m:subscribed>"
           "<m:URI>sip:bob@contoso.com</m:URI><m:contactExtension><contactSettings "
           "contactId=\"x\"><tag>1</tag></contactSettings></m:contactExtension>",
           1)));
  EXPECT_FALSE(set.contact.subscribed);
  EXPECT_EQ(set.contact.extension, "<contactSettings contactId=\"x\"><tag>1</tag></contactSettings>");
}

TEST(ContactServiceParse, Errors) {
  struct Case {
    std::string body;
    BodyError::Kind kind;
  };
  const Case cases[] = {
      {"", BodyError::Kind::malformed},
      {"<s:Envelope", BodyError::Kind::malformed},
      {"<notsoap/>", BodyError::Kind::malformed},
      {"<Envelope><Body/></Envelope>", BodyError::Kind::malformed},
      {"<Envelope><Header/></Envelope>", BodyError::Kind::malformed},
      {sipe("setPresence", "<m:presentity m:uri=\"sip:a@b\"/>", 1), BodyError::Kind::unsupported},
      {sipe("directorySearch", "<m:maxResults>10</m:maxResults>", 1), BodyError::Kind::unsupported},
      {sipe("setContact", "<m:displayName>x</m:displayName>", 1), BodyError::Kind::invalid},
      {sipe("setContact", "<m:URI>sip:a@b</m:URI><m:groups>1 x</m:groups>", 1),
       BodyError::Kind::invalid},
      {sipe("setContact", "<m:URI>sip:a@b</m:URI><m:groups>0</m:groups>", 1), BodyError::Kind::invalid},
      {sipe("setContact", "<m:URI>sip:a@b</m:URI><m:subscribed>maybe</m:subscribed>", 1),
       BodyError::Kind::invalid},
      {"<Envelope><Body><setContact><URI>sip:a@b</URI><deltaNum>-1</deltaNum></setContact></Body>"
       "</Envelope>",
       BodyError::Kind::invalid},
      {"<Envelope><Body><deleteGroup><groupID>1</groupID><deltaNum>99999999999999999999999</deltaNum>"
       "</deleteGroup></Body></Envelope>",
       BodyError::Kind::invalid},
      {sipe("deleteContact", "", 1), BodyError::Kind::invalid},
      {sipe("addGroup", "<m:name></m:name>", 1), BodyError::Kind::invalid},
      {sipe("modifyGroup", "<m:groupID>64</m:groupID><m:name>x</m:name>", 1), BodyError::Kind::invalid},
      {sipe("deleteGroup", "<m:groupID>two</m:groupID>", 1), BodyError::Kind::invalid},
      {sipe("setACE", "<m:mask>x</m:mask>", 1), BodyError::Kind::invalid},
      {std::string(kMaxRequestBodyBytes + 1, ' '), BodyError::Kind::malformed},
  };
  for (const auto& c : cases) {
    auto r = parse_contact_service(c.body);
    ASSERT_TRUE(std::holds_alternative<BodyError>(r)) << c.body;
    EXPECT_EQ(std::get<BodyError>(r).kind, c.kind) << c.body;
    EXPECT_FALSE(std::get<BodyError>(r).reason.empty());
  }
  // No deltaNum at all is accepted (not checked).
  EXPECT_FALSE(as<DeleteContactOp>(parse_contact_service(
                                       "<Envelope><Body><deleteContact><URI>sip:a@b</URI>"
                                       "</deleteContact></Body></Envelope>"))
                   .delta_num.has_value());
}

TEST(ContactServiceParse, SurvivesMutatedAndDeepInput) {
  const std::string seeds[] = {std::string(kDocAddContact), std::string(kDocAddGroup),
                               sipe("modifyGroup", "<m:groupID>2</m:groupID><m:name>N</m:name>", 3)};
  std::mt19937 rng(12345);
  for (const auto& seed : seeds) {
    for (int i = 0; i < 3000; ++i) {
      std::string s = seed;
      const int edits = 1 + static_cast<int>(rng() % 8);
      for (int e = 0; e < edits && !s.empty(); ++e) {
        const std::size_t pos = rng() % s.size();
        switch (rng() % 4) {
          case 0: s[pos] = static_cast<char>(rng() % 256); break;
          case 1: s.erase(pos, 1 + rng() % 16); break;
          case 2: s.insert(pos, 1, "<>/&;:\"' =\0x"[rng() % 12]); break;
          default: s.insert(pos, s.substr(rng() % s.size(), rng() % 32)); break;
        }
      }
      auto r = parse_contact_service(s);  // must not crash; any outcome is fine
      if (const auto* e = std::get_if<BodyError>(&r)) {
        EXPECT_FALSE(e->reason.empty());
      }
    }
  }
  // 20,000 nested elements inside the method.
  std::string deep = "<Envelope><Body><setContact><URI>sip:a@b</URI><contactExtension>";
  for (int i = 0; i < 20000; ++i) deep += "<x>";
  for (int i = 0; i < 20000; ++i) deep += "</x>";
  deep += "</contactExtension></setContact></Body></Envelope>";
  auto r = parse_contact_service(deep);
  EXPECT_TRUE(std::holds_alternative<ContactOperation>(r) || std::holds_alternative<BodyError>(r));
}

class ContactServiceApply : public ::testing::Test {
 protected:
  std::shared_ptr<store::SqliteDatabase> db_ = std::make_shared<store::SqliteDatabase>(":memory:");
  store::SqliteContactStore store_{db_};

  ServiceReply run(const std::string& body) { return handle_contact_service(store_, kUser, body); }
};

TEST_F(ContactServiceApply, SipeSessionAddGroupThenContactThenRename) {
  // The client learned deltaNum 1 from the contactList NOTIFY.
  ServiceReply add = run(sipe("addGroup", "<m:name>Friends</m:name><m:externalURI />", 1));
  EXPECT_EQ(add.status, 200);
  EXPECT_EQ(add.content_type, "application/SOAP+xml");
  // pidgin-sipe reads Body/addGroup/groupID (sipe-group.c).
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(add.body.c_str())) << add.body;
  pugi::xml_node env = doc.document_element();
  EXPECT_STREQ(env.name(), "SOAP-ENV:Envelope");
  EXPECT_STREQ(env.attribute("xmlns:SOAP-ENV").value(), "http://schemas.xmlsoap.org/soap/envelope/");
  pugi::xml_node m = env.child("SOAP-ENV:Body").child("m:addGroup");
  EXPECT_STREQ(m.attribute("xmlns:m").value(), "http://schemas.microsoft.com/winrtc/2002/11/sip");
  EXPECT_STREQ(m.child_value("m:groupID"), "2");
  ASSERT_TRUE(add.delta.has_value());
  EXPECT_EQ(add.delta->delta_num, 2);

  // The BENOTIFY the caller sends: sipe sets its deltaNum from it.
  pugi::xml_document delta;
  ASSERT_TRUE(delta.load_string(build_contact_delta(*add.delta).c_str()));
  EXPECT_EQ(delta.child("contactDelta").attribute("deltaNum").as_int(), 2);
  EXPECT_STREQ(delta.child("contactDelta").child("addedGroup").attribute("name").value(), "Friends");

  ServiceReply set = run(sipe("setContact",
                              "<m:displayName>Bob</m:displayName><m:groups>2</m:groups>"
                              "<m:subscribed>true</m:subscribed><m:URI>sip:bob@contoso.com</m:URI>"
                              "<m:externalURI />",
                              2));
  EXPECT_EQ(set.status, 200);
  EXPECT_TRUE(set.body.empty());  // [MS-SIP] 4.6: no body
  EXPECT_TRUE(set.content_type.empty());
  ASSERT_TRUE(set.delta.has_value());
  ASSERT_EQ(set.delta->added_contacts.size(), 1u);
  EXPECT_EQ(set.delta->added_contacts[0].uri, "bob@contoso.com");

  EXPECT_EQ(run(sipe("modifyGroup", "<m:groupID>2</m:groupID><m:name>Pals</m:name><m:externalURI />", 3))
                .status,
            200);
  store::ContactList l = store_.list(kUser);
  EXPECT_EQ(l.delta_num, 4);
  EXPECT_EQ(l.groups[1].name, "Pals");
  ASSERT_EQ(l.contacts.size(), 1u);
  EXPECT_EQ(l.contacts[0].groups, std::vector<std::int64_t>{2});
}

TEST_F(ContactServiceApply, DocumentFlowAndDefaultGroupIsProtected) {
  // The [MS-SIP] examples, with deltaNums adapted to this fresh list.
  std::string add(kDocAddContact);
  add.replace(add.find(">12<"), 4, ">1<");
  EXPECT_EQ(run(add).status, 200);
  EXPECT_EQ(store_.list(kUser).contacts.at(0).uri, "user4@server.contoso.com");
  EXPECT_EQ(store_.list(kUser).contacts.at(0).groups, std::vector<std::int64_t>{1});

  std::string del_group(kDocDeleteGroup);  // deletes group 1: refused
  del_group.replace(del_group.find(">17<"), 4, ">2<");
  ServiceReply r = run(del_group);
  EXPECT_EQ(r.status, 403);
  EXPECT_FALSE(r.delta.has_value());

  std::string del(kDocDeleteContact);
  del.replace(del.find(">15<"), 4, ">2<");
  r = run(del);
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(r.delta.has_value());
  EXPECT_EQ(r.delta->deleted_contacts, std::vector<std::string>{"user4@server.contoso.com"});
  EXPECT_TRUE(store_.list(kUser).contacts.empty());
}

TEST_F(ContactServiceApply, StaleDeltaGetsAWrongDeltaFault) {
  EXPECT_EQ(run(sipe("addGroup", "<m:name>A</m:name>", 1)).status, 200);
  EXPECT_EQ(run(sipe("addGroup", "<m:name>B</m:name>", 2)).status, 200);
  ServiceReply r = run(sipe("addGroup", "<m:name>C</m:name>", 1));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.content_type, "application/msrtc-fault+xml");
  EXPECT_FALSE(r.delta.has_value());
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(r.body.c_str()));
  EXPECT_STREQ(doc.child("Fault").child_value("Faultcode"), "Client.BadCall.WrongDelta");
  pugi::xml_node op = doc.child("Fault").child("details").child("operation");
  EXPECT_EQ(op.attribute("version").as_int(), 1);
  EXPECT_EQ(op.attribute("curVersion").as_int(), 3);
  EXPECT_EQ(store_.list(kUser).groups.size(), 3u);
}

TEST_F(ContactServiceApply, RefusalsAndBadBodies) {
  ServiceReply r = run(sipe("deleteContact", "<m:URI>sip:nobody@contoso.com</m:URI>", 1));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.reason, "No such contact");
  r = run(sipe("setContact", "<m:groups>9</m:groups><m:URI>sip:bob@contoso.com</m:URI>", 1));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.reason, "No such group");
  EXPECT_EQ(run(sipe("addGroup", "<m:name>~</m:name>", 1)).status, 400);
  r = run("<s:Envelope><s:Body><m:setPresence/></s:Body></s:Envelope>");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.reason.find("setPresence"), std::string::npos);
  EXPECT_EQ(run("garbage\r\nInjected: header").reason.find('\n'), std::string::npos);
  EXPECT_EQ(store_.list(kUser).delta_num, 1);
}

TEST_F(ContactServiceApply, SetAceUsesTheAclDelta) {
  ServiceReply r = run(sipe(
      "setACE", "<m:type>USER</m:type><m:mask>sip:bob@contoso.com</m:mask><m:rights>AA</m:rights>", 1));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.acl_delta_num, 2);
  EXPECT_FALSE(r.delta.has_value());
  EXPECT_EQ(store_.acl(kUser).entries.size(), 1u);
  r = run(sipe("setACE", "<m:type>USER</m:type><m:mask>sip:c@d</m:mask><m:rights>AA</m:rights>", 0));
  EXPECT_EQ(r.status, 409);
}

}  // namespace
}  // namespace parley::lync
