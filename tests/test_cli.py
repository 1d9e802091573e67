"""The `perks` command as a user runs it: a real process on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import TEST_SECRET


def perks(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PERKS_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'cli.db'}",
        "PERKS_SECRET_KEY": TEST_SECRET,
    }
    return subprocess.run(
        [sys.executable, "-m", "perks", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=workdir,
        timeout=60,
    )


@pytest.fixture
def migrated(workdir: Path) -> Path:
    result = perks(workdir, "migrate")
    assert result.returncode == 0, result.stderr
    return workdir


def test_accounts_and_keys_round_trip(migrated: Path) -> None:
    created = perks(migrated, "accounts", "create", "Acme", "--json")
    assert created.returncode == 0, created.stderr
    account = json.loads(created.stdout)
    assert set(account) == {"account_id", "workspace_id", "api_key"}
    assert account["api_key"].startswith("rs_live_") and len(account["api_key"]) == 48

    public = json.loads(
        perks(
            migrated, "keys", "create", "--account", account["account_id"], "--kind", "public", "--json"
        ).stdout
    )
    assert public["kind"] == "public" and public["api_key"].startswith("pk_live_")

    listed = json.loads(perks(migrated, "keys", "list", "--account", account["account_id"], "--json").stdout)
    assert [key["kind"] for key in listed] == ["server", "public"]
    assert all(key["revoked_at"] is None for key in listed)
    assert all(account["api_key"] not in json.dumps(key) for key in listed)

    revoked = perks(migrated, "keys", "revoke", public["key_id"])
    assert revoked.returncode == 0
    listed = json.loads(perks(migrated, "keys", "list", "--account", account["account_id"], "--json").stdout)
    assert [key["revoked_at"] is not None for key in listed] == [False, True]


@pytest.mark.parametrize(
    "args",
    [
        ("keys", "create", "--account", "no-such-account"),
        ("keys", "list", "--account", "no-such-account"),
        ("keys", "revoke", "no-such-key"),
        ("accounts", "create", "  "),
    ],
)
def test_user_mistakes_are_one_line_on_stderr_and_exit_1(migrated: Path, args: tuple[str, ...]) -> None:
    result = perks(migrated, *args)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_bad_kind_is_refused_by_the_parser(migrated: Path) -> None:
    result = perks(migrated, "keys", "create", "--account", "x", "--kind", "admin")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_an_unmigrated_database_is_reported_not_raised(workdir: Path) -> None:
    result = perks(workdir, "accounts", "create", "Acme")
    assert result.returncode == 1
    assert result.stderr.startswith("error: database error")
    assert "Traceback" not in result.stderr
