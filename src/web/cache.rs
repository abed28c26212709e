//! Small read caches for the public pages: a saved draft version never changes, so its tree is
//! kept; comment counts are kept for a few seconds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::app::drafts::DraftTree;

const COUNTS_TTL: Duration = Duration::from_secs(5);
const MAX_TREES: usize = 64;

/// A rendered public page, and the same gzip-compressed once for every browser that takes it
/// (a 300-clause draft is some 220 KB of HTML and about a tenth of that compressed).
#[derive(Clone)]
pub struct Page {
    pub html: actix_web::web::Bytes,
    pub gzip: Option<actix_web::web::Bytes>,
}

impl Page {
    pub fn new(html: actix_web::web::Bytes) -> Self {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let gzip = e
            .write_all(&html)
            .and_then(|()| e.finish())
            .ok()
            .map(actix_web::web::Bytes::from);
        Self { html, gzip }
    }
}

/// Whether an `Accept-Encoding` header takes gzip (`gzip;q=0` refuses it).
pub fn accepts_gzip(header: Option<&str>) -> bool {
    header.is_some_and(|h| {
        h.split(',').any(|part| {
            let mut it = part.split(';').map(str::trim);
            let name = it.next().unwrap_or("");
            let refused = it.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
    })
}

/// Comment counts by clause id.
pub type Counts = Arc<HashMap<String, i64>>;

#[derive(Default)]
pub struct Cache {
    trees: Mutex<HashMap<String, Arc<DraftTree>>>,
    counts: Mutex<HashMap<String, (Instant, Counts)>>,
    /// Held while counts are computed.
    pub refresh: tokio::sync::Mutex<()>,
    /// Held while a stale page is rendered again.
    pub page_refresh: tokio::sync::Mutex<()>,
    /// Public pages as anonymous visitors see them, by path and language.
    pages: Mutex<HashMap<String, (Instant, Page)>>,
}

impl Cache {
    pub fn tree(&self, version_id: &str) -> Option<Arc<DraftTree>> {
        self.trees.lock().ok()?.get(version_id).cloned()
    }

    pub fn put_tree(&self, tree: DraftTree) -> Arc<DraftTree> {
        let tree = Arc::new(tree);
        if let Ok(mut m) = self.trees.lock() {
            if m.len() >= MAX_TREES {
                m.clear();
            }
            m.insert(tree.version.id.clone(), tree.clone());
        }
        tree
    }

    /// A page rendered for anonymous visitors, and whether it is older than `COUNTS_TTL` (it
    /// shows counts). A stale page is still served while one request renders the next.
    pub fn page(&self, key: &str) -> Option<(Page, bool)> {
        let m = self.pages.lock().ok()?;
        m.get(key)
            .map(|(at, p)| (p.clone(), at.elapsed() >= COUNTS_TTL))
    }

    /// Forgets every cached page (a consultation was deleted).
    pub fn forget_pages(&self) {
        if let Ok(mut m) = self.pages.lock() {
            m.clear();
        }
    }

    pub fn put_page(&self, key: &str, page: Page) {
        if let Ok(mut m) = self.pages.lock() {
            if m.len() >= MAX_TREES {
                m.clear();
            }
            m.insert(key.to_string(), (Instant::now(), page));
        }
    }

    pub fn counts(&self, version_id: &str) -> Option<Arc<HashMap<String, i64>>> {
        let m = self.counts.lock().ok()?;
        m.get(version_id)
            .filter(|(at, _)| at.elapsed() < COUNTS_TTL)
            .map(|(_, c)| c.clone())
    }

    pub fn put_counts(
        &self,
        version_id: &str,
        counts: HashMap<String, i64>,
    ) -> Arc<HashMap<String, i64>> {
        let counts = Arc::new(counts);
        if let Ok(mut m) = self.counts.lock() {
            if m.len() >= MAX_TREES {
                m.clear();
            }
            m.insert(version_id.to_string(), (Instant::now(), counts.clone()));
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_taken_unless_refused() {
        for yes in [
            "gzip",
            "gzip, deflate, br",
            "br;q=1.0, GZIP;q=0.5",
            "*",
            "deflate, gzip ; q=0.1",
        ] {
            assert!(accepts_gzip(Some(yes)), "{yes}");
        }
        for no in [
            "",
            "br",
            "identity",
            "gzip;q=0",
            "gzip; q=0.0, br",
            "x-gzip2",
        ] {
            assert!(!accepts_gzip(Some(no)), "{no}");
        }
        assert!(!accepts_gzip(None));
    }

    #[test]
    fn a_page_compresses_to_the_same_bytes() {
        use std::io::Read;
        let html = "<!doctype html><p>第一条</p>".repeat(500);
        let p = Page::new(actix_web::web::Bytes::from(html.clone()));
        let z = p.gzip.unwrap();
        assert!(z.len() < html.len() / 10);
        let mut back = String::new();
        flate2::read::GzDecoder::new(&z[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, html);
    }
}
