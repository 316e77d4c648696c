"""Every text of invite attribution a member or admin reads, in English and French."""

from __future__ import annotations

from vouchy.core import i18n

TEXTS = i18n.register(
    {
        # How a join was attributed ("how it was found"), kept with each join.
        "invites.how.code": {
            "en": "The uses of {code} went from {before} to {after}, and no other invite moved.",
            "fr": "Les utilisations de {code} sont passées de {before} à {after}, et aucune "
            "autre invitation n'a bougé.",
        },
        "invites.how.code_shared": {
            "en": "{code} was the only invite that moved, by {count} uses at once: each of "
            "those joins came through it (this one took it from {before} to {after}).",
            "fr": "{code} est la seule invitation qui a bougé, de {count} utilisations d'un "
            "coup : chacune de ces arrivées est passée par elle (celle-ci l'a fait passer de "
            "{before} à {after}).",
        },
        "invites.how.vanished": {
            "en": "The limited invite {code} ({max_uses} uses at most) disappeared from the "
            "list at its last use ({before} → {after}).",
            "fr": "L'invitation limitée {code} ({max_uses} utilisations au plus) a disparu de "
            "la liste à sa dernière utilisation ({before} → {after}).",
        },
        "invites.how.vanished_reported": {
            "en": "Discord reported the limited invite {code} ({max_uses} uses at most) "
            "deleted around this join, one use from its limit ({before} → {after}).",
            "fr": "Discord a signalé la suppression de l'invitation limitée {code} "
            "({max_uses} utilisations au plus) au moment de cette arrivée, à une utilisation "
            "de sa limite ({before} → {after}).",
        },
        "invites.how.vanity": {
            "en": "The vanity URL {code} went from {before} to {after} uses, and no invite moved.",
            "fr": "L'URL personnalisée {code} est passée de {before} à {after} utilisations, et "
            "aucune invitation n'a bougé.",
        },
        "invites.how.ambiguous": {
            "en": "Several invites moved at once ({codes}) as members joined together: Vouchy "
            "keeps every candidate and does not pick one.",
            "fr": "Plusieurs invitations ont bougé en même temps ({codes}) pendant que des "
            "membres arrivaient ensemble : Vouchy garde tous les candidats et n'en choisit "
            "aucun.",
        },
        "invites.how.no_permission": {
            "en": "Vouchy could not list this server's invites (it needs the Manage Server "
            "permission).",
            "fr": "Vouchy n'a pas pu lister les invitations de ce serveur (il lui faut la "
            "permission Gérer le serveur).",
        },
        "invites.how.cold_cache": {
            "en": "Vouchy had no list of invites from before this join (it had just started), "
            "so it cannot tell.",
            "fr": "Vouchy n'avait pas de liste des invitations d'avant cette arrivée (il venait "
            "de démarrer), il ne peut donc pas savoir.",
        },
        "invites.how.listed_after_join": {
            "en": "Vouchy's list of invites was taken just after this member joined (Vouchy had "
            "just started), so their use was already in it: Vouchy cannot tell which invite "
            "was used.",
            "fr": "La liste des invitations de Vouchy a été prise juste après l'arrivée de ce "
            "membre (Vouchy venait de démarrer), son utilisation y figurait donc déjà : Vouchy "
            "ne peut pas dire quelle invitation a servi.",
        },
        "invites.how.fetch_failed": {
            "en": "Discord did not answer Vouchy's request for the list of invites at this "
            "join, so Vouchy cannot tell which invite was used.",
            "fr": "Discord n'a pas répondu quand Vouchy a demandé la liste des invitations à "
            "cette arrivée, Vouchy ne peut donc pas savoir quelle invitation a servi.",
        },
        "invites.how.nothing_moved": {
            "en": "No invite's uses went up and none disappeared at its last use: Vouchy "
            "cannot tell which invite was used.",
            "fr": "Aucune invitation n'a pris d'utilisation et aucune n'a disparu à sa dernière "
            "utilisation : Vouchy ne peut pas dire laquelle a servi.",
        },
        "invites.how.stale": {
            "en": "More than {limit} uses appeared since Vouchy's last list of invites (it was "
            "out of date), so Vouchy cannot tell which one is this join's.",
            "fr": "Plus de {limit} utilisations sont apparues depuis la dernière liste des "
            "invitations de Vouchy (elle n'était plus à jour), il ne peut donc pas dire "
            "laquelle correspond à cette arrivée.",
        },
        "invites.how.seed_log": {
            "en": "Read from the previous bot's log, which recorded the code {code}.",
            "fr": "Lu dans le journal de l'ancien bot, qui avait noté le code {code}.",
        },
        "invites.how.seed_log_uses": {
            "en": "Read from the previous bot's log, which recorded the code {code} (uses "
            "{before} → {after}).",
            "fr": "Lu dans le journal de l'ancien bot, qui avait noté le code {code} "
            "(utilisations {before} → {after}).",
        },
        "invites.how.seed_log_unknown": {
            "en": "Read from the previous bot's log, which recorded no invite code.",
            "fr": "Lu dans le journal de l'ancien bot, qui n'avait noté aucun code d'invitation.",
        },
        # Causes, as a word.
        "invites.cause.code": {"en": "invite code", "fr": "code d'invitation"},
        "invites.cause.vanished": {
            "en": "limited invite used up",
            "fr": "invitation limitée épuisée",
        },
        "invites.cause.vanity": {"en": "vanity URL", "fr": "URL personnalisée"},
        "invites.cause.ambiguous": {"en": "ambiguous", "fr": "ambiguë"},
        "invites.cause.no_permission": {"en": "no permission", "fr": "sans permission"},
        "invites.cause.unknown": {"en": "unknown", "fr": "inconnue"},
        # Refusals.
        "invites.bad_bonus": {
            "en": "The bonus must be a whole number other than 0, from -{maximum} to {maximum}.",
            "fr": "Le bonus doit être un nombre entier différent de 0, de -{maximum} à {maximum}.",
        },
        "invites.bad_cause": {
            "en": "{cause} is not a way a join can be attributed.",
            "fr": "{cause} n'est pas une façon d'attribuer une arrivée.",
        },
        "invites.bad_reason": {
            "en": "The reason can be at most {maximum} characters.",
            "fr": "La raison peut faire au plus {maximum} caractères.",
        },
        "invites.staff_one_key": {
            "en": "Give either an invite code or an inviter, not both and not neither.",
            "fr": "Donne soit un code d'invitation, soit un inviteur : pas les deux, et pas aucun.",
        },
        "invites.staff_not_mapped": {
            "en": "{key} is not mapped to a staff member; nothing was changed.",
            "fr": "{key} n'est associé à aucun membre du staff ; rien n'a été modifié.",
        },
        "invites.bad_code": {
            "en": "{code} is not an invite code (letters, digits and dashes, or a "
            "discord.gg link).",
            "fr": "{code} n'est pas un code d'invitation (lettres, chiffres et tirets, ou un "
            "lien discord.gg).",
        },
        "invites.bad_referral_link": {
            "en": "The referral link must start with http:// or https://, have no spaces and "
            "be at most {maximum} characters.",
            "fr": "Le lien de parrainage doit commencer par http:// ou https://, sans espace, "
            "et faire au plus {maximum} caractères.",
        },
        "invites.bad_referral_code": {
            "en": "The referral code must be 1 to {maximum} characters, without spaces.",
            "fr": "Le code de parrainage doit faire de 1 à {maximum} caractères, sans espace.",
        },
        "invites.bad_page": {
            "en": "The page must be a whole number from 1.",
            "fr": "La page doit être un nombre entier à partir de 1.",
        },
        "invites.page_past_end": {
            "en": "There is no page {page}: the last one is {pages}.",
            "fr": "Il n'y a pas de page {page} : la dernière est la {pages}.",
        },
        "invites.rebuild_bad_record": {
            "en": "{file}: record {record} (line {line}) is not a valid join: {reason}. "
            "Nothing was imported.",
            "fr": "{file} : l'enregistrement {record} (ligne {line}) n'est pas une arrivée "
            "valide : {reason}. Rien n'a été importé.",
        },
        "invites.rebuild_bad_file": {
            "en": "{file}: line {line} cannot be read: {reason}. Nothing was imported.",
            "fr": "{file} : la ligne {line} est illisible : {reason}. Rien n'a été importé.",
        },
        "invites.rebuild_conflict": {
            "en": "{file}: the join {join_id} is written twice with different details (lines "
            "{first} and {line}). Nothing was imported.",
            "fr": "{file} : l'arrivée {join_id} est écrite deux fois avec des détails "
            "différents (lignes {first} et {line}). Rien n'a été importé.",
        },
        "invites.rebuild_not_utf8": {
            "en": "{file} is not UTF-8 text (byte {offset}). Nothing was imported.",
            "fr": "{file} n'est pas du texte UTF-8 (octet {offset}). Rien n'a été importé.",
        },
        # /invites lookup member
        "invites.lookup_none": {
            "en": "Vouchy has no recorded join for {member}.",
            "fr": "Vouchy n'a aucune arrivée enregistrée pour {member}.",
        },
        "invites.lookup_title": {
            "en": "**How {member} joined**",
            "fr": "**L'arrivée de {member}**",
        },
        "invites.lookup_when": {"en": "Joined: {when}", "fr": "Arrivée : {when}"},
        "invites.lookup_account": {
            "en": "Account created: {when}",
            "fr": "Compte créé : {when}",
        },
        "invites.lookup_code": {"en": "Invite: {code}", "fr": "Invitation : {code}"},
        "invites.lookup_candidates": {
            "en": "Invite: one of {codes} (Vouchy cannot tell which)",
            "fr": "Invitation : l'une de {codes} (Vouchy ne peut pas dire laquelle)",
        },
        "invites.lookup_no_code": {
            "en": "Invite: not known",
            "fr": "Invitation : inconnue",
        },
        "invites.lookup_inviter": {"en": "Invited by: {inviter}", "fr": "Invité par : {inviter}"},
        "invites.lookup_staff": {"en": "Staff member: {staff}", "fr": "Membre du staff : {staff}"},
        "invites.lookup_referral_link": {
            "en": "Referral link: {link}",
            "fr": "Lien de parrainage : {link}",
        },
        "invites.lookup_referral_code": {
            "en": "Referral code: {code}",
            "fr": "Code de parrainage : {code}",
        },
        "invites.lookup_how": {
            "en": "How Vouchy knows ({cause}): {how}",
            "fr": "Comment Vouchy le sait ({cause}) : {how}",
        },
        # /invites logs
        "invites.logs_none": {
            "en": "No recorded join matches.",
            "fr": "Aucune arrivée enregistrée ne correspond.",
        },
        "invites.logs_title": {
            "en": "**Joins recorded: {total}** (page {page} of {pages}, newest first)",
            "fr": "**Arrivées enregistrées : {total}** (page {page} sur {pages}, les plus "
            "récentes d'abord)",
        },
        "invites.logs_line": {
            "en": "{when} {member} via {via}",
            "fr": "{when} {member} via {via}",
        },
        "invites.logs_line_inviter": {
            "en": "{when} {member} via {via}, invited by {inviter}",
            "fr": "{when} {member} via {via}, invité par {inviter}",
        },
        # /invites top
        "invites.top_none": {
            "en": "Nobody has invited anyone yet.",
            "fr": "Personne n'a encore invité qui que ce soit.",
        },
        "invites.top_title": {
            "en": "**Invites** (page {page} of {pages})",
            "fr": "**Invitations** (page {page} sur {pages})",
        },
        "invites.top_line": {
            "en": "{rank}. {member}: {total} ({regular} regular, {left} left, {fake} fake, "
            "{bonus} bonus)",
            "fr": "{rank}. {member} : {total} ({regular} normales, {left} parties, {fake} "
            "fausses, {bonus} bonus)",
        },
        "invites.top_you": {
            "en": "Your place: {rank} of {count}, with {total}.",
            "fr": "Ta place : {rank} sur {count}, avec {total}.",
        },
        "invites.top_you_none": {
            "en": "You have not invited anyone yet.",
            "fr": "Tu n'as encore invité personne.",
        },
        "invites.counts_line": {
            "en": "{member}: {total} invites ({regular} regular, {left} left, {fake} fake, "
            "{bonus} bonus)",
            "fr": "{member} : {total} invitations ({regular} normales, {left} parties, {fake} "
            "fausses, {bonus} bonus)",
        },
        # /invites sync
        "invites.sync_ok": {
            "en": "Discord's use counts match the recorded joins (invites checked: {checked}).",
            "fr": "Les compteurs de Discord correspondent aux arrivées enregistrées "
            "(invitations vérifiées : {checked}).",
        },
        "invites.sync_title": {
            "en": "**Invites checked: {checked}. Discrepancies: {count}.**",
            "fr": "**Invitations vérifiées : {checked}. Écarts : {count}.**",
        },
        "invites.sync_more_uses": {
            "en": "{code}: Discord counts {discord} uses, Vouchy expects {expected} ({before} "
            "before tracking + {recorded} recorded joins): joins not attributed to it.",
            "fr": "{code} : Discord compte {discord} utilisations, Vouchy en attend {expected} "
            "({before} avant le suivi + {recorded} arrivées enregistrées) : des arrivées ne "
            "lui ont pas été attribuées.",
        },
        "invites.sync_fewer_uses": {
            "en": "{code}: Discord counts {discord} uses, Vouchy expects {expected} ({before} "
            "before tracking + {recorded} recorded joins): more joins recorded than uses.",
            "fr": "{code} : Discord compte {discord} utilisations, Vouchy en attend {expected} "
            "({before} avant le suivi + {recorded} arrivées enregistrées) : plus d'arrivées "
            "enregistrées que d'utilisations.",
        },
        "invites.sync_ambiguous": {
            "en": " Ambiguous joins naming it: {count}.",
            "fr": " Arrivées ambiguës qui la citent : {count}.",
        },
        "invites.sync_no_permission": {
            "en": "Vouchy cannot list this server's invites (it needs the Manage Server "
            "permission), so it cannot compare their use counts.",
            "fr": "Vouchy ne peut pas lister les invitations de ce serveur (il lui faut la "
            "permission Gérer le serveur), il ne peut donc pas comparer leurs compteurs.",
        },
        "invites.discord_unavailable": {
            "en": "Discord did not answer the request for the invites. Try again in a moment.",
            "fr": "Discord n'a pas répondu à la demande des invitations. Réessaie dans un instant.",
        },
        "invites.more": {"en": "…and {count} more.", "fr": "…et {count} de plus."},
        # Told once to the admins.
        "invites.permission_notice": {
            "en": "Vouchy cannot see invites here (needs Manage Server). Joins are still "
            "recorded, without their invite, until Vouchy gets that permission. This notice "
            "is sent once.",
            "fr": "Vouchy ne voit pas les invitations ici (il lui faut la permission Gérer le "
            "serveur). Les arrivées sont toujours enregistrées, mais sans leur invitation, "
            "jusqu'à ce que Vouchy ait cette permission. Ce message n'est envoyé qu'une fois.",
        },
        # /invites staff list
        "invites.staff_none": {
            "en": "No invite code or inviter is mapped to a staff member.",
            "fr": "Aucun code d'invitation ni inviteur n'est associé à un membre du staff.",
        },
        "invites.staff_title": {
            "en": "**Staff mappings: {count}**",
            "fr": "**Associations au staff : {count}**",
        },
        "invites.staff_line": {"en": "{key} → {staff}", "fr": "{key} → {staff}"},
        # Commands, options and settings (names: lowercase, no spaces).
        "invites.cmd": {"en": "invites", "fr": "invitations"},
        "invites.cmd.desc": {
            "en": "Who invited whom, and the invite leaderboard",
            "fr": "Qui a invité qui, et le classement des invitations",
        },
        "invites.cmd.lookup": {"en": "lookup", "fr": "rechercher"},
        "invites.cmd.lookup.desc": {
            "en": "How a member joined: invite, inviter, staff member, and how Vouchy knows",
            "fr": "Comment un membre est arrivé : invitation, inviteur, membre du staff, et "
            "comment Vouchy le sait",
        },
        "invites.cmd.logs": {"en": "logs", "fr": "journal"},
        "invites.cmd.logs.desc": {
            "en": "Recorded joins, newest first, of a member or through a code",
            "fr": "Les arrivées enregistrées, les plus récentes d'abord, d'un membre ou par un "
            "code",
        },
        "invites.cmd.export": {"en": "export", "fr": "exporter"},
        "invites.cmd.export.desc": {
            "en": "Every recorded join of this server as a CSV file",
            "fr": "Toutes les arrivées enregistrées de ce serveur dans un fichier CSV",
        },
        "invites.cmd.sync": {"en": "sync", "fr": "comparer"},
        "invites.cmd.sync.desc": {
            "en": "Compare Discord's invite use counts with the recorded joins",
            "fr": "Comparer les compteurs d'utilisation de Discord aux arrivées enregistrées",
        },
        "invites.cmd.top": {"en": "top", "fr": "classement"},
        "invites.cmd.top.desc": {
            "en": "The members who invited the most, and your place",
            "fr": "Les membres qui ont invité le plus, et ta place",
        },
        "invites.cmd.staff": {"en": "staff", "fr": "staff"},
        "invites.cmd.staff.desc": {
            "en": "Invite codes and inviters mapped to staff members",
            "fr": "Codes d'invitation et inviteurs associés à des membres du staff",
        },
        "invites.cmd.staff_set": {"en": "set", "fr": "associer"},
        "invites.cmd.staff_set.desc": {
            "en": "Map an invite code or an inviter to a staff member",
            "fr": "Associer un code d'invitation ou un inviteur à un membre du staff",
        },
        "invites.cmd.staff_remove": {"en": "remove", "fr": "retirer"},
        "invites.cmd.staff_remove.desc": {
            "en": "Remove the mapping of an invite code or an inviter",
            "fr": "Retirer l'association d'un code d'invitation ou d'un inviteur",
        },
        "invites.cmd.staff_list": {"en": "list", "fr": "liste"},
        "invites.cmd.staff_list.desc": {
            "en": "Every staff mapping of this server",
            "fr": "Toutes les associations au staff de ce serveur",
        },
        "admin.invites": {"en": "invites", "fr": "invitations"},
        "admin.invites.desc": {
            "en": "Adjust invite counts",
            "fr": "Ajuster les compteurs d'invitations",
        },
        "admin.invites.bonus": {"en": "bonus", "fr": "bonus"},
        "admin.invites.bonus.desc": {
            "en": "Add (or, negative, take away) bonus invites of a member",
            "fr": "Ajouter (ou, négatif, retirer) des invitations bonus à un membre",
        },
        "invites.opt.member": {"en": "member", "fr": "membre"},
        "invites.opt.member.desc": {"en": "The member", "fr": "Le membre"},
        "invites.opt.code": {"en": "code", "fr": "code"},
        "invites.opt.code.desc": {
            "en": "An invite code or discord.gg link",
            "fr": "Un code d'invitation ou un lien discord.gg",
        },
        "invites.opt.page": {"en": "page", "fr": "page"},
        "invites.opt.page.desc": {
            "en": "Which page (default: the first)",
            "fr": "Quelle page (par défaut : la première)",
        },
        "invites.opt.staff": {"en": "staff", "fr": "staff"},
        "invites.opt.staff.desc": {
            "en": "The staff member credited for the referral",
            "fr": "Le membre du staff crédité pour le parrainage",
        },
        "invites.opt.inviter": {"en": "inviter", "fr": "inviteur"},
        "invites.opt.inviter.desc": {
            "en": "The member whose invites are mapped",
            "fr": "Le membre dont les invitations sont associées",
        },
        "invites.opt.referral_link": {"en": "referral_link", "fr": "lien_parrainage"},
        "invites.opt.referral_link.desc": {
            "en": "The staff member's referral link (http or https)",
            "fr": "Le lien de parrainage du membre du staff (http ou https)",
        },
        "invites.opt.referral_code": {"en": "referral_code", "fr": "code_parrainage"},
        "invites.opt.referral_code.desc": {
            "en": "The staff member's referral code",
            "fr": "Le code de parrainage du membre du staff",
        },
        "invites.opt.amount": {"en": "amount", "fr": "montant"},
        "invites.opt.amount.desc": {
            "en": "Bonus invites to add (negative to take away)",
            "fr": "Invitations bonus à ajouter (négatif pour en retirer)",
        },
        "invites.opt.reason": {"en": "reason", "fr": "raison"},
        "invites.opt.reason.desc": {
            "en": "Why (kept with the bonus)",
            "fr": "Pourquoi (gardé avec le bonus)",
        },
        "config.invites": {"en": "invites", "fr": "invitations"},
        "config.invites.desc": {
            "en": "Invite settings: fake accounts, the leave window",
            "fr": "Réglages des invitations : faux comptes, délai de départ",
        },
        "invites.setting.fake_account_days": {
            "en": "fake_account_days",
            "fr": "jours_faux_compte",
        },
        "invites.setting.fake_account_days.desc": {
            "en": "An account younger than this many days at its first join counts as fake",
            "fr": "Un compte plus jeune que ce nombre de jours à sa première arrivée compte "
            "comme faux",
        },
        "invites.setting.leave_window_days": {
            "en": "leave_window_days",
            "fr": "jours_fenetre_depart",
        },
        "invites.setting.leave_window_days.desc": {
            "en": "A leave counts against the inviter within this many days (0: always)",
            "fr": "Un départ compte contre l'inviteur dans ce nombre de jours (0 : toujours)",
        },
        # What /admin audit calls the invites check's findings.
        "admin.problem.invite_counts_mismatch": {
            "en": "invite counts differ from the recorded joins, leaves and bonuses",
            "fr": "compteurs d'invitations différents des arrivées, départs et bonus enregistrés",
        },
        "admin.problem.invite_standing_mismatch": {
            "en": "who is credited for this member differs from the recorded joins and leaves",
            "fr": "l'inviteur crédité pour ce membre diffère des arrivées et départs enregistrés",
        },
        # Replies of the Discord commands around the rendered text.
        "invites.title": {"en": "Invites", "fr": "Invitations"},
        "invites.export_done": {
            "en": "Every recorded join of this server: {count} (formula cells are neutralised, "
            "safe to open in a spreadsheet).",
            "fr": "Toutes les arrivées enregistrées de ce serveur : {count} (les cellules de "
            "formule sont neutralisées, le fichier s'ouvre sans risque dans un tableur).",
        },
        "invites.export_zipped": {
            "en": " The file was too large for Discord as it is, so it is zipped.",
            "fr": " Le fichier était trop gros pour Discord tel quel, il est donc compressé.",
        },
        "invites.staff_saved": {
            "en": "{key} → {staff} saved.",
            "fr": "{key} → {staff} enregistré.",
        },
        "invites.staff_removed": {
            "en": "The mapping of {key} was removed.",
            "fr": "L'association de {key} a été retirée.",
        },
        "invites.bonus_done": {
            "en": "Bonus of {amount} for {member} saved.",
            "fr": "Bonus de {amount} pour {member} enregistré.",
        },
        "invites.bonus_bot": {
            "en": "Bots don't invite anyone: no bonus for a bot.",
            "fr": "Les bots n'invitent personne : pas de bonus pour un bot.",
        },
    }
)
