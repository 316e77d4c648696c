"""The vouch settings: the issue's defaults, their bounds, the rules' view, the custom emoji a
reaction needs, and the vouch channel an older database kept in ``guild_settings``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest

from vouchy.core.errors import InvalidInput
from vouchy.features.vouches.model import VouchSettings
from vouchy.features.vouches.settings import VouchesSettings, checked, reaction_emoji
from vouchy.store import schema
from vouchy.store.reader import Reader
from vouchy.store.settings import SettingsStore


def test_the_defaults_are_the_issues_and_the_rules_see_the_same_values() -> None:
    assert VouchesSettings().rules() == VouchSettings()
    view = VouchesSettings(channels=[5, 6], provider_role=7, review_channel=8).rules()
    assert (view.channel_ids, view.provider_role_id, view.review_channel_id) == ((5, 6), 7, 8)
    assert VouchesSettings(review_queue=True, review_channel=8).rules().review_queue
    assert not VouchesSettings(review_queue=True).rules().review_queue  # nowhere to review


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("voucher_points", -1),
        ("voucher_points", 100_001),
        ("cooldown_hours", 24 * 365 + 1),
        ("max_per_day", 0),
        ("min_account_age_days", 3651),
        ("reversal_window_days", -1),
        ("emoji", ""),
        ("emoji", "x" * 65),
    ],
)
def test_a_value_out_of_bounds_is_refused(field: str, value: object) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({field: value}, VouchesSettings)


def test_settings_that_do_not_hold_together_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        checked(VouchesSettings(review_queue=True))
    assert caught.value.key == "vouches.setting_review_needs_channel"
    with pytest.raises(InvalidInput):
        checked(VouchesSettings(channels=list(range(1, 27))))
    assert checked(VouchesSettings(review_queue=True, review_channel=9)).review_channel == 9


@pytest.mark.parametrize(
    ("typed", "reaction"),
    [("✅", "✅"), ("<:vouch:123>", "vouch:123"), ("<a:spin:45>", "spin:45"), (" ⭐ ", "⭐")],
)
def test_a_custom_emoji_is_given_to_the_reaction_route_as_name_and_id(
    typed: str, reaction: str
) -> None:
    assert reaction_emoji(typed) == reaction


async def test_the_vouch_channel_of_an_older_database_is_the_channels_setting(
    tmp_path: Path,
) -> None:
    db = tmp_path / "vouchy.db"
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        for migration in schema.CORE_MIGRATIONS[:2]:
            conn.executescript(migration.sql)
        conn.execute("PRAGMA user_version = 2")
        conn.execute(
            "INSERT INTO guild_settings (guild_id, vouch_channel_id, updated_at) VALUES (1, 555, 0)"
        )
        schema.migrate(conn)
    finally:
        conn.close()
    reader = Reader(db)
    await reader.start()
    try:
        store = SettingsStore(reader, {"vouches": VouchesSettings()})
        found = await store.get(1, "vouches", VouchesSettings)
        assert found.channels == [555] and found.rules().channel_ids == (555,)
    finally:
        await reader.close()
