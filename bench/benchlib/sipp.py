"""Running SIPp (Debian's sip-tester 3.6.1) and reading what it saw.

A UAC run is `calls` calls at `rate` calls/s (-m, -r), bounded in time (-recv_timeout 2 s
per expected message, -timeout, and a kill after calls/rate + 25 s). Its results come from
the last line of its -trace_stat file, its CPU time from wait4(), and what went wrong from
its -trace_err events, each named after the scenario step it happened at.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional, Sequence

from .common import HOST, SIPP_DIR, tail
from .procs import cpu_seconds, free_port, pinned, spawn, stop, wait_with_rusage
from .servers import UDP_BUFFER


@dataclass
class SippResult:
    rate: float                 # target calls/s
    calls: int                  # calls asked for (-m)
    ok: int = 0
    failed: int = 0             # failed, or never finished
    elapsed: float = 0.0        # s, from start to exit
    sipp_cpu: float = 0.0       # the UAC's own CPU seconds
    retransmissions: int = 0
    returncode: Optional[int] = None
    symptoms: dict = field(default_factory=dict)

    @property
    def achieved(self) -> float:
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def fail_ratio(self) -> float:
        return self.failed / self.calls if self.calls else 1.0


@lru_cache(maxsize=None)
def scenario_steps(xml: str) -> list[str]:
    """What each message index of a SIPp scenario is, as SIPp counts them (labels aside)."""
    steps = []
    root = ET.parse(SIPP_DIR / xml).getroot()
    for el in root:
        if el.tag == "send":
            text = (el.text or "").strip()
            steps.append("sending " + (text.split()[0] if text else "?"))
        elif el.tag == "recv":
            steps.append("waiting for " + (el.get("response") or el.get("request") or "?"))
        elif el.tag in ("pause", "nop"):
            steps.append(el.tag)
    return steps


def describe_index(xml: str, index: int) -> str:
    """'waiting for 100|401' for the index at which a call stopped (optional recvs merged)."""
    steps = scenario_steps(xml)
    if not 0 <= index < len(steps):
        return f"step {index}"
    if steps[index].startswith("waiting for "):
        wanted = []
        for s in steps[index:]:
            if not s.startswith("waiting for "):
                break
            wanted.append(s.removeprefix("waiting for "))
        before = next((s.removeprefix("sending ") for s in reversed(steps[:index])
                       if s.startswith("sending ")), "?")
        return f"waiting for {'|'.join(wanted)} after {before} (step {index})"
    return f"{steps[index]} (step {index})"


EVENT = re.compile(r"\d{4}-\d\d-\d\d\t[\d:.]+\t[\d.]+: ")


def symptoms(path: Path, xml: str, limit: int = 2_000_000) -> dict[str, int]:
    """What went wrong, from SIPp's -trace_err file: kinds of event with their counts."""
    try:
        text = path.read_bytes()[:limit].decode(errors="replace")
    except OSError:
        return {}
    out: dict[str, int] = {}
    for event in EVENT.split(text)[1:]:
        first = event.strip().splitlines()[0] if event.strip() else ""
        if "Failed to delete FD from epoll" in first:
            continue                    # SIPp 3.6.1 says this on exit
        timeout = re.search(r"receive timeout on message .*?:(\d+) without label", first)
        received = re.search(r"received '(SIP/2\.0 [^\r\n']*|[A-Z]+ [^\r\n']*)", event)
        index = re.search(r"index (\d+)", first)
        cseq = re.search(r"\nCSeq:\s*([^\r\n]*)", event)
        if timeout:
            key = f"timeout {describe_index(xml, int(timeout.group(1)))}"
        elif received and "Dead call" in first:
            key = (f"{received.group(1)[:50]} ({cseq.group(1) if cseq else '?'}) for a call "
                   "already ended (a late retransmission)")
        elif received and "unexpected message" in first:
            where = describe_index(xml, int(index.group(1))) if index else "?"
            key = (f"unexpected {received.group(1)[:50]} ({cseq.group(1) if cseq else '?'}) "
                   f"while {where}")
        else:
            key = re.sub(r"'[^']*'", "'…'", first)
            key = re.sub(r"\d+-\d+@[\d.]+", "…", key)
            key = re.sub(r"\(\d+\), \d+ trips remaining", "", key)[:120]
        out[key] = out.get(key, 0) + 1
    return out


