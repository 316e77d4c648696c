"""The join logs a person can open: one line per join, safe in a spreadsheet, in step with the
database after a crash."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import msgspec

from vouchy.features.invites.logs import (
    CSV_COLUMNS,
    LogLine,
    append_join,
    catch_up,
    csv_bytes,
    log_paths,
    logged_join_ids,
    missing_lines,
    record_from_line,
)
from vouchy.features.invites.records import JoinRecord, join_reference

GUILD = 111
T0 = 1_761_921_045_123


def record(n: int, name: str = "john_doe", code: str = "abc123XYZ") -> JoinRecord:
    at = T0 + n * 1_000
    return JoinRecord(
        join_id=join_reference(GUILD, 5000 + n, at),
        guild_id=GUILD,
        member_id=5000 + n,
        member_name=name,
        display_name="John Doe",
        joined_at_ms=at,
        account_created_ms=1_600_000_000_000,
        cause="code",
        code=code,
        inviter_id=987654321098765432,
        inviter_name="TravisP",
        staff_id=987654321098765432,
        staff_name="TravisP#0001",
        uses_before=5 + n,
        uses_after=6 + n,
        how="invites.how.code",
        how_params={"code": code, "before": 5 + n, "after": 6 + n},
    )


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))


def jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_a_join_is_written_to_both_logs_with_every_detail(tmp_path: Path) -> None:
    append_join(tmp_path, record(1))
    paths = log_paths(tmp_path)
    assert paths.jsonl == tmp_path / "invite_logs" / "invite_joins.jsonl"
    [line] = jsonl(paths.jsonl)
    assert line["time"] == "2025-10-31T14:30:46.123Z"
    assert line["member_id"] == 5001 and line["code"] == "abc123XYZ"
    assert (
        line["staff_name"] == "TravisP#0001"
        and line["uses_before"] == 6
        and line["uses_after"] == 7
    )
    assert line["account_created"] == "2020-09-13T12:26:40.000Z"
    assert line["cause"] == "code" and "went from 6 to 7" in str(line["how"])
    header, row = csv_rows(paths.csv)
    assert tuple(header) == CSV_COLUMNS
    assert dict(zip(header, row, strict=True))["time_utc"] == "2025-10-31T14:30:46.123Z"
    assert paths.csv.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 for spreadsheets


def test_a_log_line_gives_back_the_join_exactly(tmp_path: Path) -> None:
    append_join(tmp_path, record(1))
    raw = log_paths(tmp_path).jsonl.read_bytes().splitlines()[0]
    assert record_from_line(msgspec.json.decode(raw, type=LogLine)) == record(1)


def test_formula_cells_are_neutralised_and_numbers_stay_numbers(tmp_path: Path) -> None:
    evil = record(1, name='=HYPERLINK("http://x.example","click")', code="-2+3")
    data = csv_bytes([evil], header=True).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(data)))
    cells = dict(zip(header, row, strict=True))
    assert cells["member_name"] == '\'=HYPERLINK("http://x.example","click")'
    assert cells["invite_code"] == "'-2+3"
    assert cells["uses_before"] == "6" and cells["member_id"] == "5001"
    for name in ("+cmd", "@SUM(A1)", "\tx", "\r=1"):
        row = list(
            csv.reader(io.StringIO(csv_bytes([record(1, name=name)], header=False).decode()))
        )[0]
        assert row[CSV_COLUMNS.index("member_name")][0] not in "=+-@\t\r"


def test_a_line_break_in_a_name_keeps_one_row_on_one_line(tmp_path: Path) -> None:
    data = csv_bytes([record(1, name="a\n=cmd")], header=False)
    assert data.count(b"\n") == 1


def test_catch_up_appends_the_joins_the_files_lack_in_database_order(tmp_path: Path) -> None:
    append_join(tmp_path, record(1))
    database = [record(1), record(2), record(3)]
    paths = log_paths(tmp_path)
    assert missing_lines([r.join_id for r in database], paths.jsonl) == [
        record(2).join_id,
        record(3).join_id,
    ]
    report = catch_up(tmp_path, database)
    assert (report.jsonl.appended, report.csv.appended) == (2, 2)
    assert logged_join_ids(paths.jsonl)[0] == [r.join_id for r in database]
    assert logged_join_ids(paths.csv)[0] == [r.join_id for r in database]


def test_catch_up_twice_changes_nothing(tmp_path: Path) -> None:
    database = [record(1), record(2)]
    catch_up(tmp_path, database)
    paths = log_paths(tmp_path)
    before = (paths.jsonl.read_bytes(), paths.csv.read_bytes())
    report = catch_up(tmp_path, database)
    assert (report.jsonl.appended, report.csv.appended) == (0, 0)
    assert (paths.jsonl.read_bytes(), paths.csv.read_bytes()) == before


def test_a_torn_last_line_is_written_again_whole_not_duplicated(tmp_path: Path) -> None:
    database = [record(1), record(2)]
    append_join(tmp_path, record(1))
    paths = log_paths(tmp_path)
    # A crash in the middle of writing the second join, in both files.
    with open(paths.jsonl, "ab") as f:
        f.write(b'{"join_id":"' + record(2).join_id.encode() + b'","time":"2025-')
    with open(paths.csv, "ab") as f:
        f.write(csv_bytes([record(2)], header=False)[:30])
    report = catch_up(tmp_path, database)
    assert report.jsonl.torn_tail_repaired and report.csv.torn_tail_repaired
    ids = logged_join_ids(paths.jsonl)[0]
    assert ids == [record(1).join_id, record(2).join_id]
    assert logged_join_ids(paths.csv)[0] == ids
    assert all(json.loads(line) for line in paths.jsonl.read_text().splitlines())
    assert len(csv_rows(paths.csv)) == 3  # header + two joins


def test_an_append_after_a_torn_line_does_not_glue_onto_it(tmp_path: Path) -> None:
    append_join(tmp_path, record(1))
    paths = log_paths(tmp_path)
    with open(paths.jsonl, "ab") as f:
        f.write(b'{"join_id":"torn')
    append_join(tmp_path, record(2))
    assert [json.loads(x)["member_id"] for x in paths.jsonl.read_text().splitlines()] == [
        5001,
        5002,
    ]


def test_a_torn_csv_header_is_written_again(tmp_path: Path) -> None:
    paths = log_paths(tmp_path)
    paths.csv.parent.mkdir(parents=True)
    paths.csv.write_bytes("\ufeffjoin_id,time_u".encode())
    catch_up(tmp_path, [record(1)])
    header, row = csv_rows(paths.csv)
    assert tuple(header) == CSV_COLUMNS and row[0] == record(1).join_id


def test_a_line_the_database_does_not_hold_is_reported_not_removed(tmp_path: Path) -> None:
    append_join(tmp_path, record(9))
    report = catch_up(tmp_path, [record(1)])
    assert report.jsonl.extra_ids == (record(9).join_id,)
    assert len(logged_join_ids(log_paths(tmp_path).jsonl)[0]) == 2
