"""Python choice rules (marketloop.ChoiceRule): a port of the built-in logit samples exactly as
the built-in does (bit for bit under rankings), the no-trial weight, and clear errors."""

import math

import numpy as np
import pandas as pd
import pytest

import marketloop as ml
from conftest import TWO_TYPES

BIAS = [1.0, 0.6, 0.3]
# Two feedback exponents: sqrt and a general power, as the built-in's cached powers.
MARKET = dict(TWO_TYPES, feedback=[0.5, 0.7])


def _power(d, r):
    """d^r as the engine's cached powers compute it (sqrt for 1/2, exact for 0 and 1)."""
    x = float(d)
    if r == 0.0:
        return 1.0
    if r == 0.5:
        return math.sqrt(x)
    if r == 1.0:
        return x
    return x ** r


class PortedLogit(ml.ChoiceRule):
    """The built-in multinomial logit: weight attention_p * d_j^r_i for the shown item j."""

    name = "pyLogit"

    def weights(self, user_type, items, attention, counts, step):
        r = float(self.feedback[user_type])
        return [a * _power(counts[j], r) for a, j in zip(attention.tolist(), items.tolist())]


class AttentionOnly(ml.ChoiceRule):
    """A position-only click model: attention alone."""

    def weights(self, user_type, items, attention, counts, step):
        return attention


class NobodyTries(ml.ChoiceRule):
    def weights(self, user_type, items, attention, counts, step):
        return np.zeros(len(items)), 1.0


class Bad(ml.ChoiceRule):
    """The logit until call ``at``, then ``value`` (a function of the item count)."""

    def __init__(self, value, at=5):
        self.value, self.at, self.calls = value, at, 0

    def weights(self, user_type, items, attention, counts, step):
        self.calls += 1
        if self.calls >= self.at:
            if self.value == "raise":
                raise ArithmeticError("no weights")
            return self.value(len(items))
        return attention


@pytest.mark.parametrize("strategy", ["popularity", "random", "quality"])
def test_a_python_port_of_the_logit_is_the_built_in_under_a_ranking_bit_for_bit(strategy):
    m = ml.Market(**dict(MARKET, ranking={"strategy": strategy, "position_bias": BIAS}))
    want = m.simulate(steps=3000, runs=3, seed=6, every=250, shares=True)
    got = m.simulate(steps=3000, runs=3, seed=6, every=250, shares=True, choice=PortedLogit())
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # and the rule is really used: attention alone is another market
    other = m.simulate(steps=3000, runs=3, seed=6, every=250, shares=True, choice=AttentionOnly())
    assert not other.equals(want)


def test_under_fixed_visibility_the_port_is_the_logit_s_slate_scan():
    # Under the market's fixed visibility the built-in samples from a sum tree (same
    # distribution, other roundings); the plug-in's scan is the built-in's scan over a slate of
    # every item with attention v_ij: a fixed ranking of all items under position factors 1.
    static = ml.Market(**MARKET)
    slate = ml.Market(**dict(MARKET, ranking={"strategy": "fixed", "order": [0, 1, 2, 3],
                                              "position_bias": [1.0] * 4}))
    want = slate.simulate(steps=4000, runs=3, seed=2, every=500, shares=True)
    got = static.simulate(steps=4000, runs=3, seed=2, every=500, shares=True, choice=PortedLogit())
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_with_a_python_ranking_and_step_by_step():
    from test_market_plugins import PortedQuality

    builtin = ml.Market(**dict(MARKET, ranking={"strategy": "quality", "position_bias": BIAS}))
    want = builtin.simulate(steps=2000, runs=2, seed=3, every=400, shares=True)
    other = ml.Market(**dict(MARKET, ranking={"strategy": "random", "position_bias": BIAS}))
    rule = PortedLogit()
    got = other.simulate(steps=2000, runs=2, seed=3, every=400, shares=True,
                         ranking=PortedQuality(MARKET["quality"]), choice=rule)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert not hasattr(rule, "visibility")  # each replicate works on its own copy
    run = builtin.start(steps=2000, seed=3, replicate=1, every=400, shares=True,
                        choice=PortedLogit())
    while not run.finished:
        run.step(333)
    pd.testing.assert_frame_equal(
        run.measurements(), want[want["run"] == 1].reset_index(drop=True), check_exact=True)


