#!/usr/bin/env python3
"""SIPp (3.6.1) registration scenarios against parley, over UDP and TCP.

Scenarios (tests/interop/sipp/):
  register.xml                REGISTER -> 401 -> REGISTER with Digest -> 200 listing the
                              binding with expires; refresh -> (401 ->) 200; Expires: 0 ->
                              (401 ->) 200 with no Contact left
  register_wrong_password.xml REGISTER -> 401 -> REGISTER with a wrong Digest -> 401 or 403

Each run is one SIPp "call" (-m 1); SIPp exits 0 only if it succeeded, i.e. every
expected response came in order and every <ereg check_it> held.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import HOST, ParleyServer, check, free_port, run_tool, step  # noqa: E402

USER = "alice"
PASSWORD = "Sipp-secret-2"
SCENARIOS = harness.interop_dir() / "sipp"


def sipp(srv: ParleyServer, scenario: str, transport: str, password: str,
         label: str) -> harness.ToolResult:
    """Runs one SIPp call of `scenario` ('u1' UDP or 't1' TCP) towards parley."""
    out = srv.dir / f"sipp-{label}"
    result = run_tool([
        "sipp", f"{HOST}:{srv.sip_port}", "-sf", SCENARIOS / scenario,
        "-s", USER, "-au", USER, "-ap", password, "-key", "domain", harness.DOMAIN,
        "-i", HOST, "-p", free_port(udp=True, tcp=True), "-t", transport,
        "-m", "1", "-r", "1", "-nostdin",
        "-cp", free_port(udp=True, tcp=False),          # control port: not the default 8888
        "-recv_timeout", "5000", "-timeout", "20s", "-timeout_error",
        "-trace_err", "-error_file", f"{out}-errors.log",
        "-trace_msg", "-message_file", f"{out}-messages.log",
        "-trace_logs", "-log_file", f"{out}-logs.log",
    ], timeout=30, cwd=srv.dir, echo=True)
    return result


def explain(srv: ParleyServer, r: harness.ToolResult, label: str) -> str:
    out = srv.dir / f"sipp-{label}"
    parts = [r.describe()]
    for suffix in ("errors", "messages", "logs"):
        path = Path(f"{out}-{suffix}.log")
        if path.exists() and path.stat().st_size:
            parts.append(f"--- {path.name}:\n{harness.tail(path, 150)}")
    return "\n".join(parts)


def main() -> None:
    harness.require_tool("sipp")
    with ParleyServer("sipp", users={f"{USER}@{harness.DOMAIN}": PASSWORD}) as srv:
        for transport, name in (("u1", "UDP"), ("t1", "TCP")):
            step(f"{name}: register (401 -> Digest -> 200), refresh, unregister (Expires: 0)")
            label = f"register-{name.lower()}"
            r = sipp(srv, "register.xml", transport, PASSWORD, label)
            check(r.returncode == 0,
                  f"SIPp register.xml over {name}: all steps succeeded (exit 0)",
                  explain(srv, r, label))

            step(f"{name}: a wrong password is refused (401 or 403 to the second REGISTER)")
            label = f"wrong-password-{name.lower()}"
            r = sipp(srv, "register_wrong_password.xml", transport, "wrong-password", label)
            check(r.returncode == 0,
                  f"SIPp register_wrong_password.xml over {name}: refused as expected",
                  explain(srv, r, label))
        srv.check_running()


if __name__ == "__main__":
    harness.run_test(main)
