//! Passwords: the policy for a new one (length and a strength estimate), hashing with Argon2id
//! (the crate's defaults: 19 MiB, 2 passes, 1 lane), and one-time passwords for new accounts.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

use noguchi_domain::Problem;

pub const MIN_LENGTH: usize = 12;
/// Longer passwords add nothing but hashing work (a 100,000-character password is a way to
/// make the server busy, not a secret).
pub const MAX_LENGTH: usize = 128;

/// Checks a new password: its length, and that a strength estimator (zxcvbn) does not guess it
/// within 10^8 tries, also knowing the account's e-mail and name.
pub fn check_new(password: &str, account: &[&str]) -> Result<(), Problem> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        return Err(Problem::PasswordTooShort { min: MIN_LENGTH });
    }
    if n > MAX_LENGTH {
        return Err(Problem::TooLong { max: MAX_LENGTH });
    }
    if zxcvbn::zxcvbn(password, account).score() < zxcvbn::Score::Three {
        return Err(Problem::PasswordWeak);
    }
    Ok(())
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 with default parameters hashes any password")
        .to_string()
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of no password anyone knows: verifying against it when the account does not exist
/// costs the same time as a real check, so timing does not tell which accounts exist.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&noguchi_storage::random_token(16)))
}

/// A readable random password for one-time credentials (no 0/O/1/l confusion).
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_long_and_short_passwords_are_refused() {
        for weak in [
            "aaaaaaaaaaaa",
            "password1234",
            "qwertyuiop12",
            "123456789012",
        ] {
            assert_eq!(check_new(weak, &[]), Err(Problem::PasswordWeak), "{weak}");
        }
        assert_eq!(
            check_new("hanako.aizu@example.jp", &["hanako.aizu@example.jp"]),
            Err(Problem::PasswordWeak),
            "the account's own e-mail"
        );
        assert_eq!(
            check_new("short", &[]),
            Err(Problem::PasswordTooShort { min: 12 })
        );
        assert_eq!(
            check_new(&"Zq9-".repeat(25_000), &[]),
            Err(Problem::TooLong { max: MAX_LENGTH })
        );
        assert_eq!(check_new("Kq7vT2p-Lm9xW4zR8-Ab", &[]), Ok(()));
        assert_eq!(check_new("Correct-Horse-Battery-9", &[]), Ok(()));
        assert_eq!(
            check_new(&generate(), &[]),
            Ok(()),
            "our one-time passwords"
        );
    }

    #[test]
    fn hashes_verify_only_the_right_password() {
        let h = super::hash("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("correct horse battery", &h));
        assert!(!super::verify("wrong", &h));
        assert!(!super::verify("x", "not a hash"));
        assert_eq!(super::generate().len(), 20);
    }
}
