#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Join one VM run's KUnit results into one KTAP document for kunit.py.

The guest prints each gmp suite's debugfs results between `@@gmp begin
ktap SUITE` and `@@gmp end` (scripts/guest/lib.sh); each is a KTAP
document of one suite. kunit.py parses one document with every suite
under a single plan, so this writes `KTAP version 1`, `1..N`, and each
suite's lines with its top-level result renumbered 1..N.

Usage: kunit-ktap.py RESULTS_LOG > joined.ktap
"""
import re
import sys


def suites(text):
    """The lines of each ktap block of @text, in order."""
    out, cur = [], None
    for line in text.splitlines():
        if line.startswith("@@gmp begin ktap "):
            cur = []
        elif line.startswith("@@gmp end") and cur is not None:
            out.append(cur)
            cur = None
        elif cur is not None:
            cur.append(line)
    return out


def join(blocks):
    """One KTAP document with every block's suite as a top-level test."""
    lines = ["KTAP version 1", "1..%d" % len(blocks)]
    for i, block in enumerate(blocks, 1):
        body = [b for b in block
                if not re.match(r"^(KTAP version \d+|TAP version \d+|1\.\.\d+)$", b)]
        for b in body:
            m = re.match(r"^(not ok|ok) \d+ (.*)$", b)
            lines.append("%s %d %s" % (m.group(1), i, m.group(2)) if m else b)
    return "\n".join(lines) + "\n"


def main():
    with open(sys.argv[1], errors="replace") as f:
        sys.stdout.write(join(suites(f.read())))


if __name__ == "__main__":
    main()
