"""Plug-ins: your own bandit algorithms, rankings and measurements, on the engine's own path.

A plug-in takes exactly the path a built-in takes: the engine builds one copy per firm and run
(``copy.deepcopy`` of the object you pass, then ``reset(k)``), calls ``select(rng)`` and
``update(arm, reward)`` where it calls a built-in's, and hands ``select`` the firm's own random
stream as a :class:`Rng` — so a plug-in is as reproducible as a built-in: the same seed gives
the same numbers, for any thread count and after a resume.

**The GIL.** Runs with Python plug-ins hold the GIL and run their replicates (and sweep cells)
one after the other on one worker thread; runs of built-ins only keep releasing the GIL and
using every core. With ``backend="ray"`` sweeps, plug-ins travel pickled to the workers, so
they must pickle (define them at module level, in a module the workers can import, or register
it with ``cloudpickle.register_pickle_by_value``). The plug-ins run on a worker thread, so Ctrl-C
takes effect when the run returns.

**Errors.** A plug-in that raises, returns anything but an arm index in ``0..k`` (a float, NaN,
a bool, a list, an index out of range) or cannot be copied stops the run with
:class:`MarketloopError` naming the plug-in, its firm, its step and the replicate; the
exception it raised is the error's ``__cause__``. Replicates finished before it stay saved in
the run folder (``out=``), and ``resume=True`` continues once the plug-in is fixed.
"""

from __future__ import annotations

from typing import Any

from ._core import Rng

__all__ = [
    "BanditAlgorithm",
    "Observer",
    "RankingPolicy",
    "Rng",
    "is_bandit_plugin",
    "observer_args",
    "plugin_name",
    "ranking_args",
]


class BanditAlgorithm:
    """Base class of a user's bandit algorithm (``k`` arms).

    :meth:`update` receives the reward as a float: exactly ``0.0`` or ``1.0`` under Bernoulli
    rewards (the default), ``mu_a + sigma * z`` under ``rewards={"gaussian": {"sigma": s}}``.
    A plug-in is accepted under every reward model: making sense of the rewards it gets is
    yours (a Beta-Bernoulli plug-in under Gaussian rewards runs, but means nothing).

    Override :meth:`select` and :meth:`update` (and :meth:`reset` to set up your state; call
    ``super().reset(k)`` so ``self.k`` is set). Parameters go in ``__init__``; the object you
    pass to ``Competition(algorithms=[...])`` is a template copied for every firm and run, so
    it is never mutated. ``name`` (default: the class name) labels the firm in tables.

    Example::

        class EpsGreedy(ml.BanditAlgorithm):
            def __init__(self, eps=0.1):
                self.eps = eps
            def reset(self, k):
                super().reset(k)
                self.n, self.s = [0] * k, [0] * k
            def select(self, rng):
                if rng.random() < self.eps:
                    return rng.integers(self.k)
                return max(range(self.k), key=lambda a: self.s[a] / self.n[a] if self.n[a] else 1.0)
            def update(self, arm, reward):
                self.n[arm] += 1
                self.s[arm] += reward
    """

    #: The label in tables and reports (default: the class name).
    name: Any = None
    #: Number of arms (set by :meth:`reset`).
    k: int = 0

    def reset(self, k: int) -> None:
        """Start afresh on ``k`` arms: called on each firm's own copy before its first round
        (and again when a scenario wipes the firm's data)."""
        self.k = k

    def select(self, rng: Rng) -> int:
        """The arm to pull now, an int in ``range(self.k)``. Draw randomness only from ``rng``
        (the firm's own stream; ``rng.numpy()`` gives a numpy Generator seeded from it). Learn
        nothing here: the reward arrives in :meth:`update`."""
        raise NotImplementedError(f"{type(self).__name__}.select(rng) is not written")

    def update(self, arm: int, reward: float) -> None:
        """Learn the reward of the arm just pulled: a float, 0.0 or 1.0 under Bernoulli
        rewards, any real number under Gaussian rewards."""

    def __repr__(self) -> str:
        return f"<bandit algorithm {plugin_name(self)}>"


def is_bandit_plugin(obj: Any) -> bool:
    """Whether ``obj`` is a bandit algorithm object (a :class:`BanditAlgorithm`, or anything
    with ``reset``, ``select`` and ``update`` methods) rather than a built-in's name."""
    if isinstance(obj, BanditAlgorithm):
        return True
    return not isinstance(obj, (str, bytes, dict, list, tuple)) and all(
        callable(getattr(obj, m, None)) for m in ("reset", "select", "update")
    )


