"""Python rankings on arena platforms: the built-ins' numbers when they rank as a built-in, the
engine's own path (executor, run folders, resume, start/step), and clear errors."""

import pickle

import numpy as np
import pandas as pd
import pytest

import marketloop as ml

from conftest import TWO_TYPES


class QualityOracle(ml.RankingPolicy):
    """The built-in quality oracle written in Python: per type, items by descending q_ij, ties
    by lower index (a stable sort)."""

    def __init__(self, quality):
        self.quality = np.asarray(quality, dtype=float)

    def rank(self, user_type, counts, step, rng):
        return list(np.argsort(-self.quality[user_type], kind="stable")[: self.positions])


class Popularity(ml.RankingPolicy):
    """The built-in popularity ranking with ties = "lowest-index": items by descending purchase
    count on the platform, ties by lower index."""

    def rank(self, user_type, counts, step, rng):
        return np.argsort(-counts, kind="stable")[: self.positions].tolist()


class RandomOrder(ml.RankingPolicy):
    def rank(self, user_type, counts, step, rng):
        return list(rng.numpy().permutation(self.n_items)[: self.positions])


class Counting(ml.RankingPolicy):
    """A learning ranking: counts trials and purchases per (type, item) from ``observe`` and
    ranks by the estimated quality (ties by lower index). It checks what the platform hands it
    (the counts equal the initial counts plus its own purchase tally; steps follow one another;
    ``observe`` reports the user ``rank`` served) and records every copy the engine makes."""

    copies = []

    def reset(self, n_items, positions):
        super().reset(n_items, positions)
        self.trials = np.zeros((2, n_items), dtype=np.int64)
        self.bought = np.zeros(n_items, dtype=np.int64)
        self.initial = None
        self.last = None
        self.observed = 0
        type(self).copies.append(self)

    def rank(self, user_type, counts, step, rng):
        if self.initial is None:
            self.initial = counts.copy()
        assert (counts == self.initial + self.bought).all(), (counts, self.initial, self.bought)
        assert step == self.observed, (step, self.observed)
        self.last = (user_type, step)
        est = (self.bought + 1.0) / (self.trials.sum(axis=0) + 2.0)
        return list(np.argsort(-est, kind="stable")[: self.positions])

    def observe(self, user_type, tried, bought, step):
        assert (user_type, step) == self.last, ((user_type, step), self.last)
        assert tried is not None or not bought
        if tried is not None:
            self.trials[user_type, tried] += 1
            self.bought[tried] += int(bought)
        self.observed += 1


class Raises(ml.RankingPolicy):
    def rank(self, user_type, counts, step, rng):
        if step >= 4:
            raise ZeroDivisionError("no more rankings")
        return list(range(self.positions))


class Duplicates(ml.RankingPolicy):
    def rank(self, user_type, counts, step, rng):
        return [0, 0, 1] if step >= 10 else [0, 1, 2]


class OutOfRange(ml.RankingPolicy):
    def rank(self, user_type, counts, step, rng):
        return [0, 1, 7]


class FailsOnce(ml.RankingPolicy):
    """Raises in ``reset`` of its second copy (replicate 1 when it ranks one platform) while
    ``armed``."""

    armed = False
    resets = 0

    def reset(self, n_items, positions):
        super().reset(n_items, positions)
        type(self).resets += 1
        if type(self).armed and type(self).resets == 2:
            raise RuntimeError("the model file is missing")

    def rank(self, user_type, counts, step, rng):
        return list(range(self.positions))


def arena(first="quality", late=None, **over):
    late = late if late is not None else {"ranking": "popularity", "ties": "lowest-index"}
    fields = dict(
        steps=1500,
        every=500,
        reputation="per-type",
        # Users pick at random a third of the time, so every platform serves some.
        response={"kind": "hard-max-random", "eps": 0.3},
        position_bias=[0.9, 0.6, 0.3],
        market=TWO_TYPES,
        platforms=[
            {"name": "oracle", "ranking": first},
            {"name": "TS", "ranking": "thompson", "warm_start": 20},
            dict({"name": "late", "entry": 300, "personalised": False, "warm_start": 10}, **late),
        ],
    )
    fields.update(over)
    return ml.Arena(**fields)


