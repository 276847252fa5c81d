//! The JSON API, driven in-process over a real database (SQLite or PostgreSQL).

use crate::common::App;
use serde_json::json;

fn corporate_number(base12: &str) -> String {
    let s: u32 = base12
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 1 { 2 } else { 1 })
        .sum();
    format!("{}{base12}", 9 - s % 9)
}

#[tokio::test]
async fn credentials_are_required_and_errors_are_problem_json() {
    let app = App::new().await;
    let r = app.api("GET", "/api/v1/programmes", None, None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(r.json()["status"], 401);
    let r = app
        .api("GET", "/api/v1/programmes", Some("ngk_forged"), None)
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(app.api("GET", "/healthz", None, None).await.status, 200);
    let doc = app.api("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(doc.status, 200);
    assert!(doc.json()["openapi"].as_str().unwrap().starts_with("3."));
}

#[tokio::test]
async fn the_seed_programme_has_its_council_and_targets() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let list = app
        .api("GET", "/api/v1/programmes", Some(&tok), None)
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let id = list["items"][0]["id"].as_str().unwrap();
    let p = app
        .api("GET", &format!("/api/v1/programmes/{id}"), Some(&tok), None)
        .await
        .json();
    assert_eq!(p["name"], "会津若松Dr.野口プロジェクト");
    assert_eq!(p["baseline_fiscal_year"], 2010);
    let members = p["members"].as_array().unwrap();
    assert_eq!(members.len(), 7);
    assert_eq!(members[0]["organisation"]["name"], "会津若松市");
    assert!(
        members[0]["roles"]
            .as_array()
            .unwrap()
            .contains(&json!("secretariat"))
    );
    assert_eq!(members[4]["roles"], json!(["needs_provider"]));
    assert_eq!(p["strategies"].as_array().unwrap().len(), 3);
    let m2025 = p["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["fiscal_year"] == 2025)
        .unwrap();
    let total = m2025["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["indicator"] == "total")
        .unwrap();
    assert_eq!(total["jobs"], 725);
    assert_eq!(total["firms"], json!(null));
    assert_eq!(
        app.api("GET", "/api/v1/programmes/nope", Some(&tok), None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn organisations_are_validated_stored_searched_and_audited() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let bad = json!({"name": "株式会社検査", "name_kana": "カブシキガイシャケンサ", "kind": "company", "corporate_number": "1000012050002"});
    let r = app
        .api(
            "POST",
            "/api/v1/organisations",
            Some(&tok),
            Some(bad.clone()),
        )
        .await;
    assert_eq!(r.status, 422);
    let err = r.json();
    assert_eq!(err["errors"][0]["field"], "corporate_number");
    assert!(
        err["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("法人番号")
    );

    let mut good = bad.clone();
    good["corporate_number"] = json!(corporate_number("000012050002"));
    good["capabilities"] = json!(["金型", "精密加工"]);
    good["memberships"] =
        json!([{"body": "福島県医療福祉機器産業協議会", "joined_on": "2015-02-03"}]);
    let r = app
        .api("POST", "/api/v1/organisations", Some(&tok), Some(good))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let org = r.json();
    let id = org["id"].as_str().unwrap().to_owned();
    assert_eq!(org["corporate_number"], "7000012050002");
    assert_eq!(org["memberships"][0]["joined_on"], "2015-02-03");

    for q in ["けんさ", "ｹﾝｻ", "検査"] {
        let found = app
            .api(
                "GET",
                &format!("/api/v1/organisations?q={}", urlencode(q)),
                Some(&tok),
                None,
            )
            .await
            .json();
        assert!(
            found["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["id"] == id.as_str()),
            "{q}"
        );
    }
    let by_tag = app
        .api(
            "GET",
            &format!("/api/v1/organisations?capability={}", urlencode("金型")),
            Some(&tok),
            None,
        )
        .await
        .json();
    assert_eq!(by_tag["items"].as_array().unwrap().len(), 1);
    let r = app
        .api("GET", "/api/v1/organisations?kind=castle", Some(&tok), None)
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["errors"][0]["field"].as_str()),
        (422, Some("kind"))
    );

    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/organisations/{id}"),
            Some(&tok),
            Some(json!({"employees": 120, "name_en": null})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["employees"], 120);
    assert_eq!(
        r.json()["capabilities"],
        json!(["金型", "精密加工"]),
        "untouched fields stay"
    );
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/organisations/{id}"),
            Some(&tok),
            Some(json!({"employees": "many"})),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["errors"][0]["field"].as_str()),
        (422, Some("employees"))
    );
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/organisations/{id}"),
            Some(&tok),
            Some(json!({"colour": "red"})),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["errors"][0]["field"].as_str()),
        (422, Some("colour"))
    );
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/organisations/{id}"),
            Some(&tok),
            Some(json!({"id": "x"})),
        )
        .await;
    assert_eq!(r.status, 422);

    let audit = app
        .api(
            "GET",
            &format!("/api/v1/audit?entity_id={id}"),
            Some(&tok),
            None,
        )
        .await
        .json();
    let items = audit["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        2,
        "create and one successful update; refused changes leave no trace"
    );
    assert_eq!(items[0]["action"], "update");
    assert_eq!(items[0]["before"]["employees"], json!(null));
    assert_eq!(items[0]["after"]["employees"], 120);
    assert_eq!(items[0]["actor"]["email"], "staff@city.example.jp");
    assert_eq!(items[0]["actor"]["organisation_name"], "会津若松市");

    assert_eq!(
        app.api(
            "DELETE",
            &format!("/api/v1/organisations/{id}"),
            Some(&tok),
            None
        )
        .await
        .status,
        204
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/organisations/{id}"),
            Some(&tok),
            None
        )
        .await
        .status,
        404
    );
    let r = app
        .api(
            "DELETE",
            &format!("/api/v1/organisations/{}", app.city),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, 422, "a council member cannot be deleted");
}

