//! The units directory.

use std::collections::BTreeMap;

use diesel::Connection;
use serde_json::json;

use super::{Actor, Error, OFFICE, Result};
use crate::db::{self, DbConnection, audit, units::Unit};
use crate::domain::unit::UnitKind;

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CreateUnit {
    pub name: String,
    /// `department`, `district` or `other`; guessed from the name when empty.
    pub kind: String,
    pub aliases: Vec<String>,
    pub emails: Vec<String>,
}

/// Adds a unit with its aliases and contact emails.
pub fn create(conn: &mut DbConnection, input: CreateUnit, actor: &Actor) -> Result<Unit> {
    actor.require(OFFICE)?;
    let name = input.name.trim().to_string();
    let mut errors = BTreeMap::new();
    if name.is_empty() || name.chars().count() > 100 {
        errors.insert("name".to_string(), "unit.error.name".to_string());
    }
    let kind = if input.kind.trim().is_empty() {
        Some(UnitKind::guess(&name))
    } else {
        UnitKind::parse(&input.kind)
    };
    if kind.is_none() {
        errors.insert("kind".to_string(), "unit.error.kind".to_string());
    }
    let aliases: Vec<String> = input
        .aliases
        .iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty() && *a != name)
        .collect();
    if aliases.iter().any(|a| a.chars().count() > 100) {
        errors.insert("aliases".to_string(), "unit.error.name".to_string());
    }
    let emails: Vec<String> = input
        .emails
        .iter()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .collect();
    if emails.iter().any(|e| !super::users::is_plausible_email(e)) {
        errors.insert("emails".to_string(), "user.error.email".to_string());
    }
    let Some(kind) = kind else {
        return Err(Error::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    conn.transaction(|conn| {
        for n in std::iter::once(&name).chain(&aliases) {
            if db::units::resolve(conn, n)?.is_some() {
                return Err(Error::field("name", "unit.error.taken"));
            }
        }
        let id = db::new_id();
        let now = db::now();
        let sort_order = db::units::next_sort_order(conn)?;
        db::units::insert(
            conn,
            &db::units::NewUnit {
                id: &id,
                name: &name,
                kind: kind.as_str(),
                sort_order,
                disabled: false,
                created_at: now,
                updated_at: now,
            },
        )?;
        for a in &aliases {
            db::units::add_alias(conn, &id, a)?;
        }
        for e in &emails {
            db::units::add_email(conn, &id, e)?;
        }
        audit::record(
            conn,
            audit::AuditEntry {
                after: Some(
                    json!({"name": name, "kind": kind, "aliases": aliases, "emails": emails}),
                ),
                ..actor.audit("unit.create", "unit", &id)
            },
        )?;
        db::units::find(conn, &id)?.ok_or(Error::NotFound)
    })
}

/// A unit as the API shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnitView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub aliases: Vec<String>,
    pub emails: Vec<String>,
    pub disabled: bool,
}

pub fn list(conn: &mut DbConnection, actor: &Actor) -> Result<Vec<UnitView>> {
    actor.require(&[
        crate::domain::Role::Staff,
        crate::domain::Role::Admin,
        crate::domain::Role::Approver,
    ])?;
    let units = db::units::list(conn)?;
    let mut aliases = db::units::all_aliases(conn)?;
    let mut emails = db::units::all_emails(conn)?;
    Ok(units
        .into_iter()
        .map(|u| UnitView {
            aliases: aliases.remove(&u.id).unwrap_or_default(),
            emails: emails.remove(&u.id).unwrap_or_default(),
            id: u.id,
            name: u.name,
            kind: u.kind,
            disabled: u.disabled,
        })
        .collect())
}
