"""A reward as the API shows it: the storefront routes, the wallets that show their rewards (the rewards
service) and the console's pages and audit trail render rewards here."""

from __future__ import annotations

from perks.loyalty.rewards.models import Reward
from perks.loyalty.rewards.schemas import RewardOut


def reward_out(reward: Reward) -> RewardOut:
    return RewardOut.model_validate(reward, from_attributes=True)
