"""What a feature is, in one place: a name, its migrations, its audit checks, its per-guild
settings, its service, and where its Discord extension, HTTP routes and command-line
subcommands live. ``vouchy.features.FEATURES`` lists them: one line per feature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import msgspec

from vouchy.actors.owners import Actors
from vouchy.core.config import Config
from vouchy.store.audit import Check
from vouchy.store.operations import Receipt
from vouchy.store.reader import Reader
from vouchy.store.schema import Migration
from vouchy.store.settings import SettingsStore

# Told every batch's receipts after its COMMIT, before any caller is answered (the writer's
# listeners): how a service keeps a cache of rows that other owners may also change.
CommitListener = Callable[[list[Receipt]], None]


@dataclass
class Context:
    """What a feature's service is given: the store's read side, the owners that write, the
    guilds' settings, the configuration, the services of the features listed before it, and
    the list of commit listeners it may join."""

    config: Config
    reader: Reader
    actors: Actors
    settings: SettingsStore
    services: dict[str, Any] = field(default_factory=dict)
    commit_listeners: list[CommitListener] = field(default_factory=list)


@runtime_checkable
class Background(Protocol):
    """A service with work of its own (a poller, a queue of requests to a third party): the bot
    starts it once it is connected, and ``Vouchy.close()`` stops it before the owners drain, so
    its last changes still reach the writer."""

    async def start_background(self) -> None: ...

    async def stop_background(self) -> None: ...


@dataclass(frozen=True)
class Feature:
    name: str
    summary: str
    migrations: tuple[Migration, ...] = ()
    checks: tuple[Check, ...] = ()
    # The guild settings (a Struct with defaults; config.toml's [<name>] section overrides them).
    settings: type[msgspec.Struct] | None = None
    service: Callable[[Context], Any] | None = None
    discord: str | None = None  # module with ``make_loader(config) -> lightbulb.Loader``
    http: str | None = None  # module with the feature's API routes
    cli: str | None = None  # module with ``register(subparsers)``
