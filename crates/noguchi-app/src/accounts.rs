//! Accounts: who is calling (a session or an API token), signing in and out, changing a
//! password, the administrators' account list, accounts made on the command line, API tokens
//! and the first administrator of a new installation.

use crate::records::{NewUser, TokenSummary, UserSummary};
use crate::{App, Error, Result, Sight, password, signed_in};
use noguchi_domain::access::{self, Principal, Role, permission, system_grant};
use noguchi_domain::person::Email;
use noguchi_domain::validation::required_text;
use noguchi_domain::{Invalid, Problem};
use noguchi_storage::StoreError;
use std::collections::HashMap;
use std::sync::Mutex;
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

/// How long a session lives without a request, and how long a second-factor challenge waits.
pub const SESSION_IDLE: time::Duration = time::Duration::hours(2);
const CHALLENGE_TTL: time::Duration = time::Duration::minutes(5);
const CHALLENGE_ATTEMPTS: i64 = 5;
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

    /// The second step of signing in: the code of the account's authenticator, for the
    /// challenge the password step gave. Five wrong codes end the challenge.
    pub async fn sign_in_second_factor(
        &self,
        challenge: &str,
        code: &str,
        ttl: time::Duration,
    ) -> Result<SignIn> {
        let Some(user_id) = self
            .store
            .answer_login_challenge(challenge, CHALLENGE_ATTEMPTS)
            .await?
        else {
            return Ok(SignIn::Refused);
        };
        let creds = self.store.credentials_of_user(&user_id).await?;
        let Some(secret) = creds.totp_secret.filter(|_| !creds.disabled) else {
            return Ok(SignIn::Refused);
        };
        if !self.accept_code(&user_id, &secret, code).await? {
            return Err(Error::field("code", Problem::SecondFactorCode));
        }
        self.store.end_login_challenge(challenge).await?;
        let (token, csrf) = self.store.create_session(&user_id, ttl).await?;
        Ok(SignIn::Started(Session { token, csrf }))
    }

    /// Whether `code` is the account's current TOTP code (a step either side allowed for clock
    /// drift), used at most once.
    async fn accept_code(&self, user_id: &str, secret: &str, code: &str) -> Result<bool> {
        let Some(totp) = totp(secret) else {
            return Err(Error::internal("second factor", "stored secret unreadable"));
        };
        let now = self.now().unix_timestamp().max(0) as u64;
        let Some(step) = totp.check(&digits(code), now) else {
            return Ok(false);
        };
        Ok(self.store.use_totp_step(user_id, step as i64).await?)
    }

    /// A new secret for the caller's second factor, not yet in force: it takes effect when a
    /// code made from it is confirmed ([`App::enable_second_factor`]).
    pub fn new_second_factor(&self, sight: &Sight) -> Result<SecondFactorSetup> {
        let p = signed_in(sight)?;
        let mut bytes = [0u8; 20];
        getrandom::fill(&mut bytes).map_err(|e| Error::internal("random", e))?;
        let secret = base32(&bytes);
        let label = format!("Noguchi:{}", p.email);
        let uri = format!(
            "otpauth://totp/{}?secret={secret}&issuer=Noguchi&algorithm=SHA1&digits=6&period=30",
            percent(&label)
        );
        Ok(SecondFactorSetup { secret, uri })
    }

    /// Puts a second factor in force for the caller once a code made from `secret` is right;
    /// the caller's other sessions end.
    pub async fn enable_second_factor(
        &self,
        sight: &Sight,
        secret: &str,
        code: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        let p = signed_in(sight)?;
        let secret: String = secret.chars().filter(|c| !c.is_whitespace()).collect();
        let Some(totp) = totp(&secret) else {
            return Err(Error::field("secret", Problem::SecondFactorCode));
        };
        // The new secret's code is checked here, and its step stored as used with it.
        let Some(step) = totp.check(&digits(code), self.now().unix_timestamp().max(0) as u64)
        else {
            return Err(Error::field("code", Problem::SecondFactorCode));
        };
        Ok(self
            .store
            .set_totp_secret(&p.user_id, &secret, step as i64, keep_session)
            .await?)
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
        let new_hash = hash_password(new).await?;
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
            password_hash: hash_password(&initial).await?,
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
            password_hash: hash_password(password).await?,
            admin,
            must_change_password: false,
        };
        Ok(self
            .store
            .create_user(&system_grant::<permission::ManageUsers>(), user)
            .await?)
    }

    /// A new API token for the account with this e-mail (the machine's operator), valid for
    /// `days` (default [`TOKEN_DAYS`]); returns (its id, the secret).
    pub async fn issue_token(
        &self,
        email: &str,
        label: &str,
        days: Option<i64>,
    ) -> Result<(String, String)> {
        let user = self.user_by_email(email).await?;
        if user.disabled {
            return Err(Error::field("email", Problem::Settled));
        }
        self.issue_token_for(&user.id, label, days).await
    }

    async fn issue_token_for(
        &self,
        user_id: &str,
        label: &str,
        days: Option<i64>,
    ) -> Result<(String, String)> {
        let days = days.unwrap_or(TOKEN_DAYS);
        if !(1..=366).contains(&days) {
            return Err(Error::field(
                "days",
                Problem::OutOfRange { min: 1, max: 366 },
            ));
        }
        let label = required_text(Some(label), 100).map_err(|p| Error::field("label", p))?;
        let expires = self.now() + time::Duration::days(days);
        Ok(self
            .store
            .issue_api_token(user_id, &label, Some(expires))
            .await?)
    }

    /// A token for the caller's own scripts (shown once).
    pub async fn issue_own_token(
        &self,
        sight: &Sight,
        label: &str,
        days: Option<i64>,
    ) -> Result<(String, String)> {
        let p = signed_in(sight)?;
        self.issue_token_for(&p.user_id, label, days).await
    }

    /// The caller's tokens (never their secrets).
    pub async fn own_tokens(&self, sight: &Sight) -> Result<Vec<TokenSummary>> {
        let p = signed_in(sight)?;
        Ok(self.store.api_tokens(&p.user_id).await?)
    }

    /// The tokens of the account with this e-mail (the machine's operator).
    pub async fn tokens_of(&self, email: &str) -> Result<Vec<TokenSummary>> {
        let user = self.user_by_email(email).await?;
        Ok(self.store.api_tokens(&user.id).await?)
    }

    /// Revokes a token: the caller's own, any for an administrator or the system.
    pub async fn revoke_token(&self, sight: &Sight, id: &str) -> Result<()> {
        let token = self.store.api_token(id).await?;
        let actor = if sight.is_system() {
            noguchi_domain::access::Actor::system()
        } else {
            let p = signed_in(sight)?;
            if token.user_id != p.user_id && access::manage_users(p).is_err() {
                return Err(Error::NotFound);
            }
            noguchi_domain::access::Actor {
                user_id: p.user_id.clone(),
                organisation_id: p.organisation_id.clone(),
            }
        };
        Ok(self.store.revoke_api_token(&actor, id).await?)
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
            password_hash: hash_password(&initial).await?,
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

/// The code an authenticator app shows for `secret` at `at` (for tests and the operator's
/// checks; sign-in never needs it).
pub fn second_factor_code(secret: &str, at: time::OffsetDateTime) -> Option<String> {
    totp(secret).map(|t| t.generate(at.unix_timestamp().max(0) as u64).to_string())
}

/// A TOTP over a base32 secret: SHA-1, six digits, 30-second steps, one step of drift either
/// side — what every authenticator app does.
fn totp(secret: &str) -> Option<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret).ok()?;
    totp_rs::Builder::new().with_secret(secret).build().ok()
}

