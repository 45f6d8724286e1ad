# SPDX-License-Identifier: GPL-2.0
# A developer's plan: run the script given with `vm.sh --file SCRIPT`
# (copied to /gmp/) after loading gmp, then report kmemleak and unload.
# Example: scripts/vm.sh --kernel K --module gmp.ko --plan exec \
#          --file /tmp/try.sh --out /tmp/vm
. /gmp/lib.sh

kmemleak_clear
insmod /gmp/gmp.ko || exit 1
for s in /gmp/*.sh; do
	case ${s##*/} in
	lib.sh|check.sh|demo.sh|overflow.sh|exec.sh) ;;
	*) sh "$s" ;;
	esac
done
rmmod gmp
step rmmod_clean test $? = 0
kmemleak_report
