"""Moving in from older bots: ``python -m vouchy import points-json|csv FILE --guild ID``."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from vouchy.app import Vouchy, load_config
from vouchy.cli import main
from vouchy.core.config import Config
from vouchy.ops import importer
from vouchy.store import bulk
from vouchy.store.durability.lock import DataLock

GUILD = 111_111_111_111_111_111
OTHER_GUILD = 222_222_222_222_222_222
ALICE = 300_000_000_000_000_001
BOB = 300_000_000_000_000_002
CAROL = 300_000_000_000_000_003


def config_for(data: Path) -> Config:
    return load_config(env={"VOUCHY_DATA_DIR": str(data)})


def run(data: Path, *args: str) -> int:
    return main(["--data", str(data), *args])


def dump(data: Path) -> dict[str, list[tuple]]:
    db = data / "vouchy.db"
    if not db.exists():
        return {}
    conn = sqlite3.connect(db)
    try:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("accounts", "ledger")
        }
    finally:
        conn.close()


def balances(data: Path, guild: int = GUILD) -> dict[int, int]:
    conn = sqlite3.connect(data / "vouchy.db")
    try:
        return dict(
            conn.execute("SELECT user_id, balance FROM accounts WHERE guild_id = ?", (guild,))
        )
    finally:
        conn.close()


def ledger(data: Path, guild: int = GUILD) -> list[tuple]:
    conn = sqlite3.connect(data / "vouchy.db")
    try:
        return conn.execute(
            "SELECT user_id, delta, balance_after, kind, reference FROM ledger"
            " WHERE guild_id = ? ORDER BY id",
            (guild,),
        ).fetchall()
    finally:
        conn.close()


def error_lines(stderr: str) -> list[str]:
    """The one-line errors the command printed (log lines go to stderr too)."""
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def audit_is_clean(data: Path) -> bool:
    return run(data, "audit") == 0


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def earn(data: Path, user: int, amount: int, reference: str) -> None:
    """An ordinary operation in a process of its own, as the bot would have made it."""

    async def go() -> None:
        async with Vouchy(config_for(data)) as app:
            await app.points.member(GUILD, user).earn(amount, reference)

    asyncio.run(go())


# -- the formats ----------------------------------------------------------------------------------


def test_a_points_json_of_plain_numbers_opens_each_account_with_exactly_its_points(tmp_path):
    source = write(tmp_path / "points.json", json.dumps({str(ALICE): 150, str(BOB): 0}))
    assert run(tmp_path / "data", "import", "points-json", str(source), "--guild", str(GUILD)) == 0
    assert balances(tmp_path / "data") == {ALICE: 150, BOB: 0}
    tag = importer.load("points-json", source).reference_tag
    assert ledger(tmp_path / "data") == [
        (ALICE, 150, 150, "import", f"import:{tag}:{ALICE}"),
        (BOB, 0, 0, "import", f"import:{tag}:{BOB}"),
    ]
    assert audit_is_clean(tmp_path / "data")


def test_a_points_json_of_objects_holding_points_is_read_as_the_older_vouchy_kept_it(tmp_path):
    source = write(
        tmp_path / "points.json",
        json.dumps(
            {
                str(ALICE): {"points": 75, "username": "alice", "lastVouch": 1700000000000},
                str(BOB): {"points": 12.0},  # JSON.stringify of a JavaScript number
                str(CAROL): 5,
            }
        ),
    )
    assert run(tmp_path / "data", "import", "points-json", str(source), "--guild", str(GUILD)) == 0
    assert balances(tmp_path / "data") == {ALICE: 75, BOB: 12, CAROL: 5}


def test_a_csv_with_a_user_id_and_points_header_imports_each_line(tmp_path):
    source = write(
        tmp_path / "points.csv",
        f"user_id,points,username\n{ALICE},40,alice\n{BOB}, 7 ,bob\n\n",
    )
    assert run(tmp_path / "data", "import", "csv", str(source), "--guild", str(GUILD)) == 0
    assert balances(tmp_path / "data") == {ALICE: 40, BOB: 7}
    assert [row[3] for row in ledger(tmp_path / "data")] == ["import", "import"]


@pytest.mark.parametrize(
    "header, sep",
    [
        ("User ID,Points", ","),
        ("id,balance", ","),
        ("Discord ID;Points", ";"),
        ("member_id\tcoins", "\t"),
        ("\ufeffuser,score", ","),  # a byte-order mark, as Excel writes
    ],
)
def test_common_csv_header_names_are_understood(tmp_path, header, sep):
    source = write(tmp_path / "points.csv", f"{header}\n{ALICE}{sep}9\n")
    assert run(tmp_path / "data", "import", "csv", str(source), "--guild", str(GUILD)) == 0
    assert balances(tmp_path / "data") == {ALICE: 9}


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path, capsys):
    data = tmp_path / "data"
    source = write(tmp_path / "points.json", json.dumps({str(ALICE): 150, str(BOB): 30}))
    assert run(data, "import", "points-json", str(source), "--guild", str(GUILD)) == 0
    before = dump(data)
    capsys.readouterr()
    assert run(data, "import", "points-json", str(source), "--guild", str(GUILD), "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["already_imported"] == 2 and result["ledger_rows"] == 0
    assert dump(data) == before


def test_the_same_balances_as_csv_and_as_json_are_two_files_and_the_second_is_refused(tmp_path):
    """Different bytes are a different file: the guard against a member counted twice."""
    data = tmp_path / "data"
    as_json = write(tmp_path / "points.json", json.dumps({str(ALICE): 150}))
    backup = write(tmp_path / "points-backup.json", json.dumps({str(ALICE): 150}, indent=1))
    assert run(data, "import", "points-json", str(as_json), "--guild", str(GUILD)) == 0
    before = dump(data)
    assert run(data, "import", "points-json", str(backup), "--guild", str(GUILD)) == 2
    assert dump(data) == before


def test_a_second_file_adds_to_the_same_members_only_when_merged(tmp_path, capsys):
    data = tmp_path / "data"
    first = write(tmp_path / "points.json", json.dumps({str(ALICE): 150}))
    other_bot = write(tmp_path / "other.csv", f"user_id,points\n{ALICE},20\n{BOB},3\n")
    assert run(data, "import", "points-json", str(first), "--guild", str(GUILD)) == 0
    capsys.readouterr()
    assert run(data, "import", "csv", str(other_bot), "--guild", str(GUILD)) == 2
    err = capsys.readouterr().err
    [line] = error_lines(err)
    assert "already received points from an earlier import" in line and "--merge" in line
    assert balances(data) == {ALICE: 150}
    assert run(data, "import", "csv", str(other_bot), "--guild", str(GUILD), "--merge") == 0
    assert balances(data) == {ALICE: 170, BOB: 3}
    assert audit_is_clean(data)


def test_imported_points_are_added_to_a_member_who_already_has_an_account(tmp_path):
    data = tmp_path / "data"
    earn(data, ALICE, 10, "interaction-1")  # opens with the starting balance, 25
    source = write(tmp_path / "points.json", json.dumps({str(ALICE): 100, str(BOB): 0}))
    assert run(data, "import", "points-json", str(source), "--guild", str(GUILD)) == 0
    assert balances(data) == {ALICE: 135, BOB: 0}
    assert [(kind, delta) for _, delta, _, kind, _ in ledger(data)] == [
        ("start", 25),
        ("earn", 10),
        ("import", 100),
        ("import", 0),
    ]
    assert audit_is_clean(data)


def test_an_import_into_one_guild_leaves_every_other_guild_alone(tmp_path):
    data = tmp_path / "data"
    source = write(tmp_path / "points.json", json.dumps({str(ALICE): 5}))
    assert run(data, "import", "points-json", str(source), "--guild", str(GUILD)) == 0
    assert run(data, "import", "points-json", str(source), "--guild", str(OTHER_GUILD)) == 0
    assert balances(data, GUILD) == {ALICE: 5} and balances(data, OTHER_GUILD) == {ALICE: 5}


def test_check_validates_the_file_and_writes_nothing(tmp_path, capsys):
    source = write(tmp_path / "points.json", json.dumps({str(ALICE): 5, str(BOB): 6}))
    assert (
        run(tmp_path / "data", "import", "points-json", str(source), "--guild", "1", "--check") == 0
    )
    assert "2 members, 11 points" in capsys.readouterr().out
    assert not (tmp_path / "data" / "vouchy.db").exists()


# -- malformed files: refused whole, naming the line or key, nothing written ----------------------

MALFORMED = [
    ("points.json", f'{{\n  "{ALICE}": 5,\n  "{BOB}": 6,\n', "line 4"),  # cut short
    ("points.json", f'{{"{ALICE}": 5, "{BOB}": "lots"}}', f"key '{BOB}'"),
    ("points.json", f'{{"{ALICE}": 5, "{BOB}": 2.5}}', "not a whole number"),
    ("points.json", f'{{"{ALICE}": 5, "{BOB}": true}}', "not a whole number"),
    ("points.json", f'{{"{ALICE}": 5, "{BOB}": -3}}', "negative"),
    ("points.json", f'{{"{ALICE}": 5, "alice": 3}}', "key 'alice'"),
    ("points.json", f'{{"{ALICE}": 5, "0": 3}}', "not a Discord id"),
    ("points.json", f'{{"{ALICE}": 5, "-{BOB}": 3}}', "not a Discord id"),
    ("points.json", f'{{"{ALICE}": 5, "99999999999999999999": 3}}', "not a Discord id"),
    ("points.json", f'{{"{ALICE}": 5, "{ALICE}": 3}}', "listed twice"),
    ("points.json", f'{{"{ALICE}": {{"coins": 5}}}}', 'no "points" field'),
    ("points.json", "[1, 2, 3]", "expected an object"),
    ("points.json", "", "line 1"),
    ("points.csv", f"user_id,points\n{ALICE},5\n{BOB},abc\n", "line 3"),
    ("points.csv", f"user_id,points\n{ALICE},5\n{BOB},-1\n", "line 3: points -1 is negative"),
    ("points.csv", f"user_id,points\n{ALICE},5\nbob,1\n", "line 3: user id 'bob'"),
    ("points.csv", f"user_id,points\n{ALICE},5\n{BOB},1\n{ALICE},2\n", "line 4: user"),
    ("points.csv", f"user_id,name\n{ALICE},alice\n", "line 1: no points column"),
    ("points.csv", "name,points\nalice,5\n", "line 1: no user id column"),
    ("points.csv", f"{ALICE},5\n", "line 1: no user id or points column"),
    ("points.csv", f"user_id,points\n{ALICE}\n", "line 2: 1 cells"),
    ("points.csv", "", "empty"),
    ("points.csv", f'user_id,points\n"{ALICE},5\n', "line"),  # an unclosed quote
]


@pytest.mark.parametrize("name, content, fault", MALFORMED)
def test_a_malformed_file_is_refused_whole_naming_the_fault_and_nothing_is_written(
    tmp_path, capsys, name, content, fault
):
    data = tmp_path / "data"
    earn(data, CAROL, 1, "interaction-before")  # the database exists and holds rows
    before = dump(data)
    source = write(tmp_path / name, content)
    fmt = "csv" if name.endswith(".csv") else "points-json"
    capsys.readouterr()
    assert run(data, "import", fmt, str(source), "--guild", str(GUILD)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert fault in err, err
    assert "nothing was imported" in err or "expected a header" in err
    assert dump(data) == before


def test_a_file_that_is_not_utf8_is_refused(tmp_path, capsys):
    source = tmp_path / "points.csv"
    source.write_bytes(b"user_id,points\n\xff\xfe,5\n")
    assert run(tmp_path / "data", "import", "csv", str(source), "--guild", str(GUILD)) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_a_missing_file_is_one_line_of_error(tmp_path, capsys):
    missing = tmp_path / "nope.json"
    assert run(tmp_path / "data", "import", "points-json", str(missing), "--guild", "1") == 2
    assert capsys.readouterr().err == f"error: {missing}: no such file\n"


def test_import_is_refused_while_the_bot_holds_the_data_directory(tmp_path, capsys):
    data = tmp_path / "data"
    source = write(tmp_path / "points.json", json.dumps({str(ALICE): 5}))
    lock = DataLock(data).acquire()  # what the running bot's writer holds
    try:
        assert run(data, "import", "points-json", str(source), "--guild", str(GUILD)) == 2
    finally:
        lock.release()
    err = capsys.readouterr().err
    [line] = error_lines(err)
    assert line.startswith("error: cannot import while the bot runs: ")
    assert "is in use by pid" in line and "Stop the bot, import, then start it again" in line
    assert not dump(data).get("ledger")


# -- the bulk path keeps the writer's promises ----------------------------------------------------


class RecordingJournal:
    def __init__(self, fail: bool = False) -> None:
        self.batches: list = []
        self.fail = fail
        self.undone = 0

    def begin(self, data_id, first_seq, tables):
        pass

    def append(self, ws):
        if self.fail:
            raise OSError(28, "No space left on device")
        self.batches.append(ws)

    def undo(self):
        self.undone += 1
        return True


async def test_imported_rows_are_appended_to_the_journal_inside_their_transaction(tmp_path):
    journal = RecordingJournal()
    async with Vouchy(config_for(tmp_path), journal=journal) as app:
        result = await bulk.import_balances(app.writer, GUILD, "feedfacefeedface", [(ALICE, 7)])
    assert result.ledger_rows == 1
    [batch] = journal.batches  # the whole import is one batch: one journal record
    [row] = batch.ledger
    assert row[1:8] == (
        GUILD,
        ALICE,
        7,
        7,
        "import",
        f"import:feedfacefeedface:{ALICE}",
        "imported",
    )
    assert [op.reference for op in batch.operations] == [f"import:feedfacefeedface:{ALICE}"]
    assert ledger(tmp_path) == [(ALICE, 7, 7, "import", f"import:feedfacefeedface:{ALICE}")]


async def test_an_import_whose_journal_append_fails_writes_nothing(tmp_path):
    journal = RecordingJournal(fail=True)
    async with Vouchy(config_for(tmp_path), journal=journal) as app:
        with pytest.raises(OSError):
            await bulk.import_balances(app.writer, GUILD, "feedfacefeedface", [(ALICE, 7)])
    assert ledger(tmp_path) == []
    assert balances(tmp_path) == {}


async def test_the_writer_goes_on_after_an_import_from_the_imported_balances(tmp_path):
    listened: list = []
    async with Vouchy(config_for(tmp_path)) as app:
        app.writer.listeners.append(listened.extend)
        # Alice's account is in the writer's cache before the import.
        await app.points.member(GUILD, ALICE).earn(5, "interaction-1")
        await bulk.import_balances(app.writer, GUILD, "0123456789abcdef", [(ALICE, 100), (BOB, 9)])
        after = await app.points.member(GUILD, ALICE).earn(1, "interaction-2")
        bob = await app.points.member(GUILD, BOB).spend(9, "interaction-3")
        report = await app.audit()
    assert after.balance == 25 + 5 + 100 + 1
    assert bob.balance == 0
    assert report.clean
    assert [r.kind for r in listened] == ["earn", "import", "import", "earn", "spend"]
    ids = [r.ledger_id for r in listened]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_import_references_name_the_file_and_the_member():
    loaded = importer.parse_points_json(b'{"%d": 1}' % ALICE)
    assert loaded.reference(ALICE) == f"import:{loaded.digest[:16]}:{ALICE}"
    assert importer.parse_reference(loaded.reference(ALICE)) == (loaded.digest[:16], ALICE)


def test_imported_balances_survive_losing_the_database_through_the_journal(tmp_path):
    data = tmp_path / "data"
    source = write(tmp_path / "points.json", json.dumps({str(ALICE): 150, str(BOB): 3}))
    assert run(data, "import", "points-json", str(source), "--guild", str(GUILD)) == 0
    earn(data, ALICE, 10, "interaction-after")
    before = balances(data)
    for name in ("vouchy.db", "vouchy.db-wal", "vouchy.db-shm"):
        (data / name).unlink(missing_ok=True)

    async def reopen() -> None:
        async with Vouchy(config_for(data)) as app:
            assert app.recovery is not None
            assert (await app.audit()).clean

    asyncio.run(reopen())
    assert balances(data) == before == {ALICE: 160, BOB: 3}
    # The rebuilt ledger still knows the import: the same file changes nothing.
    assert run(data, "import", "points-json", str(source), "--guild", str(GUILD)) == 0
    assert balances(data) == before


async def test_a_bulk_import_between_live_operations_keeps_every_balance_equal_to_its_ledger(
    tmp_path,
):
    from support import open_app

    from vouchy.store.bulk import import_balances

    app = await open_app(tmp_path / "live")
    try:
        before = [app.points.member(1, 900 + i % 5).earn(3, f"pre{i}") for i in range(300)]
        imported = asyncio.ensure_future(
            import_balances(app.writer, 1, "livefile", [(900, 50), (7000, 70)])
        )
        after = [app.points.member(1, 900 + i % 5).earn(2, f"post{i}") for i in range(300)]
        await asyncio.gather(*before, imported, *after)
        report = await app.audit()
        assert report.clean, report.discrepancies
        # Member 900: 25 + 60 earns of 3 + the import of 50 + 60 earns of 2.
        assert (await app.points.member(1, 900).account()).balance == 25 + 180 + 50 + 120
        assert (await app.points.member(1, 7000).account()).balance == 70
        ids = [r.ledger_id for r in await asyncio.gather(*after)]
        assert min(ids) > imported.result().last_ledger_id
    finally:
        await app.close()
