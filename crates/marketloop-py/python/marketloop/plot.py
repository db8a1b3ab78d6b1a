"""Small plotting helpers for marketloop's long DataFrames (optional: needs matplotlib).

Each helper takes the DataFrame a marketloop function returned and draws on ``ax`` (a new
figure when omitted), returning the axes. Colour encodes the group (``by``: a strategy, a sweep
parameter), so figures from different calls stay comparable. matplotlib is imported only when a
helper is called; without it the helpers raise ImportError saying how to install it
(``pip install "marketloop[plot]"``).

>>> import marketloop as ml, marketloop.plot
>>> df = m.simulate(steps=20_000, runs=10, every=1000)          # doctest: +SKIP
>>> ml.plot.efficiency(df)                                       # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any, Optional

import pandas as pd

__all__ = ["efficiency", "entropy", "trajectory", "shares"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "marketloop.plot needs matplotlib: pip install matplotlib "
            '(or pip install "marketloop[plot]")'
        ) from e
    return plt


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    _, ax = _pyplot().subplots(figsize=(6.4, 4.0))
    return ax


def _groups(df: pd.DataFrame, by: Optional[str]):
    if by is None:
        return [(None, df)]
    if by not in df.columns:
        raise KeyError(f"by = {by!r} is not a column; columns: {list(df.columns)}")
    return list(df.groupby(by, sort=True))


def _over_time(df: pd.DataFrame, column: str, by: Optional[str], ax: Any, band: bool) -> Any:
    for need in ("step", column):
        if need not in df.columns:
            raise KeyError(f"the DataFrame has no {need!r} column (a simulate() result has one)")
    ax = _axes(ax)
    for i, (key, g) in enumerate(_groups(df, by)):
        q = g.groupby("step")[column].quantile([0.25, 0.5, 0.75]).unstack()
        label = "median" if key is None else f"{by} = {key}"
        line = ax.plot(q.index, q[0.5], label=label, color=f"C{i}")[0]
        if band:
            ax.fill_between(q.index, q[0.25], q[0.75], color=line.get_color(), alpha=0.18, lw=0)
    ax.set_xlabel("step (users arrived)")
    ax.set_ylabel(column)
    ax.legend(frameon=False)
    return ax


def efficiency(df: pd.DataFrame, by: Optional[str] = None, ax: Any = None, band: bool = True) -> Any:
    """Median efficiency over time with its 25-75% band, one line per value of ``by``."""
    return _over_time(df, "efficiency", by, ax, band)


def entropy(df: pd.DataFrame, by: Optional[str] = None, ax: Any = None, band: bool = True) -> Any:
    """Median entropy of the market shares over time with its 25-75% band."""
    return _over_time(df, "entropy", by, ax, band)


def trajectory(df: pd.DataFrame, by: Optional[str] = None, ax: Any = None) -> Any:
    """Median efficiency against median entropy, points joined in time order, an open circle at
    the first measurement and an arrow at the last (the direction of time)."""
    ax = _axes(ax)
    for i, (key, g) in enumerate(_groups(df, by)):
        m = g.groupby("step")[["entropy", "efficiency"]].median().sort_index()
        x, y = m["entropy"].to_numpy(), m["efficiency"].to_numpy()
        colour = f"C{i}"
        ax.plot(x, y, color=colour, label="median" if key is None else f"{by} = {key}")
        ax.plot(x[:1], y[:1], "o", mfc="none", color=colour)
        if len(x) > 1:
            ax.annotate("", xy=(x[-1], y[-1]), xytext=(x[-2], y[-2]),
                        arrowprops={"arrowstyle": "-|>", "color": colour})
    ax.set_xlabel("entropy of market shares (nats)")
    ax.set_ylabel("efficiency")
    ax.legend(frameon=False)
    return ax


def shares(df: pd.DataFrame, ax: Any = None) -> Any:
    """Mean market share per item at the last step of a ``simulate(shares=True)`` result."""
    cols = [c for c in df.columns if c.startswith("share_")]
    if not cols:
        raise KeyError("the DataFrame has no share_j columns: simulate with shares=True")
    ax = _axes(ax)
    last = df[df["step"] == df["step"].max()]
    mean = last[cols].mean()
    ax.bar(range(len(cols)), mean.to_numpy(), color="C0")
    ax.set_xlabel("item j")
    ax.set_ylabel("mean market share")
    return ax
