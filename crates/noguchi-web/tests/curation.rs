//! Needs surveys with their anonymous form, curation (status workflow, scores), NDAs and match
//! proposals, on the real router and database (SQLite, or PostgreSQL when configured).

mod common;

use common::{App, csrf_of, enc};
use serde_json::{Value, json};

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The needs that came through a campaign, as `token` may see them.
async fn answers(app: &App, token: &str, campaign: &str) -> Vec<Value> {
    app.api(
        "GET",
        &format!("/api/v1/programmes/{}/needs", app.programme_id),
        Some(token),
        None,
    )
    .await
    .json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["campaign_id"] == campaign)
        .cloned()
        .collect()
}

/// Opens a survey form like a browser without an account; returns the cookie and CSRF token.
async fn open_form(app: &App, link: &str) -> (String, String) {
    let form = app.browse("GET", link, "", None).await;
    assert_eq!(form.status, 200, "{}", form.text);
    let pre = form
        .cookie("noguchi_pre")
        .expect("the form sets a CSRF cookie");
    (format!("noguchi_pre={pre}"), csrf_of(&form.text))
}

#[tokio::test]
async fn a_survey_collects_needs_through_its_link_without_an_account() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let chamber = app.user("staff@cci.example.jp", &app.chamber, false).await;
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let (_, firm) = app
        .firm("外部精機株式会社", &[], "eng@gaibu.example.jp")
        .await;
    let url = format!("/api/v1/programmes/{p}/campaigns");

    let r = app
        .api(
            "POST",
            &url,
            Some(&firm),
            Some(json!({"title": "x", "organisation_id": app.hospital})),
        )
        .await;
    assert_eq!(r.status, 403, "a firm does not run surveys");
    let r = app
        .api(
            "POST",
            &url,
            Some(&chamber),
            Some(json!({"organisation_id": app.hospital, "opens_on": "2026-02-01", "closes_on": "2026-01-01"})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(fields(&r.json()), ["title", "closes_on"]);
    let r = app
        .api(
            "POST",
            &url,
            Some(&chamber),
            Some(json!({"title": "2026年度 会津医療センター ニーズ調査", "organisation_id": app.hospital, "description": "病棟・外来の困りごとを募集します。"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let c = r.json();
    let (cid, link) = (
        c["id"].as_str().unwrap().to_owned(),
        c["link"].as_str().unwrap().to_owned(),
    );
    assert_eq!(
        (c["open"].as_bool(), c["default_disclosure"].as_str()),
        (Some(true), Some("internal"))
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/campaigns/{cid}"),
            Some(&doctor),
            None
        )
        .await
        .json()["link"],
        link.as_str(),
        "the surveyed hospital passes the link on"
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/campaigns/{cid}"),
            Some(&firm),
            None
        )
        .await
        .status,
        404
    );

    // Without the attestation: refused, naming the box.
    let (cookie, csrf) = open_form(&app, &link).await;
    let problem = "採血時に細い血管の位置が分かりにくく、穿刺をやり直すことが多い。";
    let r = app
        .browse(
            "POST",
            &link,
            &cookie,
            Some(&[("csrf", &csrf), ("problem", problem)]),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("チェックを入れてください"), "{}", r.text);

    // Patient information: shown back to the clinician, nothing stored yet.
    let phi = "305号室の山田太郎様（72歳）の点滴が夜間に抜ける。";
    let r = app
        .browse(
            "POST",
            &link,
            &cookie,
            Some(&[("csrf", &csrf), ("problem", phi), ("attestation", "on")]),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.text.contains("山田太郎様") && r.text.contains("send_as_is"),
        "{}",
        r.text
    );
    assert!(
        answers(&app, &chamber, &cid).await.is_empty(),
        "nothing half-written"
    );

    // Sent as it is anyway: stored, but held.
    let r = app
        .browse(
            "POST",
            &link,
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("problem", phi),
                ("attestation", "on"),
                ("send_as_is", "on"),
            ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("担当者の確認まで公開されません"));
    // An ordinary answer, with a contact for questions.
    let r = app
        .browse(
            "POST",
            &link,
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("problem", problem),
                ("setting", "外来"),
                ("contact", "検査部 内線2345"),
                ("attestation", "on"),
            ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let got = answers(&app, &doctor, &cid).await;
    assert_eq!(got.len(), 2, "the hospital sees both answers");
    let held = got.iter().find(|n| n["screening"]["held"] == true).unwrap();
    let fine = got
        .iter()
        .find(|n| n["screening"]["held"] == false)
        .unwrap();
    assert_eq!(fine["submitter"]["id"], app.hospital.as_str());
    assert_eq!(
        (
            fine["disclosure"].as_str(),
            fine["status"].as_str(),
            fine["attested"].as_bool()
        ),
        (Some("internal"), Some("received"), Some(true))
    );
    assert_eq!(fine["contact"], "検査部 内線2345");
    assert!(
        fine["title"]
            .as_str()
            .unwrap()
            .starts_with("採血時に細い血管")
    );
    assert!(held["screening"]["findings"].as_array().unwrap().len() >= 2);
    assert!(
        answers(&app, &firm, &cid).await.is_empty(),
        "internal until curated"
    );
    let fid = fine["id"].as_str().unwrap();
    assert_eq!(
        app.api("GET", &format!("/api/v1/needs/{fid}"), Some(&firm), None)
            .await
            .status,
        404
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/campaigns/{cid}"),
            Some(&chamber),
            None
        )
        .await
        .json()["answers"],
        2
    );

    // The link can be stopped, restarted and replaced; a closed campaign takes nothing.
    let link_action = |action: &str| {
        let body = json!({"action": action});
        let chamber = chamber.clone();
        let cid = cid.clone();
        let app = &app;
        async move {
            app.api(
                "POST",
                &format!("/api/v1/campaigns/{cid}/link"),
                Some(&chamber),
                Some(body),
            )
            .await
            .json()
        }
    };
    assert_eq!(link_action("disable").await["link"], Value::Null);
    assert_eq!(app.browse("GET", &link, "", None).await.status, 404);
    assert_eq!(link_action("enable").await["link"], link.as_str());
    let new_link = link_action("replace").await["link"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_link, link);
    assert_eq!(
        app.browse("GET", &link, "", None).await.status,
        404,
        "the old link is dead"
    );
    assert_eq!(app.browse("GET", &new_link, "", None).await.status, 200);
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/campaigns/{cid}"),
            Some(&chamber),
            Some(json!({"opens_on": "2020-04-01", "closes_on": "2020-05-31"})),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["open"].as_bool()),
        (200, Some(false))
    );
    assert_eq!(app.browse("GET", &new_link, "", None).await.status, 404);
    let (cookie2, csrf2) = (cookie.clone(), csrf.clone());
    let r = app
        .browse(
            "POST",
            &new_link,
            &cookie2,
            Some(&[
                ("csrf", &csrf2),
                ("problem", problem),
                ("attestation", "on"),
            ]),
        )
        .await;
    assert_eq!(r.status, 404, "a closed campaign stores nothing");
    assert_eq!(answers(&app, &chamber, &cid).await.len(), 2);

    // The campaign page lists its link and answers for the secretariat.
    let page = app
        .api("GET", &format!("/campaigns/{cid}"), Some(&chamber), None)
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains(&new_link) && page.text.contains("採血時に細い血管"));
}

