//! Project pages: the programme's projects (counts by stage, the list, its export), a new or
//! changed project, and one project's page — its consortium and licences, the regulatory
//! pathway with what is missing and what comes next, gate reviews, grants with their reports,
//! clearances, documents and a timeline — with a printable one-page summary for a grant
//! application. A project nobody may see answers 404, as one that does not exist.

use crate::AppState;
use crate::auth::Caller;
use crate::download::{Cell, table_response};
use crate::error::AppError;
use crate::forms::{Choice, Field, FormData};
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use crate::timeline::{self, Point, Span, Timeline, TimelineInput};
use crate::views::{MoveLine, messages, move_lines};
use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::project_work::{GrantView, ProjectDossier};
use noguchi_app::records::{Programme, Project};
use noguchi_domain::Invalid;
use noguchi_domain::dates::format_date;
use noguchi_domain::grant::{GrantInput, ReportState};
use noguchi_domain::project::{
    DeviceClass, Gap, MemberRole, ProjectInput, ProjectStage, ReviewInput, Route,
};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

pub struct ProjectLine {
    pub href: String,
    pub title: String,
    pub stage: String,
    pub stage_code: &'static str,
    pub stage_on: String,
    pub class: String,
    pub route: String,
    pub lead: String,
    pub members: usize,
}

fn route_of(p: &Project) -> Option<Route> {
    p.data
        .device_class
        .map(|c| noguchi_domain::project::route(c, p.data.certification_standard))
}

fn lead_name(p: &Project) -> String {
    p.data
        .lead_organisation_id
        .as_ref()
        .and_then(|l| p.members.iter().find(|m| &m.organisation_id == l))
        .map(|m| m.organisation_name.clone())
        .unwrap_or_default()
}

fn line(tr: Tr, p: &Project) -> ProjectLine {
    ProjectLine {
        href: format!("/projects/{}", p.id),
        title: p.data.title.clone(),
        stage: tr.code("stage", p.stage.code()),
        stage_code: p.stage.code(),
        stage_on: p.stage_on.clone(),
        class: p
            .data
            .device_class
            .map(|c| format!("{} {}", tr.t("project-class"), c.code()))
            .unwrap_or_default(),
        route: route_of(p)
            .map(|r| tr.code("route", r.code()))
            .unwrap_or_default(),
        lead: lead_name(p),
        members: p.member_ids().len(),
    }
}

pub struct StageCount {
    pub label: String,
    pub code: &'static str,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ListPage {
    ctx: Ctx,
    programme: Programme,
    counts: Vec<StageCount>,
    projects: Vec<ProjectLine>,
    can_run: bool,
}

/// Projects by stage, in the stages' order (中止 last).
pub fn stage_counts(tr: Tr, projects: &[Project]) -> Vec<StageCount> {
    ProjectStage::ORDER
        .iter()
        .chain([&ProjectStage::Stopped])
        .map(|s| StageCount {
            label: tr.code("stage", s.code()),
            code: s.code(),
            count: projects.iter().filter(|p| p.stage == *s).count(),
        })
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let programme = state.app.programme(&id).await?;
    let ctx =
        Ctx::new(&caller, &format!("/programmes/{id}/projects")).with_flash(q.flash.as_deref());
    let tr = ctx.tr;
    let projects = state.app.projects(&caller.sight, &id).await?;
    Ok(render(&ListPage {
        counts: stage_counts(tr, &projects),
        projects: projects.iter().map(|p| line(tr, p)).collect(),
        can_run: state.app.may_run_projects(&caller.sight, &id),
        programme,
        ctx,
    }))
}

#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

