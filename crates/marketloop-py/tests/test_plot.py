"""The optional matplotlib helpers draw what the data say."""

import numpy as np
import pytest

import marketloop as ml

plt = pytest.importorskip("matplotlib.pyplot")
import marketloop.plot as mlplot  # noqa: E402


def market():
    return ml.Market(weights=[1.0], visibility=np.array([[1.0, 0.6, 0.3]]),
                     quality=np.array([[0.9, 0.5, 0.4]]), r=0.5, initial_counts=1)


def test_efficiency_and_trajectory_draw_the_medians():
    df = market().simulate(steps=2000, runs=3, seed=1, every=500, shares=True)
    ax = mlplot.efficiency(df)
    line = ax.get_lines()[0]
    want = df.groupby("step").efficiency.median()
    assert np.allclose(line.get_ydata(), want.to_numpy())
    ax = mlplot.trajectory(df)
    assert len(ax.get_lines()) == 2  # the path and its start marker
    ax = mlplot.shares(df)
    assert len(ax.patches) == 3
    plt.close("all")
    with pytest.raises(KeyError, match="no 'step' column"):
        mlplot.efficiency(df.drop(columns="step"))
