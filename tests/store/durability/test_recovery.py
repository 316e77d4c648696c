"""The start-up check and automatic recovery (invariant 7): a missing or damaged database is
detected and rebuilt from a verified snapshot plus the journal (or the journal alone) with no
acknowledged operation lost, never silently replaced by an empty one."""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
import struct
from pathlib import Path
from typing import NamedTuple

import pytest
from support.durability import (
    GUILDS,
    USERS,
    audit_clean,
    captured_logs,
    config_for,
    crash_image,
    events,
    ledger,
    load,
    logs_to_memory,  # noqa: F401 (an autouse fixture)
    missing,
)

from vouchy.app import Vouchy
from vouchy.cli import main
from vouchy.core.config import Config
from vouchy.store.durability.files import sqlite_files
from vouchy.store.durability.journal import Journal, frame
from vouchy.store.durability.recovery import DatabaseUnrecoverable

G = GUILDS[0]
TRIALS = 45
# (which files, what damage): "crash" is the data directory as a crash left it (a WAL, an
# unclosed journal), "closed" the same history after a clean close (everything in the file).
DAMAGES = (
    ("crash", "delete db"),
    ("crash", "delete wal"),
    ("crash", "delete db and wal"),
    ("crash", "truncate db"),
    ("crash", "truncate wal"),
    ("crash", "flip wal"),
    ("crash", "flip db pages and truncate wal"),
    ("closed", "delete db"),
    ("closed", "truncate db"),
    ("closed", "flip db header"),
    ("closed", "flip db pages"),
    ("closed", "flip db pages"),
)


class Scene(NamedTuple):
    config: Config
    acks: dict
    images: dict[str, Path]  # the data directory: as a crash left it, after a clean close
    snapshots: Path  # the snapshot directory as it was


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Scene:
    """Operations, a clean restart (their pages now in the main file), a snapshot mid-way,
    more operations, then the files as a crash would leave them (WAL, unclosed journal)."""
    root = tmp_path_factory.mktemp("scene")
    config = config_for(root)
    acks: dict = {}
    images = {"crash": root / "crash", "closed": root / "closed"}

    async def build() -> None:
        async with Vouchy(config) as app:
            await load(app, random.Random(31), 150, acks, "p1")
        async with Vouchy(config) as app:
            await app.snapshot_now()
            await load(app, random.Random(32), 150, acks, "p2")
            crash_image(config.db_path, images["crash"])
            shutil.copytree(config.journal_dir, images["crash"] / "journal")
        shutil.copytree(config.data_dir, images["closed"])

    asyncio.run(build())
    shutil.copytree(config.snapshot_dir, root / "snapshots-as-taken")
    return Scene(config, acks, images, root / "snapshots-as-taken")


def put_back(scene: Scene, image: str) -> None:
    config = scene.config
    shutil.rmtree(config.data_dir)
    shutil.copytree(scene.images[image], config.data_dir)
    shutil.rmtree(config.snapshot_dir)
    shutil.copytree(scene.snapshots, config.snapshot_dir)


def flip(path: Path, offsets: list[int], rng: random.Random) -> None:
    raw = bytearray(path.read_bytes())
    for offset in offsets:
        raw[offset] ^= rng.randint(1, 255)
    path.write_bytes(raw)


