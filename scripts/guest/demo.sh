# SPDX-License-Identifier: GPL-2.0
# The `make run` plan: load the module and show what it does.
. /gmp/lib.sh

echo "== insmod gmp.ko"
insmod /gmp/gmp.ko || exit 1
dmesg | grep "gmp:"
echo "== ls -l /dev/gmp"
ls -l /dev/gmp
echo "== gmpctl version"
/gmp/gmpctl version
/gmp/gmpctl version --json
echo "== rmmod gmp"
rmmod gmp
dmesg | grep "gmp:" | tail -n 1
