"""Perks: a self-hosted loyalty, referral and affiliate engine."""

__version__ = "0.1.0"
