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
