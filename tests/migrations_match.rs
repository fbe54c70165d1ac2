//! The two migration sets describe one schema. Every migration is written twice, once for
//! SQLite and once for PostgreSQL; this runs both on fresh databases and compares what they
//! built: tables, columns (a type class, nullability, primary key), indexes, unique and
//! check constraints and foreign keys. A difference names the table and what differs.
//!
//! Types are compared by class, because the two databases store some values differently
//! on purpose (`src/store/sql` reads both): UUIDs are `BLOB` on SQLite and `uuid` on
//! PostgreSQL; instants and JSON are `TEXT` on SQLite and `timestamptz` / `jsonb` on
//! PostgreSQL; booleans are `INTEGER` on SQLite. And SQLite has no `UNIQUE NULLS NOT
//! DISTINCT`: where PostgreSQL has one, SQLite has a unique index over
//! `COALESCE(column, '')`, read here as the same rule.

use sqlx::{Connection, Row};
use std::collections::BTreeMap;

/// One table as both databases are asked about it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Table {
    /// Column name → (type class, not null, position in the primary key (0: none)).
    columns: BTreeMap<String, (&'static str, bool, i64)>,
    /// Named indexes (`CREATE INDEX`): name → (columns, unique, partial).
    indexes: BTreeMap<String, (Vec<String>, bool, bool)>,
    /// Unique rules that are not primary keys: (columns, NULLs not distinct).
    uniques: Vec<(Vec<String>, bool)>,
    /// Foreign keys: (column, referenced table, referenced column, on delete).
    foreign_keys: Vec<(String, String, String, String)>,
    /// How many CHECK constraints.
    checks: usize,
}

type Schema = BTreeMap<String, Table>;

/// The class of a declared SQLite type.
fn sqlite_class(declared: &str) -> &'static str {
    match declared.to_ascii_uppercase().as_str() {
        "TEXT" | "VARCHAR" | "JSON" => "text",
        "INTEGER" | "BIGINT" | "INT" | "BOOLEAN" => "integer",
        "BLOB" => "uuid or bytes",
        "REAL" => "real",
        _ => "unknown",
    }
}

/// The class of a PostgreSQL `information_schema` data type.
fn postgres_class(data_type: &str) -> &'static str {
    match data_type {
        "text" | "character varying" | "timestamp with time zone" | "jsonb" | "json" => "text",
        "integer" | "bigint" | "smallint" | "boolean" => "integer",
        "uuid" | "bytea" => "uuid or bytes",
        "double precision" | "real" => "real",
        _ => "unknown",
    }
}

async fn sqlite_schema(url: &str) -> Schema {
    let mut db = sqlx::SqliteConnection::connect(url).await.expect("sqlite");
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut db)
    .await
    .expect("tables");
    let mut schema = Schema::new();
    for (name, sql) in tables {
        let mut table = Table {
            checks: sql.to_ascii_uppercase().matches("CHECK").count(),
            ..Table::default()
        };
        for row in sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)")
            .bind(&name)
            .fetch_all(&mut db)
            .await
            .expect("columns")
        {
            let pk: i64 = row.get("pk");
            // SQLite lets a primary-key column be NULL unless it says NOT NULL; both
            // databases' keys are required in practice, so a key column counts as NOT NULL.
            let not_null = row.get::<i64, _>("notnull") == 1 || pk > 0;
            table.columns.insert(
                row.get("name"),
                (sqlite_class(row.get::<&str, _>("type")), not_null, pk),
            );
        }
        for row in sqlx::query("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)")
            .bind(&name)
            .fetch_all(&mut db)
            .await
            .expect("indexes")
        {
            let index: String = row.get("name");
            let columns: Vec<Option<String>> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(&mut db)
                    .await
                    .expect("index columns");
            let index_sql: Option<String> = sqlx::query_scalar(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
            )
            .bind(&index)
            .fetch_optional(&mut db)
            .await
            .expect("index sql")
            .flatten();
            // `COALESCE(column, '')` in a unique index: SQLite's NULLS NOT DISTINCT.
            let coalesced = index_sql.as_deref().and_then(|sql| {
                let after = sql.split_once("COALESCE(")?.1;
                Some(after.split_once(',')?.0.trim().to_string())
            });
            let nulls_not_distinct = columns.iter().any(Option::is_none) && coalesced.is_some();
            let columns: Vec<String> = columns
                .into_iter()
                .map(|c| match c {
                    Some(name) => name,
                    None => coalesced
                        .clone()
                        .unwrap_or_else(|| "<expression>".to_string()),
                })
                .collect();
            match row.get::<&str, _>("origin") {
                "pk" => {}
                "u" => table.uniques.push((columns, false)),
                _ if nulls_not_distinct && row.get::<i64, _>("unique") == 1 => {
                    table.uniques.push((columns, true));
                }
                _ => {
                    table.indexes.insert(
                        index,
                        (
                            columns,
                            row.get::<i64, _>("unique") == 1,
                            row.get::<i64, _>("partial") == 1,
                        ),
                    );
                }
            }
        }
        for row in sqlx::query(
            "SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?)",
        )
        .bind(&name)
        .fetch_all(&mut db)
        .await
        .expect("foreign keys")
        {
            table.foreign_keys.push((
                row.get("from"),
                row.get("table"),
                row.get("to"),
                row.get("on_delete"),
            ));
        }
        table.uniques.sort();
        table.foreign_keys.sort();
        schema.insert(name, table);
    }
    schema
}

