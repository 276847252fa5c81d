//! Curation of needs: the status workflow and held needs, scores, NDAs, the sheet import, and
//! the first status of a flagged need through every channel; on the real router and database
//! (SQLite, or PostgreSQL when configured). Surveys and matching have their own files.

use crate::common::{App, csrf_of, enc, fields};
use serde_json::{Value, json};

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
        .sign_in("nurse@hospital.example.jp", crate::common::PASSWORD)
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