/// The digits of a code as typed (full-width digits and spaces allowed).
fn digits(code: &str) -> String {
    noguchi_domain::text::fold_width(code)
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

/// RFC 4648 base32 without padding (what authenticator apps take).
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for b in bytes {
        buffer = (buffer << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl App {
    /// Checks a password against its hash off the async workers, at most
    /// [`PASSWORD_CHECKS`] at once; None when no check could start within a few seconds.
    async fn check_password(&self, password: &str, hash: String) -> Result<Option<bool>> {
        let Ok(Ok(permit)) = tokio::time::timeout(
            Duration::from_secs(3),
            self.password_checks.clone().acquire_owned(),
        )
        .await
        else {
            return Ok(None);
        };
        let pw = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            password::verify(&pw, &hash)
        })
        .await
        .map(Some)
        .map_err(|e| Error::internal("password check", e))
    }
}

/// Password checks at once. Argon2id takes 19 MiB and most of a core for a few tens of
/// milliseconds: a hundred sign-ins at once would take 2 GB; four at once take 80 MB and queue
/// the rest briefly.
pub const PASSWORD_CHECKS: usize = 4;

/// Argon2 is slow on purpose: it runs off the async workers.
async fn hash_password(password: &str) -> Result<String> {
    let p = password.to_owned();
    tokio::task::spawn_blocking(move || password::hash(&p))
        .await
        .map_err(|e| Error::internal("password hash", e))
}

/// Counts failed attempts per account name and per address within a window; past the limit,
/// attempts are refused whether or not the account exists.
///
/// An attempt is counted *before* its password is checked ([`Limiter::begin`]) and stays a
/// failure unless it succeeds, so sixty concurrent guesses at one account get five checks, not
/// sixty. Memory is bounded: at [`Limiter::CAPACITY`] keys, expired entries go first, then the
/// oldest entries that are under their limit; an entry at its limit (a locked account or
/// address) is never forgotten before its window ends, and when only such entries remain, new
/// names are refused until room frees up.
pub struct Limiter {
    window: Duration,
    per_account: usize,
    per_address: usize,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

/// An attempt counted before it is checked; it remains a failure unless [`Attempt::succeeded`].
pub struct Attempt<'a> {
    limiter: &'a Limiter,
    account: String,
    address: String,
    at: Instant,
}

impl Attempt<'_> {
    /// The attempt was never checked (the server was busy): it counts for nothing.
    pub fn cancel(self) {
        let mut map = self.limiter.lock();
        for key in [&self.account, &self.address] {
            if let Some(list) = map.get_mut(key.as_str())
                && let Some(i) = list.iter().rposition(|t| *t == self.at)
            {
                list.remove(i);
            }
        }
    }

    /// The attempt succeeded: the account's failures are forgotten, and this attempt does not
    /// count against the address.
    pub fn succeeded(self) {
        let mut map = self.limiter.lock();
        map.remove(&self.account);
        if let Some(list) = map.get_mut(&self.address)
            && let Some(i) = list.iter().rposition(|t| *t == self.at)
        {
            list.remove(i);
        }
    }
}

