#!/usr/bin/env bash
# Installs what building and testing nstack needs on Debian, only what is missing.
# Usage: scripts/deps.sh [build|test|bench]   (test and bench include build)
set -eu
want="build-essential cmake pkg-config libcmocka-dev libxdp-dev libbpf-dev"
case "${1:-build}" in
  test)  want="$want clang libclang-rt-14-dev iproute2 iputils-ping iputils-tracepath iputils-arping
               tcpdump tshark python3-scapy python3-pytest curl netcat-openbsd socat iperf3 ethtool" ;;
  bench) want="$want iproute2 liblwip-dev hyperfine iperf3 netcat-openbsd nftables ethtool" ;;
esac
missing=""
for p in $want; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
