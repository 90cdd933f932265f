"""The servers under test: Parley and Kamailio, one at a time, on a free loopback port.

Both listen on HOST:port for UDP and TCP, serve DOMAIN, and know the same users. A server is
ready when it accepts TCP on its port and answers an OPTIONS over UDP.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Optional, Sequence

from .common import DOMAIN, HOST, KAMAILIO_CFG, tail
from .procs import descendants, free_port, pinned, spawn, stop, wait_tcp

# Parley sets 1 MiB on its UDP sockets (src/net/transport_layer.cpp); Kamailio gets the same
# ceiling for its receive-buffer probing (-b), SIPp the same buffers (-buff_size).
UDP_BUFFER = 1 << 20


def sip_ping(port: int) -> bool:
    """One OPTIONS over UDP: True when any SIP response comes back within 0.5 s."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((HOST, 0))
        s.settimeout(0.5)
        lp = s.getsockname()[1]
        msg = (f"OPTIONS sip:{DOMAIN} SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP {HOST}:{lp};branch=z9hG4bK{secrets.token_hex(8)};rport\r\n"
               f"Max-Forwards: 70\r\nFrom: <sip:ping@bench.invalid>;tag={secrets.token_hex(4)}"
               f"\r\nTo: <sip:{DOMAIN}>\r\nCall-ID: {secrets.token_hex(8)}\r\n"
               "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
        try:
            s.sendto(msg.encode(), (HOST, port))
            return s.recv(65535).startswith(b"SIP/2.0 ")
        except OSError:
            return False


class Server:
    """One server process under test, pinned to `cores`, with `workers` workers."""

    name = "server"
    group = False      # stopped by process group (its own session) rather than by PID

    def __init__(self, work: Path, users: int, cores: Sequence[int], workers: int) -> None:
        self.work = work
        self.users = users
        self.cores = list(cores)
        self.workers = workers
        self.port = free_port()
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = work / f"{self.name}-{self.port}.log"

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        self.proc = spawn(self.name, pinned(self.command(), self.cores), self.log_path,
                          group=self.group, cwd=self.work)
        if not wait_tcp(self.port, 30, self.alive):
            raise RuntimeError(f"{self.name} does not listen on {HOST}:{self.port}; "
                               f"log {self.log_path}:\n{tail(self.log_path)}")
        for _ in range(50):
            if sip_ping(self.port):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} does not answer OPTIONS on UDP {self.port}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def pids(self) -> list[int]:
        """The server's processes (Kamailio forks; Parley is one process with threads)."""
        return descendants(self.proc.pid) if self.alive() else []

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc, self.group)
            self.proc = None


class Parley(Server):
    name = "parley"

    def __init__(self, binary: str, db: Path, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.binary = binary
        # One data dir per user count, reused by every run (Parley keeps its bindings in
        # memory only; the first start creates pki/ there).
        self.data = self.work / f"parley-data-{self.users}"
        if not (self.data / "parley.db").exists():
            self.data.mkdir(parents=True, exist_ok=True)
            shutil.copy(db, self.data / "parley.db")
        self.config = self.work / f"parley-{self.port}.toml"
        self.config.write_text("\n".join([
            "# written by bench/bench.py",
            "[server]",
            f'domains = ["{DOMAIN}"]',
            'fqdn = "localhost"',
            f'data_dir = "{self.data}"',
            'log_level = "warn"',
            f"workers = {self.workers}",
            f'default_address = "{HOST}"',
            "[limits]",
            "# every Digest exchange counts against the one SIPp source address: no throttle",
            "unauthenticated_limit = 0",
            '[listeners."frontend.sip-udp"]',
            f"port = {self.port}",
            '[listeners."frontend.sip-tcp"]',
            f"port = {self.port}",
            '[listeners."frontend.sip-tls"]',
            "enabled = false",
        ]) + "\n")

    def command(self) -> list[str]:
        return [self.binary, "serve", "--config", str(self.config)]


class Kamailio(Server):
    name = "kamailio"
    group = True

    def __init__(self, binary: str, db: Path, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.binary = binary
        self.db = db
        self.rundir = self.work / f"kamailio-run-{self.port}"
        self.rundir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        # -DD: stay in the foreground, fork the children; -E: log to stderr. -n/-N: UDP
        # children per listener and TCP children. 1 GiB of shared memory is reserved, not
        # touched: only the pages used count in its resident memory.
        return [self.binary, "-DD", "-E", "-f", str(KAMAILIO_CFG),
                "-l", f"udp:{HOST}:{self.port}", "-l", f"tcp:{HOST}:{self.port}",
                "-n", str(self.workers), "-N", str(self.workers), "-b", str(UDP_BUFFER),
                "-m", "1024", "-M", "16", f"--alias={DOMAIN}",
                "-A", f'DBURL="text://{self.db}"', "-Y", str(self.rundir), "-w", str(self.work)]
