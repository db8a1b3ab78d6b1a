"""Competition.run(trajectories=True): per-round shares, reputations and regrets, and bands."""

import numpy as np
import pandas as pd
import pytest

import marketloop as ml
from plugin_algorithms import PortedBG

GAME = dict(instance="uniform", k=5, t=200, t0=10, tie_rule="random")


def test_trajectories_end_at_the_per_run_table_and_bands_bracket_the_means(tmp_path):
    game = ml.Competition(**dict(GAME, algorithms=["TS", "BG", "BEG"]))
    plain = game.run(seed=3, runs=8)
    tr = game.run(seed=3, runs=8, trajectories=True, every=30, out=tmp_path / "run")
    assert isinstance(tr, ml.Trajectories)
    pd.testing.assert_frame_equal(tr.runs, plain, check_exact=True)
    rounds = sorted(tr.rounds["round"].unique())
    assert rounds == [30, 60, 90, 120, 150, 180, 200]
    assert len(tr.rounds) == 8 * 7 * 3
    end = tr.rounds[tr.rounds["round"] == 200]
    for f in (1, 2, 3):
        e = end[end["firm"] == f].sort_values("run")
        assert np.array_equal(e["share"].to_numpy(), plain[f"share_firm{f}"].to_numpy())
        assert np.array_equal(e["reputation"].to_numpy(), plain[f"final_reputation_firm{f}"].to_numpy())
        assert np.array_equal(e["firm_regret"].to_numpy(), plain[f"regret_firm{f}"].to_numpy())
        assert np.array_equal(e["market_regret"].to_numpy(), plain["market_regret"].to_numpy())
    shares = tr.rounds.groupby(["run", "round"])["share"].sum()
    assert np.allclose(shares, 1.0, atol=1e-12)
    assert (tr.rounds.groupby(["run", "firm"])["market_regret"].apply(lambda s: s.is_monotonic_increasing)).all()
    b = tr.bands
    assert len(b) == 7 * 3
    means = tr.rounds.groupby(["round", "firm"])["share"].mean().to_numpy()
    assert np.allclose(b["share_mean"].to_numpy(), means, rtol=0, atol=1e-12)
    for m in ("share", "reputation", "firm_regret", "market_regret"):
        assert (b[f"{m}_lo"] <= b[f"{m}_mean"]).all() and (b[f"{m}_mean"] <= b[f"{m}_hi"]).all()
    for name in ("trajectories.csv", "trajectory_bands.csv", "fig_share_trajectory.svg", "runs.csv"):
        assert (tmp_path / "run" / name).is_file(), name


def test_trajectories_with_a_plug_in_equal_the_built_in_s():
    builtin = ml.Competition(**dict(GAME, algorithms=["TS", "BG"]))
    port = ml.Competition(**dict(GAME, algorithms=["TS", PortedBG()]))
    a = builtin.run(seed=4, runs=5, trajectories=True, every=25)
    b = port.run(seed=4, runs=5, trajectories=True, every=25)
    for x, y in zip(a, b):
        pd.testing.assert_frame_equal(x, y, check_exact=True)


def test_bad_every():
    game = ml.Competition(**dict(GAME, algorithms=["TS", "BG"]))
    with pytest.raises(ml.MarketloopError, match="every"):
        game.run(seed=1, runs=1, trajectories=True, every=0)


@pytest.mark.parametrize("algorithms", [["TS", "BG", "BEG"], ["TS", PortedBG()]])
def test_a_game_stepped_from_python_ends_where_run_ends(algorithms):
    game = ml.Competition(**dict(GAME, algorithms=algorithms, scenario="first-mover", x=30))
    runs = game.run(seed=8, runs=3)
    g = game.start(seed=8, replicate=2)
    assert g.state()["round"] == 0
    played = 0
    for n in (1, 9, 0, 90, 1000):
        played += g.step(n)
        s = g.state()
        assert s["round"] == played and sum(s["chosen"]) == played
    assert played == 200 and g.finished and g.step(5) == 0
    s, want = g.state(), runs.iloc[2]
    for f in range(len(algorithms)):
        assert s["chosen"][f] / 200 == want[f"share_firm{f + 1}"]
        assert s["reputation"][f] == want[f"final_reputation_firm{f + 1}"]
        assert s["firm_regret"][f] == want[f"regret_firm{f + 1}"]
    assert s["regret"] == want["market_regret"]


class LeaderSince(ml.Observer):
    """The leading firm and the round it last took the lead (an observer with state)."""

    names = ["leader", "leader_since"]

    def __init__(self):
        self.leader, self.since = 0, 0

    def __call__(self, view):
        lead = max(range(len(view["shares"])), key=lambda j: view["shares"][j]) + 1
        if lead != self.leader:
            self.leader, self.since = lead, view["round"]
        return [lead, self.since]


def test_game_observers_add_columns_with_bands_and_leave_the_built_ins_alone(tmp_path):
    game = ml.Competition(instance="uniform", k=4, t=300, t0=10, algorithms=["TS", "BG", "BEG"])
    plain = game.run(seed=3, runs=4, trajectories=True, every=25)
    watched = LeaderSince()
    got = game.run(seed=3, runs=4, trajectories=True, every=25, out=tmp_path / "g",
                   observers=[watched, ml.Observer(["gap"], lambda v: [max(v["means"]) - min(v["means"])])])
    assert watched.leader == 0, "the template is never touched"
    base = list(plain.rounds.columns)
    pd.testing.assert_frame_equal(got.rounds[base], plain.rounds, check_exact=True)
    pd.testing.assert_frame_equal(got.runs, plain.runs, check_exact=True)
    assert list(got.rounds.columns) == base + ["leader", "leader_since", "gap"]
    for _, row in got.rounds.iterrows():
        assert row["leader_since"] <= row["round"]
    # The leader is the firm with the largest share at that round.
    firm_rows = got.rounds[got.rounds["firm"] == got.rounds["leader"]]
    best = got.rounds.groupby(["run", "round"])["share"].max().reset_index()
    merged = firm_rows.merge(best, on=["run", "round"], suffixes=("", "_max"))
    assert len(merged) == len(best) and (merged["share"] == merged["share_max"]).all()
    assert {"leader_mean", "leader_lo", "gap_hi"} <= set(got.bands.columns)
    assert "leader_since" in (tmp_path / "g" / "trajectories.csv").read_text().splitlines()[0]
    with pytest.raises(ml.MarketloopError, match="trajectories=True"):
        game.run(seed=3, runs=2, observers={"x": lambda v: 1.0})
    with pytest.raises(ml.MarketloopError, match=r'observer "bad" at step 25 of replicate 0') as e:
        game.run(seed=3, runs=2, trajectories=True, every=25, observers={"bad": lambda v: float("nan")})
    assert e.value.field == "observers"
    with pytest.raises(ml.MarketloopError, match="already a column"):
        game.run(seed=3, runs=2, trajectories=True, every=25, observers={"share": lambda v: 1.0})
