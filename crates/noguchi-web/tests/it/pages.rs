//! The HTML interface as a browser uses it: sign-in, CSRF, sessions, forms, escaping, language.

use crate::common::{App, PASSWORD, csrf_of};

#[tokio::test]
async fn visitors_are_sent_to_a_japanese_sign_in_page() {
    let app = App::new().await;
    let r = app.browse("GET", "/", "", None).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/login"));
    let r = app.browse("GET", "/organisations?q=a", "", None).await;
    assert_eq!(
        r.header("location"),
        Some("/login?next=/organisations%3Fq%3Da")
    );
    let login = app.browse("GET", "/login", "", None).await;
    assert_eq!(login.status, 200);
    assert!(login.text.contains("<html lang=\"ja\">"));
    assert!(login.text.contains("ログイン"));
    assert!(
        login
            .header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );
    let css = app.browse("GET", "/static/style.css", "", None).await;
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
}

#[tokio::test]
async fn sign_in_sets_a_guarded_session_that_logout_ends() {
    let app = App::new().await;
    app.account("staff@city.example.jp", &app.city, false, false)
        .await;
    let (r, cookie) = app.sign_in("staff@city.example.jp", PASSWORD).await;
    assert_eq!(r.status, 303);
    let set = r
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("noguchi_session="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(set.contains(flag), "{flag} in {set}");
    }
    let home = app.browse("GET", "/", &cookie, None).await;
    assert_eq!(home.status, 303);
    let programme = app
        .browse("GET", home.header("location").unwrap(), &cookie, None)
        .await;
    assert_eq!(programme.status, 200);
    for text in [
        "会津若松Dr.野口プロジェクト",
        "事務局",
        "企業誘致",
        "雇用 590名",
        "8社",
        "医療福祉関連企業の誘致",
        "公立大学法人会津大学",
    ] {
        assert!(programme.text.contains(text), "{text}");
    }
    // The API accepts the browser session too.
    let me = app.browse("GET", "/api/v1/me", &cookie, None).await;
    assert_eq!(me.json()["organisation"]["name"], "会津若松市");

    let token = csrf_of(&programme.text);
    let out = app
        .browse("POST", "/logout", &cookie, Some(&[("csrf", &token)]))
        .await;
    assert_eq!(out.status, 303);
    assert_eq!(
        app.browse("GET", "/api/v1/me", &cookie, None).await.status,
        401,
        "the session ended on the server"
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_answer_and_are_rate_limited() {
    let app = App::new().await;
    app.account("staff@city.example.jp", &app.city, false, false)
        .await;
    let (wrong, c1) = app
        .sign_in("staff@city.example.jp", "not-the-password")
        .await;
    let (unknown, c2) = app
        .sign_in("nobody@city.example.jp", "not-the-password")
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        (wrong.status, unknown.status),
        (unknown.status, wrong.status)
    );
    assert!(c1.is_empty() && c2.is_empty());
    let message = "メールアドレスまたはパスワードが正しくありません。";
    assert!(wrong.text.contains(message) && unknown.text.contains(message));
    for _ in 0..4 {
        app.sign_in("staff@city.example.jp", "still-wrong").await;
    }
    let (limited, cookie) = app.sign_in("staff@city.example.jp", PASSWORD).await;
    assert_eq!(
        limited.status, 429,
        "even the right password waits once the limit is reached"
    );
    assert!(cookie.is_empty());
}

#[tokio::test]
async fn state_changing_forms_need_the_csrf_token() {
    let app = App::new().await;
    app.account("staff@city.example.jp", &app.city, false, false)
        .await;
    let (_, cookie) = app.sign_in("staff@city.example.jp", PASSWORD).await;
    let form = [("kind", "company"), ("name", "偽造株式会社")];
    let r = app
        .browse("POST", "/organisations", &cookie, Some(&form))
        .await;
    assert_eq!(r.status, 403);
    let with_wrong = [
        ("csrf", "0000"),
        ("kind", "company"),
        ("name", "偽造株式会社"),
    ];
    assert_eq!(
        app.browse("POST", "/organisations", &cookie, Some(&with_wrong))
            .await
            .status,
        403
    );
    // JSON with a session cookie needs the header.
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/organisations")
        .header("cookie", &cookie)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            r#"{"name":"偽造","kind":"company"}"#,
        ))
        .unwrap();
    assert_eq!(app.request(req).await.status, 403);
    // The sign-in form itself is protected by its pre-session token.
    let r = app
        .browse(
            "POST",
            "/login",
            "",
            Some(&[("email", "staff@city.example.jp"), ("password", PASSWORD)]),
        )
        .await;
    assert_eq!(r.status, 403);
    let list = app
        .db
        .store
        .list_organisations(&Default::default(), None, 100)
        .await
        .unwrap();
    assert!(list.items.iter().all(|o| !o.data.name.contains("偽造")));
}

