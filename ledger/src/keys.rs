//! Data keys for sealed personal data, and the key-encryption key that wraps
//! them.
//!
//! Every data subject (a child, an officer) has one random 256-bit data key.
//! It is stored only wrapped (XChaCha20-Poly1305 under the key-encryption key,
//! KEK) in `data_keys`, the one table where a row may be destroyed: deleting a
//! subject's row erases every copy of that subject's sealed data, in the
//! database, its backups and exports, while every hash still verifies.
//! `erased_subjects` remembers that it happened, so no new key is ever made
//! for an erased subject.
//!
//! The KEK is never in the database: a file (mode 0600, made at first use on a
//! fresh store) or the `HOSO_KEK` environment variable. `kek_check` holds a
//! value sealed under the KEK, so that a missing or wrong KEK is refused at
//! start-up before anything is written. Rotation re-wraps the data keys
//! (`rewrap`); events are never re-encrypted.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::sql::{exec, rows, ts, Tx, Val};
use crate::store::Db;

/// Text before the base64 key in a KEK file.
const KEK_FILE_TAG: &str = "hoso-kek-v1 ";
const CHECK_PLAIN: &[u8] = b"hoso key-encryption key check v1";
const WRAP_CONTEXT: &[u8] = b"hoso-data-key-wrap-v1\n";
/// How long an unwrapped data key is kept in memory. Another process that
/// erases a subject is seen by this one within this time.
const CACHE_FOR: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("key-encryption key {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "key-encryption key {0} is not a hoso KEK file (`{KEK_FILE_TAG}<base64 of 32 bytes>`)"
    )]
    Format(String),
    #[error(
        "this store's personal data is sealed under key-encryption key {expected}, but no key was given: \
         put the KEK file at {path} (or set HOSO_KEK); nothing was written"
    )]
    Missing { expected: String, path: PathBuf },
    #[error(
        "the key-encryption key given ({given}) is not this store's ({expected}): \
         use the KEK this store was made with; nothing was written"
    )]
    Wrong { given: String, expected: String },
    #[error("the data key of {0} does not unwrap with this key-encryption key")]
    Unwrap(String),
    #[error(
        "the personal data of {0} was erased: no more personal data can be recorded about them"
    )]
    Erased(String),
    #[error("the data keys' lock was poisoned by a panic")]
    Poisoned,
}

/// The key-encryption key.
#[derive(Clone)]
pub struct Kek {
    key: [u8; 32],
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kek({})", self.id())
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

impl Kek {
    pub fn from_bytes(key: [u8; 32]) -> Kek {
        Kek { key }
    }

    /// `hoso-kek-v1 <base64>` (the file's text, or the variable's value; the
    /// tag may be left out of the variable).
    pub fn parse(text: &str) -> Result<Kek, KeyError> {
        let t = text.trim();
        let b = t.strip_prefix(KEK_FILE_TAG).unwrap_or(t);
        let key: [u8; 32] = B64
            .decode(b)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| KeyError::Format("given".into()))?;
        Ok(Kek { key })
    }

    /// Reads the KEK file.
    pub fn load(path: &Path) -> Result<Kek, KeyError> {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        Kek::parse(&text).map_err(|_| KeyError::Format(path.display().to_string()))
    }

    /// Creates a new KEK file (mode 0600) atomically: when another process
    /// made one at the same moment, that one is used.
    pub fn create(path: &Path) -> Result<Kek, KeyError> {
        let kek = Kek { key: random() };
        let tmp = path.with_extension(format!(
            "tmp{}-{}",
            std::process::id(),
            hex::encode(random::<4>())
        ));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(io(&tmp))?;
        f.write_all(format!("{KEK_FILE_TAG}{}\n", B64.encode(kek.key)).as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(io(&tmp))?;
        drop(f);
        // hard_link fails if the file exists already: keep that one.
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                tracing::info!(path = %path.display(), kek = %kek.id(), "generated a new key-encryption key");
                Ok(kek)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Kek::load(path),
            Err(e) => Err(io(path)(e)),
        }
    }

