#!/usr/bin/env python3
"""Development aid, not a test: a stand-in for the `parley` binary built on Kamailio.

It lets the interop tests be validated against an established RFC 3261 registrar and
proxy with Digest auth before (or besides) parley itself:

    apt-get install kamailio kamailio-tls-modules      # not part of scripts/deps.sh
    PARLEY_BIN=tests/interop/dev_kamailio_parley.py python3 tests/interop/test_sipsak_register.py

It accepts the same verbs and config file as parley, as far as the tests use them:
    user add AOR --password PW --config CFG   users kept in <data_dir>/users.txt
    cert init --config CFG                    CA + server cert in <data_dir>/pki/ (openssl)
    serve --config CFG                        writes <data_dir>/kamailio.cfg, execs kamailio
                                              (SIGTERM to it stops Kamailio's process group)

The generated Kamailio config is the textbook one: registrar (usrloc in memory) with
Digest (realm = domain), min/max/default expires from [limits], 407 for requests from
local users, Record-Route, lookup -> 480 for a known user without bindings and 404 for an
unknown one, and connection reuse for TCP/TLS clients (received/alias), which is what
parley's flows must provide too. DEV_KAMAILIO_ONE_TIME_NONCE=1 makes every nonce
single-use, so that clients' re-challenge paths (e.g. register.xml's refresh) run.
"""

import hashlib
import os
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

KAMAILIO = "/usr/sbin/kamailio"
MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules"


def usage() -> None:
    sys.stderr.write("usage: dev_kamailio_parley.py (user add AOR --password PW | cert init |"
                     " serve) --config CFG\n")
    sys.exit(2)


def option(args: list[str], name: str) -> str:
    if name not in args or args.index(name) + 1 >= len(args):
        usage()
    return args[args.index(name) + 1]


def load_config(path: str) -> dict:
    with open(path, "rb") as f:
        cfg = tomllib.load(f)
    server = cfg.get("server", {})
    listeners = cfg.get("listeners", {})
    limits = cfg.get("limits", {})
    return {
        "domain": server.get("domains", ["parley.test"])[0],
        "fqdn": server.get("fqdn", "localhost"),
        "data_dir": Path(server.get("data_dir", "data")).resolve(),
        "address": server.get("default_address", "0.0.0.0"),
        "udp": listeners.get("frontend.sip-udp", {}).get("port", 5060),
        "tcp": listeners.get("frontend.sip-tcp", {}).get("port", 5060),
        "tls": listeners.get("frontend.sip-tls", {}).get("port", 5061),
        "min_expires": limits.get("min_expires", 60),
        "max_expires": limits.get("max_expires", 7200),
        "default_expires": limits.get("default_expires", 3600),
    }


def users_file(cfg: dict) -> Path:
    return cfg["data_dir"] / "users.txt"


def read_users(cfg: dict) -> dict[str, str]:
    users = {}
    if users_file(cfg).exists():
        for line in users_file(cfg).read_text().splitlines():
            if line.strip():
                aor, password = line.split(" ", 1)
                users[aor] = password
    return users


def user_add(cfg: dict, aor: str, password: str) -> None:
    users = read_users(cfg)
    if aor in users:
        sys.stderr.write(f"user {aor} exists\n")
        sys.exit(1)
    cfg["data_dir"].mkdir(parents=True, exist_ok=True)
    with users_file(cfg).open("a") as f:
        f.write(f"{aor} {password}\n")
    print(f"added {aor}")


def run(args: list[str]) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cert_init(cfg: dict) -> Path:
    pki = cfg["data_dir"] / "pki"
    ca_crt = pki / "ca.crt"
    if ca_crt.exists():
        print(ca_crt)
        return ca_crt
    pki.mkdir(parents=True, exist_ok=True)
    ca_key, srv_key, srv_csr, srv_crt = (pki / n for n in ("ca.key", "server.key",
                                                            "server.csr", "server.crt"))
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", str(ca_key), "-out", str(ca_crt), "-days", "30",
         "-subj", "/CN=Dev Kamailio Parley CA", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(srv_key), "-out", str(srv_csr), "-subj", f"/CN={cfg['fqdn']}"])
    ext = pki / "server.ext"
    ext.write_text(f"subjectAltName=DNS:{cfg['fqdn']},DNS:{cfg['domain']},IP:127.0.0.1\n"
                   "extendedKeyUsage=serverAuth,clientAuth\n")
    run(["openssl", "x509", "-req", "-in", str(srv_csr), "-CA", str(ca_crt), "-CAkey",
         str(ca_key), "-CAcreateserial", "-out", str(srv_crt), "-days", "30",
         "-extfile", str(ext)])
    print(ca_crt)
    return ca_crt


