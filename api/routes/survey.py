"""``/survey/proposals`` for the field reviewer page: the proposals open for the joint site
survey or the joint review, and one proposal's survey sheet (its newest boundary, the
validation findings and every survey finding in CRS84, the opinions, and what the reader may
do), one document each so that a phone keeps them for use without signal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.crs import CRS84
from api.deps import LangDep, SessionDep, StaffUser
from api.routes.common import Id
from api.routes.workflow import finding_feature, opinion_json
from api.serialize import JSONDocument, feature_collection, version_feature
from api.services import field, review
from api.services import joint_review as jr
from api.services import proposals as svc
from api.services.users import usernames
from api.services.workflow import STATE_LABELS
from geo.i18n import N_, Lang, t

router = APIRouter(prefix="/survey", tags=["survey"])

# each verdict a department may give, and its label
_VERDICTS = {"agree": N_("opinion_agree"),
             "agree_with_conditions": N_("opinion_agree_with_conditions"),
             "disagree": N_("opinion_disagree")}


def _state(state: str, lang: Lang) -> dict[str, str]:
    return {"state": state, "state_label": t(STATE_LABELS[state], lang)}


@router.get("/proposals", summary="Proposals in the joint site survey or the joint review, "
            "with the reader's department's findings and opinion (staff)")
def open_proposals(session: SessionDep, user: StaffUser, lang: LangDep) -> JSONDocument:
    rows = field.open_proposals(session, user)
    return JSONDocument({
        "department": user.department,
        "proposals": [{
            "id": row.proposal.id, "town_id": row.proposal.town_id, "name": row.version.name,
            "type": row.version.type, "version": row.version.version,
            **_state(row.proposal.state, lang),
            "findings": row.findings, "own_findings": row.own_findings,
            "opinion_given": row.opinion_given,
        } for row in rows],
    })


@router.get("/proposals/{proposal_id}", summary="A proposal's survey sheet: newest boundary, "
            "validation findings, survey findings of every version and opinions, in CRS84 "
            "(staff)")
def survey_sheet(proposal_id: Id, request: Request, session: SessionDep, user: StaffUser,
                 lang: LangDep) -> JSONDocument:
    state = request.app.state
    proposal = svc.get_proposal(session, proposal_id, user)
    version = svc.head(session, proposal_id)
    rights = field.rights_of(session, proposal, user, state.contexts.rules.workflow)
    findings = field.survey_findings(session, proposal)
    opinions = review.opinions_of(session, proposal_id)
    conditions = jr.conditions_of(session, proposal_id)
    names = usernames(session, [f.author_id for f, _ in findings]
                      + [o.author_id for o, _ in opinions])
    surveyed: list[dict[str, Any]] = []
    for finding, number in findings:
        feature = finding_feature(finding, names, CRS84, number)
        feature["properties"]["version"] = number
        surveyed.append(feature)
    return JSONDocument({
        "proposal": version_feature(proposal, version, CRS84, staff=True),
        **_state(proposal.state, lang),
        "rights": {"department": rights.department, "roster_entry": rights.roster_entry,
                   "can_record": rights.can_record, "can_opine": rights.can_opine},
        "validation": field.validation_findings(session, state.contexts, proposal, version,
                                                lang),
        "survey_findings": feature_collection(surveyed),
        "opinions": [opinion_json(o, names, number, conditions) for o, number in opinions],
        "verdicts": {verdict: t(key, lang) for verdict, key in _VERDICTS.items()},
        "photo_max_mb": state.settings.uploads.max_photo_mb,
    })
