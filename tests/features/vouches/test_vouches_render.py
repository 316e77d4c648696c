"""What ``/vouches`` and ``/vouches top`` say, the settings' bounds, and the texts themselves."""

from __future__ import annotations

import msgspec
import pytest

from vouchy.core import i18n
from vouchy.core.errors import InvalidInput
from vouchy.features.vouches.model import VouchSettings, check_settings
from vouchy.features.vouches.render import (
    ProviderSummary,
    RecentVouch,
    TopEntry,
    TopPage,
    month_start_ms,
    page_count,
    render_summary,
    render_top,
)
from vouchy.features.vouches.texts import TEXTS, plural, wait_text

GUILD = 700_000_000_000_000_001
CHANNEL = 700_000_000_000_000_002
PROVIDER = 300_000_000_000_000_001
A, B, C, D = (400_000_000_000_000_000 + i for i in range(1, 5))


def summary(**changes: object) -> ProviderSummary:
    base = ProviderSummary(
        guild_id=GUILD,
        provider_id=PROVIDER,
        count=1234,
        month_count=7,
        top_vouchers=((A, 12), (B, 5), (C, 2), (D, 1)),
        latest=tuple(
            RecentVouch(
                voucher_id=A,
                created_at_ms=1_717_200_000_000 - i * 1000,
                channel_id=CHANNEL,
                message_id=1_100_000_000_000_000_000 + i,
            )
            for i in range(6)
        ),
    )
    return msgspec.structs.replace(base, **changes)


def test_the_summary_gives_counts_top_vouchers_and_the_last_five_with_links() -> None:
    text = render_summary(summary(), "en")
    lines = text.splitlines()
    assert lines[0] == f"**Vouches for <@{PROVIDER}>**: 1,234 vouches (7 this month)"
    assert lines[1] == f"Top vouchers: <@{A}> (12), <@{B}> (5), <@{C}> (2)"
    assert lines[2] == "Latest:"
    assert lines[3] == (
        f"• <@{A}>, <t:1717200000:R>: "
        f"https://discord.com/channels/{GUILD}/{CHANNEL}/1100000000000000000"
    )
    assert len(lines) == 3 + 5


def test_the_summary_in_french() -> None:
    text = render_summary(summary(count=1, month_count=1), "fr")
    assert text.splitlines()[0] == f"**Vouchs de <@{PROVIDER}>** : 1 vouch (1 ce mois-ci)"
    assert text.splitlines()[2] == "Derniers :"


def test_imported_and_admin_vouches_have_no_link_and_say_so() -> None:
    latest = (
        RecentVouch(voucher_id=A, created_at_ms=1_717_200_000_000, source="import"),
        RecentVouch(voucher_id=B, created_at_ms=1_717_100_000_000, source="admin"),
    )
    lines = render_summary(summary(latest=latest), "en").splitlines()
    assert lines[-2].endswith(": imported")
    assert lines[-1].endswith(": added by an admin")
    assert (
        render_summary(summary(latest=latest), "fr")
        .splitlines()[-1]
        .endswith(" : ajouté par un admin")
    )


def test_a_provider_without_vouches_gets_one_line() -> None:
    assert render_summary(summary(count=0), "en") == f"<@{PROVIDER}> has no vouches yet."
    assert render_summary(summary(count=0), "fr") == f"<@{PROVIDER}> n'a encore aucun vouch."


def test_the_top_lists_providers_with_ranks_and_the_askers_own_rank() -> None:
    page = TopPage(
        page=1,
        total_providers=23,
        entries=(
            TopEntry(rank=1, provider_id=A, count=40),
            TopEntry(rank=2, provider_id=B, count=12),
            TopEntry(rank=2, provider_id=C, count=12),
        ),
        asker=TopEntry(rank=17, provider_id=D, count=1),
    )
    assert render_top(page, "en").splitlines() == [
        "**Top providers** (page 1 of 3)",
        f"1. <@{A}>: 40 vouches",
        f"2. <@{B}>: 12 vouches",
        f"2. <@{C}>: 12 vouches",
        "You are #17 with 1 vouch.",
    ]
    assert render_top(page, "fr").splitlines()[-1] == "Tu es n°17 avec 1 vouch."


