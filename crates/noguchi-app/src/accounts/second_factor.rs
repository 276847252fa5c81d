//! The second factor: a TOTP (RFC 6238) the account's authenticator app shows, asked for after
//! the password, each code accepted once.

use super::{SecondFactorSetup, Session, SignIn};
use crate::{App, Error, Result, Sight, signed_in};
use noguchi_domain::Problem;

/// Wrong codes a challenge takes before it ends (the password is asked again).
const CHALLENGE_ATTEMPTS: i64 = 5;

impl App {
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
}
