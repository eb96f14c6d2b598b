//! Which parts of each event are personal data (dữ liệu cá nhân), and whose.
//!
//! Every event payload is split at the storage boundary into a *public* part,
//! stored and hashed in clear, and a *personal* part, sealed with the data key
//! of the person the event is about (the data subject). Destroying that key
//! erases the personal data everywhere (database, replicas, backups, exports
//! already handed out) while every hash still verifies.
//!
//! - **Public**: what statistics, deadlines and the legal process need: ids,
//!   dates and times, place codes, harm types, risk and protection levels,
//!   statuses, decision numbers, service kinds, officer ids, counts, codes, and
//!   the sha256/size/media type of attachments.
//! - **Personal**: what identifies or describes a person: names, the exact date
//!   of birth, address detail below the commune, ethnicity, personal id number,
//!   every free text (descriptions, findings, notes, needs, objectives, reasons,
//!   summaries, corrections, …), meeting participants, the reporter, service
//!   providers (may name a person), attachment file names and descriptions, and
//!   in the access log the client address and the reason given.
//!
//! The classification is data: [`EVENTS`] lists, for every event type of every
//! aggregate, each leaf path of its JSON payload as public or personal; the
//! `type` tag and `at` of every event are public ([`ENVELOPE`]). A path is
//! `field`, `object.field` or `array[].field`; an array of plain values is the
//! leaf itself (`needs`, `harm_types`). [`SUBJECTS`] says whose key seals each
//! aggregate's events. Tests check that every field of every event is in the
//! table, that the table names no field that does not exist, that every event
//! deserializes without its personal part, and that `docs/personal-data.md`
//! shows the same table.
//!
//! Pure: no I/O, no keys, no crypto — those belong to the storage layer.

use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::case::Case;
use crate::child::Child;
use crate::common::{Actor, Role, Unit};
use crate::officer::Officer;

/// Xóa dữ liệu cá nhân: the order to erase one person's personal data
/// (`EraseChildData`, `EraseOfficerData`). The event it records is public, so
/// neither field may name or describe the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Erasure {
    /// Why, e.g. "yêu cầu của người giám hộ theo Luật Bảo vệ dữ liệu cá nhân";
    /// must not be empty.
    pub reason: String,
    /// Number/reference of the decision to erase; must not be empty.
    pub decision_ref: String,
}

impl Erasure {
    /// The trimmed `(reason, decision_ref)`, or the name of the empty field.
    pub fn check(&self) -> Result<(String, String), &'static str> {
        let reason = self.reason.trim();
        if reason.is_empty() {
            return Err("reason");
        }
        let decision_ref = self.decision_ref.trim();
        if decision_ref.is_empty() {
            return Err("decision_ref");
        }
        Ok((reason.to_string(), decision_ref.to_string()))
    }
}

/// Who may order an erasure: an admin of the national level.
pub fn may_erase(actor: &Actor) -> bool {
    actor.role == Role::Admin && actor.unit == Unit::National
}

/// Whether a field may be stored in clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Stored and hashed in clear; survives erasure.
    Public,
    /// Sealed with the data subject's key; gone once the key is destroyed.
    Personal,
}

impl Class {
    /// `public` or `personal`, as in `docs/personal-data.md`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Public => "public",
            Class::Personal => "personal",
        }
    }
}

/// The data subject whose key seals an event's personal part.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// A child, by the id of their `Child` aggregate.
    Child(String),
    /// An officer, by officer id (the id of their `Officer` aggregate).
    Officer(String),
}

impl Subject {
    /// The name of the subject's data key: `Child:<id>` or `Officer:<id>`.
    pub fn key_name(&self) -> String {
        match self {
            Subject::Child(id) => format!("Child:{id}"),
            Subject::Officer(id) => format!("Officer:{id}"),
        }
    }

    /// The subject of a key name made by [`Subject::key_name`].
    pub fn parse_key_name(name: &str) -> Option<Subject> {
        let (kind, id) = name.split_once(':')?;
        if id.is_empty() {
            return None;
        }
        match kind {
            "Child" => Some(Subject::Child(id.to_string())),
            "Officer" => Some(Subject::Officer(id.to_string())),
            _ => None,
        }
    }

    /// The id of the child or officer.
    pub fn id(&self) -> &str {
        match self {
            Subject::Child(id) | Subject::Officer(id) => id,
        }
    }
}

/// A kind of data subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    Child,
    Officer,
}