async fn postgres_schema(url: &str) -> Schema {
    let mut db = sqlx::PgConnection::connect(url).await.expect("postgres");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
         AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(&mut db)
    .await
    .expect("tables");
    let mut schema = Schema::new();
    for name in tables {
        let mut table = Table::default();
        for row in sqlx::query(
            "SELECT c.column_name::text AS name, c.data_type::text AS data_type, \
                    c.is_nullable = 'NO' AS not_null, \
                    COALESCE((SELECT k.ordinal_position::int8 FROM information_schema.key_column_usage k \
                      JOIN information_schema.table_constraints t \
                        ON t.constraint_name = k.constraint_name AND t.table_name = k.table_name \
                      WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name \
                        AND k.column_name = c.column_name), 0) AS pk \
             FROM information_schema.columns c \
             WHERE c.table_schema = 'public' AND c.table_name = $1",
        )
        .bind(&name)
        .fetch_all(&mut db)
        .await
        .expect("columns")
        {
            table.columns.insert(
                row.get("name"),
                (
                    postgres_class(row.get::<&str, _>("data_type")),
                    row.get("not_null"),
                    row.get("pk"),
                ),
            );
        }
        for row in sqlx::query(
            "SELECT i.relname::text AS name, ix.indisunique AS is_unique, ix.indisprimary AS is_pk, \
                    ix.indpred IS NOT NULL AS partial, ix.indnullsnotdistinct AS nulls_not_distinct, \
                    EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid) AS constraint_backed, \
                    array_agg(COALESCE(a.attname::text, '<expression>') ORDER BY k.ord) AS columns \
             FROM pg_index ix \
             JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_class i ON i.oid = ix.indexrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
             LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
             WHERE n.nspname = 'public' AND t.relname = $1 \
             GROUP BY i.relname, ix.indisunique, ix.indisprimary, ix.indpred, \
                      ix.indnullsnotdistinct, ix.indexrelid",
        )
        .bind(&name)
        .fetch_all(&mut db)
        .await
        .expect("indexes")
        {
            let columns: Vec<String> = row.get("columns");
            if row.get("is_pk") {
                continue;
            }
            if row.get("constraint_backed") {
                table.uniques.push((columns, row.get("nulls_not_distinct")));
            } else {
                table.indexes.insert(
                    row.get("name"),
                    (columns, row.get("is_unique"), row.get("partial")),
                );
            }
        }
        for row in sqlx::query(
            "SELECT a.attname::text AS from_column, rt.relname::text AS to_table, \
                    ra.attname::text AS to_column, \
                    CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' \
                      WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END AS on_delete \
             FROM pg_constraint c \
             JOIN pg_class t ON t.oid = c.conrelid \
             JOIN pg_class rt ON rt.oid = c.confrelid \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1] \
             WHERE c.contype = 'f' AND t.relname = $1",
        )
        .bind(&name)
        .fetch_all(&mut db)
        .await
        .expect("foreign keys")
        {
            table.foreign_keys.push((
                row.get("from_column"),
                row.get("to_table"),
                row.get("to_column"),
                row.get("on_delete"),
            ));
        }
        let checks: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
             WHERE c.contype = 'c' AND t.relname = $1",
        )
        .bind(&name)
        .fetch_one(&mut db)
        .await
        .expect("checks");
        table.checks = usize::try_from(checks).unwrap_or_default();
        table.uniques.sort();
        table.foreign_keys.sort();
        schema.insert(name, table);
    }
    schema
}

