//! What the pages show of each pipeline: its card, its export columns, its form, its page.

use super::{DetailView, PageKind, choices, number, owner_field};
use crate::download::Cell;
use crate::forms::{Choice, Field, FormData};
use crate::i18n::Tr;
use crate::page::Ctx;
use crate::views::MoveLine;
use askama::Template;
use noguchi_app::Submitted;
use noguchi_app::pipelines::{Deals, EntryCases};
use noguchi_app::records::{Activity, Consultation, Deal, EntryCase};
use noguchi_domain::Invalid;
use noguchi_domain::dates::format_date;
use noguchi_domain::organisation::Organisation;
use noguchi_domain::pipeline::{ConsultationCategory, DealInput, DealKind, EntryCaseInput};

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn count(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "deal.html")]
struct DealPage {
    ctx: Ctx,
    deal: Deal,
    kind: String,
    stage: String,
    history: Vec<MoveLine>,
    activities: Vec<Activity>,
    stages: Vec<Choice>,
    activity_kinds: Vec<Choice>,
    shared: Vec<String>,
    can_manage: bool,
    error: Option<String>,
    today: String,
}

impl PageKind for Deals {
    const BASE: &'static str = "deals";
    const TITLE: &'static str = "deals-title";
    const FORM_TITLE: &'static str = "deal-new";
    const EXPORT: &'static [&'static str] = &[
        "deal-kind-col",
        "field-code_name",
        "field-organisation_id",
        "field-stage",
        "field-stage_date",
        "field-planned_jobs",
        "field-actual_jobs",
        "field-planned_investment",
        "field-actual_investment",
        "field-candidate_site",
        "field-next_action",
        "field-next_action_due",
    ];

    fn card_kind(tr: Tr, d: &Deal) -> String {
        tr.code("deal-kind", d.data.kind.code())
    }

    fn card_jobs(d: &Deal) -> Option<i64> {
        d.data.actual_jobs.or(d.data.planned_jobs)
    }

    fn export_row(tr: Tr, d: &Deal) -> Vec<Cell> {
        vec![
            Cell::Text(tr.code("deal-kind", d.data.kind.code())),
            Cell::Text(text(&d.data.code_name)),
            Cell::Text(d.organisation_name.clone()),
            Cell::Text(tr.code("stage", d.stage.code())),
            Cell::Text(format_date(d.stage_on)),
            Cell::Num(d.data.planned_jobs),
            Cell::Num(d.data.actual_jobs),
            Cell::Num(d.data.planned_investment),
            Cell::Num(d.data.actual_investment),
            Cell::Text(text(&d.data.candidate_site)),
            Cell::Text(text(&d.data.next_action)),
            Cell::Text(d.data.next_action_due.map(format_date).unwrap_or_default()),
        ]
    }

    fn fields(tr: Tr, input: &DealInput, orgs: &[Organisation], me: &str) -> Vec<Field> {
        let org = text(&input.organisation_id);
        let kind = input.kind.clone().unwrap_or_else(|| "attraction".into());
        let kinds = DealKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: tr.code("deal-kind", k.code()),
                selected: k.code() == kind,
            })
            .collect();
        vec![
            Field::new(tr, "kind", "select", kind.clone())
                .required()
                .choices(kinds),
            Field::new(tr, "organisation_id", "select", org.clone())
                .required()
                .choices(choices(orgs, std::slice::from_ref(&org))),
            Field::new(tr, "code_name", "text", text(&input.code_name))
                .help(tr.t("deal-code-name-help")),
            Field::new(tr, "lead_source", "text", text(&input.lead_source)),
            Field::new(tr, "planned_jobs", "number", count(input.planned_jobs)),
            Field::new(tr, "actual_jobs", "number", count(input.actual_jobs)),
            Field::new(
                tr,
                "planned_investment",
                "number",
                count(input.planned_investment),
            ),
            Field::new(
                tr,
                "actual_investment",
                "number",
                count(input.actual_investment),
            ),
            Field::new(tr, "candidate_site", "text", text(&input.candidate_site)),
            Field::new(tr, "incentives", "textarea", text(&input.incentives)),
            Field::new(tr, "next_action", "text", text(&input.next_action)),
            Field::new(tr, "next_action_due", "date", text(&input.next_action_due)),
            owner_field(tr, &input.owner_user_id, me),
            Field::new(tr, "shared_with", "checks", "")
                .choices(choices(orgs, &input.shared_with))
                .help(tr.t("deal-shared-help")),
        ]
    }

    fn read_form(form: &FormData) -> Submitted<DealInput> {
        let mut unreadable = Invalid::default();
        let input = DealInput {
            kind: form.get("kind"),
            organisation_id: form.get("organisation_id"),
            code_name: form.get("code_name"),
            lead_source: form.get("lead_source"),
            owner_user_id: form.get("owner_user_id"),
            planned_jobs: number(form, "planned_jobs", &mut unreadable),
            actual_jobs: number(form, "actual_jobs", &mut unreadable),
            planned_investment: number(form, "planned_investment", &mut unreadable),
            actual_investment: number(form, "actual_investment", &mut unreadable),
            candidate_site: form.get("candidate_site"),
            incentives: form.get("incentives"),
            next_action: form.get("next_action"),
            next_action_due: form.get("next_action_due"),
            shared_with: form.all("shared_with"),
        };
        Submitted { input, unreadable }
    }

    fn page(v: DetailView<Self>) -> impl Template {
        let tr = v.ctx.tr;
        DealPage {
            kind: tr.code("deal-kind", v.detail.record.data.kind.code()),
            shared: v.detail.record.member_names.clone(),
            can_manage: v.detail.may_work,
            deal: v.detail.record,
            stage: v.stage,
            history: v.history,
            activities: v.detail.activities,
            stages: v.stages,
            activity_kinds: v.activity_kinds,
            error: v.error,
            today: v.today,
            ctx: v.ctx,
        }
    }
}

