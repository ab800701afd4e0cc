"""The community profile: class, staff quota, funding and the information table's facts."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from api.analyses.base import Analysis, Options, Reading, Target, query_year
from geo.context import Context
from geo.dates import today
from geo.i18n import N_, Lang, t
from geo.profile import Profile, community_profile
from geo.profile.info_table import InfoExtras, info_rows
from geo.proposal import Proposal

__all__ = ["PROFILE"]


class ProfileAnalysis(Analysis[Profile]):
    """The community profile."""

    name = "profile"
    label_key = N_("kind_profile")

    def run(self, proposal: Proposal, ctx: Context, options: Options) -> Profile:
        return community_profile(
            proposal,
            ctx,
            year=options.get("year") or today().year,
            live_work_share=options.get("live_work_share"),
            party_members=options.get("party_members"),
        )

    def options(self, params: Mapping[str, str], lang: Lang, upload_dir: Path) -> Options:
        share, members = params.get("live_work_share"), params.get("party_members")
        return {
            "year": query_year(params),
            "live_work_share": None if share is None else float(share),
            "party_members": None if members is None else int(members),
        }

    def store(self, target: Target, profile: Profile) -> dict[str, Any]:
        options = (target.run.result or {}).get("options", {})
        return {"options": options, "profile": profile.to_dict()}

    def present(self, reading: Reading) -> dict[str, Any]:
        return {"run": reading.run.id, **(reading.run.result or {})}

    def show(self, profile: Profile, proposal: Proposal, ctx: Context, console: Console,
             lang: Lang) -> None:
        """The information table's rows: facts, class, staff quota and funding."""
        rows = info_rows(profile, lang.value, InfoExtras(),
                         minimum_yuan=ctx.rules.funding.minimum_yuan)
        table = Table(title=t("profile_title", lang, name=profile.name, year=profile.funding.year),
                      show_header=False)
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for name, value in rows:
            table.add_row(name, value)
        console.print(table)


PROFILE = ProfileAnalysis()
