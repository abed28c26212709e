//! The consultation page, the comment form and its POST.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app::{self, Consultation, drafts::DraftTree};
use crate::domain::comment::CommentInput;
use crate::domain::consultation::{WindowState, window_state};
use crate::domain::time::format_local;
use crate::i18n::Tr;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::{AppState, csrf};

/// A clause as the public page lists it.
pub struct PageClause {
    pub id: String,
    pub depth: usize,
    pub label: String,
    pub heading: String,
    pub text: String,
    pub duties: Vec<String>,
    pub count: i64,
}

pub struct TocEntry {
    pub id: String,
    pub depth: usize,
    pub label: String,
    pub heading: String,
}

/// The consultation, its window, and the current draft with counts, cached.
pub struct Loaded {
    pub c: Consultation,
    pub window: WindowState,
    pub tree: Option<Arc<DraftTree>>,
    pub counts: Arc<HashMap<String, i64>>,
    pub total: i64,
}

/// `with_counts`: also the comment counts (the consultation page; the form does without).
pub async fn load(state: &AppState, slug: String, with_counts: bool) -> Result<Loaded, AppError> {
    let cache_tree = |v: &str| state.cache.tree(v);
    let (c, version_id) = state
        .with_conn(move |conn| {
            let c = app::public::visible_consultation(conn, &slug)?;
            let v = app::public::current_version(conn, &c.id)?;
            Ok((c, v))
        })
        .await?;
    let window = window_state(c.status(), c.opens_at, c.closes_at, app::now());
    let (tree, counts) = match version_id {
        None => (None, Arc::new(HashMap::new())),
        Some(v) => {
            let tree = match cache_tree(&v) {
                Some(t) => t,
                None => {
                    let v2 = v.clone();
                    let t = state
                        .with_conn(move |conn| Ok(app::drafts::load_tree(conn, &v2)?))
                        .await?;
                    state.cache.put_tree(t)
                }
            };
            let counts = if with_counts {
                counts_for(state, &v).await?
            } else {
                state.cache.counts(&v).unwrap_or_default()
            };
            (Some(tree), counts)
        }
    };
    let total = counts.get(TOTAL_KEY).copied().unwrap_or(0);
    Ok(Loaded {
        c,
        window,
        tree,
        counts,
        total,
    })
}

/// Where the counts map keeps the consultation's total.
const TOTAL_KEY: &str = "";

/// Comment counts by clause (and the total under `TOTAL_KEY`), cached for a few seconds; when
/// they are due, one request counts and the others wait for it instead of all counting.
async fn counts_for(
    state: &AppState,
    version_id: &str,
) -> Result<Arc<HashMap<String, i64>>, AppError> {
    if let Some(c) = state.cache.counts(version_id) {
        return Ok(c);
    }
    let _one = state.cache.refresh.lock().await;
    if let Some(c) = state.cache.counts(version_id) {
        return Ok(c);
    }
    let v = version_id.to_string();
    let counts = state
        .with_conn(move |conn| {
            let (by_clause, total) = app::public::comment_counts(conn, &v)?;
            let mut m: HashMap<String, i64> = by_clause.into_iter().collect();
            m.insert(TOTAL_KEY.to_string(), total);
            Ok(m)
        })
        .await?;
    Ok(state.cache.put_counts(version_id, counts))
}

fn flatten(t: &Tr, tree: &DraftTree, counts: &HashMap<String, i64>) -> Vec<PageClause> {
    crate::web::shared::clauses::flatten(t, &tree.clauses)
        .into_iter()
        .map(|f| PageClause {
            count: counts.get(&f.id).copied().unwrap_or(0),
            id: f.id,
            depth: f.depth,
            label: f.label,
            heading: f.heading,
            text: f.text,
            duties: f.duties,
        })
        .collect()
}

/// The window as it was: an early close ends it on the day it closed.
fn window_text(t: &Tr, l: &Loaded, tz: chrono::FixedOffset) -> String {
    let ended = early_close(&l.c).unwrap_or(l.c.closes_at);
    t.tf(
        "home.window",
        &[
            ("opens", &format_local(l.c.opens_at, tz)),
            ("closes", &format_local(ended, tz)),
        ],
    )
}

