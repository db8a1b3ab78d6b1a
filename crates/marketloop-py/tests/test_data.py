"""marketloop.data: the MovieLens preference pipeline from Python equals `marketloop data
preferences` (same seed, same matrices, bit for bit), on a small synthetic ml-100k folder."""

import numpy as np
import pytest

import marketloop
from marketloop.data import movielens_preferences


@pytest.fixture()
def ml100k(tmp_path):
    d = tmp_path / "ml-100k"
    d.mkdir()
    lines = []
    for u in range(45):
        for k in range(12):
            i = (u * 7 + k) % 30
            likes = i % 3 == u % 3
            r = 4 + (u + i) % 2 if likes else 1 + (u + i) % 3
            lines.append(f"{u + 1}\t{i + 1}\t{r}\t{880000000 + u * 100 + k}")
    (d / "u.data").write_text("\n".join(lines) + "\n")
    return d


def test_preferences_equal_the_cli(ml100k, tmp_path, cli):
    p = movielens_preferences(groups=3, seed=7, data=ml100k, factors=8, epochs=5, restarts=2)
    assert p.visibility.shape == (3, 30) and p.quality.shape == (3, 30)
    assert abs(p.weights.sum() - 1.0) < 1e-12
    assert sorted(u for g in p.groups for u in g) == list(range(45))
    out = tmp_path / "prefs"
    cli("data", "preferences", "--groups", 3, "--seed", 7, "--data", ml100k, "--factors", 8,
        "--epochs", 5, "--restarts", 2, "--out", out)
    np.testing.assert_array_equal(np.load(out / "visibility.npy"), p.visibility)
    np.testing.assert_array_equal(np.load(out / "quality.npy"), p.quality)
    np.testing.assert_array_equal(np.load(out / "weights.npy").ravel(), p.weights)
    # ... and they make a market
    eq = p.market(feedback=0.5, initial_counts=1).equilibrium()
    assert eq.converged and abs(eq.shares.sum() - 1.0) < 1e-9


def test_bad_arguments_name_the_field(ml100k):
    with pytest.raises(marketloop.MarketloopError, match="groups"):
        movielens_preferences(groups=0, data=ml100k)
    with pytest.raises(ValueError, match="variant"):
        movielens_preferences(groups=2, variant="some", data=ml100k)
    with pytest.raises(marketloop.MarketloopError, match="u.data"):
        movielens_preferences(groups=2, data=ml100k.parent / "nowhere")