#[tokio::test]
async fn curators_move_needs_through_the_workflow_and_held_needs_stay_unpublished() {
    let app = App::new().await;
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let (firm_id, firm) = app
        .firm("検査精機株式会社", &[], "eng@kensa.example.jp")
        .await;
    let n = app
        .need(&doctor, json!({"title": "歩行器の高さ調整", "problem": "リハビリ用の歩行器の高さ調整に工具が必要で時間がかかる。", "disclosure": "members"}))
        .await;
    let id = n["id"].as_str().unwrap();
    let status = |body: Value, token: String| {
        let app = &app;
        async move {
            app.api(
                "POST",
                &format!("/api/v1/needs/{id}/status"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let r = status(json!({"status": "published"}), doctor.clone()).await;
    assert_eq!(
        (r.status.as_u16(), r.json()["status"].as_str()),
        (200, Some("published"))
    );
    let r = status(json!({"status": "screening"}), doctor.clone()).await;
    assert_eq!(r.status, 422, "moving back needs a reason");
    assert_eq!(fields(&r.json()), ["status"]);
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("理由")
    );
    let r = status(
        json!({"status": "screening", "note": "用途の確認が必要"}),
        doctor.clone(),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = status(json!({"status": "published"}), firm.clone()).await;
    assert_eq!(
        r.status, 403,
        "a firm that may read the need does not curate it"
    );
    let r = status(
        json!({"status": "published", "date": "2999-01-01"}),
        doctor.clone(),
    )
    .await;
    assert_eq!(fields(&r.json()), ["date"]);
    let h = app
        .api(
            "GET",
            &format!("/api/v1/needs/{id}/history"),
            Some(&doctor),
            None,
        )
        .await
        .json();
    let moves: Vec<(&str, &str)> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["to"].as_str().unwrap(), m["note"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        moves,
        [
            ("received", ""),
            ("published", ""),
            ("screening", "用途の確認が必要")
        ]
    );

    // A held need cannot be published, by a move or by an edit, until it is released.
    let held = app
        .need(&doctor, json!({"title": "転倒", "problem": "田中花子さん（88歳）がベッドから転落した。", "disclosure": "members"}))
        .await;
    let hid = held["id"].as_str().unwrap();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/needs/{hid}/status"),
            Some(&doctor),
            Some(json!({"status": "published"})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("患者情報")
    );
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/needs/{hid}"),
            Some(&doctor),
            Some(json!({"status": "published"})),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/needs/{hid}"),
            Some(&doctor),
            Some(json!({"problem": "夜間にベッドから転落する患者がいる。"})),
        )
        .await;
    assert_eq!(
        r.json()["screening"]["held"],
        true,
        "an edit does not release a hold"
    );
    let chamber = app.user("staff@cci.example.jp", &app.chamber, false).await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/needs/{hid}/proposals"),
            Some(&chamber),
            Some(json!({"candidate_type": "organisation", "candidate_id": firm_id, "summary": "転倒防止のご相談です。"})),
        )
        .await;
    assert_eq!(r.status, 422, "a held need is not matched");
    assert_eq!(fields(&r.json()), ["need"]);
    app.api(
        "POST",
        &format!("/api/v1/needs/{hid}/release"),
        Some(&doctor),
        None,
    )
    .await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/needs/{hid}/status"),
            Some(&doctor),
            Some(json!({"status": "published"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // The board shows each need in its status's column.
    let page = app
        .api(
            "GET",
            &format!("/programmes/{}/needs?view=board", app.programme_id),
            Some(&doctor),
            None,
        )
        .await;
    let column = |label: &str| {
        page.text
            .split("<section class=\"column\"")
            .find(|c| c.contains(&format!("aria-label=\"{label}\"")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(column("精査").contains("歩行器の高さ調整"), "{}", page.text);
    assert!(column("公開").contains("転倒"));
}

#[tokio::test]
async fn reviewers_score_needs_on_the_programmes_named_criteria() {
    let app = App::new().await;
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let prof = app
        .user("prof@u-aizu.example.jp", &app.university, false)
        .await;
    let pm = app
        .user("pm@fmdipa.example.jp", &app.foundation, false)
        .await;
    let chamber = app.user("staff@cci.example.jp", &app.chamber, false).await;
    let (_, firm) = app
        .firm("評価精機株式会社", &[], "eng@hyoka.example.jp")
        .await;
    let n = app
        .need(&doctor, json!({"title": "移乗の負担", "problem": "車いすからベッドへの移乗時に、介助者の腰への負担が大きい。", "disclosure": "members"}))
        .await;
    let url = format!("/api/v1/needs/{}/scores", n["id"].as_str().unwrap());
    assert_eq!(
        app.api("GET", &url, Some(&doctor), None).await.status,
        403,
        "the submitter does not judge its own need"
    );
    assert_eq!(app.api("GET", &url, Some(&firm), None).await.status, 403);
    let r = app
        .api("POST", &url, Some(&prof), Some(json!({"scores": {"market": 4, "urgency": 5}, "comment": "有望。介護施設にも展開できる。"})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .api(
            "POST",
            &url,
            Some(&pm),
            Some(json!({"scores": {"market": 2}})),
        )
        .await;
    let s = r.json();
    let market = s["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "market")
        .unwrap()
        .clone();
    assert_eq!(
        (
            market["average"].as_f64(),
            market["reviewers"].as_i64(),
            market["mine"].as_i64()
        ),
        (Some(3.0), Some(2), Some(2))
    );
    assert_eq!(market["label"], "市場性");
    assert_eq!(s["reviewers"], 2);
    assert_eq!(s["overall"].as_f64(), Some((3.0 + 5.0) / 2.0));
    let r = app
        .api(
            "POST",
            &url,
            Some(&prof),
            Some(json!({"scores": {"beauty": 3, "market": 9}})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(fields(&r.json()), ["scores.beauty", "scores.market"]);
    assert!(
        r.json()["errors"][1]["message"]
            .as_str()
            .unwrap()
            .contains("市場性"),
        "the criterion is named as the programme calls it"
    );
    let r = app
        .api(
            "POST",
            &url,
            Some(&prof),
            Some(json!({"scores": {"market": 5}})),
        )
        .await;
    let s = r.json();
    let market = s["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "market")
        .unwrap()
        .clone();
    assert_eq!(
        market["average"].as_f64(),
        Some(3.5),
        "a reviewer's new score replaces theirs"
    );
    let seen = app.api("GET", &url, Some(&chamber), None).await.json();
    assert!(seen["comments"].to_string().contains("有望"));
}

#[tokio::test]
async fn ndas_are_recorded_listed_and_ended_and_access_follows_them() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let chamber = app.user("staff@cci.example.jp", &app.chamber, false).await;
    let (a, firm_a) = app
        .firm("秘密保持精工株式会社", &["洗浄装置"], "a@example.jp")
        .await;
    let n = app
        .need(&doctor, json!({"title": "内視鏡洗浄の負担", "problem": "内視鏡の用手洗浄に時間がかかり、カナリアQX91の工程で詰まる。", "disclosure": "nda"}))
        .await;
    let id = n["id"].as_str().unwrap();
    let ndas = format!("/api/v1/needs/{id}/ndas");
    let search = format!("/api/v1/search?type=need&q={}", enc("内視鏡 洗浄"));
    assert_eq!(
        app.api("GET", &search, Some(&firm_a), None).await.json()["total"],
        0
    );
    let r = app
        .api(
            "POST",
            &ndas,
            Some(&chamber),
            Some(json!({"organisation_id": a, "signed_on": "2999-04-01"})),
        )
        .await;
    assert_eq!(fields(&r.json()), ["signed_on"]);
    let r = app
        .api(
            "POST",
            &ndas,
            Some(&chamber),
            Some(json!({"organisation_id": "nobody"})),
        )
        .await;
    assert_eq!(fields(&r.json()), ["organisation_id"]);
    let r = app
        .api("POST", &ndas, Some(&chamber), Some(json!({"organisation_id": a, "signed_on": "2025-04-01", "document_ref": "NDA-2025-014"})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        app.api("GET", &format!("/api/v1/needs/{id}"), Some(&firm_a), None)
            .await
            .status,
        200
    );
    assert_eq!(
        app.api("GET", &search, Some(&firm_a), None).await.json()["total"],
        1
    );
    let list = app.api("GET", &ndas, Some(&doctor), None).await.json();
    assert_eq!(
        (
            list["items"][0]["organisation"]["id"].as_str(),
            list["items"][0]["signed_on"].as_str(),
            list["items"][0]["document_ref"].as_str()
        ),
        (Some(a.as_str()), Some("2025-04-01"), Some("NDA-2025-014"))
    );
    assert_eq!(
        app.api("GET", &ndas, Some(&firm_a), None).await.status,
        403,
        "the NDA list is the reviewers'"
    );
    let register = app
        .api(
            "GET",
            &format!("/programmes/{p}/ndas"),
            Some(&chamber),
            None,
        )
        .await;
    assert!(
        register.text.contains("NDA-2025-014") && register.text.contains("秘密保持精工株式会社")
    );
    assert_eq!(
        app.api("GET", &format!("/programmes/{p}/ndas"), Some(&firm_a), None)
            .await
            .status,
        403
    );

    let end = format!("/api/v1/needs/{id}/ndas/{a}");
    assert_eq!(
        app.api("DELETE", &end, Some(&doctor), None).await.status,
        403,
        "the secretariat keeps NDA records"
    );
    assert_eq!(
        app.api("DELETE", &end, Some(&chamber), None).await.status,
        200
    );
    assert_eq!(
        app.api("DELETE", &end, Some(&chamber), None).await.status,
        404
    );
    assert_eq!(
        app.api("GET", &format!("/api/v1/needs/{id}"), Some(&firm_a), None)
            .await
            .status,
        404
    );
    let s = app.api("GET", &search, Some(&firm_a), None).await;
    assert_eq!(s.json()["total"], 0, "search forgets at once");
    assert!(!s.text.contains("QX91"));
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

#[tokio::test]
async fn a_needs_sheet_is_checked_screened_and_imported_whole() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let chamber = app.user("staff@cci.example.jp", &app.chamber, false).await;
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let (_, firm) = app
        .firm("取込精機株式会社", &[], "eng@torikomi.example.jp")
        .await;
    let send = |token: &str, dry: bool, bytes: Vec<u8>| {
        axum::http::Request::builder()
            .method("POST")
            .uri(format!("/api/v1/programmes/{p}/needs/import?dry_run={dry}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "text/csv")
            .body(axum::body::Body::from(bytes))
            .unwrap()
    };
    let needs_of = |token: String| {
        let app = &app;
        let p = p.clone();
        async move {
            app.api(
                "GET",
                &format!("/api/v1/programmes/{p}/needs"),
                Some(&token),
                None,
            )
            .await
            .json()["items"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let hospital = "公立大学法人福島県立医科大学会津医療センター";
    let bad = format!(
        "件名,課題,診療科・部署,公開範囲,提出団体\n\
         歩行器の調整,リハビリ用の歩行器の高さ調整に工具が必要で時間がかかる。,リハビリ科,会員限定,{hospital}\n\
         ,305号室の鈴木次郎様のナースコールが押しにくい。,看護部,,{hospital}\n\
         空の課題,,外科,内部,{hospital}\n"
    );
    let r = app
        .request(send(&chamber, true, bad.clone().into_bytes()))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let report = r.json();
    assert_eq!(
        (
            report["valid"].as_i64(),
            report["invalid"].as_i64(),
            report["held"].as_i64(),
            report["imported"].as_i64()
        ),
        (Some(2), Some(1), Some(1), Some(0))
    );
    assert_eq!(report["rows"][2]["row"], 4);
    assert_eq!(report["rows"][2]["errors"][0]["field"], "problem");
    assert!(
        report["rows"][1]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "name_with_honorific")
    );
    let r = app.request(send(&chamber, false, bad.into_bytes())).await;
    assert_eq!(r.status, 422, "all rows or none");
    assert!(needs_of(chamber.clone()).await.is_empty());

    // Fixed, in Shift_JIS as Excel saves it: both rows stored for the hospital.
    let good = format!(
        "件名,課題,診療科・部署,公開範囲,提出団体\n\
         歩行器の調整,リハビリ用の歩行器の高さ調整に工具が必要で時間がかかる。,リハビリ科,会員限定,{hospital}\n\
         ,305号室の鈴木次郎様のナースコールが押しにくい。,看護部,,{hospital}\n"
    );
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&good);
    let r = app.request(send(&chamber, false, sjis.to_vec())).await;
    assert_eq!(r.json()["imported"], 2, "{}", r.text);
    let stored = needs_of(doctor.clone()).await;
    assert_eq!(stored.len(), 2, "filed under the hospital");
    let walker = stored
        .iter()
        .find(|n| n["title"] == "歩行器の調整")
        .unwrap();
    assert_eq!(
        (walker["disclosure"].as_str(), walker["department"].as_str()),
        (Some("members"), Some("リハビリ科"))
    );
    let call = stored
        .iter()
        .find(|n| n["title"] != "歩行器の調整")
        .unwrap();
    assert_eq!(call["screening"]["held"], true);
    assert_eq!(
        call["disclosure"], "internal",
        "an imported need is internal unless the sheet says otherwise"
    );
    assert_eq!(
        needs_of(firm.clone()).await.len(),
        1,
        "the firm sees the members-level one only"
    );

    // A hospital imports for itself only; a firm imports nothing.
    let other = "件名,課題,提出団体\nx,病棟の体位変換の記録を手書きしている。,会津若松市\n";
    let r = app
        .request(send(&doctor, true, other.as_bytes().to_vec()))
        .await;
    assert_eq!(r.json()["rows"][0]["errors"][0]["field"], "organisation_id");
    let own = "件名,課題\nx,病棟の体位変換の記録を手書きしている。\n";
    let r = app
        .request(send(&doctor, false, own.as_bytes().to_vec()))
        .await;
    assert_eq!(r.json()["imported"], 1);
    assert_eq!(
        app.request(send(&firm, true, own.as_bytes().to_vec()))
            .await
            .status,
        403
    );
    let r = app
        .request(send(&chamber, true, b"a,b\n1,2\n".to_vec()))
        .await;
    assert_eq!(r.status, 422, "a sheet without a problem column is refused");

    // The page: dry run, then the confirmation posts back exactly the checked rows.
    let page = app
        .api(
            "GET",
            &format!("/programmes/{p}/needs/import"),
            Some(&chamber),
            None,
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("課題（必須）"));
}

/// A need the guard flags starts at 受付 whatever status was asked for, through every channel
/// that takes a status: the API (which answered `published` before the rule was the store's),
/// the sheet import (a 状態 column) and the member form. The form, like the API, records the
/// attestation as given instead of demanding it.
#[tokio::test]
async fn a_flagged_need_starts_received_whatever_status_was_asked() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let flagged = "305号室の山田太郎様（72歳）の点滴が夜間に抜ける。";
    let ordinary = "リハビリ用の歩行器の高さ調整に工具が必要で時間がかかる。";

    // The API.
    let held = app
        .need(
            &doctor,
            json!({"title": "点滴の固定", "problem": flagged, "disclosure": "members", "status": "published"}),
        )
        .await;
    assert_eq!(
        (held["status"].as_str(), held["screening"]["held"].as_bool()),
        (Some("received"), Some(true)),
        "{held}"
    );
    let fine = app
        .need(
            &doctor,
            json!({"title": "歩行器の調整", "problem": ordinary, "disclosure": "members", "status": "published"}),
        )
        .await;
    assert_eq!(
        (fine["status"].as_str(), fine["screening"]["held"].as_bool()),
        (Some("published"), Some(false)),
        "an ordinary need keeps the status asked for"
    );
    let history = app
        .api(
            "GET",
            &format!("/api/v1/needs/{}/history", held["id"].as_str().unwrap()),
            Some(&doctor),
            None,
        )
        .await
        .json();
    assert_eq!(history["items"][0]["to"], "received", "{history}");

    // The sheet, with a 状態 column.
    let sheet = format!(
        "件名,課題,公開範囲,状態\n\
         シートの点滴,{flagged},会員限定,公開\n\
         シートの歩行器,{ordinary},会員限定,公開\n"
    );
    let r = app
        .request(
            axum::http::Request::builder()
                .method("POST")
                .uri(format!("/api/v1/programmes/{p}/needs/import?dry_run=false"))
                .header("authorization", format!("Bearer {doctor}"))
                .header("content-type", "text/csv")
                .body(axum::body::Body::from(sheet))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json()["imported"].as_i64(), r.json()["held"].as_i64()),
        (Some(2), Some(1))
    );
    let listed = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/needs"),
            Some(&doctor),
            None,
        )
        .await
        .json();
    let status_of = |title: &str| {
        let n = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["title"] == title)
            .unwrap_or_else(|| panic!("{title} in {listed}"));
        (
            n["status"].as_str().unwrap().to_owned(),
            n["screening"]["held"].as_bool().unwrap(),
        )
    };
    assert_eq!(status_of("シートの点滴"), ("received".to_owned(), true));
    assert_eq!(status_of("シートの歩行器"), ("published".to_owned(), false));

    // The member form: the same use case as the API (a status is honoured unless the guard
    // holds the need; the attestation is recorded, not demanded).
    app.account("nurse@hospital.example.jp", &app.hospital, false, false)
        .await;
    let (_, cookie) = app
        .sign_in("nurse@hospital.example.jp", common::PASSWORD)
        .await;
    let form = app
        .browse("GET", &format!("/programmes/{p}/needs/new"), &cookie, None)
        .await;
    assert_eq!(form.status, 200, "{}", form.text);
    let csrf = csrf_of(&form.text);
    let r = app
        .browse(
            "POST",
            &format!("/programmes/{p}/needs"),
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("title", "フォームの点滴"),
                ("problem", flagged),
                ("disclosure", "members"),
                ("status", "published"),
            ]),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let location = r.header("location").unwrap_or_default().to_owned();
    assert!(location.contains("need-held-flash"), "{location}");
    let id = location
        .trim_start_matches("/needs/")
        .split('?')
        .next()
        .unwrap();
    let n = app
        .api("GET", &format!("/api/v1/needs/{id}"), Some(&doctor), None)
        .await
        .json();
    assert_eq!(
        (
            n["status"].as_str(),
            n["screening"]["held"].as_bool(),
            n["attested"].as_bool()
        ),
        (Some("received"), Some(true), Some(false)),
        "{n}"
    );
}
