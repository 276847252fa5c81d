//! Accounts: who is calling (a session or an API token), signing in and out, changing a
//! password, the administrators' account list, accounts made on the command line, API tokens
//! and the first administrator of a new installation. The second factor, API tokens and the
//! sign-in limiter have rooms of their own.

mod limiter;
mod second_factor;
mod tokens;
pub mod workers;

pub use limiter::{Attempt, Limiter};
pub use second_factor::second_factor_code;
pub use workers::PASSWORD_CHECKS;

use crate::records::{NewUser, UserSummary};
use crate::{App, Error, Result, Sight, password, signed_in};
use noguchi_domain::access::{self, Principal, Role, permission, system_grant};
use noguchi_domain::person::Email;
use noguchi_domain::validation::required_text;
use noguchi_domain::{Invalid, Problem};
use noguchi_storage::StoreError;
use std::time::{Duration, Instant};

/// A browser session just started: its token (for the cookie) and its CSRF token.
pub struct Session {
    pub token: String,
    pub csrf: String,
}

/// What signing in came to.
pub enum SignIn {
    Started(Session),
    /// The password was right and the account has a second factor: the code is asked for next,
    /// with this challenge (kept in a cookie for a few minutes).
    SecondFactor {
        challenge: String,
    },
    /// Wrong e-mail or password (the same answer for both, and for a disabled account).
    Refused,
    /// Too many failures for the account or the address; try again later.
    Limited,
    /// Too many password checks at once (each takes 19 MiB and a core for a while); retry.
    Busy,
}

/// A password change refused for a reason the form shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordRefused {
    /// The new password fails the policy (too short, too long, too easy to guess).
    Policy(Problem),
    Mismatch,
    WrongCurrent,
}

/// A second factor being set up: the secret to enter in an authenticator app.
pub struct SecondFactorSetup {
    /// Base32, as authenticator apps take it when typed in.
    pub secret: String,
    /// The `otpauth://` URI, as a QR code or link carries it.
    pub uri: String,
}

/// How long a session lives without a request.
pub const SESSION_IDLE: time::Duration = time::Duration::hours(2);
/// How long the second step of signing in waits for its code.
const CHALLENGE_TTL: time::Duration = time::Duration::minutes(5);
/// Tokens issued without an expiry of their own last this long.
pub const TOKEN_DAYS: i64 = 90;

impl App {
    /// The principal behind an API token, if the token is valid.
    pub async fn principal_by_token(&self, token: &str) -> Result<Option<Principal>> {
        Ok(self.store.token_principal(token).await?)
    }

    /// The principal behind a live session and the session's CSRF token.
    pub async fn principal_by_session(&self, token: &str) -> Result<Option<(Principal, String)>> {
        Ok(self.store.session_principal(token, SESSION_IDLE).await?)
    }

