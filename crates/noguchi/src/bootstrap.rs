//! Start-up: open the database, migrate, load the bundled programme, create the first
//! administrator, serve.

use noguchi_domain::access::{Role, permission, system_grant};
use noguchi_domain::person::Email;
use noguchi_domain::programme::{ProgrammeDefinition, SEED_PROGRAMME};
use noguchi_search::{Japanese, SearchIndex};
use noguchi_storage::{NewUser, Store};
use noguchi_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// The e-mail of the administrator created on first start.
pub const FIRST_ADMIN_EMAIL: &str = "admin@noguchi.local";

/// Opens the database, brings its schema up to date and loads the seed programme (once).
pub async fn open(data_dir: &Path, database_url: Option<&str>) -> Result<Store, String> {
    let store = match database_url.filter(|u| !u.is_empty()) {
        Some(url) => Store::open(url).await,
        None => Store::open_data_dir(data_dir).await,
    }
    .map_err(|e| format!("cannot open the database: {e}"))?;
    store
        .migrate()
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    let def = ProgrammeDefinition::parse(SEED_PROGRAMME).map_err(|e| e.to_string())?;
    store
        .load_programme(&def)
        .await
        .map_err(|e| format!("cannot load the programme: {e}"))?;
    Ok(store)
}

/// Creates the first administrator when there is none, in the seed programme's first
/// secretariat organisation, and prints its one-time credentials once.
async fn ensure_admin(store: &Store) -> Result<(), String> {
    if store.count_admins().await.map_err(|e| e.to_string())? > 0 {
        return Ok(());
    }
    let programmes = store.programmes().await.map_err(|e| e.to_string())?;
    let org = programmes
        .iter()
        .flat_map(|p| &p.members)
        .find(|m| m.roles.contains(&Role::Secretariat))
        .ok_or("no secretariat organisation to attach the administrator to")?;
    let password = noguchi_web::password::generate();
    let hash = {
        let p = password.clone();
        tokio::task::spawn_blocking(move || noguchi_web::password::hash(&p))
            .await
            .map_err(|e| e.to_string())?
    };
    store
        .create_user(
            &system_grant::<permission::ManageUsers>(),
            NewUser {
                email: Email::parse(FIRST_ADMIN_EMAIL).map_err(|_| "bad admin e-mail")?,
                name: "管理者".into(),
                organisation_id: org.organisation_id.clone(),
                password_hash: hash,
                admin: true,
                must_change_password: true,
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "初期管理者を作成しました（この表示は一度だけです） / First administrator created (shown once):"
    );
    println!("  メールアドレス / e-mail:   {FIRST_ADMIN_EMAIL}");
    println!("  パスワード / password:     {password}");
    println!("  所属 / organisation:       {}", org.organisation_name);
    println!(
        "  初回ログイン時に新しいパスワードを設定してください / Set a new password at first sign-in."
    );
    Ok(())
}

/// Opens the search index in the data directory, rebuilding it when it is new or its format
/// changed (it is derived data).
pub async fn open_index(store: &Store, data_dir: &Path) -> Result<Arc<SearchIndex>, String> {
    let analyzer = Japanese::new().map_err(|e| e.to_string())?;
    let (index, fresh) =
        SearchIndex::open_in_dir(&data_dir.join("search"), analyzer).map_err(|e| e.to_string())?;
    if fresh {
        let n = noguchi_web::indexer::reindex(store, &index).await?;
        tracing::info!(documents = n, "search index built");
    }
    Ok(Arc::new(index))
}

pub async fn serve(
    store: Store,
    data_dir: &Path,
    listen: SocketAddr,
    secure_cookies: bool,
) -> Result<(), String> {
    ensure_admin(&store).await?;
    let config = WebConfig {
        secure_cookies,
        ..WebConfig::default()
    };
    let index = open_index(&store, data_dir).await?;
    let state = AppState::new(store.clone(), config, index);
    noguchi_web::indexer::spawn_worker(state.clone());
    let app = noguchi_web::app(state);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tracing::info!(%listen, engine = store.engine().name(), "Noguchi is serving on http://{listen}/");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .map_err(|e| e.to_string())?;
    store.close().await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
