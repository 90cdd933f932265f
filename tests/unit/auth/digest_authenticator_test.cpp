#include "sip/auth/digest_authenticator.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "base/timer.hpp"
#include "sip/auth/auth_params.hpp"

namespace parley::sip::auth {
namespace {

using namespace std::chrono_literals;

constexpr const char* kRealm = "parley.test";

// A user agent computing credentials the way RFC 7616 3.4 tells it to.
struct Client {
  std::string username = "alice";
  std::string password = "wonderland";
  std::string cnonce = "0a4f113b";
  Algorithm algorithm = Algorithm::Sha256;
  bool send_qop = true;
  bool send_opaque = true;

  DigestCredentials answer(const std::string& challenge, std::uint32_t nc,
                           std::string_view method = "REGISTER",
                           std::string_view uri = "sip:parley.test") const {
    auto params = parse_auth_params(challenge);
    EXPECT_TRUE(params.has_value()) << challenge;
    DigestCredentials c;
    c.username = username;
    c.realm = params->find("realm")->value;
    c.nonce = params->find("nonce")->value;
    c.uri = std::string(uri);
    c.algorithm = std::string(algorithm_name(algorithm));
    if (send_opaque) {
      c.opaque = params->find("opaque")->value;
      c.has_opaque = true;
    }
    if (send_qop) {
      c.qop = "auth";
      c.cnonce = cnonce;
      char buf[9];
      std::snprintf(buf, sizeof buf, "%08x", nc);
      c.nc = buf;
      c.nonce_count = nc;
    }
    std::string ha1 = digest_ha1(algorithm, username, c.realm, password);
    c.response = digest_response(algorithm, ha1, c.nonce, c.nc, c.cnonce, c.qop,
                                 digest_ha2(algorithm, method, c.uri));
    return c;
  }
};

class DigestAuthenticatorTest : public ::testing::Test {
 protected:
  DigestAuthenticatorTest() { users_[{"alice", kRealm}] = "wonderland"; }

  DigestAuthenticator make(DigestOptions options = {}) {
    return DigestAuthenticator(std::move(options), [this] { return timers_.now(); });
  }

  Ha1Lookup lookup() {
    return [this](std::string_view user, std::string_view realm,
                  Algorithm a) -> std::optional<std::string> {
      ++lookups_;
      auto it = users_.find({std::string(user), std::string(realm)});
      if (it == users_.end()) return std::nullopt;
      return digest_ha1(a, user, realm, it->second);
    };
  }

  // The challenge value for `algorithm` among those offered.
  static std::string offer_for(const std::vector<std::string>& values, Algorithm a) {
    for (const auto& v : values) {
      if (parse_auth_params(v)->find("algorithm")->value == algorithm_name(a)) return v;
    }
    ADD_FAILURE() << "algorithm not offered";
    return {};
  }

