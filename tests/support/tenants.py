"""Each test works in accounts of its own, so tests never see each other's rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from sqlalchemy import update

from perks import accounts
from perks.affiliate.links.models import AffiliateLink
from perks.db.database import Database
from perks.tenancy import service as tenancy
from perks.tenancy.context import KeyKind

LOYALTY = "/api/storefront/v1"
AFFILIATE = "/api/v1"


@dataclass
class Tenant:
    account_id: str
    workspace_id: str
    server_key: str
    public_key: str
    server_key_id: str
    public_key_id: str
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def affiliate(self) -> dict[str, str]:
        """Headers for the affiliate face with the server key."""
        return {"x-auth-referralstack": self.server_key}

    @property
    def affiliate_public(self) -> dict[str, str]:
        return {"x-auth-referralstack": self.public_key}

    async def loyalty(self, client: httpx.AsyncClient, *, public: bool = False) -> dict[str, str]:
        """Bearer headers for the loyalty face (server token unless public=True)."""
        key = self.public_key if public else self.server_key
        if key not in self._tokens:
            response = await client.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": key})
            assert response.status_code == 200, response.text
            self._tokens[key] = response.json()["data"]
        return {"Authorization": f"Bearer {self._tokens[key]}"}


async def release_link_codes(database: Database, tenant: Tenant) -> None:
    """Referral codes are one namespace across accounts: a test's codes are set free when it ends (each
    link takes its id as code), so that fixed codes such as the docs' "sand" can be used by every test."""
    async with database.transaction() as session:
        await session.execute(
            update(AffiliateLink)
            .where(AffiliateLink.account_id == tenant.account_id)
            .values(referral_code=AffiliateLink.id, code_key=AffiliateLink.id)
        )


async def create_tenant(database: Database, secret: str, name: str = "test") -> Tenant:
    async with database.transaction() as session:
        created = await accounts.open_account(session, name, secret)
        public_key, public_plain = await tenancy.create_key(
            session, created.account.id, KeyKind.PUBLIC, secret
        )
    return Tenant(
        account_id=created.account.id,
        workspace_id=created.workspace.id,
        server_key=created.api_key,
        public_key=public_plain,
        server_key_id=created.key.id,
        public_key_id=public_key.id,
    )
