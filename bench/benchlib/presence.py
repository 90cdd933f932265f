"""presence-fanout (issue 6): NOTIFYs a second for 1,000 watchers of one changing presentity.

A session: start the server (Parley, or Kamailio with bench/kamailio/kamailio-presence.cfg:
presence + presence_xml, subscriptions and publications in memory), then one run of
bench/presence/fanout.py pinned beside SIPp's usual core: the presentity publishes its first
state, the watchers subscribe (RFC 3856), a fixed-rate step measures the latency (PUBLISH to
the last NOTIFY of that change), then a step search on the change rate finds the highest
rate at which every watcher gets a NOTIFY for every change (RFC 3903 PUBLISH with
SIP-If-Match, at most one outstanding). The result goes into a Session like the SIPp
scenarios', in NOTIFYs: rate = changes/s x watchers of the highest passing step, CPU per
NOTIFY, p50/p99 of the change latency, PSS with the 1,000 subscriptions after the latency
step.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from .common import BENCH, DOMAIN, HOST, log, tail
from .procs import REGISTRY, memory, pinned, stop
from .servers import Kamailio

WATCHERS = 1000
KAMAILIO_PRESENCE_CFG = BENCH / "kamailio" / "kamailio-presence.cfg"
FANOUT = BENCH / "presence" / "fanout.py"
# Debian 12: kamailio-presence-modules (presence, presence_xml), kamailio-sqlite-modules
# (the database URL the presence module insists on, left empty in its in-memory modes)
KAMAILIO_PRESENCE_PACKAGES = {"presence.so": "kamailio-presence-modules",
                              "presence_xml.so": "kamailio-presence-modules",
                              "db_sqlite.so": "kamailio-sqlite-modules"}


def missing_kamailio_packages() -> list[str]:
    """Debian packages to install for kamailio-presence.cfg's modules."""
    dirs = list(Path("/usr/lib").glob("*/kamailio/modules")) + [Path("/usr/lib/kamailio/modules")]
    need = []
    for module, pkg in KAMAILIO_PRESENCE_PACKAGES.items():
        if not any((d / module).exists() for d in dirs) and pkg not in need:
            need.append(pkg)
    return need


class KamailioPresence(Kamailio):
    """Kamailio with kamailio-presence.cfg and an (empty) SQLite presence database."""

    def __init__(self, binary: str, work: Path, users: int, cores, workers: int) -> None:
        super().__init__(binary, Path("/nonexistent"), work, users, cores, workers)
        self.db = self.rundir / "presence.sqlite"
        with sqlite3.connect(self.db) as c:
            for name in ("standard", "presence"):
                c.executescript(Path(f"/usr/share/kamailio/db_sqlite/{name}-create.sql")
                                .read_text())

    def command(self) -> list[str]:
        return [self.binary, "-DD", "-E", "-f", str(KAMAILIO_PRESENCE_CFG),
                "-l", f"udp:{HOST}:{self.port}", "-l", f"tcp:{HOST}:{self.port}",
                "-n", str(self.workers), "-N", str(self.workers), "-b", str(1 << 20),
                "-m", "1024", "-M", "16", f"--alias={DOMAIN}",
                "-A", f'DBURL="sqlite://{self.db}"',
                "-A", f'SERVER_ADDRESS="sip:{HOST}:{self.port}"',
                "-Y", str(self.rundir), "-w", str(self.work)]


def _busy(step: dict) -> str:
    srv, gen = step.get("server_busy", 0.0), step.get("client_busy", 0.0)
    text = f"server {srv:.0%}, watchers {gen:.0%} busy"
    lim = ("**server and watchers**" if srv >= 0.9 and gen >= 0.9 else "**server**"
           if srv >= 0.9 else "**watchers**" if gen >= 0.9 else "")
    text = f"{lim} ({text})" if lim else text
    if step.get("udp_drops"):
        text += f"; {step['udp_drops']} UDP drops"
    return text


