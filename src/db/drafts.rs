//! Draft versions and their clause trees, stored flat (parent id, position, depth).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{clauses, draft_versions, duties, duty_units, unit_aliases, units};
use super::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = draft_versions)]
pub struct DraftVersion {
    pub id: String,
    pub consultation_id: String,
    pub version_no: i64,
    pub label: String,
    pub title: Option<String>,
    pub source_text: String,
    pub source_filename: Option<String>,
    pub front_matter: String,
    pub trailer: String,
    pub is_current: bool,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = draft_versions)]
pub struct NewDraftVersion<'a> {
    pub id: &'a str,
    pub consultation_id: &'a str,
    pub version_no: i64,
    pub label: &'a str,
    pub title: Option<&'a str>,
    pub source_text: &'a str,
    pub source_filename: Option<&'a str>,
    pub front_matter: &'a str,
    pub trailer: &'a str,
    pub is_current: bool,
    pub created_by: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = clauses)]
pub struct ClauseRow {
    pub id: String,
    pub version_id: String,
    pub parent_id: Option<String>,
    pub position: i64,
    pub depth: i64,
    pub label: String,
    pub heading: Option<String>,
    pub body: String,
    pub path: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = duties)]
pub struct DutyRow {
    pub id: String,
    pub clause_id: String,
    pub position: i64,
    pub raw: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = duty_units)]
pub struct DutyUnitRow {
    pub id: String,
    pub duty_id: String,
    pub role: String,
    pub position: i64,
    pub unit_name: String,
    pub unit_id: Option<String>,
}

