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
echo "== gmpctl stats"
/gmp/gmpctl stats
echo "== schedtrace (debugfs gmp/schedtrace, Go's GODEBUG=schedtrace format)"
cat /sys/kernel/debug/gmp/schedtrace
echo "== gmpctl maxprocs 1, then back"
/gmp/gmpctl maxprocs 1
/gmp/gmpctl maxprocs 0
/gmp/gmpctl stats --json
echo "== rmmod gmp"
rmmod gmp
dmesg | grep "gmp:" | tail -n 1
