//! Checking the rows of a sheet people send (outcomes, deals, entry cases, needs): each row on
//! its own, reported with its row number, so a dry run shows what an import would do before
//! anything is written. Headers may be Japanese or English, in any order.

use super::read::read_table_bounded;
use crate::{App, Error, Result};
use noguchi_domain::ledger::{OutcomeData, OutcomeInput};
use noguchi_domain::pipeline::{
    DealData, DealInput, DealStage, EntryCaseData, EntryCaseInput, EntryStage, Stages,
};
use noguchi_domain::validation::combine;
use noguchi_domain::{Invalid, Problem};

/// An organisation a row names, as found in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// The column of `field` in `header`, by any of its spellings in `columns`.
fn column(header: &[String], columns: &[(&str, &[&str])], field: &str) -> Option<usize> {
    let names = columns
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, n)| *n)
        .unwrap_or(&[]);
    header.iter().position(|h| {
        let h = noguchi_domain::text::fold_width(h.trim()).to_lowercase();
        names.iter().any(|n| h == n.to_lowercase())
    })
}

fn cell(row: &[String], i: Option<usize>) -> Option<String> {
    i.and_then(|i| row.get(i))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Finds the organisation a sheet names by id, 法人番号 or exact name.
async fn organisation(app: &App, key: Option<&str>, errs: &mut Invalid) -> Result<Option<Named>> {
    let Some(key) = key else { return Ok(None) };
    match app.store.find_organisation(key).await {
        Ok(o) => Ok(Some(Named {
            id: o.id,
            name: o.data.name,
        })),
        Err(noguchi_storage::StoreError::NotFound) => {
            errs.push("organisation_id", Problem::UnknownReference);
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

fn whole_number(raw: Option<String>, field: &str, errs: &mut Invalid) -> Option<i64> {
    let raw = raw?;
    match noguchi_domain::text::fold_width(&raw)
        .replace([',', '名', '人'], "")
        .parse::<i64>()
    {
        Ok(v) => Some(v),
        Err(_) => {
            errs.push(field, Problem::NotANumber);
            None
        }
    }
}

/// The spellings of the column that names a row's organisation (by id, 法人番号 or name).
const ORGANISATION: (&str, &[&str]) = (
    "organisation",
    &[
        "organisation",
        "organization",
        "organisation_id",
        "団体",
        "企業",
        "企業名",
        "団体名",
        "法人番号",
    ],
);

/// A row of a sheet as a pipeline reads it: the column spellings, how stages are written, and
/// the kind's input from the row's cells.
trait PipelineSheet {
    type Stage: Stages;
    type Data: Clone;
    const COLUMNS: &'static [(&'static str, &'static [&'static str])];
    /// A stage as people write it in a sheet (Japanese labels or codes).
    fn stage(label: &str) -> Result<Self::Stage, Problem>;
    fn data(
        cell: &dyn Fn(&str) -> Option<String>,
        organisation_id: Option<String>,
        extra: &mut Invalid,
    ) -> Result<Self::Data, Invalid>;
}

struct DealSheet;

impl PipelineSheet for DealSheet {
    type Stage = DealStage;
    type Data = DealData;
    const COLUMNS: &'static [(&'static str, &'static [&'static str])] = &[
        ("kind", &["kind", "区分", "種別"]),
        ORGANISATION,
        ("code_name", &["code_name", "コードネーム", "案件名"]),
        ("stage", &["stage", "段階", "ステージ"]),
        ("stage_date", &["stage_date", "date", "段階の日付", "日付"]),
        ("planned_jobs", &["planned_jobs", "計画雇用数", "計画雇用"]),
        ("actual_jobs", &["actual_jobs", "実績雇用数", "実績雇用"]),
        ("candidate_site", &["candidate_site", "候補地"]),
        ("lead_source", &["lead_source", "端緒", "案件の端緒"]),
        ("next_action", &["next_action", "次のアクション"]),
        (
            "next_action_due",
            &["next_action_due", "期限", "次のアクションの期限"],
        ),
    ];

    fn stage(label: &str) -> Result<DealStage, Problem> {
        let folded = noguchi_domain::text::fold_width(label.trim());
        let code = match folded.as_str() {
            "候補" => "candidate",
            "接触" => "contacted",
            "訪問・視察" | "訪問" | "視察" => "visited",
            "提案" => "proposed",
            "交渉" => "negotiating",
            "立地決定" => "decided",
            "操業開始" | "操業" => "operating",
            "見送り" => "lost",
            other => other,
        };
        DealStage::parse(code)
    }

    fn data(
        cell: &dyn Fn(&str) -> Option<String>,
        organisation_id: Option<String>,
        extra: &mut Invalid,
    ) -> Result<DealData, Invalid> {
        let kind = match cell("kind").map(|k| noguchi_domain::text::fold_width(k.trim())) {
            None => "attraction".to_owned(),
            Some(k) => match k.as_str() {
                "企業誘致" | "誘致" | "新規立地" => "attraction".into(),
                "事業拡張" | "増設" | "事業拡張・増設" | "拡張" => {
                    "expansion".into()
                }
                _ => k,
            },
        };
        let input = DealInput {
            kind: Some(kind),
            organisation_id,
            code_name: cell("code_name"),
            lead_source: cell("lead_source"),
            planned_jobs: whole_number(cell("planned_jobs"), "planned_jobs", extra),
            actual_jobs: whole_number(cell("actual_jobs"), "actual_jobs", extra),
            candidate_site: cell("candidate_site"),
            next_action: cell("next_action"),
            next_action_due: cell("next_action_due"),
            ..DealInput::default()
        };
        DealData::parse(&input)
    }
}

