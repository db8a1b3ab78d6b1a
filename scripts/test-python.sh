#!/usr/bin/env bash
# Python package tests (work in progress: not yet called by scripts/test.sh; see issue 5).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== python package (maturin + pytest)"
VENV=${MARKETLOOP_VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q "maturin>=1.5,<2" numpy pandas pyarrow pytest joblib "ray[default]>=2.9"
# maturin develop builds the extension into the venv (dev profile shares the test build's crates).
(cd crates/marketloop-py && VIRTUAL_ENV="$PWD/../../$VENV" PATH="$PWD/../../$VENV/bin:$PATH" maturin develop --quiet)
"$VENV/bin/python" -m pytest -q crates/marketloop-py/tests
