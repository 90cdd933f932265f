"""What is measured: scenarios, the rate search, the latency step, memory per binding.

A session is one server, one scenario, one round: start the server (pinned), start the
SIPp UAS and register every user at it (MESSAGE and INVITE scenarios), search the highest
passing rate, run the latency step, read the server's memory, stop everything.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from .common import DOMAIN, HOST, fmt, log, tail
from .probe import Probe, ProbeError, percentile
from .procs import cpu_seconds, free_port, memory, udp_receive_drops
from .servers import Kamailio, Parley, Server
from .sipp import Uas, run_uac
from .users import kamailio_users_db, parley_users_db, write_calls_csv, write_register_csv

FAIL_LIMIT = 0.01          # a step passes with under 1% failed calls ...
RATE_TOLERANCE = 0.95      # ... and at least 95% of its target rate achieved
MAX_STEPS = 12             # per search


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str             # register | message | invite
    transport: str        # SIPp -t
    uac: str
    uas: Optional[str]
    start_rate: int       # first step of the first search
    latency_rate: int     # the load under which the probe measures, equal for both servers
    unit: str             # what one SIPp call is


SCENARIOS = {s.name: s for s in [
    Scenario("register-udp", "register", "u1", "bench_register.xml", None, 2000, 1000,
             "registration (REGISTER/401 + REGISTER/200)"),
    Scenario("register-tcp", "register", "t1", "bench_register.xml", None, 2000, 1000,
             "registration (REGISTER/401 + REGISTER/200)"),
    Scenario("message-udp", "message", "u1", "bench_message_uac.xml", "bench_message_uas.xml",
             2000, 1000, "message (MESSAGE/407 + MESSAGE relayed/200)"),
    Scenario("invite-udp", "invite", "u1", "bench_invite_uac.xml", "bench_invite_uas.xml",
             500, 250, "call (INVITE/407/ACK + INVITE/200/ACK + BYE/200, all relayed)"),
]}

# presence-fanout (issue 6, benchlib/presence.py): not SIPp, and not in the default set
# (select it with --scenarios presence-fanout). Its rates, the latency load's too, are
# NOTIFYs/s: changes/s x 1,000 watchers.
SCENARIOS["presence-fanout"] = Scenario(
    "presence-fanout", "presence", "u1", "", None, 4000, 2000,
    "NOTIFY to one of 1,000 watchers; latency: PUBLISH to the last NOTIFY of its change")
DEFAULT_SCENARIOS = [n for n in SCENARIOS if n != "presence-fanout"]


@dataclass
class Step:
    rate: int
    passed: bool
    achieved: float
    ok: int
    failed: int
    elapsed: float          # s, SIPp's start to its end
    load_seconds: float     # s, SIPp's start to when its last call should have been sent
    server_cpu: float       # s of the server's CPU during the whole step
    server_busy: float      # share of the server's cores it used until load_seconds
    load_busy: float        # share of a core SIPp's UAC and UAS used until load_seconds
    retransmissions: int
    udp_drops: int          # receive-buffer drops, machine-wide, during the step
    symptoms: dict

    @property
    def cpu_us_per_call(self) -> Optional[float]:
        return self.server_cpu * 1e6 / self.ok if self.ok else None


@dataclass
class Session:
    """One server, one scenario, one round (or a scaling run)."""
    server: str
    scenario: str
    cores: int
    round: int
    rate: Optional[int] = None             # the highest passing step's target rate
    achieved: Optional[float] = None
    cpu_us_per_call: Optional[float] = None
    limit: str = ""                        # what stopped the next step: server, SIPp, ...
    p50_ms: Optional[float] = None
    p99_ms: Optional[float] = None
    probe_samples: int = 0
    probe_errors: dict = field(default_factory=dict)
    latency_rate: int = 0
    latency_step_failed: float = 0.0
    pss_kb: int = 0
    rss_kb: int = 0
    hwm_kb: int = 0
    load_pss_kb: int = 0                   # a fresh server after the fixed-rate memory step
    load_rss_kb: int = 0
    steps: list = field(default_factory=list)
    symptoms: dict = field(default_factory=dict)
    error: str = ""


@dataclass
class Context:
    args: argparse.Namespace
    work: Path
    parley_bin: str
    kamailio_bin: str
    users: int
    server_core: list
    load_cores: Optional[list]
    parley_dbs: dict = field(default_factory=dict)
    kamailio_dbs: dict = field(default_factory=dict)
    csvs: dict = field(default_factory=dict)

    def csv(self, kind: str, n: int) -> Path:
        key = (kind, n)
        if key not in self.csvs:
            path = self.work / f"{kind}-{n}.csv"
            (write_register_csv if kind == "register" else write_calls_csv)(path, n)
            self.csvs[key] = path
        return self.csvs[key]

    def server(self, kind: str, users: int, cores: Sequence[int], workers: int) -> Server:
        if kind == "parley":
            if users not in self.parley_dbs:
                self.parley_dbs[users] = parley_users_db(self.parley_bin, users, self.work)
            return Parley(self.parley_bin, self.parley_dbs[users], self.work, users, cores,
                          workers)
        if users not in self.kamailio_dbs:
            self.kamailio_dbs[users] = kamailio_users_db(users, self.work)
        return Kamailio(self.kamailio_bin, self.kamailio_dbs[users], self.work, users, cores,
                        workers)


def run_step(ctx: Context, server: Server, scen: Scenario, rate: int, seconds: float,
             uas: Optional[Uas], load_cores, label: str) -> Step:
    """One SIPp run of `seconds` at `rate` calls/s, with the server's CPU time around it.

    How busy the server and SIPp were is read when the last call should have been sent:
    after that a failing step mostly waits for SIPp's timeouts."""
    calls = max(1, int(rate * seconds))
    pids = server.pids()
    cpu0, uas0 = cpu_seconds(pids), (uas.cpu() if uas else 0.0)
    drops0 = udp_receive_drops()
    t0 = time.monotonic()
    at_end: dict[str, float] = {}

    def load_end(sipp_pid: int) -> None:
        at_end["t"] = time.monotonic() - t0
        at_end["server"] = cpu_seconds(pids) - cpu0
        at_end["load"] = cpu_seconds([sipp_pid]) + (uas.cpu() - uas0 if uas else 0.0)

    local_port = free_port()
    keys = {"domain": DOMAIN, "expires": "3600", "contact": f"{HOST}:{local_port}"}
    csv = ctx.csv("register" if scen.kind == "register" else "calls", ctx.users)
    r = run_uac(ctx.work, label, scen.uac, server.port, scen.transport, rate, calls, csv, keys,
                load_cores, local_port=local_port, at_load_end=load_end)
    cpu1 = cpu_seconds(pids)
    passed = (r.fail_ratio < FAIL_LIMIT and r.achieved >= RATE_TOLERANCE * rate
              and server.alive())
    span = max(at_end.get("t", r.elapsed), 1e-3)
    server_cores = len(server.cores) or os.cpu_count() or 1
    load_cores_n = len(load_cores) if load_cores else 1
    return Step(rate, passed, r.achieved, r.ok, r.failed, r.elapsed, span, cpu1 - cpu0,
                at_end.get("server", 0.0) / span / server_cores,
                at_end.get("load", 0.0) / span / load_cores_n, r.retransmissions,
                udp_receive_drops() - drops0, r.symptoms)


