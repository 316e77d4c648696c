"""Community lists, code normalisation, the first-start rule and the poll interval."""

from __future__ import annotations

import pytest

from vouchy.core.errors import ConfigError, InvalidInput
from vouchy.features.giftcodes import sources
from vouchy.features.giftcodes.sources import ListedCode


def test_the_usual_list_gives_codes_with_their_dates() -> None:
    body = b'{"codes": ["HappyMay 01.05.2025", "WOS2025 31.12.2025", "NODATE"]}'
    listed = sources.parse_code_list(body)
    assert listed.codes == (
        ListedCode(code="HappyMay", date="2025-05-01"),
        ListedCode(code="WOS2025", date="2025-12-31"),
        ListedCode(code="NODATE", date=None),
    )
    assert listed.rejected == ()


def test_a_plain_list_of_strings_is_read_too() -> None:
    listed = sources.parse_code_list('["A1", "B2 02.03.2024"]')
    assert [c.code for c in listed.codes] == ["A1", "B2"]


def test_a_duplicate_counts_once_and_the_first_wins() -> None:
    listed = sources.parse_code_list('["A1 01.01.2025", "A1 02.01.2025"]')
    assert listed.codes == (ListedCode(code="A1", date="2025-01-01"),)


def test_bad_entries_are_set_aside_and_the_rest_still_count() -> None:
    listed = sources.parse_code_list('{"codes": ["GOOD1", 42, "", "two words here", "bad!code"]}')
    assert [c.code for c in listed.codes] == ["GOOD1"]
    assert len(listed.rejected) == 4


def test_a_bad_date_keeps_the_code_without_a_date() -> None:
    assert sources.parse_code_list('["A1 31.02.2025"]').codes == (ListedCode(code="A1"),)


@pytest.mark.parametrize(
    "body", [b"<html>down</html>", b"", b'{"items": []}', b'{"codes": "A1"}', b"42", b"\xff\xfe"]
)
def test_a_list_that_is_not_a_list_is_refused(body: bytes) -> None:
    with pytest.raises(InvalidInput) as err:
        sources.parse_code_list(body)
    assert err.value.key == "giftcodes.bad_list"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("  HappyMay ", "HappyMay"),
        ("`HappyMay`", "HappyMay"),
        ('"WOS2025"', "WOS2025"),
        ("Happy\u200bMay", "HappyMay"),  # a zero-width space pasted from Discord
        ("ＨａｐｐｙＭａｙ", "HappyMay"),  # full-width letters
    ],
)
def test_typed_codes_are_normalised_and_keep_their_case(raw: str, code: str) -> None:
    assert sources.normalize_code(raw) == code


@pytest.mark.parametrize("raw", ["", "   ", "two words", "semi;colon", "x" * 33, "émoji🎁"])
def test_things_that_are_not_codes_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        sources.normalize_code(raw)
    assert err.value.key == "giftcodes.bad_code"


def test_player_ids_are_digits() -> None:
    assert sources.check_player_id(" 424639700 ") == 424639700
    for bad in ("abc", "-5", "0", "", "1" * 13, True):
        with pytest.raises(InvalidInput):
            sources.check_player_id(bad)


def test_on_the_first_start_listed_codes_are_known_but_not_announced() -> None:
    listed = sources.parse_code_list('["OLD1", "OLD2"]').codes
    first = sources.new_codes(set(), listed, first_start=True)
    assert [(c.code, c.announce, c.source) for c in first] == [
        ("OLD1", False, "first_start"),
        ("OLD2", False, "first_start"),
    ]


def test_after_the_first_start_only_new_codes_are_announced_once() -> None:
    listed = sources.parse_code_list('["OLD1", "NEW1", "NEW1"]').codes
    fresh = sources.new_codes({"OLD1"}, listed, first_start=False)
    assert [(c.code, c.announce) for c in fresh] == [("NEW1", True)]
    assert sources.new_codes({"OLD1", "NEW1"}, listed, first_start=False) == []


def test_the_interval_defaults_to_ten_seconds() -> None:
    assert sources.check_interval_s() == 10.0
    assert sources.check_interval_s(30, {}) == 30.0


def test_the_environment_variable_wins_as_in_the_seed() -> None:
    assert sources.check_interval_s(30, {"GIFTCODE_CHECK_INTERVAL": "10"}) == 10.0
    assert sources.check_interval_s(30, {"GIFTCODE_CHECK_INTERVAL": " 2.5 "}) == 2.5
    assert sources.check_interval_s(30, {"GIFTCODE_CHECK_INTERVAL": ""}) == 30.0


@pytest.mark.parametrize("value", ["ten", "10s", "0", "-5", "nan", "inf", "0.5", "100000"])
def test_a_bad_interval_is_a_clear_config_error(value: str) -> None:
    with pytest.raises(ConfigError) as err:
        sources.check_interval_s(10, {"GIFTCODE_CHECK_INTERVAL": value})
    assert "GIFTCODE_CHECK_INTERVAL" in err.value.message
    assert repr(value) in err.value.message


def test_a_bad_configured_interval_is_refused_too() -> None:
    with pytest.raises(ConfigError):
        sources.check_interval_s(0)
