//! Signed checkpoints of the Merkle log: the signing key, the C2SP signed-note
//! format, and the append-only `checkpoints` table.
//!
//! A checkpoint body (C2SP `tlog-checkpoint`) is exactly
//! ```text
//! <origin>\n<tree size>\n<base64 root hash>\n
//! ```
//! with no extension lines (the issue time is kept in the stored row only).
//! Checkpoints issued before that carry one more line, `time <RFC 3339 UTC>\n`;
//! they still parse and verify. The note adds a blank line and one signature line
//! `— <key name> <base64(key id ‖ Ed25519 signature of the body)>\n`. The key
//! name is the origin; the key id is the first 4 bytes of
//! `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)`. The verifier key is printed as
//! `<name>+<key id hex>+<base64(0x01 ‖ public key)>` (the note verifier-key
//! format). Byte for byte in `docs/export-format.md`.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;
use thiserror::Error;

use crate::error::LedgerError;
use crate::merkle::{CompactRange, Hash};
use crate::store::{Db, Ledger};

/// The signature algorithm byte of Ed25519 in signed notes.
const ALG_ED25519: u8 = 0x01;
/// Domain separation for signatures that are not notes (export manifests).
pub const MANIFEST_CONTEXT: &[u8] = b"hoso-export-manifest-v1\n";
/// Text before the base64 seed in the private key file.
const KEY_FILE_TAG: &str = "hoso-ed25519-private-key-v1 ";

#[derive(Debug, Error)]
pub enum CheckpointError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("signing key {path}: {source}")]
    KeyIo {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("signing key {0} is not a hoso Ed25519 key file")]
    KeyFormat(PathBuf),
    #[error("public key is not understood: {0} (expected name+keyid+base64 as printed by `hoso key show`)")]
    PublicKey(String),
    #[error("event at position {found} where position {expected} was expected: the log has a gap")]
    Gap { expected: i64, found: i64 },
    #[error("stored checkpoint #{0} is malformed")]
    Malformed(i64),
    /// The key offered is not the log's identity (the key that signed
    /// checkpoint #1): a replaced or regenerated key file.
    #[error(
        "the signing key {offered} is not this log's key: checkpoint #1 was signed by key id {pinned}; \
         restore that key file (or give it with --key / HOSO_SIGNING_KEY); a log's key never changes silently"
    )]
    NotPinnedKey { pinned: String, offered: String },
}

/// The private signing key with its note name and key id.
pub struct Signer {
    key: SigningKey,
    verifier: NoteVerifier,
}

impl Signer {
    /// Reads the key file, or creates it (mode 0600, atomically: two processes
    /// starting at once end up with the same key) when it does not exist.
    pub fn load_or_generate(path: &Path) -> Result<Signer, CheckpointError> {
        if !path.exists() {
            let mut seed = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut seed);
            let io = |source| CheckpointError::KeyIo {
                path: path.to_path_buf(),
                source,
            };
            let tmp = path.with_extension(format!("tmp{}", std::process::id()));
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&tmp).map_err(io)?;
            f.write_all(format!("{KEY_FILE_TAG}{}\n", B64.encode(seed)).as_bytes())
                .and_then(|_| f.sync_all())
                .map_err(io)?;
            drop(f);
            // hard_link fails if another process created the key first: keep theirs.
            let linked = std::fs::hard_link(&tmp, path);
            let _ = std::fs::remove_file(&tmp);
            if let Err(e) = linked {
                if e.kind() != std::io::ErrorKind::AlreadyExists {
                    return Err(io(e));
                }
            } else {
                tracing::info!(path = %path.display(), "generated a new checkpoint signing key");
            }
        }
        Signer::load(path)
    }

    /// Reads an existing key file.
    pub fn load(path: &Path) -> Result<Signer, CheckpointError> {
        let text = std::fs::read_to_string(path).map_err(|source| CheckpointError::KeyIo {
            path: path.to_path_buf(),
            source,
        })?;
        let seed: [u8; 32] = text
            .trim_end()
            .strip_prefix(KEY_FILE_TAG)
            .and_then(|b| B64.decode(b).ok())
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| CheckpointError::KeyFormat(path.to_path_buf()))?;
        Ok(Signer::from_seed(&seed))
    }

    pub fn from_seed(seed: &[u8; 32]) -> Signer {
        let key = SigningKey::from_bytes(seed);
        let verifier = NoteVerifier::new(key.verifying_key());
        Signer { key, verifier }
    }

    pub fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }

    /// The log's origin line, which is also the key name.
    pub fn origin(&self) -> &str {
        &self.verifier.name
    }

    /// A signed note: `body`, a blank line, the signature line.
    pub fn sign_note(&self, body: &str) -> String {
        let sig = self.key.sign(body.as_bytes());
        let mut blob = self.verifier.key_id.to_vec();
        blob.extend_from_slice(&sig.to_bytes());
        format!(
            "{body}\n\u{2014} {} {}\n",
            self.verifier.name,
            B64.encode(blob)
        )
    }

    /// Ed25519 signature of `MANIFEST_CONTEXT ‖ bytes`.
    pub fn sign_manifest(&self, bytes: &[u8]) -> [u8; 64] {
        let mut msg = MANIFEST_CONTEXT.to_vec();
        msg.extend_from_slice(bytes);
        self.key.sign(&msg).to_bytes()
    }
}

