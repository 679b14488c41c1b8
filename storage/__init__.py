"""Persistence: conversations, brief versions, knowledge gaps, settings and quiz scores.

`protocol.Store` is the contract; `SqliteStore` implements it on SQLite; `brief_files`
keeps a folder of Markdown files in step with a store's briefs.
"""

from .errors import ConversationConflict, StoreError
from .migrations import MIGRATIONS, SchemaTooNewError
from .protocol import BriefDraft, BriefRef, GapDraft, SavedTurn, Store, StoredConversation
from .records import BriefInfo, BriefRecord, GapRecord, GapSummary
from .sqlite_store import SqliteStore

__all__ = ["MIGRATIONS", "BriefDraft", "BriefInfo", "BriefRecord", "BriefRef", "ConversationConflict", "GapDraft",
           "GapRecord", "GapSummary", "SavedTurn", "SchemaTooNewError", "SqliteStore", "Store", "StoreError",
           "StoredConversation"]
