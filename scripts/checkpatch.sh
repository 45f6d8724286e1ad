#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict (from the linux-source-6.1 package) over every C
# source and header in the repo. Exceptions, each with its reason, live in
# scripts/checkpatch.ignore as `TYPE  # why`. Exit 0 only when clean.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ksrc=$("$GMP_TOP/scripts/ksrc.sh")
ignore=$(sed -e 's/#.*//' -e '/^\s*$/d' "$GMP_TOP/scripts/checkpatch.ignore" |
	 tr -s ' \n' ',' | sed 's/,$//')
cd "$GMP_TOP"
mapfile -t files < <(find . -path ./build -prune -o -name '*.mod.c' -prune -o \
	\( -name '*.c' -o -name '*.h' -o -name '*.S' \) -print | sort)
rc=0
for f in "${files[@]}"; do
	if ! out=$("$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types ${ignore:+--ignore "$ignore"} -f "$f" 2>&1); then
		echo "$out"
		rc=1
	fi
done
exit $rc
