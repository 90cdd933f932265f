#include "store/sqlite/sqlite_contact_store.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "support/temp_dir.hpp"

namespace parley::store {
namespace {

constexpr std::string_view kAlice = "alice@Parley.Test";

// The value of a change that must succeed (a default T, after a failure, if refused).
template <class T>
T ok(const ContactResult<T>& r) {
  if (const auto* refusal = std::get_if<ContactRefusal>(&r)) {
    ADD_FAILURE() << "refused: " << to_string(*refusal);
    return T{};
  }
  return std::get<T>(r);
}

template <class T>
std::optional<ContactRefusal> refusal(const ContactResult<T>& r) {
  if (const auto* x = std::get_if<ContactRefusal>(&r)) return *x;
  return std::nullopt;
}

Contact contact(std::string uri, std::vector<std::int64_t> groups = {}, std::string name = "") {
  Contact c;
  c.uri = std::move(uri);
  c.groups = std::move(groups);
  c.name = std::move(name);
  return c;
}

class ContactStoreTest : public ::testing::Test {
 protected:
  test::TempDir tmp_;
  std::shared_ptr<SqliteDatabase> db_ = std::make_shared<SqliteDatabase>(tmp_.path() / "parley.db");
  SqliteContactStore store_{db_};
};

TEST_F(ContactStoreTest, NewUserHasTheDefaultGroupAndWritesNothing) {
  ContactList l = store_.list(kAlice);
  EXPECT_EQ(l.delta_num, 1);
  ASSERT_EQ(l.groups.size(), 1u);
  EXPECT_EQ(l.groups[0], (ContactGroup{1, "~", ""}));
  EXPECT_TRUE(l.contacts.empty());
  // Reading did not create the list.
  auto rows = db_->with([](SqliteConnection& c) {
    auto st = c.prepare("SELECT count(*) FROM contact_lists");
    return st.step() ? st.integer(0) : -1;
  });
  EXPECT_EQ(rows, 0);
}

TEST_F(ContactStoreTest, SetContactAddsThenModifiesAndBumpsDeltaByOne) {
  const ContactDelta& d1 = ok(store_.set_contact(kAlice, contact("sip:Bob@Example.COM", {}, "Bob"), 1));
  EXPECT_EQ(d1.prev_delta_num, 1);
  EXPECT_EQ(d1.delta_num, 2);
  ASSERT_EQ(d1.added_contacts.size(), 1u);
  EXPECT_EQ(d1.added_contacts[0].uri, "Bob@example.com");  // no scheme, host lower-case
  EXPECT_EQ(d1.added_contacts[0].groups, std::vector<std::int64_t>{1});  // empty -> default
  EXPECT_TRUE(d1.modified_contacts.empty());

  Contact again = contact("Bob@example.com", {1}, "Bobby");
  again.subscribed = false;
  const ContactDelta& d2 = ok(store_.set_contact(kAlice, again, 2));
  EXPECT_EQ(d2.delta_num, 3);
  ASSERT_EQ(d2.modified_contacts.size(), 1u);
  EXPECT_TRUE(d2.added_contacts.empty());

  ContactList l = store_.list("alice@parley.test");  // domain in any case
  EXPECT_EQ(l.delta_num, 3);
  ASSERT_EQ(l.contacts.size(), 1u);
  EXPECT_EQ(l.contacts[0].name, "Bobby");
  EXPECT_FALSE(l.contacts[0].subscribed);
  // Other users' lists are separate.
  EXPECT_TRUE(store_.list("bob@parley.test").contacts.empty());
  EXPECT_TRUE(store_.list("Alice@parley.test").contacts.empty());  // user part is case-sensitive
}

TEST_F(ContactStoreTest, StaleDeltaIsRefusedAndChangesNothing) {
  ok(store_.set_contact(kAlice, contact("bob@example.com"), 1));
  EXPECT_EQ(refusal(store_.set_contact(kAlice, contact("carol@example.com"), 1)),
            ContactRefusal::stale_delta);
  EXPECT_EQ(store_.list(kAlice).delta_num, 2);
  EXPECT_EQ(store_.list(kAlice).contacts.size(), 1u);
  // not_older (the default) accepts a client that is ahead (it counted a refused request).
  EXPECT_EQ(ok(store_.set_contact(kAlice, contact("carol@example.com"), 5)).delta_num, 3);
  // No deltaNum: not checked.
  EXPECT_EQ(ok(store_.set_contact(kAlice, contact("dave@example.com"), std::nullopt)).delta_num, 4);
}

TEST_F(ContactStoreTest, ExactDeltaCheck) {
  SqliteContactStore exact(db_, {}, DeltaCheck::exact);
  EXPECT_EQ(refusal(exact.set_contact(kAlice, contact("bob@example.com"), 2)),
            ContactRefusal::stale_delta);
  EXPECT_EQ(ok(exact.set_contact(kAlice, contact("bob@example.com"), 1)).delta_num, 2);
  // A refused first change leaves no list behind.
  EXPECT_EQ(refusal(exact.set_contact("eve@parley.test", contact("x@example.com"), 7)),
            ContactRefusal::stale_delta);
  auto rows = db_->with([](SqliteConnection& c) {
    auto st = c.prepare("SELECT count(*) FROM contact_lists WHERE aor = 'eve@parley.test'");
    return st.step() ? st.integer(0) : -1;
  });
  EXPECT_EQ(rows, 0);
}

TEST_F(ContactStoreTest, GroupsAddRenameDelete) {
  const ContactDelta& add = ok(store_.add_group(kAlice, "Team", "", 1));
  ASSERT_EQ(add.added_groups.size(), 1u);
  const std::int64_t team = add.added_groups[0].id;
  EXPECT_EQ(team, 2);
  EXPECT_EQ(add.delta_num, 2);
  EXPECT_EQ(refusal(store_.add_group(kAlice, "Team", "", 2)), ContactRefusal::duplicate_group);
  EXPECT_EQ(refusal(store_.add_group(kAlice, "~", "", 2)), ContactRefusal::duplicate_group);
  EXPECT_EQ(refusal(store_.add_group(kAlice, "", "", 2)), ContactRefusal::invalid);
  const std::int64_t ext = ok(store_.add_group(kAlice, "External", "", 2)).added_groups[0].id;
  EXPECT_EQ(ext, 3);

  const ContactDelta& mod = ok(store_.modify_group(kAlice, team, "Core team", "x", 3));
  ASSERT_EQ(mod.modified_groups.size(), 1u);
  EXPECT_EQ(mod.modified_groups[0], (ContactGroup{team, "Core team", "x"}));
  EXPECT_EQ(refusal(store_.modify_group(kAlice, 9, "Nine", "", 4)), ContactRefusal::no_such_group);
  EXPECT_EQ(refusal(store_.modify_group(kAlice, ext, "Core team", "", 4)),
            ContactRefusal::duplicate_group);
  // The default group can be renamed but not deleted.
  ok(store_.modify_group(kAlice, 1, "~", "sort=1", 4));
  EXPECT_EQ(refusal(store_.delete_group(kAlice, 1, 5)), ContactRefusal::default_group);

  // Deleting a group: contacts leave it; those left in no group go to the default.
  ok(store_.set_contact(kAlice, contact("bob@example.com", {team}), 5));
  ok(store_.set_contact(kAlice, contact("carol@example.com", {team, ext}), 6));
  ok(store_.set_contact(kAlice, contact("dave@example.com", {1}), 7));
  const ContactDelta& del = ok(store_.delete_group(kAlice, team, 8));
  EXPECT_EQ(del.deleted_groups, std::vector<std::int64_t>{team});
  ASSERT_EQ(del.modified_contacts.size(), 2u);
  EXPECT_EQ(del.modified_contacts[0].uri, "bob@example.com");
  EXPECT_EQ(del.modified_contacts[0].groups, std::vector<std::int64_t>{1});
  EXPECT_EQ(del.modified_contacts[1].groups, std::vector<std::int64_t>{ext});
  EXPECT_EQ(del.delta_num, 9);
  ContactList l = store_.list(kAlice);
  ASSERT_EQ(l.groups.size(), 2u);
  EXPECT_EQ(l.groups[0], (ContactGroup{1, "~", "sort=1"}));
  EXPECT_EQ(l.groups[1].name, "External");
  EXPECT_EQ(l.contacts.size(), 3u);  // nobody was removed
  EXPECT_EQ(refusal(store_.delete_group(kAlice, team, 9)), ContactRefusal::no_such_group);
}

TEST_F(ContactStoreTest, GroupIdsStopAt63AndReuseFreeOnes) {
  std::int64_t delta = 1;
  for (int i = 2; i <= 63; ++i) {
    EXPECT_EQ(ok(store_.add_group(kAlice, "g" + std::to_string(i), "", delta++)).added_groups[0].id,
              i);
  }
  EXPECT_EQ(refusal(store_.add_group(kAlice, "one too many", "", delta)), ContactRefusal::limit);
  ok(store_.delete_group(kAlice, 10, delta++));
  EXPECT_EQ(ok(store_.add_group(kAlice, "ten again", "", delta++)).added_groups[0].id, 10);
  EXPECT_EQ(store_.list(kAlice).groups.size(), 63u);
}

TEST_F(ContactStoreTest, SetContactChecksGroupsUriAndLimits) {
  EXPECT_EQ(refusal(store_.set_contact(kAlice, contact("bob@example.com", {5}), 1)),
            ContactRefusal::no_such_group);
  EXPECT_EQ(refusal(store_.set_contact(kAlice, contact("no-at-sign"), 1)), ContactRefusal::invalid);
  EXPECT_EQ(refusal(store_.set_contact(kAlice, contact("sip:@example.com"), 1)),
            ContactRefusal::invalid);
  EXPECT_EQ(refusal(store_.set_contact(kAlice, contact("a b@example.com"), 1)),
            ContactRefusal::invalid);
  EXPECT_EQ(refusal(store_.set_contact(kAlice, contact("bob@example.com", {}, std::string(257, 'n')),
                                       1)),
            ContactRefusal::limit);
  Contact ext = contact("bob@example.com");
  ext.extension = std::string(1025, 'x');
  EXPECT_EQ(refusal(store_.set_contact(kAlice, ext, 1)), ContactRefusal::limit);
  EXPECT_EQ(store_.list(kAlice).delta_num, 1);

  ContactLimits small;
  small.max_contacts = 2;
  SqliteContactStore limited(db_, small);
  ok(limited.set_contact(kAlice, contact("a@example.com"), std::nullopt));
  ok(limited.set_contact(kAlice, contact("b@example.com"), std::nullopt));
  EXPECT_EQ(refusal(limited.set_contact(kAlice, contact("c@example.com"), std::nullopt)),
            ContactRefusal::limit);
  // Updating an existing contact is still allowed at the limit.
  ok(limited.set_contact(kAlice, contact("a@example.com", {}, "A"), std::nullopt));
}

TEST_F(ContactStoreTest, GroupsAreSortedAndDeduplicated) {
  ok(store_.add_group(kAlice, "Team", "", std::nullopt));
  ok(store_.set_contact(kAlice, contact("bob@example.com", {2, 1, 2}), std::nullopt));
  EXPECT_EQ(store_.list(kAlice).contacts[0].groups, (std::vector<std::int64_t>{1, 2}));
}

TEST_F(ContactStoreTest, DeleteContact) {
  ok(store_.set_contact(kAlice, contact("bob@example.com"), std::nullopt));
  const ContactDelta& d = ok(store_.delete_contact(kAlice, "sip:bob@EXAMPLE.com", 2));
  EXPECT_EQ(d.deleted_contacts, std::vector<std::string>{"bob@example.com"});
  EXPECT_EQ(d.delta_num, 3);
  EXPECT_EQ(refusal(store_.delete_contact(kAlice, "bob@example.com", 3)),
            ContactRefusal::no_such_contact);
  EXPECT_TRUE(store_.list(kAlice).contacts.empty());
  EXPECT_EQ(store_.list(kAlice).delta_num, 3);
}

TEST_F(ContactStoreTest, ExtensionAndExternalUriRoundTrip) {
  Contact c = contact("bob@example.com");
  c.external_uri = "ldap://dir/bob";
  c.extension = "<contactSettings contactId=\"x\"><tag/></contactSettings>";
  ok(store_.set_contact(kAlice, c, std::nullopt));
  ContactList l = store_.list(kAlice);
  ASSERT_EQ(l.contacts.size(), 1u);
  c.groups = {1};
  EXPECT_EQ(l.contacts[0], c);
}

TEST_F(ContactStoreTest, AclHasItsOwnDelta) {
  EXPECT_EQ(store_.acl(kAlice).delta_num, 1);
  EXPECT_EQ(std::get<std::int64_t>(store_.set_ace(kAlice, {"USER", "sip:bob@example.com", "AA"}, 1)),
            2);
  EXPECT_EQ(std::get<std::int64_t>(store_.set_ace(kAlice, {"user", "sip:bob@example.com", "BD"}, 2)),
            3);
  EXPECT_EQ(refusal(store_.set_ace(kAlice, {"USER", "sip:carol@example.com", "AA"}, 1)),
            ContactRefusal::stale_delta);
  EXPECT_EQ(refusal(store_.set_ace(kAlice, {"GROUP", "x", "AA"}, 3)), ContactRefusal::invalid);
  EXPECT_EQ(refusal(store_.set_ace(kAlice, {"USER", "x", "A"}, 3)), ContactRefusal::invalid);
  AccessControlList acl = store_.acl(kAlice);
  EXPECT_EQ(acl.delta_num, 3);
  ASSERT_EQ(acl.entries.size(), 1u);
  EXPECT_EQ(acl.entries[0], (AccessControlEntry{"USER", "sip:bob@example.com", "BD"}));
  // The contact list's deltaNum did not move.
  EXPECT_EQ(store_.list(kAlice).delta_num, 1);
}

TEST_F(ContactStoreTest, ConcurrentChangesAreSerialized) {
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = store_.set_contact(
            kAlice, contact("u" + std::to_string(t) + "x" + std::to_string(i) + "@example.com"),
            std::nullopt);
        EXPECT_TRUE(std::holds_alternative<ContactDelta>(r));
        store_.list(kAlice);
      }
    });
  }
  for (auto& th : threads) th.join();
  ContactList l = store_.list(kAlice);
  EXPECT_EQ(l.contacts.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(l.delta_num, 1 + kThreads * kEach);
}

TEST(ContactStoreMemory, WorksOnAnInMemoryDatabase) {
  SqliteContactStore store(std::make_shared<SqliteDatabase>(":memory:"));
  ok(store.set_contact("a@b.c", contact("x@y.z"), 1));
  EXPECT_EQ(store.list("a@b.c").contacts.size(), 1u);
}

TEST(NormalizeContactUri, Forms) {
  EXPECT_EQ(normalize_contact_uri("sip:Bob@Example.COM"), "Bob@example.com");
  EXPECT_EQ(normalize_contact_uri("SIP:bob@example.com"), "bob@example.com");
  EXPECT_EQ(normalize_contact_uri("bob@example.com"), "bob@example.com");
  EXPECT_FALSE(normalize_contact_uri("").has_value());
  EXPECT_FALSE(normalize_contact_uri("sip:").has_value());
  EXPECT_FALSE(normalize_contact_uri("bob@").has_value());
  EXPECT_FALSE(normalize_contact_uri("<sip:bob@example.com>").has_value());
  EXPECT_FALSE(normalize_contact_uri("bob@exa\nmple.com").has_value());
}

}  // namespace
}  // namespace parley::store
