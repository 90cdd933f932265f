#!/usr/bin/env bash
# Soak test: SIPp REGISTER and MESSAGE traffic against one parley for a long while,
# sampling parley's resident memory (VmRSS) and open descriptors, to show that
# neither grows once the server has warmed up.
#
#   bench/soak.sh [--duration 600] [--rate 100] [--users 1000] [--bin build/parley]
#
# What it does (everything on 127.0.0.1, UDP, ports picked free by the kernel):
#   1. writes a parley.toml into a fresh work directory (log_level warn,
#      [limits] unauthenticated_limit = 0 so that the load generator's Digest
#      challenges do not throttle it) and adds --users users with `parley user add`;
#   2. starts `parley serve`, waits for it to answer OPTIONS;
#   3. registers the callees (one user in ten) with a Contact at the port of a SIPp
#      UAS (bench/sipp/soak_message_uas.xml) that answers every MESSAGE with 200;
#   4. runs, side by side for --duration seconds,
#        bench/sipp/soak_register.xml     --rate REGISTER/s over all users
#                                         (401 -> Digest -> 200; callees keep their
#                                         Contact at the UAS port)
#        bench/sipp/soak_message_uac.xml  --rate MESSAGE/s from the other users to
#                                         the callees (407 -> Digest -> relayed 200)
#      and samples parley every --interval seconds into samples.csv;
#   5. after the load, waits --drain seconds (transactions end, Timer J/K = 32 s)
#      and takes one more sample;
#   6. prints a summary (also in summary.txt) and exits
#        0  memory and descriptors did not grow after warm-up, failures <= 1 %
#        1  they grew, or too many calls failed, or parley died
#        2  usage error or a missing tool.
#
# "Grew" means: RSS at the end of the load exceeds RSS at the end of warm-up by more
# than max(--rss-tolerance-mb MiB, --rss-tolerance-pct %), or the descriptor count at
# the end is above the one at the end of warm-up.
#
# Warm-up must outlast the state that legitimately fills up under load: the Digest
# nonce-count table keeps each nonce for nonce_lifetime (set here by
# --nonce-lifetime, 60 s by default instead of parley's 300 s), transactions live
# 32 s after their final response (UDP Timer J/K), bindings are refreshed every
# users/rate seconds. The default warm-up (120 s) covers all three.
#
# Every process this script starts (parley, SIPp, the sampler) is stopped by PID
# when it exits, however it exits. The work directory (config, database, logs,
# SIPp statistics, samples.csv, summary.txt) is kept and its path printed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SCENARIOS="$HERE/sipp"

DURATION=600
RATE=100            # REGISTER calls/s, and as many MESSAGE calls/s
MESSAGE_RATE=""     # default: RATE
USERS=1000
BIN="$ROOT/build/parley"
WARMUP=120
INTERVAL=10
DRAIN=40
WORKERS=2
NONCE_LIFETIME=60
EXPIRES=300
RSS_TOL_MB=5
RSS_TOL_PCT=10
MAX_FAIL_PCT=1
WORKDIR=""
HOST=127.0.0.1
DOMAIN=parley.test

usage() {
  cat <<EOF
usage: $0 [options]
  --duration S         seconds of load (default $DURATION)
  --rate R             REGISTER calls per second (default $RATE)
  --message-rate R     MESSAGE calls per second (default: same as --rate)
  --users N            users in the domain (default $USERS); one in ten receives MESSAGEs
  --bin PATH           the parley binary (default build/parley)
  --warmup S           seconds of load before the reference sample (default $WARMUP)
  --interval S         seconds between samples (default $INTERVAL)
  --drain S            seconds to wait after the load before the last sample (default $DRAIN)
  --workers N          parley worker threads (default $WORKERS)
  --nonce-lifetime S   parley [limits] nonce_lifetime (default $NONCE_LIFETIME)
  --expires S          Expires of the soak REGISTERs (default $EXPIRES)
  --rss-tolerance-mb M   allowed RSS growth after warm-up, MiB (default $RSS_TOL_MB)
  --rss-tolerance-pct P  ... or percent of the warm-up RSS, whichever is larger (default $RSS_TOL_PCT)
  --max-fail-pct P     allowed failed calls per scenario, percent (default $MAX_FAIL_PCT)
  --workdir DIR        where to write config, logs and results (default: a new /tmp/parley-soak.*)
EOF
}

