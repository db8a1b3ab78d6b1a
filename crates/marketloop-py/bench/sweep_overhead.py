"""Overhead per sweep cell beyond the simulation, local and Ray backends.

    python crates/marketloop-py/bench/sweep_overhead.py [--cells 1000] [--ray]

A grid of trivial cells (a 2-item market, 1 run of 1 step each) makes the per-cell cost almost
all overhead: expanding the grid, deriving the seed, resolving the spec, building the tables,
gathering the result. The simulation time itself is bounded by running the same cells through Market.simulate one by
one (which adds its own Python call overhead, so the difference is a lower bound of the sweep's
overhead; the sweep's total per cell is an upper bound).
"""

import argparse
import time

import numpy as np

import marketloop as ml


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=1000)
    ap.add_argument("--ray", action="store_true")
    a = ap.parse_args()
    tiny = ml.Market(visibility=np.array([1.0, 0.5]), quality=np.array([0.5, 0.5]), r=0.5)
    grid = {"initial_counts": list(range(1, a.cells + 1))}
    ml.sweep(tiny, {"initial_counts": [1, 2]}, steps=1, every=1)  # warm-up

    # The simulation alone: each cell's market resolved once, then only simulate() timed.
    markets = [ml.Market(**dict(tiny.spec, initial_counts=k)) for k in grid["initial_counts"]]
    for m in markets:
        m.items  # resolve outside the timing
    t = time.perf_counter()
    for m in markets:
        m.simulate(steps=1, runs=1, seed=1, every=1)
    sim = time.perf_counter() - t

    for threads in (1, None):
        t = time.perf_counter()
        df = ml.sweep(tiny, grid, runs=1, seed=1, steps=1, every=1, threads=threads)
        total = time.perf_counter() - t
        assert len(df) == a.cells
        print(f"local (threads={threads}): {a.cells} cells in {total * 1e3:.1f} ms = "
              f"{total / a.cells * 1e6:.1f} us/cell; simulation alone {sim / a.cells * 1e6:.1f} us/cell; "
              f"overhead {(total - sim) / a.cells * 1e6:.1f} us/cell")
    local = ml.sweep(tiny, grid, runs=1, seed=1, steps=1, every=1)

    if a.ray:
        import ray

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        ml.sweep(tiny, {"initial_counts": [1, 2]}, steps=1, every=1, backend="ray")  # warm-up
        for chunk in (None, 1):
            t = time.perf_counter()
            df = ml.sweep(tiny, grid, runs=1, seed=1, steps=1, every=1, backend="ray", chunk_size=chunk)
            total = time.perf_counter() - t
            assert df.equals(local)
            print(f"ray (2 CPUs, chunk_size={chunk or 'default'}): {a.cells} cells in {total * 1e3:.0f} ms = "
                  f"{total / a.cells * 1e6:.0f} us/cell; overhead {(total - sim) / a.cells * 1e6:.0f} us/cell")
        ray.shutdown()


if __name__ == "__main__":
    main()
