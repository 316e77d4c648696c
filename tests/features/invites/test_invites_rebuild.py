"""Rebuilding joins from a log: Vouchy's JSONL and the seed bot's invite_joins.json, validated
whole, twice changing nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vouchy.core.errors import InvalidInput
from vouchy.features.invites.logs import append_joins, log_paths
from vouchy.features.invites.rebuild import (
    detect_format,
    plan_rebuild,
    read_bytes,
    read_file,
)
from vouchy.features.invites.records import JoinRecord, join_reference, parse_iso

# The record the seed's write-up shows, and a second one.
SEED_RECORD = {
    "timestamp": "2025-10-31T14:30:45.123456",
    "user_id": "123456789012345678",
    "username": "john_doe",
    "display_name": "John Doe",
    "invite_code": "abc123XYZ",
    "staff_id": "987654321098765432",
    "staff_username": "TravisP#0001",
    "uses_before": 5,
    "uses_after": 6,
    "guild_id": "111222333444555666",
    "guild_name": "PipVault",
}
SEED_OTHER = {
    **SEED_RECORD,
    "timestamp": "2025-11-01T09:00:00.000001",
    "user_id": "223456789012345678",
    "username": "=cmd|' /C calc'!A0",
    "invite_code": None,
    "staff_id": None,
    "staff_username": None,
    "uses_before": None,
    "uses_after": None,
}


def seed_as_array() -> bytes:
    return json.dumps([SEED_RECORD, SEED_OTHER], indent=2).encode()


def seed_as_lines() -> bytes:
    return ("\n".join(json.dumps(r) for r in (SEED_RECORD, SEED_OTHER)) + "\n").encode()


def seed_as_pretty_stream() -> bytes:
    return "\n".join(json.dumps(r, indent=2) for r in (SEED_RECORD, SEED_OTHER)).encode()


@pytest.mark.parametrize("data", [seed_as_array(), seed_as_lines(), seed_as_pretty_stream()])
def test_the_seed_bots_records_are_read_in_every_shape_it_may_have_written(data: bytes) -> None:
    read = read_bytes(data, name="invite_joins.json")
    assert read.format == "seed_json"
    first, second = read.joins
    assert first.member_id == 123456789012345678 and first.guild_id == 111222333444555666
    assert first.joined_at_ms == parse_iso("2025-10-31T14:30:45.123Z")
    assert (first.cause, first.code, first.uses_before, first.uses_after) == (
        "code",
        "abc123XYZ",
        5,
        6,
    )
    assert (first.staff_id, first.staff_name, first.inviter_id) == (
        987654321098765432,
        "TravisP#0001",
        None,
    )
    assert first.join_id == join_reference(
        111222333444555666, 123456789012345678, first.joined_at_ms
    )
    assert first.account_created_ms is not None and first.account_created_ms < first.joined_at_ms
    assert (second.cause, second.code, second.staff_id) == ("unknown", None, None)


def test_reading_the_same_file_twice_gives_the_same_joins_and_the_second_rebuild_adds_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "invite_joins.json"
    path.write_bytes(seed_as_array())
    first = read_file(path)
    plan = plan_rebuild(first.joins, recorded_ids=set())
    assert len(plan.new) == 2
    recorded = {j.join_id for j in plan.new}
    again = plan_rebuild(read_file(path).joins, recorded_ids=recorded)
    assert again.new == () and again.already_recorded == 2


def test_vouchys_log_of_the_imported_joins_rebuilds_the_same_joins(tmp_path: Path) -> None:
    imported = read_bytes(seed_as_lines(), name="invite_joins.json").joins
    append_joins(tmp_path, list(imported))  # Vouchy logs what it imported
    jsonl = log_paths(tmp_path).jsonl
    assert detect_format(jsonl.read_text()) == "vouchy_jsonl"
    rebuilt = read_file(jsonl)
    assert rebuilt.format == "vouchy_jsonl"
    assert rebuilt.joins == imported
    assert plan_rebuild(rebuilt.joins, {j.join_id for j in imported}).new == ()


def test_a_deleted_database_is_rebuilt_from_the_jsonl_log_with_every_join(tmp_path: Path) -> None:
    joins = [
        JoinRecord(
            join_id=join_reference(1, 100 + n, 1_700_000_000_000 + n),
            guild_id=1,
            member_id=100 + n,
            member_name=f"member {n}",
            joined_at_ms=1_700_000_000_000 + n,
            cause="ambiguous" if n % 3 == 0 else "code",
            code=None if n % 3 == 0 else "abc",
            inviter_id=None if n % 3 == 0 else 7,
            candidates=("abc", "xyz") if n % 3 == 0 else (),
            how="invites.how.ambiguous" if n % 3 == 0 else "invites.how.code",
            how_params={"count": 2, "codes": "abc, xyz"}
            if n % 3 == 0
            else {"code": "abc", "before": n, "after": n + 1},
        )
        for n in range(50)
    ]
    append_joins(tmp_path, joins)
    assert read_file(log_paths(tmp_path).jsonl).joins == tuple(joins)


def test_the_same_record_written_twice_in_a_file_is_read_once() -> None:
    data = (json.dumps(SEED_RECORD) + "\n" + json.dumps(SEED_RECORD) + "\n").encode()
    read = read_bytes(data, name="invite_joins.json")
    assert len(read.joins) == 1 and read.duplicates_skipped == 1


def test_one_join_written_twice_with_different_details_refuses_the_file() -> None:
    changed = {**SEED_RECORD, "invite_code": "other"}
    data = (json.dumps(SEED_RECORD) + "\n" + json.dumps(changed) + "\n").encode()
    with pytest.raises(InvalidInput) as e:
        read_bytes(data, name="invite_joins.json")
    assert e.value.key == "invites.rebuild_conflict"
    assert e.value.params["first"] == 1 and e.value.params["line"] == 2


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"user_id": "not-an-id"}, "user_id"),
        ({"user_id": "0"}, "user_id"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"uses_before": "five"}, "uses_before"),
        ({"uses_after": -1}, "uses_after"),
        ({"username": None}, "username"),
    ],
)
def test_a_bad_seed_record_refuses_the_whole_file_naming_it(
    bad: dict[str, object], reason: str
) -> None:
    records = [SEED_RECORD, SEED_OTHER, {**SEED_RECORD, "user_id": "323456789012345678", **bad}]
    data = ("\n".join(json.dumps(r) for r in records) + "\n").encode()
    with pytest.raises(InvalidInput) as e:
        read_bytes(data, name="invite_joins.json")
    assert e.value.key == "invites.rebuild_bad_record"
    assert e.value.params["record"] == 3 and e.value.params["line"] == 3
    assert reason in str(e.value.params["reason"])
    assert "invite_joins.json" in e.value.message and "record 3" in e.value.message


def test_a_record_missing_a_field_in_an_array_is_named_with_its_line() -> None:
    broken = {k: v for k, v in SEED_OTHER.items() if k != "guild_id"}
    data = json.dumps([SEED_RECORD, broken], indent=2).encode()
    with pytest.raises(InvalidInput) as e:
        read_bytes(data, name="invite_joins.json")
    assert e.value.params["record"] == 2 and e.value.params["line"] == 15
    assert "guild_id" in str(e.value.params["reason"])


def test_a_bad_line_in_vouchys_log_refuses_the_file(tmp_path: Path) -> None:
    imported = read_bytes(seed_as_lines(), name="invite_joins.json").joins
    append_joins(tmp_path, list(imported))
    path = log_paths(tmp_path).jsonl
    lines = path.read_text().splitlines()
    lines.insert(1, json.dumps({**json.loads(lines[0]), "cause": "guessed"}))
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInput) as e:
        read_file(path)
    assert e.value.key == "invites.rebuild_bad_record" and e.value.params["line"] == 2


def test_a_torn_last_line_of_vouchys_log_is_skipped_and_reported(tmp_path: Path) -> None:
    imported = read_bytes(seed_as_lines(), name="invite_joins.json").joins
    append_joins(tmp_path, list(imported))
    path = log_paths(tmp_path).jsonl
    with open(path, "a") as f:
        f.write('{"join_id":"invites:join:1:2:3","ti')
    read = read_file(path)
    assert read.torn_tail_skipped and read.joins == imported


def test_a_file_that_is_not_json_is_refused() -> None:
    with pytest.raises(InvalidInput) as e:
        read_bytes(b"user_id,username\n1,a\n", name="joins.csv")
    assert e.value.key == "invites.rebuild_bad_record" and e.value.params["line"] == 1
    with pytest.raises(InvalidInput) as e:
        read_bytes(b"\xff\xfe", name="x.json")
    assert e.value.key == "invites.rebuild_not_utf8"
