"""The invite commands' replies in English and French, and the sync comparison."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from vouchy.core import i18n
from vouchy.core.errors import InvalidInput
from vouchy.features.invites import texts
from vouchy.features.invites.counts import InviterCounts, rank, rank_of
from vouchy.features.invites.records import Cause, JoinRecord, join_reference
from vouchy.features.invites.render import (
    filter_joins,
    paginate,
    render_counts,
    render_logs,
    render_lookup,
    render_permission_notice,
    render_staff_list,
    render_sync,
    render_top,
)
from vouchy.features.invites.staff import new_link, staff_map
from vouchy.features.invites.sync import compare_uses

GUILD = 111
T0 = 1_761_921_045_000
MEMBER, INVITER, STAFF = 5001, 7001, 9001
LOCALES = ["en", "fr"]


def join(
    n: int,
    code: str | None = "abc",
    cause: Cause = "code",
    uses_before: int | None = None,
    candidates: tuple[str, ...] = (),
) -> JoinRecord:
    return JoinRecord(
        join_id=join_reference(GUILD, MEMBER + n, T0 + n),
        guild_id=GUILD,
        member_id=MEMBER + n,
        member_name=f"m{n}",
        joined_at_ms=T0 + n,
        account_created_ms=T0 - 10**10,
        cause=cause,
        code=code,
        inviter_id=INVITER if code else None,
        uses_before=uses_before,
        uses_after=None if uses_before is None else uses_before + 1,
        candidates=candidates,
        how="invites.how.code" if cause == "code" else "invites.how.ambiguous",
        how_params={"code": code or "", "before": 1, "after": 2}
        if cause == "code"
        else {"count": len(candidates), "codes": ", ".join(candidates)},
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_lookup_says_who_invited_through_which_code_when_the_staff_and_how(locale: str) -> None:
    staff = new_link(
        staff_id=STAFF,
        code="abc",
        referral_link="https://vantage.com/ref/travis",
        referral_code="TRAVIS123",
    )
    text = render_lookup(MEMBER, join(0), staff, locale)
    for part in (
        f"<@{MEMBER}>",
        "`abc`",
        f"<@{INVITER}>",
        f"<@{STAFF}>",
        "https://vantage.com/ref/travis",
        "`TRAVIS123`",
        f"<t:{T0 // 1000}:f>",
    ):
        assert part in text
    assert i18n.text("invites.how.code", locale, code="abc", before=1, after=2) in text


@pytest.mark.parametrize("locale", LOCALES)
def test_lookup_of_an_ambiguous_join_lists_the_candidates_and_names_no_inviter(locale: str) -> None:
    text = render_lookup(
        MEMBER, join(0, None, "ambiguous", candidates=("abc", "xyz")), None, locale
    )
    assert "`abc`, `xyz`" in text and f"<@{INVITER}>" not in text


def test_lookup_of_a_member_without_a_record_says_so_in_french() -> None:
    assert (
        render_lookup(MEMBER, None, None, "fr")
        == f"Vouchy n'a aucune arrivée enregistrée pour <@{MEMBER}>."
    )


def test_logs_filter_by_member_or_code_newest_first_and_page() -> None:
    records = [join(n, "abc" if n % 2 else "xyz") for n in range(25)]
    by_code = filter_joins(records, code="abc")
    assert len(by_code) == 12 and by_code[0].joined_at_ms > by_code[-1].joined_at_ms
    assert [r.member_id for r in filter_joins(records, member_id=MEMBER + 3)] == [MEMBER + 3]
    page, pages = paginate(by_code, 2, 10)
    assert (len(page), pages) == (2, 2)
    text = render_logs(page, 2, pages, len(by_code), "en")
    assert text.splitlines()[0] == "**Joins recorded: 12** (page 2 of 2, newest first)"
    assert len(text.splitlines()) == 3
    with pytest.raises(InvalidInput):
        paginate(by_code, 3, 10)
    with pytest.raises(InvalidInput):
        paginate(by_code, 0, 10)
    assert render_logs([], 1, 1, 0, "fr") == "Aucune arrivée enregistrée ne correspond."


@pytest.mark.parametrize("locale", LOCALES)
def test_top_shows_each_count_and_the_askers_rank_from_another_page(locale: str) -> None:
    ranked = rank(
        InviterCounts(inviter_id=i, regular=30 - i, left=1, fake=1, bonus=2) for i in range(1, 21)
    )
    page, pages = paginate(ranked, 1, 10)
    asker = rank_of(ranked, 15)
    text = render_top(page, 1, pages, 15, asker, len(ranked), locale)
    first = text.splitlines()[1]
    assert first.startswith("1. <@1>") and "29" in first and "+2" in first
    assert "15" in text.splitlines()[-1] and "20" in text.splitlines()[-1]
    none = render_top(page, 1, pages, 999, None, len(ranked), locale)
    assert none.splitlines()[-1] == i18n.text("invites.top_you_none", locale)


def test_counts_in_french_group_thousands() -> None:
    text = render_counts(InviterCounts(inviter_id=1, regular=1500, bonus=-3), "fr")
    assert "1\u202f497 invitations" in text and "-3 bonus" in text


def test_sync_lists_each_discrepancy_against_the_recorded_joins() -> None:
    joins = [
        join(0, "abc", uses_before=10),
        join(1, "abc", uses_before=11),
        join(2, "xyz", uses_before=0),
        join(3, None, "ambiguous", candidates=("abc", "xyz")),
    ]
    report = compare_uses({"abc": 14, "xyz": 1, "old": 3, "fresh": 0}, joins, baseline={"old": 3})
    assert report.checked == 4
    [d] = report.discrepancies
    assert (
        d.code,
        d.discord_uses,
        d.expected_uses,
        d.uses_before_tracking,
        d.recorded_joins,
        d.ambiguous_joins,
    ) == (
        "abc",
        14,
        12,
        10,
        2,
        1,
    )
    assert d.difference == 2
    text = render_sync(report, "en")
    assert (
        "`abc`: Discord counts 14 uses, Vouchy expects 12 (10 before tracking + 2 recorded joins)"
        in text
    )
    assert "Ambiguous joins naming it: 1." in text
    fr = render_sync(report, "fr")
    assert "`abc` : Discord compte 14 utilisations" in fr


def test_sync_with_no_discrepancy_says_the_counts_match() -> None:
    report = compare_uses({"abc": 2}, [join(0, uses_before=1)])
    assert report.discrepancies == ()
    assert "(invites checked: 1)" in render_sync(report, "en")


def test_a_code_with_fewer_uses_than_recorded_joins_is_listed() -> None:
    report = compare_uses({"abc": 1}, [join(0), join(1), join(2)])
    assert report.discrepancies[0].difference == -2
    assert "more joins recorded than uses" in render_sync(report, "en")


def test_a_long_sync_report_stays_under_discords_limit() -> None:
    report = compare_uses({f"code{n:03}": 5 for n in range(300)}, [])
    text = render_sync(report, "fr")
    lines = text.splitlines()
    more = re.fullmatch(r"…et (\d+) de plus\.", lines[-1])
    assert len(text) <= 2000 and more is not None
    assert len(lines) - 2 + int(more.group(1)) == 300  # every discrepancy shown or counted


@pytest.mark.parametrize("locale", LOCALES)
def test_the_permission_notice_names_manage_server(locale: str) -> None:
    text = render_permission_notice(locale)
    assert ("Manage Server" if locale == "en" else "Gérer le serveur") in text


def test_the_staff_list_shows_codes_then_inviters_with_referral_details() -> None:
    mapping = staff_map(
        [
            new_link(staff_id=STAFF, inviter_id=INVITER),
            new_link(
                staff_id=STAFF, code="abc", referral_code="T1", referral_link="https://r.example/t"
            ),
        ]
    )
    lines = render_staff_list(mapping, "en").splitlines()
    assert lines == [
        "**Staff mappings: 2**",
        f"`abc` → <@{STAFF}> · https://r.example/t · `T1`",
        f"<@{INVITER}> → <@{STAFF}>",
    ]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_text_has_the_same_values_in_english_and_french() -> None:
    for key, entry in texts.TEXTS.items():
        assert _fields(entry["en"]) == _fields(entry["fr"]), key


def test_every_text_key_the_feature_uses_is_registered() -> None:
    package = Path(texts.__file__).parent
    used: set[str] = set()
    for source in package.glob("*.py"):
        # Operation and audit check names ("name=..." and NAME = ...) are not texts.
        found = re.findall(r'(?<!name=)(?<!NAME = )"(invites\.[a-z_.]+)"', source.read_text())
        used |= set(found)
    used = {k for k in used if not k.endswith(".")}
    causes = {
        f"invites.cause.{c}"
        for c in ("code", "vanished", "vanity", "ambiguous", "no_permission", "unknown")
    }
    missing = sorted(k for k in used | causes if not i18n.has(k))
    assert missing == []
