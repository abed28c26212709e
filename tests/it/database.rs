//! Storage: migrations and schema are the same on both backends, and match `schema.rs`.

use std::collections::BTreeMap;

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};
use yijian::db::{self, Backend, DbConnection};

use crate::support::TestDb;

fn migration_names(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn migration_folders_have_the_same_names_with_up_and_down() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    for backend in ["sqlite", "postgres"] {
        for m in &sqlite {
            for f in ["up.sql", "down.sql"] {
                let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("migrations")
                    .join(backend)
                    .join(m)
                    .join(f);
                assert!(p.is_file(), "{} is missing", p.display());
            }
        }
    }
}

#[derive(diesel::QueryableByName, Debug)]
struct Col {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
}

/// table → column → (normalised type, not null)
type Shape = BTreeMap<String, BTreeMap<String, (String, bool)>>;

fn normalise(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "text" => "text",
        "bigint" => "bigint",
        "boolean" => "bool",
        "timestamp" | "timestamp without time zone" => "timestamp",
        other => return other.to_string(),
    }
    .to_string()
}

fn shape(conn: &mut DbConnection) -> Shape {
    let sql = match conn.backend() {
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
             CAST(p.\"notnull\" OR p.pk > 0 AS BIGINT) AS not_null \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%' \
             AND m.name NOT LIKE 'opinion_search%'"
            // (the search index, an FTS5 table with its shadow tables, is SQLite's own)
        }
        Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
             data_type::text AS data_type, CAST(CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS BIGINT) AS not_null \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '__diesel%'"
        }
    };
    let cols: Vec<Col> = diesel::sql_query(sql).load(conn).unwrap();
    let mut out = Shape::new();
    for c in cols {
        out.entry(c.table_name)
            .or_default()
            .insert(c.column_name, (normalise(&c.data_type), c.not_null == 1));
    }
    out
}

/// What `src/db/schema.rs` declares.
fn declared_shape() -> Shape {
    let src = include_str!("../../src/db/schema.rs");
    let mut out = Shape::new();
    let mut current: Option<String> = None;
    for line in src.lines() {
        let l = line.trim();
        if let Some(rest) = l.strip_suffix('{') {
            let rest = rest.trim();
            if let Some((name, _)) = rest.split_once(" (") {
                if !name.contains("table!") {
                    current = Some(name.trim().to_string());
                }
            }
            continue;
        }
        if l == "}" {
            current = None;
            continue;
        }
        if let (Some(t), Some((col, ty))) = (&current, l.trim_end_matches(',').split_once(" -> ")) {
            let (ty, nn) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>'), false),
                None => (ty, true),
            };
            let ty = match ty {
                "Text" => "text",
                "BigInt" => "bigint",
                "Bool" => "bool",
                "Timestamp" => "timestamp",
                other => other,
            };
            out.entry(t.clone())
                .or_default()
                .insert(col.trim().to_string(), (ty.to_string(), nn));
        }
    }
    out
}

#[test]
fn schema_is_the_same_on_every_backend_and_matches_schema_rs() {
    let declared = declared_shape();
    assert!(
        declared.len() >= 20,
        "schema.rs parsed: {:?}",
        declared.keys()
    );
    let mut shapes = Vec::new();
    for tdb in TestDb::all() {
        let mut conn = tdb.connection();
        db::run_migrations(&mut conn).unwrap();
        let s = shape(&mut conn);
        assert_eq!(s, declared, "{:?} differs from schema.rs", tdb.backend);
        shapes.push(s);
    }
    if shapes.len() == 2 {
        assert_eq!(shapes[0], shapes[1]);
    }
}

#[test]
fn migrations_go_up_down_and_up_again_on_every_backend() {
    for tdb in TestDb::all() {
        let mut conn = tdb.connection();
        let applied = db::run_migrations(&mut conn).unwrap();
        assert_eq!(applied.len(), migration_names("sqlite").len());
        assert!(
            db::run_migrations(&mut conn).unwrap().is_empty(),
            "idempotent"
        );
        db::revert_all_migrations(&mut conn).unwrap();
        assert!(
            shape(&mut conn).is_empty(),
            "{:?}: down leaves nothing",
            tdb.backend
        );
        let again = db::run_migrations(&mut conn).unwrap();
        assert_eq!(again, applied);
        assert_eq!(shape(&mut conn), declared_shape());
    }
}

