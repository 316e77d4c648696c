"""The redemption state machine: transitions, retry limits, back-off, canary, runner stops."""

from __future__ import annotations

import random

import msgspec
import pytest

from vouchy.core.errors import ConfigError, Refused
from vouchy.features.giftcodes import rules
from vouchy.features.giftcodes.rules import Action, Answer, Policy, RedemptionState

T0 = 1_750_000_000_000
FAST = Policy(player_gap_ms=0, requests_per_second=1000)


def info(fid: int, kid: int = 7) -> rules.PlayerInfo:
    return rules.PlayerInfo(fid=fid, nickname=f"p{fid}", kid=kid, furnace_level=30)


def setup(fids: list[int], code: str = "GIFT", policy: Policy = FAST) -> RedemptionState:
    state = RedemptionState()
    for fid in fids:
        state = rules.save_player(state, info(fid), T0).state
    return rules.enqueue(state, code, fids, T0, policy=policy).state


def answer(kind: str, reason: str, **kw: object) -> Answer:
    return Answer(kind=kind, reason=reason, **kw)  # type: ignore[arg-type]  # test shorthand


OK = answer("success", "success", msg="SUCCESS")
RECEIVED = answer("already", "received", msg="RECEIVED.")
EXPIRED = answer("code_permanent", "expired", msg="TIME ERROR.")
USED = answer("claim_limit", "claim_limit", msg="USED.")
VIP = answer("player_permanent", "vip_required", msg="RECHARGE_MONEY_VIP ERROR.")
TEMP = answer("temporary", "timeout_retry", msg="TIMEOUT RETRY.")
UNKNOWN = answer("unknown", "unknown", msg="SOMETHING NEW.")
SIGN = answer("config_error", "sign_error", msg="Sign Error")


def run_one(
    state: RedemptionState,
    reply: Answer,
    now: int,
    rng: random.Random | None = None,
    policy: Policy = FAST,
) -> tuple[rules.Step, Action]:
    plan = rules.next_actions(state, now, policy)
    assert plan.actions, f"nothing to start at {now}: {plan}"
    action = plan.actions[0]
    started = rules.start(state, action, now, policy).state
    return rules.apply(started, action, reply, now, rng or random.Random(1), policy), action


def attempt(state: RedemptionState, fid: int, code: str = "GIFT") -> rules.Attempt:
    return state.attempts[rules.attempt_key(code, fid)]


# --- transitions ------------------------------------------------------------------------------


def test_a_new_attempt_is_pending_then_redeeming_then_done() -> None:
    state = setup([1])
    assert attempt(state, 1).status == "pending"
    action = rules.next_actions(state, T0, FAST).actions[0]
    started = rules.start(state, action, T0, FAST)
    assert attempt(started.state, 1).status == "redeeming"
    assert attempt(started.state, 1).tries == 1
    assert started.attempts == (rules.attempt_key("GIFT", 1),)
    done = rules.apply(started.state, action, OK, T0 + 5, random.Random(1), FAST)
    assert (attempt(done.state, 1).status, attempt(done.state, 1).reason) == ("done", "success")
    assert [e.kind for e in done.events][:2] == ["attempt_done", "code_released"]


def test_already_received_is_done_too() -> None:
    step, _ = run_one(setup([1]), RECEIVED, T0)
    assert (attempt(step.state, 1).status, attempt(step.state, 1).reason) == ("done", "received")


def test_a_player_permanent_answer_fails_only_that_player() -> None:
    state = setup([1, 2], policy=Policy(player_gap_ms=0, requests_per_second=1000, canary=False))
    step, action = run_one(state, VIP, T0)
    failed = attempt(step.state, action.fid)
    assert (failed.status, failed.reason) == ("failed", "vip_required")
    other = 2 if action.fid == 1 else 1
    assert attempt(step.state, other).status == "pending"


def test_a_temporary_answer_waits_with_a_back_off() -> None:
    step, _ = run_one(setup([1]), TEMP, T0)
    waiting = attempt(step.state, 1)
    assert waiting.status == "waiting"
    assert waiting.reason == "timeout_retry" and waiting.last_msg == "TIMEOUT RETRY."
    assert waiting.next_try_ms > T0
    assert rules.next_actions(step.state, T0 + 1, FAST).actions == ()
    assert rules.next_actions(step.state, waiting.next_try_ms, FAST).actions