#[tokio::test]
async fn organisation_forms_report_each_field_and_store_nothing_half_written() {
    let app = App::new().await;
    app.account("staff@city.example.jp", &app.city, false, false)
        .await;
    let (_, cookie) = app.sign_in("staff@city.example.jp", PASSWORD).await;
    let new = app.browse("GET", "/organisations/new", &cookie, None).await;
    assert_eq!(new.status, 200);
    let csrf = csrf_of(&new.text);
    let bad = [
        ("csrf", csrf.as_str()),
        ("kind", "company"),
        ("name", ""),
        ("name_kana", "会津"),
        ("corporate_number", "1000012050002"),
        ("employees", "たくさん"),
        ("memberships", "福島県医療福祉機器産業協議会, 2015-02-30"),
    ];
    let r = app
        .browse("POST", "/organisations", &cookie, Some(&bad))
        .await;
    assert_eq!(r.status, 422);
    for message in [
        "名称を入力してください",
        "よみがなはひらがなまたはカタカナ",
        "法人番号のチェックディジット",
        "従業員数は数値",
        "加入日は",
    ] {
        assert!(r.text.contains(message), "{message}");
    }
    assert!(
        r.text.contains("value=\"1000012050002\""),
        "the form keeps what was typed"
    );
    let good = [
        ("csrf", csrf.as_str()),
        ("kind", "company"),
        ("name", "<script>alert(1)</script>工業"),
        ("name_kana", "ｽｸﾘﾌﾟﾄｺｳｷﾞｮｳ"),
        ("capabilities", "金型、精密加工"),
        ("licences", "marketing_class2"),
        ("licences", "manufacturing_registration"),
        ("in_region", "on"),
        ("memberships", "福島県医療福祉機器産業協議会, 2015-02-03"),
    ];
    let r = app
        .browse("POST", "/organisations", &cookie, Some(&good))
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let shown = app
        .browse("GET", r.header("location").unwrap(), &cookie, None)
        .await;
    assert!(
        shown
            .text
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;工業")
    );
    assert!(!shown.text.contains("<script>alert"));
    for text in [
        "スクリプトコウギョウ",
        "第二種医療機器製造販売業許可",
        "医療機器製造業登録",
        "金型",
        "福島県医療福祉機器産業協議会（2015-02-03）",
    ] {
        assert!(shown.text.contains(text), "{text}");
    }
    let list = app
        .browse(
            "GET",
            "/organisations?q=%E3%81%99%E3%81%8F%E3%82%8A%E3%81%B7%E3%81%A8",
            &cookie,
            None,
        )
        .await;
    assert!(list.text.contains("工業"), "kana search on the page");
}