def last_stats(path: Path) -> dict[str, str]:
    """The last line of a -trace_stat file, by column name."""
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return {}
    if len(lines) < 2:
        return {}
    names = lines[0].rstrip(";").split(";")
    return dict(zip(names, lines[-1].rstrip(";").split(";")))


def run_uac(work: Path, label: str, xml: str, port: int, transport: str, rate: float,
            calls: int, csv: Path, keys: dict[str, str], cores: Optional[Sequence[int]],
            local_port: Optional[int] = None,
            at_load_end: Optional[Callable[[int], None]] = None) -> SippResult:
    """One SIPp UAC run of `calls` calls at `rate` calls/s against HOST:port.

    at_load_end(pid of SIPp) runs once calls/rate seconds after the start (when the last
    call should have been sent), or at SIPp's end if that comes first."""
    rate = max(1, int(rate))
    duration = calls / rate
    base = work / label
    stat, err, out = Path(f"{base}.stat.csv"), Path(f"{base}.err.log"), Path(f"{base}.out")
    for p in (stat, err, out):
        p.unlink(missing_ok=True)
    args = ["sipp", f"{HOST}:{port}", "-sf", str(SIPP_DIR / xml), "-inf", str(csv),
            "-i", HOST, "-p", str(local_port or free_port()), "-cp", str(free_port()),
            "-t", transport, "-nostdin", "-nd", "-buff_size", str(UDP_BUFFER),
            "-r", str(rate), "-rp", "1000", "-m", str(calls), "-l", str(max(200, rate * 2)),
            "-recv_timeout", "2000", "-timeout", f"{int(duration + 15)}s",
            "-trace_stat", "-stf", str(stat), "-fd", "1",
            "-trace_err", "-error_file", str(err), "-max_log_size", "2000000"]
    for k, v in keys.items():
        args += ["-key", k, v]
    t0 = time.monotonic()
    proc = spawn("sipp", pinned(args, cores), out, cwd=work)     # SIPp's own files land there
    checkpoint = (duration, lambda: at_load_end(proc.pid)) if at_load_end else None
    rc, cpu = wait_with_rusage(proc, timeout=duration + 25, checkpoint=checkpoint)
    elapsed = time.monotonic() - t0
    st = last_stats(stat)

    def num(name: str) -> int:
        try:
            return int(st.get(name, "0") or 0)
        except ValueError:
            return 0

    ok = num("SuccessfulCall(C)")
    res = SippResult(rate=rate, calls=calls, ok=ok, failed=max(0, calls - ok), elapsed=elapsed,
                     sipp_cpu=cpu, retransmissions=num("Retransmissions(C)"), returncode=rc,
                     symptoms=symptoms(err, xml))
    if not st:
        res.symptoms[f"SIPp wrote no statistics (exit {rc}): {tail(out, 5)}"] = 1
    return res


class Uas:
    """A SIPp UAS (UDP) answering the relayed MESSAGEs or calls at the users' Contact."""

    def __init__(self, work: Path, xml: str, cores: Optional[Sequence[int]]) -> None:
        self.port = free_port()
        self.log = work / f"uas-{self.port}.out"
        args = ["sipp", "-sf", str(SIPP_DIR / xml), "-i", HOST, "-p", str(self.port),
                "-cp", str(free_port()), "-t", "u1", "-nostdin", "-buff_size", str(UDP_BUFFER),
                "-recv_timeout", "10000",
                "-trace_err", "-error_file", str(work / f"uas-{self.port}.err.log"),
                "-max_log_size", "2000000"]
        self.proc = spawn("sipp-uas", pinned(args, cores), self.log, cwd=work)
        time.sleep(0.3)
        if self.proc.poll() is not None:
            raise RuntimeError(f"the SIPp UAS exited at once: {tail(self.log)}")

    def cpu(self) -> float:
        return cpu_seconds([self.proc.pid])

    def stop(self) -> None:
        stop(self.proc)
