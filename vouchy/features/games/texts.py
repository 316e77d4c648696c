"""Every text of the games that a member or admin reads, in English and French."""

from __future__ import annotations

from vouchy.core import i18n

TEXTS = i18n.register(
    {
        # Game names, and the commands' names and descriptions (Discord's localizations).
        "games.name.coinflip": {"en": "Coinflip", "fr": "Pile ou face"},
        "games.name.roulette": {"en": "Roulette", "fr": "Roulette"},
        "games.name.slots": {"en": "Slots", "fr": "Machine à sous"},
        "games.name.dice": {"en": "Dice", "fr": "Dés"},
        "games.name.rps": {"en": "Rock paper scissors", "fr": "Pierre-feuille-ciseaux"},
        "games.name.blackjack": {"en": "Blackjack", "fr": "Blackjack"},
        "games.cmd.coinflip.name": {"en": "coinflip", "fr": "pileouface"},
        "games.cmd.coinflip.description": {
            "en": "Call heads or tails: double or nothing",
            "fr": "Choisis pile ou face : quitte ou double",
        },
        "games.cmd.roulette.name": {"en": "roulette", "fr": "roulette"},
        "games.cmd.roulette.description": {
            "en": "European roulette: a colour, odd or even, low or high, a dozen, a column "
            "or a number",
            "fr": "Roulette européenne : couleur, pair ou impair, manque ou passe, douzaine, "
            "colonne ou numéro",
        },
        "games.cmd.slots.name": {"en": "slots", "fr": "machine"},
        "games.cmd.slots.description": {
            "en": "Spin the slot machine",
            "fr": "Fais tourner la machine à sous",
        },
        "games.cmd.dice.name": {"en": "dice", "fr": "des"},
        "games.cmd.dice.description": {
            "en": "Roll under the number you choose: the lower it is, the more a win pays",
            "fr": "Fais moins que le nombre choisi : plus il est bas, plus la victoire paie",
        },
        "games.cmd.rps.name": {"en": "rps", "fr": "pfc"},
        "games.cmd.rps.description": {
            "en": "Rock paper scissors against Vouchy, or challenge a member",
            "fr": "Pierre-feuille-ciseaux contre Vouchy, ou défie un membre",
        },
        "games.cmd.blackjack.name": {"en": "blackjack", "fr": "blackjack"},
        "games.cmd.blackjack.description": {
            "en": "Blackjack against the dealer: hit, stand or double",
            "fr": "Blackjack contre le croupier : tirer, rester ou doubler",
        },
        # Choices.
        "games.coinflip.heads": {"en": "Heads", "fr": "Face"},
        "games.coinflip.tails": {"en": "Tails", "fr": "Pile"},
        "games.roulette.kind.colour": {"en": "Colour", "fr": "Couleur"},
        "games.roulette.kind.parity": {"en": "Odd or even", "fr": "Pair ou impair"},
        "games.roulette.kind.half": {"en": "Low or high", "fr": "Manque ou passe"},
        "games.roulette.kind.dozen": {"en": "Dozen", "fr": "Douzaine"},
        "games.roulette.kind.column": {"en": "Column", "fr": "Colonne"},
        "games.roulette.kind.number": {"en": "Single number", "fr": "Numéro plein"},
        "games.roulette.choice.red": {"en": "Red", "fr": "Rouge"},
        "games.roulette.choice.black": {"en": "Black", "fr": "Noir"},
        "games.roulette.choice.even": {"en": "Even", "fr": "Pair"},
        "games.roulette.choice.odd": {"en": "Odd", "fr": "Impair"},
        "games.roulette.choice.low": {"en": "Low (1-18)", "fr": "Manque (1-18)"},
        "games.roulette.choice.high": {"en": "High (19-36)", "fr": "Passe (19-36)"},
        "games.roulette.choice.dozen": {
            "en": "Dozen {n} ({first}-{last})",
            "fr": "Douzaine {n} ({first}-{last})",
        },
        "games.roulette.choice.column": {"en": "Column {n}", "fr": "Colonne {n}"},
        "games.roulette.choice.number": {"en": "Number {n}", "fr": "Numéro {n}"},
        "games.roulette.colour.green": {"en": "green", "fr": "vert"},
        "games.roulette.colour.red": {"en": "red", "fr": "rouge"},
        "games.roulette.colour.black": {"en": "black", "fr": "noir"},
        "games.rps.rock": {"en": "Rock", "fr": "Pierre"},
        "games.rps.paper": {"en": "Paper", "fr": "Feuille"},
        "games.rps.scissors": {"en": "Scissors", "fr": "Ciseaux"},
        "games.blackjack.hit": {"en": "Hit", "fr": "Tirer"},
        "games.blackjack.stand": {"en": "Stand", "fr": "Rester"},
        "games.blackjack.double": {"en": "Double", "fr": "Doubler"},
        "games.rps.accept": {"en": "Accept", "fr": "Accepter"},
        "games.rps.decline": {"en": "Decline", "fr": "Refuser"},
        "games.rps.withdraw": {"en": "Withdraw", "fr": "Retirer le défi"},
        # Outcomes.
        "games.outcome.win": {"en": "Win", "fr": "Gagné"},
        "games.outcome.lose": {"en": "Loss", "fr": "Perdu"},
        "games.outcome.push": {"en": "Push", "fr": "Égalité"},
        "games.outcome.win_text": {
            "en": "You win: {payout} points paid back (+{profit}).",
            "fr": "Tu gagnes : {payout} points te reviennent (+{profit}).",
        },
        "games.outcome.lose_text": {
            "en": "You lose your {bet} points.",
            "fr": "Tu perds tes {bet} points.",
        },
        "games.outcome.push_text": {
            "en": "Push: your {bet} points are returned.",
            "fr": "Égalité : tes {bet} points te sont rendus.",
        },
        "games.multiplier": {
            "en": "x{multiplier} multiplier: your winnings become {profit} points.",
            "fr": "Multiplicateur x{multiplier} : tes gains passent à {profit} points.",
        },
        "games.xp": {"en": "+{xp} XP", "fr": "+{xp} XP"},
        "games.seconds": {"en": "{n}s", "fr": "{n} s"},
        "games.coinflip.landed": {
            "en": "You called **{call}**; the coin shows **{side}**.",
            "fr": "Tu as choisi **{call}** ; la pièce tombe sur **{side}**.",
        },
        "games.roulette.landed": {
            "en": "The ball lands on **{pocket}** ({colour}). Your bet: {bet_on}.",
            "fr": "La bille s'arrête sur le **{pocket}** ({colour}). Ta mise : {bet_on}.",
        },
        "games.dice.rolled": {
            "en": "You roll **{roll}**: under {target} wins x{multiplier}.",
            "fr": "Tu fais **{roll}** : moins de {target} gagne x{multiplier}.",
        },
        "games.slots.line": {
            "en": "A winning line: x{pays}.",
            "fr": "Ligne gagnante : x{pays}.",
        },
        "games.slots.no_line": {"en": "No winning line.", "fr": "Aucune ligne gagnante."},
        "games.rps.bot_played": {
            "en": "You play **{choice}**, Vouchy plays **{bot}**.",
            "fr": "Tu joues **{choice}**, Vouchy joue **{bot}**.",
        },
        "games.rps.challenge_text": {
            "en": "{challenger} challenges {opponent} to rock paper scissors for {bet} points "
            "each. {opponent}, choose your move within {wait}.",
            "fr": "{challenger} défie {opponent} à pierre-feuille-ciseaux pour {bet} points "
            "chacun. {opponent}, choisis ton coup d'ici {wait}.",
        },
        "games.rps.challenge_won_text": {
            "en": "{challenger} plays **{challenger_choice}**, {opponent} plays "
            "**{opponent_choice}**: {winner} wins {pot} points.",
            "fr": "{challenger} joue **{challenger_choice}**, {opponent} joue "
            "**{opponent_choice}** : {winner} remporte {pot} points.",
        },
        "games.rps.challenge_draw_text": {
            "en": "{challenger} and {opponent} both play **{choice}**: a draw, each gets "
            "their {bet} points back.",
            "fr": "{challenger} et {opponent} jouent tous les deux **{choice}** : égalité, "
            "chacun récupère ses {bet} points.",
        },
        "games.rps.challenge_declined_text": {
            "en": "{opponent} declined the challenge; {challenger} gets their {bet} points back.",
            "fr": "{opponent} a refusé le défi ; {challenger} récupère ses {bet} points.",
        },
        "games.rps.challenge_withdrawn_text": {
            "en": "{challenger} withdrew the challenge and gets their {bet} points back.",
            "fr": "{challenger} a retiré son défi et récupère ses {bet} points.",
        },
        "games.rps.challenge_expired_text": {
            "en": "Nobody answered in time; {challenger} gets their {bet} points back.",
            "fr": "Personne n'a répondu à temps ; {challenger} récupère ses {bet} points.",
        },
        "games.blackjack.your_hand": {
            "en": "Your hand: {cards} ({total})",
            "fr": "Ta main : {cards} ({total})",
        },
        "games.blackjack.dealer_hand": {
            "en": "Dealer: {cards} ({total})",
            "fr": "Croupier : {cards} ({total})",
        },
        "games.blackjack.soft_total": {"en": "soft {total}", "fr": "{total} souple"},
        "games.blackjack.natural": {
            "en": "Blackjack! It pays 3 to 2.",
            "fr": "Blackjack ! Payé 3 pour 2.",
        },
        "games.blackjack.bust": {
            "en": "Over 21: you bust.",
            "fr": "Plus de 21 : tu sautes.",
        },
        "games.blackjack.dealer_bust": {
            "en": "The dealer goes over 21.",
            "fr": "Le croupier dépasse 21.",
        },
        "games.blackjack.dealer_natural": {
            "en": "The dealer has blackjack.",
            "fr": "Le croupier a un blackjack.",
        },
        "games.blackjack.doubled": {
            "en": "You doubled: {stake} points at stake.",
            "fr": "Tu as doublé : {stake} points en jeu.",
        },
        "games.blackjack.timed_out": {
            "en": "Time is up: your hand stands as it is.",
            "fr": "Temps écoulé : ta main reste telle quelle.",
        },
        "games.blackjack.turn": {
            "en": "Hit, stand or double within {wait}, or your hand stands.",
            "fr": "Tire, reste ou double d'ici {wait}, sinon ta main reste telle quelle.",
        },
        # Provably fair.
        "games.fair.current": {
            "en": "Server seed (SHA-256): `{server_seed_hash}`\nClient seed: `{client_seed}`\n"
            "Next nonce: {nonce}",
            "fr": "Graine serveur (SHA-256) : `{server_seed_hash}`\nGraine client : "
            "`{client_seed}`\nProchain nonce : {nonce}",
        },
        "games.fair.client_seed_set": {
            "en": "Your client seed is now `{client_seed}`, from your next game on.",
            "fr": "Ta graine client est maintenant `{client_seed}`, dès ta prochaine partie.",
        },
        "games.fair.rotated": {
            "en": "Your old server seed was `{server_seed}` (SHA-256 `{server_seed_hash}`, "
            "{games} games). Your new server seed's SHA-256: `{new_hash}`.",
            "fr": "Ton ancienne graine serveur était `{server_seed}` (SHA-256 "
            "`{server_seed_hash}`, {games} parties). SHA-256 de ta nouvelle graine serveur : "
            "`{new_hash}`.",
        },
        "games.fair.game_seed": {
            "en": "Provably fair: server seed SHA-256 `{server_seed_hash}`, client seed "
            "`{client_seed}`, nonce {nonce}.",
            "fr": "Équité prouvable : graine serveur SHA-256 `{server_seed_hash}`, graine "
            "client `{client_seed}`, nonce {nonce}.",
        },
        # Published odds.
        "games.odds.exact": {
            "en": "{game}{variant}: {rtp}% returned to players (exact)",
            "fr": "{game}{variant} : {rtp} % reversés aux joueurs (exact)",
        },
        "games.odds.simulated": {
            "en": "{game}{variant}: {rtp}% ± {se}% returned to players (simulated over "
            "{rounds} hands)",
            "fr": "{game}{variant} : {rtp} % ± {se} % reversés aux joueurs (simulé sur "
            "{rounds} mains)",
        },
        # Refusals: the bet.
        "games.bet_not_whole": {
            "en": "The bet must be a whole number of points from {minimum} to {maximum}.",
            "fr": "La mise doit être un nombre entier de points, de {minimum} à {maximum}.",
        },
        "games.bet_too_small": {
            "en": "The smallest bet is {minimum} points (you bet {bet}).",
            "fr": "La mise minimale est de {minimum} points (tu as misé {bet}).",
        },
        "games.bet_too_large": {
            "en": "The largest bet is {maximum} points (you bet {bet}).",
            "fr": "La mise maximale est de {maximum} points (tu as misé {bet}).",
        },
        "games.cooldown": {
            "en": "Easy! You can play {game} again in {wait}.",
            "fr": "Doucement ! Tu pourras rejouer à {game} dans {wait}.",
        },
        "games.daily_loss_limit": {
            "en": "This bet could take your losses today past the daily limit of {limit} "
            "points; you can still risk {left} today.",
            "fr": "Avec cette mise, tes pertes du jour pourraient dépasser la limite de "
            "{limit} points ; tu peux encore risquer {left} points aujourd'hui.",
        },
        "games.unknown_game": {
            "en": "There is no game called {game}.",
            "fr": "Il n'y a pas de jeu qui s'appelle {game}.",
        },
        # Refusals: choices.
        "games.coinflip.bad_call": {
            "en": "Call heads or tails.",
            "fr": "Choisis pile ou face.",
        },
        "games.roulette.bad_kind": {
            "en": "Bet on a colour, odd or even, low or high, a dozen, a column or a number.",
            "fr": "Mise sur une couleur, pair ou impair, manque ou passe, une douzaine, une "
            "colonne ou un numéro.",
        },
        "games.roulette.bad_choice.colour": {
            "en": "Choose red or black.",
            "fr": "Choisis rouge ou noir.",
        },
        "games.roulette.bad_choice.parity": {
            "en": "Choose even or odd.",
            "fr": "Choisis pair ou impair.",
        },
        "games.roulette.bad_choice.half": {
            "en": "Choose low (1-18) or high (19-36).",
            "fr": "Choisis manque (1-18) ou passe (19-36).",
        },
        "games.roulette.bad_choice.dozen": {
            "en": "Choose the dozen 1, 2 or 3.",
            "fr": "Choisis la douzaine 1, 2 ou 3.",
        },
        "games.roulette.bad_choice.column": {
            "en": "Choose the column 1, 2 or 3.",
            "fr": "Choisis la colonne 1, 2 ou 3.",
        },
        "games.roulette.bad_choice.number": {
            "en": "Choose a number from 0 to 36.",
            "fr": "Choisis un numéro de 0 à 36.",
        },
        "games.dice.bad_target": {
            "en": "Choose a whole number from {minimum} to {maximum} to roll under.",
            "fr": "Choisis un nombre entier de {minimum} à {maximum} : il faudra faire moins.",
        },
        "games.rps.bad_choice": {
            "en": "Choose rock, paper or scissors.",
            "fr": "Choisis pierre, feuille ou ciseaux.",
        },
        # Refusals: a challenge.
        "games.rps.self_challenge": {
            "en": "You can't challenge yourself.",
            "fr": "Tu ne peux pas te défier toi-même.",
        },
        "games.rps.challenge_bot": {
            "en": "Bots don't take challenges; play against Vouchy instead.",
            "fr": "Les bots n'acceptent pas de défi ; joue plutôt contre Vouchy.",
        },
        "games.rps.not_your_challenge": {
            "en": "This challenge is not yours to answer.",
            "fr": "Ce n'est pas à toi de répondre à ce défi.",
        },
        "games.rps.challenge_settled": {
            "en": "This challenge has already been played.",
            "fr": "Ce défi a déjà été joué.",
        },
        "games.rps.challenge_declined": {
            "en": "This challenge was declined.",
            "fr": "Ce défi a été refusé.",
        },
        "games.rps.challenge_withdrawn": {
            "en": "This challenge was withdrawn.",
            "fr": "Ce défi a été retiré.",
        },
        "games.rps.challenge_expired": {
            "en": "This challenge has expired; the stake went back to the challenger.",
            "fr": "Ce défi a expiré ; la mise est revenue à son auteur.",
        },
        "games.rps.challenge_still_open": {
            "en": "This challenge can still be answered.",
            "fr": "Ce défi peut encore recevoir une réponse.",
        },
        # Refusals: a blackjack hand.
        "games.blackjack.not_your_hand": {
            "en": "This hand is not yours: start your own with /blackjack.",
            "fr": "Cette main n'est pas à toi : lance la tienne avec /blackjack.",
        },
        "games.blackjack.hand_over": {
            "en": "This hand is already over.",
            "fr": "Cette main est déjà terminée.",
        },
        "games.blackjack.double_after_hit": {
            "en": "You can only double on your first two cards.",
            "fr": "Tu ne peux doubler que sur tes deux premières cartes.",
        },
        "games.blackjack.bad_action": {
            "en": "Hit, stand or double.",
            "fr": "Tire, reste ou double.",
        },
        # Refusals: provably fair.
        "games.fair.bad_client_seed": {
            "en": "A client seed is 1 to {maximum} characters: letters, digits, - and _.",
            "fr": "Une graine client compte de 1 à {maximum} caractères : lettres, chiffres, "
            "- et _.",
        },
        "games.fair.bad_server_seed": {
            "en": "A server seed is 64 hexadecimal characters (0-9, a-f).",
            "fr": "Une graine serveur compte 64 caractères hexadécimaux (0-9, a-f).",
        },
        "games.fair.bad_nonce": {
            "en": "A nonce is a whole number from 0.",
            "fr": "Un nonce est un nombre entier à partir de 0.",
        },
        "games.fair.rotate_while_playing": {
            "en": "Finish your open games first ({games}): revealing the seed now would show "
            "what comes next.",
            "fr": "Termine d'abord tes parties en cours ({games}) : révéler la graine "
            "maintenant dévoilerait la suite.",
        },
        # Settings an admin gets wrong (config.toml or the guild's settings).
        "games.config.bad_limits": {
            "en": "games.{game}: bets need 1 <= min_bet <= max_bet, and cooldown_s and "
            "daily_loss_limit of 0 or more.",
            "fr": "games.{game} : il faut 1 <= min_bet <= max_bet, et cooldown_s et "
            "daily_loss_limit à 0 ou plus.",
        },
        "games.config.bad_coinflip": {
            "en": "games.coinflip.payout_bp must be from 10001 to 20000 (x1.0001 to x2), "
            "not {value}.",
            "fr": "games.coinflip.payout_bp doit aller de 10001 à 20000 (x1,0001 à x2), et "
            "non {value}.",
        },
        "games.config.bad_dice": {
            "en": "games.dice: edge_bp must be from 0 to 5000, and 1 <= min_target <= "
            "max_target <= 98 with a win paying more than the bet at max_target.",
            "fr": "games.dice : edge_bp doit aller de 0 à 5000, et 1 <= min_target <= "
            "max_target <= 98, avec un gain supérieur à la mise à max_target.",
        },
        "games.config.bad_reels": {
            "en": "games.slots.reels: from 1 to 6 reels of 1 to 100 symbols each, and at most "
            "200,000 ways to line up different symbols.",
            "fr": "games.slots.reels : de 1 à 6 rouleaux de 1 à 100 symboles chacun, et au plus "
            "200 000 façons d'aligner des symboles différents.",
        },
        "games.config.bad_paytable_line": {
            "en": "games.slots.paytable line {line}: one symbol per reel, each found on its "
            'reel or "*", and pays of 0 or more.',
            "fr": "games.slots.paytable ligne {line} : un symbole par rouleau, présent sur "
            'son rouleau ou "*", et pays à 0 ou plus.',
        },
        "games.config.slots_over_100": {
            "en": "games.slots: these reels and paytable return {rtp}% to players; Vouchy "
            "accepts 100% at most.",
            "fr": "games.slots : ces rouleaux et cette table de gains reversent {rtp} % aux "
            "joueurs ; Vouchy accepte 100 % au plus.",
        },
        "games.config.bad_blackjack": {
            "en": "games.blackjack: decks from 1 to 8 and timeout_s of 10 or more.",
            "fr": "games.blackjack : de 1 à 8 jeux de cartes et timeout_s de 10 ou plus.",
        },
        "games.config.bad_rps": {
            "en": "games.rps.challenge_timeout_s must be 10 or more.",
            "fr": "games.rps.challenge_timeout_s doit valoir 10 ou plus.",
        },
    }
)

