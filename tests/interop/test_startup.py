#!/usr/bin/env python3
"""The administrator's view of a Standard Edition start: the command line and startup.

Checks, against a real `parley` process:
  1. `parley cert init` creates the private CA and prints the path clients must trust;
  2. `parley user add / list / passwd / remove` manage users, keep only Digest hashes in
     the SQLite database (never the password), and refuse a domain not served here;
  3. `parley serve` prints one line per listener naming the port catalogue's role,
     service, documented port and protocol, with the address it bound;
  4. an OPTIONS to the server itself (sipsak, UDP) gets 200 with Allow;
  5. a changed password takes effect for REGISTER without a restart; a removed user
     gets the same 401 as a wrong password.
"""

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import HOST, ParleyServer, check, info, run_tool, step  # noqa: E402


def sipsak_register(srv: ParleyServer, user: str, password: str) -> harness.ToolResult:
    # sipsak -U: REGISTER with Digest (401, then credentials); exit 0 only on 200.
    return run_tool(["sipsak", "-U", "-C", f"sip:{user}@{HOST}:9", "-a", password, "-u", user,
                     "-p", f"{HOST}:{srv.sip_port}", "-s", f"sip:{user}@{srv.domain}",
                     "-E", "udp", "-i", "-vv"], timeout=15)


def main() -> None:
    harness.require_tool("sipsak")
    srv = ParleyServer("startup", limits={"min_expires": 1})  # sipsak asks for 15 s

    step("parley cert init")
    r = srv.cli("cert", "init")
    check(r.returncode == 0, "cert init exits 0", r.describe())
    check(srv.ca_path.is_file(), "the CA certificate exists", str(srv.ca_path))
    check(str(srv.ca_path) in r.stdout, "cert init prints the CA path to trust", r.describe())

    step("parley user add / list / passwd / remove")
    srv.add_user(f"alice@{srv.domain}", "first-password")
    srv.add_user(f"bob@{srv.domain}", "bob-password")
    r = srv.cli("user", "add", "eve@elsewhere.test", "--password", "x")
    check(r.returncode != 0, "a user of a domain not served here is refused", r.describe())
    r = srv.cli("user", "add", f"alice@{srv.domain}", "--password", "again")
    check(r.returncode != 0, "adding an existing user fails", r.describe())
    r = srv.cli("user", "list")
    check(r.returncode == 0 and f"alice@{srv.domain}" in r.stdout and
          f"bob@{srv.domain}" in r.stdout, "user list shows both users", r.describe())
    db = srv.data_dir / "parley.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT username, ha1_md5, ha1_sha256 FROM users").fetchall()
        dump = "\n".join("|".join(str(c) for c in row) for row in conn.iterdump())
    check(len(rows) == 2, "two rows in the users table", repr(rows))
    check(all(len(r[1]) == 32 and len(r[2]) == 64 for r in rows),
          "each user has an MD5 and a SHA-256 HA1", repr(rows))
    check("first-password" not in dump and "bob-password" not in dump,
          "no password is stored in the database")

    with srv:
        step("startup lines: one per listener, from the port catalogue")
        log = srv.log_path.read_text(errors="replace")
        expected = [
            f"listening: Front End / Front-End service (standard SIP clients) 5060/UDP on "
            f"{HOST}:{srv.sip_port} (frontend.sip-udp)",
            f"listening: Front End / Front-End service 5060/TCP on {HOST}:{srv.sip_port} "
            f"(frontend.sip-tcp)",
            f"listening: Front End / Front-End service 5061/TLS on {HOST}:{srv.tls_port} "
            f"(frontend.sip-tls)",
        ]
        for line in expected:
            check(line in log, f"startup prints '{line}'", harness.tail(srv.log_path, 30))
        check("add a user: parley user add" in log, "startup says how to add a user")

        step("OPTIONS to the server itself")
        # The Request-URI names the domain with no user: the server itself. (sipsak
        # cuts a 5-digit port out of a Request-URI like sip:127.0.0.1:PORT.)
        r = run_tool(["sipsak", "-p", f"{HOST}:{srv.sip_port}", "-s", f"sip:{srv.domain}",
                      "-E", "udp", "-vv"], timeout=10)
        check(r.returncode == 0 and "200 OK" in r.stdout, "OPTIONS gets 200 OK", r.describe())
        check("Allow:" in r.stdout and "INVITE" in r.stdout, "the 200 lists Allow",
              r.describe())

        step("password change and removal take effect without a restart")
        check(sipsak_register(srv, "alice", "first-password").returncode == 0,
              "alice registers with her first password")
        r = srv.cli("user", "passwd", f"alice@{srv.domain}", "--password", "second-password")
        check(r.returncode == 0, "user passwd exits 0", r.describe())
        r = sipsak_register(srv, "alice", "first-password")
        check(r.returncode != 0, "the old password no longer registers", r.describe())
        check(sipsak_register(srv, "alice", "second-password").returncode == 0,
              "the new password registers")
        r = srv.cli("user", "remove", f"bob@{srv.domain}")
        check(r.returncode == 0, "user remove exits 0", r.describe())
        r = sipsak_register(srv, "bob", "bob-password")
        # sipsak exits 2 when its credentials are answered by a second 401.
        check(r.returncode == 2 and "401" in r.output,
              "a removed user is challenged again, like a wrong password", r.describe())
        srv.check_running()
    info("startup and administration behave as documented")


if __name__ == "__main__":
    harness.run_test(main)
