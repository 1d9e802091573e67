"""Ledger transactions on the storefront face: by day for the account, by customer."""