/// When the consultation was closed before its planned end.
fn early_close(c: &Consultation) -> Option<chrono::NaiveDateTime> {
    c.closed_at.filter(|at| *at < c.closes_at)
}

/// The sentence saying that the consultation closed early, when, and why.
fn early_close_text(t: &Tr, c: &Consultation, tz: chrono::FixedOffset) -> Option<String> {
    let at = early_close(c)?;
    let mut text = t.tf(
        "public.closed_early",
        &[
            ("closed", &format_local(at, tz)),
            ("closes", &format_local(c.closes_at, tz)),
        ],
    );
    if let Some(reason) = c.closed_early_reason.as_deref().filter(|r| !r.is_empty()) {
        text.push_str(&t.tf("public.closed_early_reason", &[("reason", reason)]));
    }
    Some(text)
}

#[derive(Template)]
#[template(path = "consultation.html")]
struct ConsultationPage {
    t: Tr,
    nav: Nav,
    title: String,
    c: Consultation,
    window: String,
    closed_early: Option<String>,
    is_open: bool,
    not_yet: bool,
    days_left: i64,
    total: i64,
    clauses: Vec<PageClause>,
    toc: Vec<TocEntry>,
    /// Files published beside the draft: (kind's name, title, address, file type and size).
    documents: Vec<(String, String, String, String)>,
    /// Published versions (name, address), when there are several.
    versions: Vec<(String, String)>,
}

