"""The MkDocs adapter: the only part of handover-docs that imports MkDocs."""
