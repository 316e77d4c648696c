"""The shop feature's texts in English and French: refusals, command names and options, and
what the embeds say."""

from __future__ import annotations

from vouchy.core import i18n

REFUSALS = i18n.register(
    {
        "shop.bad_name": {
            "en": "The {what}'s name must have letters or digits and at most {maximum} characters.",
            "fr": "Le nom doit contenir des lettres ou des chiffres, {maximum} caractères au plus.",
        },
        "shop.bad_key": {
            "en": "{key} is not an item or reward key (lower-case letters, digits and hyphens).",
            "fr": "{key} n'est pas une clé d'objet ou de récompense (minuscules, chiffres et "
            "tirets).",
        },
        "shop.bad_description": {
            "en": "The description can be at most {maximum} characters.",
            "fr": "La description peut faire au plus {maximum} caractères.",
        },
        "shop.bad_quantity": {
            "en": "The quantity must be a whole number from {low} to {high}.",
            "fr": "La quantité doit être un nombre entier de {low} à {high}.",
        },
        "shop.bad_price": {
            "en": "The price must be a whole number of points from {low} to {high}.",
            "fr": "Le prix doit être un nombre entier de points de {low} à {high}.",
        },
        "shop.bad_stock": {
            "en": "The stock must be a whole number from {low} to {high}.",
            "fr": "Le stock doit être un nombre entier de {low} à {high}.",
        },
        "shop.bad_limit": {
            "en": "The limit per member must be a whole number from {low} to {high}.",
            "fr": "La limite par membre doit être un nombre entier de {low} à {high}.",
        },
        "shop.bad_days": {
            "en": "The number of days must be a whole number from {low} to {high}.",
            "fr": "Le nombre de jours doit être un nombre entier de {low} à {high}.",
        },
        "shop.bad_end": {
            "en": "“{text}” is not an end date: write 2026-12-31, 2026-12-31 18:00 (UTC), or "
            "a wait such as 3d, 12h or 1w.",
            "fr": "« {text} » n'est pas une date de fin : écris 2026-12-31, 2026-12-31 18:00 "
            "(UTC), ou un délai comme 3d, 12h ou 1w.",
        },
        "shop.end_in_past": {
            "en": "The end date {text} has already passed.",
            "fr": "La date de fin {text} est déjà passée.",
        },
        "shop.bad_code": {
            "en": "That is not a redemption code (12 letters and digits, like ABCD-EFGH-JKMN).",
            "fr": "Ce n'est pas un code d'échange (12 lettres et chiffres, comme ABCD-EFGH-JKMN).",
        },
        "shop.bad_status": {
            "en": "{status} is not a redemption status.",
            "fr": "{status} n'est pas un statut d'échange.",
        },
        "shop.role_unknown": {
            "en": "That role is not one of this server's roles.",
            "fr": "Ce rôle n'est pas un rôle de ce serveur.",
        },
        "shop.role_everyone": {
            "en": "@everyone cannot be given: every member has it already.",
            "fr": "@everyone ne peut pas être donné : tous les membres l'ont déjà.",
        },
        "shop.role_managed": {
            "en": "<@&{role_id}> is managed by Discord or an integration: nobody can give it.",
            "fr": "<@&{role_id}> est géré par Discord ou une intégration : personne ne peut le "
            "donner.",
        },
        "shop.bot_lacks_manage_roles": {
            "en": "Vouchy cannot give <@&{role_id}>: it lacks the Manage Roles permission. "
            "Give Vouchy's role that permission, then try again.",
            "fr": "Vouchy ne peut pas donner <@&{role_id}> : il lui manque la permission Gérer "
            "les rôles. Donne cette permission au rôle de Vouchy, puis réessaie.",
        },
        "shop.role_above_bot": {
            "en": "Vouchy cannot give <@&{role_id}>: that role is not below Vouchy's highest "
            "role. Move Vouchy's role above it in the server settings, then try again.",
            "fr": "Vouchy ne peut pas donner <@&{role_id}> : ce rôle n'est pas sous le rôle le "
            "plus haut de Vouchy. Place le rôle de Vouchy au-dessus dans les paramètres du "
            "serveur, puis réessaie.",
        },
        "shop.not_enough_items": {
            "en": "<@{user_id}> has only {current} of {item}.",
            "fr": "<@{user_id}> n'a que {current} {item}.",
        },
        "shop.too_many_items": {
            "en": "A member can hold at most {maximum} of {item}.",
            "fr": "Un membre peut avoir au plus {maximum} {item}.",
        },
        "shop.item_moved_on": {
            "en": "This item was already used (or your inventory changed since this button "
            "was shown). Run `/inventory` again.",
            "fr": "Cet objet a déjà été utilisé (ou ton sac a changé depuis l'affichage de ce "
            "bouton). Relance `/sac`.",
        },
        "shop.multiplier_active": {
            "en": "You already have a multiplier active: play its games before using another.",
            "fr": "Tu as déjà un multiplicateur actif : joue ses parties avant d'en utiliser "
            "un autre.",
        },
        "shop.multiplier_spent": {
            "en": "Your multiplier was used up meanwhile; nothing was changed. Try again.",
            "fr": "Ton multiplicateur a été épuisé entre-temps ; rien n'a été modifié. Réessaie.",
        },
        "shop.not_usable": {
            "en": "{item} is not an item you can use.",
            "fr": "{item} n'est pas un objet utilisable.",
        },
        "shop.unknown_item": {
            "en": "There is no item called “{item}” in this server.",
            "fr": "Il n'y a pas d'objet appelé « {item} » sur ce serveur.",
        },
        "shop.not_for_sale": {
            "en": "{item} is not for sale in this server's shop.",
            "fr": "{item} n'est pas en vente dans la boutique de ce serveur.",
        },
        "shop.builtin_fixed": {
            "en": "{item} is a built-in item: it keeps its own name and description.",
            "fr": "{item} est un objet intégré : il garde son propre nom et sa description.",
        },
        "shop.try_again": {
            "en": "Someone changed this at the same moment; nothing was changed. Try again.",
            "fr": "Quelqu'un a modifié cela au même moment ; rien n'a été modifié. Réessaie.",
        },
        "shop.already_listed": {
            "en": "{item} is already in the shop: change it with `/admin shop edit`.",
            "fr": "{item} est déjà dans la boutique : modifie-le avec `/admin boutique modifier`.",
        },
        "shop.listing_changed": {
            "en": "This item's listing changed since it was shown; nothing was changed. Look "
            "at `/shop` and try again.",
            "fr": "La vente de cet objet a changé depuis son affichage ; rien n'a été modifié. "
            "Regarde `/boutique` et réessaie.",
        },
        "shop.stock_or_unlimited": {
            "en": "Give a stock or choose unlimited, not both.",
            "fr": "Indique un stock ou choisis illimité, pas les deux.",
        },
        "shop.nothing_to_change": {
            "en": "Pick at least one thing to change.",
            "fr": "Choisis au moins une chose à modifier.",
        },
        "shop.sale_ended": {
            "en": "The sale of {item} ended <t:{ends_at}:R>.",
            "fr": "La vente de {item} s'est terminée <t:{ends_at}:R>.",
        },
        "shop.role_required": {
            "en": "Only members with <@&{role_id}> can buy {item}.",
            "fr": "Seuls les membres qui ont <@&{role_id}> peuvent acheter {item}.",
        },
        "shop.sold_out": {
            "en": "{item} is sold out.",
            "fr": "{item} est épuisé.",
        },
        "shop.out_of_stock": {
            "en": "Only {current} of {item} left in stock.",
            "fr": "Il ne reste que {current} {item} en stock.",
        },
        "shop.limit_reached": {
            "en": "You can buy at most {limit} of {item}, and you have bought {current} already.",
            "fr": "Tu peux acheter au plus {limit} {item}, et tu en as déjà acheté {current}.",
        },
        "shop.unknown_reward": {
            "en": "There is no reward called “{reward}” in this server.",
            "fr": "Il n'y a pas de récompense appelée « {reward} » sur ce serveur.",
        },
        "shop.reward_exists": {
            "en": "There is already a reward like that: change it with `/admin rewards edit`.",
            "fr": "Cette récompense existe déjà : modifie-la avec `/admin récompenses modifier`.",
        },
        "shop.reward_changed": {
            "en": "This reward changed since it was shown; nothing was changed. Look at "
            "`/rewards` and try again.",
            "fr": "Cette récompense a changé depuis son affichage ; rien n'a été modifié. "
            "Regarde `/récompenses` et réessaie.",
        },
        "shop.unknown_code": {
            "en": "No redemption in this server has the code {code}.",
            "fr": "Aucun échange de ce serveur n'a le code {code}.",
        },
        "shop.redemption_used": {
            "en": "The code {code} was already used <t:{used_at}:R> (marked by <@{used_by_id}>).",
            "fr": "Le code {code} a déjà été utilisé <t:{used_at}:R> (marqué par <@{used_by_id}>).",
        },
        "shop.redemption_refunded": {
            "en": "The code {code} expired unused and its points were refunded.",
            "fr": "Le code {code} a expiré sans être utilisé et ses points ont été remboursés.",
        },
        "shop.redemption_expired": {
            "en": "The code {code} expired <t:{expired_at}:R>.",
            "fr": "Le code {code} a expiré <t:{expired_at}:R>.",
        },
        "shop.redemption_moved_on": {
            "en": "The code {code} was used or refunded at the same moment; nothing was changed.",
            "fr": "Le code {code} a été utilisé ou remboursé au même moment ; rien n'a été "
            "modifié.",
        },
    }
)

