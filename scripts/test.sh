#!/usr/bin/env bash
# Runs every check and test of marketloop on a fresh machine (the README's test command).
# Installs what it needs itself: Rust crates through cargo, Python packages through pip.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace --release
echo "== cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
echo "== python package"
bash scripts/test-python.sh
echo "== user guide (every command and code block of docs/)"
MARKETLOOP_PYTHON="$(cd "${MARKETLOOP_VENV:-.venv}" && pwd)/bin/python" bash scripts/test-docs.sh
