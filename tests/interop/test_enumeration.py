#!/usr/bin/env python3
"""User enumeration: sipvicious svwar (0.3.3, Debian package sipvicious) cannot list
parley's accounts, and unknown and known users get the same answers in the same time.

How svwar decides (sipvicious/svwar.py, TakeASip.start and getResponse): it first sends
its request for a random extension and keeps the status line of the answer (reason
phrase included) as the "bad user" line. Without --force it gives up at once when that
answer is a 401/407 challenge; it also gives up when it is 100, 180 or 480. Then it
tries the extensions one by one: an answer whose status line differs from the bad-user
line is listed ("reqauth", "noauth" or "weird"); an equal one is passed over if it is
404, 503, 100, 180, 200, 481 or 603, and for any other status (401, 407, 480...) svwar
stops ("We got an unknown response"). It reads the extension of an answer back from
the From tag, which encodes it.

So against a server that answers one way for everybody svwar stops after the first
extension, listing nothing; against one that answers 404 for unknown users and
anything else for real ones it lists the real ones. This test asserts svwar's verdict,
that the answers it did get were all the same line (for the random extension and a
real user it tried first), and then makes the whole sweep itself, request by request,
to show that every extension, real or not, gets the same status line and headers.

Parley: users 1001, 1002 and alice in parley.test, none registered; [limits]
unauthenticated_limit = 0, so that the per-source throttle (app/source_throttle.hpp)
plays no part: this test is about what the answers reveal, not about how many a
scanner may get (a throttled scanner gets 503, which svwar passes over as "not found";
test_throttle.py covers the throttle).

  1. control: svwar against a small leaky server in this script (404 for unknown users;
     401 to REGISTER and 480 to INVITE for real ones: what parley answered a caller in
     another domain before) lists exactly the real users, with stock svwar (REGISTER,
     dictionary) and with enumeration/svwar_foreign.py (INVITE from example.org, -e).
     Without it the checks below could pass because svwar heard nothing;
  2. stock svwar against parley: REGISTER without --force (gives up on the challenge),
     REGISTER --force over -e1001-1010, INVITE and OPTIONS --force over the dictionary
     enumeration/extensions.txt (alice first). svwar's From is in parley.test, so the
     registrar answers 401 and the proxy 407 before any routing: nothing listed;
  3. svwar_foreign.py (svwar with From in example.org, a caller parley cannot
     challenge), INVITE over -e1001-1010: its random extension gets 480, as real users
     do (RFC 3261 16.5; roles/proxy/proxy.hpp, "Unknown users"); nothing listed;
  4. the whole sweep (the range, the dictionary, a random extension) sent here: REGISTER
     as svwar sends it (401 for all), INVITE and OPTIONS from the extension itself (407
     for all) and from example.org (480 for all);
  5. timing, 30 of each, interleaved: REGISTER with Digest for an unknown user and for
     a real user with a wrong password (401 both); INVITE with Proxy-Authorization from
     an unknown local user and from a real one with a wrong password (407 both); INVITE
     and OPTIONS from example.org to an unknown and to a real user (480 both). Same
     status line and header names; median times in the same class (within 3x, or less
     than 5 ms apart: loopback answers take well under a millisecond, and a tighter
     bound would fail on a loaded CI machine without showing a leak).
"""

import ast
import hashlib
import re
import socket
import statistics
import sys
import threading
import time
import uuid
from binascii import a2b_hex
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import HOST, ParleyServer, check, free_port, info, run_tool, step  # noqa: E402

DOMAIN = harness.DOMAIN
FOREIGN = "example.org"
USERS = {"1001": "pw-1001-Xq7", "1002": "pw-1002-Lm3", "alice": "pw-alice-Rt9"}
KNOWN = set(USERS)
DATA = harness.interop_dir() / "enumeration"
DICTIONARY = DATA / "extensions.txt"
FOREIGN_SVWAR = DATA / "svwar_foreign.py"
RANGE = "1001-1010"       # svwar tries 1001 (a real user) first
RANGE_EXTENSIONS = [str(n) for n in range(1001, 1011)]
PROBES = 30
WARMUP = 3
# Medians in the same class: within this ratio, or closer than this many ms.
TIMING_RATIO = 3.0
TIMING_SLACK_MS = 5.0 * harness.TIME_SCALE
RECV_TIMEOUT_S = 3 * harness.TIME_SCALE


