#!/usr/bin/env python3
"""A pidgin-sipe user and a baresip user exchange messages through parley (issue 5, item 7).

The two client families speak IM differently: baresip sends pager-mode MESSAGE (RFC 3428),
pidgin-sipe opens a session with an INVITE offering `m=message ... sip null` and sends
MESSAGEs inside it ([MS-SIP]), which baresip cannot answer. So:
  1. carol (baresip, UDP, Digest) -> alice (pidgin-sipe, TLS, NTLM): the MESSAGE is relayed
     to alice's TLS connection, signed there, and pidgin-sipe shows it;
  2. alice -> carol: parley's IM gateway answers alice's INVITE itself (carol has only a
     standard client) and relays each message of the session to carol as a pager-mode
     MESSAGE from alice; carol's baresip shows both of alice's messages, from alice;
  3. baresip's 401 over TLS never offers NTLM (libre refuses a 401 with any scheme but
     Digest), which the baresip test covers; here carol registers over UDP.

Skips (passes, printing SKIPPED) when pidgin-sipe or baresip are missing.
"""

import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import HOST, ParleyServer, check, info, step  # noqa: E402
import sipe_client  # noqa: E402
from baresip_ua import BaresipUA  # noqa: E402
from sipe_client import SipeClient  # noqa: E402

D = harness.DOMAIN
ALICE, ALICE_PW = f"alice@{D}", "Alice-pw-7"
CAROL, CAROL_PW = f"carol@{D}", "Carol-pw-9"


def main() -> None:
    why_not = sipe_client.sipe_unavailable() or (
        "" if shutil.which("baresip") else "baresip is not installed")
    if why_not:
        step("pidgin-sipe <-> baresip")
        info(f"SKIPPED: {why_not}; nothing ran")
        return
    sipe_client.build_all()
    with ParleyServer("sipe-baresip", users={ALICE: ALICE_PW, CAROL: CAROL_PW}) as srv:
        step("carol registers from baresip (UDP, Digest); alice signs in from pidgin-sipe")
        work = harness.make_temp_dir("sipe-baresip-ua")
        account = (f"<sip:{CAROL};transport=udp>;auth_pass={CAROL_PW}"
                   f";outbound=\"sip:{HOST}:{srv.sip_port};transport=udp\";regint=600")
        carol = BaresipUA("carol", work, account, tone_hz=440, contacts=[f"<sip:{ALICE}>"])
        carol.start()
        info(carol.wait_registered(10))
        alice = SipeClient("alice", srv, ALICE, ALICE_PW, transport="tls", auth="ntlm",
                           ca=srv.ca_path, unsafe_debug=True)
        alice.start()
        outcome = alice.wait_for(r"^(SIGNED-IN|CONNECTION-ERROR .*)$", 30).group(1)
        check(outcome == "SIGNED-IN", "alice signs in (NTLM over TLS)", alice.describe())

        step("carol -> alice: a pager-mode MESSAGE reaches pidgin-sipe")
        resp = carol.command("message", "hello alice from carol")
        check(bool(resp.get("ok")), "carol's baresip sends the MESSAGE", str(resp))
        alice.wait_for(rf"^IM sip:{re.escape(CAROL)} hello alice from carol$", 10)
        check(True, "alice's pidgin-sipe shows carol's message, from carol")

        step("alice -> carol: parley's IM gateway relays the session as MESSAGEs")
        alice.send(f"im sip:{CAROL} hello carol from alice")
        peer = carol.wait_message("hello carol from alice", 10)
        check(ALICE in peer, f"carol's baresip shows alice's first message, from {peer}")
        alice.send(f"im sip:{CAROL} and a second one")
        peer = carol.wait_message("and a second one", 10)
        check(ALICE in peer, "and the second message of the same session")
        check(not alice.seen(r"^IM-ERROR "), "pidgin-sipe reported no undelivered message",
              "\n".join(alice.seen(r"^IM-ERROR ")))
        log = srv.log_path.read_text(errors="replace")
        check("IM gateway" in log, "parley's log shows the gateway answering the INVITE")
        alice.close()
        carol.stop()
        srv.check_running()


if __name__ == "__main__":
    harness.run_test(main, deadline=120)
