//! The pipelines (deals, entry cases) as one code path: records, stage moves with their
//! history, and the KPI outcome each keeps in step (see `noguchi_domain::pipeline::sync`).
//!
//! What differs between the two is said once per kind in `kinds.rs` (its table, columns, the
//! table of the organisations that share or support it, its audit record); everything here is
//! written once over [`Stored`].

mod kinds;
mod ledger;
mod notes;

pub use notes::{Activity, Consultation, NextAction, StageMove};
pub(crate) use notes::{history, insert_move};

use crate::audit::Change;
use crate::sql::get;
use crate::write::Write;
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Granted, RecordFilter, Sight};
use noguchi_domain::dates::{format_date, parse_date};
use noguchi_domain::ledger::OutcomeStatus;
use noguchi_domain::organisation::FieldStatus;
use noguchi_domain::pipeline::{self, Deals, EntryCases, MoveRefused, Pipeline, Stages};
use noguchi_domain::programme::ProgrammeDefinition;
use noguchi_domain::{Invalid, Problem};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, AnyConnection};
use std::marker::PhantomData;
use time::Date;

/// A record of a pipeline (a deal, an entry case), as stored: its data, where it stands, and
/// the state of the KPI outcome it yielded.
///
/// Only the store makes one, from a read through the reader's sight or a write the reader was
/// granted; the reads of a record's history and notes take it, so they cannot be reached
/// without the record's visibility.
#[derive(Debug, Clone)]
pub struct Record<K: Pipeline> {
    pub id: String,
    pub programme_id: String,
    pub data: K::Data,
    pub organisation_name: String,
    /// The firm's standing in the medical field.
    pub field_status: FieldStatus,
    /// The names of the organisations that share (or support) the record, as `K::members`.
    pub member_names: Vec<String>,
    pub stage: K::Stage,
    pub stage_on: Date,
    /// The day the counting stage was reached, while the record is at or past it.
    pub counted_on: Option<Date>,
    /// Why the record was closed (a deal's reason for 見送り), while it is.
    pub closed_reason: Option<String>,
    pub outcome_id: Option<String>,
    pub outcome_status: Option<OutcomeStatus>,
    /// A verified outcome no longer matches the record (never changed silently).
    pub outcome_differs: bool,
    pub created_at: String,
    pub updated_at: String,
    read: PhantomData<K>,
}

pub type Deal = Record<Deals>;
pub type EntryCase = Record<EntryCases>;

impl<K: Pipeline> Record<K> {
    /// The name the record goes by: its own (code name, title), else its firm's.
    pub fn label(&self) -> &str {
        K::name(&self.data).unwrap_or(&self.organisation_name)
    }
}

/// A pipeline the store keeps: deals and entry cases. Sealed: its tables are the store's.
pub trait Stored: table::Table {}

impl<K: table::Table> Stored for K {}

mod table {
    use super::Record;
    use crate::Result;
    use crate::outcomes::OutcomeSource;
    use noguchi_domain::pipeline::Pipeline;
    use noguchi_domain::programme::ProgrammeDefinition;
    use sqlx::any::AnyRow;

    /// A value of a record's own column, to bind.
    pub enum Value {
        Text(Option<String>),
        Number(Option<i64>),
    }

    /// How one pipeline is stored.
    pub trait Table: Pipeline {
        const TABLE: &'static str;
        /// The organisations of `Pipeline::members`, and the column naming the record there.
        const MEMBER_TABLE: &'static str;
        const MEMBER_KEY: &'static str;
        /// A list shows a record to the firm it is about, not only to its members.
        const FIRM_READS: bool;
        /// The column of `Pipeline::KINDS`, if the records come in kinds.
        const KIND_COLUMN: Option<&'static str>;
        /// The column keeping the note a record was closed with, if it keeps one.
        const CLOSED_NOTE: Option<&'static str>;
        /// The counting stage when the programme does not choose it.
        const COUNTING: Option<Self::Stage>;
        const SOURCE: OutcomeSource;
        /// The record's own columns, in the order of [`Table::values`].
        const COLUMNS: &'static [&'static str];

        fn values(data: &Self::Data) -> Vec<Value>;
        fn read(row: &AnyRow, members: Vec<String>) -> Result<Self::Data>;
        /// The counting stage the programme chose (read when `COUNTING` is none).
        fn programme_counting(def: &ProgrammeDefinition) -> Self::Stage;
        fn audit_label(r: &Record<Self>) -> &str;
        fn audit_json(r: &Record<Self>) -> serde_json::Value;
    }
}

use table::{Table, Value};

type Query<'q> = sqlx::query::Query<'q, Any, AnyArguments<'q>>;

