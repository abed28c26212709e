//! The layers and their one-way flow (README, Layout): reads every source file under `src/` and
//! fails, naming the file, the line and the path, when
//!
//! - `web` names `db` (handlers reach the database only through `app`);
//! - `domain` names anything of the crate outside `domain` (pure logic, no I/O);
//! - `db` names `app` or `web`, or `app` names `web`;
//! - one audience folder of `web` (public, staff, dept, admin, api, account) names another
//!   (what they share lives in `web::shared`, or below `web` when it is a rule);
//! - modules import each other in a cycle. The graph's nodes are the top-level modules, with
//!   `web` split into its own modules (`web::auth`, `web::public`, …); an edge is any path
//!   `crate::…`, `super::…` or `self::…` (in `use` trees, groups included, or inline) from a
//!   file of one node to another. A parent's own `mod.rs` naming its children by their bare
//!   names is how it assembles them, not an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The audience folders of `web`.
const AUDIENCES: &[&str] = &["public", "staff", "dept", "admin", "api", "account"];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Sep,
    Punct(char),
}

/// The tokens of Rust source with comments, strings and character literals left out, each with
/// its line. Enough of Rust to find paths, not a parser.
fn tokens(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    // Skips a quoted literal starting at `c[i] == '"'`; `hashes` for raw strings.
    let skip_string = |mut i: usize, raw: bool, hashes: usize, line: &mut usize| -> usize {
        i += 1;
        while i < c.len() {
            match c[i] {
                '\n' => *line += 1,
                '\\' if !raw => {
                    i += 1;
                    if c.get(i) == Some(&'\n') {
                        *line += 1;
                    }
                }
                '"' if (0..hashes).all(|k| c.get(i + 1 + k) == Some(&'#')) => {
                    return i + 1 + hashes;
                }
                _ => {}
            }
            i += 1;
        }
        i
    };
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = skip_string(i, false, 0, &mut line);
        } else if ch == '\'' {
            // A character literal ('a', '\n', '\u{..}') or a lifetime ('a).
            if c.get(i + 1) == Some(&'\\') {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let raw = matches!(word.as_str(), "r" | "br" | "cr");
            if (raw || word == "b" || word == "c") && c.get(i) == Some(&'"') {
                i = skip_string(i, raw, 0, &mut line);
            } else if raw && c.get(i) == Some(&'#') {
                let mut hashes = 0;
                while c.get(i + hashes) == Some(&'#') {
                    hashes += 1;
                }
                if c.get(i + hashes) == Some(&'"') {
                    i = skip_string(i + hashes, true, hashes, &mut line);
                } else {
                    out.push((Tok::Ident(word), line)); // r#ident
                }
            } else if word == "b" && c.get(i) == Some(&'\'') {
                i = (i + 1..c.len())
                    .find(|&k| c[k] == '\'' && c[k - 1] != '\\')
                    .unwrap_or(i)
                    + 1;
            } else {
                out.push((Tok::Ident(word), line));
            }
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push((Tok::Sep, line));
            i += 2;
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

/// Expands a `use` tree starting at `t[i]` under `prefix`; returns where it ends.
fn use_tree(
    t: &[(Tok, usize)],
    mut i: usize,
    mut path: Vec<String>,
    line: usize,
    out: &mut Vec<(Vec<String>, usize)>,
) -> usize {
    loop {
        match t.get(i).map(|x| &x.0) {
            Some(Tok::Sep) => i += 1,
            Some(Tok::Punct('{')) => {
                i += 1;
                while i < t.len() {
                    match &t[i].0 {
                        Tok::Punct('}') => return i + 1,
                        Tok::Punct(',') => i += 1,
                        _ => {
                            let next = use_tree(t, i, path.clone(), line, out);
                            if next == i {
                                i += 1; // not a tree: step over it
                            } else {
                                i = next;
                            }
                        }
                    }
                }
                return i;
            }
            Some(Tok::Punct('*')) => {
                out.push((path, line));
                return i + 1;
            }
            Some(Tok::Ident(n)) => {
                path.push(n.clone());
                i += 1;
                match t.get(i).map(|x| &x.0) {
                    Some(Tok::Sep) => continue,
                    Some(Tok::Ident(a)) if a == "as" => i += 2,
                    _ => {}
                }
                out.push((path, line));
                return i;
            }
            _ => return i,
        }
    }
}

/// Every path a file names that starts at `crate`, `super` or `self`, made absolute (without
/// `crate`), with its line. `module` is the file's module path.
fn paths(src: &str, module: &[String]) -> Vec<(Vec<String>, usize)> {
    let t = tokens(src);
    let mut out = Vec::new();
    // Inline modules (`mod tests { … }`): their name and the brace depth inside them.
    let mut mods: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < t.len() {
        let here: Vec<String> = module
            .iter()
            .cloned()
            .chain(mods.iter().map(|(m, _)| m.clone()))
            .collect();
        let mut found = Vec::new();
        match &t[i].0 {
            Tok::Punct('{') => {
                depth += 1;
                i += 1;
            }
            Tok::Punct('}') => {
                if mods.last().is_some_and(|(_, d)| *d == depth) {
                    mods.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some((Tok::Ident(name), _)), Some((Tok::Punct('{'), _))) =
                    (t.get(i + 1), t.get(i + 2))
                {
                    depth += 1;
                    mods.push((name.clone(), depth));
                    i += 3;
                } else {
                    i += 1;
                }
            }
            Tok::Ident(w) if w == "use" => {
                let line = t[i].1;
                let mut end = use_tree(&t, i + 1, Vec::new(), line, &mut found);
                if found.is_empty() {
                    i += 1; // `use<…>` bounds, not an import
                } else {
                    while end < t.len() && t[end].0 != Tok::Punct(';') {
                        end += 1;
                    }
                    i = end + 1;
                }
            }
            Tok::Ident(w)
                if matches!(w.as_str(), "crate" | "super" | "self")
                    && t.get(i + 1).map(|x| &x.0) == Some(&Tok::Sep)
                    && !(i > 0 && t[i - 1].0 == Tok::Punct('$'))
                    && !(i > 0 && t[i - 1].0 == Tok::Sep) =>
            {
                let line = t[i].1;
                let mut p = vec![w.clone()];
                i += 1;
                while let (Some((Tok::Sep, _)), Some((Tok::Ident(n), _))) = (t.get(i), t.get(i + 1))
                {
                    p.push(n.clone());
                    i += 2;
                }
                found.push((p, line));
            }
            _ => i += 1,
        }
        for (p, line) in found {
            if let Some(abs) = absolute(&p, &here) {
                out.push((abs, line));
            }
        }
    }
    out
}

/// `p` from module `here` as a path from the crate root; `None` for other crates.
fn absolute(p: &[String], here: &[String]) -> Option<Vec<String>> {
    let mut base: Vec<String> = match p.first().map(String::as_str) {
        Some("crate") => Vec::new(),
        Some("super" | "self") => here.to_vec(),
        _ => return None,
    };
    let mut rest = &p[1..];
    if p[0] == "super" {
        base.pop();
        while rest.first().map(String::as_str) == Some("super") {
            base.pop();
            rest = &rest[1..];
        }
    }
    base.extend(rest.iter().filter(|s| *s != "self").cloned());
    Some(base)
}

/// The source files under `src/`, as (path from the package root, module path).
fn source_files() -> Vec<(PathBuf, Vec<String>)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read src/").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let rel = f
                .strip_prefix(root)
                .expect("under the package")
                .to_path_buf();
            let mut module: Vec<String> = rel
                .iter()
                .skip(1)
                .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            (rel, module)
        })
        .collect()
}

