#include "store/sqlite/sqlite_user_store.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "support/temp_dir.hpp"

namespace parley::store {
namespace {

User alice() {
  User u;
  u.username = "alice";
  u.domain = "Parley.Test";
  u.display_name = "Alice A.";
  u.ha1_md5 = std::string(32, 'a');
  u.ha1_sha256 = std::string(64, 'b');
  u.nt_hash = std::string(32, 'e');
  return u;
}

class UserStoreTest : public ::testing::Test {
 protected:
  test::TempDir tmp_;
  std::shared_ptr<SqliteDatabase> db_ = std::make_shared<SqliteDatabase>(tmp_.path() / "parley.db");
  SqliteUserStore users_{db_};
};

TEST_F(UserStoreTest, AddFindWithDomainInAnyCase) {
  ASSERT_TRUE(users_.add(alice()));
  auto u = users_.find("alice", "PARLEY.TEST");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->username, "alice");
  EXPECT_EQ(u->domain, "parley.test");  // stored lower-case
  EXPECT_EQ(u->display_name, "Alice A.");
  EXPECT_EQ(u->ha1_md5, std::string(32, 'a'));
  EXPECT_EQ(u->ha1_sha256, std::string(64, 'b'));
  EXPECT_EQ(u->nt_hash, std::string(32, 'e'));
  EXPECT_EQ(u->aor(), "alice@parley.test");
  // The user part is case-sensitive.
  EXPECT_FALSE(users_.find("Alice", "parley.test").has_value());
  EXPECT_FALSE(users_.find("alice", "other.test").has_value());
}

TEST_F(UserStoreTest, DuplicateAorIsRejected) {
  ASSERT_TRUE(users_.add(alice()));
  User again = alice();
  again.domain = "parley.test";
  EXPECT_FALSE(users_.add(again));
  User other = alice();
  other.domain = "example.org";
  EXPECT_TRUE(users_.add(other));
  EXPECT_EQ(users_.list().size(), 2u);
}

TEST_F(UserStoreTest, AddAllIsAllOrNothing) {
  std::vector<User> batch;
  for (int i = 0; i < 500; ++i) {
    User u = alice();
    u.username = "user" + std::to_string(i);
    batch.push_back(u);
  }
  EXPECT_EQ(users_.add_all(batch), std::nullopt);
  EXPECT_EQ(users_.list().size(), 500u);
  ASSERT_TRUE(users_.find("user499", "parley.test").has_value());

  // A second batch whose third entry exists already: nothing of it is added.
  std::vector<User> second{alice(), alice(), batch[7], alice()};
  second[0].username = "new0";
  second[1].username = "new1";
  second[3].username = "new3";
  EXPECT_EQ(users_.add_all(second), std::optional<std::size_t>(2));
  EXPECT_FALSE(users_.find("new0", "parley.test").has_value());
  EXPECT_EQ(users_.list().size(), 500u);

  // A repeat inside the batch is a conflict too; the store stays usable afterwards.
  std::vector<User> repeat{alice(), alice()};
  EXPECT_EQ(users_.add_all(repeat), std::optional<std::size_t>(1));
  EXPECT_FALSE(users_.find("alice", "parley.test").has_value());
  EXPECT_TRUE(users_.add(alice()));
  EXPECT_EQ(users_.add_all({}), std::nullopt);
}

TEST_F(UserStoreTest, SetCredentials) {
  ASSERT_TRUE(users_.add(alice()));
  EXPECT_TRUE(users_.set_credentials("alice", "parley.TEST", std::string(32, 'c'),
                                     std::string(64, 'd'), std::string(32, 'f')));
  auto u = users_.find("alice", "parley.test");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->ha1_md5, std::string(32, 'c'));
  EXPECT_EQ(u->ha1_sha256, std::string(64, 'd'));
  EXPECT_EQ(u->nt_hash, std::string(32, 'f'));
  EXPECT_EQ(u->display_name, "Alice A.");
  // An empty NT hash clears it (the user then cannot use NTLM).
  EXPECT_TRUE(users_.set_credentials("alice", "parley.test", std::string(32, 'c'),
                                     std::string(64, 'd'), ""));
  EXPECT_EQ(users_.find("alice", "parley.test")->nt_hash, "");
  EXPECT_FALSE(users_.set_credentials("bob", "parley.test", "x", "y", "z"));
}

