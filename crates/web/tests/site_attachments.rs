//! Documents and photos on site steps, on every available engine: upload with a step
//! through the page (multipart with the CSRF field) and the API, download with its audit
//! entry and headers, refusals (too large, wrong kind, too many) that leave the site as it
//! was, CSRF on multipart posts, scope, and a server without a key file.

mod common;

use common::{TestApp, UserClient};
use diaban_domain::access::Role;
use diaban_store::audit::{self, AuditFilter};
use reqwest::multipart::{Form, Part};
use serde_json::json;

/// Phường Kon Tum.
const KON_TUM: &str = "23293";
/// Phường Cẩm Thành, another commune of Quảng Ngãi.
const CAM_THANH: &str = "21025";

/// A real 1×1 PNG.
const PNG: [u8; 70] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00,
    0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x38, 0x60, 0xa9, 0xfd, 0x1f, 0x00, 0x05,
    0x05, 0x02, 0x24, 0x58, 0xaf, 0x3e, 0xa5, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42,
    0x60, 0x82,
];

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn file(name: &str, bytes: Vec<u8>, mime: &str) -> Part {
    Part::bytes(bytes).file_name(name.to_owned()).mime_str(mime).expect("mime")
}

/// The step's fields, the CSRF field first as the page sends it.
fn step_form(csrf: Option<&str>, to: &str, on: &str) -> Form {
    let mut f = Form::new();
    if let Some(c) = csrf {
        f = f.text("csrf_token", c.to_owned());
    }
    f.text("to", to.to_owned()).text("on", on.to_owned()).text("note", "biên bản xác minh số 7")
}

async fn new_site(u: &UserClient) -> i64 {
    let body = json!({"kind": "point", "name": "Điểm có ảnh", "unit": KON_TUM, "lat": 14.3550,
                      "lon": 108.0140, "on": "2024-01-10"});
    let (s, v) = u.post_json("/api/v1/sites", &body).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_i64().unwrap()
}

async fn post_page(u: &UserClient, id: i64, form: Form) -> reqwest::Response {
    u.client.post(u.url(&format!("/sites/{id}/transitions"))).multipart(form).send().await.expect("post")
}

async fn post_api(u: &UserClient, id: i64, form: Form) -> (u16, serde_json::Value) {
    let r = u
        .client
        .post(u.url(&format!("/api/v1/sites/{id}/transitions")))
        .header("x-csrf-token", &u.csrf)
        .multipart(form)
        .send()
        .await
        .expect("post");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(serde_json::Value::Null))
}

/// The site's state and how many files it has, through the API.
async fn state_and_files(u: &UserClient, id: i64) -> (String, usize, usize) {
    let (s, v) = u.get_json(&format!("/api/v1/sites/{id}")).await;
    assert_eq!(s, 200, "{v}");
    let timeline = v["timeline"].as_array().unwrap();
    let files = timeline.iter().map(|t| t["attachments"].as_array().unwrap().len()).sum();
    (v["state"].as_str().unwrap().to_owned(), timeline.len(), files)
}

async fn reads(app: &TestApp, aid: i64) -> Vec<(String, String, String)> {
    let f = AuditFilter {
        action_prefix: Some("site.attachment.read".into()),
        target_id: Some(aid.to_string()),
        limit: 100,
        ..Default::default()
    };
    let (entries, _) = audit::search(app.db(), &f).await.unwrap();
    entries.into_iter().map(|e| (e.actor, e.target_type, e.outcome)).collect()
}

