#!/usr/bin/env python3
"""Torture: every RFC 4475 and RFC 5118 message, as archived, sent to a running parley
over UDP and over TCP; parley answers what it must, refuses what it must, and keeps
serving.

A parley on 127.0.0.1 (users alice and bob @parley.test), a fresh one per transport: the
same message over TCP after UDP would otherwise be a retransmission of the UDP server
transaction (RFC 3261 17.2.3 matches branch, sent-by and method, not the transport) and
be absorbed instead of looked at. Every message of tests/data/rfc4475 and
tests/data/rfc5118 goes out byte for byte as its .sip file holds it, each on its own
socket: a UDP socket per message, a TCP connection per message (invalid framing may
make parley close a connection, and must cost only that one). The Request-URIs name
example.com and other domains parley does not serve, so a request it accepts is refused
by policy (403, 420, 483, ...), which is an answer like any other; responses come back
to the sending socket because parley adds received/rport to the top Via.

One rewrite, where it must be: some archived messages share a top-Via branch and
sent-by (cparam01/cparam02, unkscm/novelsc, escnull/regescrt, four RFC 5118 REGISTERs,
the two 4.10 OPTIONS). The later ones of such a group get a suffix on their branch
(".tortureN") so that they are transactions of their own; nothing else changes, and the
output says which were rewritten.

What each message must get is derived from the manifests (torture/corpus.py says how):
  * requests the parser accepts: a final response within REPLY_WINDOW_S whose Call-ID
    is the request's; a 400 only where the RFC calls the message invalid or the note
    says 400 is acceptable;
  * requests the parser rejects: a 400 (505 for badvers) with a non-empty reason
    phrase, or nothing; a 400/505 is required for the MUST_REJECT subset (Via, From, To,
    Call-ID and CSeq intact; Content-Length faults only over UDP);
  * over TCP, requests whose Content-Length cannot frame them: nothing, a close or a
    400; requests whose header block never ends: nothing, until the missing CRLF is
    sent on the same connection, then as above;
  * responses in the corpus: nothing back;
  * over UDP no answer to anything but the message's own Call-ID (dblreq's trailing
    INVITE is noise, RFC 3261 18.3).
After every message an OPTIONS sip:parley.test over UDP must get 200 within
HEALTH_LIMIT_S. At the end of each batch parley is alive and its log has no
"handler threw" line.

IPv6: if ::1 can be bound here, parleys with default_address "::1" get the RFC 5118
messages over UDP and TCP on [::1] under the same rules; otherwise that part is skipped
with a message saying so.

Every probe is printed (transport, message, expectation, what came back, and whether
parley closed the connection); failures add the octets sent and parley's log lines for
that socket. Defects found and not yet fixed are listed in KNOWN_GAPS: they are reported
as "KNOWN GAP" and do not fail the test unless PARLEY_TORTURE_STRICT=1.
"""

import os
import socket
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import ParleyServer, check, info, step  # noqa: E402
from torture import corpus, wire  # noqa: E402
from torture.corpus import Expect, Torture  # noqa: E402
from torture.wire import Probe  # noqa: E402

DOMAIN = harness.DOMAIN
USERS = {f"alice@{DOMAIN}": "Alice-pw-1", f"bob@{DOMAIN}": "Bob-pw-2"}
REPLY_WINDOW_S = 2.0      # a request's final response
HEALTH_LIMIT_S = 1.0      # the OPTIONS health check after each message
DEADLINE_S = 60
STRICT = os.environ.get("PARLEY_TORTURE_STRICT") == "1"

# Server defects this test found that are not fixed yet, like kParserGaps in
# tests/unit/sip/torture_test.cpp: (message, transport) -> the defect. A listed probe may
# show exactly the defect's signature (no response at all, connection closed by parley)
# and is then reported as "KNOWN GAP" instead of failing; any other wrong outcome fails as
# usual. PARLEY_TORTURE_STRICT=1 makes known gaps fail too. Fix src/, then drop the entry.
# Empty: the one defect found (an answer lost when unframeable bytes after a request
# closed the TCP connection first: dblreq, inv2543, mult-ip-in-sdp, ipv4-mapped-ipv6) is
# fixed in net::Connection, which now writes the answers already queued before closing.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def shows_gap(p: Probe) -> bool:
    """A lost answer's signature: nothing came back and parley closed the flow."""
    return not p.received and p.closed_at is not None


