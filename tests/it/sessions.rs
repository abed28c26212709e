//! Signing in and its limits: the sign-in page's `next`.

use yijian::domain::Role;

use crate::support::{Browser, TestApp};

const PASSWORD: &str = "correct horse battery";

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
