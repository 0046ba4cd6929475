"""Privacy, consent and data rights: encryption at rest, export, erasure, retention, audit, backups.

The modules here are pure logic or file-level storage; all SQL lives in ``bot/repos/privacy.py``
and the Discord face is ``cogs/privacy/``.
"""
