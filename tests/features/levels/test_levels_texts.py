"""Every reply of XP and levels is said in English and French; replies read right."""

import ast
import pathlib
import string

import pytest

import vouchy.features.levels as levels
from vouchy.core import i18n
from vouchy.core.errors import InvalidInput
from vouchy.features.levels.board import (
    TopEntry,
    admin_reply,
    check_top_page,
    pages,
    rank_of,
    top_text,
)
from vouchy.features.levels.rules import admin_change
from vouchy.features.levels.texts import COMMANDS
from vouchy.features.levels.texts import TEXTS as REPLIES

TEXTS = {**REPLIES, **COMMANDS}

PACKAGE = pathlib.Path(levels.__file__).parent
USER = 123456789012345678


def keys_used_in_code() -> set[str]:
    """Every "levels.<key>" string of the package, but the names of operations (a call's
    ``name=``), migrations and pieces of f-strings, which no person reads as such."""
    found, names = set(), set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                values = [k.value for k in node.keywords if k.arg == "name"]
                if getattr(node.func, "id", "") == "Migration":
                    values += node.args[:1]
                names.update(v.value for v in values if isinstance(v, ast.Constant))
            if isinstance(node, ast.JoinedStr):
                names.update(v.value for v in node.values if isinstance(v, ast.Constant))
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value.startswith("levels.") and " " not in node.value:
                    found.add(node.value)
    return found - names


def test_every_key_the_code_uses_is_registered_in_both_languages():
    used = keys_used_in_code()
    assert used, "the scan found no keys"
    missing = sorted(k for k in used if k not in TEXTS)
    assert missing == []
    for key in TEXTS:
        assert i18n.has(key)
        assert TEXTS[key]["en"] and TEXTS[key]["fr"]


def test_french_texts_speak_to_the_member_with_tu():
    french = " ".join(t["fr"] for t in TEXTS.values())
    assert " vous " not in french and "Vous " not in french
    assert "tu passes au niveau" in TEXTS["levels.levelup.default"]["fr"]


def test_every_text_fills_its_placeholders_in_both_languages():
    for key in TEXTS:
        for lang in ("en", "fr"):
            names = {f for _, f, _, _ in string.Formatter().parse(TEXTS[key][lang]) if f}
            values = {name.split("!")[0]: "1" for name in names}
            values["member"] = "{member}"
            text = i18n.text(key, lang, **values)
            assert "{" not in text.replace("{member}", "").replace("{level}", ""), key


def test_the_leaderboard_page_lists_members_and_the_askers_rank():
    entries = [TopEntry(rank=1, user_id=USER, xp=1_150), TopEntry(rank=2, user_id=7, xp=100)]
    text = top_text(entries, page=1, members=12, asker_rank=2, asker_xp=100)
    assert text.splitlines()[0] == "Leaderboard: page 1 of 2"
    assert f"**#1** <@{USER}>: level 5, 1,150 XP" in text
    assert text.endswith("Your rank: #2 (level 1, 100 XP).")
    french = top_text(entries, page=1, members=12, asker_rank=None, asker_xp=0, locale="fr")
    assert f"<@{USER}> : niveau 5" in french and "Tu n'as pas encore d'XP" in french
    assert top_text([], page=1, members=0, asker_rank=None, asker_xp=0) == (
        "Nobody has earned XP here yet."
    )


def test_a_page_past_the_end_is_refused_saying_how_many_there_are():
    assert pages(0) == 1 and pages(10) == 1 and pages(11) == 2
    assert check_top_page(2, 11) == 2
    with pytest.raises(InvalidInput) as e:
        check_top_page(3, 11)
    assert e.value.text("fr") == (
        "Cette page est au-delà de la fin du classement (dernière page : 2)."
    )


def test_members_with_equal_xp_share_a_rank_and_no_xp_is_no_rank():
    assert rank_of(500, 0) == 1 and rank_of(500, 3) == 4 and rank_of(0, 0) is None


def test_admin_replies_say_what_changed_and_the_level_move():
    added = admin_reply(admin_change("add", 0, 300), USER, reason="event winner")
    assert added == (
        f"Added 300 XP to <@{USER}>: 300 XP now, level 2. Level 0 → 2; level roles updated."
        "\nReason: event winner"
    )
    removed = admin_reply(admin_change("remove", 300, 1_000), USER, locale="fr")
    assert removed.startswith(f"300 XP retirés à <@{USER}> : 0 XP désormais, niveau 0.")
    assert admin_reply(admin_change("set", 10, 20), USER) == f"<@{USER}> now has 20 XP, level 0."
    assert "remise à 0" in admin_reply(admin_change("reset", 10), USER, locale="fr")
