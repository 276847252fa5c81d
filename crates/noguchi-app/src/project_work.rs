//! The work of a project as its page and API show it: gate reviews against the programme's
//! criteria, grants with the reports their award brings (state on today's date, reminders
//! through the outbox) and the scheme's eligibility read from the consortium, and the files
//! kept on a project. Every read goes through a project the caller may see.

use crate::records::Project;
use crate::{App, Error, Result, Sight, Submitted, signed_in};
use noguchi_domain::access;
use noguchi_domain::attachment::{clean_filename, sniff};
use noguchi_domain::dates::{format_date, move_date};
use noguchi_domain::grant::{
    EligibilityMember, GrantData, GrantInput, ReportDue, ReportKind, ReportState, Requirement,
    Scheme, eligibility, report_calendar, report_state,
};
use noguchi_domain::organisation::Licence;
use noguchi_domain::project::{GATES, Pathway, ProjectStage, ReviewData, ReviewInput};
use noguchi_domain::{Invalid, Problem};
use noguchi_storage::{Attachment, Grant, MailDraft, Review, StageMove};

/// One report of an award's calendar, with its state today.
#[derive(Debug, Clone)]
pub struct ReportLine {
    pub due: ReportDue,
    pub state: ReportState,
    pub done_on: Option<String>,
}

/// A report due soon or overdue, with the project it belongs to.
#[derive(Debug, Clone)]
pub struct DueReport {
    pub project_id: String,
    pub project_title: String,
    pub scheme: String,
    pub line: ReportLine,
}

/// A grant with its scheme (as the programme file names it), its calendar and the scheme's
/// eligibility read from the consortium.
#[derive(Debug, Clone)]
pub struct GrantView {
    pub grant: Grant,
    pub scheme: Option<Scheme>,
    pub reports: Vec<ReportLine>,
    pub eligibility: Vec<(Requirement, bool)>,
}

/// The need and candidate a project grew from (through its match proposal). The need's title
/// is shown only to a caller who may see the need (an NDA-level need stays redacted for a
/// member without its NDA).
#[derive(Debug, Clone)]
pub struct ProjectOrigin {
    pub proposal_id: String,
    pub need_id: String,
    pub need_title: Option<String>,
    pub need_owner: String,
    pub candidate: String,
}

/// Everything the project page shows, read once.
#[derive(Debug, Clone)]
pub struct ProjectDossier {
    pub project: Project,
    pub pathway: Pathway,
    pub history: Vec<StageMove>,
    pub reviews: Vec<Review>,
    pub grants: Vec<GrantView>,
    pub attachments: Vec<Attachment>,
    /// The criteria of each gate, as the programme names them.
    pub criteria: Vec<(ProjectStage, Vec<String>)>,
    pub schemes: Vec<Scheme>,
    /// The general name as the nomenclature holds it, when it does.
    pub device_name: Option<noguchi_domain::nomenclature::DeviceName>,
    pub origin: Option<ProjectOrigin>,
    pub may_run: bool,
    pub may_attach: bool,
}

fn eligibility_members(p: &Project, today: time::Date) -> Vec<EligibilityMember> {
    p.members
        .iter()
        .map(|m| EligibilityMember {
            role: m.role,
            kind: m.organisation_kind.clone(),
            in_region: m.in_region,
            employees: m.employees,
            has_marketing_licence: m.licences_held(today).iter().any(|l| {
                matches!(
                    l,
                    Licence::MarketingClass1 | Licence::MarketingClass2 | Licence::MarketingClass3
                )
            }),
        })
        .collect()
}

/// The calendar of a grant on `today`: none until it is awarded with a period.
pub fn grant_reports(g: &Grant, scheme: Option<&Scheme>, today: time::Date) -> Vec<ReportLine> {
    let (Some(scheme), Some(end)) = (scheme, g.data.period_end) else {
        return Vec::new();
    };
    if g.data.status != noguchi_domain::grant::GrantStatus::Awarded {
        return Vec::new();
    }
    report_calendar(scheme, end)
        .into_iter()
        .map(|due| {
            let done_on = g.report(due.kind, due.seq).and_then(|r| r.done_on.clone());
            let done = done_on
                .as_deref()
                .and_then(|d| noguchi_domain::dates::parse_date(d).ok());
            ReportLine {
                state: report_state(due.due, done, today),
                due,
                done_on,
            }
        })
        .collect()
}

