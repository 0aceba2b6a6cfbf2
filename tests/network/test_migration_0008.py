"""Migration 0008 (alter roles housemate, colleague, professional; alters.is_group) keeps every alter."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from qualframe.store import db
from qualframe.store.study import Study


def _rows(study: Study) -> list[tuple[object, ...]]:
    with study.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT label, role FROM alters ORDER BY id"))]


def test_down_to_0003_and_up_again_keeps_alters_mentions_and_ties(dean_study: Study) -> None:
    from qualframe.network.review import edit_alter, list_alters
    from qualframe.network.ties import extract_network

    extract_network(dean_study)
    jo = next(a for a in list_alters(dean_study) if a.label == "Jo")
    edit_alter(dean_study, jo.id, role="professional", group=False)
    mum = next(a for a in list_alters(dean_study) if a.label == "Mum")
    edit_alter(dean_study, mum.id, group=True)
    with dean_study.engine.connect() as conn:
        counts = [
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("alters", "alter_mentions", "ties")
        ]
    cfg = db._alembic_config()
    with dean_study.engine.connect() as conn:
        conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
        conn.commit()
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(alters)"))]
    assert "is_group" not in columns
    assert ("Jo", "other") in _rows(dean_study)  # a role 0003 does not know becomes "other"
    db.upgrade(dean_study.engine)
    with dean_study.engine.connect() as conn:
        after = [
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("alters", "alter_mentions", "ties")
        ]
        assert conn.execute(text("SELECT count(*) FROM alters WHERE is_group")).scalar() == 0
        conn.execute(
            text("UPDATE alters SET role = 'colleague' WHERE label = 'Jo'")
        )  # the new roles are allowed
        conn.commit()
    assert after == counts
