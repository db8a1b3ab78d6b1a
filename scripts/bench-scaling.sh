#!/usr/bin/env bash
# How marketloop's costs grow, so that the growth is visible rather than assumed:
#   1. the cost of one market step per ranking as the catalogue grows (n = 1,682 / 20,000 /
#      200,000 items at M = 100) and as the population grows (M = 1 / 100 / 1,000 types at
#      n = 1,682): criterion bench `market_scaling` (synthetic matrices, generated in memory);
#   2. Figure 2 in full (90 million steps) with 1 and with 2 worker threads, for both the default
#      tie rule and the authors' `numpy-argsort-reversed`: wall time per run of the command.
# Prints the load average with each figure. Usage: scripts/bench-scaling.sh [steps|figure2|all]
#   INPUTS_DIR   the authors' matrices for Figure 2 (default ../shared/data/zhu2023-inputs)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
load() { uptime | sed 's/.*load average/load average/'; }
if [[ "$what" == steps || "$what" == all ]]; then
  echo "== cost per step vs n and M ($(load))"
  cargo bench -q -p marketloop-core --bench market_scaling 2>/dev/null \
    | grep -E '^(step|[a-z].*time:)|time:' || true
fi
if [[ "$what" == figure2 || "$what" == all ]]; then
  for ties in first-to-reach numpy-argsort-reversed; do
    for threads in 1 2; do
      echo "== Figure 2 full, --ties $ties, $threads thread(s) ($(load))"
      THREADS=$threads bash scripts/bench-figure2.sh zhu2023 --ties "$ties" | tail -1
    done
  done
fi