impl Default for Limiter {
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), 5, 30)
    }
}

impl Limiter {
    /// Keys kept at most (about 20 MB at the per-address limit).
    pub const CAPACITY: usize = 100_000;

    pub fn new(window: Duration, per_account: usize, per_address: usize) -> Self {
        Self {
            window,
            per_account,
            per_address,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Instant>>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn keys(account: &str, address: Option<&str>) -> (String, String) {
        (
            format!("account:{}", account.trim().to_lowercase()),
            format!("address:{}", address.unwrap_or("-")),
        )
    }

    fn limit_of(&self, key: &str) -> usize {
        if key.starts_with("account:") {
            self.per_account
        } else {
            self.per_address
        }
    }

    /// Counts an attempt, or refuses it (None) when the account or the address is at its limit.
    pub fn begin(&self, account: &str, address: Option<&str>, now: Instant) -> Option<Attempt<'_>> {
        let (account, address) = Self::keys(account, address);
        let mut map = self.lock();
        for key in [&account, &address] {
            if let Some(list) = map.get_mut(key.as_str()) {
                list.retain(|t| now.duration_since(*t) < self.window);
                if list.len() >= self.limit_of(key) {
                    return None;
                }
            }
        }
        for key in [&account, &address] {
            if !map.contains_key(key.as_str()) && !self.make_room(&mut map, now) {
                return None;
            }
            map.entry(key.clone()).or_default().push(now);
        }
        Some(Attempt {
            limiter: self,
            account,
            address,
            at: now,
        })
    }

    /// Frees a place for a new key; false when every key kept is at its limit.
    fn make_room(&self, map: &mut HashMap<String, Vec<Instant>>, now: Instant) -> bool {
        if map.len() < Self::CAPACITY {
            return true;
        }
        map.retain(|_, list| {
            list.retain(|t| now.duration_since(*t) < self.window);
            !list.is_empty()
        });
        if map.len() < Self::CAPACITY {
            return true;
        }
        // The oldest tenth of the entries under their limit make room for the newcomers.
        let mut evictable: Vec<(Instant, String)> = map
            .iter()
            .filter(|(k, list)| list.len() < self.limit_of(k))
            .map(|(k, list)| (*list.last().unwrap_or(&now), k.clone()))
            .collect();
        if evictable.is_empty() {
            return false;
        }
        evictable.sort();
        for (_, k) in evictable.iter().take((Self::CAPACITY / 10).max(1)) {
            map.remove(k);
        }
        true
    }

    /// Whether a key is at its limit now (public forms count every answer with [`Self::fail`]).
    pub fn is_blocked(&self, account: &str, address: Option<&str>, now: Instant) -> bool {
        let (account, address) = Self::keys(account, address);
        let mut map = self.lock();
        [account, address].iter().any(|k| {
            map.get_mut(k.as_str()).is_some_and(|list| {
                list.retain(|t| now.duration_since(*t) < self.window);
                list.len() >= self.limit_of(k)
            })
        })
    }

    /// Counts one event against the key and the address.
    pub fn fail(&self, account: &str, address: Option<&str>, now: Instant) {
        let (account, address) = Self::keys(account, address);
        let mut map = self.lock();
        for k in [account, address] {
            if map.contains_key(&k) || self.make_room(&mut map, now) {
                map.entry(k).or_default().push(now);
            }
        }
    }

    /// Keys kept now (for tests and figures).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_factor_codes_follow_rfc_6238() {
        let secret = base32(b"12345678901234567890");
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let t = totp(&secret).unwrap();
        // RFC 6238 appendix B (SHA-1), six digits of 94287082 and 07081804.
        assert_eq!(t.generate(59).to_string(), "287082");
        assert_eq!(t.generate(1_111_111_109).to_string(), "081804");
        assert!(t.check("287082", 59 + 30).is_some(), "one step of drift");
        assert!(t.check("287082", 59 + 90).is_none());
        assert!(totp("not base32!").is_none());
    }