#[derive(Template)]
#[template(path = "entry_case.html")]
struct CasePage {
    ctx: Ctx,
    case: EntryCase,
    stage: String,
    history: Vec<MoveLine>,
    activities: Vec<Activity>,
    consultations: Vec<Consultation>,
    stages: Vec<Choice>,
    activity_kinds: Vec<Choice>,
    categories: Vec<Choice>,
    supporters: Vec<String>,
    can_work: bool,
    error: Option<String>,
    today: String,
}

impl PageKind for EntryCases {
    const BASE: &'static str = "entry-cases";
    const TITLE: &'static str = "cases-title";
    const FORM_TITLE: &'static str = "case-new";
    const EXPORT: &'static [&'static str] = &[
        "case-title-label",
        "field-organisation_id",
        "field-stage",
        "field-stage_date",
        "field-jobs",
        "field-next_action",
        "field-next_action_due",
    ];

    fn card_kind(tr: Tr, c: &EntryCase) -> String {
        tr.code("field-status", c.field_status.code())
    }

    fn card_jobs(c: &EntryCase) -> Option<i64> {
        c.data.jobs
    }

    fn export_row(tr: Tr, c: &EntryCase) -> Vec<Cell> {
        vec![
            Cell::Text(text(&c.data.title)),
            Cell::Text(c.organisation_name.clone()),
            Cell::Text(tr.code("stage", c.stage.code())),
            Cell::Text(format_date(c.stage_on)),
            Cell::Num(c.data.jobs),
            Cell::Text(text(&c.data.next_action)),
            Cell::Text(c.data.next_action_due.map(format_date).unwrap_or_default()),
        ]
    }

    fn fields(tr: Tr, input: &EntryCaseInput, orgs: &[Organisation], me: &str) -> Vec<Field> {
        let org = text(&input.organisation_id);
        vec![
            Field::new(tr, "organisation_id", "select", org.clone())
                .required()
                .choices(choices(orgs, std::slice::from_ref(&org))),
            Field::new(tr, "title", "text", text(&input.title)).labelled(tr.t("case-title-label")),
            Field::new(tr, "jobs", "number", count(input.jobs)),
            Field::new(tr, "next_action", "text", text(&input.next_action)),
            Field::new(tr, "next_action_due", "date", text(&input.next_action_due)),
            owner_field(tr, &input.owner_user_id, me),
            Field::new(tr, "supporters", "checks", "").choices(choices(orgs, &input.supporters)),
        ]
    }

    fn read_form(form: &FormData) -> Submitted<EntryCaseInput> {
        let mut unreadable = Invalid::default();
        let input = EntryCaseInput {
            organisation_id: form.get("organisation_id"),
            title: form.get("title"),
            owner_user_id: form.get("owner_user_id"),
            jobs: number(form, "jobs", &mut unreadable),
            next_action: form.get("next_action"),
            next_action_due: form.get("next_action_due"),
            supporters: form.all("supporters"),
        };
        Submitted { input, unreadable }
    }

    fn page(v: DetailView<Self>) -> impl Template {
        let tr = v.ctx.tr;
        CasePage {
            categories: ConsultationCategory::ALL
                .iter()
                .map(|c| Choice {
                    value: c.code().into(),
                    label: tr.code("consultation", c.code()),
                    selected: false,
                })
                .collect(),
            supporters: v.detail.record.member_names.clone(),
            can_work: v.detail.may_work,
            case: v.detail.record,
            stage: v.stage,
            history: v.history,
            activities: v.detail.activities,
            consultations: v.detail.consultations,
            stages: v.stages,
            activity_kinds: v.activity_kinds,
            error: v.error,
            today: v.today,
            ctx: v.ctx,
        }
    }
}
