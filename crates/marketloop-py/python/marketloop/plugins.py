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
    "ChoiceRule",
    "Observer",
    "RankingPolicy",
    "ResponseFunction",
    "Rng",
    "choice_args",
    "is_bandit_plugin",
    "is_ranking_plugin",
    "is_response_plugin",
    "observer_args",
    "plugin_name",
    "ranking_args",
    "response_plugin",
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

    def select_many(self, n: int, rng: Rng) -> Any:
        """The next ``n`` arms at once (a sequence of ``n`` ints in ``range(self.k)``), under
        ``Competition(..., batch=n)``: the batched-bandit protocol (Perchet et al. 2016),
        decisions in batches and feedback at the batch end. The rewards of these arms arrive
        together in :meth:`update_many` once the last of them has been served. The default calls
        :meth:`select` ``n`` times; override it where one call per arm costs too much (e.g. draw
        the whole batch with numpy from ``rng.numpy()``)."""
        return [self.select(rng) for _ in range(n)]

    def update_many(self, arms: Any, rewards: Any) -> None:
        """Learn the rewards of a whole batch (lists of ``n`` arms and ``n`` float rewards,
        ``0.0``/``1.0`` under Bernoulli rewards, in the
        order they were served). The default calls :meth:`update` for each."""
        for arm, reward in zip(arms, rewards):
            self.update(arm, reward)

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


class ResponseFunction:
    """Base class of a user's response function in a competition: how an arriving user picks a
    firm (``Competition(response=...)``; the built-ins are ``"hardmax"``, ``"hardmax-random"``,
    ``"softmax"``, ...).

    Override :meth:`choose`. Each game gets its own copy (``copy.deepcopy``), so state kept on
    ``self`` lives for one game. A plain function ``f(reputations, recent, rng)`` works as well
    (``Competition(response=f)``). ``name`` (default: the class or function name) labels it in
    reports and errors.

    Set ``exact = True`` on the class to receive each reputation as its exact ``(sum, n)``
    window (rewards summed over the last ``n`` users; ``(0, 0)`` before the first) instead of
    the float ``sum / n``: the exact ratios the built-in HardMax compares.

    Example (HardMax with fair ties, drawing its tie-breaks as the built-in draws them)::

        class MyHardMax(ml.ResponseFunction):
            def choose(self, reputations, recent, rng):
                top = max(reputations)
                tied = [i for i, r in enumerate(reputations) if r == top]
                if len(tied) == 1:
                    return tied[0]
                if len(reputations) == 2:
                    return int(rng.random() >= 0.5)
                return tied[rng.integers(len(tied))]
    """

    #: The label in reports and error messages (default: the class name).
    name: Any = None
    #: Hand reputations as exact ``(sum, n)`` pairs instead of floats.
    exact: bool = False

    def choose(self, reputations: Any, recent: Any, rng: Rng) -> int:
        """The firm the arriving user picks: an int in ``range(len(reputations))``. Called in
        every game round with two or more firms. ``reputations``: each firm's reputation (a
        list of floats in [0, 1], or ``(sum, n)`` pairs with ``exact = True``); ``recent``: the
        arm each firm recommended to its most recent game user (None before its first); ``rng``:
        the run's response stream (the one built-in response functions draw from), so the
        function is as reproducible as a built-in."""
        raise NotImplementedError(f"{type(self).__name__}.choose(...) is not written")

    def __repr__(self) -> str:
        return f"<response function {plugin_name(self)}>"


class _FunctionResponse(ResponseFunction):
    """A plain function ``f(reputations, recent, rng)`` as a response function (pickles when
    ``f`` does)."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.name = getattr(fn, "__name__", None) or type(fn).__name__

    def choose(self, reputations: Any, recent: Any, rng: Rng) -> int:
        return self.fn(reputations, recent, rng)


def is_response_plugin(obj: Any) -> bool:
    """Whether ``obj`` is a response function object (a :class:`ResponseFunction`, anything
    with a ``choose`` method, or a plain function) rather than a built-in's name."""
    if isinstance(obj, ResponseFunction):
        return True
    if isinstance(obj, (str, bytes, dict, list, tuple)) or obj is None:
        return False
    return callable(getattr(obj, "choose", None)) or callable(obj)


def response_plugin(obj: Any) -> Any:
    """A response plug-in as the engine takes it: ``(name, object with choose)``."""
    if not isinstance(obj, ResponseFunction) and not callable(getattr(obj, "choose", None)):
        obj = _FunctionResponse(obj)
    return (plugin_name(obj), obj)


