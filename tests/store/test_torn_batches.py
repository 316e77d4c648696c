"""A batch is applied whole or not at all (issue 10's first hole): real SIGKILLs while a
batch's journal record is being written (the first batch after a start, a 2,000-operation
batch, a 20,000-member import), then a start: each batch is entirely there or entirely
absent, every transfer has both halves, the points are conserved, everything acknowledged is
there, and the audit is clean."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import open_app

WORKER = Path(__file__).resolve().parents[1] / "support" / "append_worker.py"
KILLS = {"first": 8, "large": 8, "import": 6}


def env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(WORKER.parents[1]), *sys.path]),
        "VOUCHY_LOGGING_LEVEL": "ERROR",
    }


def run_and_kill(
    data: Path, mode: str, round_: int, rng: random.Random
) -> tuple[list[str], set[str], bool]:
    """Start the worker, SIGKILL it at a random moment inside its slowed journal append.
    Returns the batch's references, the acknowledged ones, and whether it was killed."""
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), str(data), mode, str(round_)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env(),
        text=True,
    )
    assert worker.stdout is not None
    batch: list[str] = []
    killed = False
    for line in worker.stdout:
        if line.startswith("BATCH "):
            batch = line.split()[1:]
        elif line.startswith("APPENDING") and batch:
            time.sleep(rng.uniform(0.0, 0.12))  # somewhere inside the 64-piece write
            worker.send_signal(signal.SIGKILL)
            killed = True
            break
    rest, _ = worker.communicate(timeout=60)
    acks = {line.split()[1] for line in rest.splitlines() if line.startswith("ACK ")}
    return batch, acks, killed


def facts(db: Path, mode: str, round_: int) -> tuple[int, int, int, int, int]:
    conn = sqlite3.connect(db)
    try:
        if mode == "import":
            present = conn.execute(
                "SELECT COUNT(*) FROM operations WHERE reference >= ? AND reference < ?",
                (f"import:r{round_:04d}:", f"import:r{round_:04d};"),
            ).fetchone()[0]
        else:
            present = conn.execute(
                "SELECT COUNT(*) FROM operations WHERE reference LIKE ?", (f"{mode}-{round_}-%",)
            ).fetchone()[0]
        outs, ins, links = conn.execute(
            "SELECT (SELECT COUNT(*) FROM ledger WHERE kind = 'transfer_out'),"
            " (SELECT COUNT(*) FROM ledger WHERE kind = 'transfer_in'),"
            " (SELECT COUNT(*) FROM transfers)"
        ).fetchone()
        total = conn.execute("SELECT COALESCE(SUM(balance), 0) FROM accounts").fetchone()[0]
        return present, outs, ins, links, total
    finally:
        conn.close()


@pytest.mark.parametrize("mode", list(KILLS))
def test_a_sigkill_inside_a_journal_append_leaves_each_batch_whole_or_absent(tmp_path, mode):
    rng = random.Random(f"torn-{mode}")
    data = tmp_path / "data"
    total_before = None
    killed_rounds = 0
    outcomes = []
    for round_ in range(KILLS[mode]):
        batch, acks, killed = run_and_kill(data, mode, round_, rng)
        killed_rounds += killed

        async def start() -> bool:
            app = await open_app(data)
            try:
                return (await app.audit()).clean
            finally:
                await app.close()

        assert asyncio.run(start()), f"audit after kill {round_}"
        present, outs, ins, links, total = facts(data / "vouchy.db", mode, round_)
        expected = 20_000 if mode == "import" else len(batch)
        assert present in (0, expected), f"{mode} round {round_}: {present} of {expected} applied"
        outcomes.append("whole" if present else "absent")
        assert outs == ins == links, "a transfer split in half"
        assert present == expected or not acks, "an acknowledged batch is missing"
        if mode != "import":  # transfers move points, never make or lose them
            assert total_before is None or total == total_before, "points made or lost"
            total_before = total
    assert killed_rounds == KILLS[mode]
    assert "absent" in outcomes, outcomes  # the kills did land inside appends
