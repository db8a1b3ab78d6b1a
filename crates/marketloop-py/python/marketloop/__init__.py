"""marketloop: fast, reproducible simulations of feedback loops in attention markets.

The engine is Rust (``marketloop._core``); this package gives it a Python face:

- :class:`Market` — a trial-offer cultural market: equilibrium (TOME) and objectives,
  replicated stochastic simulations, the deterministic dynamic.
- :class:`Competition` — platforms running bandit algorithms, competing for users.
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

from . import data, reproduce
from . import plot
from ._core import GENERATOR, KINDS, MarketloopError, __version__
from .competition import Competition
from .market import Equilibrium, Market
from .sweep import sweep, sweep_cells

# Errors raised by the Rust layer carry the spec field they are about; others name none.
MarketloopError.field = None

__all__ = [
    "Competition",
    "Equilibrium",
    "GENERATOR",
    "KINDS",
    "Market",
    "data",
    "MarketloopError",
    "plot",
    "reproduce",
    "sweep",
    "sweep_cells",
    "__version__",
]
