//! NDAs on needs: the secretariat records who signed (an NDA-level need is then visible to that
//! organisation, in search too) and ends them; a need's curators read its NDAs, the secretariat
//! the programme's register.

use super::{NeedView, view};
use crate::records::NdaRecord;
use crate::{App, Result, Sight, signed_in};
use noguchi_domain::Invalid;
use noguchi_domain::access;
use noguchi_domain::dates::move_date;
use noguchi_domain::validation::{optional_text, required_text};

/// A signed NDA as submitted.
#[derive(Debug, Clone, Default)]
pub struct NdaInput {
    pub organisation_id: Option<String>,
    /// YYYY-MM-DD, default today; not in the future.
    pub signed_on: Option<String>,
    /// The contract's number or file reference.
    pub document_ref: Option<String>,
}

impl App {
    /// Records a signed NDA (the secretariat).
    pub async fn record_nda(
        &self,
        sight: &Sight,
        need_id: &str,
        input: &NdaInput,
    ) -> Result<NeedView> {
        let p = signed_in(sight)?;
        let n = self.store.need(sight, need_id).await?;
        let grant = access::record_nda(p, &n.programme_id)?;
        let mut errs = Invalid::default();
        let org = errs.take(
            "organisation_id",
            required_text(input.organisation_id.as_deref(), 64),
        );
        let signed_on = errs.take(
            "signed_on",
            move_date(input.signed_on.as_deref(), self.today()),
        );
        let document_ref = errs
            .take(
                "document_ref",
                optional_text(input.document_ref.as_deref(), 200),
            )
            .flatten();
        let (Some(org), Some(signed_on)) = (org, signed_on) else {
            return Err(errs.into());
        };
        if !errs.is_empty() {
            return Err(errs.into());
        }
        let n = self
            .store
            .record_nda(&grant, need_id, &org, signed_on, document_ref.as_deref())
            .await?;
        Ok(view(sight, n))
    }

    /// Ends an NDA: the organisation no longer sees the NDA-level need (the secretariat).
    pub async fn revoke_nda(
        &self,
        sight: &Sight,
        need_id: &str,
        organisation_id: &str,
    ) -> Result<NeedView> {
        let p = signed_in(sight)?;
        let n = self.store.need(sight, need_id).await?;
        let grant = access::record_nda(p, &n.programme_id)?;
        let n = self
            .store
            .revoke_nda(&grant, need_id, organisation_id)
            .await?;
        Ok(view(sight, n))
    }

    /// The NDAs signed for a need (its curators: the submitter's organisation and the
    /// secretariat).
    pub async fn need_ndas(&self, sight: &Sight, need_id: &str) -> Result<Vec<NdaRecord>> {
        let p = signed_in(sight)?;
        let n = self.store.need(sight, need_id).await?;
        access::curate_need(p, &n.programme_id, &n.submitter_org_id)?;
        Ok(self
            .store
            .ndas(sight, &n.programme_id, Some(need_id))
            .await?)
    }

    /// Every NDA of the programme: the secretariat's register.
    pub async fn nda_register(&self, sight: &Sight, programme_id: &str) -> Result<Vec<NdaRecord>> {
        access::record_nda(signed_in(sight)?, programme_id)?;
        self.store.programme(programme_id).await?;
        Ok(self.store.ndas(sight, programme_id, None).await?)
    }
}
