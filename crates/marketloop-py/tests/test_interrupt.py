"""Ctrl-C during a long call: the run stops, finished replicates stay saved in ``out``, the
folder stays marked incomplete, Python raises ``KeyboardInterrupt``, and resuming the folder
gives byte for byte the tables of an uninterrupted run. The long runs are child processes that
the test interrupts with SIGINT once they have started; subprocess timeouts only guard against
a hang (no test asserts how long anything takes)."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import marketloop as ml

from conftest import TWO_TYPES

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")

HANG_GUARD = 300  # seconds; only a guard against a hang, never an assertion on speed

# One replicate takes a noticeable time; with threads=1 and a callback that blocks on its first
# report until the test has sent SIGINT, the run cannot finish before the signal arrives.
SIMULATE = dict(steps=200_000, runs=40, seed=7, every=20_000)

CHILD = textwrap.dedent(
    """
    import os, sys, time
    import marketloop as ml
    spec, out, mode, go, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    m = ml.Market.from_spec(__import__("json").loads(spec))
    first = []

    def report(done, total):
        if not first:
            first.append(done)
            print("started", flush=True)
            # Hold the only worker until the test has sent SIGINT (it then creates `go`).
            for _ in range(6000):
                if os.path.exists(go):
                    break
                time.sleep(0.05)

    progress = report if mode == "callback" else False
    try:
        m.simulate(steps={steps}, runs=runs, seed={seed}, every={every}, threads=1,
                   out=out, progress=progress)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(3)
    print("finished", flush=True)
    """
).format(**SIMULATE)


def spec_json():
    import json

    return json.dumps(ml.Market(**TWO_TYPES, ranking={"strategy": "popularity"}).to_dict())


def start_child(tmp_path, mode, runs):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    out, go = tmp_path / "run", tmp_path / "go"
    child = subprocess.Popen(
        [sys.executable, str(script), spec_json(), str(out), mode, str(go), str(runs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return child, out, go


def replicate_files(out):
    return sorted(p.name for p in (out / "replicates").rglob("r*.json"))


def csv_bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(Path(folder).glob("*.csv"))}


def test_ctrl_c_keeps_finished_replicates_and_resume_gives_the_uninterrupted_tables(tmp_path):
    child, out, go = start_child(tmp_path, "callback", SIMULATE["runs"])
    assert child.stdout.readline().strip() == "started"  # a replicate finished and reported
    child.send_signal(signal.SIGINT)
    go.touch()
    stdout, stderr = child.communicate(timeout=HANG_GUARD)
    assert child.returncode == 3 and "interrupted" in stdout, (child.returncode, stdout, stderr)

    saved = replicate_files(out)
    assert 1 <= len(saved) < SIMULATE["runs"], saved
    assert (out / ".incomplete").is_file() and not (out / "manifest.json").exists()
    assert not list(out.rglob(".*.tmp-*")), "no half-written file is left"

    m = ml.Market(**TWO_TYPES, ranking={"strategy": "popularity"})
    resumed = m.simulate(**SIMULATE, threads=2, out=out, resume=True, progress=False)
    fresh = m.simulate(**SIMULATE, threads=2, out=tmp_path / "fresh", progress=False)
    assert resumed.equals(fresh)
    assert not (out / ".incomplete").exists()
    assert csv_bytes(out) == csv_bytes(tmp_path / "fresh")
    manifest = __import__("json").loads((out / "manifest.json").read_text())
    assert manifest["resumed_replicates"] >= len(saved)


def test_ctrl_c_works_without_a_progress_bar(tmp_path):
    runs = 5000  # far more than can finish between the first saved replicate and the signal
    child, out, _ = start_child(tmp_path, "silent", runs)
    try:
        # Started: the first replicate file is there.
        for _ in range(int(HANG_GUARD / 0.05)):
            if child.poll() is not None or (out / "replicates").is_dir() and replicate_files(out):
                break
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=HANG_GUARD)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 3 and "interrupted" in stdout, (child.returncode, stdout, stderr)
    assert (out / ".incomplete").is_file()
    assert 1 <= len(replicate_files(out)) < runs
