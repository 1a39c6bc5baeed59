#!/usr/bin/env bash
# Peak memory of putio-up uploading files of different sizes to the fake put.io (bytes
# counted and CRC'd, not stored). Goal: peak RSS flat in file size.
#
#   bench/memory.sh            prints a table; sizes from BENCH_SIZES_MIB (default "64 1024")
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sizes=${BENCH_SIZES_MIB:-"64 1024"}
cargo build -q --release --manifest-path "$here/Cargo.toml" --workspace
bin="$here/target/release"
work=$(mktemp -d)
trap 'kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin/fake-putio" --quiet --discard-bytes --env-file "$work/fake.env" >/dev/null 2>&1 &
fake_pid=$!
for _ in $(seq 100); do [ -s "$work/fake.env" ] && break; sleep 0.05; done
set -a; . "$work/fake.env"; set +a

printf '%-12s %12s %12s %10s\n' "file" "peak RSS" "seconds" "MiB/s"
for mib in $sizes; do
  dir="$work/m$mib"; mkdir -p "$dir"
  truncate -s "${mib}M" "$dir/sparse.bin"
  # ru_maxrss of the finished child, in KiB on Linux.
  python3 - "$bin/putio-up" "$dir" "$mib" <<'PY'
import resource, subprocess, sys, time
exe, folder, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = time.monotonic()
rc = subprocess.run([exe, "upload", "-q", folder, "--to", "/bench"], stderr=subprocess.DEVNULL).returncode
secs = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
if rc != 0:
    sys.exit(f"putio-up exited {rc}")
print(f"{str(mib) + ' MiB':<12} {rss:>9.1f} MiB {secs:>12.2f} {mib / secs:>10.0f}")
PY
  rm -f "$dir/sparse.bin"
done
