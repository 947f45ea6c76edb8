"""Counter-based random numbers: each draw depends only on (seed, run index, stream, draw index).

So results are identical whatever the chunking, process count or cluster: run 70 312 gets the
same numbers whether it is computed alone or inside a chunk of 100 000. A stream is named (one
per uncertain parameter or event), so adding a parameter does not shift the others' draws.
Mixing is SplitMix64 (Steele, Lea & Flood 2014), vectorised over runs in uint64 arithmetic.
"""
from __future__ import annotations

import zlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    x = x + _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def stream_id(name: str) -> int:
    """Stable 32-bit id of a named stream (same on every machine and Python version)."""
    return zlib.crc32(name.encode("utf-8"))


def uniform(seed: int, runs: np.ndarray, stream: str, draws: int = 1) -> np.ndarray:
    """(len(runs), draws) uniforms in the open interval (0, 1)."""
    with np.errstate(over="ignore"):
        key = _mix(np.uint64(seed % 2**64) ^ _mix(np.uint64(stream_id(stream))))
        base = _mix(key ^ np.asarray(runs, dtype=np.uint64))[:, None]
        bits = _mix(base ^ _mix(np.arange(draws, dtype=np.uint64) + np.uint64(1))[None, :])
    return ((bits >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53