#[tokio::test]
async fn page_upload_with_a_step_then_download_audited_and_scoped() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let id = new_site(&kt).await;

        // The page offers a multipart form with a file input, the CSRF field first.
        let html = kt.get(&format!("/sites/{id}")).await.text().await.unwrap();
        assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
        assert!(html.contains("type=\"file\" multiple accept=\".pdf,application/pdf"), "{html}");
        let form_start = html.find("action=\"/sites/").unwrap();
        let after = &html[form_start..];
        assert!(after.find("csrf_token").unwrap() < after.find("type=\"file\"").unwrap());

        let form = step_form(Some(&kt.csrf), "listed", "2024-02-01")
            .part("attachment", file("ảnh hiện trường.png", PNG.to_vec(), "image/png"));
        let r = post_page(&kt, id, form).await;
        assert_eq!(r.status().as_u16(), 303, "{}: {}", app.engine, r.text().await.unwrap());

        // The timeline lists the file with its kind and size and a download link.
        let html = kt.get(&format!("/sites/{id}")).await.text().await.unwrap();
        assert!(html.contains("badge badge--listed"));
        assert!(html.contains("ảnh hiện trường.png"), "{html}");
        assert!(html.contains("(PNG, 70 B)"), "{html}");
        let marker = format!("href=\"/sites/{id}/attachments/");
        let at = html.find(&marker).expect("a download link") + marker.len();
        let aid: i64 = html[at..at + html[at..].find('"').unwrap()].parse().unwrap();

        let r = kt.get(&format!("/sites/{id}/attachments/{aid}")).await;
        assert_eq!(r.status().as_u16(), 200);
        let h = r.headers().clone();
        assert_eq!(h["content-type"], "image/png");
        let cd = h["content-disposition"].to_str().unwrap();
        assert!(cd.starts_with("attachment; filename=\"anh hien truong.png\"; filename*=UTF-8''"), "{cd}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h["cache-control"].to_str().unwrap().contains("no-store"));
        assert_eq!(r.bytes().await.unwrap().as_ref(), PNG.as_slice());
        assert_eq!(reads(&app, aid).await, [(kt.username.clone(), "site_attachment".into(), "ok".into())]);

        // Leaders read sites, so they may download; another commune gets 404 (audited as
        // denied), on the page and in the API alike; roles without site access get 403.
        let leader = app.login_as(Role::Leader, "51").await;
        assert_eq!(leader.get(&format!("/sites/{id}/attachments/{aid}")).await.status().as_u16(), 200);
        let ct = app.login_as(Role::CommuneOfficer, CAM_THANH).await;
        assert_eq!(ct.get(&format!("/sites/{id}/attachments/{aid}")).await.status().as_u16(), 404);
        let (s, err) = ct.get_json(&format!("/api/v1/sites/{id}/attachments/{aid}")).await;
        assert_eq!(s, 404, "{err}");
        let denied: Vec<_> = reads(&app, aid).await.into_iter().filter(|r| r.0 == ct.username).collect();
        assert_eq!(denied.len(), 2);
        assert!(denied.iter().all(|r| r.2 == "denied"));
        // The right attachment under the wrong site is not found either.
        let other = new_site(&kt).await;
        assert_eq!(kt.get(&format!("/sites/{other}/attachments/{aid}")).await.status().as_u16(), 404);
        let partner = app.login_as(Role::Partner, "51").await;
        assert_eq!(partner.get(&format!("/sites/{id}/attachments/{aid}")).await.status().as_u16(), 403);
        app.stop().await;
    }
}

#[tokio::test]
async fn api_upload_lists_metadata_and_downloads() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let id = new_site(&pc04).await;
        let form = step_form(None, "listed", "2024-02-01")
            .part("attachment", file("anh.png", PNG.to_vec(), "image/png"))
            // The client's type and name are not trusted: the content is a PDF.
            .part("attachment", file("Quyết định.bin", PDF.to_vec(), "application/octet-stream"));
        let (s, v) = post_api(&pc04, id, form).await;
        assert_eq!(s, 200, "{}: {v}", app.engine);
        assert_eq!(v["state"], "listed");
        let added = v["attachments"].as_array().unwrap();
        assert_eq!(added.len(), 2, "{v}");
        assert_eq!(added[1]["file_name"], "Quyết định.bin.pdf");
        assert_eq!(added[1]["content_type"], "application/pdf");

        let (_, site) = pc04.get_json(&format!("/api/v1/sites/{id}")).await;
        let step = &site["timeline"][1];
        assert_eq!(step["to_state"], "listed");
        let files = step["attachments"].as_array().unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0]["size_bytes"], PNG.len());
        assert_eq!(files[0]["sha256"].as_str().unwrap().len(), 64);
        assert!(site["timeline"][0]["attachments"].as_array().unwrap().is_empty());

        let href = files[1]["href"].as_str().unwrap();
        assert!(href.starts_with(&format!("/api/v1/sites/{id}/attachments/")), "{href}");
        let r = pc04.get(href).await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
        assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
        let aid = files[1]["id"].as_i64().unwrap();
        assert_eq!(reads(&app, aid).await.len(), 1);

        // JSON steps still work, without files.
        let (s, v) = pc04
            .post_json(
                &format!("/api/v1/sites/{id}/transitions"),
                &json!({"to": "under_action", "on": "2024-03-01"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["attachments"], json!([]));
        app.stop().await;
    }
}

