//! First run: while no administrator exists, a one-time link (its token shown only in the
//! server's log, kept hashed in the database so that any node serving it accepts it) lets the
//! first visitor create the administrator, and optionally a sample consultation.

use chrono::FixedOffset;
use serde_json::json;

use super::{Actor, Error, Result};
use crate::db::{self, DbConnection, audit};
use crate::domain::{Role, token};

/// The real draft the sample consultation is made from.
pub const SAMPLE_DRAFT: &str = include_str!("../../frontend/samples/sample_draft.txt");
const SAMPLE_FILENAME: &str = "sample_draft.txt";
/// How many units of the sample draft's duties go into the units directory.
const SAMPLE_UNITS: usize = 4;
const TOKEN_PREFIX: &str = "yjsetup_";

/// Whether the site still waits for its first administrator.
pub fn pending(conn: &mut DbConnection) -> Result<bool> {
    Ok(db::users::count_active_admins(conn)? == 0)
}

/// A new one-time setup token while no administrator exists (`None` once one does). Only its
/// hash is stored.
pub fn issue_token(conn: &mut DbConnection) -> Result<Option<String>> {
    if !pending(conn)? {
        return Ok(None);
    }
    let secret = token::new_secret(TOKEN_PREFIX, &mut rand::rng());
    db::setup::insert_token(conn, &token::hash_secret(&secret))?;
    Ok(Some(secret))
}

/// Whether `token` opens the setup page now.
pub fn token_valid(conn: &mut DbConnection, token: &str) -> Result<bool> {
    if token.is_empty() || token.len() > 200 || !pending(conn)? {
        return Ok(false);
    }
    Ok(db::setup::token_exists(conn, &token::hash_secret(token))?)
}

/// The first administrator, as the setup form gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SetupInput {
    pub token: String,
    pub name: String,
    pub email: String,
    pub password: String,
    /// Also create the sample consultation.
    pub sample: bool,
}

/// What setup did.
pub struct SetupDone {
    pub admin: db::users::User,
    /// The sample consultation, when one was asked for.
    pub sample: Option<db::consultations::Consultation>,
}

/// Creates the first administrator with a valid token (used up, with every other one), then
/// the sample consultation if asked. A wrong or used token, or an administrator already
/// there, is `NotFound`; invalid fields keep the token usable.
pub fn complete(conn: &mut DbConnection, input: SetupInput, tz: FixedOffset) -> Result<SetupDone> {
    if !token_valid(conn, &input.token)? {
        return Err(Error::NotFound);
    }
    let hash = token::hash_secret(&input.token);
    let setup = Actor {
        label: "setup".into(),
        ..Actor::system()
    };
    let admin = db::write(conn, |conn| {
        if !pending(conn)? || !db::setup::use_tokens(conn, &hash)? {
            return Err(Error::NotFound);
        }
        super::users::create_user(
            conn,
            super::users::CreateUser {
                email: input.email.clone(),
                name: input.name.clone(),
                role: Role::Admin,
                unit: None,
                password: Some(input.password.clone()),
            },
            &setup,
        )
    })?;
    let sample = if input.sample {
        let actor = Actor {
            user_id: Some(admin.id.clone()),
            label: admin.email.clone(),
            role: Some(Role::Admin),
            unit_id: None,
            request_id: None,
        };
        // The administrator exists now: a sample that cannot be made does not undo setup.
        match create_sample(conn, tz, &actor) {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::warn!(error = %e, "the sample consultation could not be created");
                None
            }
        }
    } else {
        None
    };
    Ok(SetupDone { admin, sample })
}

/// The sample consultation: the shipped draft, marked 示例, open for comment for 30 days, with
/// the first few units its duties name in the units directory.
pub fn create_sample(
    conn: &mut DbConnection,
    tz: FixedOffset,
    actor: &Actor,
) -> Result<db::consultations::Consultation> {
    let (_, parsed) =
        super::drafts::decode_and_parse(Some(SAMPLE_FILENAME), SAMPLE_DRAFT.as_bytes())?;
    let mut names: Vec<String> = Vec::new();
    fn collect(cs: &[crate::domain::clause_parser::ParsedClause], out: &mut Vec<String>) {
        for c in cs {
            for d in &c.duties {
                for n in d.lead.iter().chain(&d.responsible) {
                    if out.len() < SAMPLE_UNITS && !out.contains(n) {
                        out.push(n.clone());
                    }
                }
            }
            collect(&c.children, out);
        }
    }
    collect(&parsed.clauses, &mut names);
    for name in names {
        match super::units::create(
            conn,
            super::units::CreateUnit {
                name,
                ..Default::default()
            },
            actor,
        ) {
            // A unit of that name already in the directory is just as good.
            Ok(_) | Err(Error::Validation(_)) | Err(Error::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let draft_title = parsed
        .title
        .clone()
        .unwrap_or_else(|| "市政协十四届二次会议1号建议案办理工作方案".to_string());
    let now = chrono::TimeZone::from_utc_datetime(&tz, &db::now());
    let fmt = |d: chrono::DateTime<FixedOffset>| d.format("%Y-%m-%dT%H:%M").to_string();
    let c = super::consultations::create(
        conn,
        super::consultations::CreateConsultation {
            title: format!("【示例】{draft_title}（征求意见稿）"),
            draft_title,
            description: "这是安装时创建的示例征求意见，用来展示公众页面、意见表、意见处理和报告。\
                          确认后可在工作台一键删除。This is a sample consultation created at setup; \
                          delete it from the workbench when done."
                .into(),
            contact: "示例联系人（请勿使用）".into(),
            opens_at: fmt(now - chrono::Duration::minutes(1)),
            closes_at: fmt(now + chrono::Duration::days(30)),
            ..Default::default()
        },
        tz,
        actor,
    )?;
    db::write::<_, Error, _>(conn, |conn| {
        db::consultations::set_sample(conn, &c.id)?;
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(&c.id),
                after: Some(json!({"sample": true})),
                ..actor.audit("consultation.sample", "consultation", &c.id)
            },
        )?;
        Ok(())
    })?;
    super::drafts::import(
        conn,
        &c.id,
        Some(SAMPLE_FILENAME),
        SAMPLE_DRAFT.as_bytes(),
        actor,
    )?;
    super::consultations::open(conn, &c.id, actor)
}
