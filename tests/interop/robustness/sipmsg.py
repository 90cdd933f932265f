"""Raw SIP messages for the robustness test: built by hand (so they can be broken on
purpose) and read back from UDP sockets and TCP/TLS streams."""

from __future__ import annotations

import re
import secrets
import socket
import time
from typing import Iterable, Optional, Sequence

CRLF = b"\r\n"


def token(n: int = 8) -> str:
    return secrets.token_hex(n)


def request(method: str, ruri: str, *, transport: str, local_port: int,
            from_uri: str, to_uri: str, call_id: Optional[str] = None, cseq: int = 1,
            host: str = "127.0.0.1", extra: Sequence[str] = (), body: bytes = b"",
            content_type: Optional[str] = None) -> tuple[bytes, str]:
    """A well-formed request (RFC 3261 8.1.1) and its Call-ID. `extra` header lines go
    before Content-Length."""
    call_id = call_id or f"{token()}@robustness"
    lines = [
        f"{method} {ruri} SIP/2.0",
        f"Via: SIP/2.0/{transport.upper()} {host}:{local_port};branch=z9hG4bK{token()};rport",
        "Max-Forwards: 70",
        f"From: <{from_uri}>;tag={token(4)}",
        f"To: <{to_uri}>",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} {method}",
    ]
    if method in ("REGISTER", "INVITE"):
        lines.append(f"Contact: <sip:robust@{host}:{local_port};transport={transport.lower()}>")
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines += list(extra)
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body, call_id


SDP = (b"v=0\r\no=robust 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
       b"t=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


def status_of(message: bytes) -> Optional[int]:
    m = re.match(rb"SIP/2\.0 (\d{3}) ", message)
    return int(m.group(1)) if m else None


def header(message: bytes, name: str) -> Optional[str]:
    """The first value of header `name` (full name, case-insensitive) in `message`."""
    head = message.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
    for line in head.split("\r\n")[1:]:
        n, sep, v = line.partition(":")
        if sep and n.strip().lower() == name.lower():
            return v.strip()
    return None


def response_to(req: bytes, status: int, reason: str, to_tag: str) -> bytes:
    """A response built from a received request's Via/From/To/Call-ID/CSeq (RFC 3261 8.2.6)."""
    head = req.split(b"\r\n\r\n", 1)[0].decode(errors="replace").split("\r\n")
    out = [f"SIP/2.0 {status} {reason}"]
    for line in head[1:]:
        name = line.partition(":")[0].strip().lower()
        if name in ("via", "v", "from", "f", "call-id", "i", "cseq"):
            out.append(line)
        elif name in ("to", "t"):
            out.append(line if ";tag=" in line else f"{line};tag={to_tag}")
    out.append("Content-Length: 0")
    return ("\r\n".join(out) + "\r\n\r\n").encode()


def udp_socket(host: str) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, 0))
    return s


def udp_collect(sock: socket.socket, seconds: float,
                until: Optional[callable] = None) -> list[bytes]:
    """Datagrams received on `sock` for at most `seconds` (or until until(list) holds)."""
    got: list[bytes] = []
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or (until is not None and until(got)):
            return got
        sock.settimeout(left)
        try:
            data, _ = sock.recvfrom(70000)
        except (socket.timeout, TimeoutError):
            return got
        except ConnectionRefusedError:     # ICMP for something we sent earlier
            continue
        got.append(data)


def split_stream(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Whole messages at the front of a stream buffer (Content-Length framing) and the rest."""
    out = []
    while True:
        buffer = buffer.lstrip(b"\r\n")
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return out, buffer
        length = header(buffer[:end + 4], "Content-Length") or header(buffer[:end + 4], "l")
        n = int(length) if length and length.isdigit() else 0
        if len(buffer) < end + 4 + n:
            return out, buffer
        out.append(buffer[:end + 4 + n])
        buffer = buffer[end + 4 + n:]


def stream_final_response(sock: socket.socket, seconds: float) -> Optional[bytes]:
    """Reads a stream until a final (>= 200) response arrives; None on timeout or close."""
    buffer = b""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except (socket.timeout, TimeoutError, OSError):
            return None
        if not data:
            return None
        messages, buffer = split_stream(buffer + data)
        for m in messages:
            code = status_of(m)
            if code is not None and code >= 200:
                return m


def finals_for(datagrams: Iterable[bytes], call_id: str) -> list[int]:
    return [status_of(d) for d in datagrams
            if status_of(d) is not None and status_of(d) >= 200
            and header(d, "Call-ID") == call_id]
