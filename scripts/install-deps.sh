#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages gmp needs to build and test. As root it
# installs what is missing; otherwise it prints the exact apt-get line.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# linux-*-6.12-amd64 and -6.12-rt-amd64 (bookworm's 6.12 backport and its
# PREEMPT_RT build) follow that series' newest ABI, as linux-image-amd64
# follows 6.1's; make check boots them too (scripts/lib.sh, debian612_kver).
pkgs=(qemu-system-x86 linux-image-amd64 linux-headers-amd64 linux-source-6.1
      linux-image-6.12-amd64 linux-headers-6.12-amd64
      linux-image-6.12-rt-amd64 linux-headers-6.12-rt-amd64
      busybox-static build-essential bc flex bison libelf-dev libssl-dev
      dwarves cpio python3 kmod xz-utils gzip rsync sparse spin dkms)
[ "${GMP_WITH_GO:-0}" = 1 ] && pkgs+=(golang-go gnuplot-nox)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "gmp: missing packages; run as root:" >&2
	echo "  apt-get update && $line" >&2
	exit 1
fi
log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
