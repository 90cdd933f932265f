#include "roles/presence/container_members.hpp"

#include <gtest/gtest.h>

namespace parley::presence {
namespace {

// pidgin-sipe (sipe-ocs2007.c, sipe_ocs2007_change_access_level and the
// sameEnterprise/federated setup).
constexpr std::string_view kSipeBlock =
    "<setContainerMembers xmlns=\"http://schemas.microsoft.com/2006/09/sip/container-management\">"
    "<container id=\"32000\" version=\"1\"><member action=\"add\" type=\"user\" value=\"bob@x\"/>"
    "</container></setContainerMembers>";

std::vector<ContainerMemberChange> parse_ok(std::string_view body) {
  auto r = parse_set_container_members(body);
  EXPECT_TRUE(std::holds_alternative<std::vector<ContainerMemberChange>>(r)) << body;
  if (auto* v = std::get_if<std::vector<ContainerMemberChange>>(&r)) return *v;
  return {};
}

lync::BodyError::Kind error_of(std::string_view body) {
  auto r = parse_set_container_members(body);
  EXPECT_TRUE(std::holds_alternative<lync::BodyError>(r)) << body;
  return std::holds_alternative<lync::BodyError>(r) ? std::get<lync::BodyError>(r).kind
                                                     : lync::BodyError::Kind::unsupported;
}

std::vector<lync::Container> defaults() { return lync::default_containers(); }

const lync::Container* find(const std::vector<lync::Container>& cs, std::int64_t id) {
  for (const auto& c : cs) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

TEST(ContainerMembers, ParsesSipeBodies) {
  auto changes = parse_ok(kSipeBlock);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].container, 32000);
  EXPECT_EQ(changes[0].version, 1);
  EXPECT_TRUE(changes[0].add);
  EXPECT_EQ(changes[0].member.type, "user");
  EXPECT_EQ(changes[0].member.value, "bob@x");

  changes = parse_ok(
      "<setContainerMembers xmlns=\"http://schemas.microsoft.com/2006/09/sip/container-management\">"
      "<container id=\"200\" version=\"0\"><member action=\"add\" type=\"sameEnterprise\"/></container>"
      "<container id=\"400\" version=\"2\"><member action=\"remove\" type=\"user\" value=\"sip:carol@x\"/>"
      "<member action=\"add\" type=\"domain\" value=\"y.com\"/></container></setContainerMembers>");
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].member.type, "sameEnterprise");
  EXPECT_TRUE(changes[0].member.value.empty());
  EXPECT_EQ(changes[1].container, 400);
  EXPECT_FALSE(changes[1].add);
  EXPECT_EQ(changes[1].member.value, "carol@x");  // "sip:" dropped
  EXPECT_EQ(changes[2].member.type, "domain");
  EXPECT_EQ(changes[2].member.value, "y.com");
}

TEST(ContainerMembers, RefusesBadBodies) {
  using K = lync::BodyError::Kind;
  EXPECT_EQ(error_of("<setContainerMembers>"), K::malformed);
  EXPECT_EQ(error_of("<batchSub/>"), K::malformed);
  EXPECT_EQ(error_of("<setContainerMembers><container version=\"1\"/></setContainerMembers>"), K::invalid);
  EXPECT_EQ(error_of("<setContainerMembers><container id=\"100\"/></setContainerMembers>"), K::invalid);
  EXPECT_EQ(error_of("<setContainerMembers><container id=\"100\" version=\"1\">"
                     "<member action=\"move\" type=\"user\" value=\"a@x\"/></container></setContainerMembers>"),
            K::invalid);
  EXPECT_EQ(error_of("<setContainerMembers><container id=\"100\" version=\"1\">"
                     "<member action=\"add\" type=\"robot\"/></container></setContainerMembers>"),
            K::invalid);
  EXPECT_EQ(error_of("<setContainerMembers><container id=\"100\" version=\"1\">"
                     "<member action=\"add\" type=\"user\"/></container></setContainerMembers>"),
            K::invalid);
}

TEST(ContainerMembers, ApplyAddsRemovesAndBumpsOncePerRequest) {
  auto cs = defaults();
  auto changes = parse_ok(
      "<setContainerMembers><container id=\"400\" version=\"1\">"
      "<member action=\"add\" type=\"user\" value=\"bob@x\"/>"
      "<member action=\"add\" type=\"user\" value=\"carol@x\"/></container>"
      "<container id=\"200\" version=\"1\"><member action=\"remove\" type=\"sameEnterprise\"/></container>"
      "</setContainerMembers>");
  ASSERT_TRUE(apply_container_changes(cs, changes));
  EXPECT_EQ(find(cs, 400)->version, 2);
  ASSERT_EQ(find(cs, 400)->members.size(), 2u);
  EXPECT_EQ(find(cs, 400)->members[1].value, "carol@x");
  EXPECT_EQ(find(cs, 200)->version, 2);
  EXPECT_TRUE(find(cs, 200)->members.empty());
  EXPECT_EQ(find(cs, 100)->version, 1);  // untouched

  // Adding a member already there (case differs) changes nothing.
  ASSERT_TRUE(apply_container_changes(
      cs, parse_ok("<setContainerMembers><container id=\"400\" version=\"2\">"
                   "<member action=\"add\" type=\"user\" value=\"BOB@x\"/></container></setContainerMembers>")));
  EXPECT_EQ(find(cs, 400)->version, 2);
  EXPECT_EQ(find(cs, 400)->members.size(), 2u);
}

