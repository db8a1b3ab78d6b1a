"""The one check of every integer keyword (``runs``, ``steps``, ``seed``, ``every``,
``threads``, ``replicate``, ``n``, ...) before it reaches the engine.

The engine takes unsigned 64-bit integers; a Python int can be any size, and a bool, float or
string is no count at all. Every entry point routes its integer keywords through
:func:`whole` (or :func:`threads`), so a bad value raises :class:`marketloop.MarketloopError`
(a ``ValueError``, with the keyword as ``.field``) naming the keyword, the value and the
allowed range, never a bare
``OverflowError`` or ``TypeError`` from the binding.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ._core import MarketloopError

__all__ = ["U64_MAX", "whole", "threads"]

U64_MAX = 2**64 - 1
"""The largest integer the engine takes."""


def whole(value: Any, name: str, least: int = 0, most: int = U64_MAX) -> int:
    """``value`` as an int, or MarketloopError naming ``name`` unless it is a whole number
    (a Python or NumPy integer, not a bool) in ``[least, most]``."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, np.integer))
        or not least <= value <= most
    ):
        bound = "2^64 - 1" if most == U64_MAX else str(most)
        err = MarketloopError(f"{name} = {value!r} must be a whole number in [{least}, {bound}]")
        err.field = name  # as the engine's errors carry it
        raise err
    return int(value)


def threads(value: Any) -> Optional[int]:
    """The ``threads`` keyword: None (every core) or a whole number >= 1."""
    return None if value is None else whole(value, "threads", least=1)
