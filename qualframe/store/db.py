"""Opening a study's SQLite database: pragmas, transactions, migrations.

Every connection gets foreign keys on, WAL journaling, ``synchronous=FULL`` and a busy timeout
(``QUALFRAME_BUSY_TIMEOUT``, 30 s by default), so a crash (even ``kill -9``) never loses a committed
change and never leaves the file corrupt. Writes use ``BEGIN IMMEDIATE`` so that two processes never interleave a read-then-write (the audit chain relies on
it); reads use plain deferred transactions and never block each other under WAL.

The connection factory is a parameter so that an encrypted study can swap in SQLCipher without any
other layer knowing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import QueuePool

from qualframe.config import settings
from qualframe.errors import StudyError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "SCHEMA_HEAD",
    "Connector",
    "busy_timeout",
    "connect_encrypted",
    "current_revision",
    "head_revision",
    "include_name",
    "make_engine",
    "upgrade",
]

#: Opens a DB-API connection to a database file (plain sqlite3, or SQLCipher with a key).
Connector = Callable[[Path], Any]

_MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest migration's revision. Opening an up-to-date study compares against this constant, so
#: Alembic is only imported when a migration actually has to run (a test keeps it equal to the head).
SCHEMA_HEAD = "0011"


def busy_timeout() -> float:
    """Seconds a connection waits for another writer before giving up (``QUALFRAME_BUSY_TIMEOUT``)."""
    return settings().busy_timeout


#: Connections are kept open between transactions (a few per engine; more are opened, and closed
#: again, when many threads read at once). Opening one costs more than most workbench requests:
#: the file, the pragmas, the schema to parse, and closing the last one checkpoints the WAL.
_POOL: dict[str, Any] = {"poolclass": QueuePool, "pool_size": 4, "max_overflow": -1}


def _plain_connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), timeout=busy_timeout(), check_same_thread=False)


def _raw_key(key: bytes) -> str:
    # SQLCipher's raw-key syntax: the key is used as it is, skipping SQLCipher's own PBKDF2 (the
    # passphrase already went through Argon2id in qualframe.crypto).
    return f"x'{key.hex()}'"


def _cipher_connect(path: Path) -> Any:
    import sqlcipher3

    con = sqlcipher3.connect(str(path), timeout=busy_timeout(), check_same_thread=False)
    # SQLCipher prints decryption failures to stderr; qualframe reports them as one sentence instead.
    con.execute("PRAGMA cipher_log_level = NONE")
    return con


def connect_encrypted(path: Path, key: bytes) -> Any:
    """A raw SQLCipher connection to ``path`` opened with ``key`` (for backups and restores)."""
    con = _cipher_connect(path)
    con.execute(f'PRAGMA key = "{_raw_key(key)}"')
    con.execute("PRAGMA temp_store = MEMORY")
    return con


def make_engine(path: Path, connector: Connector | None = None, *, key: bytes | None = None) -> Engine:
    """An engine on ``path`` with qualframe's pragmas and explicit transaction control.

    With ``key`` the database is a SQLCipher database (every page, the WAL included, encrypted with
    AES-256 and authenticated with HMAC-SHA512). SQLAlchemy's ``pysqlcipher`` dialect applies the key
    first on every connection and maps SQLCipher's errors to SQLAlchemy's, exactly as for plain SQLite.
    """
    if key is None:
        connect = connector or _plain_connect
        engine = create_engine("sqlite://", creator=lambda: connect(path), **_POOL)
    else:
        connect = connector or _cipher_connect
        url = URL.create("sqlite+pysqlcipher", password=_raw_key(key))
        engine = create_engine(url, creator=lambda: connect(path), **_POOL)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver; "begin" below issues it ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={round(busy_timeout() * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        if key is not None:
            cursor.execute("PRAGMA temp_store = MEMORY")  # no temporary files at all, not even encrypted
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("qualframe_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Tell Alembic's comparisons to ignore the FTS5 search tables, which no model describes."""
    return not (type_ == "table" and name is not None and name.startswith("segment_search"))


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest schema revision among the migration scripts (Alembic's own view)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database behind ``engine`` (None for an empty file)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` with the Alembic migrations.

    Foreign keys are switched off while the migrations run, as SQLite's documentation prescribes for
    schema changes: rebuilding a table (Alembic's batch mode) drops the old one, which with foreign
    keys on would cascade into every table that references it. They are checked before committing.
    """
    from alembic import command

    cfg = _alembic_config()
    with engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, or SQLite ignores it
        try:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                conn.rollback()
                raise StudyError(
                    f"the schema upgrade would break {len(problems)} references; nothing was changed."
                )
            conn.commit()
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
