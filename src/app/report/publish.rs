//! Publishing the report in short steps, and what follows it: history, opinions marked
//! published, notices to commenters.

use super::*;
/// An edition built from one snapshot of the data, ready to be written.
struct Prepared {
    publication: Publication,
    was_status: String,
    decided: Vec<PublishedDecision>,
    notices: Vec<crate::db::outbox::NewOutbox>,
    /// Why units that still owe a reply are not waited for, when some do.
    close_reason: Option<String>,
}

/// How to publish: where links in mail point, the office's time zone, and the reason for
/// closing the solicitations of units that still owe a reply before their deadline (required
/// when there are some).
#[derive(Debug, Clone)]
pub struct PublishOptions {
    pub mail: crate::app::solicitations::MailContext,
    pub close_solicitations_reason: Option<String>,
}

/// Longest reason for closing solicitations early, in characters.
pub const MAX_CLOSE_REASON_CHARS: usize = 2_000;

enum Preparation {
    Ready(Box<Prepared>),
    Done(PublishOutcome),
}

/// Rows of an edition written per transaction while it is hidden, and opinions followed up per
/// transaction once it is shown: each step holds SQLite's write lock for milliseconds, so the
/// intake is never kept waiting by a large report.
const STAGE_CHUNK: usize = 500;
const FOLLOW_UP_CHUNK: usize = 250;
/// Notices (each a composed email) queued per transaction.
const NOTICE_CHUNK: usize = 100;
/// Bytes of a frozen model written per transaction.
const SNAPSHOT_PART: usize = 1 << 20;

/// `text` in pieces of at most `max` bytes, cut between characters.
pub(super) fn parts(text: &str, max: usize) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = rest.len().min(max);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(piece)
    })
}

/// Publishes the report: checks readiness, freezes both editions as a new, numbered
/// publication, records what each commenter is told, marks the consultation and its opinions
/// published, queues the commenters' notices and writes the audit event.
///
/// A report of 50,000 opinions is 200,000 rows, so it is not one transaction. The edition is
/// read and built from one consistent snapshot without the write lock, then written while
/// hidden from every reader in short transactions, then shown in one short transaction that
/// also marks the consultation published (and fails, discarding the hidden edition, if the
/// consultation left the closed or published state meanwhile). What follows — the `publish`
/// entry in each decision's history, opinions still approved as published marked published,
/// the notices — is done in short, repeatable steps; if the process stops in the middle, the
/// clock finishes it ([`finish_interrupted`]). A decision changed by someone else while the
/// edition was being written is not marked published: it awaits the next edition, as a change
/// made a moment after publishing would.
///
/// Units invited to comment that have not replied before their deadline are waited for: the
/// publication is refused with a `solicitation_pending` item per unit unless
/// `close_solicitations_reason` is given; then their solicitations are closed early in the
/// transaction that shows the edition, and each unit is told why.
pub fn publish(
    conn: &mut DbConnection,
    consultation_id: &str,
    options: &PublishOptions,
    actor: &Actor,
) -> Result<PublishOutcome> {
    actor.require(READERS)?;
    let reason = options
        .close_solicitations_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_CLOSE_REASON_CHARS) {
        return Err(Error::field(
            "close_solicitations_reason",
            "report.error.close_reason_too_long",
        ));
    }
    let base_url = options.mail.base_url.as_str();
    let prep = match prepare(conn, consultation_id, base_url, reason, actor)? {
        Preparation::Done(outcome) => return Ok(outcome),
        Preparation::Ready(p) => *p,
    };
    // What an interrupted attempt left behind goes first.
    for id in db::report::staged_publications(conn, Some(consultation_id), None)? {
        discard(conn, &id)?;
    }
    let p = &prep.publication;
    let staged = db::write(conn, |c| {
        db::report::insert_staged_publication(c, p)?;
        Ok::<_, Error>(())
    });
    match staged {
        Ok(()) => {}
        Err(Error::Db(e)) if e.is_unique_violation() => {
            return Err(Error::Conflict(
                "another edition of this report is being published".into(),
            ));
        }
        Err(e) => return Err(e),
    }
    let models = [
        (Snapshot::Internal, p.model_json.as_str()),
        (Snapshot::Public, p.public_model_json.as_str()),
    ];
    let written = models
        .iter()
        .try_for_each(|(which, json)| {
            parts(json, SNAPSHOT_PART)
                .enumerate()
                .try_for_each(|(seq, part)| {
                    db::write::<_, Error, _>(conn, |c| {
                        Ok(db::report::add_snapshot_part(
                            c, &p.id, *which, seq as i64, part,
                        )?)
                    })
                })
        })
        .and_then(|()| {
            prep.decided.chunks(STAGE_CHUNK).try_for_each(|chunk| {
                db::write::<_, Error, _>(conn, |c| {
                    Ok(db::report::insert_publication_decisions(c, &p.id, chunk)?)
                })
            })
        });
    let now = db::now();
    let shown =
        written.and_then(|()| db::write(conn, |c| show(c, &prep, &options.mail, now, actor)));
    let shown = match shown {
        Ok(n) => Some(n),
        Err(e) => {
            discard(conn, &p.id)?;
            return Err(e);
        }
    };
    let closed_solicitations = shown.unwrap_or_default();
    let publication = Publication {
        published_at: now,
        ..prep.publication
    };
    follow_up(conn, &publication, &prep.decided, &prep.notices)?;
    Ok(PublishOutcome::Published {
        closed_solicitations,
        publication: PublicationInfo {
            id: publication.id,
            consultation_id: publication.consultation_id,
            edition_no: publication.edition_no,
            title: publication.title,
            published_at: now,
        },
        notices: prep.notices.len(),
    })
}

