//! Administration pages: users, the units directory and the outbox.

pub mod outbox;

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app::{self, accounts::ChangeUser, units::CreateUnit, users::CreateUser};
use crate::domain::Role;
use crate::domain::time::format_local;
use crate::i18n::Tr;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::shared::links;
use crate::web::upload::read_upload;
use crate::web::{AppState, csrf};

pub struct UserLine {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub unit: String,
    pub disabled: bool,
    pub last_login: String,
}

#[derive(Default)]
pub struct NewUserForm {
    pub email: String,
    pub name: String,
    pub role: String,
    pub unit: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    users: Vec<UserLine>,
    roles: Vec<&'static str>,
    form: NewUserForm,
    errors: BTreeMap<String, String>,
    /// The user whose row the errors belong to, when a change was refused.
    error_for: Option<String>,
}

impl UsersPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

async fn render_users(
    state: &AppState,
    user: &AuthUser,
    session: &Session,
    t: Tr,
    form: NewUserForm,
    errors: BTreeMap<String, String>,
    error_for: Option<String>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let list = state
        .with_conn(move |conn| Ok(app::accounts::list_users(conn, &actor)?))
        .await?;
    let tz = state.config.timezone;
    let page = UsersPage {
        title: t.t("admin.users"),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        users: list
            .into_iter()
            .map(|u| UserLine {
                last_login: u
                    .last_login_at
                    .map(|t| format_local(t, tz))
                    .unwrap_or_default(),
                id: u.id,
                email: u.email,
                name: u.name,
                role: u.role,
                unit: u.unit.unwrap_or_default(),
                disabled: u.disabled,
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        form,
        errors: errors.iter().map(|(k, v)| (k.clone(), t.t(v))).collect(),
        error_for,
        t,
    };
    if page.errors.is_empty() {
        page::html(&page)
    } else {
        page::html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

pub async fn users(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
) -> Result<HttpResponse, AppError> {
    render_users(
        &state,
        &user,
        &session,
        t,
        NewUserForm {
            role: "staff".into(),
            ..Default::default()
        },
        BTreeMap::new(),
        None,
    )
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CreateForm {
    csrf_token: String,
    email: String,
    name: String,
    role: String,
    unit: String,
    password: String,
}

pub async fn create_user(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let f = form.into_inner();
    let links = links(&state);
    let actor = user.actor();
    let role = f.role.parse::<Role>();
    let input = role.clone().map(|role| CreateUser {
        email: f.email.clone(),
        name: f.name.clone(),
        role,
        unit: Some(f.unit.trim().to_string()).filter(|u| !u.is_empty()),
        password: Some(f.password.clone()),
    });
    let result = match input {
        Ok(input) => {
            state
                .with_conn(move |conn| Ok(app::accounts::add_user(conn, input, &links, &actor)?))
                .await
        }
        Err(_) => Err(AppError::Validation(BTreeMap::from([(
            "role".to_string(),
            "user.error.role".to_string(),
        )]))),
    };
    match result {
        Ok(_) => Ok(page::see_other("/admin/users")),
        Err(AppError::Validation(errors)) => {
            render_users(
                &state,
                &user,
                &session,
                t,
                NewUserForm {
                    email: f.email,
                    name: f.name,
                    role: f.role,
                    unit: f.unit,
                },
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    csrf_token: String,
    role: String,
    unit: String,
    disabled: Option<String>,
}

pub async fn change_user(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let id = id.into_inner().to_string();
    let change = ChangeUser {
        name: None,
        role: Some(form.role.clone()),
        unit: Some(form.unit.clone()),
        disabled: Some(form.disabled.is_some()),
    };
    let (actor, uid) = (user.actor(), id.clone());
    match state
        .with_conn(move |conn| Ok(app::accounts::change_user(conn, &uid, change, &actor)?))
        .await
    {
        Ok(_) => Ok(page::see_other("/admin/users")),
        Err(AppError::Validation(errors)) => {
            render_users(
                &state,
                &user,
                &session,
                t,
                NewUserForm::default(),
                errors,
                Some(id),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub struct UnitLine {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub kind_code: String,
    pub aliases: String,
    pub emails: String,
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "admin/units.html")]
struct UnitsPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    units: Vec<UnitLine>,
    form: CreateUnitForm,
    errors: BTreeMap<String, String>,
    report: Option<app::units::ImportReport>,
    import_errors: Vec<String>,
}

impl UnitsPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    /// The import passed its checks and saved all lines but those listed.
    fn import_saved(&self) -> bool {
        self.report.as_ref().is_some_and(|r| r.saved)
    }
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct CreateUnitForm {
    csrf_token: String,
    pub name: String,
    pub kind: String,
    pub aliases: String,
    pub emails: String,
}

async fn render_units(
    state: &AppState,
    user: &AuthUser,
    session: &Session,
    t: Tr,
    form: CreateUnitForm,
    errors: BTreeMap<String, String>,
    report: Option<app::units::ImportReport>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let list = state
        .with_conn(move |conn| Ok(app::units::list(conn, &actor)?))
        .await?;
    let import_errors = report
        .iter()
        .flat_map(|r| &r.errors)
        .map(|(line, key)| {
            t.tf(
                "unit.import.line",
                &[("line", &line.to_string()), ("message", &t.t(key))],
            )
        })
        .collect::<Vec<_>>();
    let failed = !errors.is_empty() || !import_errors.is_empty();
    let page = UnitsPage {
        title: t.t("admin.units"),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        units: list
            .into_iter()
            .map(|u| UnitLine {
                kind: t.t(&format!("unit.kind_{}", u.kind)),
                kind_code: u.kind,
                id: u.id,
                name: u.name,
                aliases: u.aliases.join("、"),
                emails: u.emails.join("; "),
                disabled: u.disabled,
            })
            .collect(),
        form,
        errors: errors.iter().map(|(k, v)| (k.clone(), t.t(v))).collect(),
        report,
        import_errors,
        t,
    };
    if failed {
        page::html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        page::html(&page)
    }
}

pub async fn units(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
) -> Result<HttpResponse, AppError> {
    render_units(
        &state,
        &user,
        &session,
        t,
        CreateUnitForm::default(),
        BTreeMap::new(),
        None,
    )
    .await
}

fn split_list(s: &str) -> Vec<String> {
    s.split([';', '；', '、', ',', '，', '\n'])
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

pub async fn create_unit(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    form: web::Form<CreateUnitForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let f = form.into_inner();
    let input = CreateUnit {
        name: f.name.clone(),
        kind: f.kind.clone(),
        aliases: split_list(&f.aliases),
        emails: split_list(&f.emails),
    };
    let actor = user.actor();
    match state
        .with_conn(move |conn| Ok(app::units::create(conn, input, &actor)?))
        .await
    {
        Ok(_) => Ok(page::see_other("/admin/units")),
        Err(AppError::Validation(errors)) => {
            render_units(&state, &user, &session, t, f, errors, None).await
        }
        Err(e) => Err(e),
    }
}

pub async fn import_units(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let up = read_upload(&req, payload).await?;
    csrf::verify(&session, up.field("csrf_token").unwrap_or(""))?;
    let actor = user.actor();
    let bytes = up.bytes;
    let result = state
        .with_conn(move |conn| Ok(app::units::import_csv(conn, &bytes, &actor)?))
        .await;
    match result {
        Ok(report) => {
            render_units(
                &state,
                &user,
                &session,
                t,
                CreateUnitForm::default(),
                BTreeMap::new(),
                Some(report),
            )
            .await
        }
        Err(AppError::Validation(errors)) => {
            render_units(
                &state,
                &user,
                &session,
                t,
                CreateUnitForm::default(),
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ChangeUnitForm {
    csrf_token: String,
    name: String,
    kind: String,
    aliases: String,
    emails: String,
    disabled: Option<String>,
}

pub async fn change_unit(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    form: web::Form<ChangeUnitForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let f = form.into_inner();
    let change = app::units::ChangeUnit {
        name: Some(f.name),
        kind: Some(f.kind),
        aliases: Some(split_list(&f.aliases)),
        emails: Some(split_list(&f.emails)),
        disabled: Some(f.disabled.is_some()),
    };
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    match state
        .with_conn(move |conn| Ok(app::units::change(conn, &id, change, &actor)?))
        .await
    {
        Ok(_) => Ok(page::see_other("/admin/units")),
        Err(AppError::Validation(errors)) => {
            render_units(
                &state,
                &user,
                &session,
                t,
                CreateUnitForm::default(),
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
