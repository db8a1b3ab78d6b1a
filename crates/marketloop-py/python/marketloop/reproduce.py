"""The papers' experiments from Python: the same runs as ``marketloop reproduce ...``.

Each function runs the library orchestration the CLI uses (same config, same seeds, same run
folder: CSV and Parquet tables, figures, ``report.html``, ``manifest.json``) and returns a
:class:`Reproduction` holding the folder, the summary and the tables as DataFrames.

``progress`` works as for :meth:`marketloop.Market.simulate` (a tqdm bar when tqdm is
installed, ``False`` for none, or a callable ``progress(done, total)``), except that a
reproduction runs in phases (the cultural market first builds its preferences, then
simulates): each phase counts its own units, so ``done`` starts again from 0 when a new phase
begins. Ctrl-C stops a reproduction: finished pieces stay saved in ``out`` and
``resume=True`` continues from them.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any, Dict, Iterable, Optional, Union

import pandas as pd

from . import _core
from ._args import whole
from ._frames import plain, read_csv_exact
from ._progress import progress_callback

__all__ = ["Reproduction", "cultural_market", "competing_bandits", "learning_in_the_loop"]

PathLike = Union[str, "os.PathLike[str]"]


@dataclasses.dataclass(frozen=True)
class Reproduction:
    """A finished reproduction: its run folder, summary and tables."""

    out: Path
    """The run folder (tables, figures, report.html, manifest.json)."""
    summary: Dict[str, Any]
    """What the library returned: resolved config, per-arm or per-table numbers, findings."""
    tables: Dict[str, pd.DataFrame]
    """Every CSV table of the run folder, by file stem."""

    @property
    def report(self) -> Path:
        """The self-contained HTML report."""
        return self.out / "report.html"


def _read_tables(out: Path) -> Dict[str, pd.DataFrame]:
    tables: Dict[str, pd.DataFrame] = {}
    for csv in sorted(out.rglob("*.csv")):
        if "replicates" in csv.relative_to(out).parts[:-1] or "cells" in csv.parts:
            continue
        stem = str(csv.relative_to(out).with_suffix("")).replace(os.sep, "/")
        tables[stem] = read_csv_exact(csv)
    return tables


def cultural_market(
    *,
    out: PathLike,
    scale: str = "quick",
    groups: Union[int, Iterable[int]] = (100,),
    variant: str = "all",
    inputs: str = "movielens",
    inputs_dir: Optional[PathLike] = None,
    resume: bool = False,
    progress: Any = True,
    **options: Any,
) -> Reproduction:
    """Figure 2 (and Appendix E) of Zhu, Cheung & Xie, as ``marketloop reproduce cultural-market``.

    Parameters
    ----------
    out : path
        The run folder (must not exist or be empty, unless ``resume``).
    scale : "quick" or "full"
        quick: 10 runs x 30,000 steps; full: the paper's 50 x 300,000.
    groups : int or list of int
        Heterogeneous settings M (the homogeneous market is always run too).
    variant : "all" or "unseen"
        All items (Figure 2) or only items a group has not all seen (Figure 5).
    inputs : "movielens" or "zhu2023"
        Preferences built from MovieLens-100K (fetched into the cache) or the authors' matrices
        in ``inputs_dir``.
    **options
        Any other field of the reproduction's config: ``runs``, ``steps``, ``every``, ``seed``
        (2023), ``feedback`` (0.5), ``initial_low``/``initial_high`` (2/3), ``ties``
        ("first-to-reach"), ``data`` (a local MovieLens folder), ``cache``, ``fill``, ``svd``,
        ``kmeans_restarts``, ``test_fraction``.
    """
    config: Dict[str, Any] = dict(
        scale=scale,
        groups=[groups] if isinstance(groups, int) else list(groups),
        variant=variant,
        inputs=inputs,
    )
    if inputs_dir is not None:
        config["inputs_dir"] = str(Path(inputs_dir).resolve())
    for key in ("data", "cache"):
        if options.get(key) is not None:
            options[key] = str(Path(options[key]).resolve())
    config.update(options)
    out_path = Path(out).resolve()
    with progress_callback(progress, "cultural-market") as report:
        summary = json.loads(
            _core.reproduce_cultural(
                json.dumps(plain(config, "config")), str(out_path), bool(resume), report
            )
        )
    return Reproduction(out=out_path, summary=summary, tables=_read_tables(out_path))


def competing_bandits(
    *,
    out: PathLike,
    tables: Union[str, Iterable[int]] = "all",
    figures: Optional[bool] = None,
    runs: int = 1000,
    seed: int = 2019,
    needle: Optional[Union[str, int]] = None,
    warm_start_rows: Optional[str] = None,
    protocol: str = "paper",
    resume: bool = False,
    progress: Any = True,
) -> Reproduction:
    """Section 5 and Appendix F of Aridor, Mansour, Slivkins & Wu, as
    ``marketloop reproduce competing-bandits``.

    Parameters
    ----------
    out : path
        The run folder (must not exist or be empty, unless ``resume``).
    tables : "all" or list of int
        Table numbers 1-8 (see the CLI's help); "all" also makes the isolation figures.
    figures : bool, optional
        Make the performance-in-isolation figures (default: with ``tables="all"``).
    runs, seed : int
        N runs (the paper: 1000) and the master seed.
    protocol : "paper" or "authors-code"
        The paper's text, or the conventions of the authors' code (the needle at arm 5, one
        shared table of warm-start rewards); ``needle`` and ``warm_start_rows`` override it.
    needle : "random" or int, optional
        Needle-in-Haystack needle position: random (the paper's text) or a fixed arm index.
    warm_start_rows : "per-firm" or "shared", optional
        Each firm's own warm-start users (the paper's text) or one shared table (the authors'
        code).
    """
    if isinstance(tables, str):
        if tables != "all":
            raise _core.MarketloopError(f"tables = {tables!r}: give 'all' or a list of numbers 1-8")
        table_list = list(range(1, 9))
        figures = True if figures is None else figures
    else:
        table_list = [int(t) for t in tables]
        figures = False if figures is None else figures
    if isinstance(needle, str) and needle != "random":
        err = _core.MarketloopError(
            f"needle = {needle!r}: give 'random' or a fixed arm index (a whole number)"
        )
        err.field = "needle"
        raise err
    config = dict(
        tables=table_list,
        figures=bool(figures),
        runs=whole(runs, "runs", 1),
        seed=whole(seed, "seed"),
        needle=needle if needle is None or isinstance(needle, str) else {"fixed": whole(needle, "needle")},
        warm_start_rows=warm_start_rows,
        protocol=protocol,
    )
    out_path = Path(out).resolve()
    with progress_callback(progress, "competing-bandits", "piece") as report:
        summary = json.loads(
            _core.reproduce_bandits(
                json.dumps(plain(config, "config")), str(out_path), bool(resume), report
            )
        )
    return Reproduction(out=out_path, summary=summary, tables=_read_tables(out_path))


def learning_in_the_loop(
    *,
    out: PathLike,
    scale: str = "ci",
    inputs: Optional[Iterable[str]] = None,
    inputs_dir: Optional[PathLike] = None,
    experiments: Optional[Iterable[int]] = None,
    resume: bool = False,
    progress: Any = True,
    **options: Any,
) -> Reproduction:
    """Issue 11's study, as ``marketloop study learning-in-the-loop``: one platform learning
    quality in the loop against the oracle, Thompson sampling against greedy, and P = 2..5
    competing platforms.

    Parameters
    ----------
    out : path
        The run folder (must not exist or be empty, unless ``resume``).
    scale : "ci" or "full"
        ci: 4 runs of a few thousand users per cell on the synthetic market; full: 50 x 300,000
        (experiment 1) and 50 x 50,000 (experiments 2 and 3).
    inputs : list of "synthetic" / "zhu2023" / "movielens", optional
        Markets of experiment 1 (experiments 2 and 3 use the first); default: the scale's.
        "movielens" builds our own MovieLens types (options ``data``: a local MovieLens-100K
        folder, else the download into ``cache``; ``groups``: the number of types, 100).
    inputs_dir : path, optional
        The authors' Figure-2 inputs (appeals.npy, qualities.npy, groups_100.json).
    experiments : list of int, optional
        Which of experiments 1, 2, 3 to run (default all).
    **options
        ``runs``, ``steps``, ``compete_steps``, ``every``, ``seed`` (2026), ``data``, ``cache``,
        ``groups``.
    """
    config: Dict[str, Any] = dict(scale=scale)
    for key in ("data", "cache"):
        if options.get(key) is not None:
            options[key] = str(Path(options[key]).resolve())
    if inputs is not None:
        config["inputs"] = [inputs] if isinstance(inputs, str) else list(inputs)
    if inputs_dir is not None:
        config["inputs_dir"] = str(Path(inputs_dir).resolve())
    if experiments is not None:
        config["experiments"] = list(experiments)
    config.update(options)
    out_path = Path(out).resolve()
    with progress_callback(progress, "learning-in-the-loop") as report:
        summary = json.loads(
            _core.study_learning(
                json.dumps(plain(config, "config")), str(out_path), bool(resume), report
            )
        )
    return Reproduction(out=out_path, summary=summary, tables=_read_tables(out_path))
