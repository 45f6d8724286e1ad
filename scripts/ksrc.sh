#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of an extracted linux-source-6.1 tree (cached outside the
# repo), extracting Debian's tarball on first use. The selftests take
# kselftest_harness.h from it, `make check` takes checkpatch.pl from it,
# and scripts/build-kernel.sh builds the debug kernel from it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tarball=/usr/src/linux-source-6.1.tar.xz
src=$GMP_CACHE/src/linux-source-6.1
if [ ! -f "$src/.gmp-extracted" ]; then
	[ -f "$tarball" ] || die "missing $tarball: run scripts/install-deps.sh"
	log "extracting $tarball into $GMP_CACHE/src"
	rm -rf "$src"
	mkdir -p "$GMP_CACHE/src"
	tar -C "$GMP_CACHE/src" -xf "$tarball"
	touch "$src/.gmp-extracted"
fi
echo "$src"
