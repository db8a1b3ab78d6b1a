"""Progress feedback for the long-running calls (``progress=`` keyword).

``progress=True`` (the default) shows a tqdm bar when tqdm is installed (``pip install
marketloop[progress]``) and stays silent otherwise; ``progress=False`` (or ``None``) turns it
off; a callable ``progress(done, total)`` receives the reports itself. The engine reports from
its worker threads at most every 0.2 s, with ``done`` never decreasing, and once more with
``(total, total)`` when the run finishes. A bar only appears for runs that report before they
finish (longer than about 0.2 s). Reports only count finished replicates or cells: the numbers
never depend on ``progress``. A run in phases (the reproductions) reports each phase from 0:
the bar starts again when a new phase begins.

Ctrl-C is watched for by the engine call itself, with or without a bar (see
``marketloop.MarketloopError`` and ``KeyboardInterrupt`` in the Python guide).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional

from . import _core

__all__ = ["progress_callback"]

Callback = Callable[[int, int], Any]


def _tqdm() -> Optional[Any]:
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


@contextmanager
def progress_callback(progress: Any, desc: str, unit: str = "run") -> Iterator[Optional[Callback]]:
    """The callable to hand to the engine for ``progress`` (None: no reports), closing the bar
    it may have opened when the block ends."""
    if progress is None or progress is False:
        yield None
        return
    if progress is not True:
        if not callable(progress):
            raise _core.MarketloopError(
                f"progress = {progress!r} must be True, False or a callable progress(done, total)"
            )
        yield progress
        return
    tqdm = _tqdm()
    if tqdm is None:
        yield None
        return
    bar: Optional[Any] = None

    def report(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            if done >= total:
                return  # finished before the first report: no bar for a quick call
            bar = tqdm(total=total, desc=desc, unit=unit)
        elif total != bar.total or done < bar.n:
            bar.reset(total=total)  # a new phase of a reproduction
        bar.update(done - bar.n)

    try:
        yield report
    finally:
        if bar is not None:
            bar.close()
