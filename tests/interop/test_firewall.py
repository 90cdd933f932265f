#!/usr/bin/env python3
"""`parley firewall`: the rules are valid for the tools that load them, and they work.

Checks:
  1. for the default Standard Edition and for every role with --documented, the
     nftables output passes `nft -c -f` and the iptables / ip6tables outputs pass
     `iptables-restore --test` / `ip6tables-restore --test`, each in a network namespace
     of its own (`unshare -n`), so the host's ruleset is never touched;
  2. the served rules name the configured ports, not the catalogue's;
  3. loaded for real in a namespace running `parley serve`: from a second namespace
     over a veth pair, parley's SIP ports answer, a port the rules do not open is
     filtered (the connection times out instead of being refused), and `parley check`
     from there reports exactly that.

The two namespaces are the test's own (ip netns add), joined by a veth pair with
addresses 10.213.0.1/30 and 10.213.0.2/30 that exist nowhere else; both are
deleted at the end, as is every process started in them.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import (ParleyServer, check, info, make_temp_dir, run_test, run_tool,  # noqa: E402
                     spawn, step)

ROLES = ["front-end", "director", "mediation", "persistent-chat", "edge", "reverse-proxy",
         "office-web-apps"]
SERVER_ADDR = "10.213.0.1"
CLIENT_ADDR = "10.213.0.2"
SIP_PORT = 15060     # inside the test's own namespace: free by construction
TLS_PORT = 15061
CLOSED_PORT = 15062  # a listener the rules do not open


def valid(tool: list[str], text: str, what: str) -> None:
    r = run_tool(["unshare", "-n", *tool], timeout=20, input=text, echo=False)
    check(r.returncode == 0, f"{what}: {' '.join(tool)} accepts it", r.describe() + "\n" + text)


def firewall(srv: ParleyServer, *args: str) -> str:
    r = srv.cli("firewall", *args)
    check(r.returncode == 0, f"parley firewall {' '.join(args)} exits 0", r.describe())
    return r.stdout


class Namespaces:
    """A server and a client network namespace joined by a veth pair."""

    def __init__(self) -> None:
        tag = os.getpid() % 100000
        self.server = f"pfw{tag}s"
        self.client = f"pfw{tag}c"
        self.created: list[str] = []

    def sh(self, *args: str) -> None:
        r = run_tool(list(args), timeout=10, echo=False)
        check(r.returncode == 0, " ".join(args), r.describe())

    def __enter__(self) -> "Namespaces":
        for ns in (self.server, self.client):
            self.sh("ip", "netns", "add", ns)
            self.created.append(ns)
        veth_s, veth_c = f"{self.server}v", f"{self.client}v"
        self.sh("ip", "link", "add", veth_s, "netns", self.server, "type", "veth", "peer", "name",
                veth_c, "netns", self.client)
        for ns, dev, addr in ((self.server, veth_s, SERVER_ADDR), (self.client, veth_c, CLIENT_ADDR)):
            self.sh("ip", "-n", ns, "link", "set", "lo", "up")
            self.sh("ip", "-n", ns, "addr", "add", f"{addr}/30", "dev", dev)
            self.sh("ip", "-n", ns, "link", "set", dev, "up")
        info(f"namespaces {self.server} ({SERVER_ADDR}) and {self.client} ({CLIENT_ADDR})")
        return self

    def __exit__(self, *exc) -> None:
        for ns in self.created:
            subprocess.run(["ip", "netns", "delete", ns], check=False, timeout=10)

    def run(self, ns: str, args: list[str], timeout: float = 20) -> harness.ToolResult:
        return run_tool(["ip", "netns", "exec", ns, *args], timeout=timeout)


def connect_from_client(ns: Namespaces, port: int) -> str:
    """'open', 'refused' or 'timeout' for a TCP connect from the client namespace."""
    code = ("import socket,sys\n"
            "s=socket.socket(); s.settimeout(2)\n"
            "try:\n"
            f"    s.connect(('{SERVER_ADDR}',{port})); print('open')\n"
            "except ConnectionRefusedError: print('refused')\n"
            "except (socket.timeout, TimeoutError): print('timeout')\n")
    r = ns.run(ns.client, [sys.executable, "-c", code], timeout=10)
    return r.stdout.strip()


def main() -> None:
    harness.require_tool("nft")
    harness.require_tool("iptables-restore")
    harness.require_tool("unshare")
    srv = ParleyServer("firewall")

    step("the default rules: what this Standard Edition serves, at its configured ports")
    nft = firewall(srv)
    check(f"udp dport {srv.sip_port} accept" in nft and f"tcp dport {srv.tls_port} accept" in nft,
          "the rules open the configured SIP ports", nft)
    check("dport 5062 " not in nft and "dport 5061 " not in nft,
          "nothing this deployment does not serve is opened", nft)
    check("policy drop;" in nft, "every other new inbound connection is dropped", nft)
    valid(["nft", "-c", "-f", "-"], nft, "nftables, served")
    valid(["iptables-restore", "--test"], firewall(srv, "--target", "iptables"), "iptables, served")
    valid(["ip6tables-restore", "--test"], firewall(srv, "--target", "ip6tables"),
          "ip6tables, served")

    step("every role's documented rules load, in each language")
    for role in ROLES:
        args = ["--role", role, "--documented", "--allow", "22/tcp"]
        valid(["nft", "-c", "-f", "-"], firewall(srv, *args), f"nftables, {role}")
        valid(["iptables-restore", "--test"], firewall(srv, *args, "--target", "iptables"),
              f"iptables, {role}")
        valid(["ip6tables-restore", "--test"], firewall(srv, *args, "--target", "ip6tables"),
              f"ip6tables, {role}")
    r = srv.cli("firewall", "--role", "clients")
    check(r.returncode == 2 and "client" in r.stderr, "--role clients is refused with a reason",
          r.describe())
    r = srv.cli("firewall", "--allow", "22")
    check(r.returncode == 2, "a malformed --allow is refused", r.describe())

    step("loaded for real: a namespace running parley behind its own rules")
    work = make_temp_dir("firewall-ns")
    config = work / "parley.toml"
    config.write_text("\n".join([
        "[server]",
        f'data_dir = "{work / "data"}"',
        "workers = 1",
        'log_level = "debug"',
        f'default_address = "{SERVER_ADDR}"',
        '[listeners."frontend.sip-udp"]', f"port = {SIP_PORT}",
        '[listeners."frontend.sip-tcp"]', f"port = {SIP_PORT}",
        '[listeners."frontend.sip-tls"]', f"port = {TLS_PORT}",
    ]) + "\n")
    rules = work / "rules.nft"
    r = run_tool([srv.bin, "firewall", "--config", str(config)], timeout=20)
    check(r.returncode == 0, "parley firewall for the namespace's config", r.describe())
    rules.write_text(r.stdout)
    check(f"ip daddr {SERVER_ADDR} tcp dport {TLS_PORT} accept" in r.stdout,
          "a listener bound to one address gets a rule for that address", r.stdout)

    with Namespaces() as ns:
        r = ns.run(ns.server, ["nft", "-f", str(rules)])
        check(r.returncode == 0, "nft -f loads the ruleset in the server namespace", r.describe())
        proc = spawn("parley-ns", ["ip", "netns", "exec", ns.server, srv.bin, "serve", "--config",
                                   str(config)], work / "parley.log")
        # A listener the rules do not open, standing in for a service left reachable.
        stray = spawn("stray-listener", ["ip", "netns", "exec", ns.server, sys.executable, "-c",
                                         "import socket,time\n"
                                         "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, "
                                         "socket.SO_REUSEADDR, 1)\n"
                                         f"s.bind(('{SERVER_ADDR}',{CLOSED_PORT})); s.listen()\n"
                                         "time.sleep(60)\n"], work / "stray.log")
        state = ""
        for _ in range(50):
            state = connect_from_client(ns, TLS_PORT)
            if state == "open" or proc.poll() is not None:
                break
        check(state == "open", f"from the client namespace, parley's TLS port {TLS_PORT} is open",
              state)
        check(connect_from_client(ns, SIP_PORT) == "open", f"the SIP TCP port {SIP_PORT} is open")
        r = ns.run(ns.server, [sys.executable, "-c",
                               "import socket\ns=socket.socket(); s.settimeout(2)\n"
                               f"s.connect(('{SERVER_ADDR}',{CLOSED_PORT})); print('open')\n"])
        check(r.stdout.strip() == "open",
              f"port {CLOSED_PORT} is listening (reached from inside the server namespace)",
              r.describe())
        check(connect_from_client(ns, CLOSED_PORT) == "timeout",
              f"from the client namespace, port {CLOSED_PORT} is filtered (dropped, not refused)")
        check(connect_from_client(ns, 15999) == "timeout",
              "an unused port is filtered too: nothing answers, not even a reset")

        step("parley check from the client namespace, through the rules")
        r = ns.run(ns.client, [srv.bin, "check", SERVER_ADDR, "--config", str(config),
                               "--timeout", "1000"], timeout=30)
        check(r.returncode == 0 and r.stdout.count("SIP OPTIONS: 200") == 3,
              "every listener the rules open answers OPTIONS: exit 0", r.describe())
        r = ns.run(ns.client, [srv.bin, "check", SERVER_ADDR, "--config", str(config),
                               "--timeout", "1000", "--documented"], timeout=60)
        im_mcu = [line for line in r.stdout.splitlines() if line.startswith("5062/")]
        check(r.returncode == 1 and im_mcu and "FILTERED" in im_mcu[0],
              "--documented: the IM MCU's 5062, dropped by the rules, is FILTERED; exit 1",
              r.describe())
        harness.stop_process(stray, "stray-listener")
        harness.REGISTRY.forget(stray)
        harness.stop_process(proc, "parley-ns")
        harness.REGISTRY.forget(proc)


run_test(main, deadline=120)
