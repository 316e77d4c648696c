"""Every text of the vouch feature a member, moderator or admin reads, in English and French,
by key; plus the two helpers the texts need (a plural choice and a wait that counts days).

Discord ids are passed to these texts as strings (``str(user_id)``): ``i18n.text`` groups
whole numbers for the reader ("1,234"), which would break a ``<@id>`` mention.
"""

from __future__ import annotations

import math

from vouchy.core import i18n

TEXTS = i18n.register(
    {
        # --- refusals of a vouch (the reply under the message says why) ---
        "vouches.refusal_reply": {
            "en": "<@{voucher_id}>, your vouch was not counted: {reason}",
            "fr": "<@{voucher_id}>, ton vouch n'a pas été compté : {reason}",
        },
        "vouches.refused_self": {
            "en": "you can't vouch for yourself.",
            "fr": "tu ne peux pas laisser un vouch pour toi-même.",
        },
        "vouches.refused_bot": {
            "en": "<@{provider_id}> is a bot, and bots can't receive vouches.",
            "fr": "<@{provider_id}> est un bot, et les bots ne peuvent pas recevoir de vouch.",
        },
        "vouches.refused_provider_role": {
            "en": "<@{provider_id}> isn't a provider here (they don't have the <@&{role_id}> "
            "role).",
            "fr": "<@{provider_id}> n'est pas prestataire ici (il lui manque le rôle "
            "<@&{role_id}>).",
        },
        "vouches.refused_account_age": {
            "en": "your Discord account must be at least {days} days old to vouch. "
            "Try again in {wait}.",
            "fr": "ton compte Discord doit avoir au moins {days} jours pour laisser un vouch. "
            "Réessaie dans {wait}.",
        },
        "vouches.refused_member_age": {
            "en": "you must have been on this server for at least {hours} hours to vouch. "
            "Try again in {wait}.",
            "fr": "tu dois être sur ce serveur depuis au moins {hours} heures pour laisser un "
            "vouch. Réessaie dans {wait}.",
        },
        "vouches.refused_cooldown": {
            "en": "you already vouched for <@{provider_id}> in the last {hours} hours. "
            "You can vouch for them again in {wait}.",
            "fr": "tu as déjà laissé un vouch à <@{provider_id}> ces {hours} dernières heures. "
            "Tu pourras recommencer dans {wait}.",
        },
        "vouches.refused_daily_limit": {
            "en": "you've given {limit} vouches in the last 24 hours, the most allowed. "
            "Try again in {wait}.",
            "fr": "tu as déjà laissé {limit} vouchs ces dernières 24 heures, c'est le maximum. "
            "Réessaie dans {wait}.",
        },
        "vouches.refused_proof_reused": {
            "en": "this screenshot was already used as proof for an earlier vouch: {earlier}",
            "fr": "cette capture a déjà servi de preuve pour un vouch précédent : {earlier}",
        },
        # --- reading the proof image ---
        "vouches.proof_unreadable": {
            "en": "The proof image could not be read ({detail}).",
            "fr": "L'image de preuve est illisible ({detail}).",
        },
        "vouches.proof_too_large": {
            "en": "The proof image is too large (more than {megabytes} MB or 40 million pixels).",
            "fr": "L'image de preuve est trop grande (plus de {megabytes} Mo ou 40 millions de "
            "pixels).",
        },
        "vouches.proof_too_small": {
            "en": "The proof image is too small (under {pixels} pixels on a side).",
            "fr": "L'image de preuve est trop petite (moins de {pixels} pixels de côté).",
        },
        # --- settings (/config vouches) ---
        "vouches.setting_out_of_bounds": {
            "en": "The vouch setting {name} must be a whole number from {low} to {high}.",
            "fr": "Le réglage des vouchs {name} doit être un nombre entier de {low} à {high}.",
        },
        "vouches.setting_too_many_channels": {
            "en": "At most {limit} vouch channels.",
            "fr": "{limit} salons de vouchs au maximum.",
        },
        "vouches.setting_bad_id": {
            "en": "A channel or role in the vouch settings is not a Discord id.",
            "fr": "Un salon ou un rôle des réglages des vouchs n'est pas un identifiant Discord.",
        },
        "vouches.setting_bad_emoji": {
            "en": "The vouch emoji must be one emoji (or a custom emoji) of at most 64 characters.",
            "fr": "L'emoji des vouchs doit être un seul emoji (ou un emoji du serveur) de 64 "
            "caractères au plus.",
        },
        "vouches.setting_review_needs_channel": {
            "en": "Choose the moderators' channel before turning the review queue on.",
            "fr": "Choisis le salon des modérateurs avant d'activer la file de validation.",
        },
        # --- vouch states, as a person reads them ---
        "vouches.state_pending": {"en": "waiting for review", "fr": "en attente de validation"},
        "vouches.state_accepted": {"en": "accepted", "fr": "accepté"},
        "vouches.state_denied": {"en": "denied", "fr": "refusé"},
        "vouches.state_reversed": {
            "en": "reversed (its message was deleted)",
            "fr": "annulé (son message a été supprimé)",
        },
        "vouches.state_removed": {
            "en": "removed by an admin",
            "fr": "retiré par un admin",
        },
        # --- review queue ---
        "vouches.review_request": {
            "en": "New vouch from <@{voucher_id}> for <@{provider_id}>: {link}\n"
            "Approve to give {voucher_points} points to the voucher and count it for the "
            "provider.",
            "fr": "Nouveau vouch de <@{voucher_id}> pour <@{provider_id}> : {link}\n"
            "Valide pour donner {voucher_points} points à son auteur et le compter pour le "
            "prestataire.",
        },
        "vouches.review_approve": {"en": "Approve", "fr": "Valider"},
        "vouches.review_deny": {"en": "Deny", "fr": "Refuser"},
        "vouches.review_approved_by": {
            "en": "Approved by <@{moderator_id}>.",
            "fr": "Validé par <@{moderator_id}>.",
        },
        "vouches.review_denied_by": {
            "en": "Denied by <@{moderator_id}>.",
            "fr": "Refusé par <@{moderator_id}>.",
        },
        "vouches.review_already_decided": {
            "en": "This vouch is already {state}; nothing was changed.",
            "fr": "Ce vouch est déjà {state} ; rien n'a été modifié.",
        },
        "vouches.review_not_moderator": {
            "en": "Only moderators can approve or deny vouches.",
            "fr": "Seuls les modérateurs peuvent valider ou refuser les vouchs.",
        },
        "vouches.review_bad_button": {
            "en": "This button is not one Vouchy knows; nothing was changed.",
            "fr": "Vouchy ne reconnaît pas ce bouton ; rien n'a été modifié.",
        },
        # --- admin removal ---
        "vouches.remove_already": {
            "en": "This vouch is already {state}; nothing was changed.",
            "fr": "Ce vouch est déjà {state} ; rien n'a été modifié.",
        },
        "vouches.add_not_admin": {
            "en": "Only admins can add vouches.",
            "fr": "Seuls les admins peuvent ajouter des vouchs.",
        },
        "vouches.remove_not_admin": {
            "en": "Only admins can remove vouches.",
            "fr": "Seuls les admins peuvent retirer des vouchs.",
        },
        # --- /vouches [member] ---
        "vouches.count_one": {"en": "{count} vouch", "fr": "{count} vouch"},
        "vouches.count_other": {"en": "{count} vouches", "fr": "{count} vouchs"},
        "vouches.summary_title": {
            "en": "**Vouches for <@{provider_id}>**: {total} ({month} this month)",
            "fr": "**Vouchs de <@{provider_id}>** : {total} ({month} ce mois-ci)",
        },
        "vouches.summary_none": {
            "en": "<@{provider_id}> has no vouches yet.",
            "fr": "<@{provider_id}> n'a encore aucun vouch.",
        },
        "vouches.summary_top": {
            "en": "Top vouchers: {names}",
            "fr": "Ceux qui lui ont laissé le plus de vouchs : {names}",
        },
        "vouches.summary_latest": {"en": "Latest:", "fr": "Derniers :"},
        "vouches.summary_line": {
            "en": "• <@{voucher_id}>, <t:{unix}:R>: {where}",
            "fr": "• <@{voucher_id}>, <t:{unix}:R> : {where}",
        },
        "vouches.summary_imported": {"en": "imported", "fr": "importé"},
        "vouches.summary_added_by_admin": {"en": "added by an admin", "fr": "ajouté par un admin"},
        # --- /vouches top ---
        "vouches.top_title": {
            "en": "**Top providers** (page {page} of {pages})",
            "fr": "**Meilleurs prestataires** (page {page} sur {pages})",
        },
        "vouches.top_line": {
            "en": "{rank}. <@{provider_id}>: {count}",
            "fr": "{rank}. <@{provider_id}> : {count}",
        },
        "vouches.top_empty": {
            "en": "Nobody has been vouched for yet.",
            "fr": "Personne n'a encore reçu de vouch.",
        },
        "vouches.top_page_empty": {
            "en": "There is no page {page}: the ranking has {pages}.",
            "fr": "Il n'y a pas de page {page} : le classement en a {pages}.",
        },
        "vouches.top_you": {
            "en": "You are #{rank} with {count}.",
            "fr": "Tu es n°{rank} avec {count}.",
        },
        "vouches.top_you_none": {
            "en": "You haven't been vouched for yet.",
            "fr": "Tu n'as encore reçu aucun vouch.",
        },
        # --- python -m vouchy import vouches-csv ---
        "vouches.import_empty": {
            "en": "{file}: the file is empty; expected a header such as "
            "provider,voucher,time,message_id. Nothing was imported.",
            "fr": "{file} : le fichier est vide ; un en-tête comme provider,voucher,time,"
            "message_id est attendu. Rien n'a été importé.",
        },
        "vouches.import_not_text": {
            "en": "{file}: not UTF-8 text (byte {byte}). Nothing was imported.",
            "fr": "{file} : ce n'est pas du texte UTF-8 (octet {byte}). Rien n'a été importé.",
        },
        "vouches.import_bad_csv": {
            "en": "{file}: line {line}: not valid CSV ({problem}). Nothing was imported.",
            "fr": "{file} : ligne {line} : ce n'est pas du CSV valide ({problem}). "
            "Rien n'a été importé.",
        },
        "vouches.import_missing_columns": {
            "en": "{file}: line {line}: no {columns} column in the header {header!r} "
            "(expected provider,voucher,time and optionally message_id). Nothing was imported.",
            "fr": "{file} : ligne {line} : pas de colonne {columns} dans l'en-tête {header!r} "
            "(attendu : provider,voucher,time et éventuellement message_id). "
            "Rien n'a été importé.",
        },
        "vouches.import_short_row": {
            "en": "{file}: line {line}: {cells} cells, {needed} expected. Nothing was imported.",
            "fr": "{file} : ligne {line} : {cells} cellules, {needed} attendues. "
            "Rien n'a été importé.",
        },
        "vouches.import_bad_id": {
            "en": "{file}: line {line}: the {column} {value!r} is not a Discord id. "
            "Nothing was imported.",
            "fr": "{file} : ligne {line} : {column} {value!r} n'est pas un identifiant Discord. "
            "Rien n'a été importé.",
        },
        "vouches.import_bad_time": {
            "en": "{file}: line {line}: the time {value!r} is neither ISO 8601 "
            "(2024-03-12T14:02:00Z) nor unix seconds or milliseconds. Nothing was imported.",
            "fr": "{file} : ligne {line} : l'heure {value!r} n'est ni en ISO 8601 "
            "(2024-03-12T14:02:00Z) ni en secondes ou millisecondes unix. Rien n'a été importé.",
        },
        "vouches.import_time_out_of_range": {
            "en": "{file}: line {line}: the time {value!r} is before Discord existed (2015) or "
            "in the future. Nothing was imported.",
            "fr": "{file} : ligne {line} : l'heure {value!r} est antérieure à Discord (2015) ou "
            "dans le futur. Rien n'a été importé.",
        },
        "vouches.import_self_vouch": {
            "en": "{file}: line {line}: the provider and the voucher are the same member "
            "({value}); Vouchy does not count self-vouches. Nothing was imported.",
            "fr": "{file} : ligne {line} : le prestataire et l'auteur sont le même membre "
            "({value}) ; Vouchy ne compte pas les vouchs pour soi-même. Rien n'a été importé.",
        },
        "vouches.import_duplicate": {
            "en": "{file}: line {line}: the same vouch as line {first} ({what}). "
            "Nothing was imported.",
            "fr": "{file} : ligne {line} : le même vouch qu'à la ligne {first} ({what}). "
            "Rien n'a été importé.",
        },
        "vouches.import_too_many_rows": {
            "en": "{file}: more than {limit} vouches; split the file. Nothing was imported.",
            "fr": "{file} : plus de {limit} vouchs ; découpe le fichier. Rien n'a été importé.",
        },
        "vouches.import_same_message": {"en": "same message id", "fr": "même message"},
        "vouches.import_same_row": {
            "en": "same provider, voucher and time",
            "fr": "même prestataire, auteur et heure",
        },
    }
)


def plural(key: str, count: int, locale: str) -> str:
    """``<key>_one`` or ``<key>_other`` for ``count``: English says "1 vouch", French says
    "0 vouch" and "1 vouch" too (CLDR: one is 0 and 1 in French)."""
    lang = i18n.pick(locale)
    one = count in (0, 1) if lang == "fr" else count == 1
    return i18n.text(f"{key}_{'one' if one else 'other'}", lang, count=count)


def wait_text(seconds: float, locale: str) -> str:
    """A wait rounded up to the minute: ``i18n.duration`` below two days ("23h 59m"), days
    and whole hours from two days on ("6 days 23h", "6 j 23 h"), never "24h" as the hours."""
    minutes = max(1, math.ceil(seconds / 60 - 1e-9))
    if minutes < 48 * 60:
        return i18n.duration(seconds, locale)
    days, rest = divmod(minutes, 24 * 60)
    hours = math.ceil(rest / 60)
    if hours == 24:
        days, hours = days + 1, 0
    if i18n.pick(locale) == "fr":
        return f"{days} j {hours} h" if hours else f"{days} jours"
    return f"{days} days {hours}h" if hours else f"{days} days"