struct CaseSheet;

impl PipelineSheet for CaseSheet {
    type Stage = EntryStage;
    type Data = EntryCaseData;
    const COLUMNS: &'static [(&'static str, &'static [&'static str])] = &[
        ORGANISATION,
        ("title", &["title", "案件名"]),
        ("stage", &["stage", "段階", "ステージ"]),
        ("stage_date", &["stage_date", "date", "段階の日付", "日付"]),
        ("jobs", &["jobs", "雇用数", "雇用"]),
        ("next_action", &["next_action", "次のアクション"]),
        (
            "next_action_due",
            &["next_action_due", "期限", "次のアクションの期限"],
        ),
    ];

    fn stage(label: &str) -> Result<EntryStage, Problem> {
        let folded = noguchi_domain::text::fold_width(label.trim());
        let code = match folded.as_str() {
            "関心" => "interest",
            "情報収集" => "learning",
            "マッチング" => "matched",
            "試作" => "prototype",
            "許認可取得" | "許認可" => "licensed",
            "事業化" => "commercialised",
            "中止" => "stopped",
            other => other,
        };
        EntryStage::parse(code)
    }

    fn data(
        cell: &dyn Fn(&str) -> Option<String>,
        organisation_id: Option<String>,
        extra: &mut Invalid,
    ) -> Result<EntryCaseData, Invalid> {
        let input = EntryCaseInput {
            organisation_id,
            title: cell("title"),
            jobs: whole_number(cell("jobs"), "jobs", extra),
            next_action: cell("next_action"),
            next_action_due: cell("next_action_due"),
            ..EntryCaseInput::default()
        };
        EntryCaseData::parse(&input)
    }
}

/// A checked row of a pipeline sheet: the record, the stage to move it to and the stage date.
pub struct Checked<D, S> {
    pub row: usize,
    pub organisation: Option<Named>,
    pub data: Result<(D, S, time::Date), Invalid>,
}

pub type CheckedDeal = Checked<DealData, DealStage>;
pub type CheckedCase = Checked<EntryCaseData, EntryStage>;

/// Checks every row of a pipeline sheet: the organisation found in the directory, the stage
/// (Japanese labels too; the first stage when empty), its date (today when empty).
async fn check_pipeline<S: PipelineSheet>(
    app: &App,
    bytes: &[u8],
) -> Result<Vec<Checked<S::Data, S::Stage>>> {
    let rows = read_table_bounded(bytes.to_vec()).await?;
    let Some((header, body)) = rows.split_first() else {
        return Err(Error::field("file", Problem::Required));
    };
    let col = |f: &str| column(header, S::COLUMNS, f);
    if col("organisation").is_none() {
        return Err(Error::field("file", Problem::Required));
    }
    let today = app.store.now().date();
    let first = S::Stage::ORDER[0];
    let mut out = Vec::new();
    for (n, row) in body.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |f: &str| cell(row, col(f));
        let mut extra = Invalid::default();
        let org = organisation(app, cell("organisation").as_deref(), &mut extra).await?;
        let stage = match cell("stage") {
            None => Some(first),
            Some(s) => extra.take("stage", S::stage(&s)),
        };
        let on = extra.take(
            "stage_date",
            noguchi_domain::dates::move_date(cell("stage_date").as_deref(), today),
        );
        let parsed = S::data(&cell, org.as_ref().map(|o| o.id.clone()), &mut extra);
        let data = combine(parsed, extra).map(|d| (d, stage.unwrap_or(first), on.unwrap_or(today)));
        out.push(Checked {
            row: n + 2,
            organisation: org,
            data,
        });
    }
    Ok(out)
}

