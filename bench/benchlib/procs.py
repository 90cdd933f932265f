"""Processes: started here, stopped by PID on every way out; their CPU and memory from /proc.

Every long-running process goes through spawn() and is listed in REGISTRY; bench.py calls
REGISTRY.stop_all() in a finally block (and on SIGTERM/SIGINT). Kamailio runs in a session
of its own (start_new_session), so it and the children it forks are stopped by that
process group, which holds nothing else.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from .common import HOST


class Registry:
    """Every long-running process started here."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen, bool]] = []

    def add(self, name: str, proc: subprocess.Popen, group: bool = False) -> None:
        self.procs.append((name, proc, group))

    def forget(self, proc: subprocess.Popen) -> None:
        self.procs = [p for p in self.procs if p[1] is not proc]

    def stop_all(self) -> None:
        for _name, proc, group in reversed(list(self.procs)):
            stop(proc, group)
        self.procs.clear()


REGISTRY = Registry()


def _signal(proc: subprocess.Popen, sig: int, group: bool) -> None:
    try:
        if group:
            os.killpg(proc.pid, sig)     # the session created for it (start_new_session)
        else:
            os.kill(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop(proc: subprocess.Popen, group: bool = False, grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds; by PID (or its own process group)."""
    if proc.poll() is None:
        _signal(proc, signal.SIGTERM, group)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            _signal(proc, signal.SIGKILL, group)
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
    if group:   # Kamailio's children may outlive its main process for a moment
        _signal(proc, signal.SIGKILL, group)
    REGISTRY.forget(proc)


def pinned(args: Sequence[str], cores: Optional[Sequence[int]]) -> list[str]:
    """`args` run through taskset on `cores` (unpinned when None or without taskset)."""
    if cores and shutil.which("taskset"):
        return ["taskset", "-c", ",".join(map(str, cores)), *map(str, args)]
    return [str(a) for a in args]


def spawn(name: str, args: Sequence[str], log: Path, group: bool = False,
          cwd: Optional[Path] = None) -> subprocess.Popen:
    """Starts a process with stdout+stderr to `log`, registered for stopping."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(list(args), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=group)
    REGISTRY.add(name, proc, group)
    return proc


def wait_with_rusage(proc: subprocess.Popen, timeout: float,
                     checkpoint: Optional[tuple[float, Callable[[], None]]] = None
                     ) -> tuple[Optional[int], float]:
    """Waits for `proc`, killing it after `timeout` s: (exit code or None, its CPU seconds).

    checkpoint (seconds, callback): the callback runs once, that long after the start or
    when the process ends if that is sooner, while the process can still be read in /proc
    (an ended process is reaped only after it)."""
    start = time.monotonic()
    deadline = start + timeout
    rc: Optional[int] = None
    while True:
        ended = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if checkpoint and (ended or time.monotonic() - start >= checkpoint[0]):
            checkpoint[1]()
            checkpoint = None
        if ended:
            break
        if time.monotonic() > deadline:
            _signal(proc, signal.SIGKILL, False)
            rc = -9
            break
        time.sleep(0.01)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = rc if rc is not None else os.waitstatus_to_exitcode(status)
    REGISTRY.forget(proc)
    return (None if rc is not None else proc.returncode), usage.ru_utime + usage.ru_stime


def free_port(avoid: Sequence[int] = ()) -> int:
    """A port free on 127.0.0.1 for both UDP and TCP (the kernel picks it)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            port = s.getsockname()[1]
        if port in avoid:
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.bind((HOST, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free loopback port")


def wait_tcp(port: int, timeout: float, alive: Callable[[], bool]) -> bool:
    """Polls a TCP connect to HOST:port; False on timeout or once alive() is False."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


# ----------------------------------------------------------------------------- /proc

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> Optional[list[str]]:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()     # fields from 3 (state) on


def descendants(root: int) -> list[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [root]
    while todo and len(out) < 10000:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu_seconds(pids: Sequence[int]) -> float:
    """utime + stime of the processes (all their threads), in seconds (10 ms ticks)."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


@dataclass
class Memory:
    pss_kb: int = 0     # proportional set size, summed: pages shared between them counted once
    rss_kb: int = 0     # VmRSS, summed (Kamailio's shared memory counted once per process)
    hwm_kb: int = 0     # VmHWM, summed likewise
    processes: int = 0


def memory(pids: Sequence[int]) -> Memory:
    m = Memory()
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        m.processes += 1
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                m.rss_kb += int(line.split()[1])
            elif line.startswith("VmHWM:"):
                m.hwm_kb += int(line.split()[1])
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                m.pss_kb += int(line.split()[1])
    return m


def udp_receive_drops() -> int:
    """Datagrams the kernel dropped for full receive buffers, machine-wide (RcvbufErrors)."""
    try:
        rows = [line.split() for line in Path("/proc/net/snmp").read_text().splitlines()
                if line.startswith("Udp:")]
        return int(dict(zip(rows[0], rows[1]))["RcvbufErrors"])
    except (OSError, IndexError, KeyError, ValueError):
        return 0
