"""Entry's changed copies (made for every effect an event grants) are what dataclasses.replace makes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from perks.ledger.service import Entry


def test_changed_copies_equal_replace_and_leave_the_original_alone() -> None:
    entry = Entry(brand_id="b", event_id="e", event_type="PURCHASE", cost=Decimal("1.5"), metadata={"k": 1})
    of_campaign = entry.of_campaign("c", "BRAND", "Summer")
    assert of_campaign == replace(entry, campaign_id="c", funded_by="BRAND", campaign_name="Summer")
    typed = of_campaign.of_reward_type("POINTS")
    assert typed == replace(of_campaign, reward_type="POINTS")
    assert type(typed) is Entry and typed.campaign_id == "c"
    assert entry == Entry(
        brand_id="b", event_id="e", event_type="PURCHASE", cost=Decimal("1.5"), metadata={"k": 1}
    )
    assert (entry.campaign_id, of_campaign.reward_type) == (None, None)
