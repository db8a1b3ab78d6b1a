"""MovieLens-100K from Python: the same steps as ``marketloop data fetch`` / ``data preferences``.

:func:`fetch_movielens` downloads the GroupLens ratings into a cache (GroupLens first, else the
``recbole==1.2.1`` wheel on PyPI, which carries them unchanged) and verifies their SHA-256.
:func:`movielens_preferences` completes the rating matrix (biased SVD), clusters users into M
types (k-means++) and returns the weights, visibility and quality of a trial-offer market, ready
for :meth:`Preferences.market`. MovieLens-100K is (c) GroupLens Research (Harper & Konstan,
ACM TiiS 2015), for research use under its terms; it is never bundled with marketloop.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import numpy as np

from . import _core
from ._args import whole
from .market import Market

__all__ = ["Preferences", "fetch_movielens", "movielens_preferences"]

PathLike = Union[str, "os.PathLike[str]"]


def fetch_movielens(
    *, cache: Optional[PathLike] = None, source: str = "auto", connect_timeout: int = 10
) -> Path:
    """Fetches MovieLens-100K (if not cached yet) and returns its ``ml-100k`` folder.

    ``cache``: the cache folder (default ``$MARKETLOOP_CACHE``, else the user cache);
    ``source``: ``"auto"`` (GroupLens, then PyPI), ``"grouplens"`` or ``"pypi"``.
    """
    info = json.loads(
        _core.fetch_movielens(
            None if cache is None else os.fspath(cache), source, whole(connect_timeout, "connect_timeout")
        )
    )
    return Path(info["dir"])


@dataclasses.dataclass(frozen=True)
class Preferences:
    """A market's preferences built from MovieLens-100K (eq. 18 and 19 of the paper)."""

    weights: np.ndarray
    """w_i = |group i| / users, shape (m,)."""
    visibility: np.ndarray
    """vhat_ij, mean observed preference of group i for item j, shape (m, n)."""
    quality: np.ndarray
    """q_ij, mean estimated preference over the group's unobserved entries, shape (m, n)."""
    groups: List[List[int]]
    """Members (0-based user indices) of each group."""
    diagnostics: Dict[str, Any]
    """Held-out and training RMSE, k-means inertia, filled and masked cells, data checksum,
    seed and the resolved settings."""

    def market(self, **kwargs: Any) -> Market:
        """A :class:`Market` with these preferences; keyword arguments as for ``Market``
        (``feedback``, ``initial_counts``, ``ranking``)."""
        return Market(
            visibility=self.visibility, quality=self.quality, weights=self.weights, **kwargs
        )


def movielens_preferences(
    *,
    groups: int = 100,
    variant: str = "all",
    fill: str = "all-users",
    seed: int = 0,
    data: Optional[PathLike] = None,
    cache: Optional[PathLike] = None,
    restarts: int = 4,
    test_fraction: float = 0.2,
    factors: int = 100,
    epochs: int = 20,
) -> Preferences:
    """Builds M user types from MovieLens-100K, as ``marketloop data preferences`` does.

    ``variant``: ``"all"`` items or ``"unseen"`` only (Appendix E); ``fill``: ``"all-users"``,
    ``"zero"`` or ``"error"`` where a group has no entry of the needed kind; ``data``: a local
    ``ml-100k`` folder, else the data is fetched into ``cache``. Same seed, same matrices as the
    CLI.
    """
    config = json.loads(_core.preferences_defaults())
    config.update(
        groups=whole(groups, "groups"),
        variant=variant,
        fill=fill,
        kmeans_restarts=whole(restarts, "restarts"),
        test_fraction=float(test_fraction),
    )
    config["svd"].update(n_factors=whole(factors, "factors"), n_epochs=whole(epochs, "epochs"))
    meta, w, v, q = _core.movielens_preferences(
        json.dumps(config),
        whole(seed, "seed"),
        None if data is None else os.fspath(data),
        None if cache is None else os.fspath(cache),
    )
    info = json.loads(meta)
    m, n = info["types"], info["items"]
    return Preferences(
        weights=np.frombuffer(w, dtype="<f8").copy(),
        visibility=np.frombuffer(v, dtype="<f8").reshape(m, n).copy(),
        quality=np.frombuffer(q, dtype="<f8").reshape(m, n).copy(),
        groups=info.pop("groups"),
        diagnostics=info,
    )
