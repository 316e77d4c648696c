"""Moving in: xp-csv files from other level bots, checked whole before anything is written."""

import pytest

from vouchy.features.levels.curve import MAX_XP, Curve, xp_for_level
from vouchy.features.levels.importing import ImportRefused, parse_xp_csv

A, B, C = 111111111111111111, 222222222222222222, 333333333333333333


def rows(result):
    return [(r.user_id, r.xp) for r in result.rows]


@pytest.mark.parametrize(
    "header", ["user_id,xp", "userId,totalXp", "User ID,XP", "member_id,experience", "id,exp"]
)
def test_common_xp_headers_are_recognised(header):
    data = f"{header}\n{A},1200\n{B},0\n".encode()
    result = parse_xp_csv(data)
    assert result.source == "xp" and rows(result) == [(A, 1200), (B, 0)]


def test_a_level_becomes_the_xp_at_which_that_level_begins():
    result = parse_xp_csv(f"id,level\n{A},5\n{B},0\n".encode())
    assert result.source == "level" and rows(result) == [(A, 1_150), (B, 0)]


def test_a_level_is_converted_under_the_guilds_curve():
    curve = Curve(quadratic=0, linear=0, constant=1_000)
    assert rows(parse_xp_csv(f"id,lvl\n{A},3\n".encode(), curve)) == [(A, 3_000)]


def test_a_mee6_leaderboard_dump_uses_its_xp_column_over_its_level():
    data = (
        "id,username,discriminator,avatar,guild_id,level,message_count,xp,detailed_xp\n"
        f'{A},alice,0,abc,999,5,812,1300,"[150, 475, 1300]"\n'
        f'{B},bob,0,,999,1,12,180,"[80, 155, 180]"\n'
    ).encode()
    result = parse_xp_csv(data)
    assert result.source == "xp" and rows(result) == [(A, 1300), (B, 180)]


def test_semicolons_tabs_a_byte_order_mark_blank_lines_and_float_cells_are_read():
    assert rows(parse_xp_csv(f"\ufeffuser_id;xp\r\n{A};10\r\n\r\n".encode())) == [(A, 10)]
    assert rows(parse_xp_csv(f"user_id\txp\n{A}\t1200.0\n".encode())) == [(A, 1200)]


def test_the_same_file_gives_the_same_references_and_another_file_others():
    one = parse_xp_csv(f"user_id,xp\n{A},10\n".encode())
    same = parse_xp_csv(f"user_id,xp\n{A},10\n".encode())
    other = parse_xp_csv(f"user_id,xp\n{A},11\n".encode())
    assert one.reference(A) == same.reference(A) != other.reference(A)
    assert one.reference(A).startswith("levels:import:") and one.reference(A).endswith(str(A))


def refused(data: bytes) -> ImportRefused:
    with pytest.raises(ImportRefused) as e:
        parse_xp_csv(data, name="old.csv")
    return e.value


@pytest.mark.parametrize(
    ("data", "key", "line"),
    [
        (f"user_id,xp\n{A},10\n{B},ten\n".encode(), "levels.import.bad_xp", 3),
        (f"user_id,xp\n{A},10\n{B},-5\n".encode(), "levels.import.negative_xp", 3),
        (f"user_id,xp\n{A},{MAX_XP + 1}\n".encode(), "levels.import.xp_too_high", 2),
        (f"id,level\n{A},2.5\n".encode(), "levels.import.bad_level", 2),
        (f"id,level\n{A},100000000\n".encode(), "levels.import.level_too_high", 2),
        (f"user_id,xp\n{A},10\nalice,10\n".encode(), "levels.import.bad_user", 3),
        (b"user_id,xp\n0,10\n", "levels.import.bad_user", 2),
        (f"user_id,xp\n{A},10\n{B}\n".encode(), "levels.import.short_row", 3),
        (f"user_id,xp\n{A},10\n{B},5\n{A},7\n".encode(), "levels.import.twice", 4),
        (f'user_id,xp\n{A},"10\n'.encode(), "levels.import.bad_csv", 2),
        (f'user_id,xp\n{A},10\n{B},"5"x\n{C},1\n'.encode(), "levels.import.bad_csv", 3),
        (f"name,score\n{A},10\n".encode(), "levels.import.no_columns", 1),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_its_line(data, key, line):
    error = refused(data)
    assert error.key == key
    assert error.params.get("line") == line
    assert "old.csv" in error.message and f"line {line}" in error.message
    assert "nothing was imported" in error.message
    assert "rien n'a été importé" in error.text("fr")


def test_empty_files_headers_without_members_and_non_utf8_are_refused():
    assert refused(b"").key == "levels.import.empty"
    assert refused(b"\n\n").key == "levels.import.empty"
    assert refused(b"user_id,xp\n").key == "levels.import.no_rows"
    assert refused("user_id,xp\n1,é".encode("latin-1")).key == "levels.import.not_utf8"


def test_a_level_at_the_start_of_the_table_matches_the_curve():
    result = parse_xp_csv(f"id,level\n{A},100\n".encode())
    assert rows(result) == [(A, xp_for_level(100))] == [(A, 1_899_250)]
