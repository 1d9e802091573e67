"""A transaction that changes rows must record why: the console arms this guard on every state-changing
request, and the commit of a change without an audit entry fails (the request answers 500 and nothing is
written), so a page that forgets `audit.record` cannot ship silently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

from perks.audit.models import AuditEntry


class UnauditedChange(RuntimeError):
    pass


def require_audit(session: AsyncSession) -> None:
    sync = session.sync_session
    seen = {"changed": False, "audited": False}

    def note(objects: Any) -> None:
        for item in objects:
            seen["audited" if isinstance(item, AuditEntry) else "changed"] = True

    @event.listens_for(sync, "do_orm_execute")
    def on_statement(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            seen["changed"] = True

    @event.listens_for(sync, "after_flush")
    def on_flush(flushed: Session, _context: Any) -> None:
        note([*flushed.new, *flushed.dirty, *flushed.deleted])

    @event.listens_for(sync, "before_commit")
    def on_commit(committing: Session) -> None:
        note([*committing.new, *committing.dirty, *committing.deleted])
        if committing.in_nested_transaction():
            return  # a savepoint: the entry may be added after it, before the real commit
        if seen["changed"] and not seen["audited"]:
            raise UnauditedChange("a change was made without an audit entry (perks.audit.service.record)")
