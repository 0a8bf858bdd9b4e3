"""Logging in (a short-lived bearer token for a user name and password) and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from callkpi.access.credentials import digest, new_token, verify_password
from callkpi.api.errors import ApiError
from callkpi.api.schemas import TokenBody
from callkpi.api.security import StateDep, UserDep, bearer, token_lifetime
from callkpi.store import accounts

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenBody)
def log_in(
    request: Request,
    state: StateDep,
    username: Annotated[str, Form(min_length=1, max_length=200)],
    password: Annotated[str, Form(min_length=1, max_length=1000)],
) -> TokenBody:
    """Trade a user name and password (form fields, as in OAuth2's password flow) for a
    bearer token. Attempts are rate-limited per client address and failures per user."""
    address = request.client.host if request.client else "unknown"
    for limiter, key in (
        (state.login_by_address, address),
        (state.login_failures, username),
    ):
        wait = limiter.retry_after(key)
        if wait is not None:
            seconds = max(int(wait) + 1, 1)
            raise ApiError(
                429,
                f"too many login attempts; try again in {seconds} s",
                headers={"Retry-After": str(seconds)},
            )
    state.login_by_address.hit(address)
    with state.session() as ws:
        user = accounts.get_user(ws.store, username)
        if not verify_password(user.password_hash if user else None, password) or user is None:
            state.login_failures.hit(username)
            raise ApiError(
                401, "wrong user name or password", headers={"WWW-Authenticate": "Bearer"}
            )
        token = new_token()
        lifetime = token_lifetime(state)
        accounts.save_token(ws.store, digest(token), user.user_name, lifetime)
        accounts.sweep_tokens(ws.store)
    return TokenBody(access_token=token, expires_in=int(lifetime.total_seconds()), role=user.role)


@router.delete("/auth/token", status_code=204)
def log_out(
    state: StateDep,
    principal: UserDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> None:
    """Revoke the token this request carries."""
    assert credentials is not None  # UserDep has checked it
    key = digest(credentials.credentials)
    with state.session() as ws:
        accounts.revoke_token(ws.store, key)
    state.tokens.drop(key)
