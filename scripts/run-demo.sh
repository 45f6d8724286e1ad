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
make -C "$GMP_TOP" -s tools selftests
"$GMP_TOP/scripts/build-module.sh" "/lib/modules/$kver/build" \
	"$GMP_TOP/build/debian" >"$GMP_TOP/build/module-run.log" 2>&1 ||
	{ tail -n 30 "$GMP_TOP/build/module-run.log"; die "module build failed"; }
log "booting $kver (QEMU TCG, SMP ${GMP_SMP:-2})"
rc=0
"$GMP_TOP/scripts/vm.sh" --kernel "/boot/vmlinuz-$kver" \
	--module "$GMP_TOP/build/debian/gmp.ko" --plan demo \
	--smp "${GMP_SMP:-2}" --timeout 600 --out "$out" || rc=$?
grep -v '^@@gmp' "$out/results.log" || true
grep -q '^@@gmp done rc=0' "$out/results.log" ||
	die "demo failed (rc=$rc); console in $out/console.log"
