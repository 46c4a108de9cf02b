//! A password hashed with older parameters is re-hashed with today's at the next
//! successful sign-in, and only then; the password's dates and flags stay.

mod common;

use common::TestApp;
use diaban_domain::access::Role;
use diaban_store::{units, users};
use diaban_vault::password::{PasswordParams, hash_password_with, needs_rehash};

#[tokio::test]
async fn an_old_hash_is_replaced_at_the_next_successful_sign_in() {
    for app in TestApp::all().await {
        let unit = units::current_scope_unit(app.db(), "51", false).await.unwrap().unwrap();
        let old_params = PasswordParams { memory_kib: 8_192, iterations: 1, parallelism: 1 };
        let old = hash_password_with("mật khẩu cũ 2019", &old_params).unwrap();
        let new = users::NewUser {
            username: "cu2019".into(),
            display_name: "Tài khoản cũ".into(),
            password_hash: old.clone(),
            role: Role::ProvinceOfficer,
            unit_id: unit.id,
            must_change_password: false,
        };
        let id = users::create(app.db(), &new).await.unwrap();
        let before = users::get(app.db(), id).await.unwrap();

        // A wrong password changes nothing.
        let r = reqwest::Client::new()
            .post(app.url("/api/v1/session"))
            .json(&serde_json::json!({"username": "cu2019", "password": "sai"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(users::get(app.db(), id).await.unwrap().password_hash, old, "{}", app.engine);

        app.login("cu2019", "mật khẩu cũ 2019").await;
        let after = users::get(app.db(), id).await.unwrap();
        assert_ne!(after.password_hash, old);
        assert!(!needs_rehash(&after.password_hash, &PasswordParams::default()));
        assert_eq!(after.password_changed_at, before.password_changed_at);
        assert!(!after.must_change_password);
        // The new hash still opens the account.
        app.login("cu2019", "mật khẩu cũ 2019").await;
        app.stop().await;
    }
}
