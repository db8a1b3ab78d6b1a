"""Type stubs of the Rust extension module ``marketloop._core``."""

from typing import Any, Callable, Dict, List, Optional, Tuple

Columns = List[Tuple[str, str, Any]]
"""Typed columns: (name, "f64" | "i64" | "str", little-endian bytes | list of str)."""

Progress = Optional[Callable[[int, int], Any]]
"""``progress(done, total)``: called from worker threads at most every 0.2 s with ``done`` never
decreasing, and with ``(total, total)`` at the end."""

__version__: str
GENERATOR: str
KINDS: List[str]

class MarketloopError(ValueError):
    field: Optional[str]
    """The spec field the error is about (as spelled in the spec), if it names one."""

class PyMarket:
    def __init__(self, spec: str, source: Optional[str] = None) -> None: ...
    @property
    def items(self) -> int: ...
    @property
    def types(self) -> int: ...
    def config(self) -> str: ...
    def equilibrium(
        self,
        tolerance: float,
        max_iterations: int,
        out: Optional[str] = None,
        resume: bool = False,
    ) -> str: ...
    def simulate(
        self,
        steps: int,
        runs: int,
        seed: int,
        every: int,
        shares: bool,
        threads: Optional[int] = None,
        out: Optional[str] = None,
        resume: bool = False,
        progress: Progress = None,
    ) -> Columns: ...
    def dynamics(
        self, iterations: int, shares: bool, out: Optional[str] = None, resume: bool = False
    ) -> Columns: ...

def toml_to_json(text: str) -> str: ...
def sweep_cells(sweep: str) -> str: ...
def run_sweep_local(
    sweep: str, out: Optional[str] = None, threads: Optional[int] = None, progress: Progress = None
) -> Columns: ...
def run_cell(sweep: str, cell: str) -> Columns: ...
def run_cells(sweep: str, cells: List[str]) -> List[Columns]: ...
def load_cell(sweep: str, cell: str, out: str) -> Optional[Columns]: ...
def save_cell(sweep: str, cell: str, columns: Columns, out: str) -> None: ...
def run_experiment(
    kind: str, spec: str, seed: int, runs: int, threads: Optional[int] = None
) -> Columns: ...
def run_compete(
    spec: str,
    seed: int,
    runs: int,
    threads: Optional[int] = None,
    out: Optional[str] = None,
    resume: bool = False,
    progress: Progress = None,
) -> Columns: ...
def run_arena(
    spec: str,
    seed: int,
    runs: int,
    threads: Optional[int] = None,
    out: Optional[str] = None,
    resume: bool = False,
    progress: Progress = None,
) -> Columns: ...
ArenaRankings = List[Tuple[int, Any, str, bool]]
"""Python rankings of arena platforms: (platform index, object, name, has observe)."""

def run_arena_plugins(
    spec: str,
    rankings: ArenaRankings,
    seed: int,
    runs: int,
    out: Optional[str] = None,
    resume: bool = False,
    progress: Progress = None,
) -> Columns: ...

class PyArenaRun:
    def __init__(
        self, spec: str, seed: int, replicate: int, rankings: ArenaRankings = ...
    ) -> None: ...
    def step(self, n: int) -> int: ...
    def state(self) -> str: ...
    def trajectory(self) -> str: ...

def run_bayes(
    spec: str,
    seed: int,
    threads: Optional[int] = None,
    out: Optional[str] = None,
    progress: Progress = None,
    prior: Optional[Callable[[Rng, int], Any]] = None,
) -> Tuple[Columns, Columns]: ...
def validate_spec(kind: str, spec: str) -> None: ...
def reproduce_cultural(
    config: str, out: str, resume: bool = False, progress: Progress = None
) -> str: ...
def cultural_defaults() -> str: ...
def reproduce_bandits(
    config: str, out: str, resume: bool = False, progress: Progress = None
) -> str: ...
def study_learning(
    config: str, out: str, resume: bool = False, progress: Progress = None
) -> str: ...
def fetch_movielens(
    cache: Optional[str] = None, source: str = "auto", connect_timeout: int = 10
) -> str: ...
def movielens_preferences(
    config: str, seed: int, data: Optional[str] = None, cache: Optional[str] = None
) -> Tuple[str, bytes, bytes, bytes]: ...
def preferences_defaults() -> str: ...

# Plug-ins (src/plugin/, src/rng.rs).
Plugins = List[Tuple[int, str, Any]]
RankingArg = Optional[Tuple[Any, str, bool, Optional[List[float]]]]
ObserverArgs = List[Tuple[List[str], Any, str]]
#: A choice rule plug-in: (object, name).
ChoiceArg = Optional[Tuple[Any, str]]
#: Competition-wide plug-in options: (response plug-in (name, object) or None, batch size).
Options = Optional[Tuple[Optional[Tuple[str, Any]], int]]

class Rng:
    def __init__(self, seed: int = 0, stream: int = 0) -> None: ...
    def random(self) -> float: ...
    def uniform(self, low: float = 0.0, high: float = 1.0) -> float: ...
    def integers(self, low: int, high: Optional[int] = None) -> int: ...
    def beta(self, a: float, b: float) -> float: ...
    def normal(self, loc: float = 0.0, scale: float = 1.0) -> float: ...
    def choice(self, a: Any, p: Optional[List[float]] = None) -> Any: ...
    def numpy(self) -> Any: ...

def run_compete_with(
    spec: str,
    plugins: Plugins,
    seed: int,
    runs: int,
    threads: Optional[int] = None,
    out: Optional[str] = None,
    resume: bool = False,
    every: Optional[int] = None,
    progress: Progress = None,
    observers: ObserverArgs = ...,
    options: Options = None,
) -> Tuple[Columns, Optional[Columns], Optional[Columns]]: ...
def run_sweep_plugins(
    sweep: str,
    plugins: Plugins,
    out: Optional[str] = None,
    progress: Progress = None,
    market: Optional[Tuple[RankingArg, ObserverArgs, ChoiceArg]] = None,
    options: Options = None,
    arena: Optional[ArenaRankings] = None,
) -> Columns: ...
def run_cells_plugins(
    sweep: str,
    cells: List[str],
    plugins: Plugins,
    market: Optional[Tuple[RankingArg, ObserverArgs, ChoiceArg]] = None,
    options: Options = None,
    arena: Optional[ArenaRankings] = None,
) -> List[Columns]: ...

class PyMarketRun:
    def __init__(
        self,
        market: PyMarket,
        steps: int,
        every: int,
        shares: bool,
        seed: int,
        replicate: int,
        ranking: RankingArg = None,
        observers: ObserverArgs = ...,
        choice: ChoiceArg = None,
    ) -> None: ...
    def step(self, n: int) -> int: ...
    def state(self) -> Dict[str, Any]: ...
    def measurements(self) -> Columns: ...

def simulate_plugins(
    market: PyMarket,
    steps: int,
    every: int,
    shares: bool,
    seed: int,
    runs: int,
    ranking: RankingArg = None,
    observers: ObserverArgs = ...,
    choice: ChoiceArg = None,
    out: Optional[str] = None,
    resume: bool = False,
    progress: Optional[Callable[[int, int], None]] = None,
) -> Columns: ...

class PyCompetitionRun:
    def __init__(
        self, spec: str, plugins: Plugins, seed: int, replicate: int, options: Options = None
    ) -> None: ...
    def step(self, n: int) -> int: ...
    def state(self) -> Dict[str, Any]: ...
