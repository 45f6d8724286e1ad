#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU (TCG) with a busybox initramfs that runs one plan.
#
#   scripts/vm.sh --kernel BZIMAGE --module GMP_KO --plan NAME --out DIR
#                 [--smp N] [--mem MB] [--timeout SEC] [--file PATH]...
#                 [--kunit-suites a,b]   (only these KUnit suites)
#                 [--qemu-arg ARG]...    (more QEMU options, e.g. -gdb)
#
# The initramfs holds busybox, scripts/guest/*, gmp.ko, gmpctl, the
# selftest binaries and any --file. DIR receives console.log (ttyS0, the
# kernel console) and results.log (ttyS1, the plan's output). The boot is
# killed after --timeout seconds; the exit status is QEMU's, or 124 on a
# timeout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel= module= plan= out= smp=2 mem=2048 timeout=900 kunit_suites=
extra=() qemu_extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--module) module=$2; shift 2 ;;
	--plan) plan=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--file) extra+=("$2"); shift 2 ;;
	--kunit-suites) kunit_suites=$2; shift 2 ;;
	--qemu-arg) qemu_extra+=("$2"); shift 2 ;;
	*) die "vm.sh: unknown argument $1" ;;
	esac
done
[ -f "$kernel" ] || die "vm.sh: no kernel image '$kernel'"
[ -f "$module" ] || die "vm.sh: no module '$module'"
[ -f "$GMP_TOP/scripts/guest/$plan.sh" ] || die "vm.sh: no plan '$plan'"
[ -n "$out" ] || die "vm.sh: --out is required"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || die "busybox not found: run scripts/install-deps.sh"

mkdir -p "$out"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,gmp/selftests}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$GMP_TOP/scripts/guest/init" "$root/init"
cp "$GMP_TOP"/scripts/guest/*.sh "$root/gmp/"
cp "$module" "$root/gmp/gmp.ko"
for s in "$(dirname "$module")"/samples/*.ko \
	 "$(dirname "$module")"/selftests/modules/*.ko; do
	[ -f "$s" ] && cp "$s" "$root/gmp/"
done
echo "$plan" >"$root/gmp/plan"
echo "$kunit_suites" >"$root/gmp/kunit_suites"
[ -x "$GMP_TOP/tools/gmpctl/gmpctl" ] && cp "$GMP_TOP/tools/gmpctl/gmpctl" "$root/gmp/"
for t in "$GMP_TOP"/selftests/*_test; do
	[ -x "$t" ] && cp "$t" "$root/gmp/selftests/"
done
[ -x "$GMP_TOP/selftests/gmp_soak" ] && cp "$GMP_TOP/selftests/gmp_soak" "$root/gmp/"
: >"$root/gmp/extras"
for f in "${extra[@]}"; do
	cp -r "$f" "$root/gmp/"
	basename "$f" >>"$root/gmp/extras"
done
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.cpio.gz"

rm -f "$out/console.log" "$out/results.log"
rc=0
timeout --foreground -k 10 "$timeout" qemu-system-x86_64 \
	-accel tcg,thread=multi -cpu max -smp "$smp" -m "$mem" \
	-kernel "$kernel" -initrd "$out/initramfs.cpio.gz" \
	-append "console=ttyS0,115200 panic=-1 oops=panic softlockup_panic=0 nokaslr" \
	-display none -monitor none -no-reboot \
	-serial "file:$out/console.log" -serial "file:$out/results.log" \
	${qemu_extra[@]+"${qemu_extra[@]}"} </dev/null || rc=$?
exit "$rc"
