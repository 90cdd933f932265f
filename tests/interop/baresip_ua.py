"""A baresip 1.0 user agent driven through its ctrl_tcp JSON control socket.

Standard library only; used by test_baresip.py (through parley) and dev_baresip_direct.py
(two instances calling each other directly, to validate this setup without a server).

What baresip 1.0.0 (Debian 12) offers and this module relies on:
  * `baresip -f DIR` reads DIR/config, DIR/accounts, DIR/contacts.
  * sip_listen HOST:P opens UDP and TCP on P and, when TLS is compiled in, TLS on P+1
    (src/ua.c add_transp_af), so each instance needs two consecutive free ports.
  * ctrl_tcp: netstring-framed JSON. Commands {"command","params","token"} get
    {"response":true,"ok":bool,"data":str,"token"}; events arrive as
    {"event":true,"class","type","param","accountaor","direction","peeruri","id"}.
  * Commands come from modules: `dial`, `hangup`, `accept`, `reginfo`, `uanew` (menu),
    `message` (contact: sends to the *current contact*, the first line of DIR/contacts),
    `quit` (core).
  * There is no ctrl_tcp event for a received MESSAGE in 1.0: menu prints it through the
    UI layer, so the stdio UI module is loaded (stdin is a pipe we never write) and the
    line `<from-uri>: "<text>"` is looked for in the log.
  * Audio without a sound card: ausine (tone source, needs 48 kHz stereo, the
    frequency is the device name), aubridge as player (a bridge device with no source
    on the other side: nothing is played), sndfile as the recorder: an audio filter that
    writes every decoded (received) frame to snd_path/dump-<time>-dec.wav and every
    encoded (sent) frame to ...-enc.wav, at the codec rate (8 kHz mono for G.711).
    baresip 1.0's aufile module is a source only, so it cannot record.
  * TLS: sip_cafile is loaded (tls_add_ca), but libre 1.1 does not verify the server
    certificate of SIP/TLS connections; test_baresip.py checks the chain with openssl.

Presence (BaresipUA(..., presence=True) loads modules/presence, after contact.so):
  * Watching: every contacts-file entry with the address parameter `;presence=p2p`
    (presence_contact() writes one) gets a SUBSCRIBE (Event: presence, Expires: 600,
    Accept-less) to the contact's URI, routed through the account's `outbound` proxy,
    i.e. through parley; sent 1 s after start, whether registered or not. A failed
    SUBSCRIBE is retried after 30 s, then 300 s, 3600 s; a subscription terminated by
    NOTIFY after 5 s (deactivated/timeout), 300 s or 3600 s (rejected/noresource).
  * What baresip makes of a NOTIFY (modules/presence/subscriber.c, regexes over the raw
    body, so namespace prefixes matter): Content-Type must be application/pidf+xml
    (else 415); `<basic>open</basic>` -> Online, any other basic -> Offline; then
    `<rpid:away/>` -> Offline, else `<rpid:busy/>` or `<rpid:on-the-phone/>` -> Busy;
    no Content-Type and Content-Length 0 -> Unknown. Only these four states exist.
    contact_presence() reads them from the `contacts` command (there is no ctrl_tcp
    event for a contact's presence; the log says "<uri> changed status from A to B").
  * Publishing: the account parameter `;pubint=N` (seconds) makes baresip PUBLISH its
    own state (Event: presence, Expires: N, application/pidf+xml, refreshed with
    SIP-If-Match) once registered. Its PIDF has only <basic>open|closed</basic> and an
    empty <rpid:activities/>: baresip 1.0 has no busy or away of its own. Commands:
    `presence_online` and `presence_offline` (set_presence()); on exit it sends a
    PUBLISH with Expires: 0 and no body. The exact bodies are in PIDF_OPEN_EXAMPLE.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, Optional

import harness
from harness import Failure, HOST, check, indent, info, run_tool, spawn, stop_process

BARESIP_MODULES = "/usr/lib/baresip/modules"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# What baresip 1.0.0 PUBLISHes (CRLF line ends; entity and contact are the account's
# AOR as written in the accounts file, e.g. sip:carol@parley.test;transport=udp is
# published as sip:carol@parley.test): status "open" after presence_online and at
# sign-in, "closed" after presence_offline.
PIDF_OPEN_EXAMPLE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n'
    '<presence xmlns="urn:ietf:params:xml:ns:pidf"\r\n'
    '    xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"\r\n'
    '    xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"\r\n'
    '    entity="sip:carol@parley.test">\r\n'
    '  <dm:person id="p4159"><rpid:activities/></dm:person>\r\n'
    '  <tuple id="t4109">\r\n'
    '    <status>\r\n'
    '      <basic>open</basic>\r\n'
    '    </status>\r\n'
    '    <contact>sip:carol@parley.test</contact>\r\n'
    '  </tuple>\r\n'
    '</presence>\r\n')

# baresip's names for a contact's presence (contact_presence_str), as the `contacts`
# command prints them.
PRESENCE_STATES = ("Unknown", "Online", "Offline", "Busy")


def presence_contact(uri: str, display: str = "") -> str:
    """A contacts-file line that baresip's presence module SUBSCRIBEs to."""
    uri = uri if uri.startswith("sip:") else f"sip:{uri}"
    return f'{f"{display} " if display else ""}<{uri}>;presence=p2p'


