"""Every status and reason an admin sees has English and French words; the lines read well."""

from __future__ import annotations

import pytest

from vouchy.core import i18n
from vouchy.features.giftcodes import render, rules

T0 = 1_750_000_000_000


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_reason_and_status_has_words_in_both_languages(locale: str) -> None:
    groups = {
        "reason": rules.REASONS,
        "attempt": rules.ATTEMPT_STATUSES,
        "code": rules.CODE_STATUSES,
        "runner": rules.RUNNER_STATUSES,
        "source": ("list", "admin", "first_start"),
    }
    for group, names in groups.items():
        for name in names:
            key = f"giftcodes.{group}.{name}"
            assert i18n.has(key), key
            assert i18n.text(key, locale) != key


def test_french_and_english_differ_for_what_admins_read() -> None:
    assert render.sign_error_alert("fr") != render.sign_error_alert("en")
    assert "secret" in render.sign_error_alert("en")
    assert "redémarre" in render.sign_error_alert("fr")


def summary(**kw: object) -> rules.CodeSummary:
    base: dict[str, object] = {
        "code": "GIFT",
        "status": "open",
        "stop_reason": "",
        "first_seen_ms": T0,
    }
    base.update(kw)
    return rules.CodeSummary(**base)  # type: ignore[arg-type]  # test shorthand


def test_the_status_shows_counts_and_failures_by_reason() -> None:
    lines = render.status_lines(
        rules.RunnerState(),
        [
            summary(
                redeemed=1200,
                already=3,
                waiting=2,
                failed={"vip_required": 4, "level_too_low": 9},
                claim_limit_hits=2,
            )
        ],
        "en",
    )
    assert lines[0] == "Redemption: running."
    assert lines[1] == (
        "`GIFT` (redeeming for everyone): 1,200 redeemed, 3 already had it, 2 waiting, 13 failed."
    )
    assert lines[2:4] == ["- 9 failed: furnace level too low", "- 4 failed: VIP level too low"]
    assert "still valid" in lines[4]


def test_the_status_in_french() -> None:
    lines = render.status_lines(
        rules.RunnerState(status="stopped", stop_reason="sign_error"),
        [summary(status="stopped", stop_reason="expired")],
        "fr",
    )
    assert lines == [
        "Récupération arrêtée : signature refusée (configuration). Corrige la configuration, "
        "puis redémarre Vouchy.",
        "`GIFT` arrêté pour tous les joueurs : code expiré.",
    ]


def test_a_backing_off_runner_shows_when_it_resumes_as_a_discord_timestamp() -> None:
    line = render.runner_line(rules.RunnerState(status="backing_off", until_ms=T0), "en")
    assert f"<t:{T0 // 1000}:R>" in line


def test_no_codes_yet_is_said_plainly() -> None:
    assert render.status_lines(rules.RunnerState(), [], "en")[-1] == "No gift codes yet."
    assert render.codes_lines([], "fr") == ["Aucun code cadeau connu pour l'instant."]


def test_codes_are_listed_newest_first_with_their_state() -> None:
    codes = [
        rules.CodeState(code="OLD", source="first_start", first_seen_ms=T0),
        rules.CodeState(
            code="DEAD",
            source="list",
            first_seen_ms=T0 + 1000,
            status="stopped",
            stop_reason="expired",
        ),
        rules.CodeState(code="NEW", source="admin", first_seen_ms=T0 + 2000, status="open"),
    ]
    lines = render.codes_lines(codes, "en")
    assert [line.split("`")[1] for line in lines] == ["NEW", "DEAD", "OLD"]
    assert "code expired" in lines[1] and "added by an admin" in lines[0]
    assert f"<t:{(T0 + 2000) // 1000}:R>" in lines[0]


def test_players_are_listed_with_name_id_state_and_level() -> None:
    players = [
        rules.Player(fid=424639700, nickname="zoé", kid=1245, furnace_level=30, updated_ms=T0),
        rules.Player(fid=5, nickname="Ana", kid=245, furnace_level=8, updated_ms=T0),
    ]
    lines = render.players_lines(players, "fr")
    assert lines[0] == "2 joueur(s) enregistré(s) :"
    assert lines[1] == "**Ana** (`5`) : État 245, niveau de fournaise 8"
    assert "`424639700`" in lines[2] and "État 1245" in lines[2]  # ids are never grouped
    assert render.players_lines([], "en")[0].startswith("No players registered")


def test_a_new_code_announcement_names_the_code_and_the_players() -> None:
    assert render.announcement("HappyMay", None, 0, "en") == "🎁 New gift code: `HappyMay`"
    text = render.announcement("HappyMay", "2025-05-01", 12, "fr")
    assert text.splitlines() == [
        "🎁 Nouveau code cadeau : `HappyMay` (publié le 2025-05-01)",
        "Vouchy le récupère pour les 12 joueur(s) enregistré(s).",
    ]


def test_a_stopped_code_alert_gives_the_reason() -> None:
    assert render.code_stopped_alert("X1", "invalid_code", "en") == (
        "Gift code `X1` is stopped for every player: code does not exist."
    )


def test_an_unknown_reason_is_shown_as_it_is() -> None:
    assert render.reason("brand_new_reason", "fr") == "brand_new_reason"
