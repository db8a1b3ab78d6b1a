"""Shared fixtures: the `marketloop` CLI binary (to check Python == CLI) and small markets."""

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[3]


def _find_cli():
    env = os.environ.get("MARKETLOOP_BIN")
    if env:
        return env
    p = REPO / "target" / "release" / "marketloop"
    return str(p) if p.is_file() else shutil.which("marketloop")


@pytest.fixture(scope="session")
def cli():
    """Runs the `marketloop` binary; skips only when no binary was built (scripts/test-python.sh
    always builds it and sets MARKETLOOP_BIN)."""
    exe = _find_cli()
    if exe is None:
        pytest.skip("no marketloop binary: build it with `cargo build --release -p marketloop-cli` "
                    "or set MARKETLOOP_BIN")

    def run(*args, check=True):
        p = subprocess.run([exe, *map(str, args)], capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError(f"marketloop {' '.join(map(str, args))} failed:\n{p.stderr}")
        return p

    return run


@pytest.fixture
def ray_local():
    """A local Ray with 2 CPUs for one test (the test is skipped without the ray package): the
    tests' plug-in modules travel to the workers pickled by value; Ray is shut down before (an
    earlier test's sweep may have started it: sweep() reuses a running Ray) and after."""
    ray = pytest.importorskip("ray", reason="the ray package is not installed (pip install ray)")
    import plugin_algorithms
    import plugin_markets

    for module in (plugin_algorithms, plugin_markets):
        ray.cloudpickle.register_pickle_by_value(module)
    ray.shutdown()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


TWO_TYPES = dict(
    weights=np.array([0.4, 0.6]),
    visibility=np.array([[0.9, 0.3, 0.6, 0.8], [0.2, 0.9, 0.4, 0.3]]),
    quality=np.array([[0.7, 0.9, 0.4, 0.5], [0.6, 0.8, 0.5, 0.5]]),
    feedback=0.5,
    initial_counts={"uniform": [2, 3]},
)

TWO_TYPES_TOML = """
weights = [0.4, 0.6]
visibility = [[0.9, 0.3, 0.6, 0.8], [0.2, 0.9, 0.4, 0.3]]
quality = [[0.7, 0.9, 0.4, 0.5], [0.6, 0.8, 0.5, 0.5]]
feedback = 0.5
initial_counts = { uniform = [2, 3] }
"""
