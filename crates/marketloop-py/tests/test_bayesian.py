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


def uniform_prior(rng, k):
    return [0.25 + 0.5 * rng.random() for _ in range(k)]


def custom(prior, **kw):
    spec = dict(prior=prior, k=3, belief=[1, 1], algorithms=["BG", "TS"], t=40, paths=400)
    spec.update(kw)
    return ml.BayesianChoice(**spec)


def test_a_user_prior_is_reproducible_for_a_seed_and_any_thread_count():
    game, curves = custom(uniform_prior).run(seed=5)
    again, curves2 = custom(uniform_prior).run(seed=5, threads=1)
    np.testing.assert_array_equal(curves["rew_1"].to_numpy(), curves2["rew_1"].to_numpy())
    np.testing.assert_array_equal(game["p"].to_numpy(), again["p"].to_numpy())
    other, _ = custom(uniform_prior).run(seed=6)
    assert not np.array_equal(game["pmr_1"].to_numpy(), other["pmr_1"].to_numpy())
    # Step 1 of BG is a uniformly drawn arm's mean: E = 1/2 (5 standard errors).
    assert abs(curves["rew_1"].iloc[0] - 0.5) < 5 * curves["rew_se_1"].iloc[0]


@pytest.mark.parametrize(
    "prior, needle",
    [
        (lambda rng, k: [0.5] * (k - 1), "drew 2 means"),
        (lambda rng, k: [0.5, 1.5, 0.5], "= 1.5"),
        (lambda rng, k: [0.5, float("nan"), 0.5], "= NaN"),
        (lambda rng, k: "abc", "'abc'"),
        (lambda rng, k: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_a_bad_user_prior_names_prior_and_the_value(prior, needle):
    with pytest.raises(ml.MarketloopError) as e:
        custom(prior).run(seed=1, progress=False)
    assert "prior" in str(e.value) and needle in str(e.value), str(e.value)


def test_a_user_prior_needs_a_beta_belief_and_a_sampler():
    with pytest.raises(ml.MarketloopError) as e:
        custom(uniform_prior, belief="true")
    assert e.value.field == "belief"
    with pytest.raises(ml.MarketloopError):
        ml.BayesianChoice(prior="custom", k=3, belief=[1, 1])


def test_progress_counts_the_curves_paths():
    seen = []
    small(paths=3000, t=300).run(seed=2, progress=lambda d, n: seen.append((d, n)))
    assert seen and seen[-1] == (3000, 3000)
    assert all(n == 3000 for _, n in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_the_truncation_bound_is_in_the_summary(tmp_path):
    out = tmp_path / "run"
    small(response="softmax", temperature=0.05, t=300).run(seed=1, out=out, progress=False)
    summary = (out / "summary.csv").read_text()
    assert "neglected mass (truncation bound)" in summary
