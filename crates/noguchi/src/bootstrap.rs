//! Start-up: open the database, migrate, load the bundled programme, open the search index,
//! create the first administrator, serve.

use noguchi_app::App;
use noguchi_domain::programme::{ProgrammeDefinition, SEED_PROGRAMME};
use noguchi_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::path::Path;

/// The e-mail of the administrator created on first start.
pub const FIRST_ADMIN_EMAIL: &str = "admin@noguchi.local";

/// Opens the installation with the bundled seed programme.
pub async fn open(data_dir: &Path, database_url: Option<&str>) -> Result<App, String> {
    let def = ProgrammeDefinition::parse(SEED_PROGRAMME).map_err(|e| e.to_string())?;
    noguchi_app::setup::open(data_dir, database_url, &def).await
}

/// Opens the installation for a command that does not search (see
/// `setup::open_without_index`): it runs while `serve` holds the search index.
pub async fn open_without_index(
    data_dir: &Path,
    database_url: Option<&str>,
) -> Result<App, String> {
    let def = ProgrammeDefinition::parse(SEED_PROGRAMME).map_err(|e| e.to_string())?;
    noguchi_app::setup::open_without_index(data_dir, database_url, &def).await
}

/// Creates the first administrator when there is none and prints its one-time credentials once.
async fn ensure_admin(app: &App) -> Result<(), String> {
    let Some((email, password, organisation)) = app
        .ensure_first_admin(FIRST_ADMIN_EMAIL)
        .await
        .map_err(|e| format!("cannot create the first administrator: {e:?}"))?
    else {
        return Ok(());
    };
    println!(
        "初期管理者を作成しました（この表示は一度だけです） / First administrator created (shown once):"
    );
    println!("  メールアドレス / e-mail:   {email}");
    println!("  パスワード / password:     {password}");
    println!("  所属 / organisation:       {organisation}");
    println!(
        "  初回ログイン時に新しいパスワードを設定してください / Set a new password at first sign-in."
    );
    Ok(())
}

/// Where mail goes and what its links point at.
pub struct MailSettings {
    pub smtp_url: Option<String>,
    pub from: String,
    pub public_url: String,
}

pub async fn serve(
    app: App,
    listen: SocketAddr,
    secure_cookies: bool,
    trusted_proxies: Vec<std::net::IpAddr>,
    mail: MailSettings,
) -> Result<(), String> {
    let app = app.with_public_url(Some(mail.public_url));
    ensure_admin(&app).await?;
    app.spawn_reminders();
    match &mail.smtp_url {
        Some(url) => {
            let mailer = noguchi_app::mail::Mailer::new(url, &mail.from)?;
            app.spawn_mailer(mailer);
            tracing::info!(smtp = %url, "mail is delivered over SMTP");
        }
        None => tracing::info!("no SMTP server configured: mail waits in the outbox"),
    }
    let config = WebConfig {
        secure_cookies,
        trusted_proxies,
        ..WebConfig::default()
    };
    app.spawn_indexer();
    let state = AppState::new(app.clone(), config);
    let router = noguchi_web::app(state);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tracing::info!(%listen, engine = app.engine(), "Noguchi is serving on http://{listen}/");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .map_err(|e| e.to_string())?;
    app.close().await;
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
