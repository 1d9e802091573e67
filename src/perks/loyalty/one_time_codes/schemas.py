"""Wire models of customer one-time codes (POST /auth/totp, GET /auth/totp/verify)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from perks.loyalty.customers.schemas import CustomerId, CustomerOut, WalletOut


class OneTimeCodeCreate(BaseModel):
    customer_id: CustomerId
    metadata: dict[str, Any] | None = None


class OneTimeCodeOut(BaseModel):
    code: str
    expired_at: datetime


class VerifiedCode(BaseModel):
    customer: CustomerOut
    wallet: WalletOut
    metadata: dict[str, Any]
