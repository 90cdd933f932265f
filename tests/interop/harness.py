"""Interop test harness: runs a real `parley` on loopback for real SIP peers.

Standard library only. Each test script does

    from harness import ParleyServer, run_test, step, check, run_tool

    def main():
        with ParleyServer("sipsak", users={"alice@parley.test": "secret"}) as srv:
            ...                       # srv.host, srv.sip_port, srv.tls_port, srv.ca_path

    run_test(main)

Environment (set by ctest, see CMakeLists.txt):
    PARLEY_BIN      path of the parley binary (required)
    PARLEY_SOURCE   repository root (optional; defaults to two levels above this file)
    PARLEY_INTEROP_KEEP=1   keep the temporary directories even when the test passes

Rules this module enforces for every test:
  * every process a test starts is registered here and stopped by PID (SIGTERM, then
    SIGKILL) when the test ends, however it ends (normal exit, failure, SIGTERM, timeout);
  * every wait is bounded; the whole test is bounded by TEST_DEADLINE_S;
  * on failure the server's log (and any registered log) is printed, so that
    `ctest --output-on-failure` shows what happened.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional, Sequence

HOST = "127.0.0.1"
DOMAIN = "parley.test"
# Sanitizer builds run parley several times slower (scripts/sanitize.sh sets
# PARLEY_TIME_SCALE): the harness's own bounds stretch by that factor.
TIME_SCALE = max(1.0, float(os.environ.get("PARLEY_TIME_SCALE", "1") or 1))
TEST_DEADLINE_S = int(60 * TIME_SCALE)    # a whole test script, start to finish
LISTEN_TIMEOUT_S = 15 * TIME_SCALE        # server start until its TCP listener accepts
STOP_GRACE_S = 5 * TIME_SCALE             # SIGTERM -> SIGKILL

# What AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer and
# ThreadSanitizer print first in a report (to the process's stderr, which is
# parley's log here).
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "WARNING: ThreadSanitizer", "ERROR: ThreadSanitizer")


class Failure(Exception):
    """A check failed; the message says what was expected and what was seen."""


# ----------------------------------------------------------------------------- output

def step(message: str) -> None:
    """Announces what the test checks next."""
    print(f"\n=== {message}", flush=True)


def info(message: str) -> None:
    print(f"    {message}", flush=True)


def check(condition: bool, what: str, detail: str = "") -> None:
    """Passes silently except for an 'ok' line; raises Failure with `detail` otherwise."""
    if condition:
        print(f"    ok: {what}", flush=True)
        return
    raise Failure(f"{what}" + (f"\n{detail}" if detail else ""))


def indent(text: str, prefix: str = "    | ") -> str:
    return "\n".join(prefix + line for line in text.rstrip("\n").splitlines())


def tail(path: Path, max_lines: int = 300) -> str:
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError as e:
        return f"(cannot read {path}: {e})"
    if len(lines) > max_lines:
        lines = [f"... ({len(lines) - max_lines} earlier lines omitted)"] + lines[-max_lines:]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- environment

def parley_bin() -> str:
    path = os.environ.get("PARLEY_BIN")
    if not path:
        raise Failure("PARLEY_BIN is not set: run through ctest, or set it to the parley binary")
    if not os.access(path, os.X_OK):
        raise Failure(f"PARLEY_BIN={path} is not an executable file (build first: make build)")
    return path


def source_root() -> Path:
    root = os.environ.get("PARLEY_SOURCE")
    return Path(root) if root else Path(__file__).resolve().parents[2]


def interop_dir() -> Path:
    return Path(__file__).resolve().parent


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise Failure(f"'{name}' is not installed; run scripts/deps.sh (or make test) first")
    return path


# ----------------------------------------------------------------------------- ports

def _family(host: str) -> int:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _can_bind(port: int, kind: int, host: str = HOST) -> bool:
    s = socket.socket(_family(host), kind)
    try:
        if kind == socket.SOCK_STREAM:
            # Like a server would: allow binding over TIME_WAIT leftovers.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port(udp: bool = True, tcp: bool = True, span: int = 1,
              avoid: Iterable[int] = (), host: str = HOST) -> int:
    """A port P such that P .. P+span-1 are free on `host` (127.0.0.1) for UDP and/or TCP.

    The kernel picks P (bind to port 0), so concurrent tests get different ports; the
    ports are released again before returning, so there is a small window in which
    someone else could take them: callers start their process right away.
    """
    avoid = set(avoid)
    for _ in range(200):
        probe = socket.socket(_family(host), socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
        try:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
        finally:
            probe.close()
        ports = range(port, port + span)
        if port + span > 65535 or any(p in avoid for p in ports):
            continue
        if all((not udp or _can_bind(p, socket.SOCK_DGRAM, host)) and
               (not tcp or _can_bind(p, socket.SOCK_STREAM, host)) for p in ports):
            return port
    raise Failure(f"could not find a free port on {host}")


def wait_tcp(host: str, port: int, timeout: float,
             alive: Optional[Callable[[], bool]] = None) -> bool:
    """Polls a TCP connect until it succeeds; False on timeout or when alive() turns False."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