/// Checks every row of a deal sheet.
pub async fn check_deals(app: &App, bytes: &[u8]) -> Result<Vec<CheckedDeal>> {
    check_pipeline::<DealSheet>(app, bytes).await
}

/// Checks every row of an entry-case sheet.
pub async fn check_cases(app: &App, bytes: &[u8]) -> Result<Vec<CheckedCase>> {
    check_pipeline::<CaseSheet>(app, bytes).await
}

/// The fields of an outcome row and the header spellings that name them.
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "organisation",
        &[
            "organisation",
            "organization",
            "organisation_id",
            "団体",
            "企業",
            "企業名",
            "団体名",
            "事業者",
            "法人番号",
        ],
    ),
    ("kind", &["kind", "種別", "区分"]),
    ("fiscal_year", &["fiscal_year", "年度"]),
    (
        "occurred_on",
        &["occurred_on", "date", "日付", "年月日", "発生日"],
    ),
    ("jobs", &["jobs", "雇用", "雇用数", "雇用者数", "人数"]),
    ("evidence", &["evidence", "根拠", "エビデンス"]),
    (
        "evidence_ref",
        &["evidence_ref", "資料番号", "資料", "文書番号"],
    ),
    ("note", &["note", "備考", "メモ"]),
];

/// Outcome kinds as people write them in a sheet.
fn kind_code(s: &str) -> String {
    let folded = noguchi_domain::text::fold_width(s.trim());
    match folded.as_str() {
        "新規立地" | "立地" => "new_site",
        "増設" | "事業拡張" | "増設・事業拡張" | "拡張" => "expansion",
        "新規参入" | "参入" => "new_entry",
        "事業化" | "既存医療関連企業の事業化" => "commercialisation",
        other => return other.to_owned(),
    }
    .to_owned()
}

pub struct CheckedRow {
    pub row: usize,
    pub organisation: Option<Named>,
    pub data: Result<OutcomeData, Invalid>,
}