/// The list as XLSX or CSV, with exactly the projects the caller may see.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let tr = Tr(caller.lang);
    let projects = state.app.projects(&caller.sight, &id).await?;
    let header: Vec<String> = [
        "field-project-title",
        "field-stage",
        "project-stage-on",
        "field-project-device_class",
        "project-route",
        "field-project-general_name",
        "field-project-lead_organisation_id",
        "project-members",
        "project-clearance",
        "field-project-summary",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect();
    let rows: Vec<Vec<Cell>> = projects
        .iter()
        .map(|p| {
            let members = p
                .members
                .iter()
                .map(|m| {
                    format!(
                        "{}（{}）",
                        m.organisation_name,
                        tr.code("member-role", m.role.code())
                    )
                })
                .collect::<Vec<_>>()
                .join("、");
            let clearance = p
                .clearances
                .iter()
                .map(|c| {
                    format!(
                        "{} {} {}",
                        tr.code("route", c.route.code()),
                        c.number,
                        c.cleared_on
                    )
                })
                .collect::<Vec<_>>()
                .join("、");
            vec![
                Cell::Text(p.data.title.clone()),
                Cell::Text(tr.code("stage", p.stage.code())),
                Cell::Text(p.stage_on.clone()),
                Cell::Text(
                    p.data
                        .device_class
                        .map(|c| c.code().to_owned())
                        .unwrap_or_default(),
                ),
                Cell::Text(
                    route_of(p)
                        .map(|r| tr.code("route", r.code()))
                        .unwrap_or_default(),
                ),
                Cell::Text(p.data.general_name.clone().unwrap_or_default()),
                Cell::Text(lead_name(p)),
                Cell::Text(members),
                Cell::Text(clearance),
                Cell::Text(p.data.summary.clone().unwrap_or_default()),
            ]
        })
        .collect();
    table_response(&header, &rows, q.format.as_deref(), "projects")
}

fn project_fields(tr: Tr, input: &ProjectInput, organisations: Vec<Choice>) -> Vec<Field> {
    let f = |name: &'static str, kind: &'static str, value: String| {
        Field::new(tr, name, kind, value).labelled(tr.field_in(Some("project"), name))
    };
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let class = s(&input.device_class);
    // The select's own empty choice stands for a class not decided yet.
    let classes = DeviceClass::ALL
        .iter()
        .map(|c| Choice {
            value: c.code().into(),
            label: tr.code("device-class", c.code()),
            selected: c.code() == class,
        })
        .collect();
    vec![
        f("title", "text", s(&input.title)).required(),
        f("summary", "textarea", s(&input.summary)),
        f("device", "textarea", s(&input.device)).help(tr.t("project-device-help")),
        f("device_class", "select", class).choices(classes),
        f("general_name", "text", s(&input.general_name)).help(tr.t("project-general-name-help")),
        f("certification_standard", "checkbox", String::new())
            .checked(input.certification_standard.unwrap_or(false))
            .help(tr.t("project-standard-help")),
        f(
            "lead_organisation_id",
            "select",
            s(&input.lead_organisation_id),
        )
        .choices(organisations),
    ]
}

fn read_project(form: &FormData) -> ProjectInput {
    ProjectInput {
        title: form.get("title"),
        summary: form.get("summary"),
        device: form.get("device"),
        device_class: form.get("device_class"),
        general_name: form.get("general_name"),
        certification_standard: Some(form.checked("certification_standard")),
        lead_organisation_id: form.get("lead_organisation_id").filter(|o| !o.is_empty()),
    }
}

async fn org_choices(
    state: &AppState,
    caller: &Caller,
    selected: Option<&str>,
) -> Result<Vec<Choice>, AppError> {
    let sel: Vec<String> = selected.map(str::to_owned).into_iter().collect();
    crate::views::organisation_choices(state, &caller.sight, &sel).await
}

async fn project_form(
    state: &AppState,
    caller: &Caller,
    action: String,
    cancel: String,
    title: String,
    input: &ProjectInput,
    invalid: Option<&Invalid>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(caller, &action);
    let tr = ctx.tr;
    let orgs = org_choices(state, caller, input.lead_organisation_id.as_deref()).await?;
    Ok(crate::pages::render_form(
        ctx,
        title,
        action,
        cancel,
        project_fields(tr, input, orgs),
        invalid,
    ))
}

