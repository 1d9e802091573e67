"""The `perks` command: serve, worker, migrate, accounts, keys."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from perks import accounts
from perks.config import Settings
from perks.console.users import service as console_users
from perks.console.users.models import Role
from perks.console.users.service import NewUser
from perks.db.database import Database, advisory_lock
from perks.db.migrate import migrate
from perks.errors import AppError
from perks.tenancy import repository as tenancy_repository
from perks.tenancy import service as tenancy
from perks.tenancy.context import KeyKind
from perks.tenancy.service import NewAccount

app = typer.Typer(help="Perks: self-hosted loyalty, referral and affiliate engine.", no_args_is_help=True)
accounts_app = typer.Typer(help="Manage accounts (tenants).", no_args_is_help=True)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
users_app = typer.Typer(help="Manage console users (people who sign in at /console).", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
app.add_typer(keys_app, name="keys")
app.add_typer(users_app, name="users")

Result = TypeVar("Result")
BOOTSTRAP_LOCK = 7_311_001  # pg_advisory_xact_lock id: one process bootstraps at a time


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def run_in_transaction(work: Callable[[AsyncSession, Settings], Awaitable[Result]]) -> Result:
    """Run `work` in one transaction on the configured database; user mistakes exit 1 without a traceback."""

    async def in_transaction(database: Database, settings: Settings) -> Result:
        async with database.transaction() as session:
            return await work(session, settings)

    return run_on_database(in_transaction)


def run_on_database(work: Callable[[Database, Settings], Awaitable[Result]]) -> Result:
    """Run `work` on the configured database; user mistakes exit 1 without a traceback."""
    settings = Settings()

    async def main() -> Result:
        database = Database(settings.database_url)
        try:
            return await work(database, settings)
        finally:
            await database.dispose()

    try:
        return asyncio.run(main())
    except AppError as error:
        raise fail(error.details) from None
    except (SQLAlchemyError, OSError) as error:
        raise fail(f"database error: {error.__class__.__name__}: {error}".splitlines()[0]) from None


@app.command("migrate")
def migrate_command() -> None:
    """Apply every database migration."""
    settings = Settings()
    try:
        migrate(settings.database_url)
    except (SQLAlchemyError, OSError) as error:
        raise fail(f"migration failed: {error}".splitlines()[0]) from None
    typer.echo("Database is up to date.")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (PERKS_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (PERKS_PORT)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
    no_migrate: Annotated[bool, typer.Option("--no-migrate", help="Skip migrations")] = False,
    with_worker: Annotated[
        bool, typer.Option("--with-worker", help="Also deliver webhooks in this process (PERKS_WITH_WORKER)")
    ] = False,
) -> None:
    """Migrate, create the default account on first start, and serve HTTP."""
    import uvicorn

    if with_worker:
        os.environ["PERKS_WITH_WORKER"] = "true"  # read by create_app() in every server process
    os.environ.setdefault("PERKS_GC_TUNING", "true")  # the serving processes only (perks.kit.collector)
    settings = Settings()
    if not no_migrate:
        migrate_command()
    first = run_in_transaction(bootstrap)
    bind_host, bind_port = host or settings.host, port or settings.port
    if first is not None:
        print_first_key(*first, bind_host, bind_port)
    uvicorn.run(
        "perks.app:create_app",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


@app.command("worker")
def worker_command(
    once: Annotated[bool, typer.Option("--once", help="Deliver whatever is due, then exit")] = False,
) -> None:
    """Deliver webhooks, run queued jobs and the periodic jobs until stopped (SIGTERM/SIGINT). Run as many
    as you like: they share the work."""
    from perks import worker

    settings = Settings()
    try:
        asyncio.run(worker.main(settings, once=once))
    except (SQLAlchemyError, OSError) as error:
        raise fail(f"database error: {error.__class__.__name__}: {error}".splitlines()[0]) from None


async def bootstrap(session: AsyncSession, settings: Settings) -> tuple[NewAccount, NewUser] | None:
    """Create the `default` account and its console owner on an empty database; nothing on later starts."""
    await advisory_lock(session, BOOTSTRAP_LOCK)
    if await tenancy_repository.count_accounts(session) > 0:
        return None
    created = await accounts.open_account(session, "default", settings.signing_secret)
    owner = await console_users.create_user(session, created.account.id, settings.owner_email, Role.OWNER)
    return created, owner


def print_first_key(created: NewAccount, owner: NewUser, host: str, port: int) -> None:
    base = f"http://{host}:{port}"
    typer.echo(
        f'Created account "default" ({created.account.id}). Its secret API key, shown only this once:\n\n'
        f"    {created.api_key}\n\n"
        f"  curl -H 'x-api-key: {created.api_key}' {base}/api/storefront/v1/auth/authorize\n"
        f"  curl -H 'x-auth-referralstack: {created.api_key}' {base}/api/v1/workspaces/list\n\n"
        f"The console: {base}/console  (its owner, shown only this once)\n\n"
        f"    email     {owner.user.email}\n"
        f"    password  {owner.password}\n"
    )
    sys.stdout.flush()


@accounts_app.command("list")
def accounts_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line")] = False,
) -> None:
    """List the accounts (ids for `perks keys create --account ID` when a key is lost)."""

    async def work(session: AsyncSession, _settings: Settings) -> list[dict[str, str]]:
        return [
            {"account_id": account.id, "name": account.name, "created_at": account.created_at.isoformat()}
            for account in await tenancy.list_accounts(session)
        ]

    accounts = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps(accounts))
        return
    for account in accounts:
        typer.echo(f"{account['account_id']}  {account['created_at'][:19]}  {account['name']}")


@accounts_app.command("create")
def accounts_create(
    name: Annotated[str, typer.Argument(help="Account name")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line")] = False,
) -> None:
    """Create an account with its default workspace and a server API key."""
    if not name.strip():
        raise fail("the account name must not be empty")

    async def work(session: AsyncSession, settings: Settings) -> NewAccount:
        return await accounts.open_account(session, name.strip(), settings.signing_secret)

    created = run_in_transaction(work)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "account_id": created.account.id,
                    "workspace_id": created.workspace.id,
                    "api_key": created.api_key,
                }
            )
        )
    else:
        typer.echo(
            f"account {created.account.id}\nworkspace {created.workspace.id}\napi key {created.api_key}"
        )


@keys_app.command("create")
def keys_create(
    account: Annotated[str, typer.Option("--account", help="Account id")],
    kind: Annotated[KeyKind, typer.Option("--kind", help="server or public")] = KeyKind.SERVER,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line")] = False,
) -> None:
    """Create an API key; it is shown only once."""

    async def work(session: AsyncSession, settings: Settings) -> tuple[str, str]:
        key, api_key = await tenancy.create_key(session, account, kind, settings.signing_secret)
        return key.id, api_key

    key_id, api_key = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps({"key_id": key_id, "api_key": api_key, "kind": kind.value}))
    else:
        typer.echo(f"key {key_id} ({kind.value})\napi key {api_key}")


@keys_app.command("list")
def keys_list(
    account: Annotated[str, typer.Option("--account", help="Account id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line")] = False,
) -> None:
    """List an account's keys (never the secrets)."""

    async def work(session: AsyncSession, _settings: Settings) -> list[dict[str, str | None]]:
        return [
            {
                "key_id": key.id,
                "kind": key.kind,
                "prefix": key.prefix,
                "created_at": key.created_at.isoformat(),
                "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
            }
            for key in await tenancy.list_keys(session, account)
        ]

    keys = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps(keys))
        return
    for key in keys:
        state = f"revoked {key['revoked_at']}" if key["revoked_at"] else "active"
        typer.echo(f"{key['key_id']}  {key['kind']:<6}  {key['prefix']}…  {state}")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="Key id")]) -> None:
    """Revoke a key: it and the tokens made from it stop working at once."""

    async def work(session: AsyncSession, _settings: Settings) -> None:
        await tenancy.revoke_key(session, key_id)

    run_in_transaction(work)
    typer.echo(f"Revoked {key_id}.")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Argument(help="The user's email (their sign-in name)")],
    account: Annotated[str, typer.Option("--account", help="Account id")],
    role: Annotated[Role, typer.Option("--role", help="owner, manager or viewer")] = Role.VIEWER,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line")] = False,
) -> None:
    """Create a console user with a generated password, shown only once."""

    async def work(session: AsyncSession, _settings: Settings) -> NewUser:
        return await console_users.create_user(session, account, email, role)

    created = run_in_transaction(work)
    if as_json:
        typer.echo(
            json.dumps(
                {"user_id": created.user.id, "email": created.user.email, "password": created.password}
            )
        )
    else:
        typer.echo(f"user {created.user.id}\nemail {created.user.email}\npassword {created.password}")