def describe(step: Step) -> str:
    """One line per step for the console, with the three commonest failures under it."""
    s = (f"{step.rate:>6}/s  {'pass' if step.passed else 'FAIL'}  "
         f"achieved {step.achieved:7.0f}/s  failed {step.failed}/{step.ok + step.failed}  "
         f"busy: server {step.server_busy:4.0%} SIPp {step.load_busy:4.0%}")
    if step.cpu_us_per_call:
        s += f"  {step.cpu_us_per_call:6.1f} us/call"
    if step.udp_drops:
        s += f"  UDP drops {step.udp_drops}"
    if step.symptoms:
        top = sorted(step.symptoms.items(), key=lambda kv: -kv[1])[:3]
        s += "\n" + "\n".join(f"            {n} x {k}" for k, n in top)
    return s


def search(ctx: Context, server: Server, scen: Scenario, sess: Session, uas: Optional[Uas],
           load_cores, start: int, growth: float, max_steps: int = MAX_STEPS) -> None:
    """Step search for the highest rate that passes, from `start`: up by `growth` until a
    step fails, then halving the gap; at most `max_steps` steps. --fixed-rate: one step."""
    best: Optional[Step] = None
    fail_above: Optional[Step] = None
    rate = ctx.args.fixed_rate or start
    seconds = ctx.args.step_seconds
    for i in range(1 if ctx.args.fixed_rate else max_steps):
        label = f"{sess.server}-{scen.name}-c{sess.cores}-r{sess.round}-s{i}"
        step = run_step(ctx, server, scen, rate, seconds, uas, load_cores, label)
        sess.steps.append(dataclasses.asdict(step))
        log(f"      {describe(step)}")
        for k, v in step.symptoms.items():
            sess.symptoms[k] = sess.symptoms.get(k, 0) + v
        if not server.alive():
            sess.error = (f"{server.name} exited during the {rate}/s step: "
                          f"{tail(server.log_path, 10)}")
            break
        if step.passed and (best is None or step.rate > best.rate):
            best = step
        if not step.passed and (fail_above is None or step.rate < fail_above.rate):
            fail_above = step
        if fail_above is None:
            nxt = rate * growth
        elif best is None:     # nothing passed yet: down fast (or by 20% when refining)
            nxt = rate / 2 if growth >= 2 else rate * 0.8
            if nxt < 20:
                break
        else:
            if (fail_above.rate - best.rate) <= ctx.args.precision * fail_above.rate:
                break
            nxt = (best.rate + fail_above.rate) / 2
        rate = int(round(nxt / 10.0) * 10) or 10
        time.sleep(ctx.args.pause)
    if best:
        sess.rate, sess.achieved = best.rate, best.achieved
        sess.cpu_us_per_call = best.cpu_us_per_call
    if fail_above:
        srv, gen = fail_above.server_busy, fail_above.load_busy
        busy = f"server {srv:.0%}, SIPp {gen:.0%} busy"
        sess.limit = ("**server and SIPp**" if srv >= 0.9 and gen >= 0.9 else
                      "**server**" if srv >= 0.9 else "**SIPp**" if gen >= 0.9 else "")
        sess.limit = f"{sess.limit} ({busy})" if sess.limit else busy
        if fail_above.udp_drops:
            sess.limit += f"; {fail_above.udp_drops} UDP drops"


