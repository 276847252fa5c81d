//! The organisation directory.

use crate::audit::Change;
use crate::sql::{Page, decode_cursor, encode_cursor, flag, get, like_pattern};
use crate::write::Write;
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Granted, permission};
use noguchi_domain::dates::{format_date, parse_date};
use noguchi_domain::organisation::{
    FieldStatus, Licence, Membership, Organisation, OrganisationData, OrganisationKind,
};
use noguchi_domain::text::{Kana, search_key};
use noguchi_domain::{CorporateNumber, Invalid, Problem};
use serde_json::{Value, json};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// Filters of the organisation list; all optional.
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    /// Matched against name, reading and English name, folded (width, kana, case).
    pub q: Option<String>,
    pub kind: Option<OrganisationKind>,
    pub in_region: Option<bool>,
    pub capability: Option<String>,
    pub field_status: Option<FieldStatus>,
}

const CAPABILITY: &str = "capability";
const CERTIFICATION: &str = "certification";
const LICENCE: &str = "licence";

impl Store {
    pub async fn create_organisation(
        &self,
        grant: &Granted<permission::CreateOrganisation>,
        data: OrganisationData,
    ) -> Result<Organisation> {
        let mut tx = self.begin(grant.actor()).await?;
        let org = insert(&mut tx, data).await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn organisation(&self, id: &str) -> Result<Organisation> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id).await
    }

    pub async fn update_organisation(
        &self,
        grant: &Granted<permission::EditOrganisation>,
        id: &str,
        data: OrganisationData,
    ) -> Result<Organisation> {
        if !grant.covers(Some(id)) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, id).await?;
        check_unique_corporate_number(&mut tx, &data, Some(id)).await?;
        let now = timestamp(self.now());
        sqlx::query(
            "UPDATE organisations SET kind = $1, name = $2, name_kana = $3, name_en = $4, \
             corporate_number = $5, postal_code = $6, address = $7, municipality = $8, \
             in_region = $9, industry = $10, employees = $11, website = $12, field_status = $13, \
             notes = $14, search_text = $15, sort_key = $16, updated_at = $17 WHERE id = $18",
        )
        .bind(data.kind.code())
        .bind(&data.name)
        .bind(data.name_kana.as_ref().map(|k| k.as_str().to_owned()))
        .bind(data.name_en.clone())
        .bind(
            data.corporate_number
                .as_ref()
                .map(|c| c.as_str().to_owned()),
        )
        .bind(data.postal_code.clone())
        .bind(data.address.clone())
        .bind(data.municipality.clone())
        .bind(i64::from(data.in_region))
        .bind(data.industry.clone())
        .bind(data.employees)
        .bind(data.website.clone())
        .bind(data.field_status.code())
        .bind(data.notes.clone())
        .bind(data.search_text())
        .bind(data.sort_key())
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        write_children(&mut tx, id, &data).await?;
        crate::needs::enqueue(&mut tx, self.now(), "organisation", id).await?;
        let after = load(&mut tx, id).await?;
        tx.audit(
            Change::update("organisation", id, &after.data.name)
                .before(organisation_json(&before.data))
                .after(organisation_json(&after.data)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes an organisation that nothing refers to: not a programme member, without users or
    /// people (those must be moved or removed first, so no record is orphaned silently).
    pub async fn delete_organisation(
        &self,
        grant: &Granted<permission::DeleteOrganisation>,
        id: &str,
    ) -> Result<()> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, id).await?;
        // Every record that refers to an organisation (its tags and memberships go with it).
        let mut by = Vec::new();
        for (table, column) in [
            ("programme_members", "organisation_id"),
            ("users", "organisation_id"),
            ("people", "organisation_id"),
            ("outcomes", "organisation_id"),
            ("deals", "organisation_id"),
            ("deal_shares", "organisation_id"),
            ("entry_cases", "organisation_id"),
            ("entry_case_supporters", "organisation_id"),
            ("needs", "submitter_org_id"),
            ("need_ndas", "organisation_id"),
            ("seeds", "holder_org_id"),
            ("survey_campaigns", "organisation_id"),
            ("match_proposals", "candidate_org_id"),
            ("match_proposals", "proposer_org_id"),
        ] {
            let n: i64 = get(
                &sqlx::query(&format!(
                    "SELECT COUNT(*) AS n FROM {table} WHERE {column} = $1"
                ))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?,
                "n",
            )?;
            if n > 0 && !by.iter().any(|b| b == table) {
                by.push(table.to_owned());
            }
        }
        if !by.is_empty() {
            return Err(Invalid::one("id", Problem::InUse { by }).into());
        }
        sqlx::query("DELETE FROM organisations WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        crate::needs::enqueue(&mut tx, self.now(), "organisation", id).await?;
        tx.audit(
            Change::delete("organisation", id, &before.data.name)
                .before(organisation_json(&before.data)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Organisations in 五十音 order of their reading, a page at a time.
    pub async fn list_organisations(
        &self,
        filter: &OrganisationFilter,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<Organisation>> {
        let mut sql = String::from("SELECT o.* FROM organisations o WHERE 1 = 1");
        let mut args: Vec<Arg> = Vec::new();
        if let Some(q) = filter
            .q
            .as_deref()
            .map(search_key)
            .filter(|q| !q.is_empty())
        {
            args.push(Arg::Text(like_pattern(&q)));
            sql += &format!(" AND o.search_text LIKE ${} ESCAPE '\\'", args.len());
        }
        if let Some(kind) = filter.kind {
            args.push(Arg::Text(kind.code().into()));
            sql += &format!(" AND o.kind = ${}", args.len());
        }
        if let Some(r) = filter.in_region {
            args.push(Arg::Int(i64::from(r)));
            sql += &format!(" AND o.in_region = ${}", args.len());
        }
        if let Some(s) = filter.field_status {
            args.push(Arg::Text(s.code().into()));
            sql += &format!(" AND o.field_status = ${}", args.len());
        }
        if let Some(c) = filter
            .capability
            .as_deref()
            .filter(|c| !c.trim().is_empty())
        {
            args.push(Arg::Text(noguchi_domain::text::fold_width(c.trim())));
            sql += &format!(
                " AND EXISTS (SELECT 1 FROM organisation_tags t WHERE t.organisation_id = o.id \
                 AND t.category = '{CAPABILITY}' AND t.value = ${})",
                args.len()
            );
        }
        if let Some((key, id)) = cursor.and_then(decode_cursor) {
            args.push(Arg::Bytes(key));
            args.push(Arg::Text(id));
            sql += &format!(
                " AND (o.sort_key > ${a} OR (o.sort_key = ${a} AND o.id > ${b}))",
                a = args.len() - 1,
                b = args.len()
            );
        }
        args.push(Arg::Int(limit + 1));
        sql += &format!(" ORDER BY o.sort_key, o.id LIMIT ${}", args.len());
        let mut conn = self.pool.acquire().await?;
        let mut query = sqlx::query(&sql);
        for a in args {
            query = match a {
                Arg::Text(s) => query.bind(s),
                Arg::Int(i) => query.bind(i),
                Arg::Bytes(b) => query.bind(b),
            };
        }
        let rows = query.fetch_all(&mut *conn).await?;
        let more = rows.len() as i64 > limit;
        let mut items = Vec::new();
        let mut last_key = None;
        for row in rows.iter().take(limit as usize) {
            let mut org = from_row(row)?;
            read_children(&mut conn, &mut org).await?;
            last_key = Some((get::<Vec<u8>>(row, "sort_key")?, org.id.clone()));
            items.push(org);
        }
        let next_cursor = match (more, last_key) {
            (true, Some((k, id))) => Some(encode_cursor(&k, &id)),
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }

    /// Looks an organisation up by id or by its exact name (for the command line).
    pub async fn find_organisation(&self, id_or_name: &str) -> Result<Organisation> {
        let row = sqlx::query(
            "SELECT id FROM organisations WHERE id = $1 OR name = $1 OR corporate_number = $1 ORDER BY id LIMIT 2",
        )
        .bind(id_or_name)
        .fetch_all(&self.pool)
        .await?;
        match row.as_slice() {
            [one] => self.organisation(&get::<String>(one, "id")?).await,
            _ => Err(StoreError::NotFound),
        }
    }
}

pub(crate) enum Arg {
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
}

pub(crate) async fn insert(tx: &mut Write, data: OrganisationData) -> Result<Organisation> {
    let now = tx.now();
    check_unique_corporate_number(tx, &data, None).await?;
    let id = new_id(now);
    let ts = timestamp(now);
    sqlx::query(
        "INSERT INTO organisations (id, kind, name, name_kana, name_en, corporate_number, \
         postal_code, address, municipality, in_region, industry, employees, website, \
         field_status, notes, search_text, sort_key, created_at, updated_at) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)",
    )
    .bind(&id)
    .bind(data.kind.code())
    .bind(&data.name)
    .bind(data.name_kana.as_ref().map(|k| k.as_str().to_owned()))
    .bind(data.name_en.clone())
    .bind(
        data.corporate_number
            .as_ref()
            .map(|c| c.as_str().to_owned()),
    )
    .bind(data.postal_code.clone())
    .bind(data.address.clone())
    .bind(data.municipality.clone())
    .bind(i64::from(data.in_region))
    .bind(data.industry.clone())
    .bind(data.employees)
    .bind(data.website.clone())
    .bind(data.field_status.code())
    .bind(data.notes.clone())
    .bind(data.search_text())
    .bind(data.sort_key())
    .bind(&ts)
    .execute(&mut **tx)
    .await?;
    write_children(tx, &id, &data).await?;
    crate::needs::enqueue(tx, now, "organisation", &id).await?;
    tx.audit(Change::create("organisation", &id, &data.name).after(organisation_json(&data)))
        .await?;
    Ok(Organisation {
        id,
        data,
        created_at: ts.clone(),
        updated_at: ts,
    })
}

async fn check_unique_corporate_number(
    conn: &mut AnyConnection,
    data: &OrganisationData,
    except: Option<&str>,
) -> Result<()> {
    let Some(n) = &data.corporate_number else {
        return Ok(());
    };
    let rows = sqlx::query("SELECT id FROM organisations WHERE corporate_number = $1")
        .bind(n.as_str())
        .fetch_all(&mut *conn)
        .await?;
    for r in rows {
        if Some(get::<String>(&r, "id")?.as_str()) != except {
            return Err(Invalid::one("corporate_number", Problem::Taken).into());
        }
    }
    Ok(())
}

async fn write_children(conn: &mut AnyConnection, id: &str, data: &OrganisationData) -> Result<()> {
    sqlx::query("DELETE FROM organisation_tags WHERE organisation_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM organisation_memberships WHERE organisation_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM organisation_licences WHERE organisation_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for r in &data.licence_records {
        sqlx::query(
            "INSERT INTO organisation_licences (organisation_id, licence, number, expires_on) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(r.licence.code())
        .bind(r.number.clone())
        .bind(r.expires_on.map(format_date))
        .execute(&mut *conn)
        .await?;
    }
    let licences: Vec<String> = data.licences.iter().map(|l| l.code().to_owned()).collect();
    for (category, values) in [
        (CAPABILITY, &data.capabilities),
        (CERTIFICATION, &data.certifications),
        (LICENCE, &licences),
    ] {
        for (i, v) in values.iter().enumerate() {
            sqlx::query(
                "INSERT INTO organisation_tags (organisation_id, category, value, position) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(category)
            .bind(v)
            .bind(i as i64)
            .execute(&mut *conn)
            .await?;
        }
    }
    let mut seen = Vec::new();
    for (i, m) in data.memberships.iter().enumerate() {
        if seen.contains(&&m.body) {
            continue;
        }
        seen.push(&m.body);
        sqlx::query(
            "INSERT INTO organisation_memberships (organisation_id, body, joined_on, position) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&m.body)
        .bind(m.joined_on.map(format_date))
        .bind(i as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(crate) async fn load(conn: &mut AnyConnection, id: &str) -> Result<Organisation> {
    let row = sqlx::query("SELECT * FROM organisations WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut org = from_row(&row)?;
    read_children(conn, &mut org).await?;
    Ok(org)
}

fn from_row(row: &AnyRow) -> Result<Organisation> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("organisation {what}"));
    let kind =
        OrganisationKind::parse(&get::<String>(row, "kind")?).map_err(|_| corrupt("kind"))?;
    let field_status =
        FieldStatus::parse(&get::<String>(row, "field_status")?).map_err(|_| corrupt("status"))?;
    let name_kana = get::<Option<String>>(row, "name_kana")?
        .map(|k| Kana::parse(&k))
        .transpose()
        .map_err(|_| corrupt("name_kana"))?;
    let corporate_number = get::<Option<String>>(row, "corporate_number")?
        .map(|c| CorporateNumber::parse(&c))
        .transpose()
        .map_err(|_| corrupt("corporate_number"))?;
    Ok(Organisation {
        id: get(row, "id")?,
        data: OrganisationData {
            kind,
            name: get(row, "name")?,
            name_kana,
            name_en: get(row, "name_en")?,
            corporate_number,
            postal_code: get(row, "postal_code")?,
            address: get(row, "address")?,
            municipality: get(row, "municipality")?,
            in_region: flag(row, "in_region")?,
            industry: get(row, "industry")?,
            employees: get(row, "employees")?,
            website: get(row, "website")?,
            capabilities: Vec::new(),
            certifications: Vec::new(),
            licences: Vec::new(),
            licence_records: Vec::new(),
            memberships: Vec::new(),
            field_status,
            notes: get(row, "notes")?,
        },
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

async fn read_children(conn: &mut AnyConnection, org: &mut Organisation) -> Result<()> {
    let tags = sqlx::query(
        "SELECT category, value FROM organisation_tags WHERE organisation_id = $1 \
         ORDER BY category, position",
    )
    .bind(&org.id)
    .fetch_all(&mut *conn)
    .await?;
    for t in tags {
        let value: String = get(&t, "value")?;
        match get::<String>(&t, "category")?.as_str() {
            CAPABILITY => org.data.capabilities.push(value),
            CERTIFICATION => org.data.certifications.push(value),
            LICENCE => org
                .data
                .licences
                .push(Licence::parse(&value).map_err(|_| StoreError::Corrupt("licence".into()))?),
            other => return Err(StoreError::Corrupt(format!("tag category {other}"))),
        }
    }
    for r in sqlx::query(
        "SELECT licence, number, expires_on FROM organisation_licences WHERE organisation_id = $1 \
         ORDER BY licence",
    )
    .bind(&org.id)
    .fetch_all(&mut *conn)
    .await?
    {
        org.data
            .licence_records
            .push(noguchi_domain::organisation::LicenceRecord {
                licence: Licence::parse(&get::<String>(&r, "licence")?)
                    .map_err(|_| StoreError::Corrupt("organisation_licences.licence".into()))?,
                number: get(&r, "number")?,
                expires_on: get::<Option<String>>(&r, "expires_on")?
                    .map(|d| parse_date(&d))
                    .transpose()
                    .map_err(|_| StoreError::Corrupt("organisation_licences.expires_on".into()))?,
            });
    }
    let memberships = sqlx::query(
        "SELECT body, joined_on FROM organisation_memberships WHERE organisation_id = $1 \
         ORDER BY position",
    )
    .bind(&org.id)
    .fetch_all(&mut *conn)
    .await?;
    for m in memberships {
        let joined_on = get::<Option<String>>(&m, "joined_on")?
            .map(|d| parse_date(&d))
            .transpose()
            .map_err(|_| StoreError::Corrupt("membership date".into()))?;
        org.data.memberships.push(Membership {
            body: get(&m, "body")?,
            joined_on,
        });
    }
    Ok(())
}

/// The organisation as recorded in the audit log.
pub fn organisation_json(d: &OrganisationData) -> Value {
    json!({
        "kind": d.kind.code(),
        "name": d.name,
        "name_kana": d.name_kana.as_ref().map(Kana::as_str),
        "name_en": d.name_en,
        "corporate_number": d.corporate_number.as_ref().map(CorporateNumber::as_str),
        "postal_code": d.postal_code,
        "address": d.address,
        "municipality": d.municipality,
        "in_region": d.in_region,
        "industry": d.industry,
        "employees": d.employees,
        "website": d.website,
        "capabilities": d.capabilities,
        "certifications": d.certifications,
        "licences": d.licences.iter().map(|l| l.code()).collect::<Vec<_>>(),
        "licence_records": d.licence_records.iter().map(|r| json!({
            "licence": r.licence.code(), "number": r.number, "expires_on": r.expires_on.map(format_date),
        })).collect::<Vec<_>>(),
        "memberships": d.memberships.iter().map(|m| json!({
            "body": m.body, "joined_on": m.joined_on.map(format_date)
        })).collect::<Vec<_>>(),
        "field_status": d.field_status.code(),
        "notes": d.notes,
    })
}

/// Refuses a reference (`organisation_id`) to an organisation that does not exist, naming the
/// field (the database's foreign key is the net under this check).
pub(crate) async fn check_organisation(conn: &mut AnyConnection, id: &str) -> Result<()> {
    if sqlx::query("SELECT id FROM organisations WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .is_none()
    {
        return Err(Invalid::one("organisation_id", Problem::UnknownReference).into());
    }
    Ok(())
}
