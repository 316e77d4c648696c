"""Every text about gift codes that an admin or member reads, in English and French.

Keys: ``giftcodes.reason.<reason>`` for every reason in ``rules.REASONS``,
``giftcodes.attempt.<status>``, ``giftcodes.code.<status>``, ``giftcodes.runner.<status>``,
``giftcodes.source.<source>``, the lines of ``/giftcode status``, ``/giftcode codes`` and
``/giftcode players list``, the signing-error alert, the new-code announcement, and the
refusals this feature raises.
"""

from __future__ import annotations

from vouchy.core import i18n

_REASONS = {
    "success": ("redeemed", "récupéré"),
    "received": ("already had it", "déjà récupéré"),
    "same_type": ("already had a gift of this kind", "avait déjà un cadeau de ce type"),
    "expired": ("code expired", "code expiré"),
    "invalid_code": ("code does not exist", "code inexistant"),
    "claim_limit": ("the code's claim limit is reached", "limite d'utilisations du code atteinte"),
    "level_too_low": ("furnace level too low", "niveau de fournaise trop bas"),
    "spending_required": ("requires in-game spending", "réservé aux joueurs ayant fait un achat"),
    "vip_required": ("VIP level too low", "niveau VIP insuffisant"),
    "no_such_player": ("no such player id", "cet identifiant de joueur n'existe pas"),
    "player_moved": (
        "player data changed, looking it up again",
        "données du joueur modifiées, nouvelle vérification",
    ),
    "timeout_retry": ("the publisher asked to retry", "l'éditeur demande de réessayer"),
    "too_frequent": ("too many tries for this player", "trop d'essais pour ce joueur"),
    "not_login": ("session expired, logging in again", "session expirée, reconnexion"),
    "sign_error": ("signature rejected (configuration)", "signature refusée (configuration)"),
    "captcha": ("captcha refused", "captcha refusé"),
    "captcha_unsure": ("captcha not read with confidence", "captcha illisible avec certitude"),
    "rate_limited": ("publisher rate limit (HTTP 429)", "limite de débit de l'éditeur (HTTP 429)"),
    "server_error": ("publisher server error", "erreur du serveur de l'éditeur"),
    "html_page": ("publisher sent an error page", "l'éditeur a renvoyé une page d'erreur"),
    "network": ("network error", "erreur réseau"),
    "timeout": ("no answer in time", "pas de réponse à temps"),
    "unknown": ("unknown answer", "réponse inconnue"),
    "garbage": ("unreadable answer", "réponse illisible"),
    "http_status": ("unexpected HTTP status", "statut HTTP inattendu"),
    "gave_up": ("gave up after repeated errors", "abandonné après plusieurs erreurs"),
}

_ATTEMPT = {
    "pending": ("pending", "en attente"),
    "redeeming": ("redeeming", "en cours"),
    "done": ("done", "terminé"),
    "failed": ("failed", "échoué"),
    "waiting": ("waiting to retry", "nouvel essai prévu"),
}

_CODE = {
    "canary": ("testing on one player first", "test sur un premier joueur"),
    "open": ("redeeming for everyone", "récupération pour tout le monde"),
    "stopped": ("stopped", "arrêté"),
}

_RUNNER = {
    "running": ("running", "en marche"),
    "backing_off": ("paused after repeated errors", "en pause après plusieurs erreurs"),
    "stopped": ("stopped", "arrêtée"),
}

_SOURCE = {
    "list": ("community list", "liste communautaire"),
    "admin": ("added by an admin", "ajouté par un admin"),
    "first_start": ("known before the first start", "connu avant le premier démarrage"),
}


