//! Needs surveys: campaigns, their links, and the anonymous answer form with the guard's
//! screening, on the real router and database (SQLite, or PostgreSQL when configured).

use crate::common::{App, csrf_of, fields};
use serde_json::{Value, json};

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

/// A public link cannot be flooded: twenty stored answers from one address fill its quota and
/// the next answer is refused with 429; an answer sent back to revise (it named a patient) or
/// refused as invalid does not use the quota.
#[tokio::test]
async fn a_link_takes_a_bounded_number_of_answers_from_one_address() {
    let app = App::new().await;
    let chamber = app.user("staff@cci.example.jp", &app.chamber, false).await;
    let c = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{}/campaigns", app.programme_id),
            Some(&chamber),
            Some(json!({"title": "病棟ニーズ調査", "organisation_id": app.hospital})),
        )
        .await
        .json();
    let (cid, link) = (
        c["id"].as_str().unwrap().to_owned(),
        c["link"].as_str().unwrap().to_owned(),
    );
    let (cookie, csrf) = open_form(&app, &link).await;
    let send = |problem: String| {
        let (app, link, cookie, csrf) = (&app, &link, &cookie, &csrf);
        async move {
            app.browse(
                "POST",
                link,
                cookie,
                Some(&[("csrf", csrf), ("problem", &problem), ("attestation", "on")]),
            )
            .await
            .status
        }
    };
    // Neither of these is stored, so neither counts.
    assert_eq!(
        send("305号室の山田太郎様（72歳）の点滴が抜ける。".into()).await,
        422
    );
    assert_eq!(send(String::new()).await, 422);
    for i in 0..20 {
        assert_eq!(
            send(format!("病棟の困りごと その{i}：台車が重い。")).await,
            200,
            "answer {i}"
        );
    }
    assert_eq!(send("二十一件目の困りごと。".into()).await, 429);
    assert_eq!(answers(&app, &chamber, &cid).await.len(), 20);
}