def _config_text(sip_port: int, ctrl_port: int, tone_hz: int, snd_path: Path,
                 cafile: Optional[Path], presence: bool = False) -> str:
    lines = [
        "# written by tests/interop/baresip_ua.py",
        "poll_method\t\tepoll",
        "net_interface\t\t127.0.0.1",    # SDP and RTP on loopback, whatever else the host has
        f"sip_listen\t\t{HOST}:{sip_port}",
        "call_local_timeout\t20",
        "call_max_calls\t\t4",
        # audio: a sine tone out, received audio recorded by sndfile, nothing played
        f"audio_source\t\tausine,{tone_hz}",
        "audio_player\t\taubridge,parley-sink",
        "audio_alert\t\taubridge,parley-alert",
        "ausrc_srate\t\t48000",
        "ausrc_channels\t\t2",
        "audio_level\t\tno",
        "ausrc_format\t\ts16",
        "auplay_format\t\ts16",
        "auenc_format\t\ts16",
        "audec_format\t\ts16",
        "audio_buffer\t\t20-160",
        "rtp_tos\t\t\t0",
        "rtcp_mux\t\tno",
        "jitter_buffer_delay\t1-10",
        "rtp_stats\t\tno",
        f"module_path\t\t{BARESIP_MODULES}",
        "module\t\t\tstdio.so",
        "module\t\t\tg711.so",
        "module\t\t\tausine.so",
        "module\t\t\taubridge.so",
        "module\t\t\tsndfile.so",
        "module_tmp\t\tuuid.so",
        "module_tmp\t\taccount.so",
        "module_app\t\tmenu.so",
        "module_app\t\tcontact.so",
        *(["module_app\t\tpresence.so"] if presence else []),   # after contact.so
        "module_app\t\tctrl_tcp.so",
        f"ctrl_tcp_listen\t\t{HOST}:{ctrl_port}",
        f"snd_path\t\t{snd_path}",
        "menu_bell\t\tno",
        "ringback_disabled\tyes",
        "statmode_default\toff",
    ]
    if cafile is not None:
        lines.append(f"sip_cafile\t\t{cafile}")
    return "\n".join(lines) + "\n"


