//! Signed notes (c2sp.org/signed-note), checkpoints as notes
//! (c2sp.org/tlog-checkpoint) and Ed25519 witness cosignatures
//! (c2sp.org/tlog-cosignature, `cosignature/v1`, signature type 0x04).
//!
//! What it is for: parsing a note into its text and signature lines exactly as
//! the specification says (and rejecting what it calls malformed), verifier
//! keys `name+keyid+base64(type ‖ key)`, signing and verifying ordinary Ed25519
//! note signatures (type 0x01) and timestamped cosignatures (type 0x04), and
//! the quorum check of a client: K distinct trusted witnesses whose
//! cosignatures verify on one checkpoint. Signature lines of unknown keys are
//! ignored, as the specification requires.
//!
//! Byte for byte in `docs/transparency.md`. The log's own signing key and the
//! stored checkpoints stay in `crate::checkpoint`; its `NoteVerifier` converts
//! to a [`Verifier`] here.

use std::fmt;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::merkle::Hash;

/// Signature type of ordinary Ed25519 note signatures.
pub const ALG_ED25519: u8 = 0x01;
/// Signature type of timestamped Ed25519 witness cosignatures (cosignature/v1).
pub const ALG_COSIGNATURE_V1: u8 = 0x04;
/// Most signature lines accepted in one note (the specification asks for at
/// least 16).
pub const MAX_SIGNATURES: usize = 100;
/// Largest note accepted, in bytes.
pub const MAX_NOTE_BYTES: usize = 1 << 20;
/// The em dash and space that open a signature line.
const SIG_PREFIX: &str = "\u{2014} ";
/// Largest timestamp a cosignature may carry (2^63 − 1).
const MAX_TIMESTAMP: u64 = i64::MAX as u64;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoteError {
    #[error("malformed note: {0}")]
    Malformed(&'static str),
    #[error("malformed checkpoint: {0}")]
    Checkpoint(&'static str),
    #[error("key name {0:?} is empty or has a space or a plus sign")]
    KeyName(String),
    #[error("verifier key is not understood: {0} (expected name+keyid+base64(type ‖ key))")]
    VerifierKey(String),
    #[error("verifier key has signature type {0:#04x}; only Ed25519 (0x01) and cosignature/v1 (0x04) are supported")]
    Algorithm(u8),
    #[error("the signature of known key {name}+{key_id} does not verify")]
    BadSignature { name: String, key_id: String },
    #[error("no signature of a known key")]
    NoKnownSignature,
}

/// `key name` is non-empty and has neither Unicode spaces nor `+`.
pub fn valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// `SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4]`.
pub fn key_id(name: &str, alg: u8, key: &[u8]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', alg]);
    h.update(key);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// One signature line: `— <name> base64(key id ‖ signature)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureLine {
    pub name: String,
    pub key_id: [u8; 4],
    /// The bytes after the key id.
    pub signature: Vec<u8>,
}

impl SignatureLine {
    /// Parses one line, without its newline.
    pub fn parse(line: &str) -> Result<SignatureLine, NoteError> {
        let rest = line.strip_prefix(SIG_PREFIX).ok_or(NoteError::Malformed(
            "a signature line must start with an em dash and a space",
        ))?;
        let (name, b64) = rest.split_once(' ').ok_or(NoteError::Malformed(
            "a signature line needs a key name and a signature",
        ))?;
        if !valid_key_name(name) {
            return Err(NoteError::KeyName(name.to_string()));
        }
        let blob = B64
            .decode(b64)
            .map_err(|_| NoteError::Malformed("a signature is not standard base64"))?;
        if blob.len() < 5 {
            return Err(NoteError::Malformed(
                "a signature is shorter than a key id and one byte",
            ));
        }
        Ok(SignatureLine {
            name: name.to_string(),
            key_id: [blob[0], blob[1], blob[2], blob[3]],
            signature: blob[4..].to_vec(),
        })
    }

    /// The line with its final newline.
    pub fn to_line(&self) -> String {
        let mut blob = self.key_id.to_vec();
        blob.extend_from_slice(&self.signature);
        format!("{SIG_PREFIX}{} {}\n", self.name, B64.encode(blob))
    }

    pub fn key_id_hex(&self) -> String {
        hex::encode(self.key_id)
    }

    /// The timestamp of a cosignature/v1 line (the 8 bytes after the key id),
    /// without checking the signature.
    pub fn cosignature_timestamp(&self) -> Option<u64> {
        let t: [u8; 8] = self.signature.get(..8)?.try_into().ok()?;
        Some(u64::from_be_bytes(t))
    }
}

/// A signed note: its text (ending in a newline) and its signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub signatures: Vec<SignatureLine>,
}

impl Note {
    /// Parses a note as c2sp.org/signed-note defines it: valid UTF-8 with no
    /// control characters but newline; the text ends in a newline and is
    /// separated by the last empty line from one or more signature lines, each
    /// ending in a newline.
    pub fn parse_bytes(note: &[u8]) -> Result<Note, NoteError> {
        let s = std::str::from_utf8(note).map_err(|_| NoteError::Malformed("not UTF-8"))?;
        Note::parse(s)
    }

    /// `parse_bytes` of a string.
    pub fn parse(note: &str) -> Result<Note, NoteError> {
        if note.len() > MAX_NOTE_BYTES {
            return Err(NoteError::Malformed("too large"));
        }
        if note.chars().any(|c| c < ' ' && c != '\n') {
            return Err(NoteError::Malformed(
                "a control character other than newline",
            ));
        }
        let split = note
            .rfind("\n\n")
            .ok_or(NoteError::Malformed("no empty line before the signatures"))?;
        let text = &note[..split + 1];
        let sigs = note[split + 2..]
            .strip_suffix('\n')
            .ok_or(NoteError::Malformed(
                "the last signature line must end in a newline",
            ))?;
        let mut signatures = Vec::new();
        for line in sigs.split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::Malformed("too many signatures"));
            }
            signatures.push(SignatureLine::parse(line)?);
        }
        Ok(Note {
            text: text.to_string(),
            signatures,
        })
    }

    /// The note again: text, empty line, signature lines.
    pub fn to_text(&self) -> String {
        let mut s = self.text.clone();
        s.push('\n');
        for sig in &self.signatures {
            s.push_str(&sig.to_line());
        }
        s
    }

    /// Checks the signatures of known keys. A line is a known key's when its
    /// name and key id both match; other lines are ignored. A known key's line
    /// that does not verify rejects the whole note (the specification's
    /// SHOULD); so does a note with no verified line. Each key counts once.
    pub fn verify(&self, known: &[Verifier]) -> Result<Vec<Verified>, NoteError> {
        let mut out: Vec<Verified> = Vec::new();
        for sig in &self.signatures {
            let Some(v) = known.iter().find(|v| v.matches(sig)) else {
                continue;
            };
            let timestamp = v
                .verify(&self.text, sig)
                .ok_or_else(|| NoteError::BadSignature {
                    name: sig.name.clone(),
                    key_id: sig.key_id_hex(),
                })?;
            if out.iter().any(|o| o.verifier == *v) {
                continue;
            }
            out.push(Verified {
                verifier: v.clone(),
                timestamp,
                line: sig.clone(),
            });
        }
        if out.is_empty() {
            return Err(NoteError::NoKnownSignature);
        }
        Ok(out)
    }
}

