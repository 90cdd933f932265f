#!/usr/bin/env python3
"""`parley ports` against the project's English digest of the seed port documents.

Issue 8, first "done when": `parley ports --format json` contains every row of PORTS.md.
This test reads tests/data/ports/PORTS.md on its own (no C++ involved) and checks:
  1. the digest parses into the tables and lists it is known to hold (server, client and
     federation tables row by row; the two hardware-load-balancer lists and the reverse
     proxy's interface entries out of their prose);
  2. `parley ports --format json` is one JSON object whose per-table row counts equal the
     digest's (Parley's own extension rows, "parley_extension": true, left out), whose
     server, client and federation rows equal the digest's rows field by field and in the
     same order, and whose load-balancer and reverse-proxy entries carry the digest's
     ports, load balancers and interfaces; every server row says its status;
  3. `--format csv` parses with one data row per catalogue row, and `--format markdown`
     contains every server row's purpose;
  4. an unknown format (`--format xml`) is refused with a non-zero exit code.
"""

import csv
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Failure, check, info, parley_bin, run_test, run_tool, source_root, step  # noqa: E402,E501

DIGEST = Path("tests/data/ports/PORTS.md")

# Every server row of the JSON carries "status" (one of SERVER_STATUSES) and "enabled",
# true exactly when the status is "enabled" (src/topology/port_plan.hpp).
SERVER_STATUSES = {"enabled", "disabled", "not-implemented", "not-in-topology"}

# What the digest is known to hold: a check of this file's parser, not of parley.
EXPECTED_DIGEST_COUNTS = {
    "server": 51, "client": 12, "federation": 10,
    "lb hardware-only": 20, "lb dns": 6,
    "reverse proxy external": 2, "reverse proxy internal": 3,
}

TOOL_TIMEOUT_S = 20


def norm(text: str) -> str:
    """Whitespace-normalised text: runs of blanks become one space, ends trimmed."""
    return " ".join(str(text).split())


# ----------------------------------------------------------------------------- the digest

def parse_ports(cell: str) -> Optional[tuple[int, int]]:
    """'5061' -> (5061, 5061); '57501-65535' -> (57501, 65535); '67/68' -> (67, 68);
    '' -> None."""
    cell = cell.strip()
    if not cell:
        return None
    m = re.fullmatch(r"(\d+)\s*(?:[-/]\s*(\d+))?", cell)
    if not m:
        raise Failure(f"digest: cannot read port cell {cell!r}")
    low = int(m.group(1))
    high = int(m.group(2)) if m.group(2) else low
    if not (0 < low <= high <= 65535):
        raise Failure(f"digest: port cell {cell!r} is not a valid range")
    return low, high


def split_top(text: str, seps: str) -> list[str]:
    """Splits `text` at any character of `seps` that is outside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if depth == 0 and ch in seps:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def sentences(text: str) -> list[str]:
    """Sentences of a prose paragraph: split at a full stop (outside parentheses) that
    ends the text or is followed by a blank."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == "." and depth == 0 and (i + 1 == len(text) or text[i + 1].isspace()):
            out.append(text[start:i].strip())
            start = i + 1
    if text[start:].strip():
        out.append(text[start:].strip())
    return [s for s in out if s]


@dataclass
class Section:
    heading: str
    prose: str                      # the non-table lines, joined and whitespace-normalised
    tables: list[list[list[str]]]   # each table: header row then data rows, cells stripped


def read_sections(text: str) -> list[Section]:
    sections: list[Section] = []
    heading, prose, tables, table = "", [], [], None

    def flush() -> None:
        if heading or prose or tables:
            sections.append(Section(heading, norm(" ".join(prose)), list(tables)))

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("## "):
            flush()
            heading, prose, tables, table = stripped[3:].strip(), [], [], None
            continue
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                continue                     # the header separator
            if table is None:
                table = []
                tables.append(table)
            table.append(cells)
            continue
        table = None
        if stripped:
            prose.append(stripped)
    flush()
    return sections


@dataclass
class LbEntry:
    mode: str          # "hardware-only" or "dns", as in the JSON
    label: str         # the digest's words before the colon, e.g. "Director pool load balancer"
    port: int
    protocol: str      # inferred from the following entry when the digest gives only a port
    note: str


PROTOCOL_QUALIFIER = re.compile(r"[A-Z][A-Z0-9/]*")   # "(TLS)", "(MTLS)": part of the protocol


