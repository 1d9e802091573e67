"""A POST with an Idempotency-Key runs once; repeats within the TTL get the stored response."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import Unprocessable
from perks.idempotency import repository
from perks.kit import clock
from perks.tenancy.context import AuthContext

MAX_KEY_LENGTH = 255
# Stored answers may hold secrets (a webhook endpoint's whsec_ secret, shown once) and customer data: the
# unit of work stores them encrypted with a key derived from the server's secret key, marked so.
SEALED = "sealed:v1:"


@dataclass(frozen=True)
class Claim:
    """What a POST with an Idempotency-Key asks to own: the key, the request's fingerprint, the TTL."""

    key: str
    fingerprint: str
    ttl: timedelta


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: str


class Replay(Exception):
    """Raised to answer with a stored response instead of running the handler."""

    def __init__(self, stored: StoredResponse) -> None:
        super().__init__("idempotent replay")
        self.stored = stored


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


async def begin(session: AsyncSession, ctx: AuthContext, key: str, fingerprint: str, ttl: timedelta) -> str:
    """Own the key (returns the record id to store the response under) or raise Replay / 422."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Unprocessable(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters", field="Idempotency-Key"
        )
    now = clock.now()
    record_id = await repository.claim(session, ctx, key, fingerprint, now, now - ttl)
    if record_id is not None:
        return record_id
    existing = await repository.find(session, ctx, key)
    if existing is None or existing.request_hash != fingerprint:
        raise Unprocessable(
            "This Idempotency-Key was already used with a different request",
            title="Idempotency key reused",
            field="Idempotency-Key",
        )
    if existing.status_code is None or existing.response_body is None:
        # Cannot happen after a commit (the response is stored in the same transaction); be safe anyway.
        raise Unprocessable("A request with this Idempotency-Key is still in progress")
    raise Replay(StoredResponse(existing.status_code, existing.response_body))


async def finish(session: AsyncSession, record_id: str, status_code: int, body: str) -> None:
    await repository.store_response(session, record_id, status_code, body)


async def abandon(session: AsyncSession, record_id: str) -> None:
    """Give up a claimed key whose request failed after the claim, inside a transaction that commits anyway
    (a group-committed batch): a retry with the key runs afresh, as after a rolled-back request."""
    await repository.delete_record(session, record_id)


@lru_cache(maxsize=4)
def _cipher(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"perks idempotency records").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(body: str, secret: str) -> str:
    """An answer as it is stored: encrypted and authenticated (Fernet), never in clear."""
    return SEALED + _cipher(secret).encrypt(body.encode()).decode("ascii")


def unseal(stored: str, secret: str) -> str:
    """A stored answer as it is replayed (answers stored unsealed are returned as they are)."""
    if not stored.startswith(SEALED):
        return stored
    try:
        return _cipher(secret).decrypt(stored[len(SEALED) :].encode("ascii")).decode()
    except InvalidToken:
        raise Unprocessable(
            "The answer stored for this Idempotency-Key can no longer be read (the server's secret key "
            "changed); send the request again with a new key",
            title="Idempotency key unreadable",
            field="Idempotency-Key",
        ) from None
