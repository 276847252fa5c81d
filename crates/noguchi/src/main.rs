//! The `noguchi` binary: `serve`, `user add`, `token issue`, `reindex`, `search-eval` (see
//! README.md and the interface contract). It is the command-line adapter over the use cases of
//! `noguchi-app`: it parses arguments, calls one use case and prints; it holds no business rule.

mod bootstrap;
mod memory;

use clap::{Args, Parser, Subcommand};
use noguchi_web::i18n::{Lang, Tr};
use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "noguchi",
    version,
    about = "Noguchi: the platform of a regional medical-engineering collaboration programme"
)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Directory of the embedded SQLite database (and other local data).
    #[arg(
        long,
        global = true,
        env = "NOGUCHI_DATA_DIR",
        default_value = "./noguchi-data"
    )]
    data_dir: PathBuf,
    /// postgres://… selects PostgreSQL; absent: the embedded SQLite in the data directory.
    #[arg(long, global = true, env = "NOGUCHI_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web server (pages and JSON API).
    Serve {
        #[arg(long, env = "NOGUCHI_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Send cookies without the Secure flag (only for plain HTTP on a host other than localhost).
        #[arg(long, env = "NOGUCHI_INSECURE_COOKIES")]
        insecure_cookies: bool,
        /// Addresses of reverse proxies in front of Noguchi, comma-separated: behind them the
        /// client's address is read from X-Forwarded-For.
        #[arg(long, env = "NOGUCHI_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxy: Vec<std::net::IpAddr>,
        /// The SMTP server mail is delivered to (`smtp://host[:port]`, a relay). Without it,
        /// mail waits in the outbox.
        #[arg(long, env = "NOGUCHI_SMTP_URL")]
        smtp_url: Option<String>,
        /// The sender of Noguchi's mail.
        #[arg(long, env = "NOGUCHI_SMTP_FROM", default_value = "noguchi@localhost")]
        smtp_from: String,
        /// The address people reach Noguchi at (`https://noguchi.example.jp`), for links in
        /// mail; default http://LISTEN.
        #[arg(long, env = "NOGUCHI_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Manages accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Evaluates the search engine on a retrieval collection (corpus.json, queries.json,
    /// qrels.json in DIR) and prints recall@k, ndcg@k, mrr@k, p50_ms, p99_ms, index_s.
    SearchEval {
        #[arg(long)]
        collection: std::path::PathBuf,
        #[arg(long, default_value_t = 10)]
        k: usize,
    },
    /// Rebuilds the search index from the database.
    Reindex,
    /// Manages API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Checks the audit log's hash chain; exit 0 when intact, else names the first broken record.
    Verify,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Creates an account; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The organisation's id or exact name.
        #[arg(long)]
        org: String,
        #[arg(long)]
        admin: bool,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Ends the account's sessions and tokens at once; it can no longer sign in.
    Disable {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Prints a new bearer token for the API on standard output.
    Issue {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        label: String,
        /// Days the token is valid (1–366; default 90).
        #[arg(long)]
        days: Option<i64>,
    },
    /// The account's tokens: id, label, created, expires, last used (never the secrets).
    List {
        #[arg(long)]
        email: String,
    },
    /// Ends a token at once.
    Revoke {
        #[arg(long)]
        id: String,
    },
}

fn main() -> ExitCode {
    memory::return_large_blocks();
    let cli = Cli::parse();
    let level = match std::env::var("NOGUCHI_LOG").as_deref() {
        Ok("debug") => tracing::Level::DEBUG,
        Ok("warn") => tracing::Level::WARN,
        _ => tracing::Level::INFO,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("noguchi: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("noguchi: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read_json<T: serde::de::DeserializeOwned>(
    dir: &std::path::Path,
    name: &str,
) -> Result<T, String> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// `search-eval`: needs no database, only the collection.
fn search_eval(dir: &std::path::Path, k: usize) -> Result<(), String> {
    let corpus = read_json(dir, "corpus.json")?;
    let queries = read_json(dir, "queries.json")?;
    let qrels = read_json(dir, "qrels.json")?;
    let r = noguchi_app::search::eval::evaluate(&corpus, &queries, &qrels, k)
        .map_err(|e| e.to_string())?;
    println!("recall@{k} {:.3}", r.recall);
    println!("ndcg@{k} {:.3}", r.ndcg);
    println!("mrr@{k} {:.3}", r.mrr);
    println!("p50_ms {:.3}", r.p50_ms);
    println!("p99_ms {:.3}", r.p99_ms);
    println!("index_s {:.3}", r.index_s);
    Ok(())
}

async fn run(cli: Cli) -> Result<(), String> {
    if let Command::SearchEval { collection, k } = &cli.command {
        // Needs no database: evaluate before opening one.
        return search_eval(collection, *k);
    }
    let (data_dir, url) = (&cli.db.data_dir, cli.db.database_url.as_deref());
    let app = match cli.command {
        Command::Serve { .. } | Command::Reindex => bootstrap::open(data_dir, url).await?,
        // Accounts, tokens and the audit log: these run beside a serving process.
        _ => bootstrap::open_without_index(data_dir, url).await?,
    };
    let tr = Tr(Lang::Ja);
    match cli.command {
        Command::SearchEval { collection, k } => search_eval(&collection, k),
        Command::Serve {
            listen,
            insecure_cookies,
            trusted_proxy,
            smtp_url,
            smtp_from,
            public_url,
        } => {
            let mail = bootstrap::MailSettings {
                smtp_url,
                from: smtp_from,
                public_url: public_url.unwrap_or_else(|| format!("http://{listen}")),
            };
            bootstrap::serve(app, listen, !insecure_cookies, trusted_proxy, mail).await
        }
        Command::Reindex => {
            let n = app.reindex().await?;
            eprintln!("{n} documents indexed");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    org,
                    admin,
                    password_stdin: _,
                },
        } => {
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .map_err(|e| format!("standard input: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']);
            let created = app
                .add_user(&email, &name, &org, admin, password)
                .await
                .map_err(|e| describe(tr, e, &org))?;
            eprintln!(
                "{} ({}, {})",
                created.email, created.name, created.organisation_name
            );
            Ok(())
        }
        Command::User {
            command: UserCommand::Disable { email },
        } => {
            let user = app
                .user_by_email(&email)
                .await
                .map_err(|e| describe(tr, e, &email))?;
            let user = app
                .disable_user(&noguchi_domain::access::system_sight(), &user.id)
                .await
                .map_err(|e| describe(tr, e, &email))?;
            eprintln!("{} disabled: sessions and tokens ended", user.email);
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Issue { email, label, days },
        } => {
            let (_, token) = app
                .issue_token(&email, &label, days)
                .await
                .map_err(|e| describe(tr, e, &email))?;
            println!("{token}");
            Ok(())
        }
        Command::Token {
            command: TokenCommand::List { email },
        } => {
            let tokens = app
                .tokens_of(&email)
                .await
                .map_err(|e| describe(tr, e, &email))?;
            println!("id\tlabel\tcreated\texpires\tlast_used");
            for t in tokens {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.label,
                    t.created_at,
                    t.expires_at.unwrap_or_else(|| "-".into()),
                    t.last_used_at.unwrap_or_else(|| "-".into())
                );
            }
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Revoke { id },
        } => {
            app.revoke_token(&noguchi_domain::access::system_sight(), &id)
                .await
                .map_err(|e| describe(tr, e, &id))?;
            eprintln!("token {id} revoked");
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => match app.verify_audit().await.map_err(|e| describe(tr, e, ""))? {
            Ok((n, head)) => {
                println!("audit log intact: {n} records");
                // Keeping the head elsewhere lets a later check see a last record taken out.
                println!("head {head}");
                Ok(())
            }
            Err(b) => Err(format!(
                "audit log broken at record {} (sequence {}): {}",
                b.id, b.seq, b.reason
            )),
        },
    }
}

/// An error of a use case as one line for the operator, in Japanese.
fn describe(tr: Tr, e: noguchi_app::Error, subject: &str) -> String {
    match e {
        noguchi_app::Error::Invalid(i) => {
            let mut m =
                i.0.iter()
                    .map(|f| tr.problem(&f.field, &f.problem))
                    .collect::<Vec<_>>()
                    .join(" ");
            if i.0
                .iter()
                .any(|f| f.problem == noguchi_domain::Problem::UnknownReference)
            {
                m.push_str(&format!(" ({subject})"));
            }
            m
        }
        noguchi_app::Error::NotFound => format!("not found: {subject}"),
        other => format!("{other:?}"),
    }
}
