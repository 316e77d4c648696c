"""Durability subcommands: ``snapshot``, ``snapshots``, ``verify``, ``restore``, ``status``.

A snapshot is named by what ``snapshots`` lists and is looked up in the snapshot directory
only. ``verify`` exits 0 when the snapshot is sound and 1 (with the reason) when not; refusals
(a snapshot that fails, a running bot, a name outside the directory) are one line and exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import msgspec

from vouchy.app import snapshot_job, startup_check
from vouchy.cli import common
from vouchy.cli.common import print_json, require_database
from vouchy.core.config import Config
from vouchy.core.errors import VouchyError
from vouchy.store.durability.journal import Journal
from vouchy.store.durability.recovery import restore as restore_snapshot
from vouchy.store.durability.report import storage_report
from vouchy.store.durability.snapshots import list_snapshots, resolve_snapshot, verify_snapshot

EXIT_UNSOUND = 1


class NotConfirmed(VouchyError):
    code = "not_confirmed"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("snapshot", help="take a verified snapshot now and print its path")
    p.set_defaults(func=snapshot)

    p = sub.add_parser("snapshots", help="list the snapshots: time, age, size, verified")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=snapshots)

    p = sub.add_parser(
        "verify",
        help="check a snapshot: sha256, integrity, ledger audit, manifest (exit 1 if unsound)",
    )
    p.add_argument("snapshot", metavar="SNAPSHOT", help="a name from `snapshots`")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=verify)

    p = sub.add_parser(
        "restore",
        help="replace the database with a verified snapshot plus the journal after it "
        "(stop the bot first)",
    )
    p.add_argument("snapshot", metavar="SNAPSHOT", help="a name from `snapshots`")
    p.add_argument(
        "--no-replay",
        action="store_true",
        help="restore the snapshot as it was; journal rows after it are set aside, not applied",
    )
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=restore)

    p = sub.add_parser(
        "status",
        help="storage report: database and WAL size, snapshots, journal, accounts, quick_check",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=status)


def _age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86_400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


async def snapshot(_args: argparse.Namespace, config: Config) -> int:
    common.require_data(config)
    common.say_recovery(
        await startup_check(config, fresh=common.fresh_start, accept_loss=common.accept_loss)
    )
    require_database(config)
    taken = await asyncio.to_thread(snapshot_job, config, Journal(config.journal_dir))
    print(taken.path)
    return 0


def snapshots(args: argparse.Namespace, config: Config) -> int:
    found = list_snapshots(config.snapshot_dir)
    if args.json:
        print_json(found)
        return 0
    if not found:
        print(f"no snapshots in {config.snapshot_dir}")
        return 0
    print(f"{'NAME':<34} {'TAKEN (UTC)':<20} {'AGE':>8} {'SIZE':>11} {'LAST ID':>10}  VERIFIED")
    for s in found:
        verified = "yes" if s.verified else f"NO: {s.problem}"
        print(
            f"{s.name:<34} {s.created_at[:19].replace('T', ' '):<20} {_age(s.age_s):>8} "
            f"{_size(s.size):>11} {s.last_ledger_id:>10}  {verified}"
        )
    return 0


def verify(args: argparse.Namespace, config: Config) -> int:
    path = resolve_snapshot(config.snapshot_dir, args.snapshot)
    verdict = verify_snapshot(path)
    if args.json:
        print_json({"ok": verdict.ok, **msgspec.to_builtins(verdict)})
    elif verdict.ok:
        facts = verdict.manifest.facts  # type: ignore[union-attr]
        print(
            f"sound: {path.name} (sha256, integrity, ledger audit and manifest agree): "
            f"{facts.accounts:,} accounts, {facts.total_points:,} points, last ledger id "
            f"{facts.last_ledger_id:,}; checked in {verdict.seconds:.2f} s"
        )
    else:
        print(f"NOT sound: {path.name}: {verdict.problem}")
    return 0 if verdict.ok else EXIT_UNSOUND


def _confirm(args: argparse.Namespace, path: Path, config: Config) -> None:
    if args.yes:
        return
    what = "as it was (journal rows after it set aside)" if args.no_replay else "plus the journal"
    question = f"Replace {config.db_path} with {path.name} {what}? The current one is kept. [y/N] "
    if not sys.stdin.isatty():
        raise NotConfirmed(f"{question.split('?')[0]}? Add --yes to confirm.")
    if input(question).strip().lower() not in ("y", "yes"):
        raise NotConfirmed("nothing was changed")


async def restore(args: argparse.Namespace, config: Config) -> int:
    path = resolve_snapshot(config.snapshot_dir, args.snapshot)
    _confirm(args, path, config)
    summary = await asyncio.to_thread(
        restore_snapshot,
        path,
        config.db_path,
        config.journal_dir,
        config.snapshot_dir,
        replay_journal=not args.no_replay,
    )
    if args.json:
        print_json(summary)
        return 0
    print(
        f"restored {summary.snapshot}: {summary.replayed:,} batches replayed from the journal, "
        f"{summary.accounts:,} accounts, {summary.total_points:,} points, last batch "
        f"{summary.last_seq:,}; audit clean; {summary.seconds:.2f} s"
    )
    if summary.pre_restore:
        print(f"the previous database is kept in {summary.pre_restore}")
    if args.no_replay:
        print(f"{summary.set_aside:,} journal rows after the snapshot were set aside, not applied")
    return 0


def status(args: argparse.Namespace, config: Config) -> int:
    """Exit 0 when the database is there and sound, 1 when it is missing or damaged (it
    only looks: the next start rebuilds a missing one from the snapshots and the journal)."""
    common.require_data(config)
    r = storage_report(config.db_path, config.journal_dir, config.snapshot_dir)
    sound = r.quick_check == "ok"
    if args.json:
        print_json(r)
        return 0 if sound else EXIT_UNSOUND
    if r.last_snapshot is None:
        last = "none yet"
    else:
        state = "verified" if r.last_snapshot_verified else "NOT verified"
        age = _age(r.last_snapshot_age_s or 0)
        last = f"last {r.last_snapshot}, {age} ago, {state}"
    if r.quick_check == "missing":
        rebuild = "the next start rebuilds it from " + (
            "the snapshots and the journal" if r.snapshots or r.journal_segments else "nothing"
        )
        database = f"database   MISSING: no vouchy.db in {config.data_dir} ({rebuild})\n"
    else:
        database = (
            f"database   {config.db_path}: {_size(r.database_bytes)}, WAL {_size(r.wal_bytes)}, "
            f"quick_check {r.quick_check}\n"
            f"ledger     {r.accounts:,} accounts, {r.total_points:,} points, last ledger id "
            f"{r.last_ledger_id:,}\n"
        )
    print(
        database + f"journal    {r.journal_segments} segments, {_size(r.journal_bytes)}\n"
        f"snapshots  {r.snapshots} in {r.snapshot_dir} ({r.quarantined} quarantined); {last}\n"
        f"in use     {'yes: a bot or a restore holds the data directory' if r.in_use else 'no'}"
    )
    return 0 if sound else EXIT_UNSOUND
