#!/usr/bin/env bash
# Installs every build and test dependency of Parley on Debian 12 (bookworm),
# plus any extra packages named as arguments.
#
# Idempotent: asks dpkg first and touches apt only when a package is missing, then runs
# `apt-get update` once and installs just the missing ones (no recommends: baresip's
# recommends are GTK/X11/FFmpeg front ends the tests do not use).
# Runs as root, or through sudo when it is available.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config
  libboost-dev libssl-dev libsqlite3-dev libspdlog-dev libfmt-dev libcli11-dev
  libtomlplusplus-dev libgtest-dev libgmock-dev libbenchmark-dev libpugixml-dev
  # interop tests: real SIP peers and the tools around them
  sip-tester sipsak baresip sox openssl sqlite3 python3 netcat-openbsd procps sipvicious
  # Lync-protocol client: pidgin-sipe, driven headless by tests/interop/sipe/sipe_driver.c
  # (compiled by tests/interop/sipe_client.py against libpurple, glib and libxml2)
  pidgin-sipe libpurple-dev libglib2.0-dev libxml2-dev
  # `parley firewall` output is checked by the rule tools themselves (nft -c,
  # iptables-restore --test), in network namespaces of the test's own (unshare, ip netns)
  nftables iptables util-linux iproute2
)
# Extra packages named on the command line (scripts/fuzz.sh: clang libclang-rt-dev).
PACKAGES+=("$@")

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "deps: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "deps: missing ${missing[*]}; run this script as root (no sudo here)" >&2
    exit 1
  fi
fi

echo "deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
