//! The KPI ledger end to end: outcomes, verification, the seed's table, the council pack and
//! imports, on SQLite or PostgreSQL.

use crate::common::{App, PASSWORD, csrf_of};
use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};

async fn firm(app: &App, tok: &str, name: &str) -> String {
    let r = app
        .api(
            "POST",
            "/api/v1/organisations",
            Some(tok),
            Some(json!({"name": name, "kind": "company"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn outcome(
    app: &App,
    tok: &str,
    org: &str,
    kind: &str,
    fy: Value,
    jobs: i64,
    verify: bool,
) -> String {
    let path = format!("/api/v1/programmes/{}/outcomes", app.programme_id);
    let r = app.api("POST", &path, Some(tok), Some(json!({"organisation_id": org, "kind": kind, "fiscal_year": fy, "jobs": jobs, "evidence": "立地協定書"}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(r.json()["status"], "pending");
    if verify {
        let v = app
            .api(
                "POST",
                &format!("/api/v1/outcomes/{id}/verify"),
                Some(tok),
                None,
            )
            .await;
        assert_eq!(v.status, 200, "{}", v.text);
    }
    id
}

fn cell(kpi: &Value, fy: i64, key: &str) -> (Option<i64>, i64) {
    let m = kpi["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["fiscal_year"] == fy)
        .unwrap();
    let i = m["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap();
    (
        i.get("firms").map(|f| f["actual"].as_i64().unwrap()),
        i["jobs"]["actual"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn the_seed_table_is_computed_from_verified_outcomes() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let kpi_path = format!("/api/v1/programmes/{}/kpi", app.programme_id);
    let k = app.api("GET", &kpi_path, Some(&tok), None).await.json();
    assert_eq!(k["baseline_fiscal_year"], 2010);
    assert_eq!(k["baseline_label"], "平成22年度");
    let labels: Vec<&str> = k["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["令和2年度", "令和7年度"]);
    let m2020 = &k["milestones"][0]["indicators"];
    assert_eq!(m2020[0]["firms"]["target"], 8);
    assert_eq!(m2020[0]["jobs"]["target"], 590);
    assert_eq!(m2020[2]["key"], "total");
    assert!(
        m2020[2].get("firms").is_none(),
        "the total counts jobs only"
    );
    assert_eq!(m2020[2]["jobs"]["target"], 600);

    let a = firm(&app, &tok, "甲精機株式会社").await;
    let b = firm(&app, &tok, "乙工業株式会社").await;
    let c = firm(&app, &tok, "丙メディカル株式会社").await;
    let d = firm(&app, &tok, "丁製作所").await;
    outcome(&app, &tok, &a, "new_site", json!(2012), 300, true).await;
    outcome(&app, &tok, &a, "expansion", json!("平成27年度"), 50, true).await;
    outcome(&app, &tok, &b, "new_site", json!(2009), 100, true).await;
    outcome(&app, &tok, &c, "expansion", json!("R4"), 40, true).await;
    outcome(&app, &tok, &d, "new_entry", json!("２０１８年度"), 3, true).await;
    outcome(
        &app,
        &tok,
        &d,
        "commercialisation",
        json!("令和元年度"),
        2,
        true,
    )
    .await;
    let pending = outcome(&app, &tok, &b, "new_site", json!(2016), 70, false).await;
    let k = app.api("GET", &kpi_path, Some(&tok), None).await.json();
    assert_eq!(cell(&k, 2020, "new_sites_expansions"), (Some(1), 350));
    assert_eq!(cell(&k, 2025, "new_sites_expansions"), (Some(2), 390));
    assert_eq!(cell(&k, 2020, "new_entries"), (Some(1), 5));
    assert_eq!(cell(&k, 2020, "total"), (None, 355));
    assert_eq!(cell(&k, 2025, "total"), (None, 395));

    // Verifying the pending outcome moves the table; rejecting it again takes it back out.
    app.api(
        "POST",
        &format!("/api/v1/outcomes/{pending}/verify"),
        Some(&tok),
        None,
    )
    .await;
    let k = app.api("GET", &kpi_path, Some(&tok), None).await.json();
    assert_eq!(cell(&k, 2020, "new_sites_expansions"), (Some(2), 420));
    let r = app
        .api(
            "POST",
            &format!("/api/v1/outcomes/{pending}/reject"),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["errors"][0]["field"].as_str()),
        (422, Some("reason")),
        "taking back a verification needs a reason"
    );
    let r = app
        .api(
            "POST",
            &format!("/api/v1/outcomes/{pending}/reject"),
            Some(&tok),
            Some(json!({"reason": "二重計上"})),
        )
        .await;
    assert_eq!(r.json()["status"], "rejected");
    let k = app.api("GET", &kpi_path, Some(&tok), None).await.json();
    assert_eq!(cell(&k, 2020, "new_sites_expansions"), (Some(1), 350));

    // A verified outcome is never changed silently.
    let settled = outcome(&app, &tok, &c, "new_site", json!(2023), 10, true).await;
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/outcomes/{settled}"),
            Some(&tok),
            Some(json!({"jobs": 99})),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["errors"][0]["field"].as_str()),
        (422, Some("status"))
    );
    let fresh = outcome(&app, &tok, &c, "new_site", json!(2023), 10, false).await;
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/outcomes/{fresh}"),
            Some(&tok),
            Some(json!({"occurred_on": "2024-06-01", "jobs": 12})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json()["fiscal_year"].as_i64(), r.json()["jobs"].as_i64()),
        (Some(2024), Some(12)),
        "a new date decides the fiscal year"
    );

    let audit = app
        .api(
            "GET",
            &format!("/api/v1/audit?entity_id={pending}"),
            Some(&tok),
            None,
        )
        .await
        .json();
    let states: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["after"]["status"].as_str())
        .collect();
    assert_eq!(states, ["rejected", "verified", "pending"]);
}

#[tokio::test]
async fn outcome_input_is_checked_field_by_field() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let path = format!("/api/v1/programmes/{}/outcomes", app.programme_id);
    let r = app.api("POST", &path, Some(&tok), Some(json!({"organisation_id": "nope", "kind": "castle", "fiscal_year": "平成40年度", "jobs": -1}))).await;
    assert_eq!(r.status, 422);
    let body = r.json();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["kind", "fiscal_year", "jobs"]);
    let a = firm(&app, &tok, "甲精機株式会社").await;
    let r = app.api("POST", &path, Some(&tok), Some(json!({"organisation_id": "nope", "kind": "new_site", "fiscal_year": 2020, "jobs": 1}))).await;
    assert_eq!(r.json()["errors"][0]["field"], "organisation_id");
    let r = app.api("POST", &path, Some(&tok), Some(json!({"organisation_id": a, "kind": "new_site", "fiscal_year": "R2", "occurred_on": "2022-01-10", "jobs": 1}))).await;
    assert_eq!(
        r.json()["errors"][0]["field"],
        "occurred_on",
        "a date outside the fiscal year"
    );
    let r = app.api("POST", &path, Some(&tok), Some(json!({"organisation_id": a, "kind": "new_site", "occurred_on": "2021-03-31", "jobs": 1}))).await;
    assert_eq!(
        (
            r.json()["fiscal_year"].as_i64(),
            r.json()["fiscal_year_label"].as_str()
        ),
        (Some(2020), Some("令和2年度"))
    );
}

#[tokio::test]
async fn only_the_secretariat_records_and_verifies_and_others_see_the_verified_ledger() {
    let app = App::new().await;
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let nurse = app
        .user("nurse@hospital.example.jp", &app.hospital, false)
        .await;
    let a = firm(&app, &city, "甲精機株式会社").await;
    let path = format!("/api/v1/programmes/{}/outcomes", app.programme_id);
    let body = json!({"organisation_id": a, "kind": "new_site", "fiscal_year": 2020, "jobs": 5});
    assert_eq!(
        app.api("POST", &path, Some(&nurse), Some(body))
            .await
            .status,
        403
    );
    let verified = outcome(&app, &city, &a, "new_site", json!(2020), 5, true).await;
    let pending = outcome(&app, &city, &a, "expansion", json!(2021), 7, false).await;
    assert_eq!(
        app.api(
            "POST",
            &format!("/api/v1/outcomes/{pending}/verify"),
            Some(&nurse),
            None
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/outcomes/{pending}"),
            Some(&nurse),
            None
        )
        .await
        .status,
        404
    );
    // The ledger's rows are the secretariat's and each firm's own: another member reads the
    // figures, not the rows.
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/outcomes/{verified}"),
            Some(&nurse),
            None
        )
        .await
        .status,
        404
    );
    let list = app.api("GET", &path, Some(&nurse), None).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let engineer = app.user("eng@a.example.jp", &a, false).await;
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/outcomes/{verified}"),
            Some(&engineer),
            None
        )
        .await
        .status,
        200,
        "a firm reads its own verified outcome"
    );
    let own = app.api("GET", &path, Some(&engineer), None).await.json();
    let ids: Vec<&str> = own["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [verified.as_str()], "its own, verified only");
    let kpi = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{}/kpi", app.programme_id),
            Some(&nurse),
            None,
        )
        .await;
    assert_eq!(kpi.status, 200, "the figures are every member's");
    assert_eq!(
        app.api("GET", &format!("{path}?status=pending"), Some(&nurse), None)
            .await
            .status,
        403
    );
    let all = app.api("GET", &path, Some(&city), None).await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let behind = app
        .api(
            "GET",
            &format!("{path}?indicator=new_sites_expansions&fiscal_year_to=2020&status=verified"),
            Some(&city),
            None,
        )
        .await
        .json();
    assert_eq!(
        behind["items"].as_array().unwrap().len(),
        1,
        "the outcomes behind one KPI cell"
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/programmes/{}/kpi", app.programme_id),
            Some(&nurse),
            None
        )
        .await
        .status,
        200
    );
}

fn sheet(bytes: &[u8], name: &str) -> calamine::Range<Data> {
    let mut book: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook a real reader opens");
    book.worksheet_range(name).expect("sheet")
}

#[tokio::test]
async fn the_council_pack_is_a_real_workbook() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let a = firm(&app, &tok, "甲精機株式会社").await;
    outcome(&app, &tok, &a, "new_site", json!(2012), 300, true).await;
    let r = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{}/kpi.xlsx", app.programme_id),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().contains("spreadsheetml"));
    let req = axum::http::Request::builder()
        .uri(format!("/api/v1/programmes/{}/kpi.xlsx", app.programme_id))
        .header("authorization", format!("Bearer {tok}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .unwrap();
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    let t = sheet(&bytes, "将来目標");
    assert_eq!(t.get_value((3, 0)), Some(&Data::String("事項".into())));
    // Row 4: 新規立地・増設, 2020年度（令和2年度）, 企業数, target 8, actual 1, progress 0.125
    assert_eq!(
        t.get_value((4, 0)),
        Some(&Data::String("新規立地・増設".into()))
    );
    assert_eq!(
        t.get_value((4, 1)),
        Some(&Data::String("2020年度（令和2年度）".into()))
    );
    assert_eq!(
        t.get_value((4, 3)),
        Some(&Data::Float(8.0)),
        "numbers are numbers"
    );
    assert_eq!(t.get_value((4, 4)), Some(&Data::Float(1.0)));
    assert_eq!(t.get_value((4, 5)), Some(&Data::Float(0.125)));
    assert_eq!(t.get_value((5, 2)), Some(&Data::String("雇用数".into())));
    assert_eq!(t.get_value((5, 3)), Some(&Data::Float(590.0)));
    assert_eq!(t.get_value((5, 4)), Some(&Data::Float(300.0)));
    let labels: Vec<String> = (4..t.height() as u32)
        .filter_map(|r| t.get_value((r, 1)).map(|v| v.to_string()))
        .collect();
    assert!(labels.contains(&"2025年度（令和7年度）".to_string()));
    let y = sheet(&bytes, "年度別");
    assert_eq!(y.get_value((1, 0)), Some(&Data::Float(2010.0)));
    assert_eq!(
        y.get_value((1, 1)),
        Some(&Data::String("平成22年度".into()))
    );
    assert_eq!(
        y.get_value((3, 2)),
        Some(&Data::Float(300.0)),
        "FY2012: 300 new jobs"
    );
    assert_eq!(
        y.get_value((10, 1)),
        Some(&Data::String("令和元年度".into()))
    );
}

#[tokio::test]
async fn imports_are_dry_run_first_and_all_or_nothing() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let a = firm(&app, &tok, "甲精機株式会社").await;
    let import = format!("/api/v1/programmes/{}/outcomes/import", app.programme_id);
    let send = |dry: bool, bytes: Vec<u8>, ctype: &'static str| {
        axum::http::Request::builder()
            .method("POST")
            .uri(format!("{import}?dry_run={dry}"))
            .header("authorization", format!("Bearer {tok}"))
            .header("content-type", ctype)
            .body(axum::body::Body::from(bytes))
            .unwrap()
    };
    let csv = "団体,種別,年度,雇用,根拠\n甲精機株式会社,新規立地,平成24年度,120,立地協定書\n存在しない会社,増設,R2,10,\n甲精機株式会社,事業化,2019,たくさん,\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(csv);
    let r = app.request(send(true, sjis.to_vec(), "text/csv")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    assert_eq!(
        (
            body["valid"].as_i64(),
            body["invalid"].as_i64(),
            body["imported"].as_i64()
        ),
        (Some(1), Some(2), Some(0))
    );
    assert_eq!(body["rows"][0]["row"], 2);
    assert_eq!(body["rows"][0]["organisation"]["id"], a.as_str());
    assert_eq!(body["rows"][0]["fiscal_year"], 2012);
    assert_eq!(body["rows"][1]["errors"][0]["field"], "organisation_id");
    assert_eq!(body["rows"][2]["errors"][0]["field"], "jobs");
    let r = app.request(send(false, sjis.to_vec(), "text/csv")).await;
    assert_eq!(r.status, 422, "an import with a bad row writes nothing");
    let list = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{}/outcomes", app.programme_id),
            Some(&tok),
            None,
        )
        .await
        .json();
    assert!(list["items"].as_array().unwrap().is_empty());

    // The same rows as an XLSX file written by a spreadsheet program, corrected.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in ["団体", "種別", "日付", "雇用"].iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    ws.write(1, 0, "甲精機株式会社").unwrap();
    ws.write(1, 1, "新規立地").unwrap();
    ws.write(1, 2, "2012-07-01").unwrap();
    ws.write(1, 3, 120).unwrap();
    ws.write(2, 0, "甲精機株式会社").unwrap();
    ws.write(2, 1, "増設").unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2020, 11, 4).unwrap();
    ws.write_with_format(
        2,
        2,
        &date,
        &rust_xlsxwriter::Format::new().set_num_format("yyyy/mm/dd"),
    )
    .unwrap();
    ws.write(2, 3, 15).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let r = app
        .request(send(
            false,
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["imported"], 2);
    assert_eq!(
        r.json()["rows"][1]["fiscal_year"],
        2020,
        "an Excel date cell is read as a date"
    );
    let list = app
        .api(
            "GET",
            &format!(
                "/api/v1/programmes/{}/outcomes?status=pending",
                app.programme_id
            ),
            Some(&tok),
            None,
        )
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["items"][0]["source"], "import");
}