/// A signature line that verified, with the key that verified it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub verifier: Verifier,
    /// The cosignature's timestamp (POSIX seconds); `None` for type 0x01.
    pub timestamp: Option<u64>,
    pub line: SignatureLine,
}

/// A public key that verifies note signatures: Ed25519 (type 0x01) or an
/// Ed25519 witness cosigner (type 0x04).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    alg: u8,
    key_id: [u8; 4],
    key: VerifyingKey,
}

impl Verifier {
    /// An ordinary Ed25519 note verifier.
    pub fn ed25519(name: &str, key: VerifyingKey) -> Result<Verifier, NoteError> {
        Verifier::new(name, ALG_ED25519, key)
    }

    /// A cosignature/v1 verifier.
    pub fn cosignature_v1(name: &str, key: VerifyingKey) -> Result<Verifier, NoteError> {
        Verifier::new(name, ALG_COSIGNATURE_V1, key)
    }

    fn new(name: &str, alg: u8, key: VerifyingKey) -> Result<Verifier, NoteError> {
        if !valid_key_name(name) {
            return Err(NoteError::KeyName(name.to_string()));
        }
        Ok(Verifier {
            name: name.to_string(),
            alg,
            key_id: key_id(name, alg, key.as_bytes()),
            key,
        })
    }

