"""Sweeps: a cell's numbers depend only on the master seed and its own parameters."""

import os

import pandas as pd
import pytest

import marketloop as ml

BASE = ml.Competition(instance="uniform", k=5, algorithms=["TS", "BG"], t=200, t0=10)
GRID = {"t0": [5, 20], "algorithms": [["TS", "BG"], ["BG", "BEG"]]}


def _cell(df, label):
    return df[df["cell"] == label].reset_index(drop=True)


def test_grid_is_the_cartesian_product_in_one_tidy_table():
    df = ml.sweep(BASE, GRID, runs=6, seed=11)
    assert df["cell"].nunique() == 4
    assert len(df) == 4 * 6
    assert {"param:t0", "param:algorithms", "cell_seed", "share_firm1"} <= set(df.columns)


def test_cells_do_not_depend_on_the_other_cells_or_the_order():
    full = ml.sweep(BASE, GRID, runs=6, seed=11)
    one = ml.sweep(BASE, {"t0": [20], "algorithms": [["BG", "BEG"]]}, runs=6, seed=11)
    label = one["cell"][0]
    pd.testing.assert_frame_equal(_cell(full, label), _cell(one, label))
    reordered = ml.sweep(BASE, {"algorithms": [["BG", "BEG"], ["TS", "BG"]], "t0": [20, 5]}, runs=6, seed=11)
    pd.testing.assert_frame_equal(_cell(reordered, label), _cell(full, label))


def test_a_cell_equals_the_single_run_with_its_seed():
    cells = ml.sweep_cells(BASE, {"t0": [20]}, runs=6, seed=11)
    df = ml.sweep(BASE, {"t0": [20]}, runs=6, seed=11)
    single = ml.Competition(**cells[0]["spec"]).run(seed=cells[0]["seed"], runs=6)
    pd.testing.assert_frame_equal(df[single.columns].reset_index(drop=True), single)


def test_resume_from_stored_cells(tmp_path):
    a = ml.sweep(BASE, GRID, runs=4, seed=2, out=str(tmp_path))
    stored = sorted(os.listdir(tmp_path / "cells"))
    assert len(stored) == 4
    os.remove(tmp_path / "cells" / stored[0])
    b = ml.sweep(BASE, GRID, runs=4, seed=2, out=str(tmp_path))
    pd.testing.assert_frame_equal(a, b)


def test_bad_grid_is_a_value_error():
    with pytest.raises(ValueError, match="nope"):
        ml.sweep(BASE, {"nope.deep": [1]}, runs=2, seed=1)
    with pytest.raises(ValueError, match="backend"):
        ml.sweep(BASE, {"t0": [5]}, runs=2, seed=1, backend="spark")


def test_ray_backend_gives_exactly_the_local_numbers():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        local = ml.sweep(BASE, GRID, runs=5, seed=4)
        remote = ml.sweep(BASE, GRID, runs=5, seed=4, backend="ray", chunk_size=1)
        pd.testing.assert_frame_equal(local, remote)
    finally:
        ray.shutdown()
