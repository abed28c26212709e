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
    /// Write a consultation's report to a file: the live report, or a published edition.
    Report {
        /// The consultation's id or slug.
        consultation: String,
        #[arg(long, value_enum, default_value_t = ReportFormat::Docx)]
        format: ReportFormat,
        /// internal (full names) or public (personal names masked).
        #[arg(long, value_enum, default_value_t = ReportEdition::Internal)]
        edition: ReportEdition,
        /// A published edition's number: write that frozen snapshot instead of the live report.
        #[arg(long)]
        publication: Option<i64>,
        /// Where to write; `-` for standard output.
        #[arg(long)]
        out: PathBuf,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Json,
    Html,
    Docx,
    Xlsx,
    Csv,
}

impl ReportFormat {
    fn format(self) -> crate::export::Format {
        use crate::export::Format;
        match self {
            ReportFormat::Json => Format::Json,
            ReportFormat::Html => Format::Html,
            ReportFormat::Docx => Format::Docx,
            ReportFormat::Xlsx => Format::Xlsx,
            ReportFormat::Csv => Format::Csv,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportEdition {
    Internal,
    Public,
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

/// Connects and migrates: what every command that touches the database starts with (the
/// server with its pool, the other commands with [`Database::connect_for_command`]).
fn open_database(config: &Config, serving: bool) -> Result<Database, CliError> {
    let db = if serving {
        Database::connect(&config.database_url, config.pool_size)?
    } else {
        Database::connect_for_command(&config.database_url)?
    };
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

/// How to run this program again from the operator's shell: `cargo run --release --` when it
/// was started by cargo (or from a build under `target/`), else its name.
pub fn invocation() -> String {
    let exe = std::env::current_exe().ok();
    let in_target = exe.as_ref().is_some_and(|p| {
        p.components()
            .any(|c| c.as_os_str() == std::ffi::OsStr::new("target"))
    });
    if std::env::var_os("CARGO").is_some() || in_target {
        let release = exe
            .as_ref()
            .is_some_and(|p| p.components().any(|c| c.as_os_str() == "release"));
        if release {
            "cargo run --release --".into()
        } else {
            "cargo run --".into()
        }
    } else {
        "yijian".into()
    }
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
            let db = open_database(&config, false)?;
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
        Command::Report {
            consultation,
            format,
            edition,
            publication,
            out,
        } => {
            init_tracing("warn");
            let db = open_database(&config, false)?;
            let mut conn = db.get()?;
            report(
                &mut conn,
                &consultation,
                format.format(),
                edition,
                publication,
                &out,
            )
        }
        Command::Serve => {
            init_tracing(&config.log);
            let db = open_database(&config, true)?;
            let mut conn = db.get()?;
            if let Some(token) = app::setup::issue_token(&mut conn).map_err(app_error)? {
                let link = format!("{}/setup?token={token}", config.base_url);
                eprintln!(
                    "{}",
                    i18n::tf(cli_locale(), "setup.log_link", &[("link", link.as_str())])
                );
                eprintln!(
                    "{}",
                    i18n::tf(cli_locale(), "cli.no_admin", &[("cmd", &invocation())])
                );
            }
            drop(conn);
            tracing::info!(database = db.backend.as_str(), base_url = %config.base_url, "starting");
            actix_web::rt::System::new().block_on(crate::web::serve(config, db))?;
            Ok(())
        }
        Command::Migrate => {
            init_tracing("warn");
            let db = Database::connect_for_command(&config.database_url)?;
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
            let db = open_database(&config, false)?;
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
            let db = open_database(&config, false)?;
            let mut conn = db.get()?;
            let token = app::users::create_token(&mut conn, &email, &name, &Actor::cli())
                .map_err(app_error)?;
            println!("{token}");
            Ok(())
        }
    }
}

/// Reports with at least this many rows show a progress bar on a terminal.
const PROGRESS_FROM_ROWS: usize = 2_000;

/// Progress of `yijian report` on standard error: a bar on a terminal, one line per step
/// otherwise (so logs of scripted runs show where time went).
struct Progress {
    tty: bool,
    started: std::time::Instant,
    steps: usize,
    shown: bool,
}

impl Progress {
    fn new(steps: usize) -> Self {
        Progress {
            tty: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            started: std::time::Instant::now(),
            steps,
            shown: false,
        }
    }

    /// Step `done` of the steps is finished; `what` says what comes next.
    fn step(&mut self, done: usize, what: &str, rows: usize) {
        if rows < PROGRESS_FROM_ROWS {
            return;
        }
        self.shown = true;
        let elapsed = self.started.elapsed().as_secs_f64();
        if self.tty {
            const WIDTH: usize = 30;
            let filled = WIDTH * done / self.steps.max(1);
            eprint!(
                "\r[{}{}] {done}/{} {what:<28} {rows} rows {elapsed:.1}s",
                "#".repeat(filled),
                "-".repeat(WIDTH - filled),
                self.steps
            );
        } else {
            eprintln!(
                "report: {done}/{} {what} ({rows} rows, {elapsed:.1}s)",
                self.steps
            );
        }
    }

    fn finish(&self) {
        if self.shown && self.tty {
            eprintln!();
        }
    }
}

fn report(
    conn: &mut crate::db::DbConnection,
    key: &str,
    format: crate::export::Format,
    edition: ReportEdition,
    publication: Option<i64>,
    out: &std::path::Path,
) -> Result<(), CliError> {
    use crate::domain::report::Edition;
    let edition = match edition {
        ReportEdition::Internal => Edition::Internal,
        ReportEdition::Public => Edition::Public,
    };
    let actor = Actor::cli();
    let c = app::report::find_consultation(conn, key).map_err(|e| match e {
        app::Error::NotFound => CliError::Message(format!("no consultation {key:?}")),
        other => app_error(other),
    })?;
    let mut progress = Progress::new(4);
    let model = match publication {
        Some(n) => {
            app::report::published(conn, &c.id, Some(n), edition, &actor)
                .map_err(|e| match e {
                    app::Error::NotFound => {
                        CliError::Message(format!("--publication: {} has no edition {n}", c.slug))
                    }
                    other => app_error(other),
                })?
                .report
        }
        None => {
            let g = app::report::Gathered::read(conn, &c.id).map_err(app_error)?;
            let rows = g.opinions.len();
            progress.step(1, "building the report", rows);
            let config = app::report::config_of(&g.consultation);
            crate::domain::report::build(g.input(edition, config))
        }
    };
    let rows: usize = model.sections.iter().map(|s| s.rows.len()).sum();
    progress.step(2, &format!("rendering {}", format.as_str()), rows);
    let bytes = crate::export::render(&model, format)
        .map_err(|e| CliError::Message(format!("rendering the report failed: {e}")))?;
    progress.step(3, "writing", rows);
    if out.as_os_str() == "-" {
        use std::io::Write;
        std::io::stdout().write_all(&bytes)?;
    } else {
        std::fs::write(out, &bytes)
            .map_err(|e| CliError::Message(format!("cannot write {}: {e}", out.display())))?;
    }
    progress.step(4, "done", rows);
    progress.finish();
    if out.as_os_str() != "-" {
        eprintln!(
            "wrote {} ({} edition, {rows} rows, {} bytes) to {}",
            format.as_str(),
            edition.as_str(),
            bytes.len(),
            out.display()
        );
    }
    Ok(())
}