def test_python_rankings_reproducing_built_ins_give_their_numbers_exactly():
    builtin = arena().run(seed=3, runs=4)
    mine = arena(QualityOracle(TWO_TYPES["quality"]), {"ranking": Popularity()})
    pd.testing.assert_frame_equal(mine.run(seed=3, runs=4), builtin, check_exact=True)
    # The tie rule matters here: another one gives other numbers.
    other = arena(late={"ranking": "popularity", "ties": "highest-index"}).run(seed=3, runs=4)
    assert not other.equals(builtin)
    # Stepped by hand: the same replicate.
    run = mine.start(seed=3, replicate=2)
    assert sum(run.step(n) for n in (1, 299, 5, 10_000)) == 1500 and run.finished
    m = run.measurements()
    got = m[m.platform == "late"].set_index("step")["share"]
    want = builtin[(builtin.run == 2) & (builtin.platform == "late") & (builtin.measure == "share")]
    np.testing.assert_array_equal(got.to_numpy(), want["value"].to_numpy())


def test_seeded_runs_with_a_python_ranking_are_reproducible():
    a = arena(RandomOrder())
    x = a.run(seed=5, runs=3)
    pd.testing.assert_frame_equal(x, a.run(seed=5, runs=3, threads=2), check_exact=True)
    assert not x.equals(a.run(seed=6, runs=3))
    run = a.start(seed=5, replicate=1)
    run.step(700)
    run.step(800)
    m = run.measurements()
    got = m[m.platform == "oracle"]["efficiency"].to_numpy()
    want = x[(x.run == 1) & (x.platform == "oracle") & (x.measure == "efficiency")]["value"]
    np.testing.assert_array_equal(got, want.to_numpy())


def test_observe_is_called_with_the_platform_s_outcomes():
    Counting.copies.clear()
    a = arena(Counting(), {"ranking": Counting()})
    run = a.start(seed=11, replicate=0)
    run.step(1500)
    state = run.state()["platforms"]
    first, pooled = Counting.copies[-2:]  # one copy per platform, in platform order
    for copy, p in ((first, state[0]), (pooled, state[2])):
        np.testing.assert_array_equal(copy.initial + copy.bought, p["counts"])
        assert copy.bought.sum() > 50
    # The oracle platform's users are all game users (no warm start): every one observed.
    assert first.observed == state[0]["users"]
    assert first.bought.sum() == state[0]["purchases"]
    # The pooled platform sees type 0 only; its observed users include its 10 warm-start users.
    assert pooled.trials[1].sum() == 0
    assert pooled.observed == state[2]["users"] + 10
    # A whole run of the learning ranking goes through the executor (the checks inside hold).
    assert len(a.run(seed=11, runs=2)) > 0


def test_a_failing_or_wrong_ranking_is_an_error_naming_platform_step_and_replicate():
    with pytest.raises(ml.MarketloopError) as e:
        arena(Raises()).run(seed=1, runs=2)
    msg = str(e.value)
    assert 'ranking "Raises" of platform "oracle" (platforms[0]) at step 5 of replicate 0' in msg
    assert "rank raised" in msg
    assert isinstance(e.value.__cause__, ZeroDivisionError)
    assert e.value.field == "platforms[0].ranking"
    with pytest.raises(
        ml.MarketloopError,
        match=r'ranking "Duplicates" of platform "late" \(platforms\[2\]\) at step 11 of '
        r"replicate 0: rank returned item 0 twice",
    ):
        arena(late={"ranking": Duplicates()}).run(seed=1, runs=2)
    with pytest.raises(ml.MarketloopError, match=r"rank returned item 7 at position 3, outside 0\.\.4"):
        arena(OutOfRange()).run(seed=1, runs=1)
    # Stepped by hand: the error comes from step().
    run = arena(Raises()).start(seed=1, replicate=3)
    with pytest.raises(ml.MarketloopError, match=r"at step 5 of replicate 3: rank raised"):
        run.step(100)


