"""Games with bets (coinflip, roulette, slots, dice, rock-paper-scissors, blackjack): pure rules,
provably fair draws, money rules and published odds."""

from vouchy.features.games import texts as texts  # every refusal's text, registered on import