impl App {
    /// The project and all its work, for its page.
    pub async fn project_dossier(&self, sight: &Sight, id: &str) -> Result<ProjectDossier> {
        let (project, pathway) = self.project_pathway(sight, id).await?;
        let programme = self.store.programme(&project.programme_id).await?;
        let settings = &programme.definition.projects;
        let today = self.today();
        let members = eligibility_members(&project, today);
        let grants = self
            .store
            .project_grants(&project)
            .await?
            .into_iter()
            .map(|g| {
                let scheme = settings.scheme(&g.data.scheme).cloned();
                GrantView {
                    reports: grant_reports(&g, scheme.as_ref(), today),
                    eligibility: scheme
                        .as_ref()
                        .map(|s| eligibility(s, &members))
                        .unwrap_or_default(),
                    scheme,
                    grant: g,
                }
            })
            .collect();
        let p = signed_in(sight)?;
        let may_run = access::may_run_projects(p, &project.programme_id);
        let may_attach =
            access::attach_to_project(p, &project.programme_id, &project.id, &project.member_ids())
                .is_ok();
        let origin = match &project.proposal_id {
            Some(pid) => {
                let x = self.store.proposal(&access::system_sight(), pid).await?;
                let sees = self.store.need(sight, &x.need_id).await.is_ok();
                Some(ProjectOrigin {
                    proposal_id: x.id,
                    need_id: x.need_id,
                    need_title: sees.then_some(x.need_title),
                    need_owner: x.need_owner_name,
                    candidate: x.candidate_label,
                })
            }
            None => None,
        };
        Ok(ProjectDossier {
            origin,
            device_name: self
                .device_name(project.data.general_name.as_deref())
                .await?,
            history: self.store.project_history(&project).await?,
            reviews: self.store.project_reviews(&project).await?,
            attachments: self.store.project_attachments(&project).await?,
            criteria: GATES.iter().map(|g| (*g, settings.criteria(*g))).collect(),
            schemes: settings.grant_schemes.clone(),
            grants,
            pathway,
            project,
            may_run,
            may_attach,
        })
    }

    /// The eligibility of the project's consortium for each of the programme's schemes.
    pub async fn scheme_eligibility(
        &self,
        p: &Project,
    ) -> Result<Vec<(Scheme, Vec<(Requirement, bool)>)>> {
        let programme = self.store.programme(&p.programme_id).await?;
        let members = eligibility_members(p, self.today());
        Ok(programme
            .definition
            .projects
            .grant_schemes
            .iter()
            .map(|s| (s.clone(), eligibility(s, &members)))
            .collect())
    }

    pub async fn review_gate(
        &self,
        sight: &Sight,
        id: &str,
        input: Submitted<ReviewInput>,
    ) -> Result<Review> {
        let (_, grant) = self.project_to_run(sight, id).await?;
        let today = self.today();
        let data = input.parse(|i| ReviewData::parse(i, today))?;
        Ok(self.store.review_gate(&grant, id, data).await?)
    }

    pub async fn project_reviews(&self, sight: &Sight, id: &str) -> Result<Vec<Review>> {
        let p = self.project(sight, id).await?;
        Ok(self.store.project_reviews(&p).await?)
    }

    pub async fn add_grant(
        &self,
        sight: &Sight,
        id: &str,
        input: Submitted<GrantInput>,
    ) -> Result<GrantView> {
        let (p, grant) = self.project_to_run(sight, id).await?;
        let programme = self.store.programme(&p.programme_id).await?;
        let schemes = &programme.definition.projects.grant_schemes;
        let data = input.parse(|i| GrantData::parse(i, schemes))?;
        let g = self.store.add_grant(&grant, id, data).await?;
        self.grant_view(&p, g).await
    }

    pub async fn update_grant(
        &self,
        sight: &Sight,
        grant_id: &str,
        input: Submitted<GrantInput>,
    ) -> Result<GrantView> {
        let (p, _) = self.store.project_grant(sight, grant_id).await?;
        let (p, grant) = self.project_to_run(sight, &p.id).await?;
        let programme = self.store.programme(&p.programme_id).await?;
        let schemes = &programme.definition.projects.grant_schemes;
        let data = input.parse(|i| GrantData::parse(i, schemes))?;
        let g = self.store.update_grant(&grant, grant_id, data).await?;
        self.grant_view(&p, g).await
    }

