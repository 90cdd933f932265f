"""The bench users: b000001 ... with passwords pw000001x ..., plus the probe's two users.

Both servers get the same users with the same passwords, stored the same way (Digest HA1,
RFC 7616 3.4.2: H(username:realm:password)):
  * Parley: its SQLite user table (parley_users_db);
  * Kamailio: a db_text table loaded into an htable at start (kamailio_users_db).
SIPp reads them from injection files (write_register_csv, write_calls_csv).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from .common import CACHE, DOMAIN, PROBE_USERS, log


def user_name(i: int) -> str:
    return f"b{i:06d}"


def user_password(i: int) -> str:
    return f"pw{i:06d}x"


def ha1(user: str, realm: str, password: str, algorithm: str = "md5") -> str:
    return hashlib.new(algorithm, f"{user}:{realm}:{password}".encode()).hexdigest()


def all_users(n: int) -> list[tuple[str, str]]:
    """(user, password) of the n bench users and the probe's users."""
    users = [(user_name(i), user_password(i)) for i in range(1, n + 1)]
    return users + [(u, f"{u}-secret") for u in PROBE_USERS]


def write_register_csv(path: Path, n: int) -> None:
    """SIPp injection file for bench_register.xml: user; credentials keyword.

    SIPp 3.6.1 cannot nest [fieldN] inside [authentication ...], but expands an
    [authentication ...] keyword found in a field."""
    lines = ["SEQUENTIAL"]
    for i in range(1, n + 1):
        u, p = user_name(i), user_password(i)
        lines.append(f"{u};[authentication username={u} password={p}];")
    path.write_text("\n".join(lines) + "\n")


def write_calls_csv(path: Path, n: int) -> None:
    """SIPp injection file for the MESSAGE and INVITE UACs: caller; credentials; callee."""
    lines = ["SEQUENTIAL"]
    for i in range(1, n + 1):
        u, p = user_name(i), user_password(i)
        lines.append(f"{u};[authentication username={u} password={p}];{user_name(i % n + 1)};")
    path.write_text("\n".join(lines) + "\n")


def parley_users_db(binary: str, n: int, work: Path) -> Path:
    """A parley.db with the n bench users and the probe's, made by `parley user import`
    (one transaction; about a second for 10,000 users) and cached per binary and count."""
    users = all_users(n)
    key = hashlib.sha256(Path(binary).read_bytes()).hexdigest()[:16]
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"parley-{key}-{n}.db"
    if cached.exists():
        return cached
    d = work / f"parley-users-{n}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    cfg = d / "parley.toml"
    cfg.write_text(f'[server]\ndomains = ["{DOMAIN}"]\ndata_dir = "{d / "data"}"\n')
    listing = d / "users.csv"
    listing.write_text("".join(f"{u}@{DOMAIN},{p}\n" for u, p in users))
    t0 = time.monotonic()
    r = subprocess.run([binary, "user", "import", str(listing), "--config", str(cfg)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"parley user import failed: {r.stdout}{r.stderr}")
    db = d / "data" / "parley.db"
    with sqlite3.connect(db) as c:
        count = c.execute("SELECT count(*) FROM users").fetchone()[0]
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if count != len(users):
        raise RuntimeError(f"{db}: {count} users, expected {len(users)}")
    log(f"  parley users: {count} imported in {time.monotonic() - t0:.1f} s; cached in {cached}")
    tmp = cached.with_suffix(".tmp")
    shutil.copy(db, tmp)
    tmp.rename(cached)
    return cached


def kamailio_users_db(n: int, work: Path) -> Path:
    """A db_text directory with the table bench_users (user -> HA1 MD5) for kamailio.cfg's
    htable `users`, in the htable module's column layout."""
    d = work / f"kamailio-db-{n}"
    if d.exists():
        return d
    d.mkdir(parents=True)
    rows = ["id(int,auto) key_name(string) key_type(int) value_type(int) key_value(string) "
            "expires(int)"]
    for k, (u, p) in enumerate(all_users(n), 1):
        rows.append(f"{k}:{u}:0:0:{ha1(u, DOMAIN, p)}:0")
    (d / "bench_users").write_text("\n".join(rows) + "\n")
    (d / "version").write_text("table_name(string) table_version(int)\nbench_users:2\n")
    return d
