# SPDX-License-Identifier: GPL-2.0
# A goroutine overflows its stack on purpose; the guard page must catch
# it. The kernel panics (the host expects that); reaching the end fails.
. /gmp/lib.sh

insmod /gmp/gmp.ko || exit 1
echo "@@gmp expect panic"
insmod /gmp/gmp_test_overflow.ko
sleep 10
echo "@@gmp step fail stack_overflow_hits_guard_page still alive"
