//! Needs survey campaigns and their per-campaign links.

use crate::audit::Change;
use crate::organisations::check_organisation;
use crate::sql::{flag, get};
use crate::{Result, Store, StoreError, new_id, random_token, timestamp};
use noguchi_domain::access::{Granted, Sight, permission};
use noguchi_domain::dates::{format_date, parse_date};
use noguchi_domain::needs::Disclosure;
use noguchi_domain::survey::CampaignData;
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: String,
    pub programme_id: String,
    pub organisation_name: String,
    pub data: CampaignData,
    /// The secret part of the campaign's link (`/survey/{token}`).
    pub link_token: String,
    pub link_enabled: bool,
    /// Needs received through the campaign.
    pub answers: i64,
    pub created_at: String,
}

/// What the link should do: stop, start again, or be replaced by a new one (the old one then
/// answers "not found").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkChange {
    Disable,
    Enable,
    Replace,
}

impl Store {
    pub async fn create_campaign(
        &self,
        grant: &Granted<permission::ManageCampaign>,
        programme_id: &str,
        data: CampaignData,
    ) -> Result<Campaign> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers(grant, programme_id)?;
        check_organisation(&mut tx, &data.organisation_id).await?;
        let now = self.now();
        let id = new_id(now);
        sqlx::query(
            "INSERT INTO survey_campaigns (id, programme_id, title, description, organisation_id, opens_on, closes_on, \
             default_disclosure, link_token, link_enabled, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $11)",
        )
        .bind(&id)
        .bind(programme_id)
        .bind(&data.title)
        .bind(data.description.clone())
        .bind(&data.organisation_id)
        .bind(format_date(data.opens_on))
        .bind(data.closes_on.map(format_date))
        .bind(data.default_disclosure.code())
        .bind(random_token(16))
        .bind(&grant.actor().user_id)
        .bind(timestamp(now))
        .execute(&mut *tx)
        .await?;
        tx.audit(Change::create("survey_campaign", &id, &data.title).after(campaign_json(&data)))
            .await?;
        let c = load(&mut tx, "c.id = $1", &id).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn update_campaign(
        &self,
        grant: &Granted<permission::ManageCampaign>,
        id: &str,
        data: CampaignData,
    ) -> Result<Campaign> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, "c.id = $1", id).await?;
        tx.covers(grant, &before.programme_id)?;
        check_organisation(&mut tx, &data.organisation_id).await?;
        let now = self.now();
        sqlx::query(
            "UPDATE survey_campaigns SET title = $1, description = $2, organisation_id = $3, opens_on = $4, \
             closes_on = $5, default_disclosure = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&data.title)
        .bind(data.description.clone())
        .bind(&data.organisation_id)
        .bind(format_date(data.opens_on))
        .bind(data.closes_on.map(format_date))
        .bind(data.default_disclosure.code())
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::update("survey_campaign", id, &data.title)
                .before(campaign_json(&before.data))
                .after(campaign_json(&data)),
        )
        .await?;
        let c = load(&mut tx, "c.id = $1", id).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn change_campaign_link(
        &self,
        grant: &Granted<permission::ManageCampaign>,
        id: &str,
        change: LinkChange,
    ) -> Result<Campaign> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, "c.id = $1", id).await?;
        tx.covers(grant, &before.programme_id)?;
        let now = self.now();
        let (token, enabled) = match change {
            LinkChange::Disable => (before.link_token.clone(), false),
            LinkChange::Enable => (before.link_token.clone(), true),
            LinkChange::Replace => (random_token(16), true),
        };
        sqlx::query("UPDATE survey_campaigns SET link_token = $1, link_enabled = $2, updated_at = $3 WHERE id = $4")
            .bind(&token)
            .bind(i64::from(enabled))
            .bind(timestamp(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // The token itself stays out of the audit log: the log is readable more widely.
        tx.audit(Change::update("survey_campaign", id, &before.data.title)
                .before(json!({"link_enabled": before.link_enabled}))
                .after(json!({"link_enabled": enabled, "link_replaced": change == LinkChange::Replace})))
        .await?;
        let c = load(&mut tx, "c.id = $1", id).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// A campaign the reader may see (the secretariat, the needs-survey role, the campaign's
    /// organisation); any other is "not found".
    pub async fn campaign(&self, sight: &Sight, id: &str) -> Result<Campaign> {
        let mut conn = self.pool.acquire().await?;
        let c = load(&mut conn, "c.id = $1", id).await?;
        if sight.campaign(&c.programme_id, &c.data.organisation_id) {
            Ok(c)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The campaign a link leads to, while its link is enabled.
    pub async fn campaign_by_link(&self, token: &str) -> Result<Campaign> {
        if token.is_empty() || token.len() > 64 {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.pool.acquire().await?;
        let c = load(&mut conn, "c.link_token = $1", token).await?;
        if c.link_enabled {
            Ok(c)
        } else {
            Err(StoreError::NotFound)
        }
    }

    pub async fn campaigns(&self, sight: &Sight, programme_id: &str) -> Result<Vec<Campaign>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE c.programme_id = $1 ORDER BY c.opens_on DESC, c.id DESC"
        ))
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let c = from_row(r)?;
            if sight.campaign(&c.programme_id, &c.data.organisation_id) {
                out.push(c);
            }
        }
        Ok(out)
    }
}

const SELECT: &str = "SELECT c.*, o.name AS org_name, \
    (SELECT COUNT(*) FROM needs n WHERE n.campaign_id = c.id) AS answers \
    FROM survey_campaigns c JOIN organisations o ON o.id = c.organisation_id";

async fn load(conn: &mut AnyConnection, condition: &str, value: &str) -> Result<Campaign> {
    let r = sqlx::query(&format!("{SELECT} WHERE {condition}"))
        .bind(value)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

fn campaign_json(d: &CampaignData) -> serde_json::Value {
    json!({
        "title": d.title,
        "organisation_id": d.organisation_id,
        "opens_on": format_date(d.opens_on),
        "closes_on": d.closes_on.map(format_date),
        "default_disclosure": d.default_disclosure.code(),
    })
}

fn from_row(r: &AnyRow) -> Result<Campaign> {
    let corrupt = |w: &str| StoreError::Corrupt(format!("campaign {w}"));
    let closes: Option<String> = get(r, "closes_on")?;
    Ok(Campaign {
        id: get(r, "id")?,
        programme_id: get(r, "programme_id")?,
        organisation_name: get(r, "org_name")?,
        data: CampaignData {
            title: get(r, "title")?,
            description: get(r, "description")?,
            organisation_id: get(r, "organisation_id")?,
            opens_on: parse_date(&get::<String>(r, "opens_on")?)
                .map_err(|_| corrupt("opens_on"))?,
            closes_on: closes
                .map(|c| parse_date(&c))
                .transpose()
                .map_err(|_| corrupt("closes_on"))?,
            default_disclosure: Disclosure::parse(&get::<String>(r, "default_disclosure")?)
                .map_err(|_| corrupt("disclosure"))?,
        },
        link_token: get(r, "link_token")?,
        link_enabled: flag(r, "link_enabled")?,
        answers: get(r, "answers")?,
        created_at: get(r, "created_at")?,
    })
}