MORE = i18n.register(
    {
        # Commands, options and choices (Discord's localizations).
        "games.cmd.games": {"en": "games", "fr": "jeux"},
        "games.cmd.games.desc": {
            "en": "Games: a member's history, the published odds",
            "fr": "Jeux : l'historique d'un membre, les chances publiées",
        },
        "games.cmd.history": {"en": "history", "fr": "historique"},
        "games.cmd.history.desc": {
            "en": "A member's games, the newest first",
            "fr": "Les parties d'un membre, les plus récentes d'abord",
        },
        "games.cmd.odds": {"en": "odds", "fr": "chances"},
        "games.cmd.odds.desc": {
            "en": "What each game returns to players, on average",
            "fr": "Ce que chaque jeu reverse aux joueurs, en moyenne",
        },
        "games.cmd.fair": {"en": "fair", "fr": "équité"},
        "games.cmd.fair.desc": {
            "en": "Provably fair games: your seeds, and how to check any game",
            "fr": "Parties à l'équité prouvable : tes graines, et comment vérifier une partie",
        },
        "games.cmd.fair.show": {"en": "show", "fr": "voir"},
        "games.cmd.fair.show.desc": {
            "en": "Your server seed's SHA-256, your client seed and your next nonce",
            "fr": "Le SHA-256 de ta graine serveur, ta graine client et ton prochain nonce",
        },
        "games.cmd.fair.seed": {"en": "client-seed", "fr": "graine-client"},
        "games.cmd.fair.seed.desc": {
            "en": "Choose your client seed for your next games",
            "fr": "Choisis ta graine client pour tes prochaines parties",
        },
        "games.cmd.fair.rotate": {"en": "rotate", "fr": "renouveler"},
        "games.cmd.fair.rotate.desc": {
            "en": "Reveal your server seed (to check your games) and start a new one",
            "fr": "Révèle ta graine serveur (pour vérifier tes parties) et passe à une nouvelle",
        },
        "games.opt.bet": {"en": "bet", "fr": "mise"},
        "games.opt.bet.desc": {"en": "Your bet in points", "fr": "Ta mise en points"},
        "games.opt.call": {"en": "call", "fr": "choix"},
        "games.opt.call.desc": {"en": "Heads or tails", "fr": "Pile ou face"},
        "games.opt.on": {"en": "on", "fr": "sur"},
        "games.opt.on.desc": {"en": "What you bet on", "fr": "Sur quoi tu mises"},
        "games.opt.number": {"en": "number", "fr": "numéro"},
        "games.opt.number.desc": {
            "en": "The number of a single-number bet (0 to 36)",
            "fr": "Le numéro d'une mise sur un numéro plein (0 à 36)",
        },
        "games.opt.under": {"en": "under", "fr": "sous"},
        "games.opt.under.desc": {
            "en": "You win when the roll (00.00 to 99.99) is under this number",
            "fr": "Tu gagnes si le tirage (00,00 à 99,99) est sous ce nombre",
        },
        "games.opt.move": {"en": "move", "fr": "coup"},
        "games.opt.move.desc": {
            "en": "Rock, paper or scissors",
            "fr": "Pierre, feuille ou ciseaux",
        },
        "games.opt.opponent": {"en": "opponent", "fr": "adversaire"},
        "games.opt.opponent.desc": {
            "en": "Challenge this member instead of Vouchy (both stakes held until the end)",
            "fr": "Défie ce membre plutôt que Vouchy (les deux mises bloquées jusqu'à la fin)",
        },
        "games.opt.member": {"en": "member", "fr": "membre"},
        "games.opt.member.desc": {
            "en": "Whose games (yours if empty)",
            "fr": "Les parties de qui (les tiennes si vide)",
        },
        "games.opt.page": {"en": "page", "fr": "page"},
        "games.opt.page.desc": {"en": "Which page", "fr": "Quelle page"},
        "games.opt.seed": {"en": "seed", "fr": "graine"},
        "games.opt.seed.desc": {
            "en": "1 to 64 letters, digits, - or _",
            "fr": "1 à 64 lettres, chiffres, - ou _",
        },
        "games.opt.game": {"en": "game", "fr": "jeu"},
        "games.opt.game.desc": {"en": "Which game", "fr": "Quel jeu"},
        "games.roulette.pick.red": {"en": "Red", "fr": "Rouge"},
        "games.roulette.pick.black": {"en": "Black", "fr": "Noir"},
        "games.roulette.pick.even": {"en": "Even", "fr": "Pair"},
        "games.roulette.pick.odd": {"en": "Odd", "fr": "Impair"},
        "games.roulette.pick.low": {"en": "Low (1-18)", "fr": "Manque (1-18)"},
        "games.roulette.pick.high": {"en": "High (19-36)", "fr": "Passe (19-36)"},
        "games.roulette.pick.dozen1": {"en": "Dozen 1 (1-12)", "fr": "Douzaine 1 (1-12)"},
        "games.roulette.pick.dozen2": {"en": "Dozen 2 (13-24)", "fr": "Douzaine 2 (13-24)"},
        "games.roulette.pick.dozen3": {"en": "Dozen 3 (25-36)", "fr": "Douzaine 3 (25-36)"},
        "games.roulette.pick.column1": {"en": "Column 1", "fr": "Colonne 1"},
        "games.roulette.pick.column2": {"en": "Column 2", "fr": "Colonne 2"},
        "games.roulette.pick.column3": {"en": "Column 3", "fr": "Colonne 3"},
        "games.roulette.pick.number": {
            "en": "Single number (give it in number)",
            "fr": "Numéro plein (indique-le dans numéro)",
        },
        "config.games": {"en": "games", "fr": "jeux"},
        "config.games.desc": {
            "en": "The games: bets, cooldowns, loss limits, odds, channels",
            "fr": "Les jeux : mises, délais, limites de pertes, gains, salons",
        },
        "games.setting.channels": {"en": "channels", "fr": "salons"},
        "games.setting.channels.desc": {
            "en": "Channels where games may be played (none: anywhere)",
            "fr": "Salons où l'on peut jouer (aucun : partout)",
        },
        "games.setting.coinflip": {"en": "coinflip", "fr": "pile_ou_face"},
        "games.setting.coinflip.desc": {"en": "Coinflip", "fr": "Pile ou face"},
        "games.setting.roulette": {"en": "roulette", "fr": "roulette"},
        "games.setting.roulette.desc": {"en": "Roulette", "fr": "Roulette"},
        "games.setting.slots": {"en": "slots", "fr": "machine"},
        "games.setting.slots.desc": {"en": "Slots", "fr": "Machine à sous"},
        "games.setting.dice": {"en": "dice", "fr": "dés"},
        "games.setting.dice.desc": {"en": "Dice", "fr": "Dés"},
        "games.setting.rps": {"en": "rps", "fr": "pfc"},
        "games.setting.rps.desc": {"en": "Rock paper scissors", "fr": "Pierre-feuille-ciseaux"},
        "games.setting.blackjack": {"en": "blackjack", "fr": "blackjack"},
        "games.setting.blackjack.desc": {"en": "Blackjack", "fr": "Blackjack"},
        "games.setting.min_bet": {"en": "min_bet", "fr": "mise_min"},
        "games.setting.min_bet.desc": {
            "en": "The smallest bet, in points",
            "fr": "La plus petite mise, en points",
        },
        "games.setting.max_bet": {"en": "max_bet", "fr": "mise_max"},
        "games.setting.max_bet.desc": {
            "en": "The largest bet, in points",
            "fr": "La plus grosse mise, en points",
        },
        "games.setting.cooldown_s": {"en": "cooldown_s", "fr": "délai_s"},
        "games.setting.cooldown_s.desc": {
            "en": "Seconds a member waits between two games of this kind",
            "fr": "Secondes d'attente d'un membre entre deux parties de ce jeu",
        },
        "games.setting.daily_loss_limit": {"en": "daily_loss_limit", "fr": "perte_max_jour"},
        "games.setting.daily_loss_limit.desc": {
            "en": "The most a member may lose at this game in a day (0: no limit)",
            "fr": "Le plus qu'un membre peut perdre à ce jeu en un jour (0 : sans limite)",
        },
        "games.setting.payout_bp": {"en": "payout_bp", "fr": "gain_pb"},
        "games.setting.payout_bp.desc": {
            "en": "Coinflip: what a right call pays back, in basis points (20000 = x2)",
            "fr": "Pile ou face : ce que rapporte un bon choix, en points de base (20000 = x2)",
        },
        "games.setting.edge_bp": {"en": "edge_bp", "fr": "marge_pb"},
        "games.setting.edge_bp.desc": {
            "en": "Dice: the house edge in basis points (100 = 1%)",
            "fr": "Dés : la marge de la maison en points de base (100 = 1 %)",
        },
        "games.setting.min_target": {"en": "min_target", "fr": "cible_min"},
        "games.setting.min_target.desc": {
            "en": "Dice: the lowest number a member may roll under",
            "fr": "Dés : le plus petit nombre sous lequel un membre peut viser",
        },
        "games.setting.max_target": {"en": "max_target", "fr": "cible_max"},
        "games.setting.max_target.desc": {
            "en": "Dice: the highest number a member may roll under",
            "fr": "Dés : le plus grand nombre sous lequel un membre peut viser",
        },
        "games.setting.decks": {"en": "decks", "fr": "jeux_de_cartes"},
        "games.setting.decks.desc": {
            "en": "Blackjack: decks shuffled for each hand (1 to 8)",
            "fr": "Blackjack : jeux de cartes mélangés pour chaque main (1 à 8)",
        },
        "games.setting.timeout_s": {"en": "timeout_s", "fr": "attente_s"},
        "games.setting.timeout_s.desc": {
            "en": "Blackjack: seconds before a hand left alone stands",
            "fr": "Blackjack : secondes avant qu'une main laissée seule ne s'arrête",
        },
        "games.setting.challenge_timeout_s": {
            "en": "challenge_timeout_s",
            "fr": "attente_défi_s",
        },
        "games.setting.challenge_timeout_s.desc": {
            "en": "Rock paper scissors: seconds before an unanswered challenge is refunded",
            "fr": "Pierre-feuille-ciseaux : secondes avant qu'un défi sans réponse soit remboursé",
        },
        "games.setting.reset": {"en": "reset", "fr": "réinitialiser"},
        "games.setting.reset.desc": {
            "en": "Put this game's settings back to Vouchy's defaults first",
            "fr": "Remettre d'abord les réglages de ce jeu à ceux de Vouchy",
        },
        # Embeds.
        "games.result.title": {"en": "{game}: {outcome}", "fr": "{game} : {outcome}"},
        "games.balance": {"en": "Balance: {balance}", "fr": "Solde : {balance}"},
        "games.footer": {
            "en": "game {game_id} · server seed SHA-256 {hash} · client seed {client_seed} · "
            "nonce {nonce}",
            "fr": "partie {game_id} · SHA-256 de la graine serveur {hash} · graine client "
            "{client_seed} · nonce {nonce}",
        },
        "games.footer.challenge": {"en": "game {game_id}", "fr": "partie {game_id}"},
        "games.blackjack.title": {
            "en": "Blackjack: {bet} points at stake",
            "fr": "Blackjack : {bet} points en jeu",
        },
        "games.moved_on.note": {
            "en": "This game moved on before your click; here it is as it stands.",
            "fr": "Cette partie a avancé avant ton clic ; la voici telle qu'elle est.",
        },
        "games.rps.challenge.title": {
            "en": "Rock paper scissors: a challenge",
            "fr": "Pierre-feuille-ciseaux : un défi",
        },
        "games.rps.challenge.buttons": {
            "en": "{opponent}: play your move, or decline. {challenger} may withdraw.",
            "fr": "{opponent} : joue ton coup, ou refuse. {challenger} peut retirer son défi.",
        },
        "games.timed_out_post": {
            "en": "<@{user_id}>, your blackjack hand was left alone and stands:",
            "fr": "<@{user_id}>, ta main de blackjack est restée sans réponse et s'arrête là :",
        },
        "games.history.title": {"en": "Games", "fr": "Parties"},
        "games.history.of": {"en": "Games of <@{user_id}>", "fr": "Parties de <@{user_id}>"},
        "games.history.line": {
            "en": "`{game_id}` {game} · staked {bet}, paid back {paid} · {outcome} · <t:{at}:R>",
            "fr": "`{game_id}` {game} · misé {bet}, rendu {paid} · {outcome} · <t:{at}:R>",
        },
        "games.history.versus": {"en": "vs <@{other_id}>", "fr": "contre <@{other_id}>"},
        "games.history.nonce": {"en": "nonce {nonce}", "fr": "nonce {nonce}"},
        "games.history.empty": {"en": "No games yet.", "fr": "Aucune partie pour l'instant."},
        "games.history.stats": {
            "en": "{game}: {played} played, {won} won, {staked} staked, {paid} paid back",
            "fr": "{game} : {played} jouées, {won} gagnées, {staked} misés, {paid} rendus",
        },
        "games.history.page": {"en": "Page {page} of {pages}", "fr": "Page {page} sur {pages}"},
        "games.history.no_such_page": {
            "en": "There is no page {page}: the history has {pages}.",
            "fr": "Il n'y a pas de page {page} : l'historique en compte {pages}.",
        },
        "games.status.open": {"en": "in play", "fr": "en cours"},
        "games.status.ended": {"en": "being paid", "fr": "en paiement"},
        "games.outcome.declined": {"en": "declined", "fr": "refusé"},
        "games.outcome.withdrawn": {"en": "withdrawn", "fr": "retiré"},
        "games.outcome.expired": {"en": "expired", "fr": "expiré"},
        "games.odds.title": {"en": "Published odds", "fr": "Chances publiées"},
        "games.odds.hint": {
            "en": "Return to player: what a game pays back on average per 100 points staked, "
            "with this server's settings. Check any game with /fair.",
            "fr": "Taux de retour : ce qu'un jeu rend en moyenne pour 100 points misés, avec "
            "les réglages de ce serveur. Vérifie n'importe quelle partie avec /équité.",
        },
        "games.fair.title": {"en": "Provably fair", "fr": "Équité prouvable"},
        "games.fair.revealed_title": {"en": "Revealed seeds", "fr": "Graines révélées"},
        "games.fair.revealed_line": {
            "en": "`{server_seed}`: {games} games",
            "fr": "`{server_seed}` : {games} parties",
        },
        "games.fair.howto": {
            "en": "Check any game with `python -m vouchy fair verify` or any HMAC-SHA256 tool "
            "(docs/fairness.md).",
            "fr": "Vérifie n'importe quelle partie avec `python -m vouchy fair verify` ou tout "
            "outil HMAC-SHA256 (docs/fairness.md).",
        },
        "games.config.title": {"en": "Settings: {game}", "fr": "Réglages : {game}"},
        "games.config.hint": {
            "en": "Change them with `/config games set`; a game's row of settings is saved "
            "whole, and `reset` puts it back to the defaults.",
            "fr": "Modifie-les avec `/config jeux régler` ; les réglages d'un jeu sont "
            "enregistrés ensemble, et `réinitialiser` les remet par défaut.",
        },
        "games.config.not_for_game": {
            "en": "{setting} is not a setting of {game}.",
            "fr": "{setting} n'est pas un réglage de {game}.",
        },
        # Refusals of the writer's plan (the service says them more precisely when it can).
        "games.too_soon": {
            "en": "Easy! You played this game a moment ago: wait a few seconds.",
            "fr": "Doucement ! Tu viens de jouer à ce jeu : attends quelques secondes.",
        },
        "games.loss_limit_reached": {
            "en": "This bet could take your losses today past the daily limit of {limit} points.",
            "fr": "Avec cette mise, tes pertes du jour pourraient dépasser la limite de {limit} "
            "points.",
        },
        "games.seeds_moved": {
            "en": "Your seeds changed meanwhile; nothing was changed. Try again.",
            "fr": "Tes graines ont changé entre-temps ; rien n'a été modifié. Réessaie.",
        },
        "games.exists": {
            "en": "This game was already started; nothing was changed.",
            "fr": "Cette partie a déjà commencé ; rien n'a été modifié.",
        },
        "games.moved_on": {
            "en": "This game moved on meanwhile; nothing was changed.",
            "fr": "Cette partie a avancé entre-temps ; rien n'a été modifié.",
        },
        "games.blackjack.over": {
            "en": "This hand is already over.",
            "fr": "Cette main est déjà terminée.",
        },
        "games.rps.over": {
            "en": "This challenge is already over.",
            "fr": "Ce défi est déjà terminé.",
        },
        "games.already_settled": {
            "en": "This game was already paid.",
            "fr": "Cette partie a déjà été payée.",
        },
        "games.not_settled_yet": {
            "en": "This game is not paid yet; it will be shortly, and nothing is lost.",
            "fr": "Cette partie n'est pas encore payée ; elle le sera bientôt, rien n'est perdu.",
        },
        "games.wrong_channel": {
            "en": "Games are played in {channels}.",
            "fr": "Les jeux se jouent dans {channels}.",
        },
        "games.rtp_rounds": {
            "en": "--rounds must be 2 or more (or left out).",
            "fr": "--rounds doit valoir 2 ou plus (ou être omis).",
        },
        "games.roulette.number_unused": {
            "en": "A number goes with a single-number bet only: pick that bet, or leave the "
            "number out.",
            "fr": "Un numéro ne va qu'avec une mise sur un numéro plein : choisis cette mise, "
            "ou n'indique pas de numéro.",
        },
    }
)