die() { echo "soak: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --message-rate) MESSAGE_RATE="$2"; shift 2 ;;
    --users) USERS="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --interval) INTERVAL="$2"; shift 2 ;;
    --drain) DRAIN="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --nonce-lifetime) NONCE_LIFETIME="$2"; shift 2 ;;
    --expires) EXPIRES="$2"; shift 2 ;;
    --rss-tolerance-mb) RSS_TOL_MB="$2"; shift 2 ;;
    --rss-tolerance-pct) RSS_TOL_PCT="$2"; shift 2 ;;
    --max-fail-pct) MAX_FAIL_PCT="$2"; shift 2 ;;
    --workdir) WORKDIR="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done
MESSAGE_RATE="${MESSAGE_RATE:-$RATE}"

for v in DURATION RATE MESSAGE_RATE USERS WARMUP INTERVAL DRAIN WORKERS NONCE_LIFETIME EXPIRES \
         RSS_TOL_MB RSS_TOL_PCT MAX_FAIL_PCT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "--$(echo "$v" | tr 'A-Z_' 'a-z-') must be a whole number, not '${!v}'"
done
[ "$USERS" -ge 2 ] || die "--users must be at least 2"
[ "$RATE" -ge 1 ] && [ "$MESSAGE_RATE" -ge 1 ] || die "rates must be at least 1"
[ "$INTERVAL" -ge 1 ] || die "--interval must be at least 1"
[ "$EXPIRES" -ge 60 ] || die "--expires must be at least 60 (parley's min_expires)"
[ "$WARMUP" -lt "$DURATION" ] || die "--warmup ($WARMUP) must be shorter than --duration ($DURATION)"
[ -x "$BIN" ] || die "no parley binary at $BIN (build it, or pass --bin)"
command -v sipp >/dev/null || die "sipp is not installed (scripts/deps.sh)"
command -v python3 >/dev/null || die "python3 is not installed"
for f in soak_register.xml soak_message_uac.xml soak_message_uas.xml; do
  [ -f "$SCENARIOS/$f" ] || die "missing scenario $SCENARIOS/$f"
done
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

if [ -z "$WORKDIR" ]; then
  WORKDIR="$(mktemp -d /tmp/parley-soak.XXXXXX)"
else
  mkdir -p "$WORKDIR"
  WORKDIR="$(cd "$WORKDIR" && pwd)"
  [ -z "$(ls -A "$WORKDIR")" ] || die "--workdir $WORKDIR is not empty"
fi

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# ---------------------------------------------------------------- processes, by PID

PIDS=()          # every background process started here, stopped on exit
PARLEY_PID=""

