//! Stored events decoded into domain events plus their metadata.

use chrono::{DateTime, Utc};
use hoso_domain::access::{self, AccessEvent};
use hoso_domain::case::CaseEvent;
use hoso_domain::child::ChildEvent;
use hoso_domain::officer::OfficerEvent;
use hoso_ledger::StoredEvent;
use serde::Deserialize;

use crate::error::ProjectionError;

/// Who recorded an event, in what role and unit, and when.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Meta {
    pub actor_id: String,
    pub role: String,
    pub unit: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub enum Payload {
    Case(Box<CaseEvent>),
    Child(Box<ChildEvent>),
    Officer(Box<OfficerEvent>),
    Access(Box<AccessEvent>),
    /// An aggregate the projections do not follow (e.g. benchmark data).
    Other,
}

#[derive(Debug, Clone)]
pub struct Decoded {
    pub position: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub meta: Option<Meta>,
    pub payload: Payload,
}

impl Decoded {
    /// The event from its public payload only (what read models are built
    /// from: personal fields are absent and take their defaults).
    pub fn from_stored(e: &StoredEvent) -> Result<Decoded, ProjectionError> {
        let err = |source| ProjectionError::Decode {
            position: e.position,
            event_type: e.event_type.clone(),
            source,
        };
        // Straight from the stored text into the domain event (no JSON tree
        // in between: the projections read every event of the log).
        let payload = match e.aggregate_type.as_str() {
            "Case" => Payload::Case(Box::new(serde_json::from_str(&e.payload).map_err(err)?)),
            "Child" => Payload::Child(Box::new(serde_json::from_str(&e.payload).map_err(err)?)),
            "Officer" => Payload::Officer(Box::new(serde_json::from_str(&e.payload).map_err(err)?)),
            access::AGGREGATE_TYPE => {
                Payload::Access(Box::new(serde_json::from_str(&e.payload).map_err(err)?))
            }
            _ => Payload::Other,
        };
        Ok(Decoded::with(e, payload))
    }

    fn with(e: &StoredEvent, payload: Payload) -> Decoded {
        Decoded {
            position: e.position,
            aggregate_type: e.aggregate_type.clone(),
            aggregate_id: e.aggregate_id.clone(),
            sequence: e.sequence,
            event_type: e.event_type.clone(),
            meta: serde_json::from_str(&e.metadata).ok(),
            payload,
        }
    }

    /// The event from a payload of the stored event (e.g. opened with its
    /// personal fields: `Ledger::open_event`).
    pub fn from_payload(
        e: &StoredEvent,
        payload: serde_json::Value,
    ) -> Result<Decoded, ProjectionError> {
        let err = |source| ProjectionError::Decode {
            position: e.position,
            event_type: e.event_type.clone(),
            source,
        };
        let payload = match e.aggregate_type.as_str() {
            "Case" => Payload::Case(Box::new(serde_json::from_value(payload).map_err(err)?)),
            "Child" => Payload::Child(Box::new(serde_json::from_value(payload).map_err(err)?)),
            "Officer" => Payload::Officer(Box::new(serde_json::from_value(payload).map_err(err)?)),
            access::AGGREGATE_TYPE => {
                Payload::Access(Box::new(serde_json::from_value(payload).map_err(err)?))
            }
            _ => Payload::Other,
        };
        Ok(Decoded::with(e, payload))
    }

    /// When the action happened (business time); recorded time when unknown.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        match &self.payload {
            Payload::Case(e) => Some(e.at()),
            Payload::Child(e) => Some(e.at()),
            Payload::Officer(e) => Some(e.at()),
            Payload::Access(e) => match e.as_ref() {
                AccessEvent::RecordRead(r) => Some(r.at),
                AccessEvent::SignIn(s) => Some(s.at),
                AccessEvent::SessionEnded(s) => Some(s.at),
            },
            Payload::Other => self.meta.as_ref().map(|m| m.recorded_at),
        }
    }
}
