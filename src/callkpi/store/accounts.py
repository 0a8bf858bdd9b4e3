"""Users, their teams, bearer tokens and API keys, as rows (hashing lives in callkpi.access).

Tokens and keys are stored only as SHA-256 digests of their random text, and passwords only
as Argon2id hashes, so reading the store never yields a credential.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from callkpi.errors import QueryError
from callkpi.store.base import Store
from callkpi.store.changes import ACCOUNTS
from callkpi.store.ledger import utcnow

ROLES = ("admin", "manager", "agent")
KEY_SCOPES = ("events",)


@dataclass(frozen=True)
class UserRow:
    user_name: str
    password_hash: str
    role: str
    agent_id: str | None
    teams: tuple[str, ...]


@dataclass(frozen=True)
class ApiKeyRow:
    key_name: str
    scope: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def add_user(
    store: Store,
    user_name: str,
    password_hash: str,
    role: str,
    agent_id: str | None = None,
    teams: tuple[str, ...] = (),
) -> None:
    """Create a user; an agent needs its agent_id, a manager at least one team."""
    if role not in ROLES:
        raise QueryError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "agent" and not agent_id:
        raise QueryError("an agent user needs the agent_id whose figures it may see")
    if role == "manager" and not teams:
        raise QueryError("a manager user needs at least one team")
    if get_user(store, user_name) is not None:
        raise QueryError(f"user {user_name!r} already exists")
    with store.transaction():
        store.execute(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?)",
            [user_name, password_hash, role, agent_id if role == "agent" else None, utcnow()],
        )
        for team in dict.fromkeys(teams if role == "manager" else ()):
            store.execute("INSERT INTO user_teams VALUES (?, ?)", [user_name, team])


def get_user(store: Store, user_name: str) -> UserRow | None:
    found = store.rows(
        "SELECT user_name, password_hash, role, agent_id FROM users WHERE user_name = ?",
        [user_name],
    )
    if not found:
        return None
    row = found[0]
    teams = store.rows("SELECT team FROM user_teams WHERE user_name = ? ORDER BY team", [user_name])
    return UserRow(row[0], row[1], row[2], row[3], tuple(t[0] for t in teams))


def list_users(store: Store) -> list[UserRow]:
    names = store.rows("SELECT user_name FROM users ORDER BY user_name")
    return [user for (name,) in names if (user := get_user(store, name)) is not None]


def set_password_hash(store: Store, user_name: str, password_hash: str) -> None:
    """Change a password; the user's tokens are revoked with it."""
    if get_user(store, user_name) is None:
        raise QueryError(f"no user {user_name!r}")
    with store.transaction():
        store.execute(
            "UPDATE users SET password_hash = ? WHERE user_name = ?", [password_hash, user_name]
        )
        store.execute("DELETE FROM tokens WHERE user_name = ?", [user_name])
        store.announce(ACCOUNTS)


def remove_user(store: Store, user_name: str) -> None:
    if get_user(store, user_name) is None:
        raise QueryError(f"no user {user_name!r}")
    with store.transaction():
        for table in ("tokens", "user_teams", "users"):
            store.execute(f"DELETE FROM {table} WHERE user_name = ?", [user_name])
        store.announce(ACCOUNTS)


def count_users(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM users"))


# -- bearer tokens ----------------------------------------------------------------------------
def save_token(
    store: Store, token_sha256: str, user_name: str, lifetime: dt.timedelta
) -> dt.datetime:
    """Record a new token and return when it expires."""
    now = utcnow()
    expires_at = now + lifetime
    store.execute(
        "INSERT INTO tokens VALUES (?, ?, ?, ?)", [token_sha256, user_name, now, expires_at]
    )
    return expires_at


def sweep_tokens(store: Store) -> None:
    """Forget expired tokens (they are refused anyway; this keeps the table small). Two
    sweeps at once conflict in DuckDB; the loser has nothing left to do."""
    try:
        store.execute("DELETE FROM tokens WHERE expires_at <= ?", [utcnow()])
    except Exception as exc:  # DuckDB's TransactionException; PostgreSQL waits instead
        if "conflict" not in str(exc).lower():
            raise


def user_of_token(store: Store, token_sha256: str) -> tuple[UserRow, dt.datetime] | None:
    """The user a live token belongs to, and when the token expires."""
    found = store.rows(
        "SELECT user_name, expires_at FROM tokens WHERE token_sha256 = ? AND expires_at > ?",
        [token_sha256, utcnow()],
    )
    if not found:
        return None
    user = get_user(store, found[0][0])
    return None if user is None else (user, found[0][1])


def revoke_token(store: Store, token_sha256: str) -> None:
    store.execute("DELETE FROM tokens WHERE token_sha256 = ?", [token_sha256])
    store.announce(ACCOUNTS)


# -- API keys (for event sources) -------------------------------------------------------------
def add_api_key(store: Store, key_name: str, key_sha256: str, scope: str = "events") -> None:
    if scope not in KEY_SCOPES:
        raise QueryError(f"an API key's scope must be one of {', '.join(KEY_SCOPES)}")
    exists = store.scalar("SELECT count(*) FROM api_keys WHERE key_name = ?", [key_name])
    if exists:
        raise QueryError(f"API key {key_name!r} already exists")
    store.execute(
        "INSERT INTO api_keys VALUES (?, ?, ?, ?, NULL)", [key_name, key_sha256, scope, utcnow()]
    )


def api_key_by_digest(store: Store, key_sha256: str) -> ApiKeyRow | None:
    found = store.rows(
        "SELECT key_name, scope, created_at, revoked_at FROM api_keys "
        "WHERE key_sha256 = ? AND revoked_at IS NULL",
        [key_sha256],
    )
    return ApiKeyRow(*found[0]) if found else None


def list_api_keys(store: Store) -> list[ApiKeyRow]:
    rows = store.rows(
        "SELECT key_name, scope, created_at, revoked_at FROM api_keys ORDER BY key_name"
    )
    return [ApiKeyRow(*row) for row in rows]


def revoke_api_key(store: Store, key_name: str) -> None:
    found = store.scalar(
        "SELECT count(*) FROM api_keys WHERE key_name = ? AND revoked_at IS NULL", [key_name]
    )
    if not found:
        raise QueryError(f"no active API key {key_name!r}")
    store.execute("UPDATE api_keys SET revoked_at = ? WHERE key_name = ?", [utcnow(), key_name])
    store.announce(ACCOUNTS)


def agent_teams(store: Store) -> dict[str, str]:
    """agent_id -> team, for deciding whose targets and live figures a manager sees."""
    rows = store.rows("SELECT agent_id, team FROM agents WHERE team IS NOT NULL")
    return {agent_id: team for agent_id, team in rows}
