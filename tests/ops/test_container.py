"""The container, checked without a Docker engine: the Dockerfile's facts, and its install and
entry-point steps replayed in a clean virtual environment."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vouchy.app import load_config

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, its arguments) in order, continuation lines joined, comments dropped."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        name, _, args = line.partition(" ")
        found.append((name.upper(), args.strip()))
    return found


def args_of(name: str) -> list[str]:
    return [args for n, args in instructions() if n == name]


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for args in args_of("ENV"):
        for pair in shlex.split(args):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


# -- the Dockerfile's facts -----------------------------------------------------------------------


def test_the_image_builds_on_slim_python_3_11():
    [base] = args_of("FROM")
    assert base.startswith("python:3.11-slim")


def test_the_image_installs_the_project_with_pip_from_pyproject_ranges():
    copied = [a.split()[:-1] for a in args_of("COPY")]
    assert ["pyproject.toml", "README.md"] in copied and ["vouchy"] in copied
    assert any("pip install ." in run for run in args_of("RUN"))
    assert not any(" -e " in run or "--editable" in run for run in args_of("RUN"))


def test_the_bot_runs_as_a_non_root_user():
    users = args_of("USER")
    assert users, "no USER: the bot would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    # The user is the last thing set before the entry point: nothing after it runs as root.
    names = [n for n, _ in instructions()]
    assert "RUN" not in names[names.index("USER") :]


def test_the_data_volume_holds_the_database_journal_and_snapshots():
    assert args_of("VOLUME") == ["/data"]
    env = image_env()
    assert env["VOUCHY_DATA_DIR"] == "/data"
    assert env["VOUCHY_SNAPSHOTS_DIR"] == "/data/snapshots"
    config = load_config(env=env)
    for place in (config.db_path, config.journal_dir, config.snapshot_dir):
        assert place.is_relative_to("/data"), place


def test_the_healthcheck_runs_vouchy_health():
    [check] = args_of("HEALTHCHECK")
    options, _, command = check.partition("CMD ")
    assert exec_form(command) == ["python", "-m", "vouchy", "health"]
    assert "--interval=" in options and "--start-period=" in options


def test_the_entry_point_is_python_m_vouchy_with_run_as_its_command():
    assert [exec_form(a) for a in args_of("ENTRYPOINT")] == [["python", "-m", "vouchy"]]
    assert [exec_form(a) for a in args_of("CMD")] == [["run"]]


def test_the_container_is_stopped_with_sigterm_which_run_handles():
    assert args_of("STOPSIGNAL") == ["SIGTERM"]


def test_the_build_context_leaves_out_data_environments_and_secrets():
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "allow-list the build context: everything else stays out"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {"pyproject.toml", "README.md", "vouchy"}
    for args in args_of("COPY"):
        for source in args.split()[:-1]:
            assert source.rstrip("/") in allowed, source


def test_compose_mounts_the_volume_and_takes_the_token_from_the_environment():
    text = (ROOT / "compose.yaml").read_text()
    assert "- vouchy-data:/data" in text and "\nvolumes:\n  vouchy-data:" in text
    assert "VOUCHY_DISCORD_TOKEN: ${VOUCHY_DISCORD_TOKEN:?" in text
    assert "stop_grace_period:" in text and "stop_signal: SIGTERM" in text


# -- the image's steps in a clean virtual environment ---------------------------------------------


def test_a_clean_install_answers_health_with_1_and_a_reason_when_no_bot_runs(tmp_path):
    """COPY what the Dockerfile copies, ``pip install .`` into a new venv (no -e, dependencies
    from pyproject's ranges), drop the sources, then run the image's commands with its
    environment from the data directory."""
    build = tmp_path / "build"
    build.mkdir()
    for args in args_of("COPY"):
        for source in args.split()[:-1]:
            src = ROOT / source
            if src.is_dir():
                shutil.copytree(
                    src, build / source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
                )
            else:
                shutil.copy2(src, build / source)
    venv = tmp_path / "venv"
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "."],
        cwd=build,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    shutil.rmtree(build)

    data = tmp_path / "data"
    (data / "snapshots").mkdir(parents=True)
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        **{k: v.replace("/data", str(data)) for k, v in image_env().items()},
    }

    def image(command: list[str]) -> subprocess.CompletedProcess[str]:
        assert command[0] == "python"
        return subprocess.run(
            [str(python), *command[1:]],
            cwd=data,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    [entrypoint] = [exec_form(a) for a in args_of("ENTRYPOINT")]
    [cmd] = [exec_form(a) for a in args_of("CMD")]
    version = image([*entrypoint, "--version"])
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("vouchy ")
    run_help = image([*entrypoint, *cmd, "--help"])
    assert run_help.returncode == 0, run_help.stderr
    assert "SIGTERM" in run_help.stdout

    [check] = args_of("HEALTHCHECK")
    health = image(exec_form(check.partition("CMD ")[2]))
    assert health.returncode == 1, health.stdout + health.stderr
    lines = health.stdout.splitlines()
    assert lines[0] == (
        f"unhealthy: no heartbeat at {data / 'heartbeat.json'}: the bot is not running "
        "(or has not finished starting)"
    )
    assert all(line.startswith("unhealthy: ") for line in lines)


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")
def test_the_ci_container_check_is_an_executable_bash_script():
    script = ROOT / ".ci" / "container-check"
    assert os.access(script, os.X_OK)
    assert script.read_text().startswith("#!/usr/bin/env bash\n")
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