/// The next version number of a consultation's draft.
pub fn next_version_no(conn: &mut DbConnection, consultation_id: &str) -> Result<i64, DbError> {
    let max: Option<i64> = draft_versions::table
        .filter(draft_versions::consultation_id.eq(consultation_id))
        .select(diesel::dsl::max(draft_versions::version_no))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// Stores a version with its clauses and duties; a current one replaces the current one.
pub fn insert_version(
    conn: &mut DbConnection,
    v: &NewDraftVersion<'_>,
    clause_rows: &[ClauseRow],
    duty_rows: &[DutyRow],
    unit_rows: &[DutyUnitRow],
) -> Result<(), DbError> {
    if v.is_current {
        diesel::update(
            draft_versions::table.filter(draft_versions::consultation_id.eq(v.consultation_id)),
        )
        .set(draft_versions::is_current.eq(false))
        .execute(conn)?;
    }
    diesel::insert_into(draft_versions::table)
        .values(v)
        .execute(conn)?;
    // Parents precede children in document order, so the foreign keys hold row by row.
    // Batch inserts go to the concrete connection; 500 rows stay under both backends'
    // bind-parameter limits.
    for chunk in clause_rows.chunks(500) {
        crate::per_backend!(&mut *conn, |c| diesel::insert_into(clauses::table)
            .values(chunk)
            .execute(c))?;
    }
    for chunk in duty_rows.chunks(500) {
        crate::per_backend!(&mut *conn, |c| diesel::insert_into(duties::table)
            .values(chunk)
            .execute(c))?;
    }
    for chunk in unit_rows.chunks(500) {
        crate::per_backend!(&mut *conn, |c| diesel::insert_into(duty_units::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

pub fn current_version(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Option<DraftVersion>, DbError> {
    Ok(draft_versions::table
        .filter(draft_versions::consultation_id.eq(consultation_id))
        .filter(draft_versions::is_current.eq(true))
        .select(DraftVersion::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_version(conn: &mut DbConnection, id: &str) -> Result<Option<DraftVersion>, DbError> {
    Ok(draft_versions::table
        .find(id)
        .select(DraftVersion::as_select())
        .first(conn)
        .optional()?)
}

/// A version's clauses in document order, with their duties and duty units.
pub type TreeRows = (Vec<ClauseRow>, Vec<DutyRow>, Vec<DutyUnitRow>);

pub fn load_tree_rows(conn: &mut DbConnection, version_id: &str) -> Result<TreeRows, DbError> {
    let c: Vec<ClauseRow> = clauses::table
        .filter(clauses::version_id.eq(version_id))
        .order(clauses::position.asc())
        .select(ClauseRow::as_select())
        .load(conn)?;
    let d: Vec<DutyRow> = duties::table
        .inner_join(clauses::table)
        .filter(clauses::version_id.eq(version_id))
        .order((duties::clause_id.asc(), duties::position.asc()))
        .select(DutyRow::as_select())
        .load(conn)?;
    let u: Vec<DutyUnitRow> = duty_units::table
        .inner_join(duties::table.inner_join(clauses::table))
        .filter(clauses::version_id.eq(version_id))
        .order((duty_units::duty_id.asc(), duty_units::position.asc()))
        .select(DutyUnitRow::as_select())
        .load(conn)?;
    Ok((c, d, u))
}

/// Every unit name and alias → unit id, for matching duty notes to the directory.
pub fn unit_names(conn: &mut DbConnection) -> Result<Vec<(String, String)>, DbError> {
    let mut v: Vec<(String, String)> = units::table.select((units::name, units::id)).load(conn)?;
    v.extend(
        unit_aliases::table
            .select((unit_aliases::alias, unit_aliases::unit_id))
            .load::<(String, String)>(conn)?,
    );
    Ok(v)
}

use super::schema::draft_imports;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = draft_imports)]
pub struct DraftImport {
    pub id: String,
    pub consultation_id: String,
    pub filename: Option<String>,
    pub encoding: String,
    pub source_text: String,
    pub ops_json: String,
    pub saved_version_id: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert_import(conn: &mut DbConnection, i: &DraftImport) -> Result<(), DbError> {
    diesel::insert_into(draft_imports::table)
        .values(i)
        .execute(conn)?;
    Ok(())
}

pub fn find_import(conn: &mut DbConnection, id: &str) -> Result<Option<DraftImport>, DbError> {
    Ok(draft_imports::table
        .find(id)
        .select(DraftImport::as_select())
        .first(conn)
        .optional()?)
}

pub fn set_import_ops(conn: &mut DbConnection, id: &str, ops_json: &str) -> Result<(), DbError> {
    diesel::update(draft_imports::table.find(id))
        .set((
            draft_imports::ops_json.eq(ops_json),
            draft_imports::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks an import saved; false when it already was (a second click).
pub fn mark_import_saved(
    conn: &mut DbConnection,
    id: &str,
    version_id: &str,
) -> Result<bool, DbError> {
    let n = diesel::update(
        draft_imports::table
            .find(id)
            .filter(draft_imports::saved_version_id.is_null()),
    )
    .set((
        draft_imports::saved_version_id.eq(Some(version_id)),
        draft_imports::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The id of the consultation's current version (without its text).
pub fn current_version_id(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Option<String>, DbError> {
    Ok(draft_versions::table
        .filter(draft_versions::consultation_id.eq(consultation_id))
        .filter(draft_versions::is_current.eq(true))
        .select(draft_versions::id)
        .first(conn)
        .optional()?)
}

/// The consultation a version belongs to.
pub fn find_version_consultation(
    conn: &mut DbConnection,
    version_id: &str,
) -> Result<String, DbError> {
    Ok(draft_versions::table
        .find(version_id)
        .select(draft_versions::consultation_id)
        .first(conn)?)
}

/// A version without its text, for lists.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = draft_versions)]
pub struct VersionSummary {
    pub id: String,
    pub version_no: i64,
    pub label: String,
    pub title: Option<String>,
    pub is_current: bool,
    pub created_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
}

/// A consultation's versions, oldest first.
pub fn versions(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Vec<VersionSummary>, DbError> {
    Ok(draft_versions::table
        .filter(draft_versions::consultation_id.eq(consultation_id))
        .order(draft_versions::version_no.asc())
        .select(VersionSummary::as_select())
        .load(conn)?)
}

/// Publishes a version: it becomes the one the public page shows.
pub fn publish_version(
    conn: &mut DbConnection,
    consultation_id: &str,
    version_id: &str,
) -> Result<(), DbError> {
    diesel::update(
        draft_versions::table.filter(draft_versions::consultation_id.eq(consultation_id)),
    )
    .set(draft_versions::is_current.eq(false))
    .execute(conn)?;
    diesel::update(draft_versions::table.find(version_id))
        .set(draft_versions::is_current.eq(true))
        .execute(conn)?;
    diesel::update(
        draft_versions::table
            .find(version_id)
            .filter(draft_versions::published_at.is_null()),
    )
    .set(draft_versions::published_at.eq(Some(super::now())))
    .execute(conn)?;
    Ok(())
}

/// A version's clauses in document order.
pub fn clause_rows(conn: &mut DbConnection, version_id: &str) -> Result<Vec<ClauseRow>, DbError> {
    Ok(clauses::table
        .filter(clauses::version_id.eq(version_id))
        .order(clauses::position.asc())
        .select(ClauseRow::as_select())
        .load(conn)?)
}
