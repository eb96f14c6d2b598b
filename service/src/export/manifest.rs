//! The files of a bundle: what was selected, the manifest, event and personal lines.

use super::*;

/// Which events go into the bundle; every given criterion must hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Selection {
    /// Events of this case.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub case: Option<String>,
    /// Events recorded by this officer (metadata `actor_id`), and the events of
    /// the officer's own record.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub officer: Option<String>,
    /// Events of the cases whose responsible commune is in this unit
    /// (`province:<p>` or `commune:<p>:<c>`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub place: Option<String>,
    /// Recorded at or after (metadata `recorded_at`, compared as text: a date or
    /// an RFC 3339 UTC time).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub from: Option<String>,
    /// Recorded before.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub to: Option<String>,
    /// Only the events of records whose place is in this unit (`national`,
    /// `province:<p>`, `commune:<p>:<c>`; the area of the officer who asked):
    /// a case by its commune now, a child by its commune, an officer by their
    /// unit, an access record by the unit of the record read.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub area: Option<String>,
}

/// A further file for the bundle (for instance a statistics CSV from the
/// projections): listed in the manifest with its digest, so it is signed too.
pub struct ExtraFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CheckpointRef {
    pub file: String,
    pub tree_size: u64,
    /// Base64, as in the checkpoint.
    pub root: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct EventsRef {
    pub file: String,
    pub count: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub origin: String,
    pub key_id: String,
    pub selection: Selection,
    pub checkpoint: CheckpointRef,
    pub events: EventsRef,
    pub files: Vec<FileEntry>,
    /// Present only when the bundle carries personal data in clear
    /// (`personal.jsonl`): who asked for it and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal: Option<PersonalRef>,
}

/// The personal part of a bundle: asked for explicitly, with a reason.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PersonalRef {
    pub file: String,
    pub reason: String,
    pub requested_by: String,
}

/// A request to add the personal fields in clear to a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Personal {
    pub reason: String,
    pub requested_by: String,
    /// The fields the requesting officer may not read are left out
    /// (`None`: the console, which reads everything).
    pub sight: Option<crate::Sight>,
}

/// One line of `personal.jsonl`: an event's personal part, opened.
#[derive(Debug, Serialize, Deserialize)]
pub struct PersonalLine {
    pub position: i64,
    /// `opened`, or `erased` when the person's data key is destroyed.
    pub sealing: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal: Option<serde_json::Value>,
    /// Fields left out because the officer who asked may not read them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<String>,
}

fn format_1() -> u8 {
    1
}

/// One line of `events.jsonl`.
#[derive(Debug, Serialize, Deserialize)]
pub struct EventLine {
    pub position: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    /// The public fields (format 2), or the whole payload (format 1).
    pub payload: String,
    pub metadata: String,
    /// 1 or 2 (docs/event-hash.md); absent in bundles of format 1 only.
    #[serde(default = "format_1")]
    pub format: u8,
    /// Format 2: the sealed personal part, ciphertext only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    pub leaf_index: u64,
    pub inclusion_proof: Vec<String>,
}

/// What an export wrote.
#[derive(Debug)]
pub struct Summary {
    pub dir: PathBuf,
    pub events: u64,
    pub cases: u64,
    pub checkpoint_id: i64,
    pub tree_size: u64,
    pub bytes: u64,
}
