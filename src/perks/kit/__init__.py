"""Small shared pieces: ids, clock, money, pagination, codes."""