def test_a_success_is_final_and_never_overwritten_by_a_later_failure() -> None:
    step, action = run_one(setup([1]), OK, T0)
    for late in (EXPIRED, VIP, TEMP, UNKNOWN, USED):
        again = rules.apply(step.state, action, late, T0 + 10, random.Random(1), FAST)
        assert attempt(again.state, 1).status == "done"
        assert again.attempts == ()
        assert [e.kind for e in again.events] == ["stale_answer"]


def test_a_done_attempt_is_never_started_again_even_when_queued_again() -> None:
    step, _ = run_one(setup([1]), OK, T0)
    state = rules.enqueue(step.state, "GIFT", [1], T0 + 1, policy=FAST, retry_failed=True).state
    assert attempt(state, 1).status == "done"
    assert rules.next_actions(state, T0 + 10**9, FAST).actions == ()
    with pytest.raises(Refused):
        rules.start(state, Action(kind="redeem", code="GIFT", fid=1), T0, FAST)


def test_a_late_success_wins_over_a_failure() -> None:
    step, action = run_one(setup([1]), VIP, T0)
    assert attempt(step.state, 1).status == "failed"
    late = rules.apply(step.state, action, OK, T0 + 10, random.Random(1), FAST)
    assert attempt(late.state, 1).status == "done"


# --- retry limits -------------------------------------------------------------------------------


def drive_until_final(
    state: RedemptionState, reply: Answer, policy: Policy = FAST
) -> tuple[RedemptionState, int]:
    now, tries, rng = T0, 0, random.Random(3)
    while attempt(state, 1).status not in ("done", "failed"):
        now = max(now, attempt(state, 1).next_try_ms, state.runner.next_start_ms)
        if state.runner.status == "backing_off":
            now = max(now, state.runner.until_ms)
        step, _ = run_one(state, reply, now, rng, policy)
        state, tries = step.state, tries + 1
        assert tries < 50
    return state, tries


def test_temporary_answers_are_tried_at_most_ten_times() -> None:
    state, tries = drive_until_final(setup([1]), TEMP)
    assert tries == 10
    final = attempt(state, 1)
    assert (final.status, final.reason, final.temporary, final.tries) == (
        "failed",
        "gave_up",
        10,
        10,
    )


def test_unknown_answers_are_tried_at_most_three_times() -> None:
    state, tries = drive_until_final(setup([1]), UNKNOWN)
    assert tries == 3
    assert (attempt(state, 1).status, attempt(state, 1).reason) == ("failed", "gave_up")
    assert attempt(state, 1).last_msg == "SOMETHING NEW."


def test_the_retry_limits_follow_the_policy() -> None:
    policy = Policy(player_gap_ms=0, requests_per_second=1000, temporary_max_tries=2)
    _, tries = drive_until_final(setup([1], policy=policy), TEMP, policy)
    assert tries == 2


# --- back-off ---------------------------------------------------------------------------------


def test_the_back_off_grows_with_each_failure_and_is_jittered() -> None:
    policy = Policy(retry_base_ms=1_000, retry_max_ms=10**9)
    rng = random.Random(42)
    delays = [rules.retry_delay_ms(n, "timeout_retry", policy, rng) for n in range(1, 9)]
    assert all(b > a for a, b in zip(delays, delays[1:], strict=False))
    for n, delay in enumerate(delays, start=1):
        nominal = 1_000 * 2 ** (n - 1)
        assert nominal * 0.8 <= delay <= nominal * 1.2
    assert len({d / (1_000 * 2**n) for n, d in enumerate(delays)}) > 1  # not a fixed factor


def test_the_jitter_comes_from_the_given_random_source() -> None:
    policy = Policy()
    a = [rules.retry_delay_ms(3, "x", policy, random.Random(9)) for _ in range(3)]
    b = [rules.retry_delay_ms(3, "x", policy, random.Random(10)) for _ in range(3)]
    assert a == [a[0]] * 3 and a != b


def test_the_back_off_is_capped() -> None:
    policy = Policy(retry_base_ms=1_000, retry_max_ms=60_000)
    assert rules.retry_delay_ms(30, "timeout_retry", policy, random.Random(1)) <= 60_000


