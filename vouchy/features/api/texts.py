"""The web feature's texts in English and French: API keys (their refusals, the /admin api-key
commands and replies) and the /config web settings. The HTTP answers' own texts (problem
titles, fields, the leaderboard page) are in ``vouchy.web.texts``."""

from __future__ import annotations

from vouchy.core import i18n

TEXTS = i18n.register(
    {
        # Keys and scopes: how a request is refused.
        "web.key_missing": {
            "en": "Send your API key in the header `Authorization: Bearer vk_…`.",
            "fr": "Envoie ta clé d'API dans l'en-tête `Authorization: Bearer vk_…`.",
        },
        "web.key_invalid": {
            "en": "This API key is not valid.",
            "fr": "Cette clé d'API n'est pas valide.",
        },
        "web.key_revoked": {
            "en": "This API key was revoked; ask a server admin for a new one.",
            "fr": "Cette clé d'API a été révoquée ; demandes-en une nouvelle à un admin du "
            "serveur.",
        },
        "web.missing_scope": {
            "en": "This API key does not have the `{scope}` scope.",
            "fr": "Cette clé d'API n'a pas la permission `{scope}`.",
        },
        "web.wrong_guild": {
            "en": "This API key belongs to another server.",
            "fr": "Cette clé d'API appartient à un autre serveur.",
        },
        "web.scope_unknown": {
            "en": "Unknown scope `{scope}`: choose among {known}.",
            "fr": "Permission inconnue `{scope}` : choisis parmi {known}.",
        },
        "web.scopes_empty": {
            "en": "Give the key at least one scope among {known}.",
            "fr": "Donne à la clé au moins une permission parmi {known}.",
        },
        "web.key_name": {
            "en": "A key's name has 1 to {maximum} characters, on one line.",
            "fr": "Le nom d'une clé fait de 1 à {maximum} caractères, sur une seule ligne.",
        },
        "web.key_exists": {
            "en": "That key id is already taken; run the command again.",
            "fr": "Cet identifiant de clé est déjà pris ; relance la commande.",
        },
        "web.key_unknown": {
            "en": "There is no API key `{key_id}` in this server: see `/admin api-key list`.",
            "fr": "Il n'y a pas de clé d'API `{key_id}` sur ce serveur : vois `/admin api-key "
            "list`.",
        },
        "web.key_already_revoked": {
            "en": "The API key `{key_id}` was already revoked.",
            "fr": "La clé d'API `{key_id}` a déjà été révoquée.",
        },
        "web.key_id_invalid": {
            "en": "Give the key's id (12 characters, from `/admin api-key list`) or the whole key.",
            "fr": "Donne l'identifiant de la clé (12 caractères, dans `/admin api-key list`) ou "
            "la clé entière.",
        },
    }
)

COMMANDS = i18n.register(
    {
        "web.cmd.api_key": {"en": "api-key", "fr": "clé-api"},
        "web.cmd.api_key.desc": {
            "en": "Keys for Vouchy's HTTP API (your shop, your website)",
            "fr": "Clés pour l'API HTTP de Vouchy (ta boutique, ton site)",
        },
        "web.cmd.create": {"en": "create", "fr": "créer"},
        "web.cmd.create.desc": {
            "en": "Create an API key; it is shown to you once",
            "fr": "Créer une clé d'API ; elle ne t'est montrée qu'une fois",
        },
        "web.cmd.list": {"en": "list", "fr": "liste"},
        "web.cmd.list.desc": {
            "en": "This server's API keys (never their secret)",
            "fr": "Les clés d'API de ce serveur (jamais leur secret)",
        },
        "web.cmd.revoke": {"en": "revoke", "fr": "révoquer"},
        "web.cmd.revoke.desc": {
            "en": "Revoke an API key: every request with it is refused from now on",
            "fr": "Révoquer une clé d'API : toute requête avec elle est refusée dès maintenant",
        },
        "web.opt.name": {"en": "name", "fr": "nom"},
        "web.opt.name.desc": {
            "en": "What the key is for, e.g. shop",
            "fr": "À quoi sert la clé, par exemple boutique",
        },
        "web.opt.scopes": {"en": "scopes", "fr": "permissions"},
        "web.opt.scopes.desc": {
            "en": "Among read, earn, spend, admin, separated by spaces",
            "fr": "Parmi read, earn, spend, admin, séparées par des espaces",
        },
        "web.opt.key": {"en": "key", "fr": "clé"},
        "web.opt.key.desc": {
            "en": "The key's id, from /admin api-key list",
            "fr": "L'identifiant de la clé, dans /admin api-key list",
        },
        "web.cmd.leaderboard": {"en": "leaderboard", "fr": "classement"},
        "web.cmd.leaderboard.desc": {
            "en": "Show this server's leaderboard on a public web page, or hide it",
            "fr": "Montrer le classement de ce serveur sur une page web publique, ou le cacher",
        },
        "web.opt.state": {"en": "state", "fr": "état"},
        "web.opt.state.desc": {
            "en": "on: anyone with the link sees it; off: the page answers 404",
            "fr": "activé : toute personne ayant le lien le voit ; désactivé : la page répond 404",
        },
        "web.choice.on": {"en": "on", "fr": "activé"},
        "web.choice.off": {"en": "off", "fr": "désactivé"},
        # /config web
        "config.web": {"en": "web", "fr": "web"},
        "config.web.desc": {
            "en": "The public leaderboard page of this server",
            "fr": "La page publique du classement de ce serveur",
        },
        "web.setting.leaderboard": {"en": "leaderboard", "fr": "classement"},
        "web.setting.leaderboard.desc": {
            "en": "Show the leaderboard on a public web page",
            "fr": "Montrer le classement sur une page web publique",
        },
    }
)

