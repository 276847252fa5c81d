//! The directory: organisations and the people who work there.
//!
//! The directory is installation-wide: every signed-in member reads every organisation, and the
//! people's names and titles; contact details only the secretariat and the person's own
//! organisation read (the store leaves them out for anyone else).

use crate::records::Page;
use crate::{App, Result, Sight, Submitted, signed_in};
use noguchi_domain::Invalid;
use noguchi_domain::access;
use noguchi_domain::organisation::{FieldStatus, OrganisationKind};
use noguchi_domain::organisation::{Organisation, OrganisationData, OrganisationInput};
use noguchi_domain::person::{Person, PersonData, PersonInput};
use noguchi_storage::OrganisationFilter;

pub use noguchi_storage::OrganisationFilter as Filter;

/// The filters of the organisation list as an interface reads them (query parameters).
#[derive(Debug, Clone, Default)]
pub struct FilterInput {
    /// Name, reading or English name; width and kana folded.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub in_region: Option<bool>,
    /// A capability tag, exactly.
    pub capability: Option<String>,
    pub field_status: Option<String>,
}

impl FilterInput {
    /// The filter, or every unknown code named.
    pub fn parse(&self) -> Result<Filter> {
        let mut errs = Invalid::default();
        let nonempty = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let kind =
            nonempty(&self.kind).and_then(|k| errs.take("kind", OrganisationKind::parse(&k)));
        let field_status = nonempty(&self.field_status)
            .and_then(|s| errs.take("field_status", FieldStatus::parse(&s)));
        if !errs.is_empty() {
            return Err(crate::Error::Invalid(errs));
        }
        Ok(Filter {
            q: nonempty(&self.q),
            kind,
            in_region: self.in_region,
            capability: nonempty(&self.capability),
            field_status,
        })
    }
}

/// Page size of lists: default 50, at most 200.
pub fn page_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(50).clamp(1, 200)
}

impl App {
    /// Organisations in 五十音 order of their reading.
    pub async fn organisations(
        &self,
        sight: &Sight,
        filter: &OrganisationFilter,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<Organisation>> {
        signed_in(sight)?;
        Ok(self.store.list_organisations(filter, cursor, limit).await?)
    }

    /// Every organisation, for a choice in a form (the directory is a few thousand at most).
    pub async fn all_organisations(&self, sight: &Sight) -> Result<Vec<Organisation>> {
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let p = self
                .organisations(
                    sight,
                    &OrganisationFilter::default(),
                    cursor.as_deref(),
                    200,
                )
                .await?;
            out.extend(p.items);
            cursor = p.next_cursor;
            if cursor.is_none() {
                return Ok(out);
            }
        }
    }

    pub async fn organisation(&self, sight: &Sight, id: &str) -> Result<Organisation> {
        signed_in(sight)?;
        Ok(self.store.organisation(id).await?)
    }

    /// Registers an organisation (the secretariat).
    pub async fn create_organisation(
        &self,
        sight: &Sight,
        input: Submitted<OrganisationInput>,
    ) -> Result<Organisation> {
        let grant = access::create_organisation(signed_in(sight)?)?;
        let data = input.parse(OrganisationData::parse)?;
        Ok(self.store.create_organisation(&grant, data).await?)
    }

    /// Changes an organisation (the secretariat, or the organisation's own staff).
    pub async fn update_organisation(
        &self,
        sight: &Sight,
        id: &str,
        input: Submitted<OrganisationInput>,
    ) -> Result<Organisation> {
        let grant = access::edit_organisation(signed_in(sight)?, id)?;
        let data = input.parse(OrganisationData::parse)?;
        Ok(self.store.update_organisation(&grant, id, data).await?)
    }

    /// Deletes an organisation nothing refers to (the secretariat).
    pub async fn delete_organisation(&self, sight: &Sight, id: &str) -> Result<()> {
        let grant = access::delete_organisation(signed_in(sight)?)?;
        Ok(self.store.delete_organisation(&grant, id).await?)
    }

    /// People in 五十音 order; `q` matches name and reading, folded.
    pub async fn people(
        &self,
        sight: &Sight,
        q: Option<&str>,
        organisation_id: Option<&str>,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<Person>> {
        signed_in(sight)?;
        Ok(self
            .store
            .list_people(sight, q, organisation_id, cursor, limit)
            .await?)
    }

    pub async fn person(&self, sight: &Sight, id: &str) -> Result<Person> {
        Ok(self.store.person(sight, id).await?)
    }

    /// Adds a person (the secretariat, or staff of the person's organisation).
    pub async fn create_person(
        &self,
        sight: &Sight,
        input: Submitted<PersonInput>,
    ) -> Result<Person> {
        let p = signed_in(sight)?;
        let data = input.parse(PersonData::parse)?;
        let grant = access::edit_person(p, data.organisation_id.as_deref())?;
        let created = self.store.create_person(&grant, data).await?;
        self.person(sight, &created.id).await
    }

    /// Changes a person (the secretariat, or staff of the person's current organisation).
    pub async fn update_person(
        &self,
        sight: &Sight,
        id: &str,
        input: Submitted<PersonInput>,
    ) -> Result<Person> {
        let p = signed_in(sight)?;
        let current = self.store.person(sight, id).await?;
        let grant = access::edit_person(p, current.data.organisation_id.as_deref())?;
        let data = input.parse(PersonData::parse)?;
        self.store.update_person(&grant, id, data).await?;
        self.person(sight, id).await
    }

    pub async fn delete_person(&self, sight: &Sight, id: &str) -> Result<()> {
        let p = signed_in(sight)?;
        let current = self.store.person(sight, id).await?;
        let grant = access::edit_person(p, current.data.organisation_id.as_deref())?;
        Ok(self.store.delete_person(&grant, id).await?)
    }
}