def dictionary_words() -> list[str]:
    return [w.strip() for w in DICTIONARY.read_text().splitlines() if w.strip()]


# ----------------------------------------------------------------------------- svwar

@dataclass
class Scan:
    result: harness.ToolResult
    listed: dict[str, str]          # extension -> svwar's label (reqauth, noauth, weird)
    answers: dict[str, set[str]]    # extension -> status lines it got (from --debug)

    def lines(self) -> set[str]:
        return set().union(*self.answers.values()) if self.answers else set()

    def summary(self) -> str:
        per_line: dict[str, list[str]] = {}
        for ext, lines in sorted(self.answers.items()):
            for line in lines:
                per_line.setdefault(line, []).append(ext)
        parts = [f"{line}: {len(exts)} extension(s)" for line, exts in sorted(per_line.items())]
        return (f"listed {sorted(self.listed) or 'nothing'}; answers: "
                + ("; ".join(parts) or "none"))


def extension_of(message: str) -> Optional[str]:
    """The extension svwar encoded in its From tag: hex of "<extension>\\x01<random>"."""
    m = re.search(r"(?im)^(?:From|f)\s*:.*?;\s*tag=([0-9a-f]+)", message)
    if not m:
        return None
    try:
        raw = a2b_hex(m.group(1))
    except ValueError:
        return None
    ext, sep, _ = raw.partition(b"\x01")
    return ext.decode(errors="replace") if sep else None


def parse_scan(result: harness.ToolResult) -> Scan:
    listed: dict[str, str] = {}
    for m in re.finditer(r"(?m)^\|\s*([^|\s]+)\s*\|\s*([^|\s]+)\s*\|\s*$", result.stdout):
        if m.group(1) != "Extension":
            listed[m.group(1)] = m.group(2)
    answers: dict[str, set[str]] = {}
    for line in result.stdout.splitlines():
        if not (line.startswith("b'") or line.startswith('b"')):
            continue
        try:
            message = ast.literal_eval(line).decode(errors="replace")
        except (ValueError, SyntaxError):
            continue
        if not message.startswith("SIP/2.0 "):
            continue
        ext = extension_of(message)
        if ext is not None:
            answers.setdefault(ext, set()).add(message.split("\r\n", 1)[0])
    return Scan(result, listed, answers)


def svwar_python(tool: str) -> str:
    """The interpreter svwar itself runs with (its #! line), for svwar_foreign.py."""
    first = Path(tool).read_text(errors="replace").split("\n", 1)[0]
    return first[2:].strip().split()[0] if first.startswith("#!") else sys.executable


def svwar(port: int, *args: str, foreign: bool = False, timeout: float = 60) -> Scan:
    """svwar (or svwar_foreign.py) against 127.0.0.1:port, scanning parley.test.

    -x/-P: our address and a free source port for Via (svwar's default is the host
    name's address and 5060); --debug prints every answer for parse_scan()."""
    tool = harness.require_tool("svwar")
    cmd = [svwar_python(tool), str(FOREIGN_SVWAR)] if foreign else [tool]
    cmd += ["-p", str(port), "--domain", DOMAIN, "-x", HOST,
            "-P", str(free_port(udp=True, tcp=False)), "--debug", *map(str, args), HOST]
    print(f"    $ {' '.join(cmd)}", flush=True)
    result = run_tool(cmd, timeout=timeout * harness.TIME_SCALE, echo=False)
    scan = parse_scan(result)
    info(f"-> {result.summary()}; {scan.summary()}")
    verdict = [l for l in result.stderr.splitlines()
               if re.search(r"found nothing|we have \d+ extensions|authentication request for "
                            r"an unknown|response we got was not good|No server response|"
                            r"unknown response|will probably not work", l)]
    for line in verdict:
        info(f"svwar: {line.strip()}")
    return scan


