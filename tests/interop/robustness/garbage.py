"""Hostile payloads: random datagrams, mutated SIP, and hand-made malformed requests.

Everything is drawn from a random.Random the caller seeds, so a failing run can be
replayed with the same seed (the test prints it)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterator

from . import sipmsg

METHODS = ("OPTIONS", "REGISTER", "INVITE", "MESSAGE", "SUBSCRIBE", "BYE", "ACK")


def random_bytes(rng: random.Random, n: int) -> bytes:
    return rng.randbytes(n)


def mutate(rng: random.Random, message: bytes, edits: int) -> bytes:
    """Flips, inserts and deletes bytes at random places (a simple fuzzer's mutations)."""
    b = bytearray(message)
    for _ in range(edits):
        if not b:
            break
        i = rng.randrange(len(b))
        op = rng.randrange(5)
        if op == 0:
            b[i] = rng.randrange(256)
        elif op == 1:
            b.insert(i, rng.choice(b"\x00\r\n:;,<>\"\\ \t@=%"))
        elif op == 2:
            del b[i]
        elif op == 3:
            b[i:i] = rng.choice((b"\r\n", b"\r\n\r\n", b"\x00" * 8, b":" * 5, b"SIP/2.0"))
        else:
            j = rng.randrange(len(b))
            b[min(i, j):max(i, j)] = b""       # cut a span
    return bytes(b)


def random_datagrams(rng: random.Random, count: int, max_len: int,
                     local_port: int, domain: str) -> Iterator[bytes]:
    """`count` hostile datagrams of at most `max_len` bytes: pure noise, noise behind a SIP
    start line, mutated SIP requests (to a user who does not exist, so that the ones that
    come out valid cost a 404 at most) and garbage responses."""
    for _ in range(count):
        kind = rng.random()
        if kind < 0.35:                                    # noise
            yield random_bytes(rng, rng.randint(1, max_len))
        elif kind < 0.55:                                  # a start line, then noise
            start = f"{rng.choice(METHODS)} sip:nobody@{domain} SIP/2.0\r\n".encode()
            yield (start + random_bytes(rng, rng.randint(0, max_len - len(start))))[:max_len]
        elif kind < 0.65:                                  # a response line, then noise
            start = f"SIP/2.0 {rng.randint(0, 999)} Whatever\r\n".encode()
            yield (start + random_bytes(rng, rng.randint(0, max_len - len(start))))[:max_len]
        else:                                              # a mutated request
            method = rng.choice(METHODS[:4])
            msg, _ = sipmsg.request(
                method, f"sip:nobody@{domain}", transport="UDP", local_port=local_port,
                from_uri=f"sip:fuzz@elsewhere.example", to_uri=f"sip:nobody@{domain}",
                body=sipmsg.SDP if method == "INVITE" else b"",
                content_type="application/sdp" if method == "INVITE" else None)
            yield mutate(rng, msg, rng.randint(1, 12))[:max_len]


@dataclass
class Case:
    name: str
    data: bytes
    call_id: str
    answer: str      # "400": must get a 400; "none": must get nothing; "any": not checked


def malformed_requests(local_port: int, domain: str) -> list[Case]:
    """Hand-made malformed requests over UDP, each from `local_port`.

    The "400" ones keep Via/From/To/Call-ID/CSeq intact, so the server can (and, per
    RFC 3261 8.2 / 18.3 / 21.4.1, should) answer 400; the "none" ones cannot be answered
    (no Call-ID or no CSeq, a response) and must be dropped."""
    ruri = f"sip:nobody@{domain}"
    common = dict(transport="UDP", local_port=local_port,
                  from_uri="sip:fuzz@elsewhere.example", to_uri=ruri)
    cases: list[Case] = []

    def add(name: str, answer: str, edit, method: str = "OPTIONS", **kw) -> None:
        msg, call_id = sipmsg.request(method, ruri, **common, **kw)
        cases.append(Case(name, edit(msg), call_id, answer))

    add("header line without a colon", "400",
        lambda m: m.replace(b"Max-Forwards: 70\r\n", b"Max-Forwards: 70\r\nThis is no header\r\n"))
    add("Content-Length larger than the datagram", "400",
        lambda m: m.replace(b"Content-Length: 0", b"Content-Length: 5000"))
    add("CSeq method does not match the request", "400",
        lambda m: m.replace(b" OPTIONS\r\n", b" INVITE\r\n"))
    add("Max-Forwards not a number", "400",
        lambda m: m.replace(b"Max-Forwards: 70", b"Max-Forwards: seventy"))
    add("header name with a space inside", "400",
        lambda m: m.replace(b"Max-Forwards: 70", b"Max Forwards: 70"))
    add("two Content-Length headers", "400",
        lambda m: m.replace(b"Content-Length: 0", b"Content-Length: 0\r\nContent-Length: 3"))
    add("a 40,000-byte header", "any",
        lambda m: m.replace(b"Max-Forwards: 70", b"Max-Forwards: 70\r\nSubject: " + b"x" * 40000))
    add("300 headers (more than max_header_count)", "400",
        lambda m: m.replace(b"Max-Forwards: 70",
                            b"Max-Forwards: 70" + b"".join(b"\r\nX-H%d: v" % i for i in range(300))))
    add("NUL bytes in a Subject header", "any",
        lambda m: m.replace(b"Max-Forwards: 70", b"Max-Forwards: 70\r\nSubject: a\x00\x00b"))
    add("NUL bytes in the body", "any",
        lambda m: m.replace(b"Content-Length: 0\r\n\r\n", b"Content-Length: 6\r\n\r\n\x00\x00\x00abc"))
    add("Via without a host", "any",
        lambda m: m.replace(b"Via: SIP/2.0/UDP 127.0.0.1", b"Via: SIP/2.0/UDP "))
    add("Request-URI without a host", "any",
        lambda m: m.replace(b"OPTIONS sip:nobody@" + domain.encode(), b"OPTIONS sip:", 1))
    add("huge Content-Length", "any",
        lambda m: m.replace(b"Content-Length: 0", b"Content-Length: 99999999999999999999"))
    add("missing Call-ID", "none",
        lambda m: b"\r\n".join(l for l in m.split(b"\r\n") if not l.startswith(b"Call-ID:")))
    add("NUL inside the Call-ID", "any",
        lambda m: m.replace(b"Call-ID: ", b"Call-ID: \x00"))
    add("a garbage response (no Call-ID either)", "none",
        lambda m: b"SIP/2.0 999 Nonsense\r\nVia: x\r\n\r\n")
    add("folded lines everywhere, no CSeq", "none",
        lambda m: m.replace(b": ", b":\r\n \r\n\t").split(b"CSeq")[0] + b"\r\n\r\n")
    return cases