TEST(ContainerMembers, ApplyCreatesMissingContainer) {
  std::vector<lync::Container> cs;
  ASSERT_TRUE(apply_container_changes(
      cs, parse_ok("<setContainerMembers><container id=\"32000\" version=\"0\">"
                   "<member action=\"add\" type=\"user\" value=\"bob@x\"/></container></setContainerMembers>")));
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].id, 32000);
  EXPECT_EQ(cs[0].version, 1);
  EXPECT_EQ(cs[0].members.size(), 1u);
}

TEST(ContainerMembers, ApplyVersionMismatchChangesNothing) {
  auto cs = defaults();
  const auto before = cs;
  // 400 is at version 1; the second container's version is stale.
  auto changes = parse_ok(
      "<setContainerMembers><container id=\"400\" version=\"1\">"
      "<member action=\"add\" type=\"user\" value=\"bob@x\"/></container>"
      "<container id=\"32000\" version=\"7\"><member action=\"add\" type=\"user\" value=\"eve@x\"/>"
      "</container></setContainerMembers>");
  EXPECT_FALSE(apply_container_changes(cs, changes));
  ASSERT_EQ(cs.size(), before.size());
  for (std::size_t i = 0; i < cs.size(); ++i) {
    EXPECT_EQ(cs[i].version, before[i].version);
    EXPECT_EQ(cs[i].members.size(), before[i].members.size());
  }
  // A container that does not exist only accepts version 0.
  std::vector<lync::Container> none;
  EXPECT_FALSE(apply_container_changes(none, parse_ok(kSipeBlock)));
  EXPECT_TRUE(none.empty());
}

TEST(ContainerMembers, WatcherContainerOrder) {
  auto cs = defaults();  // 200 sameEnterprise, 100 federated
  EXPECT_EQ(container_for_watcher(cs, "sip:bob@x.com", "x.com"), 200);
  EXPECT_EQ(container_for_watcher(cs, "sip:bob@X.COM", "x.com"), 200);
  EXPECT_EQ(container_for_watcher(cs, "sip:eve@y.com", "x.com"), 100);

  // A blocked user member beats sameEnterprise in 200.
  cs[4].members.push_back({"user", "bob@x.com"});  // 32000
  EXPECT_EQ(container_for_watcher(cs, "<sip:Bob@x.com;transport=tls>", "x.com"), kBlockedContainer);
  EXPECT_EQ(container_for_watcher(cs, "sip:carol@x.com", "x.com"), 200);

  // A user member beats a domain member; a domain member beats sameEnterprise.
  cs[3].members.push_back({"domain", "x.com"});  // 400
  EXPECT_EQ(container_for_watcher(cs, "sip:carol@x.com", "x.com"), 400);
  cs[2].members.push_back({"user", "sip:carol@x.com"});  // 300
  EXPECT_EQ(container_for_watcher(cs, "sip:carol@x.com", "x.com"), 300);

  // Within one type the order is 32000, 400, 300, 200, 100.
  std::vector<lync::Container> two = {{100, 1, {{"user", "dan@x.com"}}}, {300, 1, {{"user", "dan@x.com"}}}};
  EXPECT_EQ(container_for_watcher(two, "sip:dan@x.com", "x.com"), 300);

  // publicCloud and everyone.
  std::vector<lync::Container> open = {{100, 1, {{"everyone", ""}}}, {200, 1, {{"publicCloud", ""}}}};
  EXPECT_EQ(container_for_watcher(open, "sip:eve@y.com", "x.com"), 200);
  EXPECT_EQ(container_for_watcher(open, "sip:bob@x.com", "x.com"), 100);

  // Nothing matches.
  std::vector<lync::Container> empty = {{200, 1, {}}, {32000, 1, {}}};
  EXPECT_EQ(container_for_watcher(empty, "sip:bob@x.com", "x.com"), 0);
  // Other container ids never match.
  std::vector<lync::Container> odd = {{2, 1, {{"everyone", ""}}}};
  EXPECT_EQ(container_for_watcher(odd, "sip:bob@x.com", "x.com"), 0);
}

}  // namespace
}  // namespace parley::presence

namespace parley::presence {
namespace {

TEST(ContainerMembersScheme, EveryLeadingSchemeIsStripped) {
  auto r = parse_set_container_members(
      "<setContainerMembers xmlns=\"http://schemas.microsoft.com/2006/09/sip/container-management\">"
      "<container id=\"400\" version=\"1\"><member action=\"add\" type=\"user\" "
      "value=\"sip:sip:bob@x\"/></container></setContainerMembers>");
  ASSERT_TRUE((std::holds_alternative<std::vector<ContainerMemberChange>>(r)));
  EXPECT_EQ(std::get<std::vector<ContainerMemberChange>>(r).at(0).member.value, "bob@x");
}

}  // namespace
}  // namespace parley::presence
