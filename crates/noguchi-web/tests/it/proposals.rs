//! Matching: a coordinator proposes a candidate and both sides take the proposal to a project;
//! a firm finds the needs that fit it. On the real router and database (SQLite, or PostgreSQL
//! when configured).

use crate::common::{App, fields};
use serde_json::{Value, json};

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_coordinator_proposes_a_match_and_both_sides_take_it_to_a_project() {
    let app = App::new().await;
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let prof = app
        .user("prof@u-aizu.example.jp", &app.university, false)
        .await;
    let chamber = app.user("staff@cci.example.jp", &app.chamber, false).await;
    let (a, firm_a) = app
        .firm(
            "会津洗浄技研株式会社",
            &["洗浄装置", "精密加工"],
            "a@senjo.example.jp",
        )
        .await;
    let (_, firm_b) = app
        .firm("無関係商事株式会社", &["印刷"], "b@other.example.jp")
        .await;
    let n = app
        .need(&doctor, json!({"title": "内視鏡洗浄の自動化", "problem": "内視鏡の洗浄工程が手作業で、1本あたり30分かかっている。洗浄装置で自動化したい。", "disclosure": "members"}))
        .await;
    let nid = n["id"].as_str().unwrap().to_owned();

    let m = app
        .api(
            "GET",
            &format!("/api/v1/needs/{nid}/matches"),
            Some(&prof),
            None,
        )
        .await
        .json();
    let top = m["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == a.as_str())
        .expect("the washing firm is a candidate")
        .clone();
    assert!(
        top["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "local_firm")
    );
    assert!(
        top["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().starts_with("capabilities: 洗浄装置"))
    );

    let propose = |token: String, body: Value| {
        let app = &app;
        let nid = nid.clone();
        async move {
            app.api(
                "POST",
                &format!("/api/v1/needs/{nid}/proposals"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let body = json!({"candidate_type": "organisation", "candidate_id": a, "summary": "洗浄工程の自動化について、精密加工と洗浄装置の実績がある企業をご紹介します。"});
    assert_eq!(
        propose(firm_a.clone(), body.clone()).await.status,
        403,
        "only coordinators propose"
    );
    let r = propose(prof.clone(), json!({"candidate_type": "organisation", "candidate_id": a, "summary": "山田太郎様の件でご相談です。"})).await;
    assert_eq!(
        fields(&r.json()),
        ["summary"],
        "no patient information in a proposal"
    );
    let r = propose(prof.clone(), body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let x = r.json();
    let xid = x["id"].as_str().unwrap().to_owned();
    assert_eq!(x["status"], "proposed");
    assert!(
        !x["reasons"].as_array().unwrap().is_empty(),
        "the explanation is kept with the proposal"
    );
    assert_eq!(
        fields(&propose(prof.clone(), body).await.json()),
        ["candidate_id"],
        "not twice while open"
    );
    assert_eq!(
        app.api("GET", &format!("/api/v1/needs/{nid}"), Some(&doctor), None)
            .await
            .json()["status"],
        "matching"
    );

    let show = |token: &String| {
        let (app, token, url) = (&app, token.clone(), format!("/api/v1/proposals/{xid}"));
        async move { app.api("GET", &url, Some(&token), None).await }
    };
    let seen = show(&firm_a).await.json();
    assert_eq!(seen["need"]["title"], "内視鏡洗浄の自動化");
    let next: Vec<&str> = seen["next"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(next, ["accepted", "declined"]);
    assert_eq!(show(&firm_b).await.status, 404, "not part of it");
    let list_b = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{}/proposals", app.programme_id),
            Some(&firm_b),
            None,
        )
        .await
        .json();
    assert!(ids(&list_b).is_empty());
    let list_owner = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{}/proposals", app.programme_id),
            Some(&doctor),
            None,
        )
        .await
        .json();
    assert_eq!(
        ids(&list_owner),
        std::slice::from_ref(&xid),
        "the need's organisation sees proposals on its needs"
    );

    let step = |token: String, body: Value| {
        let app = &app;
        let xid = xid.clone();
        async move {
            app.api(
                "POST",
                &format!("/api/v1/proposals/{xid}/status"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(
        step(doctor.clone(), json!({"status": "accepted"}))
            .await
            .status,
        403,
        "the candidate accepts, not the hospital"
    );
    assert_eq!(
        step(firm_a.clone(), json!({"status": "accepted"}))
            .await
            .status,
        200
    );
    assert_eq!(
        step(prof.clone(), json!({"status": "nda"})).await.status,
        403,
        "NDAs are the secretariat's records"
    );
    assert_eq!(
        step(
            prof.clone(),
            json!({"status": "meeting", "note": "11月20日 病院にて"})
        )
        .await
        .status,
        200
    );
    let r = step(prof.clone(), json!({"status": "project"})).await;
    assert_eq!(r.json()["status"], "project");
    // The project step opens the project, linked both ways: the firm leads it as the
    // manufacturer, the hospital is the clinical partner; the proposer and others do not see it.
    assert_eq!(
        r.json()["project_id"],
        Value::Null,
        "the proposer is no member"
    );
    let seen = app
        .api(
            "GET",
            &format!("/api/v1/proposals/{xid}"),
            Some(&firm_a),
            None,
        )
        .await
        .json();
    let project_id = seen["project_id"].as_str().expect("a project").to_owned();
    let project = app
        .api(
            "GET",
            &format!("/api/v1/projects/{project_id}"),
            Some(&firm_a),
            None,
        )
        .await
        .json();
    assert_eq!(project["title"], "内視鏡洗浄の自動化");
    assert_eq!(project["lead_organisation_id"], a.as_str());
    let mut roles: Vec<(String, String)> = project["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["organisation_id"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    roles.sort();
    let mut want = vec![
        (a.clone(), "manufacturer".to_owned()),
        (app.hospital.clone(), "clinical".to_owned()),
    ];
    want.sort();
    assert_eq!(roles, want);
    for (token, status) in [(&doctor, 200), (&firm_b, 404)] {
        assert_eq!(
            app.api(
                "GET",
                &format!("/api/v1/projects/{project_id}"),
                Some(token),
                None
            )
            .await
            .status,
            status
        );
    }
    assert_eq!(
        app.api("GET", &format!("/api/v1/needs/{nid}"), Some(&doctor), None)
            .await
            .json()["status"],
        "project",
        "the need follows its proposal into a project"
    );
    let h = app
        .api(
            "GET",
            &format!("/api/v1/proposals/{xid}/history"),
            Some(&firm_a),
            None,
        )
        .await
        .json();
    let to: Vec<&str> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["to"].as_str().unwrap())
        .collect();
    assert_eq!(to, ["proposed", "accepted", "meeting", "project"]);

    // An NDA-level need: the candidate reads the coordinator's summary, not the need, until the
    // NDA step records its NDA.
    let secret = app
        .need(&doctor, json!({"title": "洗浄記録の電子化", "problem": "内視鏡の洗浄記録を紙で管理しており、カナリアZ77の監査で困る。", "disclosure": "nda"}))
        .await;
    let sid = secret["id"].as_str().unwrap().to_owned();
    let r = app
        .api("POST", &format!("/api/v1/needs/{sid}/proposals"), Some(&chamber), Some(json!({"candidate_type": "organisation", "candidate_id": a, "summary": "洗浄記録の電子化の相談です。NDA締結後に詳細をお伝えします。"})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let yid = r.json()["id"].as_str().unwrap().to_owned();
    let y = app
        .api(
            "GET",
            &format!("/api/v1/proposals/{yid}"),
            Some(&firm_a),
            None,
        )
        .await;
    assert_eq!(y.json()["need"]["title"], Value::Null);
    assert!(!y.text.contains("Z77") && !y.text.contains("洗浄記録の電子化\""));
    assert_eq!(
        app.api("GET", &format!("/api/v1/needs/{sid}"), Some(&firm_a), None)
            .await
            .status,
        404
    );
    let page = app
        .api("GET", &format!("/proposals/{yid}"), Some(&firm_a), None)
        .await;
    assert!(page.status == 200 && !page.text.contains("Z77"));
    let ystep = |token: String, body: Value| {
        let app = &app;
        let yid = yid.clone();
        async move {
            app.api(
                "POST",
                &format!("/api/v1/proposals/{yid}/status"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(
        ystep(firm_a.clone(), json!({"status": "accepted"}))
            .await
            .status,
        200
    );
    let r = ystep(chamber.clone(), json!({"status": "meeting"})).await;
    assert_eq!(r.status, 422);
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("NDA")
    );
    let r = ystep(
        chamber.clone(),
        json!({"status": "nda", "document_ref": "NDA-2026-003"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        app.api("GET", &format!("/api/v1/needs/{sid}"), Some(&firm_a), None)
            .await
            .status,
        200,
        "the NDA step records the NDA"
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/proposals/{yid}"),
            Some(&firm_a),
            None
        )
        .await
        .json()["need"]["title"],
        "洗浄記録の電子化"
    );
    let r = ystep(firm_a.clone(), json!({"status": "declined"})).await;
    assert_eq!(fields(&r.json()), ["note"], "declining needs a reason");
    assert_eq!(
        ystep(
            firm_a.clone(),
            json!({"status": "declined", "note": "人員が足りない"})
        )
        .await
        .json()["status"],
        "declined"
    );

    // Earlier collaboration now counts when the same hospital's next need is matched.
    let next_need = app
        .need(&doctor, json!({"title": "洗浄ブラシの改良", "problem": "内視鏡の洗浄ブラシが早く傷む。洗浄装置と組み合わせたい。", "disclosure": "members"}))
        .await;
    let m = app
        .api(
            "GET",
            &format!(
                "/api/v1/needs/{}/matches",
                next_need["id"].as_str().unwrap()
            ),
            Some(&chamber),
            None,
        )
        .await
        .json();
    let again = m["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == a.as_str())
        .unwrap()
        .clone();
    assert!(
        again["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "earlier_collaboration: 1"),
        "{again}"
    );
}

#[tokio::test]
async fn a_firm_sees_the_needs_that_fit_its_capabilities() {
    let app = App::new().await;
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let (_, firm) = app
        .firm(
            "会津センサー株式会社",
            &["センサー", "組込みソフト"],
            "eng@sensor.example.jp",
        )
        .await;
    let (_, blank) = app.firm("白紙株式会社", &[], "eng@blank.example.jp").await;
    for (title, problem, disclosure) in [
        (
            "離床の見守り",
            "夜間の離床をセンサーで知らせたいが、誤報が多い。",
            "members",
        ),
        (
            "点滴の残量",
            "点滴の残量をセンサーで見守りたい。",
            "internal",
        ),
        ("書類の保管", "紙の同意書の保管場所が足りない。", "members"),
    ] {
        app.need(
            &doctor,
            json!({"title": title, "problem": problem, "disclosure": disclosure}),
        )
        .await;
    }
    let url = format!("/api/v1/programmes/{}/needs/for-me", app.programme_id);
    let r = app.api("GET", &url, Some(&firm), None).await.json();
    let titles: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["need"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["離床の見守り"],
        "the internal need fits too, but is not theirs to see"
    );
    assert!(
        r["items"][0]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "capabilities: センサー")
    );
    assert!(
        app.api("GET", &url, Some(&blank), None).await.json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let page = app
        .api(
            "GET",
            &format!("/programmes/{}/needs/for-me", app.programme_id),
            Some(&firm),
            None,
        )
        .await;
    assert!(page.text.contains("離床の見守り") && page.text.contains("企業の技術・能力: センサー"));
    assert!(!page.text.contains("点滴の残量"));
}
