//! Accounts that can be ended: second factor, tokens with expiry and revocation, disabling,
//! password strength, and sign-in that cannot be flooded.

use crate::common::{App, PASSWORD, csrf_of};

#[tokio::test]
async fn an_administrator_signs_in_with_a_second_factor_and_a_code_works_once() {
    let app = App::new().await;
    app.account("root@city.example.jp", &app.city, true, false)
        .await;
    let cookie = app.sign_in_admin("root@city.example.jp", PASSWORD).await;
    assert_eq!(app.browse("GET", "/users", &cookie, None).await.status, 200);

    // Next time the password alone is not enough: the code is asked for.
    let (first, none) = app.sign_in("root@city.example.jp", PASSWORD).await;
    assert_eq!(first.status, 303);
    assert!(none.is_empty(), "no session before the code");
    let location = first.header("location").unwrap().to_owned();
    assert!(location.starts_with("/login/code"), "{location}");
    let challenge = first.cookie("noguchi_challenge").expect("challenge cookie");
    let form = app.browse("GET", &location, "", None).await;
    let pre = form.cookie("noguchi_pre").unwrap();
    let cookies = format!("noguchi_pre={pre}; noguchi_challenge={challenge}");
    let csrf = csrf_of(&form.text);
    let wrong = app
        .browse(
            "POST",
            "/login/code",
            &cookies,
            Some(&[("csrf", &csrf), ("code", "000000"), ("next", "/")]),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text.contains("確認コード"), "the field is named");
    // The code an authenticator shows now (the test reads the secret from the database's
    // point of view: the account was set up through its page above).
    let secret = app.db_totp_secret("root@city.example.jp").await;
    let current = noguchi_app::accounts::second_factor_code(&secret, app.db.clock.now()).unwrap();
    // The code used at set-up (this step) is refused again: a code works once.
    let replay = app
        .browse(
            "POST",
            "/login/code",
            &cookies,
            Some(&[("csrf", &csrf), ("code", &current), ("next", "/")]),
        )
        .await;
    assert_eq!(replay.status, 422, "a used code is not accepted twice");
    // Thirty seconds later the app shows the next code, which works.
    app.db.clock.advance(time::Duration::seconds(30));
    let code = noguchi_app::accounts::second_factor_code(&secret, app.db.clock.now()).unwrap();
    let ok = app
        .browse(
            "POST",
            "/login/code",
            &cookies,
            Some(&[("csrf", &csrf), ("code", &code), ("next", "/users")]),
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    assert_eq!(ok.header("location"), Some("/users"));
    let session = format!("noguchi_session={}", ok.cookie("noguchi_session").unwrap());
    assert_eq!(
        app.browse("GET", "/users", &session, None).await.status,
        200
    );
}

#[tokio::test]
async fn tokens_are_listed_revoked_and_ended_by_a_password_change_and_disabling() {
    let app = App::new().await;
    app.account("staff@city.example.jp", &app.city, false, false)
        .await;
    let (_, cookie) = app.sign_in("staff@city.example.jp", PASSWORD).await;
    let page = app.browse("GET", "/account/tokens", &cookie, None).await;
    assert_eq!(page.status, 200);
    let csrf = csrf_of(&page.text);
    let made = app
        .browse(
            "POST",
            "/account/tokens",
            &cookie,
            Some(&[("csrf", &csrf), ("label", "集計スクリプト"), ("days", "30")]),
        )
        .await;
    assert_eq!(made.status, 200);
    let token = made
        .text
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .expect("the new token is shown once")
        .to_owned();
    let me = app.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(me.status, 200);
    let listed = app.browse("GET", "/account/tokens", &cookie, None).await;
    assert!(listed.text.contains("集計スクリプト"));
    assert!(!listed.text.contains(&token), "never the secret again");
    let id = listed
        .text
        .split("/account/tokens/")
        .nth(1)
        .and_then(|t| t.split('/').next())
        .unwrap()
        .to_owned();
    let revoked = app
        .browse(
            "POST",
            &format!("/account/tokens/{id}/revoke"),
            &cookie,
            Some(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(revoked.status, 303);
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&token), None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn a_disabled_account_loses_its_sessions_and_tokens_at_once_and_cannot_sign_in() {
    let app = App::new().await;
    let staff = app
        .account("staff@city.example.jp", &app.city, false, false)
        .await;
    let (_, staff_cookie) = app.sign_in("staff@city.example.jp", PASSWORD).await;
    let (_, token) = app
        .db
        .store
        .issue_api_token(&staff, "script", None)
        .await
        .unwrap();
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&token), None)
            .await
            .status,
        200
    );
    app.account("root@city.example.jp", &app.city, true, false)
        .await;
    let admin = app.sign_in_admin("root@city.example.jp", PASSWORD).await;
    let users = app.browse("GET", "/users", &admin, None).await;
    let r = app
        .browse(
            "POST",
            &format!("/users/{staff}/disable"),
            &admin,
            Some(&[("csrf", &csrf_of(&users.text))]),
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&token), None)
            .await
            .status,
        401
    );
    let page = app
        .browse("GET", "/organisations", &staff_cookie, None)
        .await;
    assert_eq!(page.header("location"), Some("/login?next=/organisations"));
    let (again, _) = app.sign_in("staff@city.example.jp", PASSWORD).await;
    assert_eq!(again.status, 401, "the same answer as a wrong password");
    let listed = app.browse("GET", "/users", &admin, None).await;
    assert!(listed.text.contains("停止中"));
}

#[tokio::test]
async fn weak_and_huge_passwords_are_refused_by_name() {
    let app = App::new().await;
    app.account("staff@city.example.jp", &app.city, false, false)
        .await;
    let (_, cookie) = app.sign_in("staff@city.example.jp", PASSWORD).await;
    let form = app.browse("GET", "/account/password", &cookie, None).await;
    let csrf = csrf_of(&form.text);
    let huge = "Zq9-".repeat(25_000);
    for weak in ["aaaaaaaaaaaa", "password1234", huge.as_str()] {
        let r = app
            .browse(
                "POST",
                "/account/password",
                &cookie,
                Some(&[
                    ("csrf", &csrf),
                    ("current", PASSWORD),
                    ("new", weak),
                    ("confirm", weak),
                ]),
            )
            .await;
        assert_eq!(r.status, 422, "{}", &weak[..12]);
        assert!(r.text.contains("パスワード"), "the field is named");
    }
    // A 100,000-character password at sign-in is refused without hashing it.
    let (r, _) = app.sign_in("staff@city.example.jp", &huge).await;
    assert_eq!(r.status, 401);
}
