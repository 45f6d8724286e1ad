#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build gmp.ko against KDIR in a private copy of the sources, so builds for
# several kernels do not trample each other's objects.
#
#   scripts/build-module.sh KDIR OUTDIR     (gmp.ko ends up in OUTDIR)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$1
mkdir -p "$2"
dst=$(cd "$2" && pwd)
[ -f "$kdir/Makefile" ] || die "no kernel build tree at $kdir"

rsync -a --delete --exclude build --exclude .git --exclude '*.ko' \
	--exclude '*.o' --exclude '*.mod.c' --include selftests/ \
	--include selftests/modules/ --include 'selftests/modules/*.[ch]' \
	--include selftests/modules/Kbuild --exclude 'selftests/*' \
	--exclude tools --exclude bench \
	--include '*/' --include Kbuild --include '*.[chS]' --exclude '*' \
	"$GMP_TOP/" "$dst/"
extra=()
if [ ! -f "$kdir/Module.symvers" ] && [ -f "$kdir/vmlinux.symvers" ]; then
	extra+=("KBUILD_EXTRA_SYMBOLS=$kdir/vmlinux.symvers")
fi
make -C "$kdir" M="$dst" W=1 "${extra[@]}" modules
# The example driver and the test modules, built like any other module
# that uses gmp.
for sub in samples selftests/modules; do
	make -C "$kdir" M="$dst/$sub" W=1 \
		KBUILD_EXTRA_SYMBOLS="${extra[*]#KBUILD_EXTRA_SYMBOLS=} $dst/Module.symvers" \
		modules
done
