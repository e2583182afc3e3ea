"""The store's tables, and how a database made by an earlier version is brought up to date.

One schema for SQLite and PostgreSQL (SQLAlchemy Core). Nothing here decides what may be stored or
shown: that is the store's and the rules' business. An upgrade keeps every row; columns added later are
nullable, and what the kit no longer keeps (answer times, numbers counted in join order) is dropped.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

# Participants and requests get random numbers: numbered as they came, they would say who joined (and so
# who tapped) first. BIGINT, except SQLite's INTEGER PRIMARY KEY, 64 bits already and the row's own key.
RandomId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("join_code", sa.String(8), nullable=False, unique=True),
    sa.Column("module_id", sa.String(100), nullable=False),
    sa.Column("module_hash", sa.String(64), nullable=False),
    # The module as it was when the session started: editing the file later changes nothing here.
    sa.Column("module_json", sa.Text, nullable=False),
    sa.Column("min_group_size", sa.Integer, nullable=False),
    sa.Column("current_section", sa.String(100)),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True)),
    # Bumped by every facilitator action, so a follower checks one number to know whether to redraw.
    sa.Column("version", sa.Integer, nullable=False, default=0),
    # The poll whose results the facilitator has put in front of the room (screen and phones).
    sa.Column("revealed_poll", sa.String(100)),
    # The local support contacts when the session started (JSON list), for every phone and the end screen.
    sa.Column("support_json", sa.Text),
    # How many people the facilitator expects: more devices than that is a sign of ballot stuffing.
    sa.Column("expected_people", sa.Integer),
    # Once the room is in, the facilitator closes joining: known devices come back, new ones are refused.
    sa.Column("joining_closed", sa.Boolean),
)

poll_states = sa.Table(
    "poll_states",
    metadata,
    sa.Column("session_id", sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("poll_id", sa.String(100), primary_key=True),
    sa.Column("status", sa.String(10), nullable=False),  # "open" or "closed"
    # A live poll's results as the room last saw them, and how many answers (new or changed) they
    # counted: the room's view moves only in batches, so no single tap can be read from a difference.
    sa.Column("shown_json", sa.Text),
    sa.Column("shown_events", sa.Integer),
)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("id", RandomId, primary_key=True, autoincrement=False),
    sa.Column("session_id", sa.ForeignKey("sessions.id"), nullable=False),
    sa.Column("device_hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("session_id", "device_hash"),
)

answers = sa.Table(
    "answers",
    metadata,
    sa.Column("participant_id", sa.ForeignKey("participants.id"), primary_key=True),
    sa.Column("poll_id", sa.String(100), primary_key=True),
    sa.Column("session_id", sa.ForeignKey("sessions.id"), nullable=False, index=True),
    sa.Column("value", sa.Text, nullable=False),
    # Open text only: "pending" until the facilitator approves or rejects it; only approved text is shown.
    # Safety flags are found afresh in the text, with the module's own words; a rejected text's words are
    # wiped, so the kinds of danger it spoke of are kept here (a JSON list) for the export's counts.
    sa.Column("review", sa.String(10)),
    sa.Column("flags", sa.Text),
    # How many times this answer was given (1, then one more per change): the live batches count these.
    sa.Column("revision", sa.Integer),
    # In SQLite, no hidden rowid counting answers as they arrive: rows are kept in key order.
    sqlite_with_rowid=False,
)

# What a phone may ask the facilitator for, privately: a word at the break (with a random code only
# the asker knows) or a pause. No participant, device or time of day is kept with it, and the rows go
# when the session ends.
room_requests = sa.Table(
    "room_requests",
    metadata,
    sa.Column("id", RandomId, primary_key=True, autoincrement=False),
    sa.Column("session_id", sa.ForeignKey("sessions.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),  # "private-word" or "pause"
    sa.Column("code", sa.String(8)),
)

# What a purged session keeps (`workshop.retention`): its export's results, computed before its raw
# answers, texts, participants and requests were deleted.
kept_results = sa.Table(
    "kept_results",
    metadata,
    sa.Column("session_id", sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("results_json", sa.Text, nullable=False),
)
# What earlier versions stored and this one does not: dropped when such a database is opened.
NO_LONGER_KEPT = {"answers": ("answered_at",), "poll_states": ("changed_at",)}


def add_missing_columns(engine: sa.Engine) -> None:
    """Bring a database made by an earlier version up to date; columns added later are nullable.

    Several kernels may start at once and race to add the same column: the loser finds it there.
    """
    for table in metadata.sorted_tables:
        present = {column["name"] for column in sa.inspect(engine).get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            kind = column.type.compile(dialect=engine.dialect)
            try:
                with engine.begin() as db:
                    db.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
            except sa.exc.DBAPIError:
                found = {c["name"] for c in sa.inspect(engine).get_columns(table.name)}
                if column.name not in found:
                    raise


def drop_what_is_no_longer_kept(engine: sa.Engine) -> None:
    """Bring a database from before random ids and untimed answers up to date.

    Its rows stay (old participants keep their numbers); their answer times and poll times are dropped,
    and new participants and requests are numbered at random.
    """
    if engine.dialect.name == "sqlite":
        _rebuild_sqlite_tables(engine)
        return
    inspector = sa.inspect(engine)
    statements = [
        f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}"
        for table, columns in NO_LONGER_KEPT.items()
        for column in columns
        if column in {c["name"] for c in inspector.get_columns(table)}
    ]
    for table, column in (("answers", "participant_id"), ("participants", "id"), ("room_requests", "id")):
        kind = next(c["type"] for c in inspector.get_columns(table) if c["name"] == column)
        if not isinstance(kind, sa.BigInteger):  # a 32-bit SERIAL, counting rows as they came
            statements.append(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
            statements.append(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE BIGINT")
    if statements:
        with engine.begin() as db:
            for statement in statements:
                db.execute(sa.text(statement))


def _rebuild_sqlite_tables(engine: sa.Engine) -> None:
    """SQLite: copy each table that still has a dropped column (or a rowid) into the current shape.

    Under one write lock, so kernels starting together rebuild once; secure_delete zeroes the old pages.
    """
    raw = engine.raw_connection()
    sqlite_connection: Any = raw.driver_connection
    isolation = sqlite_connection.isolation_level
    sqlite_connection.isolation_level = None  # our own BEGIN: DDL must not commit statement by statement
    cursor = sqlite_connection.cursor()
    rebuilt = False
    try:
        if any(_sqlite_table_is_old(cursor, name) for name in NO_LONGER_KEPT):
            cursor.execute("BEGIN IMMEDIATE")
            try:
                for name in NO_LONGER_KEPT:
                    if _sqlite_table_is_old(cursor, name):  # again, now that we hold the lock
                        _rebuild_sqlite_table(engine, cursor, metadata.tables[name])
                        rebuilt = True
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
    finally:
        cursor.close()
        sqlite_connection.isolation_level = isolation
        raw.close()
    if rebuilt:
        erase_freed_pages(engine)


def _sqlite_table_is_old(cursor: Any, name: str) -> bool:
    present = {row[1] for row in cursor.execute(f"PRAGMA table_info({name})")}
    if present & set(NO_LONGER_KEPT.get(name, ())):
        return True
    wants_rowid = metadata.tables[name].dialect_options["sqlite"]["with_rowid"] is not False
    sql = cursor.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return bool(sql) and wants_rowid == ("WITHOUT ROWID" in sql[0].upper())


def _rebuild_sqlite_table(engine: sa.Engine, cursor: Any, table: sa.Table) -> None:
    present = [row[1] for row in cursor.execute(f"PRAGMA table_info({table.name})")]
    kept = ", ".join(column for column in present if column in table.c)
    for index in table.indexes:
        cursor.execute(f"DROP INDEX IF EXISTS {index.name}")
    cursor.execute(f"ALTER TABLE {table.name} RENAME TO {table.name}_before_upgrade")
    ddl: list[sa.schema.ExecutableDDLElement] = [sa.schema.CreateTable(table)]
    ddl += [sa.schema.CreateIndex(index) for index in table.indexes]
    for statement in ddl:
        cursor.execute(str(statement.compile(dialect=engine.dialect)))
    cursor.execute(f"INSERT INTO {table.name} ({kept}) SELECT {kept} FROM {table.name}_before_upgrade")
    cursor.execute(f"DROP TABLE {table.name}_before_upgrade")


def erase_freed_pages(engine: sa.Engine) -> None:
    """SQLite: copy the WAL into the file and empty it, so no copy of a replaced or deleted text is left.

    secure_delete has zeroed it in the file itself. PostgreSQL keeps a dead row until VACUUM (see purge).
    """
    if engine.dialect.name == "sqlite":
        with engine.connect() as db:
            db.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
