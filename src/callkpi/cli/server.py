"""`callkpi serve`, and the accounts it serves: `callkpi user ...` and `callkpi apikey ...`.

Accounts are managed on the store file directly, so with DuckDB they are added while the
server is stopped (the server holds the file).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from callkpi.cli.common import TableOrJson, clean_errors, db_location, stderr, stdout

user_app = typer.Typer(help="API users: admins, managers of teams, agents.", no_args_is_help=True)
apikey_app = typer.Typer(
    help="API keys for event sources (they may only POST /api/v1/events).", no_args_is_help=True
)


class RoleOption(StrEnum):
    admin = "admin"
    manager = "manager"
    agent = "agent"


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    token_minutes: Annotated[
        int, typer.Option("--token-minutes", min=1, max=24 * 60, help="Bearer token lifetime.")
    ] = 15,
    query_timeout: Annotated[
        float, typer.Option("--query-timeout", min=0.1, help="Seconds before a query stops.")
    ] = 30.0,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", min=1)] = 200,
    timezone: Annotated[
        str, typer.Option("--timezone", help="Time zone of the live board's day.")
    ] = "UTC",
) -> None:
    """Serve the JSON API (/api/v1, OpenAPI at /api/v1/docs) and the live stream."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter(
            f"unknown time zone {timezone!r}", param_hint="--timezone"
        ) from None
    with clean_errors():
        from callkpi.api.serve import serve

        serve(
            db_location(),
            host=host,
            port=port,
            token_minutes=token_minutes,
            query_timeout_s=query_timeout,
            max_upload_bytes=max_upload_mb * 1024 * 1024,
            timezone=timezone,
            console=stderr,
        )


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[RoleOption, typer.Option("--role", help="admin, manager or agent.")],
    agent_id: Annotated[
        str | None, typer.Option("--agent-id", help="For an agent: whose figures it sees.")
    ] = None,
    teams: Annotated[
        list[str] | None, typer.Option("--team", help="For a manager: a team (repeatable).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an API user (asks for the password, stored as an Argon2id hash)."""
    from callkpi.access.credentials import hash_password
    from callkpi.store import accounts, open_store

    with clean_errors():
        password_hash = hash_password(_read_password(password_stdin))
        store = open_store(db_location())
        try:
            accounts.add_user(store, name, password_hash, role.value, agent_id, tuple(teams or ()))
        finally:
            store.close()
    stdout.print(f"user {name} ({role.value}) created", highlight=False)


@user_app.command("password")
def user_password(
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Set a new password (the user's tokens are revoked)."""
    from callkpi.access.credentials import hash_password
    from callkpi.store import accounts, open_store

    with clean_errors():
        password_hash = hash_password(_read_password(password_stdin))
        store = open_store(db_location())
        try:
            accounts.set_password_hash(store, name, password_hash)
        finally:
            store.close()
    stdout.print(f"password of {name} changed", highlight=False)


@user_app.command("list")
def user_list(
    output: Annotated[TableOrJson, typer.Option("--format")] = TableOrJson.table,
) -> None:
    """List users with their role, agent id and teams (never their hashes)."""
    from rich.table import Table

    from callkpi.store import accounts, open_store

    with clean_errors():
        store = open_store(db_location(), read_only=True)
        try:
            users = accounts.list_users(store)
        finally:
            store.close()
    records = [
        {"user": u.user_name, "role": u.role, "agent_id": u.agent_id, "teams": list(u.teams)}
        for u in users
    ]
    if output is TableOrJson.json:
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("user", "role", "agent_id", "teams", header_style="bold")
    for r in records:
        table.add_row(r["user"], r["role"], r["agent_id"] or "", ", ".join(r["teams"]))
    stdout.print(table)


@user_app.command("remove")
def user_remove(name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Delete a user and revoke its tokens."""
    from callkpi.store import accounts, open_store

    with clean_errors():
        store = open_store(db_location())
        try:
            accounts.remove_user(store, name)
        finally:
            store.close()
    stdout.print(f"user {name} removed", highlight=False)


@apikey_app.command("add")
def apikey_add(name: Annotated[str, typer.Argument(help="A name for the event source.")]) -> None:
    """Create a key and print it once (only its SHA-256 digest is kept)."""
    from callkpi.access.credentials import digest, new_api_key
    from callkpi.store import accounts, open_store

    key = new_api_key()
    with clean_errors():
        store = open_store(db_location())
        try:
            accounts.add_api_key(store, name, digest(key))
        finally:
            store.close()
    stderr.print(f"API key {name} created; it is shown once, keep it now:", highlight=False)
    sys.stdout.write(key + "\n")


@apikey_app.command("list")
def apikey_list() -> None:
    """List keys by name, with when they were created or revoked."""
    from rich.table import Table

    from callkpi.store import accounts, open_store

    with clean_errors():
        store = open_store(db_location(), read_only=True)
        try:
            keys = accounts.list_api_keys(store)
        finally:
            store.close()
    table = Table("name", "scope", "created", "revoked", header_style="bold")
    for k in keys:
        revoked = "" if k.revoked_at is None else f"{k.revoked_at:%Y-%m-%d %H:%M}"
        table.add_row(k.key_name, k.scope, f"{k.created_at:%Y-%m-%d %H:%M}", revoked)
    stdout.print(table)


@apikey_app.command("revoke")
def apikey_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke a key: the event source it was given to is refused from now on."""
    from callkpi.store import accounts, open_store

    with clean_errors():
        store = open_store(db_location())
        try:
            accounts.revoke_api_key(store, name)
        finally:
            store.close()
    stdout.print(f"API key {name} revoked", highlight=False)