#[tokio::test]
async fn the_kpi_page_shows_targets_actuals_chart_and_the_outcomes_behind_them() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    app.account("clerk@city.example.jp", &app.city, false, false)
        .await;
    let a = firm(&app, &tok, "甲精機株式会社").await;
    outcome(&app, &tok, &a, "new_site", json!(2012), 300, true).await;
    outcome(&app, &tok, &a, "expansion", json!(2013), 20, false).await;
    let (_, cookie) = app.sign_in("clerk@city.example.jp", PASSWORD).await;
    let page = app
        .browse(
            "GET",
            &format!("/programmes/{}/kpi", app.programme_id),
            &cookie,
            None,
        )
        .await;
    assert_eq!(page.status, 200);
    for text in [
        "2020年度（令和2年度）",
        "2025年度（令和7年度）",
        "平成22年度",
        "<svg",
        "目標への直線",
        "300名",
        "590名",
        "目標まで",
        "kpi.xlsx",
        "51%",
    ] {
        assert!(page.text.contains(text), "{text}");
    }
    let link = format!(
        "/programmes/{}/outcomes?indicator=new_sites_expansions&#38;fiscal_year_to=2020",
        app.programme_id
    );
    assert!(
        page.text.contains(&link),
        "every number links to its outcomes: {}",
        page.text
            .split("indicator=")
            .nth(1)
            .unwrap_or_default()
            .get(..80)
            .unwrap_or_default()
    );
    let behind = app
        .browse("GET", &link.replace("&#38;", "&"), &cookie, None)
        .await;
    assert!(behind.text.contains("甲精機株式会社") && behind.text.contains("300"));
    assert!(
        !behind.text.contains(">20<"),
        "the pending outcome is not behind a KPI number"
    );
    let print = app
        .browse(
            "GET",
            &format!("/programmes/{}/kpi/print", app.programme_id),
            &cookie,
            None,
        )
        .await;
    assert_eq!(print.status, 200);

    // Recording through the form, then verifying through the outcome page.
    let form = app
        .browse(
            "GET",
            &format!("/programmes/{}/outcomes/new", app.programme_id),
            &cookie,
            None,
        )
        .await;
    let csrf = csrf_of(&form.text);
    let bad = app
        .browse(
            "POST",
            &format!("/programmes/{}/outcomes", app.programme_id),
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("organisation_id", &a),
                ("kind", "new_site"),
                ("fiscal_year", "令和2年度"),
                ("jobs", "十"),
            ]),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("雇用数は数値で入力してください"));
    let ok = app
        .browse(
            "POST",
            &format!("/programmes/{}/outcomes", app.programme_id),
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("organisation_id", &a),
                ("kind", "new_site"),
                ("fiscal_year", "令和2年度"),
                ("jobs", "10"),
            ]),
        )
        .await;
    assert_eq!(ok.status, 303);
    let shown = app
        .browse("GET", ok.header("location").unwrap(), &cookie, None)
        .await;
    assert!(shown.text.contains("確認待ち") && shown.text.contains("2020年度（令和2年度）"));
    let id = ok
        .header("location")
        .unwrap()
        .trim_start_matches("/outcomes/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let v = app
        .browse(
            "POST",
            &format!("/outcomes/{id}/verify"),
            &cookie,
            Some(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(v.status, 303);
    assert!(
        app.browse("GET", &format!("/outcomes/{id}"), &cookie, None)
            .await
            .text
            .contains("確認済み")
    );
}

#[tokio::test]
async fn the_ledger_names_what_it_cannot_filter_and_pending_corrections_only() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    let a = firm(&app, &tok, "甲精機株式会社").await;
    let path = format!("/api/v1/programmes/{}/outcomes", app.programme_id);
    let r = app
        .api(
            "GET",
            &format!("{path}?indicator=bogus&kind=zz"),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, 422);
    let body = r.json();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["indicator", "kind"]);
    assert_eq!(
        app.api("GET", "/api/v1/programmes/nope/outcomes", Some(&tok), None)
            .await
            .status,
        404
    );
    let id = outcome(&app, &tok, &a, "new_site", json!(2020), 5, false).await;
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/outcomes/{id}"),
            Some(&tok),
            Some(json!({"occurred_on": "2021-05-01"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["fiscal_year"],
        2021,
        "a new date decides the fiscal year"
    );
    let only_new_sites = app
        .api("GET", &format!("{path}?kind=new_site"), Some(&tok), None)
        .await
        .json();
    assert_eq!(only_new_sites["items"].as_array().unwrap().len(), 1);
    app.api(
        "POST",
        &format!("/api/v1/outcomes/{id}/verify"),
        Some(&tok),
        None,
    )
    .await;
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/outcomes/{id}"),
            Some(&tok),
            Some(json!({"jobs": 6})),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["errors"][0]["field"].as_str()),
        (422, Some("status")),
        "a verified outcome is settled"
    );
    let r = app
        .api(
            "POST",
            &format!("/api/v1/outcomes/{id}/reject"),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["errors"][0]["field"].as_str()),
        (422, Some("reason")),
        "taking back a verification needs a reason"
    );
}