class BaresipUA:
    """One baresip process with its own config directory, SIP ports and control socket.

    `account` is one line of baresip's accounts file, e.g.
        <sip:alice@parley.test;transport=tls>;auth_pass=secret;answermode=auto
    `contacts` are lines of its contacts file; the first is the `message` target.
    `tone_hz` is the frequency of the sine this UA sends in calls.
    `presence`: load the presence module: contacts written with presence_contact() are
    watched (SUBSCRIBE through the outbound proxy), and with `;pubint=N` in `account`
    the UA PUBLISHes its state (see the module docstring).
    """

    def __init__(self, name: str, workdir: Path, account: str, tone_hz: int,
                 contacts: Optional[list[str]] = None, cafile: Optional[Path] = None,
                 presence: bool = False) -> None:
        self.name = name
        self.dir = workdir / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.snd_path = self.dir / "recordings"
        self.snd_path.mkdir(exist_ok=True)
        self.log_path = self.dir / "baresip.log"
        self.sip_port = harness.free_port(udp=True, tcp=True, span=2)   # TLS on sip_port+1
        self.tls_port = self.sip_port + 1
        self.ctrl_port = harness.free_port(udp=False, tcp=True,
                                           avoid=[self.sip_port, self.tls_port])
        self.tone_hz = tone_hz
        self.presence = presence
        (self.dir / "config").write_text(
            _config_text(self.sip_port, self.ctrl_port, tone_hz, self.snd_path, cafile,
                         presence))
        (self.dir / "accounts").write_text(account + "\n")
        self.set_contacts(contacts or [])
        self.proc: Optional[subprocess.Popen] = None
        self.sock: Optional[socket.socket] = None
        self.reader: Optional[threading.Thread] = None
        self.cond = threading.Condition()
        self.events: list[dict] = []
        self.responses: dict[str, dict] = {}
        self.token = 0

    def set_contacts(self, contacts: list[str]) -> None:
        """Writes the contacts file (before start); the first entry is the `message` target."""
        (self.dir / "contacts").write_text("".join(c + "\n" for c in contacts))

    # ------------------------------------------------------------------ lifecycle
    def start(self, timeout: float = 10) -> None:
        harness.require_tool("baresip")
        # stdbuf: line-buffered logs; -s: SIP trace in the log; stdin: a pipe, for stdio.so.
        self.proc = spawn(f"baresip-{self.name}",
                          ["stdbuf", "-oL", "-eL", "baresip", "-s", "-f", str(self.dir)],
                          self.log_path, cwd=self.dir, stdin=subprocess.PIPE)
        if not harness.wait_tcp(HOST, self.ctrl_port, timeout, alive=self.alive):
            raise Failure(f"baresip {self.name}: ctrl_tcp does not accept on {self.ctrl_port}"
                          f" ({'exited' if not self.alive() else 'timeout'})")
        self.sock = socket.create_connection((HOST, self.ctrl_port), timeout=5)
        self.sock.settimeout(None)
        self.reader = threading.Thread(target=self._read_loop, daemon=True)
        self.reader.start()
        info(f"baresip {self.name} (pid {self.proc.pid}) SIP {HOST}:{self.sip_port} "
             f"(TLS {self.tls_port}), ctrl_tcp {self.ctrl_port}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None
        if self.proc is not None:
            # SIGTERM: baresip unregisters and ends its calls, then exits.
            stop_process(self.proc, f"baresip-{self.name}")
            if self.proc.stdin:
                self.proc.stdin.close()
            harness.REGISTRY.forget(self.proc)

    # ------------------------------------------------------------------ control socket
    def _read_loop(self) -> None:
        buf = b""
        sock = self.sock
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            while True:
                colon = buf.find(b":")
                if colon < 0:
                    break
                try:
                    length = int(buf[:colon])
                except ValueError:
                    buf = b""          # out of sync: drop
                    break
                if len(buf) < colon + 1 + length + 1:
                    break
                payload = buf[colon + 1: colon + 1 + length]
                buf = buf[colon + 1 + length + 1:]     # skip the trailing ','
                try:
                    msg = json.loads(payload.decode("utf-8", "replace"))
                except ValueError:
                    continue
                with self.cond:
                    if msg.get("response"):
                        self.responses[str(msg.get("token", ""))] = msg
                    elif msg.get("event"):
                        msg["_time"] = time.monotonic()
                        self.events.append(msg)
                    self.cond.notify_all()

    def command(self, command: str, params: str = "", timeout: float = 5,
                quiet: bool = False) -> dict:
        """Runs a baresip command; returns the response dict (ok, data)."""
        if self.sock is None:
            raise Failure(f"baresip {self.name} is not started")
        self.token += 1
        token = f"t{self.token}"
        body = json.dumps({"command": command, "params": params, "token": token}).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body + b",")
        deadline = time.monotonic() + timeout
        with self.cond:
            while token not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive():
                    raise Failure(f"baresip {self.name}: no response to '{command} {params}'")
                self.cond.wait(min(left, 0.2))
            resp = self.responses.pop(token)
        if not quiet:
            data = ANSI.sub("", str(resp.get("data", ""))).strip()
            info(f"{self.name}: {command} {params} -> ok={resp.get('ok')} {data[:200]}")
        return resp

    def wait_event(self, type_: str, timeout: float,
                   match: Optional[Callable[[dict], bool]] = None, since: int = 0) -> dict:
        """The first event of `type_` (from index `since` on) that satisfies `match`."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for ev in self.events[since:]:
                    if ev.get("type") == type_ and (match is None or match(ev)):
                        return ev
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive():
                    seen = ", ".join(f"{e.get('type')}({e.get('param', '')})" for e in self.events)
                    raise Failure(f"baresip {self.name}: no {type_} event within {timeout}s"
                                  f"{'' if self.alive() else ' (baresip exited)'}; "
                                  f"events so far: {seen or 'none'}")
                self.cond.wait(min(left, 0.2))

    def wait_registered(self, timeout: float) -> str:
        """Waits until the account is registered; returns baresip's status line.

        baresip registers as soon as it starts, often before the control socket is
        connected, so its REGISTER_OK event can be missed: `reginfo` is polled as well.
        """
        deadline = time.monotonic() + timeout
        line = ""
        while True:
            if self.has_event("REGISTER_FAIL"):
                fails = [e.get("param") for e in self.events if e.get("type") == "REGISTER_FAIL"]
                raise Failure(f"baresip {self.name}: registration failed: {fails}")
            data = ANSI.sub("", str(self.command("reginfo", quiet=True).get("data", "")))
            lines = [l.strip() for l in data.splitlines() if "sip:" in l]
            line = lines[0] if lines else data.strip()
            if re.search(r"\sOK\s", f" {line} ") or self.has_event("REGISTER_OK"):
                return line
            if time.monotonic() > deadline:
                raise Failure(f"baresip {self.name}: not registered within {timeout}s; "
                              f"reginfo: {line!r}")
            time.sleep(0.2)

    def event_count(self) -> int:
        with self.cond:
            return len(self.events)

    def has_event(self, type_: str, since: int = 0) -> bool:
        with self.cond:
            return any(e.get("type") == type_ for e in self.events[since:])

    # ------------------------------------------------------------------ presence
    def set_presence(self, status: str) -> float:
        """Sets this UA's own state: 'online' or 'offline' (the only two baresip 1.0
        has: commands presence_online / presence_offline). With pubint set, baresip
        sends its PUBLISH at once (before it answers the command). Returns the
        time.monotonic() just before the command was sent."""
        if not self.presence:
            raise Failure(f"baresip {self.name} was started without the presence module")
        if status not in ("online", "offline"):
            raise Failure(f"baresip 1.0 can only be online or offline, not {status!r}")
        started = time.monotonic()
        resp = self.command(f"presence_{status}")
        check(bool(resp.get("ok")), f"{self.name}'s baresip accepts presence_{status}", str(resp))
        return started

    def contacts_presence(self) -> dict[str, str]:
        """{contact URI: 'Online'|'Offline'|'Busy'|'Unknown'} as the `contacts` command
        prints them (only with the presence module loaded)."""
        data = ANSI.sub("", str(self.command("contacts", quiet=True).get("data", "")))
        out: dict[str, str] = {}
        for line in data.splitlines():
            m = re.match(r"^\s*>?\s*(Unknown|Online|Offline|Busy)\s+.*<(sip:[^>]+)>", line)
            if m:
                out[m.group(2)] = m.group(1)
        return out

    def contact_presence(self, uri: str) -> Optional[str]:
        """The state baresip shows for one contact (None if it is not listed)."""
        uri = uri if uri.startswith("sip:") else f"sip:{uri}"
        return self.contacts_presence().get(uri)

    def wait_contact_presence(self, uri: str, states: str, timeout: float,
                              poll: float = 0.05) -> tuple[str, float]:
        """Polls `contacts` until the contact's state matches the regex `states` (e.g.
        "Busy" or "Offline|Busy"); returns (state, time.monotonic() when first seen)."""
        uri = uri if uri.startswith("sip:") else f"sip:{uri}"
        rx = re.compile(rf"^(?:{states})$")
        deadline = time.monotonic() + timeout * harness.TIME_SCALE
        state = None
        while True:
            state = self.contact_presence(uri)
            now = time.monotonic()
            if state is not None and rx.match(state):
                return state, now
            if now > deadline or not self.alive():
                raise Failure(f"baresip {self.name}: {uri} is {state!r}, not /{states}/, "
                              f"after {timeout}s{'' if self.alive() else ' (baresip exited)'}"
                              f"\n{self.presence_log()}")
            time.sleep(poll)

    def presence_log(self) -> str:
        """baresip's own presence lines from its log (status changes, subscriber errors)."""
        text = re.sub(r"\x1b\[36;1m#\r?\n.*?\x1b\[;m", "", self.log_text(), flags=re.S)
        lines = [ANSI.sub("", l) for l in text.splitlines()
                 if re.search(r"^presence:|changed status from|publisher", ANSI.sub("", l))]
        return indent("\n".join(lines[-30:])) if lines else "    | (no presence lines)"

    def sip_trace(self, method: str = "") -> list[str]:
        """SIP messages in the log (baresip -s prints each one it sends or receives as
        ESC[36;1m#, "UDP <from> -> <to>", the message, ESC[;m), each as
        "UDP <from> -> <to>\n<message>" with LF line ends; with `method`, only requests
        of that method and responses whose CSeq names it."""
        out = []
        for m in re.finditer(r"\x1b\[36;1m#\r?\n((?:UDP|TCP|TLS|WS|WSS) \S+ -> \S+)\r?\n"
                             r"(.*?)\x1b\[;m", self.log_text(), re.S):
            msg = m.group(2).replace("\r\n", "\n").strip()
            first = msg.split("\n", 1)[0]
            if method and not (first.startswith(f"{method} ") or
                               re.search(rf"(?im)^CSeq:\s*\d+ {re.escape(method)}\s*$", msg)):
                continue
            out.append(f"{m.group(1)}\n{msg}")
        return out

    # ------------------------------------------------------------------ log and media
    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def wait_log(self, pattern: str, timeout: float) -> re.Match:
        """Waits until the log matches the regular expression `pattern`."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.log_text())
            if m:
                return m
            if time.monotonic() > deadline:
                raise Failure(f"baresip {self.name}: log does not show /{pattern}/ "
                              f"within {timeout}s")
            time.sleep(0.1)

    def wait_message(self, text: str, timeout: float) -> str:
        """Waits for an incoming MESSAGE with body `text`; returns the sender's URI."""
        m = self.wait_log(r'(\S+): "' + re.escape(text) + '"', timeout)
        return m.group(1).lstrip("\r")

    def recordings(self, kind: str = "dec") -> list[Path]:
        """WAV files written by sndfile: kind 'dec' = audio received, 'enc' = audio sent."""
        return sorted(self.snd_path.glob(f"dump-*-{kind}.wav"))