def test_captcha_and_too_frequent_wait_longer() -> None:
    policy = Policy(jitter=0.0)
    plain = rules.retry_delay_ms(1, "timeout_retry", policy, random.Random(1))
    assert rules.retry_delay_ms(1, "too_frequent", policy, random.Random(1)) == plain * 3
    assert rules.retry_delay_ms(1, "captcha", policy, random.Random(1)) == plain * 3


def test_retry_after_is_a_floor_under_the_back_off() -> None:
    long_wait = answer("temporary", "rate_limited", retry_after_ms=120_000)
    step, _ = run_one(setup([1]), long_wait, T0)
    assert attempt(step.state, 1).next_try_ms == T0 + 120_000
    short_wait = answer("temporary", "rate_limited", retry_after_ms=1)
    step, _ = run_one(setup([1]), short_wait, T0)
    assert attempt(step.state, 1).next_try_ms > T0 + 1_000  # the back-off, not 1 ms


def test_a_429_holds_every_start_until_its_retry_after() -> None:
    state = setup([1, 2], policy=Policy(player_gap_ms=0, requests_per_second=1000, canary=False))
    step, _ = run_one(state, answer("temporary", "rate_limited", retry_after_ms=30_000), T0)
    assert step.state.runner.next_start_ms == T0 + 30_000
    assert rules.next_actions(step.state, T0 + 29_999, FAST).actions == ()
    assert rules.next_actions(step.state, T0 + 29_999, FAST).wake_ms == T0 + 30_000
    assert rules.next_actions(step.state, T0 + 30_000, FAST).actions


def test_too_frequent_holds_that_players_other_codes() -> None:
    state = setup([1], "A", FAST)
    state = rules.enqueue(state, "B", [1], T0, policy=FAST).state
    step, action = run_one(state, answer("temporary", "too_frequent"), T0)
    held = step.state.players[1].not_before_ms
    assert held == attempt(step.state, 1, action.code).next_try_ms
    assert rules.next_actions(step.state, held - 1, FAST).actions == ()


# --- consecutive errors -----------------------------------------------------------------------


def many_players(n: int) -> RedemptionState:
    policy = Policy(player_gap_ms=0, requests_per_second=1000, canary=False)
    return setup(list(range(1, n + 1)), policy=policy)


def test_five_consecutive_errors_make_the_runner_back_off() -> None:
    state, now = many_players(10), T0
    for i in range(5):
        step, _ = run_one(state, TEMP, now)
        state, now = step.state, now + 1
        if i < 4:
            assert state.runner.status == "running"
            assert state.runner.consecutive_errors == i + 1
    assert state.runner.status == "backing_off"
    assert [e.kind for e in step.events][-1] == "runner_backoff"
    assert state.runner.until_ms >= now - 1 + 60_000 * 0.8
    plan = rules.next_actions(state, now, FAST)
    assert plan.actions == () and plan.wake_ms == state.runner.until_ms
    resumed = rules.next_actions(state, state.runner.until_ms, FAST)
    assert resumed.actions
    started = rules.start(state, resumed.actions[0], state.runner.until_ms, FAST)
    assert started.state.runner.status == "running"
    assert "runner_resumed" in [e.kind for e in started.events]


def test_a_good_answer_resets_the_error_count() -> None:
    state, now = many_players(10), T0
    for reply in (TEMP, TEMP, TEMP, TEMP, VIP, TEMP, TEMP, TEMP, TEMP):
        state, now = run_one(state, reply, now)[0].state, now + 1
    assert state.runner.status == "running" and state.runner.consecutive_errors == 4


def test_repeated_back_offs_grow() -> None:
    policy = Policy(jitter=0.0)
    delays = [rules.runner_delay_ms(n, policy, random.Random(1)) for n in (1, 2, 3, 10)]
    assert delays == [60_000, 120_000, 240_000, 900_000]


# --- signing error ----------------------------------------------------------------------------


def test_a_signing_error_stops_all_redemption_and_alerts_the_admins() -> None:
    state = many_players(3)
    step, action = run_one(state, SIGN, T0)
    assert step.state.runner.status == "stopped"
    assert step.state.runner.stop_reason == "sign_error"
    alerts = [e for e in step.events if e.alert]
    assert [(e.kind, e.reason) for e in alerts] == [("runner_stopped", "sign_error")]
    assert rules.next_actions(step.state, T0 + 10**9, FAST) == rules.Plan()
    # The player is not blamed: the try is not counted and the attempt is not failed.
    stopped = attempt(step.state, action.fid)
    assert (stopped.status, stopped.tries, stopped.temporary) == ("waiting", 0, 0)
    with pytest.raises(Refused):
        rules.start(step.state, action, T0 + 1, FAST)


