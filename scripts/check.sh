#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: install what is missing, build everything, run the host
# checks and the VM matrix, and end with `N passed, M failed`.
#
# Matrix: Debian's stock kernel (SMP 2), the debug test kernel (SMP 2
# and SMP 4), the KCSAN kernel (KUnit suites only, SMP 2), and Debian's
# 6.12 backport and its PREEMPT_RT build (SMP 2). Each VM run's console
# and results are kept under build/check/<label>/; a failed run's logs are
# listed at the end.
#
# GMP_MATRIX overrides the matrix, e.g. GMP_MATRIX="debug:4";
# GMP_KUNIT_SUITES=gmp_chan,gmp_sync runs only those KUnit suites.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

passed=0 failed=0
failures=()
record() {	# record ok|fail NAME [detail]
	if [ "$1" = ok ]; then
		passed=$((passed + 1))
		echo "ok   host: $2"
	else
		failed=$((failed + 1))
		failures+=("host: $2")
		echo "FAIL host: $2 ${3:-}"
	fi
}

t0=$(date +%s)
"$GMP_TOP/scripts/install-deps.sh" || die "dependencies missing (see above)"
ksrc=$("$GMP_TOP/scripts/ksrc.sh") || die "no kernel source"
debug_dir=$("$GMP_TOP/scripts/build-kernel.sh") || die "debug kernel build failed"
kcsan_dir=$("$GMP_TOP/scripts/build-kernel.sh" "$GMP_TOP/scripts/kconfig/kcsan.config") ||
	die "KCSAN kernel build failed"
debian_kver=$(debian_kver)
[ -n "$debian_kver" ] || die "no Debian kernel installed"
debian612_kver=$(debian612_kver) || die "no Debian 6.12 kernel installed"
debian612rt_kver=$(debian612rt_kver) || die "no Debian 6.12-rt kernel installed"
# The build tree and the image of each kernel of the matrix.
kernel_kdir() {
	case $1 in
	debug) echo "$debug_dir" ;;
	kcsan) echo "$kcsan_dir" ;;
	debian612) echo "/lib/modules/$debian612_kver/build" ;;
	debian612rt) echo "/lib/modules/$debian612rt_kver/build" ;;
	*) echo "/lib/modules/$debian_kver/build" ;;
	esac
}
kernel_image() {
	case $1 in
	debug | kcsan) echo "$(kernel_kdir "$1")/arch/x86/boot/bzImage" ;;
	debian612) echo "/boot/vmlinuz-$debian612_kver" ;;
	debian612rt) echo "/boot/vmlinuz-$debian612rt_kver" ;;
	*) echo "/boot/vmlinuz-$debian_kver" ;;
	esac
}
out=$GMP_TOP/build/check
rm -rf "$out"
mkdir -p "$out"

# --- build -------------------------------------------------------------
make -C "$GMP_TOP" -s tools selftests >"$out/userspace.log" 2>&1
rc=$?
[ $rc = 0 ] && ! grep -q "warning:" "$out/userspace.log"
record "$([ $? = 0 ] && echo ok || echo fail)" userspace_builds_without_warnings
for k in debian debug kcsan debian612 debian612rt; do
	kdir=$(kernel_kdir $k)
	"$GMP_TOP/scripts/build-module.sh" "$kdir" "$GMP_TOP/build/$k" \
		>"$out/module-$k.log" 2>&1
	rc=$?
	[ $rc = 0 ] && ! grep -Eq "warning:|objtool" "$out/module-$k.log"
	if [ $? = 0 ]; then
		record ok "module_builds_w1_clean_$k"
	else
		record fail "module_builds_w1_clean_$k" "(see $out/module-$k.log)"
		grep -E "warning:|error:|objtool" "$out/module-$k.log" | head -n 20
	fi
done

