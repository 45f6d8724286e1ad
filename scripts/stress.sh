#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make stress`: run chosen KUnit suites many times in one boot, on chosen
# kernels of the matrix, to catch a flaky case (a lost wakeup shows up
# once in tens of runs, more often on a busy host).
#
#   SUITES  comma-separated suites (default gmp_sync,gmp_proc,gmp_sysmon,
#           gmp_after)
#   N       runs per boot (default 50)
#   CELLS   kernel:smp pairs (default "kcsan:2 debug:2 kcsan:4 debug:4")
#   HOG=1   keep every host CPU busy beside the VM (a loaded host makes
#           races likelier)
#
# Each cell's logs go to build/stress/<kernel>-smp<N>/; the last line is
# `N passed, M failed` over every case of every run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

suites=${SUITES:-gmp_sync,gmp_proc,gmp_sysmon,gmp_after}
n=${N:-50}
cells=${CELLS:-"kcsan:2 debug:2 kcsan:4 debug:4"}
"$GMP_TOP/scripts/install-deps.sh" || die "dependencies missing (see above)"
out=$GMP_TOP/build/stress
mkdir -p "$out"
hogs=()
if [ "${HOG:-0}" = 1 ]; then
	for _ in $(seq "$(nproc)"); do
		sh -c 'while :; do :; done' &
		hogs+=($!)
	done
	trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
fi
passed=0 failed=0
for cell in $cells; do
	k=${cell%%:*} smp=${cell##*:}
	label=$k-smp$smp
	frag=$GMP_TOP/scripts/kconfig/$k.config
	[ -f "$frag" ] || die "no kernel '$k' (scripts/kconfig/$k.config)"
	kdir=$("$GMP_TOP/scripts/build-kernel.sh" "$frag") || die "$k kernel build failed"
	"$GMP_TOP/scripts/build-module.sh" "$kdir" "$GMP_TOP/build/$k" \
		>"$out/module-$k.log" 2>&1 || die "module build failed: $out/module-$k.log"
	echo "$n" >"$out/repeat"
	log "booting $label: $suites, $n runs"
	t0=$(date +%s)
	"$GMP_TOP/scripts/vm.sh" --kernel "$kdir/arch/x86/boot/bzImage" \
		--module "$GMP_TOP/build/$k/gmp.ko" --plan stress --smp "$smp" \
		--timeout "${GMP_VM_TIMEOUT:-14400}" --out "$out/$label" \
		--kunit-suites "$suites" --file "$out/repeat"
	python3 "$GMP_TOP/scripts/parse-results.py" --label "$label" \
		--console "$out/$label/console.log" \
		--results "$out/$label/results.log" \
		--json "$out/$label/verdicts.json" >"$out/$label/verdicts.txt"
	grep -v "^ok " "$out/$label/verdicts.txt"
	runs=$(grep -c "^@@gmp stress run" "$out/$label/results.log")
	log "$label: $runs of $n runs started in $(( $(date +%s) - t0 )) s"
	p=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["passed"])' "$out/$label/verdicts.json")
	f=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["failed"])' "$out/$label/verdicts.json")
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