def test_a_restart_resumes_after_a_signing_error() -> None:
    step, _ = run_one(many_players(2), SIGN, T0)
    resumed = rules.resume(step.state, T0 + 1)
    assert resumed.state.runner.status == "running"
    assert rules.next_actions(resumed.state, T0 + 1, FAST).actions


# --- canary -----------------------------------------------------------------------------------


def test_a_new_code_is_tried_on_one_player_first() -> None:
    state = setup([5, 3, 9])
    plan = rules.next_actions(state, T0, FAST)
    assert [a.fid for a in plan.actions] == [3]
    started = rules.start(state, plan.actions[0], T0, FAST).state
    assert started.codes["GIFT"].canary_fid == 3
    assert rules.next_actions(started, T0 + 1, FAST).actions == ()  # others wait


def test_success_on_the_canary_releases_the_code_to_everyone() -> None:
    step, _ = run_one(setup([1, 2, 3]), OK, T0)
    assert step.state.codes["GIFT"].status == "open"
    policy = Policy(player_gap_ms=0, requests_per_second=1000, max_concurrency=2)
    state, now, started = step.state, T0 + 1, []
    while (plan := rules.next_actions(state, now, policy)).actions:
        started.append(plan.actions[0].fid)
        state = rules.start(state, plan.actions[0], now, policy).state
        now += 1
    assert started == [2, 3]  # two at once: the concurrency limit


@pytest.mark.parametrize("reason", ["expired", "invalid_code"])
def test_a_permanent_answer_on_the_canary_stops_the_code_for_all_players(reason: str) -> None:
    step, _ = run_one(setup([1, 2, 3, 4]), answer("code_permanent", reason), T0)
    assert step.state.codes["GIFT"].status == "stopped"
    assert step.state.codes["GIFT"].stop_reason == reason
    for fid in (1, 2, 3, 4):
        assert (attempt(step.state, fid).status, attempt(step.state, fid).reason) == (
            "failed",
            reason,
        )
    assert sum(1 for e in step.events if e.kind == "code_stopped") == 1
    assert rules.next_actions(step.state, T0 + 10**9, FAST).actions == ()
    # A stopped code gets no new attempts, not even for a new player.
    later = rules.save_player(step.state, info(5), T0).state
    assert rules.enqueue(later, "GIFT", [5], T0, policy=FAST).attempts == ()


def test_a_claim_limit_is_recorded_per_code_and_does_not_invalidate_it() -> None:
    step, _ = run_one(setup([1, 2, 3]), USED, T0)
    code = step.state.codes["GIFT"]
    assert code.status == "canary" and code.stop_reason == ""
    assert (code.claim_limit_hits, code.claim_limit_first_ms) == (1, T0)
    assert (attempt(step.state, 1).status, attempt(step.state, 1).reason) == (
        "failed",
        "claim_limit",
    )
    assert attempt(step.state, 2).status == "pending"  # not taken as the code being invalid
    assert [e.kind for e in step.events].count("claim_limit") == 1
    step2, action = run_one(step.state, USED, T0 + 1)
    assert action.fid == 2  # the next player became the canary
    assert step2.state.codes["GIFT"].claim_limit_hits == 2
    assert "claim_limit" not in [e.kind for e in step2.events]  # announced once per code


def test_a_canary_that_cannot_tell_hands_over_to_the_next_player() -> None:
    step, _ = run_one(setup([1, 2, 3]), VIP, T0)
    assert step.state.codes["GIFT"].canary_fid is None
    assert "canary_moved" in [e.kind for e in step.events]
    assert [a.fid for a in rules.next_actions(step.state, T0 + 1, FAST).actions] == [2]


def test_a_canary_that_waits_holds_the_code() -> None:
    step, _ = run_one(setup([1, 2, 3]), TEMP, T0)
    assert step.state.codes["GIFT"].canary_fid == 1
    plan = rules.next_actions(step.state, T0 + 1, FAST)
    assert plan.actions == () and plan.wake_ms == attempt(step.state, 1).next_try_ms


