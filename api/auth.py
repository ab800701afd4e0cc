"""Users, passwords and tokens: OAuth2 password flow with salted scrypt hashes and JWTs.

Roles (DOMAIN.md "Who uses it"): ``gis`` bureau GIS staff edit proposals and run jobs;
``reviewer`` department reviewers (and the town) record survey findings and give opinions;
``civil_affairs`` the district civil-affairs bureau runs the initial review, gives its own
opinion and registers; ``office`` the 区委城乡现代社区建设指导委员会办公室 organises the joint
site survey, leads the joint review and records the committee's decision (001 § 二(一)4(2)–(3));
``admin`` approves (the district government) and manages. Anonymous callers are the public:
read-only, approved data only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import jwt

from api.db.models import utcnow

__all__ = [
    "ADMINS",
    "APPOINTERS",
    "EDITORS",
    "REVIEWERS",
    "ROLES",
    "STAFF",
    "create_token",
    "hash_password",
    "read_token",
    "verify_password",
]

ROLES = ("gis", "reviewer", "civil_affairs", "office", "admin")
STAFF = frozenset(ROLES)
# who may do what beyond reading (api.deps turns each group into a route dependency)
EDITORS = ("gis", "admin")  # edit proposals, run analyses, add towns
REVIEWERS = ("reviewer", "civil_affairs", "office")  # survey findings, opinions, conditions
APPOINTERS = ("gis", "civil_affairs", "admin")  # appoint a grid's 1+3+N roster
ADMINS = ("admin",)  # manage users
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    """A salted scrypt hash, stored as ``scrypt$n$r$p$salt$hash``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches the ``stored`` hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode(),
        salt=bytes.fromhex(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(digest) // 2,
    )
    return hmac.compare_digest(candidate.hex(), digest)


def create_token(username: str, secret: str, minutes: int) -> str:
    """A signed access token naming the user, valid for ``minutes``."""
    now = utcnow()
    claims = {"sub": username, "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def read_token(token: str, secret: str) -> str | None:
    """The user name in a valid, unexpired token; ``None`` otherwise."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError:
        return None
    sub = claims.get("sub")
    return sub if isinstance(sub, str) else None
