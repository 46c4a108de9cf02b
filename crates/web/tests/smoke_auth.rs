//! A first check of sign-in, scope and audit through the API, on every engine.

mod common;
use common::TestApp;
use diaban_domain::access::Role;
use serde_json::json;

#[tokio::test]
async fn officer_creates_and_reads_a_person_and_the_read_is_audited() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let (s, me) = pc04.get_json("/api/v1/me").await;
        assert_eq!(s, 200, "{me}");
        assert_eq!(me["role"], "province_officer");
        let (s, body) = pc04
            .post_json(
                "/api/v1/persons",
                &json!({"full_name": "Nguyễn Văn Thử", "id_number": "051090012345", "sex": "male", "birth_year": "1990", "residence_unit": "23293"}),
            )
            .await;
        assert_eq!(s, 201, "{body}");
        let id = body["id"].as_i64().unwrap();
        let (s, p) = pc04.get_json(&format!("/api/v1/persons/{id}")).await;
        assert_eq!(s, 200);
        assert_eq!(p["full_name"], "Nguyễn Văn Thử");
        let auditor = app.login_as(Role::Auditor, "51").await;
        let (s, log) = auditor.get_json(&format!("/api/v1/audit?action=person.read&target_id={id}")).await;
        assert_eq!(s, 200, "{log}");
        assert_eq!(log["total"], 1);
        app.stop().await;
    }
}
