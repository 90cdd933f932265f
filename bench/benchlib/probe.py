"""The latency probe: a small SIP UAC and UAS of our own, timed with time.monotonic_ns.

SIPp 3.6.1 times responses with a 4 ms-granular clock on this kernel, so p50/p99 come from
here instead: a few dozen authenticated requests a second beside the SIPp load, over UDP (or
one TCP connection for the TCP scenario), Digest MD5 with qop=auth (RFC 7616, RFC 3261 22).
Only the server's time is counted (see Probe).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from .common import DOMAIN, HOST, PROBE_USERS
from .users import ha1

COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact",
           "l": "content-length", "c": "content-type"}


@dataclass
class SipMsg:
    first: str
    headers: list[tuple[str, str]]    # (lower-case full name, value) in order
    body: bytes = b""

    @property
    def is_response(self) -> bool:
        return self.first.startswith("SIP/2.0 ")

    @property
    def status(self) -> int:
        return int(self.first.split()[1]) if self.is_response else 0

    @property
    def method(self) -> str:
        return self.first.split()[0] if not self.is_response else self.get("cseq").split()[-1]

    def get(self, name: str) -> str:
        for n, v in self.headers:
            if n == name:
                return v
        return ""

    def all(self, name: str) -> list[str]:
        out = []
        for n, v in self.headers:
            if n == name:
                out.extend(split_commas(v) if name in ("via", "record-route") else [v])
        return out


def split_commas(value: str) -> list[str]:
    out, depth, quoted, cur = [], 0, False, ""
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth -= 1
        if ch == "," and not quoted and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def parse_sip(data: bytes) -> Optional[SipMsg]:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode(errors="replace").split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
            continue
        name, _, value = line.partition(":")
        name = name.strip().lower()
        headers.append((COMPACT.get(name, name), value.strip()))
    return SipMsg(lines[0], headers, body)


class Transport:
    """The probe's one socket: UDP, or one TCP connection, to the server."""

    def __init__(self, port: int, tcp: bool) -> None:
        self.tcp = tcp
        self.server = (HOST, port)
        if tcp:
            self.sock = socket.create_connection(self.server, timeout=5)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((HOST, 0))
        self.local_port = self.sock.getsockname()[1]
        self.buf = b""
        self.name = "TCP" if tcp else "UDP"

    def send(self, text: str) -> None:
        data = text.replace("\n", "\r\n").encode()
        if self.tcp:
            self.sock.sendall(data)
        else:
            self.sock.sendto(data, self.server)

    def recv(self, timeout: float) -> Optional[SipMsg]:
        deadline = time.monotonic() + timeout
        while True:
            if self.tcp:
                msg = self._frame()
                if msg is not None:
                    return msg
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65535)
            except (socket.timeout, BlockingIOError):
                return None
            if not self.tcp:
                return parse_sip(data)
            if not data:
                raise ConnectionError("the server closed the probe's TCP connection")
            self.buf += data

    def _frame(self) -> Optional[SipMsg]:
        while self.buf.startswith(b"\r\n"):
            self.buf = self.buf[2:]
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        msg = parse_sip(self.buf[:end + 4])
        length = int((msg.get("content-length") or "0").strip() or 0) if msg else 0
        if len(self.buf) < end + 4 + length:
            return None
        msg.body = self.buf[end + 4:end + 4 + length]
        self.buf = self.buf[end + 4 + length:]
        return msg

    def close(self) -> None:
        self.sock.close()


def digest_header(challenge: SipMsg, user: str, password: str, method: str, uri: str) -> str:
    """Authorization / Proxy-Authorization for the challenge (RFC 2617 / 7616, MD5, qop=auth)."""
    name = "www-authenticate" if challenge.status == 401 else "proxy-authenticate"
    params = {}
    for value in challenge.all(name):
        if not value.lower().startswith("digest"):
            continue
        p = dict((k.lower(), v.strip('"')) for k, v in
                 re.findall(r'(\w+)\s*=\s*("[^"]*"|[^\s,]+)', value[6:]))
        if p.get("algorithm", "MD5").upper() == "MD5":
            params = p
            break
    realm, nonce = params.get("realm", ""), params.get("nonce", "")
    h1 = ha1(user, realm, password)
    h2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
    out = f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", algorithm=MD5'
    if "auth" in [q.strip() for q in params.get("qop", "").split(",")]:
        cnonce = secrets.token_hex(8)
        resp = hashlib.md5(f"{h1}:{nonce}:00000001:{cnonce}:auth:{h2}".encode()).hexdigest()
        out += f', response="{resp}", qop=auth, nc=00000001, cnonce="{cnonce}"'
    else:
        resp = hashlib.md5(f"{h1}:{nonce}:{h2}".encode()).hexdigest()
        out += f', response="{resp}"'
    if "opaque" in params:
        out += f', opaque="{params["opaque"]}"'
    hname = "Authorization" if challenge.status == 401 else "Proxy-Authorization"
    return f"{hname}: {out}"


