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
    }
)

COMMANDS = i18n.register(
    {
        # Commands, options and their descriptions.
        "points.cmd.points": {"en": "points", "fr": "points"},
        "points.cmd.points.desc": {
            "en": "Show your points, or another member's",
            "fr": "Voir tes points, ou ceux d'un membre",
        },
        "points.cmd.leaderboard": {"en": "leaderboard", "fr": "classement"},
        "points.cmd.leaderboard.desc": {
            "en": "The members with the most points, and your rank",
            "fr": "Les membres qui ont le plus de points, et ton rang",
        },
        "points.cmd.give": {"en": "give", "fr": "donner"},
        "points.cmd.give.desc": {
            "en": "Give some of your points to another member",
            "fr": "Donner une partie de tes points à un membre",
        },
        "points.cmd.daily": {"en": "daily", "fr": "quotidien"},
        "points.cmd.daily.desc": {
            "en": "Claim your daily points",
            "fr": "Récupérer tes points du jour",
        },
        "points.cmd.history": {"en": "history", "fr": "historique"},
        "points.cmd.history.desc": {
            "en": "Your points history, newest first (only you see it)",
            "fr": "L'historique de tes points, du plus récent au plus ancien (toi seul le vois)",
        },
        "points.opt.member": {"en": "member", "fr": "membre"},
        "points.opt.member.desc": {
            "en": "Whose points (default: yours)",
            "fr": "Les points de qui (par défaut : les tiens)",
        },
        "points.opt.receiver": {"en": "member", "fr": "membre"},
        "points.opt.receiver.desc": {"en": "Who gets the points", "fr": "Qui reçoit les points"},
        "points.opt.amount": {"en": "amount", "fr": "montant"},
        "points.opt.amount.desc": {"en": "How many points", "fr": "Combien de points"},
        "points.opt.page": {"en": "page", "fr": "page"},
        "points.opt.page.desc": {
            "en": "Which page (default: the first)",
            "fr": "Quelle page (par défaut : la première)",
        },
        # Replies.
        "points.title": {"en": "Points", "fr": "Points"},
        "points.you_have": {"en": "You have {points}.", "fr": "Tu as {points}."},
        "points.they_have": {"en": "<@{user_id}> has {points}.", "fr": "<@{user_id}> a {points}."},
        "points.earned": {"en": "Earned", "fr": "Gagnés"},
        "points.spent": {"en": "Spent", "fr": "Dépensés"},
        "points.not_opened": {
            "en": "the starting balance; the account opens on first use",
            "fr": "le solde de départ ; le compte s'ouvre à la première utilisation",
        },
        "points.board.title": {"en": "Leaderboard", "fr": "Classement"},
        "points.board.you": {"en": "← you", "fr": "← toi"},
        "points.board.empty": {
            "en": "Nobody has points here yet. Try `/daily`!",
            "fr": "Personne n'a encore de points ici. Essaie `/quotidien` !",
        },
        "points.board.no_such_page": {
            "en": "There is no page {page}: the leaderboard has {pages} pages.",
            "fr": "Il n'y a pas de page {page} : le classement a {pages} pages.",
        },
        "points.board.no_such_page_one": {
            "en": "There is no page {page}: the leaderboard has one page.",
            "fr": "Il n'y a pas de page {page} : le classement tient sur une page.",
        },
        "points.board.page": {"en": "page {page} of {pages}", "fr": "page {page} sur {pages}"},
        "points.board.your_rank": {"en": "Your rank", "fr": "Ton rang"},
        "points.board.rank": {
            "en": "#{rank} of {accounts}, with {points}",
            "fr": "{rank}ᵉ sur {accounts}, avec {points}",
        },
        "points.board.unranked": {
            "en": "not ranked yet: you have {points} waiting",
            "fr": "pas encore classé : {points} t'attendent",
        },
        "points.gave.title": {"en": "Points given", "fr": "Points donnés"},
        "points.gave": {
            "en": "<@{giver}> gave {points} to <@{receiver}>.",
            "fr": "<@{giver}> a donné {points} à <@{receiver}>.",
        },
        "points.gave.balances": {
            "en": "<@{giver}> now has {giver_points}; <@{receiver}> has {receiver_points}.",
            "fr": "<@{giver}> a maintenant {giver_points} ; <@{receiver}> en a {receiver_points}.",
        },
        "points.daily.title": {"en": "Daily reward", "fr": "Récompense quotidienne"},
        "points.daily.claimed": {
            "en": "You claimed your daily {points}. You now have {balance}.",
            "fr": "Tu as récupéré tes {points} du jour. Tu as maintenant {balance}.",
        },
        "points.daily.next": {"en": "Next claim", "fr": "Prochaine récupération"},
        "points.history.title": {"en": "Your history", "fr": "Ton historique"},
        "points.history.none": {
            "en": "No entries yet: your account opens on first use.",
            "fr": "Aucune écriture pour l'instant : ton compte s'ouvre à la première utilisation.",
        },
        "points.history.no_such_page": {
            "en": "There is no page {page}: your history has {pages} pages.",
            "fr": "Il n'y a pas de page {page} : ton historique a {pages} pages.",
        },
        "points.history.no_such_page_one": {
            "en": "There is no page {page}: your history has one page.",
            "fr": "Il n'y a pas de page {page} : ton historique tient sur une page.",
        },
        "points.history.footer": {
            "en": "page {page} of {pages} · {total} entries",
            "fr": "page {page} sur {pages} · {total} écritures",
        },
    }
)

