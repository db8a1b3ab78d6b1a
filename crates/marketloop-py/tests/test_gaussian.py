"""Gaussian rewards from Python: the `rewards` keyword, its validation, the Gaussian built-ins and
plug-ins that receive the rewards as floats."""

import math

import numpy as np
import pandas as pd
import pytest

import marketloop as ml

GAUSS = dict(
    instance="means",
    means=[-1.0, 0.5, 2.0],
    rewards={"gaussian": {"sigma": 1.0}},
    algorithms=["GTS", "UCB1"],
    t=300,
    t0=10,
    isolation=False,
)

# Rewards seen by the plug-ins below (the engine deep-copies a plug-in per firm and run, so a
# module-level list is where every copy can report; plug-ins run in this process).
SEEN = []


class Recorder(ml.BanditAlgorithm):
    """Epsilon-greedy on empirical means (the docs' example), recording every reward."""

    name = "recorder"

    def reset(self, k):
        super().reset(k)
        self.n, self.s = [0] * k, [0] * k

    def select(self, rng):
        if rng.random() < 0.1:
            return rng.integers(self.k)
        return max(range(self.k), key=lambda a: self.s[a] / self.n[a] if self.n[a] else math.inf)

    def update(self, arm, reward):
        SEEN.append(reward)
        self.n[arm] += 1
        self.s[arm] += reward


def test_gaussian_games_run_and_are_reproducible_for_any_thread_count():
    c = ml.Competition(**GAUSS)
    a = c.run(seed=3, runs=20, threads=1)
    b = c.run(seed=3, runs=20, threads=2)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    np.testing.assert_allclose(a["share_firm1"] + a["share_firm2"], 1.0, atol=1e-12)
    assert not a.equals(c.run(seed=4, runs=20))
    # Recording trajectories changes nothing.
    tr = c.run(seed=3, runs=20, trajectories=True, every=50)
    pd.testing.assert_frame_equal(tr.runs, a, check_exact=True)
    # Reputations are means of real rewards: outside [0, 1] here (means up to 2).
    assert (a[["final_reputation_firm1", "final_reputation_firm2"]].to_numpy() > 1.0).any()


@pytest.mark.parametrize("sigma", [0.0, -1.0, float("nan"), float("inf"), 1e7])
def test_bad_sigma_is_refused_naming_the_field(sigma):
    with pytest.raises(ValueError, match=r"rewards\.gaussian\.sigma"):
        ml.Competition(**dict(GAUSS, rewards={"gaussian": {"sigma": sigma}}))


def test_bad_reward_models_and_mismatched_algorithms_name_the_field():
    with pytest.raises(ml.MarketloopError, match="unknown reward model") as e:
        ml.Competition(**dict(GAUSS, rewards="poisson"))
    assert e.value.field == "rewards"
    with pytest.raises(ml.MarketloopError, match=r"TS does not accept gaussian") as e:
        ml.Competition(**dict(GAUSS, algorithms=["UCB1", "TS"]))
    assert e.value.field == "algorithms[1]"
    assert "GTS, GBG" in str(e.value)
    with pytest.raises(ml.MarketloopError, match="does not accept bernoulli") as e:
        ml.Competition(instance="uniform", k=3, algorithms=["GBG", "TS"])
    assert e.value.field == "algorithms[0]"


def test_a_plug_in_gets_float_rewards_and_runs_under_gaussian_rewards():
    SEEN.clear()
    df = ml.Competition(**dict(GAUSS, algorithms=[Recorder(), "GBG"])).run(seed=1, runs=4)
    assert len(df) == 4
    assert SEEN and all(type(r) is float for r in SEEN)
    assert any(r != round(r) for r in SEEN)
    # Under Bernoulli rewards the same plug-in gets the floats 0.0 and 1.0.
    SEEN.clear()
    ml.Competition(instance="uniform", k=3, t=100, t0=5, isolation=False,
                   algorithms=[Recorder(), "TS"]).run(seed=1, runs=2)
    assert SEEN and all(type(r) is float and r in (0.0, 1.0) for r in SEEN)
