"""Competing bandits from Python: the same spec as ``marketloop compete SPEC.toml``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Tuple, Union

import pandas as pd

from . import _core
from ._args import threads as threads_arg
from ._args import whole
from ._frames import plain, to_frame, toml_source
from ._progress import progress_callback
from .plugins import (
    is_bandit_plugin,
    is_response_plugin,
    observer_args,
    plugin_name,
    response_plugin,
)

# What a plug-in slot holds in the spec sent to the engine (any valid built-in would do: the
# slot's algorithm is replaced by the plug-in before anything runs). It must accept the reward
# model: BG for Bernoulli rewards, UCB1 (which accepts every reward model) otherwise.
_PLACEHOLDER = "BG"
_PLACEHOLDER_ANY_REWARDS = "UCB1"

__all__ = ["Competition", "CompetitionGame", "Trajectories"]


class Trajectories(NamedTuple):
    """What ``Competition.run(..., trajectories=True)`` returns."""

    #: One row per run, as ``Competition.run`` returns without trajectories (same numbers).
    runs: pd.DataFrame
    #: One row per run x recorded game round x firm: ``run, round, firm, share`` (market share
    #: so far), ``reputation``, ``firm_regret`` (the firm's cumulative game regret),
    #: ``market_regret`` (cumulative).
    rounds: pd.DataFrame
    #: One row per recorded round x firm: the mean over runs of share, reputation, firm_regret
    #: and market_regret, each with its 95% confidence band (``_mean``, ``_lo``, ``_hi``).
    bands: pd.DataFrame


class Competition:
    """Platforms running bandit algorithms, competing for users who choose by reputation.

    Keyword arguments mirror the TOML spec of ``marketloop compete`` (see the docs of
    ``marketloop_io::compete_spec``): ``instance``, ``k``, ``needle``, ``means``, ``algorithms``,
    ``scenario``, ``x``, ``response``, ``bias``, ``eps``, ``temperature``, ``t``, ``t0``,
    ``window``, ``tie_rule``, ``prior``, ``warm_start_rows``, ``checkpoints``, ``rewards``,
    ``seed``, ``runs``. Unknown keys and bad values raise :class:`marketloop.MarketloopError`
    naming the field.

    ``rewards`` is ``"bernoulli"`` (the default: 0/1 rewards) or
    ``{"gaussian": {"sigma": s}}`` (a pull of arm a pays ``mu_a + s * z``, ``s`` in (0, 1e6]);
    under Gaussian rewards ``means`` may lie outside [0, 1] and the built-in algorithms must be
    ones that accept them (``UCB1``, ``SE``, ``EF(m=..)``, ``EG``, ``ETE(n=..)``, ``GTS``,
    ``GBG``), while plug-ins receive the real rewards in ``update(arm, reward)``.

    ``algorithms`` may hold your own algorithms (:class:`marketloop.BanditAlgorithm` objects)
    beside built-in names, for any number of firms: ``algorithms=[MyUCB(), "TS"]``. Such a
    competition runs its replicates one after the other with the GIL held (see
    :mod:`marketloop.plugins`); ``threads`` is then ignored.

    ``response`` may be your own response function (a :class:`marketloop.ResponseFunction`
    or a plain function ``f(reputations, recent, rng) -> firm``) in place of a built-in's name;
    it works with built-in and plug-in algorithms, every scenario, trajectories, ``start`` and
    sweeps.

    ``batch`` (a whole number >= 1, default 1) sets how the Python algorithms are asked for
    arms: with ``batch=B > 1`` each asks its :meth:`~marketloop.BanditAlgorithm.select_many`
    for its next B arms at once and learns their rewards in one
    :meth:`~marketloop.BanditAlgorithm.update_many` call once the last of them is served (the
    batched-bandit protocol of Perchet et al. 2016). A batch counts the firm's own selections,
    one sequence across the monopoly period, the warm start and the game rounds it wins (the
    engine still serves one arm per round and records each reward at once: reputations and
    regret move round by round); a scenario that wipes the algorithm (reputation advantage)
    drops its unfinished batch; at the end of the run the rest of an unfinished batch is never
    served and its rewards never delivered. Built-in algorithms are unaffected.

    Instances are plain data (a dict of fields, and the plug-in objects), so they pickle and
    travel to joblib or Ray workers (when the plug-ins pickle).
    """

    kind = "compete"

    def __init__(self, **fields: Any) -> None:
        #: Plug-in algorithms by firm slot (their slots hold a placeholder in ``spec``).
        self.plugins: Dict[int, Any] = {}
        #: The response function plug-in ``(name, object)``, if any (``spec`` then holds none).
        self.response: Optional[Tuple[str, Any]] = None
        fields = dict(fields)
        #: The batch size of the Python algorithms (1: one select/update call per round).
        self.batch: int = whole(fields.pop("batch", 1), "batch", 1)
        if is_response_plugin(fields.get("response")):
            self.response = response_plugin(fields.pop("response"))
        algs = fields.get("algorithms")
        rewards = fields.get("rewards")
        placeholder = (
            _PLACEHOLDER if rewards is None or rewards == "bernoulli" else _PLACEHOLDER_ANY_REWARDS
        )
        if isinstance(algs, (list, tuple)):
            algs = list(algs)
            for i, a in enumerate(algs):
                if is_bandit_plugin(a):
                    self.plugins[i] = a
                    algs[i] = placeholder
                elif not isinstance(a, str):
                    err = _core.MarketloopError(
                        f"algorithms[{i}] = {a!r} is neither a built-in's name (e.g. \"TS\") "
                        "nor a bandit algorithm (a marketloop.BanditAlgorithm with reset, "
                        "select and update)"
                    )
                    err.field = "algorithms"
                    raise err
            fields = dict(fields, algorithms=algs)
        self.spec: Dict[str, Any] = {k: plain(v, k) for k, v in fields.items() if v is not None}
        # Validate now, so a bad spec fails where it is written, not where it is run.
        _core.validate_spec(self.kind, json.dumps(self.spec))
        if self.batch > 1 and not self.plugins:
            err = _core.MarketloopError(
                f"batch = {self.batch} applies to Python bandit algorithms, and this "
                "competition has none (built-ins are always asked one arm at a time)"
            )
            err.field = "batch"
            raise err

    @classmethod
    def from_toml(cls, source: Union[str, Path]) -> "Competition":
        """A competition from a ``marketloop compete`` TOML file or TOML text."""
        text, _ = toml_source(source, "compete")
        return cls(**json.loads(_core.toml_to_json(text)))

    def run(
        self,
        *,
        seed: Optional[int] = None,
        runs: Optional[int] = None,
        threads: Optional[int] = None,
        out: Union[None, str, Path] = None,
        resume: bool = False,
        trajectories: bool = False,
        every: int = 1,
        observers: Any = None,
        progress: Any = True,
    ) -> Union[pd.DataFrame, Trajectories]:
        """Runs the games: one row per run (market shares, EEOG, regrets, final reputations).

        With ``trajectories=True``, every game is also recorded every ``every`` rounds (and at
        T) and a :class:`Trajectories` is returned: the per-run table (the same numbers), the
        per-round market shares so far, reputations and cumulative regrets, and their means
        over runs with 95% confidence bands; a run folder (``out``) then also holds
        ``trajectories`` and ``trajectory_bands`` tables and a share-over-time figure.

        ``observers`` (with ``trajectories=True``) add your own measurements of each game at the
        recorded rounds: :class:`marketloop.Observer` objects or a dict name -> function. Each
        is called with a dict — ``round``, ``horizon``, ``replicate``, the per-firm lists
        ``shares``, ``reputation``, ``chosen``, ``served``, ``firm_regret``, the market's
        ``regret`` and the instance's ``means`` — and returns one number per name. Each game
        gets its own deep copy, so an observer may keep state over its game. Their columns
        follow the built-in ones (which are observers too) in the per-round table and get
        bands too. Runs with observers hold the GIL and run one game after the other.

        ``seed`` and ``runs`` default to the spec's (or the paper's: seed 0, N = 1000). The
        GIL is released; ``threads`` sets the worker count and never changes the results. With
        ``out``, also writes the run folder of ``marketloop compete SPEC.toml --out OUT`` (the
        same files, byte for byte, for the same spec); ``resume=True`` continues an interrupted
        one. A progress bar over the games: tqdm when installed (``pip install
        marketloop[progress]``), silent otherwise; ``progress=False`` turns it off, a callable
        ``progress(done, total)`` receives the reports. The numbers never depend on it.
        """
        seed = self.spec.get("seed", 0) if seed is None else seed
        runs = self.spec.get("runs", 1000) if runs is None else runs
        seed = whole(seed, "seed")
        runs = whole(runs, "runs", 1)
        every = whole(every, "every", 1)
        threads = threads_arg(threads)
        if observers is not None and not trajectories:
            raise _core.MarketloopError(
                "observers are recorded with the trajectories: give trajectories=True (and every)"
            )
        if self.plugins or self.response or trajectories:
            with progress_callback(progress, "compete", "game") as report:
                runs_cols, rounds_cols, bands_cols = _core.run_compete_with(
                    json.dumps(self.spec),
                    self.plugin_list(),
                    int(seed),
                    int(runs),
                    threads,
                    None if out is None else str(out),
                    bool(resume),
                    int(every) if trajectories else None,
                    report,
                    observer_args(observers),
                    self.plugin_options(),
                )
            if not trajectories:
                return to_frame(runs_cols)
            return Trajectories(to_frame(runs_cols), to_frame(rounds_cols), to_frame(bands_cols))
        with progress_callback(progress, "compete", "game") as report:
            return to_frame(
                _core.run_compete(
                    json.dumps(self.spec),
                    int(seed),
                    int(runs),
                    threads,
                    None if out is None else str(out),
                    bool(resume),
                    report,
                )
            )

    def start(self, *, seed: Optional[int] = None, replicate: int = 0) -> "CompetitionGame":
        """Starts game (run) ``replicate`` of :meth:`run` (master seed ``seed``, default the
        spec's) after its pre-game history (monopoly period, warm start), to be played from
        Python: ``game.step(n)``, ``game.state()``. Played to T in any pieces, it ends exactly
        where run ``replicate`` of :meth:`run` ends."""
        seed = self.spec.get("seed", 0) if seed is None else seed
        seed = whole(seed, "seed")
        replicate = whole(replicate, "replicate")
        return CompetitionGame(
            _core.PyCompetitionRun(
                json.dumps(self.spec),
                self.plugin_list(),
                int(seed),
                int(replicate),
                self.plugin_options(),
            )
        )

    def plugin_list(self) -> List[Tuple[int, str, Any]]:
        """The plug-ins as the engine takes them: (firm slot, name, object)."""
        return [(i, plugin_name(a), a) for i, a in sorted(self.plugins.items())]

    def plugin_options(self) -> Tuple[Optional[Tuple[str, Any]], int]:
        """The competition-wide plug-in options as the engine takes them: (response plug-in
        ``(name, object)`` or None, batch size)."""
        return (self.response, self.batch)

    def to_dict(self) -> Dict[str, Any]:
        """The spec as plain data (the fields of the compete TOML; a plug-in's slot holds its
        name, as does ``response`` for a response plug-in)."""
        d = json.loads(json.dumps(self.spec))
        for i, a in self.plugins.items():
            d["algorithms"][i] = plugin_name(a)
        if self.response is not None:
            d["response"] = self.response[0]
        return d

    def __repr__(self) -> str:
        spec = dict(self.spec)
        if self.plugins:
            spec["algorithms"] = [self.plugins.get(i, a) for i, a in enumerate(spec["algorithms"])]
        if self.response is not None:
            spec["response"] = self.response[1]
        if self.batch != 1:
            spec["batch"] = self.batch
        return f"Competition({', '.join(f'{k}={v!r}' for k, v in spec.items())})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Competition)
            and other.spec == self.spec
            and other.plugins.keys() == self.plugins.keys()
            and all(other.plugins[i] is a for i, a in self.plugins.items())
            and (other.response is None) == (self.response is None)
            and (self.response is None or other.response[1] is self.response[1])
            and other.batch == self.batch
        )


class CompetitionGame:
    """One started game of a competition (:meth:`Competition.start`)."""

    def __init__(self, handle: Any) -> None:
        self._game = handle

    def step(self, n: int = 1) -> int:
        """Plays up to ``n`` game rounds (never past T); returns how many were played."""
        return self._game.step(whole(n, "n"))

    def state(self) -> Dict[str, Any]:
        """The game now: ``round``, ``horizon``, ``chosen`` (rounds won by firm), ``served``,
        ``reputation``, ``shares`` (so far), ``regret`` (cumulative market regret),
        ``firm_regret``."""
        return self._game.state()

    @property
    def finished(self) -> bool:
        """Whether all T rounds have been played."""
        s = self._game.state()
        return s["round"] >= s["horizon"]