/// A public key with its note name and key id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    pub name: String,
    pub key_id: [u8; 4],
    pub key: VerifyingKey,
}

impl NoteVerifier {
    /// The name is derived from the key: `hoso.log/<first 16 hex digits of
    /// SHA-256(public key)>`.
    pub fn new(key: VerifyingKey) -> NoteVerifier {
        let fp = Sha256::digest(key.as_bytes());
        let name = format!("hoso.log/{}", hex::encode(&fp[..8]));
        let key_id = key_id(&name, &key);
        NoteVerifier { name, key_id, key }
    }

    /// Parses `name+keyid+base64(0x01 ‖ key)`, checking the key id.
    pub fn parse(text: &str) -> Result<NoteVerifier, CheckpointError> {
        let bad = || CheckpointError::PublicKey(text.trim().chars().take(120).collect());
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(k)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let raw = B64.decode(k).map_err(|_| bad())?;
        let (Some(&ALG_ED25519), Some(pk)) = (raw.first(), raw.get(1..)) else {
            return Err(bad());
        };
        let pk: [u8; 32] = pk.try_into().map_err(|_| bad())?;
        let key = VerifyingKey::from_bytes(&pk).map_err(|_| bad())?;
        let v = NoteVerifier {
            name: name.to_string(),
            key_id: key_id(name, &key),
            key,
        };
        if hex::encode(v.key_id) != id.to_ascii_lowercase() {
            return Err(bad());
        }
        Ok(v)
    }

    /// A key given as the verifier-key text or as a path to a file holding it.
    pub fn from_arg(arg: &str) -> Result<NoteVerifier, CheckpointError> {
        match std::fs::read_to_string(arg) {
            Ok(text) => NoteVerifier::parse(&text),
            Err(_) => NoteVerifier::parse(arg),
        }
    }

    pub fn key_id_hex(&self) -> String {
        hex::encode(self.key_id)
    }

    /// Checks a signed note; returns its body when one signature line of this
    /// key verifies (strictly) over it.
    pub fn open_note<'a>(&self, note: &'a str) -> Option<&'a str> {
        let split = note.rfind("\n\n")?;
        let body = &note[..split + 1];
        let sigs = &note[split + 2..];
        sigs.lines().find_map(|line| {
            let rest = line.strip_prefix("\u{2014} ")?;
            let (name, b64) = rest.split_once(' ')?;
            let blob = B64.decode(b64).ok()?;
            if name != self.name || blob.len() != 68 || blob[..4] != self.key_id {
                return None;
            }
            let sig = Signature::from_slice(&blob[4..]).ok()?;
            self.key
                .verify_strict(body.as_bytes(), &sig)
                .ok()
                .map(|_| body)
        })
    }

    /// Checks a manifest signature made by `Signer::sign_manifest`.
    pub fn verify_manifest(&self, bytes: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = Signature::from_slice(signature) else {
            return false;
        };
        let mut msg = MANIFEST_CONTEXT.to_vec();
        msg.extend_from_slice(bytes);
        self.key.verify_strict(&msg, &sig).is_ok()
    }
}

impl std::fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{}+{}", self.name, self.key_id_hex(), B64.encode(raw))
    }
}

fn key_id(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(key.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// The fields of a checkpoint body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub origin: String,
    pub tree_size: u64,
    pub root: Hash,
    /// The `time …` extension line of checkpoints issued before bodies were
    /// cut to the three C2SP lines; `None` for every new checkpoint.
    pub time: Option<String>,
}

impl Body {
    /// `origin\nsize\nbase64 root\n` (plus the legacy `time` line if set).
    pub fn text(&self) -> String {
        let mut t = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.tree_size,
            B64.encode(self.root)
        );
        if let Some(time) = &self.time {
            t.push_str(&format!("time {time}\n"));
        }
        t
    }

    /// Parses a body exactly as `text` writes it: the three checkpoint lines,
    /// or (checkpoints issued before) the three lines and one `time` line. No
    /// other form is accepted.
    pub fn parse(text: &str) -> Option<Body> {
        let mut lines = text.strip_suffix('\n')?.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty())?.to_string();
        let size_text = lines.next()?;
        let tree_size: u64 = size_text.parse().ok()?;
        let root: Hash = B64.decode(lines.next()?).ok()?.try_into().ok()?;
        let time = match lines.next() {
            None => None,
            Some(l) => Some(l.strip_prefix("time ")?.to_string()),
        };
        let body = Body {
            origin,
            tree_size,
            root,
            time,
        };
        (lines.next().is_none() && body.text() == text).then_some(body)
    }
}

