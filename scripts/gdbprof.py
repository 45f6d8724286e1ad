#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sample a QEMU guest's program counters through QEMU's gdbstub.

Under TCG there is no PMU, and perf's cpu-clock samples are taken by a
timer interrupt: every sample that falls into an interrupts-off region
(gmp's context switch, a raw spinlock held with irqsave) is charged to
the instruction that turns interrupts back on. Stopping the whole guest
through the gdbstub is like an NMI: it lands wherever each vCPU is.

    gdbprof.py --port 1234 --results RESULTS_LOG --symbols FILE...
               [--interval-ms 2] [--out PROFILE]

Sampling starts when RESULTS_LOG gets a line '@@gmp profile start' and
stops at '@@gmp profile stop'. --symbols files are in /proc/kallsyms or
System.map format. Prints a flat profile: samples per function, per vCPU
state (idle functions are reported as such).
"""
import argparse
import bisect
import collections
import socket
import sys
import time


class Gdb:
    def __init__(self, port):
        for _ in range(300):
            try:
                self.s = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gdbprof: no gdbstub on port %d" % port)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        # QEMU stops the guest when a debugger attaches and may send that
        # stop reply unasked: take it (or the one to "?") before anything.
        self.cmd("?")
        self.s.settimeout(0.5)
        try:
            while True:
                self._read_packet()
        except socket.timeout:
            pass
        self.s.settimeout(None)

    def _read_packet(self):
        while True:
            i = self.buf.find(b"$")
            j = self.buf.find(b"#", i + 1) if i >= 0 else -1
            if i >= 0 and j >= 0 and len(self.buf) >= j + 3:
                data = self.buf[i + 1:j]
                self.buf = self.buf[j + 3:]
                self.s.sendall(b"+")
                return data.decode()
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk

    def cmd(self, data, reply=True):
        csum = sum(data.encode()) & 0xFF
        self.s.sendall(b"$%s#%02x" % (data.encode(), csum))
        return self._read_packet() if reply else None

    def interrupt(self):
        self.s.sendall(b"\x03")
        return self._read_packet()

    def threads(self):
        out = []
        r = self.cmd("qfThreadInfo")
        while r.startswith("m"):
            out += r[1:].split(",")
            r = self.cmd("qsThreadInfo")
        return out

    def rip(self, thread):
        self.cmd("Hg" + thread)
        r = self.cmd("g")	# rax..r15, then rip: 8 bytes each, in hex
        return int.from_bytes(bytes.fromhex(r[256:272]), "little")


def load_symbols(files):
    syms = []
    for f in files:
        with open(f) as fh:
            for line in fh:
                parts = line.split()
                if len(parts) < 3 or parts[1] not in "tTwW":
                    continue
                addr = int(parts[0], 16)
                if addr == 0:
                    continue
                name = parts[2]
                if len(parts) > 3:
                    name += " " + parts[3]
                syms.append((addr, name))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=1234)
    ap.add_argument("--results", required=True)
    ap.add_argument("--symbols", nargs="+", required=True)
    ap.add_argument("--interval-ms", type=float, default=2.0)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()

    g = Gdb(args.port)
    g.cmd("c", reply=False)		# QEMU -S is not used: it runs already
    t0 = time.time()
    while True:
        try:
            text = open(args.results, errors="replace").read()
        except OSError:
            text = ""
        if "@@gmp profile start" in text:
            break
        if time.time() - t0 > args.timeout:
            raise SystemExit("gdbprof: the guest never started the profile")
        time.sleep(0.05)
    addrs, names = load_symbols(args.symbols)
    counts = collections.Counter()
    nsamples = 0
    threads = None
    while "@@gmp profile stop" not in text:
        g.interrupt()
        if threads is None:
            threads = g.threads()
        for t in threads:
            pc = g.rip(t)
            i = bisect.bisect_right(addrs, pc) - 1
            counts[names[i] if i >= 0 else "?%x" % pc] += 1
            nsamples += 1
        g.cmd("c", reply=False)
        time.sleep(args.interval_ms / 1000.0)
        try:
            text = open(args.results, errors="replace").read()
        except OSError:
            pass
    g.interrupt()
    g.cmd("D")
    print("# gdbstub samples: %d over %d vCPU(s)" % (nsamples, len(threads or [])))
    for name, n in counts.most_common(args.top):
        print("%7.2f%%  %6d  %s" % (100.0 * n / nsamples, n, name))


if __name__ == "__main__":
    sys.exit(main())
