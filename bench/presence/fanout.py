#!/usr/bin/env python3
"""presence-fanout load generator: N watchers of one presentity and its publisher (issue 6).

    python3 bench/presence/fanout.py --port PORT [--watchers 1000] [--rates 2,4,8 | --search]
                                     [--server-pids 123,456] --out result.json

One process, one thread, two UDP sockets on 127.0.0.1 (standard library only):

  * watchers: user i (b000001 ... b001000, password pw000001x ...) holds an RFC 3856
    subscription (SUBSCRIBE, Event: presence, Accept: application/pidf+xml, Expires 600)
    to the presentity, answering a 401/407 with Digest (MD5, qop=auth) once. All watchers
    share one socket (their Contacts differ by user part); every NOTIFY is answered 200 at
    once, retransmissions included (counted once).
  * publisher: the presentity (user watchers+1) publishes its state, RFC 3903: a first
    PUBLISH without SIP-If-Match, then one PUBLISH per change with SIP-If-Match set to the
    last SIP-ETag, its PIDF alternating open/closed and RPID busy/away, with a marker
    <note>bench-change K</note> that identifies the change in every NOTIFY. At most one
    PUBLISH is outstanding (the next needs the ETag its 200 returns), so a server that
    cannot keep up shows as a change rate below the target. Its Digest nonce is reused
    with a growing nonce-count until the server challenges again.

A step: `rate` changes a second for `seconds`; then up to --grace seconds for the last
NOTIFYs. A server may put in a NOTIFY the state current when it sends it, so a NOTIFY
caused by change K can carry K+1: a watcher "has" change K once it got K or a later one.
The step passes when at least 95% of the target change rate was achieved, the NOTIFYs
(retransmissions aside) number at least 99% of changes x watchers, the watchers had
99% of the changes, none got a stale NOTIFY (a higher CSeq with an older change than one
it already had, which leaves it showing an old state) and no subscription ended.
NOTIFYs/s = NOTIFYs of the step's changes / (first PUBLISH to last NOTIFY). Latency of
a change: its PUBLISH sent (the authenticated one) to when the last watcher had it.
The server's CPU (utime+stime of --server-pids, /proc) and this process's own are read at
the step's start and end.

Writes one JSON object (subscription phase, steps, latency step) to --out.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import secrets
import select
import socket
import sys
import time
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchlib.common import DOMAIN, HOST                            # noqa: E402
from benchlib.probe import parse_sip, percentile                    # noqa: E402
from benchlib.procs import cpu_seconds, udp_receive_drops           # noqa: E402
from benchlib.users import ha1, user_name, user_password            # noqa: E402

MARK = re.compile(rb"bench-change (\d+)")
KEEP = {b"via", b"v", b"from", b"f", b"to", b"t", b"call-id", b"i", b"cseq"}
SOCK_BUFFER = 8 << 20        # the watchers' receive buffer: they should not be what drops


class Auth:
    """Digest credentials for one user: the last challenge, reused with nc growing."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.params: Optional[dict] = None
        self.status = 0
        self.nc = 0

    def challenged(self, msg) -> None:
        self.status = msg.status
        name = "www-authenticate" if msg.status == 401 else "proxy-authenticate"
        for value in msg.all(name):
            if value.lower().startswith("digest"):
                p = dict((k.lower(), v.strip('"')) for k, v in
                         re.findall(r'(\w+)\s*=\s*("[^"]*"|[^\s,]+)', value[6:]))
                if p.get("algorithm", "MD5").upper() == "MD5":
                    self.params, self.nc = p, 0
                    return

    def header(self, method: str, uri: str) -> str:
        if not self.params:
            return ""
        p = self.params
        realm, nonce = p.get("realm", ""), p.get("nonce", "")
        h1 = ha1(self.user, realm, self.password)
        h2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
        out = (f'Digest username="{self.user}", realm="{realm}", nonce="{nonce}", '
               f'uri="{uri}", algorithm=MD5')
        if "auth" in [q.strip() for q in p.get("qop", "").split(",")]:
            self.nc += 1
            nc, cnonce = f"{self.nc:08x}", secrets.token_hex(8)
            resp = hashlib.md5(f"{h1}:{nonce}:{nc}:{cnonce}:auth:{h2}".encode()).hexdigest()
            out += f', response="{resp}", qop=auth, nc={nc}, cnonce="{cnonce}"'
        else:
            resp = hashlib.md5(f"{h1}:{nonce}:{h2}".encode()).hexdigest()
            out += f', response="{resp}"'
        if "opaque" in p:
            out += f', opaque="{p["opaque"]}"'
        name = "Authorization" if self.status == 401 else "Proxy-Authorization"
        return f"{name}: {out}\r\n"