def parse_lb_prose(mode: str, prose: str) -> list[LbEntry]:
    """'Front End pool load balancer: 5061 TCP (TLS), 444 HTTPS, ..., 5072, 448 TCP.'"""
    entries: list[LbEntry] = []
    for sentence in sentences(prose):
        parts = split_top(sentence, ":")
        if len(parts) < 2:
            continue
        label = norm(parts[-2])
        group: list[LbEntry] = []
        for item in split_top(parts[-1], ","):
            item = norm(item)
            m = re.fullmatch(r"(\d+)(?:\s+(.*))?", item)
            if not m:
                raise Failure(f"digest: cannot read load-balancer entry {item!r} of {label!r}")
            rest = m.group(2) or ""
            protocol, notes = rest, []
            for paren in re.findall(r"\(([^()]*)\)", rest):
                if not PROTOCOL_QUALIFIER.fullmatch(paren):
                    notes.append(norm(paren))
                    protocol = protocol.replace(f"({paren})", "")
            group.append(LbEntry(mode, label, int(m.group(1)), norm(protocol), "; ".join(notes)))
        # "5072, 5073, ..., 448 TCP": a bare port takes the protocol written after it.
        following = ""
        for entry in reversed(group):
            if entry.protocol:
                following = entry.protocol
            else:
                entry.protocol = following
        entries += group
    return entries


@dataclass
class ProxyEntry:
    interface: str     # "external" / "internal"
    protocol: str
    transport: str
    port: int
    peer: str


def parse_proxy_prose(prose: str) -> list[ProxyEntry]:
    """'External interface: HTTP/TCP/80 from any (...) and HTTPS/TCP/443 from any (...).
    Internal interface: HTTP/TCP/8080 to X (...); HTTPS/TCP/4443 to the same (...); ...'"""
    entries: list[ProxyEntry] = []
    marks = list(re.finditer(r"\b(External|Internal) interface:", prose))
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(prose)
        body = prose[mark.end():end]
        # The entries are the parts outside parentheses that start "PROTO/TRANSPORT/PORT".
        flat = "".join(ch if depth == 0 else " " for ch, depth in _depths(body))
        for m in re.finditer(r"\b([A-Z]+)/([A-Z]+)/(\d+)\s+(?:from|to)\s+", flat):
            peer_m = re.match(r"(.+?)(?=\s*\(|\s*;|\.(?:\s|$)|\s+and\s|$)", flat[m.end():])
            peer = norm(peer_m.group(1)) if peer_m else ""
            if peer == "the same" and entries:
                peer = entries[-1].peer
            entries.append(ProxyEntry(mark.group(1).lower(), m.group(1), m.group(2),
                                      int(m.group(3)), peer))
    return entries


def _depths(text: str):
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
            yield ch, depth
            continue
        if ch == ")":
            yield ch, depth
            depth = max(0, depth - 1)
            continue
        yield ch, depth


@dataclass
class Digest:
    server: list[dict]
    client: list[dict]
    federation: list[dict]
    lb: list[LbEntry]
    proxy: list[ProxyEntry]


def read_digest(path: Path) -> Digest:
    sections = read_sections(path.read_text(encoding="utf-8"))
    server, client, federation = [], [], []
    lb: list[LbEntry] = []
    proxy: list[ProxyEntry] = []
    for sec in sections:
        for table in sec.tables:
            header, rows = [norm(c).lower() for c in table[0]], table[1:]
            for row in rows:
                if len(row) != len(header):
                    raise Failure(f"digest: row {row!r} has {len(row)} cells, header "
                                  f"{header!r} has {len(header)}")
            if header == ["role", "service", "port", "protocol", "what it is for"]:
                for role, service, port, protocol, purpose in rows:
                    ports = parse_ports(port)
                    if ports is None:
                        raise Failure(f"digest: server row without a port: {role} / {service}")
                    server.append(dict(role=norm(role), service=norm(service), ports=ports,
                                       protocol=norm(protocol), purpose=norm(purpose)))
            elif header == ["component", "port", "protocol", "what it is for"]:
                for component, port, protocol, purpose in rows:
                    ports = parse_ports(port)
                    if ports is None:
                        raise Failure(f"digest: client row without a port: {component}")
                    client.append(dict(component=norm(component), ports=ports,
                                       protocol=norm(protocol), purpose=norm(purpose)))
            elif header == ["role/protocol/port", "source", "destination", "what it is for"]:
                for label, source, destination, purpose in rows:
                    ports = parse_ports(label.rsplit("/", 1)[-1])
                    federation.append(dict(label=norm(label), ports=ports, source=norm(source),
                                           destination=norm(destination), purpose=norm(purpose)))
            else:
                raise Failure(f"digest: a table with an unknown header {header!r} "
                              f"(section {sec.heading!r})")
        heading = sec.heading.lower()
        if "load balancer" in heading and "hardware load balancing only" in heading:
            lb += parse_lb_prose("hardware-only", sec.prose)
        elif "load balancer" in heading and "dns load balancing" in heading:
            lb += parse_lb_prose("dns", sec.prose)
        elif heading.startswith("reverse proxy"):
            proxy += parse_proxy_prose(sec.prose)
    return Digest(server, client, federation, lb, proxy)


