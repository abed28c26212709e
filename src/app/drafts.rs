//! Importing a draft: decode the upload, parse it into clauses, let staff adjust the parse,
//! save it as a draft version with its clauses, duties and the units they name.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::json;

use super::{Actor, Error, OFFICE, Result};
use crate::db::drafts::{ClauseRow, DraftImport, DutyRow, DutyUnitRow, NewDraftVersion};
use crate::db::{self, DbConnection, audit};
use crate::domain::clause_parser::{ParseNote, ParsedClause, ParsedDraft, parse_draft};
use crate::domain::document::{self, DecodeError};
use crate::domain::draft_edit::{EditOp, EditableDraft, replay};

/// A saved version as the API returns it: the parse's JSON shape plus ids.
#[derive(Debug, Clone, Serialize)]
pub struct DraftTree {
    pub version: VersionInfo,
    pub title: Option<String>,
    pub clauses: Vec<TreeClause>,
    pub front_matter: String,
    pub trailer: String,
    pub notes: Vec<ParseNote>,
    /// Unit names in duty notes that match nothing in the units directory.
    pub unmatched_units: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    pub id: String,
    pub consultation_id: String,
    pub version_no: i64,
    pub label: String,
    pub source_filename: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TreeClause {
    pub id: String,
    pub label: String,
    pub heading: Option<String>,
    pub text: String,
    /// The labels from the top down, e.g. `二、(一)2.`.
    pub path: String,
    pub position: i64,
    pub duties: Vec<TreeDuty>,
    pub children: Vec<TreeClause>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TreeDuty {
    pub lead: Vec<String>,
    pub responsible: Vec<String>,
    pub units: Vec<DutyUnit>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DutyUnit {
    pub name: String,
    pub role: String,
    pub unit_id: Option<String>,
}

/// Unit names compare without spaces and with half-width brackets.
pub fn normalise_unit_name(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect()
}

fn decode_error(e: &DecodeError) -> Error {
    let key = match e {
        DecodeError::Empty => "draft.error.empty",
        DecodeError::TooLarge { .. } => "draft.error.too_large",
        DecodeError::Binary => "draft.error.binary",
        DecodeError::UnknownEncoding => "draft.error.encoding",
        DecodeError::BadDocx(_) => "draft.error.docx",
        DecodeError::UnsupportedType => "draft.error.type",
    };
    Error::field("file", key)
}

/// Decodes and parses an upload; refuses what cannot be a draft.
pub fn decode_and_parse(
    filename: Option<&str>,
    bytes: &[u8],
) -> Result<(document::DecodedText, ParsedDraft)> {
    let decoded = document::decode_upload(filename, bytes).map_err(|e| decode_error(&e))?;
    let parsed = parse_draft(&decoded.text);
    if parsed.notes.contains(&ParseNote::EmptyInput) || parsed.clause_count() == 0 {
        return Err(Error::field("file", "draft.error.empty"));
    }
    Ok((decoded, parsed))
}

fn check_consultation(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<db::consultations::Consultation> {
    let c = db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
    if c.status == "archived" {
        return Err(Error::field("file", "draft.error.archived"));
    }
    Ok(c)
}

/// Stages an upload for the preview; nothing is saved as a version yet.
pub fn stage(
    conn: &mut DbConnection,
    consultation_id: &str,
    filename: Option<&str>,
    bytes: &[u8],
    actor: &Actor,
) -> Result<DraftImport> {
    actor.require(OFFICE)?;
    let (decoded, _) = decode_and_parse(filename, bytes)?;
    db::write(conn, |conn| {
        check_consultation(conn, consultation_id)?;
        let now = db::now();
        let row = DraftImport {
            id: db::new_id(),
            consultation_id: consultation_id.to_string(),
            filename: filename.map(str::to_string),
            encoding: decoded.encoding.to_string(),
            source_text: decoded.text,
            ops_json: "[]".into(),
            saved_version_id: None,
            created_by: actor.user_id.clone(),
            created_at: now,
            updated_at: now,
        };
        db::drafts::insert_import(conn, &row)?;
        Ok(row)
    })
}

/// A staged import and its adjusted parse.
pub struct Preview {
    pub import: DraftImport,
    pub draft: EditableDraft,
    pub ops: Vec<EditOp>,
    pub unmatched_units: Vec<String>,
}

fn ops_of(i: &DraftImport) -> Vec<EditOp> {
    serde_json::from_str(&i.ops_json).unwrap_or_default()
}

fn load_import(
    conn: &mut DbConnection,
    consultation_id: &str,
    import_id: &str,
) -> Result<DraftImport> {
    db::drafts::find_import(conn, import_id)?
        .filter(|i| i.consultation_id == consultation_id)
        .ok_or(Error::NotFound)
}

pub fn preview(
    conn: &mut DbConnection,
    consultation_id: &str,
    import_id: &str,
    actor: &Actor,
) -> Result<Preview> {
    actor.require(OFFICE)?;
    let import = load_import(conn, consultation_id, import_id)?;
    let ops = ops_of(&import);
    let draft = replay(&parse_draft(&import.source_text), &ops);
    let names = unit_index(conn)?;
    let mut unmatched: Vec<String> = Vec::new();
    for p in draft.to_parsed().clauses.iter().flat_map(all_clauses) {
        for d in &p.duties {
            for n in d.lead.iter().chain(&d.responsible) {
                if !names.contains_key(&normalise_unit_name(n)) && !unmatched.contains(n) {
                    unmatched.push(n.clone());
                }
            }
        }
    }
    Ok(Preview {
        import,
        draft,
        ops,
        unmatched_units: unmatched,
    })
}

fn all_clauses(c: &ParsedClause) -> Vec<&ParsedClause> {
    let mut v = vec![c];
    for ch in &c.children {
        v.extend(all_clauses(ch));
    }
    v
}

/// Records one adjustment; refuses one that does not apply.
pub fn adjust(
    conn: &mut DbConnection,
    consultation_id: &str,
    import_id: &str,
    op: EditOp,
    actor: &Actor,
) -> Result<()> {
    actor.require(OFFICE)?;
    db::write(conn, |conn| {
        let import = load_import(conn, consultation_id, import_id)?;
        if import.saved_version_id.is_some() {
            return Err(Error::field("op", "draft.error.already_saved"));
        }
        let mut ops = ops_of(&import);
        let mut d = replay(&parse_draft(&import.source_text), &ops);
        d.apply(op)
            .map_err(|_| Error::field("op", "draft.error.op"))?;
        ops.push(op);
        let json = serde_json::to_string(&ops).map_err(|e| Error::Conflict(e.to_string()))?;
        db::drafts::set_import_ops(conn, import_id, &json)?;
        Ok(())
    })
}

/// Removes the last adjustment.
pub fn undo(
    conn: &mut DbConnection,
    consultation_id: &str,
    import_id: &str,
    actor: &Actor,
) -> Result<()> {
    actor.require(OFFICE)?;
    db::write(conn, |conn| {
        let import = load_import(conn, consultation_id, import_id)?;
        let mut ops = ops_of(&import);
        ops.pop();
        let json = serde_json::to_string(&ops).map_err(|e| Error::Conflict(e.to_string()))?;
        db::drafts::set_import_ops(conn, import_id, &json)?;
        Ok(())
    })
}

/// Saves a staged import as the consultation's next draft version.
pub fn save(
    conn: &mut DbConnection,
    consultation_id: &str,
    import_id: &str,
    actor: &Actor,
) -> Result<DraftTree> {
    save_named(conn, consultation_id, import_id, None, actor)
}

/// [`save`], the office naming the version (修改稿, 送审稿 …).
pub fn save_named(
    conn: &mut DbConnection,
    consultation_id: &str,
    import_id: &str,
    label: Option<&str>,
    actor: &Actor,
) -> Result<DraftTree> {
    actor.require(OFFICE)?;
    let label = check_label(label)?;
    db::write(conn, |conn| {
        let import = load_import(conn, consultation_id, import_id)?;
        if let Some(v) = &import.saved_version_id {
            // A second click: the version already exists.
            return load_tree(conn, v);
        }
        let parsed = replay(&parse_draft(&import.source_text), &ops_of(&import)).to_parsed();
        let version_id = store(
            conn,
            consultation_id,
            &parsed,
            &import.source_text,
            import.filename.as_deref(),
            label.as_deref(),
            actor,
        )?;
        if !db::drafts::mark_import_saved(conn, import_id, &version_id)? {
            return Err(Error::Conflict("saved meanwhile".into()));
        }
        load_tree(conn, &version_id)
    })
}

/// Decodes, parses and saves in one step (API and command line).
pub fn import(
    conn: &mut DbConnection,
    consultation_id: &str,
    filename: Option<&str>,
    bytes: &[u8],
    actor: &Actor,
) -> Result<DraftTree> {
    import_named(conn, consultation_id, filename, bytes, None, actor)
}

/// The longest name of a version, in characters.
pub const LABEL_MAX: usize = 40;

fn check_label(label: Option<&str>) -> Result<Option<String>> {
    match label.map(str::trim) {
        None | Some("") => Ok(None),
        Some(l) if l.chars().count() > LABEL_MAX => Err(Error::field("label", "draft.error.label")),
        Some(l) => Ok(Some(l.to_string())),
    }
}

/// [`import`], the office naming the version (修改稿, 送审稿 …). The first version is
/// published at once; so is any version imported before the consultation opens (it replaces
/// the draft being prepared). A version imported later is a revision: stored, compared, but
/// not shown on the public page until the office publishes it ([`publish_version`]).
pub fn import_named(
    conn: &mut DbConnection,
    consultation_id: &str,
    filename: Option<&str>,
    bytes: &[u8],
    label: Option<&str>,
    actor: &Actor,
) -> Result<DraftTree> {
    actor.require(OFFICE)?;
    let label = check_label(label)?;
    let (decoded, parsed) = decode_and_parse(filename, bytes)?;
    db::write(conn, |conn| {
        let version_id = store(
            conn,
            consultation_id,
            &parsed,
            &decoded.text,
            filename,
            label.as_deref(),
            actor,
        )?;
        let mut tree = load_tree(conn, &version_id)?;
        tree.notes = parsed.notes.clone();
        Ok(tree)
    })
}

fn unit_index(conn: &mut DbConnection) -> Result<HashMap<String, String>> {
    Ok(db::drafts::unit_names(conn)?
        .into_iter()
        .map(|(name, id)| (normalise_unit_name(&name), id))
        .collect())
}

fn store(
    conn: &mut DbConnection,
    consultation_id: &str,
    parsed: &ParsedDraft,
    source: &str,
    filename: Option<&str>,
    label: Option<&str>,
    actor: &Actor,
) -> Result<String> {
    let consultation = check_consultation(conn, consultation_id)?;
    let names = unit_index(conn)?;
    let version_no = db::drafts::next_version_no(conn, consultation_id)?;
    let version_id = db::new_id();
    struct Rows<'a> {
        version_id: &'a str,
        names: &'a HashMap<String, String>,
        clauses: Vec<ClauseRow>,
        duties: Vec<DutyRow>,
        units: Vec<DutyUnitRow>,
    }
    fn walk(
        cs: &[ParsedClause],
        parent: Option<&str>,
        parent_path: &str,
        depth: i64,
        rows: &mut Rows<'_>,
    ) {
        for c in cs {
            let id = db::new_id();
            let path = format!("{parent_path}{}", c.label);
            rows.clauses.push(ClauseRow {
                id: id.clone(),
                version_id: rows.version_id.to_string(),
                parent_id: parent.map(str::to_string),
                position: rows.clauses.len() as i64,
                depth,
                label: c.label.clone(),
                heading: c.heading.clone(),
                body: c.text.clone(),
                path: path.clone(),
            });
            for (i, d) in c.duties.iter().enumerate() {
                let duty_id = db::new_id();
                rows.duties.push(DutyRow {
                    id: duty_id.clone(),
                    clause_id: id.clone(),
                    position: i as i64,
                    raw: d.raw.clone(),
                });
                let roles = d
                    .lead
                    .iter()
                    .map(|n| ("lead", n))
                    .chain(d.responsible.iter().map(|n| ("responsible", n)));
                for (j, (role, name)) in roles.enumerate() {
                    rows.units.push(DutyUnitRow {
                        id: db::new_id(),
                        duty_id: duty_id.clone(),
                        role: role.to_string(),
                        position: j as i64,
                        unit_name: name.clone(),
                        unit_id: rows.names.get(&normalise_unit_name(name)).cloned(),
                    });
                }
            }
            walk(&c.children, Some(&id), &path, depth + 1, rows);
        }
    }
    let mut rows = Rows {
        version_id: &version_id,
        names: &names,
        clauses: Vec::new(),
        duties: Vec::new(),
        units: Vec::new(),
    };
    walk(&parsed.clauses, None, "", 0, &mut rows);
    let Rows {
        clauses: clause_rows,
        duties: duty_rows,
        units: unit_rows,
        ..
    } = rows;
    let label = label.unwrap_or(if version_no == 1 {
        "征求意见稿"
    } else {
        "修改稿"
    });
    let published = version_no == 1 || consultation.status == "draft";
    let now = db::now();
    db::drafts::insert_version(
        conn,
        &NewDraftVersion {
            id: &version_id,
            consultation_id,
            version_no,
            label,
            title: parsed.title.as_deref(),
            source_text: source,
            source_filename: filename,
            front_matter: &parsed.front_matter,
            trailer: &parsed.trailer,
            is_current: published,
            created_by: actor.user_id.as_deref(),
            created_at: now,
            published_at: published.then_some(now),
        },
        &clause_rows,
        &duty_rows,
        &unit_rows,
    )?;
    audit::record(
        conn,
        audit::AuditEntry {
            consultation_id: Some(consultation_id),
            after: Some(json!({
                "version_no": version_no,
                "label": label,
                "published": published,
                "clauses": clause_rows.len(),
                "duties": duty_rows.len(),
                "filename": filename,
            })),
            ..actor.audit("draft.import", "draft_version", &version_id)
        },
    )?;
    Ok(version_id)
}

/// A stored version as a tree.
pub fn load_tree(conn: &mut DbConnection, version_id: &str) -> Result<DraftTree> {
    let v = db::drafts::find_version(conn, version_id)?.ok_or(Error::NotFound)?;
    let (clauses, duties, units) = db::drafts::load_tree_rows(conn, version_id)?;
    let mut units_by_duty: HashMap<&str, Vec<&DutyUnitRow>> = HashMap::new();
    for u in &units {
        units_by_duty.entry(u.duty_id.as_str()).or_default().push(u);
    }
    let mut duties_by_clause: HashMap<&str, Vec<TreeDuty>> = HashMap::new();
    for d in &duties {
        let us = units_by_duty.remove(d.id.as_str()).unwrap_or_default();
        let pick = |role: &str| -> Vec<String> {
            us.iter()
                .filter(|u| u.role == role)
                .map(|u| u.unit_name.clone())
                .collect()
        };
        duties_by_clause
            .entry(d.clause_id.as_str())
            .or_default()
            .push(TreeDuty {
                lead: pick("lead"),
                responsible: pick("responsible"),
                units: us
                    .iter()
                    .map(|u| DutyUnit {
                        name: u.unit_name.clone(),
                        role: u.role.clone(),
                        unit_id: u.unit_id.clone(),
                    })
                    .collect(),
            });
    }
    let mut unmatched: Vec<String> = Vec::new();
    for u in &units {
        if u.unit_id.is_none() && !unmatched.contains(&u.unit_name) {
            unmatched.push(u.unit_name.clone());
        }
    }
    // Children lists by parent, in document order.
    let mut children: BTreeMap<Option<&str>, Vec<&ClauseRow>> = BTreeMap::new();
    for c in &clauses {
        children.entry(c.parent_id.as_deref()).or_default().push(c);
    }
    fn build(
        parent: Option<&str>,
        children: &BTreeMap<Option<&str>, Vec<&ClauseRow>>,
        duties: &mut HashMap<&str, Vec<TreeDuty>>,
    ) -> Vec<TreeClause> {
        children
            .get(&parent)
            .map(|cs| {
                cs.iter()
                    .map(|c| TreeClause {
                        id: c.id.clone(),
                        label: c.label.clone(),
                        heading: c.heading.clone(),
                        text: c.body.clone(),
                        path: c.path.clone(),
                        position: c.position,
                        duties: duties.remove(c.id.as_str()).unwrap_or_default(),
                        children: build(Some(&c.id), children, duties),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    let tree = build(None, &children, &mut duties_by_clause);
    let notes = if !clauses.is_empty() && clauses.iter().all(|c| c.label.is_empty()) {
        vec![ParseNote::NoNumbering]
    } else {
        vec![]
    };
    Ok(DraftTree {
        version: VersionInfo {
            id: v.id,
            consultation_id: v.consultation_id,
            version_no: v.version_no,
            label: v.label,
            source_filename: v.source_filename,
        },
        title: v.title,
        clauses: tree,
        front_matter: v.front_matter,
        trailer: v.trailer,
        notes,
        unmatched_units: unmatched,
    })
}

/// The current version's tree of a consultation, if a draft was imported.
pub fn current_tree(conn: &mut DbConnection, consultation_id: &str) -> Result<Option<DraftTree>> {
    match db::drafts::current_version(conn, consultation_id)? {
        Some(v) => Ok(Some(load_tree(conn, &v.id)?)),
        None => Ok(None),
    }
}

/// Publishes a later version: the public page shows it from now on.
pub fn publish_version(
    conn: &mut DbConnection,
    consultation_id: &str,
    version_no: i64,
    actor: &Actor,
) -> Result<db::drafts::VersionSummary> {
    actor.require(OFFICE)?;
    db::write(conn, |conn| {
        check_consultation(conn, consultation_id)?;
        let v = db::drafts::versions(conn, consultation_id)?
            .into_iter()
            .find(|v| v.version_no == version_no)
            .ok_or(Error::NotFound)?;
        db::drafts::publish_version(conn, consultation_id, &v.id)?;
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(consultation_id),
                after: Some(json!({ "version_no": version_no })),
                ..actor.audit("draft.publish", "draft_version", &v.id)
            },
        )?;
        db::drafts::versions(conn, consultation_id)?
            .into_iter()
            .find(|x| x.id == v.id)
            .ok_or(Error::NotFound)
    })
}
