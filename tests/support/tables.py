"""A feature-shaped table for the store's tests: a bounded counter (``stock``), a state that
moves by compare-and-set (``state``), free text, and a schema CHECK the writer's plan does
not know about (``note`` may not be 'forbidden'). Registered for every test by conftest."""

from __future__ import annotations

from vouchy.store import schema

WIDGETS = schema.Migration(
    "tests.0001",
    """
    CREATE TABLE widgets (
        guild_id INTEGER NOT NULL,
        id       INTEGER NOT NULL,
        stock    INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
        state    TEXT NOT NULL DEFAULT 'open',
        note     TEXT NOT NULL DEFAULT '' CHECK (note != 'forbidden'),
        PRIMARY KEY (guild_id, id)
    ) WITHOUT ROWID;
    """,
)


def register() -> None:
    schema.register([WIDGETS])
