//! Creating a person whose identity number is already on record (issue 19, item 2), on
//! every engine. Inside the caller's scope the existing record is returned; outside it
//! nothing reveals the record: the answer is the refusal any other creation the caller
//! may not complete gets (422, no id), the provincial police of both provinces are
//! notified of a possible transfer, and the attempt is audited as a refused look-up.

mod common;
mod support;

use common::{TestApp, UserClient};
use diaban_domain::access::Role;
use diaban_store::notifications;
use serde_json::{Value, json};
use support::{add_person, audit_entries, csrf_field, fresh_id_number, location, user_id};

/// Phường Kon Tum, Quảng Ngãi (51): the caller's commune.
const COMMUNE_A: &str = "23293";
/// Phường Cẩm Thành, another commune of Quảng Ngãi.
const COMMUNE_B: &str = "21025";
/// Phường Ba Đình, Hà Nội (01).
const COMMUNE_HN: &str = "00004";

fn input(id_number: &str, residence: &str) -> Value {
    json!({
        "full_name": "Trần Văn Thử", "id_number": id_number, "sex": "male",
        "birth_year": "1990", "ethnicity": "Kinh", "residence_unit": residence,
    })
}

/// The notifications of an account about a possible transfer: (kind, target type, id).
async fn transfer_notes(app: &TestApp, username: &str) -> Vec<(String, String, i64)> {
    let id = user_id(app, username).await;
    notifications::list(app.db(), id, 100)
        .await
        .expect("notifications")
        .into_iter()
        .filter(|n| n.kind.starts_with("person.possible_transfer"))
        .map(|n| (n.kind, n.target_type, n.target_id))
        .collect()
}

async fn page_create(officer: &UserClient, id_number: &str) -> reqwest::Response {
    let page = officer.get("/persons/new").await;
    let csrf = csrf_field(&page.text().await.expect("form"));
    officer
        .client
        .post(officer.url("/persons"))
        .form(&[
            ("full_name", "Trần Văn Thử"),
            ("id_number", id_number),
            ("sex", "male"),
            ("birth_year", "1990"),
            ("ethnicity", "Kinh"),
            ("residence_unit", COMMUNE_A),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .expect("form post")
}

#[tokio::test]
async fn a_number_held_outside_the_scope_answers_like_any_refused_creation() {
    for app in TestApp::all().await {
        let in_province = fresh_id_number();
        let elsewhere = fresh_id_number();
        let own = fresh_id_number();
        let other_commune = add_person(&app, COMMUNE_B, "Lê Văn Bên", &in_province).await;
        let other_province = add_person(&app, COMMUNE_HN, "Đỗ Văn Xa", &elsewhere).await;
        let own_id = add_person(&app, COMMUNE_A, "Phạm Văn Nhà", &own).await;
        let (pc04, _) = app.create_user(Role::ProvinceOfficer, "51").await;
        let (pc04_hn, _) = app.create_user(Role::ProvinceOfficer, "01").await;
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;

        // A creation the caller may not complete for another reason: a residence outside
        // the caller's commune.
        let (refused_status, refused) =
            officer.post_json("/api/v1/persons", &input(&fresh_id_number(), COMMUNE_B)).await;
        assert_eq!(refused_status, 422, "{}: {refused}", app.engine);

        for (number, id) in [(&in_province, other_commune), (&elsewhere, other_province)] {
            let (s, body) = officer.post_json("/api/v1/persons", &input(number, COMMUNE_A)).await;
            assert_eq!(s, refused_status, "{}: {body}", app.engine);
            assert_eq!(body["error"]["code"], refused["error"]["code"], "{}", app.engine);
            assert!(body.get("id").is_none() && body.get("created").is_none(), "{}: {body}", app.engine);
            assert!(!body.to_string().contains(&id.to_string()), "{}: {body}", app.engine);
        }
        // An unknown number is created; a number in the caller's own commune still opens
        // the existing record.
        let (s, body) = officer.post_json("/api/v1/persons", &input(&fresh_id_number(), COMMUNE_A)).await;
        assert_eq!(s, 201, "{}: {body}", app.engine);
        let (s, body) = officer.post_json("/api/v1/persons", &input(&own, COMMUNE_A)).await;
        assert_eq!((s, body["id"].as_i64(), &body["created"]), (200, Some(own_id), &json!(false)));

        // The page form shows the refusal on the form instead of opening the record.
        let r = page_create(&officer, &in_province).await;
        assert_eq!(r.status().as_u16(), 422, "{}: {}", app.engine, location(&r));
        let html = r.text().await.expect("html");
        assert!(!html.contains(&format!("/persons/{other_commune}")), "{}", app.engine);

        // PC04 of the province holding each record hears of it, with the record; PC04 of
        // the caller's province hears of the attempt on the other province's record.
        let ours = transfer_notes(&app, &pc04).await;
        assert!(
            ours.contains(&("person.possible_transfer".into(), "person".into(), other_commune)),
            "{ours:?}"
        );
        assert!(
            ours.iter().any(|n| n.0 == "person.possible_transfer_elsewhere" && n.1 == "user"),
            "{ours:?}"
        );
        assert!(!ours.iter().any(|n| n.1 == "person" && n.2 == other_province), "{ours:?}");
        let theirs = transfer_notes(&app, &pc04_hn).await;
        assert_eq!(theirs, vec![("person.possible_transfer".into(), "person".into(), other_province)]);

        // Audited as refused look-ups, without the identity number.
        let denied: Vec<_> = audit_entries(&app, "person.create")
            .await
            .into_iter()
            .filter(|e| e.outcome == "denied" && e.actor == officer.username)
            .collect();
        assert_eq!(denied.len(), 3, "{}: {denied:?}", app.engine);
        for e in &denied {
            let all = format!("{e:?}");
            assert!(!all.contains(&in_province) && !all.contains(&elsewhere), "{}: {all}", app.engine);
        }
        assert!(
            !audit_entries(&app, "person.create_duplicate").await.iter().any(|e| e.outcome == "ok"
                && (e.target_id == other_commune.to_string() || e.target_id == other_province.to_string())),
            "{}: a probe audited as ok",
            app.engine
        );
        app.stop().await;
    }
}
