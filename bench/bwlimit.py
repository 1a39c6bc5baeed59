#!/usr/bin/env python3
"""--bwlimit benchmark: does a limit of 4 MiB/s hold, second by second, for one 64 MiB upload
at -j 1 and for 64 MiB in eight 8 MiB files at -j 8?

    python3 bench/bwlimit.py             # both, writes its section of BENCHMARKS.md
    python3 bench/bwlimit.py --no-build  # with the existing release build

It starts the fake put.io (release build, bytes counted, not stored) and reads how many bytes
have reached it (`/__fake/stats`, `patch_bytes`) every 50 ms while putio-up runs; each
whole second from the first byte to the last is one sample. The goal is every sample within
4 MiB/s ± 10 %. Nothing here is a pass/fail test: the figures are printed next to the goal.
The first and last second are partial (the upload starts and ends inside them) and are left
out; everything between is counted.
"""

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402
from run import MIB, ROOT, Fake, machine  # noqa: E402

RATE = 4 * MIB
TOTAL = 64 * MIB


def measure(work, jobs):
    folder = os.path.join(work, f"j{jobs}")
    os.makedirs(folder)
    files = 1 if jobs == 1 else jobs
    for i in range(files):
        with open(os.path.join(folder, f"part-{i}.bin"), "wb") as f:
            f.write(os.urandom(TOTAL // files))
    fake = Fake()
    try:
        samples = []  # (monotonic time, bytes received)
        proc = subprocess.Popen(
            [os.path.join(run.BIN, "putio-up"), "-q", "upload", folder, "-j", str(jobs), "--bwlimit", "4M"],
            env=fake.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while proc.poll() is None:
            samples.append((time.monotonic(), fake.stats()["patch_bytes"]))
            time.sleep(0.05)
        samples.append((time.monotonic(), fake.stats()["patch_bytes"]))
        code = proc.returncode
    finally:
        fake.stop()
    moving = [(t, b) for t, b in samples if b > 0]
    start = moving[0][0]
    end = next(t for t, b in samples if b >= TOTAL)
    rates = []
    second = 1
    while start + second + 1 <= end:
        at = lambda when: max(b for t, b in samples if t <= when)  # noqa: E731
        rates.append((at(start + second + 1) - at(start + second)) / MIB)
        second += 1
    return {
        "jobs": jobs,
        "code": code,
        "wall": end - start,
        "overall": TOTAL / MIB / (end - start),
        "rates": rates,
        "inside": sum(1 for r in rates if abs(r - 4) <= 0.4),
    }


def section(rows, elapsed, build):
    lines = ["<!-- bwlimit -->", "## Bandwidth limit", ""]
    lines += [f"Measured {datetime.date.today().isoformat()} on {machine()}, in {elapsed:.0f} s "
              f"(`python3 bench/bwlimit.py`, {build} build), one run each: `--bwlimit 4M` (4 MiB/s), bytes as they reach "
              "the fake, in whole seconds from the first byte to the last (the partial first and last second "
              "left out).", ""]
    lines += ["| benchmark | overall MiB/s | per second MiB/s: min / median / max | seconds within ±10 % | goal |",
              "|---|---|---|---|---|"]
    for r in rows:
        what = "one 64 MiB file, `-j 1`" if r["jobs"] == 1 else f"64 MiB in {r['jobs']} files, `-j {r['jobs']}`"
        rates = r["rates"]
        lines.append(f"| {what} (exit {r['code']}) | {r['overall']:.2f} | {min(rates):.2f} / "
                     f"{statistics.median(rates):.2f} / {max(rates):.2f} | {r['inside']} of {len(rates)} | "
                     "every second 3.6–4.4 |")
    lines += ["", "<!-- /bwlimit -->"]
    return "\n".join(lines)


def write(text):
    path = os.path.join(ROOT, "BENCHMARKS.md")
    old = open(path).read() if os.path.exists(path) else "# putio-up benchmarks\n"
    start, end = old.find("<!-- bwlimit -->"), old.find("<!-- /bwlimit -->")
    if start >= 0 and end >= 0:
        old = old[:start] + text + old[end + len("<!-- /bwlimit -->"):]
    else:
        old = old.rstrip("\n") + "\n\n" + text + "\n"
    with open(path, "w") as out:
        out.write(old)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-build", action="store_true", help="use the existing release build")
    parser.add_argument("--debug", action="store_true", help="use the existing debug build (target/debug): "
                        "a rate limit is no speed test, and the section says which build it was")
    args = parser.parse_args()
    if args.debug:
        run.BIN = os.path.join(ROOT, "target", "debug")
    elif not args.no_build:
        subprocess.run(["cargo", "build", "-q", "--release", "--workspace"], cwd=ROOT, check=True)
    assert os.path.exists(os.path.join(run.BIN, "putio-up"))
    build = "debug" if args.debug else "release"
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="putio-bench-bw-")
    try:
        rows = [measure(work, 1), measure(work, 8)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = section(rows, time.monotonic() - started, build)
    print(text)
    for r in rows:
        print(f"-j {r['jobs']}: " + " ".join(f"{x:.2f}" for x in r["rates"]))
    write(text)
    print("\nwritten to BENCHMARKS.md")


if __name__ == "__main__":
    main()
