//! Programmes and their council members, loaded from definition files.

use crate::audit::Change;
use crate::sql::get;
use crate::{Result, Store, StoreError, new_id, organisations, timestamp};
use noguchi_domain::access::{Actor, Role};
use noguchi_domain::organisation::{OrganisationData, OrganisationInput};
use noguchi_domain::programme::ProgrammeDefinition;
use serde_json::json;

#[derive(Debug, Clone)]
pub struct Programme {
    pub id: String,
    pub slug: String,
    pub definition: ProgrammeDefinition,
    pub members: Vec<ProgrammeMember>,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct ProgrammeMember {
    pub organisation_id: String,
    pub organisation_name: String,
    pub roles: Vec<Role>,
    pub duties: Vec<String>,
}

impl Store {
    /// Loads a programme definition unless a programme with its slug exists; returns the
    /// programme's id. Member organisations are matched by exact name or created.
    pub async fn load_programme(&self, def: &ProgrammeDefinition) -> Result<String> {
        let mut tx = self.begin(&Actor::system()).await?;
        if let Some(row) = sqlx::query("SELECT id FROM programmes WHERE slug = $1")
            .bind(&def.slug)
            .fetch_optional(&mut *tx)
            .await?
        {
            return get(&row, "id");
        }
        let now = self.now();
        let id = new_id(now);
        let definition = toml_text(def);
        sqlx::query(
            "INSERT INTO programmes (id, slug, name, definition, created_at, secretariat_second_factor) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(&def.slug)
        .bind(&def.name)
        .bind(&definition)
        .bind(timestamp(now))
        .bind(i64::from(def.security.second_factor_for_secretariat))
        .execute(&mut *tx)
        .await?;
        tx.in_programme(&id);
        for (position, (member, roles)) in def.member_roles().enumerate() {
            let existing = sqlx::query("SELECT id FROM organisations WHERE name = $1")
                .bind(&member.name)
                .fetch_optional(&mut *tx)
                .await?;
            let org_id = match existing {
                Some(row) => get::<String>(&row, "id")?,
                None => {
                    let data = OrganisationData::parse(&OrganisationInput {
                        kind: Some(member.kind.clone()),
                        name: Some(member.name.clone()),
                        name_kana: member.name_kana.clone(),
                        name_en: member.name_en.clone(),
                        municipality: member.municipality.clone(),
                        in_region: Some(
                            member
                                .municipality
                                .as_ref()
                                .is_some_and(|m| def.region_municipalities.contains(m)),
                        ),
                        ..Default::default()
                    })?;
                    organisations::insert(&mut tx, data).await?.id
                }
            };
            let role_codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
            sqlx::query(
                "INSERT INTO programme_members (programme_id, organisation_id, roles, duties, position) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&id)
            .bind(&org_id)
            .bind(role_codes.join(","))
            .bind(json!(member.duties).to_string())
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.audit(Change::create("programme", &id, &def.name).after(json!({"slug": def.slug})))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn programmes(&self) -> Result<Vec<Programme>> {
        let rows = sqlx::query("SELECT id FROM programmes ORDER BY created_at, id")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            out.push(self.programme(&get::<String>(&r, "id")?).await?);
        }
        Ok(out)
    }

    pub async fn programme(&self, id: &str) -> Result<Programme> {
        let row = sqlx::query("SELECT * FROM programmes WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let definition = ProgrammeDefinition::parse(&get::<String>(&row, "definition")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let members = sqlx::query(
            "SELECT m.organisation_id, m.roles, m.duties, o.name FROM programme_members m \
             JOIN organisations o ON o.id = m.organisation_id WHERE m.programme_id = $1 \
             ORDER BY m.position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|m| {
            Ok(ProgrammeMember {
                organisation_id: get(m, "organisation_id")?,
                organisation_name: get(m, "name")?,
                roles: parse_roles(&get::<String>(m, "roles")?),
                duties: serde_json::from_str(&get::<String>(m, "duties")?)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Programme {
            id: get(&row, "id")?,
            slug: get(&row, "slug")?,
            definition,
            members,
            created_at: get(&row, "created_at")?,
        })
    }
}

pub(crate) fn parse_roles(codes: &str) -> Vec<Role> {
    codes
        .split(',')
        .filter_map(|c| Role::parse(c).ok())
        .collect()
}

/// The definition is stored as the text it came from, so a programme keeps the exact targets
/// it was started with even when the shipped file changes later.
fn toml_text(def: &ProgrammeDefinition) -> String {
    def.source_text.clone()
}
