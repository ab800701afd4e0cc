"""``sijie serve``: run the HTTP service (API, OGC API Features, docs at /api)."""

from __future__ import annotations

import os
import secrets
from typing import Annotated

import typer

from api.cli_options import CLI_LANG, LangOption, err, out, reports_errors
from geo.i18n import t

__all__ = ["serve"]


@reports_errors
def serve(
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help=t("help_serve_database", CLI_LANG),
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help=t("help_serve_host", CLI_LANG))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=t("help_serve_port", CLI_LANG))] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help=t("help_serve_workers", CLI_LANG))
    ] = 1,
    lang: LangOption = CLI_LANG,
) -> None:
    """Serve the API; on first run create the database, load the demo town and demo users."""
    import uvicorn
    from sqlalchemy.orm import sessionmaker

    from api.app import create_app
    from api.collector import restore
    from api.db.engine import make_engine
    from api.db.migrate import schema_lock, upgrade
    from api.demo import DEMO_USERS, seed_demo, seed_town
    from api.settings import Settings
    from geo.rules import load_rules

    restore()  # a service runs for days: Python's own collection thresholds
    settings = Settings(database_url=database) if database else Settings()
    engine = make_engine(settings.database_url)
    added: list[str] = []
    with schema_lock(engine), sessionmaker(engine)() as session:
        upgrade(engine)
        rules = load_rules(settings.rules_file)
        if settings.context_file:
            added += seed_town(session, rules, settings.context_file)
        if settings.load_demo:
            added += seed_demo(session, rules, settings.demo_password.get_secret_value())
    for item in added:
        if item.startswith("town:"):
            out.print(t("serve_town_loaded", lang, town=item[5:]), highlight=False)
    if any(item.startswith("user:") for item in added):
        out.print(t("serve_demo_users", lang), highlight=False)
        for user in DEMO_USERS:
            out.print(
                f"  {user.username:<12} {user.role:<14} {user.department or ''}", highlight=False
            )
    engine.dispose()
    if settings.secret_key is None:
        err.print(t("serve_no_secret_key", lang), highlight=False)
    out.print(f"http://{host}:{port}/api", highlight=False)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
        return
    # each worker process builds its own app from the environment; the database was migrated
    # and seeded above, and each worker's start-up takes the same lock before looking again
    os.environ["SIJIE_DATABASE_URL"] = settings.database_url
    if settings.secret_key is None:  # one random key for all workers: a token signed by one
        os.environ["SIJIE_SECRET_KEY"] = secrets.token_urlsafe(32)  # is good at the others
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info")