REPLIES = i18n.register(
    {
        "web.created.title": {"en": "API key created", "fr": "Clé d'API créée"},
        "web.created": {
            "en": "Copy this key now: it is shown only this once, and Vouchy keeps only its "
            "hash.\n```\n{key}\n```\n**{name}** · scopes: {scopes} · id `{key_id}`\nSend it as "
            "`Authorization: Bearer <key>`. Lost or leaked? `/admin api-key revoke {key_id}`.",
            "fr": "Copie cette clé maintenant : elle n'est montrée que cette fois, et Vouchy "
            "n'en garde que l'empreinte.\n```\n{key}\n```\n**{name}** · permissions : {scopes} "
            "· id `{key_id}`\nEnvoie-la dans `Authorization: Bearer <clé>`. Perdue ou divulguée "
            "? `/admin api-key revoke {key_id}`.",
        },
        "web.created_before": {
            "en": "This command was already carried out: the key **{name}** (`{key_id}`) "
            "exists, and its secret was shown only once. If it was lost, revoke it and create "
            "another.",
            "fr": "Cette commande a déjà été exécutée : la clé **{name}** (`{key_id}`) existe, "
            "et son secret n'a été montré qu'une fois. S'il est perdu, révoque-la et crées-en "
            "une autre.",
        },
        "web.keys.title": {"en": "API keys", "fr": "Clés d'API"},
        "web.keys.none": {
            "en": "No API key yet: create one with `/admin api-key create`.",
            "fr": "Aucune clé d'API pour l'instant : crées-en une avec `/admin api-key create`.",
        },
        "web.keys.line": {
            "en": "`{key_id}` **{name}** · {scopes} · created <t:{created}:d>",
            "fr": "`{key_id}` **{name}** · {scopes} · créée le <t:{created}:d>",
        },
        "web.keys.revoked": {
            "en": "~~`{key_id}` **{name}** · {scopes}~~ · revoked <t:{revoked}:d>",
            "fr": "~~`{key_id}` **{name}** · {scopes}~~ · révoquée le <t:{revoked}:d>",
        },
        "web.revoked.title": {"en": "API key revoked", "fr": "Clé d'API révoquée"},
        "web.revoked": {
            "en": "The key **{name}** (`{key_id}`) is revoked: every request with it is refused "
            "from now on.",
            "fr": "La clé **{name}** (`{key_id}`) est révoquée : toute requête avec elle est "
            "refusée dès maintenant.",
        },
        "web.public.on.title": {"en": "Public leaderboard: on", "fr": "Classement public : activé"},
        "web.public.off.title": {
            "en": "Public leaderboard: off",
            "fr": "Classement public : désactivé",
        },
        "web.public.on": {
            "en": "Anyone with the link can see this server's leaderboard: {url}",
            "fr": "Toute personne ayant le lien peut voir le classement de ce serveur : {url}",
        },
        "web.public.off": {
            "en": "The leaderboard page of this server is hidden: `{path}` answers 404.",
            "fr": "La page du classement de ce serveur est cachée : `{path}` répond 404.",
        },
        "web.public.server_off": {
            "en": "Vouchy's web server is off in its configuration (`[web] enabled`): whoever "
            "runs Vouchy must turn it on for the page to be reachable.",
            "fr": "Le serveur web de Vouchy est désactivé dans sa configuration (`[web] "
            "enabled`) : la personne qui héberge Vouchy doit l'activer pour que la page soit "
            "accessible.",
        },
    }
)
