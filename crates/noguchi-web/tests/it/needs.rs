//! Clinical needs: the patient-information guard, disclosure through every read and search,
//! NDAs, seeds and matching.

use crate::common::{App, enc};
use serde_json::json;

#[tokio::test]
async fn the_guard_holds_patient_information_and_lets_ordinary_needs_through() {
    let app = App::new().await;
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let p = app.programme_id.clone();
    let phi = json!({"title": "点滴ルートの固定", "problem": "患者 山田太郎様（72歳、患者ID 0012345）の点滴ルートが夜間に抜ける。", "population": "病棟の高齢患者", "outcome": "抜去を防ぐ", "department": "内科", "disclosure": "members"});
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/needs"),
            Some(&doctor),
            Some(phi),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let held = r.json();
    assert_eq!(held["screening"]["held"], true);
    let kinds: Vec<&str> = held["screening"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"name_with_honorific")
            && kinds.contains(&"personal_age")
            && kinds.contains(&"record_number"),
        "{kinds:?}"
    );
    let ordinary = json!({"title": "移乗の負担", "problem": "車いすからベッドへの移乗時に、介助者の腰への負担が大きい。", "population": "病棟", "disclosure": "members"});
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/needs"),
            Some(&doctor),
            Some(ordinary),
        )
        .await;
    assert_eq!(r.json()["screening"]["held"], false);

    // A held need is seen by its organisation and the secretariat only, and not found by search.
    let firm = app
        .api(
            "POST",
            "/api/v1/organisations",
            Some(&app.user("staff@city.example.jp", &app.city, false).await),
            Some(json!({"name": "検索精機株式会社", "kind": "company"})),
        )
        .await
        .json();
    let engineer = app
        .user(
            "eng@kensaku.example.jp",
            firm["id"].as_str().unwrap(),
            false,
        )
        .await;
    let id = held["id"].as_str().unwrap();
    assert_eq!(
        app.api("GET", &format!("/api/v1/needs/{id}"), Some(&engineer), None)
            .await
            .status,
        404
    );
    let s = app
        .api(
            "GET",
            &format!("/api/v1/search?type=need&q={}", enc("点滴")),
            Some(&engineer),
            None,
        )
        .await
        .json();
    assert_eq!(s["total"], 0);
    assert!(!s.to_string().contains("山田"));
    let mine = app
        .api(
            "GET",
            &format!("/api/v1/search?type=need&q={}", enc("点滴")),
            Some(&doctor),
            None,
        )
        .await
        .json();
    assert_eq!(
        mine["total"], 1,
        "the submitter's organisation finds it for review"
    );
    // Released after review, it becomes visible to members.
    let r = app
        .api(
            "POST",
            &format!("/api/v1/needs/{id}/release"),
            Some(&doctor),
            None,
        )
        .await;
    assert_eq!(r.json()["screening"]["held"], false);
    assert_eq!(
        app.api("GET", &format!("/api/v1/needs/{id}"), Some(&engineer), None)
            .await
            .status,
        200
    );
    let s = app
        .api("GET", &format!("/api/v1/needs/{id}"), Some(&engineer), None)
        .await
        .json();
    assert!(
        s["screening"]["findings"].as_array().unwrap().is_empty(),
        "findings are for reviewers only"
    );
}