def describe_scan(scan: Scan, limit: int = 6000) -> str:
    text = scan.result.describe()
    return text if len(text) <= limit else text[:limit // 2] + "\n...\n" + text[-limit // 2:]


def check_no_listing(scan: Scan, line: str, first: Optional[str], what: str) -> None:
    """svwar ran, listed nothing, and every answer it got (for its random extension and
    for `first`, a real user it tried first) is `line`."""
    check(scan.result.returncode == 0, f"{what}: svwar ran to its end", describe_scan(scan))
    check(not scan.listed, f"{what}: svwar lists no extension", describe_scan(scan))
    if first is not None:
        check(first in scan.answers,
              f"{what}: svwar compared the answer for {first} (a real user) with its random "
              "extension's", f"{scan.summary()}\n{describe_scan(scan)}")
    check(scan.lines() == {line}, f"{what}: every answer svwar got is \"{line}\"",
          scan.summary())


# ----------------------------------------------------------------------------- control

class LeakyServer:
    """What svwar is good at: 404 for unknown users, something else for known ones.

    REGISTER: 401 for a known user (Asterisk's old alwaysauthreject=no); any other
    method: 480 for a known user (what parley told a caller in another domain before).
    """

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def __enter__(self) -> "LeakyServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()

    def serve(self) -> None:
        while not self.stopping.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            text = data.decode(errors="replace")
            method = text.split(" ", 1)[0]
            if method in ("ACK", "SIP/2.0") or "\r\n\r\n" not in text:
                continue
            head = text.split("\r\n\r\n", 1)[0].split("\r\n")[1:]
            headers = {}
            for h in head:
                name, _, value = h.partition(":")
                headers.setdefault(name.strip().lower(), value.strip())
            to = headers.get("to", "")
            m = re.search(r"sip:([^@>;]+)@", to)
            known = bool(m) and m.group(1) in KNOWN
            if not known:
                status = "404 Not Found"
            elif method == "REGISTER":
                status = "401 Unauthorized"
            else:
                status = "480 Temporarily Unavailable"
            reply = (f"SIP/2.0 {status}\r\nVia: {headers.get('via', '')}\r\n"
                     f"From: {headers.get('from', '')}\r\nTo: {to};tag=leaky\r\n"
                     f"Call-ID: {headers.get('call-id', '')}\r\nCSeq: {headers.get('cseq', '')}\r\n")
            if status.startswith("401"):
                reply += f'WWW-Authenticate: Digest realm="{DOMAIN}", nonce="abc"\r\n'
            reply += "Content-Length: 0\r\n\r\n"
            try:
                self.sock.sendto(reply.encode(), peer)
            except OSError:
                pass


# ----------------------------------------------------------------------------- probes

@dataclass
class Answer:
    status: int
    line: str
    names: tuple[str, ...]          # header names in order, lower case
    headers: list[tuple[str, str]]
    elapsed_ms: float

    def shape(self) -> tuple[str, tuple[str, ...]]:
        return (self.line, self.names)

    def header(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n == name]


def parse_answer(text: str, elapsed_ms: float) -> Answer:
    head = text.split("\r\n\r\n", 1)[0].split("\r\n")
    headers = []
    for h in head[1:]:
        name, _, value = h.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    m = re.match(r"SIP/2\.0 (\d{3}) ", head[0])
    return Answer(int(m.group(1)) if m else 0, head[0], tuple(n for n, _ in headers), headers,
                  elapsed_ms)


def md5(s: str) -> str:
    return hashlib.md5(s.encode()).hexdigest()


@dataclass
class Challenge:
    realm: str
    nonce: str
    opaque: Optional[str]
    nc: int = 0

    @staticmethod
    def from_answer(answer: Answer, header: str) -> "Challenge":
        for v in answer.header(header):
            if re.search(r"(?i)algorithm=MD5\b", v):
                get = lambda k: (re.search(rf'{k}="([^"]*)"', v) or [None, None])[1]  # noqa: E731
                return Challenge(get("realm"), get("nonce"), get("opaque"))
        raise harness.Failure(f"no MD5 {header} in {answer.line}: {answer.headers}")

    def credentials(self, user: str, password: str, method: str, uri: str) -> str:
        """RFC 7616 3.4.1 with qop=auth and MD5."""
        self.nc += 1
        nc = f"{self.nc:08x}"
        cnonce = uuid.uuid4().hex[:16]
        response = md5(f"{md5(f'{user}:{self.realm}:{password}')}:{self.nonce}:{nc}:{cnonce}:"
                       f"auth:{md5(f'{method}:{uri}')}")
        out = (f'Digest username="{user}", realm="{self.realm}", nonce="{self.nonce}", '
               f'uri="{uri}", response="{response}", algorithm=MD5, cnonce="{cnonce}", '
               f"qop=auth, nc={nc}")
        return out + (f', opaque="{self.opaque}"' if self.opaque is not None else "")


class Prober:
    """Raw SIP over one UDP socket, one transaction at a time, timed to the final answer."""

    def __init__(self, srv: ParleyServer) -> None:
        self.dest = (srv.host, srv.sip_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.sock.settimeout(RECV_TIMEOUT_S)
        self.port = self.sock.getsockname()[1]
        self.cseq = 0

    def close(self) -> None:
        self.sock.close()

    def send(self, method: str, ruri: str, from_uri: str, to_uri: str,
             extra: tuple[str, ...] = ()) -> Answer:
        self.cseq += 1
        branch = "z9hG4bK" + uuid.uuid4().hex
        call_id = uuid.uuid4().hex + "@" + HOST
        from_tag = uuid.uuid4().hex[:10]
        body = ""
        lines = [f"{method} {ruri} SIP/2.0",
                 f"Via: SIP/2.0/UDP {HOST}:{self.port};branch={branch};rport",
                 "Max-Forwards: 70",
                 f"From: <{from_uri}>;tag={from_tag}",
                 f"To: <{to_uri}>",
                 f"Call-ID: {call_id}",
                 f"CSeq: {self.cseq} {method}",
                 f"Contact: <{from_uri.split('@')[0]}@{HOST}:{self.port}>",
                 *extra]
        if method == "INVITE":
            body = (f"v=0\r\no=- 1 1 IN IP4 {HOST}\r\ns=-\r\nc=IN IP4 {HOST}\r\nt=0 0\r\n"
                    "m=audio 4000 RTP/AVP 0\r\n")
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body.encode())}")
        data = ("\r\n".join(lines) + "\r\n\r\n" + body).encode()
        start = time.perf_counter()
        self.sock.sendto(data, self.dest)
        while True:
            try:
                raw, _ = self.sock.recvfrom(65535)
            except socket.timeout:
                raise harness.Failure(f"no final answer to {method} {ruri} within "
                                      f"{RECV_TIMEOUT_S}s")
            elapsed_ms = (time.perf_counter() - start) * 1000
            text = raw.decode(errors="replace")
            if branch not in text.split("\r\n\r\n", 1)[0]:
                continue                      # a retransmission for an earlier transaction
            answer = parse_answer(text, elapsed_ms)
            if answer.status < 200:
                continue
            break
        if method == "INVITE":                # RFC 3261 17.1.1.3: ACK the final answer
            to_header = answer.header("to")[0] if answer.header("to") else f"<{to_uri}>"
            ack = "\r\n".join([
                f"ACK {ruri} SIP/2.0",
                f"Via: SIP/2.0/UDP {HOST}:{self.port};branch={branch};rport",
                "Max-Forwards: 70",
                f"From: <{from_uri}>;tag={from_tag}",
                f"To: {to_header}",
                f"Call-ID: {call_id}",
                f"CSeq: {self.cseq} ACK",
                "Content-Length: 0"]) + "\r\n\r\n"
            self.sock.sendto(ack.encode(), self.dest)
        return answer


