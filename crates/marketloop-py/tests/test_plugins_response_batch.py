"""Python response functions (the built-in HardMax's port is the built-in bit for bit) and the
batched protocol of Python bandit algorithms (``select_many`` / ``update_many``)."""

import sys

import numpy as np
import pandas as pd
import pytest

import marketloop as ml
from plugin_algorithms import (
    BadBatch,
    BadResponse,
    BatchLearner,
    PortedBG,
    PortedHardMax,
    RandomArms,
    RecordsRecent,
    UserKLUCB,
    loyal_to_the_last,
)

GAME = dict(instance="needle-in-haystack", k=5, t=300, t0=10, tie_rule="random")


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize(
    "algorithms, extra",
    [
        (["TS", "BG"], {}),
        (["BG", "TS", "BEG"], {}),
        (["BG", "BG", "BG", "BG"], {}),
        ([PortedBG(), "TS"], {}),
        (["BG", "TS"], {"scenario": "first-mover", "x": 40}),
        (["BG", "TS"], {"scenario": "data-advantage", "x": 40}),
        (["BG", "TS"], {"scenario": "reputation-advantage", "x": 40}),
        (["BG", "BG"], {"warm_start_rows": "shared", "window": 5}),
    ],
)
def test_a_python_port_of_hardmax_is_the_built_in_hardmax_bit_for_bit(algorithms, extra, exact):
    spec = dict(GAME, algorithms=algorithms, **extra)
    builtin = ml.Competition(**spec, response="hardmax")
    port = ml.Competition(**spec, response=PortedHardMax(exact=exact))
    pd.testing.assert_frame_equal(port.run(seed=31, runs=10), builtin.run(seed=31, runs=10),
                                  check_exact=True)


def test_the_port_draws_its_ties_from_the_run_s_response_stream():
    # Ties happen (four identical BG firms see the same data): a port that breaks them towards
    # firm 0 without drawing is a different game, and so is one drawing from its own stream.
    spec = dict(GAME, algorithms=["BG", "BG", "BG", "BG"])
    builtin = ml.Competition(**spec).run(seed=31, runs=10)

    def lowest(reps, recent, rng):
        return reps.index(max(reps))

    def own_stream(reps, recent, rng, mine=ml.Rng(seed=5)):
        top = max(reps)
        tied = [i for i, r in enumerate(reps) if r == top]
        return tied[mine.integers(len(tied))]

    for f in (lowest, own_stream):
        assert not ml.Competition(**spec, response=f).run(seed=31, runs=10).equals(builtin)


def test_trajectories_and_stepped_games_take_the_response_plug_in():
    spec = dict(GAME, algorithms=["TS", "BG", "BEG"])
    a = ml.Competition(**spec).run(seed=4, runs=3, trajectories=True, every=50)
    b = ml.Competition(**spec, response=PortedHardMax()).run(seed=4, runs=3, trajectories=True,
                                                             every=50)
    for x, y in zip(a, b):
        pd.testing.assert_frame_equal(x, y, check_exact=True)
    game = ml.Competition(**spec, response=PortedHardMax()).start(seed=4, replicate=2)
    while not game.finished:
        game.step(37)
    assert game.state()["shares"] == list(
        a.runs.loc[2, ["share_firm1", "share_firm2", "share_firm3"]])


def test_a_plain_function_and_what_a_response_is_handed():
    game = ml.Competition(**dict(GAME, algorithms=["TS", "BG"]), response=loyal_to_the_last)
    df = game.run(seed=1, runs=2)
    assert list(df["share_firm2"]) == [1.0, 1.0]
    assert game.to_dict()["response"] == "loyal_to_the_last"
    RecordsRecent.log = []
    ml.Competition(**dict(GAME, algorithms=["TS", "BG"]), response=RecordsRecent()).run(
        seed=1, runs=1)
    reps, recent = RecordsRecent.log[0]
    assert recent == [None, None] and all(0.0 <= r <= 1.0 for r in reps)
    assert len(RecordsRecent.log) == GAME["t"]
    later = [r for _, r in RecordsRecent.log[1:]]
    assert any(x is not None and 0 <= x < 5 for r in later for x in r)


@pytest.mark.parametrize(
    "value, message",
    [
        (2, r'response function "BadResponse" at step 7 of replicate 0: choose returned firm 2, '
            r"outside 0..2"),
        (-1, r"choose returned firm -1, outside 0..2"),
        (float("nan"), r"choose returned nan \(a float\), not a firm index in 0..2"),
        (1.0, r"choose returned 1.0 \(a float\)"),
        (True, r"choose returned True \(a bool\)"),
        (None, r"choose returned None"),
        ("raise", r"at step 7 of replicate 0: choose raised: RuntimeError: no firm for you"),
    ],
)
def test_bad_responses_name_the_plug_in_the_step_and_the_replicate(value, message):
    game = ml.Competition(**dict(GAME, algorithms=["TS", "BG"]), response=BadResponse(value, at=7))
    with pytest.raises(ml.MarketloopError, match=message) as e:
        game.run(seed=1, runs=2)
    assert e.value.field == "response"
    if value == "raise":
        assert isinstance(e.value.__cause__, RuntimeError)


