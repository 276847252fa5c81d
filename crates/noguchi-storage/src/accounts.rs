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
}

const PRINCIPAL_SELECT: &str = "SELECT u.id, u.name, u.email, u.organisation_id, u.admin, \
     u.must_change_password, o.name AS organisation_name FROM users u \
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

    /// The account id and password hash for an e-mail address, for signing in.
    pub async fn credentials(&self, email: &str) -> Result<Option<(String, String)>> {
        let row = sqlx::query("SELECT id, password_hash FROM users WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((get(&r, "id")?, get(&r, "password_hash")?)))
            .transpose()
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

    /// The signed-in user of a live session, with the session's CSRF token.
    pub async fn session_principal(&self, token: &str) -> Result<Option<(Principal, String)>> {
        let row = sqlx::query(&format!(
            "{PRINCIPAL_SELECT} JOIN sessions s ON s.user_id = u.id \
             WHERE s.token_hash = $1 AND s.expires_at > $2"
        ))
        .bind(token_hash(token))
        .bind(timestamp(self.now()))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let csrf: String = get(
            &sqlx::query("SELECT csrf_token FROM sessions WHERE token_hash = $1")
                .bind(token_hash(token))
                .fetch_one(&self.pool)
                .await?,
            "csrf_token",
        )?;
        let mut conn = self.pool.acquire().await?;
        Ok(Some((principal(&mut conn, &row).await?, csrf)))
    }

    pub async fn issue_api_token(&self, user_id: &str, label: &str) -> Result<String> {
        let token = format!("ngk_{}", random_token(32));
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash(&token))
            .bind(user_id)
            .bind(label)
            .bind(timestamp(self.now()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn token_principal(&self, token: &str) -> Result<Option<Principal>> {
        let row = sqlx::query(&format!(
            "{PRINCIPAL_SELECT} JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1"
        ))
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut conn = self.pool.acquire().await?;
        Ok(Some(principal(&mut conn, &row).await?))
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
    })
}

async fn principal(conn: &mut AnyConnection, row: &AnyRow) -> Result<Principal> {
    let organisation_id: String = get(row, "organisation_id")?;
    let programmes = sqlx::query(
        "SELECT programme_id, roles FROM programme_members WHERE organisation_id = $1 ORDER BY programme_id",
    )
    .bind(&organisation_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(ProgrammeRoles {
            programme_id: get(r, "programme_id")?,
            roles: parse_roles(&get::<String>(r, "roles")?),
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
    })
}
