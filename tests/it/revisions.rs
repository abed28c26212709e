//! The revision loop on every backend: seed 003 as version 1, a revised version 2 (one item
//! reworded, one inserted, one deleted), an adopted opinion on the reworded item suggested and
//! linked to its change, the comparison in JSON, HTML, DOCX and XLSX, the staff pages, the
//! tracking page, permissions and bad input.

use std::collections::HashMap;
use std::io::Read;

use actix_web::test::TestRequest;
use diesel::prelude::*;
use serde_json::{Value, json};
use yijian::domain::Role;

use crate::support::{Browser, Resp, TestApp};

const SEED: &str = include_str!("../fixtures/seed_003.txt");
const REWORDED_FROM: &str = "新建一批、培育引进一批、认定奖励一批技术转移服务机构";
const REWORDED_TO: &str = "新建一批、引进一批技术转移服务机构，定期评估服务成效";
const INSERTED: &str = "4.加强科技金融支持。设立科技成果转化引导基金，引导社会资本投向早期科技企业，完善知识产权质押融资风险补偿机制。(牵头单位:市财政局)";

/// Seed 003 with item (二)2. reworded, an item (一)4. inserted and item (二)3. deleted.
fn revised() -> String {
    assert!(SEED.contains(REWORDED_FROM));
    let mut out = Vec::new();
    for line in SEED.replace(REWORDED_FROM, REWORDED_TO).lines() {
        if line.starts_with("3.完善科技成果转化机制。") {
            continue;
        }
        out.push(line.to_string());
        if line.starts_with("3.发挥企业创新主体作用。") {
            out.push(String::new());
            out.push(INSERTED.to_string());
        }
    }
    out.join("\n")
}

async fn import(app: &TestApp, cid: &str, token: &str, text: &str, label: &str) -> Resp {
    let label: String = url::form_urlencoded::byte_serialize(label.as_bytes()).collect();
    app.send(
        TestRequest::post()
            .uri(&format!("/api/v1/consultations/{cid}/drafts?label={label}"))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Content-Type", "text/plain; charset=utf-8"))
            .set_payload(text.as_bytes().to_vec()),
    )
    .await
}

fn paths(tree: &Value) -> HashMap<String, String> {
    fn walk(v: &Value, out: &mut HashMap<String, String>) {
        for c in v.as_array().unwrap() {
            out.insert(
                c["path"].as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().to_string(),
            );
            walk(&c["children"], out);
        }
    }
    let mut out = HashMap::new();
    walk(&tree["clauses"], &mut out);
    out
}

