//! Deals and entry cases end to end: stage moves, the KPI link, confidentiality, pages.

use crate::common::{App, PASSWORD, csrf_of};
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

/// A file upload as a browser sends it from an import page.
pub(crate) fn upload(
    path: &str,
    cookie: &str,
    csrf: &str,
    csv: &str,
) -> axum::http::Request<axum::body::Body> {
    let boundary = "noguchi-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sheet.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    axum::http::Request::builder()
        .method("POST")
        .uri(format!("{path}?csrf={csrf}"))
        .header("cookie", cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn supporters_work_on_an_entry_case_through_its_pages_and_strangers_never_see_it() {
    let app = App::new().await;
    let tok = app
        .user("staff@chamber.example.jp", &app.chamber, false)
        .await;
    let p = app.programme_id.clone();
    let org = firm(&app, &tok, "支援先精工株式会社", "entrant").await;
    let nurse = app
        .account("nurse@hospital.example.jp", &app.hospital, false, false)
        .await;
    let r = app.api("POST", &format!("/api/v1/programmes/{p}/entry-cases"), Some(&tok), Some(json!({"organisation_id": org, "title": "採血補助具", "supporters": [app.hospital], "owner_user_id": nurse, "next_action": "試作品の評価会", "next_action_due": "2999-04-01"}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let (_, cookie) = app.sign_in("nurse@hospital.example.jp", PASSWORD).await;

    let board = app
        .browse(
            "GET",
            &format!("/programmes/{p}/entry-cases"),
            &cookie,
            None,
        )
        .await;
    assert_eq!(board.status, 200);
    assert!(board.text.contains("採血補助具") && board.text.contains("関心"));
    let page = app
        .browse("GET", &format!("/entry-cases/{id}"), &cookie, None)
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains(&format!("/entry-cases/{id}/stage")),
        "a supporter moves it"
    );
    let csrf = csrf_of(&page.text);
    for (path, form) in [
        ("stage", vec![("stage", "learning"), ("date", "2024-04-01")]),
        (
            "consultations",
            vec![("category", "regulatory"), ("text", "クラス分類の相談")],
        ),
        (
            "activities",
            vec![("kind", "visit"), ("text", "工場を見学")],
        ),
    ] {
        let mut f = vec![("csrf", csrf.as_str())];
        f.extend(form);
        let r = app
            .browse(
                "POST",
                &format!("/entry-cases/{id}/{path}"),
                &cookie,
                Some(&f),
            )
            .await;
        assert_eq!(r.status, 303, "{path}: {}", r.text);
        assert_eq!(
            r.header("location"),
            Some(format!("/entry-cases/{id}?flash=org-updated").as_str())
        );
    }
    let page = app
        .browse("GET", &format!("/entry-cases/{id}"), &cookie, None)
        .await;
    for text in [
        "情報収集",
        "2024-04-01",
        "薬事・許認可",
        "クラス分類の相談",
        "工場を見学",
    ] {
        assert!(page.text.contains(text), "{text}");
    }
    let refused = app
        .browse(
            "POST",
            &format!("/entry-cases/{id}/consultations"),
            &cookie,
            Some(&[("csrf", &csrf), ("category", "astrology")]),
        )
        .await;
    assert_eq!(refused.status, 422, "the page again, with the reason");
    let listed = app
        .browse(
            "GET",
            &format!("/programmes/{p}/entry-cases?view=list&stage=learning"),
            &cookie,
            None,
        )
        .await;
    assert!(listed.text.contains("採血補助具"));
    let none = app
        .browse(
            "GET",
            &format!("/programmes/{p}/entry-cases?view=list&stage=licensed"),
            &cookie,
            None,
        )
        .await;
    assert!(!none.text.contains("採血補助具"));
    let csv = app
        .browse(
            "GET",
            &format!("/programmes/{p}/entry-cases/export?format=csv"),
            &cookie,
            None,
        )
        .await;
    assert!(csv.text.contains("採血補助具") && csv.text.contains("情報収集"));
    let work = app.browse("GET", "/my-work", &cookie, None).await;
    assert!(
        work.text.contains("試作品の評価会") && work.text.contains(&format!("/entry-cases/{id}")),
        "the owner's next action on the case"
    );

    // Another firm learns nothing of the case, through the API or the pages.
    let other = firm(&app, &tok, "無関係工業株式会社", "none").await;
    let stranger = app.user("x@other.example.jp", &other, false).await;
    for (method, path, body) in [
        ("GET", format!("/api/v1/entry-cases/{id}"), None),
        (
            "POST",
            format!("/api/v1/entry-cases/{id}/activities"),
            Some(json!({"kind": "call", "text": "x"})),
        ),
        (
            "POST",
            format!("/api/v1/entry-cases/{id}/consultations"),
            Some(json!({"category": "ip", "text": "x"})),
        ),
        (
            "PATCH",
            format!("/api/v1/entry-cases/{id}"),
            Some(json!({"jobs": 1})),
        ),
    ] {
        assert_eq!(
            app.api(method, &path, Some(&stranger), body).await.status,
            404,
            "{method} {path}"
        );
    }
    // The firm itself reads its case but does not work on it.
    let owner = app.user("owner@shienzaki.example.jp", &org, false).await;
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/entry-cases/{id}"),
            Some(&owner),
            None
        )
        .await
        .status,
        200
    );
    assert_eq!(
        app.api(
            "POST",
            &format!("/api/v1/entry-cases/{id}/stage"),
            Some(&owner),
            Some(json!({"stage": "matched"}))
        )
        .await
        .status,
        403
    );
}

#[tokio::test]
async fn deals_open_change_and_import_through_their_forms() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    app.account("clerk@city.example.jp", &app.city, false, false)
        .await;
    let p = app.programme_id.clone();
    let org = firm(&app, &tok, "書式精機株式会社", "none").await;
    let (_, cookie) = app.sign_in("clerk@city.example.jp", PASSWORD).await;
    let form = app
        .browse("GET", &format!("/programmes/{p}/deals/new"), &cookie, None)
        .await;
    assert_eq!(form.status, 200);
    assert!(
        form.text.contains("書式精機株式会社"),
        "firms to choose from"
    );
    let csrf = csrf_of(&form.text);
    let bad = app
        .browse(
            "POST",
            &format!("/programmes/{p}/deals"),
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("kind", "attraction"),
                ("planned_jobs", "多数"),
            ]),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text.contains("数値で入力してください") && bad.text.contains("を入力してください"),
        "the form's own error and the domain's, together"
    );
    let ok = app
        .browse(
            "POST",
            &format!("/programmes/{p}/deals"),
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("kind", "expansion"),
                ("organisation_id", &org),
                ("planned_jobs", "１，２００"),
                ("code_name", "Project 猪苗代"),
                ("shared_with", &app.university),
            ]),
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    let id = ok
        .header("location")
        .unwrap()
        .trim_start_matches("/deals/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let d = app
        .api("GET", &format!("/api/v1/deals/{id}"), Some(&tok), None)
        .await
        .json();
    assert_eq!(
        (
            d["kind"].as_str(),
            d["planned_jobs"].as_i64(),
            d["shared_with"][0].as_str()
        ),
        (Some("expansion"), Some(1200), Some(app.university.as_str()))
    );
    let edit = app
        .browse("GET", &format!("/deals/{id}/edit"), &cookie, None)
        .await;
    assert!(edit.status == 200 && edit.text.contains("Project 猪苗代"));
    let r = app
        .browse(
            "POST",
            &format!("/deals/{id}"),
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("kind", "expansion"),
                ("organisation_id", &org),
                ("code_name", "Project 磐梯山"),
                ("shared_with", &app.university),
            ]),
        )
        .await;
    assert_eq!(r.status, 303);
    let page = app
        .browse("GET", &format!("/deals/{id}"), &cookie, None)
        .await;
    assert!(page.text.contains("Project 磐梯山") && page.text.contains("公立大学法人会津大学"));

    // Shared with the university: it reads the deal, but may not change it.
    app.account("prof@u-aizu.example.jp", &app.university, false, false)
        .await;
    let (_, prof) = app.sign_in("prof@u-aizu.example.jp", PASSWORD).await;
    let seen = app
        .browse("GET", &format!("/deals/{id}"), &prof, None)
        .await;
    assert_eq!(seen.status, 200);
    assert!(!seen.text.contains(&format!("/deals/{id}/stage")));
    assert_eq!(
        app.browse("GET", &format!("/deals/{id}/edit"), &prof, None)
            .await
            .status,
        403
    );

    // The import page checks the sheet, then imports it on confirmation.
    let sheet = "区分,団体,コードネーム,段階,段階の日付,計画雇用数\n企業誘致,書式精機株式会社,Project 会津,交渉,2024-07-01,40\n";
    let checked = app
        .request(upload(
            &format!("/programmes/{p}/deals/import"),
            &cookie,
            &csrf,
            sheet,
        ))
        .await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert!(checked.text.contains("交渉") && checked.text.contains("name=\"csv\""));
    let unreadable = app
        .request(upload(
            &format!("/programmes/{p}/deals/import"),
            &cookie,
            &csrf,
            "見出しなし\n",
        ))
        .await;
    assert_eq!(unreadable.status, 422);
    let confirmed = app
        .browse(
            "POST",
            &format!("/programmes/{p}/deals/import"),
            &cookie,
            Some(&[("csrf", &csrf), ("csv", sheet)]),
        )
        .await;
    assert_eq!(confirmed.status, 303);
    assert_eq!(
        confirmed.header("location"),
        Some(format!("/programmes/{p}/deals?view=list&flash=imported").as_str())
    );
    let list = app
        .browse(
            "GET",
            &format!("/programmes/{p}/deals?view=list&stage=negotiating"),
            &cookie,
            None,
        )
        .await;
    assert!(list.text.contains("Project 会津") && !list.text.contains("Project 磐梯山"));
}

