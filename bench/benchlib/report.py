"""The table: medians over rounds, Parley/Kamailio ratios, the machine and the versions."""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from .common import fmt
from .measure import FAIL_LIMIT, RATE_TOLERANCE, SCENARIOS, Context, MemoryResult, Session


def med(values: Sequence[Optional[float]]) -> Optional[float]:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b else None


@dataclass
class Summary:
    rate: Optional[float]       # calls/s
    cpu: Optional[float]        # µs per call
    p50: Optional[float]        # ms
    p99: Optional[float]        # ms
    pss: Optional[float]        # MiB
    hwm: Optional[float]        # MiB
    limit: str
    rounds: int


def summarize(sessions: Sequence[Session], server: str, scenario: str, cores: int) -> Summary:
    """Medians over the rounds of one server, scenario and core count."""
    ss = [s for s in sessions
          if s.server == server and s.scenario == scenario and s.cores == cores]
    rate = med([s.rate for s in ss])
    # what limited the round whose rate is closest to the median
    ranked = sorted((s for s in ss if s.rate), key=lambda s: abs(s.rate - (rate or 0)))
    limit = ranked[0].limit if ranked else ""
    return Summary(
        rate=rate, cpu=med([s.cpu_us_per_call for s in ss]),
        p50=med([s.p50_ms for s in ss]), p99=med([s.p99_ms for s in ss]),
        pss=med([s.load_pss_kb / 1024 if s.load_pss_kb else None for s in ss]),
        hwm=med([s.hwm_kb / 1024 if s.hwm_kb else None for s in ss]),
        limit=limit, rounds=len(ss))


