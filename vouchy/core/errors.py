"""The one error family: every refusal a member or operator can see is a ``VouchyError``.

Each error carries a message meant for the member (the Discord layer renders it in one place)
and a stable ``code`` for logs and metrics. This module imports nothing of Vouchy, so every
layer, the store included, may raise these.
"""

from __future__ import annotations


class VouchyError(Exception):
    """A refusal with a message meant for the person who asked."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(VouchyError):
    """An amount, page, id or option that is out of bounds or malformed."""

    code = "invalid_input"


class InvalidAmount(InvalidInput):
    code = "invalid_amount"


class SelfTransfer(InvalidInput):
    code = "self_transfer"


class BotAccount(InvalidInput):
    code = "bot_account"


class InsufficientFunds(VouchyError):
    code = "insufficient_funds"

    def __init__(self, balance: int, needed: int) -> None:
        super().__init__(f"You need {needed:,} points but have {balance:,}.")
        self.balance = balance
        self.needed = needed


class CooldownActive(VouchyError):
    code = "cooldown"

    def __init__(self, what: str, retry_after_s: float) -> None:
        hours, rest = divmod(int(retry_after_s + 0.999), 3600)
        minutes = (rest + 59) // 60
        wait = f"{hours}h {minutes}m" if hours else f"{max(minutes, 1)}m"
        super().__init__(f"You already claimed your {what}. Try again in {wait}.")
        self.retry_after_s = retry_after_s


class PermissionDenied(VouchyError):
    code = "permission_denied"


class Busy(VouchyError):
    """The writer's queue is full or the bot is shutting down: nothing was applied."""

    code = "busy"


class StorageUnavailable(VouchyError):
    """The database or journal refused a write (disk full, I/O error): nothing was applied."""

    code = "storage_unavailable"


class ConfigError(VouchyError):
    """A bad setting in config.toml or the environment, naming the key and the value."""

    code = "config"