/// Reads and builds the edition from one snapshot, without the write lock.
fn prepare(
    conn: &mut DbConnection,
    consultation_id: &str,
    base_url: &str,
    close_reason: Option<&str>,
    actor: &Actor,
) -> Result<Preparation> {
    db::read(conn, |conn| {
        let g = Gathered::read(conn, consultation_id)?;
        let mut missing = missing(&g);
        if close_reason.is_some() {
            missing.retain(|m| m.kind != SOLICITATION_PENDING);
        }
        if !missing.is_empty() {
            return Ok(Preparation::Done(PublishOutcome::NotReady { missing }));
        }
        let c = &g.consultation;
        let config = config_of(c);
        let internal = model::build(g.input(Edition::Internal, config.clone()));
        let public = model::build(g.input(Edition::Public, config.clone()));
        let decided = g.published_decisions(&config);
        let edition_no = db::report::next_edition_no(conn, &c.id)?;
        let json = |r: &Report| {
            serde_json::to_string(r).map_err(|e| Error::Internal(format!("report snapshot: {e}")))
        };
        let (model_json, public_model_json) = (json(&internal)?, json(&public)?);
        let last = db::report::publication(conn, &c.id, Some(edition_no - 1))?;
        if let Some(last) = &last {
            if c.status() == Status::Published
                && last.model_json == model_json
                && last.public_model_json == public_model_json
            {
                return Ok(Preparation::Done(PublishOutcome::Unchanged {
                    publication: PublicationInfo {
                        id: last.id.clone(),
                        consultation_id: last.consultation_id.clone(),
                        edition_no: last.edition_no,
                        title: last.title.clone(),
                        published_at: last.published_at,
                    },
                }));
            }
        }
        let previous = match &last {
            Some(p) => db::report::published_decisions(conn, &p.id)?,
            None => vec![],
        };
        let notices = notices(&g, &decided, &previous, edition_no, base_url)?;
        Ok(Preparation::Ready(Box::new(Prepared {
            publication: Publication {
                id: db::new_id(),
                consultation_id: c.id.clone(),
                edition_no,
                title: internal.title.clone(),
                model_json,
                public_model_json,
                published_by: actor.user_id.clone(),
                published_at: db::now(),
            },
            was_status: c.status.clone(),
            decided,
            notices,
            close_reason: close_reason
                .filter(|_| !g.pending_units.is_empty())
                .map(str::to_string),
        })))
    })
}

