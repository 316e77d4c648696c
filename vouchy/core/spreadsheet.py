"""Cells safe to open in a spreadsheet: every CSV Vouchy writes (ledger exports, invite logs)
goes through ``spreadsheet_safe``."""

from __future__ import annotations

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula (OWASP's CSV injection):
    a leading ``'`` makes it plain text. Numbers are written as numbers and need none."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
