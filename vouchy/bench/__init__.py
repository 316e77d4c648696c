"""Benchmarks behind ``python -m vouchy bench``: each prints the figures an issue asks for."""

from __future__ import annotations

import os


def rss_mb() -> float:
    """This process's resident set size, from /proc (Linux)."""
    with open(f"/proc/{os.getpid()}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))
    return round(sorted_values[index], 3)
