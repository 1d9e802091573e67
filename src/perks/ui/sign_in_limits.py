"""Limits on sign-in attempts (the console's passwords, the portal's links by email): per email and per
client address, with the limiters a face keeps on its app state (shared through Redis when configured)."""

from __future__ import annotations

from fastapi import Request

from perks.web.ratelimit import RateLimiter


async def count_attempt(request: Request, email: str, purpose: str) -> None:
    """Count one attempt; 429 (TooManyRequests, with Retry-After) past either limit. Every attempt counts."""
    by_email: RateLimiter = request.app.state.sign_in_by_email
    by_address: RateLimiter = request.app.state.sign_in_by_address
    address = request.client.host if request.client else "unknown"
    await by_address.hit(f"{purpose}:address:{address}")
    await by_email.hit(f"{purpose}:email:{email.strip().lower()[:254]}")
