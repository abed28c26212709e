//! Every route of the application in one table: the server registers it and the route × role
//! walk test (`tests/it/permissions.rs`) reads it, so a new route cannot escape the walk.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{Next, from_fn};
use actix_web::{Route, web};

use super::{account, admin, api, assets, dept, public, staff};

/// Who may use a route. The walk asserts that everyone else is refused (401 when signed out,
/// 403 when signed in with another role) and that those allowed are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// The office and its approvers: staff, approver, admin (reading internal pages).
    Internal,
    /// The drafting office: staff and admin (changing things).
    Office,
    /// Approvers and admins.
    Approver,
    /// Admins only.
    Admin,
    /// Department users, on what concerns their own unit (another unit's gets 404).
    Department,
    /// Those who write a solicited unit's reply: its department users (their own unit only)
    /// and the office (recording a paper letter).
    Solicited,
    /// Who proposes decisions: staff, admin, and department users (on their unit's opinions).
    Deciders,
}

impl Access {
    /// Whether a signed-in user of `role` passes the role check of a route.
    pub fn allows(self, role: crate::domain::Role) -> bool {
        use crate::domain::Role::*;
        match self {
            Access::Public | Access::SignedIn => true,
            Access::Internal => matches!(role, Staff | Approver | Admin),
            Access::Office => matches!(role, Staff | Admin),
            Access::Approver => matches!(role, Approver | Admin),
            Access::Admin => role == Admin,
            Access::Department => role == Department,
            Access::Solicited => matches!(role, Department | Staff | Admin),
            Access::Deciders => matches!(role, Staff | Admin | Department),
        }
    }
}

