//! Deals and entry cases end to end: stage moves, the KPI link, confidentiality, pages.

mod common;

use common::{App, PASSWORD, csrf_of};
use serde_json::{Value, json};

async fn firm(app: &App, tok: &str, name: &str, status: &str) -> String {
    let r = app
        .api(
            "POST",
            "/api/v1/organisations",
            Some(tok),
            Some(json!({"name": name, "kind": "company", "field_status": status})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["id"].as_str().unwrap().to_owned()
}

fn jobs_2025(k: &Value, key: &str) -> i64 {
    let m = k["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["fiscal_year"] == 2025)
        .unwrap();
    m["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap()["jobs"]["actual"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_deal_reaching_its_counting_stage_feeds_the_kpi_after_verification() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let org = firm(&app, &tok, "誘致候補メディカル株式会社", "none").await;
    let p = app.programme_id.clone();
    let r = app.api("POST", &format!("/api/v1/programmes/{p}/deals"), Some(&tok), Some(json!({"organisation_id": org, "kind": "attraction", "planned_jobs": 120, "code_name": "Project 磐梯"}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let deal = r.json();
    let id = deal["id"].as_str().unwrap().to_owned();
    assert_eq!(deal["stage"], "candidate");
    for stage in ["contacted", "visited", "proposed", "negotiating"] {
        let r = app
            .api(
                "POST",
                &format!("/api/v1/deals/{id}/stage"),
                Some(&tok),
                Some(json!({"stage": stage, "date": "2024-05-01"})),
            )
            .await;
        assert_eq!(r.status, 200, "{stage}: {}", r.text);
        assert!(
            r.json()["outcome_id"].is_null(),
            "no outcome before the counting stage"
        );
    }
    let r = app
        .api(
            "POST",
            &format!("/api/v1/deals/{id}/stage"),
            Some(&tok),
            Some(json!({"stage": "decided", "date": "2024-06-01", "note": "立地協定締結"})),
        )
        .await;
    let outcome_id = r.json()["outcome_id"]
        .as_str()
        .expect("an outcome at 立地決定")
        .to_owned();
    let o = app
        .api(
            "GET",
            &format!("/api/v1/outcomes/{outcome_id}"),
            Some(&tok),
            None,
        )
        .await
        .json();
    assert_eq!(
        (
            o["status"].as_str(),
            o["kind"].as_str(),
            o["jobs"].as_i64(),
            o["fiscal_year"].as_i64()
        ),
        (Some("pending"), Some("new_site"), Some(120), Some(2024))
    );
    assert_eq!(o["source"], "deal");

    // Correcting the deal updates the pending outcome; moving on keeps the counting date.
    app.api(
        "PATCH",
        &format!("/api/v1/deals/{id}"),
        Some(&tok),
        Some(json!({"actual_jobs": 110})),
    )
    .await;
    app.api(
        "POST",
        &format!("/api/v1/deals/{id}/stage"),
        Some(&tok),
        Some(json!({"stage": "operating", "date": "2025-04-10"})),
    )
    .await;
    let d = app
        .api("GET", &format!("/api/v1/deals/{id}"), Some(&tok), None)
        .await
        .json();
    assert_eq!(
        d["outcome_id"],
        outcome_id.as_str(),
        "the same outcome follows the deal"
    );
    let o = app
        .api(
            "GET",
            &format!("/api/v1/outcomes/{outcome_id}"),
            Some(&tok),
            None,
        )
        .await
        .json();
    assert_eq!(
        (o["jobs"].as_i64(), o["fiscal_year"].as_i64()),
        (Some(110), Some(2024))
    );
    assert_eq!(
        d["history"].as_array().unwrap().len(),
        7,
        "every move is kept, with its date"
    );
    assert_eq!(d["history"][5]["note"], "立地協定締結");

    let kpi = format!("/api/v1/programmes/{p}/kpi");
    let before = jobs_2025(
        &app.api("GET", &kpi, Some(&tok), None).await.json(),
        "new_sites_expansions",
    );
    app.api(
        "POST",
        &format!("/api/v1/outcomes/{outcome_id}/verify"),
        Some(&tok),
        None,
    )
    .await;
    let after = jobs_2025(
        &app.api("GET", &kpi, Some(&tok), None).await.json(),
        "new_sites_expansions",
    );
    assert_eq!(after - before, 110);

    // A verified outcome is never changed silently: the deal reports the difference instead.
    let d = app
        .api(
            "PATCH",
            &format!("/api/v1/deals/{id}"),
            Some(&tok),
            Some(json!({"actual_jobs": 130})),
        )
        .await
        .json();
    assert_eq!(d["outcome_differs"], true);
    let o = app
        .api(
            "GET",
            &format!("/api/v1/outcomes/{outcome_id}"),
            Some(&tok),
            None,
        )
        .await
        .json();
    assert_eq!(
        (o["jobs"].as_i64(), o["status"].as_str()),
        (Some(110), Some("verified"))
    );
}

#[tokio::test]
async fn reopening_a_deal_withdraws_its_pending_outcome() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let org = firm(&app, &tok, "増設検討精機株式会社", "existing_medical").await;
    let p = app.programme_id.clone();
    let id = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/deals"),
            Some(&tok),
            Some(json!({"organisation_id": org, "kind": "expansion", "planned_jobs": 30})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let d = app
        .api(
            "POST",
            &format!("/api/v1/deals/{id}/stage"),
            Some(&tok),
            Some(json!({"stage": "decided", "date": "2025-02-01"})),
        )
        .await
        .json();
    let first = d["outcome_id"].as_str().unwrap().to_owned();
    let o = app
        .api(
            "GET",
            &format!("/api/v1/outcomes/{first}"),
            Some(&tok),
            None,
        )
        .await
        .json();
    assert_eq!(
        (o["kind"].as_str(), o["fiscal_year"].as_i64()),
        (Some("expansion"), Some(2024))
    );
    // Back to negotiation needs a reason, and takes the pending outcome back.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/deals/{id}/stage"),
            Some(&tok),
            Some(json!({"stage": "negotiating"})),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["errors"][0]["field"].as_str()),
        (422, Some("stage"))
    );
    let d = app
        .api(
            "POST",
            &format!("/api/v1/deals/{id}/stage"),
            Some(&tok),
            Some(json!({"stage": "negotiating", "note": "用地交渉が再開"})),
        )
        .await
        .json();
    assert!(d["outcome_id"].is_null());
    let o = app
        .api(
            "GET",
            &format!("/api/v1/outcomes/{first}"),
            Some(&tok),
            None,
        )
        .await
        .json();
    assert_eq!(o["status"], "rejected");
    let d = app
        .api(
            "POST",
            &format!("/api/v1/deals/{id}/stage"),
            Some(&tok),
            Some(json!({"stage": "decided"})),
        )
        .await
        .json();
    assert_ne!(
        d["outcome_id"].as_str().unwrap(),
        first,
        "a new pending outcome, dated today"
    );
    let r = app
        .api(
            "POST",
            &format!("/api/v1/deals/{id}/stage"),
            Some(&tok),
            Some(json!({"stage": "operating", "date": "2999-01-01"})),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["errors"][0]["field"].as_str()),
        (422, Some("date")),
        "future dates are refused"
    );
    let r = app
        .api(
            "POST",
            &format!("/api/v1/deals/{id}/stage"),
            Some(&tok),
            Some(json!({"stage": "merged"})),
        )
        .await;
    assert_eq!(r.json()["errors"][0]["field"], "stage");
}

#[tokio::test]
async fn deals_are_invisible_to_everyone_but_the_secretariat_and_who_they_are_shared_with() {
    let app = App::new().await;
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let chamber = app
        .user("staff@chamber.example.jp", &app.chamber, false)
        .await;
    let nurse = app
        .user("nurse@hospital.example.jp", &app.hospital, false)
        .await;
    let p = app.programme_id.clone();
    let org = firm(&app, &city, "秘密候補株式会社", "none").await;
    let engineer = app.user("eng@secret.example.jp", &org, false).await;
    let id = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/deals"),
            Some(&city),
            Some(json!({"organisation_id": org, "code_name": "Project 磐梯", "planned_jobs": 50})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (who, tok) in [("hospital", &nurse), ("the firm itself", &engineer)] {
        assert_eq!(
            app.api("GET", &format!("/api/v1/deals/{id}"), Some(tok), None)
                .await
                .status,
            404,
            "{who}"
        );
        let list = app
            .api(
                "GET",
                &format!("/api/v1/programmes/{p}/deals"),
                Some(tok),
                None,
            )
            .await;
        assert_eq!(list.status, 200);
        assert!(list.json()["items"].as_array().unwrap().is_empty(), "{who}");
        assert!(!list.text.contains("磐梯"));
        assert_eq!(
            app.api(
                "POST",
                &format!("/api/v1/deals/{id}/stage"),
                Some(tok),
                Some(json!({"stage": "contacted"}))
            )
            .await
            .status,
            404,
            "{who}"
        );
        assert_eq!(
            app.api(
                "PATCH",
                &format!("/api/v1/deals/{id}"),
                Some(tok),
                Some(json!({"planned_jobs": 1}))
            )
            .await
            .status,
            404,
            "{who}"
        );
    }
    assert_eq!(
        app.api(
            "POST",
            &format!("/api/v1/programmes/{p}/deals"),
            Some(&nurse),
            Some(json!({"organisation_id": org}))
        )
        .await
        .status,
        403
    );
    // The chamber of commerce is secretariat too; the university sees it once shared.
    assert_eq!(
        app.api("GET", &format!("/api/v1/deals/{id}"), Some(&chamber), None)
            .await
            .status,
        200
    );
    let uni = app
        .api("GET", &format!("/api/v1/programmes/{p}"), Some(&city), None)
        .await
        .json()["members"][2]["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let prof = app.user("prof@u-aizu.example.jp", &uni, false).await;
    assert_eq!(
        app.api("GET", &format!("/api/v1/deals/{id}"), Some(&prof), None)
            .await
            .status,
        404
    );
    app.api(
        "PATCH",
        &format!("/api/v1/deals/{id}"),
        Some(&city),
        Some(json!({"shared_with": [uni]})),
    )
    .await;
    assert_eq!(
        app.api("GET", &format!("/api/v1/deals/{id}"), Some(&prof), None)
            .await
            .status,
        200
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/programmes/{p}/deals"),
            Some(&prof),
            None
        )
        .await
        .json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.api(
            "POST",
            &format!("/api/v1/deals/{id}/stage"),
            Some(&prof),
            Some(json!({"stage": "contacted"}))
        )
        .await
        .status,
        403,
        "shared to read, not to manage"
    );

    // Pages, counts and exports obey the same rule.
    app.account("nurse2@hospital.example.jp", &app.hospital, false, false)
        .await;
    let (_, cookie) = app.sign_in("nurse2@hospital.example.jp", PASSWORD).await;
    for path in [
        format!("/programmes/{p}/deals"),
        format!("/programmes/{p}/deals?view=list"),
        format!("/programmes/{p}"),
    ] {
        let page = app.browse("GET", &path, &cookie, None).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            !page.text.contains("磐梯") && !page.text.contains("秘密候補"),
            "{path}"
        );
    }
    let export = app
        .browse(
            "GET",
            &format!("/programmes/{p}/deals/export?format=csv"),
            &cookie,
            None,
        )
        .await;
    assert!(!export.text.contains("秘密候補"));
    assert_eq!(
        app.browse("GET", &format!("/deals/{id}"), &cookie, None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn entry_cases_count_as_new_entries_or_commercialisation() {
    let app = App::new().await;
    let tok = app
        .user("staff@chamber.example.jp", &app.chamber, false)
        .await;
    let p = app.programme_id.clone();
    let entrant = firm(&app, &tok, "会津金型工業株式会社", "entrant").await;
    let medical = firm(&app, &tok, "既存医療機器株式会社", "existing_medical").await;
    let owner = app.user("owner@kanagata.example.jp", &entrant, false).await;
    let nurse = app
        .user("nurse@hospital.example.jp", &app.hospital, false)
        .await;
    let mut kinds = Vec::new();
    for org in [&entrant, &medical] {
        let r = app.api("POST", &format!("/api/v1/programmes/{p}/entry-cases"), Some(&tok), Some(json!({"organisation_id": org, "title": "歩行器の試作", "jobs": 3, "supporters": [app.hospital]}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json()["id"].as_str().unwrap().to_owned();
        for stage in [
            "learning",
            "matched",
            "prototype",
            "licensed",
            "commercialised",
        ] {
            let r = app
                .api(
                    "POST",
                    &format!("/api/v1/entry-cases/{id}/stage"),
                    Some(&tok),
                    Some(json!({"stage": stage, "date": "2023-10-02"})),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
        let c = app
            .api(
                "GET",
                &format!("/api/v1/entry-cases/{id}"),
                Some(&tok),
                None,
            )
            .await
            .json();
        let o = app
            .api(
                "GET",
                &format!("/api/v1/outcomes/{}", c["outcome_id"].as_str().unwrap()),
                Some(&tok),
                None,
            )
            .await
            .json();
        kinds.push((
            o["kind"].as_str().unwrap().to_owned(),
            o["fiscal_year"].as_i64().unwrap(),
            o["jobs"].as_i64().unwrap(),
        ));
        let r = app.api("POST", &format!("/api/v1/entry-cases/{id}/consultations"), Some(&tok), Some(json!({"category": "regulatory", "advisor": "機構 薬事担当", "text": "クラス分類の確認", "result": "一般医療機器（届出）"}))).await;
        assert_eq!(r.status, 204, "{}", r.text);
        let r = app
            .api(
                "POST",
                &format!("/api/v1/entry-cases/{id}/consultations"),
                Some(&tok),
                Some(json!({"category": "astrology", "text": "x"})),
            )
            .await;
        assert_eq!(r.json()["errors"][0]["field"], "category");
    }
    assert_eq!(
        kinds,
        [
            ("new_entry".to_string(), 2023, 3),
            ("commercialisation".to_string(), 2023, 3)
        ]
    );
    // The firm and the supporting hospital see the case; another firm does not.
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/programmes/{p}/entry-cases"),
            Some(&owner),
            None
        )
        .await
        .json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/programmes/{p}/entry-cases"),
            Some(&nurse),
            None
        )
        .await
        .json()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let stranger_org = firm(&app, &tok, "無関係株式会社", "none").await;
    let stranger = app
        .user("x@stranger.example.jp", &stranger_org, false)
        .await;
    assert!(
        app.api(
            "GET",
            &format!("/api/v1/programmes/{p}/entry-cases"),
            Some(&stranger),
            None
        )
        .await
        .json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_board_moves_cards_with_plain_forms_and_my_work_lists_next_actions() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let me = app
        .account("clerk@city.example.jp", &app.city, false, false)
        .await;
    let p = app.programme_id.clone();
    let org = firm(&app, &tok, "ボード精工株式会社", "none").await;
    let id = app
        .api("POST", &format!("/api/v1/programmes/{p}/deals"), Some(&tok), Some(json!({"organisation_id": org, "owner_user_id": me, "next_action": "工場視察の日程調整", "next_action_due": "2020-01-10"})))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, cookie) = app.sign_in("clerk@city.example.jp", PASSWORD).await;
    let board = app
        .browse("GET", &format!("/programmes/{p}/deals"), &cookie, None)
        .await;
    assert_eq!(board.status, 200);
    assert!(
        board.text.contains("ボード精工株式会社")
            && board.text.contains("候補")
            && board.text.contains("立地決定")
    );
    let csrf = csrf_of(&board.text);
    let r = app
        .browse(
            "POST",
            &format!("/deals/{id}/stage"),
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("stage", "visited"),
                ("next", &format!("/programmes/{p}/deals")),
            ]),
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some(format!("/programmes/{p}/deals").as_str())
    );
    let d = app
        .api("GET", &format!("/api/v1/deals/{id}"), Some(&tok), None)
        .await
        .json();
    assert_eq!(d["stage"], "visited");
    let back = app
        .browse(
            "POST",
            &format!("/deals/{id}/stage"),
            &cookie,
            Some(&[("csrf", &csrf), ("stage", "candidate")]),
        )
        .await;
    assert_eq!(back.status, 422);
    assert!(back.text.contains("理由"), "the page says a note is needed");
    let work = app.browse("GET", "/my-work", &cookie, None).await;
    assert!(work.text.contains("工場視察の日程調整") && work.text.contains("期限切れ"));
    let xlsx = app
        .browse(
            "GET",
            &format!("/programmes/{p}/deals/export?format=xlsx"),
            &cookie,
            None,
        )
        .await;
    assert!(
        xlsx.header("content-type")
            .unwrap()
            .contains("spreadsheetml")
    );
    let csv = app
        .browse(
            "GET",
            &format!("/programmes/{p}/deals/export?format=csv"),
            &cookie,
            None,
        )
        .await;
    assert!(csv.text.contains("ボード精工株式会社") && csv.text.contains("訪問・視察"));
    let home = app
        .browse("GET", &format!("/programmes/{p}"), &cookie, None)
        .await;
    assert!(home.text.contains("案件の状況"));
}

#[tokio::test]
async fn deals_import_with_a_dry_run_and_create_their_outcomes() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let p = app.programme_id.clone();
    firm(&app, &tok, "取込精密株式会社", "none").await;
    let send = |dry: bool, body: Vec<u8>| {
        axum::http::Request::builder()
            .method("POST")
            .uri(format!("/api/v1/programmes/{p}/deals/import?dry_run={dry}"))
            .header("authorization", format!("Bearer {tok}"))
            .header("content-type", "text/csv")
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let bad = "区分,団体,段階,段階の日付,計画雇用数\n企業誘致,取込精密株式会社,立地決定,2024-07-01,40\n増設,取込精密株式会社,合併,2024-07-01,10\n企業誘致,幻の会社,候補,,5\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(bad);
    let r = app.request(send(true, sjis.to_vec())).await.json();
    assert_eq!(
        (r["valid"].as_i64(), r["invalid"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(r["rows"][1]["errors"][0]["field"], "stage");
    assert_eq!(r["rows"][2]["errors"][0]["field"], "organisation_id");
    assert_eq!(app.request(send(false, sjis.to_vec())).await.status, 422);
    assert!(
        app.api(
            "GET",
            &format!("/api/v1/programmes/{p}/deals"),
            Some(&tok),
            None
        )
        .await
        .json()["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing half-imported"
    );

    let good = "区分,団体,コードネーム,段階,段階の日付,計画雇用数\n企業誘致,取込精密株式会社,Project 鶴ヶ城,立地決定,2024-07-01,40\n事業拡張,取込精密株式会社,,交渉,2024-07-01,10\n";
    let r = app.request(send(false, good.as_bytes().to_vec())).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["imported"], 2);
    let decided = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/deals?stage=decided"),
            Some(&tok),
            None,
        )
        .await
        .json();
    let items = decided["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the list filters by stage");
    let o = app
        .api(
            "GET",
            &format!(
                "/api/v1/outcomes/{}",
                items[0]["outcome_id"].as_str().unwrap()
            ),
            Some(&tok),
            None,
        )
        .await
        .json();
    assert_eq!(
        (
            o["jobs"].as_i64(),
            o["fiscal_year"].as_i64(),
            o["status"].as_str()
        ),
        (Some(40), Some(2024), Some("pending"))
    );
}

#[tokio::test]
async fn entry_cases_import_with_a_dry_run() {
    let app = App::new().await;
    let tok = app
        .user("staff@chamber.example.jp", &app.chamber, false)
        .await;
    let p = app.programme_id.clone();
    firm(&app, &tok, "参入工業株式会社", "entrant").await;
    let send = |dry: bool, body: &str| {
        axum::http::Request::builder()
            .method("POST")
            .uri(format!(
                "/api/v1/programmes/{p}/entry-cases/import?dry_run={dry}"
            ))
            .header("authorization", format!("Bearer {tok}"))
            .header("content-type", "text/csv")
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap()
    };
    let bad = "団体,案件名,段階,段階の日付,雇用数\n参入工業株式会社,介護ベッド部品,事業化,2023-10-02,2\n参入工業株式会社,歩行器,量産,2023-10-02,1\n";
    let r = app.request(send(true, bad)).await.json();
    assert_eq!(
        (
            r["valid"].as_i64(),
            r["invalid"].as_i64(),
            r["imported"].as_i64()
        ),
        (Some(1), Some(1), Some(0))
    );
    assert_eq!(r["rows"][1]["errors"][0]["field"], "stage");
    assert_eq!(app.request(send(false, bad)).await.status, 422);
    let good =
        "団体,案件名,段階,段階の日付,雇用数\n参入工業株式会社,介護ベッド部品,事業化,2023-10-02,2\n";
    let r = app.request(send(false, good)).await;
    assert_eq!(r.json()["imported"], 1, "{}", r.text);
    let cases = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/entry-cases"),
            Some(&tok),
            None,
        )
        .await
        .json();
    let c = &cases["items"][0];
    assert_eq!(c["stage"], "commercialised");
    let o = app
        .api(
            "GET",
            &format!("/api/v1/outcomes/{}", c["outcome_id"].as_str().unwrap()),
            Some(&tok),
            None,
        )
        .await
        .json();
    assert_eq!(
        (
            o["kind"].as_str(),
            o["jobs"].as_i64(),
            o["fiscal_year"].as_i64()
        ),
        (Some("new_entry"), Some(2), Some(2023))
    );
}
