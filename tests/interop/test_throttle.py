#!/usr/bin/env python3
"""Per-source throttling of unauthenticated requests (limits.unauthenticated_limit).

A flooding source (127.0.0.2) sends REGISTERs without credentials: the first ones get
401, and once it passes the limit it gets 503 with Retry-After, before any other work.
Meanwhile another source (127.0.0.1) registers with Digest (sipsak) as usual. After
throttle_time the flooding source is served again (401).
"""

import re
import socket
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import HOST, ParleyServer, check, info, run_tool, step  # noqa: E402

FLOODER = "127.0.0.2"
LIMIT = 20
THROTTLE_S = 3


def register(port: int, n: int) -> bytes:
    call = uuid.uuid4().hex
    return (f"REGISTER sip:parley.test SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {FLOODER}:{port};branch=z9hG4bK{call}{n};rport\r\n"
            f"Max-Forwards: 70\r\n"
            f"From: <sip:mallory@parley.test>;tag={n}\r\n"
            f"To: <sip:mallory@parley.test>\r\n"
            f"Call-ID: {call}\r\n"
            f"CSeq: {n} REGISTER\r\n"
            f"Contact: <sip:mallory@{FLOODER}:{port}>\r\n"
            f"Content-Length: 0\r\n\r\n").encode()


def status_of(sock: socket.socket) -> tuple[int, str]:
    data, _ = sock.recvfrom(65535)
    text = data.decode(errors="replace")
    m = re.match(r"SIP/2\.0 (\d{3}) ", text)
    return (int(m.group(1)) if m else 0), text


def main() -> None:
    harness.require_tool("sipsak")
    with ParleyServer("throttle", users={"alice@parley.test": "alice-pw"},
                      limits={"min_expires": 1, "unauthenticated_limit": LIMIT,
                              "throttle_time": THROTTLE_S}) as srv:
        flood = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        flood.bind((FLOODER, 0))
        flood.settimeout(2)
        fport = flood.getsockname()[1]

        step(f"{FLOODER} sends {LIMIT + 10} REGISTERs without credentials")
        statuses = []
        last_503 = ""
        for n in range(1, LIMIT + 11):
            flood.sendto(register(fport, n), (HOST, srv.sip_port))
            code, text = status_of(flood)
            statuses.append(code)
            if code == 503:
                last_503 = text
        info(f"statuses: {statuses}")
        check(statuses[:LIMIT] == [401] * LIMIT, f"the first {LIMIT} are challenged (401)",
              repr(statuses))
        check(statuses[-5:] == [503] * 5, "past the limit the source gets 503", repr(statuses))
        m = re.search(r"^Retry-After: (\d+)", last_503, re.M)
        check(m is not None and 1 <= int(m.group(1)) <= THROTTLE_S + 1,
              "the 503 carries Retry-After within the throttle time", last_503)

        step("another source keeps full service meanwhile")
        r = run_tool(["sipsak", "-U", "-C", f"sip:alice@{HOST}:9", "-a", "alice-pw", "-u",
                      "alice", "-p", f"{HOST}:{srv.sip_port}", "-s", "sip:alice@parley.test",
                      "-E", "udp", "-i", "-vv"], timeout=15)
        check(r.returncode == 0, "alice registers with Digest from 127.0.0.1", r.describe())

        step(f"after {THROTTLE_S} s the flooding source is served again")
        time.sleep(THROTTLE_S + 1)
        flood.sendto(register(fport, 999), (HOST, srv.sip_port))
        code, text = status_of(flood)
        check(code == 401, "the source is challenged again (401)", text)
        log = srv.log_path.read_text(errors="replace")
        check(f"throttling {FLOODER}" in log, "the log names the throttled source once",
              harness.tail(srv.log_path, 20))
        check(log.count(f"throttling {FLOODER}") == 1, "and only once")
        flood.close()
        srv.check_running()


if __name__ == "__main__":
    harness.run_test(main)
