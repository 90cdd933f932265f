"""pidgin-sipe (the Lync-protocol libpurple plugin) as a test client, headless.

Standard library only. A test does

    from sipe_client import SipeClient, sipe_unavailable

    why_not = sipe_unavailable()          # '' when pidgin-sipe can be driven here
    with SipeClient("alice", srv, "alice@parley.test", "secret") as alice:
        alice.wait_for(r"^SIGNED-IN$", 20)
        alice.send("im sip:bob@parley.test hello")
        m = alice.wait_for(r"^IM (\\S+) (.*)$", 10)

The client is tests/interop/sipe/sipe_driver.c (a small libpurple front end; its header
describes the command line, the stdout events and the stdin commands), compiled here
on demand together with sipe/sax_shim.c (an LD_PRELOAD fix without which pidgin-sipe
1.25 cannot parse XML with Debian 12's libxml2) and sipe/sax_check.c (proves that fix).
They are built with gcc and pkg-config into a cache directory, `sipe-driver/` next to
PARLEY_BIN (or $PARLEY_SIPE_CACHE, or /tmp when that is not writable), and rebuilt when
a source file is newer than its binary.

The driver is registered with the harness, so it is stopped by PID whatever happens;
its event lines are kept in <workdir>/events.log and its stderr (libpurple/SIPE debug
output; with unsafe_debug every SIP message) in <workdir>/driver.log; both are printed
when the test fails.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Optional, Sequence, Union

import harness
from harness import Failure, indent, info, stop_process

SIPE_PLUGIN_DIRS = ("/usr/lib/purple-2", "/usr/lib/x86_64-linux-gnu/purple-2")
SIPE_PLUGIN = "libsipe.so"
SOURCES = harness.interop_dir() / "sipe"


# ----------------------------------------------------------------------------- build

def sipe_plugin_path() -> Optional[Path]:
    for d in SIPE_PLUGIN_DIRS:
        p = Path(d) / SIPE_PLUGIN
        if p.is_file():
            return p
    return None


def _pkg_config(*args: str) -> Optional[list[str]]:
    try:
        r = subprocess.run(["pkg-config", *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.split() if r.returncode == 0 else None


def sipe_unavailable() -> str:
    """'' when pidgin-sipe can be driven here; else why not (for a SKIPPED line)."""
    missing = []
    if sipe_plugin_path() is None:
        missing.append("pidgin-sipe (libsipe.so)")
    if shutil.which("gcc") is None:
        missing.append("gcc")
    if shutil.which("pkg-config") is None:
        missing.append("pkg-config")
    else:
        for pkg, deb in (("purple", "libpurple-dev"), ("glib-2.0", "libglib2.0-dev"),
                         ("libxml-2.0", "libxml2-dev")):
            if _pkg_config("--exists", pkg) is None:
                missing.append(f"{deb} (pkg-config {pkg})")
    if missing:
        return f"not installed: {', '.join(missing)}; run scripts/deps.sh"
    return ""


def require_sipe() -> None:
    why_not = sipe_unavailable()
    if why_not:
        raise Failure(f"cannot drive pidgin-sipe: {why_not}")


def cache_dir() -> Path:
    """Where the driver, the shim and the check are built (created if needed)."""
    candidates = []
    if os.environ.get("PARLEY_SIPE_CACHE"):
        candidates.append(Path(os.environ["PARLEY_SIPE_CACHE"]))
    if os.environ.get("PARLEY_BIN"):
        candidates.append(Path(os.environ["PARLEY_BIN"]).resolve().parent / "sipe-driver")
    candidates.append(Path("/tmp") / f"parley-sipe-driver-{os.getuid()}")
    for d in candidates:
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(d, os.W_OK):
            return d
    raise Failure(f"no writable directory to build the SIPE driver in: {candidates}")


# name -> (source, how to compile: extra gcc arguments before/after the source)
_TARGETS = {
    "sipe_driver": ("sipe_driver.c", [], ["purple", "glib-2.0"], []),
    "sax_shim.so": ("sax_shim.c", ["-shared", "-fPIC"], ["libxml-2.0"], ["-ldl"]),
    "sax_check": ("sax_check.c", [], ["libxml-2.0"], ["-ldl"]),
}


def build(target: str) -> Path:
    """Compiles one of sipe_driver, sax_shim.so, sax_check unless it is up to date.

    Concurrent tests share the cache: the build holds a lock and renames the result
    into place, so nobody runs a half-written binary."""
    require_sipe()
    source_name, pre, pkgs, post = _TARGETS[target]
    source = SOURCES / source_name
    out_dir = cache_dir()
    out = out_dir / target
    with open(out_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if out.exists() and out.stat().st_mtime >= source.stat().st_mtime:
            return out
        flags = _pkg_config("--cflags", "--libs", *pkgs)
        if flags is None:
            raise Failure(f"pkg-config --cflags --libs {' '.join(pkgs)} failed")
        tmp = out_dir / f".{target}.{os.getpid()}.tmp"
        args = ["gcc", "-std=gnu11", "-O1", "-g", "-Wall", "-Wextra", *pre,
                "-o", str(tmp), str(source), *flags, *post]
        r = harness.run_tool(args, timeout=120, echo=False)
        if r.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise Failure(f"building {target} failed\n{r.describe()}")
        os.replace(tmp, out)
        info(f"built {out}")
    return out


def build_all() -> dict[str, Path]:
    return {t: build(t) for t in _TARGETS}


def preload_env(shim: Path, base: Optional[dict] = None) -> dict:
    """Environment with the SAX shim in LD_PRELOAD (ahead of anything already there)."""
    env = dict(os.environ if base is None else base)
    env["LD_PRELOAD"] = " ".join(filter(None, [str(shim), env.get("LD_PRELOAD", "")]))
    return env


# ----------------------------------------------------------------------------- client

class SipeClient:
    """One sipe_driver process: pidgin-sipe signed in (or trying to) as `user`.

    `server` is a ParleyServer (its host and TLS or TCP port are used) or "host:port".
    `auth` and `transport` are SIPE's "authentication" / "transport" account options.
    `ca`: a CA certificate (PEM) to trust; the driver still accepts certificate prompts
    unless `strict_cert` (then an untrusted server certificate is a connection error).
    `unsafe_debug`: SIPE logs every SIP message to driver.log (PURPLE_UNSAFE_DEBUG=1).
    """

    def __init__(self, name: str, server: Union["harness.ParleyServer", str], user: str,
                 password: str, *, login: Optional[str] = None, transport: str = "tls",
                 auth: str = "ntlm", ca: Optional[Path] = None, strict_cert: bool = False,
                 debug: bool = True, unsafe_debug: bool = True,
                 useragent: Optional[str] = None, workdir: Optional[Path] = None,
                 extra_args: Sequence[str] = ()) -> None:
        self.name = name
        if isinstance(server, str):
            self.server = server
        else:
            port = server.sip_port if transport == "tcp" else server.tls_port
            host = f"[{server.host}]" if ":" in server.host else server.host
            self.server = f"{host}:{port}"
        self.user = user
        self.password = password
        self.login = login
        self.transport = transport
        self.auth = auth
        self.ca = ca
        self.strict_cert = strict_cert
        self.debug = debug
        self.unsafe_debug = unsafe_debug
        self.useragent = useragent
        self.extra_args = list(extra_args)
        self.dir = workdir or harness.make_temp_dir(f"sipe-{name}")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.userdir = self.dir / "purple"
        self.events_path = self.dir / "events.log"
        self.log_path = self.dir / "driver.log"
        self.proc: Optional[subprocess.Popen] = None
        self.lines: list[str] = []       # every event line, in order
        self.times: list[float] = []     # time.monotonic() each line arrived
        self.last_time = 0.0             # arrival time of wait_for's last match
        self.pos = 0                     # wait_for searches from here
        self.cond = threading.Condition()
        self.reader: Optional[threading.Thread] = None
        self.exit_code: Optional[int] = None

    # ------------------------------------------------------------------ lifecycle
    def command_line(self, driver: Path) -> list[str]:
        args = [str(driver), "--userdir", str(self.userdir), "--user", self.user,
                "--password", self.password, "--server", self.server,
                "--transport", self.transport, "--auth", self.auth]
        if self.login:
            args += ["--login", self.login]
        if self.ca:
            args += ["--ca", str(self.ca)]
        if self.strict_cert:
            args.append("--strict-cert")
        if self.useragent:
            args += ["--useragent", self.useragent]
        if self.debug:
            args.append("--debug")
        return args + self.extra_args

    def start(self) -> "SipeClient":
        targets = build_all()
        args = self.command_line(targets["sipe_driver"])
        env = preload_env(targets["sax_shim.so"])
        env.pop("DISPLAY", None)                        # no D-Bus autolaunch through X11
        env["DBUS_SESSION_BUS_ADDRESS"] = "disabled:"   # libpurple does without D-Bus
        env["HOME"] = str(self.dir)
        if self.unsafe_debug:
            env["PURPLE_UNSAFE_DEBUG"] = "1"
        else:
            env.pop("PURPLE_UNSAFE_DEBUG", None)
        shown = [a if a != self.password else "***" for a in args]
        print(f"    $ LD_PRELOAD={targets['sax_shim.so']} {' '.join(shown)}"
              f"   (events: {self.events_path}, log: {self.log_path})", flush=True)
        err = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=err, cwd=self.dir, env=env)
        finally:
            err.close()
        harness.REGISTRY.add(f"sipe-{self.name}", self.proc, self.log_path)
        harness.REGISTRY.logs.append((f"sipe-{self.name} events", self.events_path))
        self.reader = threading.Thread(target=self._read_loop, daemon=True)
        self.reader.start()
        info(f"sipe_driver {self.name} (pid {self.proc.pid}) -> {self.server} "
             f"transport={self.transport} authentication={self.auth}")
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _read_loop(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        with open(self.events_path, "w") as log:
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                log.write(f"{time.strftime('%H:%M:%S')} {line}\n")
                log.flush()
                with self.cond:
                    self.lines.append(line)
                    self.times.append(time.monotonic())
                    self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def close(self, timeout: float = 10) -> Optional[int]:
        """`quit` (SIPE signs off), wait for the exit; SIGTERM/SIGKILL if it does not end."""
        if self.proc is None:
            return self.exit_code
        if self.alive():
            try:
                self.send("quit")
            except Failure:
                pass
            try:
                self.exit_code = self.proc.wait(timeout=timeout * harness.TIME_SCALE)
            except subprocess.TimeoutExpired:
                info(f"sipe_driver {self.name} did not exit within {timeout}s of 'quit'")
                self.exit_code = stop_process(self.proc, f"sipe-{self.name}")
        else:
            self.exit_code = self.proc.returncode
        if self.proc.stdin:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        if self.reader is not None:
            self.reader.join(timeout=5)
        harness.REGISTRY.forget(self.proc)
        self.proc = None
        return self.exit_code

    def __enter__(self) -> "SipeClient":
        return self.start() if self.proc is None else self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    # ------------------------------------------------------------------ protocol
    def send(self, command: str) -> None:
        """One command line to the driver (im, typing, add, remove, status, block,
        unblock, blocked, list, chat-new, chat-invite, chat-send, chat-leave,
        chat-lock, chat-unlock, chat-remove, chat-leader, chat-users, quit)."""
        if self.proc is None or self.proc.stdin is None or not self.alive():
            raise Failure(f"sipe_driver {self.name} is not running; cannot send {command!r}"
                          f"\n{self.describe()}")
        try:
            self.proc.stdin.write(command.rstrip("\n").encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise Failure(f"sipe_driver {self.name}: cannot send {command!r}: {e}")

    def wait_for(self, regex: Union[str, re.Pattern], timeout: float,
                 from_start: bool = False) -> re.Match:
        """The first event line after the last match (or from the first line) that matches.

        Raises Failure on timeout or when the driver exits first."""
        pattern = re.compile(regex) if isinstance(regex, str) else regex
        deadline = time.monotonic() + timeout * harness.TIME_SCALE
        with self.cond:
            i = 0 if from_start else self.pos
            while True:
                while i < len(self.lines):
                    m = pattern.search(self.lines[i])
                    if m:
                        self.pos = i + 1
                        self.last_time = self.times[i]
                        return m
                    i += 1
                left = deadline - time.monotonic()
                ended = self.proc is None or self.proc.poll() is not None
                if ended and (self.reader is None or not self.reader.is_alive()):
                    raise Failure(f"sipe_driver {self.name} ended before printing a line "
                                  f"matching /{pattern.pattern}/\n{self.describe()}")
                if left <= 0:
                    raise Failure(f"sipe_driver {self.name}: no line matching "
                                  f"/{pattern.pattern}/ within {timeout}s\n{self.describe()}")
                self.cond.wait(min(left, 0.2))

    # ------------------------------------------------------------------ presence
    def set_status(self, status: str, message: str = "", timeout: float = 5) -> float:
        """`status <id> [message]`; waits for its OK and returns the time.monotonic() at
        which the OK line arrived (SIPE has been handed the change: its PUBLISH follows).

        Ids: available, busy, dnd, away, brb, offline (appear offline), or SIPE's own."""
        self.send(f"status {status} {message}".rstrip())
        m = self.wait_for(r"^(OK|ERROR) status\b.*$", timeout)
        if m.group(1) != "OK":
            raise Failure(f"sipe_driver {self.name}: {m.group(0)}")
        return self.last_time

    def block(self, who: str, timeout: float = 5) -> float:
        """`block <who>`: SIPE puts <who> in container 32000 (a setContainerMembers
        SERVICE); returns the arrival time of the OK line."""
        return self._privacy("block", who, timeout)

    def unblock(self, who: str, timeout: float = 5) -> float:
        """`unblock <who>`: SIPE takes <who> out of container 32000."""
        return self._privacy("unblock", who, timeout)

    def _privacy(self, cmd: str, who: str, timeout: float) -> float:
        who = who if who.startswith("sip:") else f"sip:{who}"
        self.send(f"{cmd} {who}")
        m = self.wait_for(rf"^(OK|ERROR) {cmd} {re.escape(who)}\b.*$", timeout)
        if m.group(1) != "OK":
            raise Failure(f"sipe_driver {self.name}: {m.group(0)}")
        return self.last_time

    def is_blocked(self, who: str, timeout: float = 5) -> bool:
        """Whether libpurple's deny list has <who> (SIPE syncs it from the server's
        container 32000 on sign-in and on roaming-self updates)."""
        who = who if who.startswith("sip:") else f"sip:{who}"
        self.send(f"blocked {who}")
        return self.wait_for(rf"^BLOCKED {re.escape(who)} (yes|no)$", timeout).group(1) == "yes"

    def wait_buddy(self, who: str, status: str, note: Optional[str] = None,
                   timeout: float = 5, from_start: bool = False) -> tuple[str, str, float]:
        """The next `BUDDY <who> <status> [message]` line whose status id matches the
        regex `status` (whole id) and, if `note` is given, whose message contains it;
        returns (status id, message, arrival time.monotonic()).

        SIPE's message is the buddy's note, after an activity text when there is one
        ("Busy - In the lab"), so `note` is a substring test."""
        who = who if who.startswith("sip:") else f"sip:{who}"
        if note is None:
            rx = rf"^BUDDY {re.escape(who)} (?P<st>{status})(?: (?P<msg>.*))?$"
        else:
            rx = rf"^BUDDY {re.escape(who)} (?P<st>{status}) (?P<msg>.*{re.escape(note)}.*)$"
        m = self.wait_for(rx, timeout, from_start=from_start)
        return m.group("st"), m.group("msg") or "", self.last_time

    def buddy_state(self, who: str) -> Optional[tuple[str, str]]:
        """(status id, message) of the last BUDDY line for <who> so far, or None."""
        who = who if who.startswith("sip:") else f"sip:{who}"
        rx = re.compile(rf"^BUDDY {re.escape(who)} (\S+)(?: (.*))?$")
        with self.cond:
            for line in reversed(self.lines):
                m = rx.match(line)
                if m:
                    return m.group(1), m.group(2) or ""
        return None

    # ------------------------------------------------------------------ chats
    # Multiparty chat (conferences with an OCS 2007+ server). A chat id is libpurple's
    # (an int, printed by CHAT-JOINED). The command methods return the arrival time of
    # the OK line; the driver prints OK before any event the command causes, so the
    # wait_chat_* methods called afterwards see those events.

    def _chat_command(self, command: str, ok_regex: str, timeout: float) -> float:
        cmd = command.split(" ", 1)[0]
        self.send(command)
        m = self.wait_for(rf"^(?:OK {re.escape(cmd)} {ok_regex}(?:\s.*)?"
                          rf"|ERROR {re.escape(cmd)}\b.*)$", timeout)
        if not m.group(0).startswith("OK"):
            raise Failure(f"sipe_driver {self.name}: {m.group(0)}")
        return self.last_time

    def chat_new(self, buddy: str, timeout: float = 5) -> float:
        """`chat-new <buddy>`: the buddy menu's "New chat". With an OCS 2007+ server SIPE
        sends SERVICE addConference to its focusFactoryUri; the chat opens on the first
        conference NOTIFY (wait_chat_joined) and <buddy> is invited after that."""
        buddy = _sip(buddy)
        return self._chat_command(f"chat-new {buddy}", re.escape(buddy), timeout)

    def chat_invite(self, chat_id: int, buddy: str, timeout: float = 5) -> float:
        """`chat-invite <id> <buddy>` (/invite): an ms-conf-invite INVITE to <buddy>."""
        buddy = _sip(buddy)
        return self._chat_command(f"chat-invite {chat_id} {buddy}",
                                  rf"{chat_id} {re.escape(buddy)}", timeout)

    def chat_send(self, chat_id: int, text: str, timeout: float = 5) -> float:
        """`chat-send <id> <text>`: a MESSAGE in the IM MCU dialog. SIPE shows it at once,
        so a CHAT-MSG from ourselves follows."""
        return self._chat_command(f"chat-send {chat_id} {text}", str(chat_id), timeout)

    def chat_leave(self, chat_id: int, timeout: float = 5) -> float:
        """`chat-leave <id>`: closes the chat (SIPE: SUBSCRIBE Expires: 0, BYE to focus
        and MCU); CHAT-LEFT <id> left follows."""
        return self._chat_command(f"chat-leave {chat_id}", str(chat_id), timeout)

    def chat_lock(self, chat_id: int, timeout: float = 5) -> float:
        """`chat-lock <id>`: the chat menu's "Lock" (INFO modifyConferenceLock true).
        SIPE offers it only to an operator of an unlocked conference (else Failure)."""
        return self._chat_command(f"chat-lock {chat_id}", str(chat_id), timeout)

    def chat_unlock(self, chat_id: int, timeout: float = 5) -> float:
        """`chat-unlock <id>`: the chat menu's "Unlock" (modifyConferenceLock false)."""
        return self._chat_command(f"chat-unlock {chat_id}", str(chat_id), timeout)

    def chat_remove(self, chat_id: int, buddy: str, timeout: float = 5) -> float:
        """`chat-remove <id> <buddy>`: the buddy menu's "Remove from '<title>'" (INFO
        deleteUser). Offered only for a member while we are an operator."""
        buddy = _sip(buddy)
        return self._chat_command(f"chat-remove {chat_id} {buddy}",
                                  rf"{chat_id} {re.escape(buddy)}", timeout)

    def chat_leader(self, chat_id: int, buddy: str, timeout: float = 5) -> float:
        """`chat-leader <id> <buddy>`: the buddy menu's "Make leader of '<title>'" (INFO
        modifyUserRoles presenter)."""
        buddy = _sip(buddy)
        return self._chat_command(f"chat-leader {chat_id} {buddy}",
                                  rf"{chat_id} {re.escape(buddy)}", timeout)

    def chat_users(self, chat_id: int, timeout: float = 5) -> dict[str, bool]:
        """`chat-users <id>`: the current roster as {user: is operator}."""
        self.send(f"chat-users {chat_id}")
        m = self.wait_for(rf"^(?:CHAT-USERS {chat_id}(?P<users>(?: \S+)*)"
                          rf"|ERROR chat-users\b.*)$", timeout)
        if m.group(0).startswith("ERROR"):
            raise Failure(f"sipe_driver {self.name}: {m.group(0)}")
        users = {}
        for u in (m.group("users") or "").split():
            op = u.endswith("(op)")
            users[u[:-4] if op else u] = op
        return users

    def wait_chat_joined(self, timeout: float = 10, name: Optional[str] = None,
                         from_start: bool = False) -> tuple[int, str]:
        """The next CHAT-JOINED (optionally with this exact name); returns (chat id, name)."""
        rx = rf"^CHAT-JOINED (\d+) ({re.escape(name) if name is not None else '.*'})$"
        m = self.wait_for(rx, timeout, from_start=from_start)
        return int(m.group(1)), m.group(2)

    def wait_chat_user_joined(self, chat_id: int, user: Optional[str] = None,
                              timeout: float = 10, from_start: bool = False) -> str:
        """The next CHAT-USER-JOINED in chat <id> (of <user> if given); returns the user."""
        return self._wait_chat_user("CHAT-USER-JOINED", chat_id, user, timeout, from_start)

    def wait_chat_user_left(self, chat_id: int, user: Optional[str] = None,
                            timeout: float = 10, from_start: bool = False) -> str:
        """The next CHAT-USER-LEFT in chat <id> (of <user> if given); returns the user."""
        return self._wait_chat_user("CHAT-USER-LEFT", chat_id, user, timeout, from_start)

    def wait_chat_user_op(self, chat_id: int, user: Optional[str] = None,
                          timeout: float = 10, from_start: bool = False) -> str:
        """The next CHAT-USER-OP in chat <id> (of <user> if given): the user is an
        operator (a presenter with a connected chat endpoint)."""
        return self._wait_chat_user("CHAT-USER-OP", chat_id, user, timeout, from_start)

    def _wait_chat_user(self, event: str, chat_id: int, user: Optional[str],
                        timeout: float, from_start: bool) -> str:
        who = re.escape(_sip(user)) if user is not None else r"\S+"
        return self.wait_for(rf"^{event} {chat_id} ({who})$", timeout,
                             from_start=from_start).group(1)

    def wait_chat_msg(self, chat_id: int, sender: Optional[str] = None,
                      text: Optional[str] = None, timeout: float = 10,
                      from_start: bool = False) -> tuple[str, str]:
        """The next CHAT-MSG in chat <id>, from <sender> and containing <text> if given;
        returns (sender, text). Our own messages come back as CHAT-MSG from ourselves."""
        who = re.escape(_sip(sender)) if sender is not None else r"\S+"
        body = rf".*{re.escape(text)}.*" if text is not None else r".*"
        m = self.wait_for(rf"^CHAT-MSG {chat_id} ({who}) ({body})$", timeout,
                          from_start=from_start)
        return m.group(1), m.group(2)

    def wait_chat_topic(self, chat_id: int, topic: Optional[str] = None,
                        timeout: float = 10, from_start: bool = False) -> str:
        """The next CHAT-TOPIC in chat <id> (exactly <topic> if given); returns the topic."""
        rx = rf"^CHAT-TOPIC {chat_id} ?({re.escape(topic) if topic is not None else '.*'})$"
        return self.wait_for(rx, timeout, from_start=from_start).group(1)

    def wait_chat_system(self, chat_id: int, contains: Optional[str] = None,
                         timeout: float = 10, from_start: bool = False) -> str:
        """The next CHAT-SYSTEM line in chat <id> (containing <contains> if given), e.g.
        SIPE's "This conference is locked. ..." / "... no longer locked ..." or "You
        have been disconnected from this conference."; returns its text."""
        body = rf".*{re.escape(contains)}.*" if contains is not None else r".*"
        return self.wait_for(rf"^CHAT-SYSTEM {chat_id} ({body})$", timeout,
                             from_start=from_start).group(1)

    def wait_chat_locked(self, chat_id: int, locked: bool = True,
                         timeout: float = 10, from_start: bool = False) -> str:
        """SIPE's notice that the conference is now locked (or no longer locked)."""
        words = ("This conference is locked." if locked
                 else "This conference is no longer locked.")
        return self.wait_chat_system(chat_id, words, timeout, from_start)

    def wait_chat_left(self, chat_id: int, timeout: float = 10,
                       from_start: bool = False) -> str:
        """The CHAT-LEFT of chat <id>; returns how: "left" (chat-leave), "disconnected"
        (SIPE's "You have been disconnected from this conference.": the IM MCU's BYE,
        e.g. we were removed) or "closed"."""
        return self.wait_for(rf"^CHAT-LEFT {chat_id} (\S+)$", timeout,
                             from_start=from_start).group(1)

    def seen(self, regex: str) -> list[str]:
        """Every event line so far that matches."""
        pattern = re.compile(regex)
        with self.cond:
            return [line for line in self.lines if pattern.search(line)]

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def sip_messages(self, sent: Optional[bool] = None) -> list[str]:
        """SIP messages in driver.log (needs unsafe_debug): sent by SIPE (sent=True),
        received (False) or both, each as text with CRLF turned into LF."""
        marks = {True: ">>>>>>>>>>", False: "<<<<<<<<<<"}
        wanted = [marks[sent]] if sent is not None else list(marks.values())
        out = []
        for m in re.finditer(r"MESSAGE START (>{10}|<{10}) SIP\([^)]*\)[^\n]*\n(.*?)"
                             r"\nMESSAGE END \1", self.log_text(), re.S):
            if m.group(1) in wanted:
                out.append(m.group(2).replace("\r\n", "\n").replace("\r", ""))
        return out

    def exchange(self, request_regex: str, max_chars: int = 3000) -> str:
        """For a failure report: the last request SIPE sent whose text matches
        `request_regex` (needs unsafe_debug), then the first line of every response
        it received for it (same Call-ID and CSeq)."""
        rx = re.compile(request_regex)
        sent = [m for m in self.sip_messages(sent=True) if rx.search(m)]
        if not sent:
            return f"    | (pidgin-sipe {self.name} sent no request matching /{request_regex}/)"
        req = sent[-1]
        call_id = re.search(r"(?im)^Call-ID:\s*(\S+)", req)
        cseq = re.search(r"(?im)^CSeq:\s*(.+?)\s*$", req)
        got = [m.split("\n", 1)[0] for m in self.sip_messages(sent=False)
               if m.startswith("SIP/2.0") and call_id and cseq
               and re.search(rf"(?im)^Call-ID:\s*{re.escape(call_id.group(1))}\s*$", m)
               and re.search(rf"(?im)^CSeq:\s*{re.escape(cseq.group(1))}\s*$", m)]
        return (indent(req.strip()[:max_chars]) + f"\n    answered: "
                + (", ".join(got) or "nothing"))

    def describe(self) -> str:
        with self.cond:
            lines = list(self.lines)
        rc = (self.proc.poll() if self.proc is not None else self.exit_code)
        state = "running" if rc is None else f"exited with code {rc}"
        return (f"sipe_driver {self.name} ({state}); events so far:\n"
                + (indent("\n".join(lines[-40:])) if lines else "    | (none)"))


def _sip(name: str) -> str:
    return name if name.startswith("sip:") else f"sip:{name}"


def sax_check(mode: str, with_shim: bool) -> "harness.ToolResult":
    """Runs sax_check raw|sipe with or without the SAX shim preloaded."""
    targets = build_all()
    args = [str(targets["sax_check"]), mode]
    if mode == "sipe":
        plugin = sipe_plugin_path()
        args.append(str(plugin))
    env = preload_env(targets["sax_shim.so"]) if with_shim else dict(os.environ)
    if not with_shim:
        env["LD_PRELOAD"] = " ".join(p for p in env.get("LD_PRELOAD", "").split()
                                     if "sax_shim" not in p)
    env["DBUS_SESSION_BUS_ADDRESS"] = "disabled:"
    return harness.run_tool(args, timeout=30, env=env)