#[test]
fn foreign_keys_and_checks_are_enforced_on_every_backend() {
    use diesel::prelude::*;
    use yijian::db::schema::{units, users};
    for tdb in TestDb::all() {
        let mut conn = tdb.connection();
        db::run_migrations(&mut conn).unwrap();
        let now = db::now();
        // A department user without a unit violates a CHECK.
        let r = diesel::insert_into(users::table)
            .values((
                users::id.eq(db::new_id()),
                users::email.eq("d@example.org"),
                users::name.eq("d"),
                users::role.eq("department"),
                users::created_at.eq(now),
                users::updated_at.eq(now),
            ))
            .execute(&mut conn);
        assert!(r.is_err(), "{:?}", tdb.backend);
        // A unit id that does not exist violates the foreign key.
        let r = diesel::insert_into(users::table)
            .values((
                users::id.eq(db::new_id()),
                users::email.eq("d@example.org"),
                users::name.eq("d"),
                users::role.eq("department"),
                users::unit_id.eq("no-such-unit"),
                users::created_at.eq(now),
                users::updated_at.eq(now),
            ))
            .execute(&mut conn);
        assert!(r.is_err(), "{:?}: foreign keys on", tdb.backend);
        // An unknown unit kind violates a CHECK.
        let r = diesel::insert_into(units::table)
            .values((
                units::id.eq(db::new_id()),
                units::name.eq("市科技局"),
                units::kind.eq("ministry"),
                units::created_at.eq(now),
                units::updated_at.eq(now),
            ))
            .execute(&mut conn);
        assert!(r.is_err());
    }
}

#[test]
fn sqlite_pragmas_are_applied_to_pooled_connections() {
    use diesel::sql_types::BigInt as B;
    #[derive(diesel::QueryableByName)]
    struct V {
        #[diesel(sql_type = B)]
        v: i64,
    }
    #[derive(diesel::QueryableByName)]
    struct S {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    let tdb = TestDb::sqlite();
    let database = tdb.connect();
    let mut conn = database.get().unwrap();
    let fk: V = diesel::sql_query("SELECT foreign_keys AS v FROM pragma_foreign_keys")
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(fk.v, 1);
    let sync: V = diesel::sql_query("SELECT synchronous AS v FROM pragma_synchronous")
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(sync.v, 2, "synchronous=FULL");
    let ts: V = diesel::sql_query("SELECT temp_store AS v FROM pragma_temp_store")
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(ts.v, 2, "savepoint journals in memory");
    let bt: V = diesel::sql_query("SELECT timeout AS v FROM pragma_busy_timeout")
        .get_result(&mut *conn)
        .unwrap();
    assert!(bt.v >= 5000);
    let jm: S = diesel::sql_query("SELECT journal_mode FROM pragma_journal_mode")
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(jm.journal_mode, "wal");
}

#[test]
fn database_urls_are_checked() {
    use yijian::db::{DbError, DbTarget};
    assert!(matches!(
        DbTarget::parse("mysql://x"),
        Err(DbError::UnsupportedUrl(_))
    ));
    assert!(matches!(
        DbTarget::parse(""),
        Err(DbError::UnsupportedUrl(_))
    ));
    assert!(matches!(
        DbTarget::parse("sqlite://"),
        Err(DbError::UnsupportedUrl(_))
    ));
    assert_eq!(
        DbTarget::parse("sqlite://data/y.db").unwrap(),
        DbTarget::Sqlite("data/y.db".into())
    );
    assert_eq!(
        DbTarget::parse("postgresql://u@h/d").unwrap().backend(),
        Backend::Postgres
    );
    // Unreachable PostgreSQL: a clear connection error, not a pool time-out.
    let e = yijian::db::Database::connect("postgres://nobody@127.0.0.1:1/none", 2)
        .err()
        .unwrap();
    assert!(matches!(e, DbError::Connect { .. }), "{e}");
}
