//! The nomenclature of medical devices as imported: kept whole per JMDN code, changed only by an
//! import (all rows or none), read by anyone signed in (it is public data).

use crate::audit::Change;
use crate::sql::get;
use crate::{Result, Store, StoreError, timestamp};
use noguchi_domain::access::{Granted, permission};
use noguchi_domain::nomenclature::DeviceName;
use noguchi_domain::project::DeviceClass;
use serde_json::json;
use sqlx::any::AnyRow;

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NomenclatureCounts {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

fn from_row(r: &AnyRow) -> Result<DeviceName> {
    Ok(DeviceName {
        code: get(r, "code")?,
        name: get(r, "name")?,
        class: DeviceClass::parse(&get::<String>(r, "class")?)
            .map_err(|_| StoreError::Corrupt("device_names.class".into()))?,
        certification_standard: crate::sql::flag(r, "certification_standard")?,
        definition: get(r, "definition")?,
    })
}

impl Store {
    /// How the names of an import compare with those kept (nothing is written).
    pub async fn compare_device_names(&self, names: &[DeviceName]) -> Result<NomenclatureCounts> {
        let mut conn = self.pool.acquire().await?;
        let mut c = NomenclatureCounts::default();
        for n in names {
            let kept = sqlx::query("SELECT * FROM device_names WHERE code = $1")
                .bind(&n.code)
                .fetch_optional(&mut *conn)
                .await?;
            match kept {
                None => c.added += 1,
                Some(r) if &from_row(&r)? == n => c.unchanged += 1,
                Some(_) => c.changed += 1,
            }
        }
        Ok(c)
    }

    /// Adds and updates the names of an import in one step (names the file does not hold are
    /// kept: PMDA retires names rarely, and a project may still use one).
    pub async fn import_device_names(
        &self,
        grant: &Granted<permission::ManageNomenclature>,
        names: &[DeviceName],
    ) -> Result<NomenclatureCounts> {
        let counts = self.compare_device_names(names).await?;
        let mut tx = self.begin(grant.actor()).await?;
        let now = timestamp(tx.now());
        for n in names {
            let updated = sqlx::query(
                "UPDATE device_names SET name = $1, class = $2, certification_standard = $3, \
                 definition = $4, imported_at = $5 WHERE code = $6",
            )
            .bind(&n.name)
            .bind(n.class.code())
            .bind(i64::from(n.certification_standard))
            .bind(n.definition.clone())
            .bind(&now)
            .bind(&n.code)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                sqlx::query(
                    "INSERT INTO device_names (code, name, class, certification_standard, definition, imported_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&n.code)
                .bind(&n.name)
                .bind(n.class.code())
                .bind(i64::from(n.certification_standard))
                .bind(n.definition.clone())
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.audit(
            Change::update("nomenclature", "device_names", "一般的名称").after(json!({
                "rows": names.len(), "added": counts.added, "changed": counts.changed,
                "unchanged": counts.unchanged,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// The kept name spelled exactly so (width folded by the caller), if any.
    pub async fn device_name(&self, name: &str) -> Result<Option<DeviceName>> {
        sqlx::query("SELECT * FROM device_names WHERE name = $1 ORDER BY code LIMIT 1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// Names containing `q` (or whose code starts with it), at most `limit`, by name.
    pub async fn device_names(&self, q: &str, limit: i64) -> Result<(i64, Vec<DeviceName>)> {
        let total: i64 = get(
            &sqlx::query("SELECT COUNT(*) AS n FROM device_names")
                .fetch_one(&self.pool)
                .await?,
            "n",
        )?;
        let pattern = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let rows = sqlx::query(
            "SELECT * FROM device_names WHERE name LIKE $1 ESCAPE '\\' OR code LIKE $2 \
             ORDER BY name, code LIMIT $3",
        )
        .bind(pattern)
        .bind({
            // The start of a code, when the query has digits; otherwise a pattern no code matches.
            let digits: String = q.chars().filter(char::is_ascii_digit).collect();
            if digits.is_empty() {
                "-".to_owned()
            } else {
                format!("{digits}%")
            }
        })
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok((total, rows.iter().map(from_row).collect::<Result<_>>()?))
    }
}
