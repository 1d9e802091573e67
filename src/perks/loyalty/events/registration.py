"""A registration is an event: registering a customer, or identifying an anonymous one, runs a
`REGISTRATION` behavior event through the same pipeline as any other (consent, budgets, effects, tiers,
webhooks), in the registration's transaction, so a welcome bonus is in the wallet the answer shows.

Exactly once per customer: a customer registered as anonymous has not signed up yet, so their event runs
when they are identified, not before. A retried registration is a 409 (the id is taken) or, with the same
Idempotency-Key, the stored answer: neither runs the event again."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from perks.loyalty.customers import service as customers
from perks.loyalty.customers.models import Customer
from perks.loyalty.customers.schemas import CustomerCreate, CustomerIdentify, CustomerWithWallet
from perks.loyalty.events import service as events
from perks.loyalty.events.schemas import EventCreate
from perks.tenancy.context import AuthContext

REGISTRATION = "REGISTRATION"


async def register(session: AsyncSession, ctx: AuthContext, body: CustomerCreate) -> CustomerWithWallet:
    customer = await customers.register(session, ctx, body)
    if not customer.is_anonymous:
        customer = await _registered(session, ctx, customer)
    return await customers.with_wallet(session, ctx, customer)


async def identify(
    session: AsyncSession, ctx: AuthContext, external_id: str, body: CustomerIdentify
) -> CustomerWithWallet:
    customer = await _registered(session, ctx, await customers.identify(session, ctx, external_id, body))
    return await customers.with_wallet(session, ctx, customer)


async def _registered(session: AsyncSession, ctx: AuthContext, customer: Customer) -> Customer:
    """Run the customer's REGISTRATION event; the customer as it left them (tier, metrics)."""
    external_id = customer.external_id
    await events.create(session, ctx, EventCreate(customer_id=external_id, brand_id=None, type=REGISTRATION))
    return await customers.get(session, ctx, external_id)
