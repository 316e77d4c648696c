"""Voice XP: only eligible time counts, whole minutes are credited, partial minutes carry
over, and a session left open by a stopped bot is closed without inventing minutes."""

from hypothesis import given
from hypothesis import strategies as st

from vouchy.features.levels.settings import LevelSettings, Multiplier
from vouchy.features.levels.voice import (
    IDLE,
    MINUTE_MS,
    VoiceFacts,
    VoiceMember,
    close_after_restart,
    guild_voice_facts,
    voice_skip,
    voice_step,
    voice_tick,
)


def mult(percents: dict[int, int]) -> list[Multiplier]:
    return [Multiplier(id=k, percent=v) for k, v in percents.items()]


S = LevelSettings()
T0 = 1_700_000_000_000
VC, AFK = 500, 501
WITH_FRIEND = VoiceFacts(channel_id=VC, other_humans=1)
OUT = VoiceFacts()


def minutes(m: float) -> int:
    return int(m * MINUTE_MS)


def run(events, settings=S, state=IDLE):
    """Apply (time offset, facts) events; return the total XP, minutes and the last state."""
    xp = total_minutes = 0
    for offset, facts in events:
        step = voice_step(state, facts, T0 + offset, settings)
        xp += step.xp
        total_minutes += step.minutes
        state = step.state
    return xp, total_minutes, state


def test_time_with_another_human_earns_the_rate_per_whole_minute():
    xp, mins, state = run([(0, WITH_FRIEND), (minutes(5), OUT)])
    assert (xp, mins) == (50, 5)
    assert not state.open and state.carry_ms == 0


def test_a_partial_minute_carries_over_and_completes_later():
    xp, mins, state = run([(0, WITH_FRIEND), (minutes(2.5), OUT)])
    assert (xp, mins, state.carry_ms) == (20, 2, minutes(0.5))
    xp, mins, state = run([(minutes(10), WITH_FRIEND), (minutes(10.5), OUT)], state=state)
    assert (xp, mins, state.carry_ms) == (10, 1, 0)


def test_self_muted_deafened_afk_and_alone_time_never_counts():
    xp, mins, _ = run(
        [
            (0, WITH_FRIEND),  # 5.5 eligible minutes
            (minutes(5.5), VoiceFacts(channel_id=VC, other_humans=1, self_mute=True)),  # 3
            (minutes(8.5), VoiceFacts(channel_id=VC, other_humans=1, self_deaf=True)),  # 2
            (minutes(10.5), VoiceFacts(channel_id=VC, other_humans=0)),  # alone for 4
            (minutes(14.5), WITH_FRIEND),  # 1.75 eligible minutes
            (minutes(16.25), VoiceFacts(channel_id=AFK, afk=True, other_humans=1)),  # 10
            (minutes(26.25), OUT),
        ]
    )
    # 5.5 + 1.75 = 7.25 eligible minutes: 7 credited, 15 s carried.
    assert (mins, xp) == (7, 70)


def test_each_reason_time_does_not_count_is_named():
    def skip(**facts):
        return voice_skip(VoiceFacts(**facts), S)

    assert skip(channel_id=VC, other_humans=1) == ""
    assert skip() == "not_in_voice"
    assert skip(channel_id=VC, other_humans=1, is_bot=True) == "bot"
    assert skip(channel_id=AFK, afk=True, other_humans=1) == "afk"
    assert skip(channel_id=VC, other_humans=1, self_mute=True) == "self_mute"
    assert skip(channel_id=VC, other_humans=1, self_deaf=True) == "self_deaf"
    assert skip(channel_id=VC, other_humans=0) == "alone"


def test_no_xp_channels_and_roles_hold_in_voice_too():
    settings = LevelSettings(no_xp_channels=[VC], no_xp_roles=[66])
    assert voice_skip(WITH_FRIEND, settings) == "no_xp_channel"
    muted_role = VoiceFacts(channel_id=600, other_humans=1, role_ids=frozenset({66}))
    assert voice_skip(muted_role, settings) == "no_xp_role"
    assert run([(0, WITH_FRIEND), (minutes(30), OUT)], settings)[0] == 0


def test_voice_xp_follows_the_rate_and_the_multiplier_of_the_segment():
    settings = LevelSettings(voice_xp_per_minute=7, channel_multipliers=mult({VC: 150}))
    xp, mins, _ = run([(0, WITH_FRIEND), (minutes(3), OUT)], settings)
    assert (mins, xp) == (3, 32)  # 21 XP x1.5 = 31.5, rounded half up


def test_ticks_credit_a_long_session_as_it_goes_and_lose_nothing():
    state = voice_step(IDLE, WITH_FRIEND, T0, S).state
    total = 0
    for t in (minutes(1.5), minutes(3.2), minutes(7)):
        tick = voice_tick(state, T0 + t, S)
        total += tick.minutes
        state = tick.state
    end = voice_step(state, OUT, T0 + minutes(9.75), S)
    assert total + end.minutes == 9 and end.state.carry_ms == minutes(0.75)


