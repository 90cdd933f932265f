#!/usr/bin/env python3
"""Robustness: clients that die, garbage and many idle connections do not stop parley
serving everyone else.

One parley on loopback (UDP+TCP on one port, TLS on another, tls_handshake_timeout 3 s),
started with a descriptor soft limit of 1024 so that its own raising of RLIMIT_NOFILE is
exercised. Users: carol (her contact is a SIPp UAS that answers OPTIONS), bob (his
contact is a UDP socket that never answers), dave (his contact answers INVITE with 486)
and probe (registered and unregistered by SIPp in every service check).

A service check ("probe") is what a well-behaved client must still get, each step within
PROBE_LIMIT_S: SIPp register.xml (REGISTER -> 401 -> Digest -> 200, refresh,
unregister) over UDP and over TCP; sipsak's OPTIONS to sip:carol@parley.test routed by
parley to her SIPp UAS and its 200 relayed back (Digest-authenticated, 407 first); a
REGISTER over TLS (certificate verified against parley's CA) answered with 401.

Phases, each followed by a probe:
  1a. UDP callers send INVITEs and vanish (no ACK, no CANCEL, socket closed): to bob,
      whose contact receives the INVITE and never answers; to dave, whose contact answers
      486, so parley's server transaction waits for an ACK that never comes.
  1b. TCP/TLS clients send half a message and close (FIN or RST).
  1c. TCP/TLS clients send a whole REGISTER (or an OPTIONS to carol) and close before
      reading the answer (FIN or RST): parley answers into a dead flow.
  1d. TLS clients that stop mid-handshake: silent after connecting, after part of the
      ClientHello, after the server's flight (no Finished ever sent), or resetting.
      A probe runs while they are stalled; then parley must close the stalled ones
      within tls_handshake_timeout (+ slack).
  2.  Garbage: 5,000 random UDP datagrams (noise, noise behind a start line, mutated
      SIP, garbage responses; up to 1,400 bytes); hand-made malformed requests (the ones
      with Via/From/To/Call-ID/CSeq intact must get "SIP/2.0 400", those without a
      Call-ID, and responses, get nothing); over TCP random bytes, a header line longer
      than max_message_size (65,535), an endless header block, a too-large Content-Length
      (each connection must be closed by parley) and a malformed but framed request (400
      on the same connection); a non-TLS byte stream on the TLS port (closed). The log
      must have "rejected malformed message" and "dropped malformed message" lines.
  3.  1,000 idle TCP connections held open at once (the test raises its own soft
      RLIMIT_NOFILE): parley must accept all of them (its descriptor count shows them),
      serve the probe meanwhile, and answer a CRLFCRLF keep-alive ping on every one of
      them (RFC 5626 3.5.1); after they close, its descriptor count falls back.
At the end parley is still alive (its PID), logged no handler exceptions, and exits 0
on SIGTERM.

PARLEY_ROBUSTNESS_SEED=<n> replays the same random payloads.
"""

import os
import random
import resource
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import HOST, ParleyServer, check, free_port, info, run_tool, step  # noqa: E402
from robustness import garbage, sipmsg, streams  # noqa: E402

DOMAIN = harness.DOMAIN
USERS = {"carol": "Carol-pw-1", "bob": "Bob-pw-2", "dave": "Dave-pw-3", "probe": "Probe-pw-4"}
SCENARIOS = harness.interop_dir() / "sipp"
PROBE_LIMIT_S = 5.0           # each step of a service check
TLS_HANDSHAKE_TIMEOUT_S = 3   # written to [limits]
IDLE_CONNECTIONS = 1000
UDP_GARBAGE = 5000
UDP_GARBAGE_MAX_LEN = 1400
DEADLINE_S = 88               # the whole test


# ----------------------------------------------------------------------------- the server

def server_fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def server_nofile(pid: int) -> str:
    try:
        for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
            if line.startswith("Max open files"):
                return " ".join(line.split()[3:5])
    except OSError:
        pass
    return "?"


def log_lines(srv: ParleyServer, needle: str) -> list[str]:
    try:
        text = srv.log_path.read_text(errors="replace")
    except OSError:
        return []
    return [l for l in text.splitlines() if needle in l]


