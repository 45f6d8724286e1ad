#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A/B-compare the module of git revision REV (default HEAD) with the
# working tree's, in one boot of Debian's kernel (QEMU TCG): the two
# modules are loaded in turn, A B A B, and each runs the same jobs.
# Emulation makes absolute times noisy from boot to boot; within one
# boot the ratio B/A is the figure to read.
#
#   scripts/ab.sh [REV] [-- JOB...]
#   GMP_SMP=2 scripts/ab.sh HEAD~1
#
# A JOB is a quoted `gmpctl run` argument list; the default set is
# pingpong, spawn and skynet. GMP_AB_REPS (3) runs per module per round.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rev=HEAD
if [ $# -gt 0 ] && [ "$1" != -- ]; then
	rev=$1
	shift
fi
[ "${1:-}" = -- ] && shift
jobs=("$@")
[ ${#jobs[@]} -gt 0 ] || jobs=("pingpong --iters 50000" "spawn --n 100000"
				"skynet --size 100000")
kver=$(debian_kver)
[ -n "$kver" ] || die "no Debian kernel installed (make deps)"
kdir=/lib/modules/$kver/build
out=$GMP_TOP/build/ab
rm -rf "$out"
mkdir -p "$out"

asrc=$(mktemp -d "${TMPDIR:-/tmp}/gmp-ab.XXXXXX")
git -C "$GMP_TOP" worktree add -f --detach "$asrc" "$rev" >/dev/null 2>&1 ||
	die "cannot check out $rev"
trap 'git -C "$GMP_TOP" worktree remove --force "$asrc"; rm -rf "$asrc"' EXIT
# build-module.sh builds the tree it lives in.
"$asrc/scripts/build-module.sh" "$kdir" "$out/a" >"$out/a.log" 2>&1 ||
	die "building A ($rev) failed: $out/a.log"
"$GMP_TOP/scripts/build-module.sh" "$kdir" "$out/b" >"$out/b.log" 2>&1 ||
	die "building B (working tree) failed: $out/b.log"
make -C "$GMP_TOP" -s tools
cp "$out/a/gmp.ko" "$out/gmp_a.ko"
cp "$out/b/gmp.ko" "$out/gmp_b.ko"

{
	echo "reps=${GMP_AB_REPS:-3}"
	printf 'set --'
	printf " '%s'" "${jobs[@]}"
	echo
	cat <<'GUEST'
rmmod gmp
for round in 1 2; do
	for v in a b; do
		insmod /gmp/gmp_$v.ko || exit 1
		for job in "$@"; do
			/gmp/gmpctl run $job >/dev/null	# warm-up
			i=0
			while [ $i -lt $reps ]; do
				echo "@@ab $v $(/gmp/gmpctl run $job --json)"
				i=$((i + 1))
			done
		done
		rmmod gmp
	done
done
insmod /gmp/gmp.ko
GUEST
} >"$out/ab.sh"

log "A = $rev, B = working tree; booting $kver (SMP ${GMP_SMP:-1})"
"$GMP_TOP/scripts/vm.sh" --kernel "/boot/vmlinuz-$kver" \
	--module "$out/gmp_b.ko" --plan exec --smp "${GMP_SMP:-1}" \
	--mem 2048 --timeout 1500 --out "$out/vm" --file "$out/ab.sh" \
	--file "$out/gmp_a.ko" --file "$out/gmp_b.ko" || true
python3 - "$out/vm/results.log" <<'PY'
import collections, json, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1], errors="replace"):
    if not line.startswith("@@ab "):
        continue
    _, v, js = line.split(" ", 2)
    r = json.loads(js)
    if r.get("status") != "ok":
        sys.exit("a job failed: " + js)
    runs[(r["kind"], v)].append(r["elapsed_ns"])
kinds = sorted({k for k, _ in runs})
print("%-10s %12s %12s %8s" % ("job", "A median", "B median", "B/A"))
for k in kinds:
    a, b = statistics.median(runs[(k, "a")]), statistics.median(runs[(k, "b")])
    print("%-10s %10.1fms %10.1fms %8.3f" % (k, a / 1e6, b / 1e6, b / a))
PY
