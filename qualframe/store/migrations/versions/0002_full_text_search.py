"""Full-text search over segments (SQLite FTS5), filled from existing data and kept in step by triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The index holds each segment's text (SQLite's substr counts code points, as our offsets do).
    op.execute(
        "CREATE VIRTUAL TABLE segment_search USING fts5("
        "text, segment_id UNINDEXED, source_id UNINDEXED, tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "INSERT INTO segment_search (text, segment_id, source_id) "
        'SELECT substr(s.text, g.start + 1, g."end" - g.start), g.id, g.source_id '
        "FROM segments g JOIN sources s ON s.id = g.source_id"
    )

    # Triggers keep the index true whenever a segment or a source's text changes or goes. New segments
    # are indexed by qualframe.store.search.index_segments in the same transaction: a per-row insert
    # trigger would re-read the whole source text for every turn and make bulk imports crawl.
    segment_text = (
        'substr((SELECT text FROM sources WHERE id = NEW.source_id), NEW.start + 1, NEW."end" - NEW.start)'
    )
    op.execute(
        "CREATE TRIGGER segments_search_delete AFTER DELETE ON segments BEGIN "
        "DELETE FROM segment_search WHERE segment_id = OLD.id; END"
    )
    op.execute(
        'CREATE TRIGGER segments_search_update AFTER UPDATE OF start, "end", source_id ON segments BEGIN '
        "DELETE FROM segment_search WHERE segment_id = OLD.id; "
        f"INSERT INTO segment_search (text, segment_id, source_id) VALUES ({segment_text}, NEW.id, NEW.source_id); END"
    )
    op.execute(
        "CREATE TRIGGER sources_search_update AFTER UPDATE OF text ON sources BEGIN "
        "DELETE FROM segment_search WHERE source_id = NEW.id; "
        "INSERT INTO segment_search (text, segment_id, source_id) "
        'SELECT substr(NEW.text, g.start + 1, g."end" - g.start), g.id, g.source_id '
        "FROM segments g WHERE g.source_id = NEW.id; END"
    )


def downgrade() -> None:
    for trigger in (
        "segments_search_delete",
        "segments_search_update",
        "sources_search_update",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE segment_search")