/// Shows the hidden edition and marks the consultation published, in one short transaction;
/// closes the solicitations still waiting when a reason was given. Returns how many it closed.
fn show(
    conn: &mut DbConnection,
    prep: &Prepared,
    mail: &crate::app::solicitations::MailContext,
    now: chrono::NaiveDateTime,
    actor: &Actor,
) -> Result<usize> {
    let p = &prep.publication;
    if !db::report::complete_publication(conn, &p.id, now)? {
        return Err(Error::Conflict(
            "another edition of this report was published meanwhile".into(),
        ));
    }
    let c = db::consultations::find(conn, &p.consultation_id)?.ok_or(Error::NotFound)?;
    match c.status() {
        Status::Published => {}
        Status::Closed
            if db::consultations::set_status(
                conn,
                &c.id,
                Status::Closed.as_str(),
                Status::Published.as_str(),
                None,
            )? => {}
        _ => {
            return Err(Error::Conflict(
                "the consultation changed while its report was being published".into(),
            ));
        }
    }
    let closed = match &prep.close_reason {
        Some(reason) => {
            crate::app::solicitations::close_early_in(conn, &c.id, reason, mail, actor, now)?
        }
        None => vec![],
    };
    audit::record(
        conn,
        audit::AuditEntry {
            consultation_id: Some(&c.id),
            before: Some(json!({"status": prep.was_status, "editions": p.edition_no - 1})),
            after: Some(json!({
                "edition_no": p.edition_no,
                "title": p.title,
                "rows": prep.decided.len(),
                "notices": prep.notices.len(),
                "closed_solicitations": closed.iter().map(|o| &o.unit_name).collect::<Vec<_>>(),
                "close_reason": prep.close_reason,
            })),
            ..actor.audit("report.publish", "publication", &p.id)
        },
    )?;
    Ok(closed.len())
}

/// Removes a hidden edition, a chunk per transaction.
fn discard(conn: &mut DbConnection, publication_id: &str) -> Result<()> {
    while db::write::<_, Error, _>(conn, |c| {
        Ok(db::report::discard_staged(
            c,
            publication_id,
            STAGE_CHUNK as i64,
        )?)
    })? > 0
    {}
    Ok(())
}

/// The rationale as an edition prints it.
pub(super) fn printed_rationale(r: Option<&str>) -> Option<String> {
    r.map(|r| r.trim().trim_start_matches([',', '，']).trim())
        .filter(|r| !r.is_empty())
        .map(str::to_string)
}

/// What follows a shown edition, in short steps, each safe to repeat: the history entries,
/// opinions marked published where their decision is still the one published, the notices.
fn follow_up(
    conn: &mut DbConnection,
    p: &Publication,
    decided: &[PublishedDecision],
    notices: &[crate::db::outbox::NewOutbox],
) -> Result<()> {
    for chunk in decided.chunks(FOLLOW_UP_CHUNK) {
        db::write::<_, Error, _>(conn, |c| {
            db::report::add_publish_history(c, p, chunk)?;
            let by_id: HashMap<&str, &PublishedDecision> =
                chunk.iter().map(|d| (d.opinion_id.as_str(), d)).collect();
            let ids: Vec<&str> = by_id.keys().copied().collect();
            let current = db::report::current_decisions(c, &ids)?;
            let same: Vec<&str> = current
                .iter()
                .filter(|(id, state, status, rationale)| {
                    state == "approved"
                        && by_id.get(id.as_str()).is_some_and(|d| {
                            d.status == *status
                                && d.rationale == printed_rationale(rationale.as_deref())
                        })
                })
                .map(|(id, ..)| id.as_str())
                .collect();
            db::report::set_opinions_published(c, &same, p.published_at)?;
            Ok(())
        })?;
    }
    for chunk in notices.chunks(NOTICE_CHUNK) {
        db::write::<_, Error, _>(conn, |c| {
            let ids: Vec<&str> = chunk
                .iter()
                .filter_map(|m| m.related_id.as_deref())
                .collect();
            let queued = db::outbox::related_since(c, "decision", &ids, p.published_at)?;
            let fresh: Vec<_> = chunk
                .iter()
                .filter(|m| m.related_id.as_ref().is_none_or(|id| !queued.contains(id)))
                .map(|m| (m, p.published_at))
                .collect();
            Ok(db::outbox::insert_many(c, &fresh)?)
        })?;
    }
    db::write::<_, Error, _>(conn, |c| Ok(db::report::set_followed_up(c, &p.id)?))
}

/// The clock's part: removes hidden editions an interrupted publish left (staged over an hour
/// ago) and finishes the follow-up of editions shown over ten minutes ago whose publish stopped
/// before it was done. Returns how many editions it finished.
pub fn finish_interrupted(
    conn: &mut DbConnection,
    at: chrono::NaiveDateTime,
    base_url: &str,
) -> Result<usize> {
    for id in db::report::staged_publications(conn, None, Some(at - chrono::Duration::hours(1)))? {
        discard(conn, &id)?;
    }
    let unfinished = db::report::unfinished_follow_ups(conn, at - chrono::Duration::minutes(10))?;
    let n = unfinished.len();
    for p in unfinished {
        let (decided, notices) = db::read::<_, Error, _>(conn, |c| {
            let g = Gathered::read(c, &p.consultation_id)?;
            let decided = db::report::published_decisions(c, &p.id)?;
            let previous =
                match db::report::publication(c, &p.consultation_id, Some(p.edition_no - 1))? {
                    Some(prev) => db::report::published_decisions(c, &prev.id)?,
                    None => vec![],
                };
            let notices = notices(&g, &decided, &previous, p.edition_no, base_url)?;
            Ok((decided, notices))
        })?;
        tracing::info!(edition = p.edition_no, consultation = %p.consultation_id, "finishing an interrupted publication");
        follow_up(conn, &p, &decided, &notices)?;
    }
    Ok(n)
}

