"""Cost of the plug-in path per call, beyond the user's own Python code.

    nice python crates/marketloop-py/bench/plugin_overhead.py [--rounds 200000] [--repeat 5]

A one-firm game (scenario "monopoly") whose firm is a trivial Python algorithm (`select`
returns arm 0, `update` does nothing) is timed against:

- the same game with the built-in StaticGreedy (SG: arm 0 forever), i.e. the engine's own work
  per round (rewards, reputation, regret), and
- the user's code alone: the same number of `select(rng)` / `update(arm, reward)` calls made
  from a plain Python loop (what any Python bandit library pays to call them).

overhead per call = (plug-in game - built-in game - user's code alone) / (2 x rounds), one
`select` and one `update` per round. Reported as the median of `--repeat` timings of each.

Then the batched protocol (`Competition(..., batch=B)` for each `--batch` B): the same game
with a trivial `select_many(n, rng)` (n zeros) and `update_many` (nothing), against the user's
code alone (the same number of `select_many` / `update_many` calls from a plain loop):
overhead per round = (batched game - built-in game - user's code alone) / rounds.
"""

import argparse
import statistics
import time

import marketloop as ml


class Trivial(ml.BanditAlgorithm):
    """The cheapest user code: arm 0, learns nothing."""

    def select(self, rng):
        return 0

    def update(self, arm, reward):
        pass


class TrivialBatch(Trivial):
    """The cheapest batched user code: a list of n zeros, learns nothing."""

    def select_many(self, n, rng):
        return [0] * n

    def update_many(self, arms, rewards):
        pass


class Counting(Trivial):
    calls = 0

    def select(self, rng):
        Counting.calls += 1
        return 0


def timed(f, repeat):
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--batch", type=int, nargs="*", default=[10, 100, 1000])
    a = ap.parse_args()
    spec = dict(instance="uniform", k=10, scenario="monopoly", t=a.rounds, t0=1)

    Counting.calls = 0
    ml.Competition(**dict(spec, algorithms=[Counting()])).run(seed=1, runs=1)
    calls = Counting.calls  # select calls in one run (monopoly period, warm start, game)

    plugin = ml.Competition(**dict(spec, algorithms=[Trivial()]))
    builtin = ml.Competition(**dict(spec, algorithms=["SG"]))
    t_plugin = timed(lambda: plugin.run(seed=1, runs=1), a.repeat)
    t_builtin = timed(lambda: builtin.run(seed=1, runs=1, threads=1), a.repeat)

    user = Trivial()
    user.reset(10)
    rng = ml.Rng(seed=1)

    def user_alone():
        select, update = user.select, user.update
        for _ in range(calls):
            update(select(rng), True)

    t_user = timed(user_alone, a.repeat)
    per_call = (t_plugin - t_builtin - t_user) / (2 * calls)
    print(f"rounds per run: {calls} (one select + one update each)")
    print(f"plug-in game:        {t_plugin * 1e9 / calls:8.1f} ns per round")
    print(f"built-in game (SG):  {t_builtin * 1e9 / calls:8.1f} ns per round (engine's own work)")
    print(f"user's code alone:   {t_user * 1e9 / calls:8.1f} ns per round (a plain Python loop)")
    print(f"plug-in overhead:    {per_call * 1e9:8.1f} ns per call above the user's code "
          f"(target <= 1000 ns)")
    print(f"per call, per round:  {(t_plugin - t_builtin) * 1e9 / calls:8.1f} ns per round above the "
          "built-in (user's code included)")
    for b in a.batch:
        game = ml.Competition(**dict(spec, algorithms=[TrivialBatch()]), batch=b)
        t_game = timed(lambda: game.run(seed=1, runs=1), a.repeat)
        user_b = TrivialBatch()
        user_b.reset(10)

        def batched_alone():
            many, update_many = user_b.select_many, user_b.update_many
            rewards = [True] * b
            for _ in range(-(-calls // b)):
                update_many(many(b, rng), rewards)

        t_alone = timed(batched_alone, a.repeat)
        over = (t_game - t_builtin - t_alone) / calls
        print(f"batch = {b:5d}:        {(t_game - t_builtin) * 1e9 / calls:8.1f} ns per round above "
              f"the built-in; overhead {over * 1e9:6.1f} ns per round above the user's code")


if __name__ == "__main__":
    main()
