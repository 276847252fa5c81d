//! NDAs on needs: recorded and ended by the secretariat; an NDA-level need is visible to the
//! organisations that signed one (its queue entry updates the search index at once).

use super::{Need, enqueue, load_need};
use crate::audit::Change;
use crate::sql::get;
use crate::write::Write;
use crate::{Result, Store, StoreError};
use noguchi_domain::access::{Granted, Sight, permission};
use noguchi_domain::dates::format_date;
use noguchi_domain::{Invalid, Problem};
use serde_json::json;
use time::Date;

/// A signed NDA on a need.
#[derive(Debug, Clone)]
pub struct NdaRecord {
    pub need_id: String,
    pub need_title: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub signed_on: String,
    pub document_ref: Option<String>,
    pub recorded_by: Option<String>,
}

impl Store {
    /// Records a signed NDA: the organisation may then see the need if it is at the NDA level.
    pub async fn record_nda(
        &self,
        grant: &Granted<permission::RecordNda>,
        need_id: &str,
        organisation_id: &str,
        signed_on: Date,
        document_ref: Option<&str>,
    ) -> Result<Need> {
        let mut tx = self.begin(grant.actor()).await?;
        let need = load_need(&mut tx, need_id).await?;
        tx.covers(grant, &need.programme_id)?;
        insert_nda(
            &mut tx,
            grant.actor(),
            self.now(),
            need_id,
            organisation_id,
            signed_on,
            document_ref,
        )
        .await?;
        let after = load_need(&mut tx, need_id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Ends an NDA (recorded in error, or terminated): the organisation loses sight of an
    /// NDA-level need at once, in search too.
    pub async fn revoke_nda(
        &self,
        grant: &Granted<permission::RecordNda>,
        need_id: &str,
        organisation_id: &str,
    ) -> Result<Need> {
        let mut tx = self.begin(grant.actor()).await?;
        let need = load_need(&mut tx, need_id).await?;
        tx.covers(grant, &need.programme_id)?;
        let gone = sqlx::query("DELETE FROM need_ndas WHERE need_id = $1 AND organisation_id = $2")
            .bind(need_id)
            .bind(organisation_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        let now = self.now();
        enqueue(&mut tx, now, "need", need_id).await?;
        tx.audit(
            Change::delete("nda", need_id, need.label())
                .before(json!({"organisation_id": organisation_id})),
        )
        .await?;
        let after = load_need(&mut tx, need_id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The NDAs of one need, or of every need of a programme (`need_id` None), that the reader
    /// may know of: all for the programme's secretariat; otherwise those of needs its
    /// organisation submitted, and its own.
    pub async fn ndas(
        &self,
        sight: &Sight,
        programme_id: &str,
        need_id: Option<&str>,
    ) -> Result<Vec<NdaRecord>> {
        let sql = format!(
            "SELECT a.*, n.title AS need_title, n.submitter_org_id, o.name AS org_name, u.name AS user_name FROM need_ndas a \
             JOIN needs n ON n.id = a.need_id JOIN organisations o ON o.id = a.organisation_id \
             LEFT JOIN users u ON u.id = a.recorded_by \
             WHERE n.programme_id = $1 {} ORDER BY a.signed_on DESC, o.name",
            if need_id.is_some() {
                "AND a.need_id = $2"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(&sql).bind(programme_id);
        if let Some(n) = need_id {
            q = q.bind(n);
        }
        let all = sight.is_secretariat_of(programme_id);
        let own = sight.organisation().unwrap_or_default();
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .filter(|r| {
                all || [
                    get::<String>(r, "submitter_org_id"),
                    get(r, "organisation_id"),
                ]
                .into_iter()
                .any(|o| o.is_ok_and(|o| !own.is_empty() && o == own))
            })
            .map(|r| {
                Ok(NdaRecord {
                    need_id: get(r, "need_id")?,
                    need_title: get(r, "need_title")?,
                    organisation_id: get(r, "organisation_id")?,
                    organisation_name: get(r, "org_name")?,
                    signed_on: get(r, "signed_on")?,
                    document_ref: get(r, "document_ref")?,
                    recorded_by: get(r, "user_name")?,
                })
            })
            .collect()
    }
}

/// Inserts an NDA record (once per organisation and need) with its audit record.
pub(crate) async fn insert_nda(
    conn: &mut Write,
    actor: &noguchi_domain::access::Actor,
    now: time::OffsetDateTime,
    need_id: &str,
    organisation_id: &str,
    signed_on: Date,
    document_ref: Option<&str>,
) -> Result<()> {
    let need = load_need(conn, need_id).await?;
    if sqlx::query("SELECT id FROM organisations WHERE id = $1")
        .bind(organisation_id)
        .fetch_optional(&mut **conn)
        .await?
        .is_none()
    {
        return Err(Invalid::one("organisation_id", Problem::UnknownReference).into());
    }
    if need.nda_orgs.iter().any(|o| o == organisation_id) {
        return Ok(());
    }
    sqlx::query("INSERT INTO need_ndas (need_id, organisation_id, signed_on, recorded_by, document_ref) VALUES ($1, $2, $3, $4, $5)")
        .bind(need_id)
        .bind(organisation_id)
        .bind(format_date(signed_on))
        .bind(&actor.user_id)
        .bind(document_ref.map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned))
        .execute(&mut **conn)
        .await?;
    enqueue(conn, now, "need", need_id).await?;
    conn.audit(Change::create("nda", need_id, need.label()).after(json!({
        "organisation_id": organisation_id,
        "signed_on": format_date(signed_on),
        "document_ref": document_ref,
    })))
    .await
}
