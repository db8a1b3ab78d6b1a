#!/usr/bin/env bash
# Times `marketloop bayes` at issue 16's curve target: the Bayesian-expected reward curves for
# T = 2,000 from 100,000 prior draws (target <= 10 s wall on 2 cores), BG against TS on the
# paper's Heavy-Tail instance, for K = 3 (the Theorem 4.2 example's size) and K = 10 (the
# paper's Section 5 size), with the true prior as belief and with Beta(1, 1) beliefs. One run
# each, printing wall and CPU (user + sys) seconds, the target and the load average. The game
# itself (T rounds after the curves) is a small part of each run.
# Usage: scripts/bench-bayes.sh [paths]          (default 100000)
# Env: CARGO_TARGET_DIR (default target), BIN (a marketloop binary to time instead of building
#      one), THREADS (default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."
paths=${1:-100000}
if [[ -z "${BIN:-}" ]]; then
    cargo build --release -q -p marketloop-cli
    BIN="${CARGO_TARGET_DIR:-target}/release/marketloop"
fi
threads=()
if [[ -n "${THREADS:-}" ]]; then threads=(--threads "$THREADS"); fi
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-bayes.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
echo "workload: BG vs TS, Heavy-Tail, T = 2000, $paths prior draws; target <= 10 s wall"
for case in "3 \"true\"" "10 \"true\"" "10 [1.0, 1.0]"; do
    read -r k belief <<<"$case"
    cat >"$work/spec.toml" <<SPEC
seed = 1
prior = "heavy-tail"
k = $k
belief = $belief
algorithms = ["BG", "TS"]
t = 2000
paths = $paths
SPEC
    tf="$work/time"
    rm -rf "$work/out"
    /usr/bin/time -f "%e %U %S" -o "$tf" "$BIN" --quiet "${threads[@]}" bayes "$work/spec.toml" \
        --out "$work/out" >/dev/null
    read -r wall user sys <"$tf"
    printf 'K = %-3s belief = %-11s wall %7.2f s   cpu %7.2f s   (%s)\n' "$k" "$belief" "$wall" \
        "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" \
        "$(uptime | sed 's/.*load average/load average/')"
done
