#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make profile`: where a gmp job spends its time, inside the VM (Debian's
# stock kernel, QEMU TCG).
#
#   scripts/profile.sh [gmpctl run arguments]
#   GMP_SMP=2 scripts/profile.sh skynet --size 100000
#
# Three profilers (GMP_PROFILER):
#   insns (default) scripts/qemu-plugin/gmp_insns.c, a TCG plugin, counts
#         the guest instructions of every translated block, and
#         scripts/insnprof.py charges them to functions. Exact with one
#         vCPU and independent of host load; GMP_PROFILE_OPS=N also
#         divides by N operations (e.g. the round trips of a pingpong).
#   gdb   scripts/gdbprof.py stops the guest through QEMU's
#         gdbstub every few ms and reads each vCPU's program counter. Like
#         an NMI, it sees inside interrupts-off regions (gmp's switch, raw
#         spinlocks held with irqsave).
#   perf  perf record -e cpu-clock in the guest. TCG has no PMU, so the
#         samples come from a timer interrupt and every one that falls in
#         an interrupts-off region is charged to the instruction that turns
#         interrupts back on; GMP_PERF_CALLGRAPH=1 adds call graphs.
# The split between functions is what to read; absolute times under TCG
# (and stopped by the sampler) are not. Default job: pingpong --iters
# 100000. GMP_SMP: vCPUs (1). Files stay in build/profile/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- pingpong --iters 100000
profiler=${GMP_PROFILER:-insns}
kver=$(debian_kver)
[ -n "$kver" ] || die "no Debian kernel installed (make deps)"
out=$GMP_TOP/build/profile
rm -rf "$out"
mkdir -p "$out"

make -C "$GMP_TOP" -s tools
"$GMP_TOP/scripts/build-module.sh" "/lib/modules/$kver/build" "$out/module" \
	>"$out/module.log" 2>&1 ||
	{ tail -n 30 "$out/module.log"; die "module build failed"; }

files=(--file "$out/profile.sh")
{
	echo "job='$*'"
	echo "profiler=$profiler"
	echo "freq=${GMP_PERF_FREQ:-4000}"
	echo "cg='$([ "${GMP_PERF_CALLGRAPH:-0}" = 1 ] && echo -g)'"
	cat <<'GUEST'
echo 0 >/proc/sys/kernel/kptr_restrict
/gmp/gmpctl run $job >/dev/null		# warm up: free lists, caches
if [ "$profiler" != perf ]; then
	echo "@@gmp begin kallsyms"
	grep ' [tT] ' /proc/kallsyms	# Debian ships no System.map
	echo "@@gmp end"
	sleep 5		# the host attaches to the gdbstub meanwhile
	echo "@@gmp profile start"
	sleep 1		# the host takes its first snapshot meanwhile
	/gmp/gmpctl run $job
	sleep 1
	echo "@@gmp profile stop"
	sleep 2
else
	P="/gmp/perf/ld.so --library-path /gmp/perf/lib /gmp/perf/perf"
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	cd /tmp
	$P record -q -a $cg -F "$freq" -e cpu-clock -o /tmp/perf.data \
		-- /gmp/gmpctl run $job
	echo "@@gmp begin profile"
	$P report -i /tmp/perf.data --stdio --no-children --sort sym \
		--percent-limit 0.5 2>/dev/null | grep -v '^$'
	echo "@@gmp end"
fi
GUEST
} >"$out/profile.sh"

if [ "$profiler" = perf ]; then
	perf=$(command -v perf || true)
	[ -n "$perf" ] || die "perf not found (Debian: apt-get install linux-perf)"
	mkdir -p "$out/perf/lib"
	# perf and its shared libraries, run through their own loader.
	cp "$(readlink -f "$perf")" "$out/perf/perf"
	ldd "$perf" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' |
		while read -r lib; do cp -L "$lib" "$out/perf/lib/"; done
	cp -L /lib64/ld-linux-x86-64.so.2 "$out/perf/ld.so"
	files+=(--file "$out/perf")
fi

log "booting $kver (QEMU TCG, SMP ${GMP_SMP:-1}) to profile with $profiler: gmpctl run $*"
port=$((20000 + RANDOM % 20000))
qarg=()
case $profiler in
gdb) qarg=(--qemu-arg -gdb --qemu-arg "tcp:127.0.0.1:$port") ;;
insns)
	gcc -O2 -Wall -shared -fPIC -o "$out/gmp_insns.so" \
		"$GMP_TOP/scripts/qemu-plugin/gmp_insns.c" -lpthread
	qarg=(--qemu-arg -plugin --qemu-arg "$out/gmp_insns.so,prefix=$out/counts")
	;;
esac
"$GMP_TOP/scripts/vm.sh" --kernel "/boot/vmlinuz-$kver" \
	--module "$out/module/gmp.ko" --plan exec --smp "${GMP_SMP:-1}" \
	--mem 2048 --timeout 900 --out "$out/vm" "${files[@]}" "${qarg[@]}" &
vm=$!
if [ "$profiler" != perf ]; then
	# The symbols come from the guest, once the module is loaded.
	until grep -q '^@@gmp end' "$out/vm/results.log" 2>/dev/null ||
	      ! kill -0 $vm 2>/dev/null; do
		sleep 0.2
	done
	sed -n '/^@@gmp begin kallsyms/,/^@@gmp end/p' "$out/vm/results.log" |
		grep -v '^@@gmp' >"$out/gmp.kallsyms"
	if [ "$profiler" = gdb ]; then
		python3 "$GMP_TOP/scripts/gdbprof.py" --port "$port" \
			--results "$out/vm/results.log" \
			--symbols "$out/gmp.kallsyms" \
			--interval-ms "${GMP_GDBPROF_MS:-2}" | tee "$out/profile.txt"
	else
		for n in 1 2; do
			marker=start
			[ $n = 2 ] && marker=stop
			until grep -q "^@@gmp profile $marker" "$out/vm/results.log" ||
			      ! kill -0 $vm 2>/dev/null; do
				sleep 0.05
			done
			touch "$out/counts.req"
			until [ -f "$out/counts.$n" ] || ! kill -0 $vm 2>/dev/null; do
				sleep 0.05
			done
		done
		python3 "$GMP_TOP/scripts/insnprof.py" --symbols "$out/gmp.kallsyms" \
			--before "$out/counts.1" --after "$out/counts.2" \
			--ops "${GMP_PROFILE_OPS:-0}" | tee "$out/profile.txt"
	fi
	wait $vm || true
	grep -v '^@@gmp' "$out/vm/results.log" | grep -v ' [tT] ' || true
else
	wait $vm || true
	sed -n '/^@@gmp begin profile/,/^@@gmp end/p' "$out/vm/results.log" |
		grep -v '^@@gmp' || die "no profile; see $out/vm/results.log"
fi