/// How to find the data subject of an aggregate's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectRule {
    /// The aggregate id is the subject's id: a child's or officer's own
    /// record, and the access log (one chain per reading officer).
    AggregateId(SubjectKind),
    /// A case's events are about the case's child, named by the public field
    /// [`CASE_CHILD_ID`] of the case's first event.
    CaseChild,
}

/// Whose key seals the events of each aggregate type.
pub const SUBJECTS: &[(&str, SubjectRule)] = &[
    (<Case as Aggregate>::TYPE, SubjectRule::CaseChild),
    (
        <Child as Aggregate>::TYPE,
        SubjectRule::AggregateId(SubjectKind::Child),
    ),
    (
        <Officer as Aggregate>::TYPE,
        SubjectRule::AggregateId(SubjectKind::Officer),
    ),
    (
        crate::access::AGGREGATE_TYPE,
        SubjectRule::AggregateId(SubjectKind::Officer),
    ),
];

/// The event type and public path that name a case's child: `child_id` of
/// `IntakeRecorded`, the first event of every case.
pub const CASE_CHILD_ID: (&str, &str) = ("IntakeRecorded", "child_id");

/// Paths that every event carries and that are always public: the `type` tag
/// and the time of the action.
pub const ENVELOPE: &[&str] = &["type", "at"];

/// The classification of one event type: every leaf path of its payload
/// (besides [`ENVELOPE`]) is in exactly one of the two lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFields {
    pub aggregate_type: &'static str,
    /// As `DomainEvent::event_type`, e.g. `IntakeRecorded`.
    pub event_type: &'static str,
    pub public: &'static [&'static str],
    pub personal: &'static [&'static str],
}

const fn ev(
    aggregate_type: &'static str,
    event_type: &'static str,
    public: &'static [&'static str],
    personal: &'static [&'static str],
) -> EventFields {
    EventFields {
        aggregate_type,
        event_type,
        public,
        personal,
    }
}

const CASE: &str = <Case as Aggregate>::TYPE;
const CHILD: &str = <Child as Aggregate>::TYPE;
const OFFICER: &str = <Officer as Aggregate>::TYPE;
const ACCESS: &str = crate::access::AGGREGATE_TYPE;

