"""The application's own facts (附件1, 布局图): town, code, centre name and floor area, and the
enterprises the community serves, numbered in reading order."""

from __future__ import annotations

import dataclasses
import datetime as dt

from geo.io import read_context, read_layer
from geo.profile import community_profile
from geo.profile.application import application_facts, centre_floor_area
from geo.proposal import proposal_from_frame
from geo.rules import load_rules
from geo.validate import naming


def test_demo_application_facts_agree_with_the_profile(demo_dir):
    ctx = read_context(demo_dir / "context.gpkg", load_rules(None))
    prop = proposal_from_frame(read_layer(demo_dir / "proposals" / "good_industrial.gpkg"))
    geom = prop.to_crs(ctx.crs)
    facts = application_facts(prop.name, geom, ctx, date=dt.date(2026, 6, 30))
    profile = community_profile(prop, ctx, year=2026)
    assert facts.town == "澥川街道" and facts.applicant == "澥川街道"
    assert facts.community_code == "330211102900"  # the town's code and 900, as the grids use
    assert facts.centre_name == "澥川新材料工业社区(党群)服务中心"
    named = dataclasses.replace(prop, centre_name=facts.centre_name)
    assert naming.check(named, ctx).findings == ()  # the default name passes rule B9
    assert facts.centre_floor_area_m2 == 1_110.0  # the eight rooms of 004 第三十二条
    assert len(facts.enterprises) == profile.enterprises
    assert [e.number for e in facts.enterprises] == list(range(1, profile.enterprises + 1))
    ys = [e.y for e in facts.enterprises]
    assert ys[0] > ys[-1]  # numbered from the north
    assert all(e.uscc and e.name for e in facts.enterprises)


def test_given_facts_replace_the_defaults(demo_dir):
    ctx = read_context(demo_dir / "context.gpkg", load_rules(None))
    prop = proposal_from_frame(read_layer(demo_dir / "proposals" / "good_industrial.gpkg"))
    facts = application_facts(prop.name, prop.to_crs(ctx.crs), ctx, date=dt.date(2026, 1, 2),
                              community_code="330211102001", applicant="澥川街道办事处",
                              contact="王明 0574-86000000",
                              centre_name="澥川新材料工业社区（党群）服务中心",
                              centre_floor_area_m2=800.0)
    assert facts.to_dict()["date"] == "2026-01-02"
    assert (facts.community_code, facts.applicant, facts.contact, facts.centre_name,
            facts.centre_floor_area_m2) == ("330211102001", "澥川街道办事处", "王明 0574-86000000",
                                            "澥川新材料工业社区（党群）服务中心", 800.0)


def test_centre_floor_area_is_never_below_the_minimum(demo_dir):
    ctx = read_context(demo_dir / "context.gpkg", load_rules(None))
    facility = ctx.rules.facility.model_copy(update={"programme_m2": {"library": 100.0}})
    small = ctx.rules.model_copy(update={"facility": facility})
    assert centre_floor_area(ctx.with_rules(small)) == 500.0