def test_a_code_that_expires_midway_stops_for_everyone_left() -> None:
    policy = Policy(player_gap_ms=0, requests_per_second=1000, canary=False)
    state = setup([1, 2, 3], policy=policy)
    state = run_one(state, OK, T0, policy=policy)[0].state
    state = run_one(state, EXPIRED, T0 + 1, policy=policy)[0].state
    assert attempt(state, 1).status == "done"  # the success stays
    assert [attempt(state, f).status for f in (2, 3)] == ["failed", "failed"]


# --- player refresh ---------------------------------------------------------------------------


def test_user_info_error_looks_the_player_up_again_then_redeems() -> None:
    policy = FAST
    step, _ = run_one(setup([1]), answer("refresh_player", "player_moved"), T0)
    assert attempt(step.state, 1).refresh
    plan = rules.next_actions(step.state, T0 + 1, policy)
    assert plan.actions[0].kind == "refresh"
    moved = Answer(kind="success", reason="success", player=info(1, kid=300))
    step = run_one(step.state, moved, T0 + 1)[0]
    assert step.state.players[1].kid == 300
    assert not attempt(step.state, 1).refresh
    plan = rules.next_actions(step.state, T0 + 2, policy)
    assert (plan.actions[0].kind, plan.actions[0].kid) == ("redeem", 300)


def test_not_login_logs_the_player_in_before_the_next_try() -> None:
    step, _ = run_one(setup([1]), answer("temporary", "not_login"), T0)
    waiting = attempt(step.state, 1)
    assert waiting.refresh and waiting.temporary == 1
    plan = rules.next_actions(step.state, waiting.next_try_ms, FAST)
    assert plan.actions[0].kind == "refresh"


def test_a_refresh_that_finds_no_player_fails_the_attempt() -> None:
    step, _ = run_one(setup([1]), answer("refresh_player", "player_moved"), T0)
    gone = answer("player_permanent", "no_such_player")
    step = run_one(step.state, gone, T0 + 1)[0]
    assert (attempt(step.state, 1).status, attempt(step.state, 1).reason) == (
        "failed",
        "no_such_player",
    )


# --- planning ---------------------------------------------------------------------------------


def test_never_more_than_the_concurrency_limit_in_flight() -> None:
    policy = Policy(player_gap_ms=0, requests_per_second=1000, canary=False, max_concurrency=2)
    state, now = many_players(6), T0
    for _ in range(6):
        for action in rules.next_actions(state, now, policy).actions:
            state = rules.start(state, action, now, policy).state
        now += 10
    assert rules.in_flight(state) == 2


def test_starts_are_spaced_by_the_overall_rate() -> None:
    policy = Policy(player_gap_ms=0, requests_per_second=1.0, canary=False, max_concurrency=5)
    state, starts = many_players(10), []
    for now in range(T0, T0 + 5_000, 50):
        for action in rules.next_actions(state, now, policy).actions:
            state = rules.start(state, action, now, policy).state
            state = rules.apply(state, action, OK, now, random.Random(1), policy).state
            starts.append(now)
    assert starts == [T0, T0 + 1_000, T0 + 2_000, T0 + 3_000, T0 + 4_000]


def test_a_player_is_never_asked_twice_within_its_gap() -> None:
    policy = Policy(player_gap_ms=3_000, requests_per_second=1000, canary=False)
    state = setup([1], "A", policy)
    state = rules.enqueue(state, "B", [1], T0, policy=policy).state
    state = run_one(state, OK, T0, policy=policy)[0].state
    plan = rules.next_actions(state, T0 + 100, policy)
    assert plan.actions == () and plan.wake_ms == T0 + 3_000
    assert rules.next_actions(state, T0 + 3_000, policy).actions


def test_older_codes_go_first_when_equally_ready() -> None:
    policy = Policy(player_gap_ms=0, requests_per_second=1000, canary=False)
    state = RedemptionState()
    state = rules.save_player(state, info(1), T0).state
    state = rules.enqueue(state, "NEW", [1], T0 + 5, policy=policy).state
    state = rules.enqueue(state, "OLD", [1], T0, policy=policy).state
    assert rules.next_actions(state, T0 + 10, policy).actions[0].code == "OLD"