def kamailio_cfg(cfg: dict) -> str:
    users = read_users(cfg)
    # pv_www_authenticate with a password: one branch per known user.
    passwords = "\n".join(
        f'\tif ($var(user) == "{aor.split("@")[0]}") $avp(pw) = "{pw}";'
        for aor, pw in users.items())
    known = " || ".join(f'$rU == "{aor.split("@")[0]}"' for aor in users) or "0"
    d, a = cfg["data_dir"], cfg["address"]
    return f"""#!KAMAILIO
# generated by tests/interop/dev_kamailio_parley.py
debug=2
log_stderror=yes
memdbg=5
memlog=5
children=2
tcp_children=2
auto_aliases=no
listen=udp:{a}:{cfg['udp']}
listen=tcp:{a}:{cfg['tcp']}
listen=tls:{a}:{cfg['tls']}
alias="{cfg['domain']}"
alias="{cfg['fqdn']}"
enable_tls=yes
tcp_accept_aliases=no
mpath="{MODULES}"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "auth.so"
loadmodule "nathelper.so"
loadmodule "tls.so"
modparam("tls", "config", "{d}/kamailio-tls.cfg")
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "timer_interval", 1)
modparam("registrar", "min_expires", {cfg['min_expires']})
modparam("registrar", "max_expires", {cfg['max_expires']})
modparam("registrar", "default_expires", {cfg['default_expires']})
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("rr", "append_fromtag", 1)
{'modparam("auth", "one_time_nonce", 1)' if os.environ.get("DEV_KAMAILIO_ONE_TIME_NONCE") else ""}

request_route {{
	xlog("L_INFO", "request $rm $ru from $proto:$si:$sp\\n");
	if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
	if (!sanity_check("17895", "7")) exit;
	# clients on TCP/TLS: remember the connection in the Contact (alias) for routing back
	if ((proto == TCP || proto == TLS) && !is_method("REGISTER")) add_contact_alias();
	if (has_totag()) {{
		if (loose_route()) {{
			handle_ruri_alias();
			t_relay();
			exit;
		}}
		if (is_method("ACK")) {{ if (t_check_trans()) t_relay(); exit; }}
		sl_send_reply("404", "Not here");
		exit;
	}}
	if (is_method("CANCEL")) {{ if (t_check_trans()) t_relay(); exit; }}
	t_check_trans();
	if (is_method("REGISTER")) {{
		$var(user) = $tU;
		route(PASSWORD);
		if (!pv_www_authenticate("$td", "$avp(pw)", "0")) {{
			if ($au != $null && $au != "") {{
				xlog("L_INFO", "bad credentials for $tU\\n");
			}}
			www_challenge("$td", "0");
			exit;
		}}
		if ($au != $tU) {{ sl_send_reply("403", "Forbidden"); exit; }}
		consume_credentials();
		if (proto == TCP || proto == TLS) fix_nated_register();
		if (!save("location")) sl_reply_error();
		exit;
	}}
	if (from_uri == myself) {{
		$var(user) = $fU;
		route(PASSWORD);
		if (!pv_proxy_authenticate("$fd", "$avp(pw)", "0")) {{
			proxy_challenge("$fd", "0");
			exit;
		}}
		consume_credentials();
	}}
	if (!is_method("ACK")) record_route();
	if (uri == myself) {{
		if (!lookup("location")) {{
			t_newtran();
			if ({known}) {{ t_reply("480", "Temporarily Unavailable"); }}
			else {{ t_reply("404", "Not Found"); }}
			exit;
		}}
	}}
	t_relay();
}}

onreply_route {{
	if (proto == TCP || proto == TLS) add_contact_alias();
}}

route[PASSWORD] {{
	$avp(pw) = "";
{passwords}
}}
"""


def tls_cfg(cfg: dict) -> str:
    pki = cfg["data_dir"] / "pki"
    return f"""[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = {pki}/server.key
certificate = {pki}/server.crt

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
"""


def serve(cfg: dict) -> None:
    cert_init(cfg)
    d = cfg["data_dir"]
    (d / "kamailio.cfg").write_text(kamailio_cfg(cfg))
    (d / "kamailio-tls.cfg").write_text(tls_cfg(cfg))
    sys.stdout.flush()
    # -DD: no daemon, children forked; -E: log to stderr. Kamailio runs in its own process
    # group; SIGTERM to this wrapper ends that whole group (Kamailio's own shutdown can
    # leave its TCP main process behind).
    kam = subprocess.Popen([KAMAILIO, "-DD", "-E", "-m", "64", "-M", "8", "-f",
                            str(d / "kamailio.cfg"), "-Y", str(d / "run")],
                           start_new_session=True)

    def stop(signum, frame):
        try:
            os.killpg(kam.pid, signal.SIGTERM)
            kam.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(kam.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    rc = kam.wait()
    stop(0, None) if rc is None else sys.exit(rc)


def main() -> None:
    args = sys.argv[1:]
    cfg = load_config(option(args, "--config"))
    if args[:2] == ["user", "add"] and len(args) >= 3:
        user_add(cfg, args[2], option(args, "--password"))
    elif args[:2] == ["cert", "init"]:
        cert_init(cfg)
    elif args[:1] == ["serve"]:
        (cfg["data_dir"] / "run").mkdir(parents=True, exist_ok=True)
        serve(cfg)
    else:
        usage()


if __name__ == "__main__":
    main()
