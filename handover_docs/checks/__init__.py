"""The reproduce-and-validate check engine and its evidence.

Plugin authors need only this module::

    from handover_docs.checks import CheckContext, CheckResult, Comparison, check_plugin

    @check_plugin("row-count")
    def row_count(context: CheckContext, options: dict) -> CheckResult:
        ...

The site and the signer read evidence through :mod:`handover_docs.checks.evidence`
(``load_evidence``, ``evidence_digest``, ``status_for``).
"""

from handover_docs.checks.plugins import check_plugin
from handover_docs.checks.result import CheckContext, CheckFunction, CheckResult, Comparison

__all__ = ["CheckContext", "CheckFunction", "CheckResult", "Comparison", "check_plugin"]
