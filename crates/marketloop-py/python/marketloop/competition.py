"""Competing bandits from Python: the same spec as ``marketloop compete SPEC.toml``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Optional, Union

import pandas as pd

from . import _core
from ._frames import plain, to_frame

__all__ = ["Competition"]


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
        self.spec: Dict[str, Any] = {k: plain(v, k) for k, v in fields.items() if v is not None}
        # Validate now, so a bad spec fails where it is written, not where it is run.
        _core.validate_spec(self.kind, json.dumps(self.spec))

    @classmethod
    def from_toml(cls, source: Union[str, Path]) -> "Competition":
        """A competition from a ``marketloop compete`` TOML file or TOML text."""
        path = Path(source) if isinstance(source, Path) or "\n" not in str(source) else None
        if path is not None and path.is_file():
            text = path.read_text(encoding="utf-8")
        elif path is not None and str(source).endswith(".toml"):
            raise _core.MarketloopError(f"{source}: no such compete TOML file")
        else:
            text = str(source)
        return cls(**json.loads(_core.toml_to_json(text)))

    def run(
        self,
        *,
        seed: Optional[int] = None,
        runs: Optional[int] = None,
        threads: Optional[int] = None,
        out: Union[None, str, Path] = None,
        resume: bool = False,
    ) -> pd.DataFrame:
        """Runs the games: one row per run (market shares, EEOG, regrets, final reputations).

        ``seed`` and ``runs`` default to the spec's (or the paper's: seed 0, N = 1000). The
        GIL is released; ``threads`` sets the worker count and never changes the results. With
        ``out``, also writes the run folder of ``marketloop compete SPEC.toml --out OUT`` (the
        same files, byte for byte, for the same spec); ``resume=True`` continues an interrupted
        one.
        """
        seed = self.spec.get("seed", 0) if seed is None else seed
        runs = self.spec.get("runs", 1000) if runs is None else runs
        for name, v in (("seed", seed), ("runs", runs)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise _core.MarketloopError(f"{name} = {v!r} must be a whole number >= 0")
        if runs < 1:
            raise _core.MarketloopError(f"runs = {runs} must be at least 1")
        return to_frame(
            _core.run_compete(
                json.dumps(self.spec),
                int(seed),
                int(runs),
                threads,
                None if out is None else str(out),
                bool(resume),
            )
        )

    def to_dict(self) -> Dict[str, Any]:
        """The spec as plain data (the fields of the compete TOML)."""
        return json.loads(json.dumps(self.spec))

    def __repr__(self) -> str:
        return f"Competition({', '.join(f'{k}={v!r}' for k, v in self.spec.items())})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Competition) and other.spec == self.spec
