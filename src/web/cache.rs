//! Small read caches for the public pages: a saved draft version never changes, so its tree is
//! kept; comment counts are kept for a few seconds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::app::drafts::DraftTree;

const COUNTS_TTL: Duration = Duration::from_secs(5);
const MAX_TREES: usize = 64;

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
    pages: Mutex<HashMap<String, (Instant, actix_web::web::Bytes)>>,
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
    pub fn page(&self, key: &str) -> Option<(actix_web::web::Bytes, bool)> {
        let m = self.pages.lock().ok()?;
        m.get(key)
            .map(|(at, b)| (b.clone(), at.elapsed() >= COUNTS_TTL))
    }

    pub fn put_page(&self, key: &str, body: actix_web::web::Bytes) {
        if let Ok(mut m) = self.pages.lock() {
            if m.len() >= MAX_TREES {
                m.clear();
            }
            m.insert(key.to_string(), (Instant::now(), body));
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
