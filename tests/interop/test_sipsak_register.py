#!/usr/bin/env python3
"""sipsak (0.9.8.1) against parley's registrar and proxy, over UDP and TCP.

Checks, in order:
  1. REGISTER with Digest over UDP and over TCP (401 challenge, then 200);
  2. a REGISTER without Contact returns the current bindings (RFC 3261 10.2.3), both
     contacts with an expires parameter;
  3. a wrong password is refused (401 again or 403) and adds no binding;
  4. removing one binding (Contact + Expires: 0) leaves the other; "Contact: *" with
     Expires: 0 removes the rest (RFC 3261 10.2.2);
  5. a request to alice is proxied to her registered contact: sipsak registers a contact
     where a SIPp UAS listens, then sends OPTIONS to sip:alice@parley.test through
     parley; SIPp answers 200 and sipsak gets it back through the proxy;
  6. that binding had Expires: 2: 3 s later the same OPTIONS gets 480 (RFC 3261 16.5:
     no target set for a user that exists).

sipsak writes its REGISTER without angle brackets ("Contact: sip:alice@host:port"), so
this also checks addr-spec parsing. Its exit codes: 0 = 200 received, 1 = another final
response, 2 = local error (also "authorization failed" after a second 401), 3 = no answer.
"""

import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import HOST, ParleyServer, check, free_port, info, run_tool, step  # noqa: E402

ALICE = "alice"
PASSWORD = "secret-alice-1"
AOR_URI = f"sip:{ALICE}@{harness.DOMAIN}"


class Sipsak:
    def __init__(self, srv: ParleyServer) -> None:
        harness.require_tool("sipsak")
        self.srv = srv

    def run(self, *args: str, transport: str = "udp", password: str = PASSWORD,
            timeout: float = 15) -> harness.ToolResult:
        """sipsak towards parley: -p outbound proxy, -H our address in Via/Contact.

        For UDP, -S -l PORT sends and receives on one socket, so the reply reaches
        sipsak whether parley answers to the Via port or (rport) to the source port.
        """
        # -p before -s: sipsak resolves the -s host unless a proxy address is already set.
        common = ["-p", f"{HOST}:{self.srv.sip_port}", "-s", AOR_URI, "-H", HOST,
                  "-E", transport, "-u", ALICE, "-a", password, "-vvv"]
        if transport == "udp":
            common += ["-S", "-l", str(free_port(udp=True, tcp=False))]
        return run_tool(["sipsak", *args, *common], timeout=timeout)

    def register(self, contact: str, expires: int, **kw) -> harness.ToolResult:
        return self.run("-U", "-C", contact, "-x", str(expires), **kw)

    def bindings(self, transport: str = "udp") -> str:
        """The Contact header lines of the 200 to a REGISTER without Contact (a query)."""
        r = self.run("-U", "-C", "empty", "-x", "3600", transport=transport)
        check(r.returncode == 0, "a REGISTER without Contact (binding query) gets 200",
              r.describe())
        final = last_response(r.output, 200)
        return "\n".join(l for l in final.splitlines()
                         if re.match(r"(?i)(contact|m)\s*:", l))


def last_response(output: str, code: int) -> str:
    """The last 'SIP/2.0 <code> ...' message in sipsak's -vvv output (up to a blank line)."""
    blocks = re.findall(rf"(SIP/2\.0 {code} .*?)(?:\r?\n\r?\n|\Z)", output, re.S)
    return blocks[-1] if blocks else ""


def contact_pattern(contact: str) -> re.Pattern:
    """Matches `contact` (without params) inside a Contact header value."""
    return re.compile(re.escape(contact) + r"(?=[;>,\s]|$)", re.I)


