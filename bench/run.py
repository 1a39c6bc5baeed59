#!/usr/bin/env python3
"""putio-up benchmark suite: one command, figures as ratios from the same run.

    python3 bench/run.py            # full suite (about 10 minutes on 2 cores), writes BENCHMARKS.md
    python3 bench/run.py --quick    # smaller sizes, one run each, nothing written

Starts the fake put.io (release build) in its fast mode (bytes counted and CRC'd, not
stored) on loopback, and measures putio-up next to curl sending the same bytes to the same
fake with the same requests, and next to rclone (Debian's package) when it is installed.
rclone's put.io endpoints are fixed, so for the HTTPS rows the fake serves TLS under
put.io's names with a throw-away CA behind its own CONNECT proxy, and all three tools are
pointed there (HTTPS_PROXY; rclone --ca-cert, curl --cacert, putio-up SSL_CERT_FILE).
Each figure is the median of several runs, with min and max beside it. Nothing here is a
pass/fail test: the goals are printed next to the figures.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.join(ROOT, "target", "release")
MIB = 1 << 20
GIB = 1 << 30


# ---------------------------------------------------------------- processes and measuring


class Measured:
    def __init__(self, wall, cpu, rss_mib, code):
        self.wall, self.cpu, self.rss_mib, self.code = wall, cpu, rss_mib, code


def peak_rss_kib(pid, done, out):
    """Polls the kernel's high-water mark of a process's RSS (VmHWM) until it exits.

    ru_maxrss cannot be used: on Linux it includes the memory of the Python process that
    forked the child (exec records the old address space's peak), which would hide ours."""
    while not done.is_set():
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        out[0] = max(out[0], int(line.split()[1]))
        except OSError:
            return
        done.wait(0.005)


def measure(cmd, env=None, stdout=subprocess.DEVNULL):
    """Runs cmd; returns wall seconds, user+system CPU seconds and peak RSS of that process."""
    import threading

    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    done, peak = threading.Event(), [0]
    poller = threading.Thread(target=peak_rss_kib, args=(proc.pid, done, peak), daemon=True)
    poller.start()
    # Drain stderr while waiting, so a chatty child never blocks on a full pipe.
    err_chunks = []
    drain = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
    drain.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    done.set()
    poller.join()
    drain.join()
    err = b"".join(err_chunks).decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} exited {proc.returncode}: {err[-2000:]}")
    return Measured(wall, usage.ru_utime + usage.ru_stime, peak[0] / 1024, proc.returncode)


