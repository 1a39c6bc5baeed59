#!/usr/bin/env python3
"""Idle cost of `putio-up watch` on a 100,000-file tree: CPU share of one core while
nothing changes, and peak RSS (VmHWM) over the whole run, initial pass included.

    python3 bench/watch.py              # 100,000 files in 1,000 folders, 60 s idle
    python3 bench/watch.py --files 20000 --idle 20

Uses the release builds in target/release (cargo build --release --workspace) and the fake
put.io of bench/run.py. Prints one table row for BENCHMARKS.md; asserts nothing.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import BIN, Fake  # noqa: E402


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--folders", type=int, default=1_000)
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle measured")
    parser.add_argument("--bin", default=BIN, help="folder of putio-up and fake-putio (default target/release)")
    args = parser.parse_args()
    run_module = sys.modules["run"]
    run_module.BIN = args.bin  # the fake is started from there too

    work = tempfile.mkdtemp(prefix="putio-bench-watch-")
    tree = os.path.join(work, "tree")
    for i in range(args.files):
        folder = os.path.join(tree, f"d{i % args.folders:04}")
        if i < args.folders:
            os.makedirs(folder)
        with open(os.path.join(folder, f"f{i:06}.txt"), "w") as out:
            out.write(str(i))
    fake = Fake()
    proc = subprocess.Popen(
        [os.path.join(args.bin, "putio-up"), "watch", tree, "--settle", "1s", "-j", "16"],
        env=fake.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = time.monotonic()
        # The initial pass is over when the fake stops seeing requests.
        last, still_since = -1, time.monotonic()
        while True:
            requests = fake.stats()["requests"]
            if requests != last:
                last, still_since = requests, time.monotonic()
            elif requests > args.files and time.monotonic() - still_since > 10:
                break
            time.sleep(1)
        initial = still_since - started
        before, t0 = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(args.idle)
        idle_cpu = (cpu_seconds(proc.pid) - before) / (time.monotonic() - t0)
        rss = peak_rss_mib(proc.pid)
        proc.terminate()
        code = proc.wait(timeout=30)
        print(f"initial pass {initial:.0f} s, exit on SIGTERM {code}")
        print(
            f"| 10 | `watch` idle on {args.files:,} files in {args.folders:,} folders: CPU share of a core over "
            f"{args.idle:.0f} s; peak RSS | {idle_cpu * 100:.2f} %; {rss:.1f} MiB | — | — | — | — | < 1 %; ≤ 64 MiB |"
        )
    finally:
        if proc.poll() is None:
            proc.kill()
        fake.proc.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
