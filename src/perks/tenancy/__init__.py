"""Accounts (tenants), workspaces, API keys and the auth context."""
