#!/usr/bin/env bash
# The main job: the papers' headline experiments at a quick scale, with one report.
# Writes out/main/{cultural-market,competing-bandits,bayes-theorem-4-2,study-learning-in-the-loop,...}
# and out/main/index.html.
# Everything it needs it installs itself (Rust crates through cargo; MovieLens-100K through the
# package registry fallback of `marketloop data fetch`, into an ignored cache).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out/main}
export MARKETLOOP_CACHE=${MARKETLOOP_CACHE:-$PWD/.cache}
cargo build --release -p marketloop-cli
ML=${CARGO_TARGET_DIR:-target}/release/marketloop
rm -rf "$OUT"
mkdir -p "$OUT"

echo "== equilibrium of the example market"
$ML market equilibrium examples/markets/two-types.toml --format table | tee "$OUT/equilibrium.txt"

echo "== MovieLens-100K"
$ML data fetch movielens-100k

echo "== cultural market (Zhu, Cheung & Xie), quick scale"
$ML reproduce cultural-market --scale quick --out "$OUT/cultural-market"
if [ -d ../shared/data/zhu2023-inputs ]; then
  $ML reproduce cultural-market --scale quick --inputs zhu2023 --inputs-dir ../shared/data/zhu2023-inputs --ties numpy-argsort-reversed --out "$OUT/cultural-market-zhu2023"
fi

echo "== competing bandits (Aridor, Mansour, Slivkins & Wu), quick scale"
$ML reproduce competing-bandits --tables all --runs 200 --out "$OUT/competing-bandits"

echo "== the Bayesian-choice model (Section 4): Theorem 4.2 on Heavy-Tail"
$ML bayes examples/bayes/theorem-4-2-heavy-tail.toml --out "$OUT/bayes-theorem-4-2"

echo "== the two papers joined: learning in the loop (arena study), ci scale"
$ML study learning-in-the-loop --scale ci --out "$OUT/study-learning-in-the-loop"

{
  echo '<!doctype html><html><head><meta charset="utf-8"><title>marketloop main job</title></head><body>'
  echo '<h1>marketloop main job</h1><ul>'
  for d in "$OUT"/*/; do
    n=$(basename "$d")
    [ -f "$d/report.html" ] && echo "<li><a href=\"$n/report.html\">$n</a></li>"
  done
  echo '</ul><h2>Example market equilibrium</h2><pre>'
  sed 's/&/\&amp;/g; s/</\&lt;/g' "$OUT/equilibrium.txt"
  echo '</pre></body></html>'
} > "$OUT/index.html"
echo "report: $OUT/index.html"
