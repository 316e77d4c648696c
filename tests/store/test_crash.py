"""Acknowledged means durable: SIGKILL a process under load at random moments; every
operation it acknowledged is in the database, nothing is half-applied, the audit is clean."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from vouchy.store.audit import audit

WORKER = Path(__file__).resolve().parents[1] / "support" / "crash_worker.py"
KILLS = 22


def acknowledged(output: str) -> list[tuple[str, int, int, int]]:
    lines = output.split("\n")[:-1]  # the last piece has no newline: written as it died
    return [
        (p[1], int(p[2]), int(p[3]), int(p[4]))
        for p in (line.split() for line in lines)
        if p[0] == "ACK"
    ]


def test_every_acknowledged_operation_survives_sigkill_and_nothing_is_half_applied(tmp_path):
    rng = random.Random(20261121)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(WORKER.parents[1]), *sys.path]),
        "VOUCHY_LOGGING_LEVEL": "ERROR",
    }
    total = 0
    for kill in range(KILLS):
        worker = subprocess.Popen(
            [sys.executable, str(WORKER), str(tmp_path), str(kill)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        # Wait for the first acknowledgement, then kill at a random moment under load.
        first = worker.stdout.readline()
        assert first.startswith("ACK"), "the worker never acknowledged anything"
        time.sleep(rng.uniform(0.02, 0.5))
        worker.send_signal(signal.SIGKILL)
        rest, _ = worker.communicate(timeout=30)
        acks = acknowledged(first + rest)
        total += len(acks)

        conn = sqlite3.connect(tmp_path / "vouchy.db")  # opening runs WAL recovery
        try:
            rows = {
                (ref, kind == "transfer_in"): (user, delta)
                for ref, user, delta, kind in conn.execute(
                    "SELECT reference, user_id, delta, kind FROM ledger WHERE kind != 'start'"
                )
            }
            for ref, user, delta, to_user in acks:
                assert rows.get((ref, False)) == (user, delta), f"{ref} lost after kill {kill}"
                if to_user:
                    assert rows.get((ref, True)) == (to_user, -delta), f"half a transfer: {ref}"
            outs, ins, links = conn.execute(
                "SELECT (SELECT COUNT(*) FROM ledger WHERE kind = 'transfer_out'),"
                " (SELECT COUNT(*) FROM ledger WHERE kind = 'transfer_in'), (SELECT COUNT(*) FROM transfers)"
            ).fetchone()
            assert outs == ins == links
            report = audit(conn)
            assert report.clean, report.discrepancies
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    assert total > KILLS * 20  # the kills landed under real load
