//! Keeps the search index in step with the database: changes are queued in the same
//! transaction as the write (storage), applied here by a background worker and before every
//! search (so a search always sees the caller's own writes), and `reindex` rebuilds everything.

use crate::App;
use noguchi_domain::access::{Sight, need_audience, project_audience, system_sight};
use noguchi_search::{Doc, SearchIndex};
use noguchi_storage::{Store, StoreError};
use std::time::Duration;

const MEMBERS: &str = "members";

/// The indexed text of a seed besides its title (matching explains candidates with it too).
pub fn seed_body(s: &noguchi_storage::Seed) -> String {
    format!(
        "{}\n{}\n{}",
        s.data.description,
        s.data.fields.join(" "),
        s.holder_name
    )
}

/// The indexed text of an organisation besides its name: what it can do and where it is.
pub fn organisation_body(d: &noguchi_domain::organisation::OrganisationData) -> String {
    [
        d.name_kana.as_ref().map(|k| k.as_str().to_owned()),
        d.name_en.clone(),
        d.industry.clone(),
        d.municipality.clone(),
        Some(d.capabilities.join(" ")),
        Some(d.certifications.join(" ")),
        d.notes.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n")
}

/// The index document of a record, or None when it no longer exists.
/// Read with the system's sight: the index holds every record, each with its audience.
async fn document(store: &Store, entity: &str, id: &str) -> Result<Option<Doc>, StoreError> {
    let all: Sight = system_sight();
    let found = match entity {
        "need" => store.need(&all, id).await.map(|n| {
            let audience = need_audience(&n.scope());
            let body = n
                .data
                .texts()
                .into_iter()
                .skip(1)
                .chain(n.data.department.as_deref())
                .chain(n.data.setting.as_deref())
                .collect::<Vec<_>>()
                .join("\n");
            Doc {
                id: n.id,
                kind: "need".into(),
                audience,
                title: n.data.title,
                body,
            }
        }),
        "seed" => store.seed(&all, id).await.map(|s| Doc {
            body: seed_body(&s),
            id: s.id,
            kind: "seed".into(),
            audience: vec![MEMBERS.into()],
            title: s.data.title,
        }),
        "organisation" => store.organisation(id).await.map(|o| Doc {
            body: organisation_body(&o.data),
            id: o.id,
            kind: "organisation".into(),
            audience: vec![MEMBERS.into()],
            title: o.data.name,
        }),
        "project" => store.project(&all, id).await.map(|p| {
            let members = p.member_ids();
            let body = [
                p.data.summary.clone(),
                p.data.device.clone(),
                p.data.general_name.clone(),
                Some(
                    p.members
                        .iter()
                        .map(|m| m.organisation_name.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n");
            Doc {
                audience: project_audience(&p.programme_id, &members),
                id: p.id,
                kind: "project".into(),
                title: p.data.title,
                body,
            }
        }),
        _ => return Ok(None),
    };
    match found {
        Ok(doc) => Ok(Some(doc)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

impl App {
    /// Applies the queued changes; returns how many were applied.
    pub async fn apply_queue(&self) -> Result<usize, String> {
        let state = self;
        let _guard = state.indexing.lock().await;
        let mut applied = 0;
        loop {
            let batch = state
                .store
                .search_queue(200)
                .await
                .map_err(|e| e.to_string())?;
            if batch.is_empty() {
                return Ok(applied);
            }
            let mut docs = Vec::new();
            let mut gone = Vec::new();
            for change in &batch {
                match document(&state.store, &change.entity, &change.entity_id)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    Some(d) => docs.push(d),
                    None => gone.push(change.entity_id.clone()),
                }
            }
            state.search.upsert(&docs).map_err(|e| e.to_string())?;
            if !gone.is_empty() {
                state.search.delete(&gone).map_err(|e| e.to_string())?;
            }
            let ids: Vec<String> = batch.into_iter().map(|c| c.id).collect();
            applied += ids.len();
            state
                .store
                .ack_search_queue(&ids)
                .await
                .map_err(|e| e.to_string())?;
        }
    }

    /// Applies the queue every quarter second, for as long as the server runs.
    pub fn spawn_indexer(&self) {
        let app = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = app.apply_queue().await {
                    tracing::error!(%e, "search indexing");
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
    }

    /// Rebuilds the index from the database; returns the number of documents.
    pub async fn reindex(&self) -> Result<usize, String> {
        reindex(&self.store, &self.search).await
    }
}

/// Rebuilds `index` from the database; returns the number of documents.
pub async fn reindex(store: &Store, index: &SearchIndex) -> Result<usize, String> {
    // Changes queued before the rebuild are covered by it; later ones stay queued for the worker.
    let covered: Vec<String> = store
        .search_queue(i64::MAX)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|c| c.id)
        .collect();
    index.clear().map_err(|e| e.to_string())?;
    let mut docs = Vec::new();
    for (entity, id) in store.searchable().await.map_err(|e| e.to_string())? {
        if let Some(d) = document(store, &entity, &id)
            .await
            .map_err(|e| e.to_string())?
        {
            docs.push(d);
        }
    }
    for chunk in docs.chunks(1000) {
        index.upsert(chunk).map_err(|e| e.to_string())?;
    }
    store
        .ack_search_queue(&covered)
        .await
        .map_err(|e| e.to_string())?;
    Ok(docs.len())
}
