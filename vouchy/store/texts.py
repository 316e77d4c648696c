"""The store's refusals in English and French: a malformed operation, a broken rule of the
ledger, a precondition that no longer holds."""

from __future__ import annotations

from vouchy.core import i18n

TEXTS = i18n.register(
    {
        "store.bad_id": {
            "en": "That {what} is not a Discord id (a whole number from 1 to 2^63-1).",
            "fr": "Ce {what} n'est pas un identifiant Discord (un nombre entier de 1 à 2^63-1).",
        },
        "store.bad_text": {
            "en": "The {what} is not valid text.",
            "fr": "Le champ {what} n'est pas un texte valide.",
        },
        "store.bad_length": {
            "en": "The {what} must be at most {maximum} characters.",
            "fr": "Le champ {what} doit faire au plus {maximum} caractères.",
        },
        "store.bad_number": {
            "en": "The {what} must be a whole number.",
            "fr": "Le champ {what} doit être un nombre entier.",
        },
        "store.bad_value": {
            "en": "The {what} cannot hold a {kind}.",
            "fr": "Le champ {what} ne peut pas contenir de {kind}.",
        },
        "store.bad_name": {
            "en": "{value!r} is not a valid {what}.",
            "fr": "{value!r} n'est pas un {what} valide.",
        },
        "store.bad_key": {
            "en": "A change to {what} needs the row's key.",
            "fr": "Une modification de {what} a besoin de la clé de la ligne.",
        },
        "store.bad_kind": {
            "en": "{kind!r} is not a kind of ledger entry.",
            "fr": "{kind!r} n'est pas un type d'écriture du registre.",
        },
        "store.bad_transfer": {
            "en": "A transfer moves a positive amount to another member.",
            "fr": "Un transfert envoie un montant positif à un autre membre.",
        },
        "store.amount_out_of_bounds": {
            "en": "That amount is out of bounds.",
            "fr": "Ce montant est hors limites.",
        },
        "store.nothing_to_change": {
            "en": "That changes nothing: the balance is already {balance}.",
            "fr": "Cela ne change rien : le solde est déjà de {balance}.",
        },
        "store.unknown_table": {
            "en": "There is no table {table!r}.",
            "fr": "Il n'y a pas de table {table!r}.",
        },
        "store.unknown_column": {
            "en": "The table {table!r} has no column {column!r}.",
            "fr": "La table {table!r} n'a pas de colonne {column!r}.",
        },
        "store.incomplete_row": {
            "en": "A new row of {table!r} needs a value for {column!r}.",
            "fr": "Une nouvelle ligne de {table!r} a besoin d'une valeur pour {column!r}.",
        },
        "store.precondition_failed": {
            "en": "That has changed in the meantime; nothing was changed. Try again.",
            "fr": "Cela a changé entre-temps ; rien n'a été modifié. Réessaie.",
        },
        "store.out_of_bounds": {
            "en": "That would take {column} out of its limits; nothing was changed.",
            "fr": "Cela ferait sortir {column} de ses limites ; rien n'a été modifié.",
        },
        "store.row_exists": {
            "en": "That already exists; nothing was changed.",
            "fr": "Cela existe déjà ; rien n'a été modifié.",
        },
        "store.row_missing": {
            "en": "That does not exist (any more); nothing was changed.",
            "fr": "Cela n'existe pas (ou plus) ; rien n'a été modifié.",
        },
        "store.schema_refused": {
            "en": "That change breaks a rule of the ledger; nothing was changed.",
            "fr": "Cette modification enfreint une règle du registre ; rien n'a été modifié.",
        },
    }
)

