"""Persistence: conversations, brief versions, knowledge gaps, settings, quiz and role-play scores.

`protocol.Store` is the contract; `SqlStore` implements it once in portable SQL, over SQLite
(`SqliteStore`, the default: one file) or PostgreSQL (`PostgresStore`, for several
processes or machines; imported only when used). `open_store` picks one from a path or a
`postgresql://` URL; `transfer` exports and imports every row as JSON lines; `brief_files`
keeps a folder of Markdown files in step with a store's briefs.
"""

from .errors import ConversationConflict, StoreError
from .migrations import MIGRATIONS, SchemaTooNewError
from .opening import is_url, open_store
from .protocol import BriefDraft, BriefRef, GapDraft, SavedTurn, Store, StoredConversation
from .records import BriefInfo, BriefRecord, GapRecord, GapSummary
from .sql_store import SqlStore
from .sqlite_store import SqliteStore

__all__ = ["MIGRATIONS", "BriefDraft", "BriefInfo", "BriefRecord", "BriefRef", "ConversationConflict", "GapDraft",
           "GapRecord", "GapSummary", "SavedTurn", "SchemaTooNewError", "SqlStore", "SqliteStore", "Store",
           "StoreError", "StoredConversation", "is_url", "open_store"]