#[tokio::test]
async fn access_follows_the_roles() {
    let app = App::new().await;
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let nurse = app
        .user("nurse@hospital.example.jp", &app.hospital, false)
        .await;
    let firm = app
        .api("POST", "/api/v1/organisations", Some(&city), Some(json!({"name": "会津精密株式会社", "name_kana": "アイヅセイミツ", "kind": "company"})))
        .await
        .json();
    let firm_id = firm["id"].as_str().unwrap();
    let engineer = app.user("eng@firm.example.jp", firm_id, false).await;

    // Only the secretariat registers and deletes organisations and reads the audit log.
    let new = json!({"name": "新株式会社", "kind": "company"});
    assert_eq!(
        app.api(
            "POST",
            "/api/v1/organisations",
            Some(&nurse),
            Some(new.clone())
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.api("POST", "/api/v1/organisations", Some(&engineer), Some(new))
            .await
            .status,
        403
    );
    assert_eq!(
        app.api(
            "DELETE",
            &format!("/api/v1/organisations/{firm_id}"),
            Some(&engineer),
            None
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.api("GET", "/api/v1/audit", Some(&nurse), None)
            .await
            .status,
        403
    );
    assert_eq!(
        app.api("GET", "/api/v1/audit", Some(&city), None)
            .await
            .status,
        200
    );

    // Every organisation keeps its own profile, and only its own.
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/organisations/{firm_id}"),
            Some(&engineer),
            Some(json!({"employees": 30})),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/organisations/{}", app.hospital),
            Some(&engineer),
            Some(json!({"employees": 1})),
        )
        .await;
    assert_eq!(r.status, 403);

    // People: contact details are visible to the person's organisation and the secretariat only.
    let person = json!({"name": "会津 花子", "name_kana": "アイヅ ハナコ", "organisation_id": firm_id, "email": "hanako@firm.example.jp", "phone": "0242-00-0000"});
    let r = app
        .api(
            "POST",
            "/api/v1/people",
            Some(&engineer),
            Some(person.clone()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let pid = r.json()["id"].as_str().unwrap().to_owned();
    let mut elsewhere = person.clone();
    elsewhere["organisation_id"] = json!(app.hospital);
    assert_eq!(
        app.api("POST", "/api/v1/people", Some(&engineer), Some(elsewhere))
            .await
            .status,
        403
    );
    let seen_by_nurse = app
        .api("GET", &format!("/api/v1/people/{pid}"), Some(&nurse), None)
        .await
        .json();
    assert_eq!(seen_by_nurse["contact_visible"], false);
    assert_eq!(seen_by_nurse["email"], json!(null));
    let list = app
        .api("GET", "/api/v1/people?q=はなこ", Some(&nurse), None)
        .await;
    assert!(
        !list.text.contains("hanako@"),
        "no e-mail through the list either"
    );
    assert_eq!(
        app.api("GET", &format!("/api/v1/people/{pid}"), Some(&city), None)
            .await
            .json()["email"],
        "hanako@firm.example.jp"
    );
    assert_eq!(
        app.api(
            "PATCH",
            &format!("/api/v1/people/{pid}"),
            Some(&nurse),
            Some(json!({"title": "x"}))
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.api(
            "DELETE",
            &format!("/api/v1/people/{pid}"),
            Some(&nurse),
            None
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.api(
            "DELETE",
            &format!("/api/v1/people/{pid}"),
            Some(&engineer),
            None
        )
        .await
        .status,
        204
    );
}

#[tokio::test]
async fn bad_bodies_are_refused_cleanly() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let r = app
        .api("POST", "/api/v1/organisations", Some(&tok), None)
        .await;
    assert_eq!(r.status, 400);
    let mut req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/organisations")
        .header("authorization", format!("Bearer {tok}"))
        .header("content-type", "application/json");
    req = req.header("x-test", "1");
    let r = app
        .request(req.body(axum::body::Body::from("{not json")).unwrap())
        .await;
    assert_eq!(r.status, 400);
    let huge = json!({"name": "x".repeat(2 * 1024 * 1024), "kind": "company"});
    let r = app
        .api("POST", "/api/v1/organisations", Some(&tok), Some(huge))
        .await;
    assert_eq!(r.status, 413);
    let r = app
        .api(
            "POST",
            "/api/v1/organisations",
            Some(&tok),
            Some(json!({"name": "y".repeat(300), "kind": "company"})),
        )
        .await;
    assert_eq!(r.json()["errors"][0]["field"], "name");
    let list = app
        .api("GET", "/api/v1/organisations?limit=500", Some(&tok), None)
        .await
        .json();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        7,
        "only the seed members were stored"
    );
}

#[tokio::test]
async fn messages_follow_accept_language() {
    let app = App::new().await;
    let req = axum::http::Request::builder()
        .uri("/api/v1/me")
        .header("accept-language", "en")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = app.request(req).await;
    assert_eq!(r.json()["title"], "Please sign in.");
    let r = app.api("GET", "/api/v1/me", None, None).await;
    assert_eq!(r.json()["title"], "ログインが必要です。");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