pub async fn new_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    noguchi_domain::access::manage_projects(p, &id).map_err(|_| AppError::Forbidden)?;
    let tr = Tr(caller.lang);
    project_form(
        &state,
        &caller,
        format!("/programmes/{id}/projects"),
        format!("/programmes/{id}/projects"),
        tr.t("project-new"),
        &ProjectInput::default(),
        None,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let input = read_project(&form);
    match state
        .app
        .create_project(&caller.sight, &id, input.clone().into())
        .await
    {
        Ok(p) => Ok(Redirect::to(&format!("/projects/{}?flash=org-created", p.id)).into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            let tr = Tr(caller.lang);
            project_form(
                &state,
                &caller,
                format!("/programmes/{id}/projects"),
                format!("/programmes/{id}/projects"),
                tr.t("project-new"),
                &input,
                Some(&i),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = state.app.project(&caller.sight, &id).await?;
    if !state.app.may_run_projects(&caller.sight, &p.programme_id) {
        return Err(AppError::Forbidden);
    }
    let tr = Tr(caller.lang);
    project_form(
        &state,
        &caller,
        format!("/projects/{id}"),
        format!("/projects/{id}"),
        tr.t("project-edit"),
        &p.data.to_input(),
        None,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let input = read_project(&form);
    match state
        .app
        .update_project(&caller.sight, &id, input.clone().into())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}?flash=org-updated")).into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            let tr = Tr(caller.lang);
            project_form(
                &state,
                &caller,
                format!("/projects/{id}"),
                format!("/projects/{id}"),
                tr.t("project-edit"),
                &input,
                Some(&i),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A member as the page lists it.
pub struct MemberLine {
    pub href: String,
    pub name: String,
    pub role: String,
    pub licences: String,
}

/// A licence the pathway needs, as the page says it.
pub struct LicenceLine {
    pub who: String,
    pub role: String,
    pub licence: String,
    pub held: bool,
}

pub struct CriterionBox {
    pub index: usize,
    pub name: String,
}

pub struct GateForm {
    pub code: &'static str,
    pub label: String,
    pub criteria: Vec<CriterionBox>,
    /// The next gate is open; the others are folded.
    pub open: bool,
}

pub struct ReviewLine {
    pub id: String,
    pub gate: String,
    pub decision: String,
    pub decision_code: &'static str,
    pub date: String,
    pub criteria: Vec<(String, bool)>,
    pub note: String,
}

pub struct ReportLine {
    pub kind: String,
    pub kind_code: &'static str,
    pub seq: u8,
    pub fiscal_year: String,
    pub due: String,
    pub state: String,
    pub state_code: &'static str,
    pub done_on: String,
    pub done: bool,
}

pub struct GrantLine {
    pub id: String,
    pub scheme: String,
    pub status: String,
    pub status_code: &'static str,
    pub number: String,
    pub period: String,
    pub rate: String,
    pub amounts: Vec<(String, String, String)>,
    pub total: String,
    pub reports: Vec<ReportLine>,
    pub eligibility: Vec<(String, bool)>,
    pub note: String,
}

pub struct FileLine {
    pub href: String,
    pub name: String,
    pub kind: String,
    pub size: String,
    pub on: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    ctx: Ctx,
    p: Project,
    stage: String,
    track: Vec<(String, bool, bool)>,
    class: String,
    route: String,
    lead: String,
    members: Vec<MemberLine>,
    licences: Vec<LicenceLine>,
    qms: bool,
    missing: Vec<String>,
    next_step: String,
    reviews: Vec<ReviewLine>,
    gates: Vec<GateForm>,
    grants: Vec<GrantLine>,
    schemes: Vec<Choice>,
    scheme_checks: Vec<(String, Vec<(String, bool)>)>,
    clearances: Vec<(String, String, String)>,
    files: Vec<FileLine>,
    review_choices: Vec<Choice>,
    history: Vec<MoveLine>,
    timeline: Timeline,
    may_run: bool,
    may_attach: bool,
    stage_choices: Vec<Choice>,
    role_choices: Vec<Choice>,
    route_choices: Vec<Choice>,
    org_choices: Vec<Choice>,
    today: String,
    error: Option<String>,
    /// The general name as the nomenclature holds it: (JMDN code, class, standard).
    nomenclature: Option<(String, String, bool)>,
    class_differs: bool,
    origin: Option<noguchi_app::project_work::ProjectOrigin>,
}

/// What the pathway lacks, in words: the roles missing and each licence missing, by whom.
fn missing(tr: Tr, d: &ProjectDossier) -> Vec<String> {
    let name_of = |org: &str| {
        d.project
            .members
            .iter()
            .find(|m| m.organisation_id == org)
            .map(|m| m.organisation_name.clone())
            .unwrap_or_default()
    };
    d.pathway
        .gaps
        .iter()
        .map(|g| {
            tr.t(match g {
                Gap::NoClass => "pathway-gap-no_class",
                Gap::NoMah => "pathway-gap-no_mah",
                Gap::NoManufacturer => "pathway-gap-no_manufacturer",
            })
        })
        .chain(d.pathway.licences.iter().filter(|l| !l.held).map(|l| {
            format!(
                "{}: {}",
                name_of(&l.organisation_id),
                tr.code("licence", l.licence.code())
            )
        }))
        .collect()
}

/// One line per member organisation, its roles together.
fn member_lines(tr: Tr, p: &Project, today: time::Date) -> Vec<MemberLine> {
    let mut out: Vec<(String, MemberLine)> = Vec::new();
    for m in &p.members {
        let role = tr.code("member-role", m.role.code());
        match out.iter_mut().find(|(id, _)| *id == m.organisation_id) {
            Some((_, line)) => {
                line.role.push('、');
                line.role.push_str(&role);
            }
            None => out.push((
                m.organisation_id.clone(),
                MemberLine {
                    href: format!("/organisations/{}", m.organisation_id),
                    name: m.organisation_name.clone(),
                    role,
                    licences: licence_text(tr, m, today),
                },
            )),
        }
    }
    out.into_iter().map(|(_, l)| l).collect()
}

/// A member's licences as the page says them: each with its number and expiry where recorded,
/// and marked when expired.
fn licence_text(tr: Tr, m: &noguchi_app::records::ProjectMember, today: time::Date) -> String {
    m.licences
        .iter()
        .map(|l| {
            let mut t = tr.code("licence", l.code());
            if let Some(r) = m.licence_records.iter().find(|r| r.licence == *l) {
                let detail: Vec<String> = [
                    r.number.clone(),
                    r.expires_on.map(|e| format!("〜{}", format_date(e))),
                ]
                .into_iter()
                .flatten()
                .collect();
                if !detail.is_empty() {
                    t.push_str(&format!("（{}）", detail.join(" ")));
                }
                if r.expires_on.is_some_and(|e| e < today) {
                    t.push_str(&format!(" [{}]", tr.t("project-expired")));
                }
            }
            t
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn yen(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn size(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (n + 1023) / 1024)
    }
}

/// The next stage after `s` in order (none after 上市 or when stopped).
fn next_stage(s: ProjectStage) -> Option<ProjectStage> {
    let i = ProjectStage::ORDER.iter().position(|x| *x == s)?;
    ProjectStage::ORDER.get(i + 1).copied()
}

/// What the pathway says to do next, in one sentence.
fn next_step(tr: Tr, d: &ProjectDossier) -> String {
    let p = &d.project;
    let way = &d.pathway;
    if way.gaps.contains(&Gap::NoClass) {
        return tr.t("pathway-next-class");
    }
    if way.gaps.contains(&Gap::NoMah) {
        return tr.t("pathway-next-mah");
    }
    if let Some(l) = way.licences.iter().find(|l| !l.held) {
        let who = p
            .members
            .iter()
            .find(|m| m.organisation_id == l.organisation_id)
            .map(|m| m.organisation_name.clone())
            .unwrap_or_default();
        return tr
            .t("pathway-next-licence")
            .replace("{who}", &who)
            .replace("{licence}", &tr.code("licence", l.licence.code()));
    }
    if way.gaps.contains(&Gap::NoManufacturer) {
        return tr.t("pathway-next-maker");
    }
    if p.clearances.is_empty() {
        let route = way.route.map(|r| r.code()).unwrap_or("approval");
        return tr.t(&format!("pathway-next-{route}"));
    }
    if p.stage != ProjectStage::Launched {
        return tr.t("pathway-next-launch");
    }
    tr.t("pathway-next-done")
}

fn grant_line(tr: Tr, v: &GrantView) -> GrantLine {
    let g = &v.grant;
    GrantLine {
        id: g.id.clone(),
        scheme: v
            .scheme
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_else(|| g.data.scheme.clone()),
        status: tr.code("grant-status", g.data.status.code()),
        status_code: g.data.status.code(),
        number: g.data.number.clone().unwrap_or_default(),
        period: match (g.data.period_start, g.data.period_end) {
            (Some(s), Some(e)) => format!("{} 〜 {}", format_date(s), format_date(e)),
            _ => String::new(),
        },
        rate: g
            .data
            .subsidy_rate
            .map(|r| format!("{r}%"))
            .unwrap_or_default(),
        amounts: g
            .data
            .amounts
            .iter()
            .map(|a| {
                (
                    noguchi_domain::fiscal::FiscalYear(a.fiscal_year).full_label(),
                    yen(a.direct),
                    yen(a.indirect),
                )
            })
            .collect(),
        total: yen(g.data.total()),
        reports: v
            .reports
            .iter()
            .map(|r| ReportLine {
                kind: tr.code("report-kind", r.due.kind.code()),
                kind_code: r.due.kind.code(),
                seq: r.due.seq,
                fiscal_year: noguchi_domain::fiscal::FiscalYear(r.due.fiscal_year).full_label(),
                due: format_date(r.due.due),
                state: tr.code("report-state", r.state.code()),
                state_code: r.state.code(),
                done_on: r.done_on.clone().unwrap_or_default(),
                done: r.state == ReportState::Done,
            })
            .collect(),
        eligibility: v
            .eligibility
            .iter()
            .map(|(r, met)| (tr.code("requirement", r.code()), *met))
            .collect(),
        note: g.data.note.clone().unwrap_or_default(),
    }
}

fn project_timeline(tr: Tr, d: &ProjectDossier, today: time::Date) -> Timeline {
    let moves: Vec<(time::Date, String)> = d
        .history
        .iter()
        .filter_map(|m| timeline::parse(&m.moved_on).map(|on| (on, m.to_stage.clone())))
        .collect();
    let stages = moves
        .iter()
        .enumerate()
        .map(|(i, (from, stage))| {
            let to = moves.get(i + 1).map(|m| m.0).unwrap_or(today);
            let label = tr.code("stage", stage);
            Span {
                from: *from,
                to,
                class: format!("stage-{stage}"),
                title: format!("{label} {} 〜", format_date(*from)),
                label,
            }
        })
        .collect();
    let reviews = d
        .reviews
        .iter()
        .map(|r| Point {
            on: r.data.decided_on,
            class: format!("decision-{}", r.data.decision.code()),
            title: format!(
                "{} {} {}",
                format_date(r.data.decided_on),
                tr.code("stage", r.data.gate.code()),
                tr.code("decision", r.data.decision.code())
            ),
        })
        .collect();
    let mut grants = Vec::new();
    let mut reports = Vec::new();
    for v in &d.grants {
        let g = &v.grant;
        let name = v
            .scheme
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default();
        if let (Some(s), Some(e)) = (g.data.period_start, g.data.period_end) {
            grants.push(Span {
                from: s,
                to: e,
                class: format!("grant-{}", g.data.status.code()),
                title: format!("{name} {} 〜 {}", format_date(s), format_date(e)),
                label: String::new(),
            });
        }
        for r in &v.reports {
            reports.push(Point {
                on: r.due.due,
                class: format!("report-{}", r.state.code()),
                title: format!(
                    "{} {} {}",
                    format_date(r.due.due),
                    tr.code("report-kind", r.due.kind.code()),
                    tr.code("report-state", r.state.code())
                ),
            });
        }
    }
    timeline::layout(TimelineInput {
        stages,
        reviews,
        grants,
        reports,
        today,
        lane_labels: [
            tr.t("timeline-stages"),
            tr.t("timeline-reviews"),
            tr.t("timeline-grants"),
            tr.t("timeline-reports"),
        ],
    })
}

async fn project_page(
    state: &AppState,
    caller: &Caller,
    id: &str,
    flash: Option<&str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let d = state.app.project_dossier(&caller.sight, id).await?;
    let ctx = Ctx::new(caller, &format!("/projects/{id}")).with_flash(flash);
    let tr = ctx.tr;
    let today = state.app.today();
    let p = &d.project;
    let name_of = |org: &str| {
        p.members
            .iter()
            .find(|m| m.organisation_id == org)
            .map(|m| m.organisation_name.clone())
            .unwrap_or_default()
    };
    let rank = ProjectStage::ORDER.iter().position(|s| *s == p.stage);
    let track = ProjectStage::ORDER
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                tr.code("stage", s.code()),
                rank.is_some_and(|r| i < r),
                *s == p.stage,
            )
        })
        .collect();
    let missing = missing(tr, &d);
    let next_gate = next_stage(p.stage);
    let gates = d
        .criteria
        .iter()
        .map(|(g, names)| GateForm {
            code: g.code(),
            label: tr.code("stage", g.code()),
            criteria: names
                .iter()
                .enumerate()
                .map(|(index, name)| CriterionBox {
                    index,
                    name: name.clone(),
                })
                .collect(),
            open: Some(*g) == next_gate,
        })
        .collect();
    let reviews: Vec<ReviewLine> = d
        .reviews
        .iter()
        .map(|r| ReviewLine {
            id: r.id.clone(),
            gate: tr.code("stage", r.data.gate.code()),
            decision: tr.code("decision", r.data.decision.code()),
            decision_code: r.data.decision.code(),
            date: format_date(r.data.decided_on),
            criteria: r
                .data
                .criteria
                .iter()
                .map(|c| (c.name.clone(), c.met))
                .collect(),
            note: r.data.note.clone().unwrap_or_default(),
        })
        .collect();
    let review_choices = std::iter::once(Choice {
        value: String::new(),
        label: tr.t("attachment-on-project"),
        selected: true,
    })
    .chain(reviews.iter().map(|r| Choice {
        value: r.id.clone(),
        label: format!("{} {} {}", r.date, r.gate, r.decision),
        selected: false,
    }))
    .collect();
    let files = d
        .attachments
        .iter()
        .map(|a| FileLine {
            href: format!("/attachments/{}", a.id),
            name: a.filename.clone(),
            kind: tr.code("file-kind", a.kind.code()),
            size: size(a.size),
            on: if a.record_kind == "review" {
                reviews
                    .iter()
                    .find(|r| r.id == a.record_id)
                    .map(|r| format!("{} {}", r.gate, r.date))
                    .unwrap_or_default()
            } else {
                tr.t("attachment-on-project")
            },
            at: a.created_at.chars().take(10).collect(),
        })
        .collect();
    // The stage select offers the next stage first: moving forward is the usual step, and a
    // backward or stopping move is a deliberate choice (which then asks for a reason).
    let suggested = next_stage(p.stage).unwrap_or(p.stage);
    let stage_choices = ProjectStage::ORDER
        .iter()
        .chain([&ProjectStage::Stopped])
        .map(|s| Choice {
            value: s.code().into(),
            label: tr.code("stage", s.code()),
            selected: *s == suggested,
        })
        .collect();
    let role_choices = MemberRole::ALL
        .iter()
        .map(|r| Choice {
            value: r.code().into(),
            label: tr.code("member-role", r.code()),
            selected: false,
        })
        .collect();
    let route_choices = Route::ALL
        .iter()
        .map(|r| Choice {
            value: r.code().into(),
            label: tr.code("route", r.code()),
            selected: Some(*r) == d.pathway.route,
        })
        .collect();
    let org_choices = if d.may_run {
        crate::views::organisation_choices(state, &caller.sight, &[]).await?
    } else {
        Vec::new()
    };
    let schemes = d
        .schemes
        .iter()
        .map(|s| Choice {
            value: s.key.clone(),
            label: s.name.clone(),
            selected: false,
        })
        .collect();
    let scheme_checks = state
        .app
        .scheme_eligibility(p)
        .await?
        .into_iter()
        .map(|(s, checks)| {
            (
                s.name,
                checks
                    .into_iter()
                    .map(|(r, met)| (tr.code("requirement", r.code()), met))
                    .collect(),
            )
        })
        .collect();
    let page = ProjectPage {
        stage: tr.code("stage", p.stage.code()),
        track,
        class: p
            .data
            .device_class
            .map(|c| tr.code("device-class", c.code()))
            .unwrap_or_else(|| tr.t("project-class-unknown")),
        route: d
            .pathway
            .route
            .map(|r| tr.code("route", r.code()))
            .unwrap_or_default(),
        lead: lead_name(p),
        members: member_lines(tr, p, today),
        licences: d
            .pathway
            .licences
            .iter()
            .map(|l| LicenceLine {
                who: name_of(&l.organisation_id),
                role: tr.code("member-role", l.role.code()),
                licence: tr.code("licence", l.licence.code()),
                held: l.held,
            })
            .collect(),
        qms: d.pathway.qms,
        missing,
        next_step: next_step(tr, &d),
        gates,
        grants: d.grants.iter().map(|g| grant_line(tr, g)).collect(),
        schemes,
        scheme_checks,
        clearances: p
            .clearances
            .iter()
            .map(|c| {
                (
                    tr.code("route", c.route.code()),
                    c.number.clone(),
                    c.cleared_on.clone(),
                )
            })
            .collect(),
        files,
        review_choices,
        history: move_lines(tr, d.history.clone()),
        timeline: project_timeline(tr, &d, today),
        may_run: d.may_run,
        may_attach: d.may_attach,
        stage_choices,
        role_choices,
        route_choices,
        org_choices,
        today: format_date(today),
        error,
        nomenclature: d.device_name.as_ref().map(|n| {
            (
                n.code.clone(),
                tr.code("device-class", n.class.code()),
                n.certification_standard,
            )
        }),
        origin: d.origin.clone(),
        class_differs: d
            .device_name
            .as_ref()
            .is_some_and(|n| p.data.device_class.is_some_and(|c| c != n.class)),
        reviews,
        p: d.project.clone(),
        ctx,
    };
    let mut r = render(&page);
    if page.error.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    project_page(&state, &caller, &id, q.flash.as_deref(), None).await
}

/// After a step on the project page: back to the page (at the part changed), or the page
/// again with the refusal's messages.
async fn done<T>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    result: Result<T, noguchi_app::Error>,
    anchor: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/projects/{id}?flash=org-updated#{anchor}")).into_response())
        }
        Err(noguchi_app::Error::Invalid(i)) => {
            let message = messages(Tr(caller.lang), &i);
            project_page(state, caller, id, None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let r = state
        .app
        .add_project_member(
            &caller.sight,
            &id,
            form.get("organisation_id").as_deref(),
            form.get("role").as_deref(),
        )
        .await;
    done(&state, &caller, &id, r, "consortium").await
}

pub async fn move_stage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let r = state
        .app
        .move_project(
            &caller.sight,
            &id,
            form.get("stage").as_deref(),
            form.get("note").as_deref(),
            form.get("date").as_deref(),
        )
        .await;
    done(&state, &caller, &id, r, "stage").await
}

pub async fn add_review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    // The criteria come back by position: names in `criterion`, the met ones in `met`.
    let names = form.all("criterion");
    let met = form.all("met");
    let input = ReviewInput {
        gate: form.get("gate"),
        criteria: names
            .into_iter()
            .enumerate()
            .map(|(i, n)| (n, met.contains(&i.to_string()), None))
            .collect(),
        decision: form.get("decision"),
        date: form.get("date"),
        note: form.get("note"),
    };
    let r = state
        .app
        .review_gate(&caller.sight, &id, input.into())
        .await;
    done(&state, &caller, &id, r, "reviews").await
}

/// Amount lines as typed: `2026 10000000 1000000` (fiscal year, direct, indirect), one per
/// line, separated by spaces, commas or tabs; figures may carry thousands separators.
fn read_amounts(
    text: &str,
    unreadable: &mut Invalid,
) -> Vec<(Option<String>, Option<i64>, Option<i64>)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let folded = noguchi_domain::text::fold_width(line);
        let parts: Vec<&str> = folded
            .split(|c: char| c.is_whitespace() || c == '\t' || c == '、' || c == '/')
            .filter(|p| !p.is_empty())
            .collect();
        let num = |s: Option<&&str>, field: &str, unreadable: &mut Invalid| -> Option<i64> {
            let s = s?.replace([',', '円'], "");
            match s.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    unreadable.push(
                        format!("amounts[{i}].{field}"),
                        noguchi_domain::Problem::NotANumber,
                    );
                    None
                }
            }
        };
        let direct = num(parts.get(1), "direct", unreadable);
        let indirect = num(parts.get(2), "indirect", unreadable);
        out.push((parts.first().map(|s| (*s).to_owned()), direct, indirect));
    }
    out
}

