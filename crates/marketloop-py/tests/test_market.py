"""Markets from Python: the CLI's numbers, numpy/pandas out, clear errors, GIL released,
picklable specs and results."""

import json
import pickle
import threading
import time

import numpy as np
import pandas as pd
import pytest

import marketloop as ml
from conftest import TWO_TYPES, TWO_TYPES_TOML
from marketloop._frames import read_csv_exact


def test_market_from_numpy_has_its_shape_and_equals_from_toml(tmp_path):
    m = ml.Market(**TWO_TYPES)
    assert (m.items, m.types) == (4, 2)
    path = tmp_path / "m.toml"
    path.write_text(TWO_TYPES_TOML)
    t = ml.Market.from_toml(path)
    assert t == m
    pd.testing.assert_frame_equal(
        t.simulate(steps=500, runs=2, seed=1, every=100), m.simulate(steps=500, runs=2, seed=1, every=100)
    )
    assert ml.Market.from_toml(TWO_TYPES_TOML) == m


def test_file_references_are_relative_to_the_toml(tmp_path):
    np.save(tmp_path / "v.npy", TWO_TYPES["visibility"])
    (tmp_path / "m.toml").write_text(
        TWO_TYPES_TOML.replace("visibility = [[0.9, 0.3, 0.6, 0.8], [0.2, 0.9, 0.4, 0.3]]",
                               'visibility = { file = "v.npy" }')
    )
    m = ml.Market.from_toml(tmp_path / "m.toml")
    pd.testing.assert_frame_equal(
        m.simulate(steps=300, runs=2, seed=4, every=100),
        ml.Market(**TWO_TYPES).simulate(steps=300, runs=2, seed=4, every=100),
    )


def test_simulate_equals_the_cli_csv(cli, tmp_path):
    path = tmp_path / "m.toml"
    path.write_text(TWO_TYPES_TOML + '\n[ranking]\nstrategy = "popularity"\nposition_bias = [1.0, 0.5, 0.3, 0.1]\n')
    out = tmp_path / "run"
    cli("market", "simulate", path, "--steps", 3000, "--runs", 5, "--seed", 42, "--every", 700,
        "--shares", "--out", out, "--quiet")
    expected = read_csv_exact(out / "trajectories.csv")
    got = ml.Market.from_toml(path).simulate(steps=3000, runs=5, seed=42, every=700, shares=True)
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got["efficiency"].dtype == np.float64 and got["run"].dtype == np.int64


def test_equilibrium_equals_the_cli_json(cli, tmp_path):
    path = tmp_path / "m.toml"
    path.write_text(TWO_TYPES_TOML)
    expected = json.loads(cli("market", "equilibrium", path, "--format", "json").stdout)
    e = ml.Market.from_toml(path).equilibrium()
    assert isinstance(e, ml.Equilibrium)
    np.testing.assert_array_equal(e.shares, np.array(expected["shares"]))
    for key in ("iterations", "residual", "converged", "proven_unique", "efficiency", "entropy", "method"):
        assert getattr(e, key) == expected[key], key
    # Heterogeneous market: total utility, Psi and Gamma do not apply, and say why (as the CLI).
    for key in ("total_utility", "psi", "gamma"):
        if isinstance(expected[key], dict):
            assert getattr(e, key) is None
            assert e.not_applicable[key] == expected[key]["not_applicable"]
        else:
            assert getattr(e, key) == expected[key]
    assert e.psi is None
    assert e.log_nash_welfare == expected["nash_welfare"]["log_welfare"]
    np.testing.assert_array_equal(e.nash_exponents, np.array(expected["nash_welfare"]["exponents"]))


def test_homogeneous_equilibrium_is_a_fixed_point_and_dynamics_increase_psi():
    m = ml.Market(visibility=np.array([0.9, 0.5, 0.3]), quality=np.array([0.4, 0.8, 0.6]), r=0.5)
    e = m.equilibrium()
    assert e.method == "closed_form" and e.converged and e.residual < 1e-12
    assert abs(e.shares.sum() - 1) < 1e-12
    d = m.dynamics(iterations=30)
    assert list(d.columns[:3]) == ["iteration", "efficiency", "entropy"]
    assert len(d) == 31 and "psi" in d.columns
    assert (np.diff(d["psi"].to_numpy()) >= -1e-12).all()
    # The dynamic converges to the TOME's efficiency.
    assert abs(d["efficiency"].iloc[-1] - e.efficiency) < 1e-6


def test_results_do_not_depend_on_threads_and_seed_matters():
    m = ml.Market(**TWO_TYPES)
    a = m.simulate(steps=2000, runs=6, seed=9, every=500)
    b = m.simulate(steps=2000, runs=6, seed=9, every=500, threads=1)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(m.simulate(steps=2000, runs=6, seed=10, every=500))
    assert len(a) == 6 * 4


