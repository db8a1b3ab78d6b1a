"""Conversions between the engine's column tables, numpy arrays, pandas DataFrames and the
JSON spec documents the engine reads."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

import numpy as np
import pandas as pd

from ._core import MarketloopError

Columns = List[Tuple[str, str, Any]]


def toml_source(source: Any, kind: str) -> Tuple[str, Any]:
    """The text of a TOML spec given as a file path or as TOML text, and the path (``None``
    for text). A path-like ``*.toml`` that does not exist is an error naming it."""
    path = Path(source) if isinstance(source, Path) or "\n" not in str(source) else None
    if path is not None and path.is_file():
        return path.read_text(encoding="utf-8"), path
    if path is not None and str(source).endswith(".toml"):
        raise MarketloopError(f"{source}: no such {kind} TOML file")
    return str(source), None


def to_arrays(columns: Columns) -> Dict[str, np.ndarray]:
    """Columns as returned by ``marketloop._core`` -> name -> numpy array (copies, writable)."""
    out: Dict[str, np.ndarray] = {}
    for name, dtype, payload in columns:
        if dtype == "f64":
            out[name] = np.frombuffer(payload, dtype="<f8").copy()
        elif dtype == "i64":
            out[name] = np.frombuffer(payload, dtype="<i8").copy()
        elif dtype == "str":
            out[name] = np.asarray(payload, dtype=object)
        else:  # pragma: no cover - the engine only emits the three types above
            raise TypeError(f"unknown column type {dtype!r} for column {name!r}")
    return out


def to_frame(columns: Columns) -> pd.DataFrame:
    """Columns as returned by ``marketloop._core`` -> a DataFrame in the engine's column order."""
    arrays = to_arrays(columns)
    return pd.DataFrame({name: arrays[name] for name, _, _ in columns})


def plain(value: Any, name: str = "value") -> Any:
    """numpy scalars/arrays, tuples and mappings -> JSON-friendly Python values.

    Non-finite numbers are refused here (JSON cannot carry them), naming the field and the
    position, so a NaN never reaches the engine silently.
    """
    if isinstance(value, (os.PathLike,)):
        return os.fspath(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc" and not np.all(np.isfinite(value)):
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(value))[0])
            where = "".join(f"[{i}]" for i in bad)
            raise MarketloopError(
                f"{name}{where} = {value[bad]} is not a finite number; every entry must be finite"
            )
        if value.dtype.kind == "O":
            # An object array may hold anything, NaN included: check its entries one by one.
            return plain(value.tolist(), name)
        return value.tolist()
    if isinstance(value, np.generic):
        return plain(value.item(), name)
    if isinstance(value, float) and not math.isfinite(value):
        raise MarketloopError(f"{name} = {value} is not a finite number")
    if isinstance(value, Mapping):
        return {str(k): plain(v, f"{name}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, f"{name}[{i}]") for i, v in enumerate(value)]
    return value


def absolute_files(doc: Dict[str, Any], base: Path) -> Dict[str, Any]:
    """File references (``{"file": ..}``, ``{"groups": ..}``) made absolute relative to ``base``,
    so a spec means the same thing in any working folder and on any worker."""
    out = dict(doc)
    for key in ("visibility", "quality", "weights"):
        ref = out.get(key)
        if isinstance(ref, Mapping):
            ref = dict(ref)
            for k in ("file", "groups"):
                if isinstance(ref.get(k), str):
                    ref[k] = str((base / ref[k]).resolve())
            out[key] = ref
    return out


def read_csv_exact(path: Any) -> pd.DataFrame:
    """A CSV written by marketloop, every float read back bit for bit (pandas >= 3 does that by
    default and deprecates the option)."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return pd.read_csv(path)
    return pd.read_csv(path, float_precision="round_trip")

