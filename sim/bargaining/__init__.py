"""Stakeholder bargaining: the Spatial Model of Politics as KTAB implements it, plus vetoes.

Public API:

* :class:`BargainingEngine` - build with :meth:`~BargainingEngine.from_spec` or
  :meth:`~BargainingEngine.from_ktab`; then :meth:`~BargainingEngine.step`,
  :meth:`~BargainingEngine.run`, :meth:`~BargainingEngine.apply`,
  :meth:`~BargainingEngine.forecast`, :meth:`~BargainingEngine.baseline`,
  :attr:`~BargainingEngine.branches` and :attr:`~BargainingEngine.history`.
* :class:`Shock`, :class:`VetoShock`, :class:`ShockKind`, :class:`ShockMode` - events
  between rounds.
* :func:`read_ktab_csv` - KTAB's input format.
* The option enums, re-exported from :mod:`sim.scenario.bargaining`.
"""

from sim.bargaining.engine import BargainingEngine, RecordLevel, RoundRecord
from sim.bargaining.history import History
from sim.bargaining.ktab_io import KtabTable, read_ktab_csv
from sim.bargaining.shocks import Shock, ShockKind, ShockMode, ShockRecord, VetoShock
from sim.bargaining.vetoes import DEAL, Decision, Link, RedLine, Reversion, Veto
from sim.scenario.bargaining import (
    BargainingInterpolation,
    BargainingSettings,
    BargainingSpec,
    PceModel,
    RiskAdjust,
    RiskRange,
    ThirdPartyCommit,
    Transitions,
    VictoryModel,
    VotingRule,
)

__all__ = [
    "DEAL",
    "BargainingEngine",
    "BargainingInterpolation",
    "BargainingSettings",
    "BargainingSpec",
    "Decision",
    "History",
    "KtabTable",
    "Link",
    "PceModel",
    "RecordLevel",
    "RedLine",
    "Reversion",
    "RiskAdjust",
    "RiskRange",
    "RoundRecord",
    "Shock",
    "ShockKind",
    "ShockMode",
    "ShockRecord",
    "ThirdPartyCommit",
    "Transitions",
    "Veto",
    "VetoShock",
    "VictoryModel",
    "VotingRule",
    "read_ktab_csv",
]
