#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make soak`: the long versions of make check's soak and fuzz steps, on
# Debian's stock kernel (or the debug kernel with GMP_SOAK_KERNEL=debug):
# gmp_soak for GMP_SOAK_SECS (default 600) seconds, then the ioctl fuzzer
# with a million calls. Ends with `N passed, M failed` like make check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$GMP_TOP/scripts/install-deps.sh"
secs=${GMP_SOAK_SECS:-600}
kver=$(debian_kver)
[ -n "$kver" ] || die "no Debian kernel installed"
kernel=/boot/vmlinuz-$kver kdir=/lib/modules/$kver/build
if [ "${GMP_SOAK_KERNEL:-debian}" = debug ]; then
	kdir=$("$GMP_TOP/scripts/build-kernel.sh")
	kernel=$kdir/arch/x86/boot/bzImage
fi
out=$GMP_TOP/build/soak
rm -rf "$out"
mkdir -p "$out"
make -C "$GMP_TOP" -s tools selftests
"$GMP_TOP/scripts/build-module.sh" "$kdir" "$out/module" >"$out/module.log" 2>&1 ||
	{ tail -n 30 "$out/module.log"; die "module build failed"; }
cat >"$out/soak.sh" <<EOS
/gmp/gmp_soak $secs
echo "@@gmp step \$([ \$? = 0 ] && echo ok || echo fail) soak_${secs}s"
GMP_FUZZ_LONG=1 /gmp/selftests/gmp_fuzz_test
echo "@@gmp step \$([ \$? = 0 ] && echo ok || echo fail) fuzz_long"
EOS
log "soaking for $secs s, then fuzzing (QEMU TCG, SMP 2)"
"$GMP_TOP/scripts/vm.sh" --kernel "$kernel" --module "$out/module/gmp.ko" \
	--plan exec --file "$out/soak.sh" --smp 2 \
	--timeout $((secs + 7200)) --out "$out/vm" || true
grep -E "^# (soak|fuzz)|^not ok|soak memory" "$out/vm/results.log" || true
python3 "$GMP_TOP/scripts/parse-results.py" --label soak \
	--console "$out/vm/console.log" --results "$out/vm/results.log" |
	tee "$out/verdicts.txt" | grep -v "^ok " || true
tail -n 1 "$out/verdicts.txt" | sed 's/^soak: //'
grep -q " 0 failed" "$out/verdicts.txt"
