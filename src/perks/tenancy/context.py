"""Who is calling: the account and the kind of key, handed to every repository."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class KeyKind(StrEnum):
    SERVER = "server"  # full access
    PUBLIC = "public"  # publishable: only routes marked public


@dataclass(frozen=True, slots=True)
class AuthContext:
    account_id: str
    key_id: str
    kind: KeyKind

    @property
    def is_server(self) -> bool:
        return self.kind is KeyKind.SERVER