# DKMS, as users install out-of-tree modules: dkms.conf builds HEAD's
# module for Debian's kernel, in a private source and DKMS tree.
dkms_build() {
	local tmp rc
	tmp=$(mktemp -d)
	mkdir -p "$tmp/src/gmp-1.0" "$tmp/tree"
	git -C "$GMP_TOP" archive HEAD | tar -x -C "$tmp/src/gmp-1.0" &&
	dkms add -m gmp -v 1.0 --sourcetree "$tmp/src" --dkmstree "$tmp/tree" &&
	dkms build -m gmp -v 1.0 -k "$debian_kver" --sourcetree "$tmp/src" \
		--dkmstree "$tmp/tree" &&
	[ -f "$tmp/tree/gmp/1.0/$debian_kver/x86_64/module/gmp.ko" ]
	rc=$?
	rm -rf "$tmp"
	return $rc
}
if dkms_build >"$out/dkms.log" 2>&1; then
	record ok "dkms_build_for_$debian_kver"
else
	record fail "dkms_build_for_$debian_kver" "(see $out/dkms.log)"
	tail -n 20 "$out/dkms.log"
fi

# --- host checks ----------------------------------------------------------
if "$GMP_TOP/scripts/checkpatch.sh" >"$out/checkpatch.log" 2>&1; then
	record ok checkpatch_strict_clean
else
	record fail checkpatch_strict_clean "(see $out/checkpatch.log)"
	head -n 20 "$out/checkpatch.log"
fi
for k in debian debug; do
	kdir=/lib/modules/$debian_kver/build
	[ $k = debug ] && kdir=$debug_dir
	if "$GMP_TOP/scripts/sparse.sh" "$kdir" >"$out/sparse-$k.log" 2>&1; then
		record ok "sparse_clean_$k"
	else
		record fail "sparse_clean_$k" "(see $out/sparse-$k.log)"
		head -n 20 "$out/sparse-$k.log"
	fi
done
# The parking protocol's SPIN model (model/README.md): every
# configuration verifies and every seeded bug gives a counterexample.
GMP_SPIN_OUT=$out/spin "$GMP_TOP/scripts/spin-check.sh" >"$out/spin.log" 2>&1
while read -r verdict name; do
	record "$([ "$verdict" = ok ] && echo ok || echo fail)" "$name"
done < <(sed -n 's/^\(ok\|FAIL\) *\(spin\.[a-z0-9_]*\).*/\1 \2/p' "$out/spin.log")
grep -q '^[0-9]* passed, 0 failed$' "$out/spin.log"
record "$([ $? = 0 ] && echo ok || echo fail)" spin_model_checked "(see $out/spin.log)"
python3 -m unittest discover -s "$GMP_TOP/scripts/tests" -p 'test_*.py' -v \
	>"$out/host-unittest.log" 2>&1
while read -r name verdict; do
	record "$([ "$verdict" = ok ] && echo ok || echo fail)" "parser.$name"
done < <(sed -n 's/^\(test_[a-z0-9_]*\) (.*) \.\.\. \(ok\|FAIL\|ERROR\)$/\1 \2/p' \
	"$out/host-unittest.log")

# kunit.py's reading of one cell's KUnit results (scripts/kunit-ktap.py
# joins the suites' KTAP): its totals, beside the number of KUnit cases
# parse-results.py counted. 6.1's debugfs results keep only the last line
# of a parameterised case, numbered by its parameter, which kunit.py
# reports as errors and counts as one test; gmp's parser counts the case.
kunit_py() {	# kunit_py LABEL
	local dir=$out/$1 sum ours
	grep -q "^@@gmp begin ktap" "$dir/results.log" 2>/dev/null || return 0
	python3 "$GMP_TOP/scripts/kunit-ktap.py" "$dir/results.log" >"$dir/kunit.ktap"
	(cd "$ksrc/tools/testing/kunit" && python3 kunit.py parse "$dir/kunit.ktap") \
		>"$dir/kunit-py.log" 2>&1
	sum=$(sed -n 's/.*Testing complete\. //p' "$dir/kunit-py.log" | tail -n 1)
	ours=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["tests"]; print(sum(1 for x in t if x["name"].startswith("kunit.")))' \
		"$dir/verdicts.json" 2>/dev/null)
	echo "gmp: $1: kunit.py: ${sum:-no summary}; parse-results.py: ${ours:-?} KUnit cases (kunit.py counts a parameterised case once and reports 6.1's numbering of its parameters as errors)"
	if [ -n "$sum" ] && ! grep -Eq "failed: [1-9]|crashed: [1-9]" <<<"$sum" &&
	   ! grep -q "Ran 0 tests" <<<"$sum"; then
		record ok "kunit_py_parse.$1"
	else
		record fail "kunit_py_parse.$1" "(see $dir/kunit-py.log)"
	fi
}

