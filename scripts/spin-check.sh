#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Model-check gmp's spinning/park/unpark protocol (model/park.pml) with
# SPIN: the protocol configurations must verify, and each seeded bug
# (-DBUG_*) must give a counterexample, which shows that the checks can
# fail. model/README.md describes the model and the results.
#
#   scripts/spin-check.sh          the quick set, a few minutes at most
#   scripts/spin-check.sh --full   also the big configurations (3 Ps with
#                                  two producers, the boot race, ...):
#                                  half an hour or more, up to 12 GB
#
# Prints `ok   spin.NAME` or `FAIL spin.NAME DETAIL` per check, then
# `N passed, M failed`. Exit status: 0 if every check came out as
# expected, 1 if not, 2 if spin or gcc is missing. Installs nothing.
# Counterexample trails, and their replay as text, go to
# $GMP_SPIN_OUT (default build/spin/); pan's files to a temporary directory.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
model=$top/model/park.pml
out=${GMP_SPIN_OUT:-$top/build/spin}
full=0
case "${1:-}" in
"") ;;
--full) full=1 ;;
*) echo "usage: $0 [--full]" >&2; exit 2 ;;
esac

for tool in spin gcc; do
	if ! command -v "$tool" >/dev/null; then
		echo "spin-check: $tool is not installed (Debian: apt-get install $tool)" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gmp-spin.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

passed=0 failed=0
stats=()

# What a pan report says went wrong, in a few words.
verdict_of() {	# verdict_of PANLOG
	local log=$1 line
	line=$(grep -m1 -E "assertion violated|acceptance cycle|invalid end state" "$log")
	case "$line" in
	*acceptance*) echo "liveness: a G never runs (acceptance cycle)" ;;
	*"invalid end state"*) echo "invalid end state (a process stuck)" ;;
	*wakes_inflight*) echo "lost wakeup: a G queued, every M asleep, no wake coming" ;;
	*"ran==submitted"*) echo "end state with a G that never ran" ;;
	*"nmspinning>=0"*) echo "nmspinning < 0" ;;
	*"npidle>=0"*) echo "npidle outside [0, NP]" ;;
	*) echo "${line#pan:1: }" | cut -c1-100 ;;
	esac
}

# check NAME pass|fail safety|liveness small|big DEFINES...
# big: optimised pan, a bigger hash table, lossless state compression.
check() {
	local name=$1 expect=$2 mode=$3 size=$4
	shift 4
	local dir=$tmp/$name cflags="-DVECTORSZ=2048 -DMEMLIM=12000"
	local panargs="-m100000" log t0 t1 errors states detail

	if [ "$size" = big ]; then
		cflags+=" -O2 -DCOLLAPSE"
		panargs+=" -w27"
	else
		cflags+=" -O0"	# compiles in a second; the search is short
		panargs+=" -w24"
	fi
	mkdir -p "$dir"
	cp "$model" "$dir/park.pml"
	log=$dir/pan.log
	if [ "$mode" = safety ]; then
		cflags+=" -DSAFETY"
	else
		cflags+=" -DNFAIR=4"
		panargs+=" -a -f"
	fi
	t0=$(date +%s%N)
	if ! (cd "$dir" && spin -a "$@" park.pml >spin.log 2>&1 &&
	      gcc $cflags -o pan pan.c >gcc.log 2>&1); then
		record fail "$name" "model does not build (spin/gcc, see $dir)"
		cat "$dir/spin.log" "$dir/gcc.log" 2>/dev/null | head -n 5
		return
	fi
	(cd "$dir" && ./pan $panargs) >"$log" 2>&1
	t1=$(date +%s%N)
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	states=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$log" | tail -n 1)
	stats+=("$(printf '%-26s %-8s %14s states %7.1fs' "spin.$name" \
		"$([ "${errors:-x}" = 0 ] && echo verified || echo error)" \
		"${states:-?}" "$(awk "BEGIN { print ($t1 - $t0) / 1e9 }")")")
	if [ -z "$errors" ] ||
	   grep -qE "out of memory|max search depth too small|MEMLIM" "$log"; then
		record fail "$name" "pan did not complete (see $log)"
		tail -n 5 "$log"
		return
	fi
	if [ "$errors" != 0 ]; then
		detail=$(verdict_of "$log")
		cp "$dir/park.pml.trail" "$out/$name.trail" 2>/dev/null
		(cd "$dir" && spin -t -p -g "$@" park.pml) >"$out/$name.txt" 2>&1
	fi
	if [ "$expect" = pass ] && [ "$errors" = 0 ]; then
		record ok "$name"
	elif [ "$expect" = fail ] && [ "$errors" != 0 ]; then
		record ok "$name"
	elif [ "$expect" = pass ]; then
		record fail "$name" "$detail (trail: $out/$name.txt)"
	else
		record fail "$name" "the seeded bug was not caught"
	fi
}