DURABILITY = i18n.register(
    {
        "journal.damaged": {
            "en": "the journal is damaged at {where}: batch {seq} and the ones after it cannot "
            "be read",
            "fr": "le journal est endommagé ({where}) : le lot {seq} et les suivants sont "
            "illisibles",
        },
        "journal.gap": {
            "en": "the journal lacks batch {seq} (it goes on at {found}, in {where})",
            "fr": "il manque le lot {seq} au journal (il reprend au lot {found}, dans {where})",
        },
        "journal.segment_in_use": {
            "en": "journal segment {segment} already holds batches the database lacks",
            "fr": "le segment de journal {segment} contient déjà des lots absents de la base",
        },
        "recovery.replay_gap": {
            "en": "the journal goes on at batch {found}, the database needs batch {expected}",
            "fr": "le journal reprend au lot {found}, la base a besoin du lot {expected}",
        },
        "recovery.copy_differs": {
            "en": "snapshot {snapshot}: its copy differs from it",
            "fr": "instantané {snapshot} : sa copie diffère de l'original",
        },
        "recovery.snapshot_unsound": {
            "en": "snapshot {snapshot} failed verification: {problem}",
            "fr": "l'instantané {snapshot} n'a pas passé la vérification : {problem}",
        },
        "recovery.base_seq": {
            "en": "{base} holds batch {seq}, not the one its manifest names",
            "fr": "{base} contient le lot {seq}, pas celui que son manifeste indique",
        },
        "recovery.not_clean": {
            "en": "the rebuilt database does not audit clean ({count} discrepancies, "
            "first: {first})",
            "fr": "la base reconstruite ne passe pas l'audit ({count} écarts, premier : {first})",
        },
        "recovery.identity_mismatch": {
            "en": "{data_dir} holds files of different data directories ({where}); nothing "
            "was changed. Put each data directory's files back together",
            "fr": "{data_dir} contient des fichiers de dossiers de données différents "
            "({where}) ; rien n'a été modifié. Remets les fichiers de chaque dossier ensemble",
        },
        "recovery.foreign_snapshot": {
            "en": "refusing to restore {snapshot}: it belongs to another data directory "
            "({origin}); nothing was changed. To start this directory over from it, run restore "
            "with --adopt (this directory's journal and later snapshots are set aside)",
            "fr": "restauration de {snapshot} refusée : il appartient à un autre dossier de "
            "données ({origin}) ; rien n'a été modifié. Pour repartir de lui, relance restore "
            "avec --adopt (le journal et les instantanés plus récents sont mis de côté)",
        },
        "recovery.legacy_snapshot": {
            "en": "refusing to restore {snapshot} with the journal: it was taken before the "
            "batch journal (Vouchy 0.1); restore it as it was with --no-replay, or a newer one",
            "fr": "restauration de {snapshot} avec le journal refusée : il date d'avant le "
            "journal par lots (Vouchy 0.1) ; restaure-le tel quel avec --no-replay, ou un plus "
            "récent",
        },
        "recovery.journal_starts_later": {
            "en": "the journal starts at batch {first}, after this snapshot's batch {seq}: "
            "replaying would leave a gap. Restore a newer snapshot, or this one as it was "
            "with --no-replay",
            "fr": "le journal commence au lot {first}, après le lot {seq} de cet instantané : "
            "rejouer laisserait un trou. Restaure un instantané plus récent, ou celui-ci tel "
            "quel avec --no-replay",
        },
        "recovery.journal_unusable": {
            "en": "part of the journal cannot be used ({what}): restoring would lose what it "
            "holds; nothing was changed",
            "fr": "une partie du journal est inutilisable ({what}) : restaurer perdrait ce "
            "qu'elle contient ; rien n'a été modifié",
        },
        "recovery.refused": {
            "en": "refusing to restore {snapshot}: {why}",
            "fr": "restauration de {snapshot} refusée : {why}",
        },
        "recovery.no_manifest": {
            "en": "refusing to restore {snapshot}: {why}; nothing was changed",
            "fr": "restauration de {snapshot} refusée : {why} ; rien n'a été modifié",
        },
        "recovery.would_lose": {
            "en": "the journal cannot be used to its end, so acknowledged changes could be "
            "missing: {what}",
            "fr": "le journal est inutilisable jusqu'au bout, des modifications confirmées "
            "pourraient manquer : {what}",
        },
        "recovery.unrecoverable": {
            "en": "the database at {path} is damaged ({problem}) and was not rebuilt: "
            "{tried}. Nothing was changed. Restore a snapshot with `python -m vouchy restore "
            "NAME`, start with --accept-loss to rebuild from what is usable (what is lost is "
            "logged), or start empty with --fresh",
            "fr": "la base {path} est endommagée ({problem}) et n'a pas été reconstruite : "
            "{tried}. Rien n'a été modifié. Restaure un instantané avec `python -m vouchy "
            "restore NOM`, démarre avec --accept-loss pour reconstruire avec ce qui est "
            "utilisable (ce qui est perdu est journalisé), ou démarre à vide avec --fresh",
        },
        "recovery.legacy_unrecoverable": {
            "en": "{path} was written by Vouchy 0.1 and cannot be moved to this version as it "
            "is ({problem}). Run Vouchy 0.1 once to recover it, then start this version",
            "fr": "{path} a été écrit par Vouchy 0.1 et ne peut pas passer à cette version tel "
            "quel ({problem}). Lance Vouchy 0.1 une fois pour le récupérer, puis cette version",
        },
    }
)

SETTINGS = i18n.register(
    {
        "settings.unknown_feature": {
            "en": "There are no settings for {feature}.",
            "fr": "Il n'y a pas de réglages pour {feature}.",
        },
        "settings.unknown_key": {
            "en": "{feature} has no setting called {key}.",
            "fr": "{feature} n'a pas de réglage appelé {key}.",
        },
        "settings.bad_value": {
            "en": "That value does not fit {feature}'s settings ({detail}); nothing was changed.",
            "fr": "Cette valeur ne convient pas aux réglages de {feature} ({detail}) ; rien n'a "
            "été modifié.",
        },
    }
)