KINDS = i18n.register(
    {
        "ledger.kind.start": {"en": "starting balance", "fr": "solde de départ"},
        "ledger.kind.earn": {"en": "earned", "fr": "gagné"},
        "ledger.kind.spend": {"en": "spent", "fr": "dépensé"},
        "ledger.kind.transfer_out": {"en": "gave", "fr": "donné"},
        "ledger.kind.transfer_in": {"en": "received", "fr": "reçu"},
        "ledger.kind.admin_adjust": {"en": "admin change", "fr": "modification admin"},
        "ledger.kind.daily": {"en": "daily reward", "fr": "récompense quotidienne"},
        "ledger.kind.vouch": {"en": "vouch", "fr": "vouch"},
        "ledger.kind.vouch_reversal": {"en": "vouch taken back", "fr": "vouch annulé"},
        "ledger.kind.game_bet": {"en": "bet", "fr": "mise"},
        "ledger.kind.game_win": {"en": "winnings", "fr": "gains"},
        "ledger.kind.game_refund": {"en": "bet refunded", "fr": "mise remboursée"},
        "ledger.kind.purchase": {"en": "purchase", "fr": "achat"},
        "ledger.kind.refund": {"en": "refund", "fr": "remboursement"},
        "ledger.kind.redeem": {"en": "redeemed", "fr": "échangé"},
        "ledger.kind.item_use": {"en": "item used", "fr": "objet utilisé"},
        "ledger.kind.level_reward": {"en": "level reward", "fr": "récompense de niveau"},
        "ledger.kind.repair": {"en": "repair", "fr": "réparation"},
        "ledger.kind.import": {"en": "imported", "fr": "importé"},
        "ledger.kind.import_undo": {"en": "import undone", "fr": "import annulé"},
    }
)

SETTINGS = i18n.register(
    {
        "config.points": {"en": "points", "fr": "points"},
        "config.points.desc": {
            "en": "Points settings: the daily reward",
            "fr": "Réglages des points : la récompense quotidienne",
        },
        "points.setting.daily_amount": {"en": "daily_amount", "fr": "montant_quotidien"},
        "points.setting.daily_amount.desc": {
            "en": "Points /daily gives",
            "fr": "Points donnés par /quotidien",
        },
        "points.setting.daily_cooldown_hours": {
            "en": "daily_cooldown_hours",
            "fr": "delai_quotidien_heures",
        },
        "points.setting.daily_cooldown_hours.desc": {
            "en": "Hours between two daily claims",
            "fr": "Heures entre deux récupérations quotidiennes",
        },
    }
)