@dataclass
class Pair:
    what: str
    unknown: Callable[[], Answer]
    known: Callable[[], Answer]
    expect: str                       # the status line both must get


def compare(pair: Pair) -> None:
    step(f"{pair.what}: {PROBES} each, interleaved")
    for _ in range(WARMUP):
        pair.unknown()
        pair.known()
    a: list[Answer] = []
    b: list[Answer] = []
    for _ in range(PROBES):
        a.append(pair.unknown())
        b.append(pair.known())
    shapes_a = {x.shape() for x in a}
    shapes_b = {x.shape() for x in b}
    check({x.line for x in a} == {pair.expect} and {x.line for x in b} == {pair.expect},
          f"unknown and known user both get \"{pair.expect}\"",
          f"unknown: {sorted({x.line for x in a})}\nknown: {sorted({x.line for x in b})}")
    check(shapes_a == shapes_b and len(shapes_a) == 1,
          "same status line and the same header names in the same order",
          f"unknown: {shapes_a}\nknown: {shapes_b}")
    ma = statistics.median(x.elapsed_ms for x in a)
    mb = statistics.median(x.elapsed_ms for x in b)
    ratio = max(ma, mb) / max(min(ma, mb), 1e-6)
    info(f"median {ma:.3f} ms (unknown) vs {mb:.3f} ms (known); ratio {ratio:.2f}")
    check(abs(ma - mb) < TIMING_SLACK_MS or ratio < TIMING_RATIO,
          f"the medians are in the same timing class (within {TIMING_RATIO:g}x or "
          f"{TIMING_SLACK_MS:g} ms)",
          f"unknown: {sorted(x.elapsed_ms for x in a)}\nknown: {sorted(x.elapsed_ms for x in b)}")


