//! Projects to market (seed 5(2)④): opening a project, its consortium, its stages, the
//! regulatory pathway its device takes and the clearance it obtained. A project is
//! confidential: anyone but its members, the secretariat and the project-management role gets
//! "not found", from every read.

use crate::records::Project;
use crate::{App, Error, Result, Sight, Submitted, signed_in};
use noguchi_domain::access;
use noguchi_domain::dates::move_date;
use noguchi_domain::project::{
    ClearanceData, MemberRole, Pathway, PathwayMember, ProjectData, ProjectInput, ProjectStage,
    pathway,
};
use noguchi_domain::{Invalid, Problem};

impl App {
    /// Whether the caller runs the programme's projects (a display flag).
    pub fn may_run_projects(&self, sight: &Sight, programme_id: &str) -> bool {
        sight
            .principal()
            .is_some_and(|p| access::may_run_projects(p, programme_id))
    }

    pub async fn projects(&self, sight: &Sight, programme_id: &str) -> Result<Vec<Project>> {
        signed_in(sight)?;
        self.store.programme(programme_id).await?;
        Ok(self.store.projects(sight, programme_id).await?)
    }

    pub async fn project(&self, sight: &Sight, id: &str) -> Result<Project> {
        signed_in(sight)?;
        Ok(self.store.project(sight, id).await?)
    }

    pub async fn create_project(
        &self,
        sight: &Sight,
        programme_id: &str,
        input: Submitted<ProjectInput>,
    ) -> Result<Project> {
        let grant = access::manage_projects(signed_in(sight)?, programme_id)?;
        self.store.programme(programme_id).await?;
        let mut data = input.parse(ProjectData::parse)?;
        self.fill_from_nomenclature(&mut data).await?;
        Ok(self
            .store
            .create_project(&grant, programme_id, data, None)
            .await?)
    }

    /// The project to change: seen first (else "not found"), then the right to run it.
    pub(crate) async fn project_to_run(
        &self,
        sight: &Sight,
        id: &str,
    ) -> Result<(Project, access::Granted<access::permission::ManageProjects>)> {
        let p = self.project(sight, id).await?;
        let grant = access::manage_projects(signed_in(sight)?, &p.programme_id)?;
        Ok((p, grant))
    }

    pub async fn update_project(
        &self,
        sight: &Sight,
        id: &str,
        input: Submitted<ProjectInput>,
    ) -> Result<Project> {
        let (_, grant) = self.project_to_run(sight, id).await?;
        let mut data = input.parse(ProjectData::parse)?;
        self.fill_from_nomenclature(&mut data).await?;
        Ok(self.store.update_project(&grant, id, data).await?)
    }

    pub async fn add_project_member(
        &self,
        sight: &Sight,
        id: &str,
        organisation_id: Option<&str>,
        role: Option<&str>,
    ) -> Result<Project> {
        let (_, grant) = self.project_to_run(sight, id).await?;
        let mut errs = Invalid::default();
        let org = errs.take(
            "organisation_id",
            organisation_id
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .ok_or(Problem::Required),
        );
        let role = errs.take(
            "role",
            match role.map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(r) => MemberRole::parse(r),
            },
        );
        let (Some(org), Some(role)) = (org, role) else {
            return Err(Error::Invalid(errs));
        };
        Ok(self.store.add_project_member(&grant, id, org, role).await?)
    }

    pub async fn move_project(
        &self,
        sight: &Sight,
        id: &str,
        stage: Option<&str>,
        note: Option<&str>,
        date: Option<&str>,
    ) -> Result<Project> {
        let (_, grant) = self.project_to_run(sight, id).await?;
        let mut errs = Invalid::default();
        let to = errs.take(
            "stage",
            match stage.map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(s) => ProjectStage::parse(s),
            },
        );
        let on = errs.take("date", move_date(date, self.today()));
        if let Some(n) = note
            && n.chars().count() > 2000
        {
            errs.push("note", Problem::TooLong { max: 2000 });
        }
        let (Some(to), Some(on)) = (to, on) else {
            return Err(Error::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(Error::Invalid(errs));
        }
        Ok(self.store.move_project(&grant, id, to, note, on).await?)
    }

    /// The route to market and the licences the consortium needs, held or missing.
    pub async fn project_pathway(&self, sight: &Sight, id: &str) -> Result<(Project, Pathway)> {
        let p = self.project(sight, id).await?;
        let today = self.today();
        let members: Vec<PathwayMember> = p
            .members
            .iter()
            .map(|m| PathwayMember {
                organisation_id: m.organisation_id.clone(),
                role: m.role,
                licences: m.licences_held(today),
            })
            .collect();
        let way = pathway(p.data.device_class, p.data.certification_standard, &members);
        Ok((p, way))
    }

    pub async fn add_clearance(
        &self,
        sight: &Sight,
        id: &str,
        route: Option<&str>,
        number: Option<&str>,
        date: Option<&str>,
    ) -> Result<Project> {
        let (_, grant) = self.project_to_run(sight, id).await?;
        let c = ClearanceData::parse(route, number, date, self.today())?;
        Ok(self.store.add_clearance(&grant, id, c).await?)
    }
}
