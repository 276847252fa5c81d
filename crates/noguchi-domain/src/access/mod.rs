//! The one access policy of Noguchi, deny by default.
//!
//! Three layers, all decided here:
//! - every HTTP route is listed in [`ROUTES`] with what it needs ([`Need`]); a route that is not
//!   listed is refused by the web layer, and a test fails for any registered route missing here;
//! - reads: [`sight`] hands out a [`Sight`], the caller's capability to read. Storage reads of
//!   confidential records take it and filter with it, so a new list, count, export or search
//!   cannot forget the filter;
//! - writes: the functions below hand out a [`Granted`] proof, bound to the programme (and, for
//!   grants limited to one organisation, to that organisation) it was given for. Storage functions
//!   that change data take that proof and check it covers the record, so a write cannot be reached
//!   without passing the policy first, nor with a grant given elsewhere.

use std::marker::PhantomData;

crate::code_list! {
    /// What a member organisation does in a programme (seed section 8, PRODUCT.md section 4).
    Role {
        Secretariat = "secretariat",
        Attraction = "attraction",
        EntrySupport = "entry_support",
        Events = "events",
        NeedsSurvey = "needs_survey",
        ResearchSeeds = "research_seeds",
        Matching = "matching",
        Advisory = "advisory",
        NeedsProvider = "needs_provider",
        TechnicalSupport = "technical_support",
        ProjectManagement = "project_management",
    }
}

/// The roles an organisation holds in one programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeRoles {
    pub programme_id: String,
    pub roles: Vec<Role>,
    /// The programme requires a second factor of its secretariat's accounts.
    pub secretariat_second_factor: bool,
}

/// A signed-in user, as verified by the web layer (session or bearer token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub organisation_id: String,
    pub organisation_name: String,
    /// System administrator: manages accounts; also acts as secretariat.
    pub admin: bool,
    pub programmes: Vec<ProgrammeRoles>,
    /// The account must set a new password before doing anything else (one-time credentials).
    pub must_change_password: bool,
    /// A second factor (TOTP) is set up for the account.
    pub second_factor: bool,
}

impl Principal {
    pub fn has_role(&self, role: Role) -> bool {
        self.programmes.iter().any(|p| p.roles.contains(&role))
    }
    /// Secretariat of the given programme, or an administrator.
    pub fn is_secretariat_of(&self, programme_id: &str) -> bool {
        self.admin
            || self
                .programmes
                .iter()
                .any(|p| p.programme_id == programme_id && p.roles.contains(&Role::Secretariat))
    }
    /// Whether the caller's organisation holds `role` in the given programme.
    pub fn has_role_in(&self, programme_id: &str, role: Role) -> bool {
        self.programmes
            .iter()
            .any(|p| p.programme_id == programme_id && p.roles.contains(&role))
    }
    /// Secretariat of any programme, or an administrator.
    pub fn is_secretariat(&self) -> bool {
        self.admin || self.has_role(Role::Secretariat)
    }
    /// Accounts that may read confidential deals and needs across the programme sign in with a
    /// second factor: administrators always, the secretariat where its programme says so.
    pub fn second_factor_required(&self) -> bool {
        self.admin
            || self
                .programmes
                .iter()
                .any(|p| p.secretariat_second_factor && p.roles.contains(&Role::Secretariat))
    }

    /// The account must set up its second factor before doing anything else.
    pub fn must_set_up_second_factor(&self) -> bool {
        self.second_factor_required() && !self.second_factor
    }

    fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id.clone(),
            organisation_id: self.organisation_id.clone(),
        }
    }
}

/// Who acts, as recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub organisation_id: String,
}

impl Actor {
    /// The system itself (first start, programme loading, command-line account creation).
    pub fn system() -> Self {
        Self {
            user_id: "system".into(),
            organisation_id: String::new(),
        }
    }
}

