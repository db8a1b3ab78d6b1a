"""Market plug-ins and step-by-step runs: stepping to T equals simulate; a Python port of the
quality ranking is the built-in bit for bit; observers add columns; bad plug-ins are named."""

import numpy as np
import pandas as pd
import pytest

import marketloop as ml
from conftest import TWO_TYPES
from plugin_markets import QualityOrder as PortedQuality

BIAS = [1.0, 0.6, 0.3]


class Learner(PortedQuality):
    """Counts trials and purchases through observe (and ranks by purchases per trial)."""

    def reset(self, n_items, positions):
        super().reset(n_items, positions)
        self.seen = 0

    def observe(self, user_type, tried, bought, step):
        self.seen += 1


def test_stepping_to_t_in_any_pieces_equals_simulate():
    m = ml.Market(**dict(TWO_TYPES, ranking={"strategy": "popularity", "position_bias": BIAS}))
    whole = m.simulate(steps=3000, runs=3, seed=4, every=500, shares=True)
    run = m.start(steps=3000, seed=4, replicate=2, every=500, shares=True)
    assert run.state()["step"] == 0
    taken = 0
    for n in (1, 7, 0, 492, 1000, 5000):
        taken += run.step(n)
        s = run.state()
        assert s["step"] == taken and s["trials"].sum() + s["idle"] == taken
    assert taken == 3000 and run.finished
    want = whole[whole["run"] == 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(run.measurements(), want, check_exact=True)


def test_a_python_quality_ranking_is_the_built_in_one_bit_for_bit():
    builtin = ml.Market(**dict(TWO_TYPES, ranking={"strategy": "quality", "position_bias": BIAS}))
    other = ml.Market(**dict(TWO_TYPES, ranking={"strategy": "random", "position_bias": BIAS}))
    port = PortedQuality(TWO_TYPES["quality"])
    want = builtin.simulate(steps=2000, runs=3, seed=6, every=250, shares=True)
    got = other.simulate(steps=2000, runs=3, seed=6, every=250, shares=True, ranking=port)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # Static-visibility markets take it with the ranking's own position bias.
    static = ml.Market(**TWO_TYPES)
    port.position_bias = BIAS
    pd.testing.assert_frame_equal(
        static.simulate(steps=2000, runs=3, seed=6, every=250, shares=True, ranking=port), want,
        check_exact=True)
    # Stepped with the plug-in: the same rows.
    run = other.start(steps=2000, seed=6, replicate=1, every=250, shares=True, ranking=Learner(TWO_TYPES["quality"]))
    while not run.finished:
        run.step(333)
    pd.testing.assert_frame_equal(run.measurements(), want[want["run"] == 1].reset_index(drop=True),
                                  check_exact=True)


def test_observers_add_columns_after_the_built_in_ones():
    m = ml.Market(**TWO_TYPES)
    top = ml.Observer(["top_share", "tried"], lambda v: [v["counts"].max() / v["counts"].sum(),
                                                        float(v["trials"].sum())])
    df = m.simulate(steps=1500, runs=2, seed=1, every=500, shares=True,
                    observers=[top])
    plain = m.simulate(steps=1500, runs=2, seed=1, every=500, shares=True)
    pd.testing.assert_frame_equal(df[plain.columns], plain, check_exact=True)
    shares = df[[c for c in df.columns if c.startswith("share_")]].to_numpy()
    assert np.array_equal(df["top_share"].to_numpy(), shares.max(axis=1))
    assert list(df.columns[-2:]) == ["top_share", "tried"]
    d = m.simulate(steps=1500, runs=2, seed=1, every=500, observers={"step_again": lambda v: v["step"]})
    assert np.array_equal(d["step_again"].to_numpy(), d["step"].to_numpy().astype(float))


class Duplicates(ml.RankingPolicy):
    position_bias = BIAS

    def rank(self, user_type, counts, step, rng):
        return [0, 0, 1] if step >= 10 else [0, 1, 2]


class RandomOrder(ml.RankingPolicy):
    position_bias = BIAS

    def rank(self, user_type, counts, step, rng):
        return list(rng.numpy().permutation(self.n_items)[: self.positions])


def test_bad_plug_ins_are_named_with_the_step_and_the_replicate():
    m = ml.Market(**TWO_TYPES)
    with pytest.raises(ml.MarketloopError, match=r'ranking "Duplicates" at step 11 of replicate 0: '
                                                 r"rank returned item 0 twice"):
        m.simulate(steps=100, runs=2, seed=1, every=50, ranking=Duplicates())
    with pytest.raises(ml.MarketloopError, match=r'observer "bad" at step 50 of replicate 0: returned NaN') as e:
        m.simulate(steps=100, runs=1, every=50, observers={"bad": lambda v: float("nan")})
    assert e.value.field == "observers"
    with pytest.raises(ml.MarketloopError, match="raised: ZeroDivisionError") as e:
        m.simulate(steps=100, runs=1, every=50, observers={"z": lambda v: 1 / 0})
    assert isinstance(e.value.__cause__, ZeroDivisionError)
    with pytest.raises(ml.MarketloopError, match="position bias"):
        m.simulate(steps=100, ranking=PortedQuality(TWO_TYPES["quality"]))


def test_a_python_ranking_s_draws_are_reproducible():
    m = ml.Market(**TWO_TYPES)
    a = m.simulate(steps=1000, runs=2, seed=3, every=250, ranking=RandomOrder())
    b = m.simulate(steps=1000, runs=2, seed=3, every=250, ranking=RandomOrder())
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not a.equals(m.simulate(steps=1000, runs=2, seed=4, every=250, ranking=RandomOrder()))


def _folder_market():
    return ml.Market(**dict(TWO_TYPES, ranking={"strategy": "random", "position_bias": BIAS}))


def test_plug_in_runs_write_the_run_folder_and_resume_after_a_failure(tmp_path):
    import plugin_markets as pm

    m = _folder_market()
    port = pm.QualityOrder(TWO_TYPES["quality"])
    args = dict(steps=400, runs=4, seed=8, every=100, ranking=port, observers={"bought": pm.flaky})
    want = m.simulate(**args)
    assert list(want.columns) == ["run", "step", "efficiency", "entropy", "bought"]
    # The same numbers with a run folder; the observers' columns are in its tables too.
    out = tmp_path / "run"
    pd.testing.assert_frame_equal(m.simulate(**args, out=out), want, check_exact=True)
    table = pd.read_csv(out / "trajectories.csv")
    assert list(table.columns) == list(want.columns)
    assert np.allclose(table["bought"], want["bought"])
    assert "QualityOrder" in (out / "run.json").read_text()
    assert (out / "manifest.json").exists() and (out / "report.html").exists()
    # A plug-in failing in replicate 2: the error names it, the step and the replicate; the
    # finished replicates stay saved; once fixed, resume gives the uninterrupted numbers.
    broken = tmp_path / "broken"
    pm.BROKEN["on"] = True
    try:
        with pytest.raises(ml.MarketloopError, match=r'observer "bought" at step 100 of replicate 2'):
            m.simulate(**args, out=broken)
    finally:
        pm.BROKEN["on"] = False
    assert (broken / ".incomplete").exists() and not (broken / "manifest.json").exists()
    saved = [p for p in (broken / "replicates").rglob("*") if p.is_file()]
    assert len(saved) == 2, saved
    pd.testing.assert_frame_equal(m.simulate(**args, out=broken, resume=True), want, check_exact=True)
    assert (broken / "manifest.json").exists()
    # A folder made with other plug-ins is not resumed by mistake.
    with pytest.raises(ml.MarketloopError):
        m.simulate(**dict(args, observers={"other": pm.bought}), out=broken, resume=True)


def test_plug_in_runs_report_progress():
    import plugin_markets as pm

    seen = []
    _folder_market().simulate(steps=200, runs=3, every=100, observers={"b": pm.bought},
                              progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (3, 3)


MARKET_GRID = {"feedback": [0.25, 0.75]}


def _market_sweep(**kw):
    import plugin_markets as pm

    return ml.sweep(_folder_market(), MARKET_GRID, runs=2, seed=5, steps=300, every=100,
                    ranking=pm.QualityOrder(TWO_TYPES["quality"]), observers={"bought": pm.bought},
                    **kw)


def test_a_market_sweep_takes_ranking_and_observer_plug_ins(tmp_path):
    import plugin_markets as pm

    df = _market_sweep()
    assert df["cell"].nunique() == 2 and "bought" in df.columns and len(df) == 2 * 2 * 3
    # Each cell equals the market simulated alone with the cell's seed and the plug-ins.
    cells = ml.sweep_cells(_folder_market(), MARKET_GRID, runs=2, seed=5, steps=300, every=100)
    for c in cells:
        spec = {k: v for k, v in c["spec"].items() if k not in ("steps", "every", "shares")}
        single = ml.Market(**spec).simulate(
            steps=300, runs=2, seed=c["seed"], every=100,
            ranking=pm.QualityOrder(TWO_TYPES["quality"]), observers={"bought": pm.bought})
        got = df[df["cell"] == c["label"]][list(single.columns)].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, single, check_exact=True)
    # Stored cells resume.
    a = _market_sweep(out=str(tmp_path))
    pd.testing.assert_frame_equal(_market_sweep(out=str(tmp_path)), a, check_exact=True)
    with pytest.raises(ml.MarketloopError, match="built-in ranking"):
        ml.sweep(_folder_market(), {"ranking.strategy": ["quality"]}, steps=100,
                 ranking=pm.QualityOrder(TWO_TYPES["quality"]))
    game = ml.Competition(instance="heavy-tail", k=3, t=50, t0=5, algorithms=["TS", "BG"])
    with pytest.raises(ml.MarketloopError, match="market sweeps"):
        ml.sweep(game, {"t0": [5]}, observers={"b": pm.bought})


def test_a_market_sweep_with_plug_ins_or_a_choice_rule_is_identical_on_ray(ray_local):
    import plugin_markets as pm

    pd.testing.assert_frame_equal(_market_sweep(backend="ray", chunk_size=1), _market_sweep(),
                                  check_exact=True)
    # A Python choice rule travels to the workers the same way.
    kw = dict(runs=2, seed=5, steps=300, every=100)
    local = ml.sweep(_folder_market(), MARKET_GRID, **kw, choice=pm.AttentionOnly())
    on_ray = ml.sweep(_folder_market(), MARKET_GRID, **kw, choice=pm.AttentionOnly(),
                      backend="ray", chunk_size=1)
    pd.testing.assert_frame_equal(on_ray, local, check_exact=True)
    builtin = ml.sweep(_folder_market(), MARKET_GRID, **kw)
    assert not local[list(builtin.columns)].equals(builtin), "the rule was not applied"
