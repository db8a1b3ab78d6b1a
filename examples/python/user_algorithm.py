"""Your own bandit algorithm in a competition: a KL-UCB written in Python competes with the
built-in Thompson sampling (TS) for users who choose by reputation (HardMax), over a sweep of
warm-start lengths T0.

The algorithm is a `marketloop.BanditAlgorithm`: `reset(k)`, `select(rng)` and
`update(arm, reward)`. The engine calls it exactly where it calls a built-in, and hands
`select` the firm's own random stream (`rng`), so the run is as reproducible as a built-in one.
Runs with Python algorithms hold the GIL and run their replicates one after the other.

    python examples/python/user_algorithm.py [--runs 50] [--backend ray] [--out out/user-algorithm]

MARKETLOOP_EXAMPLE_SCALE=ci makes it tiny (CI).
"""

import argparse
import math
import os
from pathlib import Path

import marketloop as ml


class KLUCB(ml.BanditAlgorithm):
    """KL-UCB for Bernoulli arms (Garivier & Cappe 2011): each arm once, then the arm whose
    upper bound q (n_a * kl(mean_a, q) <= log t) is largest."""

    name = "my KL-UCB"

    def reset(self, k):
        super().reset(k)
        self.pulls, self.wins, self.t = [0] * k, [0] * k, 0

    def select(self, rng):
        for arm in range(self.k):
            if self.pulls[arm] == 0:
                return arm
        bounds = [self.bound(a) for a in range(self.k)]
        return bounds.index(max(bounds))

    def update(self, arm, reward):
        self.t += 1
        self.pulls[arm] += 1
        self.wins[arm] += reward

    def bound(self, arm):
        p = self.wins[arm] / self.pulls[arm]
        level = math.log(self.t) / self.pulls[arm]
        lo, hi = p, 1.0
        for _ in range(20):  # bisection on q in [p, 1]
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if kl(p, mid) > level else (mid, hi)
        return lo


def kl(p, q, eps=1e-12):
    p, q = min(max(p, eps), 1 - eps), min(max(q, eps), 1 - eps)
    return p * math.log(p / q) + (1 - p) * math.log((1 - p) / (1 - q))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="out/user-algorithm")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--backend", default="local", choices=["local", "ray"])
    args = ap.parse_args()
    ci = os.environ.get("MARKETLOOP_EXAMPLE_SCALE") == "ci"
    runs, t = (4, 300) if ci else (args.runs, 2000)

    game = ml.Competition(instance="heavy-tail", k=10, algorithms=[KLUCB(), "TS"],
                          response="hardmax", t=t, t0=20)
    df = ml.sweep(game, {"t0": [20, 100]}, runs=runs, seed=2019, backend=args.backend)
    summary = df.groupby("param:t0")[["share_firm1", "regret_firm1", "regret_firm2"]].mean()
    print(f"{KLUCB.name} (firm 1) vs TS (firm 2), HardMax, N = {runs} runs per T0:")
    print(summary.to_string())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "user_algorithm.csv", index=False)
    assert ((df["share_firm1"] + df["share_firm2"] - 1.0).abs() < 1e-12).all()
    # The same seed gives the same numbers (the plug-in draws only from the handed stream).
    again = ml.sweep(game, {"t0": [20, 100]}, runs=runs, seed=2019)
    assert again.equals(df), "a plug-in run must be reproducible"
    print(f"wrote {out / 'user_algorithm.csv'}")


if __name__ == "__main__":
    main()