def plugin_name(obj: Any) -> str:
    """The label of a plug-in: its ``name``, else its class name."""
    name = getattr(obj, "name", None)
    return str(name) if name else type(obj).__name__


class RankingPolicy:
    """Base class of a user's ranking in the trial-offer market (``Market.simulate(ranking=..)``
    and ``Market.start(ranking=..)``).

    Override :meth:`rank` (and :meth:`reset` to set up state, :meth:`observe` to learn from
    outcomes). Each replicate gets its own copy (``copy.deepcopy``). ``rank`` is handed the
    ranking's own random stream, seeded each replicate by one draw from the replicate's
    ``Ranking`` stream (the one built-in rankings draw from), so runs are reproducible.
    ``position_bias`` (weights per position, best first) sets the number of positions P and the
    attention each gets; by default the market's ranking's (``ranking={"strategy": ...,
    "position_bias": ...}``).
    """

    #: The label in error messages (default: the class name).
    name: Any = None
    #: Attention weights of positions 1, 2, ... (None: the market's ranking's).
    position_bias: Any = None

    def reset(self, n_items: int, positions: int) -> None:
        """Start a replicate: ``n_items`` items, ``positions`` = min(P, n) shown."""
        self.n_items, self.positions = n_items, positions

    def rank(self, user_type: int, counts: Any, step: int, rng: Rng) -> Any:
        """The items at positions 1..``positions`` (distinct indices in ``range(n_items)``) for
        the arriving user of type ``user_type`` at ``step`` (0-based), given the purchase
        counts so far (a numpy int64 array, initial counts included)."""
        raise NotImplementedError(f"{type(self).__name__}.rank(...) is not written")

    def observe(self, user_type: int, tried: Any, bought: bool, step: int) -> None:
        """The outcome of ``step``: the item tried (None if none) and whether it was bought.
        Called every step only when a subclass overrides it."""


class Observer:
    """A measurement every ``every`` steps (and after the last): ``names`` and
    ``__call__(view) -> values`` (one float per name). ``view`` is a dict: ``step``,
    ``replicate``, ``counts`` and ``trials`` (numpy int64 arrays), ``purchases``,
    ``efficiency``, ``entropy``. Its columns follow the built-in ones in ``Market.simulate``'s
    table. ``Observer(["top"], lambda v: [v["counts"].max() / v["counts"].sum()])`` makes one
    from a function; so does a dict ``{"top": lambda v: ...}`` given as ``observers``.

    The same class observes competition games (``Competition.run(trajectories=True,
    observers=...)``): there ``view`` holds ``round``, ``horizon``, ``replicate``, the per-firm
    lists ``shares``, ``reputation``, ``chosen``, ``served``, ``firm_regret``, the market's
    ``regret`` and the instance's ``means``. Each run (game) gets its own deep copy, so an
    observer may keep state over its run."""

    names: Any = ()

    def __init__(self, names: Any = None, fn: Any = None) -> None:
        if names is not None:
            self.names = [names] if isinstance(names, str) else list(names)
        self.fn = fn

    def __call__(self, view: Any) -> Any:
        if self.fn is None:
            raise NotImplementedError(f"{type(self).__name__}.__call__(view) is not written")
        return self.fn(view)


def ranking_args(ranking: Any) -> Any:
    """A ranking plug-in as the engine takes it: (object, name, observes?, position bias)."""
    if ranking is None:
        return None
    if not callable(getattr(ranking, "rank", None)) or not callable(getattr(ranking, "reset", None)):
        raise TypeError(
            f"ranking must be a marketloop.RankingPolicy (reset and rank methods), got {ranking!r}"
        )
    observe = getattr(type(ranking), "observe", None)
    observes = callable(observe) and observe is not RankingPolicy.observe
    bias = getattr(ranking, "position_bias", None)
    return (ranking, plugin_name(ranking), observes, None if bias is None else [float(w) for w in bias])


def observer_args(observers: Any) -> Any:
    """Observers as the engine takes them: [(names, callable, label)]."""
    if observers is None:
        return []
    if isinstance(observers, dict):
        return [([str(k)], (lambda f: (lambda v: [f(v)]))(f), str(k)) for k, f in observers.items()]
    out = []
    for o in observers:
        names = [str(n) for n in getattr(o, "names", ())]
        if not names or not callable(o):
            raise TypeError(f"an observer needs names and must be callable, got {o!r}")
        out.append((names, o, plugin_name(o)))
    return out