def _group(prefix: str, table: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {f"giftcodes.{prefix}.{k}": {"en": en, "fr": fr} for k, (en, fr) in table.items()}


TEXTS = i18n.register(
    {
        **_group("reason", _REASONS),
        **_group("attempt", _ATTEMPT),
        **_group("code", _CODE),
        **_group("runner", _RUNNER),
        **_group("source", _SOURCE),
        # /giftcode status
        "giftcodes.status.runner": {
            "en": "Redemption: {state}.",
            "fr": "Récupération : {state}.",
        },
        "giftcodes.status.backing_off": {
            "en": "Redemption paused after repeated errors; it resumes <t:{until}:R>.",
            "fr": "Récupération en pause après plusieurs erreurs ; reprise <t:{until}:R>.",
        },
        "giftcodes.status.stopped": {
            "en": "Redemption stopped: {reason}. Fix the configuration, then restart Vouchy.",
            "fr": "Récupération arrêtée : {reason}. Corrige la configuration, puis redémarre "
            "Vouchy.",
        },
        "giftcodes.status.code": {
            "en": "`{code}` ({state}): {redeemed} redeemed, {already} already had it, "
            "{waiting} waiting, {failed} failed.",
            "fr": "`{code}` ({state}) : {redeemed} récupéré(s), {already} l'avaient déjà, "
            "{waiting} en attente, {failed} en échec.",
        },
        "giftcodes.status.code_stopped": {
            "en": "`{code}` stopped for every player: {reason}.",
            "fr": "`{code}` arrêté pour tous les joueurs : {reason}.",
        },
        "giftcodes.status.failed_reason": {
            "en": "{count} failed: {reason}",
            "fr": "{count} en échec : {reason}",
        },
        "giftcodes.status.claim_limit": {
            "en": "Claim limit reached for {count} player(s); the code itself is still valid.",
            "fr": "Limite d'utilisations atteinte pour {count} joueur(s) ; le code reste valide.",
        },
        "giftcodes.status.empty": {
            "en": "No gift codes yet.",
            "fr": "Aucun code cadeau pour l'instant.",
        },
        "giftcodes.status.unknown_code": {
            "en": "Vouchy does not know the code `{code}`.",
            "fr": "Vouchy ne connaît pas le code `{code}`.",
        },
        # /giftcode codes
        "giftcodes.codes.line": {
            "en": "`{code}`: {state}, first seen <t:{seen}:R> ({source})",
            "fr": "`{code}` : {state}, vu pour la première fois <t:{seen}:R> ({source})",
        },
        "giftcodes.codes.empty": {
            "en": "No gift codes known yet.",
            "fr": "Aucun code cadeau connu pour l'instant.",
        },
        # /giftcode players list
        "giftcodes.players.header": {
            "en": "{count} registered player(s):",
            "fr": "{count} joueur(s) enregistré(s) :",
        },
        "giftcodes.players.line": {
            "en": "**{nickname}** (`{fid}`): state {kid}, furnace level {level}",
            "fr": "**{nickname}** (`{fid}`) : État {kid}, niveau de fournaise {level}",
        },
        "giftcodes.players.empty": {
            "en": "No players registered. Add one with `/giftcode players add`.",
            "fr": "Aucun joueur enregistré. Ajoutes-en un avec `/giftcode players add`.",
        },
        # Alerts and announcements
        "giftcodes.alert.sign_error": {
            "en": "Gift-code redemption is stopped: the publisher rejects Vouchy's request "
            "signature (sign error), so retrying cannot help. Check the game secret in the "
            "configuration, then restart Vouchy; redemption resumes where it stopped.",
            "fr": "La récupération des codes cadeaux est arrêtée : l'éditeur refuse la signature "
            "des requêtes de Vouchy (sign error), réessayer ne servirait à rien. Vérifie le "
            "secret du jeu dans la configuration, puis redémarre Vouchy ; la récupération "
            "reprendra là où elle s'est arrêtée.",
        },
        "giftcodes.alert.code_stopped": {
            "en": "Gift code `{code}` is stopped for every player: {reason}.",
            "fr": "Le code cadeau `{code}` est arrêté pour tous les joueurs : {reason}.",
        },
        "giftcodes.announce.new_code": {
            "en": "🎁 New gift code: `{code}`",
            "fr": "🎁 Nouveau code cadeau : `{code}`",
        },
        "giftcodes.announce.new_code_dated": {
            "en": "🎁 New gift code: `{code}` (listed {date})",
            "fr": "🎁 Nouveau code cadeau : `{code}` (publié le {date})",
        },
        "giftcodes.announce.auto_redeem": {
            "en": "Vouchy is redeeming it for the {count} registered player(s).",
            "fr": "Vouchy le récupère pour les {count} joueur(s) enregistré(s).",
        },
        # Refusals and configuration errors
        "giftcodes.not_startable": {
            "en": "The redemption of `{code}` for player {fid} is not ready to start.",
            "fr": "La récupération de `{code}` pour le joueur {fid} ne peut pas démarrer "
            "maintenant.",
        },
        "giftcodes.bad_code": {
            "en": "`{code}` is not a gift code: use 1 to {max} letters and digits.",
            "fr": "`{code}` n'est pas un code cadeau : utilise de 1 à {max} lettres et chiffres.",
        },
        "giftcodes.bad_list": {
            "en": "The gift-code list could not be read: {detail}.",
            "fr": "La liste des codes cadeaux est illisible : {detail}.",
        },
        "giftcodes.bad_player_id": {
            "en": "`{fid}` is not a player id: use the digits shown in the game's profile.",
            "fr": "`{fid}` n'est pas un identifiant de joueur : utilise les chiffres affichés "
            "dans le profil du jeu.",
        },
        "giftcodes.config_interval": {
            "en": "GIFTCODE_CHECK_INTERVAL must be a number of seconds from {min} to {max}, "
            "not {value!r}.",
            "fr": "GIFTCODE_CHECK_INTERVAL doit être un nombre de secondes entre {min} et {max}, "
            "pas {value!r}.",
        },
        "giftcodes.config_policy": {
            "en": "Gift-code setting {setting} has an impossible value: {value}.",
            "fr": "Le réglage des codes cadeaux {setting} a une valeur impossible : {value}.",
        },
        "giftcodes.config_provider": {
            "en": "Gift-code provider setting {setting} is missing or invalid.",
            "fr": "Le réglage {setting} du fournisseur de codes cadeaux est absent ou invalide.",
        },
        "giftcodes.captcha_extra_missing": {
            "en": "The captcha solver needs the optional extra: pip install 'vouchy[captcha]' "
            "(it brings {package}).",
            "fr": "Le lecteur de captcha a besoin de l'option : pip install 'vouchy[captcha]' "
            "(elle installe {package}).",
        },
    }
)
