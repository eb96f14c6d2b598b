//! Sealed personal data: an event's personal fields leave its payload and go,
//! encrypted with the data key of the person the event is about, into the
//! event's sealed part. The stored record (format 2), its hash and the Merkle
//! log cover the public payload and the ciphertext only; destroying the
//! person's data key (`Keys::erase`) erases the personal part everywhere while
//! every proof still verifies.
//!
//! The ledger knows nothing of cases or children: which fields are personal
//! and whose key seals them comes from a `Classifier` (the domain's table,
//! handed in by the service).
//!
//! The sealed part, stored as canonical JSON (docs/event-hash.md):
//! `{"alg":"XChaCha20-Poly1305","ct":base64(nonce‖ciphertext‖tag),"kid":…,"subject":…}`,
//! where the plaintext is the canonical JSON of the personal part (the
//! personal fields in their own nesting, as the classifier splits them), and the associated data binds it to its event:
//! `"hoso-sealed-v1\n" ‖ field(aggregate_type) ‖ field(aggregate_id) ‖
//! u64be(sequence) ‖ field(event_type) ‖ field(event_version) ‖ field(subject)
//! ‖ field(kid)` with `field(x) = u32be(len(x)) ‖ x`.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::Value;

use crate::encoding::canonical_json;
use crate::keys::{open_bytes, seal_bytes};

pub const ALG: &str = "XChaCha20-Poly1305";
const AAD_CONTEXT: &[u8] = b"hoso-sealed-v1\n";

/// Whose data key seals an aggregate's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectRule {
    /// The aggregate itself: `"<prefix>:<aggregate id>"` (a child's or an
    /// officer's own record).
    Own(&'static str),
    /// A public field of the aggregate's first event names the subject:
    /// `"<prefix>:<value>"` (a case is about the child its intake names).
    FirstEventField {
        field: &'static str,
        prefix: &'static str,
    },
}

/// Which fields of an event are personal, and whose they are.
pub trait Classifier: Send + Sync {
    /// The payload's public part and its personal part (an empty object when
    /// it has no personal field); `None` when the event type is not
    /// classified, which the ledger refuses to store.
    fn split(
        &self,
        aggregate_type: &str,
        event_type: &str,
        payload: &Value,
    ) -> Option<(Value, Value)>;

    /// Puts an opened personal part back into the public part (the inverse
    /// of `split`).
    fn merge(&self, public: &mut Value, personal: Value);

    /// `None`: the aggregate type holds no personal data.
    fn subject(&self, aggregate_type: &str) -> Option<SubjectRule>;
}

/// Whether a personal part holds nothing.
pub fn is_empty(personal: &Value) -> bool {
    match personal {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// What opening an event gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealing {
    /// The event has no sealed part (no personal field, or written before
    /// format 2).
    Clear,
    /// The sealed part was opened and merged back.
    Opened,
    /// The subject's data key is destroyed: only the public part remains.
    Erased,
}

/// An event's payload for reading: public fields, and the personal ones when
/// they could be opened.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub payload: Value,
    pub sealing: Sealing,
}

/// The identity an envelope is bound to.
#[derive(Debug, Clone, Copy)]
pub struct Identity<'a> {
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: u64,
    pub event_type: &'a str,
    pub event_version: &'a str,
}

fn field(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u32).to_be_bytes());
    out.extend_from_slice(b);
}

fn aad(id: &Identity<'_>, subject: &str, kid: &str) -> Vec<u8> {
    let mut a = AAD_CONTEXT.to_vec();
    field(&mut a, id.aggregate_type.as_bytes());
    field(&mut a, id.aggregate_id.as_bytes());
    a.extend_from_slice(&id.sequence.to_be_bytes());
    field(&mut a, id.event_type.as_bytes());
    field(&mut a, id.event_version.as_bytes());
    field(&mut a, subject.as_bytes());
    field(&mut a, kid.as_bytes());
    a
}

/// The sealed part's canonical JSON.
pub(crate) fn envelope(
    key: &crate::keys::DataKey,
    id: &Identity<'_>,
    subject: &str,
    personal: &Value,
) -> Result<String, serde_json::Error> {
    let plain = canonical_json(personal)?;
    let ct = seal_bytes(
        &key.cipher,
        &aad(id, subject, &key.key_id),
        plain.as_bytes(),
    );
    canonical_json(&serde_json::json!({
        "alg": ALG,
        "ct": B64.encode(ct),
        "kid": key.key_id,
        "subject": subject,
    }))
}

/// The parts of a stored envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub subject: String,
    pub kid: String,
    pub ct: Vec<u8>,
}

pub fn parse_envelope(text: &str) -> Option<Envelope> {
    let v: Value = serde_json::from_str(text).ok()?;
    if v.get("alg")?.as_str()? != ALG {
        return None;
    }
    Some(Envelope {
        subject: v.get("subject")?.as_str()?.to_string(),
        kid: v.get("kid")?.as_str()?.to_string(),
        ct: B64.decode(v.get("ct")?.as_str()?).ok()?,
    })
}

/// Decrypts an envelope with its subject's key; `None` when it does not
/// open (wrong key, altered bytes, moved to another event).
pub(crate) fn open_envelope(
    key: &crate::keys::DataKey,
    id: &Identity<'_>,
    env: &Envelope,
) -> Option<Value> {
    if key.key_id != env.kid {
        return None;
    }
    let plain = open_bytes(&key.cipher, &aad(id, &env.subject, &env.kid), &env.ct)?;
    serde_json::from_slice(&plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelopes_open_only_for_their_own_event() {
        use chacha20poly1305::aead::KeyInit;
        let key = crate::keys::DataKey {
            key_id: "k1".into(),
            cipher: chacha20poly1305::XChaCha20Poly1305::new((&[5u8; 32]).into()),
        };
        let id = Identity {
            aggregate_type: "Case",
            aggregate_id: "HS-1",
            sequence: 3,
            event_type: "NoteAdded",
            event_version: "1",
        };
        let m = json!({"text": "Trẻ kể bị đánh."});
        let text = envelope(&key, &id, "Child:TE-1", &m).unwrap();
        assert!(!text.contains("đánh"));
        let env = parse_envelope(&text).unwrap();
        assert_eq!(open_envelope(&key, &id, &env), Some(m));
        let moved = Identity { sequence: 4, ..id };
        assert_eq!(open_envelope(&key, &moved, &env), None);
        let other = Identity {
            aggregate_id: "HS-2",
            ..moved
        };
        assert_eq!(open_envelope(&key, &other, &env), None);
    }
}
