"""handover-docs: hand an ML model over from research to operations without losing the context."""

__version__ = "0.1.0"