    /// Parses a verifier key `name+<8 hex digits>+base64(type ‖ 32-byte key)`
    /// and checks that the key id is the one the name and key give.
    pub fn parse(vkey: &str) -> Result<Verifier, NoteError> {
        let text = vkey.trim();
        let bad = || NoteError::VerifierKey(text.chars().take(120).collect());
        let (name, rest) = text.split_once('+').ok_or_else(bad)?;
        let (id, key) = rest.split_once('+').ok_or_else(bad)?;
        if !valid_key_name(name) {
            return Err(NoteError::KeyName(name.to_string()));
        }
        if id.len() != 8 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let raw = B64.decode(key).map_err(|_| bad())?;
        let (&alg, pk) = raw.split_first().ok_or_else(bad)?;
        if alg != ALG_ED25519 && alg != ALG_COSIGNATURE_V1 {
            return Err(NoteError::Algorithm(alg));
        }
        let pk: [u8; 32] = pk.try_into().map_err(|_| bad())?;
        let key = VerifyingKey::from_bytes(&pk).map_err(|_| bad())?;
        let v = Verifier::new(name, alg, key)?;
        if !hex::encode(v.key_id).eq_ignore_ascii_case(id) {
            return Err(bad());
        }
        Ok(v)
    }

    /// A witness key: a cosignature/v1 verifier key, or an Ed25519 (0x01) one
    /// taken as the same key and name used for cosignatures (its key id is
    /// then recomputed with type 0x04).
    pub fn parse_cosigner(vkey: &str) -> Result<Verifier, NoteError> {
        let v = Verifier::parse(vkey)?;
        Verifier::cosignature_v1(&v.name, v.key)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn alg(&self) -> u8 {
        self.alg
    }

    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    pub fn key_id_hex(&self) -> String {
        hex::encode(self.key_id)
    }

    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The line names this key (name and key id).
    pub fn matches(&self, sig: &SignatureLine) -> bool {
        sig.name == self.name && sig.key_id == self.key_id
    }

    /// Verifies one line of this key over the note text (strict Ed25519).
    /// `Some(None)` for a valid 0x01 signature, `Some(Some(t))` for a valid
    /// cosignature made at `t`, `None` when it does not verify.
    pub fn verify(&self, text: &str, sig: &SignatureLine) -> Option<Option<u64>> {
        if !self.matches(sig) {
            return None;
        }
        match self.alg {
            ALG_ED25519 => {
                let s = Signature::from_slice(&sig.signature).ok()?;
                self.key.verify_strict(text.as_bytes(), &s).ok()?;
                Some(None)
            }
            _ => {
                if sig.signature.len() != 8 + 64 {
                    return None;
                }
                let t = sig.cosignature_timestamp()?;
                if t > MAX_TIMESTAMP {
                    return None;
                }
                let s = Signature::from_slice(&sig.signature[8..]).ok()?;
                self.key
                    .verify_strict(&cosignature_message(t, text), &s)
                    .ok()?;
                Some(Some(t))
            }
        }
    }
}

impl fmt::Display for Verifier {
    /// The verifier key text `name+keyid+base64(type ‖ key)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = vec![self.alg];
        raw.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{}+{}", self.name, self.key_id_hex(), B64.encode(raw))
    }
}

