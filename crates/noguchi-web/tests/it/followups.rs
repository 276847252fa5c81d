//! After an event: the follow-up survey goes to those who came and only to them, once; an
//! answer wishing a consultation becomes a next action on the firm's entry case (or opens one);
//! and registrations that the directory match left open are decided by staff.

use crate::common::App;
use serde_json::{Value, json};

async fn past_event(app: &App, token: &str) -> String {
    // The test clock stands at 2026-11-20 10:00 JST.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{}/events", app.programme_id),
            Some(token),
            Some(json!({"title": "薬機法入門セミナー", "kind": "seminar",
                "starts_at": "2026-11-10T13:30:00+09:00", "ends_at": "2026-11-10T16:00:00+09:00"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["id"].as_str().unwrap().to_owned()
}

/// Staff enter a registration (as for a phone sign-up) and, when `came`, check it in.
async fn participant(app: &App, token: &str, event: &str, email: &str, org: &str, came: bool) {
    let r = app
        .api(
            "POST",
            &format!("/api/v1/events/{event}/registrations"),
            Some(token),
            Some(
                json!({"name": format!("参加 {email}"), "email": email, "organisation_name": org}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    if came {
        let id = r.json()["id"].as_str().unwrap().to_owned();
        let c = app
            .api(
                "POST",
                &format!("/api/v1/registrations/{id}/check-in"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(c.status, 200, "{}", c.text);
    }
}

/// The follow-up links in the outbox, by recipient.
async fn followup_links(app: &App) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = app
        .db
        .store
        .due_mail(500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "event_followup")
        .map(|m| {
            let at = m.body.find("/followup/").expect("a link") + "/followup/".len();
            let token: String = m.body[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            (m.recipient, token)
        })
        .collect();
    out.sort();
    out
}

async fn answer(app: &App, token: &str, body: Value) -> crate::common::Resp {
    let mut body = body;
    body["followup_token"] = json!(token);
    app.api("POST", "/api/v1/followup", None, Some(body)).await
}

#[tokio::test]
async fn the_follow_up_reaches_those_who_came_and_a_wish_becomes_work_on_the_entry_case() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let (aizu, _) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    let (bandai, bandai_user) = app
        .firm("磐梯技研株式会社", &[], "eng@bandai.example.jp")
        .await;
    // 磐梯技研 already has an entry case with a next action the secretariat planned.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/entry-cases"),
            Some(&city),
            Some(
                json!({"organisation_id": bandai, "title": "介護リフトの部品",
                "next_action": "試作の打合せ", "next_action_due": "2026-12-01"}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let bandai_case = r.json()["id"].as_str().unwrap().to_owned();

    let ev = past_event(&app, &city).await;
    participant(
        &app,
        &city,
        &ev,
        "a@aizu.example.jp",
        "会津精工株式会社",
        true,
    )
    .await;
    participant(
        &app,
        &city,
        &ev,
        "b@bandai.example.jp",
        "磐梯技研株式会社",
        true,
    )
    .await;
    participant(
        &app,
        &city,
        &ev,
        "c@new.example.jp",
        "猪苗代メディカル",
        true,
    )
    .await;
    participant(
        &app,
        &city,
        &ev,
        "d@aizu.example.jp",
        "会津精工株式会社",
        false,
    )
    .await;

    // Only those who run events send it; a firm cannot even see that it exists.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/events/{ev}/followup"),
            Some(&bandai_user),
            None,
        )
        .await;
    assert!(
        r.status == 403 || r.status == 404,
        "{} {}",
        r.status,
        r.text
    );
    // An event that has not begun has no one to ask.
    let future = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/events"),
            Some(&city),
            Some(json!({"title": "来年のセミナー", "kind": "seminar",
                "starts_at": "2027-02-10T13:30:00+09:00", "ends_at": "2027-02-10T16:00:00+09:00"})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/events/{future}/followup"),
            Some(&city),
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json()["errors"][0]["field"], "starts_at");

    let r = app
        .api(
            "POST",
            &format!("/api/v1/events/{ev}/followup"),
            Some(&city),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["sent"],
        3,
        "the three who came, not the absent one"
    );
    let again = app
        .api(
            "POST",
            &format!("/api/v1/events/{ev}/followup"),
            Some(&city),
            None,
        )
        .await;
    assert_eq!(again.json()["sent"], 0, "once each");
    let links = followup_links(&app).await;
    let to: Vec<&str> = links.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        to,
        [
            "a@aizu.example.jp",
            "b@bandai.example.jp",
            "c@new.example.jp"
        ]
    );
    let link = |who: &str| {
        links
            .iter()
            .find(|(r, _)| r == who)
            .map(|(_, t)| t.clone())
            .unwrap()
    };

    // Invalid answers are named and store nothing.
    let r = answer(
        &app,
        &link("a@aizu.example.jp"),
        json!({"satisfaction": 9, "consultation": true}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let mut named: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    named.sort();
    assert_eq!(named, ["satisfaction", "topic"]);
    let r = answer(&app, "not-a-link", json!({"satisfaction": 5})).await;
    assert_eq!(r.status, 404);

    // 会津精工 has no entry case: the wish opens one, with a next action due in a week.
    let r = answer(
        &app,
        &link("a@aizu.example.jp"),
        json!({"satisfaction": 5, "comment": "クラス分類を相談したい", "consultation": true, "topic": "regulatory"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(
        r.json()["entry_case_id"].is_null(),
        "the case is not the guest's to see"
    );
    let r = answer(&app, &link("a@aizu.example.jp"), json!({"satisfaction": 1})).await;
    assert_eq!(r.status, 422, "a link answers once: {}", r.text);
    assert_eq!(r.json()["errors"][0]["field"], "followup");
    // 磐梯技研's open case gets the wish; the action already planned stays.
    let r = answer(
        &app,
        &link("b@bandai.example.jp"),
        json!({"satisfaction": 4, "consultation": true, "topic": "development"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // A firm the directory does not know: the wish waits for staff.
    let r = answer(
        &app,
        &link("c@new.example.jp"),
        json!({"satisfaction": 3, "consultation": true, "topic": "sales"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);

    let list = app
        .api(
            "GET",
            &format!("/api/v1/events/{ev}/followup"),
            Some(&city),
            None,
        )
        .await
        .json();
    assert_eq!(
        (list["sent"].clone(), list["answered"].clone()),
        (json!(3), json!(3))
    );
    let item = |who: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == format!("参加 {who}"))
            .unwrap()
            .clone()
    };
    let aizu_case = item("a@aizu.example.jp")["entry_case_id"]
        .as_str()
        .expect("a case was opened")
        .to_owned();
    assert_eq!(item("b@bandai.example.jp")["entry_case_id"], bandai_case);
    assert!(item("c@new.example.jp")["entry_case_id"].is_null());

    let case = app
        .api(
            "GET",
            &format!("/api/v1/entry-cases/{aizu_case}"),
            Some(&city),
            None,
        )
        .await;
    assert_eq!(case.status, 200, "{}", case.text);
    let case = case.json();
    assert_eq!(case["organisation_id"], aizu);
    assert!(
        case["next_action"]
            .as_str()
            .unwrap()
            .contains("相談希望への対応（「薬機法入門セミナー」"),
        "{case}"
    );
    assert_eq!(case["next_action_due"], "2026-11-27");
    // The secretariat's staff get a notice of each wish, with where it went; nobody else.
    let notices: Vec<_> = app
        .db
        .store
        .due_mail(500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "consultation_wish")
        .collect();
    let to_staff: Vec<_> = notices
        .iter()
        .filter(|m| m.recipient == "staff@city.example.jp")
        .collect();
    assert_eq!(to_staff.len(), 3, "{notices:?}");
    assert!(
        to_staff
            .iter()
            .any(|m| m.body.contains(&format!("/entry-cases/{aizu_case}")))
    );
    assert!(
        to_staff
            .iter()
            .any(|m| m.body.contains(&format!("/events/{ev}/matches")))
    );
    assert!(notices.iter().all(|m| !m.recipient.starts_with("eng@")));
    let kept = app
        .api(
            "GET",
            &format!("/api/v1/entry-cases/{bandai_case}"),
            Some(&city),
            None,
        )
        .await
        .json();
    assert_eq!(kept["next_action"], "試作の打合せ");
    // The firm reached now has an entry case: the funnel counts it.
    let act = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/activity?fiscal_year=2026"),
            Some(&city),
            None,
        )
        .await
        .json();
    assert_eq!(act["funnel"]["entry_case"], 2, "{act}");

    // The answers export with the wish in words; the secretariat's page links the case.
    let staff = app.browser("events@city.example.jp", &app.city).await;
    let page = staff.get(&format!("/events/{ev}/followup")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("薬事・許認可")
            && page.text.contains(&format!("/entry-cases/{aizu_case}"))
    );
    assert!(page.text.contains("団体未確定"));
    let csv = staff
        .get(&format!("/events/{ev}/followup/export?format=csv"))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.text.contains("クラス分類を相談したい") && csv.text.contains("製品開発"));
}

#[tokio::test]
async fn a_participant_answers_in_the_browser_without_an_account() {
    let app = App::new().await;
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let ev = past_event(&app, &city).await;
    participant(&app, &city, &ev, "hanako@example.jp", "会津精工", true).await;
    app.api(
        "POST",
        &format!("/api/v1/events/{ev}/followup"),
        Some(&city),
        None,
    )
    .await;
    let token = followup_links(&app).await.remove(0).1;
    let page = app
        .browse("GET", &format!("/followup/{token}"), "", None)
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("薬機法入門セミナー") && page.text.contains("相談したい分野"));
    let cookie = format!("noguchi_pre={}", page.cookie("noguchi_pre").unwrap());
    let csrf = crate::common::csrf_of(&page.text);
    // A wish without its topic is named on the form.
    let r = app
        .browse(
            "POST",
            &format!("/followup/{token}"),
            &cookie,
            Some(&[
                ("csrf", csrf.as_str()),
                ("satisfaction", "4"),
                ("consultation", "on"),
            ]),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("相談したい分野"), "{}", r.text);
    let r = app
        .browse(
            "POST",
            &format!("/followup/{token}"),
            &cookie,
            Some(&[
                ("csrf", csrf.as_str()),
                ("satisfaction", "4"),
                ("comment", "=HYPERLINK(\"x\")"),
            ]),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let done = app
        .browse("GET", &format!("/followup/{token}"), "", None)
        .await;
    assert!(
        done.text.contains("ご回答ありがとうございました")
            && !done
                .text
                .contains("<form method=\"post\" action=\"/followup/")
    );
    // A formula typed as a comment stays text in the export.
    let staff = app.browser("events@city.example.jp", &app.city).await;
    let csv = staff
        .get(&format!("/events/{ev}/followup/export?format=csv"))
        .await;
    assert!(csv.text.contains("'=HYPERLINK"), "{}", csv.text);
}

#[tokio::test]
async fn staff_decide_the_organisation_of_an_uncertain_registration() {
    let app = App::new().await;
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let (kitakata, _) = app.firm("喜多方製作所", &[], "a@kitakata.example.jp").await;
    app.firm("株式会社喜多方製作所", &[], "b@kitakata.example.jp")
        .await;
    let ev = past_event(&app, &city).await;
    participant(
        &app,
        &city,
        &ev,
        "x@kitakata.example.jp",
        "喜多方製作所",
        false,
    )
    .await;
    participant(
        &app,
        &city,
        &ev,
        "y@new.example.jp",
        "猪苗代メディカル",
        false,
    )
    .await;

    let m = app
        .api(
            "GET",
            &format!("/api/v1/events/{ev}/matches"),
            Some(&city),
            None,
        )
        .await;
    assert_eq!(m.status, 200, "{}", m.text);
    let items = m.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["organisation_match"], "review", "uncertain first");
    assert_eq!(items[0]["candidates"].as_array().unwrap().len(), 2);
    assert_eq!(items[1]["organisation_name"], "猪苗代メディカル");
    assert!(items[1]["candidates"].as_array().unwrap().is_empty());

    let staff = app.browser("events@city.example.jp", &app.city).await;
    let page = staff.get(&format!("/events/{ev}/matches")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("株式会社喜多方製作所") && page.text.contains("新しい団体として登録")
    );
    let uncertain = items[0]["registration_id"].as_str().unwrap();
    let r = staff
        .post_form(
            &format!("/registrations/{uncertain}/link"),
            &[("organisation_id", kitakata.as_str())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let new = items[1]["registration_id"].as_str().unwrap();
    let r = staff
        .post_form(
            &format!("/registrations/{new}/new-organisation"),
            &[("kind", "company")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    // Entering it twice is refused: it is linked now.
    let again = staff
        .post_form(
            &format!("/registrations/{new}/new-organisation"),
            &[("kind", "company")],
        )
        .await;
    assert_eq!(again.status, 422, "{}", again.text);

    let regs = app
        .api(
            "GET",
            &format!("/api/v1/events/{ev}/registrations"),
            Some(&city),
            None,
        )
        .await
        .json();
    let by = |email: &str| {
        regs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["email"] == email)
            .unwrap()["organisation_id"]
            .clone()
    };
    assert_eq!(by("x@kitakata.example.jp"), kitakata);
    let created = by("y@new.example.jp");
    let org = app
        .api(
            "GET",
            &format!("/api/v1/organisations/{}", created.as_str().unwrap()),
            Some(&city),
            None,
        )
        .await
        .json();
    assert_eq!(org["name"], "猪苗代メディカル");
    assert_eq!(org["kind"], "company");
    let left = app
        .api(
            "GET",
            &format!("/api/v1/events/{ev}/matches"),
            Some(&city),
            None,
        )
        .await
        .json();
    assert!(left["items"].as_array().unwrap().is_empty(), "{left}");
}

/// Staff record someone of `organisation_id` as come to `event`.
async fn came_from(app: &App, token: &str, event: &str, email: &str, organisation_id: &str) {
    let r = app
        .api(
            "POST",
            &format!("/api/v1/events/{event}/registrations"),
            Some(token),
            Some(json!({"name": "来場者", "email": email, "organisation_name": "（記入なし）"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let l = app
        .api(
            "PATCH",
            &format!("/api/v1/registrations/{id}"),
            Some(token),
            Some(json!({"organisation_id": organisation_id})),
        )
        .await;
    assert_eq!(l.status, 200, "{}", l.text);
    app.api(
        "POST",
        &format!("/api/v1/registrations/{id}/check-in"),
        Some(token),
        None,
    )
    .await;
}

#[tokio::test]
async fn a_firm_is_introduced_through_a_shared_contact_and_what_it_lacks() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let (a, a_user) = app
        .firm("会津精工株式会社", &["切削加工"], "eng@aizu.example.jp")
        .await;
    let (c, c_user) = app
        .firm(
            "喜多方コーティング株式会社",
            &["表面処理", "切削加工"],
            "eng@kitakata.example.jp",
        )
        .await;
    let first = past_event(&app, &city).await;
    came_from(&app, &city, &first, "1@a.example.jp", &a).await;
    came_from(&app, &city, &first, "2@h.example.jp", &app.hospital).await;
    let second = past_event(&app, &city).await;
    came_from(&app, &city, &second, "3@h.example.jp", &app.hospital).await;
    came_from(&app, &city, &second, "4@c.example.jp", &c).await;

    let r = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/introductions"),
            Some(&a_user),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    let first = &v["items"][0];
    assert_eq!(first["organisation_id"], c, "{v}");
    let kinds: Vec<&str> = first["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["shared_contacts", "complementary"]);
    assert_eq!(first["reasons"][0]["via"], json!([app.hospital]));
    assert_eq!(first["reasons"][1]["capabilities"], json!(["表面処理"]));
    // The hospital is tied to the firm already: it is not introduced.
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["organisation_id"] != app.hospital.as_str())
    );
    // Another firm may not read the firm's introductions; the secretariat may.
    let r = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/introductions?organisation_id={a}"),
            Some(&c_user),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/introductions?organisation_id={a}"),
            Some(&city),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let page = app
        .browser("eng2@aizu.example.jp", &a)
        .await
        .get(&format!("/programmes/{p}/introductions"))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("喜多方コーティング株式会社")
            && page.text.contains("共通のつながり")
            && page.text.contains("表面処理"),
        "{}",
        page.text
    );
}
