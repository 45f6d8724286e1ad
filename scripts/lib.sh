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

# The newest installed Debian 12 kernel of series $1 (6.1, 6.12) and
# flavour $2 (amd64, rt-amd64): 6.1.0-<abi>-amd64, 6.12.<n>+deb12-rt-amd64.
debian_series_kver() {
	local series=${1//./\\.} flavour=$2
	ls /lib/modules 2>/dev/null |
		grep -E "^$series\.[0-9]+(-[0-9]+|\+deb[0-9]+)-$flavour\$" |
		sort -V | tail -n 1
}

# The Debian kernel everybody runs ("debian" in make check and make run):
# Debian 12's own 6.1 (linux-image-amd64), the series of linux-source-6.1
# that the debug kernels, checkpatch and kunit.py come from. Not merely
# the newest installed: the 6.12 backports below sort after it.
debian_kver() {
	debian_series_kver 6.1 amd64
}

# Debian 12's 6.12 backport (linux-image-6.12-amd64) and its PREEMPT_RT
# build (linux-image-6.12-rt-amd64).
debian612_kver() {
	debian_series_kver 6.12 amd64
}

debian612rt_kver() {
	debian_series_kver 6.12 rt-amd64
}

die() {
	echo "gmp: $*" >&2
	exit 1
}

log() {
	echo "gmp: $*" >&2
}

# A config fragment with its "#include NAME" lines replaced by the named
# fragment (from the same directory), keeping only the last assignment of
# each option, so that a fragment can start from another and override it.
expand_fragment() {
	local frag=$1 line
	while IFS= read -r line; do
		case "$line" in
		"#include "*) expand_fragment "$(dirname "$frag")/${line#\#include }" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$frag"
}

fragment_config() {
	expand_fragment "$1" | awk '
		/^CONFIG_[A-Za-z0-9_]*=/ { opt = $0; sub(/=.*/, "", opt); last[opt] = NR }
		{ line[NR] = $0 }
		END {
			for (i = 1; i <= NR; i++) {
				opt = line[i]
				if (opt ~ /^CONFIG_[A-Za-z0-9_]*=/) {
					sub(/=.*/, "", opt)
					if (last[opt] != i)
						continue
				}
				print line[i]
			}
		}'
}

# Cache key of a debug kernel: its expanded config fragment + the source
# package version.
debug_kernel_key() {
	local frag=${1:-$GMP_TOP/scripts/kconfig/debug.config}
	local ver
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)
	{ fragment_config "$frag"; echo "$ver"; } | sha256sum | cut -c1-16
}

debug_kernel_dir() {
	local frag=${1:-$GMP_TOP/scripts/kconfig/debug.config}
	echo "$GMP_CACHE/kernel-$(basename "$frag" .config)-$(debug_kernel_key "$frag")"
}
