"""Input rules shared by every entry point: amounts, pages, members, reasons.

Pure functions that raise a typed ``InvalidInput`` with a text for the member, so a bad value
is refused before anything reaches the writer (the schema checks again after).
"""

from __future__ import annotations

from vouchy.core import i18n
from vouchy.core.errors import BotAccount, InvalidAmount, InvalidInput, SelfTransfer

MAX_PAGE = 1_000_000
MAX_ID = 2**63 - 1
# The largest balance there can be (the schema's bound on one ledger movement).
MAX_BALANCE = 10**12

TEXTS = i18n.register(
    {
        "input.bad_amount": {
            "en": "The amount must be a whole number from 1 to {maximum}.",
            "fr": "Le montant doit être un nombre entier de 1 à {maximum}.",
        },
        "input.amount_too_small": {
            "en": "The amount must be at least 1 (you gave {amount}).",
            "fr": "Le montant doit être d'au moins 1 (tu as donné {amount}).",
        },
        "input.amount_too_large": {
            "en": "The amount can be at most {maximum} (you gave {amount}).",
            "fr": "Le montant peut être au plus de {maximum} (tu as donné {amount}).",
        },
        "input.bad_balance": {
            "en": "The balance to set must be a whole number from 0 to {maximum}.",
            "fr": "Le solde à fixer doit être un nombre entier de 0 à {maximum}.",
        },
        "input.bad_page": {
            "en": "The page must be a whole number from 1 to {maximum}.",
            "fr": "La page doit être un nombre entier de 1 à {maximum}.",
        },
        "input.not_a_member": {
            "en": "That is not a member of this server.",
            "fr": "Ce n'est pas un membre de ce serveur.",
        },
        "input.bot_account": {
            "en": "Bots don't hold points.",
            "fr": "Les bots n'ont pas de points.",
        },
        "input.self_transfer": {
            "en": "You can't give points to yourself.",
            "fr": "Tu ne peux pas te donner des points à toi-même.",
        },
        "input.bad_reason": {
            "en": "The reason can be at most {maximum} characters.",
            "fr": "La raison peut faire au plus {maximum} caractères.",
        },
    }
)


def check_amount(amount: object, maximum: int) -> int:
    """A whole number of points from 1 to ``maximum``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidAmount("input.bad_amount", maximum=maximum)
    if amount < 1:
        raise InvalidAmount("input.amount_too_small", amount=int(amount))
    if amount > maximum:
        raise InvalidAmount("input.amount_too_large", maximum=maximum, amount=int(amount))
    return int(amount)


def check_balance_target(amount: object, maximum: int = MAX_BALANCE) -> int:
    """An admin ``set``: a whole number from 0 to ``maximum`` (a balance has no cap below
    the schema's own: ``limits.max_amount`` bounds one command's movement, not a balance)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= maximum:
        raise InvalidAmount("input.bad_balance", maximum=maximum)
    return int(amount)


def check_page(page: object, maximum: int = MAX_PAGE) -> int:
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= maximum:
        raise InvalidInput("input.bad_page", maximum=maximum)
    return int(page)


def check_member(user_id: object, *, is_bot: bool = False) -> int:
    """A Discord user id that may hold an account: a positive snowflake, never a bot."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) or not 0 < user_id <= MAX_ID:
        raise InvalidInput("input.not_a_member")
    if is_bot:
        raise BotAccount("input.bot_account")
    return int(user_id)


def check_transfer(sender_id: int, receiver_id: int, *, receiver_is_bot: bool = False) -> None:
    check_member(receiver_id, is_bot=receiver_is_bot)
    if sender_id == receiver_id:
        raise SelfTransfer("input.self_transfer")


def check_reason(reason: object, maximum: int = 200) -> str:
    if reason is None:
        return ""
    if not isinstance(reason, str) or len(reason) > maximum:
        raise InvalidInput("input.bad_reason", maximum=maximum)
    return str(reason).strip()