pub async fn add_grant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let mut unreadable = Invalid::default();
    let rate = form
        .get("subsidy_rate")
        .map(|r| {
            noguchi_domain::text::fold_width(r.trim())
                .trim_end_matches('%')
                .to_owned()
        })
        .filter(|r| !r.is_empty())
        .and_then(|r| match r.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                unreadable.push("subsidy_rate", noguchi_domain::Problem::NotANumber);
                None
            }
        });
    let input = GrantInput {
        scheme: form.get("scheme"),
        status: form.get("status"),
        number: form.get("number"),
        applied_on: form.get("applied_on"),
        period_start: form.get("period_start"),
        period_end: form.get("period_end"),
        subsidy_rate: rate,
        amounts: read_amounts(&form.get("amounts").unwrap_or_default(), &mut unreadable),
        note: form.get("note"),
    };
    let submitted = noguchi_app::Submitted {
        input,
        unreadable: unreadable.scoped("grant"),
    };
    let r = state.app.add_grant(&caller.sight, &id, submitted).await;
    done(&state, &caller, &id, r, "grants").await
}

pub async fn mark_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(grant_id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let (p, _) = state.app.grant_project(&caller.sight, &grant_id).await?;
    let seq = form.get("seq").and_then(|s| s.trim().parse::<i64>().ok());
    let r = state
        .app
        .mark_report(
            &caller.sight,
            &grant_id,
            form.get("kind").as_deref(),
            seq,
            form.get("done").as_deref() != Some("0"),
            form.get("date").as_deref(),
        )
        .await;
    done(&state, &caller, &p.id, r, "grants").await
}