# --- VM matrix ------------------------------------------------------------
# kcsan runs the KUnit suites only (plan kunit): KCSAN finds data races
# where the suites stress the rings and protocols.
# debian612 and debian612rt (Debian's 6.12 and 6.12 PREEMPT_RT) run the
# check plan; they have no KUnit, so that part skips itself.
matrix=${GMP_MATRIX:-"debian:2 debug:2 debug:4 kcsan:2 debian612:2 debian612rt:2"}
for cell in $matrix; do
	k=${cell%%:*} smp=${cell##*:}
	label=$k-smp$smp
	kernel=$(kernel_image $k)
	plan=check
	[ $k = kcsan ] && plan=kunit
	ko=$GMP_TOP/build/$k/gmp.ko
	if [ ! -f "$ko" ]; then
		record fail "$label.module_missing"
		continue
	fi
	log "booting $label"
	"$GMP_TOP/scripts/vm.sh" --kernel "$kernel" --module "$ko" --plan $plan \
		--smp "$smp" --timeout "${GMP_VM_TIMEOUT:-1500}" --out "$out/$label" \
		--kunit-suites "${GMP_KUNIT_SUITES:-}"
	python3 "$GMP_TOP/scripts/parse-results.py" --label "$label" \
		--console "$out/$label/console.log" \
		--results "$out/$label/results.log" \
		--json "$out/$label/verdicts.json" | tee "$out/$label/verdicts.txt" |
		grep -v "^ok "
	p=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["passed"])' "$out/$label/verdicts.json")
	f=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["failed"])' "$out/$label/verdicts.json")
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" = 0 ] || failures+=("$label: logs in $out/$label/")
	kunit_py "$label"
done

# A goroutine stack overflow must hit the guard page below its stack, and
# the kernel must name the goroutine's stack (current->stack) in its report.
# This boot panics on purpose, so it is judged on its console alone. One
# short boot per Debian kernel.
overflow_kernels="debian debian612 debian612rt"
[ "${GMP_SKIP_OVERFLOW:-0}" = 1 ] && overflow_kernels=
for k in $overflow_kernels; do
	label=$k-overflow
	log "booting $label"
	"$GMP_TOP/scripts/vm.sh" --kernel "$(kernel_image $k)" \
		--module "$GMP_TOP/build/$k/gmp.ko" --plan overflow --smp 1 \
		--timeout 300 --out "$out/$label"
	if grep -qi "BUG: task stack guard page was hit" "$out/$label/console.log" &&
	   grep -q "gmp_test_recurse" "$out/$label/console.log"; then
		record ok "$label.stack_overflow_hits_guard_page"
	else
		record fail "$label.stack_overflow_hits_guard_page" \
			"(see $out/$label/console.log)"
	fi
done

# A newcomer's first command, from a fresh clone of this tree's HEAD:
# `make run` must end with the demo's success line (scripts/run-demo.sh).
if [ "${GMP_SKIP_FRESH_RUN:-0}" != 1 ]; then
	log "make run in a fresh clone"
	fresh=$(mktemp -d)
	if git -C "$GMP_TOP" rev-parse --git-dir >/dev/null 2>&1 &&
	   git clone -q "$GMP_TOP" "$fresh/gmp" &&
	   make -C "$fresh/gmp" run >"$out/fresh-clone-run.log" 2>&1 &&
	   grep -q "^gmp: demo passed" "$out/fresh-clone-run.log"; then
		record ok fresh_clone_make_run_ends_with_success_line
	else
		record fail fresh_clone_make_run_ends_with_success_line \
			"(see $out/fresh-clone-run.log)"
		tail -n 20 "$out/fresh-clone-run.log"
	fi
	rm -rf "$fresh"
fi

echo
echo "check took $(( $(date +%s) - t0 )) s"
for f in "${failures[@]}"; do
	echo "failed: $f"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
