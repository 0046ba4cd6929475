"""Resilience Bot: supports therapy and resilience groups between their sessions."""

__version__ = "0.1.0"
