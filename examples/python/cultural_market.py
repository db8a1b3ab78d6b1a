"""Figure 2 of Zhu, Cheung & Xie (personalised cultural markets), small scale, from Python.

Runs the homogeneous market and the heterogeneous one (M = 100 user types) under the random,
popularity and quality rankings, and draws the paper's two panels: efficiency over time
(median and 25-75% band over runs) and efficiency vs entropy. Uses the authors' own matrices
when ../shared/data/zhu2023-inputs exists beside the repository, else MovieLens-100K (fetched
into the cache on first use).

    python examples/python/cultural_market.py --out out/cultural-market

Writes OUT/figure2.png (with matplotlib; else only the library's own SVG/PNG figures) next to
the run folder's tables and report.html. MARKETLOOP_EXAMPLE_SCALE=ci makes it tiny (CI).
"""

import argparse
import os
from pathlib import Path

import marketloop as ml

HERE = Path(__file__).resolve().parent
ZHU = HERE.parents[1].parent / "shared" / "data" / "zhu2023-inputs"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="out/cultural-market", help="run folder (replaced if it exists)")
    ap.add_argument("--inputs-dir", default=str(ZHU), help="the authors' matrices (zhu2023)")
    args = ap.parse_args()

    ci = os.environ.get("MARKETLOOP_EXAMPLE_SCALE") == "ci"
    size = dict(runs=2, steps=6000, every=1000) if ci else dict(runs=10, steps=30_000, every=1000)
    out = Path(args.out)
    if out.exists():
        import shutil

        shutil.rmtree(out)
    if (Path(args.inputs_dir) / "appeals.npy").is_file():
        r = ml.reproduce.cultural_market(out=out, inputs="zhu2023", inputs_dir=args.inputs_dir, **size)
    else:
        print(f"no authors' inputs at {args.inputs_dir}: building preferences from MovieLens-100K")
        r = ml.reproduce.cultural_market(out=out, inputs="movielens", **size)

    summary = r.tables["summary"]
    for a in r.summary["arms"]:
        print(f"{a['setting']:>13} M={a['groups']:<4} {a['strategy']:<10} step {a['step']}: "
              f"efficiency {a['efficiency_median']:.4f}, entropy {a['entropy_median']:.3f}")
    assert summary["efficiency_median"].between(0, 1).all()

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"matplotlib is not installed; the library's figures are in {r.out}")
        return
    het = summary[summary["setting"] == "heterogeneous"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for strategy, g in het.groupby("strategy", sort=False):
        line, = left.plot(g["step"], g["efficiency_median"], label=strategy)
        left.fill_between(g["step"], g["efficiency_q25"], g["efficiency_q75"], alpha=0.2, color=line.get_color())
    left.set(xlabel="step (users arrived)", ylabel="efficiency (purchases / users)",
             title=f"Heterogeneous market (M = {het['groups'].iloc[0]})")
    left.legend(title="ranking")
    for (setting, strategy), g in summary.groupby(["setting", "strategy"], sort=False):
        right.plot(g["entropy_median"], g["efficiency_median"], marker="o", markersize=3,
                   linestyle="-" if setting == "heterogeneous" else "--", label=f"{setting}, {strategy}")
    right.set(xlabel="entropy of market shares (nats)", ylabel="efficiency", title="Efficiency vs diversity")
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "figure2.png", dpi=120)
    print(f"wrote {out / 'figure2.png'} and {r.report}")


if __name__ == "__main__":
    main()
