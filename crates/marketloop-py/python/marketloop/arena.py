"""The arena from Python: platforms that rank a catalogue (learning it in the loop) compete
for typed users. The same spec as ``marketloop arena SPEC.toml``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Optional, Union

import pandas as pd

from . import _core
from ._args import threads as threads_arg
from ._args import whole
from ._frames import plain, to_frame, toml_source
from ._progress import progress_callback

__all__ = ["Arena", "ArenaRun"]


class Arena:
    """P platforms, each ranking the items of one trial-offer market for the users who pick it,
    competing for those users by reputation.

    Keyword arguments are the fields of the arena TOML (docs/specs.md of the user guide;
    ``marketloop spec arena`` prints an annotated example): ``steps``, ``every``, ``window``,
    ``reputation`` (``"overall"`` or ``"per-type"``), ``response`` (e.g. ``{"kind":
    "hard-max"}``), ``choice`` (``"logit"`` or ``"first-position"``), ``position_bias``,
    ``market`` (a dict of the market's fields: ``weights``, ``visibility``, ``quality``,
    ``feedback``, ``initial_counts``; numpy arrays welcome) and ``platforms`` (a list of dicts:
    ``name``, ``ranking``, ``personalised``, ``warm_start``, ``entry``, ``ties``, ``order``,
    ``prior``, ``eps``, ``c``, ``popularity_weighted``). Unknown keys and bad values raise
    :class:`marketloop.MarketloopError` naming the field.

    Instances are plain data (a dict of fields), so they pickle.
    """

    kind = "arena"

    def __init__(self, **fields: Any) -> None:
        self.spec: Dict[str, Any] = {k: plain(v, k) for k, v in fields.items() if v is not None}
        # Validate now, so a bad spec fails where it is written, not where it is run.
        _core.validate_spec(self.kind, json.dumps(self.spec))

    @classmethod
    def from_toml(cls, source: Union[str, Path]) -> "Arena":
        """An arena from a ``marketloop arena`` TOML file or TOML text (market file references
        are relative to the current folder)."""
        text, _ = toml_source(source, "arena")
        return cls(**json.loads(_core.toml_to_json(text)))

    def run(
        self,
        *,
        seed: int = 0,
        runs: int = 10,
        threads: Optional[int] = None,
        out: Union[None, str, Path] = None,
        resume: bool = False,
        progress: Any = True,
    ) -> pd.DataFrame:
        """Runs ``runs`` replicates with master seed ``seed``: one row per run x measurement x
        platform x measure (``run, step, platform, measure, value``; market-wide measures under
        platform ``"market"``). The GIL is released; ``threads`` never changes the results. With
        ``out``, also writes the run folder of ``marketloop arena SPEC.toml --out OUT``;
        ``resume=True`` continues an interrupted one. A progress bar over the runs: tqdm when installed (``pip install
        marketloop[progress]``), silent otherwise; ``progress=False`` turns it off, a callable
        ``progress(done, total)`` receives the reports. The numbers never depend on it."""
        seed = whole(seed, "seed")
        runs = whole(runs, "runs", 1)
        with progress_callback(progress, "arena") as report:
            return to_frame(
                _core.run_arena(
                    json.dumps(self.spec),
                    seed,
                    runs,
                    threads_arg(threads),
                    None if out is None else str(out),
                    bool(resume),
                    report,
                )
            )

    def start(self, *, seed: int = 0, replicate: int = 0) -> "ArenaRun":
        """Starts one replicate, to be stepped with :meth:`ArenaRun.step`; stepping it to the
        horizon gives the numbers of :meth:`run` for the same seed and replicate."""
        return ArenaRun(
            _core.PyArenaRun(
                json.dumps(self.spec), whole(seed, "seed"), whole(replicate, "replicate")
            )
        )

    def to_dict(self) -> Dict[str, Any]:
        """The spec as plain data (the fields of the arena TOML)."""
        return json.loads(json.dumps(self.spec))

    def __repr__(self) -> str:
        return f"Arena({', '.join(f'{k}={v!r}' for k, v in self.spec.items())})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Arena) and other.spec == self.spec


class ArenaRun:
    """One started arena replicate (from :meth:`Arena.start`)."""

    def __init__(self, handle: Any) -> None:
        self._h = handle

    def step(self, n: int = 1) -> int:
        """Advances up to ``n`` users (never past the horizon); returns the steps taken."""
        return int(self._h.step(whole(n, "n")))

    def state(self) -> Dict[str, Any]:
        """The state now: ``step``, ``finished`` and per platform its ``users``,
        ``purchases``, ``share``, ``reputation``, ``regret``, ``counts`` and ``entropy``."""
        return json.loads(self._h.state())

    def measurements(self) -> pd.DataFrame:
        """The measurements so far, one row per measurement x platform (``step, platform,
        share, efficiency, entropy, gini, regret, q_error, reputation``)."""
        t = json.loads(self._h.trajectory())
        names = [p["name"] for p in self.state()["platforms"]]
        rows = [
            {"step": pt["step"], "platform": names[p], **{k: v for k, v in x.items()}}
            for pt in t["points"]
            for p, x in enumerate(pt["platforms"])
        ]
        return pd.DataFrame(rows)

    @property
    def finished(self) -> bool:
        """Whether the horizon is reached."""
        return bool(self.state()["finished"])
