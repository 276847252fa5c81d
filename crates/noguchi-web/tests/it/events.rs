//! Events: registration as a guest and by staff, capacity and waitlist (also under concurrent
//! sign-ups), duplicates, cancellation with promotion, check-in, the directory link, the
//! activity figures, the event tie, and mail through the outbox to a real SMTP server.

use crate::common::{App, fields};
use serde_json::{Value, json};

async fn event(app: &App, token: &str, body: Value) -> String {
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{}/events", app.programme_id),
            Some(token),
            Some(body),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn guest(app: &App, event: &str, i: usize, org: &str, extra: Value) -> Value {
    let mut body = json!({"name": format!("参加 {i}"), "name_kana": "さんか", "email": format!("guest{i}@example.jp"),
        "organisation_name": org});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = app
        .api(
            "POST",
            &format!("/api/v1/events/{event}/registrations"),
            None,
            Some(body),
        )
        .await;
    assert!(
        r.status == 201 || r.status == 202,
        "{} {}",
        r.status,
        r.text
    );
    r.json()
}

async fn registrations(app: &App, token: &str, event: &str) -> Vec<Value> {
    let r = app
        .api(
            "GET",
            &format!("/api/v1/events/{event}/registrations"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["items"].as_array().unwrap().clone()
}

fn status_of(list: &[Value], email: &str) -> String {
    list.iter()
        .find(|r| r["email"] == email)
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_seminar_from_sign_up_to_the_figures_and_the_network() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let chamber = app.user("events@cci.example.jp", &app.chamber, false).await;
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    // The directory: one firm with its 法人番号, one without.
    let cn = valid_corporate_number("700000000123");
    let r = app
        .api("POST", "/api/v1/organisations", Some(&city),
            Some(json!({"name": "株式会社会津精工", "kind": "company", "corporate_number": cn, "name_kana": "あいづせいこう"})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let firm_a = r.json()["id"].as_str().unwrap().to_owned();
    let (firm_b, firm_b_token) = app
        .firm("有限会社磐梯技研", &[], "eng@bandai.example.jp")
        .await;

    // The chamber (events role) creates a past seminar with two seats.
    let ev = event(
        &app,
        &chamber,
        json!({"title": "医療機器参入セミナー", "kind": "seminar",
        "starts_at": "2025-10-10T13:30:00+09:00", "ends_at": "2025-10-10T16:00:00+09:00",
        "venue": "会津若松商工会議所", "capacity": 2, "public": true}),
    )
    .await;
    // A firm may not create events.
    let r = app
        .api("POST", &format!("/api/v1/programmes/{p}/events"), Some(&firm_b_token),
            Some(json!({"title": "x", "kind": "seminar", "starts_at": "2025-10-10T13:30:00+09:00", "ends_at": "2025-10-10T16:00:00+09:00"})))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);

    let g0 = guest(
        &app,
        &ev,
        0,
        "株式会社　会津精工",
        json!({"corporate_number": cn}),
    )
    .await;
    let g1 = guest(&app, &ev, 1, "(有)磐梯技研", json!({})).await;
    let g2 = guest(&app, &ev, 2, "株式会社猪苗代", json!({})).await;
    assert_eq!(
        [&g0["status"], &g1["status"], &g2["status"]],
        ["confirmed", "confirmed", "waitlisted"]
    );
    for g in [&g0, &g1, &g2] {
        assert!(g["manage_token"].as_str().is_some_and(|t| t.len() >= 32));
    }
    // The same person again (other case and width): nothing created, no token, nothing told.
    let dup = app
        .api("POST", &format!("/api/v1/events/{ev}/registrations"), None,
            Some(json!({"name": "別人", "email": "ＧＵＥＳＴ０@Example.JP", "organisation_name": "どこか"})))
        .await;
    assert_eq!(dup.status, 202, "{}", dup.text);
    assert!(dup.json()["manage_token"].is_null());
    assert!(dup.json()["id"].is_null());
    let list = registrations(&app, &chamber, &ev).await;
    assert_eq!(list.len(), 3);
    // The directory link: by 法人番号, by a folded name, none for a firm not in the directory.
    let by_mail = |l: &[Value], e: &str| l.iter().find(|r| r["email"] == e).unwrap().clone();
    assert_eq!(
        by_mail(&list, "guest0@example.jp")["organisation_id"],
        firm_a.as_str()
    );
    assert_eq!(
        by_mail(&list, "guest0@example.jp")["organisation_match"],
        "corporate_number"
    );
    assert_eq!(
        by_mail(&list, "guest1@example.jp")["organisation_id"],
        firm_b.as_str()
    );
    assert_eq!(
        by_mail(&list, "guest1@example.jp")["organisation_match"],
        "name"
    );
    assert!(by_mail(&list, "guest2@example.jp")["organisation_id"].is_null());

    // Registrations are the events staff's: a firm and a guest get "not found".
    let r = app
        .api(
            "GET",
            &format!("/api/v1/events/{ev}/registrations"),
            Some(&firm_b_token),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/events/{ev}/registrations"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.text);

    // Guest 1 cancels with the link's secret: guest 2 is promoted in the same step.
    let r = app
        .api(
            "POST",
            "/api/v1/registrations/cancel",
            None,
            Some(json!({"manage_token": g1["manage_token"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "cancelled");
    let list = registrations(&app, &chamber, &ev).await;
    assert_eq!(status_of(&list, "guest1@example.jp"), "cancelled");
    assert_eq!(status_of(&list, "guest2@example.jp"), "confirmed");
    assert_eq!(
        list.iter().filter(|r| r["status"] == "confirmed").count(),
        2
    );
    // A wrong secret is "not found"; cancelling twice changes nothing.
    let r = app
        .api(
            "POST",
            "/api/v1/registrations/cancel",
            None,
            Some(json!({"manage_token": "0".repeat(32)})),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .api(
            "POST",
            "/api/v1/registrations/cancel",
            None,
            Some(json!({"manage_token": g1["manage_token"]})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        registrations(&app, &chamber, &ev)
            .await
            .iter()
            .filter(|r| r["status"] == "confirmed")
            .count(),
        2
    );

    // Staff enter a phone sign-up for firm B (waitlisted: the seats are taken) and link it.
    let r = app
        .api("POST", &format!("/api/v1/events/{ev}/registrations"), Some(&chamber),
            Some(json!({"name": "磐梯 次郎", "name_kana": "ばんだいじろう", "email": "jiro@bandai.example.jp", "organisation_name": "磐梯技研"})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let rb = r.json();
    assert_eq!(rb["status"], "waitlisted");
    assert!(rb["manage_token"].is_null(), "staff get no guest's secret");
    let rb_id = rb["id"].as_str().unwrap();
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/registrations/{rb_id}"),
            Some(&chamber),
            Some(json!({"organisation_id": firm_b})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["organisation_match"], "staff");
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/registrations/{rb_id}"),
            Some(&chamber),
            Some(json!({"organisation_id": "nope"})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(fields(&r.json()), ["organisation_id"]);

    // Check-in: guest 0, guest 2 and the phone sign-up (let in at the door).
    let list = registrations(&app, &chamber, &ev).await;
    for e in [
        "guest0@example.jp",
        "guest2@example.jp",
        "jiro@bandai.example.jp",
    ] {
        let id = by_mail(&list, e)["id"].as_str().unwrap().to_owned();
        let r = app
            .api(
                "POST",
                &format!("/api/v1/registrations/{id}/check-in"),
                Some(&chamber),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["checked_in"], true);
    }
    // A cancelled registration cannot be checked in; a firm cannot check anyone in.
    let cancelled = by_mail(&list, "guest1@example.jp")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/registrations/{cancelled}/check-in"),
            Some(&chamber),
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/registrations/{cancelled}/check-in"),
            Some(&firm_b_token),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);

    // The figures of FY2025: one event, three participants, two firms (the third is unknown).
    let a = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/activity?fiscal_year=2025"),
            Some(&firm_b_token),
            None,
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = a.json();
    assert_eq!(
        (
            &a["events_held"],
            &a["participants"],
            &a["firms_reached"],
            &a["first_time_firms"]
        ),
        (&json!(1), &json!(3), &json!(2), &json!(2))
    );
    let a26 = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/activity?fiscal_year=2026"),
            Some(&city),
            None,
        )
        .await
        .json();
    assert_eq!(a26["events_held"], 0);
    // The tie the seminar made, from FY2025 on, not before.
    let n = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/network?fiscal_year=2025"),
            Some(&city),
            None,
        )
        .await;
    assert_eq!(n.status, 200, "{}", n.text);
    let n = n.json();
    let ties = n["ties"].as_array().unwrap();
    assert_eq!(ties.len(), 1, "{n}");
    let mut pair = [
        ties[0]["a"].as_str().unwrap(),
        ties[0]["b"].as_str().unwrap(),
    ];
    pair.sort();
    let mut want = [firm_a.as_str(), firm_b.as_str()];
    want.sort();
    assert_eq!(pair, want);
    assert_eq!(ties[0]["kinds"], json!(["event"]));
    assert_eq!(n["metrics"]["new_ties"], 1);
    let n24 = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/network?fiscal_year=2024"),
            Some(&city),
            None,
        )
        .await
        .json();
    assert_eq!(n24["ties"].as_array().unwrap().len(), 0);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/network?fiscal_year=2025"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 401);

    // Every confirmation, promotion and the phone sign-up's mail waits in the outbox (no SMTP).
    let mails = app.db.store.due_mail(100).await.unwrap();
    let to = |e: &str| {
        mails
            .iter()
            .filter(|m| m.recipient == e)
            .map(|m| m.kind.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(to("guest0@example.jp"), ["registration_confirmed"]);
    assert_eq!(
        to("guest2@example.jp"),
        ["registration_waitlisted", "waitlist_promoted"]
    );
    assert_eq!(to("jiro@bandai.example.jp"), ["registration_waitlisted"]);
    let first = mails
        .iter()
        .find(|m| m.recipient == "guest0@example.jp")
        .unwrap();
    assert!(first.body.contains(&format!(
        "/registrations/manage/{}",
        g0["manage_token"].as_str().unwrap()
    )));
    assert!(first.subject.contains("医療機器参入セミナー"));
}

/// 法人番号 with its check digit computed for twelve digits (9 − Σ weights mod 9).
fn valid_corporate_number(body: &str) -> String {
    let digits: Vec<u32> = body.chars().map(|c| c.to_digit(10).unwrap()).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| d * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    format!("{}{body}", 9 - sum % 9)
}

#[tokio::test]
async fn private_closed_and_unknown_events_answer_guests_the_same() {
    let app = App::new().await;
    let chamber = app.user("events@cci.example.jp", &app.chamber, false).await;
    let private = event(&app, &chamber, json!({"title": "会員向け見学会", "kind": "site_tour",
        "starts_at": "2027-01-20T10:00:00+09:00", "ends_at": "2027-01-20T12:00:00+09:00", "capacity": 10})).await;
    let closed = event(&app, &chamber, json!({"title": "締切済みセミナー", "kind": "seminar",
        "starts_at": "2027-01-20T10:00:00+09:00", "ends_at": "2027-01-20T12:00:00+09:00", "public": true,
        "registration_closes_at": "2026-11-01T00:00:00+09:00"})).await;
    let body =
        json!({"name": "会津 一郎", "email": "a@example.jp", "organisation_name": "会津精工"});
    for id in [
        private.as_str(),
        closed.as_str(),
        "0190f0f0-0000-7000-8000-000000000000",
    ] {
        let r = app
            .api(
                "POST",
                &format!("/api/v1/events/{id}/registrations"),
                None,
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, 404, "{id}: {}", r.text);
        assert_eq!(
            r.json()["title"],
            app.api("GET", "/api/v1/events/nope", None, None)
                .await
                .json()["title"]
        );
    }
    // The private event is no one's business without an account, also in the list.
    let r = app
        .api("GET", &format!("/api/v1/events/{private}"), None, None)
        .await;
    assert_eq!(r.status, 404);
    let list = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{}/events", app.programme_id),
            None,
            None,
        )
        .await
        .json();
    let titles: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].clone())
        .collect();
    assert_eq!(titles, [json!("締切済みセミナー")]);
    // A signed-in firm sees it, and is told the closed one is closed.
    let (_, firm) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/events/{closed}/registrations"),
            Some(&firm),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(fields(&r.json()), ["event"]);
    // Every invalid field is named, and nothing is stored.
    let open = event(&app, &chamber, json!({"title": "公開セミナー", "kind": "seminar",
        "starts_at": "2027-01-20T10:00:00+09:00", "ends_at": "2027-01-20T12:00:00+09:00", "public": true})).await;
    let r = app
        .api("POST", &format!("/api/v1/events/{open}/registrations"), None,
            Some(json!({"name": "", "name_kana": "漢字", "email": "not-an-address", "organisation_name": "x", "corporate_number": "123"})))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        fields(&r.json()),
        ["name", "name_kana", "email", "corporate_number"]
    );
    assert!(registrations(&app, &chamber, &open).await.is_empty());
    let r = app
        .api("POST", &format!("/api/v1/programmes/{}/events", app.programme_id), Some(&chamber),
            Some(json!({"title": "x", "kind": "party", "starts_at": "12月10日", "ends_at": "2027-01-20T12:00:00+09:00", "capacity": 0})))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(fields(&r.json()), ["kind", "starts_at", "capacity"]);
}

/// Two hundred guests sign up at once for fifty seats: exactly fifty are confirmed, the rest
/// waitlisted in order, and cancelling ten confirmed ones promotes the ten earliest waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_guests_for_fifty_seats() {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let app = App::new().await;
    let chamber = app.user("events@cci.example.jp", &app.chamber, false).await;
    let ev = event(&app, &chamber, json!({"title": "見学会", "kind": "site_tour",
        "starts_at": "2027-02-10T10:00:00+09:00", "ends_at": "2027-02-10T12:00:00+09:00", "capacity": 50, "public": true})).await;
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let router = app.router.clone();
            let body = json!({"name": format!("参加者{i}"), "email": format!("p{i}@example.jp"), "organisation_name": format!("株式会社参加{i}")});
            let mut req = axum::http::Request::post(format!("/api/v1/events/{ev}/registrations"))
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            // Each guest from an address of their own, as the server sees its peers.
            let peer: std::net::SocketAddr = format!("10.0.{}.{}:40000", i / 250, i % 250 + 1).parse().unwrap();
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            tokio::spawn(async move {
                let resp = router.oneshot(req).await.unwrap();
                let status = resp.status().as_u16();
                let bytes = resp.into_body().collect().await.unwrap().to_bytes();
                (status, serde_json::from_slice::<Value>(&bytes).unwrap_or_default())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    assert!(
        answers.iter().all(|(s, _)| *s == 201),
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    assert_eq!(
        answers
            .iter()
            .filter(|(_, b)| b["status"] == "confirmed")
            .count(),
        50
    );
    let list = registrations(&app, &chamber, &ev).await;
    assert_eq!(list.len(), 200);
    assert_eq!(
        list.iter().filter(|r| r["status"] == "confirmed").count(),
        50
    );
    // Seats went in the order registrations were recorded.
    let first_waiting = list
        .iter()
        .position(|r| r["status"] == "waitlisted")
        .unwrap();
    assert_eq!(first_waiting, 50);
    let waiting: Vec<String> = list[50..60]
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    for r in &list[..10] {
        let id = r["id"].as_str().unwrap();
        let c = app
            .api(
                "POST",
                &format!("/api/v1/registrations/{id}/cancel"),
                Some(&chamber),
                None,
            )
            .await;
        assert_eq!(c.status, 200, "{}", c.text);
    }
    let list = registrations(&app, &chamber, &ev).await;
    assert_eq!(
        list.iter().filter(|r| r["status"] == "confirmed").count(),
        50
    );
    for id in waiting {
        assert_eq!(
            list.iter().find(|r| r["id"] == id.as_str()).unwrap()["status"],
            "confirmed"
        );
    }
}

/// A tiny SMTP server on the loopback address that keeps what it is sent (the real protocol:
/// greeting, EHLO, MAIL, RCPT, DATA, QUIT).
async fn smtp_sink() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let kept = kept.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(d) = data.as_mut() {
                        if line == "." {
                            kept.lock().unwrap().push(std::mem::take(d));
                            data = None;
                            w.write_all(b"250 kept\r\n").await.unwrap();
                        } else {
                            d.push_str(&line);
                            d.push('\n');
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (url, got)
}

#[tokio::test]
async fn confirmations_reach_a_real_smtp_server_and_failures_stay_queued() {
    let app = App::new().await;
    let chamber = app.user("events@cci.example.jp", &app.chamber, false).await;
    let ev = event(&app, &chamber, json!({"title": "ニーズ発表会", "kind": "needs_pitch",
        "starts_at": "2027-02-10T10:00:00+09:00", "ends_at": "2027-02-10T12:00:00+09:00", "public": true})).await;
    guest(&app, &ev, 7, "会津精工", json!({})).await;
    let core = &app.core;
    // No server listening: the attempt fails, is recorded, and the mail waits.
    let dead = noguchi_app::mail::Mailer::new("smtp://127.0.0.1:9", "noguchi@example.jp").unwrap();
    assert_eq!(core.deliver_mail(&dead).await.unwrap(), 0);
    let queued = app
        .db
        .store
        .outbox(&noguchi_domain::access::system_sight(), 10)
        .await
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (queued[0].status.as_str(), queued[0].attempts),
        ("pending", 1)
    );
    assert!(queued[0].last_error.is_some());
    // Due again later (the clock moves past the wait), it reaches a real server.
    app.db.clock.advance(time::Duration::minutes(5));
    let (url, got) = smtp_sink().await;
    let mailer = noguchi_app::mail::Mailer::new(&url, "noguchi@example.jp").unwrap();
    assert_eq!(core.deliver_mail(&mailer).await.unwrap(), 1);
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("guest7@example.jp"), "{}", got[0]);
    assert!(got[0].contains("Subject:"), "{}", got[0]);
    let queued = app
        .db
        .store
        .outbox(&noguchi_domain::access::system_sight(), 10)
        .await
        .unwrap();
    assert_eq!(queued[0].status, "sent");
    assert_eq!(
        core.deliver_mail(&mailer).await.unwrap(),
        0,
        "a sent mail is not sent again"
    );
}

/// One address cannot flood a public form: past a hundred sign-ups in ten minutes it is refused
/// (429), while another address still gets through.
#[tokio::test]
async fn one_address_meets_a_limit_on_guest_sign_ups() {
    use axum::body::Body;
    use tower::ServiceExt;
    let app = App::new().await;
    let chamber = app.user("events@cci.example.jp", &app.chamber, false).await;
    let ev = event(&app, &chamber, json!({"title": "展示会", "kind": "exhibition",
        "starts_at": "2027-02-10T10:00:00+09:00", "ends_at": "2027-02-10T12:00:00+09:00", "public": true})).await;
    let send = |i: usize, from: &str| {
        let body = json!({"name": format!("参加者{i}"), "email": format!("p{i}@example.jp"), "organisation_name": "株式会社参加"});
        let mut req = axum::http::Request::post(format!("/api/v1/events/{ev}/registrations"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let peer: std::net::SocketAddr = format!("{from}:40000").parse().unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        let router = app.router.clone();
        async move { router.oneshot(req).await.unwrap().status().as_u16() }
    };
    let mut statuses = Vec::new();
    for i in 0..105 {
        statuses.push(send(i, "192.0.2.7").await);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        100,
        "{statuses:?}"
    );
    assert!(statuses[100..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(send(500, "198.51.100.9").await, 201);
}

/// The pages: a guest registers on the event's page without an account (a field left wrong is
/// named beside it), opens the personal page and cancels there; the events staff create an event
/// with the form (datetime-local in JST) and check people in at the desk, found by their reading.
#[tokio::test]
async fn a_guest_registers_and_cancels_in_the_browser_and_staff_check_in_at_the_desk() {
    let app = App::new().await;
    let staff = app.browser("events@cci.example.jp", &app.chamber).await;
    let p = app.programme_id.clone();
    let form = staff.get(&format!("/programmes/{p}/events/new")).await;
    assert_eq!(form.status, 200, "{}", form.text);
    let r = staff
        .post_form(
            &format!("/programmes/{p}/events"),
            &[
                ("title", "医工連携セミナー"),
                ("kind", "seminar"),
                ("starts_at", "2027-01-15T13:30"),
                ("ends_at", "2027-01-15T16:00"),
                ("venue", "会津大学"),
                ("capacity", "１"),
                ("public", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let at = r.header("location").unwrap().to_owned();
    let id = at
        .trim_start_matches("/events/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let e = app
        .api("GET", &format!("/api/v1/events/{id}"), None, None)
        .await
        .json();
    assert_eq!(e["starts_at"], "2027-01-15T13:30:00+09:00");
    assert_eq!(e["capacity"], 1);
    // A capacity in letters is named, nothing stored.
    let bad = staff
        .post_form(
            &format!("/programmes/{p}/events"),
            &[
                ("title", "x"),
                ("kind", "seminar"),
                ("starts_at", "2027-01-15T13:30"),
                ("ends_at", "2027-01-15T16:00"),
                ("capacity", "十"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("定員"), "{}", bad.text);

    // A guest opens the page (no account), makes a mistake, then registers.
    let page = app.browse("GET", &format!("/events/{id}"), "", None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("医工連携セミナー") && page.text.contains("2027-01-15 13:30〜16:00")
    );
    let cookie = format!("noguchi_pre={}", page.cookie("noguchi_pre").unwrap());
    let csrf = crate::common::csrf_of(&page.text);
    let fields = |email: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", "会津 花子".to_owned()),
            ("name_kana", "あいづ はなこ".to_owned()),
            ("email", email.to_owned()),
            ("organisation_name", "㈱会津精工".to_owned()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let wrong = as_refs(&fields("hanako-at-example"));
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app
        .browse(
            "POST",
            &format!("/events/{id}/register"),
            &cookie,
            Some(&wrong),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("メールアドレス"), "{}", r.text);
    let right = as_refs(&fields("hanako@example.jp"));
    let right: Vec<(&str, &str)> = right.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app
        .browse(
            "POST",
            &format!("/events/{id}/register"),
            &cookie,
            Some(&right),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("参加確定"), "{}", r.text);
    let link = r
        .text
        .split("href=\"/registrations/manage/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    // The same address again: the same neutral answer, no link.
    let again = app
        .browse(
            "POST",
            &format!("/events/{id}/register"),
            &cookie,
            Some(&right),
        )
        .await;
    assert_eq!(again.status, 200);
    assert!(!again.text.contains("/registrations/manage/"));

    // The desk finds her by her reading, and one tap checks her in.
    let desk = staff.get(&format!("/events/{id}/desk?q=ハナコ")).await;
    assert_eq!(desk.status, 200, "{}", desk.text);
    assert!(desk.text.contains("会津 花子"));
    let reg = desk
        .text
        .split("action=\"/registrations/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let r = staff
        .post_form(
            &format!("/registrations/{reg}/check-in"),
            &[("q", "ハナコ")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with(&format!("/events/{id}/desk?q="))
    );
    let list = app
        .db
        .store
        .registrations(&noguchi_domain::access::system_sight(), &id)
        .await
        .unwrap();
    assert!(list[0].checked_in_at.is_some());
    // A guest's page is not the desk.
    let r = app
        .browse("GET", &format!("/events/{id}/desk"), "", None)
        .await;
    assert_ne!(r.status, 200);

    // Her personal page: the status, and a cancel button that works without an account.
    let mine = app
        .browse(
            "GET",
            &format!("/registrations/manage/{link}"),
            &cookie,
            None,
        )
        .await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert!(mine.text.contains("会津 花子") && mine.text.contains("参加確定"));
    // The check-in code: a QR code of the desk's address for her registration, which finds
    // exactly her there.
    assert!(mine.text.contains("受付用コード") && mine.text.matches("<rect").count() > 100);
    let by_code = staff.get(&format!("/events/{id}/desk?q={reg}")).await;
    assert!(by_code.text.contains("会津 花子"));
    assert_eq!(
        by_code.text.matches("class=\"status status-").count(),
        2,
        "her row only"
    );
    assert_eq!(mine.header("referrer-policy"), Some("same-origin"));
    let r = app
        .browse(
            "POST",
            &format!("/registrations/manage/{link}/cancel"),
            &cookie,
            Some(&[("csrf", csrf.as_str())]),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let mine = app
        .browse(
            "GET",
            &format!("/registrations/manage/{link}"),
            &cookie,
            None,
        )
        .await;
    assert!(mine.text.contains("キャンセル"));
    let r = app
        .browse(
            "GET",
            "/registrations/manage/0123456789abcdef0123456789abcdef",
            "",
            None,
        )
        .await;
    assert_eq!(r.status, 404);
}

/// A tie through an NDA is confidential: the two parties and the secretariat see it, another
/// firm's network does not show it (nor count it), while a tie from a seminar is everyone's.
#[tokio::test]
async fn a_tie_through_an_nda_is_seen_only_by_its_parties_and_the_secretariat() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let (firm_a, token_a) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    let (_firm_b, token_b) = app
        .firm("磐梯技研株式会社", &[], "eng@bandai.example.jp")
        .await;
    let need = app
        .need(&doctor, json!({"title": "点滴スタンドの転倒", "problem": "移動中に点滴スタンドが倒れやすい。", "disclosure": "nda"}))
        .await;
    let nid = need["id"].as_str().unwrap();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/needs/{nid}/ndas"),
            Some(&city),
            Some(json!({"organisation_id": firm_a, "signed_on": "2026-06-01"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let network = |token: String| {
        let app = &app;
        let p = p.clone();
        async move {
            let r = app
                .api(
                    "GET",
                    &format!("/api/v1/programmes/{p}/network?fiscal_year=2026"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.json()
        }
    };
    for who in [city.clone(), token_a.clone(), doctor.clone()] {
        let n = network(who).await;
        let ties = n["ties"].as_array().unwrap();
        assert_eq!(ties.len(), 1, "{n}");
        assert_eq!(ties[0]["kinds"], json!(["nda"]));
        assert_eq!(ties[0]["strength"], 3);
        assert_eq!(
            n["metrics"]["cross_sector_ties"], 1,
            "a hospital and a firm"
        );
    }
    let n = network(token_b).await;
    assert_eq!(n["ties"].as_array().unwrap().len(), 0, "{n}");
    assert_eq!(n["metrics"]["ties"], 0);
    assert_eq!(n["metrics"]["organisations"], 0);
}

/// The ties page draws the network the caller may see: a seminar's tie with both names, the
/// figures, and no tie through another's NDA.
#[tokio::test]
async fn the_ties_page_draws_what_the_caller_may_see() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let chamber = app.user("events@cci.example.jp", &app.chamber, false).await;
    let ev = event(&app, &chamber, json!({"title": "セミナー", "kind": "seminar",
        "starts_at": "2026-10-10T13:30:00+09:00", "ends_at": "2026-10-10T16:00:00+09:00", "public": true})).await;
    let (a, _) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    let (b, _) = app
        .firm("磐梯技研株式会社", &[], "eng@bandai.example.jp")
        .await;
    for (i, org) in [(1, "会津精工株式会社"), (2, "磐梯技研株式会社")] {
        guest(&app, &ev, i, org, json!({})).await;
    }
    for r in registrations(&app, &chamber, &ev).await {
        let id = r["id"].as_str().unwrap();
        app.api(
            "POST",
            &format!("/api/v1/registrations/{id}/check-in"),
            Some(&chamber),
            None,
        )
        .await;
    }
    let viewer = app
        .browser("staff@university.example.jp", &app.university)
        .await;
    let page = viewer
        .get(&format!("/programmes/{p}/network?fiscal_year=2026"))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("<svg") && page.text.contains("<line"),
        "{}",
        page.text
    );
    assert!(page.text.contains("会津精工株式会社") && page.text.contains("磐梯技研株式会社"));
    let _ = (a, b);
    let bad = viewer
        .get(&format!("/programmes/{p}/network?fiscal_year=abc"))
        .await;
    assert_eq!(bad.status, 422);
    let empty = viewer
        .get(&format!("/programmes/{p}/network?fiscal_year=2025"))
        .await;
    assert!(empty.text.contains("つながりはまだありません"));
}

/// The figures for the council: the funnel of the firms a seminar reached is the secretariat's
/// (it counts confidential entry cases), and the council pack carries the year's activity as
/// numbers, as does the KPI page.
#[tokio::test]
async fn the_council_sees_the_activity_and_the_secretariat_the_funnel() {
    use calamine::{Data, Reader, Xlsx};
    let app = App::new().await;
    let p = app.programme_id.clone();
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let university = app
        .user("staff@university.example.jp", &app.university, false)
        .await;
    let ev = event(&app, &city, json!({"title": "参入セミナー", "kind": "seminar",
        "starts_at": "2026-07-10T13:30:00+09:00", "ends_at": "2026-07-10T16:00:00+09:00", "public": true})).await;
    let (a, _) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    app.firm("磐梯技研株式会社", &[], "eng@bandai.example.jp")
        .await;
    for (i, org) in [(1, "会津精工株式会社"), (2, "磐梯技研株式会社")] {
        guest(&app, &ev, i, org, json!({})).await;
    }
    for r in registrations(&app, &city, &ev).await {
        let id = r["id"].as_str().unwrap();
        app.api(
            "POST",
            &format!("/api/v1/registrations/{id}/check-in"),
            Some(&city),
            None,
        )
        .await;
    }
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/entry-cases"),
            Some(&city),
            Some(json!({"organisation_id": a, "title": "歩行器の試作"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let act = |t: String| {
        let app = &app;
        let p = p.clone();
        async move {
            app.api(
                "GET",
                &format!("/api/v1/programmes/{p}/activity?fiscal_year=2026"),
                Some(&t),
                None,
            )
            .await
            .json()
        }
    };
    let sec = act(city.clone()).await;
    assert_eq!(sec["firms_reached"], 2);
    let f = &sec["funnel"];
    assert_eq!(
        [
            &f["attended"],
            &f["consulted"],
            &f["entry_case"],
            &f["commercialised"]
        ],
        [&json!(2), &json!(0), &json!(1), &json!(0)]
    );
    assert_eq!(sec["event_ids"], json!([ev]));
    assert_eq!(sec["firm_ids"].as_array().unwrap().len(), 2);
    assert_eq!(sec["funnel"]["entry_case_ids"], json!([a]));
    let other = act(university.clone()).await;
    assert_eq!(other["firms_reached"], 2);
    assert!(other["funnel"].is_null(), "{other}");

    // The KPI page's numbers open the records behind them; the funnel stays the secretariat's.
    let sec_page = app.browser("viewer@city.example.jp", &app.city).await;
    let kpi = sec_page.get(&format!("/programmes/{p}/kpi")).await;
    assert!(
        kpi.text
            .contains(&format!("/programmes/{p}/activity?fiscal_year=2026#firms")),
        "{}",
        kpi.text
    );
    let records = sec_page
        .get(&format!("/programmes/{p}/activity?fiscal_year=2026"))
        .await;
    assert_eq!(records.status, 200, "{}", records.text);
    assert!(
        records.text.contains("参入セミナー")
            && records.text.contains("会津精工株式会社")
            && records.text.contains("磐梯技研株式会社")
            && records.text.contains("うち参入案件のある企業")
    );

    let req = axum::http::Request::builder()
        .uri(format!("/api/v1/programmes/{p}/kpi.xlsx"))
        .header("authorization", format!("Bearer {city}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .unwrap();
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book
        .worksheet_range("イベント・参加")
        .expect("the activity sheet");
    let last = sheet.height() as u32 - 1;
    assert_eq!(sheet.get_value((last, 0)), Some(&Data::Float(2026.0)));
    assert_eq!(
        sheet.get_value((last, 2)),
        Some(&Data::Float(1.0)),
        "events held"
    );
    assert_eq!(
        sheet.get_value((last, 3)),
        Some(&Data::Float(2.0)),
        "participants"
    );
    assert_eq!(
        sheet.get_value((last, 4)),
        Some(&Data::Float(2.0)),
        "firms reached"
    );
    assert_eq!(
        sheet.get_value((last, 7)),
        Some(&Data::Float(1.0)),
        "with an entry case"
    );
    // The records behind the numbers: the event held, and each firm with its steps.
    let events = book
        .worksheet_range("開催イベント")
        .expect("the events sheet");
    assert_eq!(
        events.get_value((1, 1)),
        Some(&Data::String("参入セミナー".into()))
    );
    assert_eq!(events.get_value((1, 3)), Some(&Data::Float(2.0)));
    let firms = book.worksheet_range("参加企業").expect("the firms sheet");
    let rows: Vec<(String, String)> = (1..firms.height() as u32)
        .map(|r| {
            (
                firms.get_value((r, 1)).unwrap().to_string(),
                firms
                    .get_value((r, 4))
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        rows.contains(&("会津精工株式会社".into(), "✓".into()))
            && rows.contains(&("磐梯技研株式会社".into(), "".into())),
        "{rows:?}"
    );

    let page = app
        .browser("viewer@university.example.jp", &app.university)
        .await;
    let kpi = page.get(&format!("/programmes/{p}/kpi")).await;
    assert_eq!(kpi.status, 200);
    assert!(kpi.text.contains("参加企業数") && !kpi.text.contains("うち参入案件のある企業"));
    let records = page
        .get(&format!("/programmes/{p}/activity?fiscal_year=2026"))
        .await;
    assert!(
        records.text.contains("会津精工株式会社")
            && !records.text.contains("うち参入案件のある企業"),
        "{}",
        records.text
    );
}

/// A paper sign-in sheet (Shift_JIS CSV, as Excel saves it): a dry run reports each row and
/// writes nothing; a row wrong anywhere stops the whole sheet; the import checks in the
/// registered (by e-mail or by name), registers and checks in a walk-in, and leaves the absent.
#[tokio::test]
async fn a_paper_sign_in_sheet_checks_people_in_all_or_nothing() {
    let app = App::new().await;
    let chamber = app.user("events@cci.example.jp", &app.chamber, false).await;
    let ev = event(&app, &chamber, json!({"title": "見学会", "kind": "site_tour",
        "starts_at": "2026-11-10T10:00:00+09:00", "ends_at": "2026-11-10T12:00:00+09:00", "public": true})).await;
    for i in 0..3 {
        guest(&app, &ev, i, "会津精工株式会社", json!({})).await;
    }
    let url = |dry: bool| format!("/api/v1/events/{ev}/attendance/import?dry_run={dry}");
    let send = |csv: &str, dry: bool| {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(csv);
        let req = axum::http::Request::post(url(dry))
            .header("authorization", format!("Bearer {chamber}"))
            .header("content-type", "text/csv")
            .body(axum::body::Body::from(bytes.into_owned()))
            .unwrap();
        let router = app.router.clone();
        async move {
            let resp = tower::ServiceExt::oneshot(router, req).await.unwrap();
            let status = resp.status().as_u16();
            let bytes = http_body_util::BodyExt::collect(resp.into_body())
                .await
                .unwrap()
                .to_bytes();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        }
    };
    // guest0 by e-mail, 参加 1 by name (the sheet has no e-mail for him), guest2 absent, a
    // walk-in with what a registration needs.
    let sheet = "氏名,メールアドレス,所属,出欠\n参加 0,GUEST0@example.jp,会津精工,○\n参加　1,,会津精工,出席\n参加 2,guest2@example.jp,会津精工,×\n飛込 太郎,walkin@example.jp,磐梯技研,○\n";
    let (st, dry) = send(sheet, true).await;
    assert_eq!(st, 200, "{dry}");
    let actions: Vec<_> = dry["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].clone())
        .collect();
    assert_eq!(
        actions,
        [
            json!("check_in"),
            json!("check_in"),
            json!("absent"),
            json!("walk_in")
        ]
    );
    assert_eq!(dry["recorded"], 0);
    assert!(
        registrations(&app, &chamber, &ev)
            .await
            .iter()
            .all(|r| r["checked_in"] == false)
    );
    // One bad row (a walk-in without an e-mail, an unreadable mark) stops the sheet.
    let bad = format!("{sheet}名無し 花子,,どこか,○\n参加 2,guest2@example.jp,会津精工,たぶん\n");
    let (st, out) = send(&bad, false).await;
    assert_eq!(st, 422, "{out}");
    assert_eq!(out["invalid"], 2);
    assert_eq!(out["rows"][4]["errors"][0]["field"], "email");
    assert_eq!(out["rows"][5]["errors"][0]["field"], "attended");
    assert_eq!(
        registrations(&app, &chamber, &ev).await.len(),
        3,
        "nothing written"
    );
    let (st, done) = send(sheet, false).await;
    assert_eq!(st, 200, "{done}");
    assert_eq!(done["recorded"], 3);
    let list = registrations(&app, &chamber, &ev).await;
    let came: Vec<_> = list
        .iter()
        .filter(|r| r["checked_in"] == true)
        .map(|r| r["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        came,
        [
            "guest0@example.jp",
            "guest1@example.jp",
            "walkin@example.jp"
        ]
    );
    // The same sheet again changes nothing.
    let (_, again) = send(sheet, false).await;
    assert_eq!(again["rows"][0]["action"], "already");
    assert_eq!(again["recorded"], 0);
    // A firm may not record attendance.
    let (_, firm) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    let r = app.api("POST", &url(true), Some(&firm), None).await;
    assert_eq!(r.status, 403, "{}", r.text);
}

/// The sign-in sheet's page: the file is checked and each row's result shown; the
/// confirmation records it and returns to the desk.
#[tokio::test]
async fn the_sign_in_sheet_page_checks_then_records() {
    let app = App::new().await;
    let staff = app.browser("events@cci.example.jp", &app.chamber).await;
    let crate::common::Auth::Browser { cookie, csrf } = staff.auth.clone() else {
        unreachable!()
    };
    let chamber = app.user("api@cci.example.jp", &app.chamber, false).await;
    let ev = event(&app, &chamber, json!({"title": "見学会", "kind": "site_tour",
        "starts_at": "2026-11-10T10:00:00+09:00", "ends_at": "2026-11-10T12:00:00+09:00", "public": true})).await;
    guest(&app, &ev, 0, "会津精工株式会社", json!({})).await;
    let form = staff.get(&format!("/events/{ev}/attendance/import")).await;
    assert_eq!(form.status, 200, "{}", form.text);
    let path = format!("/events/{ev}/attendance/import");
    let req = crate::pipelines::upload(
        &path,
        &cookie,
        &csrf,
        "氏名,メールアドレス\n参加 0,guest0@example.jp\n",
    );
    let resp = app.request(req).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert!(resp.text.contains("受付済みにします"), "{}", resp.text);
    let csv = resp
        .text
        .split("name=\"csv\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let csv = csv
        .replace("&#10;", "\n")
        .replace("&#13;", "\r")
        .replace("&#34;", "\"")
        .replace("&#38;", "&")
        .replace("&#x2c;", ",");
    let r = staff.post_form(&path, &[("csv", csv.as_str())]).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let list = registrations(&app, &chamber, &ev).await;
    assert_eq!(list[0]["checked_in"], true);
}

/// The participant list exports with formula-like names neutralised, and the badges print the
/// confirmed only; a firm gets neither.
#[tokio::test]
async fn the_participant_list_exports_safely_and_badges_print_the_confirmed() {
    let app = App::new().await;
    let staff = app.browser("events@cci.example.jp", &app.chamber).await;
    let chamber = app.user("api@cci.example.jp", &app.chamber, false).await;
    let ev = event(&app, &chamber, json!({"title": "見学会", "kind": "site_tour",
        "starts_at": "2027-02-10T10:00:00+09:00", "ends_at": "2027-02-10T12:00:00+09:00", "capacity": 1, "public": true})).await;
    guest(
        &app,
        &ev,
        0,
        "=HYPERLINK(\"http://evil.example/\",\"x\")",
        json!({}),
    )
    .await;
    guest(&app, &ev, 1, "磐梯技研", json!({})).await;
    let csv = staff
        .get(&format!("/events/{ev}/registrations/export?format=csv"))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.text.contains("'=HYPERLINK"), "{}", csv.text);
    assert!(!csv.text.contains(",=HYPERLINK"), "{}", csv.text);
    let xlsx = staff
        .get(&format!("/events/{ev}/registrations/export?format=xlsx"))
        .await;
    assert_eq!(xlsx.status, 200);
    assert!(
        xlsx.header("content-type")
            .unwrap()
            .contains("spreadsheetml")
    );
    let bad = staff
        .get(&format!("/events/{ev}/registrations/export?format=pdf"))
        .await;
    assert_eq!(bad.status, 422);
    let badges = staff.get(&format!("/events/{ev}/badges")).await;
    assert_eq!(badges.status, 200);
    assert!(
        badges.text.contains("参加 0") && !badges.text.contains("参加 1"),
        "the waitlisted get no badge"
    );
    let firm = app.browser("eng@firm.example.jp", &app.hospital).await;
    assert_eq!(
        firm.get(&format!("/events/{ev}/registrations/export?format=csv"))
            .await
            .status,
        404
    );
    assert_eq!(firm.get(&format!("/events/{ev}/badges")).await.status, 404);
}

/// The day before an event each confirmed participant gets a reminder, once; the waitlisted and
/// the cancelled get none, nor does an event further ahead.
#[tokio::test]
async fn reminders_go_the_day_before_once_to_the_confirmed() {
    let app = App::new().await;
    let chamber = app.user("events@cci.example.jp", &app.chamber, false).await;
    // The test clock stands at 2026-11-20 10:00 JST.
    let tomorrow = event(&app, &chamber, json!({"title": "明日の見学会", "kind": "site_tour",
        "starts_at": "2026-11-21T09:30:00+09:00", "ends_at": "2026-11-21T12:00:00+09:00", "capacity": 2, "public": true})).await;
    let later = event(&app, &chamber, json!({"title": "来週のセミナー", "kind": "seminar",
        "starts_at": "2026-11-27T13:30:00+09:00", "ends_at": "2026-11-27T16:00:00+09:00", "public": true})).await;
    for i in 0..3 {
        guest(&app, &tomorrow, i, "会津精工", json!({})).await;
    }
    guest(&app, &later, 9, "会津精工", json!({})).await;
    let g1 = registrations(&app, &chamber, &tomorrow).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.api(
        "POST",
        &format!("/api/v1/registrations/{g1}/cancel"),
        Some(&chamber),
        None,
    )
    .await;
    let core = &app.core;
    // guest0 and the promoted guest2 are confirmed; guest1 cancelled.
    assert_eq!(core.queue_reminders().await.unwrap(), 2);
    assert_eq!(core.queue_reminders().await.unwrap(), 0, "once each");
    let reminders: Vec<_> = app
        .db
        .store
        .due_mail(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "event_reminder")
        .collect();
    let mut to: Vec<_> = reminders.iter().map(|m| m.recipient.clone()).collect();
    to.sort();
    assert_eq!(to, ["guest0@example.jp", "guest2@example.jp"]);
    assert!(reminders[0].subject.contains("明日開催"));
    assert!(
        reminders[0]
            .body
            .contains("2026年11月21日（土）09:30〜12:00"),
        "{}",
        reminders[0].body
    );
}

/// An event's own questions and sessions: answers checked against their questions, a session's
/// seats never exceeded, keys kept through an edit, and both in the list, the export and the
/// page.
#[tokio::test]
async fn questions_and_sessions_are_asked_checked_and_exported() {
    let app = App::new().await;
    let chamber = app.user("events@cci.example.jp", &app.chamber, false).await;
    let ev = event(&app, &chamber, json!({"title": "医療機器参入フォーラム", "kind": "seminar",
        "starts_at": "2027-01-20T13:30:00+09:00", "ends_at": "2027-01-20T17:00:00+09:00", "public": true,
        "questions": [
            {"label": "参加方法", "kind": "choice", "choices": ["会場", "オンライン"], "required": true},
            {"label": "懇親会に参加しますか", "kind": "yes_no"},
            {"label": "講師への質問", "kind": "text"}
        ],
        "sessions": [{"title": "個別相談会", "capacity": 1}, {"title": "工場見学"}]})).await;
    let e = app
        .api("GET", &format!("/api/v1/events/{ev}"), None, None)
        .await
        .json();
    assert_eq!(e["sessions"][0]["key"], "s1");
    assert_eq!(e["questions"][0]["choices"], json!(["会場", "オンライン"]));
    let send = |i: usize, extra: Value| {
        let app = &app;
        let ev = ev.clone();
        async move {
            let mut body = json!({"name": format!("参加 {i}"), "email": format!("g{i}@example.jp"),
                "organisation_name": "会津精工"});
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            app.api(
                "POST",
                &format!("/api/v1/events/{ev}/registrations"),
                None,
                Some(body),
            )
            .await
        }
    };
    // A required answer missing, a choice not offered, a yes/no neither, a session unknown.
    let r = send(
        1,
        json!({"answers": {"q2": "たぶん", "q7": "x"}, "sessions": ["s9"]}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let mut named = fields(&r.json());
    named.sort();
    assert_eq!(
        named,
        ["answers.q1", "answers.q2", "answers.q7", "sessions"]
    );
    let r = send(1, json!({"answers": {"q1": "宇宙"}})).await;
    assert_eq!(fields(&r.json()), ["answers.q1"]);
    let r = send(
        1,
        json!({"answers": {"q1": "会場", "q2": "はい", "q3": "=1+1"}, "sessions": ["s1", "s2"]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // The one seat of 個別相談会 is taken: a second asks in vain and nothing is stored.
    let r = send(
        2,
        json!({"answers": {"q1": "オンライン"}, "sessions": ["s1"]}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(fields(&r.json()), ["sessions"]);
    assert!(r.text.contains("個別相談会"), "{}", r.text);
    assert_eq!(registrations(&app, &chamber, &ev).await.len(), 1);
    let r = send(
        2,
        json!({"answers": {"q1": "オンライン"}, "sessions": ["s2"]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);

    // An edit that drops 工場見学 and adds a session keeps 個別相談会's key.
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/events/{ev}"),
            Some(&chamber),
            Some(json!({"sessions": [{"key": "s1", "title": "個別相談会", "capacity": 2}, {"title": "交流会"}]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let keys: Vec<&str> = r.json()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|k| if k == "s1" { "s1" } else { "new" })
        .collect();
    assert_eq!(keys, ["s1", "new"]);
    let r = send(3, json!({"answers": {"q1": "会場"}, "sessions": ["s1"]})).await;
    assert_eq!(
        r.status, 201,
        "the raised capacity seats one more: {}",
        r.text
    );

    let list = registrations(&app, &chamber, &ev).await;
    let first = list.iter().find(|r| r["email"] == "g1@example.jp").unwrap();
    assert_eq!(
        first["answers"],
        json!([{"question": "参加方法", "answer": "会場"}, {"question": "懇親会に参加しますか", "answer": "yes"},
            {"question": "講師への質問", "answer": "=1+1"}])
    );
    assert_eq!(first["sessions"], json!(["s1", "s2"]));

    let staff = app.browser("staff2@cci.example.jp", &app.chamber).await;
    let csv = staff
        .get(&format!("/events/{ev}/registrations/export?format=csv"))
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.text.trim_start_matches('\u{feff}');
    let head = text.lines().next().unwrap();
    assert!(
        head.ends_with("参加方法,懇親会に参加しますか,講師への質問,セッション"),
        "{head}"
    );
    let g1 = text.lines().find(|l| l.contains("g1@example.jp")).unwrap();
    assert!(g1.ends_with("会場,はい,'=1+1,個別相談会"), "{g1}");

    // The page asks the same questions and takes the answers.
    let page = app.browse("GET", &format!("/events/{ev}"), "", None).await;
    assert!(page.text.contains("name=\"answers.q1\"") && page.text.contains("value=\"s1\""));
    let cookie = format!("noguchi_pre={}", page.cookie("noguchi_pre").unwrap());
    let csrf = crate::common::csrf_of(&page.text);
    let r = app
        .browse(
            "POST",
            &format!("/events/{ev}/register"),
            &cookie,
            Some(&[
                ("csrf", csrf.as_str()),
                ("name", "会津 花子"),
                ("email", "hanako@example.jp"),
                ("organisation_name", "会津精工"),
            ]),
        )
        .await;
    assert_eq!(r.status, 422, "the required choice: {}", r.text);
    assert!(r.text.contains("answers.q1-error"), "{}", r.text);
    let r = app
        .browse(
            "POST",
            &format!("/events/{ev}/register"),
            &cookie,
            Some(&[
                ("csrf", csrf.as_str()),
                ("name", "会津 花子"),
                ("email", "hanako@example.jp"),
                ("organisation_name", "会津精工"),
                ("answers.q1", "オンライン"),
                ("answers.q2", "no"),
                ("sessions", "s3"),
            ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let hanako = registrations(&app, &chamber, &ev)
        .await
        .into_iter()
        .find(|r| r["email"] == "hanako@example.jp")
        .unwrap();
    assert_eq!(
        hanako["sessions"],
        json!(["s3"]),
        "交流会, numbered after 工場見学's s2"
    );
    assert_eq!(hanako["answers"][1]["answer"], "no");
}

#[tokio::test]
async fn the_event_form_takes_questions_and_sessions_as_lines() {
    let app = App::new().await;
    let staff = app.browser("events@cci.example.jp", &app.chamber).await;
    let p = app.programme_id.clone();
    let base = [
        ("title", "参入セミナー"),
        ("kind", "seminar"),
        ("starts_at", "2027-01-15T13:30"),
        ("ends_at", "2027-01-15T16:00"),
        ("public", "on"),
        (
            "questions",
            "選択*: 参加方法 = 会場, オンライン\nはい/いいえ: 懇親会",
        ),
    ];
    let mut bad = base.to_vec();
    bad.push(("sessions", "分科会A / 多数"));
    let r = staff
        .post_form(&format!("/programmes/{p}/events"), &bad)
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text.contains("分科会A / ") || r.text.contains("数値"),
        "{}",
        r.text
    );
    let mut good = base.to_vec();
    good.push(("sessions", "分科会A / ２０\n交流会"));
    let r = staff
        .post_form(&format!("/programmes/{p}/events"), &good)
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let id = r.header("location").unwrap().trim_start_matches("/events/");
    let id = id.split('?').next().unwrap();
    let e = app
        .api("GET", &format!("/api/v1/events/{id}"), None, None)
        .await
        .json();
    assert_eq!(e["questions"][0]["required"], true);
    assert_eq!(e["questions"][1]["kind"], "yes_no");
    assert_eq!(
        e["sessions"],
        json!([{"key": "s1", "title": "分科会A", "capacity": 20}, {"key": "s2", "title": "交流会", "capacity": null}])
    );
}

/// An entry case's supporter works with the firm (the deepest tie, joint work); like the case,
/// the tie is seen by the case's parties and the secretariat only.
#[tokio::test]
async fn a_tie_through_an_entry_case_is_joint_work_seen_by_its_parties() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let university = app
        .user("staff@university.example.jp", &app.university, false)
        .await;
    let (firm, firm_token) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    let (_, other) = app
        .firm("磐梯技研株式会社", &[], "eng@bandai.example.jp")
        .await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/entry-cases"),
            Some(&city),
            Some(json!({"organisation_id": firm, "title": "歩行器の試作", "supporters": [app.university]})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    for (who, sees) in [
        (city, true),
        (firm_token, true),
        (university, true),
        (other, false),
    ] {
        let n = app
            .api(
                "GET",
                &format!("/api/v1/programmes/{p}/network?fiscal_year=2026"),
                Some(&who),
                None,
            )
            .await
            .json();
        let ties = n["ties"].as_array().unwrap();
        if sees {
            assert_eq!(ties.len(), 1, "{n}");
            assert_eq!(ties[0]["kinds"], json!(["support"]));
            assert_eq!(ties[0]["strength"], 4);
        } else {
            assert!(ties.is_empty(), "{n}");
        }
    }
}

/// The personal link changes the answers and the sessions until the event begins; a session
/// newly chosen needs a free seat, the registrant's own seat counting as theirs.
#[tokio::test]
async fn a_guest_changes_answers_and_sessions_through_the_personal_link() {
    let app = App::new().await;
    let chamber = app.user("events@cci.example.jp", &app.chamber, false).await;
    let ev = event(&app, &chamber, json!({"title": "参入フォーラム", "kind": "seminar",
        "starts_at": "2027-01-20T13:30:00+09:00", "ends_at": "2027-01-20T17:00:00+09:00", "public": true,
        "questions": [{"label": "参加方法", "kind": "choice", "choices": ["会場", "オンライン"], "required": true}],
        "sessions": [{"title": "個別相談会", "capacity": 1}, {"title": "交流会"}]})).await;
    let first = guest(
        &app,
        &ev,
        1,
        "会津精工",
        json!({"answers": {"q1": "会場"}, "sessions": ["s1"]}),
    )
    .await;
    let second = guest(
        &app,
        &ev,
        2,
        "磐梯技研",
        json!({"answers": {"q1": "会場"}, "sessions": ["s2"]}),
    )
    .await;
    let change = |token: Value, body: Value| {
        let app = &app;
        async move {
            let mut body = body;
            body["manage_token"] = token;
            app.api("POST", "/api/v1/registrations/change", None, Some(body))
                .await
        }
    };
    // The first keeps 個別相談会 (their own seat) and changes the answer.
    let r = change(
        first["manage_token"].clone(),
        json!({"answers": {"q1": "オンライン"}, "sessions": ["s1", "s2"]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The second may not take the seat held by the first; nothing changes.
    let r = change(
        second["manage_token"].clone(),
        json!({"answers": {"q1": "会場"}, "sessions": ["s1"]}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(fields(&r.json()), ["sessions"]);
    let r = change(second["manage_token"].clone(), json!({"answers": {}})).await;
    assert_eq!(fields(&r.json()), ["answers.q1"], "the required answer");
    let list = registrations(&app, &chamber, &ev).await;
    let of = |email: &str| list.iter().find(|r| r["email"] == email).unwrap().clone();
    assert_eq!(of("guest1@example.jp")["sessions"], json!(["s1", "s2"]));
    assert_eq!(
        of("guest1@example.jp")["answers"][0]["answer"],
        "オンライン"
    );
    assert_eq!(of("guest2@example.jp")["sessions"], json!(["s2"]));
    let r = change(json!("no-such-link"), json!({})).await;
    assert_eq!(r.status, 404);

    // In the browser: the personal page shows the form filled in and saves a change.
    let token = first["manage_token"].as_str().unwrap();
    let page = app
        .browse("GET", &format!("/registrations/manage/{token}"), "", None)
        .await;
    assert!(
        page.text.contains("value=\"オンライン\" checked"),
        "{}",
        page.text
    );
    let cookie = format!("noguchi_pre={}", page.cookie("noguchi_pre").unwrap());
    let csrf = crate::common::csrf_of(&page.text);
    let r = app
        .browse(
            "POST",
            &format!("/registrations/manage/{token}/change"),
            &cookie,
            Some(&[("csrf", csrf.as_str()), ("answers.q1", "会場")]),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let list = registrations(&app, &chamber, &ev).await;
    let mine = list
        .iter()
        .find(|r| r["email"] == "guest1@example.jp")
        .unwrap();
    assert_eq!(mine["sessions"], json!([]), "every session left");
    // A cancelled registration changes no more.
    app.api(
        "POST",
        "/api/v1/registrations/cancel",
        None,
        Some(json!({"manage_token": token})),
    )
    .await;
    let r = change(json!(token), json!({"answers": {"q1": "会場"}})).await;
    assert_eq!(r.status, 422, "{}", r.text);
}

/// The network and the figures are read once per change and shared: a check-in after a first
/// read shows at the next one (nothing stale is served from what was read before).
#[tokio::test]
async fn a_change_after_a_read_shows_at_the_next_read() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let (a, _) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    let (b, _) = app
        .firm("磐梯技研株式会社", &[], "eng@bandai.example.jp")
        .await;
    let ev = event(&app, &city, json!({"title": "参入セミナー", "kind": "seminar",
        "starts_at": "2026-07-10T13:30:00+09:00", "ends_at": "2026-07-10T16:00:00+09:00", "public": true})).await;
    let read = |path: String| {
        let app = &app;
        let city = city.clone();
        async move { app.api("GET", &path, Some(&city), None).await.json() }
    };
    let network = format!("/api/v1/programmes/{p}/network?fiscal_year=2026");
    let activity = format!("/api/v1/programmes/{p}/activity?fiscal_year=2026");
    let mut ids = Vec::new();
    for (i, org) in [(1, "会津精工株式会社"), (2, "磐梯技研株式会社")] {
        ids.push(
            guest(&app, &ev, i, org, json!({})).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let check_in = |id: String| {
        let app = &app;
        let city = city.clone();
        async move {
            let r = app
                .api(
                    "POST",
                    &format!("/api/v1/registrations/{id}/check-in"),
                    Some(&city),
                    None,
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    };
    check_in(ids[0].clone()).await;
    assert_eq!(
        read(network.clone()).await["ties"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(read(activity.clone()).await["participants"], 1);
    check_in(ids[1].clone()).await;
    let n = read(network.clone()).await;
    assert_eq!(n["ties"].as_array().unwrap().len(), 1, "{n}");
    let mut pair = [n["ties"][0]["a"].clone(), n["ties"][0]["b"].clone()];
    pair.sort_by_key(|v| v.to_string());
    let mut want = [json!(a), json!(b)];
    want.sort_by_key(|v| v.to_string());
    assert_eq!(pair, want);
    assert_eq!(read(activity).await["participants"], 2);
}

/// Reloading a page a form answered (a confirmation shown at the form's address) goes back to
/// the page the form was on; the API answers 405 naming the methods the route takes.
#[tokio::test]
async fn a_get_on_a_form_address_goes_back_and_the_api_says_405() {
    let app = App::new().await;
    let chamber = app.user("events@cci.example.jp", &app.chamber, false).await;
    let ev = event(&app, &chamber, json!({"title": "参入セミナー", "kind": "seminar",
        "starts_at": "2027-01-15T13:30:00+09:00", "ends_at": "2027-01-15T16:00:00+09:00", "public": true})).await;
    let r = app
        .browse("GET", &format!("/events/{ev}/register"), "", None)
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(r.header("location"), Some(format!("/events/{ev}").as_str()));
    let r = app
        .api("GET", "/api/v1/registrations/cancel", None, None)
        .await;
    assert_eq!(r.status, 405, "{}", r.text);
    assert_eq!(r.header("allow"), Some("POST"));
}
