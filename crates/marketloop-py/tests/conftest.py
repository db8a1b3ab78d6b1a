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
