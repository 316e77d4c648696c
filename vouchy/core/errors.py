"""The one error family: every refusal a member or operator can see is a ``VouchyError``.

An error carries a text key and its values (``vouchy.core.i18n``), so the Discord layer can
say it in the member's language in one place, and a stable ``code`` for logs and metrics;
``message`` is the English text, for logs and the command line. This module imports nothing of
Vouchy but the texts, so every layer, the store included, may raise these.
"""

from __future__ import annotations

from typing import ClassVar

from vouchy.core import i18n

TEXTS = i18n.register(
    {
        "error.insufficient_funds": {
            "en": "You need {needed} points but have {balance}.",
            "fr": "Il te faut {needed} points, tu n'en as que {balance}.",
        },
        "error.insufficient_funds_other": {
            "en": "<@{user_id}> has only {balance} points: taking {needed} would leave a "
            "negative balance.",
            "fr": "<@{user_id}> n'a que {balance} points : en retirer {needed} laisserait un "
            "solde négatif.",
        },
        "error.cooldown": {
            "en": "You already claimed your {what}. Try again in {wait}.",
            "fr": "Tu as déjà récupéré ta {what}. Réessaie dans {wait}.",
        },
        "error.restarting": {
            "en": "Vouchy is restarting; nothing was changed. Try again in a moment.",
            "fr": "Vouchy redémarre ; rien n'a été modifié. Réessaie dans un instant.",
        },
        "error.storage": {
            "en": "Vouchy could not save that right now; nothing was changed. Try again shortly.",
            "fr": "Vouchy n'a pas pu enregistrer cela pour l'instant ; rien n'a été modifié. "
            "Réessaie bientôt.",
        },
        "error.storage_uncertain": {
            "en": "Vouchy could not confirm that the change was saved. Check your history "
            "before trying again.",
            "fr": "Vouchy n'a pas pu confirmer l'enregistrement. Vérifie ton historique avant "
            "de réessayer.",
        },
        "error.reference_taken": {
            "en": "That request was already used for a different change; nothing was changed.",
            "fr": "Cette demande a déjà servi pour une autre modification ; rien n'a été modifié.",
        },
        "error.guild_only": {
            "en": "Vouchy's commands work inside a server, not in direct messages.",
            "fr": "Les commandes de Vouchy fonctionnent dans un serveur, pas en message privé.",
        },
    }
)


class VouchyError(Exception):
    """A refusal: a text key and its values, meant for the person who asked."""

    code: ClassVar[str] = "error"
    _by_code: ClassVar[dict[str, type[VouchyError]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        VouchyError._by_code.setdefault(cls.code, cls)

    @staticmethod
    def restore(code: str, key: str, params: dict[str, object]) -> VouchyError:
        """The refusal recorded as (``code``, ``key``, ``params``), as the class that raised
        it (the store answers a repeated reference with the refusal it gave the first time)."""
        cls = VouchyError._by_code.get(code, Refused)
        error = cls.__new__(cls)
        Exception.__init__(error, key)
        error.key = key
        error.params = dict(params)
        for name, value in params.items():
            setattr(error, name, value)
        return error

    def record(self) -> dict[str, object]:
        """What ``restore`` needs: the class's code, the text key and its values."""
        return {"code": self.code, "key": self.key, "params": self.params}

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    @property
    def message(self) -> str:
        """The English text (logs, the command line)."""
        return i18n.text(self.key, "en", **self.params)

    def text(self, locale: str) -> str:
        return i18n.text(self.key, locale, **self.params)

    def __str__(self) -> str:
        return self.message


class InvalidInput(VouchyError):
    """An amount, page, id or option that is out of bounds or malformed."""

    code = "invalid_input"


class InvalidAmount(InvalidInput):
    code = "invalid_amount"


class SelfTransfer(InvalidInput):
    code = "self_transfer"


class BotAccount(InvalidInput):
    code = "bot_account"


class Refused(VouchyError):
    """A rule said no (a bound, a state that moved on, a limit): nothing was changed. The
    ``code`` names the rule; features subclass it or raise it with their own key."""

    code = "refused"


class InsufficientFunds(Refused):
    code = "insufficient_funds"

    def __init__(self, balance: int, needed: int, user_id: int = 0) -> None:
        super().__init__(
            "error.insufficient_funds", balance=balance, needed=needed, user_id=user_id
        )
        self.balance = balance
        self.needed = needed
        self.user_id = user_id

    def for_someone_else(self) -> VouchyError:
        """The same refusal told to an admin acting on the member's account."""
        return Refused(
            "error.insufficient_funds_other",
            balance=self.balance,
            needed=self.needed,
            user_id=self.user_id,
        )


class CooldownActive(Refused):
    code = "cooldown"

    def __init__(self, what: str, retry_after_s: float) -> None:
        super().__init__(
            "error.cooldown",
            what=what,
            wait=i18n.duration(retry_after_s),
            retry_after_s=retry_after_s,
        )
        self.what = what
        self.retry_after_s = retry_after_s

    def text(self, locale: str) -> str:
        what = i18n.text(self.what, locale)
        wait = i18n.duration(self.retry_after_s, locale)
        return i18n.text(self.key, locale, what=what, wait=wait)

    @property
    def message(self) -> str:
        return self.text("en")


class ReferenceTaken(Refused):
    """The reference names another operation (another member's, or another body)."""

    code = "reference_taken"

    def __init__(self) -> None:
        super().__init__("error.reference_taken")


class PermissionDenied(VouchyError):
    code = "permission_denied"


class Busy(VouchyError):
    """The writer's queue is full or the bot is shutting down: nothing was applied."""

    code = "busy"

    def __init__(self, key: str = "error.restarting", /, **params: object) -> None:
        super().__init__(key, **params)


class StorageUnavailable(VouchyError):
    """The database or journal refused a write (disk full, I/O error): nothing was applied."""

    code = "storage_unavailable"

    def __init__(self, key: str = "error.storage", /, **params: object) -> None:
        super().__init__(key, **params)


class ConfigError(VouchyError):
    """A bad setting in config.toml or the environment, naming the key and the value."""

    code = "config"