    /// Eight hex digits naming the key (not secret).
    pub fn id(&self) -> String {
        let d = Sha256::new()
            .chain_update(b"hoso-kek-id\n")
            .chain_update(self.key)
            .finalize();
        hex::encode(&d[..4])
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.key).into())
    }

    fn wrap(&self, subject: &str, key_id: &str, data_key: &[u8; 32]) -> Vec<u8> {
        seal_bytes(&self.cipher(), &wrap_aad(subject, key_id), data_key)
    }

    fn unwrap_key(
        &self,
        subject: &str,
        key_id: &str,
        wrapped: &[u8],
    ) -> Result<[u8; 32], KeyError> {
        open_bytes(&self.cipher(), &wrap_aad(subject, key_id), wrapped)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| KeyError::Unwrap(subject.to_string()))
    }
}

fn wrap_aad(subject: &str, key_id: &str) -> Vec<u8> {
    let mut aad = WRAP_CONTEXT.to_vec();
    aad.extend_from_slice(subject.as_bytes());
    aad.push(b'\n');
    aad.extend_from_slice(key_id.as_bytes());
    aad
}

/// `nonce (24) ‖ ciphertext+tag` under a random nonce.
pub(crate) fn seal_bytes(cipher: &XChaCha20Poly1305, aad: &[u8], plain: &[u8]) -> Vec<u8> {
    let nonce: [u8; 24] = random();
    // Encryption of a buffer in memory cannot fail for this AEAD.
    let ct = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
        .unwrap_or_default();
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    out
}

pub(crate) fn open_bytes(cipher: &XChaCha20Poly1305, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < 24 + 16 {
        return None;
    }
    let (nonce, ct) = sealed.split_at(24);
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .ok()
}

/// Where the KEK comes from: `HOSO_KEK` if set, else the file.
pub fn kek_from_env_or_file(path: &Path) -> Result<Option<Kek>, KeyError> {
    if let Ok(v) = std::env::var("HOSO_KEK") {
        if !v.trim().is_empty() {
            return Kek::parse(&v).map(Some);
        }
    }
    if path.exists() {
        return Kek::load(path).map(Some);
    }
    Ok(None)
}

/// One subject's unwrapped data key.
#[derive(Clone)]
pub(crate) struct DataKey {
    pub key_id: String,
    pub cipher: XChaCha20Poly1305,
}

/// The data keys of a store, unwrapped on demand and kept briefly.
pub struct Keys {
    kek: Kek,
    cache: Mutex<HashMap<String, (Option<DataKey>, Instant)>>,
    /// Keys made by this process that no commit has stored yet.
    pending: Mutex<HashMap<String, (DataKey, NewKey)>>,
    /// Erasures made through this value (`erase`).
    erased_here: std::sync::atomic::AtomicU64,
}

/// A `data_keys` row to store with the events it seals.
#[derive(Clone, Debug)]
pub(crate) struct NewKey {
    pub subject: String,
    pub key_id: String,
    pub kek_id: String,
    pub wrapped: Vec<u8>,
    pub created_at: String,
}

