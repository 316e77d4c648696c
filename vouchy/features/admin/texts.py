"""The admin feature's texts in English and French."""

from __future__ import annotations

from vouchy.core import i18n

TEXTS = i18n.register(
    {
        "admin.points": {"en": "points", "fr": "points"},
        "admin.points.desc": {
            "en": "Change a member's points",
            "fr": "Modifier les points d'un membre",
        },
        "admin.points.add": {"en": "add", "fr": "ajouter"},
        "admin.points.add.desc": {
            "en": "Give a member points",
            "fr": "Donner des points à un membre",
        },
        "admin.points.remove": {"en": "remove", "fr": "retirer"},
        "admin.points.remove.desc": {
            "en": "Take points from a member",
            "fr": "Retirer des points à un membre",
        },
        "admin.points.set": {"en": "set", "fr": "fixer"},
        "admin.points.set.desc": {
            "en": "Set a member's balance",
            "fr": "Fixer le solde d'un membre",
        },
        "admin.opt.member": {"en": "member", "fr": "membre"},
        "admin.opt.member.desc": {"en": "Whose points", "fr": "Les points de qui"},
        "admin.opt.amount": {"en": "amount", "fr": "montant"},
        "admin.opt.amount.desc": {"en": "How many points", "fr": "Combien de points"},
        "admin.opt.balance": {"en": "amount", "fr": "montant"},
        "admin.opt.balance.desc": {"en": "The new balance", "fr": "Le nouveau solde"},
        "admin.opt.reason": {"en": "reason", "fr": "raison"},
        "admin.opt.reason.desc": {
            "en": "Why (kept in the ledger)",
            "fr": "Pourquoi (gardé dans le registre)",
        },
        "admin.opt.audit_member": {"en": "member", "fr": "membre"},
        "admin.opt.audit_member.desc": {
            "en": "Only this member (default: everyone)",
            "fr": "Seulement ce membre (par défaut : tout le monde)",
        },
        "admin.backup": {"en": "backup", "fr": "sauvegarde"},
        "admin.backup.desc": {
            "en": "Take a verified snapshot now",
            "fr": "Faire un instantané vérifié maintenant",
        },
        "admin.audit": {"en": "audit", "fr": "audit"},
        "admin.audit.desc": {
            "en": "Check every balance and count against its records",
            "fr": "Vérifier chaque solde et compteur par rapport à ses écritures",
        },
        "admin.repair": {"en": "repair", "fr": "réparer"},
        "admin.repair.desc": {
            "en": "Rebuild anything that differs from its records",
            "fr": "Reconstruire ce qui diffère de ses écritures",
        },
        "admin.config_show": {"en": "show", "fr": "afficher"},
        "admin.config_show.desc": {
            "en": "Show this server's settings",
            "fr": "Afficher les réglages de ce serveur",
        },
        # Replies.
        "admin.added.title": {"en": "Added points", "fr": "Points ajoutés"},
        "admin.added": {
            "en": "Added {points} to <@{user_id}>.",
            "fr": "{points} ajoutés à <@{user_id}>.",
        },
        "admin.removed.title": {"en": "Removed points", "fr": "Points retirés"},
        "admin.removed": {
            "en": "Removed {points} from <@{user_id}>.",
            "fr": "{points} retirés à <@{user_id}>.",
        },
        "admin.set.title": {"en": "Set points", "fr": "Solde fixé"},
        "admin.set": {
            "en": "Set <@{user_id}>'s balance to {points} ({change}).",
            "fr": "Solde de <@{user_id}> fixé à {points} ({change}).",
        },
        "admin.new_balance": {"en": "New balance", "fr": "Nouveau solde"},
        "admin.reason": {"en": "Reason", "fr": "Raison"},
        "admin.log.title": {"en": "Points changed", "fr": "Points modifiés"},
        "admin.log.add": {
            "en": "Added {points} to <@{user_id}>.",
            "fr": "{points} ajoutés à <@{user_id}>.",
        },
        "admin.log.remove": {
            "en": "Removed {points} from <@{user_id}>.",
            "fr": "{points} retirés à <@{user_id}>.",
        },
        "admin.log.set": {
            "en": "Set <@{user_id}>'s balance to {balance}.",
            "fr": "Solde de <@{user_id}> fixé à {balance}.",
        },
        "admin.log.reason": {"en": "Reason: {reason}", "fr": "Raison : {reason}"},
        "admin.log.by": {"en": "By <@{user_id}>.", "fr": "Par <@{user_id}>."},
        "admin.log.repaired.title": {"en": "Repaired", "fr": "Réparé"},
        "admin.log.repaired": {
            "en": "{count} records rebuilt from their source.",
            "fr": "{count} enregistrements reconstruits depuis leur source.",
        },
        "admin.audit.title": {"en": "Audit", "fr": "Audit"},
        "admin.audit.clean_all": {
            "en": "The audit of this server is clean: every balance equals the sum of its ledger, and every count its records.",
            "fr": "L'audit de ce serveur est propre : chaque solde égale la somme de son registre, et chaque compteur ses écritures.",
        },
        "admin.audit.clean_member": {
            "en": "<@{user_id}>'s account is clean: their balance equals the sum of their ledger.",
            "fr": "Le compte de <@{user_id}> est propre : son solde égale la somme de son registre.",
        },
        "admin.audit.no_account": {
            "en": "<@{user_id}> has no account yet: there is nothing to audit.",
            "fr": "<@{user_id}> n'a pas encore de compte : il n'y a rien à vérifier.",
        },
        "admin.audit.found": {
            "en": "The audit found problems:",
            "fr": "L'audit a trouvé des problèmes :",
        },
        "admin.audit.line": {
            "en": "{who}: {problem} (stored {stored}, from its records {expected})",
            "fr": "{who} : {problem} (enregistré {stored}, d'après ses écritures {expected})",
        },
        "admin.audit.more": {"en": "…and {count} more.", "fr": "…et {count} de plus."},
        "admin.audit.fix": {
            "en": "Run `/admin repair` to rebuild these from their records.",
            "fr": "Lance `/admin réparer` pour les reconstruire depuis leurs écritures.",
        },
        "admin.audit.accounts": {"en": "Accounts", "fr": "Comptes"},
        "admin.audit.entries": {"en": "Ledger entries", "fr": "Écritures"},
        "admin.audit.points": {"en": "Points held", "fr": "Points détenus"},
        "admin.repair.title": {"en": "Repair", "fr": "Réparation"},
        "admin.repair.done": {
            "en": "Rebuilt {count} records from their source; each fix is recorded (a `repair` entry for a balance).",
            "fr": "{count} enregistrements reconstruits depuis leur source ; chaque correction est enregistrée (une écriture `réparation` pour un solde).",
        },
        "admin.repair.nothing": {
            "en": "Nothing to repair: everything already agrees with its records.",
            "fr": "Rien à réparer : tout concorde déjà avec ses écritures.",
        },
        "admin.repair.now": {"en": "Audit now", "fr": "Audit maintenant"},
        "admin.repair.clean": {"en": "clean", "fr": "propre"},
        "admin.repair.left": {"en": "{count} problems left", "fr": "{count} problèmes restants"},
        "admin.backup.title": {"en": "Backup", "fr": "Sauvegarde"},
        "admin.backup.taken": {
            "en": "A snapshot was taken and verified <t:{at}:R>. It holds this server's {members} members and {points} points, with everything else Vouchy keeps here.",
            "fr": "Un instantané a été pris et vérifié <t:{at}:R>. Il contient les {members} membres et {points} points de ce serveur, et tout le reste de ce que Vouchy garde ici.",
        },
        "admin.backup.safe": {
            "en": "Every change is saved to disk before Vouchy answers; snapshots add a verified copy every few minutes.",
            "fr": "Chaque modification est enregistrée sur le disque avant que Vouchy réponde ; les instantanés ajoutent une copie vérifiée toutes les quelques minutes.",
        },
        "admin.backup.restore": {"en": "To restore", "fr": "Pour restaurer"},
        "admin.backup.restore_how": {
            "en": "Whoever runs Vouchy stops it and runs `python -m vouchy restore {name}`: the snapshot, plus every change made after it.",
            "fr": "La personne qui héberge Vouchy l'arrête et lance `python -m vouchy restore {name}` : l'instantané, plus chaque modification faite après.",
        },
        "admin.backup.details": {
            "en": "Details (for whoever runs Vouchy)",
            "fr": "Détails (pour qui héberge Vouchy)",
        },
        "admin.backup.details_text": {
            "en": "snapshot {name} · database {db} MiB + WAL {wal} MiB · journal {journal} MiB in {segments} files · {kept} snapshots kept · integrity {integrity}",
            "fr": "instantané {name} · base {db} Mio + WAL {wal} Mio · journal {journal} Mio en {segments} fichiers · {kept} instantanés gardés · intégrité {integrity}",
        },
        "admin.backup.failed": {
            "en": "The snapshot could not be taken: {why}. Every change is still saved before Vouchy answers; tell whoever runs Vouchy.",
            "fr": "L'instantané n'a pas pu être pris : {why}. Chaque modification reste enregistrée avant que Vouchy réponde ; préviens la personne qui héberge Vouchy.",
        },
        "config.core": {"en": "core", "fr": "general"},
        "config.core.desc": {
            "en": "Vouchy's own settings: log channel, admin role, language",
            "fr": "Réglages de Vouchy : salon de journal, rôle admin, langue",
        },
        "core.setting.log_channel": {"en": "log_channel", "fr": "salon_journal"},
        "core.setting.log_channel.desc": {
            "en": "Where Vouchy copies admin actions",
            "fr": "Où Vouchy copie les actions des admins",
        },
        "core.setting.admin_role": {"en": "admin_role", "fr": "role_admin"},
        "core.setting.admin_role.desc": {
            "en": "Members with this role may use /admin and /config",
            "fr": "Les membres avec ce rôle peuvent utiliser /admin et /config",
        },
        "core.setting.locale": {"en": "language", "fr": "langue"},
        "core.setting.locale.desc": {
            "en": "The language when a member's own is not English or French",
            "fr": "La langue quand celle d'un membre n'est ni l'anglais ni le français",
        },
        "core.locale.en": {"en": "English", "fr": "anglais"},
        "core.locale.fr": {"en": "French", "fr": "français"},
        "core.everyone_not_admin": {
            "en": "@everyone can't be the admin role: pick a role.",
            "fr": "@everyone ne peut pas être le rôle admin : choisis un rôle.",
        },
        "admin.problem.balance_mismatch": {
            "en": "balance differs from its ledger",
            "fr": "solde différent de son registre",
        },
        "admin.problem.negative_balance": {"en": "negative balance", "fr": "solde négatif"},
        "admin.problem.ledger_without_account": {
            "en": "ledger without an account",
            "fr": "registre sans compte",
        },
        "admin.problem.transfer_half_missing": {
            "en": "half a transfer",
            "fr": "moitié de transfert",
        },
        "admin.problem.transfer_mismatch": {
            "en": "transfer halves disagree",
            "fr": "moitiés de transfert incohérentes",
        },
        "admin.problem.ledger_ids_missing": {
            "en": "ledger entries missing",
            "fr": "écritures manquantes",
        },
    }
)
