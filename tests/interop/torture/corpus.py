"""The RFC 4475 and RFC 5118 torture messages (tests/data/rfc4475, tests/data/rfc5118) and
what a server must do when one of them reaches it over UDP or over TCP.

Each directory has a manifest.tsv (name, section, valid|invalid, what the parser must do:
parses | rejects | rejects:505, and a note of what the RFC asks of an element); the
README.md next to it explains each message. From those this module derives, per message
and transport, an Expect:

  answer          a request the parser accepts: some final response within the reply
                  window; a 400 only if the RFC calls the message invalid or the note
                  says 400 is an acceptable answer (unksm2, sdp01).
  reject          a request the server must refuse with 400 (505 for badvers; 400 or
                  501 for mismatch02) and a reason phrase that says something: the
                  MUST_REJECT subset below, whose Via, From, To, Call-ID and CSeq are
                  present once and are not what is wrong, so that the answer can be
                  addressed (RFC 3261 8.2.6.1 copies exactly those).
  reject-or-drop  any other request the parser rejects (the broken part is one of those
                  five headers, or one is missing or repeated): a 400 with a reason, or
                  nothing at all. Any other answer means the server acted on it.
  stream-framing  over TCP, a request whose Content-Length cannot frame it (negative,
                  conflicting, or more than the octets sent): RFC 3261 18.3 / RFC 4475
                  3.1.2.2-3 say wait for more data or close the connection, so nothing,
                  a close, or a 400 are all acceptable (which one is logged).
  silent          a response (unreason, noreason, scalarlg, bigcode, bcast): it matches
                  no transaction of the server's and must never be answered.

Over TCP a message whose header block never ends (the archived baddn and the two
RFC 5118 4.10 messages lack the empty line) cannot be framed at all; it is marked
`unterminated`: the server must not answer it as it is, and after the missing CRLF is
sent on the same connection the expectation above applies.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "l": "content-length",
           "m": "contact", "c": "content-type"}

BOTH = frozenset({"udp", "tcp"})
UDP_ONLY = frozenset({"udp"})

# Invalid requests that must get a 400 (or the status given): their Via, From, To,
# Call-ID and CSeq are present once and intact, the fault is elsewhere (README.md of each
# corpus). The transports say where the answer is required: a Content-Length fault only
# makes a 400 certain on UDP, where the datagram bounds the message (RFC 3261 18.3); on a
# stream it is a framing error instead.
MUST_REJECT: dict[str, tuple[frozenset[int], frozenset[str], str]] = {
    "clerr": (frozenset({400}), UDP_ONLY, "Content-Length 9999 exceeds the datagram"),
    "ncl": (frozenset({400}), UDP_ONLY, "Content-Length -999"),
    "mcl01": (frozenset({400}), UDP_ONLY, "two conflicting Content-Length values"),
    "ltgtruri": (frozenset({400}), BOTH, "Request-URI enclosed in <>"),
    "lwsruri": (frozenset({400}), BOTH, "LWS inside the Request-URI"),
    "lwsstart": (frozenset({400}), BOTH, "several SP between Request-Line elements"),
    "trws": (frozenset({400}), BOTH, "SP before the CRLF of the Request-Line"),
    "escruri": (frozenset({400}), BOTH, "escaped header in the Request-URI"),
    "regbadct": (frozenset({400}), BOTH, "Contact URI with '?' not in <>"),
    "badvers": (frozenset({505}), BOTH, "SIP/7.0: 505 Version Not Supported"),
    "mismatch01": (frozenset({400}), BOTH, "Request-Line method OPTIONS, CSeq INVITE"),
    "mismatch02": (frozenset({400, 501}), BOTH, "NEWMETHOD with CSeq INVITE (501 or 400)"),
    "ipv6-bad": (frozenset({400}), BOTH, "IPv6 Request-URI host without []"),
    "ipv6-in-sdp": (frozenset({400}), UDP_ONLY,
                    "Content-Length 268 exceeds the datagram (251 body octets)"),
}

# The five headers a response copies (RFC 3261 8.2.6.2); MUST_REJECT members must have
# each exactly once (Via at least once), checked when the corpus is loaded.
ADDRESSING = ("via", "from", "to", "call-id", "cseq")


@dataclass(frozen=True)
class Expect:
    kind: str                                  # see the module docstring
    statuses: frozenset[int] = frozenset()     # reject kinds: the acceptable statuses
    allow_400: bool = False                    # answer: a 400 is acceptable
    unterminated: bool = False                 # TCP: header block not closed as sent
    why: str = ""

    def describe(self) -> str:
        s = self.kind
        if self.statuses:
            s += " " + "/".join(map(str, sorted(self.statuses)))
        if self.kind == "answer" and self.allow_400:
            s += " (400 ok)"
        if self.unterminated:
            s += ", after the missing CRLF"
        return s


@dataclass
class Torture:
    name: str
    rfc: str              # "4475" or "5118"
    section: str
    klass: str            # valid | invalid (the RFC's word)
    expect: str           # parses | rejects | rejects:505 (what the parser must do)
    note: str
    data: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)   # canonical lower name
    framing: str = ""     # exact | extra-octets | no-length | short-body | bad-length | unterminated

    @property
    def label(self) -> str:
        return f"{self.name} (RFC {self.rfc} {self.section}, {self.klass}, {self.expect})"

    @property
    def is_response(self) -> bool:
        return self.data.startswith(b"SIP/")

    @property
    def start_line(self) -> str:
        return self.data.split(b"\r\n", 1)[0].decode("utf-8", errors="replace")

    def values(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n == name]

    @property
    def call_id(self) -> Optional[str]:
        ids = self.values("call-id")
        return ids[0] if ids else None

    @property
    def all_call_ids(self) -> set[str]:
        """Every Call-ID anywhere in the octets (dblreq carries a second request)."""
        found = set()
        for line in self.data.split(b"\r\n"):
            m = re.match(rb"(?i)\s*(call-id|i)\s*:\s*(\S+)", line)
            if m:
                found.add(m.group(2).decode("utf-8", errors="replace"))
        return found


_TOP_BRANCH = re.compile(rb"(?im)^(?:via|v)[ \t]*:[^\r\n]*?;[ \t]*branch[ \t]*=[ \t]*([^\s;,]+)")


def transaction_key(t: Torture) -> Optional[tuple[str, str, str]]:
    """RFC 3261 17.2.3: the top Via's branch and sent-by, and the method (ACK as INVITE);
    None for a response."""
    if t.is_response:
        return None
    vias = t.values("via")
    top = vias[0].split(",")[0] if vias else ""
    branch = re.search(r"(?i)branch\s*=\s*([^;\s,]+)", top)
    sent_by = re.match(r"(?i)SIP\s*/\s*[\d.]+\s*/\s*\S+\s+([^;\s]+)", top)
    method = t.start_line.split(" ")[0]
    return (branch.group(1) if branch else "", sent_by.group(1) if sent_by else top,
            "INVITE" if method == "ACK" else method)


def with_distinct_branch(t: Torture, suffix: str) -> bytes:
    """The message with `suffix` appended to its top Via's branch and nothing else changed.

    Several archived messages share a branch and sent-by (cparam01/cparam02, unkscm/
    novelsc, escnull/regescrt, four RFC 5118 REGISTERs, the two 4.10 OPTIONS): sent to one
    server they are one transaction, and the later ones are absorbed as retransmissions
    (RFC 3261 17.2.3) instead of being looked at. The branch is never what those messages
    test; the octets that are stay as they are, and Content-Length is unaffected."""
    m = _TOP_BRANCH.search(t.data)
    if not m:
        raise ValueError(f"{t.name}: no branch in its top Via to make distinct")
    return t.data[:m.end(1)] + suffix.encode() + t.data[m.end(1):]


def _headers(head: bytes) -> list[tuple[str, str]]:
    """(canonical lower-case name, value) of a header block, folded lines unfolded."""
    text = head.decode("utf-8", errors="replace")
    text = re.sub(r"\r\n[ \t]+", " ", text)
    out = []
    for line in text.split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        name = name.strip().lower()
        out.append((COMPACT.get(name, name), value.strip()))
    return out


def _framing(data: bytes, headers: list[tuple[str, str]]) -> str:
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return "unterminated"
    lengths = [v for n, v in headers if n == "content-length"]
    if not lengths:
        return "no-length"
    if len(set(lengths)) > 1 or not lengths[0].isdigit():
        return "bad-length"
    body = len(data) - (end + 4)
    declared = int(lengths[0])
    if declared > body:
        return "short-body"
    return "exact" if declared == body else "extra-octets"


def load(data_dir: Path) -> list[Torture]:
    """Every message of both corpora, in manifest order (RFC 4475 first)."""
    out = []
    for rfc in ("4475", "5118"):
        d = data_dir / f"rfc{rfc}"
        with open(d / "manifest.tsv", newline="") as f:
            rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
        for name, section, klass, expect, note in rows:
            data = (d / f"{name}.sip").read_bytes()
            end = data.find(b"\r\n\r\n")
            t = Torture(name, rfc, section, klass, expect, note, data)
            t.headers = _headers(data[:end] if end >= 0 else data)
            t.framing = _framing(data, t.headers)
            out.append(t)
    _check_subset(out)
    return out


def _check_subset(corpus: list[Torture]) -> None:
    """MUST_REJECT only names rejected requests that can be addressed: a corpus change
    that breaks that must fail loudly, not weaken the test."""
    by_name = {t.name: t for t in corpus}
    for name in MUST_REJECT:
        t = by_name.get(name)
        if t is None:
            raise ValueError(f"MUST_REJECT names {name}, which is in no manifest")
        if not t.expect.startswith("rejects") or t.is_response:
            raise ValueError(f"MUST_REJECT names {name}, which is not a rejected request")
        for h in ADDRESSING:
            n = len(t.values(h))
            if n == 0 or (h != "via" and n != 1):
                raise ValueError(f"MUST_REJECT names {name}, but it has {n} {h} header(s)")


def expectation(t: Torture, transport: str) -> Expect:
    unterminated = transport == "tcp" and t.framing == "unterminated"
    if t.is_response:
        return Expect("silent", why="a response matching no transaction of the server")
    if transport == "tcp" and t.framing in ("short-body", "bad-length"):
        return Expect("stream-framing", frozenset({400}),
                      why=f"Content-Length cannot frame it on a stream ({t.framing})")
    if t.expect == "parses":
        allow = t.klass == "invalid" or "400" in t.note
        return Expect("answer", allow_400=allow, unterminated=unterminated,
                      why="the parser accepts it")
    if t.name in MUST_REJECT:
        statuses, transports, why = MUST_REJECT[t.name]
        if transport in transports:
            return Expect("reject", statuses, unterminated=unterminated, why=why)
    statuses = frozenset({505}) if t.expect == "rejects:505" else frozenset({400})
    missing = [h for h in ADDRESSING if not t.values(h)]
    why = (f"no {', '.join(missing)}" if missing else
           "one of Via/From/To/Call-ID/CSeq is what is broken, or repeated")
    return Expect("reject-or-drop", statuses, unterminated=unterminated, why=why)