def run_fanout_session(ctx, kind: str, scen, cores: int, rnd: int, start: int,
                       growth: float, max_steps: int):
    """One server, one round of presence-fanout; `start` in NOTIFYs/s (changes x watchers)."""
    from .measure import Session                          # measure imports this module lazily
    sess = Session(kind, scen.name, cores, rnd)
    a = ctx.args
    if cores == 1:
        server_cores, load_cores = ctx.server_core, ctx.load_cores
    else:
        server_cores = list(range(min(2, os.cpu_count() or 1)))
        load_cores = None
    if kind == "kamailio":
        server = KamailioPresence(ctx.kamailio_bin, ctx.work, ctx.users, server_cores,
                                  workers=cores)
    else:
        if ctx.users < WATCHERS + 1:
            sess.error = f"presence-fanout needs --users {WATCHERS + 1} or more"
            return sess
        server = ctx.server(kind, ctx.users, server_cores, workers=cores)
    label = f"{kind}-{scen.name}-c{cores}-r{rnd}"
    out = ctx.work / f"{label}.json"
    client_log = ctx.work / f"{label}.out"
    latency_rate = (a.latency_rate or scen.latency_rate) / WATCHERS     # changes/s
    latency_seconds = max(a.latency_seconds, 5.0)
    log(f"    {kind} {scen.name} ({cores} core{'s' if cores > 1 else ''}, round {rnd}): "
        f"{HOST}:{server.port}, log {server.log_path}")
    proc = None
    try:
        server.start()
        pids = server.pids()
        fixed = a.fixed_rate / WATCHERS if a.fixed_rate else 0
        args = [sys.executable, str(FANOUT), "--port", str(server.port),
                "--watchers", str(WATCHERS), "--server-pids", ",".join(map(str, pids)),
                "--server-cores", str(len(server_cores) or os.cpu_count() or 1),
                "--step-seconds", str(a.step_seconds), "--pause", str(a.pause),
                "--out", str(out)]
        if not a.no_latency and cores == 1:
            args += ["--latency-rate", str(latency_rate),
                     "--latency-seconds", str(latency_seconds)]
        if fixed:
            args += ["--rates", f"{fixed:g}"]
        else:
            args += ["--search", "--start-rate", f"{max(start / WATCHERS, 0.25):g}",
                     "--growth", str(growth), "--max-steps", str(max_steps),
                     "--precision", str(a.precision)]
        steps = 1 if fixed else max_steps
        budget = 90 + steps * (a.step_seconds + 6 + a.pause) + latency_seconds + 10
        with open(client_log, "wb") as f_out:
            proc = subprocess.Popen(pinned(args, load_cores), stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            REGISTRY.add("fanout", proc)
            deadline = time.monotonic() + budget
            os.set_blocking(proc.stdout.fileno(), False)
            buf = b""
            while proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
                chunk = proc.stdout.read() or b""
                f_out.write(chunk)
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    log("      " + line.decode(errors="replace"))
            if proc.poll() is None:
                log(f"      fanout: still running after {budget:.0f} s, stopped")
                proc.send_signal(signal.SIGKILL)
            rest = proc.stdout.read() or b""
            f_out.write(rest)
            for line in (buf + rest).decode(errors="replace").splitlines():
                log("      " + line)
        stop(proc)
        res = json.loads(out.read_text()) if out.exists() else {}
        _fill(sess, res, server, latency_rate)
        if not server.alive() and not sess.error:
            sess.error = f"{kind} exited: {tail(server.log_path, 10)}"
        if not res and not sess.error:
            sess.error = f"fanout.py wrote nothing: {tail(client_log, 10)}"
    except Exception as e:                        # noqa: BLE001 - reported, run goes on
        sess.error = f"{type(e).__name__}: {e}"
        log(f"      ERROR {sess.error}")
    finally:
        if proc is not None:
            stop(proc)
        server.stop()
    return sess


def _fill(sess, res: dict, server, latency_rate: float) -> None:
    """The fanout result in a Session: NOTIFYs/s, µs per NOTIFY, change latency, memory."""
    sub = res.get("subscribe", {})
    if sub and sub.get("first_notify", 0) < sub.get("watchers", 0):
        sess.symptoms[f"subscriptions: {sub.get('subscribed')} of {sub.get('watchers')} "
                      f"accepted, {sub.get('first_notify')} got a first NOTIFY "
                      f"(final statuses {sub.get('final_statuses')})"] = 1
    for k, v in res.get("errors", {}).items():
        sess.symptoms[k] = v
    for k, v in res.get("publish_errors", {}).items():
        sess.symptoms[k] = v
    steps = res.get("steps", [])
    sess.steps = steps + [dict(s, latency_step=True) for s in res.get("latency_steps", [])]
    for s in steps:
        if not s["passed"]:
            sess.symptoms[f"{s['rate']:g} changes/s: {s['notifies']}/{s['expected']} NOTIFYs, "
                          f"{s['achieved_changes_per_s']:.1f} changes/s achieved"] = 1
    best, fail = res.get("best"), res.get("fail_above")
    if best is None and len(steps) == 1 and steps[0]["passed"]:
        best = steps[0]
    if best:
        sess.rate = int(round(best["rate"] * best["watchers"]))
        sess.achieved = best["notifies_per_s"]
        sess.cpu_us_per_call = best["cpu_us_per_notify"]
    if fail:
        sess.limit = _busy(fail)
    lat = res.get("latency_steps", [])
    if lat:
        s = lat[-1]
        sess.latency_rate = int(latency_rate * WATCHERS)
        sess.p50_ms = s["change_latency_ms"]["p50"]
        sess.p99_ms = s["change_latency_ms"]["p99"]
        sess.probe_samples = s["changes_complete"]
        sess.latency_step_failed = 1 - s["notifies"] / max(1, s["expected"])
        if not s["passed"]:
            sess.symptoms[f"latency step at {latency_rate:g} changes/s: {s['notifies']}/"
                          f"{s['expected']} NOTIFYs"] = 1
    mem = memory(server.pids())
    sess.pss_kb, sess.rss_kb, sess.hwm_kb = mem.pss_kb, mem.rss_kb, mem.hwm_kb
    sess.load_pss_kb, sess.load_rss_kb = mem.pss_kb, mem.rss_kb