fn bind(q: Query<'_>, v: Value) -> Query<'_> {
    match v {
        Value::Text(t) => q.bind(t),
        Value::Number(n) => q.bind(n),
    }
}

/// The organisation a list is narrowed to ("" for every record), or None when the reader may
/// see no record of the programme at all.
fn narrowed_to(filter: RecordFilter) -> Option<String> {
    match filter {
        RecordFilter::All => Some(String::new()),
        RecordFilter::Organisation(o) => Some(o),
        RecordFilter::Nothing => None,
    }
}

fn stage_error<S: Stages>(from: S, to: S, r: MoveRefused) -> StoreError {
    Invalid::one(
        "stage",
        Problem::StageMove {
            from: from.code().into(),
            to: to.code().into(),
            note_required: r == MoveRefused::NoteRequired,
        },
    )
    .into()
}

pub(crate) fn date_col(row: &AnyRow, col: &str) -> Result<Option<Date>> {
    get::<Option<String>>(row, col)?
        .map(|d| parse_date(&d))
        .transpose()
        .map_err(|_| StoreError::Corrupt(col.to_string()))
}

async fn check_orgs(conn: &mut AnyConnection, field: &str, orgs: &[String]) -> Result<()> {
    for (i, o) in orgs.iter().enumerate() {
        if sqlx::query("SELECT id FROM organisations WHERE id = $1")
            .bind(o)
            .fetch_optional(&mut *conn)
            .await?
            .is_none()
        {
            let f = if field == "organisation_id" {
                field.to_owned()
            } else {
                format!("{field}[{i}]")
            };
            return Err(Invalid::one(f, Problem::UnknownReference).into());
        }
    }
    Ok(())
}

/// The firm and the members a record names must exist.
async fn check_references<K: Table>(conn: &mut AnyConnection, data: &K::Data) -> Result<()> {
    check_orgs(
        conn,
        "organisation_id",
        &[K::organisation_id(data).to_owned()],
    )
    .await?;
    check_orgs(conn, K::MEMBERS, K::members(data)).await
}

/// The stage at which records of the programme yield their outcome.
async fn counting_stage<K: Table>(
    conn: &mut AnyConnection,
    programme_id: &str,
) -> Result<K::Stage> {
    if let Some(s) = K::COUNTING {
        return Ok(s);
    }
    let row = sqlx::query("SELECT definition FROM programmes WHERE id = $1")
        .bind(programme_id)
        .fetch_one(&mut *conn)
        .await?;
    let def = ProgrammeDefinition::parse(&get::<String>(&row, "definition")?)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(K::programme_counting(&def))
}

async fn load<K: Table>(conn: &mut AnyConnection, id: &str) -> Result<Record<K>> {
    let r = sqlx::query(&format!(
        "SELECT x.*, o.name AS organisation_name, o.field_status FROM {} x \
         JOIN organisations o ON o.id = x.organisation_id WHERE x.id = $1",
        K::TABLE
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let corrupt = |w: &str| StoreError::Corrupt(format!("{} {w}", K::SUBJECT));
    let members = sqlx::query(&format!(
        "SELECT m.organisation_id, o.name FROM {} m JOIN organisations o ON o.id = m.organisation_id \
         WHERE m.{} = $1 ORDER BY m.organisation_id",
        K::MEMBER_TABLE,
        K::MEMBER_KEY
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let (member_ids, member_names) = members
        .iter()
        .map(|m| Ok((get(m, "organisation_id")?, get(m, "name")?)))
        .collect::<Result<(Vec<String>, Vec<String>)>>()?;
    let outcome_id: Option<String> = get(&r, "outcome_id")?;
    let link = ledger::linked(conn, outcome_id.as_deref()).await?;
    let mut rec = Record::<K> {
        id: get(&r, "id")?,
        programme_id: get(&r, "programme_id")?,
        data: K::read(&r, member_ids)?,
        organisation_name: get(&r, "organisation_name")?,
        field_status: FieldStatus::parse(&get::<String>(&r, "field_status")?)
            .map_err(|_| corrupt("field status"))?,
        member_names,
        stage: K::Stage::parse(&get::<String>(&r, "stage")?).map_err(|_| corrupt("stage"))?,
        stage_on: date_col(&r, "stage_on")?.ok_or_else(|| corrupt("stage_on"))?,
        counted_on: date_col(&r, "counted_on")?,
        closed_reason: match K::CLOSED_NOTE {
            Some(col) => get(&r, col)?,
            None => None,
        },
        outcome_status: link.as_ref().map(|l| l.status),
        outcome_id,
        outcome_differs: false,
        created_at: get(&r, "created_at")?,
        updated_at: get(&r, "updated_at")?,
        read: PhantomData,
    };
    let counting = counting_stage::<K>(conn, &rec.programme_id).await?;
    let wanted = K::wanted(
        &rec.data,
        rec.stage,
        counting,
        rec.counted_on,
        rec.field_status,
    );
    rec.outcome_differs = pipeline::sync(wanted.as_ref(), link.as_ref()) == pipeline::Sync::Differs;
    Ok(rec)
}

async fn write_members<K: Table>(
    conn: &mut AnyConnection,
    id: &str,
    orgs: &[String],
) -> Result<()> {
    sqlx::query(&format!(
        "DELETE FROM {} WHERE {} = $1",
        K::MEMBER_TABLE,
        K::MEMBER_KEY
    ))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let insert = format!(
        "INSERT INTO {} ({}, organisation_id) VALUES ($1, $2)",
        K::MEMBER_TABLE,
        K::MEMBER_KEY
    );
    for o in orgs {
        sqlx::query(&insert)
            .bind(id)
            .bind(o)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Opens a record at its pipeline's first stage.
    pub async fn create_record<K: Stored>(
        &self,
        grant: &Granted<K::Permission>,
        programme_id: &str,
        data: K::Data,
    ) -> Result<Record<K>> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers(grant, programme_id)?;
        let id = self.insert::<K>(&mut tx, programme_id, &data).await?;
        let record = load(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Opens records from an import, each moved to its stage on its date, all or nothing.
    pub async fn import_records<K: Stored>(
        &self,
        grant: &Granted<K::Permission>,
        programme_id: &str,
        rows: Vec<(K::Data, K::Stage, Date)>,
    ) -> Result<Vec<String>> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers(grant, programme_id)?;
        let mut ids = Vec::new();
        for (data, stage, on) in rows {
            let id = self.insert::<K>(&mut tx, programme_id, &data).await?;
            if stage != K::Stage::first() {
                self.move_in::<K>(&mut tx, &id, stage, on, Some("取り込み"))
                    .await?;
            }
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// A record the reader may see; any other answers "not found", as one that does not exist.
    pub async fn record<K: Stored>(&self, sight: &Sight, id: &str) -> Result<Record<K>> {
        let mut conn = self.pool.acquire().await?;
        let r = load::<K>(&mut conn, id).await?;
        if K::visible(sight, &r.programme_id, &r.data) {
            Ok(r)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Records of a programme the reader may see, most recently changed first; `kind` narrows
    /// records that come in kinds (`Pipeline::KINDS`).
    pub async fn records<K: Stored>(
        &self,
        sight: &Sight,
        programme_id: &str,
        stage: Option<K::Stage>,
        kind: Option<&str>,
    ) -> Result<Vec<Record<K>>> {
        let Some(org) = narrowed_to(K::listed(sight, programme_id)) else {
            return Ok(Vec::new());
        };
        let firm = if K::FIRM_READS {
            "x.organisation_id = $2 OR "
        } else {
            ""
        };
        let mut sql = format!(
            "SELECT x.id FROM {t} x WHERE x.programme_id = $1 \
             AND ($2 = '' OR {firm}EXISTS (SELECT 1 FROM {m} s WHERE s.{k} = x.id AND s.organisation_id = $2)) \
             AND ($3 = '' OR x.stage = $3)",
            t = K::TABLE,
            m = K::MEMBER_TABLE,
            k = K::MEMBER_KEY,
        );
        if let Some(col) = K::KIND_COLUMN {
            sql.push_str(&format!(" AND ($4 = '' OR x.{col} = $4)"));
        }
        sql.push_str(" ORDER BY x.updated_at DESC, x.id");
        let mut q = sqlx::query(&sql)
            .bind(programme_id)
            .bind(org)
            .bind(stage.map(|s| s.code()).unwrap_or_default());
        if K::KIND_COLUMN.is_some() {
            q = q.bind(kind.unwrap_or_default().to_owned());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::new();
        for r in rows {
            out.push(load(&mut conn, &get::<String>(&r, "id")?).await?);
        }
        Ok(out)
    }

    /// Changes a record's fields; its pending outcome follows (a verified one never silently).
    pub async fn update_record<K: Stored>(
        &self,
        grant: &Granted<K::Permission>,
        id: &str,
        data: K::Data,
    ) -> Result<Record<K>> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load::<K>(&mut tx, id).await?;
        tx.covers_named(grant, &before.programme_id, K::members(&before.data))?;
        check_references::<K>(&mut tx, &data).await?;
        let n = K::COLUMNS.len();
        let set: Vec<String> = K::COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE {} SET {}, updated_at = ${} WHERE id = ${}",
            K::TABLE,
            set.join(", "),
            n + 1,
            n + 2
        );
        let mut q = sqlx::query(&sql);
        for v in K::values(&data) {
            q = bind(q, v);
        }
        q.bind(timestamp(self.now()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        write_members::<K>(&mut tx, id, K::members(&data)).await?;
        ledger::follow::<K>(&mut tx, self.now(), id).await?;
        let after = load::<K>(&mut tx, id).await?;
        tx.audit(
            Change::update(K::SUBJECT, id, K::audit_label(&after))
                .before(K::audit_json(&before))
                .after(K::audit_json(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves a record to `to` on `on`; `note` is kept in the history (and is the reason when
    /// the record is closed).
    pub async fn move_record<K: Stored>(
        &self,
        grant: &Granted<K::Permission>,
        id: &str,
        to: K::Stage,
        on: Date,
        note: Option<&str>,
    ) -> Result<Record<K>> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load::<K>(&mut tx, id).await?;
        tx.covers_named(grant, &before.programme_id, K::members(&before.data))?;
        self.move_in::<K>(&mut tx, id, to, on, note).await?;
        let after = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }
}

impl Store {
    pub(crate) async fn insert<K: Table>(
        &self,
        tx: &mut Write,
        programme_id: &str,
        data: &K::Data,
    ) -> Result<String> {
        if sqlx::query("SELECT id FROM programmes WHERE id = $1")
            .bind(programme_id)
            .fetch_optional(&mut **tx)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        check_references::<K>(tx, data).await?;
        let now = self.now();
        let id = new_id(now);
        let n = K::COLUMNS.len();
        let params: Vec<String> = (3..3 + n).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} (id, programme_id, {}, stage, stage_on, created_at, updated_at) \
         VALUES ($1, $2, {}, ${}, ${}, ${}, ${})",
            K::TABLE,
            K::COLUMNS.join(", "),
            params.join(", "),
            n + 3,
            n + 4,
            n + 5,
            n + 5
        );
        let first = K::Stage::first();
        let mut q = sqlx::query(&sql).bind(&id).bind(programme_id);
        for v in K::values(data) {
            q = bind(q, v);
        }
        q.bind(first.code())
            .bind(format_date(now.date()))
            .bind(timestamp(now))
            .execute(&mut **tx)
            .await?;
        write_members::<K>(tx, &id, K::members(data)).await?;
        let actor = tx.actor().clone();
        insert_move(
            tx,
            &actor,
            now,
            K::SUBJECT,
            &id,
            None,
            first.code(),
            now.date(),
            None,
        )
        .await?;
        let created = load::<K>(tx, &id).await?;
        tx.audit(
            Change::create(K::SUBJECT, &id, K::audit_label(&created))
                .after(K::audit_json(&created)),
        )
        .await?;
        Ok(id)
    }

    pub(crate) async fn move_in<K: Table>(
        &self,
        tx: &mut Write,
        id: &str,
        to: K::Stage,
        on: Date,
        note: Option<&str>,
    ) -> Result<()> {
        let before = load::<K>(tx, id).await?;
        pipeline::check_move(before.stage, to, note)
            .map_err(|r| stage_error(before.stage, to, r))?;
        let counting = counting_stage::<K>(tx, &before.programme_id).await?;
        let counted_on = pipeline::counted_on(before.stage, to, counting, on, before.counted_on);
        let now = self.now();
        let mut sql = format!(
            "UPDATE {} SET stage = $1, stage_on = $2, counted_on = $3, updated_at = $4",
            K::TABLE
        );
        if let Some(col) = K::CLOSED_NOTE {
            sql.push_str(&format!(", {col} = $6"));
        }
        sql.push_str(" WHERE id = $5");
        let mut q = sqlx::query(&sql)
            .bind(to.code())
            .bind(format_date(on))
            .bind(counted_on.map(format_date))
            .bind(timestamp(now))
            .bind(id);
        if K::CLOSED_NOTE.is_some() {
            q = q.bind(
                (to == K::Stage::CLOSED)
                    .then(|| note.map(str::to_owned))
                    .flatten(),
            );
        }
        q.execute(&mut **tx).await?;
        let actor = tx.actor().clone();
        insert_move(
            tx,
            &actor,
            now,
            K::SUBJECT,
            id,
            Some(before.stage.code()),
            to.code(),
            on,
            note,
        )
        .await?;
        ledger::follow::<K>(tx, self.now(), id).await?;
        let after = load::<K>(tx, id).await?;
        tx.audit(
            Change::update(K::SUBJECT, id, K::audit_label(&after))
                .before(K::audit_json(&before))
                .after(K::audit_json(&after)),
        )
        .await
    }
}