def digest_counts(d: Digest) -> dict[str, int]:
    return {
        "server": len(d.server), "client": len(d.client), "federation": len(d.federation),
        "lb hardware-only": sum(e.mode == "hardware-only" for e in d.lb),
        "lb dns": sum(e.mode == "dns" for e in d.lb),
        "reverse proxy external": sum(e.interface == "external" for e in d.proxy),
        "reverse proxy internal": sum(e.interface == "internal" for e in d.proxy),
    }


# ----------------------------------------------------------------------------- comparisons

def json_ports(row: dict) -> tuple[int, int]:
    return int(row["port_low"]), int(row["port_high"])


def compare_rows(what: str, digest_rows: list[dict], json_rows: list[dict],
                 fields: list[tuple[str, str]]) -> None:
    """Row i of the digest equals row i of the JSON on every (digest key, JSON key) pair;
    'ports' compares with port_low/port_high, text compares whitespace-normalised."""
    mismatches = []
    for i, (want, got) in enumerate(zip(digest_rows, json_rows)):
        for dkey, jkey in fields:
            if dkey == "ports":
                seen = json_ports(got)
            else:
                seen = norm(got.get(jkey, "<missing>"))
            if seen != want[dkey]:
                mismatches.append(f"{what} row {i + 1}: {jkey}: digest {want[dkey]!r}, "
                                  f"parley {seen!r}")
    check(not mismatches, f"every {what} row of the digest equals the JSON row, in order "
          f"({len(digest_rows)} rows)", "\n".join(mismatches))


def protocol_key(text: str) -> str:
    """'DCOM/RPC' and 'DCOM, RPC' are the same protocol list."""
    return re.sub(r"\s+", "", text.upper().replace("/", ","))


def lb_name_matches(label: str, name: str) -> bool:
    """The digest's 'Front End pool load balancer when the pool also runs Mediation' names
    the catalogue's 'Front End pool (also running Mediation)': same pool, and a qualifier
    that mentions the same capitalised words."""
    m = re.fullmatch(r"(.*?) load balancer(?: (.*))?", label)
    base, qualifier = (m.group(1), m.group(2)) if m else (label, None)
    if not qualifier:
        return name == base
    if not name.startswith(base) or len(name) == len(base):
        return False
    extra = name[len(base):]
    return all(word in extra for word in re.findall(r"\b[A-Z][A-Za-z-]+", qualifier))


# ----------------------------------------------------------------------------- the test

def run_ports(fmt: str):
    return run_tool([parley_bin(), "ports", "--format", fmt], timeout=TOOL_TIMEOUT_S,
                    echo=False)


