//! Compliance exports: one directory ("bundle") for a place, a period, a case or
//! an officer, verifiable offline with nothing but the bundle and the public key.
//! The format is `docs/export-format.md`; `tools/verify_export.py` is a second,
//! independent verifier of it.
//!
//! Files: `manifest.json` (signed: `manifest.sig`), `checkpoint.txt` (the signed
//! checkpoint every proof leads to), `events.jsonl` (the events with their hashes
//! and inclusion proofs), and spreadsheets (UTF-8 with BOM, CRLF): `events.csv`,
//! `cases.csv`, plus any `ExtraFile`s (statistics, officer histories) that the
//! projections hand in.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hoso_domain::case::Case;
use hoso_domain::child::Child;
use hoso_domain::common::Unit;
use hoso_domain::officer::Officer;
use hoso_ledger::checkpoint::{self, Body, CheckpointError, NoteVerifier, Signer};
use hoso_ledger::encoding::{event_hash, RecordRef};
use hoso_ledger::merkle::{leaf_hash, verify_inclusion, Hash};
use hoso_ledger::StoredEvent;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::app::{App, AppError};
use crate::Area;

mod csv;
mod officer;
mod verify;

use csv::{cell, csv_row, BOM};
pub use csv::{csv, projection_csvs};
pub use officer::{for_officer, ExportRequest};
pub use verify::{verify_bundle, verify_bundle_with, BundleError, Verified};

pub const FORMAT: &str = "hoso-export-v1";
/// The opened personal parts, in a bundle that asked for them.
pub const PERSONAL_FILE: &str = "personal.jsonl";
const PAGE: i64 = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error(transparent)]
    Ledger(#[from] hoso_ledger::LedgerError),
    #[error(transparent)]
    App(#[from] AppError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "the store does not match its newest checkpoint #{0}: run `hoso verify`; nothing exported"
    )]
    StoreBroken(i64),
    #[error("output directory {0} exists and is not empty")]
    NotEmpty(PathBuf),
    #[error("place `{0}` is not understood: use province:<code> or commune:<province>:<code>")]
    Place(String),
}

mod manifest;

pub use manifest::*;