# ----------------------------------------------------------------------------- processes

class _Registry:
    """Every process a test starts, so that all of them are stopped by PID at the end."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.logs: list[tuple[str, Path]] = []

    def add(self, name: str, proc: subprocess.Popen, log: Optional[Path] = None) -> None:
        self.procs.append((name, proc))
        if log is not None:
            self.logs.append((name, log))

    def forget(self, proc: subprocess.Popen) -> None:
        """Drops a process that has been stopped (or has ended) already."""
        self.procs = [(n, p) for n, p in self.procs if p is not proc]

    def stop_all(self) -> None:
        for name, proc in reversed(self.procs):
            stop_process(proc, name)
        self.procs.clear()


REGISTRY = _Registry()
atexit.register(REGISTRY.stop_all)


def stop_process(proc: subprocess.Popen, name: str = "",
                 grace: float = STOP_GRACE_S) -> Optional[int]:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL; by PID only. Returns the exit code."""
    if proc.poll() is not None:
        return proc.returncode
    try:
        os.kill(proc.pid, signal.SIGTERM)
        return proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        print(f"    ({name or proc.pid} did not stop within {grace}s of SIGTERM: SIGKILL)",
              flush=True)
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            return proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            return None
    except ProcessLookupError:
        return proc.wait()


def spawn(name: str, args: Sequence[str], log: Path, cwd: Optional[Path] = None,
          env: Optional[Mapping[str, str]] = None, stdin=subprocess.DEVNULL) -> subprocess.Popen:
    """Starts a long-running process with stdout+stderr to `log`; registered for cleanup."""
    print(f"    $ {' '.join(map(str, args))}   (log: {log})", flush=True)
    out = open(log, "wb")
    try:
        proc = subprocess.Popen([str(a) for a in args], stdout=out, stderr=subprocess.STDOUT,
                                stdin=stdin, cwd=cwd, env=dict(env) if env else None)
    finally:
        out.close()
    REGISTRY.add(name, proc, log)
    return proc


@dataclass
class ToolResult:
    args: list[str]
    returncode: Optional[int]       # None: killed on timeout
    stdout: str
    stderr: str
    elapsed: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def summary(self) -> str:
        rc = "timed out (killed)" if self.returncode is None else f"exit code {self.returncode}"
        return f"{rc} after {self.elapsed:.1f}s"

    def body(self) -> str:
        parts = []
        if self.stdout.strip():
            parts.append("stdout:\n" + indent(self.stdout))
        if self.stderr.strip():
            parts.append("stderr:\n" + indent(self.stderr))
        return "\n".join(parts)

    def describe(self) -> str:
        """The command, how it ended and its output: for failure messages."""
        head = f"$ {' '.join(self.args)}  -> {self.summary()}"
        return "\n".join(filter(None, [head, self.body()]))


def run_tool(args: Sequence[str], timeout: float, cwd: Optional[Path] = None,
             env: Optional[Mapping[str, str]] = None, input: Optional[str] = None,
             echo: bool = True) -> ToolResult:
    """Runs a short-lived tool to completion with a timeout (killed by PID when it expires)."""
    args = [str(a) for a in args]
    if echo:
        print(f"    $ {' '.join(args)}", flush=True)
    start = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                            cwd=cwd, env=dict(env) if env else None, text=True, errors="replace")
    REGISTRY.add(args[0], proc)
    try:
        out, err = proc.communicate(input=input, timeout=timeout)
        rc: Optional[int] = proc.returncode
    except subprocess.TimeoutExpired:
        stop_process(proc, args[0], grace=2)
        out, err = proc.communicate()
        rc = None
    finally:
        if proc.poll() is None:          # interrupted (deadline, signal): do not leave it
            stop_process(proc, args[0], grace=2)
        REGISTRY.forget(proc)
    result = ToolResult(args, rc, out or "", err or "", time.monotonic() - start)
    if echo:
        print(f"    -> {result.summary()}", flush=True)
        if result.body():
            print(indent(result.body(), "       "), flush=True)
    return result


# ----------------------------------------------------------------------------- temp dirs

_TEMP_DIRS: list[Path] = []
_FAILED = False


def make_temp_dir(name: str) -> Path:
    d = Path(tempfile.mkdtemp(prefix=f"parley-interop-{name}-"))
    _TEMP_DIRS.append(d)
    return d


def _cleanup_temp_dirs() -> None:
    keep = _FAILED or os.environ.get("PARLEY_INTEROP_KEEP") == "1"
    for d in _TEMP_DIRS:
        if keep:
            print(f"(kept {d})", flush=True)
        else:
            shutil.rmtree(d, ignore_errors=True)