def check_alive(srv: ParleyServer, when: str) -> None:
    pid = srv.proc.pid if srv.proc else -1
    alive = srv.alive()
    if alive:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            alive = False
    check(alive, f"parley (pid {pid}) is still running {when}",
          f"exit code {srv.proc.returncode if srv.proc else '?'}")


# ----------------------------------------------------------------------------- well-behaved clients

class Service:
    """The well-behaved clients of a service check, and their timings."""

    def __init__(self, srv: ParleyServer) -> None:
        self.srv = srv
        self.timings: list[tuple[str, float]] = []
        self.runs = 0

    def sipsak(self, user: str, *args: str, timeout: float = 10) -> harness.ToolResult:
        """sipsak as `user` towards parley over UDP, one socket for sending and receiving."""
        return run_tool([
            "sipsak", *args, "-p", f"{HOST}:{self.srv.sip_port}", "-s", f"sip:{user}@{DOMAIN}",
            "-H", HOST, "-E", "udp", "-u", user, "-a", USERS[user], "-vvv",
            "-S", "-l", str(free_port(udp=True, tcp=False))], timeout=timeout, echo=False)

    def register_contact(self, user: str, contact: str, expires: int = 600) -> None:
        r = self.sipsak(user, "-U", "-C", contact, "-x", str(expires))
        check(r.returncode == 0, f"{user} registers the contact {contact} (Digest, 200)",
              r.describe())

    def sipp_register(self, transport: str, label: str) -> tuple[harness.ToolResult, str]:
        out = self.srv.dir / f"sipp-{label}"
        r = run_tool([
            "sipp", f"{HOST}:{self.srv.sip_port}", "-sf", SCENARIOS / "register.xml",
            "-s", "probe", "-au", "probe", "-ap", USERS["probe"], "-key", "domain", DOMAIN,
            "-i", HOST, "-p", free_port(udp=True, tcp=True), "-t", transport,
            "-m", "1", "-r", "1", "-nostdin", "-cp", free_port(udp=True, tcp=False),
            "-recv_timeout", "4000", "-timeout", "8s", "-timeout_error",
            "-trace_err", "-error_file", f"{out}-errors.log",
            "-trace_msg", "-message_file", f"{out}-messages.log"],
            timeout=12, cwd=self.srv.dir, echo=False)
        detail = [r.describe()]
        for suffix in ("errors", "messages"):
            path = Path(f"{out}-{suffix}.log")
            if path.exists() and path.stat().st_size:
                detail.append(f"--- {path.name}:\n{harness.tail(path, 80)}")
        return r, "\n".join(detail)

    def tls_register(self) -> tuple[bool, float, str]:
        """A REGISTER without credentials over TLS, server verified against parley's CA:
        answered 401 (RFC 3261 22.2)."""
        start = time.monotonic()
        try:
            with streams.tls_connect(HOST, self.srv.tls_port, ca=self.srv.ca_path) as s:
                port = s.getsockname()[1]
                msg, _ = sipmsg.request("REGISTER", f"sip:{DOMAIN}", transport="TLS",
                                        local_port=port, from_uri=f"sip:probe@{DOMAIN}",
                                        to_uri=f"sip:probe@{DOMAIN}", extra=["Expires: 60"])
                s.sendall(msg)
                final = sipmsg.stream_final_response(s, PROBE_LIMIT_S)
        except OSError as e:
            return False, time.monotonic() - start, f"TLS client error: {e!r}"
        elapsed = time.monotonic() - start
        code = sipmsg.status_of(final) if final else None
        return code == 401, elapsed, f"final response: {final[:300] if final else None!r}"

    def check(self, when: str, tls: bool = True) -> None:
        self.runs += 1
        n = self.runs
        step(f"service check {n}: {when}")
        for transport, name in (("u1", "UDP"), ("t1", "TCP")):
            r, detail = self.sipp_register(transport, f"probe{n}-{name.lower()}")
            self.timings.append((f"#{n} register {name}", r.elapsed))
            check(r.returncode == 0 and r.elapsed < PROBE_LIMIT_S,
                  f"SIPp REGISTER with Digest over {name}: 200, refresh, unregister "
                  f"({r.elapsed:.2f}s, limit {PROBE_LIMIT_S}s)", detail)
        r = self.sipsak("carol")
        self.timings.append((f"#{n} OPTIONS", r.elapsed))
        # the To tag SIPp's uas_options.xml puts in its 200: the answer is carol's UAS's
        check(r.returncode == 0 and r.elapsed < PROBE_LIMIT_S and "SIPpTag01" in r.output,
              f"OPTIONS to sip:carol@{DOMAIN} routed to her SIPp UAS, its 200 relayed back "
              f"({r.elapsed:.2f}s)", r.describe())
        if tls:
            ok, elapsed, detail = self.tls_register()
            self.timings.append((f"#{n} TLS REGISTER", elapsed))
            check(ok and elapsed < PROBE_LIMIT_S,
                  f"REGISTER over TLS gets 401 ({elapsed:.2f}s)", detail)
        check_alive(self.srv, f"after service check {n}")


