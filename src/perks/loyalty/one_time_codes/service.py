"""Customer one-time codes: a short numeric code the customer shows at the till, which a cashier's system
trades once for the customer and their wallet.

The code space is small on purpose (people type it), so three things keep it safe: codes are single use
and expire within minutes, they are stored only as an HMAC keyed by the service secret, and failed
verifications are limited per account (`AttemptGuard`), so nobody can walk the space while codes live.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import AppError, Conflict, NotFound, invalid
from perks.kit import clock
from perks.loyalty.customers import service as customers
from perks.loyalty.one_time_codes import repository
from perks.loyalty.one_time_codes.schemas import OneTimeCodeCreate, OneTimeCodeOut, VerifiedCode
from perks.tenancy.context import AuthContext
from perks.web.ratelimit import AttemptGuard

# Ten draws at six digits fail together only when an account holds most of its million codes live.
DRAWS = 10


@dataclass(frozen=True)
class CodePolicy:
    digits: int
    lifetime: timedelta
    secret: str
    guard: AttemptGuard


class CodeExpired(AppError):
    status_code = 410
    default_title = "Code expired"


async def create(
    session: AsyncSession, ctx: AuthContext, policy: CodePolicy, body: OneTimeCodeCreate
) -> OneTimeCodeOut:
    customer = await customers.get(session, ctx, body.customer_id)
    now = clock.now()
    expires_at = now + policy.lifetime
    for _ in range(DRAWS):
        code = f"{secrets.randbelow(10**policy.digits):0{policy.digits}d}"
        stored = await repository.claim(
            session,
            ctx,
            _hash(policy, ctx, code),
            customer_id=customer.id,
            metadata=body.metadata or {},
            now=now,
            expires_at=expires_at,
        )
        if stored:
            return OneTimeCodeOut(code=code, expired_at=expires_at)
    raise Conflict("Too many live codes in this account right now; try again in a minute")


async def verify(session: AsyncSession, ctx: AuthContext, policy: CodePolicy, code: str) -> VerifiedCode:
    if len(code) != policy.digits or not code.isascii() or not code.isdigit():
        raise invalid("code", f"must be the {policy.digits}-digit code the customer was given")
    guard_key = f"one-time-codes:{ctx.account_id}"
    await policy.guard.check(guard_key)
    code_hash = _hash(policy, ctx, code)
    consumed = await repository.consume(session, ctx, code_hash, clock.now())
    if consumed is None:
        await policy.guard.fail(guard_key)
        raise await _refusal(session, ctx, code_hash)
    customer_id, metadata = consumed
    customer = await customers.get_by_id(session, ctx, customer_id)
    found = await customers.with_wallet(session, ctx, customer)
    return VerifiedCode(customer=found.customer, wallet=found.wallet, metadata=metadata)


async def _refusal(session: AsyncSession, ctx: AuthContext, code_hash: str) -> AppError:
    row = await repository.find(session, ctx, code_hash)
    if row is None:
        return NotFound("No code like this was issued; ask the customer for the code on their screen")
    if row.used_at is not None:
        return Conflict("This code was already used; ask the customer for a new one", title="Code used")
    return CodeExpired(f"This code expired at {row.expires_at.isoformat()}; ask the customer for a new one")


def _hash(policy: CodePolicy, ctx: AuthContext, code: str) -> str:
    message = f"{ctx.account_id}:{code}".encode()
    return hmac.new(policy.secret.encode(), message, hashlib.sha256).hexdigest()