class Watcher:
    __slots__ = ("i", "user", "call_id", "tag", "cseq", "auth", "state", "sent_at", "tries",
                 "branch", "to_tag", "last_notify_cseq", "notifies", "terminated", "last_change",
                 "out_of_order", "status")

    def __init__(self, i: int) -> None:
        self.i = i
        self.user = user_name(i)
        self.call_id = f"w{i}-{secrets.token_hex(6)}@{HOST}"
        self.tag = secrets.token_hex(4)
        self.cseq = 0
        self.auth = Auth(self.user, user_password(i))
        self.state = "new"        # new -> sent -> subscribed (2xx) ; failed
        self.sent_at = 0.0
        self.tries = 0
        self.branch = ""
        self.to_tag = ""
        self.last_notify_cseq = -1
        self.notifies = 0
        self.terminated = False
        self.last_change = -1
        self.out_of_order = 0
        self.status = 0


class Fanout:
    def __init__(self, a: argparse.Namespace) -> None:
        self.a = a
        self.server = (HOST, a.port)
        self.wsock = self._socket()
        self.psock = self._socket()
        self.wport = self.wsock.getsockname()[1]
        self.pport = self.psock.getsockname()[1]
        self.ep = select.epoll()
        self.ep.register(self.wsock.fileno(), select.EPOLLIN)
        self.ep.register(self.psock.fileno(), select.EPOLLIN)
        self.watchers = [Watcher(i) for i in range(1, a.watchers + 1)]
        self.by_call = {w.call_id.encode(): w for w in self.watchers}
        self.presentity = a.presentity or user_name(a.watchers + 1)
        self.pres_uri = f"sip:{self.presentity}@{DOMAIN}"
        self.pub_auth = Auth(self.presentity, a.presentity_password or
                             user_password(a.watchers + 1))
        self.pub_call = f"pub-{secrets.token_hex(6)}@{HOST}"
        self.pub_tag = secrets.token_hex(4)
        self.pub_cseq = 0
        self.etag = ""
        self.pub_out: Optional[dict] = None      # the outstanding PUBLISH
        self.pub_retransmissions = 0
        self.pub_errors: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        # per change: PUBLISH time, NOTIFYs received, last arrival
        self.pub_time: dict[int, float] = {}
        self.got: dict[int, int] = {}
        self.last_at: dict[int, float] = {}
        self.first_at: dict[int, float] = {}
        # per change: watchers that have received it or a later one, and when the last did
        self.reached: dict[int, int] = {}
        self.reached_at: dict[int, float] = {}
        self.stale = 0
        self.unmarked = 0
        self.notify_total = 0
        self.duplicates = 0
        self.branch_n = 0
        self.sample_notifies: Optional[list] = None   # per-NOTIFY latency in the latency step
        self.first_notify_text = ""

    def _socket(self) -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for opt, force in ((socket.SO_RCVBUF, 33), (socket.SO_SNDBUF, 32)):   # *BUFFORCE
            try:
                s.setsockopt(socket.SOL_SOCKET, force, SOCK_BUFFER)
            except OSError:
                s.setsockopt(socket.SOL_SOCKET, opt, SOCK_BUFFER)
        s.bind((HOST, 0))
        s.setblocking(False)
        return s

    def err(self, key: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1

    def _branch(self) -> str:
        self.branch_n += 1
        return f"z9hG4bK{secrets.token_hex(4)}{self.branch_n}"

    # ------------------------------------------------------------------ watchers

    def send_subscribe(self, w: Watcher, new_cseq: bool = True) -> None:
        if new_cseq:
            w.cseq += 1
            w.branch = self._branch()
        uri = self.pres_uri
        to_tag = f";tag={w.to_tag}" if w.to_tag else ""
        msg = (f"SUBSCRIBE {uri} SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP {HOST}:{self.wport};branch={w.branch};rport\r\n"
               f"Max-Forwards: 70\r\n"
               f"From: <sip:{w.user}@{DOMAIN}>;tag={w.tag}\r\n"
               f"To: <{uri}>{to_tag}\r\n"
               f"Call-ID: {w.call_id}\r\n"
               f"CSeq: {w.cseq} SUBSCRIBE\r\n"
               f"Contact: <sip:{w.user}@{HOST}:{self.wport}>\r\n"
               f"Event: presence\r\nAccept: application/pidf+xml\r\n"
               f"Expires: {self.a.expires}\r\n"
               + w.auth.header("SUBSCRIBE", uri) +
               "User-Agent: parley-bench-fanout\r\nContent-Length: 0\r\n\r\n")
        self.wsock.sendto(msg.encode(), self.server)
        w.sent_at = time.monotonic()
        w.state = "sent"

    def on_watcher(self, data: bytes, addr) -> None:
        if data[:8] == b"SIP/2.0 ":
            self.on_subscribe_response(data)
            return
        end = data.find(b"\r\n\r\n")
        if end < 0:
            self.err("a datagram without a header end")
            return
        lines = data[:end].split(b"\r\n")
        out = [b"SIP/2.0 200 OK"]
        call_id = cseq = b""
        terminated = False
        for line in lines[1:]:
            colon = line.find(b":")
            name = line[:colon].strip().lower()
            if name in KEEP:
                out.append(line)
                if name == b"call-id" or name == b"i":
                    call_id = line[colon + 1:].strip()
                elif name == b"cseq":
                    cseq = line[colon + 1:].strip()
            elif name == b"subscription-state" and b"terminated" in line.lower():
                terminated = True
        out.append(b"Content-Length: 0\r\n\r\n")
        self.wsock.sendto(b"\r\n".join(out), addr)
        if not lines[0].startswith(b"NOTIFY "):
            self.err(f"unexpected request {lines[0][:40]!r}")
            return
        now = time.monotonic()
        w = self.by_call.get(call_id)
        if w is None:
            self.err("NOTIFY for an unknown Call-ID")
            return
        try:
            n = int(cseq.split()[0])
        except (ValueError, IndexError):
            n = -1
        if n <= w.last_notify_cseq:
            self.duplicates += 1
            return
        w.last_notify_cseq = n
        w.notifies += 1
        self.notify_total += 1
        if not self.first_notify_text:
            self.first_notify_text = data.decode(errors="replace")[:3000]
        if terminated:
            w.terminated = True
            self.err("NOTIFY with Subscription-State: terminated")
        m = MARK.search(data, end)
        if not m:
            self.unmarked += 1
            return
        k = int(m.group(1))
        self.got[k] = self.got.get(k, 0) + 1
        self.last_at[k] = now
        if k < w.last_change:
            # a later NOTIFY (higher CSeq) with an older state than one already sent:
            # the watcher is left with stale state until the next change
            w.out_of_order += 1
            self.stale += 1
            return
        # the watcher now knows change k or a later one, for every change up to k
        # (a server may send the state current when it sends, so a NOTIFY can carry a
        # later change than the one that caused it)
        for c in range(max(w.last_change + 1, k - 1000), k + 1):
            self.reached[c] = self.reached.get(c, 0) + 1
            self.reached_at[c] = now
            if self.sample_notifies is not None and c in self.pub_time:
                self.sample_notifies.append(now - self.pub_time[c])
        w.last_change = k

    def on_subscribe_response(self, data: bytes) -> None:
        msg = parse_sip(data)
        if msg is None:
            self.err("an unparsable response")
            return
        w = self.by_call.get(msg.get("call-id").encode())
        if w is None:
            self.err("a response for an unknown Call-ID")
            return
        try:
            if int(msg.get("cseq").split()[0]) != w.cseq:
                return                            # a retransmission's answer
        except ValueError:
            return
        st = msg.status
        if st < 200:
            return
        w.status = st
        if st in (401, 407) and w.tries < 3 and w.state == "sent":
            w.tries += 1
            w.auth.challenged(msg)
            self.send_subscribe(w)
        elif 200 <= st < 300:
            w.state = "subscribed"
            m = re.search(r";\s*tag=([^;>\s]+)", msg.get("to"))
            w.to_tag = m.group(1) if m else ""
        else:
            w.state = "failed"
            self.err(f"SUBSCRIBE answered {msg.first[8:60]}")

    # ------------------------------------------------------------------ publisher

    def body(self, k: int) -> str:
        basic, activity = ("open", "busy") if k % 2 else ("closed", "away")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
                'xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" '
                'xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" '
                f'entity="{self.pres_uri}">\n'
                f' <tuple id="t1"><status><basic>{basic}</basic></status>'
                f'<note>bench-change {k}</note></tuple>\n'
                f' <dm:person id="p1"><rpid:activities><rpid:{activity}/></rpid:activities>'
                '</dm:person>\n</presence>\n')

    def send_publish(self, k: int, retry: bool = False) -> None:
        self.pub_cseq += 1
        body = self.body(k).encode()
        ifm = f"SIP-If-Match: {self.etag}\r\n" if self.etag else ""
        msg = (f"PUBLISH {self.pres_uri} SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP {HOST}:{self.pport};branch={self._branch()};rport\r\n"
               f"Max-Forwards: 70\r\n"
               f"From: <{self.pres_uri}>;tag={self.pub_tag}\r\n"
               f"To: <{self.pres_uri}>\r\n"
               f"Call-ID: {self.pub_call}\r\n"
               f"CSeq: {self.pub_cseq} PUBLISH\r\n"
               f"Event: presence\r\nExpires: {self.a.expires}\r\n{ifm}"
               + self.pub_auth.header("PUBLISH", self.pres_uri) +
               "Content-Type: application/pidf+xml\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        now = time.monotonic()
        self.psock.sendto(msg, self.server)
        self.pub_out = {"k": k, "cseq": self.pub_cseq, "sent": now, "raw": msg,
                        "first": (self.pub_out or {}).get("first", now) if retry else now,
                        "next": now + 0.5, "interval": 0.5,
                        "tries": (self.pub_out or {}).get("tries", 0) if retry else 0}
        self.pub_time[k] = now          # the last (authenticated) send of this change

    def retransmit_publish(self) -> bool:
        """RFC 3261 17.1.2.2 over UDP: the same PUBLISH again at 0.5, 1, 2, 4, 4 ... s;
        False (and the change given up) once it has gone unanswered for 8 s."""
        out = self.pub_out
        now = time.monotonic()
        if out is None or now < out["next"]:
            return True
        if now - out["sent"] > 8.0:
            self.err("publisher: PUBLISH unanswered for 8 s (given up)")
            self.pub_out = None
            return False
        self.psock.sendto(out["raw"], self.server)
        out["interval"] = min(out["interval"] * 2, 4.0)
        out["next"] = now + out["interval"]
        self.pub_retransmissions += 1
        return True

    def on_publisher(self, data: bytes) -> None:
        msg = parse_sip(data)
        if msg is None or not msg.is_response:
            self.err("publisher: not a response")
            return
        out = self.pub_out
        try:
            cseq = int(msg.get("cseq").split()[0])
        except ValueError:
            return
        if out is None or cseq != out["cseq"] or msg.status < 200:
            return
        st = msg.status
        if st in (401, 407) and out["tries"] < 3:
            out["tries"] += 1
            self.pub_auth.challenged(msg)
            self.send_publish(out["k"], retry=True)
        elif 200 <= st < 300:
            self.etag = msg.get("sip-etag") or self.etag
            out["done"] = time.monotonic()
            self.pub_out = None
        elif st == 412 and out["tries"] < 3:        # RFC 3903 6: publish afresh
            self.etag = ""
            out["tries"] += 1
            self.pub_errors["412 Conditional Request Failed"] = \
                self.pub_errors.get("412 Conditional Request Failed", 0) + 1
            self.send_publish(out["k"], retry=True)
        else:
            key = f"PUBLISH answered {msg.first[8:60]}"
            self.pub_errors[key] = self.pub_errors.get(key, 0) + 1
            self.pub_out = None

    # ------------------------------------------------------------------ loop

    def pump(self, timeout: float) -> None:
        """Waits up to `timeout` s and handles everything that arrived on both sockets."""
        for fd, _ev in self.ep.poll(max(0.0, timeout)):
            sock, handler = ((self.wsock, self.on_watcher) if fd == self.wsock.fileno()
                             else (self.psock, self.on_publisher))
            for _ in range(4096):
                try:
                    data, addr = sock.recvfrom(65535)
                except BlockingIOError:
                    break
                handler(data, addr) if sock is self.wsock else handler(data)

    def publish_and_wait(self, k: int, timeout: float = 5.0) -> bool:
        self.send_publish(k)
        deadline = time.monotonic() + timeout
        while self.pub_out is not None and time.monotonic() < deadline:
            self.pump(0.05)
            self.retransmit_publish()
        return self.pub_out is None and bool(self.etag)

    def settle(self, pause: float, quiet: float = 1.0, cap: float = 15.0) -> None:
        """Waits `pause`, and on until no NOTIFY has come for `quiet` s (a server still
        retransmitting NOTIFYs whose 200 it lost), at most `cap` s: steps stay apart."""
        t0 = time.monotonic()
        while True:
            before = self.notify_total + self.duplicates
            self.pump(pause if time.monotonic() - t0 < pause else quiet)
            if self.notify_total + self.duplicates == before and \
                    time.monotonic() - t0 >= pause:
                return
            if time.monotonic() - t0 > cap:
                self.err(f"NOTIFYs still arriving {cap:g} s after a step")
                return

    def subscribe_all(self) -> dict:
        """Every watcher subscribes (window of --window outstanding), then waits for each to
        have its first NOTIFY."""
        t0 = time.monotonic()
        todo = list(self.watchers)
        deadline = t0 + self.a.subscribe_timeout
        while time.monotonic() < deadline:
            now = time.monotonic()
            outstanding = [w for w in self.watchers if w.state == "sent"]
            for w in outstanding:
                if now - w.sent_at > 1.0:                 # RFC 3261 Timer E, roughly
                    if w.tries >= 6:
                        w.state = "failed"
                        self.err("SUBSCRIBE unanswered")
                    else:
                        w.tries += 1
                        self.send_subscribe(w, new_cseq=False)
            free = self.a.window - len(outstanding)
            while free > 0 and todo:
                self.send_subscribe(todo.pop(0))
                free -= 1
            self.pump(0.01)
            if not todo and all(w.state in ("subscribed", "failed") for w in self.watchers) \
                    and all(w.notifies or w.state == "failed" for w in self.watchers):
                break
        end = time.monotonic()
        self.pump(0.2)
        subscribed = sum(1 for w in self.watchers if w.state == "subscribed")
        notified = sum(1 for w in self.watchers if w.notifies)
        statuses: dict[str, int] = {}
        for w in self.watchers:
            statuses[str(w.status)] = statuses.get(str(w.status), 0) + 1
        return {"watchers": len(self.watchers), "subscribed": subscribed,
                "first_notify": notified, "seconds": round(end - t0, 3),
                "final_statuses": statuses}

    def step(self, rate: float, seconds: float, first_k: int, latency: bool = False) -> dict:
        """`rate` changes a second for `seconds` (at most one PUBLISH outstanding)."""
        a = self.a
        n_changes = max(1, int(round(rate * seconds)))
        active = [w for w in self.watchers if w.state == "subscribed" and not w.terminated]
        pids = a.server_pid_list
        cpu0, me0 = cpu_seconds(pids), os.times()
        drops0 = udp_receive_drops()
        sdrops0 = socket_drops({a.port})
        wdrops0 = socket_drops({self.wport, self.pport})
        notif0, dup0, unm0 = self.notify_total, self.duplicates, self.unmarked
        pubre0 = self.pub_retransmissions
        stale0 = self.stale
        if latency:
            self.sample_notifies = []
        t0 = time.monotonic()
        late = 0
        sent = 0
        last_send = t0
        k = first_k
        while sent < n_changes:
            due = t0 + sent / rate
            now = time.monotonic()
            if self.pub_out is not None:
                if self.retransmit_publish():
                    self.pump(min(0.005, max(0.0, due - now)) if due > now else 0.001)
                    continue
            if now < due:
                self.pump(due - now)
                continue
            if now - due > 1.0 / rate:
                late += 1
            last_send = time.monotonic()
            self.send_publish(k)
            k += 1
            sent += 1
        publish_end = time.monotonic()
        want = n_changes * len(active)
        keys = range(first_k, first_k + n_changes)
        deadline = publish_end + a.grace
        while time.monotonic() < deadline:
            self.pump(0.02)
            self.retransmit_publish()
            if self.pub_out is None and sum(self.got.get(c, 0) for c in keys) >= want \
                    and sum(self.reached.get(c, 0) for c in keys) >= want:
                break
        # NOTIFYs (retransmissions aside) carrying this step's changes
        got = sum(self.got.get(c, 0) for c in keys)
        reached = sum(min(self.reached.get(c, 0), len(active)) for c in keys)
        last = max([self.last_at[c] for c in keys if c in self.last_at]
                   + [self.reached_at[c] for c in keys if c in self.reached_at], default=t0)
        cpu1, me1 = cpu_seconds(pids), os.times()
        self.sample_notifies, samples = None, self.sample_notifies
        span = max(last - t0, 1e-3)
        # on schedule, the last PUBLISH goes (n - 1) / rate after the first
        achieved_changes = ((n_changes - 1) / max(last_send - t0, 1e-3) if n_changes > 1
                            else rate)
        # a change's latency: its PUBLISH to when the last watcher had it (or a later one)
        complete = [self.reached_at[c] - self.pub_time[c] for c in keys
                    if self.reached.get(c, 0) >= len(active) and c in self.pub_time]
        server_cpu = cpu1 - cpu0
        me_cpu = (me1.user - me0.user) + (me1.system - me0.system)
        terminated = sum(1 for w in active if w.terminated)
        stale = self.stale - stale0
        passed = (got >= 0.99 * want and reached >= 0.99 * want and stale == 0
                  and achieved_changes >= 0.95 * rate and terminated == 0 and want > 0)
        out = {"rate": rate, "seconds": seconds, "changes": n_changes, "watchers": len(active),
               "expected": want, "notifies": got, "reached": reached, "stale": stale,
               "passed": passed,
               "notifies_per_s": got / span, "offered_per_s": rate * len(active),
               "achieved_changes_per_s": achieved_changes, "late_publishes": late,
               "span_s": span, "server_cpu_s": server_cpu,
               "server_busy": server_cpu / span / max(1, a.server_cores),
               "cpu_us_per_notify": server_cpu * 1e6 / got if got else None,
               "client_cpu_s": me_cpu, "client_busy": me_cpu / span,
               "udp_drops": udp_receive_drops() - drops0,
               "server_socket_drops": socket_drops({a.port}) - sdrops0,
               "watcher_socket_drops": socket_drops({self.wport, self.pport}) - wdrops0,
               "publish_retransmissions": self.pub_retransmissions - pubre0,
               "all_notifies": self.notify_total - notif0,
               "duplicates": self.duplicates - dup0, "unmarked": self.unmarked - unm0,
               "changes_complete": len(complete), "terminated": terminated,
               "change_latency_ms": {q: _ms(percentile(complete, v)) for q, v in
                                     (("p50", 0.5), ("p99", 0.99), ("max", 1.0))}}
        if samples is not None:
            out["notify_latency_ms"] = {q: _ms(percentile(samples, v)) for q, v in
                                        (("p50", 0.5), ("p99", 0.99), ("max", 1.0))}
            out["notify_samples"] = len(samples)
        return out


def socket_drops(ports: set[int]) -> int:
    """Datagrams dropped by the UDP sockets bound to `ports` (/proc/net/udp, column drops)."""
    total = 0
    try:
        lines = Path("/proc/net/udp").read_text().splitlines()[1:]
    except OSError:
        return 0
    for line in lines:
        f = line.split()
        if len(f) >= 13 and int(f[1].split(":")[1], 16) in ports:
            total += int(f[-1])
    return total


def _ms(v: Optional[float]) -> Optional[float]:
    return round(v * 1000, 3) if v is not None else None


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--watchers", type=int, default=1000)
    ap.add_argument("--presentity", help="user (default: user watchers+1, b001001)")
    ap.add_argument("--presentity-password")
    ap.add_argument("--expires", type=int, default=600)
    ap.add_argument("--window", type=int, default=100, help="SUBSCRIBEs outstanding at once")
    ap.add_argument("--subscribe-timeout", type=float, default=60.0)
    ap.add_argument("--rates", default="", help="fixed steps, changes/s, comma-separated")
    ap.add_argument("--search", action="store_true",
                    help="from --start-rate up by --growth until a step fails, then halve the gap")
    ap.add_argument("--start-rate", type=float, default=2.0)
    ap.add_argument("--growth", type=float, default=2.0, help="factor up while steps pass")
    ap.add_argument("--precision", type=float, default=0.1)
    ap.add_argument("--max-steps", type=int, default=10)
    ap.add_argument("--step-seconds", type=float, default=4.0)
    ap.add_argument("--grace", type=float, default=3.0,
                    help="seconds after a step's last PUBLISH for its NOTIFYs")
    ap.add_argument("--pause", type=float, default=1.0, help="seconds between steps")
    ap.add_argument("--latency-rate", type=float, default=0.0,
                    help="then one step at this rate for the latency figures (0 = none)")
    ap.add_argument("--latency-seconds", type=float, default=10.0)
    ap.add_argument("--server-pids", default="", help="for the server's CPU time")
    ap.add_argument("--server-cores", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    a.server_pid_list = [int(p) for p in a.server_pids.split(",") if p.strip()]
    f = Fanout(a)
    result: dict = {"watchers": a.watchers, "presentity": f.pres_uri, "steps": []}

    def save() -> None:
        result["errors"] = f.errors
        result["publish_errors"] = f.pub_errors
        result["first_notify"] = f.first_notify_text
        Path(a.out).write_text(json.dumps(result, indent=1) + "\n")

    # the presentity's first state, then the subscriptions (their first NOTIFY carries it)
    k = 0
    ok = f.publish_and_wait(k)
    result["initial_publish"] = {"ok": ok, "etag": f.etag}
    k += 1
    result["subscribe"] = f.subscribe_all()
    save()
    print(f"fanout: subscribe {result['subscribe']}; initial PUBLISH ok={ok} "
          f"etag={f.etag!r}; errors {f.errors} {f.pub_errors}", flush=True)
    if result["subscribe"]["subscribed"] == 0:
        return 1

    def run(rate: float, seconds: float, latency: bool = False) -> dict:
        nonlocal k
        s = f.step(rate, seconds, k, latency)
        k += s["changes"] + 1
        result.setdefault("latency_steps" if latency else "steps", []).append(s)
        print(f"fanout: {rate:g} changes/s: {'pass' if s['passed'] else 'FAIL'} "
              f"{s['notifies']}/{s['expected']} NOTIFYs, {s['notifies_per_s']:.0f}/s "
              f"(offered {s['offered_per_s']:.0f}/s; changes {s['achieved_changes_per_s']:.1f}/s)"
              f", server {s['server_busy']:.0%} busy, {s['cpu_us_per_notify'] or 0:.1f} us/NOTIFY"
              f", watchers {s['client_busy']:.0%} busy; change latency {s['change_latency_ms']}"
              f"; UDP drops {s['udp_drops']} (server socket {s['server_socket_drops']}, watchers "
              f"{s['watcher_socket_drops']}), watcher-changes reached {s['reached']}, stale NOTIFYs "
              f"{s['stale']}, NOTIFY retransmissions {s['duplicates']}, "
              f"PUBLISH retransmissions {s['publish_retransmissions']}, "
              f"unmarked {s['unmarked']}",
              flush=True)
        save()
        f.settle(a.pause)
        return s

    # the latency step first, on a server no failing step has left retransmitting
    if a.latency_rate:
        run(a.latency_rate, a.latency_seconds, latency=True)
    if a.rates:
        for r in [float(x) for x in a.rates.split(",") if x.strip()]:
            run(r, a.step_seconds)
    if a.search:
        best: Optional[dict] = None
        fail: Optional[dict] = None
        rate = a.start_rate
        for _ in range(a.max_steps):
            s = run(rate, a.step_seconds)
            if s["passed"] and (best is None or s["rate"] > best["rate"]):
                best = s
            if not s["passed"] and (fail is None or s["rate"] < fail["rate"]):
                fail = s
            if fail is None:
                rate = rate * a.growth
            elif best is None:     # nothing passed yet: down fast (or by 20% when refining)
                rate = rate / 2 if a.growth >= 2 else rate * 0.8
                if rate < 0.25:
                    break
            else:
                if fail["rate"] - best["rate"] <= a.precision * fail["rate"]:
                    break
                rate = (best["rate"] + fail["rate"]) / 2
            rate = round(rate, 2)
        result["best"] = best
        result["fail_above"] = fail
    save()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
