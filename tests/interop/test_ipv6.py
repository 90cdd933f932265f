#!/usr/bin/env python3
"""IPv6 listeners: parley on ::1 serves UDP, TCP and TLS, and relays between them.

For each of UDP and TCP, a parley of its own with default_address "::1" (every listener
on the IPv6 loopback; users alice and bob of parley.test), and on it:

  1. bob registers over TLS on [::1] from this script (Debian's SIPp 3.6.1 is built
     without OpenSSL, so it cannot speak TLS): the server certificate must verify
     against parley's CA for the name ::1 (its subjectAltName carries IP ::1) and for
     localhost (the fqdn); REGISTER -> 401 -> REGISTER with Digest -> 200 whose Contact
     is bob's binding sip:bob@[::1]:PORT;transport=tls with an expires parameter;
  2. OPTIONS to the server (sip:parley.test and sip:[::1]:PORT) over the transport and
     over bob's TLS connection: 200;
  3. alice registers with SIPp (register.xml, -i ::1): 401 -> Digest -> 200 listing
     sip:alice@[::1]:PORT, refresh, removal;
  4. alice's SIPp sends bob a MESSAGE over the transport (calls_message_uac.xml: 407 ->
     Proxy-Authorization -> 200 from bob): bob gets it on his TLS connection with
     parley's Via "SIP/2.0/TLS [::1]:TLS_PORT" on top of alice's bracketed Via;
  5. alice's SIPp calls bob (calls_voice_uac.xml: INVITE -> 407 -> INVITE -> 200 ->
     ACK -> BYE): every Record-Route entry bob sees and the one alice's SIPp sees is
     a bracketed [::1] URI of parley with ;lr, one of them for the TLS listener; ACK
     and BYE reach bob along the route set;
  6. the other way: alice registers the Contact of a SIPp UAS (calls_register_contact.xml
     with its IPv4 Contact check widened to IPv6) and bob sends her a MESSAGE over TLS
     (407 -> Proxy-Authorization -> 200 relayed back): the UAS gets it over the
     transport with parley's Via "SIP/2.0/UDP|TCP [::1]:SIP_PORT" on top of bob's
     "SIP/2.0/TLS [::1]:..." one.
Finally parley is still running and its log has no "handler threw" line.

If ::1 cannot be bound at all here, the test prints SKIPPED and passes.
"""

import re
import secrets
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import (HOST6, ParleyServerV6, check, credentials, free_port_v6, info,  # noqa: E402
                     parse_challenge, step)
from robustness.sipmsg import split_stream, status_of  # noqa: E402

DOMAIN = harness.DOMAIN
ALICE, ALICE_PASSWORD = "alice", "Alice-v6-pw-1"
BOB, BOB_PASSWORD = "bob", "Bob-v6-pw-2"
USERS = {f"{ALICE}@{DOMAIN}": ALICE_PASSWORD, f"{BOB}@{DOMAIN}": BOB_PASSWORD}
SCENARIOS = harness.interop_dir() / "sipp"
SIPP_LIMITS = ["-recv_timeout", "5000", "-timeout", "15s", "-timeout_error"]
REPLY_S = 5.0            # a final response to one of our requests
SIPP_S = 25.0            # one SIPp run
UAS_READY_S = 5.0        # a SIPp UAS binds its port
V6 = r"\[::1\]"          # how ::1 must appear in a SIP URI, Via or Record-Route