# ----------------------------------------------------------------------------- servers

def log_lines(srv: ParleyServer, needles: list[str], limit: int = 12) -> list[str]:
    try:
        text = srv.log_path.read_text(errors="replace")
    except OSError:
        return []
    needles = [n for n in needles if n]
    return [l for l in text.splitlines() if any(n in l for n in needles)][-limit:]


# ----------------------------------------------------------------------------- verdicts

def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def outcome(p: Probe) -> str:
    """What came back on a probe, in one line."""
    t0 = p.completed_at or p.sent_at
    parts = []
    if p.send_error:
        parts.append(f"SEND FAILED ({p.send_error})")
    statuses = [r for r in p.received if r.status is not None]
    if not statuses:
        parts.append("no response")
    else:
        seen = Counter(r.status_line for r in statuses)
        first = statuses[0]
        parts.append(f"{first.status_line!r} after {ms(first.at - t0)}")
        extra = [f"{line!r} x{n}" if n > 1 else repr(line)
                 for line, n in seen.items() if line != first.status_line]
        if seen[first.status_line] > 1:
            parts.append(f"(x{seen[first.status_line]}, retransmissions)")
        if extra:
            parts.append("then " + ", ".join(extra))
    if p.before_completion:
        parts.append(f"[{p.before_completion} before the missing CRLF was sent]")
    if p.transport == "tcp":
        if p.closed_at is not None:
            parts.append(f"; connection closed by parley ({p.close_how}) after "
                         f"{ms(p.closed_at - p.sent_at)}")
        else:
            parts.append("; connection left open")
        if p.stray.strip():
            parts.append(f"; {len(p.stray)} unframed octets")
    return " ".join(parts)


def verdict(t: Torture, exp: Expect, p: Probe) -> str:
    """'' if the probe got what `exp` allows, else what is wrong."""
    if p.send_error:
        return f"could not send: {p.send_error}"
    t0 = p.completed_at or p.sent_at
    responses = [r for r in p.received if r.status is not None]
    finals = [r for r in responses if r.status >= 200]
    if len(responses) != len(p.received):
        return "parley sent something that is not a SIP response"
    if p.completed_at is not None and p.before_completion:
        return "parley answered before the header block was complete"
    if exp.kind == "silent":
        return "a response in the corpus was answered" if responses else ""
    # UDP: only the request's own Call-ID (trailing octets are noise, RFC 3261 18.3);
    # TCP: the stream may carry further requests (dblreq's INVITE).
    own = {t.call_id} if p.transport == "udp" else ({t.call_id} | t.all_call_ids)
    foreign = [r for r in responses if r.call_id not in own]
    if foreign:
        return (f"an answer with Call-ID {foreign[0].call_id!r}, which is not the "
                f"request's ({', '.join(sorted(filter(None, own))) or 'none'})")
    first = finals[0] if finals else None
    late = first is not None and first.at - t0 > REPLY_WINDOW_S
    if exp.kind == "answer":
        if first is None:
            return f"no final response within {REPLY_WINDOW_S:.0f} s"
        if late:
            return f"the final response came after {ms(first.at - t0)}"
        if first.status == 400 and not exp.allow_400:
            return "400 for a message the RFC calls valid"
        if first.status == 400 and not first.reason:
            return "400 with an empty reason phrase"
        return ""
    if exp.kind == "reject":
        if first is None:
            return (f"no response; {'/'.join(map(str, sorted(exp.statuses)))} required "
                    f"({exp.why})")
        if late:
            return f"the final response came after {ms(first.at - t0)}"
    elif first is None:                   # reject-or-drop, stream-framing
        return ""
    if first.status not in exp.statuses:
        return (f"{first.status} where only "
                f"{'/'.join(map(str, sorted(exp.statuses)))} (or nothing) is acceptable")
    if not first.reason:
        return f"{first.status} with an empty reason phrase"
    return ""


# ----------------------------------------------------------------------------- one batch

