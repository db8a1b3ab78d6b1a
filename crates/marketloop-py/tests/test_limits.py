"""Oversized and malformed arguments from Python: a MarketloopError (a ValueError) naming the
keyword, raised before anything is allocated — never a PanicException, an abort or an
OverflowError escaping as something else."""

import numpy as np
import pytest

import marketloop as ml
from conftest import TWO_TYPES


@pytest.mark.parametrize("runs", [2**64 - 1, 10**12, 4_000_000_000_000])
def test_too_many_runs_is_an_error_naming_runs(runs):
    with pytest.raises(ml.MarketloopError, match="runs"):
        ml.Market(**TWO_TYPES).simulate(steps=1, runs=runs)


@pytest.mark.parametrize("steps", [2**64 - 1, 2**63])
def test_too_many_steps_is_an_error_naming_steps(steps):
    with pytest.raises(ml.MarketloopError, match="steps"):
        ml.Market(**TWO_TYPES).simulate(steps=steps, runs=1)


@pytest.mark.parametrize("value", [2**64, -1])
def test_integers_outside_u64_are_value_errors(value):
    # Python integers have no size limit; one that no u64 holds is bad input, not a crash.
    with pytest.raises((ValueError, OverflowError, TypeError)) as e:
        ml.Market(**TWO_TYPES).simulate(steps=10, runs=value)
    assert not type(e.value).__name__.endswith("PanicException")


@pytest.mark.parametrize(
    "field,value",
    [("k", 2**63 - 1), ("t", 10**12), ("window", 10**12), ("runs", 2**63 - 1)],
)
def test_oversized_competitions_name_the_field(field, value):
    kwargs = dict(algorithms=["TS", "BG"], t=100, runs=2)
    kwargs[field] = value
    with pytest.raises(ml.MarketloopError) as e:
        ml.Competition(**kwargs).run()
    assert field in str(e.value), str(e.value)


def test_nan_in_a_matrix_names_the_field():
    spec = dict(TWO_TYPES)
    q = np.array(spec["quality"], dtype=float)
    q[0, 1] = np.nan
    spec["quality"] = q
    with pytest.raises(ml.MarketloopError, match="quality"):
        ml.Market(**spec).simulate(steps=10, runs=1)


def test_nan_in_an_object_array_names_the_field_and_the_entry():
    spec = dict(TWO_TYPES)
    q = np.array(spec["quality"], dtype=object)
    q[1, 2] = float("nan")
    spec["quality"] = q
    with pytest.raises(ml.MarketloopError, match=r"quality\[1\]\[2\] = nan"):
        ml.Market(**spec).simulate(steps=10, runs=1)


def test_oversized_arena_and_bayes_specs_name_the_field():
    with pytest.raises(ml.MarketloopError, match="paths"):
        ml.BayesianChoice(paths=2**62).run()
    with pytest.raises(ml.MarketloopError, match="t"):
        ml.BayesianChoice(t=10**12).run()
