//! Projects to market: visible to their members, the secretariat and the project-management
//! role only (404 for anyone else, absent from lists); the consortium, the stages (going back
//! needs a reason), the pathway for every class and route with licences present and missing,
//! and the clearance.

use crate::common::{App, fields};
use serde_json::{Value, json};

/// A firm in the directory with licences on its record.
async fn licensed(app: &App, name: &str, licences: &[&str], email: &str) -> (String, String) {
    let city = app.user(&format!("sec-{email}"), &app.city, false).await;
    let r = app
        .api(
            "POST",
            "/api/v1/organisations",
            Some(&city),
            Some(json!({"name": name, "kind": "company", "in_region": true, "licences": licences})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let token = app.user(email, &id, false).await;
    (id, token)
}

#[tokio::test]
async fn a_project_is_seen_by_its_members_and_those_who_run_projects_only() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let foundation = app
        .user("pm@foundation.example.jp", &app.foundation, false)
        .await;
    let (member, member_token) = app
        .firm("会津精工株式会社", &[], "eng@aizu.example.jp")
        .await;
    let (_, outsider) = app
        .firm("磐梯技研株式会社", &[], "eng@bandai.example.jp")
        .await;
    let hospital = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;

    // Only those who run projects open one.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/projects"),
            Some(&member_token),
            Some(json!({"title": "x"})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/projects"),
            Some(&foundation),
            Some(json!({"title": "歩行補助具の事業化", "device_class": "ii", "summary": "病院の転倒ニーズから"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let project = r.json();
    let id = project["id"].as_str().unwrap().to_owned();
    assert_eq!(project["stage"], "concept");
    assert_eq!(project["device_class"], "II");
    assert_eq!(project["certification_standard"], false);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/projects/{id}/members"),
            Some(&foundation),
            Some(json!({"organisation_id": member, "role": "manufacturer"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let sees = |token: String| {
        let app = &app;
        let (id, p) = (id.clone(), p.clone());
        async move {
            let one = app
                .api("GET", &format!("/api/v1/projects/{id}"), Some(&token), None)
                .await
                .status
                .as_u16();
            let list = app
                .api(
                    "GET",
                    &format!("/api/v1/programmes/{p}/projects"),
                    Some(&token),
                    None,
                )
                .await
                .json();
            let listed = list["items"].as_array().unwrap().len();
            let pathway = app
                .api(
                    "GET",
                    &format!("/api/v1/projects/{id}/pathway"),
                    Some(&token),
                    None,
                )
                .await
                .status
                .as_u16();
            (one, listed, pathway)
        }
    };
    assert_eq!(sees(city.clone()).await, (200, 1, 200));
    assert_eq!(sees(foundation.clone()).await, (200, 1, 200));
    assert_eq!(sees(member_token.clone()).await, (200, 1, 200));
    assert_eq!(sees(outsider.clone()).await, (404, 0, 404));
    assert_eq!(sees(hospital.clone()).await, (404, 0, 404));
    // An outsider cannot tell a project that exists from one that does not, even by writing.
    for (method, path, body) in [
        (
            "PATCH",
            format!("/api/v1/projects/{id}"),
            json!({"title": "y"}),
        ),
        (
            "POST",
            format!("/api/v1/projects/{id}/stage"),
            json!({"stage": "prototype"}),
        ),
        (
            "POST",
            format!("/api/v1/projects/{id}/members"),
            json!({"organisation_id": member, "role": "mah"}),
        ),
        (
            "POST",
            format!("/api/v1/projects/{id}/clearances"),
            json!({"route": "approval", "number": "1", "date": "2026-11-01"}),
        ),
    ] {
        let r = app.api(method, &path, Some(&outsider), Some(body)).await;
        assert_eq!(r.status, 404, "{method} {path}: {}", r.text);
    }
    // A member sees but does not run the project.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/projects/{id}/stage"),
            Some(&member_token),
            Some(json!({"stage": "prototype"})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
}

#[tokio::test]
async fn stages_move_forward_freely_and_back_with_a_reason() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let pm = app
        .user("pm@foundation.example.jp", &app.foundation, false)
        .await;
    let id = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/projects"),
            Some(&pm),
            Some(json!({"title": "点滴スタンドの改良"})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stage = |body: Value| {
        let app = &app;
        let (pm, id) = (pm.clone(), id.clone());
        async move {
            app.api(
                "POST",
                &format!("/api/v1/projects/{id}/stage"),
                Some(&pm),
                Some(body),
            )
            .await
        }
    };
    let r = stage(json!({"stage": "evaluation", "date": "2026-10-01"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["stage_on"], "2026-10-01");
    let r = stage(json!({"stage": "prototype"})).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(fields(&r.json()), ["note"]);
    let r = stage(json!({"stage": "prototype", "note": "評価で強度不足"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = stage(json!({"stage": "stopped"})).await;
    assert_eq!(fields(&r.json()), ["note"], "stopping needs a reason");
    let r = stage(json!({"stage": "orbit", "date": "2099-01-01"})).await;
    let mut named = fields(&r.json());
    named.sort();
    assert_eq!(named, ["date", "stage"]);
}

/// The contract's table: each class and route, with the MAH's licence held or missing and a
/// manufacturer with and without its registration.
#[tokio::test]
async fn the_pathway_follows_the_class_and_names_each_licence() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let pm = app
        .user("pm@foundation.example.jp", &app.foundation, false)
        .await;
    let (mah2, _) = licensed(
        &app,
        "会津メディカル株式会社",
        &["marketing_class2"],
        "a@mah.example.jp",
    )
    .await;
    let (maker, _) = licensed(
        &app,
        "会津精工株式会社",
        &["manufacturing_registration"],
        "b@maker.example.jp",
    )
    .await;
    let (bare, _) = licensed(&app, "磐梯技研株式会社", &[], "c@bare.example.jp").await;
    let id = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/projects"),
            Some(&pm),
            Some(json!({"title": "転倒検知センサー"})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let way = || {
        let app = &app;
        let (pm, id) = (pm.clone(), id.clone());
        async move {
            app.api(
                "GET",
                &format!("/api/v1/projects/{id}/pathway"),
                Some(&pm),
                None,
            )
            .await
            .json()
        }
    };
    let w = way().await;
    assert!(w["route"].is_null());
    assert_eq!(w["gaps"], json!(["no_class"]));
    for (org, role) in [
        (&mah2, "mah"),
        (&maker, "manufacturer"),
        (&bare, "manufacturer"),
    ] {
        let r = app
            .api(
                "POST",
                &format!("/api/v1/projects/{id}/members"),
                Some(&pm),
                Some(json!({"organisation_id": org, "role": role})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let patch = |body: Value| {
        let app = &app;
        let (pm, id) = (pm.clone(), id.clone());
        async move {
            let r = app
                .api(
                    "PATCH",
                    &format!("/api/v1/projects/{id}"),
                    Some(&pm),
                    Some(body),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    };
    let held = |w: &Value, org: &str| {
        w["licences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["organisation_id"] == org)
            .map(|l| {
                (
                    l["licence"].as_str().unwrap().to_owned(),
                    l["held"].as_bool().unwrap(),
                )
            })
            .unwrap()
    };
    for (class, standard, route, licence, mah_holds) in [
        ("I", false, "notification", "marketing_class3", true),
        ("II", true, "certification", "marketing_class2", true),
        ("II", false, "approval", "marketing_class2", true),
        ("III", true, "certification", "marketing_class1", false),
        ("III", false, "approval", "marketing_class1", false),
        ("IV", true, "approval", "marketing_class1", false),
    ] {
        patch(json!({"device_class": class, "certification_standard": standard})).await;
        let w = way().await;
        assert_eq!(w["route"], route, "{class} {standard}");
        assert_eq!(held(&w, &mah2), (licence.to_owned(), mah_holds), "{class}");
        assert_eq!(
            held(&w, &maker),
            ("manufacturing_registration".to_owned(), true)
        );
        assert_eq!(
            held(&w, &bare),
            ("manufacturing_registration".to_owned(), false)
        );
        assert_eq!(w["qms"], class != "I");
        assert_eq!(w["gaps"], json!([]));
    }
    // The clearance is recorded with its route, number and date; bad ones are named.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/projects/{id}/clearances"),
            Some(&pm),
            Some(json!({"route": "teleport", "date": "2099-01-01"})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let mut named = fields(&r.json());
    named.sort();
    assert_eq!(named, ["date", "number", "route"]);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/projects/{id}/clearances"),
            Some(&pm),
            Some(json!({"route": "approval", "number": "30800BZX00123000", "date": "2026-11-01"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["clearances"][0]["number"], "30800BZX00123000");
}

/// A launch with a clearance credits each member firm inside the region once: through its
/// entry case where it has one, else a pending outcome of the right kind; never twice, and
/// reopening withdraws what the launch created.
#[tokio::test]
async fn a_launch_credits_each_member_firm_once() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let org = |name: &'static str, status: &'static str, licences: Vec<&'static str>| {
        let app = &app;
        let city = city.clone();
        async move {
            let r = app
                .api(
                    "POST",
                    "/api/v1/organisations",
                    Some(&city),
                    Some(json!({"name": name, "kind": "company", "in_region": true,
                        "field_status": status, "licences": licences})),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
            r.json()["id"].as_str().unwrap().to_owned()
        }
    };
    let mah = org(
        "株式会社会津メディカル",
        "existing_medical",
        vec!["marketing_class2"],
    )
    .await;
    let maker = org("有限会社磐梯精機", "entrant", vec![]).await;
    let id = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/projects"),
            Some(&city),
            Some(json!({"title": "低侵襲手術用リトラクター", "device_class": "II", "certification_standard": true})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (o, role) in [(&mah, "mah"), (&maker, "manufacturer"), (&mah, "supporter")] {
        app.api(
            "POST",
            &format!("/api/v1/projects/{id}/members"),
            Some(&city),
            Some(json!({"organisation_id": o, "role": role})),
        )
        .await;
    }
    let case = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/entry-cases"),
            Some(&city),
            Some(json!({"organisation_id": maker, "title": "手術器具の部品"})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stage = |body: Value| {
        let app = &app;
        let (city, id) = (city.clone(), id.clone());
        async move {
            let r = app
                .api(
                    "POST",
                    &format!("/api/v1/projects/{id}/stage"),
                    Some(&city),
                    Some(body),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    };
    let outcomes = || {
        let app = &app;
        let (city, p) = (city.clone(), p.clone());
        async move {
            let list = app
                .api(
                    "GET",
                    &format!("/api/v1/programmes/{p}/outcomes"),
                    Some(&city),
                    None,
                )
                .await
                .json();
            let mut per: Vec<(String, String, String)> = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|o| o["status"] != "rejected")
                .map(|o| {
                    (
                        o["organisation_id"].as_str().unwrap().to_owned(),
                        o["kind"].as_str().unwrap().to_owned(),
                        o["source"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            per.sort();
            per
        }
    };
    // Launched without a clearance: nothing is credited yet.
    stage(json!({"stage": "launched", "date": "2026-10-01"})).await;
    assert!(outcomes().await.is_empty());
    let r = app
        .api(
            "POST",
            &format!("/api/v1/projects/{id}/clearances"),
            Some(&city),
            Some(json!({"route": "certification", "number": "308AABZX00001000", "date": "2026-09-01"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mut want = vec![
        (
            mah.clone(),
            "commercialisation".to_owned(),
            "project".to_owned(),
        ),
        (
            maker.clone(),
            "new_entry".to_owned(),
            "entry_case".to_owned(),
        ),
    ];
    want.sort();
    assert_eq!(
        outcomes().await,
        want,
        "one each, the MAH once despite two roles"
    );
    let c = app
        .api(
            "GET",
            &format!("/api/v1/entry-cases/{case}"),
            Some(&city),
            None,
        )
        .await
        .json();
    assert_eq!(c["stage"], "commercialised");
    // A second clearance changes nothing.
    app.api(
        "POST",
        &format!("/api/v1/projects/{id}/clearances"),
        Some(&city),
        Some(json!({"route": "certification", "number": "308AABZX00001001", "date": "2026-10-01"})),
    )
    .await;
    assert_eq!(outcomes().await, want);
    // Reopening withdraws what the launch created: its own pending outcome, and the entry case
    // goes back where it was (so its outcome is withdrawn too); launching again credits once more.
    stage(json!({"stage": "submission", "note": "回収のため再申請"})).await;
    assert_eq!(outcomes().await, vec![]);
    let c = app
        .api(
            "GET",
            &format!("/api/v1/entry-cases/{case}"),
            Some(&city),
            None,
        )
        .await
        .json();
    assert_ne!(c["stage"], "commercialised", "{c}");
    stage(json!({"stage": "launched"})).await;
    assert_eq!(outcomes().await, want);
}