#[tokio::test]
async fn one_time_credentials_must_be_changed_first() {
    let app = App::new().await;
    app.account("admin@noguchi.local", &app.city, true, true)
        .await;
    let (_, cookie) = app.sign_in("admin@noguchi.local", PASSWORD).await;
    let r = app.browse("GET", "/organisations", &cookie, None).await;
    assert_eq!(r.header("location"), Some("/account/password"));
    assert_eq!(
        app.browse("GET", "/api/v1/me", &cookie, None).await.status,
        403
    );
    let form = app.browse("GET", "/account/password", &cookie, None).await;
    assert!(form.text.contains("初期パスワード"));
    let csrf = csrf_of(&form.text);
    let short = app
        .browse(
            "POST",
            "/account/password",
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", "short"),
                ("confirm", "short"),
            ]),
        )
        .await;
    assert_eq!(short.status, 422);
    let new = "A-much-longer-passphrase-2026";
    let ok = app
        .browse(
            "POST",
            "/account/password",
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", new),
                ("confirm", new),
            ]),
        )
        .await;
    assert_eq!(ok.status, 303);
    // An administrator sets up a second factor next, before anything else.
    let blocked = app.browse("GET", "/organisations", &cookie, None).await;
    assert_eq!(blocked.header("location"), Some("/account/second-factor"));
    app.set_up_second_factor(&cookie).await;
    assert_eq!(
        app.browse("GET", "/organisations", &cookie, None)
            .await
            .status,
        200
    );
    let (old, _) = app.sign_in("admin@noguchi.local", PASSWORD).await;
    assert_eq!(old.status, 401);
}

#[tokio::test]
async fn the_interface_switches_to_english_and_back() {
    let app = App::new().await;
    let r = app.browse("GET", "/lang/en?next=/login", "", None).await;
    assert_eq!(r.header("location"), Some("/login"));
    let lang = r.cookie("noguchi_lang").unwrap();
    let page = app
        .browse("GET", "/login", &format!("noguchi_lang={lang}"), None)
        .await;
    assert!(page.text.contains("<html lang=\"en\">"));
    assert!(page.text.contains("Sign in"));
    let evil = app
        .browse("GET", "/lang/en?next=//evil.example", "", None)
        .await;
    assert_eq!(evil.header("location"), Some("/"));
}

#[tokio::test]
async fn secretariat_pages_are_closed_to_others() {
    let app = App::new().await;
    app.account("nurse@hospital.example.jp", &app.hospital, false, false)
        .await;
    let (_, cookie) = app.sign_in("nurse@hospital.example.jp", PASSWORD).await;
    for path in ["/audit", "/organisations/new", "/users"] {
        let r = app.browse("GET", path, &cookie, None).await;
        assert_eq!(r.status, 403, "{path}");
        assert!(r.text.contains("権限がありません"), "{path}");
    }
    let org = app
        .browse(
            "GET",
            &format!("/organisations/{}", app.city),
            &cookie,
            None,
        )
        .await;
    assert_eq!(org.status, 200);
    assert!(
        !org.text.contains("/edit\""),
        "no edit link on another organisation"
    );
    assert!(
        app.browse(
            "GET",
            &format!("/organisations/{}", app.hospital),
            &cookie,
            None
        )
        .await
        .text
        .contains("/edit\"")
    );
}

#[tokio::test]
async fn administrators_create_accounts_with_one_time_passwords() {
    let app = App::new().await;
    app.account("root@city.example.jp", &app.city, true, false)
        .await;
    let cookie = app.sign_in_admin("root@city.example.jp", PASSWORD).await;
    let page = app.browse("GET", "/users", &cookie, None).await;
    assert_eq!(page.status, 200);
    let csrf = csrf_of(&page.text);
    let r = app
        .browse(
            "POST",
            "/users",
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("email", "new@chamber.example.jp"),
                ("name", "新人"),
                ("org", &app.chamber),
            ]),
        )
        .await;
    assert_eq!(r.status, 200);
    let marker = "<code>new@chamber.example.jp</code> / <code>";
    let start = r.text.find(marker).expect("the one-time password is shown") + marker.len();
    let initial = r.text[start..].split('<').next().unwrap().to_owned();
    let (signed, cookie2) = app.sign_in("new@chamber.example.jp", &initial).await;
    assert_eq!(signed.status, 303);
    assert_eq!(
        app.browse("GET", "/", &cookie2, None)
            .await
            .header("location"),
        Some("/account/password")
    );
    let dup = app
        .browse(
            "POST",
            "/users",
            &cookie,
            Some(&[
                ("csrf", &csrf),
                ("email", "new@chamber.example.jp"),
                ("name", "重複"),
                ("org", &app.chamber),
            ]),
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.text.contains("すでに登録されています"));
}
