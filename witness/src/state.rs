//! The witness's files: its key, and its state (the trusted logs and, per
//! origin, the latest cosigned size and root), written atomically and durably
//! (temporary file, fsync, rename, fsync of the directory) before any answer
//! that depends on it. A lock file keeps a second process (another `serve`,
//! or `add-log` while serving) from writing the same state.
//!
//! Files, for a state file `S`:
//! - `S`: JSON `{"version":1,"logs":{"<origin>":{"keys":["<vkey>",…],
//!   "size":N,"root":"<base64>"|null,"checkpoint":"<note text>"|null,
//!   "updated_at":"<RFC 3339>"|null}}}`
//! - `S.lock`: held (exclusive lock) while a process may write `S`.
//! - `S.evidence/`: log-signed requests that showed a fork (see `server`).
//! - the key file (default `S.key`): `PRIVATE+KEY+<name>+<keyid>+base64(0x04 ‖
//!   32-byte seed)\n`, mode 0600.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use hoso_ledger::note::{NoteSigner, Verifier};
use rand::RngCore;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} exists already: refusing to overwrite it")]
    Exists(PathBuf),
    #[error("{path} is not a witness state file: {reason}")]
    Format { path: PathBuf, reason: String },
    #[error("{0}: another witness process holds the state (stop it first)")]
    Locked(PathBuf),
    #[error(transparent)]
    Key(#[from] hoso_ledger::note::NoteError),
    #[error("{0} is not a log key: a log signs with Ed25519 note signatures (type 0x01)")]
    LogKey(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StateError + '_ {
    move |source| StateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What the witness knows of one log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogState {
    /// The log's verifier keys (`name+keyid+base64`), name = origin.
    pub keys: Vec<String>,
    /// Size of the latest cosigned checkpoint (0: none yet).
    pub size: u64,
    /// Its root, base64 (`None` before the first cosignature).
    pub root: Option<String>,
    /// Its note text (the checkpoint body as the log signed it).
    pub checkpoint: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    pub logs: BTreeMap<String, LogState>,
}

impl State {
    pub fn new() -> State {
        State {
            version: 1,
            logs: BTreeMap::new(),
        }
    }

    /// Reads a state file.
    pub fn load(path: &Path) -> Result<State, StateError> {
        let bytes = std::fs::read(path).map_err(io(path))?;
        let s: State = serde_json::from_slice(&bytes).map_err(|e| StateError::Format {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        if s.version != 1 {
            return Err(StateError::Format {
                path: path.to_path_buf(),
                reason: format!("version {}", s.version),
            });
        }
        for (origin, l) in &s.logs {
            for k in &l.keys {
                let v = Verifier::parse(k)?;
                if v.name() != origin {
                    return Err(StateError::Format {
                        path: path.to_path_buf(),
                        reason: format!("key {k} is not named {origin}"),
                    });
                }
            }
        }
        Ok(s)
    }

    /// Writes the state durably and atomically: `path.tmp`, fsync, rename
    /// over `path`, fsync of the directory. A crash leaves the old or the new
    /// state, never a mix, and once this returns the new one survives.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let tmp = sibling(path, ".tmp");
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| StateError::Format {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        {
            let mut f = File::create(&tmp).map_err(io(&tmp))?;
            f.write_all(&bytes).map_err(io(&tmp))?;
            f.write_all(b"\n").map_err(io(&tmp))?;
            f.sync_all().map_err(io(&tmp))?;
        }
        std::fs::rename(&tmp, path).map_err(io(path))?;
        sync_dir(path)?;
        Ok(())
    }

    /// Trusts a log key (origin = the key's name). Idempotent.
    pub fn add_log(&mut self, vkey: &str) -> Result<String, StateError> {
        let v = Verifier::parse(vkey)?;
        if v.alg() != hoso_ledger::note::ALG_ED25519 {
            return Err(StateError::LogKey(v.to_string()));
        }
        let entry = self.logs.entry(v.name().to_string()).or_default();
        let k = v.to_string();
        if !entry.keys.contains(&k) {
            entry.keys.push(k);
        }
        Ok(v.name().to_string())
    }
}

/// `path` with `suffix` appended to its file name.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

fn sync_dir(path: &Path) -> Result<(), StateError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// The exclusive lock on a state file, held while a process may write it.
pub struct StateLock {
    _file: File,
}

impl StateLock {
    pub fn acquire(state: &Path) -> Result<StateLock, StateError> {
        let p = sibling(state, ".lock");
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&p)
            .map_err(io(&p))?;
        match f.try_lock() {
            Ok(()) => Ok(StateLock { _file: f }),
            Err(std::fs::TryLockError::WouldBlock) => Err(StateError::Locked(state.to_path_buf())),
            Err(std::fs::TryLockError::Error(e)) => Err(io(&p)(e)),
        }
    }
}

/// Writes `bytes` to a new file `path` (mode 0600), failing if it exists.
fn create_secret(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            StateError::Exists(path.to_path_buf())
        } else {
            io(path)(e)
        }
    })?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(io(path))?;
    sync_dir(path)
}

/// The default key file beside a state file.
pub fn default_key_path(state: &Path) -> PathBuf {
    sibling(state, ".key")
}

/// Creates a witness: a new cosigner key named `name` in `key` (mode 0600)
/// and an empty state in `state`; refuses to overwrite either. Returns the
/// signer (print `signer.verifier()`: the witness's verifier key).
pub fn init(state: &Path, key: &Path, name: &str) -> Result<NoteSigner, StateError> {
    if state.exists() {
        return Err(StateError::Exists(state.to_path_buf()));
    }
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let signer = NoteSigner::cosigner(name, &seed)?;
    create_secret(
        key,
        format!("{}\n", signer.to_private_key_text()).as_bytes(),
    )?;
    let _lock = StateLock::acquire(state)?;
    if state.exists() {
        return Err(StateError::Exists(state.to_path_buf()));
    }
    State::new().save(state)?;
    Ok(signer)
}

/// Reads a key file made by `init`.
pub fn load_key(key: &Path) -> Result<NoteSigner, StateError> {
    let text = std::fs::read_to_string(key).map_err(io(key))?;
    let s = NoteSigner::parse(&text)?;
    if s.verifier().alg() != hoso_ledger::note::ALG_COSIGNATURE_V1 {
        return Err(StateError::Format {
            path: key.to_path_buf(),
            reason: "not a cosignature/v1 (type 0x04) key".into(),
        });
    }
    Ok(s)
}

/// Adds a trusted log to a state file (the witness must not be serving it).
/// Returns the origin.
pub fn add_log(state: &Path, vkey: &str) -> Result<String, StateError> {
    let _lock = StateLock::acquire(state)?;
    let mut s = State::load(state)?;
    let origin = s.add_log(vkey)?;
    s.save(state)?;
    Ok(origin)
}
