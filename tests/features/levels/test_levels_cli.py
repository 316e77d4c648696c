"""Moving in: ``python -m vouchy import xp-csv FILE --guild G``, one batch through the writer,
idempotent per file and member, refused whole on a bad line or a second bot's file."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from vouchy.app import Vouchy, load_config
from vouchy.cli import main
from vouchy.features.levels.curve import xp_for_level

GUILD = 111_111_111_111_111_111
ALICE, BOB, CAROL = 300_000_000_000_000_001, 300_000_000_000_000_002, 300_000_000_000_000_003


def run(data: Path, *args: str) -> int:
    return main(["--data", str(data), *args])


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def members(data: Path) -> dict[int, tuple[int, int]]:
    db = data / "vouchy.db"
    if not db.exists():
        return {}
    conn = sqlite3.connect(db)
    try:
        return {
            u: (xp, level)
            for u, xp, level in conn.execute(
                "SELECT user_id, xp, level FROM levels_members WHERE guild_id = ?", (GUILD,)
            )
        }
    finally:
        conn.close()


def log(data: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(data / "vouchy.db")
    try:
        return conn.execute(
            "SELECT user_id, source, xp, reason FROM levels_xp_log WHERE guild_id = ?"
            " ORDER BY user_id, reference",
            (GUILD,),
        ).fetchall()
    finally:
        conn.close()


def test_an_xp_file_gives_each_member_their_xp_and_level_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    mee6 = write(tmp_path / "mee6.csv", f"id,username,level,xp\n{ALICE},a,5,1300\n{BOB},b,1,180\n")
    assert run(data, "import", "xp-csv", str(mee6), "--guild", str(GUILD), "--check") == 0
    assert members(data) == {}  # checked only
    assert run(data, "import", "xp-csv", str(mee6), "--guild", str(GUILD)) == 0
    assert members(data) == {ALICE: (1300, 5), BOB: (180, 1)}
    assert log(data) == [
        (ALICE, "import", 1300, "imported from mee6.csv"),
        (BOB, "import", 180, "imported from mee6.csv"),
    ]
    assert run(data, "import", "xp-csv", str(mee6), "--guild", str(GUILD)) == 0  # again
    assert members(data) == {ALICE: (1300, 5), BOB: (180, 1)} and len(log(data)) == 2
    assert run(data, "audit") == 0


def test_a_second_bots_file_is_refused_unless_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    first = write(tmp_path / "first.csv", f"user_id,xp\n{ALICE},100\n")
    other = write(tmp_path / "other.csv", f"user_id,level\n{ALICE},2\n{CAROL},1\n")
    assert run(data, "import", "xp-csv", str(first), "--guild", str(GUILD)) == 0
    capsys.readouterr()
    assert run(data, "import", "xp-csv", str(other), "--guild", str(GUILD)) == 2
    assert "already given XP by an earlier import" in capsys.readouterr().err
    assert members(data) == {ALICE: (100, 1)}
    assert run(data, "import", "xp-csv", str(other), "--guild", str(GUILD), "--merge") == 0
    assert members(data) == {ALICE: (100 + xp_for_level(2), 2), CAROL: (100, 1)}


def test_a_bad_line_refuses_the_whole_file_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    bad = write(tmp_path / "bad.csv", f"user_id,xp\n{ALICE},100\n{BOB},lots\n")
    assert run(data, "import", "xp-csv", str(bad), "--guild", str(GUILD)) == 2
    assert "line 3: XP 'lots' is not a whole number; nothing was imported" in (
        capsys.readouterr().err
    )
    assert members(data) == {}


def test_levels_in_a_file_are_read_under_the_guilds_own_curve(tmp_path: Path) -> None:
    data = tmp_path / "data"
    config = load_config(env={"VOUCHY_DATA_DIR": str(data)})

    async def flat_curve() -> None:
        async with Vouchy(config) as app:
            await app.update_settings(
                GUILD,
                "levels",
                {"curve_quadratic": 0, "curve_linear": 0, "curve_constant": 1_000},
                updated_by=1,
                reference="curve",
            )

    asyncio.run(flat_curve())
    levels = write(tmp_path / "levels.csv", f"id,lvl\n{ALICE},3\n")
    assert run(data, "import", "xp-csv", str(levels), "--guild", str(GUILD)) == 0
    assert members(data) == {ALICE: (3_000, 3)}
