"""Every stored status is a StrEnum. The wire schemas spell the same values as Literals (so their OpenAPI
lists them inline, as the published documents do); these tests keep the two from drifting apart."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, get_args

import pytest

from perks.affiliate.affiliates.models import AffiliateStatus, AffiliateStatusValue
from perks.affiliate.commissions.models import CommissionStatus, CommissionStatusValue
from perks.affiliate.payouts.models import PayoutStatus, PayoutStatusValue
from perks.loyalty.campaigns.models import CampaignStatus, CampaignStatusValue
from perks.loyalty.tiers.models import TierStatus, TierStatusValue

PAIRS: list[tuple[type[StrEnum], Any]] = [
    (AffiliateStatus, AffiliateStatusValue),
    (CommissionStatus, CommissionStatusValue),
    (PayoutStatus, PayoutStatusValue),
    (CampaignStatus, CampaignStatusValue),
    (TierStatus, TierStatusValue),
]


@pytest.mark.parametrize(("enum", "literal"), PAIRS, ids=[enum.__name__ for enum, _ in PAIRS])
def test_a_status_literal_lists_exactly_its_enums_values(enum: type[StrEnum], literal: Any) -> None:
    assert list(get_args(literal)) == [member.value for member in enum]
