"""A REGISTER without credentials is challenged statelessly; an authenticated one is not.

RFC 3261 8.2.7: a stateless UAS "replies to requests normally, but discards any state
that would ordinarily be retained"; its most common use is the 401 challenge to an
unauthenticated request, and a retransmission simply gets the response regenerated. Parley
answers a REGISTER that carries no Authorization header that way (app/router.hpp,
Router::stateless_response): it keeps no transaction for it, so the first half of every
registration, and a flood of unauthenticated REGISTERs, costs no transaction memory.
An authenticated REGISTER changes bindings and does get a transaction (RFC 3261 17.2.2):
its retransmission is absorbed and answered with the same 200, byte for byte.

What this shows, over UDP (where retransmissions happen):
  1. the same unauthenticated REGISTER sent twice (same branch: a retransmission) gets two
     401s with different nonces and To tags: no transaction remembered the first answer;
  2. the authenticated REGISTER sent twice gets the identical 200 twice: the transaction
     absorbed the retransmission (the registration ran once);
  3. the same with TCP for the challenge, whose 401 comes back on the client's connection.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import HOST, DOMAIN, ParleyServer, check, credentials, info, step  # noqa: E402

USER, PASSWORD = "alice", "wonderland"


def register(port: int, local_port: int, transport: str, branch: str, cseq: int,
             call_id: str, authorization: str = "") -> bytes:
    lines = [
        f"REGISTER sip:{DOMAIN} SIP/2.0",
        f"Via: SIP/2.0/{transport.upper()} {HOST}:{local_port};branch={branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:{USER}@{DOMAIN}>;tag=st{cseq}",
        f"To: <sip:{USER}@{DOMAIN}>",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} REGISTER",
        f"Contact: <sip:{USER}@{HOST}:{local_port};transport={transport}>",
        "Expires: 300",
    ]
    if authorization:
        lines.append(f"Authorization: {authorization}")
    return ("\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n").encode()


def header(message: bytes, name: str) -> str:
    m = re.search(rb"^" + name.encode() + rb":\s*(.*?)\r$", message, re.M | re.I)
    return m.group(1).decode() if m else ""


def status(message: bytes) -> int:
    parts = message.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def udp_exchange(sock: socket.socket, port: int, request: bytes) -> bytes:
    sock.sendto(request, (HOST, port))
    data, _ = sock.recvfrom(65535)
    return data


def main() -> None:
    with ParleyServer("stateless", users={f"{USER}@{DOMAIN}": PASSWORD}) as srv:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.settimeout(5 * harness.TIME_SCALE)
        udp.bind((HOST, 0))
        local = udp.getsockname()[1]
        call_id = f"{secrets.token_hex(8)}@stateless"

        step("an unauthenticated REGISTER and its retransmission: two fresh 401s")
        first_branch = f"z9hG4bK{secrets.token_hex(8)}"
        request = register(srv.sip_port, local, "udp", first_branch, 1, call_id)
        a = udp_exchange(udp, srv.sip_port, request)
        b = udp_exchange(udp, srv.sip_port, request)
        info(f"first: {a.splitlines()[0]!r}, retransmission: {b.splitlines()[0]!r}")
        check(status(a) == 401 and status(b) == 401, "both copies are challenged with 401",
              f"{a[:200]!r} / {b[:200]!r}")
        nonce_a = harness.parse_challenge(header(a, "WWW-Authenticate")).get("nonce")
        nonce_b = harness.parse_challenge(header(b, "WWW-Authenticate")).get("nonce")
        check(bool(nonce_a) and nonce_a != nonce_b,
              "the retransmission got a regenerated challenge (new nonce): no transaction "
              "state was kept (RFC 3261 8.2.7)", f"nonces {nonce_a} and {nonce_b}")
        check(header(a, "To") != header(b, "To"), "and a new To tag",
              f"{header(a, 'To')} / {header(b, 'To')}")

        step("the authenticated REGISTER and its retransmission: one transaction, same 200")
        auth = credentials(header(b, "WWW-Authenticate"), "REGISTER", f"sip:{DOMAIN}", USER,
                           PASSWORD)
        request = register(srv.sip_port, local, "udp", f"z9hG4bK{secrets.token_hex(8)}", 2,
                           call_id, auth)
        ok = udp_exchange(udp, srv.sip_port, request)
        again = udp_exchange(udp, srv.sip_port, request)
        check(status(ok) == 200, "the authenticated REGISTER is accepted", ok[:300].decode(
            errors="replace"))
        check(again == ok, "its retransmission gets the identical 200 (absorbed by the "
              "server transaction, RFC 3261 17.2.2)", again[:300].decode(errors="replace"))

        step("40 times: a REGISTER, its 200, then at once its retransmission, which with "
             "two workers often meets the transaction while it hands its Completed state "
             "to the layer's record (RFC 3261 17.2.2): every retransmission gets the same 200")
        unanswered = mismatched = 0
        for i in range(40):
            challenge = header(udp_exchange(udp, srv.sip_port, register(
                srv.sip_port, local, "udp", f"z9hG4bK{secrets.token_hex(8)}", 10 + 2 * i,
                call_id)), "WWW-Authenticate")
            auth = credentials(challenge, "REGISTER", f"sip:{DOMAIN}", USER, PASSWORD)
            request = register(srv.sip_port, local, "udp", f"z9hG4bK{secrets.token_hex(8)}",
                               11 + 2 * i, call_id, auth)
            first = udp_exchange(udp, srv.sip_port, request)
            try:
                second = udp_exchange(udp, srv.sip_port, request)
            except TimeoutError:
                unanswered += 1
                continue
            if second != first or status(first) != 200:
                mismatched += 1
        check(unanswered == 0 and mismatched == 0, "40 retransmissions, 40 identical 200s",
              f"{unanswered} unanswered, {mismatched} differing")

        step("a MESSAGE from a local user without credentials and its retransmission: two "
             "fresh 407s from the proxy (no transaction kept for either)")
        branch = f"z9hG4bK{secrets.token_hex(8)}"
        message = "\r\n".join([
            f"MESSAGE sip:{USER}@{DOMAIN} SIP/2.0",
            f"Via: SIP/2.0/UDP {HOST}:{local};branch={branch};rport",
            "Max-Forwards: 70",
            f"From: <sip:{USER}@{DOMAIN}>;tag=sm1",
            f"To: <sip:{USER}@{DOMAIN}>",
            f"Call-ID: {secrets.token_hex(8)}@stateless-message",
            "CSeq: 1 MESSAGE",
            "Content-Type: text/plain",
            "Content-Length: 2", "", "hi"]).encode()
        a = udp_exchange(udp, srv.sip_port, message)
        b = udp_exchange(udp, srv.sip_port, message)
        check(status(a) == 407 and status(b) == 407, "both copies are challenged with 407",
              f"{a[:200]!r} / {b[:200]!r}")
        nonce_a = harness.parse_challenge(header(a, "Proxy-Authenticate")).get("nonce")
        nonce_b = harness.parse_challenge(header(b, "Proxy-Authenticate")).get("nonce")
        check(bool(nonce_a) and nonce_a != nonce_b and header(a, "To") != header(b, "To"),
              "each with a new nonce and To tag: answered statelessly (RFC 3261 8.2.7)",
              f"nonces {nonce_a} and {nonce_b}")
        udp.close()

        step("over TCP the stateless 401 comes back on the client's connection")
        with socket.create_connection((HOST, srv.sip_port), timeout=5 * harness.TIME_SCALE) as t:
            local_tcp = t.getsockname()[1]
            t.sendall(register(srv.sip_port, local_tcp, "tcp", f"z9hG4bK{secrets.token_hex(8)}",
                               3, f"{secrets.token_hex(8)}@stateless-tcp"))
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = t.recv(65535)
                if not chunk:
                    break
                data += chunk
            check(status(data) == 401, "401 over the same TCP connection", data[:200].decode(
                errors="replace"))
        srv.check_running()


if __name__ == "__main__":
    harness.run_test(main)