/// The commenters who are sent a decision notice, each with the decisions it tells: every
/// commenter who left an email address; on a corrected edition only those whose published
/// decisions changed.
fn recipients<'a>(
    g: &'a Gathered,
    decided: &'a [PublishedDecision],
    previous: &'a [PublishedDecision],
    edition_no: i64,
) -> Vec<(&'a db::report::SubmitterRow, Vec<&'a PublishedDecision>)> {
    let mut now_by: HashMap<&str, Vec<&PublishedDecision>> = HashMap::new();
    for d in decided {
        now_by.entry(&d.submission_id).or_default().push(d);
    }
    let mut before_by: HashMap<&str, Vec<&PublishedDecision>> = HashMap::new();
    for d in previous {
        before_by.entry(&d.submission_id).or_default().push(d);
    }
    let key = |d: &&PublishedDecision| (d.position, d.opinion_id.clone());
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for o in &g.opinions {
        let s = &o.submission;
        if s.email.as_deref().is_none_or(|e| e.trim().is_empty()) {
            continue;
        }
        if !seen.insert(s.submission_id.as_str()) {
            continue;
        }
        let Some(mut mine) = now_by.get(s.submission_id.as_str()).cloned() else {
            continue;
        };
        mine.sort_by_key(key);
        if edition_no > 1 {
            let mut before = before_by
                .get(s.submission_id.as_str())
                .cloned()
                .unwrap_or_default();
            before.sort_by_key(key);
            if before == mine {
                continue;
            }
        }
        out.push((s, mine));
    }
    out
}

/// How many decision notices publishing now would queue (for the confirmation step).
pub(super) fn notice_count(
    conn: &mut DbConnection,
    g: &Gathered,
    config: &ReportConfig,
) -> Result<(i64, usize)> {
    let decided = g.published_decisions(config);
    let edition_no = db::report::next_edition_no(conn, &g.consultation.id)?;
    let previous = match db::report::publication(conn, &g.consultation.id, Some(edition_no - 1))? {
        Some(p) => db::report::published_decisions(conn, &p.id)?,
        None => vec![],
    };
    Ok((
        edition_no,
        recipients(g, &decided, &previous, edition_no).len(),
    ))
}

/// One decision notice per commenter [`recipients`] names.
fn notices(
    g: &Gathered,
    decided: &[PublishedDecision],
    previous: &[PublishedDecision],
    edition_no: i64,
    base_url: &str,
) -> Result<Vec<crate::db::outbox::NewOutbox>> {
    let mut out = Vec::new();
    for (s, mine) in recipients(g, decided, previous, edition_no) {
        let Some(to) = s.email.as_deref() else {
            continue;
        };
        let locale = Locale::parse(&s.locale).unwrap_or_default();
        let m = crate::mail::compose::decision_notice(
            locale,
            to,
            base_url,
            &crate::mail::compose::DecisionNotice {
                tracking_code: s.tracking_code.clone(),
                consultation_title: g.consultation.title.clone(),
                opinions: mine
                    .iter()
                    .map(|d| crate::mail::compose::DecidedOpinion {
                        opinion: excerpt(&d.opinion),
                        status: d.status_label.clone(),
                        rationale: d.rationale.clone(),
                    })
                    .collect(),
                report_path: format!("/c/{}/report", g.consultation.slug),
            },
        )?
        .related("submission", &s.submission_id);
        // A corrected edition says so in the subject.
        let m = if edition_no > 1 {
            crate::db::outbox::NewOutbox {
                subject: i18n::tf(
                    locale,
                    "report.corrected_subject",
                    &[
                        ("subject", &m.subject),
                        ("edition", &edition_no.to_string()),
                    ],
                ),
                ..m
            }
        } else {
            m
        };
        out.push(m);
    }
    Ok(out)
}