#[tokio::test]
async fn every_pipeline_change_is_audited_under_its_record() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let p = app.programme_id.clone();
    let org = firm(&app, &tok, "監査精機株式会社", "entrant").await;
    let deal = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/deals"),
            Some(&tok),
            Some(
                json!({"organisation_id": org, "code_name": "Project 鶴ヶ城", "planned_jobs": 10}),
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
        Some(&tok),
        Some(json!({"stage": "lost", "note": "県外に決定"})),
    )
    .await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/deals/{deal}/activities"),
            Some(&tok),
            Some(json!({"kind": "call", "text": "結果の連絡"})),
        )
        .await;
    assert_eq!(r.status, 204);
    let case = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/entry-cases"),
            Some(&tok),
            Some(json!({"organisation_id": org, "title": "介護用品"})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.api(
        "PATCH",
        &format!("/api/v1/entry-cases/{case}"),
        Some(&tok),
        Some(json!({"jobs": 2})),
    )
    .await;
    let audit = |entity: &str, id: &str| {
        let path = format!("/api/v1/audit?entity={entity}&entity_id={id}");
        let app = &app;
        let tok = tok.clone();
        async move { app.api("GET", &path, Some(&tok), None).await.json()["items"].clone() }
    };
    let d = audit("deal", &deal).await;
    let d = d.as_array().unwrap();
    assert_eq!(d.len(), 2, "created, then moved");
    assert!(
        d.iter().all(|e| e["label"] == "Project 鶴ヶ城"),
        "a deal goes by its code name"
    );
    assert_eq!(
        (
            d[0]["after"]["stage"].as_str(),
            d[0]["after"]["lost_reason"].as_str()
        ),
        (Some("lost"), Some("県外に決定"))
    );
    assert_eq!(d[0]["before"]["stage"], "candidate");
    let c = audit("entry_case", &case).await;
    let c = c.as_array().unwrap();
    assert_eq!(c.len(), 2);
    assert!(
        c.iter().all(|e| e["label"] == "監査精機株式会社"),
        "a case by its firm"
    );
    assert_eq!(
        (
            c[0]["before"]["jobs"].as_i64(),
            c[0]["after"]["jobs"].as_i64()
        ),
        (None, Some(2))
    );
    let all = app
        .api("GET", "/api/v1/audit?entity=activity", Some(&tok), None)
        .await
        .json();
    assert_eq!(all["items"][0]["after"]["subject_id"], deal.as_str());
    assert_eq!(all["items"][0]["after"]["subject"], "deal");
}