def test_simulation_releases_the_gil():
    m = ml.Market(**TWO_TYPES)
    ticks = 0
    worker = threading.Thread(target=lambda: m.simulate(steps=3_000_000, runs=2, seed=1, every=1_000_000, threads=1))
    start = time.perf_counter()
    worker.start()
    while worker.is_alive():
        ticks += 1
        time.sleep(0.001)
    elapsed = time.perf_counter() - start
    # With the GIL held, this loop could not run during the simulation at all.
    assert elapsed > 0.05, "the simulation was too short to tell"
    assert ticks >= 0.3 * elapsed / 0.0011, (ticks, elapsed)


@pytest.mark.parametrize(
    "change, needle",
    [
        (dict(weights=[0.4, 0.5]), "weights"),
        (dict(quality=np.array([[0.7, 1.5, 0.4, 0.5], [0.6, 0.8, 0.5, 0.5]])), "1.5"),
        (dict(feedback=-1.0), "feedback"),
        (dict(initial_counts=[1, 0, 1, 1]), "initial_counts[1] = 0"),
        (dict(ranking="best"), '"best"'),
    ],
)
def test_errors_are_value_errors_with_the_cli_message(cli, tmp_path, change, needle):
    spec = dict(TWO_TYPES, **change)
    with pytest.raises(ml.MarketloopError, match=None) as info:
        ml.Market(**spec)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert needle in message
    # The CLI prints the same message for the same TOML.
    core = message.split("<market spec>: ", 1)[-1]
    doc = {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in spec.items()}
    if isinstance(doc.get("ranking"), str):
        doc["ranking"] = {"strategy": doc["ranking"]}
    lines = []
    for k, v in doc.items():
        if isinstance(v, dict):
            continue
        lines.append(f"{k} = {json.dumps(v)}")
    for k, v in doc.items():
        if isinstance(v, dict):
            if k == "initial_counts":
                lines.insert(0, f"initial_counts = {{ uniform = {json.dumps(v['uniform'])} }}")
            else:
                lines.append(f"[{k}]\n" + "\n".join(f"{a} = {json.dumps(b)}" for a, b in v.items()))
    path = tmp_path / "bad.toml"
    path.write_text("\n".join(lines) + "\n")
    p = cli("market", "equilibrium", path, check=False)
    assert p.returncode != 0
    assert core in p.stderr, (core, p.stderr)


def test_bad_arguments_and_non_finite_entries():
    m = ml.Market(**TWO_TYPES)
    with pytest.raises(ValueError, match="steps"):
        m.simulate(steps=0)
    with pytest.raises(ValueError, match="every"):
        m.simulate(steps=10, every=0)
    with pytest.raises(ValueError, match="runs"):
        m.simulate(steps=10, runs=0)
    with pytest.raises(ValueError, match="threads"):
        m.simulate(steps=10, threads=0)
    with pytest.raises(ValueError, match=r"visibility\[1\]\[2\] = nan"):
        ml.Market(**dict(TWO_TYPES, visibility=np.array([[0.9, 0.3, 0.6, 0.8], [0.2, 0.9, np.nan, 0.3]])))
    with pytest.raises(ValueError, match="r or feedback"):
        ml.Market(**dict(TWO_TYPES, r=0.5))
    with pytest.raises(ValueError, match="unknown key `colour`"):
        ml.Market.from_toml(TWO_TYPES_TOML + "colour = 1\n")
    with pytest.raises(ValueError, match="malformed TOML"):
        ml.Market.from_toml("visibility = [1, 2\n")


def test_specs_and_results_pickle_and_joblib_gives_the_same_numbers():
    joblib = pytest.importorskip("joblib")
    m = ml.Market(**TWO_TYPES)
    m2 = pickle.loads(pickle.dumps(m))
    assert m2 == m
    e = m.equilibrium()
    e2 = pickle.loads(pickle.dumps(e))
    np.testing.assert_array_equal(e2.shares, e.shares)
    df = m.simulate(steps=1000, runs=3, seed=2, every=250)
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(df)), df)
    frames = joblib.Parallel(n_jobs=2)(
        joblib.delayed(m.simulate)(steps=1000, runs=3, seed=s, every=250) for s in (2, 3)
    )
    pd.testing.assert_frame_equal(frames[0], df)
    pd.testing.assert_frame_equal(frames[1], m.simulate(steps=1000, runs=3, seed=3, every=250))


def test_f32_precision_equals_an_f64_market_of_the_rounded_matrices():
    spec = dict(TWO_TYPES, visibility=np.asarray(TWO_TYPES["visibility"]) * 1.1)
    f32 = ml.Market(**spec, precision="f32")
    rounded = dict(
        spec,
        visibility=np.asarray(spec["visibility"], dtype=np.float32).astype(np.float64),
        quality=np.asarray(spec["quality"], dtype=np.float32).astype(np.float64),
    )
    pd.testing.assert_frame_equal(
        f32.simulate(steps=500, runs=2, seed=3, every=100),
        ml.Market(**rounded).simulate(steps=500, runs=2, seed=3, every=100),
    )
    with pytest.raises(ml.MarketloopError, match="precision"):
        ml.Market(**spec, precision="f16")