class ProbeError(Exception):
    pass


class Probe:
    """A latency probe of our own: authenticated requests at a steady low rate.

    Times (time.monotonic_ns) only what the server does: for REGISTER, the authenticated
    REGISTER to its 200; for MESSAGE and INVITE, which the probe answers itself at its own
    registered Contact, the authenticated request until it arrives relayed plus the probe's
    200 until it arrives relayed back (the probe's own turnaround left out)."""

    def __init__(self, port: int, kind: str, tcp: bool) -> None:
        self.port, self.kind, self.tcp = port, kind, tcp
        self.samples_ms: list[float] = []
        self.errors: dict[str, int] = {}
        self.stop_event = threading.Event()
        self.thread: Optional[threading.Thread] = None
        self.t = Transport(port, tcp)
        self.caller, self.callee = PROBE_USERS
        self.pw = {u: f"{u}-secret" for u in PROBE_USERS}

    # -- messages
    def _via(self) -> str:
        return (f"Via: SIP/2.0/{self.t.name} {HOST}:{self.t.local_port};"
                f"branch=z9hG4bK{secrets.token_hex(10)};rport")

    def _contact(self, user: str) -> str:
        return f"sip:{user}@{HOST}:{self.t.local_port};transport={self.t.name.lower()}"

    def _expect(self, want: Callable[[SipMsg], bool], timeout: float = 2.0) -> SipMsg:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            msg = self.t.recv(left) if left > 0 else None
            if msg is None:
                raise ProbeError("timeout")
            if want(msg):
                return msg
            if msg.is_response and msg.status >= 300 and msg.get("call-id") == self._call_id:
                raise ProbeError(f"{msg.status} {msg.first.split(' ', 2)[-1]} to {msg.method}")

    def _final(self, method: str) -> Callable[[SipMsg], bool]:
        return lambda m: (m.is_response and m.status >= 200 and m.method == method
                          and m.get("call-id") == self._call_id)

    def _request_in(self, method: str) -> Callable[[SipMsg], bool]:
        return lambda m: (not m.is_response and m.first.startswith(method + " ")
                          and m.get("call-id") == self._call_id)

    def _answer(self, req: SipMsg, status: str = "200 OK", rr: bool = False) -> str:
        lines = [f"SIP/2.0 {status}"] + [f"Via: {v}" for v in req.all("via")]
        if rr:
            lines += [f"Record-Route: {v}" for v in req.all("record-route")]
        to = req.get("to")
        if ";tag=" not in to:
            to += f";tag=uas{secrets.token_hex(4)}"
        lines += [f"From: {req.get('from')}", f"To: {to}", f"Call-ID: {req.get('call-id')}",
                  f"CSeq: {req.get('cseq')}", f"Contact: <{self._contact(self.callee)}>",
                  "Content-Length: 0", "", ""]
        return "\n".join(lines)

    def _request(self, method: str, ruri: str, user: str, to: str, cseq: int,
                 extra: Sequence[str] = (), body: str = "") -> str:
        self._last_via = self._via()
        lines = [f"{method} {ruri} SIP/2.0", self._last_via, "Max-Forwards: 70",
                 f"From: <sip:{user}@{DOMAIN}>;tag={self._tag}", f"To: {to}",
                 f"Call-ID: {self._call_id}", f"CSeq: {cseq} {method}", *extra]
        if body:
            lines += ["Content-Type: text/plain", f"Content-Length: {len(body)}", "", body]
        else:
            lines += ["Content-Length: 0", "", ""]
        return "\n".join(lines)

    def _in_dialog(self, method: str, cseq: int, target: str, routes: Sequence[str],
                   to: str) -> str:
        """A request of the caller's dialog, sent to the server along `routes`."""
        return "\n".join([f"{method} {target} SIP/2.0", self._via(), *routes, "Max-Forwards: 70",
                          f"From: <sip:{self.caller}@{DOMAIN}>;tag={self._tag}", f"To: {to}",
                          f"Call-ID: {self._call_id}", f"CSeq: {cseq} {method}",
                          "Content-Length: 0", "", ""])

    def _new_call(self) -> None:
        self._call_id = f"probe-{secrets.token_hex(8)}"
        self._tag = secrets.token_hex(4)

    # -- flows
    def register(self, user: str, timed: bool) -> Optional[float]:
        self._new_call()
        uri = f"sip:{DOMAIN}"
        extra = [f"Contact: <{self._contact(user)}>", "Expires: 3600"]
        to = f"<sip:{user}@{DOMAIN}>"
        self.t.send(self._request("REGISTER", uri, user, to, 1, extra))
        ch = self._expect(self._final("REGISTER"))
        if ch.status != 401:
            raise ProbeError(f"{ch.status} to REGISTER without credentials")
        auth = digest_header(ch, user, self.pw[user], "REGISTER", uri)
        t0 = time.monotonic_ns()
        self.t.send(self._request("REGISTER", uri, user, to, 2, [*extra, auth]))
        ok = self._expect(self._final("REGISTER"))
        t1 = time.monotonic_ns()
        if ok.status != 200:
            raise ProbeError(f"{ok.status} to the authenticated REGISTER")
        return (t1 - t0) / 1e6 if timed else None

    def message(self) -> float:
        self._new_call()
        ruri, to = f"sip:{self.callee}@{DOMAIN}", f"<sip:{self.callee}@{DOMAIN}>"
        body = "probe"
        self.t.send(self._request("MESSAGE", ruri, self.caller, to, 1, body=body))
        ch = self._expect(self._final("MESSAGE"))
        if ch.status != 407:
            raise ProbeError(f"{ch.status} to MESSAGE without credentials")
        auth = digest_header(ch, self.caller, self.pw[self.caller], "MESSAGE", ruri)
        t0 = time.monotonic_ns()
        self.t.send(self._request("MESSAGE", ruri, self.caller, to, 2, [auth], body))
        relayed = self._expect(self._request_in("MESSAGE"))
        t1 = time.monotonic_ns()
        t2 = time.monotonic_ns()
        self.t.send(self._answer(relayed))
        self._expect(lambda m: self._final("MESSAGE")(m) and m.status == 200)
        t3 = time.monotonic_ns()
        return ((t1 - t0) + (t3 - t2)) / 1e6

    def invite(self) -> float:
        self._new_call()
        ruri, to = f"sip:{self.callee}@{DOMAIN}", f"<sip:{self.callee}@{DOMAIN}>"
        contact = f"Contact: <{self._contact(self.caller)}>"
        self.t.send(self._request("INVITE", ruri, self.caller, to, 1, [contact]))
        ch = self._expect(self._final("INVITE"))
        if ch.status != 407:
            raise ProbeError(f"{ch.status} to INVITE without credentials")
        # the ACK for a non-2xx final response repeats the INVITE's Via (RFC 3261 17.1.1.3)
        self.t.send("\n".join([f"ACK {ruri} SIP/2.0", self._last_via, "Max-Forwards: 70",
                               f"From: {ch.get('from')}", f"To: {ch.get('to')}",
                               f"Call-ID: {self._call_id}", "CSeq: 1 ACK",
                               "Content-Length: 0", "", ""]))
        auth = digest_header(ch, self.caller, self.pw[self.caller], "INVITE", ruri)
        t0 = time.monotonic_ns()
        self.t.send(self._request("INVITE", ruri, self.caller, to, 2, [contact, auth]))
        relayed = self._expect(self._request_in("INVITE"))
        t1 = time.monotonic_ns()
        t2 = time.monotonic_ns()
        self.t.send(self._answer(relayed, rr=True))
        ok = self._expect(lambda m: self._final("INVITE")(m) and m.status == 200)
        t3 = time.monotonic_ns()
        # ACK and BYE along the route set (RFC 3261 12.1.2: Record-Route reversed)
        routes = [f"Route: {r}" for r in reversed(ok.all("record-route"))]
        target = re.search(r"<([^>]+)>", ok.get("contact"))
        dialog = (target.group(1) if target else ruri, routes, ok.get("to"))
        self.t.send(self._in_dialog("ACK", 2, *dialog))
        self._expect(self._request_in("ACK"))
        self.t.send(self._in_dialog("BYE", 3, *dialog))
        bye = self._expect(self._request_in("BYE"))
        self.t.send(self._answer(bye))
        self._expect(lambda m: self._final("BYE")(m) and m.status == 200)
        return ((t1 - t0) + (t3 - t2)) / 1e6

    def prepare(self) -> None:
        """Registers the probe's callee at the probe's own address (before any load)."""
        self.register(self.callee, timed=False)

    def once(self) -> float:
        if self.kind == "register":
            return self.register(self.caller, timed=True)
        if self.kind == "message":
            return self.message()
        return self.invite()

    # -- the background loop
    def run(self, rate: float) -> None:
        period = 1.0 / rate
        nxt = time.monotonic()
        for _ in range(10_000_000):     # bounded: stopped by stop_event long before
            if self.stop_event.is_set():
                return
            try:
                self.samples_ms.append(self.once())
            except (ProbeError, OSError) as e:
                key = str(e) or type(e).__name__
                self.errors[key] = self.errors.get(key, 0) + 1
                time.sleep(0.05)
                self._drain()
            nxt += period
            delay = nxt - time.monotonic()
            if delay > 0:
                self.stop_event.wait(delay)
            else:
                nxt = time.monotonic()

    def _drain(self) -> None:
        for _ in range(100):
            if self.t.recv(0.01) is None:
                return

    def start(self, rate: float) -> None:
        self.thread = threading.Thread(target=self.run, args=(rate,), daemon=True)
        self.thread.start()

    def finish(self) -> None:
        self.stop_event.set()
        if self.thread:
            self.thread.join(timeout=5)
        self.t.close()


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    if not values:
        return None
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(q * (len(v) - 1)))))
    return v[k]