fn document_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[actix_web::test]
async fn a_revised_version_its_comparison_and_the_opinions_it_enacts() {
    for app in TestApp::all().await {
        {
            let mut conn = app.conn();
            yijian::app::units::create(
                &mut conn,
                yijian::app::units::CreateUnit {
                    name: "市科技局".into(),
                    kind: "department".into(),
                    ..Default::default()
                },
                &yijian::app::Actor::cli(),
            )
            .expect("unit");
        }
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let approver = app.user_with_token("approver@example.org", Role::Approver, None);
        let dept = app.user_with_token("keji@example.org", Role::Department, Some("市科技局"));
        let c = app.consultation(&staff, 40).await;
        let cid = c["id"].as_str().unwrap().to_string();

        // Version 1: seed 003, published on import.
        let r = import(&app, &cid, &staff, SEED, "").await;
        assert_eq!(r.status, 201, "{}", r.text());
        let v1 = r.json();
        assert_eq!(v1["version"]["version_no"], 1);
        assert_eq!(v1["version"]["label"], "征求意见稿");
        let old = paths(&v1);
        let reworded_v1 = old["二、(二)2."].clone();
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{cid}/open"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());

        // An opinion on the reworded item, adopted.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{cid}/submissions"),
                Some(&staff),
                json!({"body": "建议精简技术转移服务机构的认定奖励环节，加强服务成效评估。", "channel": "letter",
                       "organization": "某协会", "clause_ids": [reworded_v1]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let code = r.json()["tracking_code"].as_str().unwrap().to_string();
        let oid: String = {
            use yijian::db::schema::{opinions, submissions};
            let mut conn = app.conn();
            opinions::table
                .inner_join(submissions::table)
                .filter(submissions::tracking_code.eq(&code))
                .select(opinions::id)
                .first(&mut *conn)
                .unwrap()
        };
        let r = app
            .post_json(
                &format!("/api/v1/opinions/{oid}/decision"),
                Some(&staff),
                json!({"status": "adopted"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());

        // Version 2, named by the office, not yet public.
        let r = import(&app, &cid, &staff, &revised(), "修改稿（二）").await;
        assert_eq!(r.status, 201, "{}", r.text());
        let v2 = r.json();
        assert_eq!(v2["version"]["version_no"], 2);
        assert_eq!(v2["version"]["label"], "修改稿（二）");
        let new = paths(&v2);
        let reworded_v2 = new["二、(二)2."].clone();
        let inserted_v2 = new["二、(一)4."].clone();
        let r = app
            .get(&format!("/api/v1/consultations/{cid}/drafts/current"))
            .await;
        assert_eq!(
            r.json()["version"]["version_no"],
            1,
            "the public still sees v1"
        );
        let r = app
            .get_as(&format!("/api/v1/consultations/{cid}/versions"), &staff)
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let vs = r.json();
        assert_eq!(vs.as_array().unwrap().len(), 2);
        assert!(vs[1]["published_at"].is_null());
        // A name too long is refused.
        let r = import(&app, &cid, &staff, SEED, &"名".repeat(41)).await;
        assert_eq!(r.status, 422, "{}", r.text());

        // The opinion keeps its link to the clause of version 1.
        let r = app.get_as(&format!("/api/v1/opinions/{oid}"), &staff).await;
        assert_eq!(
            r.json()["links"][0]["id"],
            reworded_v1.as_str(),
            "{}",
            r.text()
        );

        // The suggestion: the reworded item's counterpart in version 2.
        let r = app
            .get_as(&format!("/api/v1/opinions/{oid}/changes"), &staff)
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let ch = r.json();
        assert_eq!(ch["adopted"], true);
        assert_eq!(ch["from"], 1);
        assert_eq!(ch["to"], 2);
        let suggested: Vec<&str> = ch["suggested"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["clause_id"].as_str().unwrap())
            .collect();
        assert_eq!(suggested, vec![reworded_v2.as_str()], "{ch}");
        assert_eq!(ch["suggested"][0]["kind"], "modified");

        // The staff opinion page offers it for confirmation.
        let b = app.browser();
        assert_eq!(
            b.login("staff@example.org", "correct horse battery")
                .await
                .status,
            303
        );
        let page = b.get(&format!("/staff/opinions/{oid}")).await;
        assert_eq!(page.status, 200);
        assert!(page.text().contains("suggested-changes"), "{}", page.text());
        assert!(page.text().contains(&reworded_v2));

        // Bad input: an unknown clause, a clause of version 1, nothing at all.
        for bad in [
            json!({"link": ["nope"]}),
            json!({"link": [reworded_v1]}),
            json!({}),
        ] {
            let r = app
                .post_json(
                    &format!("/api/v1/opinions/{oid}/changes"),
                    Some(&staff),
                    bad,
                )
                .await;
            assert_eq!(r.status, 422, "{}", r.text());
            assert!(r.text().contains("link"), "{}", r.text());
        }
        // Who may link: not anonymous, not an approver, not another unit's department user.
        let body = json!({"link": [reworded_v2]});
        let r = app
            .post_json(
                &format!("/api/v1/opinions/{oid}/changes"),
                None,
                body.clone(),
            )
            .await;
        assert_eq!(r.status, 401, "{}", r.text());
        let r = app
            .post_json(
                &format!("/api/v1/opinions/{oid}/changes"),
                Some(&approver),
                body.clone(),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.text());
        let r = app
            .post_json(
                &format!("/api/v1/opinions/{oid}/changes"),
                Some(&dept),
                body.clone(),
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.text());

        // Confirmed by the office.
        let r = app
            .post_json(
                &format!("/api/v1/opinions/{oid}/changes"),
                Some(&staff),
                body,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let ch = r.json();
        assert_eq!(ch["confirmed"][0]["clause_id"], reworded_v2.as_str());
        assert!(ch["suggested"].as_array().unwrap().is_empty(), "{ch}");

        // The comparison: exactly the three changes, the opinion on the modified row.
        let path = format!("/api/v1/consultations/{cid}/comparison");
        let r = app.get_as(&format!("{path}?unchanged=false"), &staff).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let cmp = r.json();
        assert_eq!(
            (cmp["from"].as_i64(), cmp["to"].as_i64()),
            (Some(1), Some(2))
        );
        let rows = cmp["rows"].as_array().unwrap();
        let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
        let mut sorted = kinds.clone();
        sorted.sort();
        assert_eq!(sorted, vec!["added", "deleted", "modified"], "{cmp}");
        let modified = rows.iter().find(|r| r["kind"] == "modified").unwrap();
        assert_eq!(modified["opinion_ids"], json!([oid]));
        assert_eq!(modified["before"][0]["clause_id"], reworded_v1.as_str());
        assert_eq!(modified["after"][0]["clause_id"], reworded_v2.as_str());
        assert!(
            modified["note"].as_str().unwrap().contains(&code),
            "{modified}"
        );
        assert!(
            modified["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c.get("added").is_some()),
            "{modified}"
        );
        let added = rows.iter().find(|r| r["kind"] == "added").unwrap();
        assert_eq!(added["after"][0]["clause_id"], inserted_v2.as_str());
        assert!(added["before"].as_array().unwrap().is_empty());
        let deleted = rows.iter().find(|r| r["kind"] == "deleted").unwrap();
        assert_eq!(
            deleted["before"][0]["clause_id"],
            old["二、(二)3."].as_str()
        );
        // With the unchanged clauses (the default), every clause of version 2 is listed.
        let r = app.get_as(&format!("{path}?from=1&to=2"), &staff).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let all = r.json();
        let after: usize = all["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["after"].as_array().unwrap().len())
            .sum();
        assert_eq!(after, new.len());

        // Readiness warns, without blocking: the inserted and the deleted item explain no
        // opinion; the adopted opinion is linked.
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{cid}/report/readiness"),
                &staff,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let warnings = r.json()["warnings"].clone();
        let kinds: Vec<&str> = warnings
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, vec!["unexplained_change"; 2], "{warnings}");
        assert!(warnings.to_string().contains("二、(一)4."), "{warnings}");

        // The office notes why the inserted item came: printed in the note column, and the
        // change is no longer flagged. Only the office writes notes, on its own clauses.
        let inserted = new["二、(一)4."].clone();
        let note_path = format!("/api/v1/consultations/{cid}/comparison/notes");
        let r = app
            .post_json(
                &note_path,
                Some(&approver),
                json!({"clause_id": inserted, "note": "x"}),
            )
            .await;
        assert_eq!(r.status, 403);
        let r = app
            .post_json(
                &note_path,
                Some(&staff),
                json!({"clause_id": reworded_v1, "note": "很长".repeat(300)}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        let stranger = {
            let other = app.consultation(&staff, 40).await;
            let oid = other["id"].as_str().unwrap().to_string();
            let t = import(&app, &oid, &staff, SEED, "").await.json();
            t["clauses"][0]["id"].as_str().unwrap().to_string()
        };
        let r = app
            .post_json(
                &note_path,
                Some(&staff),
                json!({"clause_id": stranger, "note": "x"}),
            )
            .await;
        assert_eq!(r.status, 422, "another consultation's clause: {}", r.text());
        let r = app
            .post_json(
                &note_path,
                Some(&staff),
                json!({"clause_id": inserted, "note": "根据工作需要调整"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let rows = app
            .get_as(&format!("{path}?unchanged=false"), &staff)
            .await
            .json();
        let noted = rows["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["after"][0]["clause_id"] == inserted)
            .unwrap()
            .clone();
        assert_eq!(noted["office_note"], "根据工作需要调整");
        assert!(
            noted["note"]
                .as_str()
                .unwrap()
                .contains("新增。根据工作需要调整"),
            "{noted}"
        );
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{cid}/report/readiness"),
                &staff,
            )
            .await;
        let warnings = r.json()["warnings"].clone();
        assert_eq!(warnings.as_array().unwrap().len(), 1, "{warnings}");
        assert!(!warnings.to_string().contains("二、(一)4."), "{warnings}");

        // HTML, DOCX, XLSX.
        let r = app
            .get_as(&format!("{path}?format=html&unchanged=false"), &staff)
            .await;
        assert_eq!(r.status, 200);
        assert!(
            r.text().contains("<ins>") && r.text().contains("<del>"),
            "{}",
            r.text()
        );
        let r = app
            .get_as(&format!("{path}?format=docx&unchanged=false"), &staff)
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        // LibreOffice opens it as Word would, once per run (on the first database).
        if app.backend == yijian::db::Backend::Sqlite {
            crate::report::convert_to_pdf(&r.body);
        }
        let xml = document_xml(&r.body);
        for want in [
            "原条文",
            "修改后条文",
            "修改说明",
            "<w:strike/>",
            "<w:b/><w:u w:val=\"single\"/>",
        ] {
            assert!(xml.contains(want), "{want} in the DOCX");
        }
        assert!(xml.contains(&code), "the opinion cited in the DOCX");
        let r = app
            .get_as(&format!("{path}?format=xlsx&unchanged=false"), &staff)
            .await;
        assert_eq!(r.status, 200);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body.to_vec())).expect("xlsx");
        let mut strings = String::new();
        zip.by_name("xl/sharedStrings.xml")
            .unwrap()
            .read_to_string(&mut strings)
            .unwrap();
        assert!(
            strings.contains("原条文") && strings.contains("<strike/>"),
            "{strings}"
        );

        // Bad versions, bad format; who may read.
        for (q, status) in [
            ("from=5", 422),
            ("to=9", 422),
            ("from=2&to=2", 422),
            ("from=x", 400),
            ("format=pdf", 400),
        ] {
            let r = app.get_as(&format!("{path}?{q}"), &staff).await;
            assert_eq!(r.status, status, "{q}: {}", r.text());
        }
        let r = app.get(&path).await;
        assert_eq!(r.status, 401);
        let r = app.get_as(&path, &dept).await;
        assert_eq!(r.status, 403);
        let r = app.get_as(&path, &approver).await;
        assert_eq!(r.status, 200);

        // The staff comparison page, linked from the consultation's page.
        let page = b.get(&format!("/staff/consultations/{cid}")).await;
        assert!(
            page.text()
                .contains(&format!("/staff/consultations/{cid}/comparison"))
        );
        let page = b
            .get(&format!("/staff/consultations/{cid}/comparison"))
            .await;
        assert_eq!(page.status, 200, "{}", page.text());
        assert!(page.text().contains("<ins>") && page.text().contains("<del>"));
        assert!(page.text().contains("修改稿（二）"));
        // Its notes form keeps the note written through the API and saves another.
        let html = page.text();
        assert!(html.contains("填写修改说明"), "{html}");
        assert!(html.contains("value=\"根据工作需要调整\""));
        let deleted_key = {
            let m = "name=\"note:";
            let keys: Vec<&str> = html
                .match_indices(m)
                .map(|(i, _)| &html[i + m.len()..i + m.len() + 36])
                .collect();
            assert_eq!(keys.len(), 3, "one field per changed row: {keys:?}");
            keys.into_iter()
                .find(|k| {
                    *k != inserted.as_str()
                        && !html.contains(&format!("note:{k}\" type=\"text\" value=\"根据"))
                })
                .unwrap()
                .to_string()
        };
        let csrf = Browser::csrf(&page);
        let field = format!("note:{deleted_key}");
        let r = b
            .post_form(
                &format!("/staff/consultations/{cid}/comparison/notes"),
                &[
                    ("csrf_token", csrf.as_str()),
                    ("from", "1"),
                    ("to", "2"),
                    (field.as_str(), "与第二部分合并表述"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let page = b.get(r.header("location").unwrap()).await.text();
        assert!(
            page.contains("与第二部分合并表述"),
            "printed in the table and kept in the form"
        );

        // The tracking page shows the change once version 2 is public.
        let r = app.get(&format!("/track/{code}")).await;
        assert_eq!(r.status, 200);
        assert!(!r.text().contains("tracked-changes"));
        // Nor does the public see a version not yet published.
        let slug = c["slug"].as_str().unwrap();
        assert_eq!(app.get(&format!("/c/{slug}/changes")).await.status, 404);
        assert_eq!(app.get(&format!("/c/{slug}/versions/2")).await.status, 404);
        assert!(
            !app.get(&format!("/c/{slug}"))
                .await
                .text()
                .contains("/changes")
        );
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{cid}/versions/2/publish"),
                Some(&dept),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 403);
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{cid}/versions/2/publish"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let r = app
            .get(&format!("/api/v1/consultations/{cid}/drafts/current"))
            .await;
        assert_eq!(r.json()["version"]["version_no"], 2);
        let r = app.get(&format!("/track/{code}")).await;
        assert_eq!(r.status, 200);
        let text = r.text();
        assert!(text.contains("tracked-changes"), "{text}");
        assert!(
            text.contains("<ins>") && text.contains("定期评估服务成效"),
            "{text}"
        );
        assert!(text.contains("<del>"), "{text}");

        // The public page: both versions, and what changed and why.
        let page = app.get(&format!("/c/{slug}")).await.text();
        assert!(
            page.contains(&format!("href=\"/c/{slug}/changes\"")),
            "{page}"
        );
        assert!(page.contains(&format!("href=\"/c/{slug}/versions/1\"")));
        let changes = app.get(&format!("/c/{slug}/changes")).await;
        assert_eq!(changes.status, 200);
        let html = changes.text();
        assert!(html.contains("<ins>") && html.contains("<del>"), "{html}");
        assert!(html.contains("共 3 处修改"), "{html}");
        assert!(html.contains("根据 1 条采纳的意见修改"), "{html}");
        assert!(
            !html.contains(&code),
            "a commenter's receipt is not published"
        );
        assert!(
            !html.contains("精简技术转移服务机构的认定奖励"),
            "nor the opinion's text"
        );
        // The old version stays readable, the deleted item in it.
        let v1_page = app.get(&format!("/c/{slug}/versions/1")).await.text();
        assert!(v1_page.contains("完善科技成果转化机制"));
        assert!(
            !app.get(&format!("/c/{slug}"))
                .await
                .text()
                .contains("完善科技成果转化机制")
        );
        assert_eq!(app.get(&format!("/c/{slug}/versions/3")).await.status, 404);
        assert_eq!(
            app.get(&format!("/c/{slug}/changes?from=x")).await.status,
            400
        );
        assert_eq!(
            app.get(&format!("/c/{slug}/changes?from=1&to=1"))
                .await
                .status,
            404
        );
        let en = app.get(&format!("/c/{slug}/changes?lang=en")).await.text();
        assert!(en.contains("What changed and why"));

        // The report may say where the opinion was taken up, a setting of the consultation.
        let cell = |report: &Value| -> String {
            report["sections"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| s["rows"].as_array().unwrap().iter())
                .find(|r| {
                    r["opinion"]
                        .as_str()
                        .unwrap_or("")
                        .contains("技术转移服务机构")
                })
                .map(|r| r["decision"].as_str().unwrap().to_string())
                .expect("the opinion's row")
        };
        let report_path = format!("/api/v1/consultations/{cid}/report");
        let before = app.get_as(&report_path, &staff).await.json();
        assert!(!cell(&before).contains("见修改稿"));
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{cid}/report/settings"),
                Some(&staff),
                json!({"cite_changes": true}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["cite_changes"], true);
        let decision = cell(&app.get_as(&report_path, &staff).await.json());
        assert!(
            decision.starts_with("已采纳，见修改稿（二）二、(二)2."),
            "{decision}"
        );
    }
}
