"""The affiliate face: the ReferralStack API at /api/v1."""
