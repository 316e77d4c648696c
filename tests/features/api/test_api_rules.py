"""The web feature's rules without a store: what a key's operations carry, and the bounds of
its settings."""

from __future__ import annotations

import itertools

import msgspec
import pytest

from vouchy.features.api import rules
from vouchy.features.api.keys import issue
from vouchy.features.api.rules import WebSettings
from vouchy.store.operations import Expect, Insert, Patch

GUILD = 111


def issued(created_by: int = 42):  # type: ignore[no-untyped-def]
    counter = itertools.count(1)
    return issue(
        guild_id=GUILD,
        name="shop",
        scopes="read earn",
        created_by=created_by,
        now_ms=1_700_000_000_000,
        token_bytes=lambda n: bytes(next(counter) % 256 for _ in range(n)),
    )


def test_creating_a_key_writes_its_hash_and_never_the_key() -> None:
    made = issued()
    op = rules.create(made, "ix:1")
    [insert] = op.changes
    assert isinstance(insert, Insert) and insert.key == (made.record.id,)
    assert insert.values["key_hash"] == made.record.key_hash
    assert insert.values["scopes"] == "read earn"
    encoded = msgspec.json.encode(op).decode()
    assert made.key.reveal() not in encoded
    assert made.key.reveal().split("_")[2] not in encoded
    assert (op.user_id, op.acting_user_id, op.name) == (42, 42, "web.key_create")


def test_a_key_from_the_command_line_is_created_by_the_system_user() -> None:
    op = rules.create(issued(created_by=0), "cli:1")
    assert (op.user_id, op.acting_user_id) == (1, None)
    assert op.changes[0].values["created_by"] == 0  # type: ignore[union-attr]


def test_revoking_is_a_compare_and_set_within_the_guild() -> None:
    op = rules.revoke(GUILD, "0123456789ab", "ix:2", revoked_by=7, now_ms=5)
    guild, revoked, patch = op.changes
    assert isinstance(guild, Expect) and (guild.column, guild.value) == ("guild_id", GUILD)
    assert guild.refuse == "web.key_unknown"
    assert isinstance(revoked, Expect) and (revoked.column, revoked.value) == ("revoked_at", None)
    assert revoked.refuse == "web.key_already_revoked"
    assert isinstance(patch, Patch) and patch.values == {"revoked_at": 5, "revoked_by": 7}


def test_a_stored_row_reads_back_as_the_record_issued() -> None:
    made = issued()
    row = {"id": made.record.id, **rules.create(made, "ix:3").changes[0].values}  # type: ignore[union-attr]
    assert rules.record(row) == made.record


@pytest.mark.parametrize(
    "bad", [{"port": 0}, {"port": 70_000}, {"rate_per_second": 0}, {"burst": 0}, {"other": 1}]
)
def test_web_settings_out_of_bounds_are_refused(bad: dict[str, int]) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(bad, WebSettings)


def test_the_web_server_is_off_and_local_and_every_page_hidden_by_default() -> None:
    defaults = WebSettings()
    assert (defaults.enabled, defaults.host, defaults.leaderboard) == (False, "127.0.0.1", False)