# ----------------------------------------------------------------------------- phase 1

@dataclass
class AbandonedCalls:
    """What phase 1a leaves behind, checked at the end once the transactions time out."""
    sent_at: float
    bob: socket.socket            # bob's contact: receives the INVITEs, never answers
    mute_caller_bob: socket.socket   # a caller that stays bound but never says a word
    mute_caller_dave: socket.socket

    def close(self) -> None:
        for s in (self.bob, self.mute_caller_bob, self.mute_caller_dave):
            s.close()


def phase_vanishing_callers(srv: ParleyServer, svc: Service) -> AbandonedCalls:
    """1a."""
    step("1a: UDP callers INVITE bob (never answers) and dave (486) and vanish")
    bob = sipmsg.udp_socket(HOST)
    dave = sipmsg.udp_socket(HOST)
    svc.register_contact("bob", f"sip:bob@{HOST}:{bob.getsockname()[1]}")
    svc.register_contact("dave", f"sip:dave@{HOST}:{dave.getsockname()[1]}")
    sent: dict[str, list[str]] = {"bob": [], "dave": []}
    mute = {"bob": sipmsg.udp_socket(HOST), "dave": sipmsg.udp_socket(HOST)}
    sent_at = time.monotonic()
    for i in range(12):
        callee = "bob" if i % 2 == 0 else "dave"
        # callers 0 and 1 keep their socket bound and never answer anything; the others
        # close theirs at once: no ACK, no CANCEL, an ICMP error for every answer
        caller = mute[callee] if i < 2 else sipmsg.udp_socket(HOST)
        msg, call_id = sipmsg.request(
            "INVITE", f"sip:{callee}@{DOMAIN}", transport="UDP",
            local_port=caller.getsockname()[1], from_uri=f"sip:caller{i}@elsewhere.example",
            to_uri=f"sip:{callee}@{DOMAIN}", body=sipmsg.SDP, content_type="application/sdp")
        caller.sendto(msg, (HOST, srv.sip_port))
        if i >= 2:
            caller.close()
        sent[callee].append(call_id)

    def invites(got: list[bytes]) -> set[str]:
        return {sipmsg.header(d, "Call-ID") for d in got if d.startswith(b"INVITE ")}

    got = sipmsg.udp_collect(bob, 4, until=lambda g: set(sent["bob"]) <= invites(g))
    check(set(sent["bob"]) <= invites(got),
          f"parley forwarded all {len(sent['bob'])} INVITEs to bob's contact (never answered)",
          f"bob received {len(got)} datagram(s), Call-IDs {sorted(invites(got))}")
    got = sipmsg.udp_collect(dave, 4, until=lambda g: set(sent["dave"]) <= invites(g))
    answered = set()
    for d in got:
        cid = sipmsg.header(d, "Call-ID")
        if d.startswith(b"INVITE ") and cid not in answered:
            answered.add(cid)
            dave.sendto(sipmsg.response_to(d, 486, "Busy Here", sipmsg.token(4)),
                        (HOST, srv.sip_port))
    check(set(sent["dave"]) <= answered,
          f"parley forwarded all {len(sent['dave'])} INVITEs to dave, who answered 486",
          f"dave received {len(got)} datagram(s)")
    acks = sipmsg.udp_collect(dave, 2, until=lambda g: sum(d.startswith(b"ACK ") for d in g)
                              >= len(answered))
    info(f"dave received {sum(d.startswith(b'ACK ') for d in acks)} ACK(s) for its 486s "
         "(RFC 3261 17.1.1.3: the proxy's client transaction acknowledges)")
    dave.close()
    return AbandonedCalls(sent_at, bob, mute["bob"], mute["dave"])