def btree_offsets(db: Path, rng: random.Random, count: int) -> list[int]:
    """Bytes SQLite reads on every visit of a b-tree page: its header and cell pointers."""
    raw = db.read_bytes()
    size = struct.unpack(">H", raw[16:18])[0] or 65536
    found = []
    for _ in range(200):
        page = rng.randrange(len(raw) // size)
        start = page * size + (100 if page == 0 else 0)
        kind = raw[start]
        if kind not in (2, 5, 10, 13):
            continue
        cells = struct.unpack(">H", raw[start + 3 : start + 5])[0]
        header = 8 if kind in (10, 13) else 12
        found.append(start + rng.randrange(header + 2 * cells))
        if len(found) == count:
            break
    return found


def damage(kind: str, db: Path, rng: random.Random) -> None:
    wal = db.with_name(db.name + "-wal")
    if kind.startswith("delete"):
        if "db" in kind:
            db.unlink()
        if "wal" in kind and wal.exists():
            wal.unlink()
        return
    if "truncate db" in kind:
        with open(db, "r+b") as f:
            f.truncate(rng.randrange(db.stat().st_size))
    if "truncate wal" in kind and wal.exists():
        with open(wal, "r+b") as f:
            f.truncate(rng.randrange(wal.stat().st_size))
    if "flip db header" in kind:
        flip(db, rng.sample(range(100), rng.randint(1, 3)), rng)
    if "flip db pages" in kind:
        flip(db, btree_offsets(db, rng, rng.randint(1, 3)), rng)
    if "flip wal" in kind and wal.exists():
        flip(wal, [rng.randrange(32, wal.stat().st_size) for _ in range(rng.randint(1, 3))], rng)


def harmful(db: Path, acks: dict, scratch: Path) -> bool:
    """Whether the damaged files, opened as they are, lose or garble acknowledged data."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    for path in sqlite_files(db)[:2]:
        if path.exists():
            shutil.copy(path, scratch / path.name)
    copy = scratch / db.name
    if not copy.exists():
        return True
    try:
        conn = sqlite3.connect(copy)
        try:
            if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                return True
            conn.execute("CREATE TABLE probe (x)")  # it must take writes too
            conn.execute("DROP TABLE probe")
        finally:
            conn.close()
        return bool(missing(copy, acks)) or not audit_clean(copy)
    except sqlite3.Error:
        return True


def test_random_damage_to_the_database_or_its_wal_is_detected_and_loses_nothing_acknowledged(
    scene, tmp_path
):
    rng = random.Random(20261121)
    config = scene.config
    outcomes: dict[str, list[str]] = {}
    for trial in range(TRIALS):
        image, kind = DAMAGES[trial] if trial < len(DAMAGES) else rng.choice(DAMAGES)
        put_back(scene, image)
        damage(kind, config.db_path, rng)
        bad = harmful(config.db_path, scene.acks, tmp_path / "scratch")

        async def start(trial: int = trial) -> str:
            async with Vouchy(config) as app:  # through the start-up check
                await app.points.member(G, USERS[0]).earn(1, f"trial-{trial}")
                return app.recovery.action

        action = asyncio.run(start())
        where = f"trial {trial} ({image}, {kind}): {action}"
        if bad:
            assert action == "recovered", f"undetected harmful damage, {where}"
        assert not missing(config.db_path, scene.acks), where
        assert audit_clean(config.db_path), where
        outcomes.setdefault(f"{image}: {kind}", []).append(
            action if bad else f"{action} (harmless)"
        )
    harmful_trials = sum(1 for v in outcomes.values() for a in v if "harmless" not in a)
    assert harmful_trials >= TRIALS // 2, outcomes  # the trials mostly do damage


async def test_a_missing_database_with_only_a_journal_is_rebuilt_from_it(tmp_path):
    config = config_for(tmp_path)
    acks: dict = {}
    async with Vouchy(config) as app:
        await load(app, random.Random(33), 80, acks, "j")
    before = ledger(config.db_path)
    config.db_path.unlink()
    with captured_logs() as logs:
        async with Vouchy(config) as app:
            assert app.recovery.action == "recovered" and app.recovery.base == "journal"
    assert ledger(config.db_path) == before and audit_clean(config.db_path)
    [event] = events(logs, "database_recovered")
    assert event["log_level"] == "error"
    assert event["replayed"] == Journal(config.journal_dir).scan().last_seq  # every batch


async def test_batches_the_database_lost_with_its_wal_are_rebuilt_from_the_journal(tmp_path):
    """A crash, then the WAL is lost: the database file lacks its last batches, the journal
    has them. More than the one batch a crash can leave uncommitted is missing, so the
    database is not trusted as it is: it is rebuilt, and nothing acknowledged is lost."""
    config = config_for(tmp_path)
    acks: dict = {}
    async with Vouchy(config) as app:
        await load(app, random.Random(34), 40, acks, "w")
        crash_image(config.db_path, tmp_path / "image")
        shutil.copytree(config.journal_dir, tmp_path / "image" / "journal")
        shutil.copy(config.data_dir / "vouchy.id", tmp_path / "image" / "vouchy.id")
    shutil.rmtree(config.data_dir)
    shutil.copytree(tmp_path / "image", config.data_dir)
    config.db_path.with_name("vouchy.db-wal").unlink()
    async with Vouchy(config) as app:
        assert app.recovery.action == "recovered", app.recovery
    assert not missing(config.db_path, acks)
    assert audit_clean(config.db_path)


async def test_a_damaged_database_with_nothing_to_rebuild_from_refuses_to_start(tmp_path, capsys):
    config = config_for(tmp_path)
    async with Vouchy(config, journal=False) as app:
        await load(app, random.Random(35), 20, {}, "n")
    flip(config.db_path, list(range(16)), random.Random(1))  # "SQLite format 3" is gone
    before = config.db_path.read_bytes()
    with pytest.raises(DatabaseUnrecoverable, match="--fresh"):
        await Vouchy(config).start()
    assert config.db_path.read_bytes() == before  # nothing was changed
    data = ["--data", str(config.data_dir)]
    code = await asyncio.to_thread(main, [*data, "balance", str(G), str(USERS[0])])
    err = capsys.readouterr().err
    assert code == 2 and "--fresh" in err and "Traceback" not in err
    with captured_logs() as logs:
        async with Vouchy(config, fresh=True) as app:
            assert app.recovery.action == "fresh"
            assert (
                await app.points.member(G, USERS[0]).account()
            ).balance == 25  # empty, opened anew
    assert events(logs, "database_started_fresh")
    [aside] = config.data_dir.glob("set-aside-*")
    assert (aside / "vouchy.db").read_bytes() == before  # kept, never deleted


async def test_recovery_uses_only_snapshots_of_its_own_data_directory(tmp_path):
    shared = tmp_path / "shared-snapshots"
    mine = config_for(tmp_path / "a", snapshots_dir=str(shared))
    async with Vouchy(mine) as app:
        await load(app, random.Random(36), 20, {}, "a")
        await app.snapshot_now()
    other = config_for(tmp_path / "b", snapshots_dir=str(shared))
    async with Vouchy(other) as app:
        assert app.recovery.action == "created"
        assert (await app.audit()).accounts == 0


def test_every_command_that_opens_the_database_runs_the_check_first(tmp_path, capsys, monkeypatch):
    config = config_for(tmp_path)
    acks: dict = {}

    async def fill() -> int:
        async with Vouchy(config) as app:
            await load(app, random.Random(37), 40, acks, "c")
            await app.snapshot_now()
            await load(app, random.Random(38), 40, acks, "d")
            return (await app.points.member(G, USERS[1]).account()).balance

    balance = asyncio.run(fill())
    config.db_path.unlink()
    data = ["--data", str(config.data_dir)]
    monkeypatch.setenv("VOUCHY_SNAPSHOTS_DIR", str(config.snapshot_dir))
    assert main([*data, "balance", str(G), str(USERS[1])]) == 0  # a read-only command
    assert capsys.readouterr().out.startswith(f"{balance} points")
    assert not missing(config.db_path, acks)


# -- a damaged journal never makes a rebuild start with less, silently -------------------------


async def _history(config: Config, snapshot_at: int | None = None) -> dict:
    """A few batches (a snapshot after ``snapshot_at`` of them), then a clean close."""
    acks: dict = {}
    async with Vouchy(config) as app:
        for n in range(6):
            await load(app, random.Random(40 + n), 6, acks, f"b{n}")
            if n == snapshot_at:
                await app.snapshot_now()
        await app.update_settings(G, "core", {"locale": "fr"}, updated_by=9, reference="late")
    return acks


def _flip_last_record(journal: Journal) -> None:
    path = journal.segments()[-1].path
    lines = path.read_bytes().split(b"\n")
    i = max(n for n, line in enumerate(lines) if line[8:10] == b" [")  # the last batch

    line = bytearray(lines[i])
    at = line.index(b'"late"') if b'"late"' in line else len(line) // 2
    line[at + 1] ^= 0x01  # still valid JSON, a changed reference
    lines[i] = bytes(line)
    path.write_bytes(b"\n".join(lines))


def _cut_last_segment(journal: Journal) -> None:
    path = journal.segments()[-1].path
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _delete_newest_segment(journal: Journal) -> None:
    journal.segments()[-1].path.unlink()


JOURNAL_DAMAGE = {
    "a flipped byte in the last record": _flip_last_record,
    "the last segment cut in half": _cut_last_segment,
    "the newest segment deleted": _delete_newest_segment,
}


@pytest.mark.parametrize("name", list(JOURNAL_DAMAGE))
async def test_journal_damage_with_the_database_lost_is_refused_naming_it(tmp_path, name):
    config = config_for(tmp_path)
    await _history(config, snapshot_at=1)
    journal = Journal(config.journal_dir)
    if name == "the newest segment deleted":
        async with Vouchy(config) as app:  # a new segment with batches after the last snapshot
            await app.points.member(G, USERS[0]).earn(3, "in-the-newest-segment")
    JOURNAL_DAMAGE[name](journal)
    for path in sqlite_files(config.db_path):
        path.unlink(missing_ok=True)
    with captured_logs() as logs, pytest.raises(DatabaseUnrecoverable) as refused:
        await Vouchy(config).start()
    message = refused.value.message
    assert "--accept-loss" in message and "could be missing" in message
    assert not config.db_path.exists()  # nothing installed: no silent start with less
    assert events(logs, "database_check_failed")
    # The operator chooses: rebuild from what is usable, and it says exactly what was lost.
    with captured_logs() as logs:
        async with Vouchy(config, accept_loss=True) as app:
            assert app.recovery.action == "recovered" and app.recovery.lost
            assert (await app.audit()).clean
    [accepted] = events(logs, "journal_loss_accepted")
    assert accepted["lost"] == app.recovery.lost


async def test_a_damaged_record_the_database_holds_is_covered_by_a_snapshot_at_once(tmp_path):
    config = config_for(tmp_path)
    acks = await _history(config)
    _flip_last_record(Journal(config.journal_dir))
    with captured_logs() as logs:
        async with Vouchy(config) as app:  # the database is sound and holds every batch
            assert app.recovery.action in ("ok", "tail_discarded") and app.recovery.needs_snapshot
            settings = await app.settings.get(G, "core")
    assert settings.locale == "fr"
    assert events(logs, "journal_behind_database") and events(logs, "snapshot_verified")
    # Now the database is lost too: the snapshot taken at start covers the damaged record.
    for path in sqlite_files(config.db_path):
        path.unlink(missing_ok=True)
    async with Vouchy(config) as app:
        assert app.recovery.action == "recovered" and not app.recovery.lost
        assert (await app.settings.get(G, "core")).locale == "fr"
    assert not missing(config.db_path, acks)


async def test_a_record_cut_short_by_a_crash_is_set_aside_never_applied(tmp_path):
    config = config_for(tmp_path)
    acks = await _history(config)
    journal = Journal(config.journal_dir)
    path = journal.segments()[-1].path
    torn = frame(b"[99999,1,[],[],[],{},{}]")[:-12]  # a record the crash cut off
    path.write_bytes(path.read_bytes() + torn)
    with captured_logs() as logs:
        async with Vouchy(config) as app:
            assert app.recovery.action == "tail_discarded" and app.recovery.discarded >= 1
            await app.points.member(G, USERS[0]).earn(1, "after")
    assert events(logs, "journal_tail_discarded")
    assert torn in b"".join(
        p.read_bytes() for p in (config.data_dir / "journal-set-aside").iterdir()
    )
    assert not missing(config.db_path, acks) and audit_clean(config.db_path)


async def test_leftovers_of_an_interrupted_rebuild_are_removed_at_start(tmp_path):
    config = config_for(tmp_path)
    async with Vouchy(config) as app:
        await app.points.member(G, USERS[0]).earn(1, "x")
    leftover = config.data_dir / ".rebuilding-20261121T000000Z.db"
    leftover.write_bytes(b"x" * 1024)
    (config.data_dir / ".rebuilding-20261121T000000Z.db-wal").write_bytes(b"y")
    with captured_logs() as logs:
        async with Vouchy(config):
            pass
    assert not list(config.data_dir.glob(".rebuilding-*"))
    assert len(events(logs, "rebuild_leftover_removed")) == 2


async def test_a_data_directory_holding_another_ones_journal_is_refused(tmp_path):
    a, b = config_for(tmp_path / "a"), config_for(tmp_path / "b")
    for config in (a, b):
        async with Vouchy(config) as app:
            await app.points.member(G, USERS[0]).earn(1, "x")
    shutil.rmtree(a.journal_dir)
    shutil.copytree(b.journal_dir, a.journal_dir)  # an operator copied the wrong folder
    with pytest.raises(DatabaseUnrecoverable, match="different data directories"):
        await Vouchy(a).start()
