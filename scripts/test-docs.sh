#!/usr/bin/env bash
# Executes every `bash` and `python` block of the user guide (docs/*.md), page by page, each
# page in its own scratch folder; a block tagged `toml file=NAME` is written to NAME first.
# Blocks tagged `text` are shown, not run. Needs the marketloop binary and the Python package:
#
#   MARKETLOOP_BIN     the binary (default: $CARGO_TARGET_DIR/release/marketloop)
#   MARKETLOOP_PYTHON  a python with marketloop installed (default: .venv/bin/python)
#
# Arguments: the Markdown pages to run (default: docs/*.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${MARKETLOOP_BIN:-$CARGO_TARGET_DIR/release/marketloop}
PY=${MARKETLOOP_PYTHON:-$ROOT/.venv/bin/python}
[ -x "$BIN" ] || { echo "test-docs: no marketloop binary at $BIN (cargo build --release -p marketloop-cli)"; exit 1; }
bindir=$(mktemp -d)
trap 'rm -rf "$bindir"' EXIT
ln -s "$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")" "$bindir/marketloop"
export PATH="$bindir:$PATH" MARKETLOOP_REPO="$ROOT"
pages=("$@")
[ ${#pages[@]} -gt 0 ] || pages=("$ROOT"/docs/*.md)
python3 - "$PY" "${pages[@]}" <<'PY'
import os, re, subprocess, sys, tempfile, time
py, pages = sys.argv[1], sys.argv[2:]
fence = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.M | re.S)
total = 0
for page in pages:
    text = open(page, encoding="utf-8").read()
    with tempfile.TemporaryDirectory() as cwd:
        for m in fence.finditer(text):
            info, body = m.group(1).split(), m.group(2)
            lang = info[0] if info else ""
            line = text.count("\n", 0, m.start()) + 1
            where = f"{os.path.relpath(page)}:{line}"
            if lang == "toml" and len(info) > 1 and info[1].startswith("file="):
                with open(os.path.join(cwd, info[1][5:]), "w") as f:
                    f.write(body)
                continue
            if lang == "bash":
                cmd = ["bash", "-euo", "pipefail", "-c", body]
            elif lang == "python":
                cmd = [py, "-c", body]
            else:
                continue
            t = time.perf_counter()
            r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
            total += 1
            if r.returncode != 0:
                print(f"FAILED {where} ({lang}, exit {r.returncode}):\n{body}\n--- stdout\n{r.stdout}\n--- stderr\n{r.stderr}")
                sys.exit(1)
            print(f"ok {where} ({lang}, {time.perf_counter() - t:.1f} s)")
print(f"test-docs: {total} blocks of {len(pages)} pages ran")
PY
