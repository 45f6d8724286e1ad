#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict (from the linux-source-6.1 package) over every C
# source and header in the repo. Exceptions, each with its reason, live in
# scripts/checkpatch.ignore as `TYPE  # why` (every file) or
# `TYPE PATH  # why` (that file only). Exit 0 only when clean.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ksrc=$("$GMP_TOP/scripts/ksrc.sh")
ignore=
declare -A ignore_in=()
while read -r type path; do
	if [ -n "$path" ]; then
		ignore_in[$path]+=${ignore_in[$path]:+,}$type
	else
		ignore+=${ignore:+,}$type
	fi
done < <(sed -e 's/#.*//' -e '/^\s*$/d' "$GMP_TOP/scripts/checkpatch.ignore")
cd "$GMP_TOP"
# Tracked sources only (generated files like gmp.mod.c are ignored by git);
# outside a git checkout, every source but the generated ones.
if git rev-parse --git-dir >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files --cached --others --exclude-standard \
		'*.c' '*.h' '*.S' | sort)
else
	mapfile -t files < <(find . -path ./build -prune -o -name '*.mod.c' \
		-prune -o -name 'gmp-asm-offsets.h' -prune -o \
		\( -name '*.c' -o -name '*.h' -o -name '*.S' \) -print | sort)
fi
rc=0
for f in "${files[@]}"; do
	ign=$ignore${ignore_in[${f#./}]:+${ignore:+,}${ignore_in[${f#./}]}}
	if ! out=$("$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types ${ign:+--ignore "$ign"} -f "$f" 2>&1); then
		echo "$out"
		rc=1
	fi
done
exit $rc
