//! API tokens: issued for scripts, listed without their secrets, revoked; each expires.

use super::TOKEN_DAYS;
use crate::records::TokenSummary;
use crate::{App, Error, Result, Sight, signed_in};
use noguchi_domain::Problem;
use noguchi_domain::access;
use noguchi_domain::validation::required_text;

impl App {
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
}
