"""Competing bandits from Python: the same spec as ``marketloop compete SPEC.toml``."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

import pandas as pd

from . import _core
from ._frames import to_frame

__all__ = ["Competition"]


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class Competition:
    """Platforms running bandit algorithms, competing for users who choose by reputation.

    Keyword arguments mirror the TOML spec of ``marketloop compete`` (see the docs of
    ``marketloop_io::compete_spec``): ``instance``, ``k``, ``needle``, ``means``, ``algorithms``,
    ``scenario``, ``x``, ``response``, ``bias``, ``eps``, ``temperature``, ``t``, ``t0``,
    ``window``, ``tie_rule``, ``prior``, ``warm_start_rows``, ``checkpoints``, ``seed``, ``runs``.
    Unknown keys and bad values raise :class:`marketloop.MarketloopError` naming the field.

    Instances are plain data (a dict of fields), so they pickle and travel to joblib or Ray
    workers.
    """

    kind = "compete"

    def __init__(self, **fields: Any) -> None:
        self.spec: Dict[str, Any] = {k: _plain(v) for k, v in fields.items()}
        # Validate now, so a bad spec fails where it is written, not where it is run.
        _core.validate_spec(self.kind, json.dumps(self.spec))

    def run(self, *, seed: Optional[int] = None, runs: Optional[int] = None) -> pd.DataFrame:
        """Runs the games: one row per run (market shares, EEOG, regrets, final reputations).

        ``seed`` and ``runs`` default to the spec's (or the paper's: seed 0, N = 1000).
        """
        seed = int(self.spec.get("seed", 0) if seed is None else seed)
        runs = int(self.spec.get("runs", 1000) if runs is None else runs)
        if runs < 1:
            raise _core.MarketloopError(f"runs = {runs} must be at least 1")
        return to_frame(_core.run_experiment(self.kind, json.dumps(self.spec), seed, runs))

    def __repr__(self) -> str:
        return f"Competition({', '.join(f'{k}={v!r}' for k, v in self.spec.items())})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Competition) and other.spec == self.spec
