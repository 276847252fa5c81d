//! The liaison council and the plan: a published meeting shows no withheld item to a visitor
//! (API and page), a decision's actions are tracked with their overdue flag, only the
//! secretariat runs the council, and a revised target keeps the original while an added
//! milestone after FY2025 appears in the KPI.

use crate::common::{App, fields};
use noguchi_domain::dates::format_date;
use serde_json::{Value, json};

#[tokio::test]
async fn a_published_meeting_hides_withheld_items_and_actions_are_tracked() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let uni = app
        .user("prof@u-aizu.example.jp", &app.university, false)
        .await;
    let (_, firm) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    let today = app.db.clock.now().date();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/meetings"),
            Some(&uni),
            Some(json!({"title": "x", "held_at": "2026-06-15T14:00:00+09:00"})),
        )
        .await;
    assert_eq!(r.status, 403, "only the secretariat runs the council");
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/meetings"),
            Some(&city),
            Some(json!({"title": "", "held_at": "来週"})),
        )
        .await;
    assert_eq!(fields(&r.json()), ["title", "held_at"]);
    let r = app
        .api("POST", &format!("/api/v1/programmes/{p}/meetings"), Some(&city),
            Some(json!({"title": "第1回 会津若松医工連携連絡会議", "held_at": "2026-06-15T14:00:00+09:00", "venue": "市役所"})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mid = r.json()["id"].as_str().unwrap().to_owned();
    let agenda = |body: Value| {
        let (app, city, mid) = (&app, city.clone(), mid.clone());
        async move {
            app.api(
                "POST",
                &format!("/api/v1/meetings/{mid}/agenda"),
                Some(&city),
                Some(body),
            )
            .await
        }
    };
    let public = agenda(json!({"title": "KPIの進捗報告", "public": true}))
        .await
        .json();
    let r = agenda(json!({"title": "企業誘致案件", "public": false})).await;
    assert_eq!(
        fields(&r.json()),
        ["withheld_reason"],
        "a withheld item names its reason"
    );
    let secret = agenda(json!({"title": "企業誘致案件 SECRETCO の状況", "public": false, "withheld_reason": "法人等情報"})).await;
    assert_eq!(secret.status, 201, "{}", secret.text);
    let secret = secret.json();
    assert_eq!(secret["withheld_reason"], "corporate");
    let decide = |body: Value| {
        let (app, city, mid) = (&app, city.clone(), mid.clone());
        async move {
            app.api(
                "POST",
                &format!("/api/v1/meetings/{mid}/decisions"),
                Some(&city),
                Some(body),
            )
            .await
        }
    };
    let overdue_day = format_date(today - time::Duration::days(10));
    let later = format_date(today + time::Duration::days(100));
    let r = decide(json!({"text": "SECRETDECISION 条件を再提示", "agenda_item_id": secret["id"],
        "actions": [{"owner_organisation_id": app.city, "text": "SECRETACTION 条件提示", "due": overdue_day}]})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = decide(json!({"text": "セミナーを年3回開催する", "agenda_item_id": public["id"],
        "actions": [{"owner_organisation_id": app.university, "text": "講師を推薦する", "due": later}]})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = decide(json!({"text": "x", "agenda_item_id": "nope", "actions": [{"owner_organisation_id": "nobody", "text": "", "due": "いつか"}]})).await;
    assert_eq!(r.status, 422);
    assert_eq!(fields(&r.json()), ["actions[0].text", "actions[0].due"]);

    // Open actions with their overdue flag, for the programme's members.
    let open = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/actions?status=open"),
            Some(&uni),
            None,
        )
        .await
        .json();
    let flags: Vec<(String, bool)> = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["text"].as_str().unwrap().to_owned(),
                a["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("SECRETACTION 条件提示".to_owned(), true),
            ("講師を推薦する".to_owned(), false)
        ]
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/programmes/{p}/actions"),
            Some(&firm),
            None
        )
        .await
        .status,
        404,
        "a firm outside the programme sees no actions"
    );
    // The owner organisation sees its open action on its work page; others do not.
    let prof = app.browser("lead@u-aizu.example.jp", &app.university).await;
    let work = prof.get("/my-work").await;
    assert!(work.text.contains("講師を推薦する") && !work.text.contains("SECRETACTION"));
    let aid = open["items"][1]["id"].as_str().unwrap().to_owned();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/actions/{aid}/status"),
            Some(&city),
            Some(json!({"status": "dropped"})),
        )
        .await;
    assert_eq!(fields(&r.json()), ["note"], "dropping needs a reason");
    let r = app
        .api(
            "POST",
            &format!("/api/v1/actions/{aid}/status"),
            Some(&city),
            Some(json!({"status": "done", "note": "推薦済み"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let open = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/actions?status=open"),
            Some(&city),
            None,
        )
        .await;
    assert!(!open.text.contains("講師を推薦する"));

    // Before publication a visitor finds nothing; after, the public items only.
    assert_eq!(
        app.api("GET", &format!("/api/v1/meetings/{mid}"), None, None)
            .await
            .status,
        404
    );
    let r = app
        .api(
            "POST",
            &format!("/api/v1/meetings/{mid}/publish"),
            Some(&uni),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/meetings/{mid}/publish"),
            Some(&city),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for reader in [None, Some(firm.as_str())] {
        let r = app
            .api("GET", &format!("/api/v1/meetings/{mid}"), reader, None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.text.contains("KPIの進捗報告") && r.text.contains("corporate"));
        assert!(!r.text.contains("SECRET"), "{}", r.text);
        let page = app
            .browse("GET", &format!("/programmes/{p}/meetings/{mid}"), "", None)
            .await;
        assert_eq!(page.status, 200);
        assert!(page.text.contains("法人等に関する情報") && !page.text.contains("SECRET"));
    }
    let list = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/meetings"),
            None,
            None,
        )
        .await;
    assert!(list.text.contains("KPIの進捗報告") && !list.text.contains("SECRET"));
    // A member reads the whole.
    let whole = app
        .api("GET", &format!("/api/v1/meetings/{mid}"), Some(&uni), None)
        .await;
    assert!(whole.text.contains("SECRETDECISION") && whole.text.contains("SECRETACTION"));
}

#[tokio::test]
async fn a_revised_target_keeps_the_original_and_an_added_milestone_appears() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let uni = app
        .user("prof@u-aizu.example.jp", &app.university, false)
        .await;
    let kpi = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/kpi"),
            Some(&city),
            None,
        )
        .await
        .json();
    let key = kpi["milestones"][0]["indicators"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let original = kpi["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["fiscal_year"] == 2025)
        .unwrap()["indicators"][0]["jobs"]["target"]
        .as_i64()
        .unwrap();
    let revise = |token: &str, body: Value| {
        let (app, token, p) = (&app, token.to_owned(), p.clone());
        async move {
            app.api(
                "POST",
                &format!("/api/v1/programmes/{p}/targets"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let body = json!({"indicator": key, "milestone_fiscal_year": 2025, "jobs": original - 50,
        "reason": "中間見直し", "effective_fiscal_year": 2021, "decision_ref": "令和3年度第2回連絡会議"});
    assert_eq!(revise(&uni, body.clone()).await.status, 403);
    assert_eq!(revise(&city, body).await.status, 201);
    let r = revise(&city, json!({"indicator": key, "milestone_fiscal_year": 2031, "jobs": 900, "reason": "次期計画", "effective_fiscal_year": 2027})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = revise(&city, json!({"indicator": key, "milestone_fiscal_year": 2031, "jobs": 900, "effective_fiscal_year": 2032})).await;
    assert_eq!(fields(&r.json()), ["effective_fiscal_year", "reason"]);
    let kpi = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/kpi"),
            Some(&city),
            None,
        )
        .await
        .json();
    let ms: Vec<&Value> = kpi["milestones"].as_array().unwrap().iter().collect();
    let fy2025 = ms.iter().find(|m| m["fiscal_year"] == 2025).unwrap();
    assert_eq!(fy2025["indicators"][0]["jobs"]["target"], original - 50);
    assert_eq!(fy2025["indicators"][0]["jobs"]["original_target"], original);
    let fy2031 = ms
        .iter()
        .find(|m| m["fiscal_year"] == 2031)
        .expect("the added milestone");
    assert_eq!(fy2031["label"], "令和13年度");
    let history = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/targets"),
            Some(&uni),
            None,
        )
        .await
        .json();
    assert_eq!(history["items"].as_array().unwrap().len(), 2);
    // The KPI page shows the added milestone too.
    let staff = app.browser("desk@city.example.jp", &app.city).await;
    let page = staff.get(&format!("/programmes/{p}/kpi")).await;
    assert!(page.text.contains("令和13年度"));
}