# ----------------------------------------------------------------------------- the test

def sweep(prober: "Prober", what: str, method: str, ruri: Callable[[str], str],
          from_uri: Callable[[str], str], to_uri: Callable[[str], str],
          extensions: list[str], expect: str) -> None:
    """One request per extension, as svwar would send them: one answer for all."""
    by_shape: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for ext in extensions:
        answer = prober.send(method, ruri(ext), from_uri(ext), to_uri(ext))
        by_shape.setdefault(answer.shape(), []).append(ext)
    lines = sorted({shape[0] for shape in by_shape})
    info(f"{what}: " + "; ".join(f"{line}: {sum(len(e) for sh, e in by_shape.items() if sh[0] == line)}"
                                 for line in lines))
    check(lines == [expect],
          f"{what}: every extension, known or not, gets \"{expect}\"",
          "\n".join(f"{sh[0]}: {exts}" for sh, exts in by_shape.items()))
    check(len(by_shape) == 1, f"{what}: with the same header names in the same order",
          "\n".join(f"{sh}: {exts}" for sh, exts in by_shape.items()))


def main() -> None:
    harness.require_tool("svwar")
    words = dictionary_words()
    check(KNOWN <= set(words) and len(set(words) - KNOWN) >= 5 and words[0] in KNOWN,
          f"the dictionary {DICTIONARY.name} holds the real users (one first) and others",
          repr(words))
    everything = list(dict.fromkeys(RANGE_EXTENSIONS + words + ["2882698666"]))

    step("control: svwar lists the users of a leaky server (404 for unknown users)")
    with LeakyServer() as leaky:
        scan = svwar(leaky.port, "-d", DICTIONARY)
        check(set(scan.listed) == KNOWN,
              f"stock svwar (REGISTER, the dictionary) lists exactly {sorted(KNOWN)}",
              describe_scan(scan))
        scan = svwar(leaky.port, "-m", "INVITE", "-e", RANGE, foreign=True)
        in_range = KNOWN & set(RANGE_EXTENSIONS)
        check(set(scan.listed) == in_range,
              f"svwar_foreign.py (INVITE from {FOREIGN}, -e {RANGE}) lists exactly "
              f"{sorted(in_range)}", describe_scan(scan))

    with ParleyServer("enumeration", users={f"{u}@{DOMAIN}": p for u, p in USERS.items()},
                      limits={"unauthenticated_limit": 0}) as srv:
        step("svwar -m REGISTER without --force")
        scan = svwar(srv.sip_port, "-e", RANGE)
        check_no_listing(scan, "SIP/2.0 401 Unauthorized", None, "REGISTER")
        check("authentication request for an unknown extension" in scan.result.stderr,
              "svwar gives up: its random extension is challenged like a real one",
              describe_scan(scan))

        for method, line, args in [
                ("REGISTER", "SIP/2.0 401 Unauthorized", ["-e", RANGE]),
                ("INVITE", "SIP/2.0 407 Proxy Authentication Required", ["-d", DICTIONARY]),
                ("OPTIONS", "SIP/2.0 407 Proxy Authentication Required", ["-d", DICTIONARY])]:
            source = "-e " + RANGE if args[0] == "-e" else "the dictionary"
            first = RANGE_EXTENSIONS[0] if args[0] == "-e" else words[0]
            step(f"svwar --force -m {method}, {source}")
            scan = svwar(srv.sip_port, "--force", "-m", method, *args)
            check_no_listing(scan, line, first, f"{method} over {source}")

        step(f"svwar_foreign.py -m INVITE (From {FOREIGN}, not challenged), -e {RANGE}")
        scan = svwar(srv.sip_port, "-m", "INVITE", "-e", RANGE, foreign=True)
        check_no_listing(scan, "SIP/2.0 480 Temporarily Unavailable", None, "INVITE")

        prober = Prober(srv)
        try:
            step(f"the whole sweep, request by request: {RANGE}, the dictionary and a random "
                 f"extension ({len(everything)} extensions, {len(KNOWN)} real)")
            aor = lambda ext: f"sip:{ext}@{DOMAIN}"  # noqa: E731
            scanner = lambda ext: f"sip:scan@{FOREIGN}"  # noqa: E731
            sweep(prober, "REGISTER as svwar sends it", "REGISTER", lambda ext: f"sip:{DOMAIN}",
                  aor, aor, everything, "SIP/2.0 401 Unauthorized")
            for method in ("INVITE", "OPTIONS"):
                sweep(prober, f"{method} from the extension itself", method, aor, aor, aor,
                      everything, "SIP/2.0 407 Proxy Authentication Required")
                sweep(prober, f"{method} from {FOREIGN}", method, aor, scanner, aor,
                      everything, "SIP/2.0 480 Temporarily Unavailable")

            # Nonces for the probes with credentials (a 401 and a 407 to anyone).
            reg_challenge = Challenge.from_answer(
                prober.send("REGISTER", f"sip:{DOMAIN}", f"sip:1001@{DOMAIN}",
                            f"sip:1001@{DOMAIN}"), "www-authenticate")
            inv_challenge = Challenge.from_answer(
                prober.send("INVITE", f"sip:1002@{DOMAIN}", f"sip:1001@{DOMAIN}",
                            f"sip:1002@{DOMAIN}"), "proxy-authenticate")

            def register(user: str) -> Callable[[], Answer]:
                aor = f"sip:{user}@{DOMAIN}"
                return lambda: prober.send("REGISTER", f"sip:{DOMAIN}", aor, aor, (
                    "Authorization: " + reg_challenge.credentials(
                        user, "wrong-password", "REGISTER", f"sip:{DOMAIN}"),))

            def invite_from(user: str) -> Callable[[], Answer]:
                target = f"sip:1002@{DOMAIN}"
                return lambda: prober.send("INVITE", target, f"sip:{user}@{DOMAIN}", target, (
                    "Proxy-Authorization: " + inv_challenge.credentials(
                        user, "wrong-password", "INVITE", target),))

            def foreign_to(method: str, user: str) -> Callable[[], Answer]:
                target = f"sip:{user}@{DOMAIN}"
                return lambda: prober.send(method, target, f"sip:scan@{FOREIGN}", target)

            for pair in [
                    Pair("REGISTER with Digest: unknown user 1999 vs 1001 with a wrong password",
                         register("1999"), register("1001"), "SIP/2.0 401 Unauthorized"),
                    Pair("INVITE with Proxy-Authorization from unknown 1999@parley.test vs "
                         "1001 with a wrong password", invite_from("1999"), invite_from("1001"),
                         "SIP/2.0 407 Proxy Authentication Required"),
                    Pair(f"INVITE from {FOREIGN} to unknown 1999 vs 1001 (no binding)",
                         foreign_to("INVITE", "1999"), foreign_to("INVITE", "1001"),
                         "SIP/2.0 480 Temporarily Unavailable"),
                    Pair(f"OPTIONS from {FOREIGN} to unknown bob vs alice (no binding)",
                         foreign_to("OPTIONS", "bob"), foreign_to("OPTIONS", "alice"),
                         "SIP/2.0 480 Temporarily Unavailable")]:
                compare(pair)
        finally:
            prober.close()
        srv.check_running()


if __name__ == "__main__":
    harness.run_test(main, deadline=180)