def main() -> None:
    with ParleyServer("sipsak", users={f"{ALICE}@{harness.DOMAIN}": PASSWORD},
                      limits={"min_expires": 1}) as srv:
        sipsak = Sipsak(srv)
        udp_contact = f"sip:{ALICE}@{HOST}:{free_port()}"
        tcp_contact = f"sip:{ALICE}@{HOST}:{free_port()};transport=tcp"

        step("REGISTER alice over UDP with Digest (401 -> 200)")
        r = sipsak.register(udp_contact, 300, transport="udp")
        check(r.returncode == 0, "sipsak -U over UDP exits 0 (200 OK after the challenge)",
              r.describe())
        check(re.search(r"SIP/2\.0 401 ", r.output) is not None,
              "parley challenged the first REGISTER (401 with WWW-Authenticate)", r.describe())
        check(re.search(r'(?i)WWW-Authenticate:\s*Digest [^\n]*realm="parley\.test"',
                        r.output) is not None,
              "the challenge is Digest with realm \"parley.test\" (the domain)", r.describe())

        step("REGISTER alice over TCP with Digest (401 -> 200)")
        r = sipsak.register(tcp_contact, 300, transport="tcp")
        check(r.returncode == 0, "sipsak -U over TCP exits 0", r.describe())

        step("query alice's bindings (REGISTER without Contact)")
        contacts = sipsak.bindings()
        info("bindings:\n" + harness.indent(contacts or "(none)"))
        check(bool(contact_pattern(udp_contact).search(contacts)),
              f"the 200 lists the UDP binding {udp_contact}", contacts)
        check(bool(contact_pattern(tcp_contact.split(";")[0]).search(contacts)),
              f"the 200 lists the TCP binding {tcp_contact}", contacts)
        values = [v for line in contacts.splitlines()
                  for v in line.split(":", 1)[1].split(",")]
        check(len(values) == 2 and
              all(re.search(r"(?i);\s*expires\s*=\s*[1-9]", v) for v in values),
              "exactly the two bindings, each with an expires parameter (RFC 3261 10.3 "
              "step 8)", contacts)

        step("REGISTER with a wrong password is refused")
        wrong_contact = f"sip:{ALICE}@{HOST}:{free_port()}"
        r = sipsak.register(wrong_contact, 300, password="not-the-password")
        check(r.returncode in (1, 2), "sipsak fails with a wrong password", r.describe())
        # exit 2 + this text: a second 401 to the request that carried credentials;
        # exit 1: another final response, which must be 403.
        again_401 = "request already contains (Proxy-) Authorization" in r.output
        got_403 = re.search(r"SIP/2\.0 403 ", r.output) is not None
        check(again_401 or got_403,
              "parley answered the bad credentials with 401 (again) or 403", r.describe())
        contacts = sipsak.bindings()
        check(not contact_pattern(wrong_contact).search(contacts),
              "no binding was added by the refused REGISTER", contacts)

        step("remove the UDP binding (Expires: 0); the TCP binding stays")
        r = sipsak.register(udp_contact, 0)
        check(r.returncode == 0, "REGISTER with Expires: 0 gets 200", r.describe())
        contacts = sipsak.bindings()
        info("bindings:\n" + harness.indent(contacts or "(none)"))
        check(not contact_pattern(udp_contact).search(contacts),
              f"{udp_contact} is gone", contacts)
        check(bool(contact_pattern(tcp_contact.split(";")[0]).search(contacts)),
              f"{tcp_contact} is still there", contacts)

        step("remove all bindings (Contact: *, Expires: 0)")
        r = sipsak.register("*", 0)
        check(r.returncode == 0, "REGISTER with Contact: * and Expires: 0 gets 200",
              r.describe())
        contacts = sipsak.bindings()
        check(contacts.strip() == "", "alice has no bindings left", contacts)

        step("a request to alice reaches her registered contact (a SIPp UAS), expires 2")
        # sipsak 0.9.8.1's MESSAGE (-M) and INVITE (-I) modes crash in Debian's build, so
        # the request is sipsak's default OPTIONS; SIPp answers it at alice's contact.
        uas_port = free_port(udp=True, tcp=False)
        uas = harness.spawn("sipp-uas", [
            "sipp", "-sf", harness.interop_dir() / "sipp" / "uas_options.xml",
            "-i", HOST, "-p", uas_port, "-t", "u1", "-m", "1", "-nostdin",
            "-cp", free_port(udp=True, tcp=False), "-timeout", "20s", "-trace_err",
            "-error_file", srv.dir / "sipp-uas-errors.log"],
            srv.dir / "sipp-uas.log", cwd=srv.dir)
        r = sipsak.register(f"sip:{ALICE}@{HOST}:{uas_port}", 2)
        registered_at = time.monotonic()
        check(r.returncode == 0, "alice registers a contact for 2 s", r.describe())
        r = sipsak.run()          # OPTIONS sip:alice@parley.test via parley
        check(r.returncode == 0,
              "parley forwarded OPTIONS to alice's contact and relayed its 200", r.describe())
        try:
            rc = uas.wait(timeout=5)
        except subprocess.TimeoutExpired:
            rc = None
        check(rc == 0, "the SIPp UAS at alice's contact received the OPTIONS and answered",
              f"sipp exit code {rc}\n" + harness.tail(srv.dir / "sipp-uas.log", 40))

        step("the 2 s binding expires: a request 3 s later gets 480")
        time.sleep(max(0.0, registered_at + 3.0 - time.monotonic()))
        r = sipsak.run()
        check(r.returncode == 1, "sipsak's OPTIONS to alice fails with a final response",
              r.describe())
        check(bool(re.search(r"SIP/2\.0 480 ", r.output)),
              "parley answers 480 Temporarily Unavailable: the binding expired", r.describe())
        srv.check_running()


if __name__ == "__main__":
    harness.run_test(main)
