from __future__ import annotations

from perks.affiliate.face import CamelModel, Timestamp


class PortalLinkOut(CamelModel):
    url: str
    expires_at: Timestamp
