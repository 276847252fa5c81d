//! Introductions (seed 5(2)②, deepening the network): for a firm, the organisations it is not
//! yet tied to that it should meet, with the reasons: a need it could serve, a contact two
//! steps away who can introduce them, capabilities it lacks. Everything is read with the
//! caller's sight, so a reason never rests on a record the caller may not see.

use crate::{App, Error, Result, Sight, signed_in};
use noguchi_domain::event::JST;
use noguchi_domain::fiscal::FiscalYear;
use noguchi_domain::network::{Introduction, Prospect, introductions};
use noguchi_domain::organisation::Organisation;
use std::collections::BTreeMap;

/// How many organisations the introductions name.
const INTRODUCTIONS: usize = 10;

/// The introductions for one firm.
#[derive(Debug, Clone)]
pub struct Introductions {
    pub firm: Organisation,
    pub items: Vec<Introduction>,
    /// Names of the organisations the items and their reasons refer to.
    pub names: BTreeMap<String, String>,
}

impl App {
    /// The introductions for `organisation_id`, for its own staff and the programme's
    /// secretariat; for anyone else "not found".
    pub async fn introductions(
        &self,
        sight: &Sight,
        programme_id: &str,
        organisation_id: &str,
    ) -> Result<Introductions> {
        let p = signed_in(sight)?;
        if p.organisation_id != organisation_id && !sight.is_secretariat_of(programme_id) {
            return Err(Error::NotFound);
        }
        let firm = self.store.organisation(organisation_id).await?;
        let year = FiscalYear::of_date(self.now().to_offset(JST).date());
        let network = self.network(sight, programme_id, year).await?;
        let directory = self.all_organisations(sight).await?;
        let prospects: Vec<Prospect> = directory
            .iter()
            .filter(|o| o.id != organisation_id)
            .map(|o| Prospect {
                id: o.id.clone(),
                capabilities: o.data.capabilities.clone(),
            })
            .collect();
        let needs: Vec<(String, String, String)> = self
            .needs_fitting(sight, programme_id, organisation_id, INTRODUCTIONS)
            .await?
            .into_iter()
            .map(|m| (m.need.submitter_org_id, m.need.id, m.need.data.title))
            .collect();
        let items = introductions(
            organisation_id,
            &firm.data.capabilities,
            &network.ties,
            &prospects,
            &needs,
            INTRODUCTIONS,
        );
        let names = directory.into_iter().map(|o| (o.id, o.data.name)).collect();
        Ok(Introductions { firm, items, names })
    }
}