def test_the_top_tells_an_asker_never_vouched_for_and_an_empty_ranking() -> None:
    empty = TopPage(page=1, total_providers=0, entries=())
    assert render_top(empty, "en").splitlines() == [
        "Nobody has been vouched for yet.",
        "You haven't been vouched for yet.",
    ]


def test_a_page_past_the_end_says_how_many_there_are() -> None:
    past = TopPage(page=9, total_providers=23, entries=())
    assert render_top(past, "en").splitlines()[0] == "There is no page 9: the ranking has 3."


def test_this_month_starts_on_the_first_at_midnight_utc() -> None:
    assert month_start_ms(1_717_200_000_000) == 1_717_200_000_000  # 2024-06-01T00:00Z
    assert month_start_ms(1_717_199_999_999) == 1_714_521_600_000  # 2024-05-01T00:00Z
    assert page_count(0) == 1 and page_count(10) == 1 and page_count(11) == 2


def test_french_counts_zero_and_one_in_the_singular() -> None:
    assert plural("vouches.count", 0, "fr") == "0 vouch"
    assert plural("vouches.count", 2, "fr") == "2 vouchs"
    assert plural("vouches.count", 0, "en") == "0 vouches"
    assert plural("vouches.count", 1, "en") == "1 vouch"


def test_long_waits_count_days_and_never_read_24_hours() -> None:
    assert wait_text(47 * 3600, "en") == "47h"
    assert wait_text(6 * 86400 + 23 * 3600 + 60, "en") == "7 days"
    assert wait_text(2 * 86400 + 5 * 3600, "fr") == "2 j 5 h"
    assert wait_text(3 * 86400, "fr") == "3 jours"


def test_every_text_has_english_and_french_and_the_same_placeholders() -> None:
    import string

    for key, entry in TEXTS.items():
        assert key.startswith("vouches."), key
        fields = {
            lang: {f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f}
            for lang in i18n.LOCALES
        }
        assert fields["en"] == fields["fr"], key


def test_the_default_settings_are_the_issues() -> None:
    s = VouchSettings()
    assert (s.voucher_points, s.provider_points, s.cooldown_hours) == (10, 0, 24)
    assert (s.min_account_age_days, s.min_member_age_hours, s.max_per_day) == (7, 0, 10)
    assert (s.reversal_window_days, s.review_queue, s.provider_role_id) == (7, False, None)
    assert check_settings(s) is s


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"voucher_points": -1}, "vouches.setting_out_of_bounds"),
        ({"max_per_day": 0}, "vouches.setting_out_of_bounds"),
        ({"cooldown_hours": True}, "vouches.setting_out_of_bounds"),
        ({"channel_ids": tuple(range(1, 30))}, "vouches.setting_too_many_channels"),
        ({"provider_role_id": 0}, "vouches.setting_bad_id"),
        ({"emoji": " "}, "vouches.setting_bad_emoji"),
        ({"review_queue": True}, "vouches.setting_review_needs_channel"),
    ],
)
def test_settings_out_of_bounds_are_refused(changes: dict[str, object], key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_settings(msgspec.structs.replace(VouchSettings(), **changes))
    assert caught.value.key == key


def test_settings_survive_a_json_round_trip() -> None:
    s = VouchSettings(
        channel_ids=(CHANNEL,), provider_role_id=5, review_queue=True, review_channel_id=6
    )
    assert msgspec.json.decode(msgspec.json.encode(s), type=VouchSettings) == s
    assert msgspec.json.decode(b"{}", type=VouchSettings) == VouchSettings()
