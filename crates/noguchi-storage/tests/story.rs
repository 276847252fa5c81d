//! Behaviour of the storage layer, run unchanged against SQLite and PostgreSQL
//! (see `noguchi_storage::testing`).

use noguchi_domain::access::{Role, permission, system_grant};
use noguchi_domain::organisation::{OrganisationData, OrganisationInput};
use noguchi_domain::person::{Email, PersonData, PersonInput};
use noguchi_domain::programme::{ProgrammeDefinition, SEED_PROGRAMME};
use noguchi_domain::{Invalid, Problem};
use noguchi_storage::testing::TestDb;
use noguchi_storage::{AuditFilter, NewUser, OrganisationFilter, StoreError};

fn org(name: &str, kana: &str) -> OrganisationData {
    OrganisationData::parse(&OrganisationInput {
        kind: Some("company".into()),
        name: Some(name.into()),
        name_kana: Some(kana.into()),
        ..Default::default()
    })
    .unwrap()
}

fn invalid_fields(e: StoreError) -> Vec<(String, Problem)> {
    match e {
        StoreError::Invalid(Invalid(v)) => v.into_iter().map(|f| (f.field, f.problem)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn migrations_and_programme_loading_are_idempotent() {
    let db = TestDb::new().await;
    let s = &db.store;
    s.migrate().await.unwrap();
    let def = ProgrammeDefinition::parse(SEED_PROGRAMME).unwrap();
    let id = s.load_programme(&def).await.unwrap();
    assert_eq!(s.load_programme(&def).await.unwrap(), id);
    let programmes = s.programmes().await.unwrap();
    assert_eq!(programmes.len(), 1);
    let p = &programmes[0];
    assert_eq!(p.definition.baseline_fiscal_year, 2010);
    let names: Vec<&str> = p
        .members
        .iter()
        .map(|m| m.organisation_name.as_str())
        .collect();
    assert_eq!(names.len(), 7);
    assert_eq!(names[0], "会津若松市");
    assert!(p.members[0].roles.contains(&Role::Secretariat));
    assert_eq!(p.members[0].duties[0], "企業誘致");
    // Member organisations are real directory entries, found by the reading.
    let found = s
        .list_organisations(
            &OrganisationFilter {
                q: Some("あいづわかまつし".into()),
                ..Default::default()
            },
            None,
            10,
        )
        .await
        .unwrap();
    assert!(found.items.iter().any(|o| o.data.name == "会津若松市"));
}

#[tokio::test]
async fn organisations_round_trip_with_audit() {
    let db = TestDb::new().await;
    let s = &db.store;
    let mut data = org("株式会社検査", "カブシキガイシャケンサ");
    data.capabilities = vec!["金型".into(), "精密加工".into()];
    data.memberships = vec![noguchi_domain::organisation::Membership {
        body: "福島県医療福祉機器産業協議会".into(),
        joined_on: Some(time::macros::date!(2015 - 02 - 03)),
    }];
    let created = s
        .create_organisation(&system_grant(), data.clone())
        .await
        .unwrap();
    let read = s.organisation(&created.id).await.unwrap();
    assert_eq!(read.data, data);

    let mut changed = data.clone();
    changed.employees = Some(42);
    changed.capabilities = vec!["樹脂成形".into()];
    s.update_organisation(&system_grant(), &created.id, changed.clone())
        .await
        .unwrap();
    assert_eq!(s.organisation(&created.id).await.unwrap().data, changed);

    let log = s
        .audit_log(
            &system_grant(),
            &noguchi_domain::access::system_sight(),
            &AuditFilter {
                entity_id: Some(created.id.clone()),
                ..Default::default()
            },
            None,
            10,
        )
        .await
        .unwrap();
    let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["update", "create"]);
    let update = &log.items[0];
    assert_eq!(update.before.as_ref().unwrap()["capabilities"][0], "金型");
    assert_eq!(update.after.as_ref().unwrap()["employees"], 42);
    assert_eq!(update.actor_user_id, "system");
    assert!(update.at.ends_with('Z'));

    s.delete_organisation(&system_grant(), &created.id)
        .await
        .unwrap();
    assert!(matches!(
        s.organisation(&created.id).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn corporate_number_is_unique_and_nothing_half_written() {
    let db = TestDb::new().await;
    let s = &db.store;
    let mut a = org("甲株式会社", "コウ");
    a.corporate_number = Some(noguchi_domain::CorporateNumber::parse("7000012050002").unwrap());
    s.create_organisation(&system_grant(), a.clone())
        .await
        .unwrap();
    let mut b = org("乙株式会社", "オツ");
    b.corporate_number = a.corporate_number.clone();
    let err = s.create_organisation(&system_grant(), b).await.unwrap_err();
    assert_eq!(
        invalid_fields(err),
        [("corporate_number".to_string(), Problem::Taken)]
    );
    let all = s
        .list_organisations(&OrganisationFilter::default(), None, 100)
        .await
        .unwrap();
    assert_eq!(
        all.items.len(),
        1,
        "the refused organisation was not stored"
    );
}

#[tokio::test]
async fn lists_fold_search_and_sort_in_gojuon_order_across_pages() {
    let db = TestDb::new().await;
    let s = &db.store;
    for (name, kana) in [
        ("佐藤精機", "サトウセイキ"),
        ("会津精密", "アイヅセイミツ"),
        ("ガラス工房", "ガラスコウボウ"),
        ("カキ製作所", "カキセイサクショ"),
        ("北会津工業", "キタアイヅコウギョウ"),
    ] {
        s.create_organisation(&system_grant(), org(name, kana))
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut cursor = None;
    loop {
        let page = s
            .list_organisations(&OrganisationFilter::default(), cursor.as_deref(), 2)
            .await
            .unwrap();
        names.extend(page.items.into_iter().map(|o| o.data.name));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(
        names,
        [
            "会津精密",
            "カキ製作所",
            "ガラス工房",
            "北会津工業",
            "佐藤精機"
        ]
    );
    for q in ["ｾｲﾐﾂ", "せいみつ", "セイミツ", "会津精"] {
        let found = s
            .list_organisations(
                &OrganisationFilter {
                    q: Some(q.into()),
                    ..Default::default()
                },
                None,
                10,
            )
            .await
            .unwrap();
        assert_eq!(found.items.len(), 1, "{q}");
    }
    let pct = s
        .list_organisations(
            &OrganisationFilter {
                q: Some("%".into()),
                ..Default::default()
            },
            None,
            10,
        )
        .await
        .unwrap();
    assert!(
        pct.items.is_empty(),
        "a % is matched literally, not as a wildcard"
    );
}

#[tokio::test]
async fn members_and_referenced_organisations_cannot_be_deleted() {
    let db = TestDb::new().await;
    let s = &db.store;
    let def = ProgrammeDefinition::parse(SEED_PROGRAMME).unwrap();
    let pid = s.load_programme(&def).await.unwrap();
    let city = s.programme(&pid).await.unwrap().members[0]
        .organisation_id
        .clone();
    let err = s
        .delete_organisation(&system_grant(), &city)
        .await
        .unwrap_err();
    assert_eq!(
        invalid_fields(err),
        [(
            "id".to_string(),
            Problem::InUse {
                by: vec!["programme_members".into()]
            }
        )]
    );

    let firm = s
        .create_organisation(&system_grant(), org("丙株式会社", "ヘイ"))
        .await
        .unwrap();
    let person = PersonData::parse(&PersonInput {
        name: Some("会津 太郎".into()),
        organisation_id: Some(firm.id.clone()),
        ..Default::default()
    })
    .unwrap();
    s.create_person(&system_grant(), person).await.unwrap();
    assert!(
        s.delete_organisation(&system_grant(), &firm.id)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_grant_for_ones_own_organisation_stays_there() {
    let db = TestDb::new().await;
    let s = &db.store;
    let def = ProgrammeDefinition::parse(SEED_PROGRAMME).unwrap();
    s.load_programme(&def).await.unwrap();
    let firm = s
        .create_organisation(&system_grant(), org("丁株式会社", "テイ"))
        .await
        .unwrap();
    let other = s
        .create_organisation(&system_grant(), org("戊株式会社", "ボ"))
        .await
        .unwrap();
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".to_string();
    let user = s
        .create_user(
            &system_grant::<permission::ManageUsers>(),
            NewUser {
                email: Email::parse("eng@example.jp").unwrap(),
                name: "技術 花子".into(),
                organisation_id: firm.id.clone(),
                password_hash: hash,
                admin: false,
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    let (_, token) = s.issue_api_token(&user.id, "test", None).await.unwrap();
    let principal = s.token_principal(&token).await.unwrap().unwrap();
    assert!(!principal.is_secretariat());
    assert!(s.token_principal("ngk_wrong").await.unwrap().is_none());

    let grant = noguchi_domain::access::edit_organisation(&principal, &firm.id).unwrap();
    assert!(
        s.update_organisation(&grant, &firm.id, org("丁株式会社", "テイ"))
            .await
            .is_ok()
    );
    let r = s
        .update_organisation(&grant, &other.id, org("乗っ取り", "ノットリ"))
        .await;
    assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
    let person_grant = noguchi_domain::access::edit_person(&principal, Some(&firm.id)).unwrap();
    let elsewhere = PersonData::parse(&PersonInput {
        name: Some("他社 次郎".into()),
        organisation_id: Some(other.id.clone()),
        ..Default::default()
    })
    .unwrap();
    assert!(s.create_person(&person_grant, elsewhere).await.is_err());
    let log = s
        .audit_log(
            &system_grant(),
            &noguchi_domain::access::system_sight(),
            &AuditFilter::default(),
            None,
            1,
        )
        .await
        .unwrap();
    assert_eq!(
        log.items[0].actor_user_id, user.id,
        "the audit names the acting user"
    );
    assert_eq!(log.items[0].actor_organisation_id, firm.id);
}

#[tokio::test]
async fn sessions_expire_and_end() {
    let db = TestDb::new().await;
    let s = &db.store;
    let def = ProgrammeDefinition::parse(SEED_PROGRAMME).unwrap();
    let pid = s.load_programme(&def).await.unwrap();
    let city = s.programme(&pid).await.unwrap().members[0]
        .organisation_id
        .clone();
    let user = s
        .create_user(
            &system_grant(),
            NewUser {
                email: Email::parse("staff@city.example.jp").unwrap(),
                name: "市 職員".into(),
                organisation_id: city,
                password_hash: "x".into(),
                admin: false,
                must_change_password: true,
            },
        )
        .await
        .unwrap();
    let (token, csrf) = s
        .create_session(&user.id, time::Duration::hours(8))
        .await
        .unwrap();
    let idle = time::Duration::hours(2);
    let (p, c) = s.session_principal(&token, idle).await.unwrap().unwrap();
    assert_eq!(c, csrf);
    assert!(
        p.is_secretariat(),
        "the city is secretariat of the seed programme"
    );
    assert!(p.must_change_password);
    let (expired, _) = s
        .create_session(&user.id, time::Duration::seconds(-1))
        .await
        .unwrap();
    assert!(s.session_principal(&expired, idle).await.unwrap().is_none());
    assert!(
        s.session_principal(&token, time::Duration::seconds(-1))
            .await
            .unwrap()
            .is_none(),
        "idle past the limit"
    );
    s.end_session(&token).await.unwrap();
    assert!(s.session_principal(&token, idle).await.unwrap().is_none());

    let dup = s
        .create_user(
            &system_grant(),
            NewUser {
                email: Email::parse("STAFF@city.example.jp").unwrap(),
                name: "重複".into(),
                organisation_id: "nowhere".into(),
                password_hash: "x".into(),
                admin: false,
                must_change_password: false,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid_fields(dup),
        [
            ("email".to_string(), Problem::Taken),
            ("org".to_string(), Problem::UnknownReference)
        ]
    );
}

#[tokio::test]
async fn tokens_expire_are_listed_and_revoked_and_a_disabled_account_is_ended_everywhere() {
    let db = TestDb::new().await;
    let s = &db.store;
    let def = ProgrammeDefinition::parse(SEED_PROGRAMME).unwrap();
    let pid = s.load_programme(&def).await.unwrap();
    let city = s.programme(&pid).await.unwrap().members[0]
        .organisation_id
        .clone();
    let user = s
        .create_user(
            &system_grant(),
            NewUser {
                email: Email::parse("staff@city.example.jp").unwrap(),
                name: "市 職員".into(),
                organisation_id: city,
                password_hash: "x".into(),
                admin: false,
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    let now = s.now();
    let (a, token_a) = s
        .issue_api_token(&user.id, "script", Some(now + time::Duration::days(90)))
        .await
        .unwrap();
    let (_, expired) = s
        .issue_api_token(&user.id, "old", Some(now - time::Duration::seconds(1)))
        .await
        .unwrap();
    assert!(s.token_principal(&token_a).await.unwrap().is_some());
    assert!(
        s.token_principal(&expired).await.unwrap().is_none(),
        "expired"
    );
    let listed = s.api_tokens(&user.id).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|t| t.id == a && t.last_used_at.is_some()));
    s.revoke_api_token(&noguchi_domain::access::Actor::system(), &a)
        .await
        .unwrap();
    assert!(
        s.token_principal(&token_a).await.unwrap().is_none(),
        "revoked"
    );

    // A password change ends every token; disabling ends sessions and tokens.
    let (_, t2) = s.issue_api_token(&user.id, "x", None).await.unwrap();
    s.set_password(&user.id, "y", None).await.unwrap();
    assert!(s.token_principal(&t2).await.unwrap().is_none());
    let (t3_id, t3) = s.issue_api_token(&user.id, "x", None).await.unwrap();
    let (session, _) = s
        .create_session(&user.id, time::Duration::hours(8))
        .await
        .unwrap();
    let disabled = s.disable_user(&system_grant(), &user.id).await.unwrap();
    assert!(disabled.disabled);
    assert!(s.token_principal(&t3).await.unwrap().is_none());
    assert!(
        s.session_principal(&session, time::Duration::hours(2))
            .await
            .unwrap()
            .is_none()
    );
    assert!(s.api_token(&t3_id).await.is_err(), "gone, not just refused");
    assert!(
        s.credentials("staff@city.example.jp")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
}

#[tokio::test]
async fn the_audit_chain_holds_and_names_the_first_broken_record() {
    let db = TestDb::new().await;
    let s = &db.store;
    let def = ProgrammeDefinition::parse(SEED_PROGRAMME).unwrap();
    s.load_programme(&def).await.unwrap();
    for (n, k) in [
        ("甲株式会社", "コウ"),
        ("乙株式会社", "オツ"),
        ("丙株式会社", "ヘイ"),
    ] {
        s.create_organisation(&system_grant(), org(n, k))
            .await
            .unwrap();
    }
    let (held, head) = s.verify_audit_chain().await.unwrap().unwrap();
    assert_eq!(head.len(), 64, "the head hash, for the operator to keep");
    assert!(
        held >= 10,
        "programme loading and three organisations: {held}"
    );
    // Someone edits a record behind the application's back.
    let victim = s
        .audit_log(
            &system_grant(),
            &noguchi_domain::access::system_sight(),
            &AuditFilter::default(),
            None,
            2,
        )
        .await
        .unwrap()
        .items[1]
        .id
        .clone();
    db.execute(&format!(
        "UPDATE audit_log SET label = 'forged' WHERE id = '{victim}'"
    ))
    .await;
    let broken = s.verify_audit_chain().await.unwrap().unwrap_err();
    assert_eq!(broken.id, victim);
    assert_eq!(broken.reason, "contents");
    // Taking a record out leaves a gap.
    db.execute(&format!("DELETE FROM audit_log WHERE id = '{victim}'"))
        .await;
    let broken = s.verify_audit_chain().await.unwrap().unwrap_err();
    assert_eq!(broken.reason, "gap");
}

#[tokio::test]
async fn a_grant_given_for_one_record_cannot_change_another() {
    use noguchi_domain::needs::{NeedData, NeedInput};
    let db = TestDb::new().await;
    let s = &db.store;
    let def = ProgrammeDefinition::parse(SEED_PROGRAMME).unwrap();
    let pid = s.load_programme(&def).await.unwrap();
    let other_pid = {
        let mut other = def.clone();
        other.slug = "other".into();
        other.name = "別の事業".into();
        s.load_programme(&other).await.unwrap()
    };
    let hospital = s
        .create_organisation(&system_grant(), org("甲病院", "コウビョウイン"))
        .await
        .unwrap();
    let clinic = s
        .create_organisation(&system_grant(), org("乙医院", "オツイイン"))
        .await
        .unwrap();
    let need = |title: &str| {
        NeedData::parse(&NeedInput {
            title: Some(title.into()),
            problem: Some("点滴スタンドが段差で倒れそうになる。".into()),
            disclosure: Some("members".into()),
            ..Default::default()
        })
        .unwrap()
    };
    let intake = |org: &str| noguchi_storage::Intake {
        on_behalf_of: Some(org.to_owned()),
        ..Default::default()
    };
    let mine = s
        .create_need(
            &system_grant(),
            &pid,
            need("甲の困りごと"),
            Vec::new(),
            &intake(&hospital.id),
        )
        .await
        .unwrap();
    let theirs = s
        .create_need(
            &system_grant(),
            &pid,
            need("乙の困りごと"),
            Vec::new(),
            &intake(&clinic.id),
        )
        .await
        .unwrap();
    let elsewhere = s
        .create_need(
            &system_grant(),
            &other_pid,
            need("別事業の困りごと"),
            Vec::new(),
            &intake(&hospital.id),
        )
        .await
        .unwrap();
    let staff = noguchi_domain::access::Principal {
        user_id: "u".into(),
        name: "n".into(),
        email: "n@example.jp".into(),
        organisation_id: hospital.id.clone(),
        organisation_name: "甲病院".into(),
        admin: false,
        programmes: vec![noguchi_domain::access::ProgrammeRoles {
            programme_id: pid.clone(),
            roles: vec![Role::NeedsProvider],
            secretariat_second_factor: false,
        }],
        must_change_password: false,
        second_factor: false,
    };
    let grant = noguchi_domain::access::curate_need(&staff, &pid, &hospital.id).unwrap();
    assert!(s.release_need(&grant, &mine.id).await.is_ok());
    let r = s.release_need(&grant, &theirs.id).await;
    assert!(
        matches!(r, Err(StoreError::Denied)),
        "another submitter's need: {r:?}"
    );
    let r = s.release_need(&grant, &elsewhere.id).await;
    assert!(
        matches!(r, Err(StoreError::Denied)),
        "another programme's need: {r:?}"
    );
}
