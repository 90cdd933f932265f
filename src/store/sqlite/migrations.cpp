#include "store/sqlite/migrations.hpp"

#include <array>

namespace parley::store {
namespace {

constexpr std::array kMigrations = {
    Migration{1, "users of the local domains (store/user_store.hpp)", R"sql(
      CREATE TABLE users (
        id           INTEGER PRIMARY KEY,
        username     TEXT NOT NULL,             -- user part of the AOR, case-sensitive
        domain       TEXT NOT NULL,             -- lower-case; also the Digest realm
        display_name TEXT NOT NULL DEFAULT '',
        ha1_md5      TEXT NOT NULL,             -- hex MD5(username:realm:password)
        ha1_sha256   TEXT NOT NULL,             -- hex SHA-256(username:realm:password)
        created_at   INTEGER NOT NULL,          -- Unix time, seconds
        UNIQUE (username, domain)
      );
    )sql"},
    Migration{2, "NT hashes for NTLM ([MS-SIPAE] NTLM, store/user_store.hpp)", R"sql(
      -- hex MD4(UTF-16LE(password)), [MS-NLMP] 3.3.1 NTOWFv1; '' when unknown
      -- (users created before this migration: set again with `parley user passwd`)
      ALTER TABLE users ADD COLUMN nt_hash TEXT NOT NULL DEFAULT '';
    )sql"},
    Migration{3, "server-stored contact lists and ACLs (store/contact_store.hpp)", R"sql(
      CREATE TABLE contact_lists (
        id            INTEGER PRIMARY KEY,
        aor           TEXT NOT NULL UNIQUE,      -- user@domain, domain lower-case
        delta_num     INTEGER NOT NULL,          -- [MS-SIP] 3.7.1 contact list version, >= 1
        acl_delta_num INTEGER NOT NULL           -- the ACL's own version, >= 1
      );
      CREATE TABLE contact_groups (
        list_id      INTEGER NOT NULL REFERENCES contact_lists (id) ON DELETE CASCADE,
        group_id     INTEGER NOT NULL,           -- 1..63; 1 is the default group "~"
        name         TEXT NOT NULL,
        external_uri TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (list_id, group_id)
      ) WITHOUT ROWID;
      CREATE TABLE contacts (
        list_id      INTEGER NOT NULL REFERENCES contact_lists (id) ON DELETE CASCADE,
        uri          TEXT NOT NULL,              -- user@host, no scheme, host lower-case
        name         TEXT NOT NULL DEFAULT '',
        group_ids    TEXT NOT NULL,              -- ascending, space-separated
        subscribed   INTEGER NOT NULL DEFAULT 1,
        external_uri TEXT NOT NULL DEFAULT '',
        extension    TEXT NOT NULL DEFAULT '',   -- inner XML of <contactExtension>
        PRIMARY KEY (list_id, uri)
      ) WITHOUT ROWID;
      CREATE TABLE contact_aces (
        list_id INTEGER NOT NULL REFERENCES contact_lists (id) ON DELETE CASCADE,
        type    TEXT NOT NULL,                   -- USER, DOMAIN, ALL
        mask    TEXT NOT NULL,
        rights  TEXT NOT NULL,                   -- e.g. AA, BD
        PRIMARY KEY (list_id, type, mask)
      ) WITHOUT ROWID;
    )sql"},
    Migration{4, "call detail records of 1:1 IM sessions (store/im_session_store.hpp)", R"sql(
      CREATE TABLE im_sessions (
        id           INTEGER PRIMARY KEY,
        call_id      TEXT NOT NULL,
        caller       TEXT NOT NULL,             -- AOR
        callee       TEXT NOT NULL,             -- AOR
        started_at   INTEGER NOT NULL,          -- Unix time, seconds
        ended_at     INTEGER NOT NULL,          -- Unix time, seconds
        messages     INTEGER NOT NULL,
        ended_by_bye INTEGER NOT NULL           -- 0: closed after being idle
      );
    )sql"},
    Migration{5, "presence: static categories and containers (store/presence_store.hpp)", R"sql(
      -- [MS-PRES] publications with expireType "static" or "user"
      CREATE TABLE presence_categories (
        aor          TEXT NOT NULL,             -- user@domain, domain lower-case
        name         TEXT NOT NULL,
        container    INTEGER NOT NULL,
        instance     INTEGER NOT NULL,
        version      INTEGER NOT NULL,
        publish_time TEXT NOT NULL DEFAULT '',  -- as published
        expire_type  TEXT NOT NULL,             -- static, user
        payload      TEXT NOT NULL,             -- the category's XML, verbatim
        PRIMARY KEY (aor, name, container, instance)
      ) WITHOUT ROWID;
      -- users whose containers were saved (possibly none): no row = defaults
      CREATE TABLE presence_container_sets (
        aor TEXT PRIMARY KEY                    -- user@domain, domain lower-case
      ) WITHOUT ROWID;
      CREATE TABLE presence_containers (
        aor     TEXT NOT NULL,
        id      INTEGER NOT NULL,               -- 100, 200, 300, 400, 32000, ...
        version INTEGER NOT NULL,
        PRIMARY KEY (aor, id)
      ) WITHOUT ROWID;
      CREATE TABLE presence_container_members (
        aor          TEXT NOT NULL,
        container_id INTEGER NOT NULL,
        type         TEXT NOT NULL,             -- user, domain, sameEnterprise, ...
        value        TEXT NOT NULL DEFAULT '',  -- '' for types without one
        PRIMARY KEY (aor, container_id, type, value),
        FOREIGN KEY (aor, container_id) REFERENCES presence_containers (aor, id)
          ON DELETE CASCADE
      ) WITHOUT ROWID;
    )sql"},
    Migration{6, "conferences and their records (store/conference_store.hpp)", R"sql(
      -- [MS-CONFBAS] conferences that exist, until deleted, ended or expired
      CREATE TABLE conferences (
        id               TEXT PRIMARY KEY,          -- [MS-CONFPRO] 2.2.1.2 conference-id
        organizer        TEXT NOT NULL,             -- user@domain, domain lower-case
        subject          TEXT NOT NULL DEFAULT '',
        created_at       INTEGER NOT NULL,          -- Unix time, seconds
        expires_at       INTEGER NOT NULL,          -- Unix time, seconds; 0 = never
        locked           INTEGER NOT NULL,          -- 0 or 1
        admission_policy TEXT NOT NULL DEFAULT ''   -- openAuthenticated, ...
      ) WITHOUT ROWID;
      CREATE INDEX conferences_by_organizer ON conferences (organizer);
      CREATE INDEX conferences_by_expiry ON conferences (expires_at) WHERE expires_at > 0;
      -- finished conferences; a conference id used again gets another record
      CREATE TABLE conference_records (
        record_id  INTEGER PRIMARY KEY,
        id         TEXT NOT NULL,                   -- the conference id
        organizer  TEXT NOT NULL,                   -- user@domain, domain lower-case
        started_at INTEGER NOT NULL,                -- Unix time, milliseconds
        ended_at   INTEGER NOT NULL,                -- Unix time, milliseconds
        messages   INTEGER NOT NULL
      );
      CREATE INDEX conference_records_by_end ON conference_records (ended_at, record_id);
      CREATE TABLE conference_record_participants (
        record_id INTEGER NOT NULL REFERENCES conference_records (record_id) ON DELETE CASCADE,
        position  INTEGER NOT NULL,                 -- 0, 1, ...: the order given
        aor       TEXT NOT NULL,                    -- user@domain, domain lower-case
        joined_at INTEGER NOT NULL,                 -- Unix time, milliseconds
        left_at   INTEGER NOT NULL,                 -- Unix time, milliseconds
        PRIMARY KEY (record_id, position)
      ) WITHOUT ROWID;
    )sql"},
};

}  // namespace

std::span<const Migration> schema_migrations() { return kMigrations; }

}  // namespace parley::store
