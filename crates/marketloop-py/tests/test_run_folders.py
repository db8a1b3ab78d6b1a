"""Python writes the same run folders as the CLI: for every kind, the same spec and seed give
the same files, byte for byte (only the manifest's start time and timings, the report's lines
showing them, and the order of the lines of a PDF's resource dictionaries may differ). Errors carry the spec field they are about as ``.field``."""

import json
from pathlib import Path

import pytest

import marketloop as ml

from conftest import TWO_TYPES_TOML

COMPETE_TOML = """
seed = 7
runs = 12
instance = "uniform"
k = 4
algorithms = ["TS", "BG"]
t = 150
t0 = 5
window = 30
checkpoints = [50, 100]
"""

TIME_LINES = ("<dt>started</dt>", "<dt>timings</dt>")


def files(root: Path):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def assert_same_folder(cli_dir: Path, py_dir: Path):
    assert files(cli_dir) == files(py_dir)
    assert "manifest.json" in files(cli_dir) and "run.json" in files(cli_dir)
    for name in files(cli_dir):
        a, b = (cli_dir / name).read_bytes(), (py_dir / name).read_bytes()
        if name == "manifest.json":
            ja, jb = json.loads(a), json.loads(b)
            for j in (ja, jb):
                j.pop("started_unix")
                j.pop("timings")
            assert ja == jb, name
        elif name == "report.html":
            keep = lambda t: [l for l in t.decode().splitlines() if not l.startswith(TIME_LINES)]
            assert keep(a) == keep(b), name
        elif name.endswith(".pdf"):
            # svg2pdf writes the entries of a PDF's resource dictionaries in its hash maps'
            # per-process order (a known upstream issue: typst/svg2pdf is archived): the same
            # lines, possibly in another order, in every process, the CLI's included.
            assert len(a) == len(b) and sorted(a.split(b"\n")) == sorted(b.split(b"\n")), name
        else:
            assert a == b, f"{name} differs"


@pytest.fixture
def spec_dir(tmp_path, monkeypatch):
    (tmp_path / "m.toml").write_text(TWO_TYPES_TOML)
    (tmp_path / "c.toml").write_text(COMPETE_TOML)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_market_simulate_folder_equals_the_cli(cli, spec_dir):
    cli("-q", "market", "simulate", "m.toml", "--steps", "3000", "--runs", "3", "--seed", "4",
        "--every", "500", "--shares", "--out", "cli")
    df = ml.Market.from_toml("m.toml").simulate(
        steps=3000, runs=3, seed=4, every=500, shares=True, out="py"
    )
    assert_same_folder(spec_dir / "cli", spec_dir / "py")
    assert len(df) == 3 * 6
    # Resuming a finished folder reuses every replicate and gives the same table.
    again = ml.Market.from_toml("m.toml").simulate(
        steps=3000, runs=3, seed=4, every=500, shares=True, out="py", resume=True
    )
    assert again.equals(df)
    with pytest.raises(ml.MarketloopError, match="--resume"):
        ml.Market.from_toml("m.toml").simulate(steps=3000, runs=3, seed=4, every=500, out="py")


def test_market_equilibrium_and_dynamics_folders_equal_the_cli(cli, spec_dir):
    cli("-q", "market", "equilibrium", "m.toml", "--out", "cli-eq")
    eq = ml.Market.from_toml("m.toml").equilibrium(out="py-eq")
    assert_same_folder(spec_dir / "cli-eq", spec_dir / "py-eq")
    assert eq.converged
    cli("-q", "market", "dynamics", "m.toml", "--iterations", "15", "--shares", "--out", "cli-dy")
    ml.Market.from_toml("m.toml").dynamics(iterations=15, shares=True, out="py-dy")
    assert_same_folder(spec_dir / "cli-dy", spec_dir / "py-dy")


def test_compete_folder_equals_the_cli(cli, spec_dir):
    cli("-q", "compete", "c.toml", "--out", "cli")
    df = ml.Competition.from_toml("c.toml").run(out="py")
    assert_same_folder(spec_dir / "cli", spec_dir / "py")
    assert len(df) == 12
    assert (spec_dir / "py" / "fig_isolation_relative.svg").is_file()


def test_reproduce_competing_bandits_folder_equals_the_cli(cli, spec_dir):
    cli("-q", "reproduce", "competing-bandits", "--tables", "1", "--runs", "20", "--seed", "3",
        "--out", "cli")
    ml.reproduce.competing_bandits(out=spec_dir / "py", tables=[1], runs=20, seed=3)
    assert_same_folder(spec_dir / "cli", spec_dir / "py")


ZHU_INPUTS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "zhu2023-inputs"


@pytest.mark.skipif(not ZHU_INPUTS.is_dir(), reason="the authors' inputs are not beside the checkout")
def test_reproduce_cultural_market_folder_equals_the_cli(cli, spec_dir):
    args = dict(runs=2, steps=2000, every=500, seed=5)
    cli("-q", "reproduce", "cultural-market", "--inputs", "zhu2023", "--inputs-dir",
        str(ZHU_INPUTS), "--runs", "2", "--steps", "2000", "--every", "500", "--seed", "5",
        "--out", "cli")
    ml.reproduce.cultural_market(out=spec_dir / "py", inputs="zhu2023", inputs_dir=ZHU_INPUTS,
                                 **args)
    assert_same_folder(spec_dir / "cli", spec_dir / "py")


def test_errors_carry_the_spec_field(spec_dir):
    with pytest.raises(ml.MarketloopError) as e:
        ml.Market(weights=[0.4, 0.5], visibility=[[1, 1], [1, 1]], quality=[[1, 1], [1, 1]],
                  feedback=0.5)
    assert e.value.field == "weights"
    with pytest.raises(ml.MarketloopError) as e:
        ml.Market.from_toml("m.toml").simulate(steps=100, runs=0)
    assert e.value.field == "runs"
    with pytest.raises(ml.MarketloopError) as e:
        ml.Market.from_toml("m.toml").simulate(steps=100, every=0)
    assert e.value.field == "every"
    # An unknown keyword is named, with the allowed ones (the list lives in Rust only).
    with pytest.raises(ml.MarketloopError, match="unknown key `colour`; allowed: items, weights") as e:
        ml.Market(visibility=[1, 1], quality=[1, 1], feedback=0.5, colour=1)
    assert e.value.field == "colour"
    # Compete specs name their field too.
    with pytest.raises(ml.MarketloopError) as e:
        ml.Competition(t0=0)
    assert e.value.field == "t0"
    # Errors that name no field say so.
    with pytest.raises(ml.MarketloopError) as e:
        ml.Market.from_toml("m.toml").simulate(steps=100, out="x")
        ml.Market.from_toml("m.toml").simulate(steps=100, out="x")
    assert e.value.field is None