record() {	# record ok|fail NAME [detail]
	if [ "$1" = ok ]; then
		passed=$((passed + 1))
		echo "ok   spin.$2"
	else
		failed=$((failed + 1))
		echo "FAIL spin.$2 ${3:-}"
	fi
}

# The protocol must verify. pNmM_*: N Ps, M slots for Ms (NP of them at
# start, the rest for gmp_newm_workfn()); sub: submitters outside gmp,
# spawn: a G started by a running G.
check boot_parks            pass safety small -DBOOT -DNSUB=0 -DNMX=2
check p2m2_sub1_spawn       pass safety small -DNSUB=1 -DNSPAWN=1 -DNMX=2
check p2m3_sub1_spawn       pass safety big -DNSUB=1 -DNSPAWN=1 -DNMX=3
check p2m2_sub2             pass safety big -DNSUB=2 -DNMX=2
check p3m3_sub1             pass safety small -DNP=3 -DNMX=3 -DNSUB=1
check boot_p2m2_sub1        pass safety big -DBOOT -DNSUB=1 -DNMX=2
check live_p2m2_sub1_spawn  pass liveness big -DLIVENESS -DNSUB=1 -DNSPAWN=1 -DNMX=2
# A G that blocks in the kernel twice; sysmon hands its P over.
check syscall_p2m2_sub1     pass safety big -DSYSCALL -DNSUB=1 -DNMX=2 -DSUBKIND=0
# Each seeded bug must be caught, on a configuration that verifies.
check bug_no_g3             fail safety small -DBUG_NO_G3 -DNSUB=2 -DNMX=2
check bug_no_pka            fail safety small -DBUG_NO_PKA -DNSUB=2 -DNMX=2
check bug_no_pkb            fail safety small -DBUG_NO_PKB -DNSUB=2 -DNMX=2
check bug_no_note           fail safety small -DBUG_NO_NOTE -DNSUB=2 -DNMX=2
check live_bug_no_note      fail liveness small -DLIVENESS -DNOMONITOR -DBUG_NO_NOTE -DNSUB=2 -DNMX=2
# The stale spinning claim of gmp_startm() that this model found in the C
# code (model/README.md); it is fixed, and the old code must still fail.
check bug_stale_claim       fail safety big -DBUG_STALE_CLAIM -DSYSCALL -DNSUB=1 -DNMX=2 -DSUBKIND=0
# A G whose M lost its P in a sleep yields: gmp_gosched_m() without S2-S3
# (the C code until a KUnit case hung on it) strands it.
check bug_yield_no_wake     fail safety big -DBUG_YIELD_NO_WAKE -DSYSCALL -DNSUB=1 -DNMX=2 -DSUBKIND=0

if [ $full = 1 ]; then
	check p3m3_sub1_spawn       pass safety big -DNP=3 -DNMX=3 -DNSUB=1 -DNSPAWN=1
	check live_p2m3_sub1_spawn  pass liveness big -DLIVENESS -DNSUB=1 -DNSPAWN=1 -DNMX=3
	# The boot race, where the stale claim also shows without syscalls.
	check boot_p2m2_sub2        pass safety big -DBOOT -DNSUB=2 -DNMX=2
	check bug_stale_claim_boot  fail safety big -DBUG_STALE_CLAIM -DBOOT -DNSUB=2 -DNMX=2
fi

echo "# check                      result            states   time"
for s in "${stats[@]}"; do
	echo "# $s"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
