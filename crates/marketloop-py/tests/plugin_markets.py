"""Market plug-ins used by the tests (a module of its own, so Ray workers can receive them
pickled by value)."""

import numpy as np

import marketloop as ml


class QualityOrder(ml.RankingPolicy):
    """The built-in quality ranking in Python: per type, items by descending q_ij, ties by the
    lower index, the first P shown."""

    def __init__(self, quality):
        self.quality = np.asarray(quality)

    def rank(self, user_type, counts, step, rng):
        order = sorted(range(self.n_items), key=lambda j: (-self.quality[user_type][j], j))
        return order[: self.positions]


class AttentionOnly(ml.ChoiceRule):
    """A position-only click model: a shown item's trial weight is its attention alone."""

    def weights(self, user_type, items, attention, counts, step):
        return attention


#: While true, :func:`flaky` raises in replicate 2.
BROKEN = {"on": False}


def flaky(view):
    """Purchases so far, but raises in replicate 2 while ``BROKEN["on"]``."""
    if BROKEN["on"] and view["replicate"] == 2:
        raise RuntimeError("broken on purpose")
    return float(view["purchases"])


def bought(view):
    """Purchases so far (an observer)."""
    return float(view["purchases"])
