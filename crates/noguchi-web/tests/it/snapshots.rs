//! Snapshots of key pages (the main part of the page, normalised) and JSON answers, on the
//! frozen clock: any change to what a user or a script sees shows in review as a diff of
//! `snapshots/*.snap` (accept intended ones with `cargo insta review` or `INSTA_UPDATE=always`).

use crate::common::App;
use serde_json::{Value, json};

/// Ids, timestamps and per-request secrets replaced by placeholders, so a snapshot shows what
/// is stable.
fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Some(n) = id_at(b, i) {
            out.push_str("<id>");
            i += n;
        } else if let Some(n) = timestamp_at(b, i) {
            out.push_str("<at>");
            i += n;
        } else {
            let c = s[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    // CSRF tokens are 64 hex characters in a hidden field.
    let mut cleaned = String::new();
    for part in out.split("name=\"csrf\" value=\"") {
        if cleaned.is_empty() {
            cleaned.push_str(part);
        } else {
            cleaned.push_str("name=\"csrf\" value=\"<csrf>");
            cleaned.push_str(&part[part.find('"').unwrap_or(0)..]);
        }
    }
    cleaned
}

fn id_at(b: &[u8], i: usize) -> Option<usize> {
    let s = b.get(i..i + 36)?;
    let dashes = [8, 13, 18, 23];
    let ok = s.iter().enumerate().all(|(k, c)| {
        if dashes.contains(&k) {
            *c == b'-'
        } else {
            c.is_ascii_hexdigit()
        }
    });
    ok.then_some(36)
}

/// RFC 3339 UTC as stored: 2026-11-20T01:00:00.123456Z.
fn timestamp_at(b: &[u8], i: usize) -> Option<usize> {
    let s = b.get(i..i + 27)?;
    (s[4] == b'-' && s[10] == b'T' && s[19] == b'.' && s[26] == b'Z').then_some(27)
}

fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("a page has a main part");
    let end = html.rfind("</main>").expect("a page has a main part") + "</main>".len();
    normalise(&html[start..end])
}

/// A programme with a little of everything: verified outcomes, a deal at its counting stage,
/// a public need and a held one.
async fn programme() -> (App, String, String, String) {
    let app = App::new().await;
    let admin = app.user("admin@example.jp", &app.city, true).await;
    let doctor = app.user("doctor@example.jp", &app.hospital, false).await;
    let p = app.programme_id.clone();
    let firm = app
        .api(
            "POST",
            "/api/v1/organisations",
            Some(&admin),
            Some(json!({"kind": "company", "name": "会津精密工業株式会社", "name_kana": "アイヅセイミツコウギョウ",
                "in_region": true, "capabilities": ["精密加工"]})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (kind, fy, jobs) in [
        ("new_site", 2015, 120),
        ("expansion", 2019, 30),
        ("new_entry", 2021, 4),
    ] {
        let o = app
            .api(
                "POST",
                &format!("/api/v1/programmes/{p}/outcomes"),
                Some(&admin),
                Some(
                    json!({"organisation_id": firm, "kind": kind, "fiscal_year": fy, "jobs": jobs,
                    "evidence": "記者発表資料"}),
                ),
            )
            .await
            .json();
        let id = o["id"].as_str().unwrap();
        app.api(
            "POST",
            &format!("/api/v1/outcomes/{id}/verify"),
            Some(&admin),
            None,
        )
        .await;
    }
    let deal = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/deals"),
            Some(&admin),
            Some(
                json!({"kind": "attraction", "organisation_id": firm, "code_name": "Project SAKURA",
                "planned_jobs": 40}),
            ),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.api(
        "POST",
        &format!("/api/v1/deals/{deal}/stage"),
        Some(&admin),
        Some(json!({"stage": "decided", "date": "2026-10-01", "note": "立地協定を締結"})),
    )
    .await;
    let need = app
        .need(
            &doctor,
            json!({"title": "点滴スタンドの転倒", "problem": "廊下の段差で点滴スタンドが倒れそうになる。",
                "population": "病棟の患者", "outcome": "転倒を防ぐ", "department": "看護部", "disclosure": "public"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.need(
        &doctor,
        json!({"title": "夜間の転倒", "problem": "山田太郎様（72歳）が夜間に転倒した。", "disclosure": "members"}),
    )
    .await;
    (app, admin, deal, need)
}

#[tokio::test]
async fn key_json_answers_stay_as_they_are() {
    let (app, admin, deal, need) = programme().await;
    let p = app.programme_id.clone();
    let read = |path: String| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let r = app.api("GET", &path, Some(&admin), None).await;
            assert_eq!(r.status, 200, "{path}: {}", r.text);
            let v: Value = r.json();
            normalise(&serde_json::to_string_pretty(&v).unwrap())
        }
    };
    insta::assert_snapshot!(
        "kpi_json",
        read(format!("/api/v1/programmes/{p}/kpi")).await
    );
    insta::assert_snapshot!("deal_json", read(format!("/api/v1/deals/{deal}")).await);
    insta::assert_snapshot!("need_json", read(format!("/api/v1/needs/{need}")).await);
}

#[tokio::test]
async fn key_pages_stay_as_they_are() {
    let (app, _, deal, need) = programme().await;
    app.account("staff@city.example.jp", &app.city, false, false)
        .await;
    let (_, cookie) = app
        .sign_in("staff@city.example.jp", crate::common::PASSWORD)
        .await;
    let p = app.programme_id.clone();
    for (name, path) in [
        ("programme_page", format!("/programmes/{p}")),
        ("kpi_page", format!("/programmes/{p}/kpi")),
        ("deal_board_page", format!("/programmes/{p}/deals")),
        ("deal_page", format!("/deals/{deal}")),
        ("need_page", format!("/needs/{need}")),
        ("needs_page", format!("/programmes/{p}/needs")),
    ] {
        let r = app.browse("GET", &path, &cookie, None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        insta::assert_snapshot!(name, main_of(&r.text));
    }
}
