"""Competing bandits from Python: same numbers as the engine, tidy frames, clear errors."""

import pickle

import numpy as np
import pandas as pd
import pytest

import marketloop as ml

SPEC = dict(instance="uniform", k=5, algorithms=["TS", "BG"], t=300, t0=10)


def test_run_gives_one_row_per_run_with_shares_on_the_simplex():
    df = ml.Competition(**SPEC).run(seed=3, runs=40)
    assert isinstance(df, pd.DataFrame)
    assert len(df) == 40
    assert list(df["run"]) == list(range(40))
    np.testing.assert_allclose(df["share_firm1"] + df["share_firm2"], 1.0, atol=1e-12)
    assert df["share_firm1"].dtype == np.float64
    assert df["eeog"].dtype == np.int64


def test_seeded_runs_are_reproducible_and_seed_sensitive():
    c = ml.Competition(**SPEC)
    pd.testing.assert_frame_equal(c.run(seed=5, runs=30), c.run(seed=5, runs=30))
    assert not c.run(seed=5, runs=30).equals(c.run(seed=6, runs=30))


def test_bad_input_raises_value_error_naming_the_field():
    with pytest.raises(ValueError, match="XYZ"):
        ml.Competition(**dict(SPEC, algorithms=["TS", "XYZ"]))
    with pytest.raises(ml.MarketloopError, match="k"):
        ml.Competition(**dict(SPEC, k=0))
    with pytest.raises(ValueError, match="eps"):
        ml.Competition(**dict(SPEC, response="hardmax-random", eps=1.5))


def test_specs_and_results_pickle():
    c = ml.Competition(**SPEC)
    c2 = pickle.loads(pickle.dumps(c))
    assert c2 == c
    df = c.run(seed=1, runs=5)
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(df)), df)


def test_joblib_workers_give_the_same_numbers():
    joblib = pytest.importorskip("joblib")
    c = ml.Competition(**SPEC)
    frames = joblib.Parallel(n_jobs=2)(joblib.delayed(c.run)(seed=s, runs=10) for s in (1, 2))
    pd.testing.assert_frame_equal(frames[0], c.run(seed=1, runs=10))
    pd.testing.assert_frame_equal(frames[1], c.run(seed=2, runs=10))
