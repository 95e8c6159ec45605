"""Reviewing a handover: completeness audit, semantic diff, git history, exports and imports.

Nothing here imports MkDocs; the Markdown helpers return engine-neutral text that the
site (or ``handover render``) places into pages.
"""
