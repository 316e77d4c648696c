"""A guild's settings for each feature: the defaults from ``config.toml`` overlaid with the
values the guild set, one row of ``settings`` per (guild, feature, key).

Reading goes through a cache that is exact: every change is an operation through the writer
(journaled like any row, invariant 7), and the cache forgets a guild's feature as soon as a
batch that changed it commits (``on_commit``, a writer listener). A feature declares its
settings as a msgspec Struct with defaults; a value that does not fit the Struct is refused
before anything is written.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.store.operations import Change, Delete, Put, Receipt
from vouchy.store.reader import Reader

S = TypeVar("S", bound=msgspec.Struct)

_SELECT = "SELECT key, value FROM settings WHERE guild_id = ? AND feature = ?"


class SettingsStore:
    """Each feature's settings per guild: ``get`` (cached) and ``changes`` (to submit)."""

    def __init__(
        self, reader: Reader, defaults: Mapping[str, msgspec.Struct], cache_size: int = 20_000
    ) -> None:
        self.reader = reader
        self.defaults = dict(defaults)  # feature -> its Struct with the configured defaults
        self.cache_size = cache_size
        self._cache: dict[tuple[int, str], msgspec.Struct] = {}
        # Reads in flight: concurrent misses of one guild's feature share one read.
        self._loading: dict[tuple[int, str], asyncio.Future[msgspec.Struct]] = {}
        self._generation = 0

    def default(self, feature: str) -> msgspec.Struct:
        found = self.defaults.get(feature)
        if found is None:
            raise InvalidInput("settings.unknown_feature", feature=feature)
        return found

    async def get(self, guild_id: int, feature: str, kind: type[S] | None = None) -> S:
        """The guild's settings for ``feature`` (its own values over the defaults)."""
        key = (guild_id, feature)
        cached = self._cache.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        loading = self._loading.get(key)
        if loading is not None:  # a read is in flight: its answer is this one's too
            shared: Any = await asyncio.shield(loading)
            return shared  # type: ignore[no-any-return]
        loading = self._loading[key] = asyncio.get_running_loop().create_future()
        try:
            generation = self._generation
            rows = await self.reader.rows(_SELECT, (guild_id, feature))
            cached = self._merge(feature, {r["key"]: msgspec.json.decode(r["value"]) for r in rows})
            if generation == self._generation:  # no commit changed settings meanwhile
                self._remember(key, cached)
        except BaseException as e:
            loading.set_exception(e)
            loading.exception()  # retrieved: nobody else may be waiting
            raise
        else:
            loading.set_result(cached)
        finally:
            if self._loading.get(key) is loading:
                del self._loading[key]
        return cached  # type: ignore[return-value]

    async def overrides(self, guild_id: int, feature: str) -> dict[str, Any]:
        """Only the values the guild set itself (for ``/config show``)."""
        rows = await self.reader.rows(_SELECT, (guild_id, feature))
        return {r["key"]: msgspec.json.decode(r["value"]) for r in rows}

    def changes(
        self,
        guild_id: int,
        feature: str,
        values: Mapping[str, Any],
        *,
        updated_by: int | None,
        current: Mapping[str, Any] | None = None,
    ) -> list[Change]:
        """The row changes that set ``values`` (None: back to the default). Refused whole,
        naming the key, when one does not fit the feature's settings."""
        default = self.default(feature)
        fields = {f.name for f in msgspec.structs.fields(default)}
        for name in values:
            if name not in fields:
                raise InvalidInput("settings.unknown_key", feature=feature, key=name)
        merged = {**msgspec.structs.asdict(default), **(current or {})}
        merged.update({k: v for k, v in values.items() if v is not None})
        try:
            checked = msgspec.convert(merged, type(default))
        except msgspec.ValidationError as e:
            raise InvalidInput("settings.bad_value", feature=feature, detail=str(e)) from None
        now = int(time.time() * 1000)
        changes: list[Change] = []
        for name, value in values.items():
            key = (guild_id, feature, name)
            if value is None:
                changes.append(Delete(table="settings", key=key))
            else:
                encoded = msgspec.json.encode(getattr(checked, name)).decode()
                changes.append(
                    Put(
                        table="settings",
                        key=key,
                        values={"value": encoded, "updated_at": now, "updated_by": updated_by},
                    )
                )
        return changes

    def on_commit(self, receipts: Sequence[Receipt]) -> None:
        """A batch committed: forget every guild feature whose settings it changed."""
        for receipt in receipts:
            for row in receipt.rows:
                if row.table == "settings":
                    self._generation += 1
                    key = (int(row.key[0]), str(row.key[1]))
                    self._cache.pop(key, None)
                    self._loading.pop(key, None)  # a read begun before it is not shared on

    def _merge(self, feature: str, values: dict[str, Any]) -> msgspec.Struct:
        default = self.default(feature)
        merged = {**msgspec.structs.asdict(default), **values}
        try:
            return msgspec.convert(merged, type(default))
        except msgspec.ValidationError:
            # A stored value this version no longer accepts: keep the defaults for it.
            known = {f.name: f.type for f in msgspec.structs.fields(default)}
            good = {**msgspec.structs.asdict(default)}
            for key, value in values.items():
                if key in known:
                    try:
                        msgspec.convert({**good, key: value}, type(default))
                        good[key] = value
                    except msgspec.ValidationError:
                        continue
            return msgspec.convert(good, type(default))

    def _remember(self, key: tuple[int, str], settings: msgspec.Struct) -> None:
        if key not in self._cache and len(self._cache) >= self.cache_size:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = settings