def latency(ctx: Context, server: Server, scen: Scenario, sess: Session, uas: Optional[Uas],
            load_cores) -> None:
    """The probe on the side of a fixed-rate SIPp load, equal for both servers."""
    rate = ctx.args.latency_rate or scen.latency_rate
    sess.latency_rate = rate
    probe = Probe(server.port, scen.kind, tcp=scen.transport.startswith("t"))
    try:
        if scen.kind != "register":
            probe.prepare()
        probe.start(ctx.args.probe_rate)
        label = f"{sess.server}-{scen.name}-c{sess.cores}-r{sess.round}-latency"
        step = run_step(ctx, server, scen, rate, ctx.args.latency_seconds, uas, load_cores,
                        label)
        sess.latency_step_failed = step.failed / max(1, step.ok + step.failed)
        for k, v in step.symptoms.items():
            key = f"latency step at {rate}/s: {k}"
            sess.symptoms[key] = sess.symptoms.get(key, 0) + v
    except (ProbeError, OSError) as e:
        sess.probe_errors[f"probe setup: {e}"] = 1
    finally:
        probe.finish()
    sess.p50_ms = percentile(probe.samples_ms, 0.50)
    sess.p99_ms = percentile(probe.samples_ms, 0.99)
    sess.probe_samples = len(probe.samples_ms)
    for k, v in probe.errors.items():
        sess.probe_errors[k] = sess.probe_errors.get(k, 0) + v
    log(f"      latency at {rate}/s: p50 {fmt(sess.p50_ms, 3)} ms, p99 {fmt(sess.p99_ms, 3)} ms "
        f"({sess.probe_samples} samples"
        + (f", probe errors {sess.probe_errors}" if sess.probe_errors else "") + ")")


