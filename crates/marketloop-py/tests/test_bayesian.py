"""marketloop.BayesianChoice: the Bayesian-choice model from Python."""

import numpy as np
import pytest

import marketloop as ml


def small(**kw):
    spec = dict(prior="heavy-tail", k=3, algorithms=["BG", "TS"], t=60, paths=2000, band=5.0)
    spec.update(kw)
    return ml.BayesianChoice(**spec)


def test_game_and_curves_are_seeded_and_bg_takes_over():
    game, curves = small().run(seed=3)
    again, _ = small().run(seed=3, threads=1)
    assert list(game.columns) == ["t", "p", "pmr_1", "pmr_2", "pmr_se", "flagged", "exact_tie", "expected_share"]
    assert len(game) == 60 and len(curves) == 60
    np.testing.assert_array_equal(game["p"].to_numpy(), again["p"].to_numpy())
    # Theorem 4.2: BayesGreedy gets every agent from some round on.
    assert game["p"].iloc[-10:].eq(1.0).all()
    assert (curves["rew_1"] <= 1.0).all() and (curves["bir_1"] >= -1e-12).all()


def test_run_folder_matches_the_cli_files(tmp_path):
    out = tmp_path / "run"
    small().run(seed=1, out=out)
    for f in ["game.csv", "curves.csv", "summary.csv", "report.html", "manifest.json"]:
        assert (out / f).exists(), f


def test_bayes_kind_is_listed():
    assert "bayes" in ml.KINDS


@pytest.mark.parametrize(
    "kw, field",
    [
        (dict(t=0), "t"),
        (dict(response="hardmax-random", eps=1.5), "response"),
        (dict(response="softmax", temperature=0.0), "response"),
        (dict(k=1), "prior"),
        (dict(colour=1), None),
    ],
)
def test_bad_input_names_the_field(kw, field):
    with pytest.raises(ml.MarketloopError) as e:
        small(**kw)
    if field is not None:
        assert e.value.field == field
