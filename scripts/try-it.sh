#!/usr/bin/env bash
# Try putio-up without a put.io account: start the fake put.io on loopback, upload a folder
# into it with the installed `putio-up`, show what the fake now holds, stop the fake.
#
#   scripts/try-it.sh [FOLDER]        (default: this repository's src/ folder)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
folder=${1:-$here/src}
command -v putio-up >/dev/null || { echo "putio-up is not on PATH: run 'cargo install --path .' first" >&2; exit 2; }

work=$(mktemp -d)
trap 'kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build -q --release --manifest-path "$here/Cargo.toml" -p fake-putio
"$here/target/release/fake-putio" --quiet --env-file "$work/fake.env" >/dev/null 2>"$work/fake.log" &
fake_pid=$!
for _ in $(seq 100); do [ -s "$work/fake.env" ] && break; sleep 0.05; done
set -a; . "$work/fake.env"; set +a
echo "fake put.io: API $PUTIO_API_URL, uploads $PUTIO_UPLOAD_URL"
echo "\$ putio-up upload $folder --to /demo"
status=0
putio-up upload "$folder" --to /demo || status=$?
echo "putio-up exited with $status; the fake put.io now holds:"
curl -fsS "$PUTIO_API_URL/__fake/tree" | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    print(("  %-60s %10s  %s" % (e["path"], e["size"], e["crc32"] or "")) if e["kind"] == "file" else "  " + e["path"] + "/")
' 2>/dev/null || curl -fsS "$PUTIO_API_URL/__fake/tree"
exit "$status"