# A SIPp UAS at alice's registered Contact that answers one MESSAGE with 200 (the checks
# on what it received are made by this script, on SIPp's message trace).
MESSAGE_UAS = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="alice: answer one MESSAGE">
  <recv request="MESSAGE"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=alice[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <!-- answer a retransmitted MESSAGE (UDP) instead of exiting at once -->
  <pause milliseconds="200"/>
</scenario>
"""


# ----------------------------------------------------------------------------- messages

def head_lines(message: bytes) -> list[str]:
    return message.split(b"\r\n\r\n", 1)[0].decode(errors="replace").split("\r\n")


def headers(message: bytes, *names: str) -> list[str]:
    """Every value of the named headers (full or compact names, case-insensitive), in
    order; comma-separated values of one line are not split."""
    wanted = {n.lower() for n in names}
    out = []
    for line in head_lines(message)[1:]:
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() in wanted:
            out.append(value.strip())
    return out


def header(message: bytes, *names: str) -> str:
    values = headers(message, *names)
    return values[0] if values else ""


def start_line(message: bytes) -> str:
    return head_lines(message)[0]


def method_of(message: bytes) -> str:
    first = start_line(message)
    return "" if first.startswith("SIP/2.0 ") else first.split(" ", 1)[0]


def cseq_of(message: bytes) -> tuple[int, str]:
    parts = header(message, "CSeq").split()
    return (int(parts[0]), parts[1]) if len(parts) == 2 and parts[0].isdigit() else (0, "")


def body_of(message: bytes) -> bytes:
    return message.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in message else b""


def uri_entries(values: list[str]) -> list[str]:
    """The <...> entries of Route/Record-Route header values (one line may hold several)."""
    return [m for v in values for m in re.findall(r"<[^>]*>", v)]


def show(message: bytes) -> str:
    return harness.indent(message.decode(errors="replace"), "      | ")


# ----------------------------------------------------------------------------- our UA

def tls_context(srv: harness.ParleyServer) -> ssl.SSLContext:
    """Verifies parley's certificate against its CA, host name checks on."""
    ctx = ssl.create_default_context(cafile=str(srv.ca_path))
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


class Ua:
    """A small SIP user agent on [::1] over one UDP socket or one TCP/TLS connection to
    parley. It sends requests (answering 401/407 with Digest), and answers the requests
    parley relays to it while it waits: MESSAGE, OPTIONS and BYE with 200, INVITE with
    a 200 carrying SDP and the Record-Route set (RFC 3261 12.1.1); every request it got
    is kept in `requests`."""

    def __init__(self, srv: harness.ParleyServer, transport: str, user: str,
                 password: str) -> None:
        self.srv = srv
        self.transport = transport               # udp | tcp | tls
        self.user = user
        self.password = password
        self.server_port = srv.tls_port if transport == "tls" else srv.sip_port
        if transport == "udp":
            self.sock: socket.socket = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            self.sock.bind((HOST6, 0))
        else:
            raw = socket.create_connection((HOST6, self.server_port), timeout=REPLY_S)
            if transport == "tls":
                raw = tls_context(srv).wrap_socket(raw, server_hostname=HOST6)
            self.sock = raw
        self.port = self.sock.getsockname()[1]
        self.buffer = b""
        self.pending: list[bytes] = []           # received, not consumed yet
        self.requests: list[bytes] = []          # every request parley relayed to us
        self.trace: list[str] = []               # "> ..." / "< ..." for failure messages
        self.call_id = f"{secrets.token_hex(8)}@v6-{user}"
        self.tag = f"{user}{secrets.token_hex(4)}"
        self.cseq = 0

    # -- addressing
    @property
    def contact_uri(self) -> str:
        return f"sip:{self.user}@[{HOST6}]:{self.port};transport={self.transport}"

    def via(self) -> str:
        return (f"SIP/2.0/{self.transport.upper()} [{HOST6}]:{self.port}"
                f";branch=z9hG4bK{secrets.token_hex(8)};rport")

    # -- wire
    def send(self, data: bytes) -> None:
        self.trace.append("> " + start_line(data))
        if self.transport == "udp":
            self.sock.sendto(data, (HOST6, self.server_port))
        else:
            self.sock.sendall(data)

    def _read(self, timeout: float) -> None:
        """Waits up to `timeout` for data and adds whole messages to `pending`."""
        self.sock.settimeout(max(timeout, 0.01))
        try:
            if self.transport == "udp":
                data, _ = self.sock.recvfrom(70000)
                messages = [data]
            else:
                data = self.sock.recv(65536)
                if not data:
                    raise harness.Failure(f"parley closed {self.user}'s {self.transport} "
                                          "connection\n" + "\n".join(self.trace))
                messages, self.buffer = split_stream(self.buffer + data)
        except (socket.timeout, TimeoutError, ssl.SSLWantReadError):
            return
        for m in messages:
            self.trace.append("< " + start_line(m))
            self.pending.append(m)

    def pump(self, timeout: float, until: Callable[[], bool] = lambda: False) -> None:
        """Answers relayed requests for up to `timeout` seconds or until until() holds."""
        deadline = time.monotonic() + timeout
        while not until() and time.monotonic() < deadline:
            self._read(min(0.1, deadline - time.monotonic()))
            self._answer_requests()

    def _answer_requests(self) -> None:
        for m in [m for m in self.pending if method_of(m)]:
            self.pending.remove(m)
            self.requests.append(m)
            self._answer(m)

    def _answer(self, request: bytes) -> None:
        method = method_of(request)
        if method == "ACK":
            return
        if method == "INVITE":
            sdp = (f"v=0\r\no={self.user} 1 1 IN IP6 {HOST6}\r\ns=-\r\nc=IN IP6 {HOST6}\r\n"
                   f"t=0 0\r\nm=audio 49180 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n").encode()
            self.send(self.response(request, 200, "OK", sdp, [f"Contact: <{self.contact_uri}>"],
                                    record_route=True))
        elif method in ("MESSAGE", "OPTIONS", "BYE"):
            self.send(self.response(request, 200, "OK"))
        else:
            self.send(self.response(request, 501, "Not Implemented"))

    def response(self, request: bytes, status: int, reason: str, body: bytes = b"",
                 extra: tuple = (), record_route: bool = False) -> bytes:
        """A response to `request` (RFC 3261 8.2.6.2; 12.1.1: a 2xx to INVITE copies the
        Record-Route set)."""
        lines = [f"SIP/2.0 {status} {reason}"]
        for line in head_lines(request)[1:]:
            name = line.partition(":")[0].strip().lower()
            if name in ("via", "v", "from", "f", "call-id", "i", "cseq") or (
                    record_route and name == "record-route"):
                lines.append(line)
            elif name in ("to", "t"):
                lines.append(line if ";tag=" in line else f"{line};tag={self.tag}")
        lines += list(extra)
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    # -- client transactions
    def build(self, method: str, ruri: str, to: str, extra: tuple = (),
              body: bytes = b"", content_type: str = "") -> bytes:
        self.cseq += 1
        lines = [f"{method} {ruri} SIP/2.0", f"Via: {self.via()}", "Max-Forwards: 70",
                 f"From: <sip:{self.user}@{DOMAIN}>;tag={self.tag}", f"To: <{to}>",
                 f"Call-ID: {self.call_id}", f"CSeq: {self.cseq} {method}",
                 f"Contact: <{self.contact_uri}>", *extra]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def final_response(self, request: bytes, timeout: float = REPLY_S) -> Optional[bytes]:
        """The final response to `request` (same Call-ID and CSeq), answering relayed
        requests meanwhile; None on timeout."""
        want = (header(request, "Call-ID"), cseq_of(request))
        found: list[bytes] = []

        def done() -> bool:
            for m in list(self.pending):
                if (not method_of(m) and (header(m, "Call-ID"), cseq_of(m)) == want):
                    self.pending.remove(m)
                    code = status_of(m)
                    if code is not None and code >= 200:
                        found.append(m)
            return bool(found)

        self.pump(timeout, until=done)
        return found[0] if found else None

    def transact(self, method: str, ruri: str, to: str, extra: tuple = (),
                 body: bytes = b"", content_type: str = "") -> list[bytes]:
        """Sends a request; a 401/407 is answered once with Digest credentials. Returns
        the final responses in order (the challenge, if any, then the answer)."""
        finals = []
        request = self.build(method, ruri, to, extra, body, content_type)
        for attempt in range(2):
            self.send(request)
            r = self.final_response(request)
            if r is None:
                raise harness.Failure(
                    f"no final response to {self.user}'s {method} over {self.transport} "
                    f"within {REPLY_S}s\n" + "\n".join(self.trace))
            finals.append(r)
            code = status_of(r)
            if code not in (401, 407) or attempt == 1:
                return finals
            www = code == 401
            challenge = header(r, "WWW-Authenticate" if www else "Proxy-Authenticate")
            auth = credentials(challenge, method, ruri, self.user, self.password)
            name = "Authorization" if www else "Proxy-Authorization"
            request = self.build(method, ruri, to, (*extra, f"{name}: {auth}"), body,
                                 content_type)
        return finals

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


# ----------------------------------------------------------------------------- SIPp

class Sipp:
    """One SIPp process on [::1]; its label names its trace files in srv.dir."""

    def __init__(self, srv: harness.ParleyServer, label: str) -> None:
        self.srv = srv
        self.label = label
        self.proc: Optional[subprocess.Popen] = None

    def path(self, kind: str) -> Path:
        return self.srv.dir / f"sipp-{self.label}-{kind}.log"

    def args(self, scenario: Path, transport: str, port: int, *extra, uac: bool = True) -> list:
        remote = [f"[{HOST6}]:{self.srv.sip_port}"] if uac else []
        return ["sipp", *remote, "-sf", scenario, "-i", HOST6, "-p", port, "-t", transport,
                "-m", "1", "-nostdin", "-cp", free_port_v6(udp=True, tcp=False, avoid=[port]),
                *SIPP_LIMITS, *extra,
                "-trace_err", "-error_file", self.path("errors"),
                "-trace_msg", "-message_file", self.path("messages"),
                "-trace_logs", "-log_file", self.path("logs")]

    def spawn(self, args: list) -> subprocess.Popen:
        self.proc = harness.spawn(f"sipp-{self.label}", args, self.path("stdout"),
                                  cwd=self.srv.dir)
        return self.proc

    def wait(self, timeout: float, ua: Optional[Ua] = None) -> Optional[int]:
        """Waits for SIPp to end (answering `ua`'s relayed requests meanwhile); its exit
        code, None if it had to be stopped."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            if ua is not None:
                ua.pump(0.1)
            else:
                time.sleep(0.05)
        rc = self.proc.poll()
        if rc is None:
            harness.stop_process(self.proc, f"sipp-{self.label}")
        harness.REGISTRY.forget(self.proc)
        return rc

    def run(self, args: list, ua: Optional[Ua] = None, timeout: float = SIPP_S) -> Optional[int]:
        self.spawn(args)
        return self.wait(timeout, ua)

    def lines(self, prefix: str) -> list[str]:
        try:
            text = self.path("logs").read_text(errors="replace")
        except OSError:
            return []
        return [line.strip() for line in text.splitlines() if line.startswith(prefix)]

    def received(self, method: str) -> list[bytes]:
        """The messages SIPp received whose start line begins with `method`."""
        try:
            text = self.path("messages").read_text(errors="replace")
        except OSError:
            return []
        out = []
        for block in re.split(r"\n-{20,}[^\n]*\n", "\n" + text):
            m = re.match(r"\s*\S+ message received\b[^\n]*\n\s*(.*)", block, re.S)
            if m and m.group(1).startswith(method + " "):
                out.append(m.group(1).strip("\n").replace("\n", "\r\n").encode())
        return out

    def explain(self, rc: Optional[int] = None) -> str:
        parts = [f"sipp {self.label}: exit code {rc}"]
        for kind in ("errors", "logs", "messages", "stdout"):
            p = self.path(kind)
            if p.exists() and p.stat().st_size:
                parts.append(f"--- {p.name}:\n{harness.tail(p, 150)}")
        return "\n".join(parts)


# ----------------------------------------------------------------------------- the flows

class Flows:
    """The checks of one transport of alice's ('u1' UDP or 't1' TCP) against one parley
    on ::1, with bob registered over TLS."""

    def __init__(self, srv: harness.ParleyServer, sipp_transport: str) -> None:
        self.srv = srv
        self.t = sipp_transport
        self.name = "udp" if sipp_transport == "u1" else "tcp"
        self.T = self.name.upper()
        self.bob: Optional[Ua] = None

    def tls_certificate(self) -> None:
        step("TLS: parley's certificate verifies for ::1 and for localhost (its fqdn)")
        sans: tuple = ()
        for name in (HOST6, "localhost"):
            raw = socket.create_connection((HOST6, self.srv.tls_port), timeout=REPLY_S)
            try:
                with tls_context(self.srv).wrap_socket(raw, server_hostname=name) as s:
                    sans = s.getpeercert().get("subjectAltName", ())
                    version = s.version()
            except ssl.SSLError as e:
                raise harness.Failure(f"TLS handshake with [::1]:{self.srv.tls_port} as "
                                      f"{name!r} failed: {e}")
            check(True, f"TLS to [::1]:{self.srv.tls_port} as {name!r}: {version}, "
                        f"certificate verified against {self.srv.ca_path.name}")
        check(("IP Address", "0:0:0:0:0:0:0:1") in sans,
              "the server certificate's subjectAltName has IP ::1", repr(sans))

    def register_bob(self) -> None:
        step("TLS: bob registers over TLS on [::1] (401 -> Digest -> 200)")
        self.bob = Ua(self.srv, "tls", BOB, BOB_PASSWORD)
        finals = self.bob.transact("REGISTER", f"sip:{DOMAIN}", f"sip:{BOB}@{DOMAIN}",
                                   extra=("Expires: 300",))
        codes = [status_of(r) for r in finals]
        check(codes == [401, 200], f"REGISTER over TLS: {codes} (401 then 200)",
              "\n\n".join(m.decode(errors="replace") for m in finals))
        check(parse_challenge(header(finals[0], "WWW-Authenticate")).get("realm") == DOMAIN,
              f"the 401 challenges for realm {DOMAIN}", show(finals[0]))
        contacts = " ".join(headers(finals[1], "Contact", "m"))
        want = rf"<sip:{BOB}@{V6}:{self.bob.port};transport=tls>[^,]*;expires=[1-9]"
        check(re.search(want, contacts, re.I) is not None,
              f"the 200 lists bob's binding {self.bob.contact_uri} with expires", show(finals[1]))

    def options(self) -> None:
        step(f"OPTIONS to the server over {self.T} and TLS on [::1]: 200")
        ua = Ua(self.srv, self.name, ALICE, ALICE_PASSWORD)
        try:
            for who, port in ((ua, self.srv.sip_port), (self.bob, self.srv.tls_port)):
                for ruri in (f"sip:{DOMAIN}", f"sip:[{HOST6}]:{port}"):
                    finals = who.transact("OPTIONS", ruri, ruri)
                    code = status_of(finals[-1])
                    check(code == 200, f"OPTIONS {ruri} over {who.transport.upper()}: {code}",
                          show(finals[-1]))
                    vias = headers(finals[-1], "Via", "v")
                    check(len(vias) == 1 and vias[0].startswith(
                        f"SIP/2.0/{who.transport.upper()} [{HOST6}]:{who.port};"),
                          "the 200 carries our bracketed Via back", show(finals[-1]))
        finally:
            ua.close()

    def register_alice(self) -> None:
        step(f"{self.T}: alice registers with SIPp on [::1] (register.xml: 401 -> Digest "
             "-> 200, refresh, removal)")
        port = free_port_v6()
        sipp = Sipp(self.srv, f"register-alice-{self.name}")
        rc = sipp.run(sipp.args(SCENARIOS / "register.xml", self.t, port,
                                "-s", ALICE, "-au", ALICE, "-ap", ALICE_PASSWORD,
                                "-key", "domain", DOMAIN))
        check(rc == 0, f"SIPp register.xml over {self.T} on [::1] succeeded (exit 0)",
              sipp.explain(rc))
        registered = " ".join(sipp.lines("registered:"))
        check(re.search(rf"sip:{ALICE}@{V6}:{port};transport={self.name}[^,]*;expires=[1-9]",
                        registered, re.I) is not None,
              f"the 200 listed alice's binding sip:{ALICE}@[::1]:{port}", registered)

    def message_to_bob(self) -> None:
        step(f"{self.T} -> TLS: alice's SIPp sends bob a MESSAGE (407 -> Digest -> 200 "
             "from bob over TLS)")
        before = len(self.bob.requests)
        port = free_port_v6()
        sipp = Sipp(self.srv, f"message-alice-{self.name}")
        rc = sipp.run(sipp.args(SCENARIOS / "calls_message_uac.xml", self.t, port,
                                "-s", BOB, "-key", "caller", ALICE, "-au", ALICE,
                                "-ap", ALICE_PASSWORD, "-key", "domain", DOMAIN), ua=self.bob)
        self.bob.pump(0.2)
        got = [m for m in self.bob.requests[before:] if method_of(m) == "MESSAGE"]
        check(rc == 0, f"alice's SIPp calls_message_uac.xml over {self.T} succeeded (exit 0)",
              sipp.explain(rc) + "\nbob: " + "\n".join(self.bob.trace))
        check(len(got) == 1, f"bob received the MESSAGE once over TLS ({len(got)})",
              "\n".join(self.bob.trace))
        m = got[0]
        check(start_line(m).startswith(f"MESSAGE {self.bob.contact_uri} "),
              f"its Request-URI is bob's binding {self.bob.contact_uri}", show(m))
        check(b"page-mode hello from alice" in body_of(m), "its body is alice's text", show(m))
        self.expect_vias(m, f"bob's MESSAGE from alice ({self.T})", "TLS", self.srv.tls_port,
                         self.T, port)

    def expect_vias(self, m: bytes, what: str, top_t: str, top_port: int, second_t: str,
                    second_port: int) -> None:
        """Exactly two Vias: parley's on top, then the sender's, both bracketed ::1."""
        vias = [v for line in headers(m, "Via", "v") for v in line.split(",")]
        check(len(vias) == 2, f"{what}: two Vias (parley's and the sender's)", show(m))
        check(re.match(rf"SIP/2\.0/{top_t} {V6}:{top_port};branch=z9hG4bK", vias[0].strip())
              is not None, f"{what}: parley's Via is 'SIP/2.0/{top_t} [::1]:{top_port}'",
              show(m))
        check(re.match(rf"SIP/2\.0/{second_t} {V6}:{second_port};", vias[1].strip(), re.I)
              is not None, f"{what}: then the sender's 'SIP/2.0/{second_t} [::1]:"
                           f"{second_port}' Via", show(m))

    def call_bob(self) -> None:
        step(f"{self.T} -> TLS: alice's SIPp calls bob (INVITE -> 407 -> INVITE -> 200 -> "
             "ACK -> BYE): Record-Route with bracketed [::1]")
        before = len(self.bob.requests)
        port = free_port_v6()
        sipp = Sipp(self.srv, f"call-alice-{self.name}")
        rc = sipp.run(sipp.args(SCENARIOS / "calls_voice_uac.xml", self.t, port,
                                "-s", BOB, "-key", "caller", ALICE, "-au", ALICE,
                                "-ap", ALICE_PASSWORD, "-key", "domain", DOMAIN), ua=self.bob)
        self.bob.pump(0.2)
        got = self.bob.requests[before:]
        check(rc == 0, f"alice's SIPp calls_voice_uac.xml over {self.T} succeeded (exit 0)",
              sipp.explain(rc) + "\nbob: " + "\n".join(self.bob.trace))
        methods = [method_of(m) for m in got]
        check(methods == ["INVITE", "ACK", "BYE"],
              f"bob received INVITE, ACK, BYE over TLS ({methods})", "\n".join(self.bob.trace))
        invite = got[0]
        self.expect_vias(invite, f"bob's INVITE from alice ({self.T})", "TLS",
                         self.srv.tls_port, self.T, port)
        rr = uri_entries(headers(invite, "Record-Route"))
        check(bool(rr) and all(re.match(rf"<sip:{V6}:\d+[^>]*;lr[;>]", e) for e in rr),
              f"every Record-Route entry of bob's INVITE is parley's, bracketed and loose "
              f"({' '.join(rr)})", show(invite))
        check(any(re.match(rf"<sip:{V6}:{self.srv.tls_port};transport=tls", e, re.I)
                  for e in rr),
              f"one Record-Route entry names parley's TLS listener [::1]:{self.srv.tls_port}",
              show(invite))
        seen = " ".join(sipp.lines("CHECK record-route"))
        check(re.search(rf"<sip:{V6}:\d+[^>]*;lr", seen) is not None,
              f"alice's SIPp matched a bracketed [::1] Record-Route in the 200 ({seen})",
              sipp.explain(rc))
        oks = [m for m in sipp.received("SIP/2.0 200") if cseq_of(m)[1] == "INVITE"]
        check(len(oks) >= 1, "alice's trace shows the 200 for her INVITE", sipp.explain(rc))
        rr_alice = uri_entries(headers(oks[0], "Record-Route"))
        # RFC 3261 12.1.2: the UAC's route set is the Record-Route in reverse, so the
        # entry nearest alice (last) must be parley's listener on her transport
        check(rr_alice == rr and re.match(
                  rf"<sip:{V6}:{self.srv.sip_port};transport={self.name}\b", rr[-1], re.I)
              is not None,
              f"the 200 alice got carries the same Record-Route, the last entry parley's "
              f"[::1]:{self.srv.sip_port} for {self.T} ({' '.join(rr_alice)})", show(oks[0]))
        for m in got[1:]:
            routes = uri_entries(headers(m, "Route"))
            check(not routes, f"bob's {method_of(m)} came along the route set (parley popped "
                              "its Route entries)", show(m))
            check(start_line(m).startswith(f"{method_of(m)} {self.bob.contact_uri} "),
                  f"bob's {method_of(m)} is addressed to his Contact", show(m))

    def message_to_alice(self) -> None:
        step(f"TLS -> {self.T}: bob sends a MESSAGE over TLS to alice's SIPp UAS, "
             f"registered over {self.T} on [::1]")
        uas_port = free_port_v6()
        scenario = self.srv.dir / "register_contact_v6.xml"
        text = (SCENARIOS / "calls_register_contact.xml").read_text()
        widened = text.replace("sip:[^@]+@[0-9.]+:[0-9]+", r"sip:[^@]+@\[[0-9a-fA-F:]+\]:[0-9]+")
        check(widened != text, "calls_register_contact.xml's Contact check widened to IPv6")
        scenario.write_text(widened)
        reg = Sipp(self.srv, f"register-uas-{self.name}")
        rc = reg.run(reg.args(scenario, self.t, free_port_v6(avoid=[uas_port]),
                              "-s", ALICE, "-au", ALICE, "-ap", ALICE_PASSWORD,
                              "-key", "domain", DOMAIN, "-key", "contact_port", uas_port))
        check(rc == 0, f"SIPp registers sip:{ALICE}@[::1]:{uas_port} over {self.T} (401 -> "
                       "Digest -> 200)", reg.explain(rc))
        binding = " ".join(reg.lines("CHECK binding"))
        check(f"@[{HOST6}]:{uas_port};" in binding,
              f"the 200 lists the UAS contact [::1]:{uas_port}", binding)

        uas_scenario = self.srv.dir / "message_uas_v6.xml"
        uas_scenario.write_text(MESSAGE_UAS)
        uas = Sipp(self.srv, f"message-uas-{self.name}")
        uas.spawn(uas.args(uas_scenario, self.t, uas_port, "-s", ALICE, uac=False))
        wait_bound(uas, uas_port, tcp=self.t == "t1")
        finals = self.bob.transact("MESSAGE", f"sip:{ALICE}@{DOMAIN}", f"sip:{ALICE}@{DOMAIN}",
                                   body=b"page-mode hello from bob",
                                   content_type="text/plain; charset=UTF-8")
        codes = [status_of(r) for r in finals]
        uas_rc = uas.wait(UAS_READY_S * 2)
        check(codes == [407, 200], f"bob's MESSAGE over TLS: {codes} (407 then alice's 200)",
              "\n\n".join(m.decode(errors="replace") for m in finals) + "\n" + uas.explain(uas_rc))
        check(re.search(r";tag=alice", header(finals[-1], "To", "t")) is not None,
              "the 200 is alice's (her UAS's To tag)", show(finals[-1]))
        check(uas_rc == 0, f"alice's SIPp UAS got the MESSAGE over {self.T} and answered",
              uas.explain(uas_rc))
        got = uas.received("MESSAGE")
        check(len(got) >= 1, "the UAS's trace shows the MESSAGE", uas.explain(uas_rc))
        m = got[0]
        check(re.match(rf"MESSAGE sip:{ALICE}@{V6}:{uas_port};transport={self.name} ",
                       start_line(m), re.I) is not None,
              f"its Request-URI is alice's binding sip:{ALICE}@[::1]:{uas_port}", show(m))
        self.expect_vias(m, f"alice's MESSAGE from bob ({self.T})", self.T, self.srv.sip_port,
                         "TLS", self.bob.port)

    def finish(self) -> None:
        step(f"{self.T}: parley still running, no handler exceptions")
        self.srv.check_running()
        log = self.srv.log_path.read_text(errors="replace")
        threw = [line for line in log.splitlines() if "handler threw" in line]
        check(not threw, "parley's log has no 'handler threw' line", "\n".join(threw))
        if self.bob is not None:
            self.bob.close()


def wait_bound(sipp: Sipp, port: int, tcp: bool) -> None:
    """Waits until the SIPp UAS holds `port` on ::1."""
    deadline = time.monotonic() + UAS_READY_S
    while True:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
        try:
            if tcp:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((HOST6, port))
        except OSError:
            return
        finally:
            s.close()
        if sipp.proc.poll() is not None or time.monotonic() > deadline:
            raise harness.Failure(f"SIPp UAS does not hold [::1]:{port} "
                                  f"(exit code {sipp.proc.poll()})\n{sipp.explain()}")
        time.sleep(0.05)


def main() -> None:
    why_not = harness.ipv6_unavailable()
    if why_not:
        step("IPv6")
        info(f"SKIPPED: ::1 is not usable here ({why_not}); nothing ran")
        return
    harness.require_tool("sipp")
    for transport in ("u1", "t1"):
        # one parley per transport of alice's: a binding of one run cannot fork the other's
        with ParleyServerV6(f"ipv6-{transport}", users=USERS) as srv:
            started = time.monotonic()
            flows = Flows(srv, transport)
            flows.tls_certificate()
            flows.register_bob()
            flows.options()
            flows.register_alice()
            flows.message_to_bob()
            flows.call_bob()
            flows.message_to_alice()
            flows.finish()
            info(f"{flows.T} part took {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    harness.run_test(main, deadline=120)