impl From<&crate::checkpoint::NoteVerifier> for Verifier {
    fn from(v: &crate::checkpoint::NoteVerifier) -> Verifier {
        Verifier {
            name: v.name.clone(),
            alg: ALG_ED25519,
            key_id: v.key_id,
            key: v.key,
        }
    }
}

/// `cosignature/v1\ntime <t>\n` ‖ the checkpoint body (with its final newline).
pub fn cosignature_message(timestamp: u64, body: &str) -> Vec<u8> {
    format!("cosignature/v1\ntime {timestamp}\n{body}").into_bytes()
}

/// A private Ed25519 key with its note name: signs ordinary notes (type 0x01)
/// or cosignatures (type 0x04).
pub struct NoteSigner {
    name: String,
    key: SigningKey,
    verifier: Verifier,
}

impl NoteSigner {
    /// A signer of ordinary Ed25519 note signatures.
    pub fn ed25519(name: &str, seed: &[u8; 32]) -> Result<NoteSigner, NoteError> {
        NoteSigner::new(name, ALG_ED25519, seed)
    }

    /// A signer of cosignature/v1 signatures.
    pub fn cosigner(name: &str, seed: &[u8; 32]) -> Result<NoteSigner, NoteError> {
        NoteSigner::new(name, ALG_COSIGNATURE_V1, seed)
    }

    fn new(name: &str, alg: u8, seed: &[u8; 32]) -> Result<NoteSigner, NoteError> {
        let key = SigningKey::from_bytes(seed);
        let verifier = Verifier::new(name, alg, key.verifying_key())?;
        Ok(NoteSigner {
            name: name.to_string(),
            key,
            verifier,
        })
    }

    /// Parses `PRIVATE+KEY+<name>+<keyid>+base64(type ‖ 32-byte seed)` (the
    /// form of golang.org/x/mod/sumdb/note and transparency-dev/formats).
    pub fn parse(skey: &str) -> Result<NoteSigner, NoteError> {
        let bad = || NoteError::VerifierKey("a private key (not shown)".into());
        let rest = skey.trim().strip_prefix("PRIVATE+KEY+").ok_or_else(bad)?;
        let (name, rest) = rest.split_once('+').ok_or_else(bad)?;
        let (id, key) = rest.split_once('+').ok_or_else(bad)?;
        let raw = B64.decode(key).map_err(|_| bad())?;
        let (&alg, seed) = raw.split_first().ok_or_else(bad)?;
        if alg != ALG_ED25519 && alg != ALG_COSIGNATURE_V1 {
            return Err(NoteError::Algorithm(alg));
        }
        let seed: [u8; 32] = seed.try_into().map_err(|_| bad())?;
        let s = NoteSigner::new(name, alg, &seed)?;
        if !s.verifier.key_id_hex().eq_ignore_ascii_case(id) {
            return Err(bad());
        }
        Ok(s)
    }

    /// The private key text that `parse` reads. Secret.
    pub fn to_private_key_text(&self) -> String {
        let mut raw = vec![self.verifier.alg];
        raw.extend_from_slice(&self.key.to_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            self.verifier.key_id_hex(),
            B64.encode(raw)
        )
    }

    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A type 0x01 signature line over `text`; for a cosigner, use `cosign`.
    pub fn sign(&self, text: &str) -> SignatureLine {
        debug_assert_eq!(self.verifier.alg, ALG_ED25519);
        SignatureLine {
            name: self.name.clone(),
            key_id: self.verifier.key_id,
            signature: self.key.sign(text.as_bytes()).to_bytes().to_vec(),
        }
    }

