"""Every text the HTTP API and the leaderboard page show, in English and French (``web.*``).

Problem titles are ``web.title.<error code>``; a field's own message is ``web.field.<name>``
(body) or ``web.parameter.<name>`` (query and path), so a refusal names what to fix.
"""

from __future__ import annotations

from vouchy.core import i18n

TEXTS = i18n.register(
    {
        # Limits.
        "web.rate_limited": {
            "en": "Too many requests with this key. Try again in {seconds} s.",
            "fr": "Trop de requêtes avec cette clé. Réessaie dans {seconds} s.",
        },
        # Bodies, headers, parameters.
        "web.body_not_json": {
            "en": "The body must be a JSON object.",
            "fr": "Le corps de la requête doit être un objet JSON.",
        },
        "web.body_media_type": {
            "en": "Send the body as JSON, with `Content-Type: application/json`.",
            "fr": "Envoie le corps en JSON, avec `Content-Type: application/json`.",
        },
        "web.body_too_large": {
            "en": "The body can be at most {maximum} bytes.",
            "fr": "Le corps de la requête peut faire au plus {maximum} octets.",
        },
        "web.field_missing": {
            "en": "`{field}` is required.",
            "fr": "`{field}` est obligatoire.",
        },
        "web.field_unknown": {
            "en": "`{field}` is not a field of this request.",
            "fr": "`{field}` n'est pas un champ de cette requête.",
        },
        "web.field_invalid": {
            "en": "`{field}` has the wrong type or value.",
            "fr": "`{field}` n'a pas le bon type ou la bonne valeur.",
        },
        "web.field.points": {
            "en": "`points` must be a whole number from 1 to {maximum}.",
            "fr": "`points` doit être un nombre entier de 1 à {maximum}.",
        },
        "web.field.reason": {
            "en": "`reason` must be text of at most {maximum} characters.",
            "fr": "`reason` doit être un texte de {maximum} caractères au plus.",
        },
        "web.field.order_id": {
            "en": "`order_id` must be text of 1 to {maximum} characters.",
            "fr": "`order_id` doit être un texte de 1 à {maximum} caractères.",
        },
        "web.field.amount": {
            "en": "`amount` must be a number from 0 (the order's amount).",
            "fr": "`amount` doit être un nombre positif ou nul (le montant de la commande).",
        },
        "web.idempotency_key_missing": {
            "en": "Send an `Idempotency-Key` header with a value unique to this operation (an "
            "order number, a UUID): a retry with the same key is applied once.",
            "fr": "Envoie un en-tête `Idempotency-Key` avec une valeur propre à cette opération "
            "(un numéro de commande, un UUID) : une nouvelle tentative avec la même clé n'est "
            "appliquée qu'une fois.",
        },
        "web.idempotency_key_invalid": {
            "en": "The `Idempotency-Key` must have 1 to {maximum} visible ASCII characters.",
            "fr": "L'`Idempotency-Key` doit faire de 1 à {maximum} caractères ASCII visibles.",
        },
        "web.idempotency_key_reused": {
            "en": "This `Idempotency-Key` was already used for a different request; nothing "
            "was changed. Use a new key for a new operation.",
            "fr": "Cette `Idempotency-Key` a déjà servi pour une autre requête ; rien n'a été "
            "modifié. Utilise une nouvelle clé pour une nouvelle opération.",
        },
        "web.parameter_unknown": {
            "en": "Unknown query parameter `{name}`.",
            "fr": "Paramètre de requête inconnu : `{name}`.",
        },
        "web.parameter.limit": {
            "en": "`limit` must be a whole number from 1 to {maximum}.",
            "fr": "`limit` doit être un nombre entier de 1 à {maximum}.",
        },
        "web.parameter.page": {
            "en": "`page` must be a whole number from 1 to {maximum}.",
            "fr": "`page` doit être un nombre entier de 1 à {maximum}.",
        },
        "web.parameter.board": {
            "en": "`board` must be one of {known}.",
            "fr": "`board` doit valoir {known}.",
        },
        "web.parameter.cursor": {
            "en": "This `cursor` was not given by this API; start again without it.",
            "fr": "Ce `cursor` ne vient pas de cette API ; recommence sans lui.",
        },
        "web.parameter.id": {
            "en": "`{name}` must be a Discord id (digits only).",
            "fr": "`{name}` doit être un identifiant Discord (des chiffres uniquement).",
        },
        "web.parameter.reward_id": {
            "en": "`reward_id` must have 1 to 64 letters, digits, `-` or `_`.",
            "fr": "`reward_id` doit faire de 1 à 64 lettres, chiffres, `-` ou `_`.",
        },
        # Other answers.
        "web.not_found": {
            "en": "Nothing here: check the address.",
            "fr": "Il n'y a rien ici : vérifie l'adresse.",
        },
        "web.not_implemented": {
            "en": "This Vouchy cannot do that yet: the feature it needs is not installed.",
            "fr": "Ce Vouchy ne sait pas encore faire cela : la fonction nécessaire n'est pas "
            "installée.",
        },
        "web.reward_unknown": {
            "en": "There is no reward `{reward}` in this server.",
            "fr": "Il n'y a pas de récompense `{reward}` sur ce serveur.",
        },
        "web.rewards_missing": {
            "en": "Redeeming a reward needs the shop's rewards, which this Vouchy does not have "
            "yet; nothing was changed.",
            "fr": "Échanger une récompense nécessite les récompenses de la boutique, que ce "
            "Vouchy n'a pas encore ; rien n'a été modifié.",
        },
        "web.internal": {
            "en": "Something went wrong on Vouchy's side (reference {reference}). Retrying "
            "with the same Idempotency-Key is safe.",
            "fr": "Un problème est survenu du côté de Vouchy (référence {reference}). Tu peux "
            "réessayer sans risque avec la même Idempotency-Key.",
        },
        # Problem titles: one per problem type, the same for every occurrence (RFC 9457).
        "web.title.error": {"en": "Refused", "fr": "Refusé"},
        "web.title.invalid_input": {"en": "Invalid input", "fr": "Saisie non valide"},
        "web.title.invalid_amount": {"en": "Invalid amount", "fr": "Montant non valide"},
        "web.title.self_transfer": {
            "en": "Transfer to oneself",
            "fr": "Transfert vers soi-même",
        },
        "web.title.bot_account": {"en": "Bot account", "fr": "Compte de bot"},
        "web.title.unauthenticated": {
            "en": "API key missing or not valid",
            "fr": "Clé d'API absente ou non valide",
        },
        "web.title.key_revoked": {"en": "API key revoked", "fr": "Clé d'API révoquée"},
        "web.title.permission_denied": {"en": "Permission denied", "fr": "Permission refusée"},
        "web.title.missing_scope": {"en": "Scope missing", "fr": "Permission manquante"},
        "web.title.wrong_guild": {
            "en": "Key for another server",
            "fr": "Clé d'un autre serveur",
        },
        "web.title.not_found": {"en": "Not found", "fr": "Introuvable"},
        "web.title.reference_taken": {
            "en": "Idempotency key reused",
            "fr": "Idempotency-Key réutilisée",
        },
        "web.title.body_too_large": {"en": "Body too large", "fr": "Corps trop volumineux"},
        "web.title.unsupported_media_type": {
            "en": "Unsupported media type",
            "fr": "Type de contenu non pris en charge",
        },
        "web.title.refused": {"en": "Refused", "fr": "Refusé"},
        "web.title.insufficient_funds": {
            "en": "Insufficient funds",
            "fr": "Solde insuffisant",
        },
        "web.title.cooldown": {"en": "Cooldown active", "fr": "Délai d'attente en cours"},
        "web.title.rate_limited": {"en": "Too many requests", "fr": "Trop de requêtes"},
        "web.title.busy": {"en": "Vouchy is busy", "fr": "Vouchy est occupé"},
        "web.title.storage_unavailable": {
            "en": "Storage unavailable",
            "fr": "Stockage indisponible",
        },
        "web.title.config": {"en": "Configuration error", "fr": "Erreur de configuration"},
        "web.title.internal": {"en": "Internal error", "fr": "Erreur interne"},
        "web.title.not_implemented": {"en": "Not available", "fr": "Non disponible"},
        # The public leaderboard page.
        "web.page.title": {
            "en": "Leaderboard of {guild}",
            "fr": "Classement de {guild}",
        },
        "web.page.boards": {"en": "Leaderboards", "fr": "Classements"},
        "web.page.tab.points": {"en": "Points", "fr": "Points"},
        "web.page.tab.levels": {"en": "Levels", "fr": "Niveaux"},
        "web.page.tab.vouches": {"en": "Vouches", "fr": "Vouchs"},
        "web.page.caption.points": {
            "en": "Members with the most points, page {page} of {pages}",
            "fr": "Membres ayant le plus de points, page {page} sur {pages}",
        },
        "web.page.caption.levels": {
            "en": "Members by level and XP, page {page} of {pages}",
            "fr": "Membres par niveau et XP, page {page} sur {pages}",
        },
        "web.page.caption.vouches": {
            "en": "Members with the most vouches, page {page} of {pages}",
            "fr": "Membres ayant reçu le plus de vouchs, page {page} sur {pages}",
        },
        "web.page.col.rank": {"en": "Rank", "fr": "Rang"},
        "web.page.col.member": {"en": "Member", "fr": "Membre"},
        "web.page.col.points": {"en": "Points", "fr": "Points"},
        "web.page.col.level": {"en": "Level", "fr": "Niveau"},
        "web.page.col.xp": {"en": "XP", "fr": "XP"},
        "web.page.col.vouches": {"en": "Vouches", "fr": "Vouchs"},
        "web.page.pages": {"en": "Pages", "fr": "Pages"},
        "web.page.previous": {"en": "Previous page", "fr": "Page précédente"},
        "web.page.next": {"en": "Next page", "fr": "Page suivante"},
        "web.page.position": {"en": "Page {page} of {pages}", "fr": "Page {page} sur {pages}"},
        "web.page.empty": {
            "en": "No one is on this leaderboard yet.",
            "fr": "Personne n'est encore dans ce classement.",
        },
    }
)
