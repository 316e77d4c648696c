"""The command line for the ledger: help, audit exit codes, balance and history, one-line errors."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys

from support import GUILD, open_app


def vouchy(*args: str, data=None, env_extra=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "VOUCHY_LOGGING_LEVEL": "ERROR", **(env_extra or {})}
    base = [sys.executable, "-m", "vouchy"] + (["--data", str(data)] if data else [])
    return subprocess.run(base + list(args), capture_output=True, text=True, env=env, timeout=60)


def seed(tmp_path) -> None:
    async def go():
        app = await open_app(tmp_path)
        try:
            await app.points.member(GUILD, 1).earn(10, "a")
            await app.points.member(GUILD, 1).transfer(2, 4, "b")
        finally:
            await app.close()

    asyncio.run(go())


def test_help_lists_the_subcommands():
    out = vouchy("--help")
    assert out.returncode == 0
    for command in ("audit", "repair", "balance", "history", "bench"):
        assert command in out.stdout


def test_audit_exits_0_when_clean_and_1_with_each_discrepancy(tmp_path):
    seed(tmp_path)
    clean = vouchy("audit", "--json", data=tmp_path)
    assert clean.returncode == 0, clean.stderr
    report = json.loads(clean.stdout)
    assert report["clean"] is True and report["accounts"] == 2 and report["total_points"] == 60
    conn = sqlite3.connect(tmp_path / "vouchy.db")
    conn.execute("UPDATE accounts SET balance = balance + 7 WHERE user_id = 2")
    conn.commit()
    conn.close()
    dirty = vouchy("audit", "--guild", str(GUILD), data=tmp_path)
    assert dirty.returncode == 1
    assert "balance_mismatch" in dirty.stdout and "user 2" in dirty.stdout
    assert vouchy("repair", data=tmp_path).returncode == 0
    assert vouchy("audit", data=tmp_path).returncode == 0


def test_balance_and_history_show_what_the_ledger_holds(tmp_path):
    seed(tmp_path)
    balance = json.loads(vouchy("balance", str(GUILD), "1", "--json", data=tmp_path).stdout)
    assert (balance["balance"], balance["exists"]) == (31, True)
    newcomer = vouchy("balance", str(GUILD), "99", data=tmp_path)
    assert "25 points" in newcomer.stdout and "starting balance" in newcomer.stdout
    history = json.loads(vouchy("history", str(GUILD), "1", "--json", data=tmp_path).stdout)
    assert [e["kind"] for e in history["entries"]] == ["transfer_out", "earn", "start"]


def test_errors_are_one_line_and_a_non_zero_exit_never_a_traceback(tmp_path):
    cases = [
        vouchy("balance", "not-a-number", "1", data=tmp_path),
        vouchy("balance", str(GUILD), "1", data=tmp_path / "missing"),
        vouchy("history", str(GUILD), "1", "--page", "0", data=tmp_path),
        vouchy("audit", env_extra={"VOUCHY_LIMITS_MAX_AMOUNT": "lots"}),
        vouchy("--config", str(tmp_path / "nope.toml"), "audit"),
    ]
    for result in cases:
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) <= 3, result.stderr
    assert "lots" in cases[3].stderr and "limits.max_amount" in cases[3].stderr
    assert "no database" in cases[1].stderr