/// Refuses, before the handler reads the body, a caller the route's access rule excludes:
/// 401 (a sign-in page for browsers) when signed out, 403 for another role. Use cases check
/// again, and check which unit a department user may see.
async fn guard(
    access: Access,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    use super::errors::AppError;
    if access != Access::Public {
        let refusal = match super::auth::identify(req.request().clone()).await {
            Err(e) => Some(e),
            Ok(None) => Some(AppError::Unauthorized),
            Ok(Some(u)) if !access.allows(u.role) => Some(AppError::Forbidden),
            Ok(Some(_)) => None,
        };
        if let Some(e) = refusal {
            // A response, not an error, so the application's error pages render it.
            return Ok(req.error_response(e).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

macro_rules! route_table {
    ($( $method:ident $path:literal => $handler:path, $access:ident; )*) => {
        /// The table, for tests and documentation.
        pub static ROUTES: &[RouteInfo] = &[
            $( RouteInfo { method: stringify!($method), path: $path, access: Access::$access }, )*
        ];

        /// Registers every route of the table, one resource per path with a route per method,
        /// so that a known path asked with another method answers 405 with an `Allow` header.
        pub fn routes(cfg: &mut web::ServiceConfig) {
            let table: Vec<(&'static str, MakeRoute)> = vec![
                $( ($path, || {
                    web::method(Method::$method)
                        .to($handler)
                        .wrap(from_fn(|req, next| guard(Access::$access, req, next)))
                }), )*
            ];
            register(cfg, table);
        }
    };
}

/// Makes one row's route: its method, handler and access guard.
type MakeRoute = fn() -> Route;

/// Groups the table's routes per path, paths in the order of their first row (the router
/// tries them in that order).
fn register(cfg: &mut web::ServiceConfig, table: Vec<(&'static str, MakeRoute)>) {
    let mut paths: Vec<(&'static str, Vec<MakeRoute>)> = Vec::new();
    for (path, route) in table {
        match paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, routes)) => routes.push(route),
            None => paths.push((path, vec![route])),
        }
    }
    for (path, routes) in paths {
        cfg.service(
            routes
                .into_iter()
                .fold(web::resource(path), |r, route| r.route(route())),
        );
    }
}

route_table! {
    GET "/healthz" => public::health::healthz, Public;
    GET "/static/{name}" => assets::serve, Public;
    GET "/" => public::home::home, Public;
    GET "/c/{slug}" => public::consultation::show, Public;
    GET "/c/{slug}/comment" => public::consultation::form, Public;
    POST "/c/{slug}/comment" => public::consultation::submit, Public;
    GET "/c/{slug}/report" => public::report::show, Public;
    GET "/c/{slug}/draft" => public::draft::download, Public;
    GET "/c/{slug}/changes" => public::changes::changes, Public;
    GET "/c/{slug}/versions/{version_no}" => public::changes::version, Public;
    GET "/c/{slug}/documents/{document_id}" => public::draft::document, Public;
    GET "/track" => public::track::form, Public;
    GET "/track/{code}" => public::track::show, Public;
    GET "/setup" => public::setup::form, Public;
    POST "/setup" => public::setup::submit, Public;
    GET "/privacy" => public::privacy::show, Public;
    GET "/login" => public::login::form, Public;
    POST "/login" => public::login::submit, Public;
    POST "/logout" => public::login::logout, Public;
    GET "/password/forgot" => account::forgot_form, Public;
    POST "/password/forgot" => account::forgot, Public;
    GET "/password/reset/{secret}" => account::reset_form, Public;
    POST "/password/reset/{secret}" => account::reset, Public;
    GET "/account" => account::show, SignedIn;
    POST "/account/password" => account::change_password, SignedIn;
    POST "/account/tokens" => account::create_token, SignedIn;
    POST "/account/tokens/{token_id}/revoke" => account::revoke_token, SignedIn;
    POST "/account/sessions/{session_id}/end" => account::end_session, SignedIn;
    POST "/account/sessions/end-others" => account::end_other_sessions, SignedIn;

    GET "/admin/users" => admin::users, Admin;
    POST "/admin/users" => admin::create_user, Admin;
    POST "/admin/users/{user_id}" => admin::change_user, Admin;
    GET "/admin/units" => admin::units, Office;
    POST "/admin/units" => admin::create_unit, Office;
    POST "/admin/units/import" => admin::import_units, Office;
    POST "/admin/units/{unit_id}" => admin::change_unit, Office;

    GET "/staff" => staff::consultations::index, Internal;
    GET "/staff/consultations/new" => staff::consultations::new_form, Office;
    POST "/staff/consultations" => staff::consultations::create, Office;
    GET "/staff/consultations/{id}" => staff::consultations::show, Internal;
    GET "/staff/consultations/{id}/edit" => staff::consultations::edit_form, Office;
    POST "/staff/consultations/{id}/edit" => staff::consultations::edit, Office;
    POST "/staff/consultations/{id}/open" => staff::consultations::open, Office;
    POST "/staff/consultations/{id}/close" => staff::consultations::close, Office;
    POST "/staff/consultations/{id}/delete" => staff::consultations::delete, Office;
    GET "/staff/consultations/{id}/drafts/new" => staff::imports::new_form, Office;
    POST "/staff/consultations/{id}/drafts" => staff::imports::stage, Office;
    GET "/staff/consultations/{id}/imports/{import_id}" => staff::imports::preview, Office;
    POST "/staff/consultations/{id}/imports/{import_id}/ops" => staff::imports::adjust, Office;
    POST "/staff/consultations/{id}/imports/{import_id}/undo" => staff::imports::undo, Office;
    POST "/staff/consultations/{id}/imports/{import_id}/save" => staff::imports::save, Office;
    POST "/staff/consultations/{id}/imports/{import_id}/units" => staff::imports::add_unit, Office;
    GET "/staff/consultations/{id}/documents" => staff::documents::index, Internal;
    POST "/staff/consultations/{id}/documents" => staff::documents::add, Office;
    POST "/staff/consultations/{id}/documents/{document_id}/delete" => staff::documents::remove, Office;
    GET "/staff/consultations/{id}/solicitations" => staff::solicitations::board, Internal;
    POST "/staff/consultations/{id}/solicitations" => staff::solicitations::invite, Office;
    GET "/staff/consultations/{id}/solicitations/{unit_id}/letter" => staff::solicitations::letter_form, Office;
    POST "/staff/consultations/{id}/solicitations/{unit_id}/letter" => staff::solicitations::letter, Office;

    GET "/dept" => dept::index, Department;
    GET "/dept/consultations/{id}" => dept::show, Department;
    POST "/dept/consultations/{id}" => dept::reply, Department;
    GET "/attachments/{attachment_id}" => dept::attachment, SignedIn;
    GET "/staff/consultations/{id}/report" => staff::report::show, Internal;
    GET "/staff/consultations/{id}/comparison" => staff::revisions::show, Internal;
    POST "/staff/consultations/{id}/comparison/notes" => staff::revisions::notes, Office;
    POST "/staff/consultations/{id}/versions/{version_no}/publish" => staff::revisions::publish, Office;
    GET "/staff/consultations/{id}/report/publish" => staff::report::confirm, Internal;
    POST "/staff/consultations/{id}/report/publish" => staff::report::publish, Internal;
    POST "/staff/consultations/{id}/report/settings" => staff::report::settings, Office;

    GET "/admin/outbox" => admin::outbox::index, Admin;
    POST "/admin/outbox/resend" => admin::outbox::resend_failed, Admin;
    POST "/admin/outbox/{outbox_id}/resend" => admin::outbox::resend, Admin;
    GET "/staff/consultations/{id}/opinions" => staff::triage::inbox, SignedIn;
    POST "/staff/consultations/{id}/opinions/bulk/assign" => staff::triage::bulk_assign, Office;
    POST "/staff/consultations/{id}/opinions/bulk/decide" => staff::triage::bulk_decide, Deciders;
    POST "/staff/consultations/{id}/opinions/bulk/approve" => staff::triage::bulk_approve, Approver;
    GET "/staff/opinions/{opinion_id}" => staff::triage::show, SignedIn;
    POST "/staff/opinions/{opinion_id}/summary" => staff::triage::summary, Office;
    POST "/staff/opinions/{opinion_id}/clauses" => staff::triage::clauses, Office;
    POST "/staff/opinions/{opinion_id}/split" => staff::triage::split, Office;
    POST "/staff/opinions/{opinion_id}/assign" => staff::triage::assign, Office;
    POST "/staff/opinions/{opinion_id}/decision" => staff::triage::decide, Deciders;
    POST "/staff/opinions/{opinion_id}/approve" => staff::triage::approve, Approver;
    POST "/staff/opinions/{opinion_id}/return" => staff::triage::send_back, Approver;
    POST "/staff/opinions/{opinion_id}/detach" => staff::triage::detach, Office;
    POST "/staff/opinions/{opinion_id}/changes" => staff::triage::changes, Deciders;

    GET "/api/v1/me" => api::me, SignedIn;
    POST "/api/v1/session" => public::login::api_login, Public;
    POST "/api/v1/setup" => public::setup::api, Public;
    DELETE "/api/v1/session" => public::login::api_logout, Public;
    GET "/api/v1/units" => api::units::list, Internal;
    POST "/api/v1/units" => api::units::create, Office;
    POST "/api/v1/units/import" => api::accounts::import_units, Office;
    POST "/api/v1/units/{unit_id}" => api::units::change, Office;
    GET "/api/v1/users" => api::accounts::list_users, Admin;
    POST "/api/v1/users" => api::accounts::create_user, Admin;
    POST "/api/v1/users/{user_id}" => api::accounts::change_user, Admin;
    GET "/api/v1/tokens" => api::accounts::list_tokens, SignedIn;
    POST "/api/v1/tokens" => api::accounts::create_token, SignedIn;
    DELETE "/api/v1/tokens/{token_id}" => api::accounts::revoke_token, SignedIn;
    POST "/api/v1/me/password" => api::accounts::change_password, SignedIn;
    GET "/api/v1/me/sessions" => api::accounts::list_sessions, SignedIn;
    DELETE "/api/v1/me/sessions" => api::accounts::end_other_sessions, SignedIn;
    DELETE "/api/v1/me/sessions/{session_id}" => api::accounts::end_session, SignedIn;
    POST "/api/v1/password-resets" => api::accounts::request_reset, Public;
    POST "/api/v1/password-resets/{secret}" => api::accounts::reset, Public;
    POST "/api/v1/consultations" => api::consultations::create, Office;
    GET "/api/v1/consultations/{id}" => api::consultations::show, Public;
    PATCH "/api/v1/consultations/{id}" => api::consultations::update, Office;
    DELETE "/api/v1/consultations/{id}" => api::consultations::delete, Office;
    POST "/api/v1/consultations/{id}/open" => api::consultations::open, Office;
    POST "/api/v1/consultations/{id}/close" => api::consultations::close, Office;
    POST "/api/v1/consultations/{id}/submissions" => api::submissions::create, Public;
    GET "/api/v1/track/{code}" => public::track::api, Public;
    POST "/api/v1/consultations/{id}/drafts" => api::drafts::import, Office;
    GET "/api/v1/consultations/{id}/drafts/current" => api::drafts::current, Public;
    GET "/api/v1/consultations/{id}/documents" => api::documents::list, Public;
    POST "/api/v1/consultations/{id}/documents" => api::documents::add, Office;
    DELETE "/api/v1/consultations/{id}/documents/{document_id}" => api::documents::remove, Office;
    GET "/api/v1/consultations/{id}/versions" => api::revisions::list, Internal;
    POST "/api/v1/consultations/{id}/versions/{version_no}/publish" => api::revisions::publish, Office;
    GET "/api/v1/consultations/{id}/comparison" => api::revisions::comparison, Internal;
    POST "/api/v1/consultations/{id}/comparison/notes" => api::revisions::note, Office;
    GET "/api/v1/consultations/{id}/solicitations" => api::solicitations::board, Internal;
    POST "/api/v1/consultations/{id}/solicitations" => api::solicitations::invite, Office;
    GET "/api/v1/consultations/{id}/solicitations/{unit_id}" => api::solicitations::unit, SignedIn;
    POST "/api/v1/consultations/{id}/solicitations/{unit_id}/reply" => api::solicitations::reply, Solicited;
    GET "/api/v1/solicitations" => api::solicitations::portal, Department;
    POST "/api/v1/attachments" => api::solicitations::upload, Solicited;
    GET "/api/v1/consultations/{id}/report" => api::report::show, Public;
    GET "/api/v1/consultations/{id}/report/readiness" => api::report::readiness, Internal;
    POST "/api/v1/consultations/{id}/report/settings" => api::report::settings, Office;
    GET "/api/v1/consultations/{id}/publications" => api::report::list, Public;
    POST "/api/v1/consultations/{id}/publications" => api::report::publish, Internal;
    GET "/api/v1/outbox" => api::outbox::list, Admin;
    POST "/api/v1/outbox/resend" => api::outbox::resend_failed, Admin;
    POST "/api/v1/outbox/{outbox_id}/resend" => api::outbox::resend, Admin;
    GET "/api/v1/consultations/{id}/opinions" => api::opinions::list, SignedIn;
    POST "/api/v1/consultations/{id}/opinions/bulk/assign" => api::opinions::bulk_assign, Office;
    POST "/api/v1/consultations/{id}/opinions/bulk/decide" => api::opinions::bulk_decide, Deciders;
    POST "/api/v1/consultations/{id}/opinions/bulk/approve" => api::opinions::bulk_approve, Approver;
    GET "/api/v1/opinions/{opinion_id}" => api::opinions::show, SignedIn;
    POST "/api/v1/opinions/{opinion_id}/summary" => api::opinions::summary, Office;
    POST "/api/v1/opinions/{opinion_id}/clauses" => api::opinions::clauses, Office;
    POST "/api/v1/opinions/{opinion_id}/split" => api::opinions::split, Office;
    POST "/api/v1/opinions/{opinion_id}/assign" => api::opinions::assign, Office;
    POST "/api/v1/opinions/{opinion_id}/decision" => api::opinions::decide, Deciders;
    POST "/api/v1/opinions/{opinion_id}/approve" => api::opinions::approve, Approver;
    POST "/api/v1/opinions/{opinion_id}/return" => api::opinions::send_back, Approver;
    POST "/api/v1/opinions/{opinion_id}/detach" => api::opinions::detach, Office;
    GET "/api/v1/opinions/{opinion_id}/changes" => api::revisions::changes, SignedIn;
    POST "/api/v1/opinions/{opinion_id}/changes" => api::revisions::link, Deciders;
    GET "/api/v1/rationale-phrases" => api::opinions::phrases, SignedIn;
    POST "/api/v1/rationale-phrases" => api::opinions::add_phrase, Deciders;
}

#[cfg(test)]
mod tests {
    use super::ROUTES;
    use actix_web::dev::ResourceDef;

    /// `path` with every `{…}` segment filled in.
    fn sample(path: &str) -> String {
        let mut out = String::new();
        let mut in_param = false;
        for c in path.chars() {
            match c {
                '{' => in_param = true,
                '}' => {
                    in_param = false;
                    out.push_str("x0");
                }
                c if !in_param => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// Routes are grouped per path and tried in the order of the table: a path that matched a
    /// later one would take all of that one's requests.
    #[test]
    fn no_path_hides_a_later_one() {
        let mut paths: Vec<&str> = Vec::new();
        for r in ROUTES {
            if !paths.contains(&r.path) {
                paths.push(r.path);
            }
        }
        for (i, later) in paths.iter().enumerate() {
            for earlier in &paths[..i] {
                assert!(
                    !ResourceDef::new(*earlier).is_match(&sample(later)),
                    "{earlier} comes before {later} and takes its requests"
                );
            }
        }
    }
}
