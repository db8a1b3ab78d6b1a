"""Parameter sweeps on this machine or on a Ray cluster.

A sweep is the cartesian product of parameter values over a base spec. Each cell's seed derives
from the sweep's master seed and the cell's canonical parameters (never from its position, the
backend or the worker), so a cell's numbers are the same on every backend, for any worker count
and execution order, and whichever other cells are in the grid.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _core
from ._args import threads as threads_arg
from ._args import whole
from ._frames import plain, to_arrays, to_frame
from ._progress import progress_callback
from .plugins import choice_args, observer_args, ranking_args

__all__ = ["sweep", "sweep_cells"]


def _plugins(spec: Any, grid: Mapping[str, Sequence[Any]]) -> List[Any]:
    """The plug-ins of a competition spec (slot, name, object), after checking that the grid
    leaves their slots alone."""
    plugins = spec.plugin_list() if hasattr(spec, "plugin_list") else []
    if not plugins or not isinstance(grid, Mapping):
        return plugins
    slots = {f"algorithms.{i}" for i, _, _ in plugins}
    for path in grid:
        if str(path) == "algorithms" or str(path) in slots:
            raise _core.MarketloopError(
                f"grid[{path!r}] would replace a plug-in algorithm's slot; plug-ins stay in "
                "the base spec: vary other fields or other firms' slots"
            )
    return plugins


def _market_plugins(
    settings: Dict[str, Any], grid: Mapping[str, Sequence[Any]]
) -> Optional[Tuple[Any, Any, Any]]:
    """A market sweep's ranking plug-in, observers and choice rule, taken out of ``settings``:
    (ranking object or None, observers or None, choice rule or None), or None without any. The
    raw objects are kept (so they pickle for Ray); :func:`ranking_args`, :func:`observer_args`
    and :func:`choice_args` check them."""
    ranking = settings.get("ranking")
    plugin_ranking = ranking is not None and not isinstance(ranking, (Mapping, str))
    observers = settings.get("observers")
    choice = settings.get("choice")
    if not plugin_ranking and observers is None and choice is None:
        return None
    settings.pop("observers", None)
    settings.pop("choice", None)
    if plugin_ranking:
        settings.pop("ranking")
        ranking_args(ranking)
        for path in grid:
            if str(path) in ("ranking.strategy", "ranking.ties", "ranking.order"):
                raise _core.MarketloopError(
                    f"grid[{path!r}] would change the market's built-in ranking, which the "
                    "ranking plug-in replaces: vary other fields"
                )
    else:
        ranking = None
    observer_args(observers)
    choice_args(choice)
    return (ranking, observers, choice)


def _market_args(market: Tuple[Any, Any, Any]) -> Tuple[Any, Any, Any]:
    """A market sweep's plug-ins as the engine takes them."""
    ranking, observers, choice = market
    return (ranking_args(ranking), observer_args(observers), choice_args(choice))


def _options(spec: Any, grid: Mapping[str, Sequence[Any]]) -> Optional[Any]:
    """The competition-wide plug-in options of a competition spec (response plug-in, batch
    size), or None when there are none, after checking that the grid leaves them alone."""
    options = spec.plugin_options() if hasattr(spec, "plugin_options") else None
    if options is None or options == (None, 1):
        return None
    if options[0] is not None and isinstance(grid, Mapping):
        for path in grid:
            if str(path) in ("response", "bias", "eps", "temperature"):
                raise _core.MarketloopError(
                    f"grid[{path!r}] would change the response function, but the base spec's "
                    "users choose by a response plug-in: vary other fields"
                )
    return options