SWEEP_BASE = ml.Competition(instance="uniform", k=4, t=120, t0=5, tie_rule="random",
                            algorithms=[UserKLUCB(), "TS"], response=PortedHardMax())
SWEEP_GRID = {"t0": [5, 20]}


def test_a_response_plug_in_in_local_and_ray_sweeps():
    df = ml.sweep(SWEEP_BASE, SWEEP_GRID, runs=3, seed=9)
    builtin = ml.sweep(ml.Competition(**dict(SWEEP_BASE.spec, algorithms=[UserKLUCB(), "TS"])),
                       SWEEP_GRID, runs=3, seed=9)
    pd.testing.assert_frame_equal(df, builtin, check_exact=True)
    cells = ml.sweep_cells(SWEEP_BASE, SWEEP_GRID, runs=3, seed=9)
    assert isinstance(cells[0]["spec"]["response"], PortedHardMax)
    with pytest.raises(ml.MarketloopError, match="response plug-in"):
        ml.sweep(SWEEP_BASE, {"response": ["softmax"]}, runs=1)
    ray = pytest.importorskip("ray", reason="the ray package is not installed (pip install ray)")
    ray.cloudpickle.register_pickle_by_value(sys.modules["plugin_algorithms"])
    ray.shutdown()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        remote = ml.sweep(SWEEP_BASE, SWEEP_GRID, runs=3, seed=9, backend="ray", chunk_size=1)
        pd.testing.assert_frame_equal(df, remote, check_exact=True)
    finally:
        ray.shutdown()


# ---- batches ----------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [2, 7, 1000])
@pytest.mark.parametrize(
    "algorithms, extra",
    [
        ([RandomArms(), "TS"], {}),
        (["BG", RandomArms(), RandomArms()], {}),
        ([RandomArms()], {"scenario": "monopoly"}),
        ([RandomArms(), "TS"], {"scenario": "first-mover", "x": 40}),
        ([RandomArms(), "TS"], {"scenario": "data-advantage", "x": 40}),
        ([RandomArms(), "TS"], {"isolation": True}),
    ],
)
def test_selections_that_ignore_feedback_are_the_same_batched_or_not(algorithms, extra, batch):
    spec = dict(GAME, algorithms=algorithms, **extra)
    one = ml.Competition(**spec).run(seed=8, runs=4)
    many = ml.Competition(**spec, batch=batch).run(seed=8, runs=4)
    pd.testing.assert_frame_equal(many, one, check_exact=True)


def test_a_learner_learns_only_at_batch_ends():
    BatchLearner.log = []
    b = 6
    ml.Competition(**dict(GAME, algorithms=[BatchLearner()], scenario="monopoly"),
                   batch=b).run(seed=2, runs=1)
    selects = [seen for what, n, seen in BatchLearner.log if what == "select_many"]
    updates = [(n, seen) for what, n, seen in BatchLearner.log if what == "update_many"]
    # Each batch is asked for when exactly the rewards of the batches before it are known.
    assert selects == [b * j for j in range(len(selects))]
    assert all(n == b for n, _ in updates)
    assert [seen for _, seen in updates] == [b * j for j in range(len(updates))]
    # T0 + T = 310 selections: 52 batches asked for, 51 finished (the last holds 4 served arms,
    # whose rewards are never delivered: the run ends).
    assert len(selects) == 52 and len(updates) == 51
    # And delayed feedback changes what a learner does.
    spec = dict(GAME, algorithms=[PortedBG(), "TS"])
    assert not ml.Competition(**spec, batch=b).run(seed=2, runs=3).equals(
        ml.Competition(**spec).run(seed=2, runs=3))


@pytest.mark.parametrize(
    "value, message",
    [
        (lambda n: [0] * (n - 1), r'"BadBatch" \(firm 1\) at step 19 of replicate \d: '
                                  r"select_many\(3, rng\) returned 2 arms; a batch is 3 arms"),
        (lambda n: [0, 9, 0], r"select_many\(3, rng\) returned, at index 1, arm 9, outside 0..5"),
        (lambda n: [0, float("nan"), 0], r"at index 1, nan \(a float\), not an arm index"),
        (lambda n: np.array([0, 1, 2]), None),
        (7, r"select_many\(3, rng\) returned 7 \(a int\), not a sequence of 3 arm indices"),
        ("abc", r"returned 'abc' \(a str\), not a sequence"),
        ("raise", r"select_many raised: ValueError: no batch today"),
    ],
)
def test_bad_batches_name_the_plug_in_the_step_and_the_replicate(value, message):
    game = ml.Competition(**dict(GAME, algorithms=[BadBatch(value, at=7), "TS"]), batch=3)
    if message is None:  # numpy arrays of ints are fine
        game.run(seed=1, runs=1)
        return
    with pytest.raises(ml.MarketloopError, match=message) as e:
        game.run(seed=1, runs=2)
    assert e.value.field == "algorithms"


def test_batch_is_validated():
    for bad in (0, -1, 1.5, "2"):
        with pytest.raises(ml.MarketloopError, match="batch"):
            ml.Competition(**dict(GAME, algorithms=[RandomArms(), "TS"]), batch=bad)
    with pytest.raises(ml.MarketloopError, match="batch = 4 applies to Python bandit algorithms"):
        ml.Competition(**dict(GAME, algorithms=["BG", "TS"]), batch=4)
