//! The `yijian` command line.

use std::io::Read;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::app::{self, Actor};
use crate::config::{Config, ConfigError, Settings};
use crate::db::{Database, DbError};
use crate::domain::Role;
use crate::i18n::{self, Locale};

#[derive(Debug, Parser)]
#[command(
    name = "yijian",
    version,
    about = "Public consultation feedback: drafts, comments, triage, the consultation report"
)]
pub struct Cli {
    /// Configuration file (default: ./yijian.toml when it exists).
    #[arg(long, global = true, env = "YIJIAN_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Parse a draft (.txt, .md or .docx) and print its clause tree, without a database.
    Parse {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = ParseFormat::Json)]
        format: ParseFormat,
    },
    /// Import a draft (.txt, .md or .docx) into a consultation as its current version.
    Import {
        file: PathBuf,
        /// The consultation's id or slug.
        #[arg(long)]
        consultation: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ParseFormat {
    Json,
    Tree,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, staff, approver or department.
        #[arg(long)]
        role: Role,
        /// The unit of a department user: its name, alias or id (it must exist).
        #[arg(long)]
        unit: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new API token for a user.
    Create {
        #[arg(long)]
        email: String,
        /// A label to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Message(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The operator's language for CLI messages, from `LANG`.
pub fn cli_locale() -> Locale {
    std::env::var("LANG")
        .ok()
        .and_then(|l| Locale::parse(&l))
        .unwrap_or(Locale::En)
}

fn app_error(e: app::Error) -> CliError {
    let l = cli_locale();
    match e {
        app::Error::Validation(fields) => CliError::Message(
            fields
                .iter()
                .map(|(f, key)| format!("--{f}: {}", i18n::t(l, key)))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        app::Error::Db(e) => CliError::Db(e),
        other => CliError::Message(other.to_string()),
    }
}

pub fn load_config(cli: &Cli) -> Result<Config, CliError> {
    Ok(Settings::load(cli.config.as_deref())?.resolve()?)
}

pub fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Connects and migrates: what every command that touches the database starts with.
fn open_database(config: &Config) -> Result<Database, CliError> {
    let db = Database::connect(&config.database_url, config.pool_size)?;
    let applied = db.migrate()?;
    for name in &applied {
        tracing::info!(migration = %name, "applied migration");
    }
    Ok(db)
}

fn read_file(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path)
        .map_err(|e| CliError::Message(format!("cannot read {}: {e}", path.display())))
}

fn file_name(path: &std::path::Path) -> Option<String> {
    path.file_name().map(|n| n.to_string_lossy().into_owned())
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    if let Some(Command::Parse { file, format }) = &cli.command {
        // No configuration or database needed.
        let bytes = read_file(file)?;
        let (_, parsed) =
            app::drafts::decode_and_parse(file_name(file).as_deref(), &bytes).map_err(app_error)?;
        match format {
            ParseFormat::Json => println!(
                "{}",
                serde_json::to_string_pretty(&parsed)
                    .map_err(|e| CliError::Message(e.to_string()))?
            ),
            ParseFormat::Tree => {
                print!("{}", crate::domain::clause_parser::render_outline(&parsed))
            }
        }
        return Ok(());
    }
    let config = load_config(&cli)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Parse { .. } => Ok(()),
        Command::Import { file, consultation } => {
            init_tracing("warn");
            let bytes = read_file(&file)?;
            let db = open_database(&config)?;
            let mut conn = db.get()?;
            let c = match crate::db::consultations::find(&mut conn, &consultation)? {
                Some(c) => c,
                None => crate::db::consultations::find_by_slug(&mut conn, &consultation)?
                    .ok_or_else(|| {
                        CliError::Message(format!(
                            "--consultation: no consultation {consultation:?}"
                        ))
                    })?,
            };
            let tree = app::drafts::import(
                &mut conn,
                &c.id,
                file_name(&file).as_deref(),
                &bytes,
                &Actor::cli(),
            )
            .map_err(app_error)?;
            fn count(cs: &[app::drafts::TreeClause]) -> usize {
                cs.iter().map(|c| 1 + count(&c.children)).sum()
            }
            println!(
                "imported {} as version {} ({}) of {}: {} clauses",
                file.display(),
                tree.version.version_no,
                tree.version.label,
                c.slug,
                count(&tree.clauses)
            );
            if !tree.unmatched_units.is_empty() {
                println!(
                    "units not in the directory: {}",
                    tree.unmatched_units.join("、")
                );
            }
            Ok(())
        }
        Command::Serve => {
            init_tracing(&config.log);
            let db = open_database(&config)?;
            let mut conn = db.get()?;
            if crate::db::users::count_active_admins(&mut conn)? == 0 {
                eprintln!("{}", i18n::t(cli_locale(), "cli.no_admin"));
            }
            drop(conn);
            tracing::info!(database = db.backend.as_str(), base_url = %config.base_url, "starting");
            actix_web::rt::System::new().block_on(crate::web::serve(config, db))?;
            Ok(())
        }
        Command::Migrate => {
            init_tracing("warn");
            let db = Database::connect(&config.database_url, 1)?;
            let applied = db.migrate()?;
            if applied.is_empty() {
                println!("database is up to date ({})", db.backend.as_str());
            } else {
                for m in applied {
                    println!("applied {m}");
                }
            }
            Ok(())
        }
        Command::User(UserCommand::Create {
            email,
            name,
            role,
            unit,
            password_stdin,
        }) => {
            init_tracing("warn");
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                let line = s.lines().next().unwrap_or("").to_string();
                if line.is_empty() {
                    return Err(CliError::Message(
                        "--password-stdin: standard input held no password".into(),
                    ));
                }
                Some(line)
            } else {
                None
            };
            let db = open_database(&config)?;
            let mut conn = db.get()?;
            let user = app::users::create_user(
                &mut conn,
                app::users::CreateUser {
                    email,
                    name,
                    role,
                    unit,
                    password,
                },
                &Actor::cli(),
            )
            .map_err(app_error)?;
            println!("created {} user {} ({})", user.role, user.email, user.id);
            Ok(())
        }
        Command::Token(TokenCommand::Create { email, name }) => {
            init_tracing("warn");
            let db = open_database(&config)?;
            let mut conn = db.get()?;
            let token = app::users::create_token(&mut conn, &email, &name, &Actor::cli())
                .map_err(app_error)?;
            println!("{token}");
            Ok(())
        }
    }
}
