"""API keys of departments: issued once, stored hashed, revocable, expiring.

A key reads ``hubk_<key_id>_<secret>``. Only ``sha256(salt ‖ secret)`` is stored, with a
per-key random salt. A fast hash is right here: the secret is 256 random bits, so there is
nothing to brute-force, and a slow password hash (scrypt) would cost every request the
milliseconds the latency budget has not got. The key id is public (it is in the audit log).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import psycopg

from hub.share.vocabulary import ErrorCode

_KEY = re.compile(r"^hubk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    department: str
    key: str  # shown once, never stored
    expires_at: dt.datetime | None


@dataclass(frozen=True)
class KeyHolder:
    """Who presented a valid key."""

    key_id: str
    department: str
    purposes: tuple[str, ...]  # empty: every purpose the department is granted


class KeyRejected(Exception):
    def __init__(self, code: ErrorCode, key_id: str | None = None):
        super().__init__(code.value)
        self.code = code
        self.key_id = key_id


def _hash(salt: bytes, secret: str) -> bytes:
    return hashlib.sha256(salt + secret.encode()).digest()


def issue_key(
    conn: psycopg.Connection,
    department: str,
    *,
    purposes: tuple[str, ...] = (),
    expires_at: dt.datetime | None = None,
    label: str | None = None,
) -> IssuedKey:
    """Store a new key's hash; the returned ``key`` is the only time the secret exists."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    conn.execute(
        "insert into share.api_key "
        "(key_id, department, label, purposes, salt, secret_hash, expires_at) "
        "values (%s, %s, %s, %s, %s, %s, %s)",
        (key_id, department, label, list(purposes), salt, _hash(salt, secret), expires_at),
    )
    return IssuedKey(key_id, department, f"hubk_{key_id}_{secret}", expires_at)


def revoke_key(conn: psycopg.Connection, key_id: str) -> bool:
    """Mark a key revoked (kept for the audit trail); False if there is no such live key."""
    row = conn.execute(
        "update share.api_key set revoked_at = now() "
        "where key_id = %s and revoked_at is null returning key_id",
        (key_id,),
    ).fetchone()
    return row is not None


def list_keys(conn: psycopg.Connection) -> list[dict]:
    cur = conn.execute(
        "select key_id, department, label, purposes, issued_at, expires_at, revoked_at, "
        "case when revoked_at is not null then 'revoked' "
        "when expires_at <= now() then 'expired' else 'active' end as state "
        "from share.api_key order by issued_at"
    )
    names = [c.name for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def verify_key(conn: psycopg.Connection, presented: str | None) -> KeyHolder:
    """The holder of a presented key, or :class:`KeyRejected` with why (401 for the caller)."""
    if not presented:
        raise KeyRejected(ErrorCode.MISSING_KEY)
    match = _KEY.match(presented)
    if not match:
        raise KeyRejected(ErrorCode.INVALID_KEY)
    key_id, secret = match.groups()
    row = conn.execute(
        "select department, purposes, salt, secret_hash, "
        "expires_at is not null and expires_at <= now(), revoked_at is not null "
        "from share.api_key where key_id = %s",
        (key_id,),
    ).fetchone()
    if row is None:
        raise KeyRejected(ErrorCode.INVALID_KEY)
    department, purposes, salt, stored, expired, revoked = row
    if not hmac.compare_digest(_hash(bytes(salt), secret), bytes(stored)):
        raise KeyRejected(ErrorCode.INVALID_KEY)
    if revoked:
        raise KeyRejected(ErrorCode.REVOKED_KEY, key_id)
    if expired:
        raise KeyRejected(ErrorCode.EXPIRED_KEY, key_id)
    return KeyHolder(key_id, department, tuple(purposes or ()))