/// The node of the import graph a module path belongs to.
fn node(p: &[String], web_children: &BTreeSet<String>) -> Option<String> {
    match p {
        [] => None,
        [w, child, ..] if w == "web" && web_children.contains(child) => {
            Some(format!("web::{child}"))
        }
        [top, ..] => Some(top.clone()),
    }
}

/// The top-level modules and the modules of `web`, from the files and folders present.
fn children(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read a source folder")
        .flatten()
        .map(|e| {
            e.file_name()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .filter(|n| !matches!(n.as_str(), "mod" | "lib" | "main"))
        .collect()
}

struct Use {
    file: PathBuf,
    line: usize,
    path: Vec<String>,
}

impl std::fmt::Display for Use {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} uses crate::{}",
            self.file.display(),
            self.line,
            self.path.join("::")
        )
    }
}

/// What a file of layer `from` (its module path) may not name, as the reason; `None` if allowed.
fn refusal(from: &[String], to: &[String]) -> Option<&'static str> {
    let (Some(f), Some(t)) = (from.first(), to.first()) else {
        return None;
    };
    let (f, t) = (f.as_str(), t.as_str());
    match (f, t) {
        ("web", "db") => Some("web reaches the database only through app"),
        ("domain", t) if t != "domain" => {
            Some("domain is pure: it names nothing of the crate outside domain")
        }
        ("db", "app" | "web") => Some("db knows nothing of the use cases or of HTTP"),
        ("app", "web") => Some("app knows nothing of HTTP"),
        ("web", "web") => match (from.get(1), to.get(1)) {
            (Some(a), Some(b))
                if a != b && AUDIENCES.contains(&a.as_str()) && AUDIENCES.contains(&b.as_str()) =>
            {
                Some("one audience of web does not use another; shared pieces live in web::shared")
            }
            _ => None,
        },
        _ => None,
    }
}

