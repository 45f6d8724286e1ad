#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: build gmp.ko against Debian's stock kernel, bench/gmpbench
# and the Go programs (bench/go), boot Debian's kernel in QEMU at SMP 1 and
# SMP 2 with the `bench` plan (scripts/guest/bench.sh), and turn the JSON
# lines it prints into bench/results.md, bench/results.json and
# bench/results.png (bench/report.py).
#
# Environment:
#   GMP_BENCH_SMP="1 2"     the boots, one per vCPU count
#   GMP_BENCH_CONF=FILE     sizes and repetitions for the guest plan (shell
#                           assignments, see scripts/guest/bench.sh)
#   GMP_BENCH_MEM=8192      guest memory in MB (1M parked goroutines on
#                           small stacks take about 4.3 GB)
#   GMP_BENCH_OUT=DIR       where the report goes (default bench/)
#   GMP_VM_TIMEOUT=1500     seconds per boot
#
# Logs of each boot stay in build/bench/smpN/. Exit status: non-zero if a
# build failed, a boot did not finish, a result was wrong, or the kernel
# console shows a WARNING, BUG or Oops.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
out=$GMP_TOP/build/bench
report=${GMP_BENCH_OUT:-$GMP_TOP/bench}

# --- dependencies (Debian 12 packages, as scripts/install-deps.sh) -------
pkgs=(golang-go python3-matplotlib)
missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages; as root: apt-get install -y ${missing[*]}"
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
"$GMP_TOP/scripts/install-deps.sh" || die "dependencies missing (see above)"

kver=$(debian_kver)
[ -n "$kver" ] || die "no Debian kernel installed"
mkdir -p "$out"

# --- build ---------------------------------------------------------------
# Its own copy of the module (not build/debian), so that a `make check`
# running beside it does not rebuild the module under a booting VM.
log "building gmp.ko for $kver"
"$GMP_TOP/scripts/build-module.sh" "/lib/modules/$kver/build" "$out/module" \
	>"$out/module.log" 2>&1 ||
	{ tail -n 30 "$out/module.log"; die "module build failed"; }
log "building gmpbench and the Go programs"
gcc -static -O2 -Wall -Wextra -Werror -I"$GMP_TOP" -o "$out/gmpbench" \
	"$GMP_TOP/bench/gmpbench.c"
(
	cd "$GMP_TOP/bench/go"
	export CGO_ENABLED=0 GOPROXY=off GOFLAGS=-mod=mod GO111MODULE=on
	export GOCACHE=${GOCACHE:-$out/go-cache}
	go vet ./...
	go build -trimpath -o "$out/gobench" .
)

conf=$out/bench.conf
if [ -n "${GMP_BENCH_CONF:-}" ]; then
	cp "$GMP_BENCH_CONF" "$conf"
else
	: >"$conf"
fi

# --- the boots -------------------------------------------------------------
status=0
logs=()
for smp in ${GMP_BENCH_SMP:-1 2}; do
	dir=$out/smp$smp
	log "booting $kver at SMP $smp (QEMU TCG) with the bench plan"
	b0=$(date +%s)
	rc=0
	"$GMP_TOP/scripts/vm.sh" --kernel "/boot/vmlinuz-$kver" \
		--module "$out/module/gmp.ko" --plan bench --smp "$smp" \
		--mem "${GMP_BENCH_MEM:-8192}" \
		--timeout "${GMP_VM_TIMEOUT:-1500}" --out "$dir" \
		--file "$out/gmpbench" --file "$out/gobench" --file "$conf" ||
		rc=$?
	log "SMP $smp: boot took $(( $(date +%s) - b0 )) s (rc=$rc)"
	if ! grep -q '^@@gmp done' "$dir/results.log"; then
		log "SMP $smp: the plan did not finish; see $dir/"
		status=1
	fi
	if grep -q '^@@gmp step fail' "$dir/results.log"; then
		grep '^@@gmp step fail' "$dir/results.log" >&2
		status=1
	fi
	if grep -Eq 'WARNING:|BUG:|Oops|general protection|Call Trace' \
		"$dir/console.log"; then
		log "SMP $smp: kernel splat in $dir/console.log:"
		grep -E -m 5 'WARNING:|BUG:|Oops|general protection' \
			"$dir/console.log" >&2 || true
		status=1
	fi
	logs+=("$dir/results.log")
done

# --- the report ------------------------------------------------------------
/usr/bin/python3 "$GMP_TOP/bench/report.py" --out "$report" \
	--wall "$(( $(date +%s) - t0 ))" "${logs[@]}"
log "bench took $(( $(date +%s) - t0 )) s; report in $report/results.md"
exit "$status"
