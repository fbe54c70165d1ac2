#!/usr/bin/env python3
"""Derives src/store/postgres/*.rs from src/store/sqlite/*.rs.

The two backends run the same statements except for placeholders (`?`/`?N` → `$N`), the
pool types and the few PostgreSQL-only clauses marked below. Generating one from the other
keeps them from drifting; the contract tests prove both. Run after editing the SQLite store.
With --check it writes nothing and fails when the committed PostgreSQL store is stale."""
import re, subprocess, sys, tempfile, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
sqlite_dir = root / "src/store/sqlite"
postgres_dir = root / "src/store/postgres"

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

GENERATED = "//! GENERATED from the SQLite store by .ci/gen-postgres-store.py — edit that, then run it."
# (old, new): each must be found in at least one file.
replacements = [
    ("//! SQLite implementation of [`Store`]: the single-machine default (WAL mode).",
     "//! PostgreSQL implementation of [`Store`]: for several instances sharing one database.\n"
     + GENERATED),
    ("the SQLite queries of", "the PostgreSQL queries of"),
    ("sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>",
     "sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>"),
    ("/// A pool of SQLite connections.", "/// A pool of PostgreSQL connections."),
    ("pub struct SqliteStore", "pub struct PostgresStore"),
    ("impl SqliteStore", "impl PostgresStore"),
    ("for SqliteStore", "for PostgresStore"),
    ("pool: SqlitePool,", "pool: PgPool,"),
    ("pub fn pool(&self) -> &SqlitePool", "pub fn pool(&self) -> &PgPool"),
    ('sqlx::migrate!("migrations/sqlite")', 'sqlx::migrate!("migrations/postgres")'),
    ("// SQLite has one writer at a time: the UPDATE … RETURNING is the claim.",
     "// SKIP LOCKED: concurrent instances each claim different rooms without waiting."),
    ("ORDER BY ics_next_sync_at LIMIT $5) RETURNING id",
     "ORDER BY ics_next_sync_at NULLS FIRST LIMIT $5 FOR UPDATE SKIP LOCKED) RETURNING id"),
]
used = set()

# open() differs entirely.
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

def convert(name, src):
    # Placeholders are numbered per statement: split at each statement start.
    parts = re.split(r"(?=sqlx::query|const [A-Z_]+: &str|fn save_calendar_query)", src)
    out = "".join(number_placeholders(p) for p in parts)
    if name == "mod.rs":
        # The sqlite imports, however rustfmt wrapped them.
        out, n = re.subn(r"use sqlx::sqlite::\{[^}]*\};\nuse sqlx::SqlitePool;\nuse std::str::FromStr;\n",
                         "use sqlx::postgres::PgPoolOptions;\nuse sqlx::PgPool;\n", out)
        if n != 1:
            sys.exit("gen-postgres-store: sqlite imports not found")
        out, n = re.subn(r"    /// Opens \(and creates when missing\).*?\n    }\n", open_pg, out,
                         count=1, flags=re.S)
        if n != 1:
            sys.exit("gen-postgres-store: open() not found")
    else:
        out = out.replace("\n\nuse super::*;", "\n" + GENERATED + "\n\nuse super::*;", 1)
    for old, new in replacements:
        if old in out:
            used.add(old)
            out = out.replace(old, new)
    return out

names = sorted(p.name for p in sqlite_dir.glob("*.rs"))
generated = {name: convert(name, (sqlite_dir / name).read_text()) for name in names}
missing = [old for old, _ in replacements if old not in used]
if missing:
    sys.exit(f"gen-postgres-store: patterns not found: {missing}")

if "--check" in sys.argv[1:]:
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in generated.items():
            (pathlib.Path(tmp) / name).write_text(text)
        files = [str(pathlib.Path(tmp) / name) for name in names]
        subprocess.run(["rustfmt", "--edition", "2021", *files], check=True)
        committed = sorted(p.name for p in postgres_dir.glob("*.rs"))
        stale = [name for name in names
                 if not (postgres_dir / name).exists()
                 or (postgres_dir / name).read_text() != (pathlib.Path(tmp) / name).read_text()]
        if stale or committed != names:
            sys.exit("src/store/postgres is out of date with src/store/sqlite "
                     f"({', '.join(stale) or 'file list'}): run python3 .ci/gen-postgres-store.py "
                     "and cargo fmt --all")
    sys.exit(0)

postgres_dir.mkdir(exist_ok=True)
for stale in postgres_dir.glob("*.rs"):
    if stale.name not in names:
        stale.unlink()
for name, text in generated.items():
    (postgres_dir / name).write_text(text)