#[tokio::test]
async fn outcomes_import_through_their_page_after_a_dry_run() {
    let app = App::new().await;
    let tok = app.user("staff@city.example.jp", &app.city, false).await;
    app.account("clerk@city.example.jp", &app.city, false, false)
        .await;
    firm(&app, &tok, "甲精機株式会社").await;
    let (_, cookie) = app.sign_in("clerk@city.example.jp", PASSWORD).await;
    let path = format!("/programmes/{}/outcomes/import", app.programme_id);
    let form = app.browse("GET", &path, &cookie, None).await;
    assert_eq!(form.status, 200);
    let csrf = csrf_of(&form.text);
    let send = |csv: &str| {
        let boundary = "noguchi-test-boundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sheet.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
        );
        axum::http::Request::builder()
            .method("POST")
            .uri(format!("{path}?csrf={csrf}"))
            .header("cookie", &cookie)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let bad = "団体,種別,年度,雇用\n甲精機株式会社,新規立地,R2,12\n幻の会社,増設,R3,1\n";
    let checked = app.request(send(bad)).await;
    assert_eq!(checked.status, 200);
    assert!(checked.text.contains("新規立地") && checked.text.contains("誤りがあります"));
    assert!(
        !checked.text.contains("name=\"csv\""),
        "nothing to confirm while a row is bad"
    );
    assert_eq!(app.request(send("見出しなし\n")).await.status, 422);
    let good = "団体,種別,年度,雇用\n甲精機株式会社,新規立地,R2,12\n";
    let confirmed = app
        .browse(
            "POST",
            &path,
            &cookie,
            Some(&[("csrf", &csrf), ("csv", good)]),
        )
        .await;
    assert_eq!(confirmed.status, 303);
    let list = app
        .browse("GET", confirmed.header("location").unwrap(), &cookie, None)
        .await;
    assert!(list.text.contains("甲精機株式会社") && list.text.contains("確認待ち"));
}