stop_pid() {     # stop_pid PID NAME: SIGTERM, up to 5 s, then SIGKILL
  local pid="$1" name="$2" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "soak: $name ($pid) ignored SIGTERM for 5 s: SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
    stop_pid "${PIDS[$i]%%:*}" "${PIDS[$i]#*:}"
  done
  wait 2>/dev/null || true
  echo "soak: results in $WORKDIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started() { PIDS+=("$1:$2"); }

# ---------------------------------------------------------------- ports

# Ports that are free on 127.0.0.1 for UDP (and TCP for parley's own): all chosen
# while the probes are held, so they differ from each other.
read -r SIP_PORT REG_PORT MSG_PORT UAS_PORT CP1 CP2 CP3 CP4 < <(python3 - "$HOST" <<'EOF'
import socket, sys
host = sys.argv[1]
held, ports = [], []
while len(ports) < 8:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((host, 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((host, port))
    except OSError:
        u.close(); t.close(); continue
    held += [u, t]
    ports.append(port)
print(*ports)
EOF
)

# ---------------------------------------------------------------- configuration, users

cd "$WORKDIR"
CONFIG="$WORKDIR/parley.toml"
cat > "$CONFIG" <<EOF
# written by bench/soak.sh
[server]
domains = ["$DOMAIN"]
fqdn = "localhost"
data_dir = "$WORKDIR/data"
log_level = "warn"
workers = $WORKERS
default_address = "$HOST"

[limits]
unauthenticated_limit = 0
nonce_lifetime = $NONCE_LIFETIME

[listeners."frontend.sip-udp"]
port = $SIP_PORT
[listeners."frontend.sip-tcp"]
port = $SIP_PORT
[listeners."frontend.sip-tls"]
port = 0
EOF

CALLEES=$(( USERS / 10 ))
[ "$CALLEES" -ge 1 ] || CALLEES=1
# Users soak00001.. with passwords Soak-pw-00001..; the first CALLEES receive MESSAGEs
# (the injection files below spell the same names).
user_name() { printf 'soak%05d' "$1"; }
user_password() { printf 'Soak-pw-%05d' "$1"; }

log "work directory $WORKDIR"
log "adding $USERS users with 'parley user add' ($CALLEES of them receive MESSAGEs)"
t0=$(date +%s.%N)
for (( i=1; i<=USERS; i++ )); do
  "$BIN" user add "$(user_name "$i")@$DOMAIN" --password "$(user_password "$i")" \
    --config "$CONFIG" >/dev/null 2>>"$WORKDIR/user-add.log" \
    || die "parley user add $(user_name "$i")@$DOMAIN failed (see $WORKDIR/user-add.log)"
done
log "users added in $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)") s"

# Injection files (SIPp -inf): SEQUENTIAL, wrapped around when the calls outnumber lines.
# SIPp expands an [authentication ...] keyword that comes from an injection field.
#   register-callees.csv  user;[authentication ...];UAS port      (the callees, once)
#   register.csv          user;[authentication ...];contact port  (everyone, the REGISTER load)
#   messages.csv          caller;[authentication ...];callee      (non-callees to callees)
python3 - "$USERS" "$CALLEES" "$UAS_PORT" "$REG_PORT" <<'EOF'
import sys
users, callees, uas_port, reg_port = map(int, sys.argv[1:])
name = lambda i: f"soak{i:05d}"
auth = lambda i: f"[authentication username={name(i)} password=Soak-pw-{i:05d}]"
def write(path, lines):
    with open(path, "w") as f:
        f.write("SEQUENTIAL\n" + "".join(l + "\n" for l in lines))
write("register-callees.csv", (f"{name(i)};{auth(i)};{uas_port}" for i in range(1, callees + 1)))
write("register.csv", (f"{name(i)};{auth(i)};{uas_port if i <= callees else reg_port}"
                       for i in range(1, users + 1)))
write("messages.csv", (f"{name(i)};{auth(i)};{name((i - callees - 1) % callees + 1)}"
                       for i in range(callees + 1, users + 1)))
EOF
[ "$(wc -l < messages.csv)" -gt 1 ] || die "--users $USERS leaves no caller beside the callees"

# ---------------------------------------------------------------- parley

log "starting parley ($BIN) on udp/$HOST:$SIP_PORT, $WORKERS worker(s)"
"$BIN" serve --config "$CONFIG" > parley.log 2>&1 &
PARLEY_PID=$!
started "$PARLEY_PID" parley

# Ready once it answers an OPTIONS for itself over UDP.
python3 - "$HOST" "$SIP_PORT" "$PARLEY_PID" <<'EOF' || die "parley did not answer OPTIONS (see $WORKDIR/parley.log)"
import os, socket, sys, time
host, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((host, 0))
s.settimeout(0.3)
lp = s.getsockname()[1]
deadline = time.monotonic() + 20
n = 0
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("parley exited")
    n += 1
    msg = (f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
           f"Via: SIP/2.0/UDP {host}:{lp};branch=z9hG4bKsoakready{n};rport\r\n"
           f"Max-Forwards: 70\r\nFrom: <sip:soak@{host}>;tag=soak{n}\r\n"
           f"To: <sip:{host}:{port}>\r\nCall-ID: soak-ready-{n}@{host}\r\n"
           f"CSeq: {n} OPTIONS\r\nContent-Length: 0\r\n\r\n")
    s.sendto(msg.encode(), (host, port))
    try:
        data = s.recv(65535)
        if data.startswith(b"SIP/2.0 "):
            sys.exit(0)
    except socket.timeout:
        pass
sys.exit("no answer")
EOF
log "parley (pid $PARLEY_PID) answers OPTIONS"

SIPP_COMMON=(-i "$HOST" -t u1 -nostdin -key domain "$DOMAIN" -key expires "$EXPIRES"
             -trace_err -trace_stat -fd "$INTERVAL")

# ---------------------------------------------------------------- callees

log "registering the $CALLEES callees at the UAS port $UAS_PORT"
sipp "$HOST:$SIP_PORT" -sf "$SCENARIOS/soak_register.xml" -inf register-callees.csv \
  "${SIPP_COMMON[@]}" -p "$REG_PORT" -cp "$CP1" -m "$CALLEES" -r 200 \
  -recv_timeout 5000 -timeout 60s -timeout_error \
  -error_file sipp-callees-errors.log -stf sipp-callees-stat.csv \
  > sipp-callees.out 2>&1 &
pid=$!; started "$pid" sipp-callees
wait "$pid" || die "registering the callees failed (see $WORKDIR/sipp-callees-errors.log)"

sipp -sf "$SCENARIOS/soak_message_uas.xml" "${SIPP_COMMON[@]}" -p "$UAS_PORT" -cp "$CP2" \
  -error_file sipp-uas-errors.log -stf sipp-uas-stat.csv > sipp-uas.out 2>&1 &
UAS_PID=$!
started "$UAS_PID" sipp-uas
sleep 1
kill -0 "$UAS_PID" 2>/dev/null || die "the SIPp UAS did not start (see $WORKDIR/sipp-uas.out)"

# ---------------------------------------------------------------- sampler

# samples.csv: one line per --interval seconds while parley runs.
#   t_s        seconds since the load started
#   phase      warmup | load | drain
#   rss_kb     VmRSS of parley          hwm_kb  VmHWM (peak RSS so far)
#   fds        entries in /proc/PID/fd  threads Threads
#   cpu_s      parley's user+system CPU seconds so far
#   load1      the machine's 1-minute load average
LOAD_START=$(date +%s)
echo "t_s,phase,rss_kb,hwm_kb,fds,threads,cpu_s,load1" > samples.csv
sample() {  # sample PHASE
  local st now rss hwm thr fds cpu
  st="/proc/$PARLEY_PID/status"
  [ -r "$st" ] || return 1
  now=$(( $(date +%s) - LOAD_START ))
  rss=$(awk '/^VmRSS:/{print $2}' "$st")
  hwm=$(awk '/^VmHWM:/{print $2}' "$st")
  thr=$(awk '/^Threads:/{print $2}' "$st")
  fds=$(ls "/proc/$PARLEY_PID/fd" | wc -l)
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' \
        "/proc/$PARLEY_PID/stat")
  echo "$now,$1,$rss,$hwm,$fds,$thr,$cpu,$(cut -d' ' -f1 /proc/loadavg)" >> samples.csv
}
(
  trap 'exit 0' TERM
  # Aligned on --interval from the start of the load; warm-up ends exactly on a sample.
  next=0
  while kill -0 "$PARLEY_PID" 2>/dev/null; do
    now=$(( $(date +%s) - LOAD_START ))
    if [ "$now" -ge "$next" ]; then
      if [ "$now" -lt "$WARMUP" ]; then phase=warmup; else phase=load; fi
      [ "$now" -le "$DURATION" ] || break
      sample "$phase" || break
      next=$(( next + INTERVAL ))
    fi
    sleep 0.2
  done
) &
SAMPLER_PID=$!
started "$SAMPLER_PID" sampler

# ---------------------------------------------------------------- the load

REG_CALLS=$(( RATE * DURATION ))
MSG_CALLS=$(( MESSAGE_RATE * DURATION ))
log "load: $RATE REGISTER/s + $MESSAGE_RATE MESSAGE/s for $DURATION s" \
    "($REG_CALLS + $MSG_CALLS calls; warm-up $WARMUP s, a sample every $INTERVAL s)"
sipp "$HOST:$SIP_PORT" -sf "$SCENARIOS/soak_register.xml" -inf register.csv \
  "${SIPP_COMMON[@]}" -p "$REG_PORT" -cp "$CP3" -m "$REG_CALLS" -r "$RATE" -rp 1000 \
  -recv_timeout 10000 \
  -error_file sipp-register-errors.log -stf sipp-register-stat.csv \
  > sipp-register.out 2>&1 &
REG_PID=$!
started "$REG_PID" sipp-register
sipp "$HOST:$SIP_PORT" -sf "$SCENARIOS/soak_message_uac.xml" -inf messages.csv \
  "${SIPP_COMMON[@]}" -p "$MSG_PORT" -cp "$CP4" -m "$MSG_CALLS" -r "$MESSAGE_RATE" -rp 1000 \
  -recv_timeout 10000 \
  -error_file sipp-message-errors.log -stf sipp-message-stat.csv \
  > sipp-message.out 2>&1 &
MSG_PID=$!
started "$MSG_PID" sipp-message

# Both UACs end by themselves after their -m calls; bound the wait anyway.
DEADLINE=$(( LOAD_START + DURATION + 120 ))
reg_rc="" msg_rc=""
while [ -z "$reg_rc" ] || [ -z "$msg_rc" ]; do
  if [ -z "$reg_rc" ] && ! kill -0 "$REG_PID" 2>/dev/null; then
    wait "$REG_PID" && reg_rc=0 || reg_rc=$?
  fi
  if [ -z "$msg_rc" ] && ! kill -0 "$MSG_PID" 2>/dev/null; then
    wait "$MSG_PID" && msg_rc=0 || msg_rc=$?
  fi
  kill -0 "$PARLEY_PID" 2>/dev/null || break
  if [ "$(date +%s)" -gt "$DEADLINE" ]; then
    log "the SIPp clients overran the load by 120 s: stopping them"
    stop_pid "$REG_PID" sipp-register; stop_pid "$MSG_PID" sipp-message
    reg_rc="${reg_rc:-timeout}"; msg_rc="${msg_rc:-timeout}"
    break
  fi
  sleep 1
done
LOAD_END=$(( $(date +%s) - LOAD_START ))
stop_pid "$SAMPLER_PID" sampler
wait "$SAMPLER_PID" 2>/dev/null || true
PARLEY_ALIVE=1
kill -0 "$PARLEY_PID" 2>/dev/null || PARLEY_ALIVE=0
log "load over after $LOAD_END s (SIPp exit codes: register ${reg_rc:-?}, message ${msg_rc:-?})"

# ---------------------------------------------------------------- drain

if [ "$PARLEY_ALIVE" = 1 ] && [ "$DRAIN" -gt 0 ]; then
  log "idle for $DRAIN s, then the last sample"
  sleep "$DRAIN"
  sample drain || PARLEY_ALIVE=0
fi
stop_pid "$UAS_PID" sipp-uas
PARLEY_RC=dead
if [ "$PARLEY_ALIVE" = 1 ] && kill -0 "$PARLEY_PID" 2>/dev/null; then
  stop_pid "$PARLEY_PID" parley
  wait "$PARLEY_PID" && PARLEY_RC=0 || PARLEY_RC=$?
else
  wait "$PARLEY_PID" 2>/dev/null && PARLEY_RC="exited 0 during the load" \
    || PARLEY_RC="exited $? during the load"
fi

# ---------------------------------------------------------------- report

set +e
python3 - "$WORKDIR" "$WARMUP" "$RSS_TOL_MB" "$RSS_TOL_PCT" "$MAX_FAIL_PCT" "$PARLEY_RC" \
         "$DURATION" "$RATE" "$MESSAGE_RATE" "$USERS" "$CALLEES" "$WORKERS" "$NONCE_LIFETIME" \
         "$BIN" <<'EOF' | tee summary.txt
import csv, os, platform, subprocess, sys
(workdir, warmup, tol_mb, tol_pct, max_fail, parley_rc, duration, rate, mrate, users,
 callees, workers, nonce_lifetime, binary) = sys.argv[1:]
warmup, tol_mb, tol_pct, max_fail = int(warmup), float(tol_mb), float(tol_pct), float(max_fail)
os.chdir(workdir)
problems = []

def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout
        lines = [l.strip() for l in out.splitlines() if l.strip()]
        return lines[0] if lines else "?"
    except Exception:
        return "?"

print("== parley soak")
print(f"machine : {os.cpu_count()} CPU(s), Linux {platform.release()}, "
      f"{version(['sipp', '-v'])}, {version([binary, '--version'])}")
print(f"load    : {rate} REGISTER/s + {mrate} MESSAGE/s for {duration} s over UDP, "
      f"{users} users ({callees} callees), {workers} parley workers, "
      f"nonce_lifetime {nonce_lifetime} s, warm-up {warmup} s")

rows = list(csv.DictReader(open("samples.csv")))
load = [r for r in rows if r["phase"] in ("warmup", "load")]
after = [r for r in rows if r["phase"] == "load" and int(r["t_s"]) >= warmup]
drain = [r for r in rows if r["phase"] == "drain"]
mb = lambda kb: f"{int(kb) / 1024:.1f} MiB"
if not after:
    problems.append("no sample after the warm-up")
else:
    first, start, end = load[0], after[0], after[-1]
    rss_max = max(after, key=lambda r: int(r["rss_kb"]))
    fds_max = max(int(r["fds"]) for r in after)
    cpu = (float(end["cpu_s"]) - float(start["cpu_s"])) / max(1, int(end["t_s"]) - int(start["t_s"]))
    print(f"samples : {len(rows)} (every {int(rows[1]['t_s']) - int(rows[0]['t_s']) if len(rows) > 1 else '?'} s) "
          f"in samples.csv")
    print(f"RSS     : {mb(first['rss_kb'])} at t=0, {mb(start['rss_kb'])} after warm-up "
          f"(t={start['t_s']}), {mb(end['rss_kb'])} at the end (t={end['t_s']}), "
          f"max {mb(rss_max['rss_kb'])} (t={rss_max['t_s']}) after warm-up, peak (VmHWM) "
          f"{mb(end['hwm_kb'])}")
    print(f"fds     : {first['fds']} at t=0, {start['fds']} after warm-up, {end['fds']} at the "
          f"end, max {fds_max} after warm-up; threads {end['threads']}")
    print(f"cpu     : parley used {cpu * 100:.0f} % of one core after warm-up; "
          f"load average {min(float(r['load1']) for r in after):.1f}..{max(float(r['load1']) for r in after):.1f}")
    if drain:
        d = drain[-1]
        print(f"drained : {mb(d['rss_kb'])}, {d['fds']} fds at t={d['t_s']} (idle since the load ended)")
    growth = int(end["rss_kb"]) - int(start["rss_kb"])
    allowed = max(tol_mb * 1024, int(start["rss_kb"]) * tol_pct / 100)
    verdict = "ok" if growth <= allowed else "GREW"
    print(f"RSS growth after warm-up: {growth / 1024:+.1f} MiB (allowed {allowed / 1024:.1f} MiB): {verdict}")
    if growth > allowed:
        problems.append(f"RSS grew by {growth / 1024:.1f} MiB after warm-up (allowed {allowed / 1024:.1f} MiB)")
    fd_growth = int(end["fds"]) - int(start["fds"])
    print(f"fd growth after warm-up: {fd_growth:+d}: {'ok' if fd_growth <= 0 else 'GREW'}")
    if fd_growth > 0:
        problems.append(f"open descriptors grew from {start['fds']} to {end['fds']}")

def sipp_totals(name):
    """The last line of a SIPp -trace_stat file: cumulative counters."""
    try:
        rows = list(csv.DictReader(open(f"sipp-{name}-stat.csv"), delimiter=";"))
    except OSError:
        return None
    return rows[-1] if rows else None

def count(t, key):
    try:
        return int(t.get(key) or 0)
    except ValueError:
        return 0

for name, what in (("callees", "REGISTER of the callees"), ("register", "REGISTER load"),
                   ("message", "MESSAGE load"), ("uas", "MESSAGE callee (UAS)")):
    t = sipp_totals(name)
    if t is None:
        print(f"{what}: no SIPp statistics")
        if name != "uas":
            problems.append(f"{what}: no SIPp statistics")
        continue
    ok, failed = count(t, "SuccessfulCall(C)"), count(t, "FailedCall(C)")
    total = ok + failed
    pct = 100.0 * failed / total if total else 0.0
    reasons = ", ".join(f"{k[6:-3]} {count(t, k)}" for k in t
                        if k.startswith("Failed") and k.endswith("(C)") and k != "FailedCall(C)"
                        and count(t, k))
    buckets = [(k.split("_", 1)[1], count(t, k)) for k in t
               if k.startswith("CallLengthRepartition_")]
    fast = sum(n for b, n in buckets if b.startswith("<") and int(b[1:]) <= 10)
    parts = [f"{ok} successful, {failed} failed ({pct:.2f} %)"
             + (f" [{reasons}]" if reasons else "")
             + f" of {count(t, 'TotalCallCreated')} calls in {t.get('ElapsedTime(C)', '?')[:8]}"
             f" (mean {float(t.get('CallRate(C)') or 0):.1f} calls/s)",
             f"{count(t, 'Retransmissions(C)')} retransmissions",
             f"{count(t, 'OutOfCallMsgs(C)') + count(t, 'DeadCallMsgs(C)')} out-of-call messages"]
    if total and name != "uas":
        parts.append(f"{100.0 * fast / total:.1f} % of the calls took <= 10 ms")
    print(f"{what}: " + "; ".join(parts))
    if name in ("register", "message"):
        if total == 0:
            problems.append(f"{what}: no call completed")
        elif pct > max_fail:
            problems.append(f"{what}: {pct:.2f} % of the calls failed (allowed {max_fail} %)")

print(f"parley  : exit code after SIGTERM {parley_rc}")
if parley_rc != "0":
    problems.append(f"parley did not stop cleanly ({parley_rc})")

if problems:
    print("RESULT  : FAIL")
    for p in problems:
        print(f"  - {p}")
    sys.exit(1)
print("RESULT  : PASS (no growth after warm-up)")
EOF
exit "${PIPESTATUS[0]}"
