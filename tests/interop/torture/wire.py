"""Raw sockets for the torture test: one UDP socket or one TCP connection per message
(a Probe), everything parley sends back on it with its arrival time, and whether parley
closed the connection. Plus a cheap health check: an OPTIONS to the server's own domain
over UDP that must get a 200."""

from __future__ import annotations

import re
import selectors
import socket
import time
from dataclasses import dataclass, field
from typing import Iterable, Optional

from robustness import sipmsg


def family_of(host: str) -> int:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@dataclass
class Received:
    at: float          # monotonic time of arrival
    data: bytes

    @property
    def status(self) -> Optional[int]:
        return sipmsg.status_of(self.data)

    @property
    def status_line(self) -> str:
        return self.data.split(b"\r\n", 1)[0].decode("utf-8", errors="replace")

    @property
    def reason(self) -> str:
        m = re.match(r"SIP/2\.0 \d{3} ?(.*)$", self.status_line)
        return m.group(1).strip() if m else ""

    @property
    def call_id(self) -> Optional[str]:
        return sipmsg.header(self.data, "Call-ID") or sipmsg.header(self.data, "i")


@dataclass
class Probe:
    """One message sent on its own socket, and what came back."""
    name: str
    transport: str                  # udp | tcp
    sock: Optional[socket.socket]
    local: str = ""                 # ip:port as parley's log writes it
    sent: bytes = b""               # the octets sent
    sent_at: float = 0.0            # when the (last part of the) message went out
    send_error: str = ""
    received: list[Received] = field(default_factory=list)
    stray: bytes = b""              # stream bytes that are not a whole message
    closed_at: Optional[float] = None
    close_how: str = ""             # FIN | RST
    completed_at: Optional[float] = None   # when the missing CRLF was sent (unterminated)
    before_completion: int = 0      # messages received before that

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    @property
    def is_open(self) -> bool:
        return self.sock is not None and self.closed_at is None


def send_udp(name: str, host: str, port: int, data: bytes) -> Probe:
    s = socket.socket(family_of(host), socket.SOCK_DGRAM)
    s.bind((host, 0))
    s.setblocking(False)
    p = Probe(name, "udp", s, local=f"{bracket(host)}:{s.getsockname()[1]}", sent=data)
    try:
        s.sendto(data, (host, port))
    except OSError as e:
        p.send_error = f"sendto: {e}"
    p.sent_at = time.monotonic()
    return p


def send_tcp(name: str, host: str, port: int, data: bytes) -> Probe:
    try:
        s = socket.create_connection((host, port), timeout=1.0)
    except OSError as e:
        p = Probe(name, "tcp", None, send_error=f"connect: {e}", sent=data)
        p.sent_at = time.monotonic()
        return p
    p = Probe(name, "tcp", s, local=f"{bracket(host)}:{s.getsockname()[1]}", sent=data)
    try:
        s.sendall(data)
    except OSError as e:
        p.send_error = f"send: {e}"
    s.setblocking(False)
    p.sent_at = time.monotonic()
    return p


def send_more(p: Probe, data: bytes) -> None:
    """More octets on a probe's open TCP connection."""
    assert p.sock is not None
    p.before_completion = len(p.received)
    p.sent += data
    try:
        p.sock.setblocking(True)
        p.sock.settimeout(1.0)
        p.sock.sendall(data)
    except OSError as e:
        p.send_error = f"send of the missing CRLF: {e}"
    finally:
        if p.sock is not None:
            p.sock.setblocking(False)
    p.completed_at = time.monotonic()


def _read(p: Probe) -> None:
    """Everything readable on a probe now (its socket is non-blocking)."""
    while p.sock is not None and p.closed_at is None:
        try:
            if p.transport == "udp":
                data, _ = p.sock.recvfrom(70000)
                p.received.append(Received(time.monotonic(), data))
                continue
            data = p.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except ConnectionRefusedError:       # UDP: ICMP for something sent earlier
            if p.transport == "udp":
                continue
            p.closed_at, p.close_how = time.monotonic(), "RST"
            return
        except ConnectionResetError:
            p.closed_at, p.close_how = time.monotonic(), "RST"
            return
        except OSError as e:
            p.closed_at, p.close_how = time.monotonic(), f"error {e}"
            return
        if not data:
            p.closed_at, p.close_how = time.monotonic(), "FIN"
            return
        messages, p.stray = sipmsg.split_stream(p.stray + data)
        now = time.monotonic()
        p.received.extend(Received(now, m) for m in messages)


def drain(probes: Iterable[Probe]) -> None:
    """Reads whatever has arrived already, without waiting."""
    for p in probes:
        _read(p)


def collect(probes: list[Probe], until: float) -> None:
    """Reads all probes in parallel until the monotonic time `until`."""
    sel = selectors.DefaultSelector()
    try:
        for p in probes:
            if p.is_open:
                sel.register(p.sock, selectors.EVENT_READ, p)
        while sel.get_map():
            left = until - time.monotonic()
            if left <= 0:
                return
            for key, _ in sel.select(timeout=left):
                p = key.data
                _read(p)
                if not p.is_open:
                    sel.unregister(key.fileobj)
    finally:
        sel.close()


def health(host: str, port: int, domain: str, timeout: float = 1.0) -> tuple[Optional[int], float]:
    """OPTIONS sip:<domain> over UDP: (final status or None, seconds taken)."""
    s = socket.socket(family_of(host), socket.SOCK_DGRAM)
    try:
        s.bind((host, 0))
        local = s.getsockname()[1]
        msg, call_id = sipmsg.request("OPTIONS", f"sip:{domain}", transport="UDP",
                                      local_port=local, from_uri=f"sip:health@{domain}",
                                      to_uri=f"sip:{domain}", host=bracket(host))
        start = time.monotonic()
        s.sendto(msg, (host, port))
        got = sipmsg.udp_collect(s, timeout,
                                 until=lambda g: bool(sipmsg.finals_for(g, call_id)))
        finals = sipmsg.finals_for(got, call_id)
        return (finals[0] if finals else None), time.monotonic() - start
    finally:
        s.close()
