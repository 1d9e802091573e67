from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from perks.loyalty.customers.schemas import Number


class TransactionOut(BaseModel):
    id: str
    type: str
    amount: Number
    customer_id: str
    brand_id: str | None
    event_id: str | None
    campaign_id: str | None
    channel_id: str | None
    store_id: str | None
    funded_by: str | None
    event_type: str | None
    reward_type: str | None
    reward_id: str
    cost: Number | None
    details: str | None
    receiver_id: str | None
    sender_id: str | None
    reverses_id: str | None
    created_at: datetime
    issued_at: datetime
    attributes: dict[str, Any]
    metadata: dict[str, Any]
