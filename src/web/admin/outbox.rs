//! `/admin/outbox`: the emails the system sent, waits to send, or gave up on; send one again,
//! or every failed one of a kind or a time range.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::app::{self, outbox::BulkResend, outbox::Query};
use crate::domain::mail::{KINDS, STATES};
use crate::domain::time::format_local;
use crate::i18n::Tr;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::{AppState, csrf};

pub struct ViewRow {
    pub id: String,
    pub created: String,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub state: String,
    pub state_label: String,
    pub attempts: i64,
    pub detail: String,
    pub resendable: bool,
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    rows: Vec<ViewRow>,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
    counts: String,
    /// Failed emails over the whole outbox; when any, the page says so and offers to send
    /// them again at once.
    failed: i64,
    failed_notice: String,
    notice: Option<String>,
    error: Option<String>,
    /// The filters as a query string, to come back to the same list after a resend.
    back: String,
    newer: Option<String>,
    older: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PageQuery {
    state: Option<String>,
    kind: Option<String>,
    page: Option<i64>,
    done: Option<String>,
    /// How many a bulk resend queued.
    queued: Option<usize>,
    /// A bulk resend's refusal: the locale key of its reason.
    error: Option<String>,
}

/// The reasons a bulk resend is refused, as the page may name them.
const BULK_ERRORS: [&str; 3] = [
    "outbox.error.kind",
    "outbox.error.time",
    "outbox.error.range",
];

fn query_string(q: &Query, page: i64) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [("state", &q.state), ("kind", &q.kind)] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            s.append_pair(k, v.trim());
        }
    }
    if page > 1 {
        s.append_pair("page", &page.to_string());
    }
    s.finish()
}

/// `GET /admin/outbox?state=&kind=&to=&page=`
pub async fn index(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let PageQuery {
        state: st,
        kind,
        page,
        done,
        queued,
        error,
    } = q.into_inner();
    let query = Query {
        state: st,
        kind,
        page,
    };
    let actor = user.actor();
    let kept = query.clone();
    let listing = state
        .with_conn(move |conn| Ok(app::outbox::list(conn, &kept, &actor)?))
        .await?;
    let tz = state.config.timezone;
    let rows = listing
        .messages
        .into_iter()
        .map(|m| {
            let detail = match m.state.as_str() {
                "sent" => m
                    .sent_at
                    .map(|at| t.tf("outbox.sent_at", &[("at", &format_local(at, tz))]))
                    .unwrap_or_default(),
                "queued" => {
                    let next = m
                        .next_attempt_at
                        .map(|at| t.tf("outbox.next_attempt", &[("at", &format_local(at, tz))]))
                        .unwrap_or_default();
                    match &m.last_error {
                        Some(e) => format!("{next} · {e}"),
                        None => next,
                    }
                }
                _ => m.last_error.clone().unwrap_or_default(),
            };
            ViewRow {
                created: format_local(m.created_at, tz),
                kind: t.t(&format!("outbox.kind.{}", m.kind)),
                state_label: t.t(&format!("outbox.state.{}", m.state)),
                resendable: m.state != "queued",
                detail,
                id: m.id,
                to: m.to,
                subject: m.subject,
                state: m.state,
                attempts: m.attempts,
            }
        })
        .collect();
    let choose = |values: &[&'static str], prefix: &str, current: &Option<String>| {
        values
            .iter()
            .map(|v| Choice {
                value: v,
                label: t.t(&format!("{prefix}.{v}")),
                selected: current.as_deref() == Some(*v),
            })
            .collect::<Vec<_>>()
    };
    let count = |s: &str| listing.counts.get(s).copied().unwrap_or(0).to_string();
    let failed = listing.counts.get("failed").copied().unwrap_or(0);
    let failed_notice = t.tf("outbox.failed_notice", &[("n", &failed.to_string())]);
    let counts = t.tf(
        "outbox.counts",
        &[
            ("queued", &count("queued")),
            ("sent", &count("sent")),
            ("failed", &count("failed")),
        ],
    );
    let link = |p: i64| {
        let qs = query_string(&query, p);
        if qs.is_empty() {
            "/admin/outbox".to_string()
        } else {
            format!("/admin/outbox?{qs}")
        }
    };
    page::html(&OutboxPage {
        title: t.t("outbox.title"),
        nav: Nav::from_session(&session),
        csrf: csrf::token(&session),
        rows,
        states: choose(&STATES, "outbox.state", &query.state),
        kinds: choose(&KINDS, "outbox.kind", &query.kind),
        counts,
        failed,
        failed_notice,
        notice: match done.as_deref() {
            Some("resent") => Some(t.t("outbox.resent")),
            Some("bulk") => Some(t.tf(
                "outbox.bulk.done",
                &[("n", &queued.unwrap_or(0).to_string())],
            )),
            _ => None,
        },
        error: error
            .as_deref()
            .filter(|e| BULK_ERRORS.contains(e))
            .map(|e| t.t(e)),
        back: query_string(&query, listing.page),
        newer: (listing.page > 1).then(|| link(listing.page - 1)),
        older: listing.has_more.then(|| link(listing.page + 1)),
        t,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ResendForm {
    csrf_token: String,
    back: String,
}

/// `POST /admin/outbox/{outbox_id}/resend`
pub async fn resend(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    path: web::Path<String>,
    form: web::Form<ResendForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let id = path.into_inner();
    let actor = user.actor();
    state
        .with_conn(move |conn| Ok(app::outbox::resend(conn, &id, &actor)?))
        .await?;
    // Back to the list as it was filtered: only the filters the list knows, re-encoded.
    let back: Query = serde_urlencoded_query(&form.back);
    let qs = query_string(&back, back.page.unwrap_or(1));
    let sep = if qs.is_empty() { "" } else { "&" };
    Ok(page::see_other(&format!(
        "/admin/outbox?{qs}{sep}done=resent"
    )))
}

fn serde_urlencoded_query(s: &str) -> Query {
    let mut q = Query::default();
    for (k, v) in url::form_urlencoded::parse(s.as_bytes()) {
        match k.as_ref() {
            "state" => q.state = Some(v.into_owned()),
            "kind" => q.kind = Some(v.into_owned()),
            "page" => q.page = v.parse().ok(),
            _ => {}
        }
    }
    q
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct BulkForm {
    csrf_token: String,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `POST /admin/outbox/resend`: every failed email of a kind and/or written in a date range,
/// queued again; back to the failed list with how many.
pub async fn resend_failed(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    form: web::Form<BulkForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let BulkForm { kind, from, to, .. } = form.into_inner();
    let b = BulkResend { kind, from, to };
    let actor = user.actor();
    let tz = state.config.timezone;
    let done = state
        .with_conn(
            move |conn| match app::outbox::resend_failed(conn, &b, tz, &actor) {
                Ok(n) => Ok(Ok(n)),
                Err(app::Error::Validation(fields)) => Ok(Err(fields)),
                Err(e) => Err(e.into()),
            },
        )
        .await?;
    Ok(match done {
        Ok(n) => page::see_other(&format!("/admin/outbox?state=failed&done=bulk&queued={n}")),
        Err(fields) => {
            let reason = fields
                .values()
                .find(|k| BULK_ERRORS.contains(&k.as_str()))
                .map_or("outbox.error.time", String::as_str);
            let qs = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("state", "failed")
                .append_pair("error", reason)
                .finish();
            page::see_other(&format!("/admin/outbox?{qs}"))
        }
    })
}
