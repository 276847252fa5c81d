//! Accounts, browser sessions and API tokens. Secrets are stored only as SHA-256 hashes.

use crate::audit::Change;
use crate::programmes::parse_roles;
use crate::sql::{flag, get};
use crate::{Result, Store, StoreError, new_id, random_token, timestamp, token_hash};
use noguchi_domain::access::{Granted, Principal, ProgrammeRoles, permission};
use noguchi_domain::person::Email;
use noguchi_domain::{Invalid, Problem};
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use time::Duration;

pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub organisation_id: String,
    /// An Argon2id PHC string; hashing is the caller's (web crate's) business.
    pub password_hash: String,
    pub admin: bool,
    pub must_change_password: bool,
}

#[derive(Debug, Clone)]
pub struct UserSummary {
    pub id: String,
    pub email: String,
    pub name: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub admin: bool,
    /// The account was disabled: it cannot sign in, and its sessions and tokens are gone.
    pub disabled: bool,
    /// A second factor (TOTP) is set up.
    pub second_factor: bool,
}

/// What signing in needs to know of an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: String,
    pub password_hash: String,
    pub disabled: bool,
    /// The TOTP secret (base32), when a second factor is set up.
    pub totp_secret: Option<String>,
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone)]
pub struct TokenSummary {
    pub id: String,
    pub user_id: String,
    pub label: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
}

const PRINCIPAL_SELECT: &str = "SELECT u.id, u.name, u.email, u.organisation_id, u.admin, \
     u.must_change_password, u.disabled_at, u.totp_secret, o.name AS organisation_name FROM users u \
     JOIN organisations o ON o.id = u.organisation_id";

