"""Your own ranking in a trial-offer market: an explore-then-exploit quality ranking written in
Python, against the built-in popularity and quality rankings, plus a measurement of your own.

The ranking is a `marketloop.RankingPolicy`: `rank(user_type, counts, step, rng)` returns the
items at positions 1..P; `observe(user_type, tried, bought, step)` lets it learn from every
outcome. For its first `budget` users it shows a random order (drawn from its own stream, `rng`)
while it estimates each item's purchase probability per user type from its own trials; then it
ranks each type's items by those estimates. A Python observer adds the share of the leading item
to the measurements. Stepping a run by hand (`Market.start`) gives the same numbers as
`simulate`.

    python examples/python/user_ranking.py [--steps 20000] [--runs 4]

MARKETLOOP_EXAMPLE_SCALE=ci makes it tiny (CI).
"""

import argparse
import os

import numpy as np

import marketloop as ml


class ExploreThenExploit(ml.RankingPolicy):
    """Random rankings for `budget` users, then per type by estimated purchase probability."""

    def __init__(self, budget=2000):
        self.budget = budget

    def reset(self, n_items, positions):
        super().reset(n_items, positions)
        self.trials, self.buys = {}, {}  # per user type: arrays over items

    def rank(self, user_type, counts, step, rng):
        if step < self.budget or user_type not in self.trials:
            return list(rng.numpy().permutation(self.n_items)[: self.positions])
        estimate = (self.buys[user_type] + 1) / (self.trials[user_type] + 2)  # Laplace
        return list(np.argsort(-estimate, kind="stable")[: self.positions])

    def observe(self, user_type, tried, bought, step):
        if tried is not None and step < self.budget:
            if user_type not in self.trials:
                self.trials[user_type] = np.zeros(self.n_items)
                self.buys[user_type] = np.zeros(self.n_items)
            self.trials[user_type][tried] += 1
            self.buys[user_type][tried] += bought


def leading_share(view):
    counts = view["counts"]
    return counts.max() / counts.sum()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=4)
    args = ap.parse_args()
    ci = os.environ.get("MARKETLOOP_EXAMPLE_SCALE") == "ci"
    steps, runs = (3000, 2) if ci else (args.steps, args.runs)

    rng = np.random.default_rng(7)
    n = 20
    quality = rng.uniform(0.1, 0.9, size=(2, n))
    visibility = rng.uniform(0.2, 1.0, size=(2, n))
    bias = {"position_bias": [1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2]}

    def market(strategy):
        return ml.Market(weights=[0.5, 0.5], visibility=visibility, quality=quality, r=0.5,
                         initial_counts=1, ranking=dict(bias, strategy=strategy))

    ranking = ExploreThenExploit(budget=steps // 10)
    every = steps // 10
    rows = {}
    for name, m, plug in [("popularity", market("popularity"), None),
                          ("quality (oracle)", market("quality"), None),
                          ("explore-then-exploit (Python)", market("random"), ranking)]:
        df = m.simulate(steps=steps, runs=runs, seed=1, every=every, ranking=plug,
                        observers={"leading_share": leading_share})
        end = df[df["step"] == steps]
        rows[name] = (end["efficiency"].mean(), end["leading_share"].mean())
    print(f"after {steps} users, mean over {runs} runs:")
    for name, (eff, lead) in rows.items():
        print(f"  {name:32s} efficiency {eff:.3f}  leading item's share {lead:.3f}")

    # Step by step: the same numbers as simulate's run 0.
    m = market("random")
    run = m.start(steps=steps, seed=1, replicate=0, every=every, ranking=ranking)
    while not run.finished:
        run.step(every // 3 + 1)
    whole = m.simulate(steps=steps, runs=1, seed=1, every=every, ranking=ranking)
    assert run.measurements().equals(whole), "stepping to T must equal simulate"
    print(f"stepped run: efficiency {run.state()['efficiency']:.3f} (equal to simulate's)")


if __name__ == "__main__":
    main()
