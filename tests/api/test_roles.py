"""The role groups the route dependencies are built from."""

from __future__ import annotations

from api.auth import ADMINS, APPOINTERS, EDITORS, REVIEWERS, ROLES


def test_every_role_group_names_only_known_roles():
    for group in (EDITORS, REVIEWERS, APPOINTERS, ADMINS):
        assert group and set(group) <= set(ROLES)


def test_only_administrators_manage_users_and_reviewers_never_edit():
    assert ADMINS == ("admin",)
    assert not set(REVIEWERS) & set(EDITORS)