/// One stored checkpoint.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub id: i64,
    pub tree_size: u64,
    pub root: Hash,
    pub issued_at: String,
    pub key_id: String,
    /// The signed note, byte for byte.
    pub note: String,
    /// Stored tree state at `tree_size`; `None` if the stored bytes are not one.
    pub compact_range: Option<CompactRange>,
}

const COLUMNS: &str = "id, tree_size, root_hash, issued_at, key_id, note, compact_range";

fn checkpoint_of<R>(row: &R) -> Result<Checkpoint, CheckpointError>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let id: i64 = row.try_get("id")?;
    let size: i64 = row.try_get("tree_size")?;
    let root: Vec<u8> = row.try_get("root_hash")?;
    let compact: Vec<u8> = row.try_get("compact_range")?;
    let hashes: Vec<Hash> = compact
        .chunks(32)
        .filter_map(|c| c.try_into().ok())
        .collect();
    Ok(Checkpoint {
        id,
        tree_size: u64::try_from(size).map_err(|_| CheckpointError::Malformed(id))?,
        root: root
            .try_into()
            .map_err(|_| CheckpointError::Malformed(id))?,
        issued_at: row.try_get("issued_at")?,
        key_id: row.try_get("key_id")?,
        note: row.try_get("note")?,
        compact_range: CompactRange::from_parts(size.max(0) as u64, hashes),
    })
}

/// Every stored checkpoint, oldest first.
pub async fn load_all(ledger: &Ledger) -> Result<Vec<Checkpoint>, CheckpointError> {
    let sql = format!("SELECT {COLUMNS} FROM checkpoints ORDER BY id");
    on_pool!(ledger.db(), p => sqlx::query(&sql)
        .fetch_all(p)
        .await?
        .iter()
        .map(checkpoint_of)
        .collect())
}

/// The newest stored checkpoint.
pub async fn latest(ledger: &Ledger) -> Result<Option<Checkpoint>, CheckpointError> {
    let sql = format!("SELECT {COLUMNS} FROM checkpoints ORDER BY id DESC LIMIT 1");
    on_pool!(ledger.db(), p => sqlx::query(&sql)
        .fetch_optional(p)
        .await?
        .as_ref()
        .map(checkpoint_of)
        .transpose())
}

/// The stored checkpoint `#id`.
pub async fn by_id(ledger: &Ledger, id: i64) -> Result<Option<Checkpoint>, CheckpointError> {
    let sql = format!("SELECT {COLUMNS} FROM checkpoints WHERE id = $1");
    on_pool!(ledger.db(), p => sqlx::query(&sql)
        .bind(id)
        .fetch_optional(p)
        .await?
        .as_ref()
        .map(checkpoint_of)
        .transpose())
}

/// Integrates every committed event into the tree (from the newest checkpoint's
/// stored state on), signs a checkpoint and stores it with `issued_at`
/// (RFC 3339, UTC; in the row only, not in the signed body). With `only_if_grown`, does nothing (returns `None`) when the log
/// has not grown since the newest checkpoint.
/// Whether a key is the log's identity: the public key of the first
/// checkpoint. `Ok(None)`: the log has no checkpoint yet (any key may sign
/// the first); `Ok(Some(()))`: this key signed checkpoint #1; otherwise
/// `NotPinnedKey`. The whole signature is checked, not only the key id.
pub async fn pinned(
    ledger: &Ledger,
    verifier: &NoteVerifier,
) -> Result<Option<()>, CheckpointError> {
    let Some(first) = by_id(ledger, 1).await? else {
        return Ok(None);
    };
    if verifier.open_note(&first.note).is_some() {
        Ok(Some(()))
    } else {
        Err(CheckpointError::NotPinnedKey {
            pinned: first.key_id,
            offered: verifier.key_id_hex(),
        })
    }
}

/// Signs and stores a checkpoint of everything committed so far, with the
/// log's own key only (`pinned`). Two issuers (the background checkpointer
/// and an export, or two processes) may race for the next checkpoint id: the
/// loser signs again over the log as it stands after the winner's.
pub async fn issue(
    ledger: &Ledger,
    signer: &Signer,
    issued_at: &str,
    only_if_grown: bool,
) -> Result<Option<Checkpoint>, CheckpointError> {
    pinned(ledger, signer.verifier()).await?;
    let mut tries = 0;
    loop {
        match issue_once(ledger, signer, issued_at, only_if_grown).await {
            Err(CheckpointError::Database(sqlx::Error::Database(d)))
                if d.is_unique_violation() && tries < 8 =>
            {
                tries += 1;
            }
            other => return other,
        }
    }
}

