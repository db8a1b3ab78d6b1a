"""A Table-1-like grid of Aridor, Mansour, Slivkins & Wu (competing bandits), from Python.

Simultaneous entry, HardMax response: the market share of firm 1 for each pair of algorithms
(TS vs BG, TS vs BEG, BEG vs BG), each instance (Needle-in-Haystack, Uniform, Heavy-Tail) and
warm start T0 in {20, 250, 500} — one marketloop.sweep (27 cells), N runs per cell (small N
here; the paper uses 1000). Each cell's seed derives from the master seed and its parameters,
so any cell can be rerun alone, on any backend, with the same numbers.

    python examples/python/competing_bandits.py --out out/competing-bandits [--runs 100] [--backend ray]

Writes OUT/table1.csv and OUT/table1.png (with matplotlib). MARKETLOOP_EXAMPLE_SCALE=ci makes it
tiny (CI).
"""

import argparse
import os
from pathlib import Path

import marketloop as ml


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="out/competing-bandits")
    ap.add_argument("--runs", type=int, default=100, help="runs per cell (the paper: 1000)")
    ap.add_argument("--backend", default="local", choices=["local", "ray"])
    args = ap.parse_args()
    ci = os.environ.get("MARKETLOOP_EXAMPLE_SCALE") == "ci"
    runs = 10 if ci else args.runs
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    base = ml.Competition(instance="heavy-tail", k=10, algorithms=["TS", "BG"], t=2000, t0=20)
    grid = {
        "instance": ["needle-in-haystack", "uniform", "heavy-tail"],
        "t0": [20, 250, 500],
        "algorithms": [["TS", "BG"], ["TS", "BEG"], ["BEG", "BG"]],
    }
    df = ml.sweep(base, grid, runs=runs, seed=2019, backend=args.backend)
    df["pair"] = df["param:algorithms"].str.replace(r'[\[\]"]', "", regex=True).str.replace(",", " vs ")
    table = (
        df.groupby(["param:instance", "param:t0", "pair"], sort=False)["share_firm1"]
        .agg(["mean", "sem", "count"])
        .reset_index()
        .rename(columns={"param:instance": "instance", "param:t0": "T0", "mean": "share_firm1"})
    )
    table["half_width_95"] = 1.96 * table.pop("sem")
    table.to_csv(out / "table1.csv", index=False)
    wide = table.pivot_table(index=["instance", "T0"], columns="pair", values="share_firm1", sort=False)
    print(f"market share of firm 1 ({runs} runs per cell):")
    print(wide.round(3).to_string())
    assert table["share_firm1"].between(0, 1).all()

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"matplotlib is not installed; the table is {out / 'table1.csv'}")
        return
    instances = list(dict.fromkeys(table["instance"]))
    fig, axes = plt.subplots(1, len(instances), figsize=(13, 3.8), sharey=True)
    for ax, inst in zip(axes, instances):
        sub = table[table["instance"] == inst]
        for pair, g in sub.groupby("pair", sort=False):
            ax.errorbar(g["T0"].astype(int), g["share_firm1"], yerr=g["half_width_95"], marker="o", capsize=3, label=pair)
        ax.axhline(0.5, color="grey", lw=0.8, ls=":")
        ax.set(title=inst, xlabel="warm start T0 (rounds)")
    axes[0].set_ylabel("market share of firm 1")
    axes[-1].legend(title="firm 1 vs firm 2", fontsize=8)
    fig.suptitle(f"Simultaneous entry, HardMax ({runs} runs per cell)")
    fig.tight_layout()
    fig.savefig(out / "table1.png", dpi=120)
    print(f"wrote {out / 'table1.csv'} and {out / 'table1.png'}")


if __name__ == "__main__":
    main()
