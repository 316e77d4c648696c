"""``python -m vouchy import vouches-csv FILE --guild G``: a whole file or nothing, each row
once; an imported vouch whose message Discord sends later is the same vouch."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from vouchy.app import Vouchy, load_config
from vouchy.cli import main
from vouchy.features.vouches.detect import ProofImage
from vouchy.features.vouches.importing import parse_vouches_csv
from vouchy.features.vouches.model import Attachment, Mention, VouchMessage, snowflake_at
from vouchy.features.vouches.service import VouchesService

GUILD = 910_000_000_000_000_001
SELLER, OTHER = 910_000_000_000_000_010, 910_000_000_000_000_011
ALICE, BOB = 910_000_000_000_000_020, 910_000_000_000_000_021
MESSAGE = snowflake_at(1_717_200_000_000) + 5  # 2024-06-01

GOOD = f"""provider,voucher,time,message_id
{SELLER},{ALICE},2024-03-12T14:02:00Z,
{SELLER},{BOB},1710252120,
{OTHER},{ALICE},2024-06-01T00:00:00Z,{MESSAGE}
"""


def run(tmp_path: Path, *args: str) -> int:
    return main(["--data", str(tmp_path / "data"), "import", "vouches-csv", *args])


def vouches(tmp_path: Path) -> list[tuple]:
    db = tmp_path / "data" / "vouchy.db"
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return (
            conn.execute(
                "SELECT provider_id, voucher_id, created_at, state, source, message_id, voucher_points"
                " FROM vouches ORDER BY created_at, voucher_id"
            ).fetchall()
            + conn.execute("SELECT * FROM vouch_counts ORDER BY 2").fetchall()
        )
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def no_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VOUCHY_CONFIG", raising=False)


def test_a_file_is_imported_once_however_often_it_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "vouches.csv"
    path.write_text(GOOD)
    assert run(tmp_path, str(path), "--guild", str(GUILD)) == 0
    assert "3 vouches added, 0 already known, of 3" in capsys.readouterr().out
    imported = vouches(tmp_path)
    assert imported == [
        (SELLER, ALICE, 1710252120000, "accepted", "import", None, 0),
        (SELLER, BOB, 1710252120000, "accepted", "import", None, 0),
        (OTHER, ALICE, 1717200000000, "accepted", "import", MESSAGE, 0),
        (GUILD, SELLER, 2),
        (GUILD, OTHER, 1),
    ]
    # The same vouches again, re-exported in another order and spelling: nothing twice.
    path.write_text(
        f"voucher;provider;timestamp;msg_id\n{BOB};{SELLER};2024-03-12 14:02:00+00:00;\n"
        f"{ALICE};{OTHER};1717200000000;{MESSAGE}\n"
    )
    assert run(tmp_path, str(path), "--guild", str(GUILD)) == 0
    assert "0 vouches added, 2 already known, of 2" in capsys.readouterr().out
    assert vouches(tmp_path) == imported


def test_one_bad_row_refuses_the_whole_file_naming_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "vouches.csv"
    path.write_text(GOOD + f"{ALICE},{ALICE},2024-03-12T14:02:00Z,\n")
    assert run(tmp_path, str(path), "--guild", str(GUILD)) == 2
    err = capsys.readouterr().err
    assert "line 5" in err and "the same member" in err and "Nothing was imported" in err
    assert vouches(tmp_path) == []
    assert run(tmp_path, str(tmp_path / "missing.csv"), "--guild", str(GUILD)) == 2
    assert "no such file" in capsys.readouterr().err


def test_check_validates_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "vouches.csv"
    path.write_text(GOOD)
    assert run(tmp_path, str(path), "--guild", str(GUILD), "--check") == 0
    assert "valid; 3 vouches; nothing written" in capsys.readouterr().out
    assert vouches(tmp_path) == []


async def test_an_imported_vouch_whose_message_arrives_later_is_the_same_vouch(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vouches.csv"
    path.write_text(GOOD)
    config = load_config(env={"VOUCHY_DATA_DIR": str(tmp_path / "data")})
    async with Vouchy(config) as app:
        service = app.service(VouchesService)
        parsed = parse_vouches_csv(path.read_bytes(), guild_id=GUILD, now_ms=1_800_000_000_000)
        first = await service.import_vouches(parsed)
        assert (first.imported, first.already) == (3, 0)
        await app.update_settings(
            GUILD, "vouches", {"channels": [77]}, updated_by=1, reference="settings-1"
        )

        async def never(_image: ProofImage) -> int:
            raise AssertionError("a known message's screenshot is never fetched")

        message = VouchMessage(
            message_id=MESSAGE,
            guild_id=GUILD,
            channel_id=77,
            author_id=ALICE,
            attachments=(Attachment(id=1, filename="p.png", url="https://cdn.discordapp.com/x"),),
            mentions=(Mention(user_id=OTHER),),
        )
        outcome = await service.on_message(message, never)
        assert outcome.result == "duplicate"
        assert await service.count(GUILD, OTHER) == 1