  base::FakeTimerService timers_;
  std::map<std::pair<std::string, std::string>, std::string> users_;
  int lookups_ = 0;
};

TEST_F(DigestAuthenticatorTest, ChallengeOffersSha256ThenMd5) {
  auto auth = make();
  std::vector<std::string> values = auth.challenge(kRealm);
  ASSERT_EQ(values.size(), 2u);
  auto sha = parse_auth_params(values[0]);
  auto md5 = parse_auth_params(values[1]);
  ASSERT_TRUE(sha && md5);
  EXPECT_TRUE(sha->is("Digest"));
  EXPECT_EQ(sha->find("realm")->value, kRealm);
  EXPECT_EQ(sha->find("qop")->value, "auth");
  EXPECT_TRUE(sha->find("qop")->quoted);
  EXPECT_EQ(sha->find("algorithm")->value, "SHA-256");
  EXPECT_EQ(md5->find("algorithm")->value, "MD5");
  EXPECT_EQ(sha->find("nonce")->value, md5->find("nonce")->value);
  EXPECT_EQ(sha->find("nonce")->value.size(), NonceCodec::kNonceLength);
  EXPECT_FALSE(sha->find("opaque")->value.empty());
  EXPECT_EQ(sha->find("stale"), nullptr);
  EXPECT_EQ(values[0].rfind("Digest realm=\"parley.test\", qop=\"auth\", algorithm=SHA-256, nonce=\"", 0), 0u)
      << values[0];

  auto stale = auth.challenge(kRealm, true);
  EXPECT_EQ(parse_auth_params(stale[0])->find("stale")->value, "true");
  EXPECT_EQ(parse_auth_params(stale[1])->find("stale")->value, "true");
  EXPECT_NE(parse_auth_params(stale[0])->find("nonce")->value, sha->find("nonce")->value);
}

TEST_F(DigestAuthenticatorTest, ChallengeQuotesRealmAndFollowsOptions) {
  DigestOptions o;
  o.algorithms = {Algorithm::Md5};
  auto auth = make(o);
  auto values = auth.challenge("we\"ird");
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(parse_auth_params(values[0])->find("realm")->value, "we\"ird");
  EXPECT_EQ(parse_auth_params(values[0])->find("algorithm")->value, "MD5");
}

TEST_F(DigestAuthenticatorTest, CorrectPasswordSha256AndMd5) {
  auto auth = make();
  for (Algorithm a : {Algorithm::Sha256, Algorithm::Md5}) {
    Client client;
    client.algorithm = a;
    auto values = auth.challenge(kRealm);
    VerifyResult r = auth.verify(client.answer(offer_for(values, a), 1), "REGISTER", kRealm, lookup());
    EXPECT_EQ(r.status, VerifyStatus::Ok) << algorithm_name(a) << ": " << r.reason;
    EXPECT_EQ(r.username, "alice");
    EXPECT_EQ(r.algorithm, a);
    EXPECT_FALSE(r.stale());
  }
}

TEST_F(DigestAuthenticatorTest, AuthenticationInfoCarriesRspauth) {
  auto auth = make();
  Client client;
  DigestCredentials c = client.answer(auth.challenge(kRealm)[0], 1);
  VerifyResult r = auth.verify(c, "REGISTER", kRealm, lookup());
  ASSERT_TRUE(r.ok()) << r.reason;
  // RFC 7616 3.5: rspauth is the response computed with an empty method.
  std::string ha1 = digest_ha1(Algorithm::Sha256, "alice", kRealm, "wonderland");
  std::string rspauth = digest_response(Algorithm::Sha256, ha1, c.nonce, "00000001", "0a4f113b",
                                        "auth", digest_ha2(Algorithm::Sha256, "", c.uri));
  EXPECT_EQ(r.authentication_info,
            "qop=auth, rspauth=\"" + rspauth + "\", cnonce=\"0a4f113b\", nc=00000001");
}

TEST_F(DigestAuthenticatorTest, WrongPasswordIsBadResponse) {
  auto auth = make();
  Client client;
  client.password = "guess";
  VerifyResult r = auth.verify(client.answer(auth.challenge(kRealm)[0], 1), "REGISTER", kRealm, lookup());
  EXPECT_EQ(r.status, VerifyStatus::BadResponse);
  EXPECT_EQ(r.username, "alice");
  EXPECT_TRUE(r.authentication_info.empty());
}

TEST_F(DigestAuthenticatorTest, UnknownUserIsReportedSeparatelyButStillHashed) {
  auto auth = make();
  Client client;
  client.username = "mallory";
  VerifyResult r = auth.verify(client.answer(auth.challenge(kRealm)[0], 1), "REGISTER", kRealm, lookup());
  EXPECT_EQ(r.status, VerifyStatus::UnknownUser);
  EXPECT_EQ(r.username, "mallory");
  EXPECT_EQ(lookups_, 1);
}

TEST_F(DigestAuthenticatorTest, UnknownUserNeverMatchesTheDummyHash) {
  auto auth = make();
  auto challenge = auth.challenge(kRealm)[0];
  auto params = parse_auth_params(challenge);
  DigestCredentials c = Client{}.answer(challenge, 1);
  c.username = "nobody";
  // A response computed from the all-zero dummy HA1 must not get in.
  std::string dummy(64, '0');
  c.response = digest_response(Algorithm::Sha256, dummy, c.nonce, c.nc, c.cnonce, c.qop,
                               digest_ha2(Algorithm::Sha256, "REGISTER", c.uri));
  EXPECT_EQ(auth.verify(c, "REGISTER", kRealm, lookup()).status, VerifyStatus::UnknownUser);
}

TEST_F(DigestAuthenticatorTest, MalformedStoredHa1IsNotUsable) {
  auto auth = make();
  Ha1Lookup broken = [](std::string_view, std::string_view, Algorithm) {
    return std::optional<std::string>("not-a-hash");
  };
  VerifyResult r = auth.verify(Client{}.answer(auth.challenge(kRealm)[0], 1), "REGISTER", kRealm, broken);
  EXPECT_EQ(r.status, VerifyStatus::UnknownUser);
  EXPECT_EQ(r.reason, "stored HA1 malformed");
}

TEST_F(DigestAuthenticatorTest, UppercaseHexIsAccepted) {
  auto auth = make();
  DigestCredentials c = Client{}.answer(auth.challenge(kRealm)[0], 1);
  for (char& ch : c.response) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  Ha1Lookup upper = [](std::string_view u, std::string_view r, Algorithm a) {
    std::string h = digest_ha1(a, u, r, "wonderland");
    for (char& ch : h) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return std::optional<std::string>(h);
  };
  EXPECT_EQ(auth.verify(c, "REGISTER", kRealm, upper).status, VerifyStatus::Ok);
}

TEST_F(DigestAuthenticatorTest, WrongRealm) {
  auto auth = make();
  DigestCredentials c = Client{}.answer(auth.challenge(kRealm)[0], 1);
  EXPECT_EQ(auth.verify(c, "REGISTER", "other.test", lookup()).status, VerifyStatus::WrongRealm);
  // Realms are echoed, so case matters (HA1 depends on the exact string).
  EXPECT_EQ(auth.verify(c, "REGISTER", "Parley.Test", lookup()).status, VerifyStatus::WrongRealm);
  EXPECT_EQ(lookups_, 0);
}

TEST_F(DigestAuthenticatorTest, MethodAndUriAreBoundIntoTheResponse) {
  auto auth = make();
  DigestCredentials c = Client{}.answer(auth.challenge(kRealm)[0], 1, "REGISTER");
  EXPECT_EQ(auth.verify(c, "INVITE", kRealm, lookup()).status, VerifyStatus::BadResponse);
  c.uri = "sip:other.test";
  EXPECT_EQ(auth.verify(c, "REGISTER", kRealm, lookup()).status, VerifyStatus::BadResponse);
}

TEST_F(DigestAuthenticatorTest, NonceExpiresOnTheClockAndGivesStale) {
  auto auth = make();  // 300 s lifetime
  Client client;
  auto challenge = auth.challenge(kRealm)[0];
  timers_.advance(299s);
  EXPECT_EQ(auth.verify(client.answer(challenge, 1), "REGISTER", kRealm, lookup()).status,
            VerifyStatus::Ok);
  timers_.advance(1s);
  EXPECT_EQ(auth.verify(client.answer(challenge, 2), "REGISTER", kRealm, lookup()).status,
            VerifyStatus::Ok);  // exactly the lifetime: still valid
  timers_.advance(1ms);
  VerifyResult r = auth.verify(client.answer(challenge, 3), "REGISTER", kRealm, lookup());
  EXPECT_EQ(r.status, VerifyStatus::StaleNonce);
  EXPECT_TRUE(r.stale());
  // stale=true only when the password was right (RFC 7616 3.3).
  Client wrong;
  wrong.password = "nope";
  EXPECT_EQ(auth.verify(wrong.answer(challenge, 4), "REGISTER", kRealm, lookup()).status,
            VerifyStatus::BadResponse);
  // The fresh challenge works.
  EXPECT_EQ(auth.verify(client.answer(auth.challenge(kRealm, true)[0], 1), "REGISTER", kRealm,
                        lookup()).status,
            VerifyStatus::Ok);
}

TEST_F(DigestAuthenticatorTest, ConfigurableLifetime) {
  DigestOptions o;
  o.nonce_lifetime = 30s;
  auto auth = make(o);
  auto challenge = auth.challenge(kRealm)[0];
  timers_.advance(31s);
  EXPECT_EQ(auth.verify(Client{}.answer(challenge, 1), "REGISTER", kRealm, lookup()).status,
            VerifyStatus::StaleNonce);
}

TEST_F(DigestAuthenticatorTest, ForgedOrForeignNonceIsInvalid) {
  auto auth = make();
  Client client;
  auto challenge = auth.challenge(kRealm)[0];

  DigestCredentials c = client.answer(challenge, 1);
  c.nonce[5] = c.nonce[5] == 'x' ? 'y' : 'x';  // tamper, then compute a "valid" response for it
  std::string ha1 = digest_ha1(Algorithm::Sha256, "alice", kRealm, "wonderland");
  c.response = digest_response(Algorithm::Sha256, ha1, c.nonce, c.nc, c.cnonce, c.qop,
                               digest_ha2(Algorithm::Sha256, "REGISTER", c.uri));
  EXPECT_EQ(auth.verify(c, "REGISTER", kRealm, lookup()).status, VerifyStatus::InvalidNonce);

  // A nonce issued by another authenticator (another secret).
  auto other = make();
  EXPECT_EQ(auth.verify(client.answer(other.challenge(kRealm)[0], 1), "REGISTER", kRealm, lookup()).status,
            VerifyStatus::InvalidNonce);

  // A nonce issued for another realm, presented with our realm.
  users_[{"alice", "other.test"}] = "wonderland";
  DigestCredentials moved = client.answer(auth.challenge("other.test")[0], 1);
  moved.realm = kRealm;
  moved.response = digest_response(Algorithm::Sha256, ha1, moved.nonce, moved.nc, moved.cnonce,
                                   moved.qop, digest_ha2(Algorithm::Sha256, "REGISTER", moved.uri));
  EXPECT_EQ(auth.verify(moved, "REGISTER", kRealm, lookup()).status, VerifyStatus::InvalidNonce);

  // A made-up nonce.
  DigestCredentials made_up = client.answer(challenge, 1);
  made_up.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  EXPECT_EQ(auth.verify(made_up, "REGISTER", kRealm, lookup()).status, VerifyStatus::InvalidNonce);

  // None of these reached the user store.
  EXPECT_EQ(lookups_, 0);
}

TEST_F(DigestAuthenticatorTest, OpaqueMustMatchWhenSent) {
  auto auth = make();
  Client client;
  DigestCredentials c = client.answer(auth.challenge(kRealm)[0], 1);
  c.opaque = "something-else";
  EXPECT_EQ(auth.verify(c, "REGISTER", kRealm, lookup()).status, VerifyStatus::InvalidNonce);
  client.send_opaque = false;  // clients that drop opaque are tolerated
  EXPECT_EQ(auth.verify(client.answer(auth.challenge(kRealm)[0], 1), "REGISTER", kRealm, lookup()).status,
            VerifyStatus::Ok);
}

TEST_F(DigestAuthenticatorTest, NonceCountReplayIsRejected) {
  auto auth = make();
  Client client;
  auto challenge = auth.challenge(kRealm)[0];
  EXPECT_EQ(auth.verify(client.answer(challenge, 1), "REGISTER", kRealm, lookup()).status, VerifyStatus::Ok);
  VerifyResult replay = auth.verify(client.answer(challenge, 1), "REGISTER", kRealm, lookup());
  EXPECT_EQ(replay.status, VerifyStatus::Replay);
  EXPECT_TRUE(replay.stale());
  EXPECT_EQ(auth.verify(client.answer(challenge, 2), "REGISTER", kRealm, lookup()).status, VerifyStatus::Ok);
  EXPECT_EQ(auth.verify(client.answer(challenge, 3, "INVITE", "sip:bob@parley.test"), "INVITE", kRealm,
                        lookup()).status,
            VerifyStatus::Ok)
      << "one nonce serves several requests";
  EXPECT_EQ(auth.verify(client.answer(challenge, 2), "REGISTER", kRealm, lookup()).status, VerifyStatus::Replay);
  EXPECT_EQ(auth.tracked_nonces(), 1u);
}

TEST_F(DigestAuthenticatorTest, FailedAttemptsDoNotBurnCounts) {
  auto auth = make();
  Client client;
  Client wrong;
  wrong.password = "nope";
  auto challenge = auth.challenge(kRealm)[0];
  EXPECT_EQ(auth.verify(wrong.answer(challenge, 5), "REGISTER", kRealm, lookup()).status,
            VerifyStatus::BadResponse);
  EXPECT_EQ(auth.tracked_nonces(), 0u);
  EXPECT_EQ(auth.verify(client.answer(challenge, 1), "REGISTER", kRealm, lookup()).status, VerifyStatus::Ok);
}

TEST_F(DigestAuthenticatorTest, WithoutQopIsAcceptedWithoutReplayProtection) {
  auto auth = make();
  Client client;
  client.send_qop = false;
  client.algorithm = Algorithm::Md5;
  auto challenge = offer_for(auth.challenge(kRealm), Algorithm::Md5);
  VerifyResult r = auth.verify(client.answer(challenge, 0), "REGISTER", kRealm, lookup());
  EXPECT_EQ(r.status, VerifyStatus::Ok) << r.reason;
  EXPECT_TRUE(r.authentication_info.empty());
  EXPECT_EQ(auth.verify(client.answer(challenge, 0), "REGISTER", kRealm, lookup()).status, VerifyStatus::Ok);
  EXPECT_EQ(auth.tracked_nonces(), 0u);
}

TEST_F(DigestAuthenticatorTest, AlgorithmAbsentMeansMd5) {
  auto auth = make();
  Client client;
  client.algorithm = Algorithm::Md5;
  DigestCredentials c = client.answer(auth.challenge(kRealm)[1], 1);
  c.algorithm.clear();
  EXPECT_EQ(auth.verify(c, "REGISTER", kRealm, lookup()).status, VerifyStatus::Ok);
}

TEST_F(DigestAuthenticatorTest, MalformedCredentials) {
  DigestOptions md5_only;
  md5_only.algorithms = {Algorithm::Md5};
  auto auth = make();
  auto restricted = make(md5_only);
  Client client;
  auto base = client.answer(auth.challenge(kRealm)[0], 1);

  auto with = [&](auto edit) {
    DigestCredentials c = base;
    edit(c);
    return auth.verify(c, "REGISTER", kRealm, lookup());
  };
  EXPECT_EQ(with([](auto& c) { c.algorithm = "MD5-sess"; }).status, VerifyStatus::Malformed);
  EXPECT_EQ(with([](auto& c) { c.algorithm = "SHA-512-256"; }).status, VerifyStatus::Malformed);
  EXPECT_EQ(with([](auto& c) { c.qop = "auth-int"; }).status, VerifyStatus::Malformed);
  EXPECT_EQ(with([](auto& c) { c.userhash = true; }).status, VerifyStatus::Malformed);
  EXPECT_EQ(with([](auto& c) { c.response = "abc"; }).status, VerifyStatus::Malformed);
  EXPECT_EQ(with([](auto& c) { c.response = std::string(64, 'z'); }).status, VerifyStatus::Malformed);
  // An MD5-length response for SHA-256.
  EXPECT_EQ(with([](auto& c) { c.response = std::string(32, 'a'); }).status, VerifyStatus::Malformed);
  EXPECT_EQ(restricted.verify(base, "REGISTER", kRealm, lookup()).status, VerifyStatus::Malformed);
  EXPECT_EQ(lookups_, 0);
}

TEST_F(DigestAuthenticatorTest, SharedSecretAcceptsEachOthersNonces) {
  DigestOptions o;
  o.secret = "a pool-wide secret of 32 bytes!!";
  auto a = make(o);
  auto b = make(o);
  Client client;
  EXPECT_EQ(b.verify(client.answer(a.challenge(kRealm)[0], 1), "REGISTER", kRealm, lookup()).status,
            VerifyStatus::Ok);
  EXPECT_EQ(a.challenge(kRealm)[0].substr(a.challenge(kRealm)[0].find("opaque")),
            b.challenge(kRealm)[0].substr(b.challenge(kRealm)[0].find("opaque")));
}

TEST_F(DigestAuthenticatorTest, EvictedNonceGetsStaleNotReplay) {
  DigestOptions o;
  o.max_tracked_nonces = 1;
  auto auth = make(o);
  Client client;
  auto first = auth.challenge(kRealm)[0];
  timers_.advance(1ms);
  auto second = auth.challenge(kRealm)[0];
  EXPECT_EQ(auth.verify(client.answer(first, 1), "REGISTER", kRealm, lookup()).status, VerifyStatus::Ok);
  EXPECT_EQ(auth.verify(client.answer(second, 1), "REGISTER", kRealm, lookup()).status, VerifyStatus::Ok);
  EXPECT_EQ(auth.tracked_nonces(), 1u);
  // `first` was evicted; replaying its nc=1 must not get in.
  EXPECT_EQ(auth.verify(client.answer(first, 1), "REGISTER", kRealm, lookup()).status,
            VerifyStatus::StaleNonce);
}

TEST_F(DigestAuthenticatorTest, ExpiredNoncesLeaveTheTable) {
  auto auth = make();
  Client client;
  EXPECT_EQ(auth.verify(client.answer(auth.challenge(kRealm)[0], 1), "REGISTER", kRealm, lookup()).status,
            VerifyStatus::Ok);
  EXPECT_EQ(auth.tracked_nonces(), 1u);
  timers_.advance(301s);
  // Expired entries are dropped from the shard the next nonce lands in; use
  // enough fresh nonces to touch every shard.
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(auth.verify(client.answer(auth.challenge(kRealm)[0], 1), "REGISTER", kRealm, lookup()).status,
              VerifyStatus::Ok);
  }
  EXPECT_EQ(auth.tracked_nonces(), 200u);
}

TEST_F(DigestAuthenticatorTest, ConcurrentVerification) {
  auto auth = make();
  Ha1Lookup ha1 = [](std::string_view u, std::string_view r, Algorithm a) {
    return std::optional<std::string>(digest_ha1(a, u, r, "wonderland"));
  };
  std::atomic<int> ok{0}, replay{0};
  std::vector<std::thread> threads;
  auto shared = auth.challenge(kRealm)[0];
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Client client;
      auto own = auth.challenge(kRealm)[0];
      for (std::uint32_t nc = 1; nc <= 50; ++nc) {
        if (auth.verify(client.answer(own, nc), "REGISTER", kRealm, ha1).ok()) ++ok;
        // Every thread also tries the same nc on one shared nonce: exactly one wins each.
        auto r = auth.verify(client.answer(shared, nc), "REGISTER", kRealm, ha1);
        if (r.ok()) ++ok;
        if (r.status == VerifyStatus::Replay) ++replay;
      }
      (void)t;
    });
  }
  for (auto& th : threads) th.join();
  // 4 x 50 on own nonces; on the shared one, at most 50 can win.
  EXPECT_LE(ok.load(), 200 + 50);
  EXPECT_GE(ok.load(), 200 + 1);
  EXPECT_EQ(ok.load() + replay.load(), 400);
}

TEST(VerifyStatusNames, AreDistinct) {
  EXPECT_EQ(verify_status_name(VerifyStatus::Ok), "ok");
  EXPECT_EQ(verify_status_name(VerifyStatus::UnknownUser), "unknown-user");
  EXPECT_EQ(verify_status_name(VerifyStatus::Replay), "replay");
}

}  // namespace
}  // namespace parley::sip::auth