/// The table: every event type of every aggregate. See `docs/personal-data.md`
/// for why each field is where it is.
#[rustfmt::skip]
pub const EVENTS: &[EventFields] = &[
    // ---- Case ----
    ev(CASE, "IntakeRecorded",
        &["child_id", "commune.structure", "commune.province", "commune.district",
          "commune.commune", "source", "harm_types", "received_at", "responsible_worker",
          "deadlines.emergency", "deadlines.plan", "deadlines.approval"],
        &["date_of_birth", "source_description", "reporter.name", "reporter.phone",
          "reporter.relation", "description"]),
    ev(CASE, "FactChecked", &["confirmed"], &["findings"]),
    ev(CASE, "InitialRiskAssessed",
        &["factors.severity_of_harm", "factors.abuser_access",
          "factors.care_environment_obstacles", "factors.child_capacity", "overall",
          "emergency_needed", "protection_level"],
        &["notes"]),
    ev(CASE, "EmergencyMeasuresOrdered", &["measures", "decision_ref"], &["details"]),
    ev(CASE, "SpecificRiskAssessed",
        &["factors.severity_of_harm", "factors.abuser_access",
          "factors.care_environment_obstacles", "factors.child_capacity", "overall",
          "protection_level", "minutes.held_at"],
        &["needs", "minutes.participants", "minutes.summary"]),
    ev(CASE, "PlanDrafted",
        &["version", "services[].kind", "services[].due", "review_date"],
        &["objectives", "services[].provider"]),
    ev(CASE, "PlanApproved", &["version", "decision_ref"], &[]),
    ev(CASE, "PlanSentBack", &["version"], &["reason"]),
    ev(CASE, "ServiceRecorded", &["kind", "delivered_at"], &["provider", "notes"]),
    ev(CASE, "ReferralRecorded", &["direction", "agency"], &["reason"]),
    ev(CASE, "ReviewRecorded", &["outcome"], &["participants", "summary"]),
    ev(CASE, "CaseClosed", &["reason", "decision_ref"], &["note"]),
    ev(CASE, "CaseReopened", &[], &["reason"]),
    ev(CASE, "CaseTransferred",
        &["from.structure", "from.province", "from.district", "from.commune",
          "to.structure", "to.province", "to.district", "to.commune"],
        &["reason"]),
    ev(CASE, "WorkerReassigned", &["from", "to"], &["reason"]),
    ev(CASE, "NoteAdded", &["kind"], &["text"]),
    ev(CASE, "AttachmentAdded", &["sha256", "size_bytes", "media_type"],
        &["file_name", "description"]),
    ev(CASE, "CaseLinked", &["other_case_id", "relation"], &[]),
    ev(CASE, "EventCorrected", &["corrects_sequence"], &["reason", "correction"]),
    // ---- Child ----
    ev(CHILD, "ChildRegistered",
        &["sex", "address.commune.structure", "address.commune.province",
          "address.commune.district", "address.commune.commune", "household_status"],
        &["full_name", "date_of_birth", "ethnicity", "personal_id", "address.detail"]),
    ev(CHILD, "ChildDetailsUpdated",
        &["address.commune.structure", "address.commune.province",
          "address.commune.district", "address.commune.commune"],
        &["full_name", "ethnicity", "personal_id", "address.detail"]),
    ev(CHILD, "HouseholdStatusChanged", &["status"], &["reason"]),
    ev(CHILD, "SpecialCircumstanceAdded", &["group", "since"], &["note"]),
    ev(CHILD, "SpecialCircumstanceEnded", &["group", "until"], &["reason"]),
    ev(CHILD, "PersonalDataErased", &["reason", "decision_ref"], &[]),
    ev(CHILD, "ConfirmedDistinct", &["other_child_id"], &["note"]),
    ev(CHILD, "MarkedDuplicate", &["of_child_id"], &["reason"]),
    // ---- Officer ----
    ev(OFFICER, "OfficerRegistered",
        &["role", "unit.level", "unit.province", "unit.commune", "active_from"],
        &["full_name"]),
    ev(OFFICER, "AssignmentChanged",
        &["role", "unit.level", "unit.province", "unit.commune", "from"],
        &["reason"]),
    ev(OFFICER, "OfficerDeactivated", &["from"], &["reason"]),
    ev(OFFICER, "OfficerReactivated", &["from"], &[]),
    ev(OFFICER, "TrainingRecorded", &["date", "organiser", "topics", "hours"], &[]),
    ev(OFFICER, "OfficerPersonalDataErased", &["reason", "decision_ref"], &[]),
    ev(OFFICER, "ApiTokenIssued", &["token_id", "label", "expires_at"], &[]),
    ev(OFFICER, "ApiTokenRevoked", &["token_id"], &["reason"]),
    ev(OFFICER, "PasswordReset", &[], &["reason"]),
    ev(OFFICER, "PasswordSet", &["how"], &[]),
    // ---- Access log ----
    ev(ACCESS, "RecordRead",
        &["subject_type", "subject_id", "subject_unit", "what", "results", "request_id"],
        &["reason", "client_ip", "query"]),
    ev(ACCESS, "SignIn", &["outcome", "method", "request_id"], &["client_ip"]),
    ev(ACCESS, "SessionEnded", &["token_id", "how"], &[]),
];

/// The classification of one event type, if it is in the table.
pub fn event_fields(aggregate_type: &str, event_type: &str) -> Option<&'static EventFields> {
    EVENTS
        .iter()
        .find(|e| e.aggregate_type == aggregate_type && e.event_type == event_type)
}

/// Personal paths of one event type: `field`, `object.field` or
/// `array[].field`. `None`: the event type is not classified (the storage
/// layer must refuse to store it). `Some(&[])`: the event is wholly public.
pub fn personal_paths(aggregate_type: &str, event_type: &str) -> Option<&'static [&'static str]> {
    event_fields(aggregate_type, event_type).map(|e| e.personal)
}

/// The class of one leaf path of an event, or `None` if the event type or the
/// path is not in the table.
pub fn classify(aggregate_type: &str, event_type: &str, path: &str) -> Option<Class> {
    let e = event_fields(aggregate_type, event_type)?;
    if ENVELOPE.contains(&path) || e.public.contains(&path) {
        Some(Class::Public)
    } else if e.personal.contains(&path) {
        Some(Class::Personal)
    } else {
        None
    }
}

/// How the data subject of an aggregate type's events is found.
pub fn subject_rule(aggregate_type: &str) -> Option<SubjectRule> {
    SUBJECTS
        .iter()
        .find(|(t, _)| *t == aggregate_type)
        .map(|(_, r)| *r)
}

