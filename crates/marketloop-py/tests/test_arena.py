"""The arena from Python: the CLI's numbers, start/step equal to run, clear errors."""

import pickle

import numpy as np
import pandas as pd
import pytest

import marketloop as ml

from conftest import TWO_TYPES

PLATFORMS = [
    {"name": "oracle", "ranking": "quality"},
    {"name": "TS", "ranking": "thompson", "warm_start": 20},
    {"name": "late", "ranking": "popularity", "entry": 300, "personalised": False},
]


def arena(**over):
    fields = dict(
        steps=1500,
        every=500,
        reputation="per-type",
        position_bias=[0.9, 0.6, 0.3],
        market=TWO_TYPES,
        platforms=PLATFORMS,
    )
    fields.update(over)
    return ml.Arena(**fields)


def test_run_gives_the_long_table_with_shares_on_the_simplex():
    df = arena().run(seed=3, runs=4)
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["run", "step", "platform", "measure", "value"]
    shares = df[df.measure == "share"].groupby(["run", "step"])["value"].sum()
    np.testing.assert_allclose(shares, 1.0, atol=1e-12)
    assert set(df.platform) == {"oracle", "TS", "late", "market"}
    assert sorted(df.run.unique()) == [0, 1, 2, 3]
    # the learner has a q error, the oracle none
    assert (df[(df.platform == "TS") & (df.measure == "q_error")]).shape[0] > 0
    assert (df[(df.platform == "oracle") & (df.measure == "q_error")]).shape[0] == 0


def test_seeded_runs_are_reproducible_for_any_thread_count():
    a = arena()
    pd.testing.assert_frame_equal(a.run(seed=5, runs=3), a.run(seed=5, runs=3, threads=1))
    assert not a.run(seed=5, runs=3).equals(a.run(seed=6, runs=3))


def test_stepping_equals_the_whole_run():
    a = arena()
    whole = a.run(seed=9, runs=2)
    run = a.start(seed=9, replicate=1)
    taken = sum(run.step(n) for n in (1, 499, 7, 10_000))
    assert taken == 1500 and run.finished
    m = run.measurements()
    got = m[m.platform == "TS"].set_index("step")["share"]
    want = whole[(whole.run == 1) & (whole.platform == "TS") & (whole.measure == "share")]
    np.testing.assert_array_equal(got.to_numpy(), want["value"].to_numpy())
    s = run.state()
    assert s["step"] == 1500
    assert sum(p["users"] for p in s["platforms"]) == 1500


def test_python_writes_the_cli_folder(tmp_path, cli):
    a = arena()
    toml = tmp_path / "a.toml"
    toml.write_text(
        """
steps = 1500
every = 500
reputation = "per-type"
position_bias = [0.9, 0.6, 0.3]
[market]
weights = [0.4, 0.6]
visibility = [[0.9, 0.3, 0.6, 0.8], [0.2, 0.9, 0.4, 0.3]]
quality = [[0.7, 0.9, 0.4, 0.5], [0.6, 0.8, 0.5, 0.5]]
feedback = 0.5
initial_counts = { uniform = [2, 3] }
[[platforms]]
name = "oracle"
ranking = "quality"
[[platforms]]
name = "TS"
ranking = "thompson"
warm_start = 20
[[platforms]]
name = "late"
ranking = "popularity"
entry = 300
personalised = false
"""
    )
    a.run(seed=2, runs=3, out=tmp_path / "py")
    cli("--quiet", "arena", toml, "--runs", 3, "--seed", 2, "--out", tmp_path / "cli")
    for f in ("trajectories.csv", "summary.csv", "type_shares.csv"):
        assert (tmp_path / "py" / f).read_bytes() == (tmp_path / "cli" / f).read_bytes(), f
    assert ml.Arena.from_toml(toml) == a


def test_bad_input_raises_naming_the_field():
    with pytest.raises(ml.MarketloopError) as e:
        arena(window=0)
    assert isinstance(e.value, ValueError)
    assert "window" in str(e.value)
    with pytest.raises(ml.MarketloopError, match="platforms"):
        arena(platforms=[])
    with pytest.raises(ml.MarketloopError, match=r"platforms\[1\]\.ranking\.alpha"):
        arena(platforms=[PLATFORMS[0], {"ranking": "thompson", "prior": [0, 1]}])
    with pytest.raises(ml.MarketloopError, match=r"platforms\[0\]\.entry"):
        arena(platforms=[{"ranking": "random", "entry": 5000}])
    with pytest.raises(ml.MarketloopError, match="colour"):
        arena(colour=1)
    with pytest.raises(ml.MarketloopError, match="runs"):
        arena().run(runs=0)


def test_arenas_pickle_as_plain_data():
    a = arena()
    b = pickle.loads(pickle.dumps(a))
    assert a == b
    pd.testing.assert_frame_equal(a.run(seed=1, runs=2), b.run(seed=1, runs=2))
