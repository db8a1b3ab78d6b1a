#!/usr/bin/env bash
# Fuzzing of every parser and spec (crates/marketloop-io/tests/fuzz_inputs.rs: market TOML,
# compete TOML, sweep TOML, .npy, CSV matrix, u.data, groups JSON): proptest mutations of a
# valid input per target, which must never panic. Prints the executions per target and the
# time taken; a panic fails with the minimal input.
#
#   MARKETLOOP_FUZZ_CASES   cases per target (default 1000000)
#   FUZZ_SECONDS            stop after this many seconds (default 1800)
#   CARGO_TARGET_DIR        cargo's target folder (default target)
set -euo pipefail
cd "$(dirname "$0")/.."
export MARKETLOOP_FUZZ_CASES=${MARKETLOOP_FUZZ_CASES:-1000000}
FUZZ_SECONDS=${FUZZ_SECONDS:-1800}
cargo test --release --quiet -p marketloop-io --test fuzz_inputs --no-run
start=$SECONDS
timeout "$FUZZ_SECONDS" cargo test --release --quiet -p marketloop-io --test fuzz_inputs -- \
    --test-threads 2 fuzz_
echo "fuzz: 9 targets x $MARKETLOOP_FUZZ_CASES executions, 0 panics, in $((SECONDS - start)) s"