def main() -> None:
    root = source_root()
    digest_path = root / DIGEST

    step(f"the digest {DIGEST} parses into its tables and lists")
    check(digest_path.is_file(), f"{digest_path} exists")
    d = read_digest(digest_path)
    counts = digest_counts(d)
    info(f"digest counts: {counts}")
    check(counts == EXPECTED_DIGEST_COUNTS, "the digest holds the rows it is known to hold",
          f"parsed {counts}\nexpected {EXPECTED_DIGEST_COUNTS}")

    step("parley ports --format json: one JSON object")
    r = run_ports("json")
    check(r.returncode == 0, "parley ports --format json exits 0", r.describe())
    try:
        doc = json.loads(r.stdout)
    except json.JSONDecodeError as e:
        raise Failure(f"parley ports --format json is not JSON: {e}\n{r.describe()}")
    tables = ["server_ports", "load_balancer_ports", "client_ports", "reverse_proxy_ports",
              "federation_ports"]
    check(isinstance(doc, dict) and all(isinstance(doc.get(t), list) for t in tables),
          f"the JSON object has the arrays {', '.join(tables)}",
          f"keys: {sorted(doc) if isinstance(doc, dict) else type(doc).__name__}")
    check(all(isinstance(row, dict) for t in tables for row in doc[t]),
          "every row is a JSON object")

    servers = doc["server_ports"]
    extensions = [row for row in servers if row.get("parley_extension") is True]
    seed_servers = [row for row in servers if row.get("parley_extension") is not True]
    check(all(isinstance(row.get("parley_extension"), bool) for row in servers),
          "every server row says whether it is a Parley extension")
    for row in extensions:
        info(f"Parley extension, not compared: {row.get('port_low')}/{row.get('protocol')} "
             f"{row.get('role')} / {row.get('service')}")

    json_counts = {
        "server": len(seed_servers), "client": len(doc["client_ports"]),
        "federation": len(doc["federation_ports"]),
        "lb hardware-only": sum(row.get("mode") == "hardware-only"
                                for row in doc["load_balancer_ports"]),
        "lb dns": sum(row.get("mode") == "dns" for row in doc["load_balancer_ports"]),
        "reverse proxy external": sum(row.get("interface") == "external"
                                      for row in doc["reverse_proxy_ports"]),
        "reverse proxy internal": sum(row.get("interface") == "internal"
                                      for row in doc["reverse_proxy_ports"]),
    }
    step("per-table row counts equal the digest's")
    for key in counts:
        check(json_counts[key] == counts[key],
              f"{key}: parley {json_counts[key]}, digest {counts[key]}")
    check(len(doc["load_balancer_ports"]) == counts["lb hardware-only"] + counts["lb dns"],
          "every load-balancer row is hardware-only or dns")
    check(len(doc["reverse_proxy_ports"]) ==
          counts["reverse proxy external"] + counts["reverse proxy internal"],
          "every reverse-proxy row is external or internal")

    step("every server, client and federation row of the digest, field by field")
    compare_rows("server", d.server, seed_servers,
                 [("role", "role"), ("service", "service"), ("ports", "ports"),
                  ("protocol", "protocol"), ("purpose", "purpose")])
    compare_rows("client", d.client, doc["client_ports"],
                 [("component", "component"), ("ports", "ports"), ("protocol", "protocol"),
                  ("purpose", "purpose")])
    compare_rows("federation", d.federation, doc["federation_ports"],
                 [("label", "label"), ("ports", "ports"), ("source", "source"),
                  ("destination", "destination"), ("purpose", "purpose")])

    step("load-balancer entries: mode, load balancer, port, protocol and the digest's notes, "
         "in order")
    mismatches = []
    for i, (want, got) in enumerate(zip(d.lb, doc["load_balancer_ports"])):
        where = f"load-balancer entry {i + 1} ({want.label}: {want.port})"
        if got.get("mode") != want.mode:
            mismatches.append(f"{where}: mode {got.get('mode')!r}, digest {want.mode!r}")
        if got.get("port") != want.port:
            mismatches.append(f"{where}: port {got.get('port')!r}")
        if not lb_name_matches(want.label, norm(got.get("load_balancer", ""))):
            mismatches.append(f"{where}: load balancer {got.get('load_balancer')!r}")
        if protocol_key(got.get("protocol", "")) != protocol_key(want.protocol):
            mismatches.append(f"{where}: protocol {got.get('protocol')!r}, digest "
                              f"{want.protocol!r}")
        # A note the digest writes must be there; the catalogue may annotate more (it
        # repeats the 8080 root-certificate note in the DNS list, the digest does not).
        if want.note and norm(got.get("note", "")) != want.note:
            mismatches.append(f"{where}: note {got.get('note')!r}, digest {want.note!r}")
    check(not mismatches, f"the {len(d.lb)} load-balancer entries match the digest's prose",
          "\n".join(mismatches))

    step("reverse-proxy entries: interface, protocol, transport, port and peer, in order")
    mismatches = []
    for i, (want, got) in enumerate(zip(d.proxy, doc["reverse_proxy_ports"])):
        have = (got.get("interface"), got.get("protocol"), got.get("transport"),
                got.get("port"), norm(got.get("peer", "")))
        wanted = (want.interface, want.protocol, want.transport, want.port, want.peer)
        if have != wanted:
            mismatches.append(f"reverse-proxy entry {i + 1}: parley {have}, digest {wanted}")
    check(not mismatches, f"the {len(d.proxy)} reverse-proxy entries match the digest's prose",
          "\n".join(mismatches))

    step("every server row says its status")
    bad = [f"{row.get('port_low')}/{row.get('protocol')} {row.get('role')} / "
           f"{row.get('service')}: status={row.get('status', '<missing>')!r} "
           f"enabled={row.get('enabled', '<missing>')!r}"
           for row in servers
           if row.get("status") not in SERVER_STATUSES
           or row.get("enabled") is not (row.get("status") == "enabled")]
    check(not bad, f"every server row has a status ({', '.join(sorted(SERVER_STATUSES))}) "
          f"and 'enabled' is true exactly for 'enabled'", "\n".join(bad))
    statuses: dict[str, int] = {}
    for row in servers:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    info(f"statuses: {statuses}")
    enabled = sorted(row["listener"] for row in servers if row["status"] == "enabled")
    check(enabled == ["frontend.sip-tcp", "frontend.sip-tls", "frontend.sip-udp"],
          "a default Standard Edition enables exactly its three SIP listeners", str(enabled))

    total_rows = sum(len(doc[t]) for t in tables)

    step("parley ports --format csv: a header, then one row per catalogue row")
    r = run_ports("csv")
    check(r.returncode == 0, "parley ports --format csv exits 0", r.describe())
    try:
        rows = list(csv.reader(io.StringIO(r.stdout, newline=""), strict=True))
    except csv.Error as e:
        raise Failure(f"parley ports --format csv does not parse as CSV: {e}\n{r.describe()}")
    rows = [row for row in rows if row]          # a trailing newline is no row
    check(bool(rows) and rows[0] and rows[0][0] == "table",
          "the first row is a header whose first column is 'table'",
          f"first row: {rows[0] if rows else None!r}")
    data = rows[1:]
    check(len(data) == total_rows,
          f"one CSV data row per JSON row: {len(data)} CSV rows, {total_rows} JSON rows")
    check(all(len(row) == len(rows[0]) for row in data),
          f"every data row has the header's {len(rows[0])} columns",
          "\n".join(",".join(row) for row in data if len(row) != len(rows[0])))
    info(f"CSV tables: {sorted(set(row[0] for row in data))}")
    # The "table" column names the JSON array: "load_balancer_ports" -> "load-balancer".
    for t in tables:
        name = t.removesuffix("_ports").replace("_", "-")
        n = sum(row[0] == name for row in data)
        check(n == len(doc[t]), f"CSV table '{name}': {n} rows, JSON {t}: {len(doc[t])}")

    step("parley ports --format markdown: tables holding every server row's purpose")
    r = run_ports("markdown")
    check(r.returncode == 0, "parley ports --format markdown exits 0", r.describe())
    md = norm(r.stdout)
    separators = [line for line in r.stdout.splitlines()
                  if re.fullmatch(r"\s*\|(\s*:?-{3,}:?\s*\|)+\s*", line)]
    check(len(separators) >= 5, f"at least one markdown table per section: "
          f"{len(separators)} tables")
    missing = [f"{row['role']} / {row['service']} {row['ports']}: {row['purpose']}"
               for row in d.server if row["purpose"] and row["purpose"] not in md]
    check(not missing, f"the markdown holds every server row's purpose "
          f"({sum(bool(row['purpose']) for row in d.server)} non-empty)", "\n".join(missing))

    step("an unknown format is refused")
    r = run_ports("xml")
    check(r.returncode not in (0, None), "parley ports --format xml exits non-zero",
          r.describe())

    step("--role and --topology narrow the rows")
    r = run_tool([parley_bin(), "ports", "--format", "json", "--role", "edge"],
                 timeout=TOOL_TIMEOUT_S, echo=False)
    edge = json.loads(r.stdout)
    check(len(edge["federation_ports"]) == len(doc["federation_ports"])
          and not edge["client_ports"] and not edge["load_balancer_ports"]
          and not edge["reverse_proxy_ports"]
          and [row["role"] for row in edge["server_ports"]] == ["all servers"],
          "--role edge: the federation table and the all-servers row only", r.stdout[:2000])
    check(all(row["status"] == "not-in-topology" for row in edge["federation_ports"]),
          "a Standard Edition runs no Edge: its rows say not-in-topology")
    r = run_tool([parley_bin(), "ports", "--format", "json", "--topology"],
                 timeout=TOOL_TIMEOUT_S, echo=False)
    mine = json.loads(r.stdout)
    rows = [row for t in tables for row in mine[t]]
    check(rows and all(row["status"] != "not-in-topology" for row in rows)
          and len(mine["server_ports"]) == len(doc["server_ports"]) - 13,
          "--topology: only the rows this Standard Edition needs (all but 13 server rows)",
          str(len(mine["server_ports"])))
    r = run_tool([parley_bin(), "ports", "--role", "pbx"], timeout=TOOL_TIMEOUT_S, echo=False)
    check(r.returncode == 2, "an unknown role is a usage error", r.describe())


run_test(main)