def test_what_a_rule_is_handed_and_the_no_trial_weight():
    seen = []

    class Looks(PortedLogit):
        def reset(self, visibility, position_factors, feedback):
            super().reset(visibility, position_factors, feedback)
            seen.append(("reset", visibility.shape, position_factors, list(feedback)))

        def weights(self, user_type, items, attention, counts, step):
            if len(seen) < 4:
                seen.append((user_type, list(items), list(attention), list(counts), step))
            return super().weights(user_type, items, attention, counts, step)

    m = ml.Market(**dict(MARKET, ranking={"strategy": "popularity", "position_bias": BIAS}))
    m.simulate(steps=10, runs=1, seed=1, choice=Looks())
    assert seen[0][0] == "reset" and seen[0][1] == (2, 4) and list(seen[0][2]) == BIAS
    assert seen[0][3] == [0.5, 0.7]
    user_type, items, attention, counts, step = seen[1]
    assert step == 0 and len(items) == 3 and len(counts) == 4
    v = MARKET["visibility"][user_type]
    assert attention == [v[j] * w for j, w in zip(items, BIAS)]
    run = ml.Market(**MARKET).start(steps=500, seed=1, choice=NobodyTries())
    run.step(500)
    s = run.state()
    assert s["idle"] == 500 and s["trials"].sum() == 0


@pytest.mark.parametrize(
    "value, message",
    [
        (lambda n: [float("nan")] * n, r'choice rule "Bad" at step 5 of replicate 0: weights '
                                       r"returned NaN for the item at position 1"),
        (lambda n: [1.0] + [-0.5] * (n - 1), r"returned -0.5 for the item at position 2"),
        (lambda n: [1.0] * (n + 1), r"returned 4 weights for the 3 items shown"),
        (lambda n: "abc", r"weights returned 'abc' \(a str\), not 3 trial weights"),
        (lambda n: ([1.0] * n, -1.0), r"returned -1 as the weight of trying nothing"),
        (lambda n: [1e308] * n, r"weights sum to inf"),
        ("raise", r"weights raised: ArithmeticError: no weights"),
    ],
)
def test_bad_weights_name_the_rule_the_step_and_the_replicate(value, message):
    m = ml.Market(**dict(MARKET, ranking={"strategy": "popularity", "position_bias": BIAS}))
    with pytest.raises(ml.MarketloopError, match=message) as e:
        m.simulate(steps=100, runs=2, seed=1, choice=Bad(value))
    assert e.value.field == "choice"
    if value == "raise":
        assert isinstance(e.value.__cause__, ArithmeticError)


def test_the_analysis_refuses_a_choice_rule():
    m = ml.Market(**MARKET)
    with pytest.raises(ml.MarketloopError, match="multinomial logit's analysis"):
        m.equilibrium(choice=PortedLogit())
    with pytest.raises(ml.MarketloopError, match="does not take a choice rule"):
        m.dynamics(iterations=3, choice=PortedLogit())
    with pytest.raises(TypeError, match="ChoiceRule"):
        m.simulate(steps=10, choice=object())


def test_a_choice_rule_writes_the_run_folder_resumes_and_sweeps(tmp_path):
    m = ml.Market(**dict(MARKET, ranking={"strategy": "popularity", "position_bias": BIAS}))
    kw = dict(steps=600, runs=3, seed=8, every=200)
    want = m.simulate(**kw, out=str(tmp_path / "builtin"))
    got = m.simulate(**kw, choice=PortedLogit(), out=str(tmp_path / "rule"))
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # The run folder holds the same trajectories, and the resolved config names the rule.
    for table in ("trajectories.csv", "runs.csv"):
        assert (tmp_path / "rule" / table).read_bytes() == (tmp_path / "builtin" / table).read_bytes()
    assert "pyLogit" in (tmp_path / "rule" / "run.json").read_text()
    again = m.simulate(**kw, choice=PortedLogit(), out=str(tmp_path / "rule"), resume=True)
    pd.testing.assert_frame_equal(again, want, check_exact=True)
    # A market sweep with the rule: every cell is the built-in's, the port being exact.
    grid = {"feedback": [0.25, 0.75]}
    sweep_kw = dict(runs=2, seed=5, steps=300, every=100)
    builtin = ml.sweep(m, grid, **sweep_kw)
    ported = ml.sweep(m, grid, **sweep_kw, choice=PortedLogit())
    pd.testing.assert_frame_equal(ported[list(builtin.columns)], builtin, check_exact=True)
    other = ml.sweep(m, grid, **sweep_kw, choice=AttentionOnly())
    assert not other[list(builtin.columns)].equals(builtin)