#[tokio::test]
async fn nda_needs_reach_only_organisations_with_an_nda_through_every_channel() {
    let app = App::new().await;
    let city = app.user("staff@city.example.jp", &app.city, false).await;
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let p = app.programme_id.clone();
    let mut firms = Vec::new();
    for n in 0..2 {
        let o = app.api("POST", "/api/v1/organisations", Some(&city), Some(json!({"name": format!("精密試作{n}株式会社"), "kind": "company", "in_region": true, "capabilities": ["洗浄装置"]}))).await.json();
        let id = o["id"].as_str().unwrap().to_owned();
        firms.push((
            id.clone(),
            app.user(&format!("eng{n}@example.jp"), &id, false).await,
        ));
    }
    let secret = json!({"title": "内視鏡洗浄の負担", "problem": "内視鏡の用手洗浄に時間がかかり、カナリア符号ZQX7の工程で詰まる。", "population": "内視鏡室", "outcome": "洗浄時間を半分にする", "department": "消化器内科", "disclosure": "nda"});
    let n2 = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/needs"),
            Some(&doctor),
            Some(secret),
        )
        .await
        .json();
    let nid = n2["id"].as_str().unwrap().to_owned();
    let public = json!({"title": "内視鏡の保管", "problem": "洗浄後の内視鏡の乾燥と保管場所が足りない。", "disclosure": "members"});
    app.api(
        "POST",
        &format!("/api/v1/programmes/{p}/needs"),
        Some(&doctor),
        Some(public),
    )
    .await;
    assert_eq!(
        app.api(
            "POST",
            &format!("/api/v1/needs/{nid}/ndas"),
            Some(&firms[0].1),
            Some(json!({"organisation_id": firms[0].0}))
        )
        .await
        .status,
        404,
        "not the firm's to record"
    );
    let r = app
        .api(
            "POST",
            &format!("/api/v1/needs/{nid}/ndas"),
            Some(&city),
            Some(json!({"organisation_id": firms[0].0})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let q = format!("/api/v1/search?type=need&q={}", enc("内視鏡 洗浄"));
    let a = app.api("GET", &q, Some(&firms[0].1), None).await.json();
    let b = app.api("GET", &q, Some(&firms[1].1), None).await.json();
    assert!(
        a["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == nid.as_str())
    );
    assert!(
        a.to_string().contains("ZQX7")
            || a["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["snippet"].as_str().unwrap().contains("洗浄"))
    );
    assert!(
        !b["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == nid.as_str())
    );
    assert!(
        !b.to_string().contains("ZQX7"),
        "no snippet of the NDA need"
    );
    assert_eq!(
        b["total"].as_i64().unwrap() + 1,
        a["total"].as_i64().unwrap(),
        "the count does not reveal it either"
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/needs/{nid}"),
            Some(&firms[1].1),
            None
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/needs/{nid}"),
            Some(&firms[0].1),
            None
        )
        .await
        .status,
        200
    );
    let list = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/needs"),
            Some(&firms[1].1),
            None,
        )
        .await;
    assert!(!list.text.contains("ZQX7") && list.json()["items"].as_array().unwrap().len() == 1);
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/needs/{nid}/matches"),
            Some(&firms[1].1),
            None
        )
        .await
        .status,
        404
    );

    // Matching: the firms with the capability, local, with reasons.
    let m = app
        .api(
            "GET",
            &format!("/api/v1/needs/{nid}/matches"),
            Some(&city),
            None,
        )
        .await
        .json();
    let items = m["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items[0]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("洗浄")),
        "{m}"
    );
    assert!(items.iter().any(|i| {
        i["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "local_firm")
    }));
}

#[tokio::test]
async fn seeds_are_searchable_and_the_index_rebuilds_from_the_database() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let uni = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}"),
            Some(&app.user("staff@city.example.jp", &app.city, false).await),
            None,
        )
        .await
        .json()["members"][2]["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let prof = app.user("prof@u-aizu.example.jp", &uni, false).await;
    let r = app.api("POST", &format!("/api/v1/programmes/{p}/seeds"), Some(&prof), Some(json!({"title": "画像認識による血管可視化", "description": "近赤外線カメラと深層学習で皮下の細い血管を映し出す。採血や穿刺の支援に。", "fields": ["画像処理", "AI"], "trl": 4}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let sid = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/seeds"),
            Some(&prof),
            Some(json!({"title": "x", "description": "y", "trl": 11})),
        )
        .await;
    assert_eq!(r.json()["errors"][0]["field"], "trl");
    let s = app
        .api(
            "GET",
            &format!("/api/v1/search?type=seed&q={}", enc("けっかん")),
            Some(&prof),
            None,
        )
        .await
        .json();
    assert_eq!(
        s["total"], 0,
        "hiragana けっかん is not the word 血管: no false hit"
    );
    let s = app
        .api(
            "GET",
            &format!("/api/v1/search?type=seed&q={}", enc("血管 穿刺")),
            Some(&prof),
            None,
        )
        .await
        .json();
    assert_eq!(s["items"][0]["id"], sid.as_str());
    let orgs = app
        .api(
            "GET",
            &format!("/api/v1/search?type=organisation&q={}", enc("会津")),
            Some(&prof),
            None,
        )
        .await
        .json();
    assert!(
        orgs["total"].as_i64().unwrap() >= 2,
        "会津 finds 会津若松市 and 会津大学"
    );
    // Rebuild from scratch: the same answers.
    let fresh =
        noguchi_search::SearchIndex::in_ram(noguchi_search::Japanese::new().unwrap()).unwrap();
    let n = noguchi_app::indexer::reindex(&app.db.store, &fresh)
        .await
        .unwrap();
    assert!(n >= 8, "seed, needs and organisations: {n}");
    let hits = fresh
        .search("血管", &["seed".into()], &["members".into()], 10)
        .unwrap();
    assert_eq!(hits.items[0].id, sid);
    assert_eq!(
        app.api("GET", "/api/v1/search?type=castle&q=x", Some(&prof), None)
            .await
            .json()["errors"][0]["field"],
        "type"
    );
}

#[tokio::test]
async fn the_search_page_highlights_and_respects_disclosure() {
    let app = App::new().await;
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let p = app.programme_id.clone();
    let internal = json!({"title": "内部検討中の課題", "problem": "内視鏡の洗浄記録を紙で管理している。", "disclosure": "internal"});
    let id = app
        .api(
            "POST",
            &format!("/api/v1/programmes/{p}/needs"),
            Some(&doctor),
            Some(internal),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.account("nurse@hospital.example.jp", &app.hospital, false, false)
        .await;
    let firm = app
        .api(
            "POST",
            "/api/v1/organisations",
            Some(&app.user("staff@city.example.jp", &app.city, false).await),
            Some(json!({"name": "外部株式会社", "kind": "company"})),
        )
        .await
        .json();
    app.account(
        "eng@gaibu.example.jp",
        firm["id"].as_str().unwrap(),
        false,
        false,
    )
    .await;
    let (_, nurse) = app
        .sign_in("nurse@hospital.example.jp", crate::common::PASSWORD)
        .await;
    let page = app
        .browse(
            "GET",
            &format!("/search?q={}", enc("内視鏡 洗浄")),
            &nurse,
            None,
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("<mark>内視鏡</mark>") && page.text.contains(&format!("/needs/{id}")),
        "{}",
        page.text.split("<main").nth(1).unwrap_or_default()
    );
    assert_eq!(
        app.browse("GET", &format!("/needs/{id}"), &nurse, None)
            .await
            .status,
        200
    );
    let (_, eng) = app
        .sign_in("eng@gaibu.example.jp", crate::common::PASSWORD)
        .await;
    let page = app
        .browse(
            "GET",
            &format!("/search?q={}", enc("内視鏡 洗浄")),
            &eng,
            None,
        )
        .await;
    assert!(!page.text.contains("内部検討中") && page.text.contains("0件"));
    assert_eq!(
        app.browse("GET", &format!("/needs/{id}"), &eng, None)
            .await
            .status,
        404
    );
}

/// Every disclosure level, through every channel a need can surface in: its page, the API read,
/// the API list, search (results, total, snippets), the catalogue page and its count, the
/// programme home's counts, the export, the search page and "needs for me".
#[tokio::test]
async fn every_disclosure_level_holds_through_every_channel() {
    let app = App::new().await;
    let p = app.programme_id.clone();
    let doctor = app
        .user("doctor@hospital.example.jp", &app.hospital, false)
        .await;
    let chamber = app.user("staff@cci.example.jp", &app.chamber, false).await;
    let prof = app
        .user("prof@u-aizu.example.jp", &app.university, false)
        .await;
    let (nda_firm, nda_token) = app
        .firm(
            "秘密精工株式会社",
            &["点滴スタンド"],
            "a@himitsu.example.jp",
        )
        .await;
    let (_, other) = app
        .firm("一般精工株式会社", &["点滴スタンド"], "b@ippan.example.jp")
        .await;
    // One need per level (and one held by the guard); each carries a marker no other has.
    let levels = [
        ("public", "公開点滴スタンドの転倒", "MKPUB"),
        ("members", "会員点滴スタンドの転倒", "MKMEM"),
        ("nda", "秘密点滴スタンドの転倒", "MKNDA"),
        ("internal", "内部点滴スタンドの転倒", "MKINT"),
        ("held", "保留点滴スタンドの転倒", "MKHLD"),
    ];
    let mut ids = Vec::new();
    for (level, title, marker) in levels {
        let (disclosure, extra) = match level {
            "held" => ("members", "佐藤一郎様の部屋で。"),
            l => (l, ""),
        };
        let n = app
            .need(
                &doctor,
                json!({"title": title, "problem": format!("点滴スタンドが廊下の段差で転倒する。{marker} {extra}"), "disclosure": disclosure}),
            )
            .await;
        assert_eq!(n["screening"]["held"], level == "held");
        ids.push(n["id"].as_str().unwrap().to_owned());
    }
    app.api(
        "POST",
        &format!("/api/v1/needs/{}/ndas", ids[2]),
        Some(&chamber),
        Some(json!({"organisation_id": nda_firm})),
    )
    .await;

    // Who sees which level: public, members, nda, internal, held.
    let viewers: [(&str, &str, [bool; 5]); 5] = [
        ("secretariat", &chamber, [true; 5]),
        ("submitter", &doctor, [true; 5]),
        ("nda firm", &nda_token, [true, true, true, false, false]),
        ("other firm", &other, [true, true, false, false, false]),
        ("university", &prof, [true, true, false, false, false]),
    ];
    for (who, token, sees) in viewers {
        let expected = sees.iter().filter(|s| **s).count();
        let visible = |text: &str| {
            levels.iter().zip(sees).all(|((level, title, marker), s)| {
                // Shown by its title or its marker (a held need in a page's list by its neutral
                // name); hidden means none appears.
                let shown = text.contains(title)
                    || text.contains(marker)
                    || (*level == "held" && text.contains("確認待ちのニーズ"));
                shown == s
            })
        };
        for (i, id) in ids.iter().enumerate() {
            let api = app
                .api("GET", &format!("/api/v1/needs/{id}"), Some(token), None)
                .await;
            assert_eq!(api.status == 200, sees[i], "{who}: API read of level {i}");
            if !sees[i] {
                assert_eq!(api.status, 404, "{who}: existence is confidential too");
            }
            let page = app
                .api("GET", &format!("/needs/{id}"), Some(token), None)
                .await;
            assert_eq!(page.status == 200, sees[i], "{who}: page of level {i}");
        }
        let list = app
            .api(
                "GET",
                &format!("/api/v1/programmes/{p}/needs"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(
            list.json()["items"].as_array().unwrap().len(),
            expected,
            "{who}: list"
        );
        assert!(visible(&list.text), "{who}: list contents");
        let search = app
            .api(
                "GET",
                &format!("/api/v1/search?type=need&q={}", enc("点滴スタンド 転倒")),
                Some(token),
                None,
            )
            .await;
        assert_eq!(search.json()["total"], expected, "{who}: search total");
        assert!(visible(&search.text), "{who}: search results and snippets");
        let catalogue = app
            .api("GET", &format!("/programmes/{p}/needs"), Some(token), None)
            .await;
        assert!(visible(&catalogue.text), "{who}: catalogue page");
        assert!(
            catalogue.text.contains(&format!("{expected}件")),
            "{who}: catalogue count"
        );
        let home = app
            .api("GET", &format!("/programmes/{p}"), Some(token), None)
            .await;
        assert!(
            home.text
                .contains(&format!("受付<strong>{expected}</strong>")),
            "{who}: home counts"
        );
        let export = app
            .api(
                "GET",
                &format!("/programmes/{p}/needs/export?format=csv"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(export.status, 200);
        assert!(visible(&export.text), "{who}: export");
        let page = app
            .api(
                "GET",
                &format!("/search?q={}", enc("点滴スタンド")),
                Some(token),
                None,
            )
            .await;
        assert!(visible(&page.text), "{who}: search page");
    }
    // A rebuilt index gives every viewer the same answers: audiences are rebuilt from the
    // database, NDAs and holds included.
    let fresh =
        noguchi_search::SearchIndex::in_ram(noguchi_search::Japanese::new().unwrap()).unwrap();
    noguchi_app::indexer::reindex(&app.db.store, &fresh)
        .await
        .unwrap();
    for (org, expected) in [(&nda_firm, 3), (&app.hospital, 5)] {
        let audience = vec![
            "public".to_string(),
            "members".to_string(),
            format!("org:{org}"),
        ];
        assert_eq!(
            fresh
                .search("点滴スタンド 転倒", &["need".into()], &audience, 10)
                .unwrap()
                .total,
            expected
        );
    }

    // Firms: "needs for me" ranks only what they may see.
    let mine = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/needs/for-me"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(mine.json()["items"].as_array().unwrap().len(), 2);
    assert!(
        !mine.text.contains("MKNDA")
            && !mine.text.contains("MKINT")
            && !mine.text.contains("MKHLD")
    );
    let theirs = app
        .api(
            "GET",
            &format!("/api/v1/programmes/{p}/needs/for-me"),
            Some(&nda_token),
            None,
        )
        .await;
    assert_eq!(theirs.json()["items"].as_array().unwrap().len(), 3);

    // Visitors without an account: the public need only, as a teaser list and its page, found
    // from the sign-in page.
    assert!(
        app.browse("GET", "/login", "", None)
            .await
            .text
            .contains("href=\"/needs\"")
    );
    let entry = app.browse("GET", "/needs", "", None).await;
    assert_eq!(
        entry.header("location"),
        Some(format!("/programmes/{p}/needs").as_str())
    );
    let anon = app
        .browse("GET", &format!("/programmes/{p}/needs"), "", None)
        .await;
    assert_eq!(anon.status, 200);
    assert!(anon.text.contains("公開点滴スタンドの転倒") && anon.text.contains("1件"));
    for (_, title, marker) in &levels[1..] {
        assert!(!anon.text.contains(title) && !anon.text.contains(marker));
    }
    assert_eq!(
        app.browse("GET", &format!("/needs/{}", ids[0]), "", None)
            .await
            .status,
        200
    );
    for id in &ids[1..] {
        let r = app.browse("GET", &format!("/needs/{id}"), "", None).await;
        assert!(
            r.status.is_redirection(),
            "a confidential need sends visitors to sign in"
        );
        assert!(r.header("location").unwrap().starts_with("/login"));
    }
    let r = app.browse("GET", "/needs/no-such-need", "", None).await;
    assert!(
        r.status.is_redirection(),
        "the same answer for a need that does not exist"
    );
    assert_eq!(
        app.api("GET", &format!("/api/v1/needs/{}", ids[0]), None, None)
            .await
            .status,
        401,
        "the API always wants credentials"
    );
    assert!(
        app.browse(
            "GET",
            &format!("/programmes/{p}/needs/export?format=csv"),
            "",
            None
        )
        .await
        .status
        .is_redirection()
    );
}
