"""Every integer keyword of every public entry point takes only whole numbers in its range:
2**64, 2**65, negative numbers, floats, NaN, bools (even False where 0 is allowed), strings and
None (where it is no default) raise ``MarketloopError`` (a ``ValueError``) naming the keyword and
the value, never a bare ``OverflowError``/``TypeError`` from the binding and never a panic."""

import numpy as np
import pytest

import marketloop as ml
from marketloop import reproduce

from conftest import TWO_TYPES
from test_arena import arena

COMPETE = dict(instance="uniform", k=3, algorithms=["TS", "BG"], t=50, t0=5)


def market():
    return ml.Market(**TWO_TYPES)


def call(entry, name, value, tmp_path):
    """Calls entry point `entry` with keyword `name` = `value` (every other argument valid)."""
    kw = {name: value}
    if entry == "simulate":
        market().simulate(**{"steps": 10, "runs": 1, **kw}, progress=False)
    elif entry == "start":
        market().start(**{"steps": 10, **kw})
    elif entry == "run.step":
        market().start(steps=10).step(value)
    elif entry == "equilibrium":
        market().equilibrium(**kw)
    elif entry == "dynamics":
        market().dynamics(**{"iterations": 5, **kw})
    elif entry == "compete":
        ml.Competition(**COMPETE).run(**{"runs": 2, **kw}, progress=False)
    elif entry == "compete.start":
        ml.Competition(**COMPETE).start(**kw)
    elif entry == "game.step":
        ml.Competition(**COMPETE).start().step(value)
    elif entry == "arena":
        arena().run(**{"runs": 1, **kw}, progress=False)
    elif entry == "arena.start":
        arena().start(**kw)
    elif entry == "bayes":
        ml.BayesianChoice(prior="heavy-tail", k=3, algorithms=["BG", "TS"], t=20, paths=100).run(
            **kw, progress=False
        )
    elif entry == "sweep":
        ml.sweep(market(), {"feedback": [0.5]}, **{"steps": 10, **kw}, progress=False)
    elif entry == "competing_bandits":
        reproduce.competing_bandits(out=tmp_path / "cb", tables=[1], **kw, progress=False)
    else:
        raise AssertionError(entry)


ENTRIES = [
    ("simulate", ["steps", "runs", "seed", "every", "threads"]),
    ("start", ["steps", "seed", "replicate", "every"]),
    ("run.step", ["n"]),
    ("equilibrium", ["max_iterations"]),
    ("dynamics", ["iterations"]),
    ("compete", ["runs", "seed", "every", "threads"]),
    ("compete.start", ["seed", "replicate"]),
    ("game.step", ["n"]),
    ("arena", ["runs", "seed", "threads"]),
    ("arena.start", ["seed", "replicate"]),
    ("bayes", ["seed", "threads"]),
    ("sweep", ["runs", "seed", "threads"]),
    ("competing_bandits", ["runs", "seed", "needle"]),
]
# Where seed=None / runs=None take the spec's own value.
NONE_IS_THE_SPECS = ("compete", "compete.start", "bayes")
CASES = [(e, k) for e, keys in ENTRIES for k in keys]
BAD = [2**64, 2**65, -1, -(2**63), 1.5, 2.0, float("nan"), True, False, "5", None]


@pytest.mark.parametrize("entry,name", CASES, ids=[f"{e}-{k}" for e, k in CASES])
@pytest.mark.parametrize("value", BAD, ids=repr)
def test_bad_integers_raise_marketloop_error_naming_the_keyword(entry, name, value, tmp_path):
    if value is None and (name in ("threads", "needle") or entry in NONE_IS_THE_SPECS):
        pytest.skip("None means every core / the paper's needle / the spec's value")
    with pytest.raises(ml.MarketloopError) as e:
        call(entry, name, value, tmp_path)
    msg = str(e.value)
    assert name in msg, msg
    assert repr(value) in msg or str(value) in msg, msg
    assert e.value.field == name, e.value.field


@pytest.mark.parametrize("entry,name", CASES, ids=[f"{e}-{k}" for e, k in CASES])
def test_the_message_gives_the_allowed_range(entry, name, tmp_path):
    with pytest.raises(ml.MarketloopError, match=r"whole number in \[\d+, "):
        call(entry, name, 2**64, tmp_path)


def test_numpy_integers_and_the_largest_seed_are_accepted():
    df = market().simulate(steps=np.int64(10), runs=np.uint8(2), seed=2**64 - 1, progress=False)
    assert sorted(set(df["run"])) == [0, 1]
    assert isinstance(ml.MarketloopError("x"), ValueError)


@pytest.mark.parametrize("threads", [2**63, 2**32, 1025])
def test_too_many_threads_is_refused_before_any_thread_starts(threads):
    with pytest.raises(ml.MarketloopError, match=r"threads = \d+ is above the maximum 1024") as e:
        market().simulate(steps=10, threads=threads, progress=False)
    assert e.value.field == "threads"
