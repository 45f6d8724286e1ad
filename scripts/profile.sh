#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make profile`: where a gmp job spends its time, measured with perf inside
# the VM (Debian's stock kernel, QEMU TCG). TCG has no PMU, so this samples
# cpu-clock (an hrtimer): the split between functions is meaningful, the
# absolute time is not.
#
#   scripts/profile.sh [gmpctl run arguments]
#   GMP_SMP=1 scripts/profile.sh pingpong --iters 200000
#
# Default job: pingpong --iters 100000. Environment: GMP_SMP (vCPUs, 1),
# GMP_PERF_FREQ (samples per second, 4000), GMP_PERF_CALLGRAPH=1 (-g).
# Prints perf's flat profile (self time per symbol, all CPUs) and, with
# call graphs, the callers; everything stays in build/profile/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- pingpong --iters 100000
perf=$(command -v perf || true)
[ -n "$perf" ] || die "perf not found (Debian: apt-get install linux-perf)"
kver=$(debian_kver)
[ -n "$kver" ] || die "no Debian kernel installed (make deps)"
out=$GMP_TOP/build/profile
rm -rf "$out"
mkdir -p "$out/perf/lib"

make -C "$GMP_TOP" -s tools
"$GMP_TOP/scripts/build-module.sh" "/lib/modules/$kver/build" "$out/module" \
	>"$out/module.log" 2>&1 ||
	{ tail -n 30 "$out/module.log"; die "module build failed"; }

# perf and the shared libraries it needs, run through their own loader.
cp "$(readlink -f "$perf")" "$out/perf/perf"
ldd "$perf" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' |
	while read -r lib; do
		cp -L "$lib" "$out/perf/lib/"
	done
cp -L /lib64/ld-linux-x86-64.so.2 "$out/perf/ld.so"

{
	echo "job='$*'"
	echo "freq=${GMP_PERF_FREQ:-4000}"
	echo "cg='$([ "${GMP_PERF_CALLGRAPH:-0}" = 1 ] && echo -g)'"
	cat <<'GUEST'
P="/gmp/perf/ld.so --library-path /gmp/perf/lib /gmp/perf/perf"
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
/gmp/gmpctl run $job >/dev/null		# warm the free lists
cd /tmp
$P record -q -a $cg -F "$freq" -e cpu-clock -o /tmp/perf.data \
	-- /gmp/gmpctl run $job
echo "@@gmp begin profile"
$P report -i /tmp/perf.data --stdio --no-children --sort sym \
	--percent-limit 0.5 2>/dev/null | grep -v '^$'
echo "@@gmp end"
GUEST
} >"$out/profile.sh"

log "booting $kver (QEMU TCG, SMP ${GMP_SMP:-1}) to profile: gmpctl run $*"
"$GMP_TOP/scripts/vm.sh" --kernel "/boot/vmlinuz-$kver" \
	--module "$out/module/gmp.ko" --plan exec --smp "${GMP_SMP:-1}" \
	--mem 2048 --timeout 900 --out "$out/vm" \
	--file "$out/perf" --file "$out/profile.sh" || true
sed -n '/^@@gmp begin profile/,/^@@gmp end/p' "$out/vm/results.log" |
	grep -v '^@@gmp' || die "no profile; see $out/vm/results.log"