def check_abandoned_calls(calls: AbandonedCalls) -> None:
    """The transactions phase 1a abandoned run out (RFC 3261 17.1.1.2 Timer B and 17.2.1
    Timer H, 64*T1 = 32 s) without harm; the mute callers saw what parley did."""
    timer_b = 32.0
    wait = calls.sent_at + timer_b + 1.5 - time.monotonic()
    step(f"1a, the end: the abandoned INVITE transactions time out (Timer B/H, 32 s; "
         f"waiting {max(0.0, wait):.1f}s more)")
    to_dave = sipmsg.udp_collect(calls.mute_caller_dave, max(0.0, wait))
    to_bob = sipmsg.udp_collect(calls.mute_caller_bob, max(0.5, calls.sent_at + timer_b + 4.0
                                                            - time.monotonic()),
                                until=lambda g: any((sipmsg.status_of(d) or 0) >= 200 for d in g))
    to_bob_invites = sipmsg.udp_collect(calls.bob, 0.1)   # what piled up: Timer A copies
    codes_dave = [sipmsg.status_of(d) for d in to_dave]
    codes_bob = [sipmsg.status_of(d) for d in to_bob]
    info(f"the silent caller of dave received {codes_dave} (a 486, retransmitted by Timer G "
         "for want of an ACK)")
    info(f"the silent caller of bob received {codes_bob}")
    info(f"bob's contact received {len(to_bob_invites)} more INVITE copies (Timer A)")
    check(codes_dave.count(486) >= 2,
          "parley's INVITE server transaction retransmitted the 486 to the caller that never "
          "ACKed (RFC 3261 17.2.1, Timer G)", f"received {codes_dave}")
    check(408 in codes_bob,
          "the caller whose callee never answered got 408 once Timer B fired (RFC 3261 "
          "16.7 / 17.1.1.2)", f"received {codes_bob}")


