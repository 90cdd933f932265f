#!/usr/bin/env python3
"""Two baresip (1.0) clients register with parley over TLS, exchange IM and make a call.

Checks, in order:
  1. parley created its CA on first start, and its TLS listener presents a chain that
     verifies against <data_dir>/pki/ca.crt for its FQDN (openssl s_client);
  2. alice and bob register over TLS with Digest (baresip's REGISTER_OK event);
  3. SIP MESSAGE alice -> bob and bob -> alice, each delivered through parley;
  4. alice calls sip:bob@parley.test, bob auto-answers, both see the call established;
     3 s of audio flow both ways (alice sends a 1000 Hz tone, bob 700 Hz); alice hangs up
     and the BYE ends the call at bob (CALL_CLOSED on both);
  5. each side's recording of what it received holds the other side's tone (sox).

baresip opens no usable TLS server port (it has no certificate), so everything parley
sends to a client must go over the TLS connection that client registered on.
The same scenario without a server is tests/interop/dev_baresip_direct.py.
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from baresip_ua import BaresipUA, call_with_tones, exchange_messages  # noqa: E402
from harness import HOST, ParleyServer, check, info, run_tool, step  # noqa: E402

PASSWORDS = {"alice": "Alice-pw-3", "bob": "Bob-pw-4"}
TONES = {"alice": 1000, "bob": 700}
REGINT_S = 600


def check_tls_chain(srv: ParleyServer) -> None:
    step("parley's TLS certificate verifies against its CA")
    check(srv.ca_path.is_file(), f"parley created its CA at {srv.ca_path}")
    r = run_tool(["openssl", "s_client", "-connect", f"{HOST}:{srv.tls_port}",
                  "-CAfile", srv.ca_path, "-verify_return_error",
                  "-verify_hostname", "localhost", "-servername", "localhost", "-brief"],
                 timeout=15, input="")
    check(r.returncode == 0 and re.search(r"Verification: OK|Verify return code: 0", r.output),
          "openssl s_client: chain verified against ca.crt, name 'localhost' (the fqdn) "
          "matches", r.describe())


def make_ua(name: str, peer: str, srv: ParleyServer, work: Path) -> BaresipUA:
    account = (f"<sip:{name}@{harness.DOMAIN};transport=tls>"
               f";auth_pass={PASSWORDS[name]}"
               f";outbound=\"sip:{HOST}:{srv.tls_port};transport=tls\""
               f";regint={REGINT_S};answermode=auto;audio_codecs=PCMU")
    return BaresipUA(name, work, account, tone_hz=TONES[name],
                     contacts=[f"<sip:{peer}@{harness.DOMAIN}>"], cafile=srv.ca_path)


def main() -> None:
    harness.require_tool("sox")
    harness.require_tool("openssl")
    users = {f"{n}@{harness.DOMAIN}": p for n, p in PASSWORDS.items()}
    with ParleyServer("baresip", users=users) as srv:
        check_tls_chain(srv)
        work = srv.dir / "baresip"
        alice = make_ua("alice", "bob", srv, work)
        bob = make_ua("bob", "alice", srv, work)

        step("alice and bob register over TLS")
        alice.start()
        bob.start()
        try:
            for ua in (alice, bob):
                status = ua.wait_registered(10)
                check(True, f"{ua.name} is registered: {status}")

            exchange_messages(alice, bob)
            call_with_tones(alice, bob, f"sip:bob@{harness.DOMAIN}")
            srv.check_running()
        finally:
            alice.stop()
            bob.stop()


if __name__ == "__main__":
    harness.run_test(main)
