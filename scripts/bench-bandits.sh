#!/usr/bin/env bash
# Times `marketloop reproduce competing-bandits` at the paper's scale (N = 1000 runs):
#   1. the Table 1 grid (3 instances x 3 T0 x 3 pairs x 1000 runs), target <= 3 s wall;
#   2. every table of Section 5 and Appendix F plus the figures, target <= 30 s wall;
# (issue 15's targets, on 2 cores) on this machine, printing wall and CPU (user + sys) seconds,
# the target and the load average. Wall time depends on the load; CPU time much less so.
# Usage: scripts/bench-bandits.sh [tables...]   (default: "1" and "all")
# Env: CARGO_TARGET_DIR (default target-bandits), THREADS (default: all cores), KEEP=1 keeps
# the output folders.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target-bandits}"
cargo build --release -q -p marketloop-cli
bin="$CARGO_TARGET_DIR/release/marketloop"
threads=()
if [[ -n "${THREADS:-}" ]]; then threads=(--threads "$THREADS"); fi
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-bandits.XXXXXX")"
trap '[[ "${KEEP:-0}" == 1 ]] || rm -rf "$work"' EXIT
selections=("$@")
if [[ ${#selections[@]} -eq 0 ]]; then selections=(1 all); fi
echo "machine: $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
for sel in "${selections[@]}"; do
    out="$work/tables-${sel//,/_}"
    tf="$work/time-${sel//,/_}"
    /usr/bin/time -f "%e %U %S" -o "$tf" \
        "$bin" --quiet "${threads[@]}" reproduce competing-bandits --tables "$sel" --runs 1000 \
        --out "$out" >/dev/null
    read -r wall user sys <"$tf"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    case "$sel" in
        1) target="<= 3 s wall" ;;
        all) target="<= 30 s wall" ;;
        *) target="none" ;;
    esac
    printf 'tables %-6s wall %7.2f s   cpu %7.2f s   target %s   (%s)\n' "$sel" "$wall" "$cpu" \
        "$target" "$(uptime | sed 's/.*load average/load average/')"
done
