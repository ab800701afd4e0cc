"""OGC API Features Part 4 on the proposals collection: create (POST …/items), replace (PUT),
update (PATCH, a JSON merge patch or a partial GeoJSON Feature) and delete (DELETE) of
``/collections/proposals/items/{id}``.

They are the proposals' own operations (:mod:`api.routes.proposals`) under the collection's
paths, with the same roles and ETag rules: a replace, update or delete needs ``If-Match``
naming the newest version (428 without it, 412 when stale). A replace or update stores a new
version; a delete withdraws the proposal (the workflow step ``withdrawal``), which then leaves
the collection while its versions and history are kept. The other collections are read-only
(405).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from api.deps import GisUser, SessionDep
from api.ogc_params import ogc_parameters
from api.problems import Problem
from api.routes.common import Id
from api.routes.proposals import PROPOSAL_BODY, SentDep, create_answer, edit_answer
from api.serialize import GeoJSONResponse
from api.services import proposals as svc
from api.services.features import COLLECTIONS
from api.services.workflow import withdraw
from geo.i18n import Lang, t

router = APIRouter(tags=["OGC API Features"], dependencies=[Depends(ogc_parameters)])

_EDITABLE = "proposals"
_ITEM = "/collections/proposals/items/{id}"


def _editable(collection_id: str) -> None:
    if collection_id not in COLLECTIONS:
        raise Problem(404, "collection_not_found", id=collection_id)
    if collection_id != _EDITABLE:
        raise Problem(405, "collection_read_only", id=collection_id, editable=_EDITABLE)


@router.post("/collections/{collection_id}/items", status_code=201, openapi_extra=PROPOSAL_BODY,
             summary="Create a proposal (proposals collection only)")
def create_item(collection_id: str, request: Request, session: SessionDep, user: GisUser,
                sent: SentDep) -> GeoJSONResponse:
    _editable(collection_id)
    return create_answer(request, session, user, sent, location=_ITEM)


@router.put("/collections/{collection_id}/items/{fid}", openapi_extra=PROPOSAL_BODY,
            summary="Replace a proposal's boundary and attributes: a new version (If-Match)")
def replace_item(collection_id: str, fid: Id, request: Request, session: SessionDep,
                 user: GisUser, sent: SentDep) -> GeoJSONResponse:
    _editable(collection_id)
    return edit_answer(fid, request, session, user, sent, merge=False, location=_ITEM)


@router.patch("/collections/{collection_id}/items/{fid}", openapi_extra=PROPOSAL_BODY,
              summary="Update some of a proposal's members: a new version (If-Match)")
def update_item(collection_id: str, fid: Id, request: Request, session: SessionDep,
                user: GisUser, sent: SentDep) -> GeoJSONResponse:
    _editable(collection_id)
    return edit_answer(fid, request, session, user, sent, merge=True, location=_ITEM)


@router.delete("/collections/{collection_id}/items/{fid}", status_code=204,
               summary="Withdraw a proposal still being edited (If-Match)")
def delete_item(collection_id: str, fid: Id, request: Request, session: SessionDep,
                user: GisUser) -> Response:
    _editable(collection_id)
    proposal = svc.get_proposal(session, fid, user)
    if proposal.state == svc.WITHDRAWN:
        raise Problem(404, "feature_not_found", collection=collection_id, fid=fid)
    withdraw(session, proposal, user, svc.parse_if_match(request.headers.get("if-match")),
             reason=t("withdrawn_by_delete", Lang.zh), contexts=request.app.state.contexts)
    return Response(status_code=204)