/// Checks every row of an outcome sheet; organisations are found by id, 法人番号 or exact name.
pub async fn check_outcomes(app: &App, bytes: &[u8]) -> Result<Vec<CheckedRow>> {
    let rows = read_table_bounded(bytes.to_vec()).await?;
    let Some((header, body)) = rows.split_first() else {
        return Err(Error::field("file", Problem::Required));
    };
    let index = |field: &str| {
        let names = COLUMNS
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, n)| *n)
            .unwrap_or(&[]);
        header.iter().position(|h| {
            let h = noguchi_domain::text::fold_width(h.trim()).to_lowercase();
            names.iter().any(|n| h == n.to_lowercase())
        })
    };
    let (Some(org_col), Some(kind_col), Some(jobs_col)) =
        (index("organisation"), index("kind"), index("jobs"))
    else {
        return Err(Error::field("file", Problem::Required));
    };
    let col = |row: &Vec<String>, i: Option<usize>| {
        i.and_then(|i| row.get(i))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let mut out = Vec::new();
    for (n, row) in body.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut extra = Invalid::default();
        let org_key = col(row, Some(org_col));
        let organisation = match &org_key {
            Some(key) => match app.store.find_organisation(key).await {
                Ok(o) => Some(Named {
                    id: o.id,
                    name: o.data.name,
                }),
                Err(noguchi_storage::StoreError::NotFound) => {
                    extra.push("organisation_id", Problem::UnknownReference);
                    None
                }
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let jobs = match col(row, Some(jobs_col)) {
            None => None,
            Some(j) => match noguchi_domain::text::fold_width(&j)
                .replace([',', '名', '人'], "")
                .parse::<i64>()
            {
                Ok(v) => Some(v),
                Err(_) => {
                    extra.push("jobs", Problem::NotANumber);
                    None
                }
            },
        };
        let input = OutcomeInput {
            organisation_id: organisation.as_ref().map(|o| o.id.clone()),
            kind: col(row, Some(kind_col)).map(|k| kind_code(&k)),
            fiscal_year: col(row, index("fiscal_year")),
            occurred_on: col(row, index("occurred_on")),
            jobs,
            evidence: col(row, index("evidence")),
            evidence_ref: col(row, index("evidence_ref")),
            note: col(row, index("note")),
        };
        let data = combine(OutcomeData::parse(&input), extra);
        out.push(CheckedRow {
            row: n + 2,
            organisation,
            data,
        });
    }
    Ok(out)
}

const NEED_COLUMNS: &[(&str, &[&str])] = &[
    ("title", &["title", "件名", "タイトル", "ニーズ名"]),
    (
        "problem",
        &[
            "problem",
            "課題",
            "内容",
            "ニーズ",
            "ニーズの内容",
            "困りごと",
        ],
    ),
    ("population", &["population", "対象", "対象・場面"]),
    ("outcome", &["outcome", "望む成果", "期待する成果"]),
    (
        "department",
        &["department", "診療科", "部署", "診療科・部署"],
    ),
    ("setting", &["setting", "場面", "場所"]),
    ("category", &["category", "機器分類", "分類"]),
    ("frequency", &["frequency", "頻度", "発生頻度"]),
    ("workaround", &["workaround", "現在の対処", "現状の対処"]),
    ("disclosure", &["disclosure", "公開範囲"]),
    ("status", &["status", "状態"]),
    (
        "organisation",
        &[
            "organisation",
            "organization",
            "organisation_id",
            "提出団体",
            "団体",
            "病院",
            "施設",
        ],
    ),
];

/// Disclosure levels and statuses as people write them in a sheet.
fn need_code(s: &str) -> String {
    match noguchi_domain::text::fold_width(s.trim()).as_str() {
        "一般公開" | "公開範囲:一般公開" => "public",
        "会員限定" | "会員" => "members",
        "NDA" | "nda" | "NDA締結先のみ" | "NDA限定" => "nda",
        "内部" | "内部のみ" => "internal",
        "受付" => "received",
        "精査" => "screening",
        "公開" => "published",
        "マッチング中" | "マッチング" => "matching",
        "プロジェクト化" => "project",
        "終了" => "closed",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// A checked row of a needs sheet: the need, what the guard found in it, and its organisation.
pub struct CheckedNeed {
    pub row: usize,
    pub organisation: Option<Named>,
    pub data: Result<
        (
            noguchi_domain::needs::NeedData,
            Vec<noguchi_domain::needs::Finding>,
        ),
        Invalid,
    >,
}

/// Checks every row of a needs sheet. A row may name the submitting organisation (the
/// secretariat files a hospital's needs); `may_file_for` says whose needs the importer may file.
/// Disclosure defaults to `internal`: an imported list is screened before anyone else sees it.
pub async fn check_needs(
    app: &App,
    bytes: &[u8],
    may_file_for: impl Fn(&str) -> bool,
) -> Result<Vec<CheckedNeed>> {
    use noguchi_domain::needs::{NeedData, NeedInput, screen};
    let rows = read_table_bounded(bytes.to_vec()).await?;
    let Some((header, body)) = rows.split_first() else {
        return Err(Error::field("file", Problem::Required));
    };
    let col = |f: &str| column(header, NEED_COLUMNS, f);
    if col("problem").is_none() {
        return Err(Error::field("file", Problem::Required));
    }
    let mut out = Vec::new();
    for (n, row) in body.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut extra = Invalid::default();
        let org = organisation(app, cell(row, col("organisation")).as_deref(), &mut extra).await?;
        if let Some(o) = &org
            && !may_file_for(&o.id)
        {
            extra.push("organisation_id", Problem::UnknownReference);
        }
        let problem = cell(row, col("problem"));
        let input = NeedInput {
            title: cell(row, col("title")).or_else(|| {
                problem
                    .as_deref()
                    .map(noguchi_domain::survey::title_from)
                    .filter(|t| !t.is_empty())
            }),
            problem,
            population: cell(row, col("population")),
            outcome: cell(row, col("outcome")),
            department: cell(row, col("department")),
            setting: cell(row, col("setting")),
            category: cell(row, col("category")),
            frequency: cell(row, col("frequency")),
            workaround: cell(row, col("workaround")),
            disclosure: Some(
                cell(row, col("disclosure"))
                    .map(|d| need_code(&d))
                    .unwrap_or_else(|| "internal".into()),
            ),
            status: cell(row, col("status")).map(|s| need_code(&s)),
        };
        let data = combine(NeedData::parse(&input), extra).map(|d| {
            let findings = screen(&d.texts());
            (d, findings)
        });
        out.push(CheckedNeed {
            row: n + 2,
            organisation: org,
            data,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_read_in_japanese() {
        assert_eq!(kind_code("新規立地"), "new_site");
        assert_eq!(kind_code("増設・事業拡張"), "expansion");
        assert_eq!(kind_code("事業化"), "commercialisation");
        assert_eq!(kind_code("new_entry"), "new_entry");
    }
}