# ---------------------------------------------------------------------------- audio checks

def sox_stat(wav: Path, skip_s: float = 0.3) -> dict[str, float]:
    """`sox WAV -n trim SKIP stat` as a dict: 'length', 'rms', 'max', 'freq' (rough Hz)."""
    r = run_tool(["sox", str(wav), "-n", "trim", f"{skip_s}", "stat"], timeout=20, echo=False)
    if r.returncode != 0:
        raise Failure(f"sox cannot read {wav}\n{r.describe()}")
    keys = {"Length (seconds)": "length", "RMS     amplitude": "rms",
            "Maximum amplitude": "max", "Rough   frequency": "freq"}
    out: dict[str, float] = {}
    for line in r.output.splitlines():
        name, _, value = line.partition(":")
        if name.strip() in keys:
            try:
                out[keys[name.strip()]] = float(value.strip())
            except ValueError:
                pass
    for k in keys.values():
        if k not in out:
            raise Failure(f"sox stat output lacks '{k}'\n{r.describe()}")
    return out


def sox_band_rms(wav: Path, centre_hz: int, skip_s: float = 0.3) -> float:
    """RMS amplitude left after a narrow band-pass around `centre_hz` (sox sinc filter)."""
    lo, hi = int(centre_hz * 0.9), int(centre_hz * 1.1)
    r = run_tool(["sox", str(wav), "-n", "trim", f"{skip_s}", "sinc", f"{lo}-{hi}", "stat"],
                 timeout=20, echo=False)
    if r.returncode != 0:
        raise Failure(f"sox band-pass on {wav} failed\n{r.describe()}")
    for line in r.output.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "RMS     amplitude":
            return float(value.strip())
    raise Failure(f"sox stat output lacks the RMS amplitude\n{r.describe()}")


