#!/usr/bin/env python3
"""Calls and IM through parley's proxy with SIPp (3.6.1) as both users, over UDP and TCP.

For each transport, on a parley of its own (users alice and bob of parley.test):
  0. bob registers (calls_register_contact.xml: 401 -> Digest -> 200) a Contact at the
     port where his SIPp UAS will listen; for every flow below a SIPp UAS with bob's
     scenario starts on that port, and alice's SIPp UAC places the call through parley;
  1. IM session (calls_im_*.xml): INVITE with SDP m=message (Lync/SIMPLE IM) -> 407 ->
     ACK -> INVITE with Proxy-Authorization -> 180 -> 200 with parley's Record-Route ->
     ACK; in the dialog MESSAGE alice->bob, MESSAGE bob->alice (along bob's route set),
     INFO, BYE: each through parley (two Vias at the receiver, parley's on top; alice's
     requests carry a Route to parley, which parley pops) and logged by parley;
  2. voice call (calls_voice_*.xml): INVITE with m=audio RTP/AVP 0 -> 200 -> ACK -> BYE;
  3. busy (calls_busy_*.xml): bob answers 486; alice gets it and ACKs it to parley,
     which absorbs that ACK; bob gets parley's own hop-by-hop ACK (RFC 3261 17.1.1.3:
     one Via, the branch of the INVITE parley sent) and nothing from alice;
  4. CANCEL (calls_cancel_*.xml): bob rings and never answers; alice's CANCEL gets 200
     and the INVITE 487; bob receives parley's CANCEL (RFC 3261 16.10);
  5. MESSAGE outside a dialog (calls_message_*.xml): 407 -> MESSAGE with credentials ->
     bob's 200 relayed to alice.

The 200 that parley itself sends for the CANCEL must carry a To tag (RFC 3261 16.10 ->
8.2.6.2); that check is reported after all flows ran, so that it hides nothing else.

Each SIPp run is one call (-m 1) bounded by -timeout/-timeout_error and -recv_timeout;
SIPp exits 0 only if every expected message came in order and every <ereg check_it>
held. The scenarios also <log> "CHECK ..." lines (the Vias and Record-Route they saw)
that this script compares with parley's address; parley's own log must show each
in-dialog request forwarded ("accepted BYE ... forwarded to ...").
"""

import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import HOST, ParleyServer, check, free_port, info, run_tool, step  # noqa: E402

ALICE, ALICE_PASSWORD = "alice", "Alice-calls-1"
BOB, BOB_PASSWORD = "bob", "Bob-calls-1"
SCENARIOS = harness.interop_dir() / "sipp"
UAS_READY_S = 5        # bob's SIPp binds its port
UAS_EXIT_S = 10        # bob's SIPp ends after alice's call ended
SIPP_LIMITS = ["-recv_timeout", "5000", "-timeout", "15s", "-timeout_error"]


@dataclass
class Run:
    """One SIPp process of one flow: its label names its trace files in srv.dir."""
    srv: ParleyServer
    label: str

    def path(self, kind: str) -> Path:
        return self.srv.dir / f"sipp-{self.label}-{kind}.log"

    def traces(self) -> list[str]:
        return ["-trace_err", "-error_file", self.path("errors"),
                "-trace_msg", "-message_file", self.path("messages"),
                "-trace_logs", "-log_file", self.path("logs")]

    def checks(self) -> list[str]:
        """The "CHECK ..." lines the scenario's <log> actions wrote."""
        try:
            text = self.path("logs").read_text(errors="replace")
        except OSError:
            return []
        return [line.strip() for line in text.splitlines() if line.startswith("CHECK ")]

    def explain(self, result: Optional[harness.ToolResult] = None) -> str:
        parts = [result.describe()] if result else []
        for kind in ("errors", "logs", "messages"):
            p = self.path(kind)
            if p.exists() and p.stat().st_size:
                parts.append(f"--- {p.name}:\n{harness.tail(p, 200)}")
        out = self.srv.dir / f"sipp-{self.label}-stdout.log"
        if out.exists() and out.stat().st_size:
            parts.append(f"--- {out.name}:\n{harness.tail(out, 60)}")
        return "\n".join(parts)

    def messages(self, direction: str, method: str) -> list[str]:
        """The messages this SIPp `direction` ('sent' or 'received') whose start line
        begins with `method` (a request method or "SIP/2.0 486"), from -trace_msg."""
        try:
            text = self.path("messages").read_text(errors="replace")
        except OSError:
            return []
        out = []
        for block in re.split(r"\n-{20,}[^\n]*\n", "\n" + text):
            m = re.match(rf"\s*\S+ message {direction}\b[^\n]*\n\s*(.*)", block, re.S)
            if m and m.group(1).startswith(method + " "):
                out.append(m.group(1))
        return out

    def sent(self, method: str) -> list[str]:
        return self.messages("sent", method)

    def received(self, method: str) -> list[str]:
        return self.messages("received", method)


