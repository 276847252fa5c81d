//! Seeds: research results and company technologies, matched with needs.

use super::enqueue;
use crate::audit::Change;
use crate::sql::get;
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Granted, Sight, permission};
use noguchi_domain::needs::SeedData;
use noguchi_domain::{Invalid, Problem};
use serde_json::json;
use sqlx::AnyConnection;

#[derive(Debug, Clone)]
pub struct Seed {
    pub id: String,
    pub programme_id: String,
    pub holder_name: String,
    pub data: SeedData,
    pub created_at: String,
    pub updated_at: String,
}

impl Store {
    pub async fn create_seed(
        &self,
        grant: &Granted<permission::ManageSeed>,
        programme_id: &str,
        data: SeedData,
    ) -> Result<Seed> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers_named(
            grant,
            programme_id,
            std::slice::from_ref(&data.holder_organisation_id),
        )?;
        if sqlx::query("SELECT id FROM organisations WHERE id = $1")
            .bind(&data.holder_organisation_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_none()
        {
            return Err(Invalid::one("holder_organisation_id", Problem::UnknownReference).into());
        }
        let now = self.now();
        let id = new_id(now);
        sqlx::query("INSERT INTO seeds (id, programme_id, holder_org_id, title, description, fields, trl, ip_status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)")
            .bind(&id)
            .bind(programme_id)
            .bind(&data.holder_organisation_id)
            .bind(&data.title)
            .bind(&data.description)
            .bind(json!(data.fields).to_string())
            .bind(data.trl)
            .bind(data.ip_status.clone())
            .bind(timestamp(now))
            .execute(&mut *tx)
            .await?;
        enqueue(&mut tx, now, "seed", &id).await?;
        tx.audit(Change::create("seed", &id, &data.title).after(json!({"title": data.title})))
            .await?;
        let seed = load_seed(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(seed)
    }

    /// Seeds are shown to every signed-in member (their audience in the index is `members`).
    pub async fn seed(&self, sight: &Sight, id: &str) -> Result<Seed> {
        if !sight.is_member() {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.pool.acquire().await?;
        load_seed(&mut conn, id).await
    }

    pub async fn seeds(&self, sight: &Sight, programme_id: &str) -> Result<Vec<Seed>> {
        if !sight.is_member() {
            return Ok(Vec::new());
        }
        let ids = sqlx::query(
            "SELECT id FROM seeds WHERE programme_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::new();
        for r in ids {
            out.push(load_seed(&mut conn, &get::<String>(&r, "id")?).await?);
        }
        Ok(out)
    }

    pub async fn update_seed(
        &self,
        grant: &Granted<permission::ManageSeed>,
        id: &str,
        data: SeedData,
    ) -> Result<Seed> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load_seed(&mut tx, id).await?;
        // The grant must cover the seed as it is and as it will be (a holder cannot hand its
        // seed to another organisation).
        tx.covers_named(
            grant,
            &before.programme_id,
            std::slice::from_ref(&before.data.holder_organisation_id),
        )?;
        tx.covers_named(
            grant,
            &before.programme_id,
            std::slice::from_ref(&data.holder_organisation_id),
        )?;
        sqlx::query("UPDATE seeds SET holder_org_id = $1, title = $2, description = $3, fields = $4, trl = $5, ip_status = $6, updated_at = $7 WHERE id = $8")
            .bind(&data.holder_organisation_id)
            .bind(&data.title)
            .bind(&data.description)
            .bind(json!(data.fields).to_string())
            .bind(data.trl)
            .bind(data.ip_status.clone())
            .bind(timestamp(self.now()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        enqueue(&mut tx, self.now(), "seed", id).await?;
        tx.audit(Change::update("seed", id, &data.title).after(json!({"title": data.title})))
            .await?;
        let after = load_seed(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }
}

async fn load_seed(conn: &mut AnyConnection, id: &str) -> Result<Seed> {
    let r = sqlx::query("SELECT s.*, o.name AS org_name FROM seeds s JOIN organisations o ON o.id = s.holder_org_id WHERE s.id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(Seed {
        id: get(&r, "id")?,
        programme_id: get(&r, "programme_id")?,
        holder_name: get(&r, "org_name")?,
        data: SeedData {
            title: get(&r, "title")?,
            description: get(&r, "description")?,
            holder_organisation_id: get(&r, "holder_org_id")?,
            fields: serde_json::from_str(&get::<String>(&r, "fields")?)
                .map_err(|_| StoreError::Corrupt("seed fields".into()))?,
            trl: get(&r, "trl")?,
            ip_status: get(&r, "ip_status")?,
        },
        created_at: get(&r, "created_at")?,
        updated_at: get(&r, "updated_at")?,
    })
}
