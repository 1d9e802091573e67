"""`perks users` as an operator runs it: a real process on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import migrated, perks

__all__ = ["migrated"]  # the fixture, used below


def test_users_create_list_and_disable(migrated: Path) -> None:
    account = json.loads(perks(migrated, "accounts", "create", "Acme", "--json").stdout)["account_id"]
    created = perks(
        migrated, "users", "create", "Ada@Example.com", "--account", account, "--role", "manager", "--json"
    )
    assert created.returncode == 0, created.stderr
    user = json.loads(created.stdout)
    assert set(user) == {"user_id", "email", "password"}
    assert user["email"] == "ada@example.com" and len(user["password"]) >= 16

    listed = json.loads(perks(migrated, "users", "list", "--account", account, "--json").stdout)
    assert [(row["email"], row["role"], row["disabled_at"]) for row in listed] == [
        ("ada@example.com", "manager", None)
    ]
    assert user["password"] not in json.dumps(listed)

    assert perks(migrated, "users", "disable", "ADA@example.com").returncode == 0
    listed = json.loads(perks(migrated, "users", "list", "--account", account, "--json").stdout)
    assert listed[0]["disabled_at"] is not None

    taken = perks(migrated, "users", "create", "ada@example.com", "--account", account)
    assert taken.returncode == 1 and "already exists" in taken.stderr
    for args in (
        ("users", "create", "x@example.com", "--account", "no-such-account"),
        ("users", "create", "not-an-email", "--account", account),
        ("users", "disable", "nobody@example.com"),
        ("users", "list", "--account", "no-such-account"),
    ):
        failed = perks(migrated, *args)
        assert failed.returncode == 1 and failed.stderr.startswith("error: "), args
    assert (
        perks(migrated, "users", "create", "y@example.com", "--account", account, "--role", "boss").returncode
        == 2
    )