def test_a_restart_retries_what_was_in_flight_without_counting_it_as_a_failure() -> None:
    state = setup([1])
    action = rules.next_actions(state, T0, FAST).actions[0]
    state = rules.start(state, action, T0, FAST).state
    resumed = rules.resume(state, T0 + 60_000)
    again = attempt(resumed.state, 1)
    assert (again.status, again.temporary, again.unknown) == ("waiting", 0, 0)
    assert rules.next_actions(resumed.state, T0 + 60_000, FAST).actions[0].fid == 1
    # The publisher says RECEIVED if the first request went through: that is a success.
    step = run_one(resumed.state, RECEIVED, T0 + 60_000)[0]
    assert attempt(step.state, 1).status == "done"


def test_an_admin_redeem_requeues_failures_that_can_change_but_not_dead_codes() -> None:
    state = setup([1, 2], policy=Policy(player_gap_ms=0, requests_per_second=1000, canary=False))
    state = run_one(state, VIP, T0)[0].state
    requeued = rules.enqueue(state, "GIFT", [1, 2], T0 + 1, policy=FAST, retry_failed=True)
    assert attempt(requeued.state, 1).status == "pending"
    assert [e.kind for e in requeued.events] == ["attempt_requeued"]


def test_removing_a_player_drops_its_untried_attempts_and_keeps_its_results() -> None:
    state = setup([1], "A")
    state = rules.enqueue(state, "B", [1], T0, policy=FAST).state
    state = run_one(state, OK, T0)[0].state
    step = rules.remove_player(state, 1, T0 + 1)
    assert 1 not in step.state.players
    assert [a.status for a in step.state.attempts.values()] == ["done"]


def test_queued_attempts_are_only_for_registered_players() -> None:
    state = setup([1])
    step = rules.enqueue(state, "NEW", [1, 99], T0, policy=FAST)
    assert rules.attempt_key("NEW", 99) not in step.state.attempts


def test_auto_redeem_players_come_from_guilds_that_turned_it_on() -> None:
    guilds = [
        rules.GuildSettings(guild_id=1, auto_redeem=True, players=(5, 3)),
        rules.GuildSettings(guild_id=2, auto_redeem=False, players=(7,)),
        rules.GuildSettings(guild_id=3, auto_redeem=True, players=(3, 9)),
    ]
    assert rules.auto_redeem_fids(guilds) == (3, 5, 9)


def test_the_summary_counts_each_status_and_failures_by_reason() -> None:
    policy = Policy(player_gap_ms=0, requests_per_second=1000, canary=False)
    state, now = setup([1, 2, 3, 4, 5], policy=policy), T0
    for reply in (OK, RECEIVED, VIP, TEMP):
        state, now = run_one(state, reply, now, policy=policy)[0].state, now + 1
    [summary] = rules.summarize(state, "GIFT")
    assert (summary.redeemed, summary.already, summary.waiting, summary.pending) == (1, 1, 1, 1)
    assert summary.failed == {"vip_required": 1}


def test_state_round_trips_through_json_rows() -> None:
    state = run_one(setup([1, 2]), TEMP, T0)[0].state
    encoded = msgspec.json.encode(state)
    assert msgspec.json.decode(encoded, type=RedemptionState) == state
    row = state.attempts[rules.attempt_key("GIFT", 1)]
    assert msgspec.json.decode(msgspec.json.encode(row), type=rules.Attempt) == row


def test_an_impossible_policy_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as err:
        Policy(max_concurrency=0).check()
    assert err.value.params["setting"] == "max_concurrency"
    assert Policy().check() == Policy()


def test_several_new_codes_are_tested_at_once_on_different_players_before_anything_else() -> None:
    policy = Policy(player_gap_ms=0, requests_per_second=1000, max_concurrency=3)
    state = setup([1, 2, 3, 4], code="OPEN", policy=policy)
    step, _ = run_one(state, OK, T0, policy=policy)  # OPEN's canary answered: open to all
    state = step.state
    for code in ("NEWA", "NEWB"):
        state = rules.enqueue(state, code, [1, 2, 3, 4], T0 + 1, policy=policy).state
    started = []
    now = T0 + 2
    while (plan := rules.next_actions(state, now, policy)).actions:
        action = plan.actions[0]
        started.append((action.code, action.fid))
        state = rules.start(state, action, now, policy).state
        now += 1
    # The two canaries go first, on two players, ahead of the open code's waiting attempts.
    assert started[:2] == [("NEWA", 1), ("NEWB", 2)]
    assert started[2][0] == "OPEN"