pub async fn add_clearance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let r = state
        .app
        .add_clearance(
            &caller.sight,
            &id,
            form.get("route").as_deref(),
            form.get("number").as_deref(),
            form.get("date").as_deref(),
        )
        .await;
    done(&state, &caller, &id, r, "pathway").await
}

pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    let r = match crate::upload::read_attachment(req, &state).await {
        Ok((name, bytes, review)) => {
            let record = match &review {
                Some(r) => ("review", r.as_str()),
                None => ("project", id.as_str()),
            };
            state
                .app
                .attach_to_project(&caller.sight, &id, record, &name, &bytes)
                .await
        }
        Err(AppError::Invalid(i)) => Err(noguchi_app::Error::Invalid(i)),
        Err(e) => return Err(e),
    };
    done(&state, &caller, &id, r, "documents").await
}

pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (a, bytes) = state.app.attachment(&caller.sight, &id).await?;
    crate::download::file_response(&a, bytes)
}

#[derive(Template)]
#[template(path = "project_summary.html")]
struct SummaryPage {
    ctx: Ctx,
    p: Project,
    programme: Programme,
    stage: String,
    class: String,
    route: String,
    lead: String,
    members: Vec<MemberLine>,
    grants: Vec<GrantLine>,
    clearances: Vec<(String, String, String)>,
    history: Vec<MoveLine>,
    missing: Vec<String>,
    today: String,
}