pub async fn show(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    Lang(t): Lang,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let nav = Nav::from_session(&session);
    let slug = slug.into_inner();
    // Anonymous visitors all see the same page: serve it from the cache for a few seconds.
    let key = format!("c/{slug}/{}/{}", t.lang(), nav.chrome.setup_pending);
    let anonymous = nav.user_name.is_none();
    let gzip = crate::web::cache::accepts_gzip(
        req.headers()
            .get(actix_web::http::header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    let mut _refreshing = None;
    if anonymous {
        match state.cache.page(&key) {
            Some((body, stale)) => match state.cache.page_refresh.try_lock() {
                // This request renders the next page; the others keep serving this one.
                Ok(guard) if stale => _refreshing = Some(guard),
                _ => return Ok(cached_page(body, gzip)),
            },
            None => {
                // The first visitors wait for one render instead of all rendering.
                let guard = state.cache.page_refresh.lock().await;
                if let Some((body, _)) = state.cache.page(&key) {
                    return Ok(cached_page(body, gzip));
                }
                _refreshing = Some(guard);
            }
        }
    }
    let slug2 = slug.clone();
    let (documents, versions) = state
        .with_conn(move |conn| {
            Ok((
                app::documents::list_public(conn, &slug2)?,
                app::revisions::public_versions(conn, &slug2)?.1,
            ))
        })
        .await?;
    let tz = state.config.timezone;
    let versions: Vec<(String, String)> = if versions.len() < 2 {
        Vec::new()
    } else {
        versions
            .iter()
            .map(|v| {
                let date = v
                    .published_at
                    .map(|d| format_local(d, tz).chars().take(10).collect::<String>())
                    .unwrap_or_default();
                (
                    t.tf(
                        "public.version_name",
                        &[
                            ("n", &v.version_no.to_string()),
                            ("label", &v.label),
                            ("date", &date),
                        ],
                    ),
                    format!("/c/{slug}/versions/{}", v.version_no),
                )
            })
            .collect()
    };
    let documents = documents
        .into_iter()
        .map(|d| {
            let ext = d
                .file
                .filename
                .rsplit('.')
                .next()
                .unwrap_or("")
                .to_uppercase();
            (
                t.t(&format!("document.kind.{}", d.document.kind)),
                d.document.title,
                format!("/c/{slug}/documents/{}", d.document.id),
                format!(
                    "{ext} · {}",
                    crate::web::shared::size_text(d.file.size_bytes)
                ),
            )
        })
        .collect();
    let l = load(&state, slug, true).await?;
    let clauses = l
        .tree
        .as_ref()
        .map(|tree| flatten(&t, tree, &l.counts))
        .unwrap_or_default();
    let toc = clauses
        .iter()
        .filter(|c| c.depth <= 1)
        .map(|c| TocEntry {
            id: c.id.clone(),
            depth: c.depth,
            label: c.label.clone(),
            heading: if c.heading.is_empty() {
                c.text.chars().take(24).collect()
            } else {
                c.heading.clone()
            },
        })
        .collect();
    let page = ConsultationPage {
        window: window_text(&t, &l, state.config.timezone),
        closed_early: early_close_text(&t, &l.c, state.config.timezone),
        is_open: l.window == WindowState::Open,
        not_yet: l.window == WindowState::NotYetOpen,
        days_left: (l.c.closes_at - app::now()).num_days().max(0),
        total: l.total,
        title: l.c.title.clone(),
        nav,
        c: l.c,
        clauses,
        toc,
        documents,
        versions,
        t,
    };
    let body =
        web::Bytes::from(askama::Template::render(&page).map_err(crate::web::errors::internal)?);
    if anonymous {
        let page = crate::web::cache::Page::new(body);
        state.cache.put_page(&key, page.clone());
        return Ok(cached_page(page, gzip));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// The page as anonymous visitors see it: gzip-compressed for browsers that take it.
fn cached_page(page: crate::web::cache::Page, gzip: bool) -> HttpResponse {
    let mut r = HttpResponse::Ok();
    r.content_type("text/html; charset=utf-8")
        .insert_header((actix_web::http::header::VARY, "Accept-Encoding"));
    match page.gzip {
        Some(z) if gzip => r
            .insert_header((actix_web::http::header::CONTENT_ENCODING, "gzip"))
            .body(z),
        _ => r.body(page.html),
    }
}

pub struct ClauseOption {
    pub id: String,
    pub depth: usize,
    pub text: String,
    /// The clause's own words (the first [`EXCERPT_CHARS`]), shown beside the text box once
    /// chosen.
    pub excerpt: String,
    pub selected: bool,
}

/// How much of a chosen clause is shown beside the text box.
const EXCERPT_CHARS: usize = 300;

/// A top-level clause with everything under it: one collapsible group of checkboxes.
pub struct ClauseSection {
    pub head: ClauseOption,
    pub children: Vec<ClauseOption>,
}

impl ClauseSection {
    /// Open when something in it is chosen.
    pub fn has_selected(&self) -> bool {
        self.head.selected || self.children.iter().any(|c| c.selected)
    }
}

/// The longest comment, in characters (as the validation counts).
pub const BODY_MAX: usize = 10_000;

#[derive(Template)]
#[template(path = "comment_form.html")]
struct CommentPage {
    t: Tr,
    nav: Nav,
    title: String,
    c: Consultation,
    window: String,
    is_open: bool,
    not_yet: bool,
    csrf: String,
    idempotency_key: String,
    options: Vec<ClauseSection>,
    form: CommentInput,
    errors: BTreeMap<String, String>,
    /// A message for the whole form (closed window, rate limit).
    notice: Option<String>,
}

impl CommentPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    /// The clauses ticked, in the draft's order, for the panel beside the text box.
    fn chosen(&self) -> Vec<&ClauseOption> {
        self.options
            .iter()
            .flat_map(|s| std::iter::once(&s.head).chain(&s.children))
            .filter(|o| o.selected)
            .collect()
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct FormQuery {
    pub clause: Option<String>,
}

fn options(t: &Tr, l: &Loaded, selected: &[String]) -> Vec<ClauseSection> {
    let flat = flat_options(t, l, selected);
    let top = flat.iter().map(|o| o.depth).min().unwrap_or(0);
    let mut sections: Vec<ClauseSection> = Vec::new();
    for o in flat {
        match sections.last_mut() {
            Some(s) if o.depth > top => s.children.push(o),
            _ => sections.push(ClauseSection {
                head: o,
                children: Vec::new(),
            }),
        }
    }
    sections
}

fn flat_options(t: &Tr, l: &Loaded, selected: &[String]) -> Vec<ClauseOption> {
    l.tree
        .as_ref()
        .map(|tree| {
            crate::web::shared::clauses::flatten(t, &tree.clauses)
                .into_iter()
                .map(|f| {
                    let head = if f.heading.is_empty() {
                        f.text.chars().take(30).collect::<String>()
                    } else {
                        f.heading
                    };
                    let mut excerpt: String = f.text.chars().take(EXCERPT_CHARS).collect();
                    if f.text.chars().nth(EXCERPT_CHARS).is_some() {
                        excerpt.push('…');
                    }
                    ClauseOption {
                        selected: selected.contains(&f.id),
                        text: format!("{}{}", f.label, head),
                        excerpt,
                        id: f.id,
                        depth: f.depth,
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn new_key() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

pub async fn form(
    state: web::Data<AppState>,
    session: Session,
    Lang(t): Lang,
    slug: web::Path<String>,
    q: web::Query<FormQuery>,
) -> Result<HttpResponse, AppError> {
    let l = load(&state, slug.into_inner(), false).await?;
    let selected: Vec<String> = q.clause.iter().cloned().collect();
    page::html(&CommentPage {
        title: t.t("comment.title"),
        nav: Nav::from_session(&session),
        window: window_text(&t, &l, state.config.timezone),
        is_open: l.window == WindowState::Open,
        not_yet: l.window == WindowState::NotYetOpen,
        csrf: csrf::token(&session),
        idempotency_key: new_key(),
        options: options(&t, &l, &selected),
        form: CommentInput::default(),
        errors: BTreeMap::new(),
        notice: None,
        c: l.c,
        t,
    })
}

/// Reads an `application/x-www-form-urlencoded` body with repeated `clause_ids` fields.
fn parse_form(body: &[u8]) -> (CommentInput, String) {
    let mut input = CommentInput::default();
    let mut csrf = String::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "csrf_token" => csrf = v,
            "clause_ids" => input.clause_ids.push(v),
            "body" => input.body = v,
            "name" => input.name = Some(v),
            "organization" => input.organization = Some(v),
            "email" => input.email = Some(v),
            "phone" => input.phone = Some(v),
            "publish_name" => input.publish_name = true,
            "website" => input.website = Some(v),
            "idempotency_key" => input.idempotency_key = Some(v),
            _ => {}
        }
    }
    (input, csrf)
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    Lang(t): Lang,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (input, token) = parse_form(&body);
    csrf::verify(&session, &token)?;
    let slug = slug.into_inner();
    let result =
        crate::web::shared::submit::submit_input(&state, &req, &slug, input.clone(), t).await;
    match result {
        Ok(receipt) => Ok(page::see_other(&format!(
            "/track/{}?received=1",
            receipt.tracking_code
        ))),
        Err(e @ (AppError::Validation(_) | AppError::TooManyRequests { .. })) => {
            let l = load(&state, slug, false).await?;
            let (errors, notice) = match &e {
                AppError::Validation(f) => {
                    let mut errors = crate::web::shared::field_errors(&t, f);
                    let n = input.body.trim().chars().count();
                    if n > BODY_MAX && errors.contains_key("body") {
                        errors.insert(
                            "body".into(),
                            t.tf(
                                "comment.body_too_long",
                                &[
                                    ("n", n.to_string().as_str()),
                                    ("max", BODY_MAX.to_string().as_str()),
                                ],
                            ),
                        );
                    }
                    let notice = errors.remove("window").or_else(|| errors.remove("spam"));
                    (errors, notice)
                }
                AppError::TooManyRequests { retry_after_secs } => (
                    BTreeMap::new(),
                    Some(t.tf(
                        "error.too_many_requests.message",
                        &[("minutes", &retry_after_secs.div_ceil(60).max(1).to_string())],
                    )),
                ),
                _ => (BTreeMap::new(), None),
            };
            let status = if matches!(e, AppError::TooManyRequests { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut kept = input;
            kept.website = None;
            page::html_status(
                status,
                &CommentPage {
                    title: t.t("comment.title"),
                    nav: Nav::from_session(&session),
                    window: window_text(&t, &l, state.config.timezone),
                    is_open: l.window == WindowState::Open,
                    not_yet: l.window == WindowState::NotYetOpen,
                    csrf: csrf::token(&session),
                    // The same key again: fixing the form and sending it is still one submission.
                    idempotency_key: kept.idempotency_key.clone().unwrap_or_else(new_key),
                    options: options(&t, &l, &kept.clause_ids),
                    form: kept,
                    errors,
                    notice,
                    c: l.c,
                    t,
                },
            )
        }
        Err(e) => Err(e),
    }
}
