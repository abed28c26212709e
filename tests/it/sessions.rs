//! Sessions kept on the server: signing out, a password change, a reset and disabling the
//! account end them; `/account` lists them. Also the sign-in page's `next`, the limits on
//! sign-in and reset requests, and the origin check of the cookie-authenticated API.

use actix_web::test::TestRequest;
use diesel::prelude::*;
use serde_json::json;
use yijian::domain::Role;

use crate::support::{Browser, Resp, SITE_ORIGIN, TestApp};

const PASSWORD: &str = "correct horse battery";

/// A signed-out request for a page that needs an account is sent to sign in.
fn sent_to_sign_in(r: &Resp) -> bool {
    r.status == 303
        && r.header("location")
            .is_some_and(|l| l.starts_with("/login"))
}

fn user_id(app: &TestApp, email: &str) -> String {
    use yijian::db::schema::users;
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn session_count(app: &TestApp, email: &str) -> i64 {
    use yijian::db::schema::sessions;
    sessions::table
        .filter(sessions::user_id.eq(user_id(app, email)))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

/// The reset links mailed to `to`, oldest first.
fn reset_links(app: &TestApp, to: &str) -> Vec<String> {
    use yijian::db::schema::outbox_messages;
    let bodies: Vec<String> = outbox_messages::table
        .filter(outbox_messages::to_address.eq(to))
        .filter(outbox_messages::kind.eq("password_reset"))
        .order(outbox_messages::created_at.asc())
        .select(outbox_messages::body_text)
        .load(&mut *app.conn())
        .unwrap();
    bodies
        .iter()
        .map(|b| {
            let i = b.find("/password/reset/").expect("a reset link");
            b[i..].split_whitespace().next().unwrap().to_string()
        })
        .collect()
}

async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let b = app.browser();
    let r = b.login(email, PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(b.get("/account").await.status, 200);
    b
}

async fn ask_for_reset(app: &TestApp, email: &str) -> Resp {
    app.post_json("/api/v1/password-resets", None, json!({ "email": email }))
        .await
}

#[actix_web::test]
async fn a_cookie_copied_before_sign_out_is_refused_after_it() {
    for app in TestApp::all().await {
        app.user_with_token("staff@example.org", Role::Staff, None);
        // Signing out by the form.
        let a = signed_in(&app, "staff@example.org").await;
        let stolen = a.copy();
        assert_eq!(stolen.get("/account").await.status, 200);
        let page = a.get("/account").await;
        let r = a
            .post_form("/logout", &[("csrf_token", &Browser::csrf(&page))])
            .await;
        assert_eq!(r.status, 303);
        assert!(sent_to_sign_in(&a.get("/account").await));
        assert!(
            sent_to_sign_in(&stolen.get("/account").await),
            "the copied cookie no longer works"
        );
        assert_eq!(stolen.get("/api/v1/me").await.status, 401);
        // Signing out through the API.
        let b = signed_in(&app, "staff@example.org").await;
        let stolen = b.copy();
        let r = b.send(TestRequest::delete().uri("/api/v1/session")).await;
        assert_eq!(r.status, 204);
        assert_eq!(stolen.get("/api/v1/me").await.status, 401);
        assert_eq!(session_count(&app, "staff@example.org"), 0);
    }
}

#[actix_web::test]
async fn a_password_change_ends_the_other_sessions_only() {
    for app in TestApp::all().await {
        app.user_with_token("staff@example.org", Role::Staff, None);
        let a = signed_in(&app, "staff@example.org").await;
        let b = signed_in(&app, "staff@example.org").await;
        let page = b.get("/account").await;
        let r = b
            .post_form(
                "/account/password",
                &[
                    ("csrf_token", &Browser::csrf(&page)),
                    ("current_password", PASSWORD),
                    ("new_password", "a brand new passphrase"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        assert!(sent_to_sign_in(&a.get("/account").await), "A is signed out");
        assert_eq!(b.get("/account").await.status, 200, "B stays signed in");
        assert_eq!(session_count(&app, "staff@example.org"), 1);

        // The API twin, with the session cookie of C: D ends, C stays.
        let c = app.browser();
        assert_eq!(
            c.login("staff@example.org", "a brand new passphrase")
                .await
                .status,
            303
        );
        let d = app.browser();
        assert_eq!(
            d.login("staff@example.org", "a brand new passphrase")
                .await
                .status,
            303
        );
        let r = c
            .send(
                TestRequest::post()
                    .uri("/api/v1/me/password")
                    .set_json(json!({
                        "current_password": "a brand new passphrase",
                        "new_password": "yet another passphrase",
                    })),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.text());
        assert_eq!(d.get("/api/v1/me").await.status, 401);
        assert_eq!(c.get("/api/v1/me").await.status, 200);
        assert!(sent_to_sign_in(&b.get("/account").await), "B too");
    }
}

#[actix_web::test]
async fn a_password_reset_ends_every_session() {
    for app in TestApp::all().await {
        app.user_with_token("staff@example.org", Role::Staff, None);
        let a = signed_in(&app, "staff@example.org").await;
        let b = signed_in(&app, "staff@example.org").await;
        assert_eq!(ask_for_reset(&app, "staff@example.org").await.status, 202);
        let link = reset_links(&app, "staff@example.org").pop().unwrap();
        // Reset in B itself: B ends too.
        let form = b.get(&link).await;
        let r = b
            .post_form(
                &link,
                &[
                    ("csrf_token", &Browser::csrf(&form)),
                    ("new_password", "reset to something new"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        assert!(sent_to_sign_in(&a.get("/account").await));
        assert!(sent_to_sign_in(&b.get("/account").await));
        assert_eq!(session_count(&app, "staff@example.org"), 0);
    }
}

#[actix_web::test]
async fn a_reset_link_used_ends_the_other_links() {
    for app in TestApp::all().await {
        app.user_with_token("staff@example.org", Role::Staff, None);
        assert_eq!(ask_for_reset(&app, "staff@example.org").await.status, 202);
        assert_eq!(ask_for_reset(&app, "staff@example.org").await.status, 202);
        let links = reset_links(&app, "staff@example.org");
        assert_eq!(links.len(), 2);
        let anon = app.browser();
        assert_eq!(anon.get(&links[0]).await.status, 200, "both links work");
        let secret = links[1].rsplit('/').next().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/password-resets/{secret}"),
                None,
                json!({"new_password": "the second link's password"}),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.text());
        // The first link is refused, by page and by API; the password stays.
        let r = anon.get(&links[0]).await;
        assert_eq!(r.status, 404);
        let first = links[0].rsplit('/').next().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/password-resets/{first}"),
                None,
                json!({"new_password": "the first link's password"}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert_eq!(
            app.browser()
                .login("staff@example.org", "the second link's password")
                .await
                .status,
            303
        );
    }
}

#[actix_web::test]
async fn disabling_a_user_ends_every_session() {
    for app in TestApp::all().await {
        let admin = app.user_with_token("admin@example.org", Role::Admin, None);
        app.user_with_token("staff@example.org", Role::Staff, None);
        let a = signed_in(&app, "staff@example.org").await;
        let b = signed_in(&app, "staff@example.org").await;
        let id = user_id(&app, "staff@example.org");
        let r = app
            .post_json(
                &format!("/api/v1/users/{id}"),
                Some(&admin),
                json!({"disabled": true}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(session_count(&app, "staff@example.org"), 0);
        // Enabled again, the account's old cookies stay dead.
        let r = app
            .post_json(
                &format!("/api/v1/users/{id}"),
                Some(&admin),
                json!({"disabled": false}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(sent_to_sign_in(&a.get("/account").await));
        assert!(sent_to_sign_in(&b.get("/account").await));
        assert_eq!(
            app.browser()
                .login("staff@example.org", PASSWORD)
                .await
                .status,
            303
        );
    }
}

#[actix_web::test]
async fn the_account_page_lists_sessions_and_ends_others() {
    for app in TestApp::all().await {
        app.user_with_token("staff@example.org", Role::Staff, None);
        let mut a = app.browser();
        a.user_agent = Some("Browser-A/1.0");
        assert_eq!(a.login("staff@example.org", PASSWORD).await.status, 303);
        let mut b = app.browser();
        b.user_agent = Some("Browser-B/2.0 <script>");
        assert_eq!(b.login("staff@example.org", PASSWORD).await.status, 303);
        let page = a.get("/account").await;
        assert_eq!(page.status, 200);
        let html = page.text();
        assert!(html.contains("Browser-A/1.0") && html.contains("Browser-B/2.0"));
        assert!(!html.contains("<script>"), "the user agent is escaped");
        assert_eq!(html.matches("当前会话").count(), 1);
        assert_eq!(html.matches("/account/sessions/").count(), 2, "{html}");
        // The API lists the same two, this one marked.
        let list = a.get("/api/v1/me/sessions").await.json();
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 2);
        let mine: Vec<_> = list.iter().filter(|s| s["current"] == true).collect();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["user_agent"], "Browser-A/1.0");
        let other = list.iter().find(|s| s["current"] == false).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        // A ends B's session from the page.
        let r = a
            .post_form(
                &format!("/account/sessions/{other}/end"),
                &[("csrf_token", &Browser::csrf(&page))],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        assert!(sent_to_sign_in(&b.get("/account").await), "B is signed out");
        assert_eq!(a.get("/account").await.status, 200, "A is not");
        // Without the form's token, nothing ends.
        let c = signed_in(&app, "staff@example.org").await;
        let c_id = c.get("/api/v1/me/sessions").await.json()[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = a
            .post_form(&format!("/account/sessions/{c_id}/end"), &[])
            .await;
        assert_eq!(r.status, 400);
        assert_eq!(c.get("/account").await.status, 200);
        // "End all others" from the page: C and D end, A stays.
        let d = signed_in(&app, "staff@example.org").await;
        let page = a.get("/account").await;
        assert!(page.text().contains("/account/sessions/end-others"));
        let r = a
            .post_form(
                "/account/sessions/end-others",
                &[("csrf_token", &Browser::csrf(&page))],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(sent_to_sign_in(&c.get("/account").await));
        assert!(sent_to_sign_in(&d.get("/account").await));
        assert_eq!(a.get("/account").await.status, 200);
        assert_eq!(session_count(&app, "staff@example.org"), 1);
        // The API twins: end one, then all others.
        let e = signed_in(&app, "staff@example.org").await;
        let f = signed_in(&app, "staff@example.org").await;
        let g = signed_in(&app, "staff@example.org").await;
        let e_id = e
            .get("/api/v1/me/sessions")
            .await
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["current"] == true)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = a
            .send(TestRequest::delete().uri(&format!("/api/v1/me/sessions/{e_id}")))
            .await;
        assert_eq!(r.status, 204, "{}", r.text());
        assert_eq!(e.get("/api/v1/me").await.status, 401);
        let r = a
            .send(TestRequest::delete().uri("/api/v1/me/sessions"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["ended"], 2);
        assert_eq!(f.get("/api/v1/me").await.status, 401);
        assert_eq!(g.get("/api/v1/me").await.status, 401);
        assert_eq!(a.get("/api/v1/me").await.status, 200);
        // Ids that do not parse are a 404.
        let r = a
            .send(TestRequest::delete().uri("/api/v1/me/sessions/not-an-id"))
            .await;
        assert_eq!(r.status, 404);
    }
}

#[actix_web::test]
async fn nobody_ends_another_users_session() {
    for app in TestApp::all().await {
        app.user_with_token("staff@example.org", Role::Staff, None);
        let admin_token = app.user_with_token("admin@example.org", Role::Admin, None);
        let victim = signed_in(&app, "staff@example.org").await;
        let victim_id = victim.get("/api/v1/me/sessions").await.json()[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let admin = signed_in(&app, "admin@example.org").await;
        let page = admin.get("/account").await;
        assert!(!page.text().contains(&victim_id), "not listed to others");
        let r = admin
            .post_form(
                &format!("/account/sessions/{victim_id}/end"),
                &[("csrf_token", &Browser::csrf(&page))],
            )
            .await;
        assert_eq!(r.status, 404);
        let r = admin
            .send(TestRequest::delete().uri(&format!("/api/v1/me/sessions/{victim_id}")))
            .await;
        assert_eq!(r.status, 404);
        let r = app
            .send(
                TestRequest::delete()
                    .uri(&format!("/api/v1/me/sessions/{victim_id}"))
                    .insert_header(("Authorization", format!("Bearer {admin_token}"))),
            )
            .await;
        assert_eq!(r.status, 404);
        // "All others" of someone else's ends only their own.
        let r = admin
            .send(TestRequest::delete().uri("/api/v1/me/sessions"))
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(victim.get("/account").await.status, 200, "still signed in");
        assert_eq!(session_count(&app, "staff@example.org"), 1);
        // Signed out, there is nothing to end.
        let r = app
            .browser()
            .send(TestRequest::delete().uri(&format!("/api/v1/me/sessions/{victim_id}")))
            .await;
        assert_eq!(r.status, 401);
    }
}

#[actix_web::test]
async fn sign_in_never_sends_people_off_the_site() {
    for app in TestApp::all().await {
        app.user_with_token("staff@example.org", Role::Staff, None);
        for (next, to) in [
            ("/\t/evil.example/x", "/staff"),
            ("/\r\n/x", "/staff"),
            ("https://evil.example/", "/staff"),
            ("/\\evil.example", "/staff"),
            ("/staff/consultations", "/staff/consultations"),
        ] {
            let b = app.browser();
            let page = b.get("/login").await;
            let r = b
                .post_form(
                    "/login",
                    &[
                        ("csrf_token", &Browser::csrf(&page)),
                        ("email", "staff@example.org"),
                        ("password", PASSWORD),
                        ("next", next),
                    ],
                )
                .await;
            assert_eq!(r.status, 303, "{next:?}: {}", r.text());
            assert_eq!(r.header("location"), Some(to), "{next:?}");
        }
        // The form carries no off-site `next` either.
        let page = app.browser().get("/login?next=/%09/evil.example/x").await;
        assert_eq!(page.status, 200);
        assert!(!page.text().contains("evil.example"));
    }
}

#[actix_web::test]
async fn reset_requests_never_lock_anyone_out_of_signing_in() {
    for app in TestApp::all().await {
        app.user_with_token("staff@example.org", Role::Staff, None);
        let anon = app.browser();
        let page = anon.get("/password/forgot").await;
        let csrf = Browser::csrf(&page);
        let mut statuses = Vec::new();
        for i in 0..6 {
            let r = if i % 2 == 0 {
                anon.post_form(
                    "/password/forgot",
                    &[("csrf_token", &csrf), ("email", "staff@example.org")],
                )
                .await
            } else {
                ask_for_reset(&app, "Staff@example.org").await
            };
            statuses.push(r.status);
        }
        // The requests have a limit of their own ...
        assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
        // ... which signing in does not share.
        let r = app.browser().login("staff@example.org", PASSWORD).await;
        assert_eq!(r.status, 303, "{}", r.text());
    }
}

#[actix_web::test]
async fn only_failed_sign_ins_count_against_the_limit() {
    for app in TestApp::all().await {
        app.user_with_token("staff@example.org", Role::Staff, None);
        for i in 0..6 {
            let r = app.browser().login("staff@example.org", PASSWORD).await;
            assert_eq!(r.status, 303, "sign-in {i}: {}", r.text());
        }
        for i in 0..6 {
            let r = app
                .post_json(
                    "/api/v1/session",
                    None,
                    json!({"email": "staff@example.org", "password": PASSWORD}),
                )
                .await;
            assert_eq!(r.status, 200, "API sign-in {i}: {}", r.text());
        }
        for _ in 0..5 {
            let r = app.browser().login("staff@example.org", "wrong").await;
            assert_eq!(r.status, 401);
        }
        // Locked: even the right password is refused, before it is checked.
        let r = app.browser().login("staff@example.org", PASSWORD).await;
        assert_eq!(r.status, 429, "{}", r.text());
        let r = app
            .post_json(
                "/api/v1/session",
                None,
                json!({"email": "staff@example.org", "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, 429);
    }
}

#[actix_web::test]
async fn the_api_refuses_cross_site_calls_made_with_the_session_cookie() {
    for app in TestApp::all().await {
        let staff_token = app.user_with_token("staff@example.org", Role::Staff, None);
        let c = app.consultation(&staff_token, 40).await;
        let id = c["id"].as_str().unwrap().to_string();
        let drafts = format!("/api/v1/consultations/{id}/drafts");
        let draft = "一、总体要求\n（一）目标。加快发展。";
        let post_draft = |origin: Option<(&'static str, String)>| {
            let mut r = TestRequest::post()
                .uri(&drafts)
                .insert_header(("Content-Type", "text/plain"))
                .set_payload(draft);
            if let Some(h) = origin {
                r = r.insert_header(h);
            }
            r
        };
        let versions = |app: &TestApp| -> i64 {
            use yijian::db::schema::draft_versions;
            draft_versions::table
                .count()
                .get_result(&mut *app.conn())
                .unwrap()
        };
        let b = signed_in(&app, "staff@example.org").await;
        // A page of another site posts the draft as text/plain: refused, nothing saved.
        let r = b
            .send_bare(post_draft(Some(("Origin", "https://evil.example".into()))))
            .await;
        assert_eq!(r.status, 403, "{}", r.text());
        assert_eq!(r.json()["error"], "cross_site");
        assert!(r.json()["message"].as_str().unwrap().contains("本站"));
        assert_eq!(versions(&app), 0);
        // "null" origins (sandboxed frames, data: pages) and look-alikes too.
        for origin in [
            "null",
            "http://localhost:8080.evil.example",
            "https://localhost:8080",
        ] {
            let r = b
                .send_bare(post_draft(Some(("Origin", origin.into()))))
                .await;
            assert_eq!(r.status, 403, "{origin}");
        }
        // A foreign Referer without Origin, and neither header: refused.
        let r = b
            .send_bare(post_draft(Some((
                "Referer",
                "https://evil.example/page".into(),
            ))))
            .await;
        assert_eq!(r.status, 403);
        let r = b.send_bare(post_draft(None)).await;
        assert_eq!(r.status, 403);
        let r = b
            .send_bare(TestRequest::delete().uri("/api/v1/me/sessions"))
            .await;
        assert_eq!(r.status, 403);
        assert_eq!(session_count(&app, "staff@example.org"), 1);
        assert_eq!(versions(&app), 0);
        // In English for English readers.
        let r = b
            .send_bare(
                TestRequest::post()
                    .uri(&format!("{drafts}?lang=en"))
                    .insert_header(("Origin", "https://evil.example"))
                    .set_payload(draft),
            )
            .await;
        assert_eq!(r.status, 403);
        assert!(r.json()["message"].as_str().unwrap().contains("this site"));
        // This site's own pages: Origin, or a Referer of this site, or the public base URL.
        let r = b
            .send_bare(post_draft(Some(("Origin", SITE_ORIGIN.into()))))
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let r = b
            .send_bare(post_draft(Some((
                "Referer",
                format!("{SITE_ORIGIN}/staff/consultations/{id}"),
            ))))
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let r = b
            .send_bare(post_draft(Some(("Origin", app.config.base_url.clone()))))
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        // Reading is not affected.
        assert_eq!(
            b.send_bare(TestRequest::get().uri("/api/v1/me"))
                .await
                .status,
            200
        );
        // A Bearer token needs no Origin, even beside the cookie.
        let r = b
            .send_bare(post_draft(Some((
                "Authorization",
                format!("Bearer {staff_token}"),
            ))))
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        // Signing in, and anonymous calls, are not affected.
        let anon = app.browser();
        let r = anon
            .send_bare(
                TestRequest::post()
                    .uri("/api/v1/session")
                    .insert_header(("Origin", "https://evil.example"))
                    .set_json(json!({"email": "staff@example.org", "password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let r = app
            .send(
                TestRequest::post()
                    .uri("/api/v1/password-resets")
                    .insert_header(("Origin", "https://evil.example"))
                    .set_json(json!({"email": "nobody@example.org"})),
            )
            .await;
        assert_eq!(r.status, 202);
    }
}
