"""Sortition: select citizens' panels that meet quotas, fairly and verifiably.

Pure Python on numpy and HiGHS. See `leximin` (Flanigan et al., Nature 2021), `legacy`
(Sortition Foundation), `lottery` (Flanigan, Kehne, Procaccia 2021), `feasibility`,
`replacements` and `audit`.
"""

from pbapp.core.sortition.audit import Selection, input_hash, quota_report, to_json
from pbapp.core.sortition.export import SelectedRemaining, selected_remaining_tables
from pbapp.core.sortition.feasibility import FeasibilityReport, Relaxation, check_feasibility
from pbapp.core.sortition.legacy import SelectionFailed, legacy_distribution, legacy_panel
from pbapp.core.sortition.leximin import Distribution, leximin
from pbapp.core.sortition.lottery import Lottery, gini, round_lottery
from pbapp.core.sortition.panels import InfeasibleError, find_panel
from pbapp.core.sortition.pool import (
    Person,
    Pool,
    Quota,
    parse_pool,
    read_pool,
    read_sortition_foundation,
)
from pbapp.core.sortition.replacements import Replacement, replace
from pbapp.core.sortition.selection import ALGORITHMS, select

__all__ = [
    "ALGORITHMS",
    "Distribution",
    "FeasibilityReport",
    "InfeasibleError",
    "Lottery",
    "Person",
    "Pool",
    "Quota",
    "Relaxation",
    "Replacement",
    "SelectedRemaining",
    "Selection",
    "SelectionFailed",
    "check_feasibility",
    "find_panel",
    "gini",
    "input_hash",
    "legacy_distribution",
    "legacy_panel",
    "leximin",
    "parse_pool",
    "quota_report",
    "read_pool",
    "read_sortition_foundation",
    "replace",
    "round_lottery",
    "selected_remaining_tables",
    "select",
    "to_json",
]