ITEMS = i18n.register(
    {
        "shop.item.jackpot": {"en": "Jackpot", "fr": "Jackpot"},
        "shop.item.jackpot.desc": {
            "en": "Open it for {low} to {high} points.",
            "fr": "Ouvre-le pour gagner de {low} à {high} points.",
        },
        "shop.item.x2": {"en": "x2 multiplier", "fr": "Multiplicateur x2"},
        "shop.item.x2.desc": {
            "en": "Your next {games} games pay double winnings.",
            "fr": "Tes {games} prochaines parties rapportent des gains doublés.",
        },
        "shop.item.x3": {"en": "x3 multiplier", "fr": "Multiplicateur x3"},
        "shop.item.x3.desc": {
            "en": "Your next {games} games pay triple winnings.",
            "fr": "Tes {games} prochaines parties rapportent des gains triplés.",
        },
    }
)

COMMANDS = i18n.register(
    {
        "shop.cmd.inventory": {"en": "inventory", "fr": "sac"},
        "shop.cmd.inventory.desc": {
            "en": "Your items, with a button to use each one",
            "fr": "Tes objets, avec un bouton pour utiliser chacun",
        },
        "shop.cmd.shop": {"en": "shop", "fr": "boutique"},
        "shop.cmd.shop.desc": {
            "en": "What this server sells for points",
            "fr": "Ce que ce serveur vend contre des points",
        },
        "shop.cmd.buy": {"en": "buy", "fr": "acheter"},
        "shop.cmd.buy.desc": {
            "en": "Buy an item from the shop with your points",
            "fr": "Acheter un objet de la boutique avec tes points",
        },
        "shop.cmd.rewards": {"en": "rewards", "fr": "récompenses"},
        "shop.cmd.rewards.desc": {
            "en": "The rewards you can redeem for points",
            "fr": "Les récompenses que tu peux échanger contre des points",
        },
        "shop.cmd.redeem": {"en": "redeem", "fr": "échanger"},
        "shop.cmd.redeem.desc": {
            "en": "Spend points on a reward and get its code (only you see it)",
            "fr": "Dépenser des points pour une récompense et recevoir son code (toi seul le vois)",
        },
        "shop.cmd.redemptions": {"en": "redemptions", "fr": "mes-échanges"},
        "shop.cmd.redemptions.desc": {
            "en": "Your redemption codes and their status (only you see them)",
            "fr": "Tes codes d'échange et leur statut (toi seul les vois)",
        },
        "shop.admin.items": {"en": "items", "fr": "objets"},
        "shop.admin.items.desc": {
            "en": "Give items to members or take them back",
            "fr": "Donner des objets aux membres ou les reprendre",
        },
        "shop.admin.items.give": {"en": "give", "fr": "donner"},
        "shop.admin.items.give.desc": {
            "en": "Give a member some of an item",
            "fr": "Donner un objet à un membre",
        },
        "shop.admin.items.take": {"en": "take", "fr": "retirer"},
        "shop.admin.items.take.desc": {
            "en": "Take some of an item from a member",
            "fr": "Retirer un objet à un membre",
        },
        "shop.admin.shop": {"en": "shop", "fr": "boutique"},
        "shop.admin.shop.desc": {
            "en": "What the shop sells",
            "fr": "Ce que vend la boutique",
        },
        "shop.admin.shop.add": {"en": "add", "fr": "ajouter"},
        "shop.admin.shop.add.desc": {
            "en": "Put an item up for sale (a new item, or jackpot, x2 or x3)",
            "fr": "Mettre un objet en vente (un nouvel objet, ou jackpot, x2 ou x3)",
        },
        "shop.admin.shop.edit": {"en": "edit", "fr": "modifier"},
        "shop.admin.shop.edit.desc": {
            "en": "Change an item's price, stock, roles, limit or end date",
            "fr": "Modifier le prix, le stock, les rôles, la limite ou la fin de vente d'un objet",
        },
        "shop.admin.shop.remove": {"en": "remove", "fr": "retirer"},
        "shop.admin.shop.remove.desc": {
            "en": "Take an item out of the shop (members keep theirs)",
            "fr": "Retirer un objet de la boutique (les membres gardent les leurs)",
        },
        "shop.admin.rewards": {"en": "rewards", "fr": "récompenses"},
        "shop.admin.rewards.desc": {
            "en": "The rewards members redeem for points",
            "fr": "Les récompenses que les membres échangent contre des points",
        },
        "shop.admin.rewards.add": {"en": "add", "fr": "ajouter"},
        "shop.admin.rewards.add.desc": {"en": "Add a reward", "fr": "Ajouter une récompense"},
        "shop.admin.rewards.edit": {"en": "edit", "fr": "modifier"},
        "shop.admin.rewards.edit.desc": {
            "en": "Change a reward (codes already issued keep their terms)",
            "fr": "Modifier une récompense (les codes déjà émis gardent leurs conditions)",
        },
        "shop.admin.rewards.remove": {"en": "remove", "fr": "retirer"},
        "shop.admin.rewards.remove.desc": {
            "en": "Remove a reward (codes already issued stay valid)",
            "fr": "Retirer une récompense (les codes déjà émis restent valables)",
        },
        "shop.admin.redemption": {"en": "redemption", "fr": "échange"},
        "shop.admin.redemption.desc": {
            "en": "Members' redemption codes",
            "fr": "Les codes d'échange des membres",
        },
        "shop.admin.redemption.use": {"en": "use", "fr": "utiliser"},
        "shop.admin.redemption.use.desc": {
            "en": "Mark a code used once its reward is delivered",
            "fr": "Marquer un code utilisé une fois sa récompense remise",
        },
        "shop.admin.redemption.list": {"en": "list", "fr": "liste"},
        "shop.admin.redemption.list.desc": {
            "en": "This server's redemption codes, newest first",
            "fr": "Les codes d'échange de ce serveur, du plus récent au plus ancien",
        },
        "shop.opt.item": {"en": "item", "fr": "objet"},
        "shop.opt.item.desc": {
            "en": "The item's name (jackpot, x2, x3, or a shop item)",
            "fr": "Le nom de l'objet (jackpot, x2, x3, ou un objet de la boutique)",
        },
        "shop.opt.quantity": {"en": "quantity", "fr": "quantité"},
        "shop.opt.quantity.desc": {
            "en": "How many (default: 1)",
            "fr": "Combien (par défaut : 1)",
        },
        "shop.opt.page": {"en": "page", "fr": "page"},
        "shop.opt.page.desc": {
            "en": "Which page (default: the first)",
            "fr": "Quelle page (par défaut : la première)",
        },
        "shop.opt.reward": {"en": "reward", "fr": "récompense"},
        "shop.opt.reward.desc": {"en": "The reward's name", "fr": "Le nom de la récompense"},
        "shop.opt.member": {"en": "member", "fr": "membre"},
        "shop.opt.member.desc": {"en": "Which member", "fr": "Quel membre"},
        "shop.opt.reason": {"en": "reason", "fr": "raison"},
        "shop.opt.reason.desc": {
            "en": "Why (kept with the item record)",
            "fr": "Pourquoi (gardé avec l'historique de l'objet)",
        },
        "shop.opt.name": {"en": "name", "fr": "nom"},
        "shop.opt.name.desc": {
            "en": "The name members see (jackpot, x2 or x3 sell the built-in items)",
            "fr": "Le nom que voient les membres (jackpot, x2 ou x3 vendent les objets intégrés)",
        },
        "shop.opt.new_name": {"en": "new_name", "fr": "nouveau_nom"},
        "shop.opt.new_name.desc": {"en": "A new name", "fr": "Un nouveau nom"},
        "shop.opt.price": {"en": "price", "fr": "prix"},
        "shop.opt.price.desc": {"en": "The price in points", "fr": "Le prix en points"},
        "shop.opt.description": {"en": "description", "fr": "description"},
        "shop.opt.description.desc": {
            "en": "A short description",
            "fr": "Une courte description",
        },
        "shop.opt.stock": {"en": "stock", "fr": "stock"},
        "shop.opt.stock.desc": {
            "en": "How many are for sale (default: unlimited)",
            "fr": "Combien sont en vente (par défaut : illimité)",
        },
        "shop.opt.unlimited": {"en": "unlimited", "fr": "illimité"},
        "shop.opt.unlimited.desc": {
            "en": "Sell without a stock limit",
            "fr": "Vendre sans limite de stock",
        },
        "shop.opt.role": {"en": "role", "fr": "rôle"},
        "shop.opt.role.desc": {
            "en": "A role given to whoever buys it",
            "fr": "Un rôle donné à qui l'achète",
        },
        "shop.opt.required_role": {"en": "required_role", "fr": "rôle_requis"},
        "shop.opt.required_role.desc": {
            "en": "Only members with this role can buy it",
            "fr": "Seuls les membres avec ce rôle peuvent l'acheter",
        },
        "shop.opt.limit": {"en": "limit", "fr": "limite"},
        "shop.opt.limit.desc": {
            "en": "The most one member may buy",
            "fr": "Le maximum qu'un membre peut acheter",
        },
        "shop.opt.ends": {"en": "ends", "fr": "fin"},
        "shop.opt.ends.desc": {
            "en": "When the sale ends: 2026-12-31, 2026-12-31 18:00 (UTC), or 3d, 12h, 1w",
            "fr": "Fin de la vente : 2026-12-31, 2026-12-31 18:00 (UTC), ou 3d, 12h, 1w",
        },
        "shop.opt.clear": {"en": "clear", "fr": "effacer"},
        "shop.opt.clear.desc": {
            "en": "Remove one of the optional settings",
            "fr": "Supprimer un des réglages facultatifs",
        },
        "shop.clear.role": {"en": "the role given", "fr": "le rôle donné"},
        "shop.clear.required_role": {"en": "the role required", "fr": "le rôle requis"},
        "shop.clear.limit": {"en": "the limit per member", "fr": "la limite par membre"},
        "shop.clear.end": {"en": "the end date", "fr": "la date de fin"},
        "shop.opt.cost": {"en": "cost", "fr": "coût"},
        "shop.opt.cost.desc": {"en": "The cost in points", "fr": "Le coût en points"},
        "shop.opt.days": {"en": "days", "fr": "jours"},
        "shop.opt.days.desc": {
            "en": "How many days a code stays valid (default: the server's setting)",
            "fr": "Combien de jours un code reste valable (par défaut : le réglage du serveur)",
        },
        "shop.opt.code": {"en": "code", "fr": "code"},
        "shop.opt.code.desc": {"en": "The redemption code", "fr": "Le code d'échange"},
        "shop.opt.status": {"en": "status", "fr": "statut"},
        "shop.opt.status.desc": {
            "en": "Only codes with this status",
            "fr": "Seulement les codes avec ce statut",
        },
        "shop.status.issued": {"en": "valid", "fr": "valable"},
        "shop.status.used": {"en": "used", "fr": "utilisé"},
        "shop.status.expired": {"en": "expired", "fr": "expiré"},
        "shop.status.refunded": {"en": "refunded", "fr": "remboursé"},
        "config.shop": {"en": "shop", "fr": "boutique"},
        "config.shop.desc": {
            "en": "Jackpots, multipliers and redemption codes",
            "fr": "Jackpots, multiplicateurs et codes d'échange",
        },
        "shop.setting.jackpot_min": {"en": "jackpot_min", "fr": "jackpot_min"},
        "shop.setting.jackpot_min.desc": {
            "en": "The fewest points a jackpot gives",
            "fr": "Le minimum de points que donne un jackpot",
        },
        "shop.setting.jackpot_max": {"en": "jackpot_max", "fr": "jackpot_max"},
        "shop.setting.jackpot_max.desc": {
            "en": "The most points a jackpot gives",
            "fr": "Le maximum de points que donne un jackpot",
        },
        "shop.setting.multiplier_games": {"en": "multiplier_games", "fr": "parties_multiplicateur"},
        "shop.setting.multiplier_games.desc": {
            "en": "How many games an x2 or x3 multiplier boosts",
            "fr": "Combien de parties un multiplicateur x2 ou x3 booste",
        },
        "shop.setting.redemption_days": {"en": "redemption_days", "fr": "jours_validité"},
        "shop.setting.redemption_days.desc": {
            "en": "How many days a redemption code stays valid",
            "fr": "Combien de jours un code d'échange reste valable",
        },
        "shop.setting.refund_expired": {"en": "refund_expired", "fr": "rembourser_expirés"},
        "shop.setting.refund_expired.desc": {
            "en": "Give the points back for codes that expire unused",
            "fr": "Rendre les points des codes qui expirent sans être utilisés",
        },
    }
)