def check_tone(wav: Path, tone_hz: int, min_seconds: float, who: str) -> None:
    """The recording holds at least `min_seconds` of a sine of about `tone_hz`.

    ausine sends at half of full scale (RMS about 0.35); silence is ~0. Thresholds are
    loose: G.711 and the first jitter-buffer frames must not make the check flaky.
    """
    st = sox_stat(wav)
    band = sox_band_rms(wav, tone_hz)
    info(f"{who}: {wav.name}: {st['length']:.2f}s after skip, RMS {st['rms']:.3f}, "
         f"max {st['max']:.3f}, rough frequency {st['freq']:.0f} Hz, "
         f"RMS in {tone_hz} Hz +-10% band {band:.3f}")
    check(st["length"] >= min_seconds,
          f"{who} recorded at least {min_seconds}s of received audio", f"got {st['length']:.2f}s")
    check(st["rms"] >= 0.05,
          f"{who} received audio is well above silence (RMS {st['rms']:.3f} >= 0.05)")
    check(abs(st["freq"] - tone_hz) <= 0.1 * tone_hz,
          f"{who} received tone is about {tone_hz} Hz (rough frequency {st['freq']:.0f} Hz)")
    check(band >= 0.5 * st["rms"],
          f"{who} received energy is mostly in the {tone_hz} Hz band "
          f"({band:.3f} of {st['rms']:.3f} RMS)")


