"""Conversion of the engine's column tables into numpy arrays and pandas DataFrames."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import numpy as np
import pandas as pd

Columns = List[Tuple[str, str, Any]]


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


def as_matrix(value: Any, name: str) -> Any:
    """A numpy array (or nested sequence) -> nested lists of floats for the JSON spec."""
    if isinstance(value, (dict, str)):
        return value  # a file reference such as {"file": "v.npy"}
    arr = np.asarray(value, dtype=float)
    if arr.ndim not in (1, 2):
        raise ValueError(f"{name} must be a 1-D or 2-D array, got an array of shape {arr.shape}")
    return arr.tolist()
