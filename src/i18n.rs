//! Text shown to people, from `frontend/locales/*.toml` (embedded). zh-CN is the default and the
//! fallback for a key a locale lacks.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// Parses `zh-CN`, `zh`, `en`, `en-US`… (case-insensitive); unknown languages are `None`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        let primary = s.split(['-', '_']).next().unwrap_or("");
        match primary {
            "zh" => Some(Locale::ZhCn),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header, in the header's order
    /// of preference.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut langs: Vec<(f32, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((q, i, tag))
            })
            .collect();
        langs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        langs.into_iter().find_map(|(_, _, tag)| Locale::parse(tag))
    }

    /// The locale's files: one per area of the product, merged into one catalog.
    fn sources(self) -> impl Iterator<Item = &'static str> {
        SOURCES
            .iter()
            .filter(move |(l, _)| *l == self)
            .map(|(_, s)| *s)
    }
}

/// Every locale file. An area of the product may keep its texts in its own pair of files
/// (`<area>.zh-CN.toml`, `<area>.en.toml`); a key must not appear in two files.
const SOURCES: &[(Locale, &str)] = &[
    (Locale::ZhCn, include_str!("../frontend/locales/zh-CN.toml")),
    (Locale::En, include_str!("../frontend/locales/en.toml")),
    (
        Locale::ZhCn,
        include_str!("../frontend/locales/solicit.zh-CN.toml"),
    ),
    (
        Locale::En,
        include_str!("../frontend/locales/solicit.en.toml"),
    ),
    (
        Locale::ZhCn,
        include_str!("../frontend/locales/accounts.zh-CN.toml"),
    ),
    (
        Locale::En,
        include_str!("../frontend/locales/accounts.en.toml"),
    ),
    (
        Locale::ZhCn,
        include_str!("../frontend/locales/report.zh-CN.toml"),
    ),
    (
        Locale::En,
        include_str!("../frontend/locales/report.en.toml"),
    ),
    (
        Locale::ZhCn,
        include_str!("../frontend/locales/mail.zh-CN.toml"),
    ),
    (Locale::En, include_str!("../frontend/locales/mail.en.toml")),
    (
        Locale::ZhCn,
        include_str!("../frontend/locales/triage.zh-CN.toml"),
    ),
    (
        Locale::En,
        include_str!("../frontend/locales/triage.en.toml"),
    ),
    (
        Locale::ZhCn,
        include_str!("../frontend/locales/setup.zh-CN.toml"),
    ),
    (
        Locale::En,
        include_str!("../frontend/locales/setup.en.toml"),
    ),
    (
        Locale::ZhCn,
        include_str!("../frontend/locales/public.zh-CN.toml"),
    ),
    (
        Locale::En,
        include_str!("../frontend/locales/public.en.toml"),
    ),
];

/// A locale's merged catalog; a key found in two files is an error.
fn load_locale(l: Locale) -> Result<Catalog, String> {
    let mut out = Catalog::new();
    for src in l.sources() {
        for (k, v) in load_catalog(src).map_err(|e| e.to_string())? {
            if out.insert(k.clone(), v).is_some() {
                return Err(format!("{}: key {k} is defined twice", l.code()));
            }
        }
    }
    Ok(out)
}

type Catalog = HashMap<String, String>;

static CATALOGS: LazyLock<HashMap<Locale, Catalog>> = LazyLock::new(|| {
    Locale::ALL
        .into_iter()
        .map(|l| (l, load_locale(l).unwrap_or_default()))
        .collect()
});

/// Parses a locale file into flat `a.b.c` keys.
pub fn load_catalog(src: &str) -> Result<Catalog, toml::de::Error> {
    fn walk(prefix: &str, t: &toml::Table, out: &mut Catalog) {
        for (k, v) in t {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(t) => walk(&key, t, out),
                toml::Value::String(s) => {
                    out.insert(key, s.clone());
                }
                other => {
                    out.insert(key, other.to_string());
                }
            }
        }
    }
    let table: toml::Table = src.parse()?;
    let mut out = Catalog::new();
    walk("", &table, &mut out);
    Ok(out)
}

/// The text of `key` in `locale`, falling back to zh-CN, then to the key itself.
pub fn t(locale: Locale, key: &str) -> String {
    lookup(locale, key).unwrap_or(key).to_string()
}

fn lookup(locale: Locale, key: &str) -> Option<&'static str> {
    CATALOGS
        .get(&locale)
        .and_then(|c| c.get(key))
        .or_else(|| CATALOGS.get(&Locale::ZhCn).and_then(|c| c.get(key)))
        .map(String::as_str)
}

/// `t` with `{name}` placeholders replaced.
pub fn tf(locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = t(locale, key);
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// A translator bound to one locale, handed to templates: `{{ t.t("nav.home") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub locale: Locale,
}

impl Tr {
    pub fn new(locale: Locale) -> Self {
        Self { locale }
    }
    pub fn t(&self, key: &str) -> String {
        t(self.locale, key)
    }
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        tf(self.locale, key, args)
    }
    pub fn lang(&self) -> &'static str {
        self.locale.code()
    }
    /// The other language, for the switch in the page header.
    pub fn other(&self) -> Locale {
        match self.locale {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_parses_and_has_the_same_keys() {
        let zh = load_locale(Locale::ZhCn).unwrap();
        let en = load_locale(Locale::En).unwrap();
        let mut missing_en: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        let mut missing_zh: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        missing_en.sort();
        missing_zh.sort();
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        assert!(missing_zh.is_empty(), "missing in zh-CN: {missing_zh:?}");
        assert!(zh.len() > 10);
    }

    #[test]
    fn lookup_fallback_and_placeholders() {
        assert_eq!(t(Locale::ZhCn, "error.not_found.title"), "页面不存在");
        assert_eq!(t(Locale::En, "error.not_found.title"), "Page not found");
        assert_eq!(t(Locale::En, "no.such.key"), "no.such.key");
        assert!(tf(Locale::En, "error.request_id", &[("id", "abc")]).contains("abc"));
    }

    #[test]
    fn accept_language() {
        assert_eq!(
            Locale::from_accept_language("fr;q=0.9, en-US;q=0.8, zh;q=0.5"),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Locale::ZhCn)
        );
        assert_eq!(Locale::from_accept_language("fr, de"), None);
        assert_eq!(Locale::parse("EN_gb"), Some(Locale::En));
    }
}
#[cfg(test)]
mod sources {
    /// A locale file left out of `SOURCES` would silently show keys instead of text.
    #[test]
    fn every_locale_file_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/frontend/locales");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    super::SOURCES.iter().any(|(_, s)| *s == text),
                    "{} is not in i18n::SOURCES",
                    path.display()
                );
                n += 1;
            }
        }
        assert_eq!(n, super::SOURCES.len());
    }
}