def prepare_callees(ctx: Context, server: Server, uas: Uas, load_cores, sess: Session) -> None:
    """Registers every user with a Contact at the UAS (MESSAGE and INVITE scenarios)."""
    n = ctx.users
    rate = min(ctx.args.prep_rate, n)
    r = run_uac(ctx.work, f"{sess.server}-prep-{server.port}", "bench_register.xml",
                server.port, "u1", rate, n, ctx.csv("register", n),
                {"domain": DOMAIN, "expires": "3600", "contact": f"{HOST}:{uas.port}"},
                load_cores)
    log(f"      registered {r.ok}/{n} callees at the UAS ({r.elapsed:.1f} s)")
    if r.failed:
        sess.symptoms[f"callee registration: {r.failed} of {n} failed"] = 1
        for k, v in r.symptoms.items():
            sess.symptoms[f"callee registration: {k}"] = v


def load_memory(ctx: Context, kind: str, scen: Scenario, sess: Session) -> None:
    """Memory under the same load for both servers: a fresh server (so the search's peak
    is not in it), the latency step's rate for --load-memory-seconds, then PSS.

    40 s by default: longer than the RFC 3261 state a server keeps after a request
    (Timer J, L, M = 64*T1 = 32 s), so both servers are in their steady state."""
    rate = ctx.args.latency_rate or scen.latency_rate
    server = ctx.server(kind, ctx.users, ctx.server_core, workers=1)
    uas = None
    log(f"    {kind} {scen.name}: memory at {rate}/s for {ctx.args.load_memory_seconds:g} s, "
        f"{HOST}:{server.port}")
    try:
        server.start()
        if scen.uas:
            uas = Uas(ctx.work, scen.uas, ctx.load_cores)
            prepare_callees(ctx, server, uas, ctx.load_cores, sess)
            time.sleep(ctx.args.pause)
        step = run_step(ctx, server, scen, rate, ctx.args.load_memory_seconds, uas,
                        ctx.load_cores, f"{kind}-{scen.name}-memory")
        mem = memory(server.pids())
        if server.alive():
            sess.load_pss_kb, sess.load_rss_kb = mem.pss_kb, mem.rss_kb
        log(f"      {step.ok} ok, {step.failed} failed; PSS {mem.pss_kb / 1024:.1f} MiB")
        if step.failed:
            sess.symptoms[f"memory step at {rate}/s: {step.failed} failed"] = 1
    except Exception as e:                        # noqa: BLE001 - reported, run goes on
        sess.symptoms[f"memory step: {type(e).__name__}: {e}"] = 1
        log(f"      ERROR memory step: {e}")
    finally:
        if uas:
            uas.stop()
        server.stop()