def test_finished_replicates_stay_saved_and_resume_continues(tmp_path):
    clean = arena(FailsOnce()).run(seed=2, runs=3)
    FailsOnce.resets, FailsOnce.armed = 0, True
    try:
        with pytest.raises(ml.MarketloopError, match=r"of replicate 1: reset\(n_items, positions\) raised"):
            arena(FailsOnce()).run(seed=2, runs=3, out=tmp_path / "run")
    finally:
        FailsOnce.armed = False
    resumed = arena(FailsOnce()).run(seed=2, runs=3, out=tmp_path / "run", resume=True)
    pd.testing.assert_frame_equal(resumed, clean, check_exact=True)
    manifest = (tmp_path / "run" / "manifest.json").read_text()
    assert '"strategy": "custom"' in manifest or '"strategy":"custom"' in manifest


def test_platform_keys_and_spec_behaviour_with_a_python_ranking():
    with pytest.raises(ml.MarketloopError) as e:
        arena(late={"ranking": Popularity(), "ties": "random"})
    assert e.value.field == "platforms[2].ties"
    biased = Popularity()
    biased.position_bias = [1.0, 0.5]
    with pytest.raises(ml.MarketloopError, match="position bias is the arena's") as e:
        arena(biased)
    assert e.value.field == "platforms[0].ranking"
    a = arena(QualityOracle(TWO_TYPES["quality"]))
    assert a.to_dict()["platforms"][0]["ranking"] == "QualityOracle"
    assert "QualityOracle" in repr(a)
    assert a == a and a != arena(QualityOracle(TWO_TYPES["quality"]))
    assert a != arena()
    b = pickle.loads(pickle.dumps(a))
    pd.testing.assert_frame_equal(a.run(seed=1, runs=1), b.run(seed=1, runs=1), check_exact=True)


ARENA_GRID = {"response.eps": [0.1, 0.3], "platforms.1.warm_start": [0, 20]}


def test_an_arena_sweep_runs_python_rankings_as_single_runs_and_resumes(tmp_path):
    # Python ports of the built-ins: every cell gives the built-in arena's numbers.
    ported = arena(QualityOracle(TWO_TYPES["quality"]), {"ranking": Popularity()})
    df = ml.sweep(ported, ARENA_GRID, runs=2, seed=7, progress=False)
    assert df["cell"].nunique() == 4
    builtin = ml.sweep(arena(), ARENA_GRID, runs=2, seed=7, progress=False)
    pd.testing.assert_frame_equal(df, builtin, check_exact=True)
    # A ranking of its own: each cell equals the arena rebuilt from sweep_cells and run alone
    # with the cell's seed, and differs from the built-in arena.
    mine = arena(RandomOrder())
    df = ml.sweep(mine, ARENA_GRID, runs=2, seed=7, progress=False, out=str(tmp_path))
    assert not df.equals(builtin)
    for c in ml.sweep_cells(mine, ARENA_GRID, runs=2, seed=7):
        assert isinstance(c["spec"]["platforms"][0]["ranking"], RandomOrder)
        single = ml.Arena(**c["spec"]).run(seed=c["seed"], runs=2, progress=False)
        got = df[df["cell"] == c["label"]][list(single.columns)].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, single, check_exact=True)
    # Finished cells are stored and load on the next call.
    again = ml.sweep(mine, ARENA_GRID, runs=2, seed=7, progress=False, out=str(tmp_path))
    pd.testing.assert_frame_equal(again, df, check_exact=True)
    # The grid may not replace a Python ranking (another platform's is fine).
    for path in ("platforms", "platforms.0", "platforms.0.ranking"):
        with pytest.raises(ml.MarketloopError, match="Python ranking"):
            ml.sweep(mine, {path: ["random"]}, runs=1, progress=False)
    other = ml.sweep(mine, {"platforms.1.ranking": ["greedy", "ucb"]}, runs=1, steps=600,
                     every=600, progress=False)
    assert other["cell"].nunique() == 2


def test_an_arena_sweep_with_python_rankings_is_identical_on_ray(ray_local):
    import plugin_markets as pm

    a = arena(pm.QualityOrder(TWO_TYPES["quality"]))
    local = ml.sweep(a, ARENA_GRID, runs=2, seed=7, progress=False)
    on_ray = ml.sweep(a, ARENA_GRID, runs=2, seed=7, progress=False, backend="ray",
                      chunk_size=1)
    pd.testing.assert_frame_equal(on_ray, local, check_exact=True)
    builtin = ml.sweep(arena(), ARENA_GRID, runs=2, seed=7, progress=False)
    pd.testing.assert_frame_equal(local, builtin, check_exact=True)
