//! The units directory API.

use serde_json::json;
use yijian::domain::Role;

use crate::support::TestApp;

#[actix_web::test]
async fn units_are_created_listed_and_checked() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let r = app
            .post_json(
                "/api/v1/units",
                Some(&staff),
                json!({"name": "武汉市科学技术局", "kind": "department", "aliases": ["市科技局", "科技局"], "emails": ["KJJ@wuhan.gov.cn"]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        // The kind is guessed when left out.
        let r = app
            .post_json("/api/v1/units", Some(&staff), json!({"name": "江岸区"}))
            .await;
        assert_eq!(r.json()["kind"], "district");
        let r = app.get_as("/api/v1/units", &staff).await;
        let list = r.json();
        assert_eq!(list[0]["name"], "武汉市科学技术局", "departments first");
        assert_eq!(list[0]["aliases"], json!(["市科技局", "科技局"]));
        assert_eq!(list[0]["emails"], json!(["kjj@wuhan.gov.cn"]));
        assert_eq!(list[1]["name"], "江岸区");
        // A name that is already a unit's alias, a bad kind, an empty name, a bad email.
        for (body, field) in [
            (json!({"name": "市科技局"}), "name"),
            (json!({"name": "x", "kind": "ministry"}), "kind"),
            (json!({"name": "  "}), "name"),
            (
                json!({"name": "市教育局", "emails": ["not-an-email"]}),
                "emails",
            ),
        ] {
            let r = app
                .post_json("/api/v1/units", Some(&staff), body.clone())
                .await;
            assert_eq!(r.status, 422, "{body}");
            assert!(
                r.json()["fields"][field].is_string(),
                "{body}: {}",
                r.text()
            );
        }
        // Department users and the public may not.
        let dept = app.user_with_token("d@example.org", Role::Department, Some("江岸区"));
        assert_eq!(
            app.post_json("/api/v1/units", Some(&dept), json!({"name": "y"}))
                .await
                .status,
            403
        );
        assert_eq!(app.get_as("/api/v1/units", &dept).await.status, 403);
        assert_eq!(
            app.post_json("/api/v1/units", None, json!({"name": "y"}))
                .await
                .status,
            401
        );
        assert_eq!(app.get("/api/v1/units").await.status, 401);
        let mut conn = app.conn();
        let id = list[0]["id"].as_str().unwrap();
        assert_eq!(
            yijian::db::audit::for_entity(&mut conn, "unit", id).unwrap()[0].action,
            "unit.create"
        );
    }
}

/// A large units CSV is checked as a whole, then saved in short transactions: another writer
/// (the intake, in production) commits between them instead of waiting for the whole file;
/// lines about one unit are folded together; importing again changes nothing.
#[actix_web::test]
async fn a_large_units_import_lets_other_writers_in_between_its_chunks() {
    use actix_web::test::TestRequest;
    use std::fmt::Write as _;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use yijian::db::Backend;
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let mut csv = String::from("名称,类别,别名,邮箱\n");
        for i in 0..1000 {
            writeln!(csv, "第{i}街道办事处,其他,{i}号街道,s{i}@example.org").unwrap();
        }
        // A later line about a unit an earlier line creates adds to it.
        csv.push_str("第7街道办事处,,七号街道,seven@example.org\n");
        let stop = Arc::new(AtomicBool::new(false));
        let ticks = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (stop, ticks) = (stop.clone(), ticks.clone());
            let mut conn = app.test_db.connection();
            std::thread::spawn(move || {
                let actor = yijian::app::Actor::system();
                while !stop.load(Ordering::Relaxed) {
                    yijian::db::write::<_, yijian::app::Error, _>(&mut conn, |c| {
                        Ok(yijian::db::audit::record(
                            c,
                            actor.audit("test.tick", "test", "tick"),
                        )?)
                    })
                    .unwrap();
                    ticks.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        let r = app
            .send(
                TestRequest::post()
                    .uri("/api/v1/units/import")
                    .insert_header(("Authorization", format!("Bearer {staff}")))
                    .set_payload(csv.clone()),
            )
            .await;
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["created"], 1000, "{}", r.text());
        assert_eq!(r.json()["unchanged"], 1);
        assert!(ticks.load(Ordering::Relaxed) > 0);
        let units = app.get_as("/api/v1/units", &staff).await.json();
        let seven = units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == "第7街道办事处")
            .unwrap()
            .clone();
        assert_eq!(seven["aliases"], json!(["7号街道", "七号街道"]));
        assert_eq!(
            seven["emails"],
            json!(["s7@example.org", "seven@example.org"])
        );
        if app.backend == Backend::Sqlite {
            // In commit order: the other writer's commits fall between the import's first and
            // last unit, so the import never held the lock for the whole file.
            let mut conn = app.test_db.connection();
            #[derive(diesel::QueryableByName)]
            struct A {
                #[diesel(sql_type = diesel::sql_types::Text)]
                action: String,
            }
            let order: Vec<A> = diesel::RunQueryDsl::load(
                diesel::sql_query("SELECT action FROM audit_events ORDER BY rowid"),
                &mut conn,
            )
            .unwrap();
            let first = order
                .iter()
                .position(|a| a.action == "unit.create")
                .unwrap();
            let last = order
                .iter()
                .rposition(|a| a.action == "unit.create")
                .unwrap();
            let between = order[first..last]
                .iter()
                .filter(|a| a.action == "test.tick")
                .count();
            assert!(between > 0, "no other commit between the import's chunks");
        }
        let r = app
            .send(
                TestRequest::post()
                    .uri("/api/v1/units/import")
                    .insert_header(("Authorization", format!("Bearer {staff}")))
                    .set_payload(csv),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["created"], 0);
        assert_eq!(r.json()["updated"], 0);
        assert_eq!(r.json()["unchanged"], 1001);
    }
}