/// One page for a grant application or a council: the project, its consortium and licences,
/// its path so far and its grants; printed from the browser.
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let d = state.app.project_dossier(&caller.sight, &id).await?;
    let programme = state.app.programme(&d.project.programme_id).await?;
    let ctx = Ctx::new(&caller, &format!("/projects/{id}/summary"));
    let tr = ctx.tr;
    let p = &d.project;
    let missing = missing(tr, &d);
    Ok(render(&SummaryPage {
        stage: tr.code("stage", p.stage.code()),
        class: p
            .data
            .device_class
            .map(|c| tr.code("device-class", c.code()))
            .unwrap_or_else(|| tr.t("project-class-unknown")),
        route: d
            .pathway
            .route
            .map(|r| tr.code("route", r.code()))
            .unwrap_or_default(),
        lead: lead_name(p),
        members: member_lines(tr, p, state.app.today()),
        grants: d.grants.iter().map(|g| grant_line(tr, g)).collect(),
        clearances: p
            .clearances
            .iter()
            .map(|c| {
                (
                    tr.code("route", c.route.code()),
                    c.number.clone(),
                    c.cleared_on.clone(),
                )
            })
            .collect(),
        history: move_lines(tr, d.history.clone()),
        missing,
        today: format_date(state.app.today()),
        p: d.project.clone(),
        programme,
        ctx,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_staff_type_them() {
        let mut bad = Invalid::default();
        let a = read_amounts(
            "2026 10,000,000 1,000,000\n\n令和9年度、５００００００円\n2028 x",
            &mut bad,
        );
        assert_eq!(
            a[0],
            (Some("2026".into()), Some(10_000_000), Some(1_000_000))
        );
        assert_eq!(a[1], (Some("令和9年度".into()), Some(5_000_000), None));
        assert_eq!(a.len(), 3);
        assert_eq!(bad.0.len(), 1);
        assert_eq!(bad.0[0].field, "amounts[2].direct");
        assert_eq!(yen(12_345_678), "12,345,678");
        assert_eq!(yen(0), "0");
    }
}