/// Every difference between the two schemas, one line each, naming the table.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for name in sqlite.keys().chain(postgres.keys()) {
        let (Some(s), Some(p)) = (sqlite.get(name), postgres.get(name)) else {
            let only = if sqlite.contains_key(name) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            out.push(format!("table {name}: only on {only}"));
            continue;
        };
        for column in s.columns.keys().chain(p.columns.keys()) {
            match (s.columns.get(column), p.columns.get(column)) {
                (Some(a), Some(b)) if a == b => {}
                (a, b) => out.push(format!(
                    "{name}.{column}: (class, not null, key position) SQLite {a:?}, PostgreSQL {b:?}"
                )),
            }
        }
        for index in s.indexes.keys().chain(p.indexes.keys()) {
            match (s.indexes.get(index), p.indexes.get(index)) {
                (Some(a), Some(b)) if a == b => {}
                (a, b) => out.push(format!(
                    "{name}: index {index} (columns, unique, partial) SQLite {a:?}, PostgreSQL {b:?}"
                )),
            }
        }
        if s.uniques != p.uniques {
            out.push(format!(
                "{name}: unique constraints SQLite {:?}, PostgreSQL {:?}",
                s.uniques, p.uniques
            ));
        }
        if s.foreign_keys != p.foreign_keys {
            out.push(format!(
                "{name}: foreign keys SQLite {:?}, PostgreSQL {:?}",
                s.foreign_keys, p.foreign_keys
            ));
        }
        if s.checks != p.checks {
            out.push(format!(
                "{name}: CHECK constraints SQLite {}, PostgreSQL {}",
                s.checks, p.checks
            ));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The migration files of one set, by name.
fn migration_files(dir: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    let mut names: Vec<String> = std::fs::read_dir(path)
        .expect("migrations")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_databases_have_the_same_migrations_by_version_and_name() {
    let sqlite = migration_files("sqlite");
    assert!(sqlite.len() >= 6, "{sqlite:?}");
    assert_eq!(sqlite, migration_files("postgres"));
}

#[tokio::test]
async fn both_migration_sets_build_the_same_schema() {
    let Some(pg_url) = crate::common::postgres_database_url().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite_url = format!("sqlite://{}", dir.path().join("schema.db").display());
    for url in [&sqlite_url, &pg_url] {
        let store = roomcal::store::open(url).await.expect("open");
        store.migrate().await.expect("migrate");
    }
    let sqlite = sqlite_schema(&sqlite_url).await;
    let postgres = postgres_schema(&pg_url).await;
    assert!(
        sqlite.contains_key("rooms") && sqlite["rooms"].columns.len() > 3,
        "the SQLite schema was read: {sqlite:#?}"
    );
    assert!(
        postgres.contains_key("rooms") && !postgres["rooms"].foreign_keys.is_empty(),
        "the PostgreSQL schema was read: {postgres:#?}"
    );
    let found = differences(&sqlite, &postgres);
    assert!(
        found.is_empty(),
        "the migration sets differ:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_difference_names_the_table_and_what_differs() {
    let mut sqlite = Schema::new();
    let mut table = Table::default();
    table.columns.insert("name".into(), ("text", true, 0));
    sqlite.insert("rooms".into(), table.clone());
    let mut postgres = sqlite.clone();
    if let Some(t) = postgres.get_mut("rooms") {
        t.columns.insert("name".into(), ("text", false, 0));
        t.columns.insert("extra".into(), ("integer", false, 0));
    }
    postgres.insert("only_here".into(), Table::default());
    let found = differences(&sqlite, &postgres);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found.iter().any(|d| d.starts_with("rooms.name:")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|d| d.starts_with("rooms.extra:")),
        "{found:?}"
    );
    assert!(found.contains(&"table only_here: only on PostgreSQL".to_string()));
}
