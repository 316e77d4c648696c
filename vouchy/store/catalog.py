"""What the store knows of each table, read from SQLite itself: its columns in order, its
primary key, and the default of each column. The writer plans changes and the journal encodes
rows with it, so a feature declares a table once, in its migration, and nowhere else.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

# Tables only the store's own primitives write: ledger moves, the operations record, the
# batch sequence. A feature's row change naming one of them is refused.
RESERVED = frozenset({"ledger", "transfers", "operations", "meta", "schema_migrations", "accounts"})


class Table(msgspec.Struct, frozen=True):
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # primary key columns, in key order
    defaults: dict[str, Any]  # column -> default value (None when it has none)
    required: frozenset[str]  # NOT NULL columns without a default: a new row must name them

    @property
    def key_positions(self) -> tuple[int, ...]:
        return tuple(self.columns.index(c) for c in self.key)

    def row_of(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[c] for c in self.columns)

    def key_of(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[c] for c in self.key)


class UnsupportedDefault(ValueError):
    pass


def _literal(text: str | None) -> Any:
    """A column default as SQLite reports it (``0``, ``'pending'``, ``NULL``) as a value."""
    if text is None or text.upper() == "NULL":
        return None
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise UnsupportedDefault(f"default {text!r} is not a literal") from None


def read_catalog(conn: sqlite3.Connection) -> dict[str, Table]:
    """Every table of the database (``sqlite_*`` excluded)."""
    tables = {}
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    ).fetchall():
        info = conn.execute(f'PRAGMA table_info("{name}")').fetchall()
        columns = tuple(r[1] for r in info)
        key = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
        defaults = {r[1]: _literal(r[4]) for r in info}
        # An INTEGER PRIMARY KEY is a rowid: never required, SQLite would pick one.
        required = frozenset(
            r[1] for r in info if r[3] and r[4] is None and not (r[5] and len(key) == 1)
        )
        tables[name] = Table(name, columns, key, defaults, required)
    return tables
