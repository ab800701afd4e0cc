"""The messages the page templates say (``_("…")`` in ``templates/``), declared here so that
the catalogue knows them; ``tests/api/test_pages.py`` keeps this list and the templates equal."""

from __future__ import annotations

from geo.i18n import N_

__all__ = ["TEMPLATE_MESSAGES"]

TEMPLATE_MESSAGES: tuple[str, ...] = (
    N_("page_back_home"),
    N_("page_brand"),
    N_("page_breadcrumb"),
    N_("page_collection_browse"),
    N_("page_collection_crs"),
    N_("page_collection_description"),
    N_("page_collection_extent"),
    N_("page_collection_items"),
    N_("page_collection_name"),
    N_("page_collections_title"),
    N_("page_conformance_title"),
    N_("page_items_count"),
    N_("page_items_title"),
    N_("page_landing_api"),
    N_("page_landing_collections"),
    N_("page_landing_for_people"),
    N_("page_landing_intro"),
    N_("page_landing_public"),
    N_("page_landing_title"),
    N_("page_landing_workspace"),
    N_("page_map_preview"),
    N_("page_nav_api"),
    N_("page_nav_collections"),
    N_("page_nav_label"),
    N_("page_nav_public"),
    N_("page_nav_workspace"),
    N_("page_next"),
    N_("page_ogc_json_hint"),
    N_("page_ogc_link"),
    N_("page_ogc_links"),
    N_("page_ogc_type"),
    N_("page_previous"),
    N_("page_problem_title"),
    N_("page_skip_to_content"),
    N_("page_switch_language"),
)
