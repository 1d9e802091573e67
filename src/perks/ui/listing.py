"""What a list page reads from its URL: the search, the keyset cursors and any filters, so that a view
can be bookmarked and the back button works."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

from perks.kit.keyset import CURSOR_MAX, DEFAULT_LIMIT, Keyset

SEARCH_MAX = 200


@dataclass(frozen=True)
class ListQuery:
    q: str
    after: str | None
    before: str | None

    def keyset(self, limit: int = DEFAULT_LIMIT) -> Keyset:
        return Keyset(after=self.after, before=self.before, limit=limit)

    def params(self, context: Mapping[str, Any] | None = None, **filters: Any) -> Params:
        """The list's query parameters, for the macros' links (paging keeps the search and filters).
        `context` ones (a workspace, a tab) choose which list this is rather than narrow it: an empty
        list with only those set says "nothing yet", not "nothing matches"."""
        values = {"q": self.q, "after": self.after, "before": self.before, **(context or {}), **filters}
        return Params(values, context=(context or {}).keys())


class Params(dict[str, Any]):
    """A list's query parameters, knowing which of them are its context."""

    def __init__(self, values: Mapping[str, Any], context: Any = ()) -> None:
        super().__init__(values)
        self.context = frozenset(context)


def list_query(
    q: Annotated[str, Query(max_length=SEARCH_MAX)] = "",
    after: Annotated[str | None, Query(max_length=CURSOR_MAX)] = None,
    before: Annotated[str | None, Query(max_length=CURSOR_MAX)] = None,
) -> ListQuery:
    return ListQuery(q.strip(), after or None, before or None)


Listing = Annotated[ListQuery, Depends(list_query)]
