"""link codes unique across accounts

A referral code may now be taken by one link in all of Perks (the public redirect /r/{code} knows no
account). Codes that several accounts share are settled first: the oldest link keeps its code (it is the
one /r/{code} already served, so no redirect changes target) and each later one gets a free code of the
form `<code>-<6 random characters>`, logged as a warning for the operator to pass on to that account.

Revision ID: 1000
Revises: 0500
"""

from __future__ import annotations

import logging
import secrets
import string
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1000"
down_revision: str | Sequence[str] | None = "0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")
MAX_CODE = 64
SUFFIX = 6
ALPHABET = string.ascii_lowercase + string.digits

links = sa.table(
    "affiliate_links",
    sa.column("id", sa.String),
    sa.column("account_id", sa.String),
    sa.column("referral_code", sa.String),
    sa.column("code_key", sa.String),
    sa.column("created_at", sa.DateTime),
)


def upgrade() -> None:
    connection = op.get_bind()
    for code_key in _shared_codes(connection):
        rows = connection.execute(
            sa.select(links.c.id, links.c.account_id, links.c.referral_code)
            .where(links.c.code_key == code_key)
            .order_by(links.c.created_at, links.c.id)
        ).all()
        for link_id, account_id, code in rows[1:]:
            renamed = _free_code(connection, code)
            connection.execute(
                sa.update(links)
                .where(links.c.id == link_id)
                .values(referral_code=renamed, code_key=renamed.lower())
            )
            log.warning(
                "affiliate link %s of account %s: referral code %r is also used by an older link of "
                "another account; renamed to %r",
                link_id,
                account_id,
                code,
                renamed,
            )
    op.drop_index("uq_affiliate_links_account_code", table_name="affiliate_links")
    op.drop_index("ix_affiliate_links_code", table_name="affiliate_links")
    op.create_index("uq_affiliate_links_code", "affiliate_links", ["code_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_affiliate_links_code", table_name="affiliate_links")
    op.create_index("ix_affiliate_links_code", "affiliate_links", ["code_key", "created_at"], unique=False)
    op.create_index(
        "uq_affiliate_links_account_code", "affiliate_links", ["account_id", "code_key"], unique=True
    )


def _shared_codes(connection: sa.Connection) -> list[str]:
    statement = (
        sa.select(links.c.code_key)
        .group_by(links.c.code_key)
        .having(sa.func.count() > 1)
        .order_by(links.c.code_key)
    )
    return list(connection.scalars(statement))


def _free_code(connection: sa.Connection, code: str) -> str:
    while True:
        suffix = "".join(secrets.choice(ALPHABET) for _ in range(SUFFIX))
        candidate = f"{code[: MAX_CODE - SUFFIX - 1]}-{suffix}"
        taken = connection.scalar(sa.select(links.c.id).where(links.c.code_key == candidate.lower()))
        if taken is None:
            return candidate
