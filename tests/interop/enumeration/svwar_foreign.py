#!/usr/bin/env python3
"""sipvicious svwar with its From header in another domain than the one it scans.

Stock svwar writes the same domain into the Request-URI, To and From, so against
parley every INVITE or OPTIONS it sends comes "from a local user" and is challenged
(407) before any routing. The requests that used to leak (404 for an unknown user,
480 for a known one) are those of a caller in another domain, who cannot be
challenged. This runs svwar's own scanner and classification unchanged (same command
line, same output) except for one thing: the From header of its requests names
`sip:<extension>@example.org` (the tag, which svwar uses to match answers to
extensions, is kept).

Usage: svwar_foreign.py [svwar options] target   (as svwar; --domain is the scanned one)
"""

import sys

# Debian's sipvicious keeps its modules out of the default path (/usr/bin/svwar
# loads them through its entry point).
sys.path.insert(0, "/usr/share/sipvicious")

from sipvicious import svwar  # noqa: E402

FOREIGN_DOMAIN = "example.org"
_original = svwar.TakeASip.createRequest


def _foreign_from(self, m, username=None, auth=None, cid=None, cseq=1, fromaddr=None,
                  toaddr=None, contact=None):
    if fromaddr is None and username is not None:
        fromaddr = f'"{username}"<sip:{username}@{FOREIGN_DOMAIN}>'
    return _original(self, m, username=username, auth=auth, cid=cid, cseq=cseq,
                     fromaddr=fromaddr, toaddr=toaddr, contact=contact)


svwar.TakeASip.createRequest = _foreign_from

if __name__ == "__main__":
    sys.argv[0] = "svwar"
    sys.exit(svwar.main())
