"""Creates that may be retried: the ``Idempotency-Key`` request header.

A client that lost the answer to a create (a cut connection, a 503, a timeout) sends the same
request again with the same key. The key is claimed in the request's first transaction that
writes, so whatever the request makes is made exactly once: a second request with the key
finds the claim (or, racing, fails on the key's unique constraint with everything it wrote
undone). The request's answer is kept with the claim as soon as it is known; a retry gets
it again (marked ``Idempotent-Replayed: true``), a retry arriving while the first request is
still being answered waits for it, and the key sent with another request is 422.

Nothing here knows any route: :func:`watch_sessions` claims keys from the sessions' own
events, :mod:`api.idempotent_requests` reads the header and keeps the answer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from api.db.models import IdempotencyKey, utcnow
from api.problems import Problem

__all__ = ["CLAIM_STATE", "MAX_KEY_LENGTH", "PENDING", "Answer", "Claim", "body_parts",
           "check_key", "fingerprint", "hold", "keep", "kept", "watch_sessions"]

MAX_KEY_LENGTH = 200
PENDING = 0  # the status of a claim whose request has not been answered yet
KEPT_HEADERS = ("location", "etag", "content-crs", "content-type", "content-language")
_CLAIM = "sijie_idempotency_claim"
CLAIM_STATE = "idempotency_claim"  # where a request keeps its claim (``request.state``)
_WROTE = "sijie_wrote"


@dataclass
class Claim:
    """A request sent with an ``Idempotency-Key``: whose, which key, what it asked, and
    whether the key is claimed in the store yet (``written``)."""

    user_id: int
    key: str
    fingerprint: str
    written: bool = False
    adding: bool = field(default=False, repr=False)


@dataclass(frozen=True)
class Answer:
    """A kept answer: status, the headers that describe it, and the body."""

    status: int
    headers: dict[str, str]
    body: bytes


def fingerprint(method: str, path: str, parts: list[bytes]) -> str:
    """A digest of what a request asked for: method, path and body parts."""
    digest = hashlib.sha256(f"{method} {path}".encode())
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def body_parts(body: bytes) -> list[bytes]:
    """A JSON body as one part, its members in a fixed order when it is JSON."""
    try:
        return [json.dumps(json.loads(body), sort_keys=True).encode()]
    except ValueError:
        return [body]


def check_key(key: str) -> str:
    """The key as sent; 400 when empty, too long or not printable ASCII."""
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise Problem(400, "idempotency_key_invalid", limit=MAX_KEY_LENGTH)
    return key


def _row(session: Session, claim: Claim) -> IdempotencyKey | None:
    return session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.user_id == claim.user_id, IdempotencyKey.key == claim.key))


def kept(sessions: sessionmaker, claim: Claim) -> Answer | None:
    """The kept answer to ``claim``'s key, or ``None`` when the key is new.

    Raises
    ------
    Problem
        422 ``idempotency_key_reused``: the key was used for another request;
        409 ``idempotency_key_pending`` (with Retry-After): the first request with the key
        made its changes but its answer is not kept (yet).
    """
    with sessions() as session:
        row = _row(session, claim)
    if row is None:
        return None
    if row.fingerprint != claim.fingerprint:
        raise Problem(422, "idempotency_key_reused", key=claim.key)
    if row.status == PENDING:
        raise Problem(409, "idempotency_key_pending", key=claim.key, headers={"Retry-After": "1"})
    return Answer(row.status, {**row.headers, "Idempotent-Replayed": "true"}, row.body.encode())


def keep(sessions: sessionmaker, claim: Claim, answer: Answer) -> None:
    """Keep ``answer`` with ``claim``'s key (the request made its changes)."""
    headers = {k.lower(): v for k, v in answer.headers.items() if k.lower() in KEPT_HEADERS}
    with sessions() as session:
        session.execute(update(IdempotencyKey).where(
            IdempotencyKey.user_id == claim.user_id, IdempotencyKey.key == claim.key,
            IdempotencyKey.status == PENDING,
        ).values(status=answer.status, headers=headers, body=answer.body.decode()))
        session.commit()


def hold(session: Session, claim: Claim) -> None:
    """Claim ``claim``'s key in ``session``'s first transaction that writes."""
    session.info[_CLAIM] = claim


def watch_sessions(sessions: sessionmaker) -> None:
    """Make sessions from ``sessions`` claim the key they :func:`hold` when they first write."""

    def wrote(session: Session) -> None:
        session.info[_WROTE] = True

    @event.listens_for(sessions, "after_flush")
    def _flushed(session: Session, _context: Any) -> None:
        wrote(session)

    @event.listens_for(sessions, "do_orm_execute")
    def _executed(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            wrote(state.session)

    @event.listens_for(sessions, "before_commit")
    def _claim(session: Session) -> None:
        claim = session.info.get(_CLAIM)
        if claim is None or claim.written or claim.adding:
            return
        if not (session.new or session.dirty or session.deleted or session.info.get(_WROTE)):
            return
        claim.adding = True
        session.add(IdempotencyKey(user_id=claim.user_id, key=claim.key,
                                   fingerprint=claim.fingerprint, status=PENDING, body="",
                                   headers={}, created_at=utcnow()))

    @event.listens_for(sessions, "after_commit")
    def _claimed(session: Session) -> None:
        session.info.pop(_WROTE, None)
        claim = session.info.get(_CLAIM)
        if claim is not None and claim.adding:
            claim.adding, claim.written = False, True

    @event.listens_for(sessions, "after_rollback")
    def _undone(session: Session) -> None:
        session.info.pop(_WROTE, None)
        claim = session.info.get(_CLAIM)
        if claim is not None:
            claim.adding = False