def run_session(ctx: Context, kind: str, scen: Scenario, cores: int, rnd: int, start: int,
                growth: float, max_steps: int = MAX_STEPS) -> Session:
    """One server, one scenario, one round: everything started here is stopped here."""
    if scen.kind == "presence":
        from .presence import run_fanout_session
        return run_fanout_session(ctx, kind, scen, cores, rnd, start, growth, max_steps)
    sess = Session(kind, scen.name, cores, rnd)
    if cores == 1:
        server_cores, load_cores = ctx.server_core, ctx.load_cores
    else:
        server_cores = list(range(min(2, os.cpu_count() or 1)))
        load_cores = list(range(2, os.cpu_count())) if (os.cpu_count() or 1) > 2 else None
    server = ctx.server(kind, ctx.users, server_cores, workers=cores)
    uas = None
    log(f"    {kind} {scen.name} ({cores} core{'s' if cores > 1 else ''}, round {rnd}): "
        f"{HOST}:{server.port}, log {server.log_path}")
    try:
        server.start()
        if scen.uas:
            uas = Uas(ctx.work, scen.uas, load_cores)
            prepare_callees(ctx, server, uas, load_cores, sess)
            time.sleep(ctx.args.pause)
        search(ctx, server, scen, sess, uas, load_cores, start, growth, max_steps)
        if server.alive() and not ctx.args.no_latency and cores == 1:
            time.sleep(ctx.args.pause)
            latency(ctx, server, scen, sess, uas, load_cores)
        mem = memory(server.pids())
        sess.pss_kb, sess.rss_kb, sess.hwm_kb = mem.pss_kb, mem.rss_kb, mem.hwm_kb
        if not server.alive() and not sess.error:
            sess.error = f"{kind} exited: {tail(server.log_path, 10)}"
    except Exception as e:                        # noqa: BLE001 - reported, run goes on
        sess.error = f"{type(e).__name__}: {e}"
        log(f"      ERROR {sess.error}")
    finally:
        if uas:
            uas.stop()
        server.stop()
    if cores == 1 and rnd == 1 and ctx.args.load_memory_seconds and not sess.error:
        load_memory(ctx, kind, scen, sess)
    return sess


@dataclass
class MemoryResult:
    server: str
    users: int
    idle_pss_kb: int = 0
    loaded_pss_kb: int = 0
    idle_rss_kb: int = 0
    loaded_rss_kb: int = 0
    loaded_hwm_kb: int = 0
    bindings: int = 0
    seconds: float = 0.0
    error: str = ""

    @property
    def bytes_per_binding(self) -> Optional[float]:
        if not self.bindings:
            return None
        return (self.loaded_pss_kb - self.idle_pss_kb) * 1024 / self.bindings


def run_memory(ctx: Context, kind: str, n: int) -> MemoryResult:
    """RSS with n bindings minus the idle RSS (item 2 of issue 4): REGISTER over TCP (no UDP
    transaction left waiting in Timer J), then 6 s for the servers' transaction timers."""
    res = MemoryResult(kind, n)
    server = ctx.server(kind, n, ctx.server_core, workers=1)
    log(f"    {kind}: {n} users, {HOST}:{server.port}")
    try:
        server.start()
        time.sleep(2)
        idle = memory(server.pids())
        res.idle_pss_kb, res.idle_rss_kb = idle.pss_kb, idle.rss_kb
        rate = ctx.args.memory_rate
        r = run_uac(ctx.work, f"{kind}-memory-{n}", "bench_register.xml", server.port, "t1",
                    rate, n, ctx.csv("register", n),
                    {"domain": DOMAIN, "expires": "3600", "contact": f"{HOST}:9"},
                    ctx.load_cores)
        res.bindings, res.seconds = r.ok, r.elapsed
        time.sleep(6)
        loaded = memory(server.pids())
        res.loaded_pss_kb, res.loaded_rss_kb, res.loaded_hwm_kb = (
            loaded.pss_kb, loaded.rss_kb, loaded.hwm_kb)
        log(f"      {r.ok}/{n} registered in {r.elapsed:.1f} s; PSS {idle.pss_kb / 1024:.1f} -> "
            f"{loaded.pss_kb / 1024:.1f} MiB: {fmt(res.bytes_per_binding, 0)} bytes/binding")
        if r.failed:
            res.error = f"{r.failed} registrations failed: {dict(list(r.symptoms.items())[:3])}"
    except Exception as e:                        # noqa: BLE001
        res.error = f"{type(e).__name__}: {e}"
        log(f"      ERROR {res.error}")
    finally:
        server.stop()
    return res
