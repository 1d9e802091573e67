"""The Alembic runner: bring a database's schema to the newest revision of every branch."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config

from perks.db.sqlite import create_private_file

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema to the newest revision of every branch. Safe to call from a running event loop."""
    config = alembic_config(url)
    create_private_file(url)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(config, "heads")
        return
    # Alembic's async env runs its own event loop; give it a thread of its own.
    failure: list[BaseException] = []

    def run() -> None:
        try:
            command.upgrade(config, "heads")
        except BaseException as error:  # handed back to the caller below
            failure.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
