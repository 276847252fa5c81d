//! Organisation pages: list with search and filters, detail, form, delete.

use crate::AppState;
use crate::auth::{Caller, url_escape};
use crate::error::AppError;
use crate::forms::{Choice, Field, FormData};
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::Submitted;
use noguchi_app::directory::FilterInput;
use noguchi_domain::access;
use noguchi_domain::dates::format_date;
use noguchi_domain::organisation::{
    FieldStatus, Licence, Organisation, OrganisationInput, OrganisationKind, split_tags,
};
use noguchi_domain::person::Person;
use noguchi_domain::{Invalid, Problem};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "org_list.html")]
struct ListPage {
    ctx: Ctx,
    items: Vec<Organisation>,
    q: String,
    region: String,
    capability: String,
    kinds: Vec<Choice>,
    next: Option<String>,
    can_create: bool,
}

impl ListPage {
    fn kind_label(&self, o: &Organisation) -> String {
        self.ctx.tr.code("kind", o.data.kind.code())
    }
    fn status_label(&self, o: &Organisation) -> String {
        self.ctx.tr.code("field-status", o.data.field_status.code())
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    q: Option<String>,
    kind: Option<String>,
    region: Option<String>,
    capability: Option<String>,
    cursor: Option<String>,
    flash: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&caller, "/organisations").with_flash(q.flash.as_deref());
    let in_region = match q.region.as_deref() {
        Some("in") => Some(true),
        Some("out") => Some(false),
        _ => None,
    };
    let filter = FilterInput {
        q: q.q.clone(),
        kind: q.kind.clone(),
        in_region,
        capability: q.capability.clone(),
        field_status: None,
    }
    .parse()?;
    let page = state
        .app
        .organisations(&caller.sight, &filter, q.cursor.as_deref(), 50)
        .await?;
    let base = format!(
        "/organisations?q={}&kind={}&region={}&capability={}",
        url_escape(q.q.as_deref().unwrap_or_default()),
        url_escape(q.kind.as_deref().unwrap_or_default()),
        url_escape(q.region.as_deref().unwrap_or_default()),
        url_escape(q.capability.as_deref().unwrap_or_default()),
    );
    let kind = q.kind.unwrap_or_default();
    let page = ListPage {
        kinds: kind_choices(ctx.tr, &kind),
        can_create: ctx.is_secretariat(),
        ctx,
        items: page.items,
        q: q.q.unwrap_or_default(),
        region: q.region.unwrap_or_default(),
        capability: q.capability.unwrap_or_default(),
        next: page
            .next_cursor
            .map(|c| format!("{base}&cursor={}", url_escape(&c))),
    };
    Ok(render(&page))
}

fn kind_choices(tr: Tr, selected: &str) -> Vec<Choice> {
    OrganisationKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.code().into(),
            label: tr.code("kind", k.code()),
            selected: k.code() == selected,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "org_show.html")]
struct ShowPage {
    ctx: Ctx,
    org: Organisation,
    people: Vec<Person>,
    can_edit: bool,
    can_delete: bool,
}

impl ShowPage {
    fn kind_label(&self) -> String {
        self.ctx.tr.code("kind", self.org.data.kind.code())
    }
    fn status_label(&self) -> String {
        self.ctx
            .tr
            .code("field-status", self.org.data.field_status.code())
    }
    fn licence_labels(&self) -> Vec<String> {
        self.org
            .data
            .licences
            .iter()
            .map(|l| {
                let name = self.ctx.tr.code("licence", l.code());
                // With its number and expiry where recorded.
                match self
                    .org
                    .data
                    .licence_records
                    .iter()
                    .find(|r| r.licence == *l)
                {
                    Some(r) => {
                        let detail: Vec<String> = [
                            r.number.clone(),
                            r.expires_on
                                .map(|e| format!("〜{}", noguchi_domain::dates::format_date(e))),
                        ]
                        .into_iter()
                        .flatten()
                        .collect();
                        if detail.is_empty() {
                            name
                        } else {
                            format!("{name}（{}）", detail.join(" "))
                        }
                    }
                    None => name,
                }
            })
            .collect()
    }
    fn memberships(&self) -> Vec<(String, String)> {
        self.org
            .data
            .memberships
            .iter()
            .map(|m| {
                (
                    m.body.clone(),
                    m.joined_on.map(format_date).unwrap_or_default(),
                )
            })
            .collect()
    }
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let org = state.app.organisation(&caller.sight, &id).await?;
    let people = state
        .app
        .people(&caller.sight, None, Some(&id), None, 200)
        .await?
        .items;
    let page = ShowPage {
        ctx: Ctx::new(&caller, &format!("/organisations/{id}")).with_flash(q.flash.as_deref()),
        can_edit: access::edit_organisation(p, &id).is_ok(),
        can_delete: access::delete_organisation(p).is_ok(),
        org,
        people,
    };
    Ok(render(&page))
}