class Fake:
    """The fake put.io binary, on loopback, with its three PUTIO_* variables.

    With tls=True it serves HTTPS under put.io's real names behind a CONNECT proxy: the way
    rclone (whose endpoints are fixed) reaches it, and the way putio-up and curl are then
    measured too, so all three take the same path."""

    def __init__(self, *args, tls=False):
        self.dir = tempfile.mkdtemp(prefix="putio-bench-fake-")
        env_file = os.path.join(self.dir, "env")
        self.tls = tls
        self.ca = os.path.join(self.dir, "ca.pem")
        extra = ["--tls", "--ca-file", self.ca, "--connect-proxy"] if tls else []
        self.proc = subprocess.Popen(
            [os.path.join(BIN, "fake-putio"), "--quiet", "--discard-bytes", "--env-file", env_file, *extra, *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            if os.path.exists(env_file) and os.path.getsize(env_file) > 0:
                break
            time.sleep(0.05)
        self.vars = dict(line.split("=", 1) for line in open(env_file).read().split())
        self.api = self.vars["PUTIO_API_URL"]

    def env(self):
        env = dict(os.environ, **self.vars)
        env["PUTIO_UP_STATE_DIR"] = os.path.join(self.dir, "state")
        if self.tls:
            # put.io's real names, through the proxy, trusting the fake's CA.
            env.pop("PUTIO_API_URL")
            env.pop("PUTIO_UPLOAD_URL")
            env["SSL_CERT_FILE"] = self.ca
        return env

    def upload_origin(self):
        return "https://upload.put.io" if self.tls else self.vars["PUTIO_UPLOAD_URL"]

    def curl_route(self):
        """curl options that take the same path as putio-up."""
        return ["--proxy", self.vars["HTTPS_PROXY"], "--cacert", self.ca] if self.tls else []

    def control(self, path, method="GET", body=None):
        import ssl

        req = urllib.request.Request(self.api + "/__fake/" + path, method=method, data=body)
        context = ssl.create_default_context(cafile=self.ca) if self.tls else None
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
        with opener.open(req) as resp:
            return json.loads(resp.read() or b"null")

    def rclone(self, *args):
        """An rclone command against this (TLS) fake, and its environment."""
        conf = os.path.join(self.dir, "rclone.conf")
        if not os.path.exists(conf):
            token = self.vars["PUTIO_TOKEN"]
            with open(conf, "w") as out:
                out.write("[putio]\ntype = putio\ntoken = {\"access_token\":\"%s\",\"token_type\":\"Bearer\","
                          "\"expiry\":\"0001-01-01T00:00:00Z\"}\n" % token)
        env = dict(os.environ, HTTPS_PROXY=self.vars["HTTPS_PROXY"])
        return ["rclone", "--config", conf, "--ca-cert", self.ca, *args], env

    def stats(self):
        return self.control("stats")

    def reset_stats(self):
        self.control("reset-stats", method="POST")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def putio_up(*args):
    return [os.path.join(BIN, "putio-up"), *args]


def runs(n, fn):
    """Calls fn n times; returns the list of its results."""
    return [fn(i) for i in range(n)]


def spread(values, fmt="{:.1f}"):
    """'median (min–max)'."""
    med = statistics.median(values)
    if len(values) == 1:
        return fmt.format(med)
    return f"{fmt.format(med)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


# ---------------------------------------------------------------- curl baseline

_sparse = {}


def is_sparse(path):
    if path not in _sparse:
        st = os.stat(path)
        _sparse[path] = st.st_blocks * 512 < st.st_size // 2
    return _sparse[path]


# ---------------------------------------------------------------- benchmarks


def bench_large(work, size, chunk, n, tls, with_rclone):
    """1 + 5. One big file: putio-up's MiB/s over curl's (and rclone's), same fake, same
    chunks, runs interleaved so that noise hits all alike."""
    path = os.path.join(work, "large", "big.bin")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not os.path.exists(path):
        # Real bytes, not a sparse file: reading holes makes the kernel zero every page it
        # hands out, which would measure ext4 rather than the uploaders. The file stays in
        # the page cache, so every tool reads it at memory speed.
        with open(path, "wb") as f:
            block = os.urandom(16 * MIB)
            for _ in range(size // len(block)):
                f.write(block)
            f.write(block[: size % len(block)])
    fake = Fake(tls=tls)
    gib = size / GIB
    out = {k: [] for k in ["ours_mibs", "curl_mibs", "rclone_mibs", "ours_cpu", "curl_cpu", "rclone_cpu", "rclone_rss"]}
    try:
        for i in range(n):
            m = measure(putio_up("upload", "-q", "--chunk-size", str(chunk), os.path.dirname(path), "--to", f"/large{i}"), env=fake.env())
            out["ours_mibs"].append(size / MIB / m.wall)
            out["ours_cpu"].append(m.cpu / gib)
            wall_c, cpu_c = curl_tus_timed(fake, path, size, chunk, f"curl{i}.bin")
            out["curl_mibs"].append(size / MIB / wall_c)
            out["curl_cpu"].append(cpu_c / gib)
            if with_rclone:
                cmd, env = fake.rclone("copy", os.path.dirname(path), f"putio:rclone-large{i}")
                m = measure(cmd, env=env)
                out["rclone_mibs"].append(size / MIB / m.wall)
                out["rclone_cpu"].append(m.cpu / gib)
                out["rclone_rss"].append(m.rss_mib)
    finally:
        fake.stop()
    out["ratio"] = [o / c for o, c in zip(out["ours_mibs"], out["curl_mibs"])]
    out["ratio_rclone"] = [o / r for o, r in zip(out["ours_mibs"], out["rclone_mibs"])]
    return out


def curl_tus_timed(fake, path, size, chunk, name):
    """The practical limit: curl sends `path` with one tus creation and PATCHes of `chunk`
    bytes, the request sequence putio-up uses. curl cannot send a byte range of a file, so
    each range is cut into a file of its own first (sparse stays sparse); only curl's own
    requests are timed. Returns (wall, cpu) seconds."""
    import base64

    token = fake.vars["PUTIO_TOKEN"]
    upload = fake.upload_origin()
    route = fake.curl_route()
    meta = ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in [("name", name), ("parent_id", "0"), ("no-torrent", "true")]
    )
    auth = ["-H", f"Authorization: Bearer {token}", "-H", "Tus-Resumable: 1.0.0"]
    wall = cpu = 0.0
    t = time.monotonic()
    proc = subprocess.run(
        ["curl", "-sS", *route, "-D", "-", "-o", "/dev/null", "-X", "POST", upload + "/files/", *auth,
         "-H", f"Upload-Length: {size}", "-H", f"Upload-Metadata: {meta}", "-H", "Content-Length: 0"],
        capture_output=True, text=True, check=True,
    )
    wall += time.monotonic() - t
    location = next(l.split(":", 1)[1].strip() for l in proc.stdout.splitlines() if l.lower().startswith("location:"))
    offset = 0
    with tempfile.TemporaryDirectory() as tmp:
        part = os.path.join(tmp, "part")
        while offset < size:
            length = min(chunk, size - offset)
            with open(path, "rb") as src, open(part, "wb") as dst:
                if is_sparse(path):
                    dst.truncate(length)
                else:
                    os.copy_file_range(src.fileno(), dst.fileno(), length, offset)
            m = measure(["curl", "-sS", *route, "-o", "/dev/null", "-X", "PATCH", "-T", part, location, *auth,
                         "-H", f"Upload-Offset: {offset}", "-H", "Content-Type: application/offset+octet-stream"])
            wall += m.wall
            cpu += m.cpu
            offset += length
    return wall, cpu


def bench_memory(work, sizes, tree_files):
    """2. Peak RSS for single files of several sizes and for a many-file tree."""
    fake = Fake()
    rows = []
    try:
        for size in sizes:
            folder = os.path.join(work, f"mem{size // MIB}")
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "sparse.bin"), "wb") as f:
                f.truncate(size)
            m = measure(putio_up("upload", "-q", folder, "--to", "/mem"), env=fake.env())
            rows.append((f"one {human(size)} file", m.rss_mib, m.wall))
            shutil.rmtree(folder)
        folder = os.path.join(work, "memtree")
        make_tree(folder, tree_files, max(1, tree_files // 100), 512)
        m = measure(putio_up("upload", "-q", "-j", "16", folder, "--to", "/mem"), env=fake.env())
        rows.append((f"{tree_files:,} files", m.rss_mib, m.wall))
        shutil.rmtree(folder)
    finally:
        fake.stop()
    return rows


def make_tree(folder, files, folders, size):
    per = files // folders
    for d in range(folders):
        sub = os.path.join(folder, f"d{d:03}")
        os.makedirs(sub, exist_ok=True)
        for f in range(per if d < folders - 1 else files - per * (folders - 1)):
            with open(os.path.join(sub, f"f{f:04}.bin"), "wb") as out:
                out.write(os.urandom(size))


def bench_small(work, files, folders, latency_ms, jobs_list, n, with_rclone):
    """3 + 4. Many small files with latency; then the no-op re-run of the same tree.
    Over the TLS path, so that rclone is measured on the same fake in the same run (once per
    job count: at its ~20 files/s a run takes minutes)."""
    folder = os.path.join(work, "small")
    make_tree(folder, files, folders, 4096)
    fake = Fake("--latency-ms", str(latency_ms), tls=True)
    result = {}
    try:
        for jobs in jobs_list:
            rates, per_file = [], []
            for i in range(n):
                fake.reset_stats()
                m = measure(putio_up("upload", "-q", "-j", str(jobs), folder, "--to", f"/small-j{jobs}-{i}"), env=fake.env())
                rates.append(files / m.wall)
                per_file.append(fake.stats()["requests"] / files)
            limit = jobs / (latency_ms / 1000)
            result[jobs] = {"files_s": rates, "requests_per_file": per_file, "efficiency": [r / limit for r in rates]}
            if with_rclone:
                fake.reset_stats()
                cmd, env = fake.rclone("copy", "--transfers", str(jobs), "--checkers", str(jobs), folder, f"putio:rclone-small-j{jobs}")
                m = measure(cmd, env=env)
                result[jobs]["rclone_files_s"] = [files / m.wall]
                result[jobs]["rclone_requests_per_file"] = [fake.stats()["requests"] / files]
                result[jobs]["rclone_rss"] = m.rss_mib
        # No-op re-run of the last tree: everything is there.
        walls, requests = [], []
        for _ in range(n):
            fake.reset_stats()
            m = measure(putio_up("upload", "-q", "-j", str(jobs_list[-1]), folder, "--to", f"/small-j{jobs_list[-1]}-0"), env=fake.env())
            walls.append(m.wall)
            requests.append(fake.stats()["requests"])
        result["noop"] = {"wall": walls, "requests": requests, "folders": folders + 1}
        if with_rclone:
            fake.reset_stats()
            cmd, env = fake.rclone("copy", "--transfers", str(jobs_list[-1]), "--checkers", str(jobs_list[-1]),
                                   folder, f"putio:rclone-small-j{jobs_list[-1]}")
            m = measure(cmd, env=env)
            result["noop"]["rclone_wall"] = [m.wall]
            result["noop"]["rclone_requests"] = [fake.stats()["requests"]]
    finally:
        fake.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return result


def make_wide_tree(folder, files, folders, size=16):
    """files spread evenly over `folders` folders (the top one included), two levels deep so
    that folders have parents to wait for: top/gNN/dNNNN."""
    os.makedirs(folder, exist_ok=True)
    subs = [folder]
    for d in range(folders - 1):
        subs.append(os.path.join(folder, f"g{d % 10:02}", f"d{d:05}") if d >= 10 else os.path.join(folder, f"g{d:02}"))
    for sub in subs:
        os.makedirs(sub, exist_ok=True)
    payload = b"x" * size
    for n in range(files):
        with open(os.path.join(subs[n % folders], f"f{n:07}.bin"), "wb") as out:
            out.write(payload)


def seed(fake, folder, to):
    """Puts the tree on the fake quickly (no latency), so that the next run is a no-op."""
    fake.control("faults", method="PUT", body=json.dumps({"latency_ms": 0}).encode())
    # A second pass picks up any file the first one failed (over the proxy, a few one-request
    # uploads in tens of thousands get "bad multipart body" from the fake; not yet explained).
    subprocess.run(putio_up("upload", "-q", "-j", "16", folder, "--to", to), env=fake.env(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    measure(putio_up("upload", "-q", "-j", "16", folder, "--to", to), env=fake.env())


def set_latency(fake, ms):
    fake.control("faults", method="PUT", body=json.dumps({"latency_ms": ms}).encode())


def bench_noop(work, name, files, folders, n, with_rclone, latency_ms=50):
    """7. A no-op re-run of a big tree already on put.io, next to rclone's on the same fake."""
    folder = os.path.join(work, name)
    make_wide_tree(folder, files, folders)
    fake = Fake(tls=True)
    out = {"files": files, "folders": folders}
    try:
        seed(fake, folder, f"/{name}")
        set_latency(fake, latency_ms)
        walls, cpus, rss, requests = [], [], [], []
        for _ in range(n):
            fake.reset_stats()
            m = measure(putio_up("upload", "-q", folder, "--to", f"/{name}"), env=fake.env())
            walls.append(m.wall)
            cpus.append(m.cpu)
            rss.append(m.rss_mib)
            requests.append(fake.stats()["requests"])
        out.update(wall=walls, cpu=cpus, rss=rss, requests=requests)
        if with_rclone:
            # rclone checks the copy putio-up made, by name and size as putio-up does (seeding
            # its own copy would take it most of an hour at its small-file rate).
            fake.reset_stats()
            cmd, env = fake.rclone("copy", "--size-only", "--checkers", "16", folder, f"putio:{name}/{name}")
            m = measure(cmd, env=env)
            out.update(rclone_wall=[m.wall], rclone_cpu=[m.cpu], rclone_rss=[m.rss_mib],
                       rclone_requests=[fake.stats()["requests"]])
    finally:
        fake.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return out


def bench_first_file(work, files, folders, n, latency_ms=50):
    """8. A fresh tree: seconds from start until the first file is uploaded and verified
    (its `file_done` line); the run is then interrupted."""
    import signal

    folder = os.path.join(work, "fresh")
    make_wide_tree(folder, files, folders)
    fake = Fake("--latency-ms", str(latency_ms), tls=True)
    firsts = []
    try:
        for i in range(n):
            start = time.monotonic()
            proc = subprocess.Popen(putio_up("upload", "--json", "-q", folder, "--to", f"/fresh{i}"), env=fake.env(),
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            for line in proc.stdout:
                if b'"type":"file_done"' in line:
                    firsts.append(time.monotonic() - start)
                    break
            proc.send_signal(signal.SIGINT)
            proc.stdout.read()
            proc.wait()
    finally:
        fake.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return firsts


def bench_flat_memory(work, shapes, n):
    """9. Peak RSS and CPU of no-op re-runs, without latency, as the tree grows; n runs per
    shape."""
    fake = Fake()
    rows = []
    try:
        for files, folders in shapes:
            folder = os.path.join(work, f"flat{files}")
            make_wide_tree(folder, files, folders)
            seed(fake, folder, f"/flat{files}")
            ms = [measure(putio_up("upload", "-q", folder, "--to", f"/flat{files}"), env=fake.env()) for _ in range(n)]
            rows.append((files, folders, ms))
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        fake.stop()
    return rows


def bench_engine(work, quick, n, with_rclone, million=True):
    """7-9: the shapes the streaming engine is measured by (issue 12)."""
    scale = 10 if quick else 1
    rows = {}
    print("  no-op, files in many folders ...", flush=True)
    rows["wide"] = bench_noop(work, "wide", 100_000 // scale, 1_100 // scale, n, with_rclone)
    print("  no-op, files in one folder ...", flush=True)
    rows["flat"] = bench_noop(work, "one", 100_000 // scale, 1, n, with_rclone)
    print("  fresh tree, first file ...", flush=True)
    rows["first"] = bench_first_file(work, 11_000 // scale, 1_100 // scale, n)
    print("  memory as the tree grows ...", flush=True)
    shapes = [(30_000 // scale, 300 // scale), (300_000 // scale, 3_000 // scale)]
    if million and not quick:
        shapes.append((1_000_000, 11_000))
    rows["growth"] = bench_flat_memory(work, shapes, n)
    return rows


def engine_section(rows, n, elapsed):
    lines = ["<!-- engine -->", "## Big trees (streaming engine)", ""]
    if elapsed is not None:
        lines += [f"Measured {datetime.date.today().isoformat()} on {machine()}, in {elapsed / 60:.1f} min "
                  f"(`python3 bench/run.py --only engine`). Each figure: median of {n} run(s) (min–max).", ""]
    lines += ["| # | benchmark | putio-up | rclone 1.60 | putio-up ÷ rclone | goal |", "|---|---|---|---|---|---|"]

    def col(values, fmt):
        return spread(values, fmt) if values else "—"

    def ratio(a, b):
        return f"{statistics.median(a) / statistics.median(b):.2f}" if a and b else "—"

    for key, label, goal in [("wide", "in {folders:,} folders", "wall ≤ 0.35 × rclone, requests ≤ folders + 5, RSS ≤ 64 MiB"),
                             ("flat", "in one folder", "wall ≤ rclone, CPU ≤ 3 s")]:
        r = rows[key]
        what = f"no-op re-run, {r['files']:,} files " + label.format(folders=r["folders"]) + ", 50 ms/request, HTTPS"
        lines.append(f"| 7 | {what}: seconds | {col(r['wall'], '{:.2f}')} | {col(r.get('rclone_wall', []), '{:.2f}')} | "
                     f"{ratio(r['wall'], r.get('rclone_wall', []))} | {goal} |")
        lines.append(f"| 7 | … CPU s (user+sys) | {col(r['cpu'], '{:.2f}')} | {col(r.get('rclone_cpu', []), '{:.2f}')} | — | — |")
        lines.append(f"| 7 | … requests ({r['folders']:,} folders) | {col(r['requests'], '{:.0f}')} | "
                     f"{col(r.get('rclone_requests', []), '{:.0f}')} | — | — |")
        lines.append(f"| 7 | … peak RSS, MiB | {col(r['rss'], '{:.1f}')} | {col(r.get('rclone_rss', []), '{:.0f}')} | — | — |")
    lines.append(f"| 8 | fresh tree, first file verified after, seconds | {col(rows['first'], '{:.2f}')} | — | — | ≤ 1.5 s |")
    for files, folders, ms in rows["growth"]:
        lines.append(f"| 9 | no-op, {files:,} files in {folders:,} folders, no latency: peak RSS MiB / CPU s / wall s | "
                     f"{spread([m.rss_mib for m in ms])} / {spread([m.cpu for m in ms], '{:.2f}')} / "
                     f"{spread([m.wall for m in ms], '{:.2f}')} | — | — | flat in the tree; 1M files ≤ 64 MiB, ≤ 10 CPU s |")
    lines += ["", "Trees: 16-byte files spread evenly over folders two levels deep, put on the fake by a latency-free "
              "putio-up run first. rclone checks that same copy with `copy --size-only --checkers 16` (name and size, "
              "like putio-up, and putio-up's default concurrency), one run (a run takes minutes); both reach the fake through its CONNECT proxy. Row 8: `--json`, time from "
              "start to the first `file_done` line, then the run is interrupted.", "<!-- /engine -->"]
    return "\n".join(lines)


def write_engine_section(section):
    path = os.path.join(ROOT, "BENCHMARKS.md")
    text = open(path).read() if os.path.exists(path) else "# putio-up benchmarks\n"
    start, end = text.find("<!-- engine -->"), text.find("<!-- /engine -->")
    if start >= 0 and end >= 0:
        text = text[:start] + section + text[end + len("<!-- /engine -->"):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(path, "w") as out:
        out.write(text)


def bench_startup(n):
    """6. `putio-up --help` wall time."""
    times = []
    for _ in range(n):
        t = time.monotonic()
        subprocess.run(putio_up("--help"), stdout=subprocess.DEVNULL, check=True)
        times.append((time.monotonic() - t) * 1000)
    return times


def human(n):
    for unit in ["B", "KiB", "MiB", "GiB", "TiB"]:
        if n < 1024 or unit == "TiB":
            return f"{n:g} {unit}"
        n /= 1024


def machine():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    return f"{os.cpu_count()} cores ({model}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


# ---------------------------------------------------------------- report


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each, no BENCHMARKS.md")
    parser.add_argument("--no-build", action="store_true", help="use the existing release build")
    parser.add_argument("--only", choices=["engine"], help="run only these benchmarks (engine: big trees, rows 7-9); "
                        "a full-size run rewrites their section of BENCHMARKS.md")
    parser.add_argument("--no-million", action="store_true", help="leave out the 1,000,000-file tree (minutes to seed)")
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "-q", "--release", "--workspace"], cwd=ROOT, check=True)
    if not shutil.which("curl"):
        sys.exit("curl is needed: apt-get install -y curl")
    with_rclone = shutil.which("rclone") is not None
    if not with_rclone:
        print("rclone not found (apt-get install -y rclone): its columns stay empty", flush=True)

    quick = args.quick
    n = 1 if quick else 3
    chunk = 64 * MIB
    large = 256 * MIB if quick else 2 * GIB
    mem_sizes = [64 * MIB, 256 * MIB] if quick else [64 * MIB, GIB, 8 * GIB]
    tree_files = 2_000 if quick else 20_000
    small_files, small_folders = (400, 10) if quick else (2_000, 50)

    if args.only == "engine":
        started = time.monotonic()
        work = tempfile.mkdtemp(prefix="putio-bench-")
        try:
            print(f"machine: {machine()}", flush=True)
            rows = bench_engine(work, quick, n, with_rclone, million=not args.no_million)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        section = engine_section(rows, n, time.monotonic() - started)
        print()
        print(section)
        if not quick:
            write_engine_section(section)
            print("\nwritten to BENCHMARKS.md")
        return

    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="putio-bench-")
    try:
        print(f"machine: {machine()}", flush=True)
        print("1/5 large file (plain HTTP, then HTTPS via the proxy) ...", flush=True)
        lg = bench_large(work, large, chunk, n, tls=False, with_rclone=False)
        lgt = bench_large(work, large, chunk, n, tls=True, with_rclone=with_rclone)
        print("2/5 memory ...", flush=True)
        mem = bench_memory(work, mem_sizes, tree_files)
        print("3/5 small files ...", flush=True)
        sm = bench_small(work, small_files, small_folders, 50, [4, 16], n, with_rclone)
        print("4/5 start-up ...", flush=True)
        st = bench_startup(30)
        print("5/5 big trees (streaming engine) ...", flush=True)
        eng = bench_engine(work, quick, n, with_rclone, million=not args.no_million)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started

    lines = []
    add = lines.append
    add(f"Measured {datetime.date.today().isoformat()} on {machine()}, in {elapsed / 60:.1f} min "
        f"(`python3 bench/run.py`). Each figure: median of {n} run(s) (min–max).")
    add("")
    def col(values, fmt):
        return spread(values, fmt) if values else "—"

    add("| # | benchmark | putio-up | curl (same requests) | rclone 1.60 | putio-up ÷ curl | putio-up ÷ rclone | goal |")
    add("|---|---|---|---|---|---|---|---|")
    add(f"| 1 | one {human(large)} file, {human(chunk)} PATCHes, plain HTTP, MiB/s | {col(lg['ours_mibs'], '{:.0f}')} | "
        f"{col(lg['curl_mibs'], '{:.0f}')} | — | {col(lg['ratio'], '{:.2f}')} | — | ≥ 0.90 |")
    add(f"| 1 | the same over HTTPS via the CONNECT proxy, MiB/s | {col(lgt['ours_mibs'], '{:.0f}')} | "
        f"{col(lgt['curl_mibs'], '{:.0f}')} | {col(lgt['rclone_mibs'], '{:.0f}')} | {col(lgt['ratio'], '{:.2f}')} | "
        f"{col(lgt['ratio_rclone'], '{:.2f}')} | ≥ 0.90 |")
    add(f"| 5 | CPU s (user+sys) per GiB, plain HTTP | {col(lg['ours_cpu'], '{:.2f}')} | {col(lg['curl_cpu'], '{:.2f}')} | — | "
        f"{statistics.median(lg['ours_cpu']) / statistics.median(lg['curl_cpu']):.2f} | — | — |")
    add(f"| 5 | CPU s (user+sys) per GiB, HTTPS | {col(lgt['ours_cpu'], '{:.2f}')} | {col(lgt['curl_cpu'], '{:.2f}')} | "
        f"{col(lgt['rclone_cpu'], '{:.2f}')} | {statistics.median(lgt['ours_cpu']) / statistics.median(lgt['curl_cpu']):.2f} | "
        f"{(statistics.median(lgt['ours_cpu']) / statistics.median(lgt['rclone_cpu'])) if lgt['rclone_cpu'] else float('nan'):.2f} | — |")
    for jobs in (4, 16):
        r = sm[jobs]
        rc = r.get("rclone_files_s", [])
        vs = f"{statistics.median(r['files_s']) / rc[0]:.1f}×" if rc else "—"
        add(f"| 3 | {small_files:,} × 4 KiB in {small_folders} folders, 50 ms/request, HTTPS, `-j {jobs}`: files/s | "
            f"{col(r['files_s'], '{:.1f}')} | — | {col(rc, '{:.1f}')} | efficiency {col(r['efficiency'], '{:.2f}')} | {vs} | "
            f"≥ 0.70 efficiency, ≥ 2× rclone |")
        add(f"| 3 | … HTTP requests per file (`-j {jobs}`) | {col(r['requests_per_file'], '{:.3f}')} | — | "
            f"{col(r.get('rclone_requests_per_file', []), '{:.3f}')} | — | — | ≈ 1 |")
    noop = sm["noop"]
    add(f"| 4 | no-op re-run of that tree: seconds | {col(noop['wall'], '{:.2f}')} | — | {col(noop.get('rclone_wall', []), '{:.2f}')} | — | — | ≤ rclone's |")
    add(f"| 4 | … requests ({noop['folders']} folders) | {col(noop['requests'], '{:.0f}')} | — | {col(noop.get('rclone_requests', []), '{:.0f}')} | — | — | ≈ folders |")
    for label, rss, wall in mem:
        add(f"| 2 | peak RSS, {label} | {rss:.1f} MiB | — | — | — | — | ≤ 32 MiB, flat |")
    if lgt["rclone_rss"]:
        add(f"| 2 | peak RSS, one {human(large)} file, HTTPS | — | — | {col(lgt['rclone_rss'], '{:.0f}')} MiB | — | — | — |")
    for jobs in (4, 16):
        if "rclone_rss" in sm[jobs]:
            add(f"| 2 | peak RSS, {small_files:,} small files, `-j {jobs}` | — | — | {sm[jobs]['rclone_rss']:.0f} MiB | — | — | — |")
    add(f"| 6 | `putio-up --help` wall time, ms (30 runs) | {spread(st, '{:.1f}')} | — | — | — | — | ≤ 10 ms |")
    add("")
    add("Efficiency = files/s ÷ (jobs ÷ 0.05 s), the limit of one round trip per file. HTTPS rows: all tools reach "
        "the fake as `https://api.put.io` / `https://upload.put.io` through its CONNECT proxy with its throw-away CA "
        "(rclone's endpoints are fixed). rclone's small-file figures are one run each (a run takes minutes).")
    report = "\n".join(lines) + "\n\n" + engine_section(eng, n, None)
    print()
    print(report)
    if not quick:
        path = os.path.join(ROOT, "BENCHMARKS.md")
        # The sections other scripts write (bench/bwlimit.py, bench/watch.py) come after the
        # engine's and stay as they are.
        rest = ""
        if os.path.exists(path):
            old = open(path).read()
            if "<!-- /engine -->" in old:
                rest = old.split("<!-- /engine -->", 1)[1].lstrip("\n")
        with open(path, "w") as out:
            out.write("# putio-up benchmarks\n\n" + report + "\n" + ("\n" + rest if rest else ""))
        print("\nwritten to BENCHMARKS.md")


if __name__ == "__main__":
    main()
