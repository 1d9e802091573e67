"""Transactions as the API shows them: `transaction_out` (the lists) and `transaction_document`, the same
fields as plain values for the event results, written without a model (a test holds the two alike)."""

from __future__ import annotations

from typing import Any

from perks.kit.money import plain_number
from perks.ledger.models import Transaction
from perks.loyalty.transactions.schemas import TransactionOut


def transaction_out(transaction: Transaction, customer_id: str) -> TransactionOut:
    return TransactionOut(**transaction_fields(transaction, customer_id))


def transaction_document(transaction: Transaction, customer_id: str) -> dict[str, Any]:
    """`transaction_out` as plain values for `kit.encoding` (the event results: no model to validate and
    dump). A test holds the two byte for byte."""
    fields = transaction_fields(transaction, customer_id)
    fields["amount"] = plain_number(fields["amount"])
    if fields["cost"] is not None:
        fields["cost"] = plain_number(fields["cost"])
    return fields


def transaction_fields(transaction: Transaction, customer_id: str) -> dict[str, Any]:
    return {
        "id": transaction.id,
        "type": transaction.type,
        "amount": transaction.amount,
        "customer_id": customer_id,
        "brand_id": transaction.brand_id,
        "event_id": transaction.event_id,
        "campaign_id": transaction.campaign_id,
        "channel_id": transaction.channel_id,
        "store_id": transaction.store_id,
        "funded_by": transaction.funded_by,
        "event_type": transaction.event_type,
        "reward_type": transaction.reward_type,
        "reward_id": transaction.reward_id,
        "cost": transaction.cost,
        "details": transaction.details,
        "receiver_id": transaction.receiver_id,
        "sender_id": transaction.sender_id,
        "reverses_id": transaction.reverses_id,
        "created_at": transaction.created_at,
        "issued_at": transaction.issued_at,
        "attributes": transaction.attributes,
        "metadata": transaction.metadata_,
    }
