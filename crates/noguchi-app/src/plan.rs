//! The plan after its last milestone: the secretariat revises a target or adds a milestone; the
//! KPI (page, API, council pack, chart) then reads the targets in force, beside the originals.

use crate::records::Programme;
use crate::{App, Result, Sight, Submitted, signed_in};
use noguchi_domain::access;
use noguchi_domain::plan::{PlannedMilestone, Revision, RevisionInput, milestones_in_force};
use noguchi_domain::programme::{Milestone, Target};
use noguchi_storage::RevisionRecord;

impl App {
    pub async fn revise_target(
        &self,
        sight: &Sight,
        programme_id: &str,
        input: Submitted<RevisionInput>,
    ) -> Result<RevisionRecord> {
        let grant = access::revise_targets(signed_in(sight)?, programme_id)?;
        let programme = self.store.programme(programme_id).await?;
        let r = input.parse(|i| Revision::parse(i, &programme.definition))?;
        Ok(self
            .store
            .add_target_revision(&grant, programme_id, &r)
            .await?)
    }

    pub async fn target_revisions(
        &self,
        sight: &Sight,
        programme_id: &str,
    ) -> Result<Vec<RevisionRecord>> {
        signed_in(sight)?;
        self.store.programme(programme_id).await?;
        Ok(self.store.target_revisions(programme_id).await?)
    }

    /// The programme with its milestones as in force (revisions applied, added milestones in
    /// year order), and the plan that says which target was the original.
    pub(crate) async fn programme_in_force(
        &self,
        mut programme: Programme,
    ) -> Result<(Programme, Vec<PlannedMilestone>)> {
        let revisions: Vec<Revision> = self
            .store
            .target_revisions(&programme.id)
            .await?
            .into_iter()
            .map(|r| r.revision)
            .collect();
        let plan = milestones_in_force(&programme.definition, &revisions);
        let notes: Vec<(i32, Option<String>)> = programme
            .definition
            .milestones
            .iter()
            .map(|m| (m.fiscal_year, m.note.clone()))
            .collect();
        programme.definition.milestones = plan
            .iter()
            .map(|m| Milestone {
                fiscal_year: m.fiscal_year.0,
                note: notes
                    .iter()
                    .find(|(y, _)| *y == m.fiscal_year.0)
                    .and_then(|(_, n)| n.clone()),
                targets: m
                    .targets
                    .iter()
                    .map(|(k, (f, j))| {
                        (
                            k.clone(),
                            Target {
                                firms: f.map(|x| x.target),
                                jobs: j.map(|x| x.target),
                            },
                        )
                    })
                    .collect(),
            })
            .collect();
        Ok((programme, plan))
    }
}