/// The data subject of an event of `aggregate_type` with `aggregate_id`. For a
/// case, `case_child_id` is the case's child ([`case_child_id`] of its
/// intake); without it a case event has no known subject (`None`), as has an
/// aggregate type not in [`SUBJECTS`].
pub fn subject(
    aggregate_type: &str,
    aggregate_id: &str,
    case_child_id: Option<&str>,
) -> Option<Subject> {
    let id = |id: &str| (!id.is_empty()).then(|| id.to_string());
    match subject_rule(aggregate_type)? {
        SubjectRule::AggregateId(SubjectKind::Child) => id(aggregate_id).map(Subject::Child),
        SubjectRule::AggregateId(SubjectKind::Officer) => id(aggregate_id).map(Subject::Officer),
        SubjectRule::CaseChild => case_child_id.and_then(id).map(Subject::Child),
    }
}

/// The child id a case event names, read from its public payload: `child_id`
/// of `IntakeRecorded`; `None` for every other event type.
pub fn case_child_id<'a>(event_type: &str, payload: &'a Value) -> Option<&'a str> {
    let (t, path) = CASE_CHILD_ID;
    if event_type != t {
        return None;
    }
    payload.get(path)?.as_str().filter(|s| !s.is_empty())
}

/// Every leaf path of a JSON payload, sorted and without repeats: objects
/// recurse as `a.b`, arrays of objects as `a[].b`; a scalar, `null`, an empty
/// object or an array of scalars (or an empty array) is a leaf. The payload
/// itself is never a leaf (an empty object has no paths).
pub fn leaf_paths(payload: &Value) -> Vec<String> {
    fn walk(v: &Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, v) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(v, &p, out);
                }
            }
            Value::Array(a) if a.iter().any(|x| x.is_object() || x.is_array()) => {
                let p = format!("{prefix}[]");
                for x in a {
                    walk(x, &p, out);
                }
            }
            _ if prefix.is_empty() => {}
            _ => out.push(prefix.to_string()),
        }
    }
    let mut out = Vec::new();
    walk(payload, "", &mut out);
    out.sort();
    out.dedup();
    out
}

enum Seg<'a> {
    Key(&'a str),
    Each,
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut segs = Vec::new();
    for part in path.split('.') {
        match part.strip_suffix("[]") {
            Some(key) => {
                segs.push(Seg::Key(key));
                segs.push(Seg::Each);
            }
            None => segs.push(Seg::Key(part)),
        }
    }
    segs
}

/// Removes the value at `segs` from `v`; returns it inside the same nesting.
fn extract(v: &mut Value, segs: &[Seg]) -> Option<Value> {
    match segs {
        [] => None,
        [Seg::Key(k), rest @ ..] => {
            let obj = v.as_object_mut()?;
            let taken = if rest.is_empty() {
                obj.remove(*k)?
            } else {
                extract(obj.get_mut(*k)?, rest)?
            };
            let mut m = Map::new();
            m.insert((*k).to_string(), taken);
            Some(Value::Object(m))
        }
        [Seg::Each, rest @ ..] => {
            let items = v.as_array_mut()?;
            let taken: Vec<Option<Value>> = items.iter_mut().map(|x| extract(x, rest)).collect();
            if taken.iter().all(Option::is_none) {
                return None;
            }
            Some(Value::Array(
                taken
                    .into_iter()
                    .map(|x| x.unwrap_or_else(|| Value::Object(Map::new())))
                    .collect(),
            ))
        }
    }
}

/// Puts `part` into `into`: objects key by key, arrays element by element;
/// anything else replaces.
pub fn merge(into: &mut Value, part: Value) {
    match (into, part) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (n, v) in b.into_iter().enumerate() {
                match a.get_mut(n) {
                    Some(existing) => merge(existing, v),
                    None => a.push(v),
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Splits an event payload into its public part (the payload without the
/// personal paths) and its personal part (only the personal paths that are
/// present, `null`s included, in the same nesting; an empty object when there
/// are none). `merge(&mut public, personal)` gives the payload back. `None`:
/// the event type is not classified.
pub fn split(aggregate_type: &str, event_type: &str, payload: &Value) -> Option<(Value, Value)> {
    let paths = personal_paths(aggregate_type, event_type)?;
    let mut public = payload.clone();
    let mut personal = Value::Object(Map::new());
    for p in paths {
        if let Some(taken) = extract(&mut public, &segments(p)) {
            merge(&mut personal, taken);
        }
    }
    Some((public, personal))
}

#[cfg(test)]
mod tests;
