"""Every text of XP and levels that a member or admin reads, in English and French."""

from __future__ import annotations

from vouchy.core import i18n

TEXTS = i18n.register(
    {
        # Commands (names and descriptions, for Discord's localizations).
        "levels.cmd.level.name": {"en": "level", "fr": "niveau"},
        "levels.cmd.level.description": {
            "en": "Your level, XP and rank, or another member's",
            "fr": "Ton niveau, ton XP et ton rang, ou ceux d'un autre membre",
        },
        "levels.cmd.level.member": {
            "en": "The member to look at (you if empty)",
            "fr": "Le membre à consulter (toi si vide)",
        },
        "levels.cmd.top.name": {"en": "top", "fr": "classement"},
        "levels.cmd.top.description": {
            "en": "The members with the most XP",
            "fr": "Les membres qui ont le plus d'XP",
        },
        "levels.cmd.top.page": {"en": "Page of the leaderboard", "fr": "Page du classement"},
        # The rank card. Drawn labels stay within ASCII: Pillow's own font has no accents.
        "levels.card.level": {"en": "LEVEL", "fr": "NIVEAU"},
        "levels.card.rank": {"en": "RANK", "fr": "RANG"},
        "levels.card.xp": {"en": "{into} / {needed} XP", "fr": "{into} / {needed} XP"},
        "levels.card.total": {"en": "{total} XP in all", "fr": "{total} XP au total"},
        "levels.card.text": {
            "en": "**{name}**: level {level}, {rank}. {into} / {needed} XP into this level "
            "({percent}%), {to_next} XP to level {next}. {total} XP in all.",
            "fr": "**{name}** : niveau {level}, {rank}. {into} / {needed} XP dans ce niveau "
            "({percent} %), encore {to_next} XP pour le niveau {next}. {total} XP au total.",
        },
        "levels.card.rank_text": {"en": "rank #{rank}", "fr": "rang n° {rank}"},
        "levels.card.unranked_text": {"en": "not ranked yet", "fr": "pas encore classé"},
        "levels.card.counters": {
            "en": "{messages} messages, {voice} in voice, {reactions} reactions received.",
            "fr": "{messages} messages, {voice} en vocal, {reactions} réactions reçues.",
        },
        "levels.card.stats": {
            "en": "{total} XP · {messages} messages · {voice} in voice · {reactions} reactions",
            "fr": "{total} XP · {messages} messages · {voice} en vocal · {reactions} réactions",
        },
        "levels.card.no_voice": {"en": "no time", "fr": "aucun temps"},
        "levels.card.image_alt": {
            "en": "Rank card of {name}",
            "fr": "Carte de niveau de {name}",
        },
        # Level-ups.
        "levels.levelup.default": {
            "en": "GG {member}, you reached level {level}!",
            "fr": "GG {member}, tu passes au niveau {level} !",
        },
        # /level and /level top.
        "levels.bot_has_no_level": {
            "en": "Bots don't earn XP, so they have no level.",
            "fr": "Les bots ne gagnent pas d'XP, ils n'ont donc pas de niveau.",
        },
        "levels.no_xp_yet": {
            "en": "<@{user}> has no XP yet.",
            "fr": "<@{user}> n'a pas encore d'XP.",
        },
        "levels.top.title": {
            "en": "Leaderboard: page {page} of {pages}",
            "fr": "Classement : page {page} sur {pages}",
        },
        "levels.top.line": {
            "en": "**#{rank}** <@{user}>: level {level}, {xp} XP",
            "fr": "**n° {rank}** <@{user}> : niveau {level}, {xp} XP",
        },
        "levels.top.you": {
            "en": "Your rank: #{rank} (level {level}, {xp} XP).",
            "fr": "Ton rang : n° {rank} (niveau {level}, {xp} XP).",
        },
        "levels.top.you_unranked": {
            "en": "You have no XP yet: talk in the server to get on the board.",
            "fr": "Tu n'as pas encore d'XP : discute sur le serveur pour entrer au classement.",
        },
        "levels.top.empty": {
            "en": "Nobody has earned XP here yet.",
            "fr": "Personne n'a encore gagné d'XP ici.",
        },
        "levels.top.page_out_of_range": {
            "en": "There are only {pages} pages in the leaderboard.",
            "fr": "Le classement n'a que {pages} pages.",
        },
        # /admin xp and /admin levels.
        "levels.admin.added": {
            "en": "Added {amount} XP to <@{user}>: {xp} XP now, level {level}.",
            "fr": "{amount} XP ajoutés à <@{user}> : {xp} XP désormais, niveau {level}.",
        },
        "levels.admin.removed": {
            "en": "Removed {amount} XP from <@{user}>: {xp} XP now, level {level}.",
            "fr": "{amount} XP retirés à <@{user}> : {xp} XP désormais, niveau {level}.",
        },
        "levels.admin.set": {
            "en": "<@{user}> now has {xp} XP, level {level}.",
            "fr": "<@{user}> a désormais {xp} XP, niveau {level}.",
        },
        "levels.admin.reset": {
            "en": "<@{user}>'s XP is reset to 0 (level 0).",
            "fr": "L'XP de <@{user}> est remise à 0 (niveau 0).",
        },
        "levels.admin.level_changed": {
            "en": "Level {before} → {after}; level roles updated.",
            "fr": "Niveau {before} → {after} ; rôles de niveau mis à jour.",
        },
        "levels.admin.reason": {"en": "Reason: {reason}", "fr": "Raison : {reason}"},
        "levels.admin.amount_range": {
            "en": "The amount must be a whole number from {low} to {high}.",
            "fr": "Le montant doit être un nombre entier de {low} à {high}.",
        },
        "levels.admin.too_much": {
            "en": "That would take the member above {maximum} XP, the most anyone may hold.",
            "fr": "Le membre dépasserait {maximum} XP, le maximum autorisé.",
        },
        "levels.admin.unknown_action": {
            "en": "Unknown XP action {action!r}: use add, remove, set or reset.",
            "fr": "Action d'XP inconnue {action!r} : utilise add, remove, set ou reset.",
        },
        "levels.admin.roles_synced": {
            "en": "Level roles checked for {members} members: {added} roles given, "
            "{removed} taken back.",
            "fr": "Rôles de niveau vérifiés pour {members} membres : {added} rôles donnés, "
            "{removed} retirés.",
        },
        "levels.admin.missing_manage_roles": {
            "en": "I can't give level roles: I lack the Manage Roles permission. Give it to "
            "me, then run /admin levels sync-roles.",
            "fr": "Je ne peux pas donner les rôles de niveau : il me manque la permission "
            "Gérer les rôles. Donne-la-moi, puis lance /admin levels sync-roles.",
        },
        "levels.admin.role_above_bot": {
            "en": "I can't give <@&{role}>: it is above my highest role. Move my role above "
            "it, then run /admin levels sync-roles.",
            "fr": "Je ne peux pas donner <@&{role}> : il est au-dessus de mon rôle le plus "
            "haut. Place mon rôle au-dessus, puis lance /admin levels sync-roles.",
        },
        "levels.admin.config_saved": {
            "en": "XP and level settings saved.",
            "fr": "Réglages d'XP et de niveaux enregistrés.",
        },
        # Refusals of /config xp and /config levels.
        "levels.config.out_of_range": {
            "en": "{name} must be a whole number from {low} to {high}.",
            "fr": "{name} doit être un nombre entier de {low} à {high}.",
        },
        "levels.config.curve_whole": {
            "en": "The curve's {name} coefficient must be a whole number.",
            "fr": "Le coefficient {name} de la courbe doit être un nombre entier.",
        },
        "levels.config.curve_range": {
            "en": "The curve's {name} coefficient must be from 0 to {maximum} (you gave {value}).",
            "fr": "Le coefficient {name} de la courbe doit aller de 0 à {maximum} (tu as "
            "mis {value}).",
        },
        "levels.config.curve_constant": {
            "en": "The curve's constant must be at least 1, or levels would cost nothing.",
            "fr": "La constante de la courbe doit valoir au moins 1, sinon les niveaux ne "
            "coûteraient rien.",
        },
        "levels.config.not_an_id": {
            "en": "{name} must name channels or roles of this server.",
            "fr": "{name} doit désigner des salons ou des rôles de ce serveur.",
        },
        "levels.config.range_reversed": {
            "en": "The lowest message XP ({low}) is above the highest ({high}).",
            "fr": "L'XP minimale par message ({low}) dépasse l'XP maximale ({high}).",
        },
        "levels.config.too_many": {
            "en": "{name} may hold at most {maximum} entries.",
            "fr": "{name} peut contenir au plus {maximum} entrées.",
        },
        "levels.config.template_too_long": {
            "en": "The level-up message may be at most {maximum} characters long.",
            "fr": "Le message de passage de niveau ne peut pas dépasser {maximum} caractères.",
        },
        "levels.config.role_twice": {
            "en": "The role <@&{role_id}> is already a reward for another level.",
            "fr": "Le rôle <@&{role_id}> récompense déjà un autre niveau.",
        },
        "levels.config.item_name": {
            "en": "An item reward needs the item's name (100 characters at most).",
            "fr": "Une récompense en objet doit nommer l'objet (100 caractères au plus).",
        },
        "levels.config.reward_twice": {
            "en": "Level {level} already has that reward.",
            "fr": "Le niveau {level} a déjà cette récompense.",
        },
        "levels.config.unreadable": {
            "en": "The stored XP settings cannot be read ({detail}).",
            "fr": "Les réglages d'XP enregistrés sont illisibles ({detail}).",
        },
        # python -m vouchy import xp-csv
        "levels.import.not_utf8": {
            "en": "{name}: not UTF-8 text (byte {byte}); nothing was imported.",
            "fr": "{name} : ce n'est pas du texte UTF-8 (octet {byte}) ; rien n'a été importé.",
        },
        "levels.import.empty": {
            "en": "{name}: the file is empty; expected a header such as user_id,xp.",
            "fr": "{name} : le fichier est vide ; il faut un en-tête comme user_id,xp.",
        },
        "levels.import.bad_csv": {
            "en": "{name}: line {line}: not valid CSV ({detail}); nothing was imported.",
            "fr": "{name} : ligne {line} : CSV invalide ({detail}) ; rien n'a été importé.",
        },
        "levels.import.no_columns": {
            "en": "{name}: line {line}: the header {header!r} needs a user id column and an "
            "XP or level column (e.g. user_id,xp or id,level); nothing was imported.",
            "fr": "{name} : ligne {line} : l'en-tête {header!r} doit avoir une colonne "
            "d'identifiant et une colonne d'XP ou de niveau (par ex. user_id,xp ou id,level) ; "
            "rien n'a été importé.",
        },
        "levels.import.short_row": {
            "en": "{name}: line {line}: {cells} cells, but {needed} are needed; nothing was "
            "imported.",
            "fr": "{name} : ligne {line} : {cells} cellules au lieu de {needed} ; rien n'a été "
            "importé.",
        },
        "levels.import.bad_user": {
            "en": "{name}: line {line}: {value!r} is not a Discord user id; nothing was imported.",
            "fr": "{name} : ligne {line} : {value!r} n'est pas un identifiant Discord ; rien "
            "n'a été importé.",
        },
        "levels.import.bad_xp": {
            "en": "{name}: line {line}: XP {value!r} is not a whole number; nothing was imported.",
            "fr": "{name} : ligne {line} : l'XP {value!r} n'est pas un nombre entier ; rien "
            "n'a été importé.",
        },
        "levels.import.bad_level": {
            "en": "{name}: line {line}: level {value!r} is not a whole number; nothing was "
            "imported.",
            "fr": "{name} : ligne {line} : le niveau {value!r} n'est pas un nombre entier ; "
            "rien n'a été importé.",
        },
        "levels.import.negative_xp": {
            "en": "{name}: line {line}: the XP is negative; nothing was imported.",
            "fr": "{name} : ligne {line} : l'XP est négative ; rien n'a été importé.",
        },
        "levels.import.negative_level": {
            "en": "{name}: line {line}: the level is negative; nothing was imported.",
            "fr": "{name} : ligne {line} : le niveau est négatif ; rien n'a été importé.",
        },
        "levels.import.xp_too_high": {
            "en": "{name}: line {line}: more than {maximum} XP; nothing was imported.",
            "fr": "{name} : ligne {line} : plus de {maximum} XP ; rien n'a été importé.",
        },
        "levels.import.level_too_high": {
            "en": "{name}: line {line}: a level above {maximum}; nothing was imported.",
            "fr": "{name} : ligne {line} : un niveau au-dessus de {maximum} ; rien n'a été "
            "importé.",
        },
        "levels.import.twice": {
            "en": "{name}: line {line}: user {user} is listed twice (first on line {first}); "
            "nothing was imported.",
            "fr": "{name} : ligne {line} : le membre {user} apparaît deux fois (d'abord "
            "ligne {first}) ; rien n'a été importé.",
        },
        "levels.import.too_many_rows": {
            "en": "{name}: more than {maximum} members; nothing was imported.",
            "fr": "{name} : plus de {maximum} membres ; rien n'a été importé.",
        },
        "levels.import.no_rows": {
            "en": "{name}: the header is there but no member follows; nothing was imported.",
            "fr": "{name} : l'en-tête est là mais aucun membre ne suit ; rien n'a été importé.",
        },
        "levels.import.done": {
            "en": "XP imported for {members} members from {name} ({skipped} already "
            "imported before).",
            "fr": "XP importée pour {members} membres depuis {name} ({skipped} déjà importés "
            "auparavant).",
        },
    }
)