async fn issue_once(
    ledger: &Ledger,
    signer: &Signer,
    issued_at: &str,
    only_if_grown: bool,
) -> Result<Option<Checkpoint>, CheckpointError> {
    let last = latest(ledger).await?;
    let mut range = match &last {
        Some(c) => c
            .compact_range
            .clone()
            .ok_or(CheckpointError::Malformed(c.id))?,
        None => CompactRange::default(),
    };
    crate::log::integrate(ledger, &mut range).await?;
    if only_if_grown && last.as_ref().is_some_and(|c| c.tree_size == range.size()) {
        return Ok(None);
    }
    let body = Body {
        origin: signer.origin().to_string(),
        tree_size: range.size(),
        root: range.root(),
        time: None,
    };
    let cp = Checkpoint {
        id: last.map_or(1, |c| c.id + 1),
        tree_size: range.size(),
        root: body.root,
        issued_at: issued_at.to_string(),
        key_id: signer.verifier().key_id_hex(),
        note: signer.sign_note(&body.text()),
        compact_range: Some(range),
    };
    store(ledger, &cp).await?;
    Ok(Some(cp))
}

async fn store(ledger: &Ledger, cp: &Checkpoint) -> Result<(), CheckpointError> {
    let compact: Vec<u8> = cp
        .compact_range
        .as_ref()
        .map(|c| c.hashes().concat())
        .unwrap_or_default();
    let size = cp.tree_size as i64;
    let sql = format!("INSERT INTO checkpoints ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
    on_pool!(ledger.db(), p => {
        sqlx::query(&sql)
                .bind(cp.id)
                .bind(size)
                .bind(&cp.root[..])
                .bind(&cp.issued_at)
                .bind(&cp.key_id)
                .bind(&cp.note)
                .bind(&compact)
            .execute(p)
            .await?;
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_sign_verify_and_reject_changes() {
        let s = Signer::from_seed(&[7; 32]);
        let body = Body {
            origin: s.origin().into(),
            tree_size: 12,
            root: [3; 32],
            time: None,
        };
        assert_eq!(
            body.text(),
            format!(
                "{}\n12\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\n",
                s.origin()
            )
        );
        let note = s.sign_note(&body.text());
        let v = NoteVerifier::parse(&s.verifier().to_string()).unwrap();
        assert_eq!(&v, s.verifier());
        assert_eq!(v.open_note(&note), Some(body.text().as_str()));
        assert_eq!(Body::parse(&body.text()), Some(body));
        assert!(v.open_note(&note.replace("\n12\n", "\n13\n")).is_none());
        let other = Signer::from_seed(&[8; 32]);
        assert!(other.verifier().open_note(&note).is_none());
        assert!(NoteVerifier::parse("x+00000000+AQ==").is_err());
        let sig = s.sign_manifest(b"{}");
        assert!(v.verify_manifest(b"{}", &sig));
        assert!(!v.verify_manifest(b"{ }", &sig));
    }

    #[test]
    fn bodies_of_both_forms_parse_and_nothing_else() {
        let legacy = "hoso.log/ab\n3\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\ntime 2026-11-23T08:00:00Z\n";
        let b = Body::parse(legacy).unwrap();
        assert_eq!(b.time.as_deref(), Some("2026-11-23T08:00:00Z"));
        assert_eq!(b.text(), legacy);
        let new = "hoso.log/ab\n3\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\n";
        assert_eq!(Body::parse(new).unwrap().time, None);
        for bad in [
            "hoso.log/ab\n3\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=",
            "hoso.log/ab\n03\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\n",
            "hoso.log/ab\n3\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\nother\n",
            "hoso.log/ab\n3\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\ntime x\nmore\n",
            "hoso.log/ab\n3\nAwMD\n",
        ] {
            assert_eq!(Body::parse(bad), None, "{bad:?}");
        }
    }

    /// A note stored before bodies lost their `time` line still verifies.
    #[test]
    fn legacy_notes_still_verify() {
        let s = Signer::from_seed(&[7; 32]);
        let legacy = format!(
            "{}\n12\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\ntime 2026-11-23T08:00:00Z\n",
            s.origin()
        );
        let note = s.sign_note(&legacy);
        let body = s.verifier().open_note(&note).unwrap();
        assert_eq!(Body::parse(body).unwrap().tree_size, 12);
    }
}
