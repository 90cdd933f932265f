#!/usr/bin/env python3
"""Development check, not a ctest test: two baresip instances talk DIRECTLY (no parley).

It validates what test_baresip.py relies on, independently of the server: the module
set and audio config (ausine -> G.711 -> sndfile recording), the ctrl_tcp protocol and
command names (message, dial, hangup), the events (CALL_INCOMING, CALL_ESTABLISHED,
CALL_CLOSED), MESSAGE receipt in the log, and the sox tone check.

    python3 tests/interop/dev_baresip_direct.py            # UDP
    python3 tests/interop/dev_baresip_direct.py tcp        # TCP

If this passes and test_baresip.py fails, the difference is the server.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from baresip_ua import BaresipUA, call_with_tones, exchange_messages  # noqa: E402
from harness import HOST, step  # noqa: E402

ALICE_TONE_HZ = 1000
BOB_TONE_HZ = 700


def main() -> None:
    transport = sys.argv[1] if len(sys.argv) > 1 else "udp"
    harness.require_tool("sox")
    work = harness.make_temp_dir("baresip-direct")
    # No registrar: regint=0 (no REGISTER); requests go straight to the peer's listener.
    alice = BaresipUA("alice", work, f"<sip:alice@{HOST};transport={transport}>;regint=0;"
                      "answermode=auto;audio_codecs=PCMU", tone_hz=ALICE_TONE_HZ)
    bob = BaresipUA("bob", work, f"<sip:bob@{HOST};transport={transport}>;regint=0;"
                    "answermode=auto;audio_codecs=PCMU", tone_hz=BOB_TONE_HZ)
    bob_uri = f"sip:bob@{HOST}:{bob.sip_port};transport={transport}"
    alice_uri = f"sip:alice@{HOST}:{alice.sip_port};transport={transport}"
    alice.set_contacts([f"<{bob_uri}>"])
    bob.set_contacts([f"<{alice_uri}>"])

    step(f"start two baresip instances ({transport}, no server)")
    alice.start()
    bob.start()
    try:
        exchange_messages(alice, bob)
        call_with_tones(alice, bob, bob_uri)
    finally:
        alice.stop()
        bob.stop()


if __name__ == "__main__":
    harness.run_test(main)
