"""Creates that may be retried: the ``Idempotency-Key`` request header.

A client that lost the answer to a create (a cut connection, a 503, a timeout) sends the same
request again with the same key. The first answer is kept with the key in the create's own
transaction, so exactly one resource is made: a retry gets the kept answer (marked
``Idempotent-Replayed: true``), a request reusing a key for another body 422, and two
requests racing with one key make one resource and the same answer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from fastapi import Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db.models import IdempotencyKey, utcnow
from api.problems import Problem

__all__ = ["MAX_KEY_LENGTH", "Claim", "Replayed", "body_parts", "check_key", "commit_created",
           "end_read", "fingerprint", "previous"]

MAX_KEY_LENGTH = 200
_KEPT_HEADERS = ("location", "etag", "content-crs", "content-type", "content-language")


@dataclass(frozen=True)
class Claim:
    """A create sent with an ``Idempotency-Key``: whose, which key, and what it asked."""

    user_id: int
    key: str
    fingerprint: str


class Replayed(Exception):
    """The kept answer of a create sent again (the service's handler sends ``response``)."""

    def __init__(self, response: Response) -> None:
        self.response = response
        super().__init__("replayed")


def fingerprint(method: str, path: str, parts: list[bytes]) -> str:
    """A digest of what a create asked for: method, path and body parts."""
    digest = hashlib.sha256(f"{method} {path}".encode())
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def check_key(key: str) -> str:
    """The key as sent; 400 when empty, too long or not printable ASCII."""
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise Problem(400, "idempotency_key_invalid", limit=MAX_KEY_LENGTH)
    return key


def _response(row: IdempotencyKey) -> Response:
    headers = {**row.headers, "Idempotent-Replayed": "true"}
    return Response(row.body.encode(), status_code=row.status, headers=headers)


def previous(session: Session, claim: Claim) -> Response | None:
    """The kept answer to ``claim``'s key, or ``None`` when the key is new.

    Raises
    ------
    Problem
        422 ``idempotency_key_reused``: the key was used for another request.
    """
    row = session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.user_id == claim.user_id, IdempotencyKey.key == claim.key))
    if row is None:
        return None
    if row.fingerprint != claim.fingerprint:
        raise Problem(422, "idempotency_key_reused", key=claim.key)
    return _response(row)


def end_read(session: Session) -> None:
    """End the session's transaction (reads only so far), so that what follows (reading an
    upload, an analysis) holds no connection and, on a GeoPackage, no writer lock."""
    session.commit()


def commit_created(session: Session, claim: Claim | None, response: Response) -> Response:
    """Commit the create in ``session`` with ``response`` kept under ``claim``'s key; when
    another request with the key committed first, this create is undone and its answer given.
    """
    if claim is not None:
        session.add(IdempotencyKey(
            user_id=claim.user_id, key=claim.key, fingerprint=claim.fingerprint,
            status=response.status_code, body=bytes(response.body).decode(),
            headers={k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS},
            created_at=utcnow()))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        kept = None if claim is None else previous(session, claim)
        if kept is None:
            raise
        return kept
    return response


def body_parts(body: bytes) -> list[bytes]:
    """A JSON body as one part, its members in a fixed order when it is JSON."""
    try:
        return [json.dumps(json.loads(body), sort_keys=True).encode()]
    except ValueError:
        return [body]
