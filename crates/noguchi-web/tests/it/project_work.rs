//! A project's work: gate reviews that decide and move the project, grants with the reports
//! their award brings (states and one reminder each), documents kept by their content and
//! served only as downloads to those who see the project, and the project pages as a browser
//! uses them.

use crate::common::{App, fields};
use axum::body::Body;
use axum::http::Request;
use noguchi_domain::dates::format_date;
use serde_json::{Value, json};

/// A project run by the foundation with one member firm; (project id, foundation token,
/// member firm id, member token).
async fn project(app: &App) -> (String, String, String, String) {
    let p = app.programme_id.clone();
    let foundation = app
        .user("pm@foundation.example.jp", &app.foundation, false)
        .await;
    let (member, member_token) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/projects"),
            Some(&foundation),
            Some(json!({"title": "歩行補助具の事業化", "device_class": "II", "lead_organisation_id": member})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/projects/{id}/members"),
            Some(&foundation),
            Some(json!({"organisation_id": member, "role": "manufacturer"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    (id, foundation, member, member_token)
}

#[tokio::test]
async fn a_gate_review_decides_and_moves_the_project() {
    let app = App::new().await;
    let (id, foundation, _, member) = project(&app).await;
    let (_, outsider) = app
        .firm("磐梯技研株式会社", &[], "eng@bandai.example.jp")
        .await;
    let review = |token: String, body: Value| {
        let app = &app;
        let id = id.clone();
        async move {
            app.api(
                "POST",
                &format!("/api/v1/projects/{id}/reviews"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let criteria = |met: &[bool]| -> Value {
        met.iter()
            .enumerate()
            .map(|(i, m)| json!({"name": format!("基準{i}"), "met": m}))
            .collect()
    };
    // A member firm holds evidence but does not decide; an outsider does not see the project.
    let r = review(
        member.clone(),
        json!({"gate": "prototype", "decision": "go"}),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = review(
        outsider.clone(),
        json!({"gate": "prototype", "decision": "go"}),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.text);
    // A plain go with an unmet criterion, and a conditional go without its conditions.
    let r = review(
        foundation.clone(),
        json!({"gate": "prototype", "decision": "go", "criteria": criteria(&[true, false])}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(fields(&r.json()), ["decision"]);
    let r = review(
        foundation.clone(),
        json!({"gate": "prototype", "decision": "conditional", "criteria": criteria(&[false])}),
    )
    .await;
    assert_eq!(fields(&r.json()), ["note"]);
    let before = app
        .api(
            "GET",
            &format!("/api/v1/projects/{id}"),
            Some(&foundation),
            None,
        )
        .await
        .json();
    assert_eq!(before["stage"], "concept", "a refused review moves nothing");

    // A conditional go moves the project to the gate, with the conditions as the move's note.
    let r = review(
        foundation.clone(),
        json!({"gate": "prototype", "decision": "conditional", "criteria": criteria(&[true, false]),
               "note": "強度試験の追加を条件とする"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.json();
    assert_eq!(body["criteria"][1]["met"], false);
    let p = app
        .api(
            "GET",
            &format!("/api/v1/projects/{id}"),
            Some(&member),
            None,
        )
        .await
        .json();
    assert_eq!(p["stage"], "prototype");
    // A stop stops it; the reviews are listed for a member, oldest first.
    let r = review(
        foundation.clone(),
        json!({"gate": "evaluation", "decision": "stop", "note": "市場性が見込めない"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let p = app
        .api(
            "GET",
            &format!("/api/v1/projects/{id}"),
            Some(&member),
            None,
        )
        .await
        .json();
    assert_eq!(p["stage"], "stopped");
    let list = app
        .api(
            "GET",
            &format!("/api/v1/projects/{id}/reviews"),
            Some(&member),
            None,
        )
        .await
        .json();
    let decisions: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["conditional", "stop"]);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/projects/{id}/reviews"),
            Some(&outsider),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn an_award_brings_its_reports_with_states_and_one_reminder_each() {
    let app = App::new().await;
    let (id, foundation, firm_id, member) = project(&app).await;
    let today = app.db.clock.now().date();
    let add = |body: Value| {
        let app = &app;
        let (id, foundation) = (id.clone(), foundation.clone());
        async move {
            app.api(
                "POST",
                &format!("/api/v1/projects/{id}/grants"),
                Some(&foundation),
                Some(body),
            )
            .await
        }
    };
    // Refusals name their fields: an unknown scheme, an award without its period, a rate.
    let r = add(json!({"scheme": "lottery"})).await;
    assert_eq!(fields(&r.json()), ["scheme"]);
    let r = add(json!({"scheme": "monodukuri", "status": "awarded", "subsidy_rate": 0})).await;
    assert_eq!(
        fields(&r.json()),
        ["period_start", "period_end", "subsidy_rate"]
    );
    // An application brings no report yet.
    let r = add(json!({"scheme": "amed_ikou", "applied_on": format_date(today)})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let applied = r.json();
    assert_eq!(applied["reports"].as_array().unwrap().len(), 0);
    // The SME subsidy ended 20 days ago: its results report is due within 30 days of the end,
    // so in 10 days — due soon — then five yearly commercialisation reports.
    let end = today - time::Duration::days(20);
    let r = add(json!({"scheme": "monodukuri", "status": "awarded", "number": "R8-001",
        "period_start": format_date(end - time::Duration::days(200)), "period_end": format_date(end),
        "subsidy_rate": 50, "amounts": [{"fiscal_year": format!("{}", noguchi_domain::fiscal::FiscalYear::of_date(end).0), "direct": 8_000_000, "indirect": 800_000}]}))
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let g = r.json();
    let gid = g["id"].as_str().unwrap().to_owned();
    assert_eq!(g["total"], 8_800_000);
    let reports = g["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 6);
    assert_eq!(reports[0]["kind"], "results");
    assert_eq!(
        reports[0]["due"],
        format_date(end + time::Duration::days(30))
    );
    assert_eq!(reports[0]["state"], "due_soon");
    assert_eq!(reports[1]["state"], "upcoming");
    // The scheme asks for a manufacturing SME: the member firm's size is not on its record.
    assert_eq!(g["eligibility"][0]["requirement"], "manufacturing_sme");
    assert_eq!(g["eligibility"][0]["met"], false);

    // One reminder per report due, to the lead organisation's people and to those who run
    // projects; a second run queues nothing.
    let queued = app.core.queue_report_reminders().await.unwrap();
    assert!(queued >= 2, "{queued}");
    assert_eq!(app.core.queue_report_reminders().await.unwrap(), 0);
    let mails = app.db.store.due_mail(100).await.unwrap();
    let reminders: Vec<_> = mails
        .iter()
        .filter(|m| m.kind == "grant_report_due")
        .collect();
    assert_eq!(reminders.len(), queued);
    let to: Vec<&str> = reminders.iter().map(|m| m.recipient.as_str()).collect();
    assert!(to.contains(&"eng@aizu.example.jp") && to.contains(&"pm@foundation.example.jp"));
    assert!(reminders[0].body.contains("実績報告") && reminders[0].body.contains("歩行補助具"));
    // The report due soon is on the work page of the lead organisation's people.
    let lead = app.browser("desk@aizu.example.jp", &firm_id).await;
    let work = lead.get("/my-work").await;
    assert!(
        work.text.contains("実績報告") && work.text.contains("歩行補助具の事業化"),
        "{}",
        work.text
    );

    // Submitted: the report is done and no longer reminded; a report not in the calendar is
    // refused by name; the member may read but not mark.
    let mark = |token: &str, body: Value| {
        let app = &app;
        let (gid, token) = (gid.clone(), token.to_owned());
        async move {
            app.api(
                "POST",
                &format!("/api/v1/grants/{gid}/reports"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(
        mark(&member, json!({"kind": "results", "seq": 1}))
            .await
            .status,
        403
    );
    let r = mark(&foundation, json!({"kind": "commercialisation", "seq": 9})).await;
    assert_eq!(fields(&r.json()), ["seq"]);
    let r = mark(&foundation, json!({"kind": "results", "seq": 1})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["reports"][0]["state"], "done");
    // Overdue once the day has passed without submission.
    app.db.clock.advance(time::Duration::days(600));
    let list = app
        .api(
            "GET",
            &format!("/api/v1/projects/{id}/grants"),
            Some(&member),
            None,
        )
        .await
        .json();
    let awarded = &list["items"][1];
    assert_eq!(awarded["reports"][0]["state"], "done");
    assert_eq!(awarded["reports"][1]["state"], "overdue");
}

fn multipart(
    path: &str,
    token: &str,
    name: &str,
    bytes: &[u8],
    review: Option<&str>,
) -> Request<Body> {
    let boundary = "noguchi-file-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n");
    if let Some(r) = review {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"review_id\"\r\n\r\n{r}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::builder()
        .method("POST")
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn documents_are_kept_by_content_and_served_as_downloads_to_the_project_only() {
    let app = App::new().await;
    let (id, foundation, _, member) = project(&app).await;
    let (_, outsider) = app
        .firm("磐梯技研株式会社", &[], "eng@bandai.example.jp")
        .await;
    let path = format!("/api/v1/projects/{id}/attachments");
    let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    // A member firm keeps its test report on the project.
    let r = app
        .request(multipart(&path, &member, "試験報告書.pdf", &pdf, None))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let a = r.json();
    assert_eq!(a["file_kind"], "pdf");
    assert_eq!(a["size"], pdf.len());
    let url = a["url"].as_str().unwrap().to_owned();
    let got = app.api("GET", &url, Some(&foundation), None).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.text.as_bytes(), pdf.as_slice());
    assert_eq!(got.header("content-type"), Some("application/pdf"));
    let disposition = got.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''%E8%A9%A6"),
        "{disposition}"
    );
    assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
    assert!(
        got.header("content-security-policy")
            .unwrap()
            .contains("sandbox")
    );
    // Anyone who may not see the project: the same 404 as for a file that does not exist.
    assert_eq!(
        app.api("GET", &url, Some(&outsider), None).await.status,
        404
    );
    assert_eq!(
        app.api("GET", "/api/v1/attachments/nope", Some(&foundation), None)
            .await
            .status,
        404
    );
    assert_eq!(
        app.request(multipart(&path, &outsider, "a.pdf", &pdf, None))
            .await
            .status,
        404
    );
    // A page under a document's name, a program, an empty file, a file past the limit: refused,
    // naming the file, and nothing kept.
    for (name, bytes) in [
        (
            "report.pdf",
            b"<html><script>alert(1)</script></html>".to_vec(),
        ),
        ("setup.docx", b"MZ\x90\x00".to_vec()),
        ("empty.pdf", Vec::new()),
        (
            "huge.txt",
            vec![b'a'; noguchi_domain::attachment::MAX_BYTES + 1],
        ),
    ] {
        let r = app
            .request(multipart(&path, &member, name, &bytes, None))
            .await;
        assert_eq!(r.status, 422, "{name}: {}", r.text);
        assert_eq!(fields(&r.json()), ["file"], "{name}");
    }
    // A body far past the limit is cut off before it is read whole.
    let r = app
        .request(multipart(
            &path,
            &member,
            "big.pdf",
            &vec![b'%'; 12 * 1024 * 1024],
            None,
        ))
        .await;
    assert!(matches!(r.status.as_u16(), 413 | 422), "{}", r.status);
    // Evidence of a review of another project is refused as not found.
    let review = app
        .api(
            "POST",
            &format!("/api/v1/projects/{id}/reviews"),
            Some(&foundation),
            Some(json!({"gate": "prototype", "decision": "go"})),
        )
        .await
        .json();
    let rid = review["id"].as_str().unwrap();
    let r = app
        .request(multipart(
            &path,
            &member,
            "minutes.txt",
            "議事録\n".as_bytes(),
            Some(rid),
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["record_kind"], "review");
    let r = app
        .request(multipart(
            &path,
            &member,
            "minutes.txt",
            b"x\n",
            Some("other-review"),
        ))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let list = app.api("GET", &path, Some(&member), None).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // The audit names the file and its digest, never its content.
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let audit = app
        .api("GET", "/api/v1/audit?entity=attachment", Some(&city), None)
        .await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    let entries = audit.json()["items"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .all(|e| !e.to_string().contains("議事録") && e["after"]["sha256"].is_string()),
        "{entries:?}"
    );
}

#[tokio::test]
async fn the_project_pages_work_for_those_who_run_and_see_projects() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let pm = app
        .browser("pm@foundation.example.jp", &app.foundation)
        .await;
    let (firm, _) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    let (other, _) = app
        .firm("磐梯技研株式会社", &[], "eng@bandai.example.jp")
        .await;
    let outsider = app.browser("other@bandai.example.jp", &other).await;
    let member = app.browser("lead@aizu.example.jp", &firm).await;

    let form = pm.get(&format!("/programmes/{p}/projects/new")).await;
    assert_eq!(form.status, 200);
    assert!(form.text.contains("一般的名称"));
    let r = pm
        .post_form(
            &format!("/programmes/{p}/projects"),
            &[("title", ""), ("device_class", "II")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.text.contains("プロジェクト名を入力してください"),
        "{}",
        r.text
    );
    let r = pm
        .post_form(
            &format!("/programmes/{p}/projects"),
            &[
                ("title", "在宅酸素の見守り機器"),
                ("device_class", "II"),
                ("lead_organisation_id", &firm),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let href = r
        .header("location")
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let id = href.trim_start_matches("/projects/").to_owned();
    // The consortium, a review and a grant through the page's forms.
    let r = pm
        .post_form(
            &format!("/projects/{id}/members"),
            &[("organisation_id", &firm), ("role", "mah")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = pm
        .post_form(
            &format!("/projects/{id}/reviews"),
            &[
                ("gate", "prototype"),
                ("criterion", "臨床ニーズの確認"),
                ("criterion", "知財の調査"),
                ("met", "0"),
                ("met", "1"),
                ("decision", "go"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = pm
        .post_form(
            &format!("/projects/{id}/grants"),
            &[
                ("scheme", "amed_ikou"),
                ("status", "awarded"),
                ("period_start", "2026-06-01"),
                ("period_end", "2027-03-31"),
                ("amounts", "2026 10,000,000 1,000,000"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let r = pm
        .post_form(
            &format!("/projects/{id}/grants"),
            &[("scheme", "amed_ikou"), ("amounts", "2026 たくさん")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.text.contains("直接経費は数値で入力してください"),
        "{}",
        r.text
    );

    let page = pm.get(&href).await;
    assert_eq!(page.status, 200);
    // The lead firm is listed once, in the role it was given (no placeholder left).
    assert_eq!(
        page.text
            .matches(&format!("href=\"/organisations/{firm}\""))
            .count(),
        1
    );
    assert!(page.text.contains("<td>製造販売業者</td>"));
    for want in [
        "在宅酸素の見守り機器",
        "認証（登録認証機関）",
        "第二種医療機器製造販売業許可",
        "製造業者（役割「製造業者」）がいません",
        "<svg",
        "実績報告",
        "2027-05-31",
        "試作",
        "aria-current=\"step\"",
        "<dt>担当</dt>",
    ] {
        assert!(page.text.contains(want), "{want}");
    }
    // The member firm sees the page without the forms that run the project; an outsider gets 404.
    let seen = member.get(&href).await;
    assert_eq!(seen.status, 200);
    assert!(!seen.text.contains("/reviews\"") && seen.text.contains("/attachments?csrf="));
    assert_eq!(outsider.get(&href).await.status, 404);
    assert_eq!(outsider.get(&format!("{href}/summary")).await.status, 404);
    let summary = member.get(&format!("{href}/summary")).await;
    assert_eq!(summary.status, 200);
    assert!(summary.text.contains("医工連携イノベーション推進事業"));
    // The list and its export hold exactly what the caller may see.
    let list = outsider.get(&format!("/programmes/{p}/projects")).await;
    assert!(!list.text.contains("在宅酸素"));
    let csv = outsider
        .get(&format!("/programmes/{p}/projects/export?format=csv"))
        .await;
    assert_eq!(csv.status, 200);
    assert!(!csv.text.contains("在宅酸素"));
    let csv = pm
        .get(&format!("/programmes/{p}/projects/export?format=csv"))
        .await;
    assert!(csv.text.contains("段階の日付") && !csv.text.contains("project-stage-on"));
    assert!(
        csv.text.contains("在宅酸素") && csv.text.contains("試作"),
        "{}",
        csv.text
    );
    let list = pm.get(&format!("/programmes/{p}/projects")).await;
    assert!(list.text.contains("在宅酸素"));
}

#[tokio::test]
async fn a_project_is_found_by_search_only_by_those_who_see_it() {
    let app = App::new().await;
    let (id, foundation, firm, member) = project(&app).await;
    let (other, outsider) = app
        .firm("磐梯技研株式会社", &[], "eng@bandai.example.jp")
        .await;
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let hits = |token: String| {
        let app = &app;
        async move {
            let r = app
                .api("GET", "/api/v1/search?q=歩行補助具", Some(&token), None)
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            let v = r.json();
            let ids: Vec<String> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|h| h["type"] == "project")
                .map(|h| h["id"].as_str().unwrap().to_owned())
                .collect();
            (ids, v["total"].as_u64().unwrap())
        }
    };
    for token in [&member, &foundation, &city] {
        assert_eq!(hits(token.clone()).await.0, std::slice::from_ref(&id));
    }
    // An outsider: no hit, and the total does not count it either.
    assert_eq!(hits(outsider.clone()).await, (vec![], 0));
    // Made a member, the firm finds it at once.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/projects/{id}/members"),
            Some(&foundation),
            Some(json!({"organisation_id": other, "role": "clinical"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(hits(outsider.clone()).await.0, [id]);

    // The project ties its members in the network, for those who see the project only.
    let project_ties = |token: String| {
        let app = &app;
        async move {
            let fy = noguchi_domain::fiscal::FiscalYear::of_date(app.db.clock.now().date()).0;
            let v = app
                .api(
                    "GET",
                    &format!(
                        "/api/v1/programmes/{}/network?fiscal_year={fy}",
                        app.programme_id
                    ),
                    Some(&token),
                    None,
                )
                .await
                .json();
            v["ties"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| {
                    t["kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k == "project")
                })
                .map(|t| {
                    let mut p = [
                        t["a"].as_str().unwrap().to_owned(),
                        t["b"].as_str().unwrap().to_owned(),
                    ];
                    p.sort();
                    p
                })
                .collect::<Vec<_>>()
        }
    };
    let mut pair = [firm.clone(), other.clone()];
    pair.sort();
    assert_eq!(project_ties(member.clone()).await, [pair.clone()]);
    assert_eq!(project_ties(city.clone()).await, [pair]);
    let (_, stranger) = app
        .firm("猪苗代工業株式会社", &[], "x@inawashiro.example.jp")
        .await;
    assert!(project_ties(stranger).await.is_empty());
}

/// A general-name sheet as CSV (names invented for the test: Noguchi ships no PMDA data).
const NAMES: &str = "コード,一般的名称,クラス分類,認証基準,定義\n\
70009000,試験用歩行補助具,Ⅰ,,歩行を補助する器具\n\
12345678,試験用電動式吸引器,クラスII,○,\n\
87654321,試験用植込み型刺激装置,IV,,\n";

async fn import_names(app: &App, token: &str, query: &str, body: Vec<u8>) -> crate::common::Resp {
    let req = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/nomenclature{query}"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "text/csv")
        .body(Body::from(body))
        .unwrap();
    app.request(req).await
}

#[tokio::test]
async fn the_nomenclature_is_imported_after_a_dry_run_and_fills_a_projects_class() {
    let app = App::new().await;
    let admin = app.user("admin@example.jp", &app.city, true).await;
    let (_, firm) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    let total = |token: String, q: &'static str| {
        let app = &app;
        async move {
            let v = app
                .api(
                    "GET",
                    &format!("/api/v1/nomenclature?q={}", crate::common::enc(q)),
                    Some(&token),
                    None,
                )
                .await
                .json();
            (
                v["total"].as_i64().unwrap(),
                v["items"].as_array().unwrap().len(),
            )
        }
    };
    // Reference data is the administrator's to change.
    let r = import_names(&app, &firm, "?dry_run=false", NAMES.as_bytes().to_vec()).await;
    assert_eq!(r.status, 403, "{}", r.text);
    // Bad rows are named by row and field, and nothing is kept, dry run or not.
    let bad = format!("{NAMES}1234,,V,たぶん,\n12345678,重複,II,有,\n");
    let r = import_names(&app, &admin, "?dry_run=false", bad.into_bytes()).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let v = r.json();
    assert_eq!(v["applied"], false);
    assert_eq!(v["valid"], 3);
    let rows: Vec<(u64, Vec<&str>)> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["field"].as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (5, vec!["code", "name", "class", "standard"]),
            (6, vec!["code"])
        ]
    );
    assert!(
        v["rows"][0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("JMDNコード")
    );
    assert_eq!(total(firm.clone(), "").await, (0, 0));
    // A dry run counts what would change; the import keeps it.
    let r = import_names(&app, &admin, "", NAMES.as_bytes().to_vec()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json()["added"].as_u64(), r.json()["applied"].as_bool()),
        (Some(3), Some(false))
    );
    assert_eq!(total(firm.clone(), "").await.0, 0);
    let r = import_names(&app, &admin, "?dry_run=false", NAMES.as_bytes().to_vec()).await;
    assert_eq!(r.json()["applied"], true);
    assert_eq!(total(firm.clone(), "吸引").await, (3, 1));
    // An XLSX with other headings, mapped by the administrator: one name changes.
    let header: Vec<String> = ["JMDN", "名称（一般的名称）", "クラス", "基準番号"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    use noguchi_app::sheets::write::Cell;
    let rows = vec![vec![
        Cell::Text("12345678".into()),
        Cell::Text("試験用電動式吸引器".into()),
        Cell::Text("III".into()),
        Cell::Text("".into()),
    ]];
    let xlsx = noguchi_app::sheets::write::table(&header, &rows, Some("xlsx"))
        .unwrap()
        .bytes;
    let r = import_names(&app, &admin, "?dry_run=false", xlsx.clone()).await;
    assert_eq!(r.status, 422, "unmapped headings are named: {}", r.text);
    let r = import_names(
        &app,
        &admin,
        &format!(
            "?dry_run=false&code=JMDN&name={}&standard={}",
            crate::common::enc("名称（一般的名称）"),
            crate::common::enc("基準番号")
        ),
        xlsx,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json()["changed"].as_u64(), r.json()["added"].as_u64()),
        (Some(1), Some(0))
    );

    // A project naming a general name held here takes its class and standard when left open.
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{}/projects", app.programme_id),
            Some(&city),
            Some(json!({"title": "歩行補助具", "general_name": "試験用歩行補助具"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["device_class"], "I");
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let way = app
        .api(
            "GET",
            &format!("/api/v1/projects/{id}/pathway"),
            Some(&city),
            None,
        )
        .await
        .json();
    assert_eq!(way["route"], "notification");
    // A class given stays as given.
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/projects/{id}"),
            Some(&city),
            Some(json!({"general_name": "試験用植込み型刺激装置", "device_class": "II"})),
        )
        .await;
    assert_eq!(r.json()["device_class"], "II");
}

#[tokio::test]
async fn the_nomenclature_page_checks_then_imports_for_an_administrator_only() {
    let app = App::new().await;
    let cookie = app.sign_in_admin_fresh("admin@example.jp").await;
    let page = app
        .browse("GET", "/admin/nomenclature", &cookie, None)
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let csrf = crate::common::csrf_of(&page.text);
    let send = |dry: bool, csv: &str| {
        let boundary = "noguchi-names";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"names.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{csv}\r\n"
        );
        if dry {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\n1\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        Request::builder()
            .method("POST")
            .uri(format!("/admin/nomenclature?csrf={csrf}"))
            .header("cookie", &cookie)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap()
    };
    let checked = app.request(send(true, NAMES)).await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert!(checked.text.contains("確認結果（まだ取り込んでいません）"));
    assert!(checked.text.contains("登録済みの一般的名称: 0件"));
    let bad = app
        .request(send(false, "コード,一般的名称,クラス分類\n1,,X\n"))
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("何も取り込んでいません") && bad.text.contains("JMDNコード"));
    let done = app.request(send(false, NAMES)).await;
    assert!(
        done.text.contains("取り込みました") && done.text.contains("登録済みの一般的名称: 3件")
    );
    let found = app
        .browse(
            "GET",
            &format!("/admin/nomenclature?q={}", crate::common::enc("吸引")),
            &cookie,
            None,
        )
        .await;
    assert!(found.text.contains("12345678") && !found.text.contains("70009000"));
    // Anyone else: refused.
    let member = app.browser("staff@city.example.jp", &app.city).await;
    assert_eq!(member.get("/admin/nomenclature").await.status, 403);
}

#[tokio::test]
async fn a_licence_past_its_expiry_is_missing_on_the_pathway() {
    let app = App::new().await;
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let today = app.db.clock.now().date();
    let yesterday = format_date(today - time::Duration::days(1));
    let r = app
        .api(
            "POST",
            "/api/v1/organisations",
            Some(&city),
            Some(json!({"name": "株式会社会津メディカル", "kind": "company", "in_region": true,
                "licence_records": [{"licence": "marketing_class2", "number": "07B2X10001", "expires_on": yesterday}]})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let org = r.json();
    assert_eq!(
        org["licences"],
        json!(["marketing_class2"]),
        "a recorded licence is listed"
    );
    assert_eq!(org["licence_records"][0]["number"], "07B2X10001");
    let oid = org["id"].as_str().unwrap().to_owned();
    let p = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{}/projects", app.programme_id),
            Some(&city),
            Some(json!({"title": "吸引器", "device_class": "II", "certification_standard": true})),
        )
        .await
        .json();
    let id = p["id"].as_str().unwrap().to_owned();
    app.api(
        "POST",
        &format!("/api/v1/projects/{id}/members"),
        Some(&city),
        Some(json!({"organisation_id": oid, "role": "mah"})),
    )
    .await;
    let held = || {
        let app = &app;
        let (id, city) = (id.clone(), city.clone());
        async move {
            app.api(
                "GET",
                &format!("/api/v1/projects/{id}/pathway"),
                Some(&city),
                None,
            )
            .await
            .json()["licences"][0]["held"]
                .as_bool()
                .unwrap()
        }
    };
    assert!(!held().await, "expired yesterday");
    // Renewed: held again. Bad records are named by field.
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/organisations/{oid}"),
            Some(&city),
            Some(json!({"licence_records": [{"licence": "marketing_class2", "number": "07B2X10001", "expires_on": "2031-03-31"}]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(held().await);
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/organisations/{oid}"),
            Some(&city),
            Some(json!({"licence_records": [{"licence": "marketing_class9", "expires_on": "いつか"}]})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        fields(&r.json()),
        [
            "licence_records[0].licence",
            "licence_records[0].expires_on"
        ]
    );
    // The form takes the same as lines, the licence by its name.
    let staff = app.browser("desk@city.example.jp", &app.city).await;
    let form = staff.get(&format!("/organisations/{oid}/edit")).await;
    assert!(
        form.text
            .contains("第二種医療機器製造販売業許可, 07B2X10001, 2031-03-31"),
        "{}",
        form.text
    );
    let page = staff.get(&format!("/projects/{id}")).await;
    assert!(page.text.contains("07B2X10001 〜2031-03-31"));
    let org_page = staff.get(&format!("/organisations/{oid}")).await;
    assert!(
        org_page
            .text
            .contains("第二種医療機器製造販売業許可（07B2X10001 〜2031-03-31）")
    );
}

#[tokio::test]
async fn an_nda_level_need_behind_a_project_stays_redacted_for_members_without_its_nda() {
    let app = App::new().await;
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let chamber = app.user("staff@cci.example.jp", &app.chamber, false).await;
    let foundation = app
        .user("pm@foundation.example.jp", &app.foundation, false)
        .await;
    let (a, firm_a) = app
        .firm("会津洗浄技研株式会社", &["洗浄装置"], "a@senjo.example.jp")
        .await;
    let (b, _) = app
        .firm("磐梯精機株式会社", &["精密加工"], "b@bandai.example.jp")
        .await;
    let need = app
        .need(&doctor, json!({"title": "洗浄記録の電子化", "problem": "内視鏡の洗浄記録を紙で管理しており、監査のたびに探すのに困る。", "disclosure": "nda"}))
        .await;
    let nid = need["id"].as_str().unwrap().to_owned();
    let r = app
        .api("POST", &format!("/api/v1/needs/{nid}/proposals"), Some(&chamber),
            Some(json!({"candidate_type": "organisation", "candidate_id": a, "summary": "洗浄記録の電子化のご相談です。"})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let xid = r.json()["id"].as_str().unwrap().to_owned();
    for (token, body) in [
        (&firm_a, json!({"status": "accepted"})),
        (
            &chamber,
            json!({"status": "nda", "document_ref": "NDA-2026-009"}),
        ),
        (&chamber, json!({"status": "meeting", "note": "病院にて"})),
        (&chamber, json!({"status": "project"})),
    ] {
        let r = app
            .api(
                "POST",
                &format!("/api/v1/proposals/{xid}/status"),
                Some(token),
                Some(body),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let list = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{}/projects", app.programme_id),
            Some(&foundation),
            None,
        )
        .await
        .json();
    let project = &list["items"][0];
    let id = project["id"].as_str().unwrap().to_owned();
    // The project is named by its parties, not by the need.
    assert!(!project.to_string().contains("洗浄記録"), "{project}");
    app.api(
        "POST",
        &format!("/api/v1/projects/{id}/members"),
        Some(&foundation),
        Some(json!({"organisation_id": b, "role": "manufacturer"})),
    )
    .await;
    // The candidate holds the NDA and reads the need's title; the new member does not.
    let with_nda = app.browser("lead@senjo.example.jp", &a).await;
    let page = with_nda.get(&format!("/projects/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("洗浄記録の電子化"));
    let without = app.browser("lead@bandai.example.jp", &b).await;
    let page = without.get(&format!("/projects/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.text.contains("洗浄記録")
            && page
                .text
                .contains("NDAを締結した機関だけが見られるニーズです")
    );
    let summary = without.get(&format!("/projects/{id}/summary")).await;
    assert!(!summary.text.contains("洗浄記録"));
}
