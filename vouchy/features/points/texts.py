"""The points feature's texts in English and French."""

from __future__ import annotations

from vouchy.core import i18n

TEXTS = i18n.register(
    {
        "points.daily_reward": {"en": "daily reward", "fr": "récompense quotidienne"},
        "points.daily_cooldown": {
            "en": "You already claimed your daily reward.",
            "fr": "Tu as déjà récupéré ta récompense quotidienne.",
        },
        "points.repair_reason": {
            "en": "balance was {before}, ledger sum {target}",
            "fr": "le solde était {before}, la somme du registre {target}",
        },
    }
)
