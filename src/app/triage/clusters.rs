//! Duplicate clusters: taking an opinion out of its cluster, and the duplicates worker that
//! compares opinions as they arrive and updates the clusters (copies joining a decided cluster
//! take its decision).

use super::*;

/// Takes an opinion out of its cluster; it stays out of automatic clustering.
pub fn detach(conn: &mut DbConnection, opinion_id: &str, actor: &Actor) -> Result<()> {
    actor.require(OFFICE)?;
    db::write(conn, |conn| {
        let o = visible(conn, opinion_id, actor)?;
        let cl = o
            .cluster_id
            .clone()
            .ok_or_else(|| Error::field("cluster", "triage.error.not_in_cluster"))?;
        store::set_cluster(conn, std::slice::from_ref(&o.id), None)?;
        store::detach_signature(conn, &o.id)?;
        store::prune_cluster(conn, &cl, db::now())?;
        record(
            conn,
            actor,
            "opinion.detach",
            &o,
            Some(json!({ "cluster": cl })),
            json!({}),
        )?;
        invalidate(&o.consultation_id);
        Ok(())
    })
}

/// Compares the consultation's waiting opinions (up to [`INLINE_SIGN`]) with those before
/// (through their LSH band keys) and updates the clusters. Returns how many were compared.
pub fn refresh_clusters(
    conn: &mut DbConnection,
    consultation_id: &str,
    actor: &Actor,
) -> Result<usize> {
    let n = sign(conn, Some(consultation_id), INLINE_SIGN, actor)?;
    if n > 0 {
        invalidate(consultation_id);
    }
    Ok(n)
}

/// Compares up to `limit` waiting opinions of any consultation with those before and updates
/// the clusters, as the duplicates worker does. Returns how many were compared.
pub fn sign_pending(conn: &mut DbConnection, limit: i64) -> Result<usize> {
    sign(conn, None, limit, &Actor::system())
}

/// The duplicates worker: compares opinions as they arrive, [`SIGN_BATCH`] at a time, for the
/// life of the process. Comments come first: while this node's intake is busy the worker
/// waits, and catches up when the burst is over.
pub fn run_worker(db: db::Database) {
    loop {
        if crate::app::intake::busy() {
            std::thread::sleep(Duration::from_millis(250));
            continue;
        }
        let pass = db
            .get()
            .map_err(Error::from)
            .and_then(|mut conn| sign_pending(&mut conn, SIGN_BATCH));
        let pause = match pass {
            // More may be waiting: go on after a breath, so other writers get the lock.
            Ok(n) if n as i64 >= SIGN_BATCH => Duration::from_millis(20),
            Ok(n) => {
                if n > 0 {
                    tracing::debug!(opinions = n, "opinions compared for duplicates");
                }
                Duration::from_secs(1)
            }
            Err(e) => {
                tracing::warn!(error = %e, "duplicate detection failed; retrying later");
                Duration::from_secs(10)
            }
        };
        std::thread::sleep(pause);
    }
}

/// One transaction of duplicate detection. The waiting opinions are read after taking the
/// write lock, so two runs at once (the worker, an inbox, another node) never compare the same
/// opinion twice; on PostgreSQL the second run's signatures collide and it changes nothing.
fn sign(
    conn: &mut DbConnection,
    consultation_id: Option<&str>,
    limit: i64,
    actor: &Actor,
) -> Result<usize> {
    // A look first, outside any transaction: most passes of the worker find nothing.
    if store::pending_signatures(conn, consultation_id, 1)?.is_empty() {
        return Ok(0);
    }
    let result = db::write(conn, |conn| {
        let rows = store::pending_signatures(conn, consultation_id, limit)?;
        let mut by_consultation: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for (cid, id, text) in rows {
            match by_consultation.last_mut() {
                Some((c, items)) if *c == cid => items.push((id, text)),
                _ => by_consultation.push((cid, vec![(id, text)])),
            }
        }
        let at = db::now();
        let mut total = 0;
        for (cid, items) in &by_consultation {
            let n = cluster_new(conn, cid, items, at)?;
            total += items.len();
            if n > 0 {
                audit::record(
                    conn,
                    audit::AuditEntry {
                        consultation_id: Some(cid),
                        after: Some(json!({ "opinions": items.len(), "clustered": n })),
                        ..actor.audit("clusters.refresh", "consultation", cid)
                    },
                )?;
            }
        }
        Ok::<_, Error>((total, by_consultation))
    });
    match result {
        Ok((total, done)) => {
            for (cid, _) in done {
                invalidate(&cid);
            }
            Ok(total)
        }
        Err(Error::Db(e)) if e.is_unique_violation() => Ok(0),
        Err(e) => Err(e),
    }
}

