"""Who is calling: a bearer token (a user) or an API key (an event source), on every route."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, TypeVar

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from callkpi.access.credentials import API_KEY_PREFIX, digest
from callkpi.access.policy import Principal
from callkpi.api.errors import ApiError
from callkpi.api.state import ApiState
from callkpi.store import accounts
from callkpi.store.ledger import utcnow

if TYPE_CHECKING:
    from callkpi.store import Store

T = TypeVar("T")

bearer = HTTPBearer(
    auto_error=False,
    description="A token from POST /auth/token, or an API key (ckk_...) for POST /events.",
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class EventSource:
    """A dialer or telephony system posting live events with an API key."""

    key_name: str


Caller = Principal | EventSource


def get_state(request: Request) -> ApiState:
    return request.app.state.callkpi


StateDep = Annotated[ApiState, Depends(get_state)]


def _remembered(
    state: ApiState, key: str, kind: type[T], lookup: Callable[[Store], tuple[T, float] | None]
) -> T | None:
    """What a secret's digest stands for: from the token cache, else looked up in the store
    and remembered for the seconds `lookup` gives (a kind check keeps tokens and keys apart)."""
    cached = state.tokens.get(key)
    if isinstance(cached, kind):
        return cached
    with state.session() as ws:
        found = lookup(ws.store)
    if found is None:
        return None
    value, seconds = found
    state.tokens.put(key, value, seconds)
    return value


def principal_from_token(state: ApiState, token: str) -> Principal | None:
    def lookup(store: Store) -> tuple[Principal, float] | None:
        found = accounts.user_of_token(store, key)
        if found is None:
            return None
        user, expires_at = found
        principal = Principal(user.user_name, user.role, user.agent_id, user.teams)  # type: ignore[arg-type]
        return principal, (expires_at - utcnow()).total_seconds()

    key = digest(token)
    return _remembered(state, key, Principal, lookup)


def _event_source(state: ApiState, secret: str) -> EventSource:
    """The key's source; looked up at most every 30 s per key (a dialer posts many batches)."""

    def lookup(store: Store) -> tuple[EventSource, float] | None:
        found = accounts.api_key_by_digest(store, key)
        return None if found is None else (EventSource(found.key_name), 30.0)

    key = digest(secret)
    source = _remembered(state, key, EventSource, lookup)
    if source is None:
        raise ApiError(401, "unknown or revoked API key", headers=_CHALLENGE)
    return source


def authenticate(
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "log in first: send Authorization: Bearer <token>", headers=_CHALLENGE)
    secret = credentials.credentials
    if secret.startswith(API_KEY_PREFIX):
        return _event_source(state, secret)
    principal = principal_from_token(state, secret)
    if principal is None:
        raise ApiError(401, "unknown or expired token; log in again", headers=_CHALLENGE)
    return principal


def current_user(caller: Annotated[Caller, Depends(authenticate)]) -> Principal:
    if isinstance(caller, EventSource):
        raise ApiError(403, "an API key may only post events (POST /api/v1/events)")
    return caller


def admin_user(principal: Annotated[Principal, Depends(current_user)]) -> Principal:
    if principal.role != "admin":
        raise ApiError(403, f"only an admin may do this; {principal.name} is a {principal.role}")
    return principal


def event_writer(caller: Annotated[Caller, Depends(authenticate)]) -> Caller:
    if isinstance(caller, Principal) and caller.role != "admin":
        raise ApiError(403, "live events come from an API key (callkpi apikey add) or an admin")
    return caller


UserDep = Annotated[Principal, Depends(current_user)]
AdminDep = Annotated[Principal, Depends(admin_user)]
EventWriterDep = Annotated[Caller, Depends(event_writer)]


def token_lifetime(state: ApiState) -> dt.timedelta:
    return dt.timedelta(minutes=state.config.token_minutes)
