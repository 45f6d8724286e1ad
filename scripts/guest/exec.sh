# SPDX-License-Identifier: GPL-2.0
# A developer's plan: run the scripts given with `vm.sh --file X.sh`
# (copied to /gmp/) after loading gmp, then report kmemleak and unload.
# Example: scripts/vm.sh --kernel K --module gmp.ko --plan exec \
#          --file /tmp/try.sh --out /tmp/vm
. /gmp/lib.sh

kmemleak_clear
insmod /gmp/gmp.ko || exit 1
# Only the scripts given with --file (vm.sh lists them in /gmp/extras).
while read -r f; do
	case $f in
	*.sh) sh "/gmp/$f" ;;
	esac
done </gmp/extras
rmmod gmp
step rmmod_clean test $? = 0
kmemleak_report