/// Copies that join a cluster whose decided members all agree (one status, one rationale)
/// take that decision: approved when every one of those decisions is approved or published,
/// proposed otherwise. Where the members were decided differently, the newcomers are left
/// for staff. Returns how many opinions were decided.
fn inherit_decision(
    conn: &mut DbConnection,
    consultation_id: &str,
    cluster_id: &str,
    newcomers: &[String],
    at: NaiveDateTime,
) -> Result<usize> {
    if newcomers.is_empty() {
        return Ok(0);
    }
    let new: HashSet<&str> = newcomers.iter().map(String::as_str).collect();
    let all = store::cluster_decisions(conn, cluster_id)?;
    let already: HashSet<&str> = all.iter().map(|d| d.opinion_id.as_str()).collect();
    let decided: Vec<&Decision> = all
        .iter()
        .filter(|d| !new.contains(d.opinion_id.as_str()))
        .collect();
    let Some(first) = decided.first() else {
        return Ok(0);
    };
    if decided
        .iter()
        .any(|d| d.status != first.status || d.rationale != first.rationale)
    {
        return Ok(0);
    }
    let approved = decided
        .iter()
        .all(|d| matches!(d.state.as_str(), "approved" | "published"));
    let (state, approver) = if approved {
        (
            "approved",
            decided.iter().find_map(|d| d.approved_by.as_deref()),
        )
    } else {
        ("proposed", None)
    };
    let system = Actor::system();
    let mut n = 0;
    for id in newcomers.iter().filter(|id| !already.contains(id.as_str())) {
        store::inherit_decision(
            conn,
            id,
            &first.status,
            first.rationale.as_deref(),
            state,
            approver,
            cluster_id,
            at,
        )?;
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(consultation_id),
                after: Some(json!({
                    "status": first.status,
                    "rationale": first.rationale,
                    "cluster": cluster_id,
                })),
                ..system.audit("opinion.inherit", "opinion", id)
            },
        )?;
        n += 1;
    }
    Ok(n)
}

/// Signs `items` (opinion id, text), finds their near-duplicates among the consultation's
/// opinions and updates clusters. Returns how many of them ended up in a cluster.
pub(super) fn cluster_new(
    conn: &mut DbConnection,
    consultation_id: &str,
    items: &[(String, String)],
    at: NaiveDateTime,
) -> Result<usize> {
    let sigs: Vec<Signature> = items
        .iter()
        .map(|(_, t)| duplicates::signature(t))
        .collect();
    let new_ids: HashSet<&str> = items.iter().map(|(id, _)| id.as_str()).collect();
    let mut keys: Vec<i64> = sigs
        .iter()
        .filter(|s| !s.is_empty())
        .flat_map(|s| s.band_keys())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let pairs = if keys.is_empty() {
        Vec::new()
    } else {
        store::band_members(conn, consultation_id, &keys)?
    };
    let candidates: Vec<String> = {
        let mut v: Vec<String> = pairs
            .iter()
            .map(|(_, id)| id.clone())
            .filter(|id| !new_ids.contains(id.as_str()))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let stored = store::signatures_of(conn, &candidates)?;
    let mut idx = Index::with_capacity(Params::default(), stored.len() + items.len());
    let mut ids: Vec<String> = Vec::with_capacity(stored.len() + items.len());
    let mut clusters: Vec<Option<String>> = Vec::new();
    let mut first_of: HashMap<String, usize> = HashMap::new();
    for (id, hex, cl) in stored {
        let Some(sig) = Signature::from_hex(&hex) else {
            continue;
        };
        let i = idx.add_signature(sig);
        if let Some(c) = &cl {
            match first_of.get(c) {
                Some(j) => idx.join(i, *j),
                None => {
                    first_of.insert(c.clone(), i);
                }
            }
        }
        ids.push(id);
        clusters.push(cl);
    }
    let first_new = ids.len();
    for ((id, _), sig) in items.iter().zip(&sigs) {
        idx.add_signature(*sig);
        ids.push(id.clone());
        clusters.push(None);
    }
    // The cluster each opinion ends in.
    let mut final_cluster: HashMap<usize, String> = HashMap::new();
    let mut clustered = 0;
    for group in idx.clusters() {
        if !group.iter().any(|i| *i >= first_new) {
            continue;
        }
        let mut existing: Vec<String> = group.iter().filter_map(|i| clusters[*i].clone()).collect();
        existing.sort();
        existing.dedup();
        let target = match existing.first() {
            Some(t) => t.clone(),
            None => {
                let rep = group
                    .iter()
                    .map(|i| ids[*i].as_str())
                    .min()
                    .unwrap_or_default();
                store::create_cluster(conn, consultation_id, rep, at)?
            }
        };
        for other in existing.iter().skip(1) {
            store::merge_cluster(conn, other, &target)?;
        }
        let moving: Vec<String> = group
            .iter()
            .filter(|i| clusters[**i].as_deref() != Some(target.as_str()))
            .map(|i| ids[*i].clone())
            .collect();
        store::set_cluster(conn, &moving, Some(target.as_str()))?;
        store::audit_joined(conn, consultation_id, &moving, &target, "system", at)?;
        let newcomers: Vec<String> = group
            .iter()
            .filter(|i| **i >= first_new)
            .map(|i| ids[*i].clone())
            .collect();
        inherit_decision(conn, consultation_id, &target, &newcomers, at)?;
        for i in &group {
            final_cluster.insert(*i, target.clone());
        }
        clustered += group.iter().filter(|i| **i >= first_new).count();
    }
    // Band keys: a cluster needs each key once (its members are interchangeable as
    // candidates), so copies of a campaign letter add no rows.
    let position: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut known: HashSet<(String, i64)> = HashSet::new();
    for (k, id) in &pairs {
        if let Some(c) = position.get(id.as_str()).and_then(|i| final_cluster.get(i)) {
            known.insert((c.clone(), *k));
        }
    }
    let rows: Vec<(String, String, Vec<i64>)> = items
        .iter()
        .zip(&sigs)
        .enumerate()
        .map(|(n, ((id, _), sig))| {
            let keys: Vec<i64> = if sig.is_empty() {
                Vec::new()
            } else {
                match final_cluster.get(&(first_new + n)) {
                    Some(c) => sig
                        .band_keys()
                        .into_iter()
                        .filter(|k| known.insert((c.clone(), *k)))
                        .collect(),
                    None => sig.band_keys().to_vec(),
                }
            };
            (id.clone(), sig.to_hex(), keys)
        })
        .collect();
    store::insert_signatures(conn, consultation_id, &rows, at)?;
    Ok(clustered)
}
