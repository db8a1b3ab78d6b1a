#!/usr/bin/env bash
# Times `marketloop arena` end to end on issue 11's workload: the authors' 100 MovieLens types
# and 1682 items (Zhu, Cheung & Xie's Figure-2 inputs), r = 0.5, the 50 MusicLab positions,
# one platform per ranking (quality oracle, performance ranking, greedy, UCB, Thompson sampling;
# popularity-free, personalised), then two greedy platforms (the two-platform target's pair:
# the same ranking on both) and greedy against Thompson sampling. One replicate per run, one
# thread, printing wall and CPU seconds and the load average, and the CPU nanoseconds per user
# net of the set-up (reading the inputs, building the run), measured by a one-user run. Each is
# the median of REPS runs (default 5), set-up and full runs alternating: this machine's timings
# of one command vary by 20-30% from run to run.
# Targets (issue 11): greedy or UCB <= 400 ns per user, Thompson <= 3 us, two platforms <= 1.5x
# one platform.
#
# Usage: scripts/bench-arena.sh [steps]          (default 300000 users)
# Env: INPUTS_DIR (default ../shared/data/zhu2023-inputs), CARGO_TARGET_DIR (default target),
#      BIN (a marketloop binary to time instead of building one), RANKINGS (default
#      "quality performance greedy ucb thompson"), REPS (runs per figure, default 5; the wall
#      time printed is the last full run's).
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-300000}
inputs=$(cd "${INPUTS_DIR:-../shared/data/zhu2023-inputs}" && pwd)
if [[ -z "${BIN:-}" ]]; then
    cargo build --release -q -p marketloop-cli
    BIN="${CARGO_TARGET_DIR:-target}/release/marketloop"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-arena.XXXXXX")"
trap 'rm -rf "$work"' EXIT
spec() { # name, users, then one ranking per platform
    local name=$1 users=$2
    shift 2
    {
        echo "steps = $users"
        echo "every = $users"
        echo 'response = { kind = "hard-max-random", eps = 0.1 }'
        echo 'position_bias = "musiclab"'
        echo '[market]'
        echo "weights = { groups = \"$inputs/groups_100.json\" }"
        echo "visibility = { file = \"$inputs/appeals.npy\" }"
        echo "quality = { file = \"$inputs/qualities.npy\" }"
        echo 'feedback = 0.5'
        echo 'initial_counts = { uniform = [2, 3] }'
        local i=0
        for r in "$@"; do
            printf '[[platforms]]\nname = "%s-%d"\nranking = "%s"\n' "$r" "$i" "$r"
            i=$((i + 1))
        done
    } >"$work/$name.toml"
}

echo "machine: $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
echo "workload: 100 types x 1682 items, r = 0.5, 50 positions, $steps users, 1 run, 1 thread"
cpu_of() { # spec name -> CPU seconds (user + sys) of one run, wall seconds in $work/wall
    local name=$1 tf="$work/$1.time"
    rm -rf "$work/$name.out"
    /usr/bin/time -f "%e %U %S" -o "$tf" "$BIN" arena "$work/$name.toml" --quiet --threads 1 \
        --runs 1 --seed 1 --out "$work/$name.out" >/dev/null
    read -r wall user sys <"$tf"
    echo "$wall" >"$work/wall"
    awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }'
}

median() { # numbers on stdin -> their median
    sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

run() { # label, then one ranking per platform
    local label=$1
    shift
    spec setup 1 "$@"
    spec full "$steps" "$@"
    local setup full i
    # Set-up and full runs alternate, REPS times each; the medians are reported.
    : >"$work/setups"
    : >"$work/fulls"
    for ((i = 0; i < ${REPS:-5}; i++)); do
        cpu_of setup >>"$work/setups"
        echo >>"$work/setups"
        cpu_of full >>"$work/fulls"
        echo >>"$work/fulls"
    done
    setup=$(median <"$work/setups")
    full=$(median <"$work/fulls")
    printf '%-20s wall %7.2f s   cpu %7.2f s   %8.0f ns/user net of %.2f s set-up   (%s)\n' \
        "$label" "$(cat "$work/wall")" "$full" \
        "$(awk -v f="$full" -v s="$setup" -v n="$steps" 'BEGIN { print (f - s) * 1e9 / (n - 1) }')" \
        "$setup" "$(uptime | sed 's/.*load average/load average/')"
}

for r in ${RANKINGS:-quality performance greedy ucb thompson}; do
    run "$r" "$r"
done
run "greedy vs greedy" greedy greedy
run "greedy vs thompson" greedy thompson
