//! Accounts through the pages: administrators manage users (never deleting them), people change
//! and reset their passwords and keep their own tokens; the units directory takes a CSV.

use actix_web::test::TestRequest;
use diesel::prelude::*;
use serde_json::json;
use yijian::domain::Role;

use crate::support::{Browser, TestApp};

const PASSWORD: &str = "correct horse battery";

/// The newest queued mail to `to`: (kind, body).
fn last_mail(app: &TestApp, to: &str) -> (String, String) {
    use yijian::db::schema::outbox_messages;
    outbox_messages::table
        .filter(outbox_messages::to_address.eq(to))
        .order(outbox_messages::created_at.desc())
        .select((outbox_messages::kind, outbox_messages::body_text))
        .first(&mut *app.conn())
        .unwrap()
}

fn link_in(body: &str) -> String {
    let i = body.find("/password/reset/").expect("a reset link");
    body[i..].split_whitespace().next().unwrap().to_string()
}

#[actix_web::test]
async fn admins_manage_users_and_people_manage_their_passwords() {
    for app in TestApp::all().await {
        app.user_with_token("admin@example.org", Role::Admin, None);
        app.user_with_token("staff@example.org", Role::Staff, None);
        let staff_token_api = app.user_with_token("other@example.org", Role::Staff, None);
        let r = app
            .post_json(
                "/api/v1/units",
                Some(&staff_token_api),
                json!({"name": "市科技局", "kind": "department", "aliases": ["科技局"]}),
            )
            .await;
        assert_eq!(r.status, 201);
        let admin = app.browser();
        admin.login("admin@example.org", PASSWORD).await;
        let page = admin.get("/admin/users").await;
        assert_eq!(page.status, 200);
        let csrf = Browser::csrf(&page);
        // A department user without a unit is refused with the message, nothing created.
        let r = admin
            .post_form(
                "/admin/users",
                &[
                    ("csrf_token", &csrf),
                    ("email", "li@example.org"),
                    ("name", "李明"),
                    ("role", "department"),
                    ("unit", ""),
                    ("password", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("部门用户必须属于一个单位"));
        assert!(r.text().contains("li@example.org"), "input kept");
        // By the unit's short name, without a password: a link to set one is mailed.
        let r = admin
            .post_form(
                "/admin/users",
                &[
                    ("csrf_token", &csrf),
                    ("email", "li@example.org"),
                    ("name", "李明"),
                    ("role", "department"),
                    ("unit", "科技局"),
                    ("password", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let (kind, body) = last_mail(&app, "li@example.org");
        assert_eq!(kind, "password_reset");
        let link = link_in(&body);
        let li = app.browser();
        let form = li.get(&link).await;
        assert_eq!(form.status, 200);
        let csrf_li = Browser::csrf(&form);
        let r = li
            .post_form(
                &link,
                &[("csrf_token", &csrf_li), ("new_password", "short")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("密码至少需要 10 个字符"));
        let r = li
            .post_form(
                &link,
                &[
                    ("csrf_token", &csrf_li),
                    ("new_password", "李明的新密码很长很长"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        // The link works once.
        let again = li.get(&link).await;
        assert_eq!(again.status, 404);
        assert!(again.text().contains("这个链接已失效或已使用过"));
        let r = li.login("li@example.org", "李明的新密码很长很长").await;
        assert_eq!(r.status, 303);

        // The admin disables 李明: he can no longer sign in; his account stays listed.
        let users = app
            .get_as(
                "/api/v1/users",
                &app.user_with_token("a2@example.org", Role::Admin, None),
            )
            .await
            .json();
        let li_id = users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == "li@example.org")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = admin
            .post_form(
                &format!("/admin/users/{li_id}"),
                &[
                    ("csrf_token", &csrf),
                    ("role", "department"),
                    ("unit", "市科技局"),
                    ("disabled", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        assert_eq!(
            li.get("/dept").await.status,
            303,
            "signed out on the next request"
        );
        let r = li.login("li@example.org", "李明的新密码很长很长").await;
        assert_eq!(r.status, 401);
        let page = admin.get("/admin/users").await;
        assert!(page.text().contains("li@example.org"));
        // Staff becomes an approver.
        let staff_id = users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == "staff@example.org")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = admin
            .post_form(
                &format!("/admin/users/{staff_id}"),
                &[("csrf_token", &csrf), ("role", "approver"), ("unit", "")],
            )
            .await;
        assert_eq!(r.status, 303);
        // The last administrators cannot all be removed: disable a2, then admin itself fails.
        let a2 = users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == "a2@example.org")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = admin
            .post_form(
                &format!("/admin/users/{a2}"),
                &[("csrf_token", &csrf), ("role", "admin"), ("disabled", "1")],
            )
            .await;
        assert_eq!(r.status, 303);
        let me = users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == "admin@example.org")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = admin
            .post_form(
                &format!("/admin/users/{me}"),
                &[("csrf_token", &csrf), ("role", "staff")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("最后一个有效的管理员"));
        {
            use yijian::db::schema::audit_events;
            let n: i64 = audit_events::table
                .filter(audit_events::action.eq("user.change"))
                .count()
                .get_result(&mut *app.conn())
                .unwrap();
            assert_eq!(n, 3);
        }

        // Changing one's own password needs the current one.
        let s = app.browser();
        s.login("other@example.org", PASSWORD).await;
        let page = s.get("/account").await;
        assert_eq!(page.status, 200);
        let csrf_s = Browser::csrf(&page);
        let r = s
            .post_form(
                "/account/password",
                &[
                    ("csrf_token", &csrf_s),
                    ("current_password", "wrong"),
                    ("new_password", "a brand new passphrase"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("当前密码不正确"));
        let r = s
            .post_form(
                "/account/password",
                &[
                    ("csrf_token", &csrf_s),
                    ("current_password", PASSWORD),
                    ("new_password", "a brand new passphrase"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        let s2 = app.browser();
        assert_eq!(s2.login("other@example.org", PASSWORD).await.status, 401);
        assert_eq!(
            s2.login("other@example.org", "a brand new passphrase")
                .await
                .status,
            303
        );

        // Forgotten password: the same answer for known and unknown addresses; mail only to
        // the known one.
        let anon = app.browser();
        let page = anon.get("/password/forgot").await;
        let csrf_a = Browser::csrf(&page);
        for email in ["nobody@example.org", "other@example.org"] {
            let r = anon
                .post_form(
                    "/password/forgot",
                    &[("csrf_token", &csrf_a), ("email", email)],
                )
                .await;
            assert_eq!(r.status, 200);
            assert!(r.text().contains("重设密码的链接已发送"));
        }
        {
            use yijian::db::schema::outbox_messages;
            let n: i64 = outbox_messages::table
                .filter(outbox_messages::to_address.eq("nobody@example.org"))
                .count()
                .get_result(&mut *app.conn())
                .unwrap();
            assert_eq!(n, 0);
        }
        let (_, body) = last_mail(&app, "other@example.org");
        let link = link_in(&body);
        let secret = link.rsplit('/').next().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/password-resets/{secret}"),
                None,
                json!({"new_password": "reset through the api"}),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.text());
        let r = app
            .post_json(
                &format!("/api/v1/password-resets/{secret}"),
                None,
                json!({"new_password": "reset through the api again"}),
            )
            .await;
        assert_eq!(r.status, 422, "single use");
    }
}

#[actix_web::test]
async fn people_keep_their_own_tokens() {
    for app in TestApp::all().await {
        app.user_with_token("staff@example.org", Role::Staff, None);
        let other = app.user_with_token("other@example.org", Role::Staff, None);
        let b = app.browser();
        b.login("staff@example.org", PASSWORD).await;
        let page = b.get("/account").await;
        let csrf = Browser::csrf(&page);
        let r = b
            .post_form("/account/tokens", &[("csrf_token", &csrf), ("name", "")])
            .await;
        assert_eq!(r.status, 422);
        let r = b
            .post_form(
                "/account/tokens",
                &[("csrf_token", &csrf), ("name", "办公系统对接")],
            )
            .await;
        assert_eq!(r.status, 200);
        let html = r.text();
        let i = html.find("<code id=\"new-token\">").unwrap() + "<code id=\"new-token\">".len();
        let secret = html[i..i + html[i..].find('<').unwrap()].to_string();
        let me = app.get_as("/api/v1/me", &secret).await;
        assert_eq!(me.status, 200);
        assert_eq!(me.json()["email"], "staff@example.org");
        // Shown once: the page afterwards lists the name, not the secret.
        let page = b.get("/account").await;
        assert!(page.text().contains("办公系统对接"));
        assert!(!page.text().contains(&secret));
        let list = app.get_as("/api/v1/tokens", &secret).await.json();
        let id = list
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "办公系统对接")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        // Someone else cannot revoke it.
        let r = app
            .send(
                TestRequest::delete()
                    .uri(&format!("/api/v1/tokens/{id}"))
                    .insert_header(("Authorization", format!("Bearer {other}"))),
            )
            .await;
        assert_eq!(r.status, 404);
        let r = b
            .post_form(
                &format!("/account/tokens/{id}/revoke"),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(app.get_as("/api/v1/me", &secret).await.status, 401);
    }
}

#[actix_web::test]
async fn the_units_directory_takes_a_csv_whole_or_not_at_all() {
    for app in TestApp::all().await {
        app.user_with_token("staff@example.org", Role::Staff, None);
        let b = app.browser();
        b.login("staff@example.org", PASSWORD).await;
        let page = b.get("/admin/units").await;
        assert_eq!(page.status, 200);
        let csrf = Browser::csrf(&page);
        let r = b
            .post_form(
                "/admin/units",
                &[
                    ("csrf_token", &csrf),
                    ("name", "市科技局"),
                    ("kind", ""),
                    ("aliases", "科技局"),
                    ("emails", "keji@example.org"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        // A bad line: nothing saved, the line named.
        let bad = "名称,类别,别名,邮箱\n市教育局,部门,教育局,jy@example.org\n江岸区政府,区,江岸区,not-an-address\n";
        let r = b
            .post_multipart(
                "/admin/units/import",
                &[("csrf_token", &csrf)],
                Some(("units.csv", bad.as_bytes())),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(
            r.text().contains("第 3 行：请填写有效的电子邮箱地址"),
            "{}",
            r.text()
        );
        assert!(!b.get("/admin/units").await.text().contains("市教育局"));
        // The same file fixed, saved by Excel as GB18030: two new, one known unit updated.
        let good = "名称,类别,别名,邮箱\n市教育局,部门,教育局,jy@example.org\n江岸区政府,区,江岸区；江岸,\n市科技局,,市科技局办公室,kjb@example.org\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(good);
        let r = b
            .post_multipart(
                "/admin/units/import",
                &[("csrf_token", &csrf)],
                Some(("units.csv", &gbk)),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.text().contains("新增 2 个，更新 1 个"));
        let staff = app.user_with_token("s2@example.org", Role::Staff, None);
        let units = app.get_as("/api/v1/units", &staff).await.json();
        let find = |n: &str| {
            units
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["name"] == n)
                .unwrap()
                .clone()
        };
        assert_eq!(find("江岸区政府")["kind"], "district");
        assert_eq!(find("江岸区政府")["aliases"], json!(["江岸", "江岸区"]));
        assert_eq!(
            find("市科技局")["emails"],
            json!(["keji@example.org", "kjb@example.org"])
        );
        // The API twin, UTF-8 with a BOM; importing again changes nothing.
        let r = app
            .send(
                TestRequest::post()
                    .uri("/api/v1/units/import")
                    .insert_header(("Authorization", format!("Bearer {staff}")))
                    .set_payload(format!("\u{feff}{good}").into_bytes()),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["unchanged"], 3);
        let r = app
            .send(
                TestRequest::post()
                    .uri("/api/v1/units/import")
                    .insert_header(("Authorization", format!("Bearer {staff}")))
                    .set_payload("kind,emails\ndepartment,x@example.org\n"),
            )
            .await;
        assert_eq!(r.status, 422);
        // Renamed through its edit form: the old name stays an alias; disabled, it is not
        // offered for invitations.
        let keji = find("市科技局")["id"].as_str().unwrap().to_string();
        let page = b.get("/admin/units").await;
        let csrf = Browser::csrf(&page);
        let r = b
            .post_form(
                &format!("/admin/units/{keji}"),
                &[
                    ("csrf_token", &csrf),
                    ("name", "市科学技术局"),
                    ("kind", "department"),
                    ("aliases", "科技局"),
                    ("emails", "kjb@example.org"),
                    ("disabled", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let r = app
            .post_json(
                &format!("/api/v1/units/{keji}"),
                Some(&staff),
                json!({"name": "市教育局"}),
            )
            .await;
        assert_eq!(r.status, 422, "a name another unit has");
        let units = app.get_as("/api/v1/units", &staff).await.json();
        let u = units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == keji.as_str())
            .unwrap()
            .clone();
        assert_eq!(u["name"], "市科学技术局");
        assert_eq!(u["aliases"], json!(["市科技局", "科技局"]));
        assert_eq!(u["emails"], json!(["kjb@example.org"]));
        assert_eq!(u["disabled"], true);
        let c = app.consultation(&staff, 40).await;
        let r = app
            .post_json(
                &format!(
                    "/api/v1/consultations/{}/solicitations",
                    c["id"].as_str().unwrap()
                ),
                Some(&staff),
                json!({"unit_ids": [keji], "deadline": "2099-01-01"}),
            )
            .await;
        assert_eq!(r.status, 422, "a disabled unit is not invited");
        // Department users cannot touch the directory.
        let dept = app.user_with_token("d@example.org", Role::Department, Some("市科技局"));
        let r = app
            .send(
                TestRequest::post()
                    .uri("/api/v1/units/import")
                    .insert_header(("Authorization", format!("Bearer {dept}")))
                    .set_payload(good),
            )
            .await;
        assert_eq!(r.status, 403);
    }
}
