"""Vouchy: a Discord points bot whose ledger never loses an acknowledged operation."""

__version__ = "0.1.0"