fn io(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A file being written and hashed at once.
struct Out {
    path: PathBuf,
    name: String,
    w: BufWriter<std::fs::File>,
    sha: Sha256,
    bytes: u64,
}

impl Out {
    fn create(dir: &Path, name: &str) -> Result<Out, ExportError> {
        let path = dir.join(name);
        let f = std::fs::File::create(&path).map_err(io(&path))?;
        Ok(Out {
            w: BufWriter::with_capacity(1 << 20, f),
            path,
            name: name.into(),
            sha: Sha256::new(),
            bytes: 0,
        })
    }
    fn put(&mut self, b: &[u8]) -> Result<(), ExportError> {
        self.sha.update(b);
        self.bytes += b.len() as u64;
        self.w.write_all(b).map_err(io(&self.path))
    }
    fn finish(mut self) -> Result<FileEntry, ExportError> {
        self.w.flush().map_err(io(&self.path))?;
        Ok(FileEntry {
            name: self.name,
            bytes: self.bytes,
            sha256: hex::encode(self.sha.finalize()),
        })
    }
}

/// The area of a unit code (`national`, `province:<p>`, `commune:<p>:<c>`).
fn area_of(code: &str) -> Result<Area, ExportError> {
    Unit::parse_code(code)
        .map(|u| Area::of(&u))
        .ok_or_else(|| ExportError::Place(code.into()))
}

/// The records (type, id) of the log's first `size` events whose place is in
/// `area`: the same rule as every read (`Area`), on the records' state.
async fn records_in(
    app: &App,
    size: i64,
    area: &Area,
) -> Result<BTreeSet<(String, String)>, ExportError> {
    let ledger = &app.ledger;
    let mut ids = BTreeSet::new();
    let mut inside = BTreeSet::new();
    let mut after = 0;
    while after < size {
        let page = ledger.read_after(after, PAGE.min(size - after)).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        for e in page.iter().filter(|e| e.position <= size) {
            if e.aggregate_type == "AccessLog" {
                // The public part names the unit of the record read.
                let unit = serde_json::from_str::<serde_json::Value>(&e.payload)
                    .ok()
                    .and_then(|p| p.get("subject_unit")?.as_str().map(str::to_string));
                if unit
                    .and_then(|u| Unit::parse_code(&u))
                    .is_some_and(|u| unit_in(area, &u))
                {
                    inside.insert((e.aggregate_type.clone(), e.position.to_string()));
                }
            } else {
                ids.insert((e.aggregate_type.clone(), e.aggregate_id.clone()));
            }
        }
    }
    for (t, id) in ids {
        let held = match t.as_str() {
            "Case" => app
                .load::<Case>(&id)
                .await?
                .commune
                .is_some_and(|c| area.holds(&c)),
            "Child" => app
                .load::<Child>(&id)
                .await?
                .commune()
                .is_some_and(|c| area.holds(&c)),
            "Officer" => app
                .load::<Officer>(&id)
                .await?
                .unit()
                .is_some_and(|u| unit_in(area, &u)),
            _ => false,
        };
        if held {
            inside.insert((t, id));
        }
    }
    Ok(inside)
}

/// Whether a unit lies in the area (a national unit only in the country).
fn unit_in(area: &Area, unit: &Unit) -> bool {
    *area == Area::Country || (*unit != Unit::National && area.holds_unit(unit))
}

fn metadata_of(e: &StoredEvent) -> HashMap<String, String> {
    serde_json::from_str(&e.metadata).unwrap_or_default()
}

fn selected(
    sel: &Selection,
    e: &StoredEvent,
    places: &BTreeSet<String>,
    area: Option<&BTreeSet<(String, String)>>,
) -> bool {
    if let Some(inside) = area {
        let key = if e.aggregate_type == "AccessLog" {
            e.position.to_string()
        } else {
            e.aggregate_id.clone()
        };
        if !inside.contains(&(e.aggregate_type.clone(), key)) {
            return false;
        }
    }
    if sel.case.is_some()
        && (e.aggregate_type != "Case" || sel.case.as_ref() != Some(&e.aggregate_id))
    {
        return false;
    }
    if sel.place.is_some() && (e.aggregate_type != "Case" || !places.contains(&e.aggregate_id)) {
        return false;
    }
    if sel.officer.is_none() && sel.from.is_none() && sel.to.is_none() {
        return true;
    }
    let meta = metadata_of(e);
    if let Some(o) = &sel.officer {
        let own = e.aggregate_type == "Officer" && &e.aggregate_id == o;
        if !own && meta.get("actor_id") != Some(o) {
            return false;
        }
    }
    let at = meta.get("recorded_at").map(String::as_str).unwrap_or("");
    if sel.from.as_deref().is_some_and(|f| at < f) || sel.to.as_deref().is_some_and(|t| at >= t) {
        return false;
    }
    true
}

/// Writes a bundle of the selected events into `dir` (created; must be empty),
/// proven against a checkpoint issued now if the log grew.
///
/// Redacted by default: events carry their public fields and the sealed
/// ciphertext of the personal ones. With `personal`, the opened personal
/// parts go into `personal.jsonl`, and the manifest says who asked and why.
/// When witnesses cosign the log, the bundle is proven against the newest
/// cosigned checkpoint, and `checkpoint.txt` carries the cosignatures.
pub async fn export(
    app: &App,
    signer: &Signer,
    sel: &Selection,
    dir: &Path,
    extra: Vec<ExtraFile>,
    personal: Option<&Personal>,
) -> Result<Summary, ExportError> {
    if dir.exists() && std::fs::read_dir(dir).map_err(io(dir))?.next().is_some() {
        return Err(ExportError::NotEmpty(dir.to_path_buf()));
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let ledger = &app.ledger;
    crate::signing::issue_now(ledger, signer, true).await?;
    let mut cp = match hoso_ledger::cosignature::newest_cosigned(ledger).await? {
        Some((c, _)) => c,
        None => checkpoint::latest(ledger)
            .await?
            .ok_or(CheckpointError::Malformed(0))?,
    };
    if cp.key_id != signer.verifier().key_id_hex() {
        // Signed by another key (the key was replaced): sign the same tree anew.
        cp = crate::signing::issue_now(ledger, signer, false)
            .await?
            .ok_or(CheckpointError::Malformed(cp.id))?;
    }
    let tree = hoso_ledger::log::tree(ledger, cp.tree_size).await?;
    if tree.size() != cp.tree_size || tree.root(cp.tree_size) != cp.root {
        return Err(ExportError::StoreBroken(cp.id));
    }
    let size = cp.tree_size as i64;

    // Cases of the place, and the records of the area (replayed from their
    // events).
    let mut places = BTreeSet::new();
    if let Some(place) = &sel.place {
        let area = area_of(place)?;
        places = records_in(app, size, &area)
            .await?
            .into_iter()
            .filter(|(t, _)| t == "Case")
            .map(|(_, id)| id)
            .collect();
    }
    let area = match &sel.area {
        Some(code) => Some(records_in(app, size, &area_of(code)?).await?),
        None => None,
    };

    let mut files = Vec::new();
    let mut cp_file = Out::create(dir, "checkpoint.txt")?;
    let note = hoso_ledger::cosignature::cosigned_note(ledger, &cp).await?;
    cp_file.put(note.as_bytes())?;
    files.push(cp_file.finish()?);

    let mut events = Out::create(dir, "events.jsonl")?;
    let mut csv = Out::create(dir, "events.csv")?;
    csv.put(BOM)?;
    csv.put(
        csv_row(&[
            "position",
            "recorded_at",
            "aggregate_type",
            "aggregate_id",
            "sequence",
            "event_type",
            "actor_id",
            "role",
            "unit",
            "hash",
        ])
        .as_bytes(),
    )?;
    let mut opened = match personal {
        Some(_) => Some(Out::create(dir, PERSONAL_FILE)?),
        None => None,
    };
    let mut count = 0u64;
    let mut cases = BTreeSet::new();
    let mut after = 0;
    while after < size {
        let page = ledger.read_after(after, PAGE.min(size - after)).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        for e in page.iter().filter(|e| e.position <= size) {
            if !selected(sel, e, &places, area.as_ref()) {
                continue;
            }
            let index = (e.position - 1) as u64;
            let proof = tree
                .inclusion_proof(index, cp.tree_size)
                .ok_or(ExportError::StoreBroken(cp.id))?;
            let line = EventLine {
                position: e.position,
                aggregate_type: e.aggregate_type.clone(),
                aggregate_id: e.aggregate_id.clone(),
                sequence: e.sequence,
                event_type: e.event_type.clone(),
                event_version: e.event_version.clone(),
                payload: e.payload.clone(),
                metadata: e.metadata.clone(),
                format: u8::try_from(e.format).map_err(|_| ExportError::StoreBroken(cp.id))?,
                sealed: e.sealed.clone(),
                prev_hash: hex::encode(&e.prev_hash),
                hash: hex::encode(&e.hash),
                leaf_index: index,
                inclusion_proof: proof.iter().map(hex::encode).collect(),
            };
            let mut text = serde_json::to_string(&line)?;
            text.push('\n');
            events.put(text.as_bytes())?;
            if let (Some(out), Some(_)) = (opened.as_mut(), &e.sealed) {
                let (mut part, sealing) = ledger.open_personal(e).await?;
                let withheld = match (personal.and_then(|p| p.sight.as_ref()), part.as_mut()) {
                    (Some(sight), Some(v)) => sight
                        .withhold(&e.aggregate_type, &e.event_type, v)
                        .iter()
                        .map(|f| f.to_string())
                        .collect(),
                    _ => Vec::new(),
                };
                let p = PersonalLine {
                    withheld,
                    position: e.position,
                    sealing: match sealing {
                        hoso_ledger::seal::Sealing::Opened => "opened",
                        _ => "erased",
                    }
                    .into(),
                    personal: part,
                };
                let mut text = serde_json::to_string(&p)?;
                text.push('\n');
                out.put(text.as_bytes())?;
            }
            let meta = metadata_of(e);
            let m = |k: &str| meta.get(k).map(String::as_str).unwrap_or("");
            csv.put(
                csv_row(&[
                    &e.position.to_string(),
                    m("recorded_at"),
                    &e.aggregate_type,
                    &e.aggregate_id,
                    &e.sequence.to_string(),
                    &e.event_type,
                    m("actor_id"),
                    m("role"),
                    m("unit"),
                    &line.hash,
                ])
                .as_bytes(),
            )?;
            if e.aggregate_type == "Case" {
                cases.insert(e.aggregate_id.clone());
            }
            count += 1;
        }
    }
    files.push(events.finish()?);
    files.push(csv.finish()?);
    if let Some(out) = opened {
        files.push(out.finish()?);
    }
    files.push(cases_csv(app, dir, &cases).await?);
    for x in extra {
        let mut f = Out::create(dir, &x.name)?;
        f.put(&x.bytes)?;
        files.push(f.finish()?);
    }

    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: crate::signing::now(),
        origin: signer.origin().into(),
        key_id: signer.verifier().key_id_hex(),
        selection: sel.clone(),
        checkpoint: CheckpointRef {
            file: "checkpoint.txt".into(),
            tree_size: cp.tree_size,
            root: B64.encode(cp.root),
        },
        events: EventsRef {
            file: "events.jsonl".into(),
            count,
        },
        files,
        personal: personal.map(|p| PersonalRef {
            file: PERSONAL_FILE.into(),
            reason: p.reason.clone(),
            requested_by: p.requested_by.clone(),
        }),
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest)?;
    bytes.push(b'\n');
    let path = dir.join("manifest.json");
    std::fs::write(&path, &bytes).map_err(io(&path))?;
    let sig = format!("{}\n", B64.encode(signer.sign_manifest(&bytes)));
    let path = dir.join("manifest.sig");
    std::fs::write(&path, sig).map_err(io(&path))?;
    Ok(Summary {
        dir: dir.to_path_buf(),
        events: count,
        cases: cases.len() as u64,
        checkpoint_id: cp.id,
        tree_size: cp.tree_size,
        bytes: manifest.files.iter().map(|f| f.bytes).sum::<u64>() + bytes.len() as u64,
    })
}

/// `cases.csv`: each case of the bundle as it stands after all its events.
async fn cases_csv(
    app: &App,
    dir: &Path,
    cases: &BTreeSet<String>,
) -> Result<FileEntry, ExportError> {
    let mut out = Out::create(dir, "cases.csv")?;
    out.put(BOM)?;
    out.put(
        csv_row(&[
            "case_id",
            "status",
            "province",
            "commune",
            "child_id",
            "received_at",
            "responsible_worker",
            "protection_level",
            "overall_risk",
            "plan_version",
            "approved_plan_version",
            "services",
            "referrals",
            "closed_at",
            "close_reason",
        ])
        .as_bytes(),
    )?;
    for id in cases {
        let c: Case = app.load(id).await?;
        let commune = c.commune.as_ref();
        out.put(
            csv_row(&[
                id,
                c.status.as_str(),
                &commune.map(|x| x.province.to_string()).unwrap_or_default(),
                &commune.map(|x| x.commune.to_string()).unwrap_or_default(),
                c.child_id.as_deref().unwrap_or(""),
                &cell(&c.received_at),
                c.responsible_worker.as_deref().unwrap_or(""),
                &cell(&c.protection_level),
                &cell(&c.overall_risk),
                &c.plan_version.to_string(),
                &cell(&c.approved_plan_version),
                &c.services_count.to_string(),
                &c.referrals_count.to_string(),
                &cell(&c.closed_at),
                &cell(&c.close_reason),
            ])
            .as_bytes(),
        )?;
    }
    out.finish()
}