class Run:
    """One batch against one server: the printed table, failures, tallies."""

    def __init__(self, srv: ParleyServer) -> None:
        self.srv = srv
        self.failures: list[str] = []
        self.tally: Counter = Counter()
        self.health_worst = 0.0
        self.health_count = 0
        self.health_misses = 0        # consecutive failed health checks
        self.rewritten: dict[str, str] = {}
        self.known: list[str] = []

    def healthy(self, after: str) -> None:
        status, took = wire.health(self.srv.host, self.srv.sip_port, DOMAIN, HEALTH_LIMIT_S)
        self.health_count += 1
        self.health_worst = max(self.health_worst, took)
        if status == 200:
            self.health_misses = 0
            return
        self.health_misses += 1
        alive = self.srv.alive()
        what = (f"after {after}: OPTIONS sip:{DOMAIN} over UDP got "
                f"{status if status else 'no answer'} within {HEALTH_LIMIT_S:.0f} s "
                f"(200 required); parley {'is running' if alive else 'HAS EXITED'}")
        if not alive:
            raise harness.Failure(what + f" (exit code {self.srv.proc.returncode})")
        self.failures.append(what)
        print(f"    FAIL: {what}", flush=True)
        if self.health_misses >= 3:    # hung: stop before the deadline hides the cause
            raise harness.Failure("parley stopped serving:\n" + "\n".join(self.failures))

    def batch(self, messages: list[Torture], transport: str) -> None:
        host, port = self.srv.host, self.srv.sip_port
        step(f"{len(messages)} torture messages over {transport.upper()} to "
             f"{wire.bracket(host)}:{port}, one {'socket' if transport == 'udp' else 'connection'}"
             f" each, OPTIONS health check after each")
        send = wire.send_udp if transport == "udp" else wire.send_tcp
        probes: list[tuple[Torture, Expect, Probe]] = []
        keys: set = set()
        for n, t in enumerate(messages):
            exp = corpus.expectation(t, transport)
            data, key = t.data, corpus.transaction_key(t)
            if key is not None and key in keys:
                data = corpus.with_distinct_branch(t, f".torture{n}")
                self.rewritten[t.name] = f"branch made distinct (.torture{n})"
            keys.add(key)
            p = send(t.name, host, port, data)
            probes.append((t, exp, p))
            self.healthy(f"{t.name} over {transport.upper()}")
            wire.drain(p for _, _, p in probes)
        last = max(p.sent_at for _, _, p in probes)
        wire.collect([p for _, _, p in probes], last + REPLY_WINDOW_S)

        waiting = [p for _, e, p in probes if e.unterminated and p.is_open]
        if waiting:
            info(f"sending the missing CRLF that ends the header block on "
                 f"{', '.join(p.name for p in waiting)}")
            for p in waiting:
                wire.send_more(p, b"\r\n")
            wire.collect(waiting, max(p.completed_at for p in waiting) + REPLY_WINDOW_S)
        for t, e, p in probes:
            if e.unterminated and p.completed_at is None:
                p.send_error = p.send_error or "parley closed the connection before the header " \
                                               "block could be completed"
        self.healthy(f"the {transport.upper()} batch")

        for t, exp, p in probes:
            wrong = verdict(t, exp, p)
            line = f"{transport} {t.name:<32} [{exp.describe()}] -> {outcome(p)}"
            if t.name in self.rewritten:
                line += f"  ({self.rewritten[t.name]})"
            gap = KNOWN_GAPS.get((t.name, transport))
            if wrong and gap and shows_gap(p) and not STRICT:
                print(f"    KNOWN GAP {line}", flush=True)
                self.known.append(f"{t.name} over {transport.upper()} to "
                                  f"{wire.bracket(host)} ({gap}): {wrong}, connection "
                                  f"closed by parley")
            else:
                print(("    FAIL " if wrong else "    ") + line, flush=True)
                if wrong:
                    self.failures.append(self.explain(t, exp, p, wrong))
            self.count(exp, p)
        for _, _, p in probes:
            p.close()

    def count(self, exp: Expect, p: Probe) -> None:
        finals = [r.status for r in p.received if r.status is not None and r.status >= 200]
        got = str(finals[0]) if finals else "none"
        if p.transport == "tcp" and p.closed_at is not None:
            got += "+close"
        self.tally[(p.transport, exp.kind, got)] += 1

    def explain(self, t: Torture, exp: Expect, p: Probe, wrong: str) -> str:
        sent = p.sent.decode("utf-8", errors="backslashreplace")
        got = "\n".join(r.data.decode("utf-8", errors="backslashreplace") for r in p.received)
        lines = log_lines(self.srv, [f"{p.local}#"])
        return "\n".join([
            f"{t.label} over {p.transport.upper()} from {p.local}: {wrong}",
            f"  expected: {exp.describe()} ({exp.why})",
            f"  got: {outcome(p)}",
            "  sent:", harness.indent(sent, "    > "),
            *(["  received:", harness.indent(got, "    < ")] if got else []),
            "  parley log lines for this socket:",
            harness.indent("\n".join(lines) or "(none)", "    | "),
        ])

    def summary(self, label: str) -> None:
        step(f"{label}: what came back, by transport and expectation")
        for (transport, kind, got), n in sorted(self.tally.items()):
            info(f"{transport} {kind:<15} {got:<12} x{n}")
        info(f"{self.health_count} health checks, slowest {ms(self.health_worst)}")

    def finish(self, label: str) -> tuple[list[str], list[str]]:
        """Checks the server survived; returns the failures (raised at the end) and the
        known gaps that showed."""
        self.summary(label)
        step(f"{label}: parley still running, no handler exceptions")
        check(self.srv.alive(), f"parley (pid {self.srv.proc.pid}) is still running")
        threw = log_lines(self.srv, ["handler threw"])
        check(not threw, "parley's log has no 'handler threw' line", "\n".join(threw))
        if self.failures:
            info(f"{len(self.failures)} problem(s) in this batch (details at the end)")
        return [f"[{label}] {f}" for f in self.failures], self.known


