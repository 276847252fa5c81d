//! People of the directory.

use crate::audit::Change;
use crate::sql::{Page, decode_cursor, encode_cursor, get, like_pattern};
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Granted, Sight, permission};
use noguchi_domain::person::{Email, Person, PersonData};
use noguchi_domain::text::{Kana, search_key};
use noguchi_domain::{Invalid, Problem};
use serde_json::{Value, json};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

impl Store {
    pub async fn create_person(
        &self,
        grant: &Granted<permission::EditPerson>,
        data: PersonData,
    ) -> Result<Person> {
        if !grant.covers(data.organisation_id.as_deref()) {
            return Err(Invalid::one("organisation_id", Problem::UnknownReference).into());
        }
        let mut tx = self.begin(grant.actor()).await?;
        check_organisation(&mut tx, &data).await?;
        let now = self.now();
        let id = new_id(now);
        let ts = timestamp(now);
        sqlx::query(
            "INSERT INTO people (id, name, name_kana, organisation_id, department, title, email, \
             phone, consent_purpose, notes, search_text, sort_key, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        )
        .bind(&id)
        .bind(&data.name)
        .bind(data.name_kana.as_ref().map(|k| k.as_str().to_owned()))
        .bind(data.organisation_id.clone())
        .bind(data.department.clone())
        .bind(data.title.clone())
        .bind(data.email.as_ref().map(|e| e.as_str().to_owned()))
        .bind(data.phone.clone())
        .bind(data.consent_purpose.clone())
        .bind(data.notes.clone())
        .bind(data.search_text())
        .bind(data.sort_key())
        .bind(&ts)
        .execute(&mut *tx)
        .await?;
        tx.audit(Change::create("person", &id, &data.name).after(person_json(&data)))
            .await?;
        let person = load(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(person)
    }

    /// A person of the directory, with the contact details only for a reader who may see them
    /// (the secretariat and the person's own organisation).
    pub async fn person(&self, sight: &Sight, id: &str) -> Result<Person> {
        if !sight.is_member() {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.pool.acquire().await?;
        Ok(redact(sight, load(&mut conn, id).await?))
    }

    pub async fn update_person(
        &self,
        grant: &Granted<permission::EditPerson>,
        id: &str,
        data: PersonData,
    ) -> Result<Person> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, id).await?;
        if !grant.covers(before.data.organisation_id.as_deref()) {
            return Err(StoreError::NotFound);
        }
        if !grant.covers(data.organisation_id.as_deref()) {
            return Err(Invalid::one("organisation_id", Problem::UnknownReference).into());
        }
        check_organisation(&mut tx, &data).await?;
        sqlx::query(
            "UPDATE people SET name = $1, name_kana = $2, organisation_id = $3, department = $4, \
             title = $5, email = $6, phone = $7, consent_purpose = $8, notes = $9, \
             search_text = $10, sort_key = $11, updated_at = $12 WHERE id = $13",
        )
        .bind(&data.name)
        .bind(data.name_kana.as_ref().map(|k| k.as_str().to_owned()))
        .bind(data.organisation_id.clone())
        .bind(data.department.clone())
        .bind(data.title.clone())
        .bind(data.email.as_ref().map(|e| e.as_str().to_owned()))
        .bind(data.phone.clone())
        .bind(data.consent_purpose.clone())
        .bind(data.notes.clone())
        .bind(data.search_text())
        .bind(data.sort_key())
        .bind(timestamp(self.now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::update("person", id, &data.name)
                .before(person_json(&before.data))
                .after(person_json(&data)),
        )
        .await?;
        let after = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_person(
        &self,
        grant: &Granted<permission::EditPerson>,
        id: &str,
    ) -> Result<()> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, id).await?;
        if !grant.covers(before.data.organisation_id.as_deref()) {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM people WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.audit(Change::delete("person", id, &before.data.name).before(person_json(&before.data)))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// People in 五十音 order; `q` matches name and reading, folded; `organisation_id` narrows.
    pub async fn list_people(
        &self,
        sight: &Sight,
        q: Option<&str>,
        organisation_id: Option<&str>,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<Person>> {
        let pattern = q
            .map(search_key)
            .filter(|q| !q.is_empty())
            .map(|q| like_pattern(&q));
        let (key, after_id) = cursor.and_then(decode_cursor).unwrap_or_default();
        let rows = sqlx::query(
            "SELECT p.*, o.name AS organisation_name FROM people p \
             LEFT JOIN organisations o ON o.id = p.organisation_id \
             WHERE ($1 = '' OR p.search_text LIKE $1 ESCAPE '\\') \
             AND ($2 = '' OR p.organisation_id = $2) \
             AND ($3 = '' OR p.sort_key > $4 OR (p.sort_key = $4 AND p.id > $3)) \
             ORDER BY p.sort_key, p.id LIMIT $5",
        )
        .bind(pattern.unwrap_or_default())
        .bind(organisation_id.unwrap_or_default())
        .bind(after_id)
        .bind(key)
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let mut items = Vec::new();
        let mut last = None;
        for row in rows.iter().take(limit as usize) {
            let p = from_row(row)?;
            last = Some(encode_cursor(&get::<Vec<u8>>(row, "sort_key")?, &p.id));
            items.push(redact(sight, p));
        }
        let next_cursor = if rows.len() as i64 > limit {
            last
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }
}

/// Leaves out the contact details (and the consent and notes that go with them) the reader may
/// not see.
fn redact(sight: &Sight, mut p: Person) -> Person {
    if !sight.contact(p.data.organisation_id.as_deref()) {
        p.data.email = None;
        p.data.phone = None;
        p.data.consent_purpose = None;
        p.data.notes = None;
        p.contact_hidden = true;
    }
    p
}

async fn check_organisation(conn: &mut AnyConnection, data: &PersonData) -> Result<()> {
    if let Some(org) = &data.organisation_id {
        let found = sqlx::query("SELECT id FROM organisations WHERE id = $1")
            .bind(org)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(Invalid::one("organisation_id", Problem::UnknownReference).into());
        }
    }
    Ok(())
}

async fn load(conn: &mut AnyConnection, id: &str) -> Result<Person> {
    let row = sqlx::query(
        "SELECT p.*, o.name AS organisation_name FROM people p \
         LEFT JOIN organisations o ON o.id = p.organisation_id WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

fn from_row(row: &AnyRow) -> Result<Person> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("person {what}"));
    Ok(Person {
        id: get(row, "id")?,
        data: PersonData {
            name: get(row, "name")?,
            name_kana: get::<Option<String>>(row, "name_kana")?
                .map(|k| Kana::parse(&k))
                .transpose()
                .map_err(|_| corrupt("name_kana"))?,
            organisation_id: get(row, "organisation_id")?,
            department: get(row, "department")?,
            title: get(row, "title")?,
            email: get::<Option<String>>(row, "email")?
                .map(|e| Email::parse(&e))
                .transpose()
                .map_err(|_| corrupt("email"))?,
            phone: get(row, "phone")?,
            consent_purpose: get(row, "consent_purpose")?,
            notes: get(row, "notes")?,
        },
        organisation_name: get(row, "organisation_name")?,
        contact_hidden: false,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

fn person_json(d: &PersonData) -> Value {
    json!({
        "name": d.name,
        "name_kana": d.name_kana.as_ref().map(Kana::as_str),
        "organisation_id": d.organisation_id,
        "department": d.department,
        "title": d.title,
        "email": d.email.as_ref().map(Email::as_str),
        "phone": d.phone,
        "consent_purpose": d.consent_purpose,
        "notes": d.notes,
    })
}