/// Permissions for which a [`Granted`] proof exists.
pub mod permission {
    pub struct CreateOrganisation;
    pub struct EditOrganisation;
    pub struct DeleteOrganisation;
    pub struct EditPerson;
    pub struct ViewAudit;
    pub struct ManageUsers;
    pub struct RecordOutcome;
    pub struct RecordNda;
    pub struct DecideOutcome;
    pub struct ManageDeals;
    pub struct WorkOnEntryCase;
    pub struct SubmitNeed;
    pub struct CurateNeed;
    pub struct ManageSeed;
    pub struct ManageCampaign;
    pub struct ScoreNeed;
    pub struct ProposeMatch;
    pub struct MoveProposal;
    pub struct ManageEvents;
    pub struct Register;
    pub struct ManageProjects;
    pub struct AttachToProject;
    pub struct ManageNomenclature;
    pub struct ReviseTargets;
    pub struct RunCouncil;
}

/// Proof that the policy allowed `P` to the actor inside. Only this module constructs it.
#[derive(Debug)]
pub struct Granted<P> {
    actor: Actor,
    /// The programme the grant was given in; `None` for installation-wide grants (accounts, the
    /// system itself).
    programme: Option<String>,
    /// For a record-level grant limited to one organisation: that organisation.
    scope: Option<String>,
    /// For a grant decided for one record: that record.
    record: Option<String>,
    _permission: PhantomData<fn() -> P>,
}

impl<P> Granted<P> {
    fn to(principal: &Principal, programme: Option<&str>, scope: Option<&str>) -> Self {
        Self {
            actor: principal.actor(),
            programme: programme.map(str::to_owned),
            scope: scope.map(str::to_owned),
            record: None,
            _permission: PhantomData,
        }
    }
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    /// Whether the grant extends to a record that names these organisations (a grant limited
    /// to one organisation needs it among them).
    pub fn covers_any(&self, organisations: &[String]) -> bool {
        self.scope.is_none() || organisations.iter().any(|o| self.covers(Some(o)))
    }

    /// Whether the grant was given for this very record (a proposal's move is decided for one
    /// proposal; other grants are not bound to one record).
    pub fn covers_record(&self, id: &str) -> bool {
        self.record.as_deref().is_none_or(|r| r == id)
    }

    /// Whether the grant may be spent on a record of `programme_id` (storage checks this, so a
    /// grant given in one programme cannot change another programme's records).
    pub fn covers_programme(&self, programme_id: &str) -> bool {
        self.programme.as_deref().is_none_or(|p| p == programme_id)
    }
    /// Whether the grant extends to records of `organisation_id` (storage checks this, so a
    /// grant for one's own organisation cannot be spent on another).
    pub fn covers(&self, organisation_id: Option<&str>) -> bool {
        match &self.scope {
            None => true,
            Some(s) => organisation_id == Some(s.as_str()),
        }
    }
}