# Checks whose failure must not hide the flows after them: recorded, reported at the end.
LATE_FAILURES: list[str] = []


def check_late(condition: bool, what: str, detail: str = "") -> None:
    if condition:
        check(True, what)
        return
    print(f"    FAILED (reported at the end): {what}", flush=True)
    LATE_FAILURES.append(what + (f"\n{detail}" if detail else ""))


def port_taken(port: int, tcp: bool) -> bool:
    """True once someone (bob's SIPp) holds `port` on 127.0.0.1 for UDP or TCP."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
    try:
        if tcp:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((HOST, port))
        return False
    except OSError:
        return True
    finally:
        s.close()


def sipp_tool(args: list, timeout: float, cwd: Path) -> harness.ToolResult:
    """run_tool without SIPp's statistics screens in the output (explain() shows them
    on failure)."""
    print(f"    $ {' '.join(map(str, args))}", flush=True)
    r = run_tool(args, timeout=timeout, cwd=cwd, echo=False)
    print(f"    -> {r.summary()}", flush=True)
    return r


class Calls:
    """The flows of one transport ('u1' or 't1') against one parley."""

    def __init__(self, srv: ParleyServer, transport: str) -> None:
        self.srv = srv
        self.transport = transport
        self.tname = "udp" if transport == "u1" else "tcp"
        self.bob_port = free_port(udp=True, tcp=True)
        # parley's address in Via and Record-Route: its listener (127.0.0.1) or its fqdn
        self.parley = rf"(?:127\.0\.0\.1|localhost):{srv.sip_port}\b"

    def call_id(self, flow: str) -> str:
        return f"{flow}-{self.tname}-1@{HOST}"

    def register_bob(self) -> None:
        step(f"{self.tname.upper()}: bob registers sip:bob@{HOST}:{self.bob_port} "
             "(where his SIPp UAS will listen)")
        run = Run(self.srv, f"register-bob-{self.tname}")
        r = sipp_tool([
            "sipp", f"{HOST}:{self.srv.sip_port}",
            "-sf", SCENARIOS / "calls_register_contact.xml",
            "-s", BOB, "-au", BOB, "-ap", BOB_PASSWORD, "-key", "domain", harness.DOMAIN,
            "-key", "contact_port", self.bob_port,
            "-i", HOST, "-p", free_port(avoid=[self.bob_port]), "-t", self.transport,
            "-m", "1", "-r", "100", "-nostdin", "-cp", free_port(udp=True, tcp=False),
            *SIPP_LIMITS, *run.traces()], timeout=25, cwd=self.srv.dir)
        check(r.returncode == 0, "SIPp calls_register_contact.xml: 401 -> Digest -> 200",
              run.explain(r))
        binding = " ".join(run.checks())
        check(f"@{HOST}:{self.bob_port};" in binding,
              f"the 200 lists bob's UAS contact (port {self.bob_port})", binding)

    def start_bob(self, flow: str) -> tuple[subprocess.Popen, Run]:
        run = Run(self.srv, f"{flow}-bob-{self.tname}")
        proc = harness.spawn(f"sipp-bob-{flow}-{self.tname}", [
            "sipp", "-sf", SCENARIOS / f"calls_{flow}_uas.xml",
            "-s", BOB, "-key", "domain", harness.DOMAIN,
            "-i", HOST, "-p", self.bob_port, "-t", self.transport,
            "-m", "1", "-nostdin", "-cp", free_port(udp=True, tcp=False),
            *SIPP_LIMITS, *run.traces()],
            self.srv.dir / f"sipp-{run.label}-stdout.log", cwd=self.srv.dir)
        deadline = time.monotonic() + UAS_READY_S
        tcp = self.transport == "t1"
        while not port_taken(self.bob_port, tcp):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise harness.Failure(
                    f"bob's SIPp UAS does not hold port {self.bob_port} "
                    f"(exit code {proc.poll()})\n{run.explain()}")
            time.sleep(0.05)
        return proc, run

    def alice(self, flow: str) -> tuple[harness.ToolResult, Run]:
        run = Run(self.srv, f"{flow}-alice-{self.tname}")
        r = sipp_tool([
            "sipp", f"{HOST}:{self.srv.sip_port}", "-sf", SCENARIOS / f"calls_{flow}_uac.xml",
            "-s", BOB, "-key", "caller", ALICE, "-au", ALICE, "-ap", ALICE_PASSWORD,
            "-key", "domain", harness.DOMAIN, "-cid_str", f"{flow}-{self.tname}-%u@%s",
            "-i", HOST, "-p", free_port(avoid=[self.bob_port]), "-t", self.transport,
            "-m", "1", "-r", "100", "-nostdin", "-cp", free_port(udp=True, tcp=False),
            *SIPP_LIMITS, *run.traces()], timeout=25, cwd=self.srv.dir)
        return r, run

    def flow(self, flow: str, what: str) -> tuple[Run, Run]:
        """Runs bob's UAS and alice's UAC of `flow`; both must succeed."""
        step(f"{self.tname.upper()}: {what}")
        bob, bob_run = self.start_bob(flow)
        r, alice_run = self.alice(flow)
        try:
            bob_rc: Optional[int] = bob.wait(timeout=UAS_EXIT_S)
        except subprocess.TimeoutExpired:
            bob_rc = None
        if bob_rc is None:
            harness.stop_process(bob, "sipp-bob")
        harness.REGISTRY.forget(bob)
        check(r.returncode == 0, f"alice's SIPp calls_{flow}_uac.xml succeeded (exit 0)",
              alice_run.explain(r) + "\n" + bob_run.explain())
        check(bob_rc == 0, f"bob's SIPp calls_{flow}_uas.xml succeeded (exit 0)",
              f"bob's sipp exit code {bob_rc}\n" + bob_run.explain())
        return alice_run, bob_run

    # ---------------------------------------------------------------- checks on the logs

    def parley_lines(self, flow: str) -> list[str]:
        cid = self.call_id(flow)
        text = self.srv.log_path.read_text(errors="replace")
        return [l for l in text.splitlines() if f"call-id={cid}" in l]

    def expect_parley(self, flow: str, pattern: str, what: str, count: int = 1) -> None:
        lines = self.parley_lines(flow)
        hits = [l for l in lines if re.search(pattern, l)]
        check(len(hits) >= count, f"parley log: {what}",
              f"expected {count}+ line(s) matching {pattern!r} among:\n" +
              harness.indent("\n".join(lines) or "(no line with this Call-ID)"))

    def expect_via_parley(self, run: Run, who: str, methods: list[str]) -> None:
        vias = {}
        for line in run.checks():
            m = re.match(r"CHECK proxy-via (\S+) (.*)", line)
            if m:
                vias[m.group(1)] = m.group(2)
        for method in methods:
            via = vias.get(method, "")
            check(re.search(r"SIP/2\.0/(UDP|TCP) " + self.parley, via) is not None,
                  f"the {method} {who} received came from parley (top Via {via.strip()!r})",
                  "\n".join(run.checks()))

    def expect_route(self, run: Run, methods: list[str]) -> None:
        """alice's requests inside the dialog (Request-URI = bob's Contact, not his AOR;
        this leaves out the ACK for the 407) carry Route: <parley;lr>."""
        aor = f"sip:{BOB}@{harness.DOMAIN} "
        for method in methods:
            sent = [m for m in run.sent(method) if not m.startswith(f"{method} {aor}")]
            routes = [re.search(r"(?im)^Route:\s*<sip:" + self.parley + r"[^>]*;lr\b", m)
                      for m in sent]
            check(bool(sent) and all(routes),
                  f"alice's in-dialog {method} carried a Route to parley",
                  "\n---\n".join(sent) or f"(no {method} in alice's message trace)")

    # ---------------------------------------------------------------- the flows

    def im_session(self) -> None:
        alice, bob = self.flow(
            "im", "IM session: INVITE m=message (407, ACK, Digest) -> 180 -> 200 -> ACK; "
                  "MESSAGE both ways, INFO, BYE inside the dialog")
        rr = " ".join(l for l in alice.checks() if l.startswith("CHECK record-route"))
        check(re.search(r"<sip:" + self.parley + r"[^>]*;lr", rr) is not None,
              "the 200 alice got carries parley's Record-Route (loose routing, ;lr)", rr)
        self.expect_route(alice, ["ACK", "MESSAGE", "INFO", "BYE"])
        self.expect_via_parley(bob, "bob", ["INVITE", "ACK", "MESSAGE", "INFO", "BYE"])
        self.expect_via_parley(alice, "alice", ["MESSAGE"])
        self.expect_parley("im", r"rejected INVITE .*: 407 ", "the first INVITE got 407")
        self.expect_parley("im", r"accepted INVITE sip:bob@parley\.test .*forwarded to",
                           "the authenticated INVITE was forwarded to bob")
        contact = rf"sip:{BOB}@{re.escape(HOST)}:{self.bob_port}"
        for method in ("ACK", "MESSAGE", "INFO", "BYE"):
            self.expect_parley("im", rf"accepted {method} {contact}\S* .*forwarded to",
                               f"alice's in-dialog {method} was forwarded to bob's contact")
        self.expect_parley("im", rf"accepted MESSAGE sip:{ALICE}@\S+ "
                                 rf"from \S+:{self.bob_port}\b.*forwarded to",
                           "bob's in-dialog MESSAGE was forwarded to alice's contact")

    def voice_call(self) -> None:
        alice, bob = self.flow(
            "voice", "voice call: INVITE m=audio RTP/AVP 0 (407, ACK, Digest) -> 200 -> ACK "
                     "-> BYE")
        self.expect_route(alice, ["ACK", "BYE"])
        self.expect_via_parley(bob, "bob", ["INVITE", "ACK", "BYE"])
        self.expect_parley("voice", r"accepted INVITE sip:bob@parley\.test .*forwarded to",
                           "the authenticated INVITE was forwarded to bob")
        for method in ("ACK", "BYE"):
            self.expect_parley("voice", rf"accepted {method} .*forwarded to",
                               f"the {method} was forwarded")

    def hop_by_hop_ack(self, bob: Run, what: str) -> None:
        """bob got exactly one ACK, from parley, with the branch of parley's INVITE."""
        values = {}
        for line in bob.checks():
            m = re.match(r"CHECK (invite|ack)-branch (\S+)", line)
            if m:
                values[m.group(1)] = m.group(2)
        check(values.get("invite") and values.get("invite") == values.get("ack"),
              f"{what}: parley's ACK carries the branch of the INVITE it sent "
              "(RFC 3261 17.1.1.3)", "\n".join(bob.checks()))
        acks = bob.received("ACK")
        check(len(acks) == 1, f"{what}: bob received exactly one ACK (alice's ACK ended at "
              "parley)", f"{len(acks)} ACK(s):\n" + "\n---\n".join(acks))

    def busy(self) -> None:
        alice, bob = self.flow("busy", "bob rejects the call with 486 Busy Here")
        self.expect_via_parley(bob, "bob", ["INVITE", "ACK"])
        self.hop_by_hop_ack(bob, "486")
        sent = alice.sent("ACK")
        check(len(sent) >= 2 and "CSeq: 2 ACK" in sent[-1],
              "alice ACKed the 486 (to parley, her only peer)", "\n---\n".join(sent))
        self.expect_parley("busy", r"accepted INVITE sip:bob@parley\.test .*forwarded to",
                           "the authenticated INVITE was forwarded to bob")
        forwarded_acks = [l for l in self.parley_lines("busy") if "accepted ACK " in l]
        check(not forwarded_acks, "parley did not forward alice's ACK for the 486",
              "\n".join(forwarded_acks))

    def cancel(self) -> None:
        alice, bob = self.flow("cancel", "bob rings and never answers; alice CANCELs "
                                         "(200 for the CANCEL, 487 for the INVITE)")
        self.expect_via_parley(bob, "bob", ["INVITE", "CANCEL", "ACK"])
        values = {}
        for line in bob.checks():
            m = re.match(r"CHECK (invite|cancel)-branch (\S+)", line)
            if m:
                values[m.group(1)] = m.group(2)
        check(values.get("invite") and values.get("invite") == values.get("cancel"),
              "parley's CANCEL carries one Via with the branch of the INVITE it sent "
              "(RFC 3261 9.1)", "\n".join(bob.checks()))
        self.hop_by_hop_ack(bob, "487")
        # RFC 3261 16.10: parley answers the CANCEL itself, "acting as a user agent
        # server as defined in Section 8.2"; 8.2.6.2: the UAS MUST add a To tag.
        ok = [m for m in alice.received("SIP/2.0 200")
              if re.search(r"(?im)^CSeq:\s*2 CANCEL", m)]
        tagged = [m for m in ok if re.search(r"(?im)^(To|t):[^\r\n]*;\s*tag=", m)]
        check_late(bool(ok) and len(tagged) == len(ok),
                   "parley's 200 to the CANCEL has a To tag (RFC 3261 16.10 -> 8.2.6.2)",
                   "\n---\n".join(ok) or "(no 200 for the CANCEL in alice's trace)")
        self.expect_parley("cancel", r"accepted CANCEL ", "parley took the CANCEL")

    def message(self) -> None:
        alice, bob = self.flow("message", "MESSAGE outside a dialog (407, Digest) -> 200")
        self.expect_via_parley(bob, "bob", ["MESSAGE"])
        self.expect_parley("message", r"rejected MESSAGE .*: 407 ", "the first MESSAGE got 407")
        self.expect_parley("message", r"accepted MESSAGE sip:bob@parley\.test .*forwarded to",
                           "the authenticated MESSAGE was forwarded to bob")


def main() -> None:
    harness.require_tool("sipp")
    users = {f"{ALICE}@{harness.DOMAIN}": ALICE_PASSWORD,
             f"{BOB}@{harness.DOMAIN}": BOB_PASSWORD}
    for transport in ("u1", "t1"):
        # one parley per transport: bob's binding of one run cannot fork the other's calls
        with ParleyServer(f"sipp-calls-{transport}", users=users) as srv:
            started = time.monotonic()
            calls = Calls(srv, transport)
            calls.register_bob()
            calls.im_session()
            calls.voice_call()
            calls.busy()
            calls.cancel()
            calls.message()
            info(f"{calls.tname.upper()} flows took {time.monotonic() - started:.1f}s")
            srv.check_running()
    if LATE_FAILURES:
        raise harness.Failure(f"{len(LATE_FAILURES)} check(s) failed:\n" +
                              "\n\n".join(LATE_FAILURES))


if __name__ == "__main__":
    harness.run_test(main, deadline=120)
