-- Warning's own tables in cluster mode: the ingest log every node appends to, and the checkpoints (one per partition
-- of the log, plus the time-series feed's). Same columns as the embedded SQLite store (Storage/WarningDatabase.cs), so
-- one ADO.NET path reads and writes both; times and payloads are the same ISO-8601 and JSON text.
CREATE TABLE IF NOT EXISTS ingest_log (
    seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text    NOT NULL,
    item_id       text    NOT NULL,
    case_id       text,
    received_at   text    NOT NULL,
    payload       text    NOT NULL,
    log_partition integer NOT NULL DEFAULT 0,
    UNIQUE (kind, item_id)
);
-- An owner reads its partition after its checkpoint; intake looks up a case another node opened.
CREATE INDEX IF NOT EXISTS ingest_log_partition ON ingest_log (log_partition, seq);
CREATE INDEX IF NOT EXISTS ingest_log_case ON ingest_log (case_id) WHERE case_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS checkpoints (
    name text   PRIMARY KEY,
    seq  bigint NOT NULL
);
