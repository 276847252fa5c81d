//! Opening an installation: the database (embedded SQLite in the data directory, or PostgreSQL
//! by URL), its schema brought up to date, the bundled programme loaded once, and the search
//! index, which is derived data and rebuilt when it is new.

use crate::App;
use noguchi_domain::programme::ProgrammeDefinition;
use noguchi_search::{Japanese, SearchIndex};
use noguchi_storage::Store;
use std::path::Path;
use std::sync::Arc;

/// Where the search index lives inside the data directory (also with PostgreSQL).
pub fn index_dir(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("search")
}

/// Opens the database, migrates it and loads `programme` unless it is there already.
pub async fn open_store(
    data_dir: &Path,
    database_url: Option<&str>,
    programme: &ProgrammeDefinition,
) -> Result<Store, String> {
    let store = match database_url.filter(|u| !u.is_empty()) {
        Some(url) => Store::open(url).await,
        None => Store::open_data_dir(data_dir).await,
    }
    .map_err(|e| format!("cannot open the database: {e}"))?;
    store
        .migrate()
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    store
        .load_programme(programme)
        .await
        .map_err(|e| format!("cannot load the programme: {e}"))?;
    Ok(store)
}

/// Opens the whole application, with the search index in the data directory (rebuilt from the
/// database when it is new).
pub async fn open(
    data_dir: &Path,
    database_url: Option<&str>,
    programme: &ProgrammeDefinition,
) -> Result<App, String> {
    open_with(data_dir, database_url, programme, true).await
}

/// Opens the application for a command that neither searches nor matches (accounts, tokens,
/// the audit log): the search index on disk is left alone, so these commands run beside a
/// serving process, which holds the index's single writer. Their writes are queued in the
/// database like every write and reach the index through the serving process's worker.
pub async fn open_without_index(
    data_dir: &Path,
    database_url: Option<&str>,
    programme: &ProgrammeDefinition,
) -> Result<App, String> {
    open_with(data_dir, database_url, programme, false).await
}

async fn open_with(
    data_dir: &Path,
    database_url: Option<&str>,
    programme: &ProgrammeDefinition,
    with_index: bool,
) -> Result<App, String> {
    let store = open_store(data_dir, database_url, programme).await?;
    let analyzer = Japanese::new().map_err(|e| e.to_string())?;
    let (index, fresh) = if with_index {
        SearchIndex::open_in_dir(&index_dir(data_dir), analyzer)
    } else {
        SearchIndex::in_ram(analyzer).map(|i| (i, false))
    }
    .map_err(|e| e.to_string())?;
    let app = App::new(store, Arc::new(index));
    if fresh {
        let n = app.reindex().await?;
        tracing::info!(documents = n, "search index built");
    }
    Ok(app)
}

impl App {
    /// The database engine's name (`sqlite` or `postgres`).
    pub fn engine(&self) -> &'static str {
        self.store.engine().name()
    }

    pub async fn close(&self) {
        self.store.close().await;
    }
}
