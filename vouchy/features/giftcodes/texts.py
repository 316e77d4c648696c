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
        # Commands, options and their descriptions
        "giftcodes.cmd.giftcode": {"en": "giftcode", "fr": "codecadeau"},
        "giftcodes.cmd.giftcode.desc": {
            "en": "Gift codes of the game: players, new codes, redemption",
            "fr": "Codes cadeaux du jeu : joueurs, nouveaux codes, récupération",
        },
        "giftcodes.cmd.channel": {"en": "channel", "fr": "salon"},
        "giftcodes.cmd.channel.desc": {
            "en": "Where new gift codes are posted",
            "fr": "Où les nouveaux codes cadeaux sont publiés",
        },
        "giftcodes.cmd.channel.set": {"en": "set", "fr": "définir"},
        "giftcodes.cmd.channel.set.desc": {
            "en": "Post new gift codes in this channel (admins)",
            "fr": "Publier les nouveaux codes cadeaux dans ce salon (admins)",
        },
        "giftcodes.cmd.autoredeem": {"en": "autoredeem", "fr": "récup_auto"},
        "giftcodes.cmd.autoredeem.desc": {
            "en": "Redeem new codes for this server's players by themselves",
            "fr": "Récupérer seul les nouveaux codes pour les joueurs de ce serveur",
        },
        "giftcodes.cmd.autoredeem.on": {"en": "on", "fr": "activer"},
        "giftcodes.cmd.autoredeem.on.desc": {
            "en": "Redeem every new code for this server's players (admins)",
            "fr": "Récupérer chaque nouveau code pour les joueurs de ce serveur (admins)",
        },
        "giftcodes.cmd.autoredeem.off": {"en": "off", "fr": "désactiver"},
        "giftcodes.cmd.autoredeem.off.desc": {
            "en": "Only post new codes; redeem them with /giftcode redeem (admins)",
            "fr": "Seulement publier les nouveaux codes ; les récupérer avec /codecadeau "
            "récupérer (admins)",
        },
        "giftcodes.cmd.players": {"en": "players", "fr": "joueurs"},
        "giftcodes.cmd.players.desc": {
            "en": "The game's players this server redeems codes for",
            "fr": "Les joueurs du jeu pour qui ce serveur récupère les codes",
        },
        "giftcodes.cmd.players.add": {"en": "add", "fr": "ajouter"},
        "giftcodes.cmd.players.add.desc": {
            "en": "Register a player by their in-game id (admins)",
            "fr": "Enregistrer un joueur par son identifiant dans le jeu (admins)",
        },
        "giftcodes.cmd.players.remove": {"en": "remove", "fr": "retirer"},
        "giftcodes.cmd.players.remove.desc": {
            "en": "Stop redeeming codes for a player (admins)",
            "fr": "Ne plus récupérer de codes pour un joueur (admins)",
        },
        "giftcodes.cmd.players.list": {"en": "list", "fr": "liste"},
        "giftcodes.cmd.players.list.desc": {
            "en": "The players registered in this server",
            "fr": "Les joueurs enregistrés sur ce serveur",
        },
        "giftcodes.cmd.redeem": {"en": "redeem", "fr": "récupérer"},
        "giftcodes.cmd.redeem.desc": {
            "en": "Redeem a code now for every player of this server (admins)",
            "fr": "Récupérer un code maintenant pour chaque joueur de ce serveur (admins)",
        },
        "giftcodes.cmd.status": {"en": "status", "fr": "état"},
        "giftcodes.cmd.status.desc": {
            "en": "How the redemption of each code went for this server's players",
            "fr": "Où en est la récupération de chaque code pour les joueurs de ce serveur",
        },
        "giftcodes.cmd.codes": {"en": "codes", "fr": "codes"},
        "giftcodes.cmd.codes.desc": {
            "en": "The gift codes Vouchy knows, newest first",
            "fr": "Les codes cadeaux que Vouchy connaît, du plus récent au plus ancien",
        },
        "giftcodes.cmd.add": {"en": "add", "fr": "ajouter"},
        "giftcodes.cmd.add.desc": {
            "en": "Add a gift code by hand: posted here and redeemed when auto-redeem is on "
            "(admins)",
            "fr": "Ajouter un code cadeau à la main : publié ici, récupéré si la récup auto est "
            "active (admins)",
        },
        "giftcodes.opt.channel": {"en": "channel", "fr": "salon"},
        "giftcodes.opt.channel.desc": {
            "en": "A text channel Vouchy can post in",
            "fr": "Un salon textuel où Vouchy peut publier",
        },
        "giftcodes.opt.player_id": {"en": "player_id", "fr": "id_joueur"},
        "giftcodes.opt.player_id.desc": {
            "en": "The player's id, as shown in the game's profile",
            "fr": "L'identifiant du joueur, affiché dans son profil dans le jeu",
        },
        "giftcodes.opt.code": {"en": "code", "fr": "code"},
        "giftcodes.opt.code.desc": {"en": "The gift code", "fr": "Le code cadeau"},
        "giftcodes.opt.status_code": {"en": "code", "fr": "code"},
        "giftcodes.opt.status_code.desc": {
            "en": "Only this code (default: the newest codes)",
            "fr": "Seulement ce code (par défaut : les codes les plus récents)",
        },
        # /config giftcodes
        "config.giftcodes": {"en": "giftcodes", "fr": "codescadeaux"},
        "config.giftcodes.desc": {
            "en": "Gift codes: the channel new codes are posted in, auto-redeem",
            "fr": "Codes cadeaux : le salon des nouveaux codes, la récupération auto",
        },
        "giftcodes.setting.channel": {"en": "channel", "fr": "salon"},
        "giftcodes.setting.channel.desc": {
            "en": "Where new gift codes are posted",
            "fr": "Où les nouveaux codes cadeaux sont publiés",
        },
        "giftcodes.setting.auto_redeem": {"en": "auto_redeem", "fr": "récup_auto"},
        "giftcodes.setting.auto_redeem.desc": {
            "en": "Redeem new codes for this server's players by themselves",
            "fr": "Récupérer seul les nouveaux codes pour les joueurs de ce serveur",
        },
        # Replies
        "giftcodes.title": {"en": "Gift codes", "fr": "Codes cadeaux"},
        "giftcodes.title.players": {"en": "Gift codes: players", "fr": "Codes cadeaux : joueurs"},
        "giftcodes.title.status": {"en": "Gift codes: status", "fr": "Codes cadeaux : état"},
        "giftcodes.title.codes": {
            "en": "Gift codes: known codes",
            "fr": "Codes cadeaux : codes connus",
        },
        "giftcodes.reply.channel_set": {
            "en": "New gift codes will be posted in <#{channel}>.",
            "fr": "Les nouveaux codes cadeaux seront publiés dans <#{channel}>.",
        },
        "giftcodes.reply.autoredeem_on": {
            "en": "Auto-redeem is on: every new code is redeemed for this server's {count} "
            "registered player(s).",
            "fr": "Récupération auto activée : chaque nouveau code est récupéré pour les {count} "
            "joueur(s) enregistré(s) de ce serveur.",
        },
        "giftcodes.reply.autoredeem_off": {
            "en": "Auto-redeem is off: new codes are only posted; redeem one with "
            "`/giftcode redeem`.",
            "fr": "Récupération auto désactivée : les nouveaux codes sont seulement publiés ; "
            "récupère-en un avec `/codecadeau récupérer`.",
        },
        "giftcodes.reply.not_configured": {
            "en": "Redemption is not set up on this Vouchy yet (no game secret), so nothing is "
            "redeemed for now.",
            "fr": "La récupération n'est pas encore configurée sur ce Vouchy (pas de secret du "
            "jeu) : rien n'est récupéré pour l'instant.",
        },
        "giftcodes.reply.player_added": {
            "en": "Added **{nickname}** (`{fid}`): state {kid}, furnace level {level}.",
            "fr": "**{nickname}** (`{fid}`) ajouté : État {kid}, niveau de fournaise {level}.",
        },
        "giftcodes.reply.player_removed": {
            "en": "Removed player `{fid}` from this server's list.",
            "fr": "Joueur `{fid}` retiré de la liste de ce serveur.",
        },
        "giftcodes.reply.redeem": {
            "en": "Redeeming `{code}` for {queued} of this server's {players} player(s); "
            "{done} already have it, {busy} already in progress.",
            "fr": "Récupération de `{code}` pour {queued} des {players} joueur(s) de ce serveur ; "
            "{done} l'ont déjà, {busy} déjà en cours.",
        },
        "giftcodes.reply.code_added": {
            "en": "Added `{code}`.",
            "fr": "`{code}` ajouté.",
        },
        "giftcodes.reply.code_posted": {
            "en": "Posted in <#{channel}>.",
            "fr": "Publié dans <#{channel}>.",
        },
        "giftcodes.reply.code_queued": {
            "en": "Redeeming it for {count} player(s).",
            "fr": "Récupération en cours pour {count} joueur(s).",
        },
        "giftcodes.reply.status_off": {
            "en": "Redemption is not set up on this Vouchy (no game secret): codes are only "
            "posted.",
            "fr": "La récupération n'est pas configurée sur ce Vouchy (pas de secret du jeu) : "
            "les codes sont seulement publiés.",
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
        "giftcodes.not_configured": {
            "en": "Gift-code redemption is not set up on this Vouchy: whoever runs it must put "
            "the game's secret in the environment variable {secret_env} and restart it.",
            "fr": "La récupération des codes cadeaux n'est pas configurée sur ce Vouchy : la "
            "personne qui l'héberge doit mettre le secret du jeu dans la variable "
            "d'environnement {secret_env} et le redémarrer.",
        },
        "giftcodes.player_known": {
            "en": "Player `{fid}` is already registered in this server.",
            "fr": "Le joueur `{fid}` est déjà enregistré sur ce serveur.",
        },
        "giftcodes.player_unknown": {
            "en": "Player `{fid}` is not registered in this server: `/giftcode players list` "
            "shows who is.",
            "fr": "Le joueur `{fid}` n'est pas enregistré sur ce serveur : `/codecadeau joueurs "
            "liste` montre qui l'est.",
        },
        "giftcodes.too_many_players": {
            "en": "This server already has {max} registered players, the most Vouchy keeps.",
            "fr": "Ce serveur a déjà {max} joueurs enregistrés, le maximum que Vouchy garde.",
        },
        "giftcodes.no_such_player": {
            "en": "The game has no player with the id `{fid}`: check the digits in the game's "
            "profile.",
            "fr": "Le jeu n'a aucun joueur avec l'identifiant `{fid}` : vérifie les chiffres "
            "dans le profil du jeu.",
        },
        "giftcodes.lookup_config": {
            "en": "The publisher refused Vouchy's request signature, so the player could not be "
            "checked: whoever runs Vouchy must check the game's secret.",
            "fr": "L'éditeur a refusé la signature des requêtes de Vouchy, le joueur n'a donc "
            "pas pu être vérifié : la personne qui héberge Vouchy doit vérifier le secret du "
            "jeu.",
        },
        "giftcodes.lookup_unavailable": {
            "en": "The publisher did not answer properly, so the player could not be checked. "
            "Try again in a minute.",
            "fr": "L'éditeur n'a pas répondu correctement, le joueur n'a donc pas pu être "
            "vérifié. Réessaie dans une minute.",
        },
        "giftcodes.code_known": {
            "en": "Vouchy already knows `{code}`: `/giftcode status` shows how it went, "
            "`/giftcode redeem` tries it for this server's players.",
            "fr": "Vouchy connaît déjà `{code}` : `/codecadeau état` montre où il en est, "
            "`/codecadeau récupérer` l'essaie pour les joueurs de ce serveur.",
        },
        "giftcodes.no_players": {
            "en": "This server has no registered players yet: add one with "
            "`/giftcode players add`.",
            "fr": "Ce serveur n'a encore aucun joueur enregistré : ajoutes-en un avec "
            "`/codecadeau joueurs ajouter`.",
        },
        "giftcodes.refuse_stopped.expired": {
            "en": "`{code}` has expired (the publisher said so): nothing was queued.",
            "fr": "`{code}` a expiré (l'éditeur l'a dit) : rien n'a été mis en file.",
        },
        "giftcodes.refuse_stopped.invalid_code": {
            "en": "`{code}` does not exist (the publisher said so): nothing was queued.",
            "fr": "`{code}` n'existe pas (l'éditeur l'a dit) : rien n'a été mis en file.",
        },
        "giftcodes.posted_before": {
            "en": "`{code}` was already posted in this server.",
            "fr": "`{code}` a déjà été publié sur ce serveur.",
        },
        "giftcodes.list_unavailable": {
            "en": "The gift-code list could not be fetched: {detail}.",
            "fr": "La liste des codes cadeaux n'a pas pu être récupérée : {detail}.",
        },
        "giftcodes.repair_moved_on": {
            "en": "That player's registrations changed meanwhile; run the audit again.",
            "fr": "Les inscriptions de ce joueur ont changé entre-temps ; relance l'audit.",
        },
        "giftcodes.captcha_extra_missing": {
            "en": "The captcha solver needs the optional extra: pip install 'vouchy[captcha]' "
            "(it brings {package}).",
            "fr": "Le lecteur de captcha a besoin de l'option : pip install 'vouchy[captcha]' "
            "(elle installe {package}).",
        },
    }
)
