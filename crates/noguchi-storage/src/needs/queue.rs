//! The search queue: every write of a searchable record queues its id in the same transaction,
//! and the index worker applies the queue (or rebuilds from every searchable record).

use crate::sql::get;
use crate::{Result, Store, new_id, timestamp};
use sqlx::AnyConnection;

/// A queued change for the search index.
#[derive(Debug, Clone)]
pub struct QueuedChange {
    pub id: String,
    pub entity: String,
    pub entity_id: String,
}

pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    now: time::OffsetDateTime,
    entity: &str,
    id: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO search_queue (id, entity, entity_id, enqueued_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(new_id(now))
    .bind(entity)
    .bind(id)
    .bind(timestamp(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// The oldest queued changes for the search index.
    pub async fn search_queue(&self, limit: i64) -> Result<Vec<QueuedChange>> {
        sqlx::query("SELECT id, entity, entity_id FROM search_queue ORDER BY id LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(QueuedChange {
                    id: get(r, "id")?,
                    entity: get(r, "entity")?,
                    entity_id: get(r, "entity_id")?,
                })
            })
            .collect()
    }

    /// Removes applied changes from the queue.
    pub async fn ack_search_queue(&self, ids: &[String]) -> Result<()> {
        let mut tx = self.write().await?;
        for id in ids {
            sqlx::query("DELETE FROM search_queue WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every searchable record, for a rebuild: (entity, id).
    pub async fn searchable(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for (entity, table) in [
            ("need", "needs"),
            ("seed", "seeds"),
            ("organisation", "organisations"),
            ("project", "projects"),
        ] {
            for r in sqlx::query(&format!("SELECT id FROM {table} ORDER BY id"))
                .fetch_all(&self.pool)
                .await?
            {
                out.push((entity.to_owned(), get(&r, "id")?));
            }
        }
        Ok(out)
    }
}