def test_a_step_names_the_segment_it_closes_so_a_replay_is_recognised():
    opened = voice_step(IDLE, WITH_FRIEND, T0, S)
    closed = voice_step(opened.state, OUT, T0 + minutes(2), S)
    assert closed.segment_ms == T0
    replay = voice_step(opened.state, OUT, T0 + minutes(2), S)
    assert replay == closed  # the same old row and event give the same credit and reference


def test_a_clock_that_goes_back_credits_nothing():
    opened = voice_step(IDLE, WITH_FRIEND, T0, S).state
    back = voice_step(opened, OUT, T0 - minutes(5), S)
    assert back.minutes == 0 and back.eligible_ms == 0


def test_a_session_open_at_a_restart_counts_up_to_the_last_known_moment_only():
    opened = voice_step(IDLE, WITH_FRIEND, T0, S).state
    # The bot's last heartbeat was 4.5 minutes in; it restarts an hour later.
    closed = close_after_restart(opened, T0 + minutes(4.5), T0 + minutes(60), S)
    assert closed.minutes == 4 and closed.xp == 40
    assert not closed.state.open and closed.state.carry_ms == minutes(0.5)


def test_a_session_open_at_a_restart_with_nothing_known_credits_nothing_more():
    opened = voice_step(IDLE, WITH_FRIEND, T0, S).state
    closed = close_after_restart(opened, None, T0 + minutes(60), S)
    assert closed.minutes == 0 and closed.xp == 0 and not closed.state.open


def test_a_restart_closes_an_ineligible_session_without_xp_and_leaves_a_closed_one_alone():
    muted = voice_step(IDLE, VoiceFacts(channel_id=VC, other_humans=1, self_mute=True), T0, S)
    assert close_after_restart(muted.state, T0 + minutes(30), T0 + minutes(60), S).xp == 0
    closed = voice_step(muted.state, OUT, T0 + minutes(1), S).state
    assert close_after_restart(closed, T0 + minutes(30), T0 + minutes(60), S).state == closed


def test_a_heartbeat_after_now_is_capped_at_now():
    opened = voice_step(IDLE, WITH_FRIEND, T0, S).state
    closed = close_after_restart(opened, T0 + minutes(90), T0 + minutes(10), S)
    assert closed.minutes == 10


def test_after_a_restart_the_new_session_starts_at_the_start_not_before():
    opened = voice_step(IDLE, WITH_FRIEND, T0, S).state
    closed = close_after_restart(opened, T0 + minutes(2), T0 + minutes(60), S).state
    reopened = voice_step(closed, WITH_FRIEND, T0 + minutes(60), S)
    assert reopened.minutes == 0
    later = voice_step(reopened.state, OUT, T0 + minutes(63), S)
    assert later.minutes == 3


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=minutes(30)),
            st.booleans(),  # in voice
            st.booleans(),  # muted
            st.integers(min_value=0, max_value=2),  # other humans
        ),
        max_size=30,
    )
)
def test_credited_minutes_never_exceed_eligible_time(events):
    state, t, eligible_ms, credited = IDLE, T0, 0, 0
    eligible_now = False
    for gap, in_voice, muted, others in events:
        t += gap
        if eligible_now:
            eligible_ms += gap
        facts = VoiceFacts(channel_id=VC, self_mute=muted, other_humans=others) if in_voice else OUT
        step = voice_step(state, facts, t, S)
        credited += step.minutes
        state = step.state
        eligible_now = in_voice and not muted and others >= 1
    assert credited * MINUTE_MS + state.carry_ms == eligible_ms
    assert 0 <= state.carry_ms < MINUTE_MS


def test_guild_facts_count_other_humans_and_ignore_bots():
    facts = guild_voice_facts(
        [
            VoiceMember(member_id=1, channel_id=VC),
            VoiceMember(member_id=2, channel_id=VC, is_bot=True),
            VoiceMember(member_id=3, channel_id=600),
            VoiceMember(member_id=4, channel_id=AFK),
            VoiceMember(member_id=5, channel_id=AFK),
        ],
        afk_channel_id=AFK,
        parents={VC: (77,)},
    )
    assert facts[1].other_humans == 0 and facts[1].parent_ids == (77,)
    assert facts[2].other_humans == 1 and voice_skip(facts[2], S) == "bot"
    assert voice_skip(facts[3], S) == "alone"
    assert facts[4].afk and facts[4].other_humans == 1 and voice_skip(facts[4], S) == "afk"


def test_voice_seconds_count_the_credited_minutes():
    _, _, state = run([(0, WITH_FRIEND)])
    step = voice_step(state, OUT, T0 + minutes(3.5), S)
    assert step.counters.voice_seconds == 180
