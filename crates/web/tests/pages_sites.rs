//! The site pages on every available engine: the list with its map, the form with inline
//! errors, the detail page offering only the allowed next states, and the forms for a
//! step and a check.

mod common;

use common::TestApp;
use diaban_domain::access::Role;

const KON_TUM: &str = "23293";

#[tokio::test]
async fn list_form_detail_and_steps() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;

        let r = kt.get("/sites").await;
        assert_eq!(r.status().as_u16(), 200, "{}", app.engine);
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"/sites\""), "nav entry");
        assert!(html.contains("class=\"dz-map\""));

        // Inline errors, nothing recorded.
        let r = kt
            .post_form(
                "/sites",
                &[("kind", "point"), ("name", ""), ("unit", KON_TUM), ("lat", "108.0"), ("lon", "14.35")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"name-err\""), "{html}");
        assert!(html.contains("id=\"lat-err\""));

        let r = kt
            .post_form(
                "/sites",
                &[
                    ("kind", "cluster"),
                    ("hot_spot", "on"),
                    ("name", "Tụ điểm bờ kè"),
                    ("unit", KON_TUM),
                    ("lat", "14,3550"),
                    ("lon", "108.0140"),
                    ("on", "2024-01-10"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let to = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(to.starts_with("/sites/"), "{to}");
        let id: i64 = to.trim_start_matches("/sites/").parse().unwrap();

        let html = kt.get(&to).await.text().await.unwrap();
        assert!(html.contains("Tụ điểm bờ kè"));
        assert!(html.contains("badge badge--reported"));
        // Only the allowed next states are offered.
        assert!(html.contains("<option value=\"listed\">"), "{html}");
        assert!(html.contains("<option value=\"dismissed\">"));
        assert!(!html.contains("<option value=\"eliminated\">"));

        // A forged illegal step is refused on the page, with the reason in Vietnamese.
        let r = kt
            .post_form(&format!("/sites/{id}/transitions"), &[("to", "eliminated"), ("on", "2024-02-01")])
            .await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("chỉ được chuyển sang"));

        for (to, on) in [
            ("listed", "2024-02-01"),
            ("under_action", "2024-03-01"),
            ("eliminated", "2024-04-01"),
            ("monitoring", "2024-04-02"),
        ] {
            let r = kt
                .post_form(&format!("/sites/{id}/transitions"), &[("to", to), ("on", on), ("note", "căn cứ")])
                .await;
            assert_eq!(r.status().as_u16(), 303, "{to}");
        }
        let html = kt.get(&format!("/sites/{id}")).await.text().await.unwrap();
        assert!(html.contains("action=\"/sites/"), "check form");
        assert!(html.contains("name=\"outcome\""));
        let r = kt
            .post_form(&format!("/sites/{id}/checks"), &[("outcome", "activity"), ("on", "2024-05-01")])
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let html = kt.get(&format!("/sites/{id}")).await.text().await.unwrap();
        assert!(html.contains("badge badge--reformed"));

        // A list filtered by state finds it; other communes and the admin do not.
        let html = kt.get("/sites?state=reformed&hot_spot=true").await.text().await.unwrap();
        assert!(html.contains(&format!("/sites/{id}\"")));
        let other = app.login_as(Role::CommuneOfficer, "21025").await;
        assert_eq!(other.get(&format!("/sites/{id}")).await.status().as_u16(), 404);
        let admin = app.login_as(Role::Admin, "51").await;
        assert_eq!(admin.get("/sites").await.status().as_u16(), 403);
        app.stop().await;
    }
}