def _arena_rankings(spec: Any, grid: Mapping[str, Sequence[Any]]) -> Optional[List[Any]]:
    """An Arena's Python rankings as the engine takes them ((platform, object, name, whether it
    observes)), or None without any, after checking that the grid leaves their slots alone."""
    rankings = getattr(spec, "rankings", None)
    if not rankings:
        return None
    if isinstance(grid, Mapping):
        for path in grid:
            parts = str(path).split(".")
            if parts[0] == "platforms" and (
                len(parts) == 1
                or (parts[1].isdigit() and int(parts[1]) in rankings
                    and (len(parts) == 2 or parts[2] == "ranking"))
            ):
                raise _core.MarketloopError(
                    f"grid[{path!r}] would replace a platform's Python ranking; Python rankings "
                    "stay in the base spec: vary other fields or other platforms' rankings"
                )
    return spec.ranking_list()


def _document(
    spec: Any,
    kind: Optional[str],
    grid: Mapping[str, Sequence[Any]],
    runs: int,
    seed: int,
    settings: Mapping[str, Any],
) -> Dict[str, Any]:
    if hasattr(spec, "spec") and hasattr(spec, "kind"):
        kind = kind or spec.kind
        spec = spec.spec
    if kind is None:
        raise _core.MarketloopError(
            "kind must be given ('market', 'market-equilibrium', 'market-dynamics' or "
            "'compete') when spec is a plain dict"
        )
    if not isinstance(spec, Mapping):
        raise _core.MarketloopError(
            f"spec must be a dict, a Market or a Competition, got {type(spec).__name__}"
        )
    runs = whole(runs, "runs", 1)
    seed = whole(seed, "seed")
    if not isinstance(grid, Mapping):
        raise _core.MarketloopError(f"grid must be a dict of parameter -> values, got {grid!r}")
    clean_grid = {}
    for path, values in grid.items():
        if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__"):
            raise _core.MarketloopError(
                f"grid[{path!r}] = {values!r} must be a list of values"
            )
        clean_grid[str(path)] = [plain(v, f"grid[{path!r}]") for v in values]
    base = plain(dict(spec), "spec")
    base.update(plain(dict(settings), "settings"))
    return {"kind": kind, "runs": runs, "seed": seed, "spec": base, "grid": clean_grid}


def sweep_cells(
    spec: Any,
    grid: Mapping[str, Sequence[Any]],
    *,
    runs: int = 1,
    seed: int = 0,
    kind: Optional[str] = None,
    **settings: Any,
) -> List[Dict[str, Any]]:
    """The cells of a sweep: index, params, canonical label, derived seed and resolved spec (a
    plug-in algorithm's slot holds the plug-in object, so ``Competition(**cell["spec"])``
    rebuilds the cell's competition)."""
    plugins = _plugins(spec, grid)
    options = _options(spec, grid)
    doc = _document(spec, kind, grid, runs, seed, settings)
    arena = _arena_rankings(spec, grid)
    cells = json.loads(_core.sweep_cells(json.dumps(doc)))
    for c in cells:
        for i, obj, _, _ in arena or []:
            c["spec"]["platforms"][i]["ranking"] = obj
        for slot, _, obj in plugins:
            c["spec"]["algorithms"][slot] = obj
        if options is not None:
            if options[0] is not None:
                c["spec"]["response"] = options[0][1]
            if options[1] != 1:
                c["spec"]["batch"] = options[1]
    return cells


