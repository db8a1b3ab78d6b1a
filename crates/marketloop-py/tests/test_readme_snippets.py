"""The README's Python plug-in examples run as written (at a smaller number of runs), so they
cannot rot."""

import re
from pathlib import Path

import numpy as np
import pytest

import marketloop as ml

README = Path(__file__).resolve().parents[3] / "README.md"


def python_blocks(marker: str):
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    return [b for b in blocks if marker in b]


@pytest.mark.parametrize("marker", ["class EpsGreedy", "class ByPurchases", "class LearnedQuality"])
def test_readme_plugin_example_runs(marker, tmp_path, monkeypatch):
    blocks = python_blocks(marker)
    assert len(blocks) == 1, f"README: one python block with {marker!r}"
    code = blocks[0].replace("runs=100", "runs=3")
    monkeypatch.chdir(tmp_path)
    namespace = {"ml": ml, "np": np}
    exec(compile(code, f"README.md ({marker})", "exec"), namespace)
    if marker == "class EpsGreedy":
        assert isinstance(namespace["game"], ml.Competition)
    elif marker == "class LearnedQuality":
        assert set(namespace["df"].platform) == {"mine", "platform 1", "market"}
        assert namespace["run"].state()["step"] == 500
    else:
        assert len(namespace["df"]) > 0
        assert namespace["run"] is not None
