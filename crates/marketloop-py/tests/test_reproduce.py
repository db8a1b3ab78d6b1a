"""The papers' experiments from Python: the library orchestration the CLI uses, tables back as
DataFrames, the run folder with its report."""

from pathlib import Path

import pytest

import marketloop as ml

ZHU = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "zhu2023-inputs"


def test_cultural_market_small_run_with_the_authors_inputs(tmp_path):
    if not (ZHU / "appeals.npy").is_file():
        pytest.skip(f"the authors' inputs are not at {ZHU}")
    r = ml.reproduce.cultural_market(
        out=tmp_path / "cm", inputs="zhu2023", inputs_dir=ZHU, runs=2, steps=3000, every=1000
    )
    assert r.report.is_file() and (r.out / "manifest.json").is_file()
    traj = r.tables["trajectories"]
    assert {"efficiency", "entropy"} <= set(traj.columns)
    assert traj["efficiency"].between(0, 1).all()
    arms = r.summary["arms"]
    assert {a["strategy"] for a in arms} == {"random", "popularity", "quality"}
    # Resuming a finished run gives the same tables.
    again = ml.reproduce.cultural_market(
        out=tmp_path / "cm", inputs="zhu2023", inputs_dir=ZHU, runs=2, steps=3000, every=1000,
        resume=True,
    )
    assert again.tables["trajectories"].equals(traj)


def test_cultural_market_bad_config_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="groups M = 1"):
        ml.reproduce.cultural_market(out=tmp_path / "x", groups=[1])
    with pytest.raises(ValueError, match="runs = 0"):
        ml.reproduce.cultural_market(out=tmp_path / "x", runs=0)
    assert not (tmp_path / "x").exists()


def test_competing_bandits_table_1_small(tmp_path):
    r = ml.reproduce.competing_bandits(out=tmp_path / "cb", tables=[1], runs=20, seed=3)
    assert r.report.is_file()
    numbers = [t["number"] for t in r.summary["tables"]]
    assert numbers == ["1"]
    assert any(isinstance(f["holds"], bool) for f in r.summary["findings"])
    assert len(r.tables) >= 1
    with pytest.raises(ValueError, match="runs = 1"):
        ml.reproduce.competing_bandits(out=tmp_path / "bad", tables=[1], runs=1)


def test_learning_in_the_loop_ci_scale(tmp_path):
    r = ml.reproduce.learning_in_the_loop(out=tmp_path / "st", scale="ci", runs=2)
    assert r.report.is_file() and (r.out / "manifest.json").is_file()
    learners = r.tables["exp1_learners"]
    assert {"quality oracle", "Thompson", "UCB"} <= set(learners["ranking"])
    assert r.tables["exp2_competition"]["greedy_share"].between(0, 1).all()
    assert len(r.tables["exp3_platforms"]) == 8
    assert all(f["experiment"] in (1, 2, 3) for f in r.summary["findings"])
    again = ml.reproduce.learning_in_the_loop(out=tmp_path / "st", scale="ci", runs=2, resume=True)
    assert again.tables["exp2_competition"].equals(r.tables["exp2_competition"])
    with pytest.raises(ValueError, match="experiment 4"):
        ml.reproduce.learning_in_the_loop(out=tmp_path / "bad", experiments=[4])
    assert not (tmp_path / "bad").exists()
