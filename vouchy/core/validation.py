"""Input rules shared by every entry point: amounts, pages, transfer targets.

Pure functions that raise a typed ``InvalidInput`` with a message for the member, so a bad
value is refused before anything reaches the writer (the schema checks again after).
"""

from __future__ import annotations

from vouchy.core.errors import BotAccount, InvalidAmount, InvalidInput, SelfTransfer


def check_amount(amount: object, maximum: int) -> int:
    """A whole number of points from 1 to ``maximum``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidAmount(f"The amount must be a whole number from 1 to {maximum:,}.")
    if amount < 1:
        raise InvalidAmount(f"The amount must be at least 1 (you gave {amount:,}).")
    if amount > maximum:
        raise InvalidAmount(f"The amount can be at most {maximum:,} (you gave {amount:,}).")
    return amount


def check_balance_target(amount: object, maximum: int) -> int:
    """An admin ``set``: a whole number from 0 to ``maximum``."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= maximum:
        raise InvalidAmount(f"The balance to set must be a whole number from 0 to {maximum:,}.")
    return amount


def check_page(page: object) -> int:
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= 1_000_000:
        raise InvalidInput("The page must be a whole number from 1.")
    return page


def check_page_size(size: object, maximum: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= maximum:
        raise InvalidInput(f"The page size must be from 1 to {maximum}.")
    return size


def check_member(user_id: object, *, is_bot: bool = False) -> int:
    """A Discord user id that may hold an account: a positive snowflake, never a bot."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) or not 0 < user_id < 2**63:
        raise InvalidInput("That is not a member of this server.")
    if is_bot:
        raise BotAccount("Bots don't hold points.")
    return user_id


def check_transfer(sender_id: int, receiver_id: int, *, receiver_is_bot: bool = False) -> None:
    check_member(receiver_id, is_bot=receiver_is_bot)
    if sender_id == receiver_id:
        raise SelfTransfer("You can't give points to yourself.")


def check_reason(reason: object, maximum: int = 200) -> str:
    if reason is None:
        return ""
    if not isinstance(reason, str) or len(reason) > maximum:
        raise InvalidInput(f"The reason can be at most {maximum} characters.")
    return reason.strip()
