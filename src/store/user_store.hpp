// Users of the local domains and their credentials.
//
// Only hashes are stored, never the password: the Digest HA1 values (RFC 7616
// 3.4.2: H(username:realm:password)), one per algorithm, the realm being the
// user's domain; and the NT hash that [MS-SIPAE] NTLM verifies against.
// Computing them from a password is the caller's job (app/user_admin.hpp).
// Implementations are thread-safe; calls block (SQLite is local and fast), so the
// message path calls them from a worker and accepts a sub-millisecond stall.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

struct User {
  std::string username;      // user part of the AOR, e.g. "alice"
  std::string domain;        // e.g. "parley.test" (also the Digest realm)
  std::string display_name;  // may be empty
  std::string ha1_md5;       // lower-case hex, 32 chars
  std::string ha1_sha256;    // lower-case hex, 64 chars
  std::string nt_hash;       // lower-case hex, 32 chars, MD4 of UTF-16LE password
                             // ([MS-NLMP] 3.3.1); may be empty
  std::string aor() const { return username + "@" + domain; }
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  // Looks up by username and domain (domain compared case-insensitively).
  virtual std::optional<User> find(std::string_view username, std::string_view domain) = 0;
  // Adds a user; returns false if one with that AOR already exists.
  virtual bool add(const User& user) = 0;
  // Adds all of `users` or none (one transaction): nullopt when all were added, else
  // the index in `users` of the first whose AOR already exists (or repeats an earlier
  // entry). For bulk provisioning: 10,000 users in one call, not 10,000 commits.
  virtual std::optional<std::size_t> add_all(std::span<const User> users) = 0;
  // Replaces the HA1 values and the NT hash (empty: none); returns false if there
  // is no such user.
  virtual bool set_credentials(std::string_view username, std::string_view domain,
                               std::string_view ha1_md5, std::string_view ha1_sha256,
                               std::string_view nt_hash) = 0;
  virtual bool remove(std::string_view username, std::string_view domain) = 0;
  virtual std::vector<User> list() = 0;
};

}  // namespace parley::store
