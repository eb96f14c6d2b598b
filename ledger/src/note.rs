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
mod tests {
    use super::*;

    /// golang.org/x/mod/sumdb/note's example key and note (also in Cloudflare's
    /// signed_note crate): deterministic Ed25519, so signing reproduces it.
    const PN_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PN_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PN_NOTE: &str = "If you think cryptography is the answer to your problem,\n\
                           then you don't know what your problem is.\n\
                           \n\
                           — PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    /// A checkpoint of the public staging CT log arche2025h1 (Ed25519 log
    /// signature by key ba2f06c0) cosigned by the public witness
    /// remora.n621.de, among others; from a tlog client's test vectors.
    const ARCHE: &str = "arche2025h1.staging.ct.transparency.dev\n\
        1432088532\n\
        U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n\
        \n\
        — arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=\n\
        — arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=\n\
        — transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==\n\
        — witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==\n\
        — remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==\n\
        — witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==\n";
    const ARCHE_LOG: &str = "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f";
    const REMORA: &str = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2";

    #[test]
    fn known_answer_ed25519_note() {
        let s = NoteSigner::parse(PN_SKEY).unwrap();
        assert_eq!(s.verifier().to_string(), PN_VKEY);
        assert_eq!(s.to_private_key_text(), PN_SKEY);
        let note = Note::parse(PN_NOTE).unwrap();
        assert_eq!(note.to_text(), PN_NOTE);
        assert_eq!(s.sign(&note.text), note.signatures[0]);
        let v = Verifier::parse(PN_VKEY).unwrap();
        let ok = note.verify(std::slice::from_ref(&v)).unwrap();
        assert_eq!((ok.len(), ok[0].timestamp), (1, None));
        let altered = Note::parse(&PN_NOTE.replace("answer", "Answer")).unwrap();
        assert!(matches!(
            altered.verify(&[v]),
            Err(NoteError::BadSignature { .. })
        ));
    }

