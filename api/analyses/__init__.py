"""The analyses of a proposal, one module per kind, each declaring its :class:`Analysis` entry
(how it runs, is stored, read back, shown and drawn). :mod:`api.registry` lists them all."""

from api.analyses.base import Analysis, Options, Reading, Target

__all__ = ["Analysis", "Options", "Reading", "Target"]
