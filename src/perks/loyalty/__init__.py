"""The loyalty face: the Masivo storefront API at /api/storefront/v1."""
