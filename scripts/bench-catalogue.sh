#!/usr/bin/env bash
# Big catalogues (issue 15, target 4): set-up time and peak memory of `marketloop market simulate
# --steps 1` on synthetic float64 .npy matrices of n items x M types, against the targets
# (n = 200,000: set-up <= 2 s at M = 500, <= 4 s at M = 1,000; peak memory <= 1.25x the input
# matrices). The matrices are generated here, in a temporary folder that is removed afterwards
# (never committed): one pseudo-random row per matrix, each type's row a rotation of it, so
# generating 3.2 GB takes seconds and needs nothing but Python's standard library.
#
# Usage: scripts/bench-catalogue.sh [N_ITEMS] [M_TYPES ...]   (default: 200000 500 1000)
# Env: THREADS (default: every core; the two matrices are read, and the samplers' trees built,
#      on the pool), CARGO_TARGET_DIR (default target), TMPDIR (where the matrices go; needs 2 x 8 x N x M
#      bytes), KEEP=1 keeps the matrices and prints their folder, PRECISION=f32 runs with
#      precision = "f32" (the matrices stored as float32: half their memory; default f64).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
shift || true
types=("$@")
if [[ ${#types[@]} -eq 0 ]]; then types=(500 1000); fi
target=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p marketloop-cli
bin="$target/release/marketloop"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-catalogue.XXXXXX")"
trap '[[ "${KEEP:-0}" == 1 ]] && echo "matrices in $work" || rm -rf "$work"' EXIT
load() { uptime | sed 's/.*load average/load average/'; }
threads=${THREADS:-$(nproc)}
precision=${PRECISION:-f64}
case "$precision" in f64|f32) ;; *) echo "PRECISION must be f64 or f32, not $precision" >&2; exit 2 ;; esac
echo "machine: $(nproc) cores, --threads $threads, precision $precision; $(load)"
for m in "${types[@]}"; do
  dir="$work/m$m"
  mkdir -p "$dir"
  python3 - "$dir" "$n" "$m" "$precision" <<'EOF'
import array, random, struct, sys

folder, n, m, precision = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

def npy(path, rows, cols, row_bytes):
    # NumPy format 1.0: magic, header length, a dict padded so the data starts at a multiple of 64.
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, cols)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        for i in range(rows):
            k = 8 * ((i * 7919) % cols)
            f.write(row_bytes[k:] + row_bytes[:k])

rng = random.Random(15)
vis = array.array("d", (0.05 + rng.random() for _ in range(n)))
qual = array.array("d", (rng.random() for _ in range(n)))
if sys.byteorder != "little":
    vis.byteswap()
    qual.byteswap()
npy(f"{folder}/v.npy", m, n, vis.tobytes())
npy(f"{folder}/q.npy", m, n, qual.tobytes())
with open(f"{folder}/market.toml", "w") as f:
    f.write("weights = [%s]\n" % ", ".join([repr(1.0 / m)] * m))
    f.write('visibility = { file = "v.npy" }\nquality = { file = "q.npy" }\n')
    f.write("feedback = 0.5\ninitial_counts = 1\n")
    f.write('precision = "%s"\n' % precision)
EOF
  input=$(( 2 * 8 * n * m ))
  tf="$dir/time"
  /usr/bin/time -f "%e %M" -o "$tf" "$bin" --quiet --threads "$threads" market simulate "$dir/market.toml" \
    --steps 1 --runs 1 --memory-budget 90% --out "$dir/out" >/dev/null
  read -r wall peak_kb <"$tf"
  case "$m" in 500) want="<= 2 s" ;; 1000) want="<= 4 s" ;; *) want="none" ;; esac
  awk -v n="$n" -v m="$m" -v w="$wall" -v p="$peak_kb" -v in_b="$input" -v want="$want" \
    -v load="$(load)" -v prec="$precision" 'BEGIN {
      printf "n = %d x M = %d, precision %s (input %.2f GB): wall %.2f s (target %s), peak %.2f GB = %.2fx the input (target <= 1.25x)   (%s)\n",
        n, m, prec, in_b / 1e9, w, want, p * 1024 / 1e9, p * 1024 / in_b, load }'
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$dir"
done
