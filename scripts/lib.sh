# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the gmp scripts. Source it; do not run it.

GMP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -z "${GMP_CACHE:-}" ]; then
	if [ "$(id -u)" = 0 ]; then
		GMP_CACHE=/var/cache/gmp
	else
		GMP_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/gmp
	fi
fi
export GMP_TOP GMP_CACHE

# The Debian kernel everybody runs: newest installed linux-image-*-amd64.
debian_kver() {
	local d
	d=$(ls -d /lib/modules/*-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && basename "$d"
}

die() {
	echo "gmp: $*" >&2
	exit 1
}

log() {
	echo "gmp: $*" >&2
}

# Cache key of the debug kernel: config fragment + source package version.
debug_kernel_key() {
	local frag=${1:-$GMP_TOP/scripts/kconfig/debug.config}
	local ver
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)
	{ cat "$frag"; echo "$ver"; } | sha256sum | cut -c1-16
}

debug_kernel_dir() {
	local frag=${1:-$GMP_TOP/scripts/kconfig/debug.config}
	echo "$GMP_CACHE/kernel-$(basename "$frag" .config)-$(debug_kernel_key "$frag")"
}