def phase_dying_stream_clients(srv: ParleyServer) -> None:
    """1b and 1c: half messages and unread answers on TCP and TLS."""
    step("1b/1c: TCP/TLS clients send half a message, or a whole one and close before "
         "the answer (FIN or RST)")

    def register(port: int, transport: str) -> bytes:
        msg, _ = sipmsg.request("REGISTER", f"sip:{DOMAIN}", transport=transport,
                                local_port=port, from_uri=f"sip:probe@{DOMAIN}",
                                to_uri=f"sip:probe@{DOMAIN}", extra=["Expires: 60"])
        return msg

    counts = {}

    def tcp(label: str, n: int, payload, close) -> None:
        for _ in range(n):
            s = streams.connect(HOST, srv.sip_port)
            streams.send_quietly(s, payload(s.getsockname()[1]))
            close(s)
        counts[label] = n

    def tls(label: str, n: int, payload, close) -> None:
        for _ in range(n):
            s = streams.tls_connect(HOST, srv.tls_port)
            streams.send_quietly(s, payload(s.getsockname()[1]))
            close(s)
        counts[label] = n

    half = lambda t: (lambda port: (m := register(port, t))[: len(m) // 2])  # noqa: E731
    whole = lambda t: (lambda port: register(port, t))  # noqa: E731
    short_body = lambda port: register(port, "TCP").replace(  # noqa: E731
        b"Content-Length: 0\r\n\r\n", b"Content-Length: 200\r\n\r\n" + b"x" * 50)

    def options_to_carol(port: int) -> bytes:
        msg, _ = sipmsg.request("OPTIONS", f"sip:carol@{DOMAIN}", transport="TCP",
                                local_port=port, from_uri="sip:stranger@elsewhere.example",
                                to_uri=f"sip:carol@{DOMAIN}")
        return msg

    fin = lambda s: s.close()  # noqa: E731
    rst = streams.abort       # on a TLS socket: a RST under the session, no close_notify

    tcp("TCP half REGISTER, FIN", 10, half("TCP"), fin)
    tcp("TCP half REGISTER, RST", 5, half("TCP"), rst)
    tcp("TCP REGISTER with a short body, FIN", 5, short_body, fin)
    tls("TLS half REGISTER, FIN", 5, half("TLS"), fin)
    tcp("TCP whole REGISTER, FIN before the 401", 10, whole("TCP"), fin)
    tcp("TCP whole REGISTER, RST before the 401", 10, whole("TCP"), rst)
    tls("TLS whole REGISTER, FIN before the 401", 5, whole("TLS"), fin)
    tls("TLS whole REGISTER, RST before the 401", 5, whole("TLS"), rst)
    tcp("TCP OPTIONS to carol, RST before her 200 comes back", 3, options_to_carol, rst)
    for label, n in counts.items():
        info(f"{n:3d} x {label}")
    time.sleep(0.5)     # let parley answer into the dead flows before the check


def phase_stalled_handshakes(srv: ParleyServer, svc: Service) -> None:
    """1d."""
    step(f"1d: TLS clients stop mid-handshake (tls_handshake_timeout {TLS_HANDSHAKE_TIMEOUT_S}s)")
    held: list[socket.socket] = []
    start = time.monotonic()
    for _ in range(5):                                   # silent after connecting
        held.append(streams.connect(HOST, srv.tls_port))
    for _ in range(5):                                   # part of the ClientHello
        h = streams.StalledHandshake(HOST, srv.tls_port)
        h.send_partial_hello(40)
        held.append(h.sock)
    flights = []
    for _ in range(5):                                   # after the server's flight
        h = streams.StalledHandshake(HOST, srv.tls_port)
        flights.append(h.send_hello_and_read_server_flight())
        held.append(h.sock)
    for _ in range(5):                                   # part of the hello, then RST
        h = streams.StalledHandshake(HOST, srv.tls_port)
        h.send_partial_hello(60)
        streams.abort(h.sock)
    for _ in range(5):                                   # whole hello, then FIN
        h = streams.StalledHandshake(HOST, srv.tls_port)
        h.send_partial_hello(len(h.client_hello))
        h.sock.close()
    check(all(n > 0 for n in flights),
          "parley answered each complete ClientHello with its flight (ServerHello ...)",
          f"bytes received per client: {flights}")
    info(f"{len(held)} stalled handshakes held open, 10 more abandoned")

    svc.check("while 15 TLS handshakes are stalled")

    limit = TLS_HANDSHAKE_TIMEOUT_S + 4.0
    still_open = streams.wait_closed(held, max(0.5, start + limit - time.monotonic()))
    check(not still_open,
          f"parley closed every stalled handshake within {limit:.0f}s of its start "
          f"(tls_handshake_timeout {TLS_HANDSHAKE_TIMEOUT_S}s)",
          f"{len(still_open)} of {len(held)} still open after {time.monotonic() - start:.1f}s")
    streams.close_all(held)


# ----------------------------------------------------------------------------- phase 2

def phase_udp_garbage(srv: ParleyServer, rng: random.Random) -> None:
    step(f"2: {UDP_GARBAGE} hostile UDP datagrams (up to {UDP_GARBAGE_MAX_LEN} bytes)")
    with sipmsg.udp_socket(HOST) as s:
        port = s.getsockname()[1]
        s.setblocking(True)
        sent = 0
        start = time.monotonic()
        for i, d in enumerate(garbage.random_datagrams(rng, UDP_GARBAGE, UDP_GARBAGE_MAX_LEN,
                                                       port, DOMAIN)):
            try:
                s.sendto(d, (HOST, srv.sip_port))
                sent += 1
            except OSError:
                pass
            if i % 250 == 249:
                time.sleep(0.01)          # bursts of 250: the server's buffer is not the test
        answers = sipmsg.udp_collect(s, 1.0)
        info(f"sent {sent} datagrams in {time.monotonic() - start:.2f}s; parley answered "
             f"{len(answers)} of them (the ones that survived mutation, mostly 404/400)")
        check(sent == UDP_GARBAGE, f"all {UDP_GARBAGE} datagrams were sent", f"sent {sent}")


def phase_malformed_requests(srv: ParleyServer) -> None:
    step("2: malformed SIP requests over UDP (400 when answerable, else dropped)")
    cases = []
    for i in range(len(garbage.malformed_requests(9, DOMAIN))):
        s = sipmsg.udp_socket(HOST)       # one socket per case: its answers are its own
        cases.append((garbage.malformed_requests(s.getsockname()[1], DOMAIN)[i], s))
    try:
        pending = {id(c): (c, s) for c, s in cases}
        results: dict[int, list[bytes]] = {id(c): [] for c, _ in cases}
        for attempt in range(3):          # UDP: retry the ones still waiting for a 400
            for c, s in pending.values():
                s.sendto(c.data, (HOST, srv.sip_port))
            window = time.monotonic() + 1.5
            for key, (c, s) in list(pending.items()):
                got = sipmsg.udp_collect(s, max(0.05, window - time.monotonic()),
                                         until=lambda g: len(g) > 0 and c.answer != "none")
                results[key] += got
                if c.answer != "400" or any(sipmsg.status_of(d) == 400 for d in results[key]):
                    pending.pop(key)
            if not pending:
                break
        for c, _ in cases:
            got = results[id(c)]
            codes = [sipmsg.status_of(d) for d in got]
            if c.answer == "400":
                ok = any(sipmsg.status_of(d) == 400 and sipmsg.header(d, "Call-ID") == c.call_id
                         for d in got)
                check(ok, f"{c.name}: answered SIP/2.0 400 with the same Call-ID",
                      f"received: {[d[:200] for d in got]}")
            elif c.answer == "none":
                check(not got, f"{c.name}: dropped without an answer",
                      f"received: {[d[:200] for d in got]}")
            else:
                info(f"{c.name}: answers {codes or 'none'}")
    finally:
        for _, s in cases:
            s.close()


def phase_stream_garbage(srv: ParleyServer, rng: random.Random) -> None:
    step("2: garbage on TCP (random bytes, a > 65,535-byte header line, an endless header "
         "block, a too-large body) and a non-TLS stream on the TLS port")
    must_close: list[tuple[str, socket.socket]] = []

    def add(label: str, port: int, payload: bytes) -> None:
        s = streams.connect(HOST, port)
        streams.send_quietly(s, payload)
        must_close.append((label, s))

    start_line = f"OPTIONS sip:carol@{DOMAIN} SIP/2.0\r\n".encode()
    for i in range(10):
        noise = rng.randbytes(rng.randint(4096, 65536))
        if i % 2 == 0:
            noise = bytes([rng.choice([0x00, 0x16, 0x80, 0xff, 0x01])]) + noise
        add(f"random bytes #{i}", srv.sip_port, noise)
    add("a 70,000-byte header line", srv.sip_port,
        start_line + b"Subject: " + b"a" * 70000 + b"\r\n\r\n")
    add("Content-Length: 70000 (above max_message_size)", srv.sip_port,
        start_line + b"Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKx\r\n"
        b"Content-Length: 70000\r\n\r\n" + b"b" * 1000)
    # an endless header block, sent in chunks until parley hangs up (at most ~200 KB)
    s = streams.connect(HOST, srv.sip_port)
    streams.send_quietly(s, start_line)
    for i in range(200):
        if not streams.send_quietly(s, b"X-Filler-%d: %s\r\n" % (i, b"f" * 1000), timeout=1):
            break
    must_close.append(("an endless header block", s))
    for i, payload in enumerate([
            start_line + b"Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKx\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
            rng.randbytes(5000), b"\x16\x03\x01\x00\x05hello" + rng.randbytes(3000)]):
        add(f"non-TLS stream #{i} on the TLS port", srv.tls_port, payload)

    still_open = streams.wait_closed([s for _, s in must_close], 5.0)
    labels = [l for l, s in must_close if s in still_open]
    check(not labels, f"parley closed all {len(must_close)} garbage connections within 5s",
          f"still open: {labels}")
    streams.close_all([s for _, s in must_close])

    step("2: a malformed but framed request over TCP gets 400 on its connection")
    with streams.connect(HOST, srv.sip_port) as s:
        msg, call_id = sipmsg.request("OPTIONS", f"sip:nobody@{DOMAIN}", transport="TCP",
                                      local_port=s.getsockname()[1],
                                      from_uri="sip:fuzz@elsewhere.example",
                                      to_uri=f"sip:nobody@{DOMAIN}")
        s.sendall(msg.replace(b"Max-Forwards: 70\r\n", b"Max-Forwards: 70\r\nNo colon here\r\n"))
        final = sipmsg.stream_final_response(s, 3.0)
    check(final is not None and sipmsg.status_of(final) == 400
          and sipmsg.header(final, "Call-ID") == call_id,
          "parley answered SIP/2.0 400 on the TCP connection",
          f"final response: {final[:300] if final else None!r}")


def check_malformed_logged(srv: ParleyServer) -> None:
    rejected = log_lines(srv, "rejected malformed message")
    dropped = log_lines(srv, "dropped malformed message")
    info(f"log: {len(rejected)} 'rejected malformed message', "
         f"{len(dropped)} 'dropped malformed message' lines")
    for line in (rejected[:2] + dropped[:2]):
        info("  " + line[:200])
    check(len(rejected) >= 5, "the log has a 'rejected malformed message' line per 400 sent",
          f"{len(rejected)} line(s)")
    check(len(dropped) >= 3, "the log has 'dropped malformed message' lines", f"{len(dropped)}")


# ----------------------------------------------------------------------------- phase 3

def raise_own_nofile(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return soft
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def phase_idle_connections(srv: ParleyServer, svc: Service) -> None:
    step(f"3: {IDLE_CONNECTIONS} idle TCP connections held open at once")
    pid = srv.proc.pid
    soft = raise_own_nofile(IDLE_CONNECTIONS + 512)
    info(f"test process RLIMIT_NOFILE soft limit: {soft}; parley's: {server_nofile(pid)}")
    check(soft >= IDLE_CONNECTIONS + 100, "the test could raise its own descriptor limit",
          f"soft limit {soft}: cannot hold {IDLE_CONNECTIONS} connections")
    before = server_fds(pid)
    conns: list[socket.socket] = []
    start = time.monotonic()
    try:
        for i in range(IDLE_CONNECTIONS):
            try:
                conns.append(streams.connect(HOST, srv.sip_port, timeout=3))
            except OSError as e:
                raise harness.Failure(f"connection {i + 1} of {IDLE_CONNECTIONS} failed: {e!r} "
                                      f"(parley has {server_fds(pid)} descriptors, "
                                      f"limit {server_nofile(pid)})")
            if time.monotonic() - start > 20:
                raise harness.Failure(f"opening connections is too slow: {i + 1} in 20s")
        info(f"opened {len(conns)} connections in {time.monotonic() - start:.2f}s")
        deadline = time.monotonic() + 5
        # (a few descriptors of earlier phases may still be closing: 5 of slack)
        while server_fds(pid) < before + IDLE_CONNECTIONS and time.monotonic() < deadline:
            time.sleep(0.1)
        held = server_fds(pid)
        check(held >= before + IDLE_CONNECTIONS - 5,
              f"parley accepted all of them: {held} descriptors (was {before}; its limit "
              f"{server_nofile(pid)})",
              f"only {held - before} more descriptors than before; see the log for "
              "accept errors (EMFILE?)")
        accept_errors = log_lines(srv, "accept on")
        check(not accept_errors, "no accept errors in the log", "\n".join(accept_errors[:5]))

        svc.check(f"while {IDLE_CONNECTIONS} idle TCP connections are open")

        silent = streams.ping_all(conns, 8.0)
        check(not silent, f"every one of the {len(conns)} idle connections answers a CRLFCRLF "
              "ping with CRLF (RFC 5626 3.5.1): parley still serves them all",
              f"{len(silent)} did not answer")
    finally:
        streams.close_all(conns)
    deadline = time.monotonic() + 5
    while server_fds(pid) > before + 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    after = server_fds(pid)
    check(after <= before + 20,
          f"after they close parley's descriptors fall back ({after}, was {before})",
          f"{after - before} descriptors more than before the connections")


# ----------------------------------------------------------------------------- main

def main() -> None:
    harness.require_tool("sipp")
    harness.require_tool("sipsak")
    seed = int(os.environ.get("PARLEY_ROBUSTNESS_SEED") or time.time_ns() % 1_000_000)
    info(f"random seed {seed} (PARLEY_ROBUSTNESS_SEED={seed} replays it)")
    rng = random.Random(seed)

    # Start parley with a typical soft limit of 1024 descriptors: it must raise its own.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > 1024:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, 1024), hard))
    info(f"parley starts with RLIMIT_NOFILE (soft, hard) "
         f"{resource.getrlimit(resource.RLIMIT_NOFILE)}")
    srv = ParleyServer("robustness", users={f"{u}@{DOMAIN}": p for u, p in USERS.items()},
                       # The garbage and the service checks share 127.0.0.1: per-source
                       # throttling (test_throttle.py) would rightly block it here.
                       limits={"tls_handshake_timeout": TLS_HANDSHAKE_TIMEOUT_S,
                               "unauthenticated_limit": 0})
    with srv:
        raise_own_nofile(soft)            # back to what the test had
        pid = srv.proc.pid
        limit = server_nofile(pid)
        info(f"parley pid {pid}: RLIMIT_NOFILE (soft hard) {limit}, {server_fds(pid)} "
             "descriptors")
        server_soft = limit.split()[0] if limit != "?" else "?"
        check(server_soft == "unlimited" or
              (server_soft.isdigit() and int(server_soft) >= IDLE_CONNECTIONS + 64),
              f"parley raised its descriptor soft limit at startup (now {server_soft}) enough "
              f"for {IDLE_CONNECTIONS} connections",
              f"/proc/{pid}/limits says (soft hard) {limit}: it started with a soft limit "
              "of 1024 and did not raise it to the hard limit (src/app/serve.cpp "
              "raise_descriptor_limit), or the hard limit itself is too low (ulimit -Hn)")

        step("carol's contact: a SIPp UAS answering OPTIONS")
        uas_port = free_port(udp=True, tcp=False)
        uas = harness.spawn("sipp-uas-carol", [
            "sipp", "-sf", SCENARIOS / "uas_options.xml", "-i", HOST, "-p", uas_port,
            "-t", "u1", "-nostdin", "-cp", free_port(udp=True, tcp=False),
            "-timeout", f"{DEADLINE_S}s", "-trace_err",
            "-error_file", srv.dir / "sipp-uas-errors.log"],
            srv.dir / "sipp-uas.log", cwd=srv.dir)
        svc = Service(srv)
        svc.register_contact("carol", f"sip:carol@{HOST}:{uas_port}")
        svc.check("baseline")

        abandoned = phase_vanishing_callers(srv, svc)
        svc.check("after callers vanished mid-INVITE")
        phase_dying_stream_clients(srv)
        svc.check("after TCP/TLS clients died mid-message")
        phase_stalled_handshakes(srv, svc)

        phase_udp_garbage(srv, rng)
        phase_malformed_requests(srv)
        phase_stream_garbage(srv, rng)
        svc.check("after the garbage")
        check_malformed_logged(srv)

        phase_idle_connections(srv, svc)
        svc.check("after the idle connections closed", tls=False)

        check_abandoned_calls(abandoned)
        abandoned.close()
        svc.check("after the abandoned transactions timed out", tls=False)

        step("the end: parley alive, no handler exceptions, clean exit on SIGTERM")
        check_alive(srv, "at the end")
        threw = log_lines(srv, "threw")
        check(not threw, "the log has no 'handler threw' lines", "\n".join(threw[:10]))
        worst = max(svc.timings, key=lambda t: t[1])
        info(f"{len(svc.timings)} service steps, slowest {worst[0]} {worst[1]:.2f}s")
        check(uas.poll() is None, "carol's SIPp UAS is still running (it never failed a call)",
              harness.tail(srv.dir / "sipp-uas.log", 40))
        harness.stop_process(uas, "sipp-uas-carol")
        harness.REGISTRY.forget(uas)
        rc = srv.stop()
        check(rc == 0, "parley exits 0 on SIGTERM", f"exit code {rc}")


if __name__ == "__main__":
    harness.run_test(main, deadline=DEADLINE_S)
