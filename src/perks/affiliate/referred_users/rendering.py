"""A referred user as the affiliate face shows it: its routes (also a tracked sign-up's answer) and the
referral.created webhook render referred users here."""

from __future__ import annotations

from perks.affiliate.referred_users.models import ReferredUser
from perks.affiliate.referred_users.schemas import ReferredUserOut


def referred_user_out(referred: ReferredUser) -> ReferredUserOut:
    return ReferredUserOut.model_validate(referred, from_attributes=True)