def sweep(
    spec: Any,
    grid: Mapping[str, Sequence[Any]],
    *,
    runs: int = 1,
    seed: int = 0,
    backend: str = "local",
    kind: Optional[str] = None,
    out: Optional[str] = None,
    threads: Optional[int] = None,
    address: Optional[str] = None,
    chunk_size: Optional[int] = None,
    max_retries: int = 3,
    progress: Any = True,
    **settings: Any,
) -> pd.DataFrame:
    """Run ``spec`` for every combination of ``grid`` values, ``runs`` replicates per cell.

    Parameters
    ----------
    spec : dict, Market or Competition
        The base spec (the same fields as the TOML spec of ``kind``).
    grid : mapping of dotted parameter path -> list of values
        e.g. ``{"feedback": [0.25, 0.5], "ranking.strategy": ["popularity", "quality"]}``.
        Array elements are addressed by index (``"algorithms.0"``).
    runs, seed : int
        Replicates per cell and the sweep's master seed.
    backend : "local" or "ray"
        "local" runs the cells on this machine's cores (Rust threads, GIL released; ``threads``
        sets the worker count). "ray" submits chunks of cells as Ray tasks to
        ``ray.init(address=address)`` (or the Ray already initialised), retrying failed tasks up
        to ``max_retries`` times; ``chunk_size`` cells per task (default: about 4 tasks per CPU).
        A competition with plug-in algorithms (``Competition(algorithms=[MyUCB(), "TS"])``)
        runs its cells and replicates one after the other with the GIL held ("local") or
        within each Ray task ("ray": the plug-ins must pickle); the numbers are the same on
        both. The grid may not replace a plug-in's slot. A market sweep takes a ranking
        plug-in (``ranking=MyRanking()``, a :class:`marketloop.RankingPolicy`), observers
        (``observers=...``, as in :meth:`Market.simulate`) and a choice rule
        (``choice=MyChoice()``, a :class:`marketloop.ChoiceRule`) the same way; the observers'
        columns follow the built-in ones. An :class:`marketloop.Arena` whose platforms rank by
        Python rankings runs its cells the same way (the grid may vary anything but those
        platforms' rankings).
    kind : str, optional
        The experiment: ``"market"`` (simulate; default for a Market), ``"market-equilibrium"``,
        ``"market-dynamics"`` or ``"compete"`` (default for a Competition).
    out : str, optional
        With the local backend and built-in algorithms: the run folder ``marketloop sweep
        --out`` writes (``results.csv``/``.parquet``, the sweep report with a figure per swept
        parameter, ``manifest.json``; finished cells under ``out/cells/``), so a later call with
        the same ``out`` resumes an interrupted sweep or loads a finished one. With the Ray
        backend or plug-in algorithms only the finished cells are stored there (for resuming).
    progress : bool or callable
        A progress bar over the cells: tqdm when installed (``marketloop[progress]``), silent
        otherwise; ``False`` turns it off; a callable ``progress(done, total)`` gets the
        reports instead. The numbers never depend on it.
    **settings
        Extra fields of the base spec, e.g. ``steps=10000, every=1000`` for a market.

    Returns
    -------
    pandas.DataFrame
        One tidy table: ``cell``, ``cell_seed``, one ``param:PATH`` column per grid parameter,
        then the experiment's own columns (one row per replicate x measurement), cells in grid
        order.
    """
    plugins = _plugins(spec, grid)
    options = _options(spec, grid)
    settings = dict(settings)
    market = _market_plugins(settings, grid)
    arena = _arena_rankings(spec, grid)
    out = None if out is None else str(out)
    doc = _document(spec, kind, grid, runs, seed, settings)
    if market is not None and doc["kind"] != "market":
        raise _core.MarketloopError(
            f"ranking and observer plug-ins run in market sweeps (kind 'market'), not "
            f"kind {doc['kind']!r}"
        )
    text = json.dumps(doc)
    if backend == "local":
        with progress_callback(progress, "sweep", "cell") as report:
            if arena is not None:
                return to_frame(
                    _core.run_sweep_plugins(text, [], out, report, None, None, arena)
                )
            if market is not None:
                return to_frame(
                    _core.run_sweep_plugins(text, [], out, report, _market_args(market))
                )
            if plugins or options:
                return to_frame(_core.run_sweep_plugins(text, plugins, out, report, None, options))
            return to_frame(_core.run_sweep_local(text, out, threads_arg(threads), report))
    if backend == "ray":
        with progress_callback(progress, "sweep", "cell") as report:
            return _sweep_ray(
                text, out, address, chunk_size, max_retries, plugins, report, market, options,
                arena,
            )
    raise _core.MarketloopError(f"backend = {backend!r} is not allowed: use 'local' or 'ray'")