@users_app.command("list")
def users_list(
    account: Annotated[str, typer.Option("--account", help="Account id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line")] = False,
) -> None:
    """List an account's console users (never their passwords)."""

    async def work(session: AsyncSession, _settings: Settings) -> list[dict[str, str | None]]:
        return [
            {
                "user_id": user.id,
                "email": user.email,
                "role": user.role,
                "disabled_at": user.disabled_at.isoformat() if user.disabled_at else None,
            }
            for user in await console_users.list_users(session, account)
        ]

    found = run_in_transaction(work)
    if as_json:
        typer.echo(json.dumps(found))
        return
    for user in found:
        state = f"disabled {user['disabled_at']}" if user["disabled_at"] else "active"
        typer.echo(f"{user['user_id']}  {user['email']}  {user['role']:<7}  {state}")


@users_app.command("disable")
def users_disable(email: Annotated[str, typer.Argument(help="The user's email")]) -> None:
    """Disable a console user: their sessions stop working at once and they can no longer sign in."""

    async def work(session: AsyncSession, _settings: Settings) -> str:
        return (await console_users.disable_by_email(session, email)).email

    typer.echo(f"Disabled {run_in_transaction(work)}.")


def main() -> None:
    from perks import cli_jobs  # the import and jobs commands, which need the whole engine

    cli_jobs.register(app)
    app()