/// The form's fields, filled from `input`, with validation messages when given.
fn fields(tr: Tr, input: &OrganisationInput, employees_raw: &str) -> Vec<Field> {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let memberships = input
        .memberships
        .iter()
        .map(|(b, d)| match d.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => format!("{b}, {d}"),
            None => b.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let kind = s(&input.kind);
    let status = input.field_status.clone().unwrap_or_else(|| "none".into());
    vec![
        Field::new(tr, "kind", "select", kind.clone())
            .required()
            .choices(kind_choices(tr, &kind)),
        Field::new(tr, "name", "text", s(&input.name)).required(),
        Field::new(tr, "name_kana", "text", s(&input.name_kana)),
        Field::new(tr, "name_en", "text", s(&input.name_en)),
        Field::new(tr, "corporate_number", "text", s(&input.corporate_number)),
        Field::new(tr, "postal_code", "text", s(&input.postal_code)).autocomplete("postal-code"),
        Field::new(tr, "address", "text", s(&input.address)),
        Field::new(tr, "municipality", "text", s(&input.municipality)),
        Field::new(tr, "in_region", "checkbox", "").checked(input.in_region.unwrap_or(false)),
        Field::new(tr, "industry", "text", s(&input.industry)),
        Field::new(tr, "employees", "number", employees_raw),
        Field::new(tr, "website", "url", s(&input.website)),
        Field::new(tr, "field_status", "select", status.clone()).choices(
            FieldStatus::ALL
                .iter()
                .map(|f| Choice {
                    value: f.code().into(),
                    label: tr.code("field-status", f.code()),
                    selected: f.code() == status,
                })
                .collect(),
        ),
        Field::new(tr, "capabilities", "text", input.capabilities.join("、"))
            .help(tr.t("org-tags-help")),
        Field::new(
            tr,
            "certifications",
            "text",
            input.certifications.join("、"),
        )
        .help(tr.t("org-tags-help")),
        Field::new(tr, "licences", "checks", "").choices(
            Licence::ALL
                .iter()
                .map(|l| Choice {
                    value: l.code().into(),
                    label: tr.code("licence", l.code()),
                    selected: input.licences.iter().any(|x| x == l.code()),
                })
                .collect(),
        ),
        Field::new(tr, "licence_records", "textarea", licence_lines(tr, input))
            .help(tr.t("org-licence-records-help")),
        Field::new(tr, "memberships", "textarea", memberships).help(tr.t("org-membership-add")),
        Field::new(tr, "notes", "textarea", s(&input.notes)),
    ]
}

/// The licence records as the form writes them: one per line, "licence name, number, expiry".
fn licence_lines(tr: Tr, input: &OrganisationInput) -> String {
    input
        .licence_records
        .iter()
        .map(|(l, n, e)| {
            [Some(tr.code("licence", l)), n.clone(), e.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads "licence, number, expiry" lines; the licence may be written as its name (in either
/// language) or its code, and the last item is the expiry when it reads as a date.
fn read_licence_lines(text: &str) -> Vec<(String, Option<String>, Option<String>)> {
    use crate::i18n::Lang;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let parts: Vec<String> = line
                .split([',', '、', '，'])
                .map(|p| p.trim().to_owned())
                .collect();
            let name = parts.first().cloned().unwrap_or_default();
            let code = Licence::ALL
                .iter()
                .find(|l| {
                    name == l.code()
                        || [Tr(Lang::Ja), Tr(Lang::En)]
                            .iter()
                            .any(|t| t.code("licence", l.code()) == name)
                })
                .map(|l| l.code().to_owned())
                .unwrap_or(name);
            let mut rest: Vec<String> = parts
                .into_iter()
                .skip(1)
                .filter(|p| !p.is_empty())
                .collect();
            let expiry = match rest.last() {
                Some(d) if noguchi_domain::dates::parse_date(d).is_ok() => rest.pop(),
                _ => None,
            };
            (code, rest.first().cloned(), expiry)
        })
        .collect()
}

/// Reads the submitted form into domain input; a non-numeric employee count is reported here
/// since the domain receives it as a number.
fn read_form(form: &FormData) -> (OrganisationInput, String, Invalid) {
    let mut errs = Invalid::default();
    let employees_raw = form.get("employees").unwrap_or_default();
    let employees = match employees_raw.trim() {
        "" => None,
        v => match noguchi_domain::text::fold_width(v)
            .replace(',', "")
            .parse::<i64>()
        {
            Ok(n) => Some(n),
            Err(_) => {
                errs.push("employees", Problem::NotANumber);
                None
            }
        },
    };
    let memberships = form
        .get("memberships")
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.rsplit_once([',', '、', '，']) {
            Some((body, date))
                if noguchi_domain::dates::parse_date(date).is_ok()
                    || date.trim().chars().any(|c| c.is_ascii_digit()) =>
            {
                (body.trim().to_owned(), Some(date.trim().to_owned()))
            }
            _ => (l.to_owned(), None),
        })
        .collect();
    let input = OrganisationInput {
        kind: form.get("kind"),
        name: form.get("name"),
        name_kana: form.get("name_kana"),
        name_en: form.get("name_en"),
        corporate_number: form.get("corporate_number"),
        postal_code: form.get("postal_code"),
        address: form.get("address"),
        municipality: form.get("municipality"),
        in_region: Some(form.checked("in_region")),
        industry: form.get("industry"),
        employees,
        website: form.get("website"),
        capabilities: split_tags(&form.get("capabilities").unwrap_or_default()),
        certifications: split_tags(&form.get("certifications").unwrap_or_default()),
        licences: form.all("licences"),
        licence_records: read_licence_lines(&form.get("licence_records").unwrap_or_default()),
        memberships,
        field_status: form.get("field_status"),
        notes: form.get("notes"),
    };
    (input, employees_raw, errs)
}

fn form_page(
    caller: &Caller,
    title_key: &str,
    action: String,
    cancel: String,
    fields: Vec<Field>,
    invalid: Option<&Invalid>,
) -> Response {
    let ctx = Ctx::new(caller, &action);
    let title = ctx.t(title_key);
    crate::pages::render_form(ctx, title, action, cancel, fields, invalid)
}

pub async fn new_form(caller: Caller) -> Result<Response, AppError> {
    access::create_organisation(caller.principal()?)?;
    let input = OrganisationInput {
        kind: Some("company".into()),
        ..Default::default()
    };
    let f = fields(crate::i18n::Tr(caller.lang), &input, "");
    Ok(form_page(
        &caller,
        "org-new",
        "/organisations".into(),
        "/organisations".into(),
        f,
        None,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    form: FormData,
) -> Result<Response, AppError> {
    let (input, employees_raw, errs) = read_form(&form);
    let tr = crate::i18n::Tr(caller.lang);
    let result = state
        .app
        .create_organisation(
            &caller.sight,
            Submitted {
                input: input.clone(),
                unreadable: errs,
            },
        )
        .await
        .map_err(AppError::from);
    match result {
        Ok(org) => Ok(
            Redirect::to(&format!("/organisations/{}?flash=org-created", org.id)).into_response(),
        ),
        Err(AppError::Invalid(i)) => Ok(form_page(
            &caller,
            "org-new",
            "/organisations".into(),
            "/organisations".into(),
            fields(tr, &input, &employees_raw),
            Some(&i),
        )),
        Err(e) => Err(e),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    access::edit_organisation(caller.principal()?, &id)?;
    let org = state.app.organisation(&caller.sight, &id).await?;
    let input = org.data.to_input();
    let employees = input.employees.map(|n| n.to_string()).unwrap_or_default();
    let f = fields(crate::i18n::Tr(caller.lang), &input, &employees);
    Ok(form_page(
        &caller,
        "org-edit",
        format!("/organisations/{id}"),
        format!("/organisations/{id}"),
        f,
        None,
    ))
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let (input, employees_raw, errs) = read_form(&form);
    let tr = crate::i18n::Tr(caller.lang);
    let result = state
        .app
        .update_organisation(
            &caller.sight,
            &id,
            Submitted {
                input: input.clone(),
                unreadable: errs,
            },
        )
        .await
        .map_err(AppError::from);
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/organisations/{id}?flash=org-updated")).into_response())
        }
        Err(AppError::Invalid(i)) => Ok(form_page(
            &caller,
            "org-edit",
            format!("/organisations/{id}"),
            format!("/organisations/{id}"),
            fields(tr, &input, &employees_raw),
            Some(&i),
        )),
        Err(e) => Err(e),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state.app.delete_organisation(&caller.sight, &id).await?;
    Ok(Redirect::to("/organisations?flash=org-deleted").into_response())
}