REPLIES = i18n.register(
    {
        "shop.inventory.title": {"en": "Inventory", "fr": "Sac"},
        "shop.inventory.of": {"en": "<@{user_id}>'s items", "fr": "Les objets de <@{user_id}>"},
        "shop.inventory.empty": {
            "en": "No items yet. See what `/shop` sells.",
            "fr": "Aucun objet pour l'instant. Regarde ce que vend `/boutique`.",
        },
        "shop.inventory.line": {"en": "**{name}** × {quantity}", "fr": "**{name}** × {quantity}"},
        "shop.inventory.active": {"en": "Active multiplier", "fr": "Multiplicateur actif"},
        "shop.inventory.active_line": {
            "en": "x{factor} on your next {left} of {total} games",
            "fr": "x{factor} sur tes {left} prochaines parties (sur {total})",
        },
        "shop.inventory.use": {
            "en": "Use {name} ({quantity})",
            "fr": "Utiliser {name} ({quantity})",
        },
        "shop.used.jackpot": {
            "en": "🎁 Jackpot opened: **+{points}** points (balance {balance}).",
            "fr": "🎁 Jackpot ouvert : **+{points}** points (solde {balance}).",
        },
        "shop.used.multiplier": {
            "en": "🎫 x{factor} multiplier active for your next {games} games.",
            "fr": "🎫 Multiplicateur x{factor} actif pour tes {games} prochaines parties.",
        },
        "shop.shop.title": {"en": "Shop", "fr": "Boutique"},
        "shop.shop.empty": {
            "en": "Nothing is for sale right now.",
            "fr": "Rien n'est en vente pour l'instant.",
        },
        "shop.shop.no_such_page": {
            "en": "There is no page {page}: the shop has {pages}.",
            "fr": "Il n'y a pas de page {page} : la boutique en a {pages}.",
        },
        "shop.shop.price": {"en": "{price}", "fr": "{price}"},
        "shop.shop.stock": {"en": "{stock} left", "fr": "{stock} restant(s)"},
        "shop.shop.sold_out": {"en": "sold out", "fr": "épuisé"},
        "shop.shop.unlimited": {"en": "unlimited", "fr": "illimité"},
        "shop.shop.limit": {"en": "{limit} per member", "fr": "{limit} par membre"},
        "shop.shop.gives_role": {"en": "gives <@&{role_id}>", "fr": "donne <@&{role_id}>"},
        "shop.shop.needs_role": {
            "en": "for <@&{role_id}> only",
            "fr": "réservé à <@&{role_id}>",
        },
        "shop.shop.ends": {"en": "ends <t:{ends_at}:R>", "fr": "fin <t:{ends_at}:R>"},
        "shop.shop.footer": {
            "en": "page {page}/{pages} · /buy item [quantity]",
            "fr": "page {page}/{pages} · /acheter objet [quantité]",
        },
        "shop.bought.title": {"en": "Bought", "fr": "Acheté"},
        "shop.bought": {
            "en": "You bought **{quantity} × {name}** for {points}. You now have {held}.",
            "fr": "Tu as acheté **{quantity} × {name}** pour {points}. Tu en as maintenant {held}.",
        },
        "shop.bought.balance": {"en": "Balance: {points}", "fr": "Solde : {points}"},
        "shop.bought.role": {
            "en": "<@&{role_id}> is on its way to you.",
            "fr": "<@&{role_id}> t'est attribué.",
        },
        "shop.rewards.title": {"en": "Rewards", "fr": "Récompenses"},
        "shop.rewards.empty": {
            "en": "No rewards yet.",
            "fr": "Aucune récompense pour l'instant.",
        },
        "shop.rewards.no_such_page": {
            "en": "There is no page {page}: the rewards fill {pages}.",
            "fr": "Il n'y a pas de page {page} : les récompenses en occupent {pages}.",
        },
        "shop.rewards.valid": {
            "en": "code valid {days} days",
            "fr": "code valable {days} jours",
        },
        "shop.rewards.footer": {
            "en": "page {page}/{pages} · /redeem reward",
            "fr": "page {page}/{pages} · /échanger récompense",
        },
        "shop.redeemed.title": {"en": "Redeemed", "fr": "Échangé"},
        "shop.redeemed": {
            "en": "You redeemed **{name}** for {points}. Your code: **`{code}`**. Show it to "
            "an admin before it expires <t:{expires_at}:R> (<t:{expires_at}:f>).",
            "fr": "Tu as échangé **{name}** contre {points}. Ton code : **`{code}`**. "
            "Montre-le à un admin avant qu'il expire <t:{expires_at}:R> (<t:{expires_at}:f>).",
        },
        "shop.redemptions.title": {"en": "Redemptions", "fr": "Échanges"},
        "shop.redemptions.empty": {
            "en": "No redemptions yet.",
            "fr": "Aucun échange pour l'instant.",
        },
        "shop.redemptions.no_such_page": {
            "en": "There is no page {page}: there are {pages}.",
            "fr": "Il n'y a pas de page {page} : il y en a {pages}.",
        },
        "shop.redemptions.line": {
            "en": "`{code}` **{name}** · {status} · {when}",
            "fr": "`{code}` **{name}** · {status} · {when}",
        },
        "shop.redemptions.expires": {"en": "expires <t:{at}:R>", "fr": "expire <t:{at}:R>"},
        "shop.redemptions.expired": {"en": "expired <t:{at}:R>", "fr": "expiré <t:{at}:R>"},
        "shop.redemptions.used": {"en": "used <t:{at}:R>", "fr": "utilisé <t:{at}:R>"},
        "shop.redemptions.refunded": {"en": "refunded <t:{at}:R>", "fr": "remboursé <t:{at}:R>"},
        "shop.redemptions.by": {"en": "by <@{user_id}>", "fr": "par <@{user_id}>"},
        "shop.redemptions.footer": {
            "en": "page {page}/{pages} · {total} in all",
            "fr": "page {page}/{pages} · {total} en tout",
        },
        "shop.admin.title": {"en": "Shop", "fr": "Boutique"},
        "shop.admin.given": {
            "en": "Gave **{quantity} × {name}** to <@{user_id}>: they now have {held}.",
            "fr": "**{quantity} × {name}** donné(s) à <@{user_id}> : il en a maintenant {held}.",
        },
        "shop.admin.taken": {
            "en": "Took **{quantity} × {name}** from <@{user_id}>: they now have {held}.",
            "fr": "**{quantity} × {name}** retiré(s) à <@{user_id}> : il en a maintenant {held}.",
        },
        "shop.admin.listed": {
            "en": "**{name}** is for sale.",
            "fr": "**{name}** est en vente.",
        },
        "shop.admin.edited": {
            "en": "**{name}** was changed.",
            "fr": "**{name}** a été modifié.",
        },
        "shop.admin.unlisted": {
            "en": "**{name}** is no longer for sale; members keep the ones they have.",
            "fr": "**{name}** n'est plus en vente ; les membres gardent ceux qu'ils ont.",
        },
        "shop.admin.reward_added": {
            "en": "The reward **{name}** was added.",
            "fr": "La récompense **{name}** a été ajoutée.",
        },
        "shop.admin.reward_edited": {
            "en": "The reward **{name}** was changed.",
            "fr": "La récompense **{name}** a été modifiée.",
        },
        "shop.admin.reward_removed": {
            "en": "The reward **{name}** was removed; codes already issued stay valid.",
            "fr": "La récompense **{name}** a été retirée ; les codes déjà émis restent valables.",
        },
        "shop.admin.code_used": {
            "en": "Code `{code}` (**{name}**, <@{user_id}>) is now marked used.",
            "fr": "Le code `{code}` (**{name}**, <@{user_id}>) est maintenant marqué utilisé.",
        },
        "shop.admin.redemptions_title": {
            "en": "Redemption codes",
            "fr": "Codes d'échange",
        },
    }
)
