"""The wallet ledger: batches of rewards (lines) and the append-only transactions that move them."""