/// Grants for the command line and first start, where the operator of the machine acts.
/// Never reachable from HTTP: the web crate has no principal that maps to it.
pub fn system_grant<P>() -> Granted<P> {
    Granted {
        actor: Actor::system(),
        programme: None,
        scope: None,
        record: None,
        _permission: PhantomData,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not allowed")]
pub struct Denied;

/// An installation-wide grant (the directory, accounts, the audit log).
fn allow<P>(principal: &Principal, ok: bool) -> Result<Granted<P>, Denied> {
    if ok {
        Ok(Granted::to(principal, None, None))
    } else {
        Err(Denied)
    }
}

/// A grant bound to one programme.
fn allow_in<P>(principal: &Principal, programme_id: &str, ok: bool) -> Result<Granted<P>, Denied> {
    if ok {
        Ok(Granted::to(principal, Some(programme_id), None))
    } else {
        Err(Denied)
    }
}

/// A grant in one programme: the secretariat's covers every record of it; anyone else's only
/// the records its own organisation is named on (the submitter of a need, the holder of a
/// seed, a supporter of an entry case), so a grant given for one record cannot be spent on
/// another that names someone else.
fn allow_on<P>(
    p: &Principal,
    programme_id: &str,
    named: impl Fn(&str) -> bool,
) -> Result<Granted<P>, Denied> {
    if p.is_secretariat_of(programme_id) {
        Ok(Granted::to(p, Some(programme_id), None))
    } else if named(&p.organisation_id) {
        Ok(Granted::to(p, Some(programme_id), Some(&p.organisation_id)))
    } else {
        Err(Denied)
    }
}

/// Allows the secretariat everywhere, others only within their own organisation.
fn allow_own<P>(p: &Principal, organisation_id: Option<&str>) -> Result<Granted<P>, Denied> {
    if p.is_secretariat() {
        Ok(Granted::to(p, None, None))
    } else if organisation_id == Some(p.organisation_id.as_str()) {
        Ok(Granted::to(p, None, organisation_id))
    } else {
        Err(Denied)
    }
}

pub fn create_organisation(
    p: &Principal,
) -> Result<Granted<permission::CreateOrganisation>, Denied> {
    allow(p, p.is_secretariat())
}

/// The secretariat keeps the directory; every organisation keeps its own profile.
pub fn edit_organisation(
    p: &Principal,
    organisation_id: &str,
) -> Result<Granted<permission::EditOrganisation>, Denied> {
    allow_own(p, Some(organisation_id))
}

pub fn delete_organisation(
    p: &Principal,
) -> Result<Granted<permission::DeleteOrganisation>, Denied> {
    allow(p, p.is_secretariat())
}

/// Creating, changing or removing a person: the secretariat, or the person's own organisation.
pub fn edit_person(
    p: &Principal,
    person_organisation: Option<&str>,
) -> Result<Granted<permission::EditPerson>, Denied> {
    allow_own(p, person_organisation)
}

/// Contact details are personal data: shown to the secretariat and the person's own organisation.
pub fn may_see_contact(p: &Principal, person_organisation: Option<&str>) -> bool {
    p.is_secretariat() || person_organisation == Some(p.organisation_id.as_str())
}

pub fn view_audit(p: &Principal) -> Result<Granted<permission::ViewAudit>, Denied> {
    allow(p, p.is_secretariat())
}

/// Importing the nomenclature of medical devices (installation-wide reference data): an
/// administrator.
pub fn manage_nomenclature(
    p: &Principal,
) -> Result<Granted<permission::ManageNomenclature>, Denied> {
    allow(p, p.admin)
}

/// Revising the programme's targets or adding a milestone (the plan after its last one): the
/// secretariat of that programme.
pub fn revise_targets(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::ReviseTargets>, Denied> {
    allow_in(p, programme_id, p.is_secretariat_of(programme_id))
}

/// Running the liaison council (meetings, agenda, minutes, decisions, publication): the
/// secretariat of that programme.
pub fn run_council(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::RunCouncil>, Denied> {
    allow_in(p, programme_id, p.is_secretariat_of(programme_id))
}

pub fn manage_users(p: &Principal) -> Result<Granted<permission::ManageUsers>, Denied> {
    allow(p, p.admin)
}

/// Recording outcomes in a programme's KPI ledger: its secretariat.
pub fn record_outcome(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::RecordOutcome>, Denied> {
    allow_in(p, programme_id, p.is_secretariat_of(programme_id))
}

/// Verifying or rejecting outcomes: only the programme's secretariat.
pub fn decide_outcome(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::DecideOutcome>, Denied> {
    allow_in(p, programme_id, p.is_secretariat_of(programme_id))
}

/// Pending and rejected outcomes are working data of the secretariat; everyone else sees the
/// verified ledger only.
pub fn may_see_unverified(p: &Principal, programme_id: &str) -> bool {
    p.is_secretariat_of(programme_id)
}

/// Attraction and expansion deals are commercially confidential: the programme's secretariat
/// and the organisations a deal is explicitly shared with see it; nobody else learns it exists.
pub fn may_see_deal(p: &Principal, programme_id: &str, shared_with: &[String]) -> bool {
    p.is_secretariat_of(programme_id) || shared_with.contains(&p.organisation_id)
}

/// Creating, changing and moving deals: the programme's secretariat.
pub fn manage_deals(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::ManageDeals>, Denied> {
    allow_in(p, programme_id, p.is_secretariat_of(programme_id))
}

/// Entry cases: the secretariat, the firm itself and the supporting organisations named on it.
pub fn may_see_entry_case(
    p: &Principal,
    programme_id: &str,
    firm_id: &str,
    supporters: &[String],
) -> bool {
    p.is_secretariat_of(programme_id)
        || p.organisation_id == firm_id
        || supporters.contains(&p.organisation_id)
}

/// Opening an entry case: the secretariat.
pub fn open_entry_case(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::WorkOnEntryCase>, Denied> {
    allow_in(p, programme_id, p.is_secretariat_of(programme_id))
}

/// Working on an entry case (stages, consultations, activities): the secretariat and the
/// supporting organisations named on it.
pub fn work_on_entry_case(
    p: &Principal,
    programme_id: &str,
    supporters: &[String],
) -> Result<Granted<permission::WorkOnEntryCase>, Denied> {
    allow_on(p, programme_id, |org| supporters.iter().any(|s| s == org))
}

/// Who may see a need, as the audience tokens of the search index. Reads and search use the
/// same tokens (`may_see_need`), so they cannot disagree.
pub struct NeedScope<'a> {
    pub programme_id: &'a str,
    pub submitter_org: &'a str,
    pub disclosure: crate::needs::Disclosure,
    /// Held by the patient-information guard until reviewed.
    pub held: bool,
    /// Organisations with a signed NDA for this need.
    pub nda_orgs: &'a [String],
}

pub fn need_audience(n: &NeedScope<'_>) -> Vec<String> {
    use crate::needs::Disclosure;
    let mut a = vec![
        format!("org:{}", n.submitter_org),
        format!("secretariat:{}", n.programme_id),
    ];
    if n.held {
        return a;
    }
    match n.disclosure {
        Disclosure::Public => a.extend(["public".to_owned(), "members".to_owned()]),
        Disclosure::Members => a.push("members".to_owned()),
        Disclosure::Nda => a.extend(n.nda_orgs.iter().map(|o| format!("org:{o}"))),
        Disclosure::Internal => {}
    }
    a
}

/// The audience tokens of a project in the search index: its member organisations, the
/// programme's secretariat and its project-management role (the same rule as
/// [`may_see_project`]).
pub fn project_audience(programme_id: &str, members: &[String]) -> Vec<String> {
    let mut a = vec![
        format!("secretariat:{programme_id}"),
        format!("projects:{programme_id}"),
    ];
    a.extend(members.iter().map(|o| format!("org:{o}")));
    a
}

/// The audience tokens a caller holds (None: an anonymous visitor). `all_programmes` gives an
/// administrator the secretariat tokens of every programme.
pub fn audience_of(p: Option<&Principal>, all_programmes: &[String]) -> Vec<String> {
    let mut a = vec!["public".to_owned()];
    let Some(p) = p else { return a };
    a.push("members".to_owned());
    a.push(format!("org:{}", p.organisation_id));
    for prog in all_programmes {
        if p.is_secretariat_of(prog) {
            a.push(format!("secretariat:{prog}"));
        }
        if may_run_projects(p, prog) {
            a.push(format!("projects:{prog}"));
        }
    }
    a
}

pub fn may_see_need(audience: &[String], n: &NeedScope<'_>) -> bool {
    need_audience(n).iter().any(|t| audience.contains(t))
}

/// Submitting needs: the organisations that provide or gather them (hospital, chamber of
/// commerce) for themselves, and the secretariat for any organisation (an import of the needs a
/// hospital sent in a spreadsheet).
pub fn submit_need(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::SubmitNeed>, Denied> {
    if p.is_secretariat_of(programme_id) {
        return Ok(Granted::to(p, Some(programme_id), None));
    }
    let provider = p.has_role_in(programme_id, Role::NeedsProvider)
        || p.has_role_in(programme_id, Role::NeedsSurvey);
    if provider {
        Ok(Granted::to(p, Some(programme_id), Some(&p.organisation_id)))
    } else {
        Err(Denied)
    }
}

/// Curating a need (status, disclosure, releasing a hold after review): the secretariat and the
/// submitter's own organisation.
pub fn curate_need(
    p: &Principal,
    programme_id: &str,
    submitter_org: &str,
) -> Result<Granted<permission::CurateNeed>, Denied> {
    allow_on(p, programme_id, |org| org == submitter_org)
}

/// Recording (or revoking) a signed NDA: the secretariat. A permission of its own: the
/// submitter may curate its need but not decide who signed.
pub fn record_nda(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::RecordNda>, Denied> {
    allow_in(p, programme_id, p.is_secretariat_of(programme_id))
}

/// Seeds belong to their holder: the holder organisation and the secretariat manage them.
pub fn manage_seed(
    p: &Principal,
    programme_id: &str,
    holder_org: &str,
) -> Result<Granted<permission::ManageSeed>, Denied> {
    allow_on(p, programme_id, |org| org == holder_org)
}

/// Needs surveys: the secretariat and the organisations that gather needs (needs_survey).
pub fn manage_campaigns(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::ManageCampaign>, Denied> {
    allow_in(
        p,
        programme_id,
        p.is_secretariat_of(programme_id) || p.has_role_in(programme_id, Role::NeedsSurvey),
    )
}

/// An answer through a campaign's link, without an account: the link is the credential, and
/// only while the campaign takes answers. The answer is filed as a need of the campaign's
/// organisation, recorded as coming from the campaign (not from a user).
pub fn answer_survey(
    programme_id: &str,
    campaign_id: &str,
    organisation_id: &str,
    open: bool,
) -> Result<Granted<permission::SubmitNeed>, Denied> {
    if !open {
        return Err(Denied);
    }
    Ok(Granted {
        actor: Actor {
            user_id: format!("survey:{campaign_id}"),
            organisation_id: organisation_id.to_owned(),
        },
        programme: Some(programme_id.to_owned()),
        scope: Some(organisation_id.to_owned()),
        record: None,
        _permission: PhantomData,
    })
}

/// Scoring needs (目利き): the secretariat and the organisations whose role is to judge and
/// develop them (matching, project management, technical support).
pub fn score_need(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::ScoreNeed>, Denied> {
    allow_in(
        p,
        programme_id,
        p.is_secretariat_of(programme_id)
            || [
                Role::Matching,
                Role::ProjectManagement,
                Role::TechnicalSupport,
            ]
            .iter()
            .any(|r| p.has_role_in(programme_id, *r)),
    )
}

/// Turning a match candidate into a proposal: the secretariat and the matching coordinators.
pub fn propose_match(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::ProposeMatch>, Denied> {
    allow_in(
        p,
        programme_id,
        p.is_secretariat_of(programme_id) || p.has_role_in(programme_id, Role::Matching),
    )
}

/// The organisations a proposal concerns.
pub struct ProposalScope<'a> {
    pub id: &'a str,
    pub programme_id: &'a str,
    pub proposer_org: &'a str,
    pub need_owner: &'a str,
    pub candidate_org: &'a str,
}

/// The parts the caller plays in a proposal; none means the proposal is not theirs to see.
pub fn proposal_sides(p: &Principal, s: &ProposalScope<'_>) -> Vec<crate::matching::Side> {
    use crate::matching::Side;
    let mut out = Vec::new();
    if p.is_secretariat_of(s.programme_id) {
        out.push(Side::Secretariat);
    }
    for (org, side) in [
        (s.proposer_org, Side::Proposer),
        (s.candidate_org, Side::Candidate),
        (s.need_owner, Side::NeedOwner),
    ] {
        if p.organisation_id == org {
            out.push(side);
        }
    }
    out
}

/// Both sides see the proposals they are part of, and so do the secretariat and the proposer.
pub fn may_see_proposal(p: &Principal, s: &ProposalScope<'_>) -> bool {
    !proposal_sides(p, s).is_empty()
}

/// Moving a proposal: the workflow's rule for the caller's sides decides.
pub fn move_proposal(
    p: &Principal,
    s: &ProposalScope<'_>,
    from: crate::matching::ProposalStatus,
    to: crate::matching::ProposalStatus,
    disclosure: crate::needs::Disclosure,
    note: Option<&str>,
) -> Result<Granted<permission::MoveProposal>, crate::matching::ProposalRefused> {
    let sides = proposal_sides(p, s);
    crate::matching::check_proposal_move(from, to, &sides, disclosure, note)?;
    let mut grant = Granted::to(p, Some(s.programme_id), None);
    grant.record = Some(s.id.to_owned());
    Ok(grant)
}

mod routes;
mod sight;
pub use routes::{Need, ROUTES, Refusal, RouteRule, route_rule};
pub use sight::{RecordFilter, Sight, sight, system_sight};

#[cfg(test)]
mod tests;

/// Events: the secretariat and the organisations that run events (events role) create and
/// change them, enter sign-ups taken by phone or fax, check people in and cancel for them.
pub fn manage_events(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::ManageEvents>, Denied> {
    allow_in(p, programme_id, may_run_events(p, programme_id))
}

/// Running projects (creating them, their consortium, stage moves and gate decisions, the
/// clearance): the secretariat and the project-management role (section 8 of the seed gives
/// productisation support to the industry foundation).
pub fn manage_projects(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::ManageProjects>, Denied> {
    allow_in(p, programme_id, may_run_projects(p, programme_id))
}

pub fn may_run_projects(p: &Principal, programme_id: &str) -> bool {
    p.is_secretariat_of(programme_id) || p.has_role_in(programme_id, Role::ProjectManagement)
}

/// A project is confidential: its member organisations, the secretariat and the
/// project-management role see it.
pub fn may_see_project(p: &Principal, programme_id: &str, members: &[String]) -> bool {
    may_run_projects(p, programme_id) || members.contains(&p.organisation_id)
}

/// Attaching a document (evidence, minutes, a test report) to a project or one of its gate
/// reviews: those who run projects and the project's own members, who hold the evidence. The
/// grant is for that one project.
pub fn attach_to_project(
    p: &Principal,
    programme_id: &str,
    project_id: &str,
    members: &[String],
) -> Result<Granted<permission::AttachToProject>, Denied> {
    let mut g: Granted<permission::AttachToProject> =
        allow_in(p, programme_id, may_see_project(p, programme_id, members))?;
    g.record = Some(project_id.to_owned());
    Ok(g)
}

fn may_run_events(p: &Principal, programme_id: &str) -> bool {
    p.is_secretariat_of(programme_id) || p.has_role_in(programme_id, Role::Events)
}

/// Registering others (a phone or fax sign-up) or cancelling for them: those who run events.
pub fn register_others(
    p: &Principal,
    programme_id: &str,
) -> Result<Granted<permission::Register>, Denied> {
    allow_in(p, programme_id, may_run_events(p, programme_id))
}

/// A signed-in user registering for an event they may see, while its registration is open.
pub fn register_self(
    p: &Principal,
    programme_id: &str,
    event_id: &str,
    open: bool,
) -> Result<Granted<permission::Register>, Denied> {
    let mut g: Granted<permission::Register> = allow_in(p, programme_id, open)?;
    g.record = Some(event_id.to_owned());
    Ok(g)
}

/// A guest without an account registering for a public event while its registration is open:
/// recorded as the event's guest form, bound to that event.
pub fn register_guest(
    programme_id: &str,
    event_id: &str,
    public_and_open: bool,
) -> Result<Granted<permission::Register>, Denied> {
    if !public_and_open {
        return Err(Denied);
    }
    Ok(Granted {
        actor: Actor {
            user_id: format!("guest:{event_id}"),
            organisation_id: String::new(),
        },
        programme: Some(programme_id.to_owned()),
        scope: None,
        record: Some(event_id.to_owned()),
        _permission: PhantomData,
    })
}

/// Answering an event's follow-up through its link: the link's secret is the credential, and
/// the grant covers that registration only. A consultation wish it files on the firm's entry
/// case is recorded as coming from the answer (not from a user).
pub fn answer_followup(programme_id: &str, registration_id: &str) -> Granted<permission::Register> {
    Granted {
        actor: Actor {
            user_id: format!("followup:{registration_id}"),
            organisation_id: String::new(),
        },
        programme: Some(programme_id.to_owned()),
        scope: None,
        record: Some(registration_id.to_owned()),
        _permission: PhantomData,
    }
}

/// Acting through a registration's personal link (changing, cancelling): the link's secret is
/// the credential, and the grant covers that registration only.
pub fn cancel_with_link(
    programme_id: &str,
    registration_id: &str,
) -> Granted<permission::Register> {
    Granted {
        actor: Actor {
            user_id: format!("registration:{registration_id}"),
            organisation_id: String::new(),
        },
        programme: Some(programme_id.to_owned()),
        scope: None,
        record: Some(registration_id.to_owned()),
        _permission: PhantomData,
    }
}
