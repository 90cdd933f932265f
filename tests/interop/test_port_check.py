#!/usr/bin/env python3
"""`parley check HOST`: the administrator's port check against a running Standard Edition.

Checks, against real `parley serve` processes on loopback:
  1. every SIP listener the configuration opens is reported OPEN; the TLS one with the
     handshake, the certificate's subject, SANs, expiry and verification against the
     deployment's CA; each answers a SIP OPTIONS with 200; exit status 0;
  2. a listener the configuration needs but the running server does not have (started
     from a copy of the configuration with that listener disabled) is reported CLOSED,
     the others still OPEN, and the exit status is non-zero;
  3. with the server stopped, every port is CLOSED (UDP too: the kernel's ICMP port
     unreachable) and the exit status is non-zero;
  4. an address that does not resolve is a clear error, not a hang.
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import ParleyServer, check, info, run_tool, step  # noqa: E402


def port_check(srv: ParleyServer, config: Path, *args: str) -> harness.ToolResult:
    return run_tool([srv.bin, "check", srv.host, "--config", str(config), "--timeout", "2000",
                     *args], timeout=30)


def block(output: str, port: int, transport: str) -> str:
    """The report's lines for one port: from its "PORT/TRANSPORT" line to the next one."""
    lines = output.splitlines()
    out: list[str] = []
    for line in lines:
        if re.match(r"^\d+/(TCP|TLS|UDP)\b", line):
            if out:
                break
            if line.startswith(f"{port}/{transport}"):
                out.append(line)
        elif out:
            out.append(line)
    return "\n".join(out)


def main() -> None:
    srv = ParleyServer("port-check")
    with srv:
        step("parley check against a running Standard Edition")
        r = port_check(srv, srv.config_path)
        check(r.returncode == 0, "exit status 0: everything the topology needs is reachable",
              r.describe())
        udp = block(r.stdout, srv.sip_port, "UDP")
        tcp = block(r.stdout, srv.sip_port, "TCP")
        tls = block(r.stdout, srv.tls_port, "TLS")
        for name, text in (("UDP", udp), ("TCP", tcp), ("TLS", tls)):
            check("OPEN" in text.splitlines()[0] if text else False,
                  f"the SIP {name} listener is reported OPEN", r.stdout)
            check("SIP OPTIONS: 200" in text, f"the {name} listener answers OPTIONS with 200",
                  text)
        check("TLSv1." in tls, "the TLS handshake's protocol version is shown", tls)
        check("subject CN=localhost" in tls, "the certificate's subject is shown", tls)
        check("DNS:localhost" in tls and "IP:127.0.0.1" in tls,
              "the certificate's subjectAltNames are shown", tls)
        m = re.search(r"expires (\d{4}-\d\d-\d\d) \((\d+) days\)", tls)
        check(m is not None and int(m.group(2)) > 700,
              "the expiry date and days left (a fresh 2-year certificate) are shown", tls)
        check("verified" in tls and "not verified" not in tls,
              "the chain is verified against the deployment's CA", tls)
        info("the TLS port's report:\n" + harness.indent(tls))

        step("a listener the configuration needs is not running")
        # The same configuration, started with the TLS listener off: what an
        # administrator sees when one service of the role failed to come up.
        partial = srv.dir / "partial.toml"
        partial.write_text(srv.config_path.read_text().replace(
            f'[listeners."frontend.sip-tls"]\nport = {srv.tls_port}',
            f'[listeners."frontend.sip-tls"]\nport = {srv.tls_port}\nenabled = false'))
        check("enabled = false" in partial.read_text(), "the partial configuration disables TLS")

    other = ParleyServer("port-check-partial")
    other.sip_port, other.tls_port = srv.sip_port, srv.tls_port
    other.config_path = srv.dir / "partial.toml"
    other.proc = harness.spawn("parley", [other.bin, "serve", "--config", str(other.config_path)],
                               other.log_path, cwd=other.dir)
    try:
        check(harness.wait_tcp(other.host, other.sip_port, harness.LISTEN_TIMEOUT_S,
                               alive=other.alive), "the partial server listens on SIP TCP")
        r = port_check(srv, srv.config_path)
        check(r.returncode == 1, "exit status 1: a needed listener is not reachable", r.describe())
        tls = block(r.stdout, srv.tls_port, "TLS")
        check(tls and "CLOSED" in tls.splitlines()[0], "the stopped TLS listener is CLOSED", r.stdout)
        check("OPEN" in block(r.stdout, srv.sip_port, "TCP").split("\n")[0]
              and "OPEN" in block(r.stdout, srv.sip_port, "UDP").split("\n")[0],
              "the UDP and TCP listeners are still OPEN", r.stdout)
    finally:
        other.stop()

    step("every listener stopped")
    r = port_check(srv, srv.config_path)
    check(r.returncode == 1, "exit status 1", r.describe())
    for port, transport in ((srv.sip_port, "UDP"), (srv.sip_port, "TCP"), (srv.tls_port, "TLS")):
        text = block(r.stdout, port, transport)
        check(text and "CLOSED" in text.splitlines()[0], f"{port}/{transport} is CLOSED", r.stdout)

    step("a host that does not resolve")
    r = run_tool([srv.bin, "check", "no-such-host.invalid", "--config", str(srv.config_path),
                  "--timeout", "2000"], timeout=30)
    check(r.returncode not in (0, None) and "no-such-host.invalid" in r.stderr,
          "a clear error naming the host, and a non-zero exit", r.describe())


harness.run_test(main, deadline=90)
