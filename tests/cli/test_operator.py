"""The command line as an operator meets it at 3 a.m. (issue 11's list): one clear line per
outcome, no JSON log lines among them, no stray directories, the truth about a missing
database, and the docs' drill and import undo run as written."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from support import open_app

REPO = Path(__file__).resolve().parents[2]
G, ALICE, BOB = 111_111_111_111_111_111, 123_456_789_012_345_678, 223_456_789_012_345_678


def vouchy(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("VOUCHY_")
    }  # only what the test says
    environment["PYTHONPATH"] = str(REPO)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "vouchy", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def seed(tmp_path: Path, data: str = "d1") -> None:
    points = tmp_path / "points.json"
    points.write_text(json.dumps({str(ALICE): 100, str(BOB): 50}))
    done = vouchy(
        "--data", data, "import", "points-json", "points.json", "--guild", str(G), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr


def test_snapshots_belong_to_the_data_directory_and_every_command_agrees(tmp_path: Path) -> None:
    seed(tmp_path)
    taken = vouchy("--data", "d1", "snapshot", cwd=tmp_path)
    assert taken.returncode == 0 and "d1/snapshots/vouchy-" in taken.stdout
    name = Path(taken.stdout.strip()).name
    listed = vouchy("--data", "d1", "snapshots", cwd=tmp_path)
    assert name in listed.stdout
    assert vouchy("--data", "d1", "verify", name, cwd=tmp_path).returncode == 0
    status = vouchy("--data", "d1", "status", cwd=tmp_path)
    assert "snapshots  1 in d1/snapshots" in status.stdout
    assert not (tmp_path / "snapshots").exists()  # nothing in the current directory


@pytest.mark.parametrize(
    "command",
    [
        ["repair"],
        ["audit"],
        ["snapshot"],
        ["status"],
        ["balance", str(G), str(ALICE)],
        ["export", "ledger", "--guild", str(G)],
    ],
)
def test_a_command_that_reads_or_repairs_never_creates_a_data_directory(
    tmp_path: Path, command: list[str]
) -> None:
    done = vouchy("--data", "typo", *command, cwd=tmp_path)
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "error: no database at typo/vouchy.db (use --data DIR to point at the data directory)"
    )
    assert done.stdout == ""
    assert not (tmp_path / "typo").exists()


def test_status_says_the_database_is_missing_and_exits_1(tmp_path: Path) -> None:
    seed(tmp_path)
    for name in ("vouchy.db", "vouchy.db-wal", "vouchy.db-shm"):
        (tmp_path / "d1" / name).unlink(missing_ok=True)
    done = vouchy("--data", "d1", "status", cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "database   MISSING: no vouchy.db in d1 (the next start rebuilds it from the snapshots and the journal)"
        in done.stdout
    )
    assert "0 accounts" not in done.stdout


@pytest.mark.parametrize("command", ["import", "repair", "restore", "snapshot"])
def test_interactive_commands_print_lines_for_people_not_json_logs(
    tmp_path: Path, command: str
) -> None:
    seed(tmp_path)
    if command == "import":
        (tmp_path / "more.csv").write_text(f"user_id,points\n{ALICE},7\n")
        done = vouchy(
            "--data", "d1", "import", "csv", "more.csv", "--guild", str(G), "--merge", cwd=tmp_path
        )
    elif command == "repair":
        done = vouchy("--data", "d1", "repair", cwd=tmp_path)
    elif command == "snapshot":
        done = vouchy("--data", "d1", "snapshot", cwd=tmp_path)
    else:
        name = Path(vouchy("--data", "d1", "snapshot", cwd=tmp_path).stdout.strip()).name
        done = vouchy("--data", "d1", "restore", name, "--yes", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for line in (done.stdout + done.stderr).splitlines():
        assert not line.startswith("{"), f"a log line among the output: {line}"
    # With logging.file set, the log lines go there.
    log = tmp_path / "vouchy.log"
    again = vouchy("--data", "d1", "repair", cwd=tmp_path, env={"VOUCHY_LOGGING_FILE": str(log)})
    assert again.returncode == 0 and not again.stderr
    assert any(
        json.loads(line)["event"] == "writer_started" for line in log.read_text().splitlines()
    )


def test_an_import_refusal_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps({str(ALICE): None}))
    done = vouchy(
        "--data", "d1", "import", "points-json", "bad.json", "--guild", str(G), cwd=tmp_path
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: bad.json: key '{ALICE}': the points are empty, not a whole number; nothing was imported"
    ]


def test_counts_read_as_english_one_member_one_account(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(json.dumps({str(ALICE): 5}))
    checked = vouchy(
        "--data",
        "d1",
        "import",
        "points-json",
        "one.json",
        "--guild",
        str(G),
        "--check",
        cwd=tmp_path,
    )
    assert "valid; 1 member, 5 points" in checked.stdout
    done = vouchy(
        "--data", "d1", "import", "points-json", "one.json", "--guild", str(G), cwd=tmp_path
    )
    assert "1 account opened" in done.stdout and "in 1 ledger row" in done.stdout
    assert "1 accounts" not in done.stdout and "1 members" not in done.stdout


def test_export_to_a_missing_folder_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    seed(tmp_path)
    done = vouchy(
        "--data",
        "d1",
        "export",
        "ledger",
        "--guild",
        str(G),
        "--out",
        "/nonexistent/dir/x.csv",
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: cannot write /nonexistent/dir/x.csv: the folder /nonexistent/dir does not exist; nothing was written"
    ]


def test_export_of_a_guild_with_no_rows_says_the_guild_may_be_wrong(tmp_path: Path) -> None:
    seed(tmp_path)
    done = vouchy("--data", "d1", "export", "ledger", "--guild", "999", cwd=tmp_path)
    assert done.returncode == 0
    assert (
        f"exported 0 ledger rows of guild 999: guild 999 has no ledger rows here (guilds here: {G})"
        in done.stderr
    )


def test_run_with_a_malformed_token_is_one_line_and_touches_nothing(tmp_path: Path) -> None:
    done = vouchy("--data", "d9", "run", cwd=tmp_path, env={"VOUCHY_DISCORD_TOKEN": "abc"})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: the bot token is not in Discord's format (three parts separated by dots): copy it "
        "again from the developer portal (your application → Bot → Reset Token)"
    ]
    assert not (tmp_path / "d9").exists()


def test_run_when_discord_cannot_be_reached_says_what_to_check(tmp_path: Path) -> None:
    done = vouchy(
        "--data",
        "d9",
        "run",
        cwd=tmp_path,
        env={
            "VOUCHY_DISCORD_TOKEN": "MTIz.abc.def",
            "VOUCHY_DISCORD_REST_URL": "http://127.0.0.1:9/api/v10",
            "VOUCHY_LOGGING_LEVEL": "ERROR",
        },
    )
    assert done.returncode == 2
    last = done.stderr.splitlines()[-1]
    assert last.startswith("error: could not reach Discord at http://127.0.0.1:9/api/v10")
    assert last.endswith("check the network and DNS, and discord.rest_url")
    assert "Traceback" not in done.stderr


def test_health_on_a_fresh_install_says_when_the_first_snapshot_comes(tmp_path: Path) -> None:
    seed(tmp_path)
    done = vouchy("--data", "d1", "health", cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "unhealthy: no verified snapshot yet in d1/snapshots (the bot takes its first a few seconds after it starts)"
        in done.stdout
    )


def test_history_help_describes_every_option(tmp_path: Path) -> None:
    done = vouchy("history", "--help", cwd=tmp_path)
    for option in ("guild", "user", "--page", "--size", "--json"):
        line = next(ln for ln in done.stdout.splitlines() if ln.strip().startswith(option))
        assert len(line.split()) > 1 or option in ("guild", "user"), line
    assert "the server's id" in done.stdout and "entries per page" in done.stdout


def test_restore_asks_on_a_terminal_and_refuses_with_one_line_without_one(tmp_path: Path) -> None:
    seed(tmp_path)
    name = Path(vouchy("--data", "d1", "snapshot", cwd=tmp_path).stdout.strip()).name
    refused = vouchy("--data", "d1", "restore", name, cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr.strip().endswith("Add --yes to confirm.")
    # On a terminal it asks; "n" changes nothing.
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command on a terminal
        os.chdir(tmp_path)
        os.environ["PYTHONPATH"] = str(REPO)
        os.execv(sys.executable, [sys.executable, "-m", "vouchy", "--data", "d1", "restore", name])
    output = b""
    while b"[y/N]" not in output:
        output += os.read(fd, 1024)
    os.write(fd, b"n\n")
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert b"Replace d1/vouchy.db with" in output and b"[y/N]" in output
    assert os.waitstatus_to_exitcode(status) == 2 and b"nothing was changed" in output


def test_the_docs_undo_of_an_import_runs_as_written(tmp_path: Path) -> None:
    seed(tmp_path)
    docs = (REPO / "docs" / "operations.md").read_text()
    [block] = re.findall(r"```bash\n  (python -m vouchy import undo .*?)\n  ```", docs)
    command = shlex.split(
        block.replace("/path/to/points.json", "points.json").replace("GUILD_ID", str(G))
    )
    assert command[:3] == ["python", "-m", "vouchy"]
    # Bob spends 20 of his imported 50 first: those stay spent.

    async def spend() -> None:
        app = await open_app(tmp_path / "d1")
        try:
            await app.points.member(G, BOB).spend(20, "ix:spent-before-undo")
        finally:
            await app.close()

    asyncio.run(spend())
    done = vouchy("--data", "d1", *command[3:], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"undid the import of points.json in guild {G}: 130 points taken back from 2 members; "
        "1 member had already spent 20 points of theirs, which stay spent (--json lists them)"
    )
    again = vouchy("--data", "d1", *command[3:], cwd=tmp_path)
    assert "0 points taken back from 0 members (2 undone before)" in again.stdout
    for user in (ALICE, BOB):
        balance = vouchy("--data", "d1", "balance", str(G), str(user), cwd=tmp_path)
        assert balance.stdout.strip() == "0 points"
    assert vouchy("--data", "d1", "audit", cwd=tmp_path).returncode == 0


def test_the_docs_backup_and_restore_drill_runs_step_by_step_as_written(tmp_path: Path) -> None:
    live = tmp_path / "srv" / "vouchy" / "data"
    live.parent.mkdir(parents=True)
    seed(tmp_path, str(live))
    name = Path(vouchy("--data", str(live), "snapshot", cwd=tmp_path).stdout.strip()).name
    (tmp_path / "more.json").write_text(json.dumps({"323456789012345678": 9}))
    assert (
        vouchy(
            "--data",
            str(live),
            "import",
            "points-json",
            "more.json",
            "--guild",
            str(G),
            cwd=tmp_path,
        ).returncode
        == 0
    )
    docs = (REPO / "docs" / "operations.md").read_text()
    drill = docs.split("A drill, monthly, on a copy")[1].split("```bash\n")[1].split("```")[0]
    steps = [line.split("#")[0].strip() for line in drill.strip().splitlines()]
    outputs = []
    for step in steps:
        step = (
            step.replace("/srv/vouchy/data", str(live))
            .replace("/tmp/drill", str(tmp_path / "drill"))
            .replace("vouchy-20261121T055531Z.db", name)
            .replace("GUILD_ID", str(G))
            .replace("USER_ID", "323456789012345678")
        )
        words = shlex.split(step)
        if words[:2] == ["python", "-m"]:
            done = vouchy(*words[3:], cwd=tmp_path)
        else:
            done = subprocess.run(words, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, f"{step}: {done.stderr}"
        outputs.append(done.stdout)
    assert name in outputs[2]  # snapshots lists it
    assert (
        outputs[-1].strip() == "9 points"
    )  # the import after the snapshot came back from the journal