    #[test]
    fn known_answer_signed_note_vector() {
        // c2sp.org/signed-note test vector (as used by an independent client).
        let v = Verifier::parse(
            "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        )
        .unwrap();
        assert_eq!(
            hex::encode(v.public_key().as_bytes()),
            "e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4"
        );
        let note = Note::parse(
            "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
        )
        .unwrap();
        assert!(note.verify(&[v]).is_ok());
    }

    #[test]
    fn known_answer_real_cosigned_checkpoint() {
        let note = Note::parse(ARCHE).unwrap();
        assert_eq!(note.signatures.len(), 6);
        let cp = CheckpointText::parse(&note.text).unwrap();
        assert_eq!(
            (cp.origin.as_str(), cp.size),
            ("arche2025h1.staging.ct.transparency.dev", 1432088532)
        );
        let log = Verifier::parse(ARCHE_LOG).unwrap();
        assert_eq!(log.alg(), ALG_ED25519);
        assert_eq!(note.verify(std::slice::from_ref(&log)).unwrap().len(), 1);
        let remora = Verifier::parse(REMORA).unwrap();
        assert_eq!(remora.alg(), ALG_COSIGNATURE_V1);
        let q = quorum(&note, std::slice::from_ref(&remora), 1).unwrap();
        assert_eq!(q[0].verifier.name(), "remora.n621.de");
        assert_eq!(q[0].timestamp, Some(0x6a12_2120));
        // Unknown witnesses and the log's own lines are ignored.
        assert_eq!(
            quorum(&note, std::slice::from_ref(&remora), 2),
            Err(QuorumError::TooFew { have: 1, need: 2 })
        );
        // The witness key as an Ed25519 vkey of the same name and key is taken
        // as that cosigner.
        let as_01 = {
            let mut raw = vec![ALG_ED25519];
            raw.extend_from_slice(remora.public_key().as_bytes());
            let id = hex::encode(key_id(
                "remora.n621.de",
                ALG_ED25519,
                remora.public_key().as_bytes(),
            ));
            format!("remora.n621.de+{id}+{}", B64.encode(raw))
        };
        assert_eq!(Verifier::parse_cosigner(&as_01).unwrap(), remora);
        // A changed size breaks the cosignature.
        let clobbered = Note::parse(&ARCHE.replace("1432088532", "42")).unwrap();
        assert!(matches!(
            quorum(&clobbered, &[remora], 1),
            Err(QuorumError::Note(NoteError::BadSignature { .. }))
        ));
    }

    #[test]
    fn spec_examples_parse() {
        // c2sp.org/tlog-cosignature: the example cosignature's timestamp is the
        // `time 1679315147` of the example signed message.
        let note = Note::parse(
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\
             — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
             — witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n",
        )
        .unwrap();
        let w = &note.signatures[1];
        assert_eq!(w.cosignature_timestamp(), Some(1679315147));
        assert_eq!(w.signature.len(), 72);
        assert_eq!(
            cosignature_message(1679315147, &note.text),
            b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
        let cp = CheckpointText::parse(&note.text).unwrap();
        assert_eq!(cp.size, 20852163);
        assert_eq!(cp.text(), note.text);
        // transparency-dev/formats: a cosignature's timestamp, and keys.
        let s = SignatureLine::parse("— x ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==").unwrap();
        assert_eq!(s.cosignature_timestamp(), Some(1727964367));
        assert!(
            Verifier::parse("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6").is_ok()
        );
        for bad in [
            "bananas.sigstore.dev+12344556",
            "rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!",
            "rekor.sigstore.dev+12345678+AwEB",
            "TEST+00000000+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
            "TEST+7997405+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
            "+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
        ] {
            assert!(Verifier::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn malformed_notes_are_rejected() {
        let good = Note::parse(PN_NOTE).unwrap();
        let sig = good.signatures[0].to_line();
        let text = &good.text;
        for (why, bad) in [
            ("no blank line", format!("{text}{sig}")),
            ("no signature", format!("{text}\n")),
            ("no final newline", format!("{text}\n{}", sig.trim_end())),
            ("a tab", format!("{}\t\n\n{sig}", text.trim_end())),
            (
                "a carriage return",
                format!("{text}\n{}\r\n", sig.trim_end()),
            ),
            ("a NUL", format!("a\0\n\n{sig}")),
            (
                "text without newline",
                format!("\n{sig}").replacen('\n', "", 1),
            ),
            (
                "hyphen, not em dash",
                format!("{text}\n{}", sig.replacen('\u{2014}', "-", 1)),
            ),
            (
                "empty name",
                format!("{text}\n{}", sig.replacen("PeterNeumann", "", 1)),
            ),
            (
                "plus in name",
                format!(
                    "{text}\n{}",
                    sig.replacen("PeterNeumann", "Peter+Neumann", 1)
                ),
            ),
            (
                "short signature",
                format!("{text}\n— PeterNeumann AAAAAA==\n"),
            ),
            ("bad base64", format!("{text}\n— PeterNeumann AAAA*AAA\n")),
            ("blank signature line", format!("{text}\n{sig}\n")),
            ("trailing field", format!("{text}\n{} x\n", sig.trim_end())),
        ] {
            assert!(Note::parse(&bad).is_err(), "{why}: {bad:?}");
        }
        assert!(Note::parse_bytes(b"\xff\n\n").is_err());
        // 16 signatures are accepted, more than MAX_SIGNATURES are not.
        let many = |n: usize| format!("{text}\n{}", sig.repeat(n));
        assert_eq!(Note::parse(&many(16)).unwrap().signatures.len(), 16);
        assert!(Note::parse(&many(MAX_SIGNATURES + 1)).is_err());
        // Empty lines inside the text: the last empty line separates.
        let n = Note::parse(&format!("a\n\nb\n\n{sig}")).unwrap();
        assert_eq!(n.text, "a\n\nb\n");
    }

    #[test]
    fn unknown_keys_are_ignored_and_known_bad_ones_reject() {
        let log = NoteSigner::ed25519("example.com/log", &[1; 32]).unwrap();
        let w1 = NoteSigner::cosigner("w1.example", &[2; 32]).unwrap();
        let w2 = NoteSigner::cosigner("w2.example", &[3; 32]).unwrap();
        let stranger = NoteSigner::cosigner("w3.example", &[4; 32]).unwrap();
        let body = "example.com/log\n5\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\n";
        let note = Note {
            text: body.into(),
            signatures: vec![
                log.sign(body),
                w1.cosign(body, 1700000000),
                stranger.cosign(body, 1700000001),
                w2.cosign(body, 1700000002),
                w2.cosign(body, 1700000003),
            ],
        };
        let note = Note::parse(&note.to_text()).unwrap();
        let ws = [w1.verifier().clone(), w2.verifier().clone()];
        let q = quorum(&note, &ws, 2).unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q[1].timestamp, Some(1700000002));
        assert!(note.verify(&[log.verifier().clone()]).is_ok());
        // The log's key cannot pass for a witness: 0x01 keys do not count.
        assert_eq!(
            quorum(&note, &[log.verifier().clone()], 1),
            Err(QuorumError::TooFew { have: 0, need: 1 })
        );
        // A cosignature over another body fails; one with a changed timestamp too.
        let mut forged = w1.cosign(body, 1700000000);
        forged.signature[7] ^= 1;
        let n2 = Note {
            text: body.into(),
            signatures: vec![forged],
        };
        assert!(matches!(
            quorum(&n2, &ws, 1),
            Err(QuorumError::Note(NoteError::BadSignature { .. }))
        ));
        // Same name, another key (so another key id): ignored.
        let other = NoteSigner::cosigner("w1.example", &[9; 32]).unwrap();
        let n3 = Note {
            text: body.into(),
            signatures: vec![other.cosign(body, 1), w2.cosign(body, 1)],
        };
        assert_eq!(quorum(&n3, &ws, 1).unwrap().len(), 1);
        // A round trip of the verifier and private keys.
        assert_eq!(
            &Verifier::parse(&w1.verifier().to_string()).unwrap(),
            w1.verifier()
        );
        let back = NoteSigner::parse(&w1.to_private_key_text()).unwrap();
        assert_eq!(back.verifier(), w1.verifier());
        // The key id of a cosigner uses type 0x04.
        assert_eq!(
            w1.verifier().key_id(),
            key_id("w1.example", 0x04, w1.verifier().public_key().as_bytes())
        );
    }

    #[test]
    fn checkpoint_texts() {
        let r = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=";
        assert!(CheckpointText::parse(&format!("o\n0\n{r}\n")).is_ok());
        let e = CheckpointText::parse(&format!("o\n7\n{r}\next one\n")).unwrap();
        assert_eq!(e.extensions, vec!["ext one".to_string()]);
        for bad in [
            format!("o\n07\n{r}\n"),
            format!("o\n-7\n{r}\n"),
            format!("o\n+7\n{r}\n"),
            format!("o\n\n{r}\n"),
            format!("\n7\n{r}\n"),
            format!("o\n7\n{r}"),
            "o\n7\nAwMD\n".to_string(),
            format!("o\n7\n{r}\n\n"),
            "o\n7\n".to_string(),
            "o\n18446744073709551616\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\n".into(),
        ] {
            assert!(CheckpointText::parse(&bad).is_err(), "{bad:?}");
        }
    }
}