# ----------------------------------------------------------------------------- the server

def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ParleyServer:
    """One `parley serve` process on loopback with its own config, data dir and ports.

    UDP and TCP SIP share `sip_port` (free for both); TLS is on `tls_port`.
    `users` maps AOR -> password; they are added with `parley user add` before start.
    `limits` are written to the [limits] table (e.g. {"min_expires": 1}).
    """

    def __init__(self, name: str, users: Optional[Mapping[str, str]] = None,
                 limits: Optional[Mapping[str, int]] = None, log_level: str = "debug",
                 workers: int = 2) -> None:
        self.name = name
        self.bin = parley_bin()
        self.dir = make_temp_dir(name)
        self.data_dir = self.dir / "data"
        self.config_path = self.dir / "parley.toml"
        self.log_path = self.dir / "parley.log"
        self.host = HOST
        self.domain = DOMAIN
        self.sip_port = free_port(udp=True, tcp=True)
        self.tls_port = free_port(udp=False, tcp=True, avoid=[self.sip_port])
        self.users = dict(users or {})
        self.limits = dict(limits or {})
        self.log_level = log_level
        self.workers = workers
        self.proc: Optional[subprocess.Popen] = None
        self.exit_code: Optional[int] = None
        self.write_config()

    # -- files
    @property
    def ca_path(self) -> Path:
        return self.data_dir / "pki" / "ca.crt"

    def write_config(self) -> None:
        lines = [
            "# written by tests/interop/harness.py",
            "[server]",
            f"domains = [{_toml_str(self.domain)}]",
            f"fqdn = {_toml_str('localhost')}",
            f"data_dir = {_toml_str(str(self.data_dir))}",
            f"log_level = {_toml_str(self.log_level)}",
            f"workers = {self.workers}",
            f"default_address = {_toml_str(self.host)}",
            "",
            '[listeners."frontend.sip-udp"]',
            f"port = {self.sip_port}",
            '[listeners."frontend.sip-tcp"]',
            f"port = {self.sip_port}",
            '[listeners."frontend.sip-tls"]',
            f"port = {self.tls_port}",
        ]
        if self.limits:
            lines += ["", "[limits]"] + [f"{k} = {v}" for k, v in self.limits.items()]
        self.config_path.write_text("\n".join(lines) + "\n")

    # -- one-shot verbs
    def cli(self, *args: str, timeout: float = 20) -> ToolResult:
        return run_tool([self.bin, *args, "--config", str(self.config_path)], timeout=timeout)

    def add_user(self, aor: str, password: str) -> None:
        r = self.cli("user", "add", aor, "--password", password)
        check(r.returncode == 0, f"parley user add {aor}", r.describe())

    def cert_init(self) -> None:
        r = self.cli("cert", "init")
        check(r.returncode == 0 and self.ca_path.is_file(),
              f"parley cert init creates {self.ca_path}", r.describe())

    # -- the server process
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        step(f"start parley ({self.name}): SIP UDP+TCP {self.host}:{self.sip_port}, "
             f"TLS {self.host}:{self.tls_port}")
        for aor, password in self.users.items():
            self.add_user(aor, password)
        self.proc = spawn("parley", [self.bin, "serve", "--config", str(self.config_path)],
                          self.log_path, cwd=self.dir)
        for port in (self.sip_port, self.tls_port):
            if not wait_tcp(self.host, port, LISTEN_TIMEOUT_S, alive=self.alive):
                state = (f"exited with code {self.proc.returncode}" if not self.alive()
                         else f"still running but not accepting after {LISTEN_TIMEOUT_S}s")
                raise Failure(f"parley does not listen on TCP {self.host}:{port}: {state}")
        info(f"parley (pid {self.proc.pid}) accepts TCP on {self.sip_port} and {self.tls_port}")

    def stop(self) -> Optional[int]:
        if self.proc is None:
            return self.exit_code
        self.exit_code = stop_process(self.proc, "parley")
        REGISTRY.forget(self.proc)
        self.proc = None
        info(f"parley stopped (exit code {self.exit_code}; 0 expected after SIGTERM)")
        return self.exit_code

    def sanitizer_report(self) -> str:
        """The first sanitizer report in parley's log (with some lines after it), or ''."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        for i, line in enumerate(lines):
            if any(marker in line for marker in SANITIZER_MARKERS):
                return "\n".join(lines[i:i + 40])
        return ""

    def check_running(self) -> None:
        check(self.alive(), "parley is still running",
              f"parley exited with code {self.proc.returncode if self.proc else '?'}")

    def __enter__(self) -> "ParleyServer":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        crashed = self.proc is not None and self.proc.poll() is not None
        rc = self.stop()
        if exc_type is not None:
            return
        # A sanitizer build reports at the fault or, for leaks, at exit: either way
        # it is in the log, and the test fails on it whatever else it saw.
        report = self.sanitizer_report()
        if report:
            raise Failure(f"sanitizer report in parley's log ({self.log_path}):\n{report}")
        if crashed:
            raise Failure(f"parley exited on its own during the test (code {rc})")
        if rc != 0:
            raise Failure(f"parley exited with code {rc} after SIGTERM (0 expected)")


# ----------------------------------------------------------------------------- Digest

def parse_challenge(value: str) -> dict[str, str]:
    """The parameters of a Digest challenge (RFC 3261 22.4, RFC 7616 3.3)."""
    if not value.lower().startswith("digest "):
        return {}
    return {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
            for m in re.finditer(r'(\w+)=(?:"([^"]*)"|([^,\s]+))', value[7:])}


def credentials(challenge: str, method: str, uri: str, user: str, password: str) -> str:
    """Authorization / Proxy-Authorization value answering `challenge` (qop=auth)."""
    c = parse_challenge(challenge)
    algorithm = c.get("algorithm", "MD5")
    h = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}.get(algorithm.upper())
    if h is None:
        raise Failure(f"unsupported Digest algorithm in challenge: {challenge}")

    def hx(s: str) -> str:
        return h(s.encode()).hexdigest()

    ha1 = hx(f"{user}:{c['realm']}:{password}")
    ha2 = hx(f"{method}:{uri}")
    fields = [f'username="{user}"', f'realm="{c["realm"]}"', f'nonce="{c["nonce"]}"',
              f'uri="{uri}"', f"algorithm={algorithm}"]
    if "auth" in [q.strip() for q in c.get("qop", "").split(",")]:
        cnonce, nc = secrets.token_hex(8), "00000001"
        response = hx(f"{ha1}:{c['nonce']}:{nc}:{cnonce}:auth:{ha2}")
        fields += [f'cnonce="{cnonce}"', "qop=auth", f"nc={nc}"]
    else:
        response = hx(f"{ha1}:{c['nonce']}:{ha2}")
    fields.append(f'response="{response}"')
    if "opaque" in c:
        fields.append(f'opaque="{c["opaque"]}"')
    return "Digest " + ", ".join(fields)


# ----------------------------------------------------------------------------- IPv6

HOST6 = "::1"


def free_port_v6(udp: bool = True, tcp: bool = True, avoid: Iterable[int] = ()) -> int:
    """A port free on ::1 for UDP and/or TCP (free_port on the IPv6 loopback)."""
    return free_port(udp, tcp, avoid=avoid, host=HOST6)


def ipv6_unavailable() -> str:
    """'' when ::1 can be bound for UDP and TCP here; else why not (for a SKIPPED line)."""
    try:
        free_port_v6()
        return ""
    except (OSError, Failure) as e:
        return str(e) or f"cannot bind {HOST6}"


class ParleyServerV6(ParleyServer):
    """ParleyServer with default_address "::1": every listener on the IPv6 loopback."""

    def __init__(self, name: str, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.host = HOST6
        self.sip_port = free_port_v6(udp=True, tcp=True)
        self.tls_port = free_port_v6(udp=False, tcp=True, avoid=[self.sip_port])
        self.write_config()


# ----------------------------------------------------------------------------- test runner

def _on_signal(signum, frame):
    raise Failure(f"interrupted by signal {signum}")


def _on_alarm(signum, frame):
    raise Failure(f"test exceeded its {TEST_DEADLINE_S}s deadline")


def run_test(main: Callable[[], None], deadline: int = 60) -> None:
    """Runs `main`, prints PASS/FAIL, dumps logs on failure, stops everything, exits 0/1.

    `deadline` is in seconds at normal speed; it is stretched by TIME_SCALE."""
    global _FAILED, TEST_DEADLINE_S
    TEST_DEADLINE_S = int(deadline * TIME_SCALE)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(TEST_DEADLINE_S)
    name = Path(sys.argv[0]).stem
    start = time.monotonic()
    code = 1
    try:
        main()
        code = 0
    except Failure as e:
        print(f"\nFAIL ({name}): {e}", flush=True)
    except Exception:
        print(f"\nFAIL ({name}): unexpected error\n{traceback.format_exc()}", flush=True)
    finally:
        signal.alarm(0)
        REGISTRY.stop_all()
        if code != 0:
            _FAILED = True
            for log_name, path in REGISTRY.logs:
                print(f"\n----- log of {log_name}: {path}\n{tail(path)}\n"
                      f"----- end of {log_name} log", flush=True)
        _cleanup_temp_dirs()
    if code == 0:
        print(f"\nPASS ({name}) in {time.monotonic() - start:.1f}s", flush=True)
    sys.exit(code)
