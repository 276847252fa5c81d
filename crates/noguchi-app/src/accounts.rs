//! Accounts: who is calling (a session or an API token), signing in and out, changing a
//! password, the administrators' account list, accounts made on the command line, API tokens
//! and the first administrator of a new installation.

use crate::records::{NewUser, UserSummary};
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
    /// Wrong e-mail or password (the same answer for both).
    Refused,
    /// Too many failures for the account or the address; try again later.
    Limited,
    /// Too many password checks at once (each takes 19 MiB and a core for a while); retry.
    Busy,
}

/// A password change refused for a reason the form shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordRefused {
    TooShort { min: usize },
    Mismatch,
    WrongCurrent,
}

impl App {
    /// The principal behind an API token, if the token is valid.
    pub async fn principal_by_token(&self, token: &str) -> Result<Option<Principal>> {
        Ok(self.store.token_principal(token).await?)
    }

    /// The principal behind a live session and the session's CSRF token.
    pub async fn principal_by_session(&self, token: &str) -> Result<Option<(Principal, String)>> {
        Ok(self.store.session_principal(token).await?)
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
        // Counted before the check: concurrent guesses cannot outrun the limit.
        let Some(attempt) = self.logins.begin(email, address, Instant::now()) else {
            return Ok(SignIn::Limited);
        };
        let creds = self.store.credentials(email).await?;
        // Unknown accounts are checked against a decoy hash, so both answers take as long.
        let (user_id, hash) = match creds {
            Some((id, h)) => (Some(id), h),
            None => (None, password::decoy().to_owned()),
        };
        let Some(ok) = self.check_password(password, hash).await? else {
            attempt.cancel();
            return Ok(SignIn::Busy);
        };
        let Some(user_id) = user_id.filter(|_| ok) else {
            return Ok(SignIn::Refused);
        };
        attempt.succeeded();
        let (token, csrf) = self.store.create_session(&user_id, ttl).await?;
        Ok(SignIn::Started(Session { token, csrf }))
    }

    pub async fn sign_out(&self, session_token: &str) -> Result<()> {
        Ok(self.store.end_session(session_token).await?)
    }

    /// Changes the caller's password after checking the current one; the caller's other
    /// sessions end (the one in `keep_session`, the caller's own, stays).
    pub async fn change_password(
        &self,
        sight: &Sight,
        current: &str,
        new: &str,
        confirm: &str,
        keep_session: Option<&str>,
    ) -> Result<Result<(), PasswordRefused>> {
        let p = signed_in(sight)?;
        if new.chars().count() < password::MIN_LENGTH {
            return Ok(Err(PasswordRefused::TooShort {
                min: password::MIN_LENGTH,
            }));
        }
        if new != confirm {
            return Ok(Err(PasswordRefused::Mismatch));
        }
        let (_, hash) = self
            .store
            .credentials(&p.email)
            .await?
            .ok_or(Error::SignInRequired)?;
        let ok = self
            .check_password(current, hash)
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

    /// Creates an account from the command line (the machine's operator): the organisation by
    /// id or exact name, the password as given.
    pub async fn add_user(
        &self,
        email: &str,
        name: &str,
        organisation: &str,
        admin: bool,
        password: &str,
    ) -> Result<UserSummary> {
        let mut errs = Invalid::default();
        if password.chars().count() < password::MIN_LENGTH {
            errs.push(
                "password",
                Problem::PasswordTooShort {
                    min: password::MIN_LENGTH,
                },
            );
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

    /// A new API token for the account with this e-mail (the machine's operator).
    pub async fn issue_token(&self, email: &str, label: &str) -> Result<String> {
        let user_id = self
            .store
            .user_id_by_email(email)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => Error::field("email", Problem::UnknownReference),
                other => other.into(),
            })?;
        Ok(self.store.issue_api_token(&user_id, label).await?)
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
