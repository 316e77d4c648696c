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


# Commands, options, settings and the replies of the Discord layer and the service.
COMMANDS = i18n.register(
    {
        "vouches.cmd": {"en": "vouches", "fr": "vouchs"},
        "vouches.cmd.desc": {
            "en": "Vouches: a member's reputation and the top providers",
            "fr": "Vouchs : la réputation d'un membre et les meilleurs prestataires",
        },
        "vouches.cmd.show": {"en": "show", "fr": "voir"},
        "vouches.cmd.show.desc": {
            "en": "A member's vouches: count, this month, top vouchers, the latest",
            "fr": "Les vouchs d'un membre : total, ce mois-ci, meilleurs auteurs, les derniers",
        },
        "vouches.cmd.top": {"en": "top", "fr": "classement"},
        "vouches.cmd.top.desc": {
            "en": "Providers ranked by vouches, and your own place",
            "fr": "Les prestataires classés par vouchs, et ta propre place",
        },
        "vouches.opt.member": {"en": "member", "fr": "membre"},
        "vouches.opt.member.desc": {
            "en": "Whose vouches (you if empty)",
            "fr": "Les vouchs de qui (toi si vide)",
        },
        "vouches.opt.page": {"en": "page", "fr": "page"},
        "vouches.opt.page.desc": {
            "en": "Which page of the ranking",
            "fr": "Quelle page du classement",
        },
        "vouches.admin": {"en": "vouch", "fr": "vouch"},
        "vouches.admin.desc": {
            "en": "Add or remove a vouch by hand",
            "fr": "Ajouter ou retirer un vouch à la main",
        },
        "vouches.admin.add": {"en": "add", "fr": "ajouter"},
        "vouches.admin.add.desc": {
            "en": "Count a vouch whose proof was given elsewhere",
            "fr": "Compter un vouch dont la preuve a été donnée ailleurs",
        },
        "vouches.admin.remove": {"en": "remove", "fr": "retirer"},
        "vouches.admin.remove.desc": {
            "en": "Take a vouch back, whatever its age",
            "fr": "Annuler un vouch, quel que soit son âge",
        },
        "vouches.opt.provider": {"en": "provider", "fr": "prestataire"},
        "vouches.opt.provider.desc": {
            "en": "Who is vouched for",
            "fr": "Qui reçoit le vouch",
        },
        "vouches.opt.voucher": {"en": "voucher", "fr": "auteur"},
        "vouches.opt.voucher.desc": {
            "en": "Who vouches (they get the voucher's points)",
            "fr": "Qui laisse le vouch (il reçoit les points de l'auteur)",
        },
        "vouches.opt.message_id": {"en": "message_id", "fr": "id_message"},
        "vouches.opt.message_id.desc": {
            "en": "The vouch's message id or link (or the id an added vouch's reply gave)",
            "fr": "L'id ou le lien du message du vouch (ou l'id donné à l'ajout d'un vouch)",
        },
        "vouches.opt.reason": {"en": "reason", "fr": "raison"},
        "vouches.opt.reason.desc": {
            "en": "Why (kept with the vouch and in the ledger)",
            "fr": "Pourquoi (gardé avec le vouch et dans le registre)",
        },
        # --- /config vouches ---
        "config.vouches": {"en": "vouches", "fr": "vouchs"},
        "config.vouches.desc": {
            "en": "Vouch settings: channels, provider role, points, limits, review",
            "fr": "Réglages des vouchs : salons, rôle prestataire, points, limites, validation",
        },
        "vouches.setting.channels": {"en": "channels", "fr": "salons"},
        "vouches.setting.channels.desc": {
            "en": "The vouch channels (none: vouches are off)",
            "fr": "Les salons de vouchs (aucun : les vouchs sont désactivés)",
        },
        "vouches.setting.provider_role": {"en": "provider_role", "fr": "role_prestataire"},
        "vouches.setting.provider_role.desc": {
            "en": "Only members with this role can be vouched for",
            "fr": "Seuls les membres ayant ce rôle peuvent recevoir un vouch",
        },
        "vouches.setting.voucher_points": {"en": "voucher_points", "fr": "points_auteur"},
        "vouches.setting.voucher_points.desc": {
            "en": "Points the voucher earns for a vouch",
            "fr": "Points que gagne l'auteur d'un vouch",
        },
        "vouches.setting.provider_points": {"en": "provider_points", "fr": "points_prestataire"},
        "vouches.setting.provider_points.desc": {
            "en": "Points the provider earns for a vouch",
            "fr": "Points que gagne le prestataire pour un vouch",
        },
        "vouches.setting.cooldown_hours": {"en": "cooldown_hours", "fr": "delai_heures"},
        "vouches.setting.cooldown_hours.desc": {
            "en": "Hours between two vouches of one member for one provider",
            "fr": "Heures entre deux vouchs d'un membre pour un même prestataire",
        },
        "vouches.setting.min_account_age_days": {
            "en": "min_account_age_days",
            "fr": "age_compte_jours",
        },
        "vouches.setting.min_account_age_days.desc": {
            "en": "How old a Discord account must be to vouch, in days",
            "fr": "L'âge minimum d'un compte Discord pour laisser un vouch, en jours",
        },
        "vouches.setting.min_member_age_hours": {
            "en": "min_member_age_hours",
            "fr": "anciennete_heures",
        },
        "vouches.setting.min_member_age_hours.desc": {
            "en": "How long a member must have been here to vouch, in hours",
            "fr": "Depuis combien d'heures un membre doit être ici pour laisser un vouch",
        },
        "vouches.setting.max_per_day": {"en": "max_per_day", "fr": "max_par_jour"},
        "vouches.setting.max_per_day.desc": {
            "en": "The most vouches one member may give in 24 hours",
            "fr": "Le nombre maximum de vouchs qu'un membre peut laisser en 24 heures",
        },
        "vouches.setting.emoji": {"en": "emoji", "fr": "emoji"},
        "vouches.setting.emoji.desc": {
            "en": "The reaction on an accepted vouch",
            "fr": "La réaction ajoutée à un vouch accepté",
        },
        "vouches.setting.reversal_window_days": {
            "en": "reversal_window_days",
            "fr": "annulation_jours",
        },
        "vouches.setting.reversal_window_days.desc": {
            "en": "A vouch deleted within this many days is taken back",
            "fr": "Un vouch supprimé dans ce nombre de jours est annulé",
        },
        "vouches.setting.review_queue": {"en": "review_queue", "fr": "validation"},
        "vouches.setting.review_queue.desc": {
            "en": "Vouches wait for a moderator's Approve before they count",
            "fr": "Les vouchs attendent la validation d'un modérateur avant de compter",
        },
        "vouches.setting.review_channel": {"en": "review_channel", "fr": "salon_validation"},
        "vouches.setting.review_channel.desc": {
            "en": "Where moderators approve or deny vouches",
            "fr": "Où les modérateurs valident ou refusent les vouchs",
        },
        # --- replies ---
        "vouches.title": {"en": "Vouches", "fr": "Vouchs"},
        "vouches.refused_proof_unreadable": {
            "en": "I couldn't read your screenshot. Post it again as a PNG or JPEG image.",
            "fr": "je n'ai pas pu lire ta capture. Poste-la à nouveau en image PNG ou JPEG.",
        },
        "vouches.added": {
            "en": "Vouch added: <@{voucher_id}> for <@{provider_id}>; <@{voucher_id}> earned "
            "{voucher_points} points. To take it back: `/admin vouch remove {id}`.",
            "fr": "Vouch ajouté : <@{voucher_id}> pour <@{provider_id}> ; <@{voucher_id}> a "
            "gagné {voucher_points} points. Pour l'annuler : `/admin vouch retirer {id}`.",
        },
        "vouches.removed": {
            "en": "Vouch removed: <@{voucher_id}> for <@{provider_id}>. Taken back: "
            "{voucher_points} points from <@{voucher_id}>, {provider_points} from "
            "<@{provider_id}>.",
            "fr": "Vouch retiré : <@{voucher_id}> pour <@{provider_id}>. Repris : "
            "{voucher_points} points à <@{voucher_id}>, {provider_points} à <@{provider_id}>.",
        },
        "vouches.removed_short": {
            "en": "{short} points could not be taken back: the balance was lower.",
            "fr": "{short} points n'ont pas pu être repris : le solde était plus bas.",
        },
        "vouches.withdrawn": {
            "en": "Vouch removed from the review queue: <@{voucher_id}> for <@{provider_id}>; "
            "nothing had been given.",
            "fr": "Vouch retiré de la file de validation : <@{voucher_id}> pour "
            "<@{provider_id}> ; rien n'avait été donné.",
        },
        "vouches.remove_bad_id": {
            "en": "{value!r} is not a message id or a message link; nothing was changed.",
            "fr": "{value!r} n'est ni un id ni un lien de message ; rien n'a été modifié.",
        },
        "vouches.remove_unknown": {
            "en": "No vouch has the id {id} in this server; nothing was changed.",
            "fr": "Aucun vouch n'a l'id {id} sur ce serveur ; rien n'a été modifié.",
        },
        "vouches.review_gone": {
            "en": "Vouchy has no record of this vouch; nothing was changed.",
            "fr": "Vouchy n'a aucune trace de ce vouch ; rien n'a été modifié.",
        },
        "vouches.review_moved_on": {
            "en": "This vouch changed meanwhile; nothing was changed.",
            "fr": "Ce vouch a changé entre-temps ; rien n'a été modifié.",
        },
        "vouches.remove_moved_on": {
            "en": "This vouch changed meanwhile; nothing was changed.",
            "fr": "Ce vouch a changé entre-temps ; rien n'a été modifié.",
        },
        "vouches.count_broken": {
            "en": "The provider's vouch count is already 0, which does not match their vouches: "
            "run /admin audit, then /admin repair. Nothing was changed.",
            "fr": "Le total de vouchs du prestataire est déjà à 0, ce qui ne correspond pas à ses "
            "vouchs : lance /admin audit, puis /admin repair. Rien n'a été modifié.",
        },
        "vouches.import_known": {
            "en": "This vouch is already known; nothing was changed.",
            "fr": "Ce vouch est déjà connu ; rien n'a été modifié.",
        },
        "vouches.repair_moved": {
            "en": "A vouch count changed during the repair; it was left as it is. Run the audit "
            "again.",
            "fr": "Un total de vouchs a changé pendant la réparation ; il a été laissé tel quel. "
            "Relance l'audit.",
        },
        "vouches.provider_is_voucher": {
            "en": "The provider and the voucher must be two different members.",
            "fr": "Le prestataire et l'auteur doivent être deux membres différents.",
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
