"""The rule set: policy numbers with their clauses, and the context's layer/column mapping."""

from geo.rules.load import RuleEntry, iter_rules, load_rules
from geo.rules.model import Rules, clause_of

__all__ = ["RuleEntry", "Rules", "clause_of", "iter_rules", "load_rules"]
