"""The arena from Python: platforms that rank a catalogue (learning it in the loop) compete
for typed users. The same spec as ``marketloop arena SPEC.toml``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import pandas as pd

from . import _core
from ._args import threads as threads_arg
from ._args import whole
from ._frames import plain, to_frame, toml_source
from ._progress import progress_callback
from .plugins import is_ranking_plugin, plugin_name, ranking_args

__all__ = ["Arena", "ArenaRun"]

# What a Python ranking's platform holds in the spec sent to the engine (any built-in without
# options would do: the platform's ranking is replaced by the plug-in before anything runs).
_PLACEHOLDER = "random"

# The keys a platform with a Python ranking takes (the others set up built-in rankings).
_PLUGIN_KEYS = ("name", "ranking", "personalised", "warm_start", "entry")


def _refuse(field: str, message: str) -> None:
    err = _core.MarketloopError(f"{field}: {message}")
    err.field = field
    raise err


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

    A platform's ``ranking`` may be your own ranking (a :class:`marketloop.RankingPolicy`, the
    same object ``Market.simulate(ranking=...)`` takes) in place of a built-in's name:
    ``platforms=[{"name": "mine", "ranking": MyRanking()}, {"ranking": "quality"}]``. Such a
    platform takes ``name``, ``personalised``, ``warm_start`` and ``entry``; the position bias
    is the arena's. The platform calls ``reset(n_items, positions)`` on its own copy at the
    start of each replicate, ``rank(user_type, counts, step, rng)`` for every user it serves
    (warm-start users included; ``counts`` and ``step`` are the platform's own; a pooled
    platform hands type 0) and ``observe(user_type, tried, bought, step)`` after each, where it
    calls a built-in's, with ``rng`` seeded from the platform's own ``Ranking`` stream: as
    reproducible as a built-in. An arena with Python rankings runs its replicates one after the
    other with the GIL held (``threads`` is then ignored; ``out`` and ``resume`` work as for
    built-ins); a ranking that raises or returns anything but ``min(P, n)`` distinct items in
    ``range(n)`` stops the run with :class:`marketloop.MarketloopError` naming the ranking, the
    platform, the step and the replicate (the exception as its ``__cause__``). Sweeps
    (:func:`marketloop.sweep`) run such an arena's cells the same way; the grid may not replace
    a Python ranking.

    Instances are plain data (a dict of fields, and the ranking objects), so they pickle (when
    the rankings do).
    """

    kind = "arena"

    def __init__(self, **fields: Any) -> None:
        #: Python rankings by platform index (their platforms hold a placeholder in ``spec``).
        self.rankings: Dict[int, Any] = {}
        platforms = fields.get("platforms")
        if isinstance(platforms, (list, tuple)):
            platforms = [dict(p) if isinstance(p, Mapping) else p for p in platforms]
            for i, p in enumerate(platforms):
                if isinstance(p, dict) and is_ranking_plugin(p.get("ranking")):
                    self.rankings[i] = self._plugin(i, p)
                    p["ranking"] = _PLACEHOLDER
            fields = dict(fields, platforms=platforms)
        self.spec: Dict[str, Any] = {k: plain(v, k) for k, v in fields.items() if v is not None}
        # Validate now, so a bad spec fails where it is written, not where it is run.
        _core.validate_spec(self.kind, json.dumps(self.spec))

    @staticmethod
    def _plugin(i: int, platform: Dict[str, Any]) -> Any:
        """Platform ``i``'s Python ranking, after checking the platform asks nothing of it that
        only built-ins do."""
        ranking = platform["ranking"]
        for key in platform:
            if key not in _PLUGIN_KEYS:
                _refuse(
                    f"platforms[{i}].{key}",
                    f"applies to a built-in ranking; platform {i} ranks by the Python ranking "
                    f"{plugin_name(ranking)!r} (its platform takes {', '.join(_PLUGIN_KEYS)})",
                )
        if getattr(ranking, "position_bias", None) is not None:
            _refuse(
                f"platforms[{i}].ranking",
                f"the Python ranking {plugin_name(ranking)!r} sets position_bias; in an arena "
                "the position bias is the arena's (Arena(position_bias=...)), the same for every "
                "platform",
            )
        ranking_args(ranking)
        return ranking

    def ranking_list(self) -> List[Tuple[int, Any, str, bool]]:
        """The Python rankings as the engine takes them: (platform index, object, name, whether
        it has ``observe``)."""
        out = []
        for i, r in sorted(self.rankings.items()):
            obj, name, observes, _ = ranking_args(r)
            out.append((i, obj, name, observes))
        return out

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
        ``progress(done, total)`` receives the reports. The numbers never depend on it. With
        Python rankings, the replicates run one after the other with the GIL held."""
        seed = whole(seed, "seed")
        runs = whole(runs, "runs", 1)
        if self.rankings:
            with progress_callback(progress, "arena") as report:
                return to_frame(
                    _core.run_arena_plugins(
                        json.dumps(self.spec),
                        self.ranking_list(),
                        seed,
                        runs,
                        None if out is None else str(out),
                        bool(resume),
                        report,
                    )
                )
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
                json.dumps(self.spec),
                whole(seed, "seed"),
                whole(replicate, "replicate"),
                self.ranking_list(),
            )
        )

    def to_dict(self) -> Dict[str, Any]:
        """The spec as plain data (the fields of the arena TOML; a Python ranking's platform
        holds its name)."""
        d = json.loads(json.dumps(self.spec))
        for i, r in self.rankings.items():
            d["platforms"][i]["ranking"] = plugin_name(r)
        return d

    def __repr__(self) -> str:
        spec = dict(self.spec)
        if self.rankings:
            spec["platforms"] = [
                dict(p, ranking=self.rankings[i]) if i in self.rankings else p
                for i, p in enumerate(spec["platforms"])
            ]
        return f"Arena({', '.join(f'{k}={v!r}' for k, v in spec.items())})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Arena)
            and other.spec == self.spec
            and other.rankings.keys() == self.rankings.keys()
            and all(other.rankings[i] is r for i, r in self.rankings.items())
        )


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