/// Strongly connected components of more than one node (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn layers_flow_one_way_and_modules_form_no_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let web_children = children(&root.join("src/web"));
    let mut broken = Vec::new();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // (from, to) → the first use that makes the edge.
    let mut why: BTreeMap<(String, String), Use> = BTreeMap::new();
    let files = source_files();
    assert!(files.len() > 50, "the sources under src/ were not found");
    for (file, module) in files {
        let Some(from) = node(&module, &web_children) else {
            continue; // lib.rs and main.rs assemble the crate
        };
        let src = std::fs::read_to_string(root.join(&file)).expect("read a source file");
        for (path, line) in paths(&src, &module) {
            let u = Use {
                file: file.clone(),
                line,
                path,
            };
            if let Some(reason) = refusal(&module, &u.path) {
                broken.push(format!("{u}: {reason}"));
            }
            let Some(to) = node(&u.path, &web_children) else {
                continue;
            };
            if to != from {
                graph.entry(from.clone()).or_default().insert(to.clone());
                graph.entry(to.clone()).or_default();
                why.entry((from.clone(), to)).or_insert(u);
            }
        }
    }
    for component in cycles(&graph) {
        let mut msg = format!("import cycle between {}:", component.join(", "));
        for a in &component {
            for b in graph[a].iter().filter(|b| component.contains(b)) {
                msg.push_str(&format!(
                    "\n    {a} -> {b}: {}",
                    why[&(a.clone(), b.clone())]
                ));
            }
        }
        broken.push(msg);
    }
    assert!(
        broken.is_empty(),
        "the layers are crossed (README, Layout):\n  {}",
        broken.join("\n  ")
    );
}

/// The reader finds paths however they are written, and only real ones.
#[test]
fn the_path_reader_sees_groups_relative_paths_and_skips_text() {
    let src = r##"
        use crate::{db, app::{self, Actor}};
        use super::super::super::db::users::User as U;
        // crate::db::in_a_comment
        /* crate::db::in_a_block /* nested */ crate::db::still */
        const S: &str = "crate::db::in_a_string";
        const R: &str = r#"crate::db::raw "quoted""#;
        fn f<'a>(x: &'a str) -> char { let _ = crate::export::render(x); 'x' }
        macro_rules! m { () => { $crate::db::hidden() } }
        mod tests {
            use super::*;
        }
    "##;
    let module = vec!["web".to_string(), "public".to_string(), "home".to_string()];
    let found: Vec<String> = paths(src, &module)
        .into_iter()
        .map(|(p, _)| p.join("::"))
        .collect();
    assert_eq!(
        found,
        [
            "db",
            "app",
            "app::Actor",
            "db::users::User",
            "export::render",
            "web::public::home",
        ]
    );
    assert_eq!(
        refusal(&module, &["db".into(), "now".into()]),
        Some("web reaches the database only through app")
    );
    let graph = BTreeMap::from([
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["c".to_string()])),
        ("c".to_string(), BTreeSet::from(["a".to_string()])),
        ("d".to_string(), BTreeSet::from(["a".to_string()])),
    ]);
    assert_eq!(cycles(&graph), vec![vec!["a", "b", "c"]]);
}
