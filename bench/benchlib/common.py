"""Paths and names shared by the bench modules."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
SIPP_DIR = BENCH / "sipp"
KAMAILIO_CFG = BENCH / "kamailio" / "kamailio.cfg"
RESULTS = BENCH / "results"

HOST = "127.0.0.1"          # everything runs on the loopback
DOMAIN = "parley.test"      # the SIP domain and Digest realm of both servers

# Parley's user databases, kept between runs (keyed by its schema and the user count).
CACHE = Path(os.environ.get("PARLEY_BENCH_CACHE", "/var/tmp/parley-bench-cache"))

# The latency probe's own users, added to both servers beside the bench users.
PROBE_USERS = ("probe0", "probe1")


def log(text: str) -> None:
    print(text, flush=True)


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, for error messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def fmt(v: Optional[float], digits: int = 1) -> str:
    """A number for the table, '–' when there is none."""
    if v is None:
        return "–"
    return f"{v:,.{digits}f}"
