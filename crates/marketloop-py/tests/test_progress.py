"""Progress feedback (``progress=``): a callable hears monotone ``(done, total)`` reports ending at
``(total, total)``; tqdm is optional (absent: silent); the numbers never depend on it."""

import sys
import time
import types

import pandas as pd
import pytest

import marketloop as ml

from conftest import TWO_TYPES


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, done, total):
        self.calls.append((done, total))

    def check(self, total):
        assert self.calls, "progress was never called"
        dones = [d for d, _ in self.calls]
        assert all(t == total for _, t in self.calls), self.calls
        assert all(a < b for a, b in zip(dones, dones[1:])), self.calls
        assert 0 < dones[0] and self.calls[-1] == (total, total), self.calls


def market():
    return ml.Market(**TWO_TYPES, ranking={"strategy": "popularity"})


def test_simulate_reports_monotone_progress_and_the_same_numbers():
    rec = Recorder()
    t = time.perf_counter()
    df = market().simulate(steps=20000, runs=48, seed=5, every=5000, threads=2, progress=rec)
    slow = time.perf_counter() - t > 1.0
    rec.check(48)
    if slow:  # a run longer than a second reports before it ends (at most every 0.2 s)
        assert len(rec.calls) >= 2, rec.calls
    plain = market().simulate(steps=20000, runs=48, seed=5, every=5000, threads=2, progress=False)
    pd.testing.assert_frame_equal(df, plain)


def test_competition_arena_bayes_and_sweep_report_to_a_callable():
    rec = Recorder()
    game = ml.Competition(instance="uniform", k=4, t=100, t0=5, isolation=False)
    a = game.run(seed=1, runs=7, progress=rec)
    rec.check(7)
    pd.testing.assert_frame_equal(a, game.run(seed=1, runs=7, progress=False))
    rec = Recorder()
    game.run(seed=1, runs=5, trajectories=True, every=50, progress=rec)
    rec.check(5)

    rec = Recorder()
    arena = ml.Arena(
        steps=600,
        every=200,
        market=TWO_TYPES,
        platforms=[{"ranking": "quality"}, {"ranking": "thompson"}],
    )
    a = arena.run(seed=2, runs=3, progress=rec)
    rec.check(3)
    pd.testing.assert_frame_equal(a, arena.run(seed=2, runs=3, progress=False))

    rec = Recorder()
    b = ml.BayesianChoice(prior="heavy-tail", k=2, t=30, paths=200)
    game_df, curves = b.run(progress=rec)
    rec.check(200)  # the reward curves' Monte Carlo paths
    pd.testing.assert_frame_equal(game_df, b.run(progress=False)[0])

    rec = Recorder()
    df = ml.sweep(
        market(), {"feedback": [0.2, 0.5, 0.8]}, runs=2, steps=500, every=250, progress=rec
    )
    rec.check(3)
    assert df.cell.nunique() == 3


def test_without_tqdm_progress_is_silent_and_false_works(monkeypatch, capsys):
    # An absent tqdm: importing it fails.
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    a = market().simulate(steps=2000, runs=3, seed=1, every=1000)
    b = market().simulate(steps=2000, runs=3, seed=1, every=1000, progress=False)
    pd.testing.assert_frame_equal(a, b)
    err = capsys.readouterr().err
    assert err == "", err


def test_tqdm_bar_opens_only_for_runs_that_report_before_they_end(monkeypatch):
    bars = []

    class FakeBar:
        def __init__(self, total, desc, unit):
            self.total, self.n, self.closed = total, 0, False
            bars.append(self)

        def update(self, k):
            assert k >= 0
            self.n += k

        def close(self):
            self.closed = True

    fake = types.ModuleType("tqdm.auto")
    fake.tqdm = FakeBar
    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    monkeypatch.setitem(sys.modules, "tqdm.auto", fake)
    from marketloop._progress import progress_callback

    with progress_callback(True, "x") as report:
        report(10, 10)  # finished at the first report: no bar
    assert bars == []
    with progress_callback(True, "x") as report:
        report(3, 10)
        report(10, 10)
    assert len(bars) == 1 and bars[0].n == 10 and bars[0].closed
    # And through the engine: whatever it reported, the bar (if any) ends full and closed.
    market().simulate(steps=20000, runs=24, seed=1, every=5000, threads=1)
    assert all(b.n == b.total and b.closed for b in bars)


def test_a_raising_callback_and_a_bad_value():
    def boom(done, total):
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        market().simulate(steps=500, runs=2, seed=1, every=250, progress=boom)
    with pytest.raises(ml.MarketloopError, match="progress"):
        market().simulate(steps=500, runs=2, seed=1, every=250, progress="yes")


class PhaseRecorder(Recorder):
    """A reproduction reports each phase from 0: within a phase (one total) ``done`` grows."""

    def check_phases(self):
        assert self.calls, "progress was never called"
        assert all(0 <= d <= t for d, t in self.calls), self.calls
        last_total, last_done = None, -1
        for d, t in self.calls:
            if t == last_total and d >= last_done:
                assert d > last_done, self.calls
            last_total, last_done = t, d
        done, total = self.calls[-1]
        assert done == total > 0, self.calls


def test_reproductions_report_progress_to_a_callable(tmp_path):
    rec = PhaseRecorder()
    r = ml.reproduce.competing_bandits(out=tmp_path / "cb", tables=[1], runs=20, seed=3, progress=rec)
    rec.check_phases()
    quiet = ml.reproduce.competing_bandits(
        out=tmp_path / "cb2", tables=[1], runs=20, seed=3, progress=False
    )
    assert r.tables.keys() == quiet.tables.keys()
    for name in r.tables:
        pd.testing.assert_frame_equal(r.tables[name], quiet.tables[name])

    rec = PhaseRecorder()
    ml.reproduce.learning_in_the_loop(out=tmp_path / "st", scale="ci", runs=2, progress=rec)
    rec.check_phases()


def test_a_reproduction_refuses_a_bad_progress_value(tmp_path):
    with pytest.raises(ml.MarketloopError, match="progress"):
        ml.reproduce.competing_bandits(out=tmp_path / "cb", tables=[1], runs=20, progress="yes")
    assert not (tmp_path / "cb").exists()