# ----------------------------------------------------------------------------- the test

def run_batches(server_class, name: str, messages: list[Torture],
                family: str) -> tuple[list[str], list[str]]:
    """One parley per transport: the same message over TCP after UDP would otherwise be a
    retransmission of the UDP transaction (RFC 3261 17.2.3 matches branch, sent-by and
    method, not the transport) and be absorbed instead of answered."""
    failures, known = [], []
    for transport in ("udp", "tcp"):
        with server_class(f"{name}-{transport}", users=USERS) as srv:
            run = Run(srv)
            run.batch(messages, transport)
            f, k = run.finish(f"{family} {transport.upper()}")
            failures += f
            known += k
    return failures, known


def main() -> None:
    started = time.monotonic()
    messages = corpus.load(harness.source_root() / "tests" / "data")
    rfc5118 = [t for t in messages if t.rfc == "5118"]
    step(f"corpus: {len(messages)} messages "
         f"({len(messages) - len(rfc5118)} RFC 4475, {len(rfc5118)} RFC 5118)")
    for transport in ("udp", "tcp"):
        kinds = Counter(corpus.expectation(t, transport).kind for t in messages)
        info(f"over {transport.upper()}: " +
             ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    info("required 400/505: " + ", ".join(f"{k} ({v[2]})" for k, v in corpus.MUST_REJECT.items()))

    failures, known = run_batches(ParleyServer, "torture", messages, "IPv4")
    info(f"IPv4 part took {time.monotonic() - started:.1f}s")

    step("IPv6: the RFC 5118 messages to a parley on [::1]")
    why_not = harness.ipv6_unavailable()
    if why_not:
        info(f"SKIPPED: ::1 is not usable here ({why_not}); the IPv6 part did not run")
    else:
        f, k = run_batches(harness.ParleyServerV6, "torture6", rfc5118, "IPv6")
        failures += f
        known += k

    step("verdict")
    if known:
        info(f"{len(known)} KNOWN GAP(s) showed (listed in KNOWN_GAPS; not counted as "
             f"failures unless PARLEY_TORTURE_STRICT=1):")
        for k in known:
            info(f"  - {k}")
    n = len(failures)
    check(n == 0, "every torture message got what it must, over every transport",
          f"{n} problem(s):\n\n" + "\n\n".join(failures))
    info(f"total {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    harness.run_test(main, deadline=DEADLINE_S)