impl Keys {
    /// Checks `kek` against the store (or records it on a store that has no
    /// sealed data yet). `kek` is `None` when no key was found: accepted only on
    /// a store that never had one, with `create` making it at `path`.
    pub async fn open(db: &Db, kek: Option<Kek>, path: &Path) -> Result<Keys, KeyError> {
        let found = rows(
            db,
            "SELECT kek_id, check_value FROM kek_check WHERE id = 1",
            &[],
        )
        .await?;
        let kek = match (found.first(), kek) {
            (Some(row), Some(kek)) => {
                let expected = row.text("kek_id")?;
                let check = row.bytes("check_value")?;
                if open_bytes(&kek.cipher(), b"kek-check", &check).as_deref() != Some(CHECK_PLAIN) {
                    return Err(KeyError::Wrong {
                        given: kek.id(),
                        expected,
                    });
                }
                kek
            }
            (Some(row), None) => {
                return Err(KeyError::Missing {
                    expected: row.text("kek_id")?,
                    path: path.to_path_buf(),
                })
            }
            (None, given) => {
                let kek = match given {
                    Some(k) => k,
                    None => Kek::create(path)?,
                };
                let check = seal_bytes(&kek.cipher(), b"kek-check", CHECK_PLAIN);
                exec(
                    db,
                    "INSERT INTO kek_check (id, kek_id, check_value) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING",
                    &[kek.id().into(), Val::Bytes(check)],
                )
                .await?;
                // Another process may have recorded another KEK first.
                return Box::pin(Keys::open(db, Some(kek), path)).await;
            }
        };
        Ok(Keys {
            kek,
            cache: Mutex::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
            erased_here: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// How many erasures this process made (through these keys).
    pub fn erased_here(&self) -> u64 {
        self.erased_here.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn kek_id(&self) -> String {
        self.kek.id()
    }

    fn cached(&self, subject: &str) -> Option<Option<DataKey>> {
        let cache = self.cache.lock().ok()?;
        match cache.get(subject) {
            Some((k, at)) if at.elapsed() < CACHE_FOR => Some(k.clone()),
            _ => None,
        }
    }

    fn remember(&self, subject: &str, key: Option<DataKey>) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 100_000 {
                cache.clear();
            }
            cache.insert(subject.to_string(), (key, Instant::now()));
        }
    }

    fn forget(&self, subject: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(subject);
        }
    }

    async fn load(&self, db: &Db, subject: &str) -> Result<Option<DataKey>, KeyError> {
        if let Some(k) = self.cached(subject) {
            return Ok(k);
        }
        let found = rows(
            db,
            "SELECT key_id, wrapped FROM data_keys WHERE subject = ?",
            &[subject.into()],
        )
        .await?;
        let key = match found.first() {
            Some(r) => {
                let key_id = r.text("key_id")?;
                let key = self
                    .kek
                    .unwrap_key(subject, &key_id, &r.bytes("wrapped")?)?;
                Some(DataKey {
                    key_id,
                    cipher: XChaCha20Poly1305::new((&key).into()),
                })
            }
            None => None,
        };
        self.remember(subject, key.clone());
        Ok(key)
    }

    /// The subject's key for opening; `None` when it does not exist (erased,
    /// or never made).
    pub(crate) async fn for_opening(
        &self,
        db: &Db,
        subject: &str,
    ) -> Result<Option<DataKey>, KeyError> {
        self.load(db, subject).await
    }

    /// The subject's key for sealing, made on first use; refused for an erased
    /// subject. A key made here is not stored yet: it comes back with its row
    /// (`NewKey`), which the writer stores in the transaction of the events it
    /// seals (`writer::insert`), and every append sealed with it carries that
    /// row until one of them commits (`stored`).
    pub(crate) async fn for_sealing(
        &self,
        db: &Db,
        subject: &str,
    ) -> Result<(DataKey, Option<NewKey>), KeyError> {
        if let Some(k) = self.load(db, subject).await? {
            return Ok((k, None));
        }
        if let Some(p) = self.pending_key(subject) {
            return Ok(p);
        }
        let erased = rows(
            db,
            "SELECT subject FROM erased_subjects WHERE subject = ?",
            &[subject.into()],
        )
        .await?;
        if !erased.is_empty() {
            return Err(KeyError::Erased(subject.to_string()));
        }
        let key: [u8; 32] = random();
        let key_id = hex::encode(random::<8>());
        let made = (
            DataKey {
                key_id: key_id.clone(),
                cipher: XChaCha20Poly1305::new((&key).into()),
            },
            NewKey {
                subject: subject.to_string(),
                wrapped: self.kek.wrap(subject, &key_id, &key),
                kek_id: self.kek.id(),
                key_id,
                created_at: ts(chrono::Utc::now()),
            },
        );
        let mut pending = self.pending.lock().map_err(|_| KeyError::Poisoned)?;
        // Another task of this process may have made one meanwhile: one key
        // per subject.
        let entry = pending.entry(subject.to_string()).or_insert(made);
        Ok((entry.0.clone(), Some(entry.1.clone())))
    }

    fn pending_key(&self, subject: &str) -> Option<(DataKey, Option<NewKey>)> {
        let pending = self.pending.lock().ok()?;
        pending
            .get(subject)
            .map(|(k, n)| (k.clone(), Some(n.clone())))
    }

    /// The writer stored these keys with the events they seal.
    pub(crate) fn stored(&self, keys: &[NewKey]) {
        for n in keys {
            let key = match self.pending.lock() {
                Ok(mut pending) => match pending.get(&n.subject) {
                    Some((k, p)) if p.key_id == n.key_id => {
                        let k = k.clone();
                        pending.remove(&n.subject);
                        Some(k)
                    }
                    _ => None,
                },
                Err(_) => None,
            };
            match key {
                Some(k) => self.remember(&n.subject, Some(k)),
                None => self.forget(&n.subject),
            }
        }
    }

    /// The writer did not store these keys (the append failed): they are
    /// dropped, and the subject's key is read again next time (another
    /// process may have stored one first).
    pub(crate) fn not_stored(&self, keys: &[NewKey]) {
        for n in keys {
            if let Ok(mut pending) = self.pending.lock() {
                if pending
                    .get(&n.subject)
                    .is_some_and(|(_, p)| p.key_id == n.key_id)
                {
                    pending.remove(&n.subject);
                }
            }
            self.forget(&n.subject);
        }
    }

    /// Destroys the subject's data key for good, and scrubs what the database
    /// may keep of deleted rows (SQLite: free pages zeroed by `secure_delete`,
    /// the WAL truncated; PostgreSQL: `VACUUM` of the key table).
    pub async fn erase(&self, db: &Db, subject: &str) -> Result<bool, KeyError> {
        let mut tx = Tx::begin(db).await?;
        tx.exec(
            "INSERT INTO erased_subjects (subject, erased_at) VALUES (?, ?) ON CONFLICT (subject) DO NOTHING",
            &[subject.into(), ts(chrono::Utc::now()).into()],
        )
        .await?;
        let n = tx
            .exec("DELETE FROM data_keys WHERE subject = ?", &[subject.into()])
            .await?;
        tx.commit().await?;
        self.forget(subject);
        self.erased_here
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n > 0 {
            scrub(db, &["data_keys"]).await?;
        }
        Ok(n > 0)
    }

    /// Re-wraps every data key under `new` (KEK rotation); the caller then
    /// replaces the KEK file. Events are not touched.
    pub async fn rewrap(&self, db: &Db, new: &Kek) -> Result<u64, KeyError> {
        let mut tx = Tx::begin(db).await?;
        let all = tx
            .rows("SELECT subject, key_id, wrapped FROM data_keys", &[])
            .await?;
        let mut n = 0;
        for r in &all {
            let subject = r.text("subject")?;
            let key_id = r.text("key_id")?;
            let key = self
                .kek
                .unwrap_key(&subject, &key_id, &r.bytes("wrapped")?)?;
            tx.exec(
                "UPDATE data_keys SET wrapped = ?, kek_id = ? WHERE subject = ?",
                &[
                    Val::Bytes(new.wrap(&subject, &key_id, &key)),
                    new.id().into(),
                    subject.as_str().into(),
                ],
            )
            .await?;
            n += 1;
        }
        tx.exec(
            "UPDATE kek_check SET kek_id = ?, check_value = ? WHERE id = 1",
            &[
                new.id().into(),
                Val::Bytes(seal_bytes(&new.cipher(), b"kek-check", CHECK_PLAIN)),
            ],
        )
        .await?;
        tx.commit().await?;
        if let Ok(mut c) = self.cache.lock() {
            c.clear();
        }
        Ok(n)
    }
}

/// Makes deleted or overwritten rows of `tables` unrecoverable from the
/// database files.
pub async fn scrub(db: &Db, tables: &[&str]) -> Result<(), sqlx::Error> {
    match db {
        Db::Sqlite(_) => {
            // secure_delete is on for every connection (store.rs), so freed
            // pages are zeroed; the WAL still holds old page images until it
            // is checkpointed and truncated.
            exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", &[]).await?;
        }
        Db::Postgres(_) => {
            for t in tables {
                exec(db, &format!("VACUUM {t}"), &[]).await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_keys_open_only_with_their_kek_and_subject() {
        let kek = Kek::from_bytes([1; 32]);
        let w = kek.wrap("Child:TE-1", "k1", &[9; 32]);
        assert_eq!(kek.unwrap_key("Child:TE-1", "k1", &w).unwrap(), [9; 32]);
        assert!(kek.unwrap_key("Child:TE-2", "k1", &w).is_err());
        assert!(kek.unwrap_key("Child:TE-1", "k2", &w).is_err());
        assert!(Kek::from_bytes([2; 32])
            .unwrap_key("Child:TE-1", "k1", &w)
            .is_err());
        let mut bad = w.clone();
        bad[30] ^= 1;
        assert!(kek.unwrap_key("Child:TE-1", "k1", &bad).is_err());
    }

    #[test]
    fn kek_text_round_trips_and_ids_differ() {
        let k = Kek::from_bytes([3; 32]);
        let text = format!("{KEK_FILE_TAG}{}\n", B64.encode([3u8; 32]));
        assert_eq!(Kek::parse(&text).unwrap().id(), k.id());
        assert_eq!(Kek::parse(&B64.encode([3u8; 32])).unwrap().id(), k.id());
        assert_ne!(k.id(), Kek::from_bytes([4; 32]).id());
        assert!(Kek::parse("hoso-kek-v1 AAAA").is_err());
    }
}
