"""Persistence: conversations, briefs, knowledge gaps, settings and quiz scores in SQLite."""

from .migrations import MIGRATIONS, SchemaTooNewError
from .sqlite_store import BriefRecord, GapRecord, GapSummary, SqliteStore

__all__ = ["MIGRATIONS", "BriefRecord", "GapRecord", "GapSummary", "SchemaTooNewError", "SqliteStore"]
