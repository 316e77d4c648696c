"""Every text of XP and levels that a member or admin reads, in English and French."""

from __future__ import annotations

from vouchy.core import i18n

TEXTS = i18n.register(
    {
        # Refusals the store may answer for this feature's operations.
        "levels.stale": {
            "en": "This member's XP changed at the same moment; nothing was changed. Try again.",
            "fr": "L'XP de ce membre a changé au même moment ; rien n'a été modifié. Réessaie.",
        },
        "levels.already_credited": {
            "en": "That was already counted; nothing was changed.",
            "fr": "C'était déjà compté ; rien n'a été modifié.",
        },
        "levels.reward_given": {
            "en": "That level reward was already given to this member.",
            "fr": "Cette récompense de niveau a déjà été donnée à ce membre.",
        },
        "levels.reward_not_due": {
            "en": "That level reward was already handed over.",
            "fr": "Cette récompense de niveau a déjà été remise.",
        },
        "levels.told_before": {
            "en": "The admins were already told about this.",
            "fr": "Les admins ont déjà été prévenus.",
        },
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
            "en": "That page is past the end of the leaderboard (last page: {pages}).",
            "fr": "Cette page est au-delà de la fin du classement (dernière page : {pages}).",
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
        "levels.config.multiplier_twice": {
            "en": "{name} lists <{id}> twice: keep one multiplier per role or channel.",
            "fr": "{name} contient <{id}> deux fois : un seul multiplicateur par rôle ou salon.",
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

COMMANDS = i18n.register(
    {
        # /level and /levels: names and descriptions (Discord's localizations).
        "levels.cmd.level": {"en": "level", "fr": "niveau"},
        "levels.cmd.level.desc": {
            "en": "Your level, XP and rank as a rank card, or another member's",
            "fr": "Ton niveau, ton XP et ton rang en carte, ou ceux d'un autre membre",
        },
        "levels.opt.member": {"en": "member", "fr": "membre"},
        "levels.opt.member.desc": {
            "en": "The member to look at (default: you)",
            "fr": "Le membre à consulter (par défaut : toi)",
        },
        "levels.cmd.levels": {"en": "levels", "fr": "niveaux"},
        "levels.cmd.levels.desc": {
            "en": "The members with the most XP, and your rank",
            "fr": "Les membres qui ont le plus d'XP, et ton rang",
        },
        "levels.opt.page": {"en": "page", "fr": "page"},
        "levels.opt.page.desc": {
            "en": "Which page (default: the first)",
            "fr": "Quelle page (par défaut : la première)",
        },
        # /admin xp and /admin levels.
        "levels.admin.xp": {"en": "xp", "fr": "xp"},
        "levels.admin.xp.desc": {
            "en": "Change a member's XP (recorded with who and why)",
            "fr": "Modifier l'XP d'un membre (enregistré avec qui et pourquoi)",
        },
        "levels.admin.xp.add": {"en": "add", "fr": "ajouter"},
        "levels.admin.xp.add.desc": {
            "en": "Give a member XP",
            "fr": "Donner de l'XP à un membre",
        },
        "levels.admin.xp.remove": {"en": "remove", "fr": "retirer"},
        "levels.admin.xp.remove.desc": {
            "en": "Take XP from a member",
            "fr": "Retirer de l'XP à un membre",
        },
        "levels.admin.xp.set": {"en": "set", "fr": "fixer"},
        "levels.admin.xp.set.desc": {
            "en": "Set a member's total XP",
            "fr": "Fixer l'XP totale d'un membre",
        },
        "levels.admin.xp.reset": {"en": "reset", "fr": "remettre-a-zero"},
        "levels.admin.xp.reset.desc": {
            "en": "Put a member's XP back to 0",
            "fr": "Remettre l'XP d'un membre à 0",
        },
        "levels.admin.opt.member": {"en": "member", "fr": "membre"},
        "levels.admin.opt.member.desc": {"en": "Whose XP", "fr": "L'XP de qui"},
        "levels.admin.opt.amount": {"en": "amount", "fr": "montant"},
        "levels.admin.opt.amount.desc": {"en": "How much XP", "fr": "Combien d'XP"},
        "levels.admin.opt.total": {"en": "xp", "fr": "xp"},
        "levels.admin.opt.total.desc": {
            "en": "The member's new total XP",
            "fr": "La nouvelle XP totale du membre",
        },
        "levels.admin.opt.reason": {"en": "reason", "fr": "raison"},
        "levels.admin.opt.reason.desc": {
            "en": "Why (kept with the change)",
            "fr": "Pourquoi (gardé avec la modification)",
        },
        "levels.admin.levels": {"en": "levels", "fr": "niveaux"},
        "levels.admin.levels.desc": {
            "en": "Level roles and rewards",
            "fr": "Rôles et récompenses de niveau",
        },
        "levels.admin.sync_roles": {"en": "sync-roles", "fr": "synchroniser-roles"},
        "levels.admin.sync_roles.desc": {
            "en": "Give and take level roles so every member's match their level",
            "fr": "Donner et retirer les rôles de niveau pour qu'ils suivent le niveau de chacun",
        },
        # /config levels: the group, each setting, and the commands for lists of pairs.
        "config.levels": {"en": "levels", "fr": "niveaux"},
        "config.levels.desc": {
            "en": "XP and level settings: rates, cooldown, channels, roles, announcements, rewards",
            "fr": "Réglages d'XP et de niveaux : gains, délai, salons, rôles, annonces, récompenses",
        },
        "levels.setting.curve_quadratic": {"en": "curve_quadratic", "fr": "courbe_quadratique"},
        "levels.setting.curve_quadratic.desc": {
            "en": "Level curve: XP per level squared (MEE6: 5)",
            "fr": "Courbe : XP par niveau au carré (MEE6 : 5)",
        },
        "levels.setting.curve_linear": {"en": "curve_linear", "fr": "courbe_lineaire"},
        "levels.setting.curve_linear.desc": {
            "en": "Level curve: XP per level (MEE6: 50)",
            "fr": "Courbe : XP par niveau (MEE6 : 50)",
        },
        "levels.setting.curve_constant": {"en": "curve_constant", "fr": "courbe_constante"},
        "levels.setting.curve_constant.desc": {
            "en": "Level curve: XP every level costs (MEE6: 100)",
            "fr": "Courbe : XP que coûte chaque niveau (MEE6 : 100)",
        },
        "levels.setting.message_xp_min": {"en": "message_xp_min", "fr": "xp_message_min"},
        "levels.setting.message_xp_min.desc": {
            "en": "Least XP one message earns",
            "fr": "XP minimale d'un message",
        },
        "levels.setting.message_xp_max": {"en": "message_xp_max", "fr": "xp_message_max"},
        "levels.setting.message_xp_max.desc": {
            "en": "Most XP one message earns",
            "fr": "XP maximale d'un message",
        },
        "levels.setting.message_cooldown_s": {
            "en": "message_cooldown_s",
            "fr": "delai_message_s",
        },
        "levels.setting.message_cooldown_s.desc": {
            "en": "Seconds before a member's messages earn XP again",
            "fr": "Secondes avant que les messages d'un membre rapportent à nouveau de l'XP",
        },
        "levels.setting.no_xp_channels": {"en": "no_xp_channels", "fr": "salons_sans_xp"},
        "levels.setting.no_xp_channels.desc": {
            "en": "Channels where nobody earns XP",
            "fr": "Salons où personne ne gagne d'XP",
        },
        "levels.setting.no_xp_roles": {"en": "no_xp_roles", "fr": "roles_sans_xp"},
        "levels.setting.no_xp_roles.desc": {
            "en": "Roles whose members earn no XP",
            "fr": "Rôles dont les membres ne gagnent pas d'XP",
        },
        "levels.setting.voice_xp_per_minute": {
            "en": "voice_xp_per_minute",
            "fr": "xp_vocal_par_minute",
        },
        "levels.setting.voice_xp_per_minute.desc": {
            "en": "XP per minute in voice with someone, not muted, not AFK",
            "fr": "XP par minute en vocal avec quelqu'un, sans sourdine, hors AFK",
        },
        "levels.setting.reaction_xp": {"en": "reaction_xp", "fr": "xp_reaction"},
        "levels.setting.reaction_xp.desc": {
            "en": "XP a message's author earns per member reacting",
            "fr": "XP que gagne l'auteur d'un message par membre qui réagit",
        },
        "levels.setting.game_win_xp": {"en": "game_win_xp", "fr": "xp_partie_gagnee"},
        "levels.setting.game_win_xp.desc": {
            "en": "XP for winning a game",
            "fr": "XP pour une partie gagnée",
        },
        "levels.setting.game_lose_xp": {"en": "game_lose_xp", "fr": "xp_partie_perdue"},
        "levels.setting.game_lose_xp.desc": {
            "en": "XP for playing a game and losing",
            "fr": "XP pour une partie perdue",
        },
        "levels.setting.role_multipliers": {
            "en": "role_multipliers",
            "fr": "multiplicateurs_roles",
        },
        "levels.setting.role_multipliers.desc": {
            "en": "XP multipliers of roles",
            "fr": "Multiplicateurs d'XP des rôles",
        },
        "levels.setting.channel_multipliers": {
            "en": "channel_multipliers",
            "fr": "multiplicateurs_salons",
        },
        "levels.setting.channel_multipliers.desc": {
            "en": "XP multipliers of channels",
            "fr": "Multiplicateurs d'XP des salons",
        },
        "levels.setting.announce": {"en": "announce", "fr": "annoncer"},
        "levels.setting.announce.desc": {
            "en": "Announce level-ups",
            "fr": "Annoncer les passages de niveau",
        },
        "levels.setting.announce_channel_id": {
            "en": "announce_channel",
            "fr": "salon_annonces",
        },
        "levels.setting.announce_channel_id.desc": {
            "en": "Where level-ups are announced (default: where the member spoke)",
            "fr": "Où annoncer les passages de niveau (par défaut : là où le membre a parlé)",
        },
        "levels.setting.announce_template": {"en": "announce_message", "fr": "message_annonce"},
        "levels.setting.announce_template.desc": {
            "en": "The level-up message; {member} and {level} are filled in",
            "fr": "Le message de passage de niveau ; {member} et {level} sont remplis",
        },
        "levels.setting.role_rewards": {"en": "role_rewards", "fr": "roles_recompenses"},
        "levels.setting.role_rewards.desc": {
            "en": "Roles given at levels",
            "fr": "Rôles donnés aux niveaux",
        },
        "levels.setting.stack_roles": {"en": "stack_roles", "fr": "cumuler_roles"},
        "levels.setting.stack_roles.desc": {
            "en": "Keep every level role reached (no: only the highest)",
            "fr": "Garder tous les rôles de niveau atteints (non : seulement le plus haut)",
        },
        "levels.setting.rewards": {"en": "rewards", "fr": "recompenses"},
        "levels.setting.rewards.desc": {
            "en": "Points and items given once at levels",
            "fr": "Points et objets donnés une fois aux niveaux",
        },
        "levels.setting.restore_roles_on_rejoin": {
            "en": "restore_roles_on_rejoin",
            "fr": "rendre_roles_au_retour",
        },
        "levels.setting.restore_roles_on_rejoin.desc": {
            "en": "Give level roles back to a member who rejoins",
            "fr": "Rendre les rôles de niveau à un membre qui revient",
        },
        "levels.config.multiplier": {"en": "multiplier", "fr": "multiplicateur"},
        "levels.config.multiplier.desc": {
            "en": "Set a role's or a channel's XP multiplier (100 = none)",
            "fr": "Régler le multiplicateur d'XP d'un rôle ou d'un salon (100 = aucun)",
        },
        "levels.config.role_reward": {"en": "role-reward", "fr": "role-recompense"},
        "levels.config.role_reward.desc": {
            "en": "Give a role at a level (level 0: stop giving it)",
            "fr": "Donner un rôle à un niveau (niveau 0 : ne plus le donner)",
        },
        "levels.config.point_reward": {"en": "point-reward", "fr": "points-recompense"},
        "levels.config.point_reward.desc": {
            "en": "Give points once at a level (0 points: no reward)",
            "fr": "Donner des points une fois à un niveau (0 point : pas de récompense)",
        },
        "levels.config.item_reward": {"en": "item-reward", "fr": "objet-recompense"},
        "levels.config.item_reward.desc": {
            "en": "Give a shop item once at a level (quantity 0: no reward)",
            "fr": "Donner un objet de la boutique une fois à un niveau (quantité 0 : aucune)",
        },
        "levels.config.opt.percent": {"en": "percent", "fr": "pourcentage"},
        "levels.config.opt.percent.desc": {
            "en": "XP in percent: 150 = x1.5, 0 = no XP, 100 = no multiplier",
            "fr": "XP en pourcentage : 150 = x1,5, 0 = pas d'XP, 100 = aucun multiplicateur",
        },
        "levels.config.opt.role": {"en": "role", "fr": "role"},
        "levels.config.opt.role.desc": {"en": "A role", "fr": "Un rôle"},
        "levels.config.opt.channel": {"en": "channel", "fr": "salon"},
        "levels.config.opt.channel.desc": {
            "en": "A channel or a category",
            "fr": "Un salon ou une catégorie",
        },
        "levels.config.opt.level": {"en": "level", "fr": "niveau"},
        "levels.config.opt.level.desc": {"en": "The level", "fr": "Le niveau"},
        "levels.config.opt.points": {"en": "points", "fr": "points"},
        "levels.config.opt.points.desc": {
            "en": "Points given once (0: no reward)",
            "fr": "Points donnés une fois (0 : aucune récompense)",
        },
        "levels.config.opt.item": {"en": "item", "fr": "objet"},
        "levels.config.opt.item.desc": {
            "en": "The shop item's name",
            "fr": "Le nom de l'objet de la boutique",
        },
        "levels.config.opt.quantity": {"en": "quantity", "fr": "quantite"},
        "levels.config.opt.quantity.desc": {
            "en": "How many (0: no reward)",
            "fr": "Combien (0 : aucune récompense)",
        },
        "levels.config.pick_role_or_channel": {
            "en": "Pick a role or a channel, not both.",
            "fr": "Choisis un rôle ou un salon, pas les deux.",
        },
        # Replies.
        "levels.level.title": {"en": "Level", "fr": "Niveau"},
        "levels.level.card_failed": {
            "en": "(The rank card could not be drawn this time; everything is above.)",
            "fr": "(La carte n'a pas pu être dessinée cette fois ; tout est ci-dessus.)",
        },
        "levels.top.embed_title": {"en": "XP leaderboard", "fr": "Classement d'XP"},
        "levels.admin.title": {"en": "XP changed", "fr": "XP modifiée"},
        "levels.admin.by": {"en": "By <@{user}>.", "fr": "Par <@{user}>."},
        "levels.admin.sync_title": {"en": "Level roles", "fr": "Rôles de niveau"},
        "levels.admin.sync_blocked": {
            "en": "{count} roles could not be managed: the admins were told why.",
            "fr": "{count} rôles n'ont pas pu être gérés : les admins ont été prévenus.",
        },
        "levels.config.pairs_title": {
            "en": "Multipliers and rewards",
            "fr": "Multiplicateurs et récompenses",
        },
        "levels.config.multiplier_line": {
            "en": "{target}: ×{factor}",
            "fr": "{target} : ×{factor}",
        },
        "levels.config.role_reward_line": {
            "en": "level {level}: <@&{role}>",
            "fr": "niveau {level} : <@&{role}>",
        },
        "levels.config.point_reward_line": {
            "en": "level {level}: {points} points, once",
            "fr": "niveau {level} : {points} points, une fois",
        },
        "levels.config.item_reward_line": {
            "en": "level {level}: {quantity} × {item}, once",
            "fr": "niveau {level} : {quantity} × {item}, une fois",
        },
        "levels.config.stack_line": {
            "en": "Level roles are kept as members go up.",
            "fr": "Les rôles de niveau s'ajoutent à mesure que les membres montent.",
        },
        "levels.config.replace_line": {
            "en": "Each level role replaces the one below.",
            "fr": "Chaque rôle de niveau remplace celui d'en dessous.",
        },
        "levels.config.none": {"en": "none", "fr": "aucun"},
        # The audit's findings (read by /admin audit).
        "admin.problem.xp_mismatch": {
            "en": "XP differs from its log",
            "fr": "XP différente de son journal",
        },
        "admin.problem.level_mismatch": {
            "en": "level differs from the XP's level",
            "fr": "niveau différent de celui de l'XP",
        },
        "admin.problem.messages_mismatch": {
            "en": "message count differs from its log",
            "fr": "nombre de messages différent de son journal",
        },
        "admin.problem.voice_seconds_mismatch": {
            "en": "voice time differs from its log",
            "fr": "temps en vocal différent de son journal",
        },
        "admin.problem.reactions_received_mismatch": {
            "en": "reaction count differs from its log",
            "fr": "nombre de réactions différent de son journal",
        },
    }
)
