"""The annexes of 001 § 二(一)4: 附件1 the information table as a Word form, 附件2 the joint
review's 审核建议 compiled from the departments' opinions, 附件3 the request for approval
(请示) written from the workflow record."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from geo.documents.plan import FIRM_COLUMNS
from geo.documents.word import heading, new_document, paragraph, save, table
from geo.i18n import N_, known, t
from geo.profile import Profile
from geo.profile.application import Application
from geo.profile.info_table import TITLE, InfoField, sides_text

__all__ = ["Opinion", "Step", "write_annex1", "write_annex2", "write_annex3"]

_VERDICTS = {"agree": N_("opinion_agree"),
             "agree_with_conditions": N_("opinion_agree_with_conditions"),
             "disagree": N_("opinion_disagree")}


@dataclass(frozen=True)
class Opinion:
    """One department's opinion in the joint review."""

    department: str
    verdict: str  # agree, agree_with_conditions, disagree
    text: str
    author: str
    when: dt.datetime
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One recorded step of the workflow: who did what, when and why."""

    when: dt.datetime
    action: str
    to_state: str
    actor: str
    reason: str


def write_annex1(path: str | Path, fields: list[InfoField], application: Application,
                 lang: str = "zh") -> Path:
    """附件1 as a Word form: one label/value row per field, then the enterprises' table."""
    doc = new_document(t(TITLE, lang))
    table(doc, None, [[f.label, f.text()] for f in fields], widths_mm=(60, 106))
    heading(doc, t("table_firms_sheet", lang))
    table(doc, [t(k, lang) for k in FIRM_COLUMNS],
          [[str(e.number), e.name, e.uscc, e.industry, f"{e.employees:,}"]
           for e in application.enterprises], widths_mm=(12, 60, 42, 34, 18))
    return save(doc, path)


def verdict_label(verdict: str, lang: str) -> str:
    """同意 / 有条件同意 / 不同意 in the reader's language (the raw value if unknown)."""
    return t(_VERDICTS[verdict], lang) if verdict in _VERDICTS else verdict


def _remarks(opinion: Opinion, lang: str) -> str:
    """The opinion's words, then its conditions (each to be marked met before approval)."""
    parts = [opinion.text] if opinion.text else []
    if opinion.conditions:
        parts.append(t("annex2_conditions", lang,
                       conditions=t("list_sep", lang).join(opinion.conditions)))
    return t("list_sep", lang).join(parts) or "—"


def write_annex2(path: str | Path, name: str, opinions: list[Opinion], lang: str = "zh") -> Path:
    """附件2 审核建议: each department's opinion, its conditions or remarks, who and when,
    and the tally."""
    doc = new_document(t("annex2_title", lang, name=name))
    paragraph(doc, t("annex2_intro", lang, name=name))
    tally = Counter(o.verdict for o in opinions)
    paragraph(doc, t("annex2_tally", lang, count=len(opinions), agree=tally["agree"],
                     conditional=tally["agree_with_conditions"], disagree=tally["disagree"]))
    table(doc, [t(k, lang) for k in (N_("annex2_col_department"), N_("annex2_col_verdict"),
                                     N_("annex2_col_text"), N_("annex2_col_author"),
                                     N_("annex2_col_date"))],
          [[o.department, verdict_label(o.verdict, lang), _remarks(o, lang), o.author,
            o.when.date().isoformat()] for o in opinions], widths_mm=(30, 24, 70, 22, 22))
    return save(doc, path)


def _state(state: str, lang: str) -> str:
    key = f"state_{state}"
    return t(key, lang) if known(key) else state


def write_annex3(path: str | Path, profile: Profile, application: Application,
                 steps: list[Step], lang: str = "zh") -> Path:
    """附件3 关于要求设立…的请示: what the town asks and why, the steps taken so far (from the
    workflow record), the attachments, the applicant and the date."""
    name = profile.name
    doc = new_document(t("annex3_title", lang, name=name))
    paragraph(doc, t("annex3_addressee", lang), indent=False)
    paragraph(doc, t("annex3_body", lang, town=application.town or "—", name=name,
                     sides=sides_text(profile.four_sides, lang) or "—", area=profile.area_m2 / 1e6,
                     enterprises=profile.enterprises, employees=profile.employees,
                     centre=application.centre_name))
    paragraph(doc, t("annex3_steps", lang))
    table(doc, [t(k, lang) for k in (N_("annex2_col_date"), N_("annex3_col_step"),
                                     N_("annex2_col_author"), N_("annex3_col_reason"))],
          [[s.when.date().isoformat(), _state(s.to_state, lang), s.actor, s.reason or "—"]
           for s in steps], widths_mm=(24, 44, 30, 70))
    paragraph(doc, t("annex3_ask", lang))
    paragraph(doc, t("annex3_attachments", lang, name=name), indent=False)
    paragraph(doc, f"{application.applicant}\n{application.date.isoformat()}", indent=False)
    paragraph(doc, t("plan_contact", lang, contact=application.contact or "—"), indent=False)
    return save(doc, path)
