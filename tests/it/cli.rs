//! The `yijian` binary: configuration, clear one-line errors, user and token commands,
//! serving and graceful shutdown.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::support::{BIN, TestDb, free_port, pg_url};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A command run in a clean directory with a clean `YIJIAN_*` environment.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .current_dir(self.dir.path())
            .env("LANG", "en_US.UTF-8");
        for (k, _) in std::env::vars() {
            if k.starts_with("YIJIAN_") {
                c.env_remove(k);
            }
        }
        c
    }

    fn run(&self, args: &[&str], envs: &[(&str, &str)], stdin: &str) -> Output {
        let mut c = self.cmd(args);
        c.envs(envs.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

/// What the command wrote to stderr, after how it ended (an exit code, or the signal that
/// ended it).
fn stderr(o: &Output) -> String {
    format!("{}: {}", o.status, String::from_utf8_lossy(&o.stderr))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A failure is one clear line, a non-zero exit, never a panic.
fn assert_clean_failure(o: &Output, needle: &str) {
    let err = stderr(o);
    assert!(!o.status.success(), "expected failure, got success: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err:?}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err:?}");
}

#[test]
fn bad_database_urls_fail_with_one_clear_line() {
    let env = Env::new();
    for (url, needle) in [
        ("mysql://root@localhost/db", "unsupported database URL"),
        ("just-a-path.db", "unsupported database URL"),
        (
            "postgres://nobody@127.0.0.1:1/nothing",
            "cannot connect to postgres://nobody@127.0.0.1:1/nothing",
        ),
    ] {
        for args in [&["migrate"][..], &["serve"][..]] {
            let o = env.run(args, &[("YIJIAN_DATABASE_URL", url)], "");
            assert_clean_failure(&o, needle);
        }
    }
}

#[test]
fn passwords_in_database_urls_are_not_printed() {
    let env = Env::new();
    let o = env.run(
        &["migrate"],
        &[(
            "YIJIAN_DATABASE_URL",
            "postgres://u:hunter2secret@127.0.0.1:1/x",
        )],
        "",
    );
    assert_clean_failure(&o, "cannot connect");
    assert!(!stderr(&o).contains("hunter2secret"));
}

#[test]
fn config_file_is_read_and_environment_wins() {
    let env = Env::new();
    std::fs::write(
        env.dir.path().join("yijian.toml"),
        "database_url = \"mysql://from-file\"\n",
    )
    .unwrap();
    let o = env.run(&["migrate"], &[], "");
    assert_clean_failure(&o, "mysql://from-file");

    let db = format!("sqlite://{}", env.dir.path().join("env.db").display());
    let o = env.run(&["migrate"], &[("YIJIAN_DATABASE_URL", &db)], "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("applied"));

    // --config names another file.
    std::fs::write(env.dir.path().join("other.toml"), "pool_size = 0\n").unwrap();
    let o = env.run(
        &["--config", "other.toml", "migrate"],
        &[("YIJIAN_DATABASE_URL", &db)],
        "",
    );
    assert_clean_failure(&o, "YIJIAN_POOL_SIZE");
}

#[test]
fn default_database_is_sqlite_under_the_data_dir() {
    let env = Env::new();
    let o = env.run(&["migrate"], &[], "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(env.dir.path().join("data/yijian.db").is_file());
    assert!(env.dir.path().join("data/secret.key").is_file());
    let o = env.run(&["migrate"], &[], "");
    assert!(stdout(&o).contains("up to date"));
}

#[test]
fn user_and_token_commands_on_every_backend() {
    for tdb in TestDb::all() {
        let env = Env::new();
        let url = tdb.url.as_str();
        let e = [("YIJIAN_DATABASE_URL", url)];
        let o = env.run(
            &[
                "user",
                "create",
                "--email",
                "Admin@Example.org",
                "--name",
                "管理员",
                "--role",
                "admin",
                "--password-stdin",
            ],
            &e,
            "a long enough password\n",
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("admin@example.org"));

        // The same email again, a department user without unit, an unknown unit, bad role.
        let o = env.run(
            &[
                "user",
                "create",
                "--email",
                "admin@example.org",
                "--name",
                "x",
                "--role",
                "staff",
            ],
            &e,
            "",
        );
        assert_clean_failure(&o, "already an account");
        let o = env.run(
            &[
                "user",
                "create",
                "--email",
                "d@example.org",
                "--name",
                "d",
                "--role",
                "department",
            ],
            &e,
            "",
        );
        assert_clean_failure(&o, "must belong to a unit");
        let o = env.run(
            &[
                "user",
                "create",
                "--email",
                "d@example.org",
                "--name",
                "d",
                "--role",
                "department",
                "--unit",
                "市科技局",
            ],
            &e,
            "",
        );
        assert_clean_failure(&o, "no such unit");
        let o = env.run(
            &[
                "user",
                "create",
                "--email",
                "d@example.org",
                "--name",
                "d",
                "--role",
                "king",
            ],
            &e,
            "",
        );
        assert!(!o.status.success());
        assert!(stderr(&o).contains("unknown role"));
        let o = env.run(
            &[
                "user",
                "create",
                "--email",
                "s@example.org",
                "--name",
                "s",
                "--role",
                "staff",
                "--password-stdin",
            ],
            &e,
            "short\n",
        );
        assert_clean_failure(&o, "at least 10 characters");

        // A department user whose unit exists (by alias).
        {
            let mut conn = tdb.connection();
            let now = yijian::db::now();
            let id = yijian::db::new_id();
            yijian::db::units::insert(
                &mut conn,
                &yijian::db::units::NewUnit {
                    id: &id,
                    name: "武汉市科学技术局",
                    kind: "department",
                    sort_order: 0,
                    disabled: false,
                    created_at: now,
                    updated_at: now,
                },
            )
            .unwrap();
            yijian::db::units::add_alias(&mut conn, &id, "市科技局").unwrap();
        }
        let o = env.run(
            &[
                "user",
                "create",
                "--email",
                "d@example.org",
                "--name",
                "d",
                "--role",
                "department",
                "--unit",
                "市科技局",
            ],
            &e,
            "",
        );
        assert!(o.status.success(), "{}", stderr(&o));

        let o = env.run(&["token", "create", "--email", "ADMIN@example.org"], &e, "");
        assert!(o.status.success(), "{}", stderr(&o));
        let token = stdout(&o).trim().to_string();
        assert!(
            yijian::domain::token::looks_like_api_token(&token),
            "{token}"
        );
        let mut conn = tdb.connection();
        let user =
            yijian::db::tokens::find_user(&mut conn, &yijian::domain::token::hash_secret(&token))
                .unwrap()
                .unwrap();
        assert_eq!(user.email, "admin@example.org");
        assert!(user.password_hash.unwrap().starts_with("$argon2id$"));
        let history = yijian::db::audit::for_entity(&mut conn, "user", &user.id).unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].action, "user.create");
        assert_eq!(history[0].actor_label, "cli");

        let o = env.run(
            &["token", "create", "--email", "nobody@example.org"],
            &e,
            "",
        );
        assert_clean_failure(&o, "no user with this email");
    }
}

fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

#[test]
fn serve_answers_health_and_stops_gracefully_on_sigterm() {
    let mut dbs = vec![None];
    if pg_url().is_some() {
        dbs.push(Some(TestDb::postgres(&pg_url().unwrap())));
    }
    for tdb in dbs {
        let env = Env::new();
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let mut c = env.cmd(&[]);
        c.env("YIJIAN_BIND", &bind)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(t) = &tdb {
            c.env("YIJIAN_DATABASE_URL", &t.url);
        }
        let mut child = c.spawn().unwrap();
        let mut body = None;
        for _ in 0..200 {
            if let Some(r) = http_get(port, "/healthz") {
                body = Some(r);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let body = body.expect("server came up");
        let expected = if tdb.is_some() { "postgres" } else { "sqlite" };
        assert!(body.starts_with("HTTP/1.1 200"), "{body}");
        assert!(
            body.contains(&format!("\"database\":\"{expected}\"")),
            "{body}"
        );

        let ok = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let mut exited = None;
        for _ in 0..400 {
            if let Some(s) = child.try_wait().unwrap() {
                exited = Some(s);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let status = exited.unwrap_or_else(|| {
            let _ = child.kill();
            panic!("did not stop on SIGTERM")
        });
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert!(status.success(), "exit {status:?}: {err}");
        assert!(err.contains("No administrator yet"), "{err}");
        assert!(err.contains("/setup?token=yjsetup_"), "{err}");
        // Started from a build under target/: the hint runs it through cargo.
        assert!(err.contains("cargo run -- user create"), "{err}");
    }
}
