#!/usr/bin/env python3
"""Parley and Kamailio side by side under the same SIPp load (`make bench`, issue 4).

    python3 bench/bench.py [--quick | --smoke] [--rounds N] [--scenarios a,b] [--bin PATH]

Scenarios (bench/sipp/bench_*.xml), each against Parley and then Kamailio
(bench/kamailio/kamailio.cfg: usrloc in memory, Digest with HA1 from an htable, tm, rr),
one server at a time, on free 127.0.0.1 ports:

    register-udp  REGISTER -> 401 -> REGISTER with Digest -> 200, --users distinct users
    register-tcp  the same over SIPp's one TCP connection
    message-udp   MESSAGE -> 407 -> MESSAGE with Digest -> relayed to the callee, registered
                  at a SIPp UAS -> its 200 relayed back
    invite-udp    INVITE -> 407 -> ACK; INVITE with Digest -> record-routed to the UAS ->
                  200 -> ACK and BYE along the route set -> 200
    presence-fanout  (only when named) 1,000 watchers subscribed to one presentity that
                  PUBLISHes changes: NOTIFYs/s delivered (bench/presence/fanout.py;
                  Kamailio: bench/kamailio/kamailio-presence.cfg)

For each: the server pinned to core 0 (Parley workers = 1, Kamailio children = 1 and
tcp_children = 1), SIPp, the UAS and this driver (with its latency probe) to core 1; a step
search on SIPp's rate finds the highest rate with under 1% failed calls that is also
achieved; then a latency step at a fixed rate, the same for both servers, with the probe on
the side (SIPp 3.6.1 times responses in 4 ms steps; the probe uses time.monotonic_ns).
Several rounds (servers alternating), medians reported; in the first round each server also
runs 40 s at the latency rate from a fresh start, for its memory under the same load. Then
memory per binding (PSS with
--memory-users bindings minus idle PSS) and scaling (the server on both cores, workers and
children = 2).

Prints the table and writes it to bench/results/latest.md, every step to latest.json.
--smoke: Parley only unless --servers says otherwise, one low-rate step per scenario, a
short latency probe, no memory or scaling runs, nothing written under bench/results/ unless
--out is given; exit code 1 if any scenario fails at that rate: a check for the driver and
for Parley under light load (about 30 s).

Every process started here is stopped by PID (Kamailio: by the process group of the
session it was started in) however the run ends. Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib.common import RESULTS, ROOT, log                              # noqa: E402
from benchlib.measure import (DEFAULT_SCENARIOS, MAX_STEPS, SCENARIOS,      # noqa: E402
                              Context, MemoryResult, Session, run_memory, run_session)
from benchlib.presence import missing_kamailio_packages                     # noqa: E402
from benchlib.procs import REGISTRY                                         # noqa: E402
from benchlib.report import machine, report                                 # noqa: E402


def ensure_tools(servers: Sequence[str], scenarios: Sequence[str] = ()) -> None:
    """Installs what is missing through scripts/deps.sh (Kamailio only when it is compared;
    its presence modules only for presence-fanout)."""
    tools = {"sipp": "sip-tester", "taskset": "util-linux"}
    if "kamailio" in servers:
        tools["kamailio"] = "kamailio"
    need = [pkg for tool, pkg in tools.items() if not shutil.which(tool)]
    if "kamailio" in servers and "presence-fanout" in scenarios:
        need += missing_kamailio_packages()
    if need:
        log(f"bench: installing {' '.join(need)} (scripts/deps.sh)")
        subprocess.run(["bash", str(ROOT / "scripts" / "deps.sh"), *need], check=True)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true",
                      help="about 3 minutes: 1 round, 2 s steps, 2,000 users, 10,000 bindings "
                      "for memory, no scaling")
    mode.add_argument("--smoke", action="store_true",
                      help="a check, not a measurement: see above")
    ap.add_argument("--rounds", type=int, help="rounds of every scenario (3; quick 1)")
    ap.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS),
                    help=f"comma-separated, from {', '.join(SCENARIOS)} (presence-fanout "
                    "only when named: NOTIFYs/s to 1,000 watchers of one presentity)")
    ap.add_argument("--servers", help="comma-separated: parley,kamailio (smoke: parley)")
    ap.add_argument("--bin", default=str(ROOT / "build" / "parley"), help="the parley binary")
    ap.add_argument("--kamailio", default=shutil.which("kamailio") or "/usr/sbin/kamailio")
    ap.add_argument("--users", type=int, help="distinct users (10,000; quick and smoke 2,000)")
    ap.add_argument("--step-seconds", type=float, help="length of a search step (4; quick 2)")
    ap.add_argument("--precision", type=float,
                    help="stop searching once the pass/fail gap is below this share (0.1)")
    ap.add_argument("--fixed-rate", type=int, default=0,
                    help="no search: one step at this rate (smoke: 100)")
    ap.add_argument("--latency-rate", type=int, default=0,
                    help="SIPp load during the latency step, calls/s (default per scenario: "
                    + ", ".join(f"{n} {s.latency_rate}" for n, s in SCENARIOS.items())
                    + "; smoke: the fixed rate)")
    ap.add_argument("--latency-seconds", type=float, help="length of the latency step (10; quick 2)")
    ap.add_argument("--probe-rate", type=float, default=150.0,
                    help="probe requests per second during the latency step (150: with 10 s, "
                    "1,500 samples a round, so p99 rests on 15 of them, not on one or two)")
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument("--load-memory-seconds", type=float,
                    help="memory under load: a fresh server at the latency step's rate for "
                    "this long, in the first round (40, past Timer J/L/M; quick 10; 0 = skip)")
    ap.add_argument("--memory-users", type=int,
                    help="bindings for the memory test (100,000; quick 10,000; 0 = skip)")
    ap.add_argument("--memory-rate", type=int, default=3000,
                    help="REGISTER/s (over TCP) for the memory test")
    ap.add_argument("--scaling-rounds", type=int, help="rounds on both cores (1; quick 0)")
    ap.add_argument("--prep-rate", type=int, default=2000,
                    help="REGISTER/s for the callees of the MESSAGE and INVITE scenarios")
    ap.add_argument("--nice", type=int, default=-10 if os.geteuid() == 0 else 0,
                    help="niceness of the driver, the servers and SIPp alike (-10 as root: "
                    "ahead of builds beside the benchmark; 0 = unchanged)")
    ap.add_argument("--out", help="the markdown table (bench/results/latest.md; quick: "
                    "quick.md; smoke: none), with the steps beside it as .json")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args(argv)
    short = a.quick or a.smoke
    a.servers = [s.strip() for s in (a.servers or ("parley" if a.smoke else
                                                   "parley,kamailio")).split(",") if s.strip()]
    for s in a.servers:
        if s not in ("parley", "kamailio"):
            ap.error(f"unknown server {s}")
    a.rounds = a.rounds if a.rounds is not None else (1 if short else 3)
    a.users = a.users or (2000 if short else 10000)
    a.step_seconds = a.step_seconds or (1.5 if a.smoke else 2.0 if a.quick else 4.0)
    a.precision = a.precision or (0.25 if a.quick else 0.1)
    a.fixed_rate = a.fixed_rate or (100 if a.smoke else 0)
    a.latency_rate = a.latency_rate or (a.fixed_rate if a.smoke else 0)
    a.latency_seconds = a.latency_seconds or (1.5 if a.smoke else 2.0 if a.quick else 10.0)
    a.memory_users = (a.memory_users if a.memory_users is not None else
                      0 if a.smoke else 10000 if a.quick else 100000)
    a.load_memory_seconds = (a.load_memory_seconds if a.load_memory_seconds is not None else
                             0 if a.smoke or a.fixed_rate else 10 if a.quick else 40)
    a.scaling_rounds = a.scaling_rounds if a.scaling_rounds is not None else (0 if short else 1)
    a.pause = 0.5 if short else 1.0
    if a.out is None and not a.smoke:      # a quick run does not replace the full table
        a.out = str(RESULTS / ("quick.md" if a.quick else "latest.md"))
    a.scenarios = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    for s in a.scenarios:
        if s not in SCENARIOS:
            ap.error(f"unknown scenario {s}")
    return a


def run(ctx: Context, sessions: list[Session], mem: list[MemoryResult]) -> None:
    """Every round of every scenario on both servers, then memory, then scaling."""
    args = ctx.args
    ncpu = os.cpu_count() or 1
    if ctx.load_cores:
        os.sched_setaffinity(0, ctx.load_cores)      # the driver and its probe beside SIPp
    best: dict[tuple[str, str], int] = {}
    for rnd in range(1, args.rounds + 1):
        log(f"\n== round {rnd}/{args.rounds}: one core")
        for name in args.scenarios:
            scen = SCENARIOS[name]
            for kind in args.servers:
                prev = best.get((kind, name))
                # the first round searches from the start rate; later ones refine the
                # median so far in a few steps
                sessions.append(run_session(ctx, kind, scen, 1, rnd, prev or scen.start_rate,
                                            1.1 if prev else 2.0, 4 if prev else MAX_STEPS))
                rates = [s.rate for s in sessions if s.server == kind and s.scenario == name
                         and s.cores == 1 and s.rate]
                if rates:
                    best[(kind, name)] = int(statistics.median(rates))
    if args.memory_users and any(SCENARIOS[n].kind != "presence" for n in args.scenarios):
        log(f"\n== memory per binding: {args.memory_users:,} bindings")
        for kind in args.servers:
            mem.append(run_memory(ctx, kind, args.memory_users))
    if args.scaling_rounds and ncpu >= 2:
        os.sched_setaffinity(0, range(ncpu))
        for rnd in range(1, args.scaling_rounds + 1):
            log(f"\n== scaling round {rnd}/{args.scaling_rounds}: two cores")
            for name in args.scenarios:
                scen = SCENARIOS[name]
                for kind in args.servers:
                    start = best.get((kind, name), scen.start_rate)
                    sessions.append(run_session(ctx, kind, scen, 2, rnd, start, 1.5, 5))


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    command = "python3 bench/bench.py " + " ".join(map(shlex.quote, argv))
    if not os.access(args.bin, os.X_OK):
        log(f"bench: {args.bin} is not an executable (build first: make build; or --bin PATH)")
        return 2
    ensure_tools(args.servers, args.scenarios)
    if args.nice:
        try:    # inherited by the servers and SIPp alike
            os.setpriority(os.PRIO_PROCESS, 0, args.nice)
        except PermissionError:
            log(f"bench: cannot run at nice {args.nice} (not root): running at 0")
            args.nice = 0
    ncpu = os.cpu_count() or 1
    server_core, load_cores = ([0], [1]) if ncpu >= 2 else ([], None)
    if ncpu < 2:
        log("bench: one CPU only: nothing is pinned, and the server competes with SIPp")
    work = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    parley_bin = os.path.abspath(args.bin)
    ctx = Context(args, work, parley_bin, args.kamailio, args.users, server_core, load_cores)
    info = machine(parley_bin, ROOT)
    info["date"] = time.strftime("%Y-%m-%d %H:%M %Z")
    log(f"bench: {info['cpu']} x{info['nproc']}, Linux {info['kernel']}, {info['sipp']}, "
        f"{info['kamailio']}, {info['parley']} (git {info['git']}); load {info['load']}; "
        f"work directory {work}")
    if float(info["load"].split()[0]) > 0.5 * ncpu:
        log("bench: the machine is busy (load average above): the numbers will be noisy")

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    sessions: list[Session] = []
    mem: list[MemoryResult] = []
    code = 0
    try:
        run(ctx, sessions, mem)
    except KeyboardInterrupt as e:
        log(f"\nbench: interrupted ({e}); stopping everything")
        code = 130
    finally:
        REGISTRY.stop_all()
    info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = report(ctx, sessions, mem, info, time.monotonic() - started, command)
    log("\n" + text)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n")
        out.with_suffix(".json").write_text(json.dumps(
            {"machine": info, "args": vars(args),
             "sessions": [dataclasses.asdict(s) for s in sessions],
             "memory": [dataclasses.asdict(m) | {"bytes_per_binding": m.bytes_per_binding}
                        for m in mem]}, indent=1, default=str) + "\n")
        log(f"bench: wrote {out} and {out.with_suffix('.json')}")
    failed = [s for s in sessions if s.error or (args.smoke and not s.rate)]
    for s in failed:
        log(f"bench: {s.server} {s.scenario}: " + (s.error or f"failed at {args.fixed_rate}/s: "
            + "; ".join(f"{v} x {k}" for k, v in list(s.symptoms.items())[:3])))
    if args.smoke:
        bad_probe = [s for s in sessions if not args.no_latency and not s.probe_samples]
        for s in bad_probe:
            log(f"bench: {s.server} {s.scenario}: the probe got no answer: {s.probe_errors}")
        failed += bad_probe
    log(f"bench: {time.monotonic() - started:.0f} s")
    if args.keep or code or failed:
        log(f"bench: kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return code or (1 if failed else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