    /// A grant and its project, for a caller who may see the project.
    pub async fn grant_project(&self, sight: &Sight, grant_id: &str) -> Result<(Project, Grant)> {
        signed_in(sight)?;
        Ok(self.store.project_grant(sight, grant_id).await?)
    }

    pub async fn project_grants(&self, sight: &Sight, id: &str) -> Result<Vec<GrantView>> {
        Ok(self.project_dossier(sight, id).await?.grants)
    }

    async fn grant_view(&self, p: &Project, g: Grant) -> Result<GrantView> {
        let programme = self.store.programme(&p.programme_id).await?;
        let scheme = programme
            .definition
            .projects
            .scheme(&g.data.scheme)
            .cloned();
        Ok(GrantView {
            reports: grant_reports(&g, scheme.as_ref(), self.today()),
            eligibility: scheme
                .as_ref()
                .map(|s| eligibility(s, &eligibility_members(p, self.today())))
                .unwrap_or_default(),
            scheme,
            grant: g,
        })
    }

    /// Records a report of an award as submitted on a day (today when none is given), or
    /// clears it (`done` false).
    pub async fn mark_report(
        &self,
        sight: &Sight,
        grant_id: &str,
        kind: Option<&str>,
        seq: Option<i64>,
        done: bool,
        date: Option<&str>,
    ) -> Result<GrantView> {
        let (p, g) = self.store.project_grant(sight, grant_id).await?;
        let (p, grant) = self.project_to_run(sight, &p.id).await?;
        let mut errs = Invalid::default();
        let kind = errs.take(
            "kind",
            match kind.map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(k) => ReportKind::parse(k),
            },
        );
        let on = errs.take("date", move_date(date, self.today()));
        let view = self.grant_view(&p, g).await?;
        let seq = errs.take(
            "seq",
            match (kind, seq) {
                (_, None) => Err(Problem::Required),
                (Some(k), Some(n))
                    if view
                        .reports
                        .iter()
                        .any(|r| r.due.kind == k && i64::from(r.due.seq) == n) =>
                {
                    Ok(n as u8)
                }
                (_, Some(n)) => Err(Problem::UnknownValue {
                    value: n.to_string(),
                }),
            },
        );
        let (Some(kind), Some(seq), Some(on)) = (kind, seq, on) else {
            return Err(Error::Invalid(errs));
        };
        let g = self
            .store
            .mark_report(&grant, grant_id, kind, seq, done.then_some(on))
            .await?;
        self.grant_view(&p, g).await
    }

    /// Every awarded grant with its scheme as its programme file names it (each programme read
    /// once).
    async fn awarded_with_schemes(
        &self,
    ) -> Result<Vec<(noguchi_storage::AwardedGrant, Option<Scheme>)>> {
        let mut schemes: std::collections::HashMap<String, Vec<Scheme>> = Default::default();
        let mut out = Vec::new();
        for a in self.store.awarded_grants().await? {
            if !schemes.contains_key(&a.programme_id) {
                let programme = self.store.programme(&a.programme_id).await?;
                schemes.insert(
                    a.programme_id.clone(),
                    programme.definition.projects.grant_schemes,
                );
            }
            let scheme = schemes[&a.programme_id]
                .iter()
                .find(|s| s.key == a.grant.data.scheme)
                .cloned();
            out.push((a, scheme));
        }
        Ok(out)
    }

    /// The reports due soon or overdue on projects the caller runs or whose lead organisation
    /// it belongs to (the people who answer for them), earliest first.
    pub async fn reports_due(&self, sight: &Sight) -> Result<Vec<DueReport>> {
        let p = signed_in(sight)?;
        let today = self.today();
        let mut out = Vec::new();
        for (a, scheme) in self.awarded_with_schemes().await? {
            let answers = access::may_run_projects(p, &a.programme_id)
                || a.lead_organisation_id.as_deref() == Some(p.organisation_id.as_str());
            if !answers
                || self
                    .store
                    .project(sight, &a.grant.project_id)
                    .await
                    .is_err()
            {
                continue;
            }
            let scheme = scheme.as_ref();
            for line in grant_reports(&a.grant, scheme, today) {
                if matches!(line.state, ReportState::DueSoon | ReportState::Overdue) {
                    out.push(DueReport {
                        project_id: a.grant.project_id.clone(),
                        project_title: a.project_title.clone(),
                        scheme: scheme.map(|s| s.name.clone()).unwrap_or_default(),
                        line,
                    });
                }
            }
        }
        out.sort_by_key(|r| r.line.due.due);
        Ok(out)
    }

    /// Queues one reminder for each report of an award that is due within the reminder window
    /// and neither submitted nor reminded yet. Returns the mails queued.
    pub async fn queue_report_reminders(&self) -> Result<usize> {
        let grant = access::system_grant();
        let today = self.today();
        let mut queued = 0;
        for (a, scheme) in self.awarded_with_schemes().await? {
            let scheme = scheme.as_ref();
            for line in grant_reports(&a.grant, scheme, today) {
                let due_now = matches!(line.state, ReportState::DueSoon | ReportState::Overdue);
                let reminded = a
                    .grant
                    .report(line.due.kind, line.due.seq)
                    .is_some_and(|r| r.reminded_at.is_some());
                if !due_now || reminded {
                    continue;
                }
                let scheme_name = scheme.map(|s| s.name.clone()).unwrap_or_default();
                let url = self.public_url.clone().map(|u| {
                    format!(
                        "{}/projects/{}#grants",
                        u.trim_end_matches('/'),
                        a.grant.project_id
                    )
                });
                let compose =
                    |to: &str| report_reminder(to, &a, &scheme_name, &line, url.as_deref());
                queued += self
                    .store
                    .queue_report_reminder(&grant, &a, line.due.kind, line.due.seq, &compose)
                    .await?;
            }
        }
        Ok(queued)
    }

    /// Keeps a file on a project (`record` = ("project", id)) or one of its gate reviews
    /// (("review", review id)), for those who run projects and the project's members.
    pub async fn attach_to_project(
        &self,
        sight: &Sight,
        project_id: &str,
        record: (&str, &str),
        filename: &str,
        bytes: &[u8],
    ) -> Result<Attachment> {
        let p = self.project(sight, project_id).await?;
        let grant =
            access::attach_to_project(signed_in(sight)?, &p.programme_id, &p.id, &p.member_ids())?;
        let kind = sniff(bytes, filename).map_err(|e| Invalid::one("file", e))?;
        let name = clean_filename(filename);
        Ok(self
            .store
            .add_attachment(&grant, &p, record, &name, kind, bytes)
            .await?)
    }

    /// A kept file and its bytes, for a caller who may see its project.
    pub async fn attachment(&self, sight: &Sight, id: &str) -> Result<(Attachment, Vec<u8>)> {
        signed_in(sight)?;
        Ok(self.store.attachment(sight, id).await?)
    }
}

/// The reminder of a report an award brings, in the words a grant officer uses.
fn report_reminder(
    to: &str,
    a: &noguchi_storage::AwardedGrant,
    scheme: &str,
    line: &ReportLine,
    url: Option<&str>,
) -> MailDraft {
    let what = match line.due.kind {
        ReportKind::Results => "実績報告".to_owned(),
        ReportKind::Commercialisation => format!(
            "事業化状況報告（第{}回、{}年度分）",
            line.due.seq, line.due.fiscal_year
        ),
    };
    let overdue = if line.state == ReportState::Overdue {
        "期限を過ぎています。"
    } else {
        ""
    };
    let mut body = format!(
        "プロジェクト「{}」の補助事業（{scheme}）の{what}の提出期限は{}です。{overdue}\n\
         提出したら、プロジェクトのページで提出済みにしてください。\n",
        a.project_title,
        format_date(line.due.due),
    );
    if let Some(u) = url {
        body.push_str(&format!("\n{u}\n"));
    }
    body.push_str("\n（このメールは Noguchi から自動で送信しています）\n");
    MailDraft {
        kind: "grant_report_due",
        recipient: to.to_owned(),
        subject: format!("【提出期限】{what}（{}）", a.project_title),
        body,
    }
}
