//! Pipeline pages, one set for deals (attraction, expansion) and entry cases: the board (a
//! column per stage; moving a card is a form post) and the list, a record's page with its
//! history, activities and consultations, the forms, exports and imports, and the personal
//! "my work" page.
//!
//! Every handler is generic over the pipeline (`board::<Deals>`, `board::<EntryCases>`); what
//! a page shows of one kind (its card, form fields, export columns, detail template) is said
//! in `kinds.rs`.

mod board;
mod detail;
mod forms;
mod import;
mod kinds;

pub use board::{board, export, my_work};
pub use detail::{add_activity, add_consultation, detail, move_to};
pub use forms::{create, edit_form, new_form, update};
pub use import::{import, import_form};

use crate::download::Cell;
use crate::forms::{Choice, Field, FormData};
use crate::i18n::Tr;
use crate::views::MoveLine;
use askama::Template;
use noguchi_app::Submitted;
use noguchi_app::pipelines::{Detail, Kind};
use noguchi_app::records::Record;
use noguchi_domain::organisation::Organisation;
use noguchi_domain::pipeline::Stages;

/// A pipeline as the pages show it.
pub(crate) trait PageKind: Kind {
    /// The path segment of its pages: `/programmes/{id}/{BASE}`, `/{BASE}/{id}`.
    const BASE: &'static str;
    /// Message keys: the board's title, the form's title.
    const TITLE: &'static str;
    const FORM_TITLE: &'static str;

    /// What a card says the record is (a deal's kind, a firm's standing).
    fn card_kind(tr: Tr, r: &Record<Self>) -> String;
    /// The jobs a card shows.
    fn card_jobs(r: &Record<Self>) -> Option<i64>;
    /// The columns of an export (message keys) and one record's row.
    const EXPORT: &'static [&'static str];
    fn export_row(tr: Tr, r: &Record<Self>) -> Vec<Cell>;
    /// The form's fields, and the form as submitted.
    fn fields(tr: Tr, input: &Self::Input, organisations: &[Organisation], me: &str) -> Vec<Field>;
    fn read_form(form: &FormData) -> Submitted<Self::Input>;
    /// The record's page.
    fn page(view: DetailView<Self>) -> impl Template;
}

/// What a record's page shows, whatever its kind.
pub(crate) struct DetailView<K: Kind> {
    pub ctx: crate::page::Ctx,
    pub detail: Detail<K>,
    pub stage: String,
    pub history: Vec<MoveLine>,
    pub stages: Vec<Choice>,
    pub activity_kinds: Vec<Choice>,
    pub error: Option<String>,
    pub today: String,
}

fn stage_choice<S: Stages>(tr: Tr, s: S, selected: bool) -> Choice {
    Choice {
        value: s.code().into(),
        label: tr.code("stage", s.code()),
        selected,
    }
}

/// A number typed in a form (full-width digits and thousands separators allowed), or the
/// field's error.
fn number(form: &FormData, field: &str, unreadable: &mut noguchi_domain::Invalid) -> Option<i64> {
    let raw = noguchi_domain::text::fold_width(form.get(field).unwrap_or_default().trim())
        .replace(',', "");
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            unreadable.push(field, noguchi_domain::Problem::NotANumber);
            None
        }
    }
}

/// Organisations as the choices of a field, those in `selected` selected.
fn choices(organisations: &[Organisation], selected: &[String]) -> Vec<Choice> {
    organisations
        .iter()
        .map(|o| Choice {
            selected: selected.contains(&o.id),
            value: o.id.clone(),
            label: o.data.name.clone(),
        })
        .collect()
}

/// The owner of a record: the one filling in the form.
fn owner_field(tr: Tr, owner: &Option<String>, me: &str) -> Field {
    Field::new(
        tr,
        "owner_user_id",
        "select",
        owner.clone().unwrap_or(me.to_owned()),
    )
    .choices(vec![Choice {
        value: me.to_owned(),
        label: tr.t("deal-owner-me"),
        selected: true,
    }])
}
