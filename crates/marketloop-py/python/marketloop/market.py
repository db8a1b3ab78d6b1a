"""Trial-offer cultural markets from Python: the same spec as ``marketloop market ... MARKET.toml``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Dict, Optional, Union

import numpy as np
import pandas as pd

from . import _core
from ._args import threads as threads_arg
from ._args import whole
from ._frames import absolute_files, plain, to_frame, toml_source
from ._progress import progress_callback
from .plugins import choice_args, observer_args, ranking_args

__all__ = ["Equilibrium", "Market", "MarketRun"]


def _out(out: Union[None, str, Path]) -> Optional[str]:
    return None if out is None else str(out)


def _refuse_choice(choice: Any, what: str) -> None:
    if choice is not None:
        err = _core.MarketloopError(
            f"Market.{what} is the multinomial logit's analysis (closed forms and the fixed "
            "point of eq. 6); it does not take a choice rule plug-in. Simulate the rule with "
            "Market.simulate(choice=...) or Market.start(choice=...)"
        )
        err.field = "choice"
        raise err

@dataclasses.dataclass(frozen=True)
class Equilibrium:
    """The trial-offer market equilibrium (TOME) and every objective at it.

    The numbers of ``marketloop market equilibrium MARKET.toml --format json``. Objectives that do
    not apply to this market are ``None``; ``not_applicable`` says why.
    """

    shares: np.ndarray
    method: str
    regime: Any
    iterations: int
    residual: float
    converged: bool
    proven_unique: bool
    efficiency: float
    entropy: float
    total_utility: Optional[float]
    psi: Optional[float]
    gamma: Optional[float]
    log_nash_welfare: Optional[float]
    nash_exponents: Optional[np.ndarray]
    items: int
    types: int
    note: Optional[str]
    not_applicable: Dict[str, str]

    def to_dict(self) -> Dict[str, Any]:
        """The fields as a plain dict (arrays as numpy arrays)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