def _run_chunk(
    sweep_text: str,
    cells_text: List[str],
    plugins: Optional[List[Any]] = None,
    market: Optional[Tuple[Any, Any, Any]] = None,
    options: Optional[Any] = None,
    arena: Optional[List[Any]] = None,
) -> Any:
    """One Ray task: several cells run one after the other (the engine's own threads inside;
    with plug-ins, which arrive pickled, one thread holding the GIL).

    Bad input is returned as ``("error", message)`` rather than raised: it is deterministic, so
    Ray must not retry it; only lost workers and other system failures are retried.
    """
    try:
        if arena is not None:
            return _core.run_cells_plugins(sweep_text, cells_text, [], None, None, arena)
        if market is not None:
            return _core.run_cells_plugins(sweep_text, cells_text, [], _market_args(market))
        if plugins or options:
            return _core.run_cells_plugins(sweep_text, cells_text, plugins or [], None, options)
        return _core.run_cells(sweep_text, cells_text)
    except _core.MarketloopError as e:
        return ("error", str(e))


def _sweep_ray(
    text: str,
    out: Optional[str],
    address: Optional[str],
    chunk_size: Optional[int],
    max_retries: int,
    plugins: Optional[List[Any]] = None,
    report: Optional[Any] = None,
    market: Optional[Tuple[Any, Any, Any]] = None,
    options: Optional[Any] = None,
    arena: Optional[List[Any]] = None,
) -> pd.DataFrame:
    try:
        import ray
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise _core.MarketloopError(
            "backend = 'ray' needs the ray package: pip install 'marketloop[ray]'"
        ) from e
    max_retries = whole(max_retries, "max_retries")
    chunk_size = None if chunk_size is None else whole(chunk_size, "chunk_size", 1)
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    cells = json.loads(_core.sweep_cells(text))
    cell_texts = [json.dumps(c) for c in cells]
    results: List[Any] = [None] * len(cells)
    todo = []
    for i, c in enumerate(cell_texts):
        stored = _core.load_cell(text, c, out) if out else None
        if stored is not None:
            results[i] = stored
        else:
            todo.append(i)
    finished = len(cells) - len(todo)
    if todo:
        workers = max(1, int(ray.available_resources().get("CPU", 1)))
        size = chunk_size or max(1, -(-len(todo) // (4 * workers)))
        remote = ray.remote(max_retries=max_retries, retry_exceptions=True)(_run_chunk)
        sweep_ref = ray.put(text)
        plugins_ref = ray.put(plugins or None)
        market_ref = ray.put(market)
        options_ref = ray.put(options)
        arena_ref = ray.put(arena)
        chunks = [todo[k : k + size] for k in range(0, len(todo), size)]
        refs = {
            remote.remote(
                sweep_ref,
                [cell_texts[i] for i in chunk],
                plugins_ref,
                market_ref,
                options_ref,
                arena_ref,
            ): chunk
            for chunk in chunks
        }
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                chunk = refs[ref]
                got = ray.get(ref)
                if isinstance(got, tuple) and got and got[0] == "error":
                    raise _core.MarketloopError(got[1])
                for i, columns in zip(chunk, got):
                    results[i] = columns
                    if out:
                        _core.save_cell(text, cell_texts[i], columns, out)
                finished += len(chunk)
                if report is not None and finished < len(cells):
                    report(finished, len(cells))
    if report is not None:
        report(len(cells), len(cells))
    return _gather(results)


def _gather(results: List[Any]) -> pd.DataFrame:
    """Cells' columns -> one DataFrame (numpy concatenation per column: one DataFrame is built,
    not one per cell)."""
    if not results:
        return pd.DataFrame()
    names = [n for n, _, _ in results[0]]
    if any([n for n, _, _ in r] != names for r in results):
        return pd.concat([to_frame(c) for c in results], ignore_index=True)
    arrays = [to_arrays(c) for c in results]
    return pd.DataFrame({n: np.concatenate([a[n] for a in arrays]) for n in names})