def _out(args: Sequence[str]) -> str:
    try:
        r = subprocess.run(list(args), capture_output=True, text=True, timeout=10)
        return (r.stdout + r.stderr).strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def machine(parley_bin: str, root: Path) -> dict[str, str]:
    """CPU, kernel, Debian, versions of SIPp, Kamailio and Parley, git commit, load."""
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        debian = Path("/etc/debian_version").read_text().strip()
    except OSError:
        debian = "?"
    sipp = re.search(r"SIPp v[^\s,]+", _out(["sipp", "-v"]))
    kam = re.search(r"version: (kamailio [^\n]+)", _out(["kamailio", "-v"]))
    return {"nproc": str(os.cpu_count()), "cpu": model, "kernel": platform.release(),
            "debian": debian, "python": platform.python_version(),
            "sipp": sipp.group(0).rstrip(".") if sipp else "?",
            "kamailio": kam.group(1).strip() if kam else "?",
            "parley": _out([parley_bin, "--version"]) or "?",
            "git": _out(["git", "-C", str(root), "rev-parse", "--short", "HEAD"]) or "?",
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def _main_table(ctx: Context, sessions: Sequence[Session]) -> list[str]:
    lines = ["| scenario [latency load] (one call =) | server | rate/s | limited by | p50 ms "
             "| p99 ms | CPU µs/call | PSS MiB at load | HWM MiB |",
             "|---|---|--:|---|--:|--:|--:|--:|--:|"]
    for name in ctx.args.scenarios:
        scen = SCENARIOS[name]
        p = summarize(sessions, "parley", name, 1)
        k = summarize(sessions, "kamailio", name, 1)
        label = f"{name} [{ctx.args.latency_rate or scen.latency_rate}/s] ({scen.unit})"
        for srv, s in (("Parley", p), ("Kamailio", k)):
            if not s.rounds:
                continue
            lines.append(f"| {label} | {srv} | {fmt(s.rate, 0)} | {s.limit or '–'} "
                         f"| {fmt(s.p50, 3)} | {fmt(s.p99, 3)} | {fmt(s.cpu, 1)} "
                         f"| {fmt(s.pss, 1)} | {fmt(s.hwm, 1)} |")
            label = ""
        if p.rounds and k.rounds:
            lines.append(
                f"| | **Parley/Kamailio** | **{fmt(ratio(p.rate, k.rate), 2)}** | "
                f"| **{fmt(ratio(p.p50, k.p50), 2)}** | **{fmt(ratio(p.p99, k.p99), 2)}** "
                f"| **{fmt(ratio(p.cpu, k.cpu), 2)}** | **{fmt(ratio(p.pss, k.pss), 2)}** "
                f"| **{fmt(ratio(p.hwm, k.hwm), 2)}** |")
    return lines


def _memory_table(ctx: Context, mem: Sequence[MemoryResult]) -> list[str]:
    lines = [f"**Memory per binding** (issue 4 item 2): {mem[0].users:,} users, each "
             f"registered once over TCP (SIPp at {ctx.args.memory_rate}/s, core 1; server "
             "on core 0), then 6 s for transaction timers; (PSS with the bindings - PSS "
             "idle with the users loaded) / bindings.", "",
             "| server | bindings | idle PSS MiB | loaded PSS MiB | loaded RSS MiB "
             "| loaded HWM MiB | bytes/binding |", "|---|--:|--:|--:|--:|--:|--:|"]
    for m in mem:
        lines.append(f"| {m.server} | {m.bindings:,} | {fmt(m.idle_pss_kb / 1024)} "
                     f"| {fmt(m.loaded_pss_kb / 1024)} | {fmt(m.loaded_rss_kb / 1024)} "
                     f"| {fmt(m.loaded_hwm_kb / 1024)} | {fmt(m.bytes_per_binding, 0)} |")
    pm = next((m for m in mem if m.server == "parley"), None)
    km = next((m for m in mem if m.server == "kamailio"), None)
    if pm and km:
        lines.append(f"| **Parley/Kamailio** | | | | | | "
                     f"**{fmt(ratio(pm.bytes_per_binding, km.bytes_per_binding), 2)}** |")
    return lines


def _scaling_table(ctx: Context, sessions: Sequence[Session]) -> list[str]:
    lines = ["**Scaling** (issue 4 item 3): the server on both cores (Parley workers = 2; "
             "Kamailio children = 2, tcp_children = 2), SIPp and the UAS unpinned beside it: on "
             "a 2-core machine they share the cores, so this measures the whole box. "
             "register-tcp runs over SIPp's one TCP connection, which one Parley worker (one "
             "Kamailio TCP reader) reads; the datagrams of SIPp's one UDP socket are spread "
             "over Parley's workers at random (SO_ATTACH_REUSEPORT_CBPF), as Kamailio's "
             "children share one socket.", "",
             "| scenario | server | 1 core rate/s | 2 cores rate/s | 2 cores / 1 core "
             "| limited by (2 cores) | CPU µs/call (2 cores) |", "|---|---|--:|--:|--:|---|--:|"]
    for name in ctx.args.scenarios:
        for srv in ctx.args.servers:
            one = summarize(sessions, srv, name, 1)
            two = summarize(sessions, srv, name, 2)
            if two.rounds:
                lines.append(f"| {name} | {srv} | {fmt(one.rate, 0)} | {fmt(two.rate, 0)} "
                             f"| {fmt(ratio(two.rate, one.rate), 2)} | {two.limit or '–'} "
                             f"| {fmt(two.cpu, 1)} |")
    return lines


def one_line(text: str, limit: int = 400) -> str:
    """A multi-line error (a log tail) as one table-friendly line."""
    text = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return text if len(text) <= limit else "…" + text[-limit:]


def _problems(sessions: Sequence[Session], mem: Sequence[MemoryResult]) -> list[str]:
    out = []
    for s in sessions:
        if s.error or s.probe_errors or s.symptoms:
            what = [f"**error**: {one_line(s.error)}"] if s.error else []
            what += [f"{v} × {k}" for k, v in
                     sorted(s.symptoms.items(), key=lambda kv: -kv[1])[:6]]
            what += [f"probe: {v} × {k}" for k, v in s.probe_errors.items()]
            out.append(f"- {s.server} {s.scenario} ({s.cores} core(s), round {s.round}, "
                       f"highest passing rate {s.rate or '–'}): " + "; ".join(what))
    for m in mem:
        if m.error:
            out.append(f"- {m.server} memory run: {one_line(m.error)}")
    return out


def report(ctx: Context, sessions: Sequence[Session], mem: Sequence[MemoryResult],
           info: dict, seconds: float, command: str) -> str:
    """The whole markdown page (bench/results/latest.md)."""
    a = ctx.args
    load_cores = ",".join(map(str, ctx.load_cores or [])) or "any"
    lines = ["# Parley and Kamailio side by side (`make bench`)", "",
             f"`{command}`: {info['date']}, {seconds / 60:.1f} min.", "",
             "| machine | |", "|---|---|",
             f"| CPU | {info['cpu']}, nproc {info['nproc']} |",
             f"| kernel | Linux {info['kernel']}, Debian {info['debian']} |",
             f"| Parley | {info['parley']} (git {info['git']}, {ctx.parley_bin}) |",
             f"| Kamailio | {info['kamailio']} (bench/kamailio/kamailio.cfg"
             + ("; kamailio-presence.cfg for presence-fanout"
                if "presence-fanout" in a.scenarios else "") + ") |",
             f"| SIPp | {info['sipp']} |",
             f"| load average (1, 5, 15 min) | {info['load']} at the start, "
             f"{info['load_end']} at the end |", ""]
    if float(info["load"].split()[0]) > 0.5 * (os.cpu_count() or 1):
        lines += ["**The machine was busy with other work during this run: the absolute "
                  "numbers are noisy** (the driver runs everything at nice "
                  f"{a.nice}, which helps but does not isolate).", ""]
    lines += [f"**One core** (issue 4 item 1): the server pinned to core "
              f"{ctx.server_core[0] if ctx.server_core else '?'} (Parley workers = 1; Kamailio "
              f"children = 1, tcp_children = 1), SIPp, its UAS and the probe to core(s) "
              f"{load_cores}; {ctx.users:,} users; median of {a.rounds} round(s).", "",
              f"- *rate*: the highest SIPp rate (calls/s; steps of {a.step_seconds:g} s) with "
              f"under {FAIL_LIMIT:.0%} failed calls and at least {RATE_TOLERANCE:.0%} of the "
              "rate achieved. SIPp is single-threaded: where it is what ran out, compare the "
              "CPU per call.",
              "- *limited by* (in the round closest to the median): at the first failing "
              "step above that rate, how busy the server "
              "(share of its cores) and SIPp with its UAS (share of core 1) were while SIPp "
              "sent, in bold at 90% or more, and the UDP datagrams the kernel dropped for full "
              "receive buffers meanwhile (machine-wide counter). Below 100% with other work on "
              "the machine usually means the rest went to that work.",
              f"- *p50, p99*: a probe of our own ({a.probe_rate:g} authenticated requests/s, "
              "time.monotonic_ns, only the time the request and its answer spend in the "
              f"server) for {a.latency_seconds:g} s per round under the same SIPp load for "
              "both servers, in brackets.",
              "- *CPU*: the server's user+system CPU (all its processes and threads) per call "
              "at the reported rate.",
              "- *PSS at load*: proportional set size summed over the server's processes "
              "(Kamailio's shared memory counted once), of a fresh server after "
              f"{a.load_memory_seconds:g} s at the latency load (in brackets), the same work "
              "for both; long enough for the state RFC 3261 keeps after each request "
              "(Timers J, L, M: 32 s) to reach its steady level. *HWM*: VmHWM summed over the "
              "search session (Kamailio's shared memory once per process): the peak at the "
              "highest rates each reached, so a faster server is charged for more work.",
              "- *Parley/Kamailio*: rate above 1 and the others below 1 are Parley ahead.", ""]
    if "presence-fanout" in a.scenarios:
        lines[-1:-1] = [
            "- *presence-fanout* (issue 6; bench/presence/fanout.py, not SIPp; Kamailio with "
            "bench/kamailio/kamailio-presence.cfg): 1,000 watchers subscribed to one "
            "presentity that PUBLISHes a change at a fixed rate (at most one PUBLISH "
            "outstanding). *rate*: NOTIFYs/s (changes/s x 1,000) of the highest step at which "
            "the watchers got a NOTIFY for at least 99% of changes x watchers, none of them "
            "stale, and 95% of the change rate was achieved; *limited by*: the watchers' "
            "process instead of SIPp; *p50, p99*: PUBLISH sent to when the last watcher had "
            "that change (or a later one), over the changes of a step of at least 5 s at the "
            "latency load (NOTIFYs/s, in brackets) run first; *CPU*: per NOTIFY (the 200 to "
            "it included); *PSS*: at the end of the session, with the 1,000 subscriptions."]
    lines += _main_table(ctx, sessions) + [""]
    if mem:
        lines += _memory_table(ctx, mem) + [""]
    if any(s.cores == 2 for s in sessions):
        lines += _scaling_table(ctx, sessions) + [""]
    problems = _problems(sessions, mem)
    if problems:
        lines += ["**What failed**: SIPp's -trace_err events summed over every step of a "
                  "session (the steps above the reported rate fail by design), and the "
                  "probe's errors.", ""] + problems[:80] + [""]
    return "\n".join(lines)