impl Store {
    pub async fn create_user(
        &self,
        grant: &Granted<permission::ManageUsers>,
        user: NewUser,
    ) -> Result<UserSummary> {
        let mut tx = self.begin(grant.actor()).await?;
        let mut errs = Invalid::default();
        if sqlx::query("SELECT id FROM users WHERE email = $1")
            .bind(user.email.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .is_some()
        {
            errs.push("email", Problem::Taken);
        }
        if sqlx::query("SELECT id FROM organisations WHERE id = $1")
            .bind(&user.organisation_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_none()
        {
            errs.push("org", Problem::UnknownReference);
        }
        if !errs.is_empty() {
            return Err(errs.into());
        }
        let now = self.now();
        let id = new_id(now);
        sqlx::query(
            "INSERT INTO users (id, email, name, organisation_id, password_hash, admin, \
             must_change_password, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(user.email.as_str())
        .bind(&user.name)
        .bind(&user.organisation_id)
        .bind(&user.password_hash)
        .bind(i64::from(user.admin))
        .bind(i64::from(user.must_change_password))
        .bind(timestamp(now))
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::create("user", &id, user.email.as_str()).after(json!({
                "email": user.email.as_str(), "name": user.name,
                "organisation_id": user.organisation_id, "admin": user.admin,
            })),
        )
        .await?;
        tx.commit().await?;
        self.user(&id).await
    }

    pub async fn user(&self, id: &str) -> Result<UserSummary> {
        let row = sqlx::query(&format!("{PRINCIPAL_SELECT} WHERE u.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        summary(&row)
    }

    pub async fn users(
        &self,
        _grant: &Granted<permission::ManageUsers>,
    ) -> Result<Vec<UserSummary>> {
        sqlx::query(&format!("{PRINCIPAL_SELECT} ORDER BY u.email"))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(summary)
            .collect()
    }

    pub async fn count_admins(&self) -> Result<i64> {
        get(
            &sqlx::query("SELECT COUNT(*) AS n FROM users WHERE admin = 1")
                .fetch_one(&self.pool)
                .await?,
            "n",
        )
    }

    /// What signing in with an e-mail address needs to check.
    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        let row = sqlx::query(
            "SELECT id, password_hash, disabled_at, totp_secret FROM users WHERE email = $1",
        )
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| credentials_of(&r)).transpose()
    }

    pub async fn credentials_of_user(&self, user_id: &str) -> Result<Credentials> {
        let row = sqlx::query(
            "SELECT id, password_hash, disabled_at, totp_secret FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        credentials_of(&row)
    }

    /// Sets a new password, ends every other session of the account and clears the
    /// must-change flag.
    pub async fn set_password(
        &self,
        user_id: &str,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        let actor = noguchi_domain::access::Actor {
            user_id: user_id.to_owned(),
            organisation_id: String::new(),
        };
        let mut tx = self.begin(&actor).await?;
        let now = tx.now();
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0, updated_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(timestamp(now))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep_session.map(token_hash).unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        // A new password ends what the old one may have handed out.
        sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.audit(Change::update("user", user_id, "password"))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts a browser session; returns (session token, CSRF token). A new token is issued at
    /// every sign-in, so a session id planted before sign-in is worthless.
    pub async fn create_session(&self, user_id: &str, ttl: Duration) -> Result<(String, String)> {
        let token = random_token(32);
        let csrf = random_token(32);
        let now = self.now();
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(timestamp(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(&csrf)
        .bind(timestamp(now))
        .bind(timestamp(now + ttl))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((token, csrf))
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The signed-in user of a live session, with the session's CSRF token. A session ends at
    /// its absolute expiry, after `idle` without a request, or when its account is disabled.
    pub async fn session_principal(
        &self,
        token: &str,
        idle: Duration,
    ) -> Result<Option<(Principal, String)>> {
        let now = self.now();
        let row = sqlx::query(&format!(
            "{PRINCIPAL_SELECT} JOIN sessions s ON s.user_id = u.id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL \
             AND COALESCE(s.last_seen_at, s.created_at) > $3"
        ))
        .bind(token_hash(token))
        .bind(timestamp(now))
        .bind(timestamp(now - idle))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let session = sqlx::query(
            "SELECT csrf_token, COALESCE(last_seen_at, created_at) AS seen FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash(token))
        .fetch_one(&self.pool)
        .await?;
        let csrf: String = get(&session, "csrf_token")?;
        // The idle clock restarts with each request; written at most once a minute.
        if get::<String>(&session, "seen")? < timestamp(now - Duration::minutes(1)) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(timestamp(now))
                .bind(token_hash(token))
                .execute(&self.pool)
                .await?;
        }
        let mut conn = self.pool.acquire().await?;
        Ok(Some((principal(&mut conn, &row).await?, csrf)))
    }

    /// A new API token for the account, valid until `expires_at` (None: until revoked); returns
    /// (its id, the secret, shown once).
    pub async fn issue_api_token(
        &self,
        user_id: &str,
        label: &str,
        expires_at: Option<time::OffsetDateTime>,
    ) -> Result<(String, String)> {
        let token = format!("ngk_{}", random_token(32));
        let id = random_token(8);
        let actor = noguchi_domain::access::Actor {
            user_id: user_id.to_owned(),
            organisation_id: String::new(),
        };
        let mut tx = self.begin(&actor).await?;
        let now = tx.now();
        sqlx::query("INSERT INTO api_tokens (token_hash, id, user_id, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(token_hash(&token))
            .bind(&id)
            .bind(user_id)
            .bind(label)
            .bind(timestamp(now))
            .bind(expires_at.map(timestamp))
            .execute(&mut *tx)
            .await?;
        tx.audit(Change::create("api_token", &id, label).after(json!({
            "user_id": user_id, "label": label, "expires_at": expires_at.map(timestamp),
        })))
        .await?;
        tx.commit().await?;
        Ok((id, token))
    }

    /// The principal behind a live API token (not expired, its account not disabled).
    pub async fn token_principal(&self, token: &str) -> Result<Option<Principal>> {
        let now = self.now();
        let row = sqlx::query(&format!(
            "{PRINCIPAL_SELECT} JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1 \
             AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.disabled_at IS NULL"
        ))
        .bind(token_hash(token))
        .bind(timestamp(now))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 \
             AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(timestamp(now))
        .bind(token_hash(token))
        .bind(timestamp(now - Duration::minutes(1)))
        .execute(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        Ok(Some(principal(&mut conn, &row).await?))
    }

    /// The tokens of an account, newest first.
    pub async fn api_tokens(&self, user_id: &str) -> Result<Vec<TokenSummary>> {
        sqlx::query("SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(TokenSummary {
                    id: get(r, "id")?,
                    user_id: get(r, "user_id")?,
                    label: get(r, "label")?,
                    created_at: get(r, "created_at")?,
                    expires_at: get(r, "expires_at")?,
                    last_used_at: get(r, "last_used_at")?,
                })
            })
            .collect()
    }

    /// The token with this id, if any.
    pub async fn api_token(&self, id: &str) -> Result<TokenSummary> {
        let r = sqlx::query("SELECT * FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(TokenSummary {
            id: get(&r, "id")?,
            user_id: get(&r, "user_id")?,
            label: get(&r, "label")?,
            created_at: get(&r, "created_at")?,
            expires_at: get(&r, "expires_at")?,
            last_used_at: get(&r, "last_used_at")?,
        })
    }

    /// Ends a token at once.
    pub async fn revoke_api_token(
        &self,
        actor: &noguchi_domain::access::Actor,
        id: &str,
    ) -> Result<()> {
        let mut tx = self.begin(actor).await?;
        let gone = sqlx::query("DELETE FROM api_tokens WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(Change::delete("api_token", id, id)).await?;
        tx.commit().await
    }

    /// Disables an account: its sessions, tokens and pending sign-ins end in the same
    /// transaction, and it can no longer sign in.
    pub async fn disable_user(
        &self,
        grant: &Granted<permission::ManageUsers>,
        user_id: &str,
    ) -> Result<UserSummary> {
        let mut tx = self.begin(grant.actor()).await?;
        let now = tx.now();
        let changed = sqlx::query("UPDATE users SET disabled_at = $1, updated_at = $1 WHERE id = $2 AND disabled_at IS NULL")
            .bind(timestamp(now))
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        for table in ["sessions", "api_tokens", "login_challenges"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        if changed > 0 {
            tx.audit(Change::update("user", user_id, "disabled").after(json!({"disabled": true})))
                .await?;
            tx.commit().await?;
        }
        self.user(user_id).await
    }

    /// Sets up (or replaces) the account's second factor, confirmed with the code of `step`
    /// (which is then used up); every other session ends.
    pub async fn set_totp_secret(
        &self,
        user_id: &str,
        secret: &str,
        step: i64,
        keep_session: Option<&str>,
    ) -> Result<()> {
        let actor = noguchi_domain::access::Actor {
            user_id: user_id.to_owned(),
            organisation_id: String::new(),
        };
        let mut tx = self.begin(&actor).await?;
        sqlx::query(
            "UPDATE users SET totp_secret = $1, totp_last_step = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(secret)
        .bind(step)
        .bind(timestamp(tx.now()))
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep_session.map(token_hash).unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        tx.audit(Change::update("user", user_id, "second factor"))
            .await?;
        tx.commit().await
    }

    /// Records that a TOTP step was used, so the same code is never accepted twice; false when
    /// this step (or a later one) was used already.
    pub async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
             AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// A password accepted for an account with a second factor: a challenge the code answers.
    pub async fn create_login_challenge(&self, user_id: &str, ttl: Duration) -> Result<String> {
        let token = random_token(32);
        let now = self.now();
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM login_challenges WHERE expires_at < $1")
            .bind(timestamp(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO login_challenges (token_hash, user_id, attempts, created_at, expires_at) VALUES ($1, $2, 0, $3, $4)")
            .bind(token_hash(&token))
            .bind(user_id)
            .bind(timestamp(now))
            .bind(timestamp(now + ttl))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The account a live challenge belongs to, counting this attempt; None when unknown,
    /// expired or past `max_attempts` (the challenge is then ended).
    pub async fn answer_login_challenge(
        &self,
        token: &str,
        max_attempts: i64,
    ) -> Result<Option<String>> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT user_id, attempts FROM login_challenges WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(timestamp(self.now()))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if get::<i64>(&row, "attempts")? >= max_attempts {
            sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1")
                .bind(token_hash(token))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(None);
        }
        sqlx::query("UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(get(&row, "user_id")?))
    }

    pub async fn end_login_challenge(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn user_id_by_email(&self, email: &str) -> Result<String> {
        let row = sqlx::query("SELECT id FROM users WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        get(&row, "id")
    }
}

fn summary(row: &AnyRow) -> Result<UserSummary> {
    Ok(UserSummary {
        id: get(row, "id")?,
        email: get(row, "email")?,
        name: get(row, "name")?,
        organisation_id: get(row, "organisation_id")?,
        organisation_name: get(row, "organisation_name")?,
        admin: flag(row, "admin")?,
        disabled: get::<Option<String>>(row, "disabled_at")?.is_some(),
        second_factor: get::<Option<String>>(row, "totp_secret")?.is_some(),
    })
}

fn credentials_of(r: &AnyRow) -> Result<Credentials> {
    Ok(Credentials {
        user_id: get(r, "id")?,
        password_hash: get(r, "password_hash")?,
        disabled: get::<Option<String>>(r, "disabled_at")?.is_some(),
        totp_secret: get(r, "totp_secret")?,
    })
}

async fn principal(conn: &mut AnyConnection, row: &AnyRow) -> Result<Principal> {
    let organisation_id: String = get(row, "organisation_id")?;
    let programmes = sqlx::query(
        "SELECT m.programme_id, m.roles, p.secretariat_second_factor FROM programme_members m \
         JOIN programmes p ON p.id = m.programme_id WHERE m.organisation_id = $1 ORDER BY m.programme_id",
    )
    .bind(&organisation_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(ProgrammeRoles {
            programme_id: get(r, "programme_id")?,
            roles: parse_roles(&get::<String>(r, "roles")?),
            secretariat_second_factor: flag(r, "secretariat_second_factor")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    Ok(Principal {
        user_id: get(row, "id")?,
        name: get(row, "name")?,
        email: get(row, "email")?,
        organisation_id,
        organisation_name: get(row, "organisation_name")?,
        admin: flag(row, "admin")?,
        programmes,
        must_change_password: flag(row, "must_change_password")?,
        second_factor: get::<Option<String>>(row, "totp_secret")?.is_some(),
    })
}