    /// A cosignature/v1 line over a checkpoint body at `timestamp`: key id ‖
    /// u64 big-endian timestamp ‖ Ed25519(`cosignature/v1\ntime <t>\n` ‖ body).
    pub fn cosign(&self, body: &str, timestamp: u64) -> SignatureLine {
        debug_assert_eq!(self.verifier.alg, ALG_COSIGNATURE_V1);
        let sig = self.key.sign(&cosignature_message(timestamp, body));
        let mut signature = timestamp.to_be_bytes().to_vec();
        signature.extend_from_slice(&sig.to_bytes());
        SignatureLine {
            name: self.name.clone(),
            key_id: self.verifier.key_id,
            signature,
        }
    }
}

/// The three lines of a checkpoint body (c2sp.org/tlog-checkpoint), and any
/// extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointText {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub extensions: Vec<String>,
}

impl CheckpointText {
    /// Parses a note text as a checkpoint: a non-empty origin, the size in
    /// decimal without leading zeros, the base64 root hash (32 bytes), then
    /// non-empty extension lines, every line ending in a newline.
    pub fn parse(text: &str) -> Result<CheckpointText, NoteError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(NoteError::Checkpoint("it must end in a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(NoteError::Checkpoint("empty origin"))?;
        let size_text = lines.next().ok_or(NoteError::Checkpoint("no size line"))?;
        let canonical = size_text == "0"
            || (!size_text.is_empty()
                && !size_text.starts_with('0')
                && size_text.bytes().all(|b| b.is_ascii_digit()));
        let size: u64 =
            size_text
                .parse()
                .ok()
                .filter(|_| canonical)
                .ok_or(NoteError::Checkpoint(
                    "the size is not a decimal without leading zeros",
                ))?;
        let root: Hash = lines
            .next()
            .and_then(|l| B64.decode(l).ok())
            .and_then(|v| v.try_into().ok())
            .ok_or(NoteError::Checkpoint(
                "the root is not a base64 32-byte hash",
            ))?;
        let extensions: Vec<String> = lines.map(str::to_string).collect();
        if extensions.iter().any(|l| l.is_empty()) {
            return Err(NoteError::Checkpoint("an empty extension line"));
        }
        Ok(CheckpointText {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }

    pub fn text(&self) -> String {
        let mut t = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            t.push_str(e);
            t.push('\n');
        }
        t
    }
}

/// Why a checkpoint does not have a quorum of cosignatures.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QuorumError {
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error("{have} of the {need} required witnesses cosigned this checkpoint")]
    TooFew { have: usize, need: usize },
}

/// The cosignatures of `note` that verify with `witnesses` (cosignature/v1
/// keys), one per distinct witness, when there are at least `k`. Lines of
/// other keys (the log's own, unknown witnesses) are ignored; a line of a
/// trusted witness that does not verify rejects the note.
pub fn quorum(note: &Note, witnesses: &[Verifier], k: usize) -> Result<Vec<Verified>, QuorumError> {
    let cosigners: Vec<Verifier> = witnesses
        .iter()
        .filter(|w| w.alg == ALG_COSIGNATURE_V1)
        .cloned()
        .collect();
    let verified = match note.verify(&cosigners) {
        Ok(v) => v,
        Err(NoteError::NoKnownSignature) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    // Distinct witnesses: one public key (the message does not commit to the
    // name) counts once, whatever names it is listed under.
    let mut distinct: Vec<Verified> = Vec::new();
    for v in verified {
        if !distinct
            .iter()
            .any(|d| d.verifier.key == v.verifier.key || d.verifier.name == v.verifier.name)
        {
            distinct.push(v);
        }
    }
    if distinct.len() < k {
        return Err(QuorumError::TooFew {
            have: distinct.len(),
            need: k,
        });
    }
    Ok(distinct)
}

#[cfg(test)]
mod tests;
