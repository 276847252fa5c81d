//! The limiter of attempts (sign-in, public forms) per account name and per address.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
            assert!(l.begin("a@example.jp", Some("1"), t0).is_some());
        }
        assert!(
            l.begin("A@example.jp", Some("2"), t0).is_none(),
            "per account, case-insensitive"
        );
        let other = l
            .begin("b@example.jp", Some("1"), t0)
            .expect("another account");
        other.cancel();
        assert!(
            l.begin("a@example.jp", Some("1"), t0 + Duration::from_secs(61))
                .is_some()
        );
    }
}