    /// Signs in with e-mail and password from `address`; failures are counted per account and
    /// per address, and past the limit sign-in is refused whether or not the account exists.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address: Option<&str>,
        ttl: time::Duration,
    ) -> Result<SignIn> {
        if password.chars().count() > password::MAX_LENGTH {
            return Ok(SignIn::Refused);
        }
        // Counted before the check: concurrent guesses cannot outrun the limit.
        let Some(attempt) = self.logins.begin(email, address, Instant::now()) else {
            return Ok(SignIn::Limited);
        };
        let creds = self.store.credentials(email).await?;
        // Unknown accounts are checked against a decoy hash, so both answers take as long.
        let hash = creds
            .as_ref()
            .map(|c| c.password_hash.clone())
            .unwrap_or_else(|| password::decoy().to_owned());
        let Some(ok) = self.check_password(password, hash).await? else {
            attempt.cancel();
            return Ok(SignIn::Busy);
        };
        let Some(creds) = creds.filter(|c| ok && !c.disabled) else {
            return Ok(SignIn::Refused);
        };
        attempt.succeeded();
        if creds.totp_secret.is_some() {
            let challenge = self
                .store
                .create_login_challenge(&creds.user_id, CHALLENGE_TTL)
                .await?;
            return Ok(SignIn::SecondFactor { challenge });
        }
        let (token, csrf) = self.store.create_session(&creds.user_id, ttl).await?;
        Ok(SignIn::Started(Session { token, csrf }))
    }

    pub async fn sign_out(&self, session_token: &str) -> Result<()> {
        Ok(self.store.end_session(session_token).await?)
    }

    /// Changes the caller's password after checking the current one; the caller's other
    /// sessions and every API token end (the session in `keep_session` stays).
    pub async fn change_password(
        &self,
        sight: &Sight,
        current: &str,
        new: &str,
        confirm: &str,
        keep_session: Option<&str>,
    ) -> Result<Result<(), PasswordRefused>> {
        let p = signed_in(sight)?;
        if let Err(problem) = password::check_new(new, &[p.email.as_str(), p.name.as_str()]) {
            return Ok(Err(PasswordRefused::Policy(problem)));
        }
        if new != confirm {
            return Ok(Err(PasswordRefused::Mismatch));
        }
        let creds = self
            .store
            .credentials(&p.email)
            .await?
            .ok_or(Error::SignInRequired)?;
        let ok = self
            .check_password(current, creds.password_hash)
            .await?
            .ok_or(Error::TooManyAttempts)?;
        if !ok {
            return Ok(Err(PasswordRefused::WrongCurrent));
        }
        let new_hash = self.hash_password(new).await?;
        self.store
            .set_password(&p.user_id, &new_hash, keep_session)
            .await?;
        Ok(Ok(()))
    }

    /// Every account (administrators).
    pub async fn users(&self, sight: &Sight) -> Result<Vec<UserSummary>> {
        let grant = access::manage_users(signed_in(sight)?)?;
        Ok(self.store.users(&grant).await?)
    }

    /// Creates an account with a one-time password (administrators); returns the account and
    /// the password, to be shown once and changed at first sign-in.
    pub async fn create_user(
        &self,
        sight: &Sight,
        email: &str,
        name: &str,
        organisation_id: &str,
        admin: bool,
    ) -> Result<(UserSummary, String)> {
        let grant = access::manage_users(signed_in(sight)?)?;
        let mut errs = Invalid::default();
        let email = errs.take("email", Email::parse(email));
        let name = errs.take("name", required_text(Some(name), 100));
        let org = Some(organisation_id.trim()).filter(|o| !o.is_empty());
        if org.is_none() {
            errs.push("org", Problem::Required);
        }
        let (Some(email), Some(name), Some(org), true) = (email, name, org, errs.is_empty()) else {
            return Err(Error::Invalid(errs));
        };
        let initial = password::generate();
        let user = NewUser {
            email,
            name,
            organisation_id: org.to_owned(),
            password_hash: self.hash_password(&initial).await?,
            admin,
            must_change_password: true,
        };
        Ok((self.store.create_user(&grant, user).await?, initial))
    }

    /// Disables an account (administrators, or the machine's operator with `sight` = the
    /// system's): its sessions and tokens end at once and it can no longer sign in.
    pub async fn disable_user(&self, sight: &Sight, user_id: &str) -> Result<UserSummary> {
        let grant = if sight.is_system() {
            system_grant::<permission::ManageUsers>()
        } else {
            access::manage_users(signed_in(sight)?)?
        };
        Ok(self.store.disable_user(&grant, user_id).await?)
    }

    /// The account with this e-mail (the machine's operator).
    pub async fn user_by_email(&self, email: &str) -> Result<UserSummary> {
        let id = self
            .store
            .user_id_by_email(email)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => Error::field("email", Problem::UnknownReference),
                other => other.into(),
            })?;
        Ok(self.store.user(&id).await?)
    }

    /// Creates an account from the command line (the machine's operator): the organisation by
    /// id or exact name, the password as given (the same policy as everywhere).
    pub async fn add_user(
        &self,
        email: &str,
        name: &str,
        organisation: &str,
        admin: bool,
        password: &str,
    ) -> Result<UserSummary> {
        let mut errs = Invalid::default();
        if let Err(p) = password::check_new(password, &[email, name]) {
            errs.push("password", p);
        }
        let email = errs.take("email", Email::parse(email));
        let name = errs.take("name", required_text(Some(name), 100));
        let org = match self.store.find_organisation(organisation).await {
            Ok(o) => Some(o.id),
            Err(StoreError::NotFound) => {
                errs.push("org", Problem::UnknownReference);
                None
            }
            Err(e) => return Err(e.into()),
        };
        let (Some(email), Some(name), Some(org), true) = (email, name, org, errs.is_empty()) else {
            return Err(Error::Invalid(errs));
        };
        let user = NewUser {
            email,
            name,
            organisation_id: org,
            password_hash: self.hash_password(password).await?,
            admin,
            must_change_password: false,
        };
        Ok(self
            .store
            .create_user(&system_grant::<permission::ManageUsers>(), user)
            .await?)
    }

    /// On a new installation, creates the first administrator in the first secretariat
    /// organisation, with a one-time password; returns (e-mail, password, organisation), or
    /// None when an administrator exists.
    pub async fn ensure_first_admin(
        &self,
        email: &str,
    ) -> Result<Option<(String, String, String)>> {
        if self.store.count_admins().await? > 0 {
            return Ok(None);
        }
        let programmes = self.store.programmes().await?;
        let Some(org) = programmes
            .iter()
            .flat_map(|p| &p.members)
            .find(|m| m.roles.contains(&Role::Secretariat))
        else {
            return Err(Error::internal(
                "first administrator",
                "no secretariat organisation to attach the administrator to",
            ));
        };
        let initial = password::generate();
        let user = NewUser {
            email: Email::parse(email).map_err(|p| Error::field("email", p))?,
            name: "管理者".into(),
            organisation_id: org.organisation_id.clone(),
            password_hash: self.hash_password(&initial).await?,
            admin: true,
            must_change_password: true,
        };
        self.store
            .create_user(&system_grant::<permission::ManageUsers>(), user)
            .await?;
        Ok(Some((
            email.to_owned(),
            initial,
            org.organisation_name.clone(),
        )))
    }
}

impl App {
    /// Checks a password against its hash on the password threads (see [`workers`]); None
    /// when no check could start within a few seconds.
    async fn check_password(&self, password: &str, hash: String) -> Result<Option<bool>> {
        let pw = password.to_owned();
        Ok(self
            .passwords
            .run(Duration::from_secs(3), move || password::verify(&pw, &hash))
            .await)
    }

    /// A new password's hash, on the password threads.
    async fn hash_password(&self, password: &str) -> Result<String> {
        let p = password.to_owned();
        self.passwords
            .run(Duration::from_secs(30), move || password::hash(&p))
            .await
            .ok_or(Error::TooManyAttempts)
    }
}
