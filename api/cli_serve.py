"""``sijie serve``: run the HTTP service (API, OGC API Features, docs at /api)."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli_options import LangOption, err, out, reports_errors
from api.i18n import Lang

__all__ = ["serve"]


@reports_errors
def serve(
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="gpkg:///path.gpkg or postgresql+psycopg://user@host/db "
            "(default: DATABASE_URL or gpkg:///./sijie.gpkg)",
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    lang: LangOption = Lang.zh,
) -> None:
    """Serve the API; on first run create the database, load the demo town and demo users."""
    import uvicorn
    from sqlalchemy.orm import sessionmaker

    from api.app import create_app
    from api.db.engine import make_engine
    from api.db.migrate import upgrade
    from api.demo import DEMO_USERS, seed_demo, seed_town
    from api.settings import Settings
    from geo.rules import load_rules

    settings = Settings(**({"database_url": database} if database else {}))
    engine = make_engine(settings.database_url)
    upgrade(engine)
    added: list[str] = []
    with sessionmaker(engine)() as session:
        rules = load_rules(settings.rules_file)
        if settings.context_file:
            added += seed_town(session, rules, settings.context_file)
        if settings.load_demo:
            added += seed_demo(session, rules, settings.demo_password.get_secret_value())
    for item in added:
        if item.startswith("town:"):
            out.print(f"已载入镇（街道）town loaded: {item[5:]}", highlight=False)
    if any(item.startswith("user:") for item in added):
        out.print(
            "已创建示范用户 demo users created (password: SIJIE_DEMO_PASSWORD, "
            "demo default if unset):",
            highlight=False,
        )
        for user in DEMO_USERS:
            out.print(
                f"  {user.username:<12} {user.role:<14} {user.department or ''}", highlight=False
            )
    engine.dispose()
    if settings.secret_key is None:
        err.print(
            "SIJIE_SECRET_KEY 未设置：令牌在服务停止后失效 (tokens end with the process)",
            highlight=False,
        )
    out.print(f"http://{host}:{port}/api", highlight=False)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