class RankingPolicy:
    """Base class of a user's ranking in the trial-offer market (``Market.simulate(ranking=..)``
    and ``Market.start(ranking=..)``) and on an arena platform
    (``Arena(platforms=[{"ranking": MyRanking(), ...}])``).

    Override :meth:`rank` (and :meth:`reset` to set up state, :meth:`observe` to learn from
    outcomes). Each replicate (and each arena platform) gets its own copy (``copy.deepcopy``).
    ``rank`` is handed the ranking's own random stream, seeded each replicate by one draw from
    the replicate's ``Ranking`` stream (in an arena, the platform's: the one built-in rankings
    draw from), so runs are reproducible. ``position_bias`` (weights per position, best first)
    sets the number of positions P and the attention each gets; by default the market's
    ranking's (``ranking={"strategy": ..., "position_bias": ...}``). In an arena the position
    bias is the arena's (``Arena(position_bias=...)``), the same for every platform.
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
        counts so far (a numpy int64 array, initial counts included). On an arena platform,
        ``counts`` and ``step`` are the platform's own (its users so far, warm-start users
        included), and a pooled platform (``personalised=False``) is handed type 0 for
        everybody."""
        raise NotImplementedError(f"{type(self).__name__}.rank(...) is not written")

    def observe(self, user_type: int, tried: Any, bought: bool, step: int) -> None:
        """The outcome of ``step``: the item tried (None if none) and whether it was bought.
        Called every step only when a subclass overrides it."""


class ChoiceRule:
    """Base class of a user's choice rule in the trial-offer market: how an arriving user picks
    the item to try (``Market.simulate(choice=...)``, ``Market.start(choice=...)``). The built-in
    is the multinomial logit of eq. (1): item j at position p with weight v_ij iota_p d_j^r_i.

    Override :meth:`weights` (and :meth:`reset`, calling ``super().reset(...)``, to set up
    state). Each replicate gets its own copy (``copy.deepcopy``) of the object you pass.

    **What the engine asks.** For every arriving user, ``weights(user_type, items, attention,
    counts, step)`` returns the *trial weights* of the shown items, one per item in the order
    of ``items`` (any non-negative scale; probabilities are weights too), optionally with the
    weight of trying nothing: ``return w`` or ``return w, w_none``. The user tries the item at
    position p with probability ``w[p] / (w_none + sum(w))`` and nothing with probability
    ``w_none / (w_none + sum(w))``; all-zero weights mean she tries nothing. To give
    probabilities with the no-trial remainder, return ``p, max(0.0, 1 - sum(p))``.

    **How it samples.** The engine draws the trial itself, from the weights, with the
    replicate's own ``Choice`` stream: one uniform u per user (drawn even when she tries
    nothing, so the other streams and steps stay aligned across experiment arms), then the
    first position whose weight exceeds what is left of ``u * total``, scanning in position
    order — exactly the built-in logit's scan over a ranked slate. So a rule answering the
    logit's own weights (``attention * counts[items] ** r``, with the built-in's powers) is
    the built-in logit under any ranking, bit for bit. Under the market's fixed visibility the
    built-in keeps an incremental sum tree instead (O(log n) per user), whose partial sums round
    differently: the same distribution, not the same bits.

    **Errors.** Weights that are not a sequence of the right length, negative, NaN or
    infinite, a negative or non-finite ``w_none``, weights summing to infinity, or a rule that
    raises stop the run with :class:`MarketloopError` naming the rule, the step and the
    replicate (the exception as its ``__cause__``).

    :meth:`Market.equilibrium` and :meth:`Market.dynamics` are the logit's analysis and refuse
    a choice rule.

    Example (a position-only click model: attention alone, popularity ignored)::

        class AttentionOnly(ml.ChoiceRule):
            def weights(self, user_type, items, attention, counts, step):
                return attention
    """

    #: The label in error messages (default: the class name).
    name: Any = None

    def reset(self, visibility: Any, position_factors: Any, feedback: Any) -> None:
        """Start a replicate: ``visibility`` (the market's m x n matrix v, a numpy array),
        ``position_factors`` (the ranking's attention weights iota_1, iota_2, ... as a numpy
        array, or None under the market's fixed visibility) and ``feedback`` (the exponents
        r_i, one per user type). Stored as attributes of the same names."""
        self.visibility = visibility
        self.position_factors = position_factors
        self.feedback = feedback

    def weights(self, user_type: int, items: Any, attention: Any, counts: Any, step: int) -> Any:
        """The trial weights of the shown ``items`` (a numpy int64 array: under a ranking the
        slate, best position first; under fixed visibility the items with v_ij > 0, in index
        order) for the arriving user of type ``user_type`` at ``step`` (0-based), given the
        attention each item gets (``attention[p]`` = v_ij iota_p under a ranking, v_ij under
        fixed visibility) and the purchase counts so far (numpy int64, initial counts included).
        Returns ``w`` or ``(w, w_none)`` (see the class)."""
        raise NotImplementedError(f"{type(self).__name__}.weights(...) is not written")

    def __repr__(self) -> str:
        return f"<choice rule {plugin_name(self)}>"


def choice_args(choice: Any) -> Any:
    """A choice rule plug-in as the engine takes it: (object, name)."""
    if choice is None:
        return None
    if not callable(getattr(choice, "weights", None)) or not callable(getattr(choice, "reset", None)):
        raise TypeError(
            f"choice must be a marketloop.ChoiceRule (reset and weights methods), got {choice!r}"
        )
    return (choice, plugin_name(choice))


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


def is_ranking_plugin(obj: Any) -> bool:
    """Whether ``obj`` is a ranking object (a :class:`RankingPolicy`, or anything with
    ``reset`` and ``rank`` methods) rather than a built-in's name."""
    if isinstance(obj, RankingPolicy):
        return True
    return not isinstance(obj, (str, bytes, dict, list, tuple)) and all(
        callable(getattr(obj, m, None)) for m in ("reset", "rank")
    )


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
