"""``vouches-csv``: read whole or refused whole, naming the line and the problem; one stable
reference per row."""

from __future__ import annotations

import pytest

from vouchy.features.vouches.importing import (
    ImportRefused,
    parse_time,
    parse_vouches_csv,
    row_reference,
)

GUILD = 700_000_000_000_000_001
NOW = 1_717_200_000_000  # 2024-06-01T00:00:00Z
P = 300_000_000_000_000_001
V = 400_000_000_000_000_002
W = 400_000_000_000_000_003
M = 1_100_000_000_000_000_001


def refused(text: str | bytes) -> ImportRefused:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(ImportRefused) as caught:
        parse_vouches_csv(data, guild_id=GUILD, now_ms=NOW)
    return caught.value


def test_a_file_with_a_header_is_read_row_by_row() -> None:
    result = parse_vouches_csv(
        (
            "provider,voucher,time,message_id\n"
            f"{P},{V},2024-03-12T14:02:00Z,{M}\n"
            f"{P},{W},1710252120,\n"
            f"{P},{W},1710252120500,\n"
        ).encode(),
        guild_id=GUILD,
        now_ms=NOW,
    )
    assert result.header
    assert [(r.provider_id, r.voucher_id, r.created_at_ms, r.message_id) for r in result.rows] == [
        (P, V, 1710252120000, M),
        (P, W, 1710252120000, None),
        (P, W, 1710252120500, None),
    ]
    assert [r.line for r in result.rows] == [2, 3, 4]


def test_a_row_with_a_message_id_takes_the_live_vouch_reference() -> None:
    result = parse_vouches_csv(
        f"provider,voucher,time,message_id\n{P},{V},1710252120,{M}\n".encode(),
        guild_id=GUILD,
        now_ms=NOW,
    )
    assert result.rows[0].reference == f"vouch:{M}"


def test_a_row_without_a_message_id_gets_a_reference_from_its_values_not_its_spelling() -> None:
    iso = parse_vouches_csv(
        f"provider,voucher,time\n{P},{V},2024-03-12T14:02:00+00:00\n".encode(),
        guild_id=GUILD,
        now_ms=NOW,
    )
    unix = parse_vouches_csv(
        f"Seller ID;Buyer ID;Timestamp\n{P};{V};1710252120000\n".encode(),
        guild_id=GUILD,
        now_ms=NOW,
    )
    assert iso.rows[0].reference == unix.rows[0].reference
    assert iso.rows[0].reference == row_reference(GUILD, P, V, 1710252120000)
    assert iso.rows[0].reference.startswith("vouch:import:")


def test_the_same_file_in_another_guild_gets_other_references() -> None:
    data = f"provider,voucher,time\n{P},{V},1710252120\n".encode()
    here = parse_vouches_csv(data, guild_id=GUILD, now_ms=NOW).rows[0].reference
    there = parse_vouches_csv(data, guild_id=GUILD + 1, now_ms=NOW).rows[0].reference
    assert here != there


def test_header_names_are_found_in_any_order_case_and_spelling() -> None:
    result = parse_vouches_csv(
        f"Message ID\tCreated At\tBuyer\tVouchee\n{M}\t2024-03-12 14:02\t{V}\t{P}\n".encode(),
        guild_id=GUILD,
        now_ms=NOW,
    )
    row = result.rows[0]
    assert (row.provider_id, row.voucher_id, row.message_id) == (P, V, M)
    assert row.created_at_ms == 1710252120000  # no offset: UTC


def test_a_file_without_a_header_is_read_by_position() -> None:
    result = parse_vouches_csv(
        f"{P},{V},1710252120,{M}\n{P},{W},1710252121\n".encode(), guild_id=GUILD, now_ms=NOW
    )
    assert not result.header
    assert [(r.provider_id, r.voucher_id, r.message_id, r.line) for r in result.rows] == [
        (P, V, M, 1),
        (P, W, None, 2),
    ]