#[tokio::test]
async fn refused_files_refuse_the_step_and_write_nothing() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let id = new_site(&kt).await;
        let mut big = PNG.to_vec();
        big.resize(10 * 1024 * 1024 + 1, 0);
        let html_page = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>".to_vec();
        let exe =
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run".to_vec();

        // Through the page: 422, the page names the file and the reason (in Vietnamese).
        let cases = [
            (file("ảnh lớn.png", big.clone(), "image/png"), "ảnh lớn.png", "tệp quá lớn"),
            (file("trang.png", html_page.clone(), "image/png"), "trang.png", "loại tệp không được phép"),
            (
                file("setup.exe", exe.clone(), "application/x-msdownload"),
                "setup.exe",
                "loại tệp không được phép",
            ),
        ];
        for (part, name, reason) in cases {
            let form = step_form(Some(&kt.csrf), "listed", "2024-02-01")
                .part("attachment", file("tot.png", PNG.to_vec(), "image/png"))
                .part("attachment", part);
            let r = post_page(&kt, id, form).await;
            assert_eq!(r.status().as_u16(), 422, "{}: {name}", app.engine);
            let html = r.text().await.unwrap();
            assert!(html.contains("Chưa lưu bước này và không ghi tệp nào"), "{html}");
            assert!(html.contains(&format!("«{name}»: {reason}")), "{name}: {html}");
            assert_eq!(state_and_files(&kt, id).await, ("reported".into(), 1, 0));
        }

        // Through the API: 422 naming the file, nothing written.
        let form =
            step_form(None, "listed", "2024-02-01").part("attachment", file("lon.png", big, "image/png"));
        let (s, err) = post_api(&kt, id, form).await;
        assert_eq!(s, 422, "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains("«lon.png»"), "{err}");
        let form =
            step_form(None, "listed", "2024-02-01").part("attachment", file("x.png", html_page, "image/png"));
        let (s, err) = post_api(&kt, id, form).await;
        assert_eq!(s, 422, "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains("«x.png»"), "{err}");
        let mut six = step_form(None, "listed", "2024-02-01");
        for i in 0..6 {
            six = six.part("attachment", file(&format!("{i}.png"), PNG.to_vec(), "image/png"));
        }
        let (s, err) = post_api(&kt, id, six).await;
        assert_eq!(s, 422, "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains("(6; tối đa 5)"), "{err}");
        // An illegal step with good files: refused, and the files are not kept.
        let form = step_form(None, "eliminated", "2024-02-01")
            .part("attachment", file("a.png", PNG.to_vec(), "image/png"));
        assert_eq!(post_api(&kt, id, form).await.0, 409);

        assert_eq!(state_and_files(&kt, id).await, ("reported".into(), 1, 0));
        let n = diaban_store::testing::query_text(
            app.db(),
            "SELECT CAST(COUNT(*) AS TEXT) FROM site_attachments",
        )
        .await
        .unwrap();
        assert_eq!(n[0][0].as_deref(), Some("0"));
        app.stop().await;
    }
}

#[tokio::test]
async fn multipart_posts_need_the_csrf_token_before_the_files() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let id = new_site(&kt).await;
        let png = || file("a.png", PNG.to_vec(), "image/png");

        // No token at all: refused on the page and in the API (session cookie, no header).
        let r = post_page(&kt, id, step_form(None, "listed", "2024-02-01").part("attachment", png())).await;
        assert_eq!(r.status().as_u16(), 403, "{}", app.engine);
        let r = kt
            .client
            .post(kt.url(&format!("/api/v1/sites/{id}/transitions")))
            .multipart(step_form(None, "listed", "2024-02-01").part("attachment", png()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
        // A wrong token.
        let wrong = "x".repeat(43);
        let r = post_page(&kt, id, step_form(Some(&wrong), "listed", "2024-02-01").part("attachment", png()))
            .await;
        assert_eq!(r.status().as_u16(), 403);
        // The right token after a file is not looked for.
        let late = step_form(None, "listed", "2024-02-01")
            .part("attachment", png())
            .text("csrf_token", kt.csrf.clone());
        assert_eq!(post_page(&kt, id, late).await.status().as_u16(), 403);
        assert_eq!(state_and_files(&kt, id).await, ("reported".into(), 1, 0));

        // The same form with the token first goes through.
        let ok = step_form(Some(&kt.csrf), "listed", "2024-02-01").part("attachment", png());
        assert_eq!(post_page(&kt, id, ok).await.status().as_u16(), 303);
        assert_eq!(state_and_files(&kt, id).await, ("listed".into(), 2, 1));
        app.stop().await;
    }
}

/// Sends a body of `mib` MiB straight to the router (no TCP: a server that answers 413
/// before reading a body may reset the connection under a client still sending it).
async fn post_size(app: &TestApp, path: &str, mib: usize) -> u16 {
    use tower::ServiceExt;
    let len = mib * 1024 * 1024;
    let req = axum::http::Request::post(path)
        .header("content-type", "multipart/form-data; boundary=x")
        .header("content-length", len)
        .body(axum::body::Body::from(vec![b'a'; len]))
        .unwrap();
    diaban_web::router(app.state.clone()).oneshot(req).await.unwrap().status().as_u16()
}

#[tokio::test]
async fn steps_take_larger_bodies_than_other_routes() {
    for app in TestApp::all().await {
        // 17 MiB: over what other routes take (16 MiB) …
        assert_eq!(post_size(&app, "/api/v1/sites/import", 17).await, 413, "{}", app.engine);
        // … within a step's 5 × 10 MiB + 1 MiB: it reaches the sign-in check.
        assert_eq!(post_size(&app, "/api/v1/sites/1/transitions", 17).await, 401);
        assert_eq!(post_size(&app, "/api/v1/sites/1/transitions", 51).await, 401);
        assert_eq!(post_size(&app, "/api/v1/sites/1/transitions", 52).await, 413);
        app.stop().await;
    }
}

#[tokio::test]
async fn without_a_key_file_uploads_and_downloads_are_refused_clearly() {
    for app in TestApp::all_without_keys().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let id = new_site(&kt).await;
        let form = step_form(Some(&kt.csrf), "listed", "2024-02-01")
            .part("attachment", file("a.png", PNG.to_vec(), "image/png"));
        let r = post_page(&kt, id, form).await;
        assert_eq!(r.status().as_u16(), 422, "{}", app.engine);
        assert!(r.text().await.unwrap().contains("chưa có tệp khóa dữ liệu"));
        let form = step_form(None, "listed", "2024-02-01")
            .part("attachment", file("a.png", PNG.to_vec(), "image/png"));
        let (s, err) = post_api(&kt, id, form).await;
        assert_eq!(s, 503, "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains("--key-file"), "{err}");
        assert_eq!(state_and_files(&kt, id).await, ("reported".into(), 1, 0));

        // A step without files still works, and a file stored earlier cannot be opened.
        let (s, _) = kt
            .post_json(
                &format!("/api/v1/sites/{id}/transitions"),
                &json!({"to": "listed", "on": "2024-02-01"}),
            )
            .await;
        assert_eq!(s, 200);
        let files = diaban_domain::attachment::check_files(
            vec![diaban_domain::attachment::Upload { name: "a.png".into(), size: 70, bytes: PNG.to_vec() }],
            &Default::default(),
        )
        .unwrap();
        let step = diaban_store::sites::TransitionRequest {
            to: diaban_domain::site::SiteState::UnderAction,
            on: chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
            note: String::new(),
        };
        let scope = diaban_store::persons::Scope::Commune(
            diaban_store::units::current_scope_unit(app.db(), KON_TUM, true).await.unwrap().unwrap().id,
        );
        let done = diaban_store::sites::change_state_with_attachments(
            app.db(),
            &app.keys,
            id,
            scope,
            &step,
            &files,
            None,
            &Default::default(),
            None,
        )
        .await
        .unwrap();
        let aid = done.attachment_ids[0];
        let r = kt.get(&format!("/sites/{id}/attachments/{aid}")).await;
        assert_eq!(r.status().as_u16(), 503);
        assert!(r.text().await.unwrap().contains("chưa có tệp khóa dữ liệu"));
        app.stop().await;
    }
}
