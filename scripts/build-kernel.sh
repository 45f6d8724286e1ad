#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a debug test kernel from Debian's linux-source-6.1 package:
# tinyconfig + scripts/kconfig/<name>.config (debug.config by default;
# kcsan.config starts from it with "#include debug.config"). The result (bzImage and a
# module build tree with vmlinux.symvers) is cached outside the repo in
# $GMP_CACHE/kernel-<name>-<key>, where key hashes the fragment and the
# source package version, so a warm run does not rebuild it.
#
# Usage: scripts/build-kernel.sh [fragment]   (prints the build dir)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

frag=${1:-$GMP_TOP/scripts/kconfig/debug.config}
out=$(debug_kernel_dir "$frag")
if [ -f "$out/.gmp-done" ]; then
	echo "$out"
	exit 0
fi

src=$("$GMP_TOP/scripts/ksrc.sh")

log "building debug kernel in $out (takes a few minutes)"
rm -rf "$out"
mkdir -p "$out"
jobs=$(nproc)
fragment_config "$frag" >"$out/fragment.config"
make -s -C "$src" O="$out" ARCH=x86_64 tinyconfig >"$out/build.log" 2>&1
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
	"$out/fragment.config" >>"$out/build.log" 2>&1
make -s -C "$src" O="$out" ARCH=x86_64 olddefconfig >>"$out/build.log" 2>&1

# Every line of the fragment must have survived olddefconfig: a silently
# dropped option would mean testing without a gate we think we have.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%%=*}
		grep -q "^$opt=" "$out/.config" && { log "not unset: $opt"; missing=1; } ;;
	CONFIG_*=*) grep -qx "$line" "$out/.config" || { log "dropped: $line"; missing=1; } ;;
	esac
done <"$out/fragment.config"
[ "$missing" = 0 ] || die "config fragment not honoured (see above)"

if ! make -C "$src" O="$out" ARCH=x86_64 -j"$jobs" bzImage modules_prepare \
	>>"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	die "kernel build failed; log in $out/build.log"
fi
# modpost for vmlinux: produces vmlinux.symvers for external modules.
make -C "$src" O="$out" ARCH=x86_64 -j"$jobs" modules >>"$out/build.log" 2>&1 || true
[ -f "$out/vmlinux.symvers" ] || die "no vmlinux.symvers in $out"
kver=$(cat "$out/include/config/kernel.release")
echo "$kver" >"$out/.gmp-kver"
touch "$out/.gmp-done"
log "debug kernel $kver ready"
echo "$out"
