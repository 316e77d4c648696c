"""The Discord layer's bridge to the durability side (snapshots, storage report), called
through ``Vouchy`` when those functions exist and skipped when they do not.

Looked up by name on the app: ``snapshot_now()`` and ``storage_report()`` for ``/admin
backup``, ``start_snapshots()`` once the bot serves, ``final_snapshot()`` after ``close()`` has
drained the actors and flushed the writer. (The start-up check runs inside ``Vouchy.start()``,
before the writer opens the database.) Without them, ``/admin backup`` reports what the core
knows on its own.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from vouchy.app import Vouchy
from vouchy.core.logs import get_logger

log = get_logger("vouchy.bot")


async def _call(app: Vouchy, name: str) -> tuple[bool, Any]:
    fn = getattr(app, name, None)
    if not callable(fn):
        return False, None
    result = fn()
    if inspect.isawaitable(result):
        result = await result
    return True, result


def describe_snapshot(snapshot: Any) -> str | None:
    """A snapshot's file name for people (from its ``path``), or its own string."""
    if snapshot is None:
        return None
    path = getattr(snapshot, "path", None)
    return Path(str(path)).name if path is not None else str(snapshot)


def _mib(n: object) -> str:
    return f"{n / 1_048_576:,.1f} MiB" if isinstance(n, int | float) else "?"


def report_facts(report: Any) -> dict[str, object]:
    """The storage report's facts worth a field each (Discord allows 25 per embed)."""

    def get(name: str) -> Any:
        return getattr(report, name, None)

    facts: dict[str, object] = {}
    if get("last_snapshot") is not None:
        verified = {True: "verified", False: "NOT verified", None: "unchecked"}[
            get("last_snapshot_verified")
        ]
        age = get("last_snapshot_age_s")
        old = f", {age / 60:,.0f} min old" if isinstance(age, int | float) else ""
        facts["Last snapshot"] = f"{get('last_snapshot')} ({verified}{old})"
    elif hasattr(report, "last_snapshot"):
        facts["Last snapshot"] = "none yet"
    if get("snapshots") is not None:
        facts["Snapshots kept"] = get("snapshots")
    if get("quarantined"):
        facts["Quarantined snapshots"] = get("quarantined")
    if get("journal_bytes") is not None:
        facts["Journal"] = f"{_mib(get('journal_bytes'))} in {get('journal_segments') or 0} file(s)"
    if get("database_bytes") is not None:
        facts["Database"] = f"{_mib(get('database_bytes'))} + {_mib(get('wal_bytes') or 0)} WAL"
    if get("quick_check") is not None:
        facts["Integrity"] = get("quick_check")
    return facts


async def core_facts(app: Vouchy, guild_id: int) -> dict[str, object]:
    """Storage facts the core offers on its own: the audit and the database's size."""
    everything = await app.audit()
    here = await app.audit(guild_id)
    db = app.config.db_path
    size = sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists())
    return {
        "Accounts here": here.accounts,
        "Points held here": here.total_points,
        "Ledger entries here": here.ledger_rows,
        "Accounts (all servers)": everything.accounts,
        "Last ledger entry": f"#{app.writer.last_ledger_id:,}",
        "Audit": "clean" if everything.clean else f"{len(everything.discrepancies):,} problem(s)",
        "Database": f"{_mib(size)} ({app.config.data.synchronous} sync)",
    }


async def backup_now(app: Vouchy, guild_id: int) -> tuple[str | None, dict[str, object]]:
    """Snapshot now and report storage, with whatever the durability side offers."""
    took, snapshot = await _call(app, "snapshot_now")
    found, report = await _call(app, "storage_report")
    facts = await core_facts(app, guild_id)
    if found and report is not None:
        facts.update(report_facts(report))
    if took:
        log.info("backup_requested", snapshot=describe_snapshot(snapshot))
    return describe_snapshot(snapshot) if took else None, facts


async def final_snapshot(app: Vouchy) -> str | None:
    """The snapshot of a clean shutdown, taken after ``Vouchy.close()``; None when the
    durability side is not there or could not take it (it logs why)."""
    took, snapshot = await _call(app, "final_snapshot")
    if not took:
        log.info("final_snapshot_unavailable")
        return None
    return describe_snapshot(snapshot)


def start_snapshots(app: Vouchy) -> bool:
    """Start the periodic snapshot schedule when the durability side has one."""
    start = getattr(app, "start_snapshots", None)
    if not callable(start):
        return False
    start()
    return True
