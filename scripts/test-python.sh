#!/usr/bin/env bash
# The Python package's tests (called last by scripts/test.sh; runnable on its own):
# a virtualenv, the abi3 wheel and sdist built with maturin and the wheel installed into it,
# pytest against the installed wheel (including a local Ray cluster
# of 2 CPUs and Python-vs-CLI equality checks), the getting-started notebook executed with
# nbclient, and the example scripts at a small scale.
#
#   MARKETLOOP_VENV      virtualenv folder (default .venv)
#   CARGO_TARGET_DIR     cargo's target folder (default target: reuses scripts/test.sh's release
#                        build, so only the binding crate itself is compiled here)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
start=$SECONDS
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=${MARKETLOOP_VENV:-.venv}
case "$VENV" in /*) ;; *) VENV=$ROOT/$VENV ;; esac

echo "== python: virtualenv and packages ($VENV)"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q "maturin>=1.5,<2" numpy pandas pyarrow pytest joblib \
    "ray>=2.9" nbclient nbformat ipykernel matplotlib
t_pip=$((SECONDS - start))

echo "== python: build the abi3 wheel and the sdist (maturin), install the wheel, and the CLI"
# The tests run against the INSTALLED wheel (not `maturin develop`): what a user pip-installs.
WHEELS=$CARGO_TARGET_DIR/wheels-ci
rm -rf "$WHEELS"
(cd crates/marketloop-py && PATH="$VENV/bin:$PATH" maturin build --release --quiet --out "$WHEELS" \
    && PATH="$VENV/bin:$PATH" maturin sdist --out "$WHEELS")
ls "$WHEELS"/marketloop-*.tar.gz >/dev/null
"$VENV/bin/python" -m pip uninstall -q -y marketloop 2>/dev/null || true
"$VENV/bin/python" -m pip install -q --no-deps "$WHEELS"/marketloop-*-abi3-*.whl
cargo build --release --quiet -p marketloop-cli
export MARKETLOOP_BIN=$CARGO_TARGET_DIR/release/marketloop
t_build=$((SECONDS - start - t_pip))

echo "== python: pytest"
# Tests run from a scratch folder so `import marketloop` is the installed package.
"$VENV/bin/python" -m pytest -q -p no:cacheprovider crates/marketloop-py/tests
t_pytest=$((SECONDS - start - t_pip - t_build))

echo "== python: notebook and examples"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$VENV/bin/python" - "$ROOT/examples/notebooks/getting-started.ipynb" "$scratch" <<'PY'
import sys, time, nbformat
from nbclient import NotebookClient
path, cwd = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
t = time.perf_counter()
NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": cwd}}).execute()
print(f"notebook {path} executed in {time.perf_counter() - t:.1f} s")
PY
(cd "$scratch" && MARKETLOOP_EXAMPLE_SCALE=ci "$VENV/bin/python" "$ROOT/examples/python/cultural_market.py" --out "$scratch/cm")
(cd "$scratch" && MARKETLOOP_EXAMPLE_SCALE=ci "$VENV/bin/python" "$ROOT/examples/python/competing_bandits.py" --out "$scratch/cb")
(cd "$scratch" && MARKETLOOP_EXAMPLE_SCALE=ci "$VENV/bin/python" "$ROOT/examples/python/user_algorithm.py" --out "$scratch/ua")
(cd "$scratch" && MARKETLOOP_EXAMPLE_SCALE=ci "$VENV/bin/python" "$ROOT/examples/python/user_ranking.py")
echo "== python: the wheel alone in a fresh virtualenv runs the package README's example"
fresh=$(mktemp -d)
python3 -m venv "$fresh/venv"
"$fresh/venv/bin/python" -m pip install -q "$WHEELS"/marketloop-*-abi3-*.whl
MARKETLOOP_PYTHON="$fresh/venv/bin/python" bash scripts/test-docs.sh crates/marketloop-py/README.md
rm -rf "$fresh"
t_nb=$((SECONDS - start - t_pip - t_build - t_pytest))
echo "== python: done in $((SECONDS - start)) s (pip ${t_pip} s, build ${t_build} s, pytest ${t_pytest} s, notebook+examples ${t_nb} s)"
