#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make run`: install what is missing, build, boot Debian's stock kernel in
# QEMU with gmp loaded, and show what the module does.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$GMP_TOP/scripts/install-deps.sh"
"$GMP_TOP/scripts/ksrc.sh" >/dev/null
kver=$(debian_kver)
[ -n "$kver" ] || die "no Debian kernel installed"
out=$GMP_TOP/build/run
mkdir -p "$GMP_TOP/build"
log "building gmpctl, the selftests and gmp.ko against /lib/modules/$kver/build"
make -C "$GMP_TOP" -s tools selftests KDIR="/lib/modules/$kver/build"
"$GMP_TOP/scripts/build-module.sh" "/lib/modules/$kver/build" \
	"$GMP_TOP/build/debian" >"$GMP_TOP/build/module-run.log" 2>&1 ||
	{ tail -n 30 "$GMP_TOP/build/module-run.log"; die "module build failed"; }
# The 1M-goroutine tree's peak live set does not fit the default per-file
# stack cap (a quarter of RAM) of a 2 GiB guest yet: README, "make run".
mem=${GMP_DEMO_MEM_MB:-4096}
log "booting /boot/vmlinuz-$kver (QEMU TCG, SMP ${GMP_SMP:-2}, $mem MiB)"
rc=0
"$GMP_TOP/scripts/vm.sh" --kernel "/boot/vmlinuz-$kver" \
	--module "$GMP_TOP/build/debian/gmp.ko" --plan demo \
	--smp "${GMP_SMP:-2}" --mem "$mem" --timeout 600 --out "$out" || rc=$?
# The gmpctl trace timeline comes as a gzipped, base64 block: not shown.
sed '/^@@gmp begin trace/,/^@@gmp end/d' "$out/results.log" | grep -v '^@@gmp' || true
grep -q '^@@gmp done rc=0' "$out/results.log" ||
	die "demo failed (rc=$rc); console in $out/console.log"
rm -f "$out/trace.json"
if grep -q '^@@gmp begin trace' "$out/results.log"; then
	sed -n '/^@@gmp begin trace/,/^@@gmp end/{/^@@gmp/!p}' "$out/results.log" |
		tr -d '\r' | base64 -d | gunzip >"$out/trace.json" ||
		die "the trace in $out/results.log is damaged"
	echo "trace: ${out#"$GMP_TOP"/}/trace.json (open it in ui.perfetto.dev or chrome://tracing)"
fi
echo "gmp: demo passed: skynet of 1,111,111 goroutines, ping-pong, stats, unload"