    #[test]
    fn attempts_count_before_the_check_and_concurrent_guesses_get_the_limit() {
        let l = Limiter::new(Duration::from_secs(60), 5, 1000);
        let t0 = Instant::now();
        // Sixty guesses in flight at once: five are let through to the password check.
        let attempts: Vec<_> = (0..60)
            .filter_map(|_| l.begin("a@example.jp", Some("1"), t0))
            .collect();
        assert_eq!(attempts.len(), 5);
        drop(attempts); // all five failed
        assert!(
            l.begin("A@example.jp", Some("2"), t0).is_none(),
            "per account, any case"
        );
        let ok = l.begin("b@example.jp", Some("1"), t0).unwrap();
        ok.succeeded();
        assert!(
            l.begin("a@example.jp", Some("1"), t0 + Duration::from_secs(61))
                .is_some()
        );
    }

    #[test]
    fn a_flood_of_names_never_frees_a_locked_account_early() {
        let l = Limiter::new(Duration::from_secs(600), 3, 1_000_000);
        let t0 = Instant::now();
        for _ in 0..3 {
            drop(l.begin("victim@example.jp", Some("x"), t0));
        }
        assert!(l.begin("victim@example.jp", None, t0).is_none());
        for i in 0..(Limiter::CAPACITY + 5_000) {
            let (name, from) = (
                format!("n{i}@example.jp"),
                format!("10.0.{}.{}", i / 256, i % 256),
            );
            drop(l.begin(&name, Some(&from), t0 + Duration::from_millis(1)));
        }
        assert!(l.len() <= Limiter::CAPACITY, "{}", l.len());
        assert!(
            l.begin("victim@example.jp", None, t0 + Duration::from_secs(1))
                .is_none(),
            "still locked after {} other names",
            Limiter::CAPACITY + 5_000
        );
    }

    #[test]
    fn limiter_blocks_after_failures_and_forgets_them() {
        let l = Limiter::new(Duration::from_secs(60), 3, 100);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(!l.is_blocked("a@example.jp", Some("1"), t0));
            l.fail("a@example.jp", Some("1"), t0);
        }
        assert!(
            l.is_blocked("A@example.jp", Some("2"), t0),
            "per account, case-insensitive"
        );
        assert!(!l.is_blocked("b@example.jp", Some("1"), t0));
        assert!(!l.is_blocked("a@example.jp", Some("1"), t0 + Duration::from_secs(61)));
    }
}
