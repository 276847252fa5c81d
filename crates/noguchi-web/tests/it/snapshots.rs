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

/// Whether `value` fits `schema` of the OpenAPI document: the part of JSON Schema the
/// document uses (`$ref`, `type` with null, `required`, `properties`, `items`, `oneOf`/`anyOf`,
/// `allOf`, `enum`). Returns the first disagreement with its JSON path.
fn fits(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        return fits(doc, &doc["components"]["schemas"][name], value, at);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = schema.get(key).and_then(Value::as_array)
            && !alternatives.iter().any(|s| fits(doc, s, value, at).is_ok())
        {
            return Err(format!("{at}: {value} fits none of {key}"));
        }
    }
    for s in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        fits(doc, s, value, at)?;
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {options:?}"));
    }
    if let Some(ty) = schema.get("type") {
        let types: Vec<&str> = match ty {
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            t => vec![t.as_str().unwrap()],
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let ok = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !ok {
            return Err(format!("{at}: {actual} where the document says {types:?}"));
        }
    }
    if let Value::Object(fields) = value {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap();
            if !fields.contains_key(name) {
                return Err(format!(
                    "{at}: the document requires `{name}`; the answer has none"
                ));
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, v) in fields {
                match props.get(name) {
                    Some(s) => fits(doc, s, v, &format!("{at}.{name}"))?,
                    None => return Err(format!("{at}: `{name}` is not in the document")),
                }
            }
        }
    }
    if let (Value::Array(items), Some(s)) = (value, schema.get("items")) {
        for (i, v) in items.iter().enumerate() {
            fits(doc, s, v, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

/// The answers scripts read most agree with the OpenAPI document they are written against
/// (a need's history said `from`/`to` where the document said `to_stage`/`at`, two types named
/// alike hid the milestones' `label`, the audit's `before` was null where an object was
/// documented). Schemathesis checks every operation in CI; this keeps these in every test run.
#[tokio::test]
async fn answers_agree_with_the_openapi_document() {
    let (app, admin, deal, need) = programme().await;
    let doc = serde_json::to_value(noguchi_web::openapi_document()).unwrap();
    let p = app.programme_id.clone();
    let moved = app
        .api(
            "POST",
            &format!("/api/v1/needs/{need}/status"),
            Some(&admin),
            Some(json!({"status": "screening", "date": "2026-11-20", "note": "精査開始"})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    for path in [
        format!("/api/v1/programmes/{p}"),
        format!("/api/v1/programmes/{p}/kpi"),
        format!("/api/v1/programmes/{p}/needs"),
        format!("/api/v1/programmes/{p}/deals"),
        format!("/api/v1/programmes/{p}/outcomes"),
        format!("/api/v1/needs/{need}"),
        format!("/api/v1/needs/{need}/history"),
        format!("/api/v1/deals/{deal}"),
        "/api/v1/organisations".to_owned(),
        "/api/v1/audit".to_owned(),
        "/api/v1/me".to_owned(),
    ] {
        let r = app.api("GET", &path, Some(&admin), None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        let template = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(t, _)| matches_template(t, &path))
            .unwrap_or_else(|| panic!("{path} is not in the document"));
        let schema =
            &template.1["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        if let Err(e) = fits(&doc, schema, &r.json(), "$") {
            panic!("GET {path} disagrees with the document: {e}");
        }
    }
    // Every error answer is problem details, as the document says for every operation.
    let missing = app
        .api("GET", "/api/v1/needs/none", Some(&admin), None)
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
    let documented = &doc["paths"]["/api/v1/needs/{id}"]["get"]["responses"]["404"]["content"];
    assert!(
        documented.get("application/problem+json").is_some(),
        "{documented}"
    );
}

fn matches_template(template: &str, path: &str) -> bool {
    let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(a, b)| a == b || (a.starts_with('{') && a.ends_with('}')))
}