# ---------------------------------------------------------------------------- the scenario

def exchange_messages(alice: BaresipUA, bob: BaresipUA, timeout: float = 8) -> None:
    """alice -> bob and bob -> alice SIP MESSAGE (each to its first contact), both received."""
    for sender, receiver in ((alice, bob), (bob, alice)):
        harness.step(f"MESSAGE {sender.name} -> {receiver.name}")
        text = f"hello {receiver.name} from {sender.name} {time.monotonic_ns() % 100000}"
        resp = sender.command("message", text)
        check(bool(resp.get("ok")), f"{sender.name}'s baresip accepts the message command",
              str(resp))
        peer = receiver.wait_message(text, timeout)
        info(f"{receiver.name} received \"{text}\" from {peer}")
        check(sender.name in peer,
              f"{receiver.name} sees the MESSAGE as coming from {sender.name}", f"From: {peer}")


def call_with_tones(caller: BaresipUA, callee: BaresipUA, callee_uri: str,
                    talk_s: float = 3.0) -> None:
    """caller dials callee (who auto-answers), audio flows both ways, caller hangs up.

    Checks: both sides see CALL_ESTABLISHED, both see CALL_CLOSED after the caller's
    hangup (the BYE reached the callee), and each side's recording of received audio
    holds the other side's tone.
    """
    harness.step(f"call {caller.name} -> {callee_uri} (auto-answer), {talk_s:.0f}s of tones")
    c0, e0 = caller.event_count(), callee.event_count()
    resp = caller.command("dial", callee_uri)
    check(bool(resp.get("ok")), f"{caller.name}'s baresip accepts 'dial {callee_uri}'", str(resp))
    # answermode=auto: baresip answers at once and emits no CALL_INCOMING.
    ev = callee.wait_event("CALL_ESTABLISHED", 10, since=e0)
    info(f"{callee.name}: call from {ev.get('peeruri')} established")
    ev = caller.wait_event("CALL_ESTABLISHED", 10, since=c0)
    check(True, f"call established on both sides (caller sees peer {ev.get('peeruri')})")

    time.sleep(talk_s)
    check(caller.alive() and callee.alive(), "both baresip processes are still running")
    check(not caller.has_event("CALL_CLOSED", c0) and not callee.has_event("CALL_CLOSED", e0),
          f"the call stayed up for {talk_s:.0f}s")

    harness.step(f"{caller.name} hangs up; the BYE must end the call at {callee.name}")
    caller.command("hangup")
    caller.wait_event("CALL_CLOSED", 5, since=c0)
    ev = callee.wait_event("CALL_CLOSED", 10, since=e0)
    check(True, f"{callee.name} saw CALL_CLOSED ({ev.get('param')})")
    time.sleep(0.5)   # sndfile closes (and finalises) the WAV files when the stream ends

    harness.step("the recordings hold each other's tone")
    for ua, peer in ((callee, caller), (caller, callee)):
        files = ua.recordings("dec")
        check(len(files) == 1, f"{ua.name} recorded one file of received audio",
              f"found: {[f.name for f in files]} in {ua.snd_path}")
        check_tone(files[0], peer.tone_hz, min_seconds=talk_s - 1.0, who=ua.name)
