//! Offline verification of a bundle with nothing but its files and the log's
//! public key, in the order of `docs/export-format.md` ("How to verify").

use std::path::Path;

use super::*;

/// Why a bundle is rejected.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{0}: cannot be read: {1}")]
    Read(String, std::io::Error),
    #[error("manifest signature invalid: the manifest was changed or signed by another key")]
    ManifestSignature,
    #[error("manifest is not understood: {0}")]
    Manifest(String),
    #[error("checkpoint signature invalid: the checkpoint was changed or signed by another key")]
    CheckpointSignature,
    #[error("the checkpoint is not cosigned by enough of the given witnesses: {0}")]
    Witnesses(String),
    #[error("checkpoint does not match the manifest: {0}")]
    Checkpoint(String),
    #[error("events.jsonl line {line}: {reason}")]
    Event { line: u64, reason: String },
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
}

/// What a verified bundle holds.
#[derive(Debug)]
pub struct Verified {
    pub events: u64,
    pub tree_size: u64,
    pub origin: String,
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, BundleError> {
    std::fs::read(dir.join(name)).map_err(|e| BundleError::Read(name.into(), e))
}

fn hash32(s: &str) -> Option<Hash> {
    hex::decode(s).ok()?.try_into().ok()
}

/// Verifies a bundle offline against the public key, in the order of
/// `docs/export-format.md` ("How to verify").
pub fn verify_bundle(dir: &Path, key: &NoteVerifier) -> Result<Verified, BundleError> {
    verify_bundle_with(dir, key, &[], 0)
}

/// `verify_bundle`, also requiring `quorum` valid cosignatures of distinct
/// `witnesses` on the bundle's checkpoint (c2sp.org/tlog-cosignature).
pub fn verify_bundle_with(
    dir: &Path,
    key: &NoteVerifier,
    witnesses: &[hoso_ledger::note::Verifier],
    quorum: usize,
) -> Result<Verified, BundleError> {
    // 1–2. The manifest and its signature.
    let manifest_bytes = read(dir, "manifest.json")?;
    let sig_text = String::from_utf8_lossy(&read(dir, "manifest.sig")?).into_owned();
    let sig = B64
        .decode(sig_text.trim_end_matches('\n'))
        .map_err(|_| BundleError::ManifestSignature)?;
    if !key.verify_manifest(&manifest_bytes, &sig) {
        return Err(BundleError::ManifestSignature);
    }
    let m: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| BundleError::Manifest(e.to_string()))?;
    if m.format != FORMAT {
        return Err(BundleError::Manifest(format!(
            "format {} is not {FORMAT}",
            m.format
        )));
    }
    // 3. The checkpoint.
    let note = String::from_utf8(read(dir, &m.checkpoint.file)?)
        .map_err(|_| BundleError::CheckpointSignature)?;
    let body = key
        .open_note(&note)
        .ok_or(BundleError::CheckpointSignature)?;
    if quorum > 0 {
        let parsed = hoso_ledger::note::Note::parse(&note)
            .map_err(|e| BundleError::Witnesses(e.to_string()))?;
        hoso_ledger::note::quorum(&parsed, witnesses, quorum)
            .map_err(|e| BundleError::Witnesses(e.to_string()))?;
    }
    let body =
        Body::parse(body).ok_or_else(|| BundleError::Checkpoint("not a checkpoint body".into()))?;
    if body.tree_size != m.checkpoint.tree_size || B64.encode(body.root) != m.checkpoint.root {
        return Err(BundleError::Checkpoint(format!(
            "it signs {} events, the manifest names {}",
            body.tree_size, m.checkpoint.tree_size
        )));
    }
    // 4. Every event: its hash, its proof, its order, its chain.
    let events = read(dir, &m.events.file)?;
    let text = std::str::from_utf8(&events).map_err(|_| BundleError::Event {
        line: 0,
        reason: "not UTF-8".into(),
    })?;
    let mut last_position = 0i64;
    let mut chains: HashMap<(String, String), (i64, Hash)> = HashMap::new();
    let mut count = 0u64;
    for (i, l) in text.split_terminator('\n').enumerate() {
        let line = i as u64 + 1;
        let bad = |reason: String| BundleError::Event { line, reason };
        let e: EventLine =
            serde_json::from_str(l).map_err(|e| bad(format!("not an event: {e}")))?;
        if e.position <= last_position {
            return Err(bad(format!(
                "position {} after {last_position}: events reordered or duplicated",
                e.position
            )));
        }
        last_position = e.position;
        let (Some(prev), Some(hash)) = (hash32(&e.prev_hash), hash32(&e.hash)) else {
            return Err(bad("hashes are not 32 bytes of hex".into()));
        };
        let Ok(sequence) = u64::try_from(e.sequence) else {
            return Err(bad("negative sequence".into()));
        };
        if !(1..=2).contains(&e.format) || (e.format == 1 && e.sealed.is_some()) {
            return Err(bad(format!("record format {} is not understood", e.format)));
        }
        let recomputed = event_hash(
            &prev,
            &RecordRef {
                aggregate_type: &e.aggregate_type,
                aggregate_id: &e.aggregate_id,
                sequence,
                event_type: &e.event_type,
                event_version: &e.event_version,
                payload: &e.payload,
                metadata: &e.metadata,
                format: e.format,
                sealed: e.sealed.as_deref().unwrap_or(""),
            },
        );
        if recomputed != hash {
            return Err(bad(format!(
                "position {}: the hash does not match the event's bytes: the event was changed",
                e.position
            )));
        }
        if e.leaf_index != (e.position - 1) as u64 {
            return Err(bad(format!(
                "leaf_index {} is not position − 1",
                e.leaf_index
            )));
        }
        let proof: Option<Vec<Hash>> = e.inclusion_proof.iter().map(|h| hash32(h)).collect();
        let proof = proof.ok_or_else(|| bad("proof hashes are not 32 bytes of hex".into()))?;
        if !verify_inclusion(
            e.leaf_index,
            body.tree_size,
            &leaf_hash(&hash),
            &proof,
            &body.root,
        ) {
            return Err(bad(format!(
                "position {}: the inclusion proof does not lead to the checkpoint's root",
                e.position
            )));
        }
        let key = (e.aggregate_type.clone(), e.aggregate_id.clone());
        if let Some(&(seq, h)) = chains.get(&key) {
            if e.sequence <= seq {
                return Err(bad(format!(
                    "{} {} sequence {} after {seq}: duplicated or reordered",
                    key.0, key.1, e.sequence
                )));
            }
            if e.sequence == seq + 1 && prev != h {
                return Err(bad(format!(
                    "{} {} sequence {}: prev_hash does not link",
                    key.0, key.1, e.sequence
                )));
            }
        }
        chains.insert(key, (e.sequence, hash));
        count += 1;
    }
    if count != m.events.count {
        return Err(BundleError::Event {
            line: count,
            reason: format!(
                "{count} events, the manifest lists {}: events dropped or added",
                m.events.count
            ),
        });
    }
    // 5. Every file against its digest; nothing unlisted.
    let mut listed: BTreeSet<String> = ["manifest.json", "manifest.sig"].map(String::from).into();
    for f in &m.files {
        let bytes = read(dir, &f.name)?;
        let digest = hex::encode(Sha256::digest(&bytes));
        if bytes.len() as u64 != f.bytes || digest != f.sha256 {
            return Err(BundleError::File {
                file: f.name.clone(),
                reason: "content differs from the manifest's digest".into(),
            });
        }
        listed.insert(f.name.clone());
    }
    for name in [&m.checkpoint.file, &m.events.file] {
        if !m.files.iter().any(|f| &f.name == name) {
            return Err(BundleError::Manifest(format!(
                "{name} is not listed in files"
            )));
        }
    }
    let entries = std::fs::read_dir(dir).map_err(|e| BundleError::Read(".".into(), e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !listed.contains(&name) {
            return Err(BundleError::File {
                file: name,
                reason: "not listed in the manifest".into(),
            });
        }
    }
    Ok(Verified {
        events: count,
        tree_size: body.tree_size,
        origin: body.origin,
    })
}
