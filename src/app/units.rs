//! The units directory.

use std::collections::BTreeMap;

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
    if emails
        .iter()
        .any(|e| !crate::domain::mail::is_deliverable_address(e))
    {
        errors.insert("emails".to_string(), "user.error.email".to_string());
    }
    let Some(kind) = kind else {
        return Err(Error::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    db::write(conn, |conn| {
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

/// What a CSV import did, or would have done.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// `(line, locale key)` for each refused line. Lines refused while the file is checked
    /// stop the import before anything is saved (`saved` is false); a line refused while
    /// saving (another user took the name at the same moment) is left out and the rest saved.
    pub errors: Vec<(usize, String)>,
    /// Whether the file passed its checks and was saved (apart from lines in `errors`).
    pub saved: bool,
}

/// Reads a units CSV: a header naming the columns (`name`/`名称`, `kind`/`类别`,
/// `aliases`/`别名`, `emails`/`邮箱`; several values in one cell separated by `;`, `；` or `、`),
/// UTF-8 (with or without BOM) or GB18030 as saved by Excel. New names are created; known
/// units get the new aliases and addresses and the kind given. The file is checked as a whole
/// first, without holding the write lock; if any line is wrong nothing is saved. Then it is
/// saved [`IMPORT_CHUNK`] lines per transaction, so the intake never waits long; importing the
/// same file again changes nothing.
pub fn import_csv(conn: &mut DbConnection, bytes: &[u8], actor: &Actor) -> Result<ImportReport> {
    actor.require(OFFICE)?;
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    };
    if text.contains('\0') {
        return Err(Error::field("file", "error.nul.field"));
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| Error::field("file", "unit.import.error.header"))?
        .clone();
    let col = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let Some(name_col) = col(&["name", "名称", "单位名称", "单位"]) else {
        return Err(Error::field("file", "unit.import.error.header"));
    };
    let kind_col = col(&["kind", "类别", "类型", "单位类别"]);
    let alias_col = col(&["aliases", "alias", "别名", "简称"]);
    let email_col = col(&["emails", "email", "邮箱", "联系邮箱", "电子邮箱"]);
    let split = |s: &str| -> Vec<String> {
        s.split([';', '；', '、', '|'])
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let mut rows = Vec::new();
    let mut report = ImportReport::default();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let Ok(rec) = rec else {
            report.errors.push((line, "unit.import.error.line".into()));
            continue;
        };
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").trim();
        let name = get(Some(name_col)).to_string();
        if name.is_empty() && rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if name.is_empty() || name.chars().count() > 100 {
            report.errors.push((line, "unit.error.name".into()));
            continue;
        }
        let kind_text = get(kind_col);
        let kind = if kind_text.is_empty() {
            None
        } else {
            match kind_text {
                "部门" | "市直部门" => Some(UnitKind::Department),
                "区" | "区（开发区）" | "区(开发区)" | "开发区" => {
                    Some(UnitKind::District)
                }
                "其他" | "其他单位" => Some(UnitKind::Other),
                k => match UnitKind::parse(&k.to_ascii_lowercase()) {
                    Some(k) => Some(k),
                    None => {
                        report.errors.push((line, "unit.error.kind".into()));
                        continue;
                    }
                },
            }
        };
        let emails: Vec<String> = split(get(email_col))
            .into_iter()
            .map(|e| e.to_lowercase())
            .collect();
        if emails
            .iter()
            .any(|e| !crate::domain::mail::is_deliverable_address(e))
        {
            report.errors.push((line, "user.error.email".into()));
            continue;
        }
        let aliases: Vec<String> = split(get(alias_col))
            .into_iter()
            .filter(|a| *a != name)
            .collect();
        rows.push(ImportRow {
            line,
            name,
            kind,
            aliases,
            emails,
        });
    }
    if rows.is_empty() && report.errors.is_empty() {
        return Err(Error::field("file", "unit.import.error.empty"));
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let steps = plan_import(conn, rows, &mut report)?;
    if !report.errors.is_empty() {
        return Ok(report);
    }
    report.saved = true;
    for chunk in steps.chunks(IMPORT_CHUNK) {
        db::write::<_, Error, _>(conn, |conn| save_chunk(conn, chunk, actor, &mut report))?;
    }
    Ok(report)
}

/// Lines saved per transaction: each holds the write lock for a few milliseconds, so comments
/// arriving meanwhile wait no longer than that.
const IMPORT_CHUNK: usize = 200;

/// One checked line of a units CSV, and what saving it does.
struct ImportRow {
    line: usize,
    name: String,
    kind: Option<UnitKind>,
    aliases: Vec<String>,
    emails: Vec<String>,
}

enum Step {
    Create {
        row: ImportRow,
        kind: UnitKind,
    },
    Update {
        row: ImportRow,
        unit_id: String,
        add_aliases: Vec<String>,
        add_emails: Vec<String>,
        set_kind: Option<UnitKind>,
    },
    Unchanged,
}

/// Decides, from the directory as it is now and without taking the write lock, what each line
/// does; refused lines go into `report.errors`. Names and aliases claimed by earlier lines of
/// the same file count as taken, as they will be once saved.
fn plan_import(
    conn: &mut DbConnection,
    rows: Vec<ImportRow>,
    report: &mut ImportReport,
) -> Result<Vec<Step>> {
    use std::collections::{HashMap, HashSet};
    struct Known {
        name: String,
        kind: String,
        aliases: HashSet<String>,
        emails: HashSet<String>,
    }
    let mut known: HashMap<String, Known> = HashMap::new();
    let mut owner: HashMap<String, String> = HashMap::new();
    let mut aliases = db::units::all_aliases(conn)?;
    let mut emails = db::units::all_emails(conn)?;
    for u in db::units::list(conn)? {
        owner.insert(u.id.clone(), u.id.clone());
        owner.insert(u.name.clone(), u.id.clone());
        let a: HashSet<String> = aliases
            .remove(&u.id)
            .unwrap_or_default()
            .into_iter()
            .collect();
        for alias in &a {
            owner.insert(alias.clone(), u.id.clone());
        }
        let e = emails
            .remove(&u.id)
            .unwrap_or_default()
            .into_iter()
            .collect();
        known.insert(
            u.id.clone(),
            Known {
                name: u.name,
                kind: u.kind,
                aliases: a,
                emails: e,
            },
        );
    }
    let mut steps = Vec::with_capacity(rows.len());
    for r in rows {
        if r.aliases.iter().any(|a| a.chars().count() > 100) {
            report.errors.push((r.line, "unit.error.name".into()));
            continue;
        }
        match owner.get(&r.name).cloned() {
            None => {
                if r.aliases.iter().any(|a| owner.contains_key(a)) {
                    report.errors.push((r.line, "unit.error.taken".into()));
                    continue;
                }
                let kind = r.kind.unwrap_or_else(|| UnitKind::guess(&r.name));
                let planned = format!("line:{}", r.line);
                owner.insert(r.name.clone(), planned.clone());
                for a in &r.aliases {
                    owner.insert(a.clone(), planned.clone());
                }
                known.insert(
                    planned,
                    Known {
                        name: r.name.clone(),
                        kind: kind.as_str().into(),
                        aliases: r.aliases.iter().cloned().collect(),
                        emails: r.emails.iter().cloned().collect(),
                    },
                );
                steps.push(Step::Create { row: r, kind });
            }
            Some(unit_id) => {
                let Some(k) = known.get_mut(&unit_id) else {
                    return Err(Error::Internal(format!("unit {unit_id} has no entry")));
                };
                let mut add_aliases = Vec::new();
                for a in &r.aliases {
                    if k.aliases.contains(a) || *a == k.name {
                        continue;
                    }
                    if owner.get(a).is_some_and(|o| *o != unit_id) {
                        report.errors.push((r.line, "unit.error.taken".into()));
                        continue;
                    }
                    add_aliases.push(a.clone());
                }
                let add_emails: Vec<String> = r
                    .emails
                    .iter()
                    .filter(|e| !k.emails.contains(*e))
                    .cloned()
                    .collect();
                let set_kind = r.kind.filter(|kind| kind.as_str() != k.kind);
                for a in &add_aliases {
                    k.aliases.insert(a.clone());
                    owner.insert(a.clone(), unit_id.clone());
                }
                k.emails.extend(add_emails.iter().cloned());
                if let Some(kind) = set_kind {
                    k.kind = kind.as_str().into();
                }
                if add_aliases.is_empty() && add_emails.is_empty() && set_kind.is_none() {
                    steps.push(Step::Unchanged);
                } else if unit_id.starts_with("line:") {
                    // A later line about a unit an earlier line creates: fold it into the
                    // creation.
                    let Some(Step::Create { row, kind }) = steps.iter_mut().rev().find(
                        |s| matches!(s, Step::Create { row, .. } if format!("line:{}", row.line) == unit_id),
                    ) else {
                        return Err(Error::Internal(format!("{unit_id} was not planned")));
                    };
                    row.aliases.extend(add_aliases);
                    row.emails.extend(add_emails);
                    if let Some(k) = set_kind {
                        *kind = k;
                    }
                    steps.push(Step::Unchanged);
                } else {
                    steps.push(Step::Update {
                        row: r,
                        unit_id,
                        add_aliases,
                        add_emails,
                        set_kind,
                    });
                }
            }
        }
    }
    Ok(steps)
}

/// Saves planned lines in one short transaction. A name or alias another user took since the
/// plan was made refuses that line alone (it is reported; the others are saved).
fn save_chunk(
    conn: &mut DbConnection,
    chunk: &[Step],
    actor: &Actor,
    report: &mut ImportReport,
) -> Result<()> {
    let mut sort_order = db::units::next_sort_order(conn)?;
    let now = db::now();
    for step in chunk {
        match step {
            Step::Unchanged => report.unchanged += 1,
            Step::Create { row, kind } => {
                let mut taken = false;
                for n in std::iter::once(&row.name).chain(&row.aliases) {
                    taken |= db::units::resolve(conn, n)?.is_some();
                }
                if taken {
                    report.errors.push((row.line, "unit.error.taken".into()));
                    continue;
                }
                let id = db::new_id();
                db::units::insert(
                    conn,
                    &db::units::NewUnit {
                        id: &id,
                        name: &row.name,
                        kind: kind.as_str(),
                        sort_order,
                        disabled: false,
                        created_at: now,
                        updated_at: now,
                    },
                )?;
                sort_order += 1;
                for a in &row.aliases {
                    db::units::add_alias(conn, &id, a)?;
                }
                let mut emails = row.emails.clone();
                emails.sort();
                emails.dedup();
                for e in &emails {
                    db::units::add_email(conn, &id, e)?;
                }
                audit::record(
                    conn,
                    audit::AuditEntry {
                        after: Some(json!({
                            "name": row.name, "kind": kind, "aliases": row.aliases, "emails": emails,
                        })),
                        ..actor.audit("unit.create", "unit", &id)
                    },
                )?;
                report.created += 1;
            }
            Step::Update {
                row,
                unit_id,
                add_aliases,
                add_emails,
                set_kind,
            } => {
                if db::units::find(conn, unit_id)?.is_none() {
                    report.errors.push((row.line, "unit.error.gone".into()));
                    continue;
                }
                let mut refused = false;
                for a in add_aliases {
                    match db::units::resolve(conn, a)? {
                        Some(u) if u.id == *unit_id => {}
                        Some(_) => refused = true,
                        None => db::units::add_alias(conn, unit_id, a)?,
                    }
                }
                let have = db::units::emails_of(conn, unit_id)?;
                for e in add_emails.iter().filter(|e| !have.contains(e)) {
                    db::units::add_email(conn, unit_id, e)?;
                }
                if let Some(k) = set_kind {
                    db::units::set_kind(conn, unit_id, k.as_str())?;
                }
                audit::record(
                    conn,
                    audit::AuditEntry {
                        after: Some(json!({
                            "aliases": row.aliases, "emails": row.emails,
                            "kind": row.kind.map(|k| k.as_str()),
                        })),
                        ..actor.audit("unit.update", "unit", unit_id)
                    },
                )?;
                if refused {
                    report.errors.push((row.line, "unit.error.taken".into()));
                }
                report.updated += 1;
            }
        }
    }
    Ok(())
}

/// Changes a unit: its name (the old name is kept as an alias, so duty notes and letters that
/// use it still resolve), kind, aliases, contact addresses, and whether it is disabled (a
/// disabled unit is not offered for new invitations; its history stays).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ChangeUnit {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub aliases: Option<Vec<String>>,
    pub emails: Option<Vec<String>>,
    pub disabled: Option<bool>,
}

pub fn change(conn: &mut DbConnection, id: &str, c: ChangeUnit, actor: &Actor) -> Result<UnitView> {
    actor.require(OFFICE)?;
    db::write(conn, |conn| {
        let before = db::units::find(conn, id)?.ok_or(Error::NotFound)?;
        let mut aliases_now = db::units::all_aliases(conn)?.remove(id).unwrap_or_default();
        let emails_now = db::units::all_emails(conn)?.remove(id).unwrap_or_default();
        let mut errors = BTreeMap::new();
        let name = c
            .name
            .map(|n| n.trim().to_string())
            .unwrap_or_else(|| before.name.clone());
        if name.is_empty() || name.chars().count() > 100 {
            errors.insert("name".to_string(), "unit.error.name".to_string());
        }
        let kind = match c.kind.as_deref().map(str::trim) {
            None | Some("") => before.kind.clone(),
            Some(k) => match UnitKind::parse(k) {
                Some(k) => k.as_str().to_string(),
                None => {
                    errors.insert("kind".to_string(), "unit.error.kind".to_string());
                    before.kind.clone()
                }
            },
        };
        if let Some(a) = c.aliases {
            aliases_now = a;
        }
        if name != before.name && !aliases_now.contains(&before.name) {
            aliases_now.push(before.name.clone());
        }
        let mut aliases: Vec<String> = aliases_now
            .iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty() && *a != name)
            .collect();
        aliases.sort();
        aliases.dedup();
        let mut emails: Vec<String> = c
            .emails
            .unwrap_or(emails_now)
            .iter()
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        emails.sort();
        emails.dedup();
        if emails
            .iter()
            .any(|e| !crate::domain::mail::is_deliverable_address(e))
        {
            errors.insert("emails".to_string(), "user.error.email".to_string());
        }
        for n in std::iter::once(&name).chain(&aliases) {
            if db::units::resolve(conn, n)?.is_some_and(|u| u.id != id) {
                errors.insert("name".to_string(), "unit.error.taken".to_string());
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let disabled = c.disabled.unwrap_or(before.disabled);
        db::units::replace(conn, id, &name, &kind, disabled, &aliases, &emails)?;
        audit::record(
            conn,
            audit::AuditEntry {
                before: Some(
                    json!({"name": before.name, "kind": before.kind, "disabled": before.disabled}),
                ),
                after: Some(
                    json!({"name": name, "kind": kind, "aliases": aliases, "emails": emails, "disabled": disabled}),
                ),
                ..actor.audit("unit.update", "unit", id)
            },
        )?;
        Ok(UnitView {
            id: id.to_string(),
            name,
            kind,
            aliases,
            emails,
            disabled,
        })
    })
}
