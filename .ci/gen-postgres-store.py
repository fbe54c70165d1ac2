#!/usr/bin/env python3
"""Derives src/store/postgres.rs from src/store/sqlite.rs.

The two backends run the same statements except for placeholders (`?`/`?N` → `$N`), the
pool types and the few PostgreSQL-only clauses marked below. Generating one from the other
keeps them from drifting; the contract tests prove both. Run after editing sqlite.rs."""
import re, sys, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
src = (root / "src/store/sqlite.rs").read_text()

def number_placeholders(chunk):
    counter = [0]
    def literal(m):
        text = m.group(0)
        if re.search(r"\?\d", text):
            return re.sub(r"\?(\d+)", r"$\1", text)
        def q(_):
            counter[0] += 1
            return f"${counter[0]}"
        return re.sub(r"\?", q, text)
    return re.sub(r'"(?:[^"\\]|\\.|\\\n)*"', literal, chunk, flags=re.S)

# Placeholders are numbered per statement: split at each statement start.
parts = re.split(r"(?=sqlx::query|const [A-Z_]+: &str|fn save_calendar_query)", src)
out = "".join(number_placeholders(p) for p in parts)

replacements = [
    ("//! SQLite implementation of [`Store`]: the single-machine default (WAL mode).",
     "//! PostgreSQL implementation of [`Store`]: for several instances sharing one database.\n"
     "//! GENERATED from sqlite.rs by .ci/gen-postgres-store.py — edit sqlite.rs, then run it."),
    ("sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>",
     "sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>"),
    ("/// A pool of SQLite connections.", "/// A pool of PostgreSQL connections."),
    ("pub struct SqliteStore", "pub struct PostgresStore"),
    ("impl SqliteStore", "impl PostgresStore"),
    ("impl Store for SqliteStore", "impl Store for PostgresStore"),
    ("pool: SqlitePool,", "pool: PgPool,"),
    ("pub fn pool(&self) -> &SqlitePool", "pub fn pool(&self) -> &PgPool"),
    ('sqlx::migrate!("migrations/sqlite")', 'sqlx::migrate!("migrations/postgres")'),
    ("// SQLite has one writer at a time: the UPDATE … RETURNING is the claim.",
     "// SKIP LOCKED: concurrent instances each claim different rooms without waiting."),
    ("ORDER BY ics_next_sync_at LIMIT $5) RETURNING id",
     "ORDER BY ics_next_sync_at NULLS FIRST LIMIT $5 FOR UPDATE SKIP LOCKED) RETURNING id"),
]
# The sqlite imports, however rustfmt wrapped them.
out, n = re.subn(r"use sqlx::sqlite::\{[^}]*\};\nuse sqlx::SqlitePool;\nuse std::str::FromStr;\n",
                 "use sqlx::postgres::PgPoolOptions;\nuse sqlx::PgPool;\n", out)
if n != 1:
    sys.exit("gen-postgres-store: sqlite imports not found")
for old, new in replacements:
    if old not in out:
        sys.exit(f"gen-postgres-store: pattern not found: {old[:60]!r}")
    out = out.replace(old, new)

# The open() function differs entirely.
open_pg = '''    /// Connects to the database at `url`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }
'''
out, n = re.subn(r"    /// Opens \(and creates when missing\).*?\n    }\n", open_pg, out, count=1, flags=re.S)
if n != 1:
    sys.exit("gen-postgres-store: open() not found")
(root / "src/store/postgres.rs").write_text(out)