def test_a_spreadsheet_export_with_a_bom_and_blank_lines_is_read() -> None:
    data = f"\ufeffprovider,voucher,time\r\n{P},{V},1710252120\r\n\r\n,,\r\n".encode()
    assert len(parse_vouches_csv(data, guild_id=GUILD, now_ms=NOW).rows) == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-12T14:02:00Z", 1710252120000),
        ("2024-03-12T15:02:00+01:00", 1710252120000),
        ("2024-03-12", 1710201600000),
        ("1710252120", 1710252120000),
        ("1710252120.25", 1710252120250),
        ("1710252120123", 1710252120123),
        (" 1710252120 ", 1710252120000),
        ("yesterday", None),
        ("-1710252120", None),
        ("12/03/2024", None),
    ],
)
def test_times_are_iso_8601_or_unix_seconds_or_milliseconds(raw: str, expected: int | None) -> None:
    assert parse_time(raw) == expected


def test_a_bad_id_refuses_the_whole_file_naming_the_line() -> None:
    err = refused(f"provider,voucher,time\n{P},{V},1710252120\n{P},@someone,1710252120\n")
    assert err.message == (
        "vouches.csv: line 3: the voucher '@someone' is not a Discord id. Nothing was imported."
    )
    assert err.text("fr").startswith("vouches.csv : ligne 3 : voucher '@someone'")


def test_an_unreadable_time_is_refused() -> None:
    err = refused(f"provider,voucher,time\n{P},{V},last tuesday\n")
    assert "line 2: the time 'last tuesday' is neither ISO 8601" in err.message


def test_a_time_before_discord_or_in_the_future_is_refused() -> None:
    assert (
        "before Discord existed" in refused(f"provider,voucher,time\n{P},{V},2014-12-31\n").message
    )
    future = refused(f"provider,voucher,time\n{P},{V},{NOW + 2 * 86_400_000}\n")
    assert "line 2" in future.message and "in the future" in future.message


def test_a_self_vouch_in_the_file_is_refused() -> None:
    err = refused(f"provider,voucher,time\n{P},{P},1710252120\n")
    assert err.message.startswith("vouches.csv: line 2: the provider and the voucher are the same")
    assert str(P) in err.message


def test_the_same_message_twice_is_refused_naming_both_lines() -> None:
    err = refused(
        f"provider,voucher,time,message_id\n{P},{V},1710252120,{M}\n{P},{W},1710252999,{M}\n"
    )
    assert err.message == (
        "vouches.csv: line 3: the same vouch as line 2 (same message id). Nothing was imported."
    )
    assert "(même message)" in err.text("fr")


def test_the_same_row_twice_is_refused() -> None:
    err = refused(f"provider,voucher,time\n{P},{V},1710252120\n{P},{V},2024-03-12T14:02:00Z\n")
    assert "line 3: the same vouch as line 2 (same provider, voucher and time)" in err.message


def test_a_short_row_is_refused() -> None:
    err = refused(f"provider,voucher,time\n{P},{V}\n")
    assert err.message == "vouches.csv: line 2: 2 cells, 3 expected. Nothing was imported."


def test_a_header_without_the_needed_columns_is_refused_naming_them() -> None:
    err = refused(f"seller,amount,date\n{P},5,1710252120\n")
    assert "line 1: no voucher column in the header 'seller,amount,date'" in err.message


def test_malformed_csv_is_refused_with_its_line() -> None:
    err = refused(f'provider,voucher,time\n{P},"{V},1710252120\n')
    assert err.key == "vouches.import_bad_csv"
    assert err.message.startswith("vouches.csv: line 2: not valid CSV (unexpected end of data)")


def test_an_empty_or_binary_file_is_refused() -> None:
    assert refused("").key == "vouches.import_empty"
    assert refused("\n \n").key == "vouches.import_empty"
    assert refused(b"\xff\xfe\x00p\x00r").key == "vouches.import_not_text"


def test_one_bad_row_at_the_end_refuses_every_good_row_before_it() -> None:
    good = "".join(f"{P},{400_000_000_000_000_100 + i},{1710252120 + i}\n" for i in range(500))
    with pytest.raises(ImportRefused) as caught:
        parse_vouches_csv(
            f"provider,voucher,time\n{good}{P},{V},soon\n".encode(), guild_id=GUILD, now_ms=NOW
        )
    assert "line 502" in caught.value.message
