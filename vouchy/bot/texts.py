"""The Discord layer's own texts (refusals, failures, restarts, the shared words of every
embed), in English and French."""

from __future__ import annotations

from vouchy.core import i18n

TEXTS = i18n.register(
    {
        "embed.footer": {"en": "Vouchy", "fr": "Vouchy"},
        "embed.points": {"en": "**{n}** points", "fr": "**{n}** points"},
        "embed.point": {"en": "**{n}** point", "fr": "**{n}** point"},
        "embed.saved": {"en": "saved as ledger entry #{id}", "fr": "enregistré : écriture n° {id}"},
        "embed.refused.title": {"en": "Not done", "fr": "Pas fait"},
        "embed.refused.footer": {"en": "nothing was changed", "fr": "rien n'a été modifié"},
        "embed.failed.title": {"en": "Something went wrong", "fr": "Un problème est survenu"},
        "embed.failed.saved": {
            "en": "Your change was saved (ledger entry #{id}), but showing it failed. "
            "Something went wrong (ref {ref}); `/history` shows the entry.",
            "fr": "Ta modification est enregistrée (écriture n° {id}), mais l'afficher a échoué. "
            "Un problème est survenu (réf. {ref}) ; `/history` montre l'écriture.",
        },
        "embed.failed.unsaved": {
            "en": "Something went wrong (ref {ref}). Nothing was changed; please try again, and "
            "give the ref to an admin if it keeps happening.",
            "fr": "Un problème est survenu (réf. {ref}). Rien n'a été modifié ; réessaie, et "
            "donne la réf. à un admin si ça recommence.",
        },
        "embed.failed.footer": {"en": "ref {ref}", "fr": "réf. {ref}"},
        "embed.restarting.title": {"en": "Restarting", "fr": "Redémarrage"},
        "embed.restarting": {
            "en": "Vouchy is restarting and took nothing from this command. Try again in a moment.",
            "fr": "Vouchy redémarre et n'a rien pris en compte de cette commande. Réessaie dans "
            "un instant.",
        },
        "component.not_yours": {
            "en": "This button belongs to someone else: nothing was changed.",
            "fr": "Ce bouton appartient à quelqu'un d'autre : rien n'a été modifié.",
        },
        "component.gone": {
            "en": "This has moved on since the button was shown: nothing was changed.",
            "fr": "Cela a changé depuis que le bouton a été affiché : rien n'a été modifié.",
        },
        "component.unknown": {
            "en": "This button no longer does anything.",
            "fr": "Ce bouton ne fait plus rien.",
        },
        "check.guild_only": {
            "en": "This command works inside a server only.",
            "fr": "Cette commande ne fonctionne que dans un serveur.",
        },
        "check.admin": {
            "en": "Only admins can do that: it needs the Manage Server permission or this "
            "server's Vouchy admin role (set with `/config core set`).",
            "fr": "Seuls les admins peuvent faire cela : il faut la permission Gérer le serveur "
            "ou le rôle admin Vouchy de ce serveur (réglé avec `/config core set`).",
        },
        "check.config": {
            "en": "Only members with the Manage Server permission or this server's Vouchy admin "
            "role can see or change Vouchy's settings.",
            "fr": "Seuls les membres avec la permission Gérer le serveur ou le rôle admin Vouchy "
            "peuvent voir ou modifier les réglages de Vouchy.",
        },
        "check.manage_server": {
            "en": "Only members with the Manage Server permission can choose the admin role.",
            "fr": "Seuls les membres avec la permission Gérer le serveur peuvent choisir le rôle "
            "admin.",
        },
        "outbox.refused_note": {
            "en": "Vouchy could not {what} ({why}). Give Vouchy the permission it needs (and "
            "put its role above the roles it hands out); Vouchy will not retry this one.",
            "fr": "Vouchy n'a pas pu {what} ({why}). Donne à Vouchy la permission nécessaire (et "
            "place son rôle au-dessus des rôles qu'il attribue) ; Vouchy ne réessaiera pas.",
        },
        "outbox.what.add_role": {
            "en": "give <@&{role_id}> to <@{user_id}>",
            "fr": "donner <@&{role_id}> à <@{user_id}>",
        },
        "outbox.what.remove_role": {
            "en": "take <@&{role_id}> from <@{user_id}>",
            "fr": "retirer <@&{role_id}> à <@{user_id}>",
        },
        "outbox.what.post": {"en": "post in <#{channel_id}>", "fr": "publier dans <#{channel_id}>"},
        "outbox.what.react": {
            "en": "react in <#{channel_id}>",
            "fr": "réagir dans <#{channel_id}>",
        },
        "outbox.what.delete": {
            "en": "delete a message in <#{channel_id}>",
            "fr": "supprimer un message dans <#{channel_id}>",
        },
        "outbox.what.dm": {
            "en": "message <@{user_id}> privately",
            "fr": "écrire en privé à <@{user_id}>",
        },
        "outbox.moved_on": {
            "en": "That side effect was already settled.",
            "fr": "Cet effet a déjà été traité.",
        },
        "outbox.told_before": {
            "en": "The admins were already told.",
            "fr": "Les admins ont déjà été prévenus.",
        },
        "outbox.title": {
            "en": "Vouchy needs a permission",
            "fr": "Vouchy a besoin d'une permission",
        },
    }
)
