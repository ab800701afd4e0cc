"""The service's routers, one per resource, gathered in :data:`routers`."""

from api.routes import (
    admin,
    analysis,
    audits,
    auth,
    features,
    features_edit,
    field_pages,
    health,
    jobs,
    pages,
    printing,
    proposals,
    public,
    rerun,
    roster,
    survey,
    towns,
    workflow,
    workspace,
)

routers = [
    health.router,
    auth.router,
    features.router,
    features_edit.router,
    proposals.router,
    analysis.router,
    printing.router,
    workflow.router,
    jobs.router,
    rerun.router,
    public.router,
    admin.router,
    towns.router,
    audits.router,
    roster.router,
    workspace.router,
    survey.router,
    pages.router,
    field_pages.router,
]

__all__ = ["routers"]
