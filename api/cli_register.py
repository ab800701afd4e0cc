"""``sijie register``: record a registered community (登记注册, 001 § 二(一)4) in the context
GeoPackage the town is kept in (registered on the ``sijie`` app in :mod:`api.cli`).

Exit codes: 0 recorded; 2 nothing was written (the input could not be used, the date is
earlier than one already recorded, or the community would take a registered one's land).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from api.cli_options import CLI_LANG, EXIT_OK, ProposalInputs, err, out, proposal_command
from geo.errors import InputError
from geo.i18n import t

__all__ = ["register_command"]


def _date(value: str | None) -> dt.date:
    if value is None:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(message_key="register_date_invalid", params={"value": value},
                         field="--date") from None


@proposal_command
def register_command(
    inputs: ProposalInputs,
    date: Annotated[str | None, typer.Option(
        "--date", help=t("help_register_date", CLI_LANG))] = None,
) -> None:
    """Record the registered community in the context file: the villages get their new
    boundaries, the community joins the neighbours layer as an industrial community and every
    boundary replaced is kept in the layer neighbours_history with its dates."""
    from geo.io.history import read_history_layers, replace_layers
    from geo.register import HISTORY_LAYER, register, registered_layers
    from geo.rules import load_rules

    lang = inputs.lang
    day = _date(date)
    rules = load_rules(inputs.rules)
    layer = rules.context.layers.neighbours
    current, history = read_history_layers(inputs.context, layer, HISTORY_LAYER)
    prop, ctx = inputs.read()
    registration = register(prop, ctx, date=day)
    after, kept = registered_layers(registration, current, history,
                                    columns=rules.context.columns.get("neighbours", {}),
                                    source=inputs.context, layer=layer)
    replace_layers(inputs.context, {layer: after, HISTORY_LAYER: kept})
    for change in registration.changes:
        out.print(t("register_neighbour", lang, neighbour=change.name,
                    before=change.before.area, after=change.after.area,
                    given=change.area_given_m2), highlight=False)
    if registration.retired is not None:
        out.print(t("register_retired", lang, community=registration.name), highlight=False)
    err.print(t("register_written", lang, community=registration.name,
                area=registration.community.area, date=day.isoformat(), path=inputs.context,
                history=HISTORY_LAYER), highlight=False)
    raise typer.Exit(EXIT_OK)