class Market:
    """A trial-offer market: items, user types with weights, visibility, quality, feedback.

    Keyword arguments mirror the market TOML of the command-line tool
    (``marketloop_io::market_spec``):

    - ``visibility``: m x n array v_ij >= 0 (a 1-D array for one user type) or
      ``{"file": "v.npy"}``;
    - ``quality``: m x n array q_ij in [0, 1] (or a file reference);
    - ``weights``: m weights > 0 summing to 1 (optional for one type), a file reference or
      ``{"groups": "groups.json"}``;
    - ``feedback`` (alias ``r``): the exponent r for every type, or one per type;
    - ``initial_counts``: a whole number >= 1 for every item, one per item, or
      ``{"uniform": [low, high]}`` (drawn per replicate);
    - ``ranking``: ``None`` (static visibility), a strategy name (``"random"``, ``"popularity"``,
      ``"quality"``, ``"fixed"``) or a dict ``{"strategy": .., "position_bias": .., "ties": ..,
      "order": ..}``;
    - ``items``: n (optional; taken from the matrices);
    - ``precision``: ``"f64"`` (default) or ``"f32"``: visibility and quality stored as float32,
      half the memory for big catalogues; values are rounded to float32, all arithmetic stays
      float64 (reproducible, but not bit-identical to an ``"f64"`` run).

    Any other keyword is an error naming it and the allowed keys (the market spec's one field
    list, kept in Rust).

    Bad input raises :class:`marketloop.MarketloopError` (a ``ValueError``) with the CLI's
    message, naming the field, the value and what is allowed. A ``Market`` is plain data: it
    pickles (for joblib, multiprocessing and Ray) and two markets with equal specs are equal.
    """

    kind = "market"

    def __init__(
        self,
        *,
        visibility: Any = None,
        quality: Any = None,
        weights: Any = None,
        feedback: Any = None,
        r: Any = None,
        initial_counts: Any = None,
        ranking: Union[None, str, Dict[str, Any]] = None,
        items: Optional[int] = None,
        precision: Optional[str] = None,
        **unknown: Any,
    ) -> None:
        if r is not None and feedback is not None:
            raise _core.MarketloopError("give the feedback exponent once: r or feedback, not both")
        fields = dict(
            visibility=visibility,
            quality=quality,
            weights=weights,
            feedback=feedback if feedback is not None else r,
            initial_counts=initial_counts,
            ranking={"strategy": ranking} if isinstance(ranking, str) else ranking,
            items=items,
            precision=precision,
        )
        # Any other keyword goes to the spec, where Rust names it and the allowed keys.
        fields.update(unknown)
        self.spec: Dict[str, Any] = {
            k: plain(v, k) for k, v in fields.items() if v is not None
        }
        self._source: Optional[str] = None
        self._handle: Optional[_core.PyMarket] = None
        self._core()  # validate now, so a bad market fails where it is written

    @classmethod
    def from_toml(cls, source: Union[str, Path]) -> "Market":
        """A market from a TOML file (file references relative to its folder) or TOML text."""
        text, path = toml_source(source, "market")
        base = path.parent if path is not None else Path.cwd()
        doc = absolute_files(json.loads(_core.toml_to_json(text)), base)
        # Rust's market spec names an unknown key and the allowed ones (the one field list).
        _core.PyMarket(json.dumps(doc))
        market = cls(**doc)
        if path is not None:
            # Run folders record the file the spec came from, as the CLI does.
            market._source = str(source)
            market._handle = None
        return market

    @classmethod
    def from_spec(cls, spec: Dict[str, Any]) -> "Market":
        """A market from a spec dict (the fields of the market TOML)."""
        return cls(**spec)

    def _core(self) -> "_core.PyMarket":
        if self._handle is None:
            self._handle = _core.PyMarket(json.dumps(self.spec), self._source)
        return self._handle

    @property
    def items(self) -> int:
        """Number of items n."""
        return self._core().items

    @property
    def types(self) -> int:
        """Number of user types m."""
        return self._core().types

    def equilibrium(
        self,
        *,
        tolerance: float = 1e-12,
        max_iterations: int = 100_000,
        out: Union[None, str, Path] = None,
        resume: bool = False,
        choice: Any = None,
    ) -> Equilibrium:
        """The TOME (closed form, Prop. C.1 reduction, or fixed point of eq. 6) and every objective.

        Under a quality or fixed ranking the effective visibility vhat * iota(rank) is used (as
        the CLI does); random and popularity rankings have no static equilibrium. With ``out``,
        also writes the run folder of ``marketloop market equilibrium --out OUT``.

        The equilibrium is the multinomial logit's: a ``choice`` plug-in is refused with a
        :class:`marketloop.MarketloopError` (simulate it instead).
        """
        _refuse_choice(choice, "equilibrium")
        d = json.loads(
            self._core().equilibrium(
                float(tolerance), whole(max_iterations, "max_iterations"), _out(out), bool(resume)
            )
        )
        d["shares"] = np.asarray(d["shares"], dtype=float)
        if d.get("nash_exponents") is not None:
            d["nash_exponents"] = np.asarray(d["nash_exponents"], dtype=float)
        return Equilibrium(**d)

    def simulate(
        self,
        *,
        steps: int,
        runs: int = 1,
        seed: int = 0,
        every: int = 1000,
        shares: bool = False,
        threads: Optional[int] = None,
        out: Union[None, str, Path] = None,
        resume: bool = False,
        ranking: Any = None,
        observers: Any = None,
        progress: Any = True,
        choice: Any = None,
    ) -> pd.DataFrame:
        """``runs`` replicates of ``steps`` users each, a measurement every ``every`` steps and
        after the last one.

        ``ranking`` (a :class:`marketloop.RankingPolicy`) replaces the market's ranking by your
        own, and ``observers`` (:class:`marketloop.Observer` objects, or a dict name ->
        function of the view returning one number) add measurement columns after the built-in
        ones, and ``choice`` (a :class:`marketloop.ChoiceRule`) replaces the multinomial logit
        by which users pick the item to try. Runs with such plug-ins hold the GIL and run their
        replicates one after the other (``threads`` is then ignored); ``out``, ``resume`` and
        progress work as for built-ins, and the observers' columns are in the run folder's
        ``trajectories`` table too.

        Returns one row per run x measurement: ``run, step, efficiency, entropy`` (and
        ``share_0 .. share_{n-1}`` with ``shares=True``) — the numbers of
        ``marketloop market simulate --steps S --runs R --seed SEED --every K``. The GIL is
        released; ``threads`` sets the worker count (default: every core), which never changes
        the results. With ``out``, also writes the run folder of ``marketloop market simulate
        --out OUT`` (the same files, byte for byte); ``resume=True`` continues an interrupted one.
        A progress bar over the runs: tqdm when installed (``pip install
        marketloop[progress]``), silent otherwise; ``progress=False`` turns it off, a callable
        ``progress(done, total)`` receives the reports. The numbers never depend on it.
        """
        if ranking is not None or observers is not None or choice is not None:
            with progress_callback(progress, "simulate") as report:
                return to_frame(
                    _core.simulate_plugins(
                        self._core(),
                        whole(steps, "steps"),
                        whole(every, "every"),
                        bool(shares),
                        whole(seed, "seed"),
                        whole(runs, "runs"),
                        ranking_args(ranking),
                        observer_args(observers),
                        choice_args(choice),
                        _out(out),
                        bool(resume),
                        report,
                    )
                )
        with progress_callback(progress, "simulate") as report:
            return to_frame(
                self._core().simulate(
                    whole(steps, "steps"),
                    whole(runs, "runs", 1),
                    whole(seed, "seed"),
                    whole(every, "every", 1),
                    bool(shares),
                    threads_arg(threads),
                    _out(out),
                    bool(resume),
                    report,
                )
            )

    def start(
        self,
        *,
        steps: int,
        seed: int = 0,
        replicate: int = 0,
        every: int = 1000,
        shares: bool = False,
        ranking: Any = None,
        observers: Any = None,
        choice: Any = None,
    ) -> "MarketRun":
        """Starts replicate ``replicate`` of ``simulate(steps=steps, seed=seed, every=every,
        ...)`` to be stepped from Python (Gymnasium-style): ``run.step(n)``, ``run.state()``,
        ``run.measurements()``. Stepped to ``steps`` in any pieces, its measurements are exactly
        the rows of run ``replicate`` of ``simulate`` with the same arguments. ``ranking``,
        ``observers`` and ``choice`` as in :meth:`simulate`."""
        return MarketRun(
            _core.PyMarketRun(
                self._core(),
                whole(steps, "steps"),
                whole(every, "every"),
                bool(shares),
                whole(seed, "seed"),
                whole(replicate, "replicate"),
                ranking_args(ranking),
                observer_args(observers),
                choice_args(choice),
            )
        )

    def dynamics(
        self,
        *,
        iterations: int,
        shares: bool = False,
        out: Union[None, str, Path] = None,
        resume: bool = False,
        choice: Any = None,
    ) -> pd.DataFrame:
        """The deterministic dynamic (eq. 6) from the initial shares: one row per iteration
        t = 0..iterations with ``efficiency``, ``entropy`` and, where they apply, ``psi``
        (homogeneous markets) and ``gamma`` (q_ij = q_j; from t = 1), plus ``share_j`` columns
        with ``shares=True``. Missing values (an objective before it applies) are NaN. With
        ``out``, also writes the run folder of ``marketloop market dynamics --out OUT``. The
        dynamic is the multinomial logit's: a ``choice`` plug-in is refused."""
        _refuse_choice(choice, "dynamics")
        long = to_frame(
            self._core().dynamics(
                whole(iterations, "iterations"), bool(shares), _out(out), bool(resume)
            )
        )
        order = list(dict.fromkeys(long["measure"]))
        wide = long.pivot(index="iteration", columns="measure", values="value")[order]
        wide.columns.name = None
        return wide.reset_index()

    def to_dict(self) -> Dict[str, Any]:
        """The spec as plain data (the fields of the market TOML)."""
        return json.loads(json.dumps(self.spec))

    def __getstate__(self) -> Dict[str, Any]:
        return {"spec": self.spec, "source": self._source}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.spec = state["spec"]
        self._source = state.get("source")
        self._handle = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Market) and other.spec == self.spec

    def __repr__(self) -> str:
        try:
            return f"Market(items={self.items}, types={self.types}, fields={sorted(self.spec)})"
        except Exception:  # pragma: no cover - repr must not raise
            return f"Market(fields={sorted(self.spec)})"


class MarketRun:
    """One started replicate of a market (:meth:`Market.start`)."""

    def __init__(self, handle: Any) -> None:
        self._run = handle

    def step(self, n: int = 1) -> int:
        """Advances up to ``n`` users (never past ``steps``); returns how many arrived."""
        return self._run.step(whole(n, "n"))

    def state(self) -> Dict[str, Any]:
        """The state now: ``step``, ``horizon``, ``counts``, ``shares``, ``trials``,
        ``purchases``, ``idle``, ``efficiency``, ``entropy``."""
        return self._run.state()

    @property
    def finished(self) -> bool:
        """Whether all ``steps`` users have arrived."""
        s = self._run.state()
        return s["step"] >= s["horizon"]

    def measurements(self) -> pd.DataFrame:
        """The measurements so far: ``Market.simulate``'s columns, then the observers'."""
        return to_frame(self._run.measurements())
