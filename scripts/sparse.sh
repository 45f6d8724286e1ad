#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run sparse (make C=2: every file, with the lock-context checks that the
# __acquires/__releases/__must_hold annotations feed) over gmp.ko built
# against KDIR, in a private copy of the sources. Prints what sparse says;
# exits non-zero if it says anything.
#
#   scripts/sparse.sh KDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$1
command -v sparse >/dev/null || die "sparse is not installed (apt-get install sparse)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rsync -a --exclude build --exclude .git --exclude tools --exclude bench \
	--exclude selftests "$GMP_TOP/" "$tmp/"
extra=()
if [ ! -f "$kdir/Module.symvers" ] && [ -f "$kdir/vmlinux.symvers" ]; then
	extra+=("KBUILD_EXTRA_SYMBOLS=$kdir/vmlinux.symvers")
fi
make -C "$kdir" M="$tmp" C=2 "${extra[@]}" modules >"$tmp/sparse.log" 2>&1 ||
	{ cat "$tmp/sparse.log"; exit 1; }
if grep -E "warning:|error:" "$tmp/sparse.log" | sed "s|$tmp/||"; then
	exit 1
fi
exit 0
