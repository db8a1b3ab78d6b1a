"""marketloop: fast, reproducible simulations of feedback loops in attention markets.

The engine is Rust (``marketloop._core``); this package gives it a Python face:

- :class:`Market` — a trial-offer cultural market: equilibrium (TOME) and objectives,
  replicated stochastic simulations, the deterministic dynamic.
- :class:`Competition` — platforms running bandit algorithms, competing for users.
- :class:`BayesianChoice` — the Bayesian-choice model of competing bandits (Section 4),
  simulated exactly: reward curves by Monte Carlo and the exact game.
- :class:`Arena` — platforms that rank a catalogue (learning it in the loop) compete for typed
  users (``run``, and ``start``/``step``).
- :func:`sweep` — the cartesian product of parameter values over a spec, on this machine or a
  Ray cluster, with per-cell seeds that do not depend on the backend.
- :mod:`marketloop.data` — MovieLens-100K: fetch, and user types (weights, visibility,
  quality) by matrix completion and k-means.
- :mod:`marketloop.plot` — optional matplotlib helpers (efficiency, entropy, trajectory).
- :mod:`marketloop.reproduce` — the papers' experiments (run folders with tables, figures and
  a report).

Every function takes keyword arguments mirroring the TOML specs of the command-line tool, gives
the same numbers as the CLI for the same spec and seed, and returns numpy arrays and pandas
DataFrames (long format: one row per run x measurement). Bad input raises
:class:`MarketloopError`, a subclass of :class:`ValueError`, with the CLI's message.
"""

from . import data, plot, reproduce
from .arena import Arena, ArenaRun
from ._core import GENERATOR, KINDS, MarketloopError, __version__
from .bayesian import BayesianChoice
from .competition import Competition, CompetitionGame, Trajectories
from .market import Equilibrium, Market, MarketRun
from .plugins import BanditAlgorithm, ChoiceRule, Observer, RankingPolicy, ResponseFunction, Rng
from .sweep import sweep, sweep_cells

# Errors raised by the Rust layer carry the spec field they are about; others name none.
MarketloopError.field = None

__all__ = [
    "Arena",
    "ArenaRun",
    "BanditAlgorithm",
    "ChoiceRule",
    "BayesianChoice",
    "Observer",
    "RankingPolicy",
    "ResponseFunction",
    "Rng",
    "Competition",
    "CompetitionGame",
    "Equilibrium",
    "GENERATOR",
    "KINDS",
    "Market",
    "MarketRun",
    "data",
    "MarketloopError",
    "plot",
    "reproduce",
    "sweep",
    "sweep_cells",
    "Trajectories",
    "__version__",
]
