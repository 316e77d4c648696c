"""The Discord layer's bridge to the durability side (snapshots, storage report, start-up
check), called through ``Vouchy`` when those functions exist and skipped when they do not.

Looked up by name on the app: ``snapshot_now()`` and ``storage_report()`` for ``/admin
backup``, ``final_snapshot()`` after the writer has flushed at shutdown, ``startup_check()``
before the gateway connects. Without them, ``/admin backup`` reports what the core knows.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import msgspec

from vouchy.app import Vouchy
from vouchy.logs import get_logger

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
    """A snapshot's name for people: its path's file name, or its own string."""
    if snapshot is None:
        return None
    for attr in ("path", "name", "file"):
        value = getattr(snapshot, attr, None)
        if value is not None:
            return getattr(value, "name", None) or str(value)
    return str(snapshot)


def flatten(report: Any, prefix: str = "") -> dict[str, object]:
    """A report (Struct, dataclass, dict) as ``{"a b": value}``, one level per nesting."""
    if not isinstance(report, Mapping):
        report = msgspec.to_builtins(report)
    out: dict[str, object] = {}
    for key, value in report.items():
        label = f"{prefix}{str(key).replace('_', ' ')}"
        if isinstance(value, Mapping):
            out.update(flatten(value, label + " "))
        elif isinstance(value, list):
            out[label] = f"{len(value):,} item(s)"
        else:
            out[label] = value
    return out


async def core_facts(app: Vouchy, guild_id: int | None) -> dict[str, object]:
    """Storage facts the core offers on its own: the audit and the database's size."""
    everything = await app.audit()
    here = await app.audit(guild_id) if guild_id is not None else everything
    files = [app.config.db_path, app.config.db_path.with_name(app.config.db_path.name + "-wal")]
    size = sum(p.stat().st_size for p in files if p.exists())
    return {
        "Accounts here": here.accounts,
        "Points held here": here.total_points,
        "Ledger entries here": here.ledger_rows,
        "Accounts (all servers)": everything.accounts,
        "Last ledger entry": f"#{app.writer.last_ledger_id:,}",
        "Audit": "clean" if everything.clean else f"{len(everything.discrepancies):,} problem(s)",
        "Database": f"{size / 1_048_576:,.1f} MiB ({app.config.data.synchronous} sync)",
    }


async def backup_now(app: Vouchy, guild_id: int) -> tuple[str | None, dict[str, object]]:
    """Snapshot now and report storage, with whatever the durability side offers."""
    took, snapshot = await _call(app, "snapshot_now")
    found, report = await _call(app, "storage_report")
    facts = flatten(report) if found and report is not None else {}
    facts = {**await core_facts(app, guild_id), **facts}
    if took:
        log.info("backup_requested", snapshot=describe_snapshot(snapshot))
    return describe_snapshot(snapshot) if took else None, facts


async def final_snapshot(app: Vouchy) -> str | None:
    """The snapshot taken at a clean shutdown; None when the durability side is not there."""
    took, snapshot = await _call(app, "final_snapshot")
    if not took:
        log.info("final_snapshot_unavailable")
        return None
    return describe_snapshot(snapshot) or "taken"


async def startup_check(app: Vouchy) -> bool:
    """Run the durability side's start-up check if it exists; it raises on a problem."""
    ran, _ = await _call(app, "startup_check")
    return ran
