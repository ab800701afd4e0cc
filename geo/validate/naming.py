"""B9 name: 工业社区 "XX工业社区", 楼宇社区 "XX楼宇社区".

Clause: 001 § 二(一)3(1) (命名规范). The name must end in the suffix of the declared type; a
type that is neither is an error too.
"""

from __future__ import annotations

from geo.proposal import Proposal
from geo.rules import Rules
from geo.rules.model import NamingRules, clause_of
from geo.validate.report import ERROR, Finding

__all__ = ["check_naming"]

CLAUSE = clause_of(NamingRules, "industrial_suffix")


def check_naming(proposal: Proposal, rules: Rules) -> list[Finding]:
    suffixes = {"industrial": rules.naming.industrial_suffix,
                "building": rules.naming.building_suffix}
    if proposal.type not in suffixes:
        return [Finding("B9", ERROR, CLAUSE, "b9_unknown_type", {"type": proposal.raw_type},
                        {}, None)]
    suffix = suffixes[proposal.type]
    name = proposal.name.strip()
    if name.endswith(suffix) and len(name) > len(suffix):
        return []
    return [Finding("B9", ERROR, CLAUSE, "b9_bad_name", {"name": name, "suffix": suffix}, {}, None)]