TEST_F(UserStoreTest, NtHashIsOptionalAndListed) {
  User bob = alice();
  bob.username = "bob";
  bob.nt_hash.clear();
  ASSERT_TRUE(users_.add(alice()));
  ASSERT_TRUE(users_.add_all(std::vector<User>{bob}) == std::nullopt);
  EXPECT_EQ(users_.find("bob", "parley.test")->nt_hash, "");
  auto all = users_.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].nt_hash, std::string(32, 'e'));  // alice
  EXPECT_EQ(all[1].nt_hash, "");                    // bob
}

// Migration 2 adds users.nt_hash to a database made by a version-1 server: the
// users it has keep their Digest credentials and get an empty NT hash.
TEST(UserStoreMigration, Version1DatabaseGetsAnEmptyNtHash) {
  test::TempDir tmp;
  const auto file = tmp.path() / "old.db";
  {
    SqliteDatabase v1(file, schema_migrations().first(1));
    ASSERT_EQ(v1.schema_version(), 1);
    v1.with([](SqliteConnection& c) {
      c.exec(
          "INSERT INTO users (username, domain, display_name, ha1_md5, ha1_sha256, created_at) "
          "VALUES ('alice', 'parley.test', 'Alice', '" +
          std::string(32, 'a') + "', '" + std::string(64, 'b') + "', 0)");
    });
  }
  auto db = std::make_shared<SqliteDatabase>(file);
  EXPECT_EQ(db->schema_version(), static_cast<std::int64_t>(schema_migrations().size()));
  SqliteUserStore users(db);
  auto u = users.find("alice", "parley.test");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->ha1_md5, std::string(32, 'a'));
  EXPECT_EQ(u->nt_hash, "");
  ASSERT_TRUE(users.set_credentials("alice", "parley.test", u->ha1_md5, u->ha1_sha256,
                                    std::string(32, '0')));
  EXPECT_EQ(users.find("alice", "parley.test")->nt_hash, std::string(32, '0'));
}

TEST_F(UserStoreTest, RemoveAndList) {
  User bob = alice();
  bob.username = "bob";
  User carol = alice();
  carol.username = "carol";
  carol.domain = "a.example";
  ASSERT_TRUE(users_.add(bob));
  ASSERT_TRUE(users_.add(alice()));
  ASSERT_TRUE(users_.add(carol));

  auto all = users_.list();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].aor(), "carol@a.example");
  EXPECT_EQ(all[1].aor(), "alice@parley.test");
  EXPECT_EQ(all[2].aor(), "bob@parley.test");

  EXPECT_TRUE(users_.remove("bob", "Parley.Test"));
  EXPECT_FALSE(users_.remove("bob", "parley.test"));
  EXPECT_EQ(users_.list().size(), 2u);
}

TEST_F(UserStoreTest, PersistsAcrossReopen) {
  ASSERT_TRUE(users_.add(alice()));
  SqliteUserStore again(std::make_shared<SqliteDatabase>(tmp_.path() / "parley.db"));
  EXPECT_TRUE(again.find("alice", "parley.test").has_value());
}

// find() reads on pooled connections with kept statements: it must still see
// every change committed since, by this store or by another process's
// connection (`parley user add` beside a running server).
TEST_F(UserStoreTest, FindSeesChangesCommittedElsewhere) {
  EXPECT_FALSE(users_.find("alice", "parley.test").has_value());  // reader and statement kept
  SqliteUserStore cli(std::make_shared<SqliteDatabase>(tmp_.path() / "parley.db"));
  ASSERT_TRUE(cli.add(alice()));
  auto u = users_.find("alice", "parley.test");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->ha1_md5, std::string(32, 'a'));
  ASSERT_TRUE(cli.set_credentials("alice", "parley.test", std::string(32, 'c'),
                                  std::string(64, 'd'), std::string(32, 'f')));
  EXPECT_EQ(users_.find("alice", "parley.test")->ha1_md5, std::string(32, 'c'));
  ASSERT_TRUE(cli.remove("alice", "parley.test"));
  EXPECT_FALSE(users_.find("alice", "parley.test").has_value());
}

TEST(UserStoreInMemory, FindUsesTheOneConnection) {
  SqliteUserStore users(std::make_shared<SqliteDatabase>(":memory:"));
  ASSERT_TRUE(users.add(alice()));
  EXPECT_TRUE(users.find("alice", "parley.test").has_value());
  EXPECT_FALSE(users.find("bob", "parley.test").has_value());
}

TEST_F(UserStoreTest, SafeFromManyThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        User u = alice();
        u.username = "u" + std::to_string(t) + "_" + std::to_string(i);
        EXPECT_TRUE(users_.add(u));
        EXPECT_TRUE(users_.find(u.username, u.domain).has_value());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(users_.list().size(), static_cast<std::size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace parley::store
