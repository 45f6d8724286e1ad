#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn two snapshots of scripts/qemu-plugin/gmp_insns.c into a profile.

    insnprof.py --symbols KALLSYMS --before PREFIX.1 --after PREFIX.2
                [--ops N] [--top 40]

Prints the guest instructions executed between the snapshots, in all and
per function (a block is charged to the function it starts in); with
--ops, also per operation (e.g. per round trip).
"""
import argparse
import bisect
import collections

from gdbprof import load_symbols


def load(path):
    counts = collections.Counter()
    with open(path) as fh:
        for line in fh:
            vaddr, n, execs = line.split()
            counts[int(vaddr, 16)] += int(n) * int(execs)
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--symbols", nargs="+", required=True)
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--ops", type=int, default=0)
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    addrs, names = load_symbols(args.symbols)
    before, after = load(args.before), load(args.after)
    per_fn = collections.Counter()
    for vaddr, n in after.items():
        d = n - before.get(vaddr, 0)
        if d <= 0:
            continue
        i = bisect.bisect_right(addrs, vaddr) - 1
        per_fn[names[i] if i >= 0 else "?"] += d
    total = sum(per_fn.values())
    line = "# guest instructions: %d" % total
    if args.ops:
        line += ", %.0f per operation (%d operations)" % (total / args.ops, args.ops)
    print(line)
    for name, n in per_fn.most_common(args.top):
        extra = "  %8.1f/op" % (n / args.ops) if args.ops else ""
        print("%7.2f%%  %12d%s  %s" % (100.0 * n / total, n, extra, name))


if __name__ == "__main__":
    main()
