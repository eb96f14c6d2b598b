//! Personal data in the service: the ledger seals every event's personal
//! fields with the data key of the person it is about (docs/personal-data.md),
//! following the domain's table (`hoso_domain::privacy`); the key-encryption
//! key comes from a file or `HOSO_KEK`, never from the database; erasure
//! destroys a person's data key.
//!
//! Read models hold public fields only, so people's names are read where they
//! are shown, from the sealed events (`child_names`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cqrs_es::Aggregate;
use hoso_domain::child::{Child, ChildAction};
use hoso_domain::officer::{Officer, OfficerAction};
use hoso_domain::privacy::{self, Erasure, SubjectKind};
use hoso_ledger::keys::{kek_from_env_or_file, KeyError, Keys};
use hoso_ledger::seal::{Classifier, SubjectRule};
use hoso_ledger::Ledger;
use serde_json::Value;

use crate::access::{self, ReadContext};
use crate::{children, officers, Error, Me, Service};

/// The domain's classification, as the ledger asks for it.
pub struct DomainClassifier;

impl Classifier for DomainClassifier {
    fn split(
        &self,
        aggregate_type: &str,
        event_type: &str,
        payload: &Value,
    ) -> Option<(Value, Value)> {
        privacy::split(aggregate_type, event_type, payload)
    }

    fn merge(&self, public: &mut Value, personal: Value) {
        privacy::merge(public, personal)
    }

    fn subject(&self, aggregate_type: &str) -> Option<SubjectRule> {
        Some(match privacy::subject_rule(aggregate_type)? {
            privacy::SubjectRule::AggregateId(SubjectKind::Child) => SubjectRule::Own("Child"),
            privacy::SubjectRule::AggregateId(SubjectKind::Officer) => SubjectRule::Own("Officer"),
            privacy::SubjectRule::CaseChild => SubjectRule::FirstEventField {
                field: privacy::CASE_CHILD_ID.1,
                prefix: "Child",
            },
        })
    }
}

/// File name of the key-encryption key when no path is given.
pub const KEK_FILE: &str = "hoso-kek.key";

/// The KEK path for a database URL: beside the SQLite file, else (PostgreSQL)
/// in the working directory.
pub fn kek_path(explicit: Option<&Path>, database_url: &str) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .unwrap_or_else(|| crate::signing::beside_database(database_url, KEK_FILE))
}

/// Opens the store with its data keys: the KEK is `HOSO_KEK` or the file at
/// `kek`; a fresh store makes the file (mode 0600). A missing or wrong KEK is
/// refused before anything is written.
pub async fn open_ledger(url: &str, kek: &Path) -> Result<Ledger, OpenError> {
    let ledger = Ledger::open(url).await?;
    let given = kek_from_env_or_file(kek)?;
    let keys = Keys::open(ledger.db(), given, kek).await?;
    Ok(ledger.with_privacy(keys, Arc::new(DomainClassifier)))
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Ledger(#[from] hoso_ledger::LedgerError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// A child's name as it can be shown: `None` when the child's personal data
/// was erased.
pub type ChildName = Option<String>;

/// The names of the given children, from their sealed records.
pub async fn child_names(
    svc: &Service,
    ids: &[String],
) -> Result<HashMap<String, ChildName>, Error> {
    let children = svc
        .app
        .current_children(ids)
        .await
        .map_err(|e| crate::error::aggregate(e, crate::error::Rule::Child))?;
    Ok(children
        .into_iter()
        .map(|(id, child)| {
            let name = (!child.erased && !child.full_name.is_empty()).then_some(child.full_name);
            (id, name)
        })
        .collect())
}

/// Xóa dữ liệu cá nhân của trẻ em: records the public `PersonalDataErased`
/// (a national admin only, with a reason and a decision) and destroys the
/// child's data key, which erases the personal fields of every event about
/// the child — the child's record and every case of the child — wherever the
/// ciphertext was copied. The order is kept in the access log.
pub async fn erase_child(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    id: &str,
    order: Erasure,
) -> Result<(), Error> {
    children::act(svc, me, id, ChildAction::EraseChildData(order)).await?;
    destroy_key(svc, &privacy::Subject::Child(id.to_string())).await?;
    crate::files::erase_of_child(svc.ledger(), id).await?;
    access::record(
        svc,
        me,
        ctx,
        <Child as Aggregate>::TYPE,
        id,
        "personal_data_erased",
    )
    .await
}

/// The same for an officer (deactivated first).
pub async fn erase_officer(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    id: &str,
    order: Erasure,
) -> Result<(), Error> {
    officers::act(svc, me, id, OfficerAction::EraseOfficerData(order)).await?;
    destroy_key(svc, &privacy::Subject::Officer(id.to_string())).await?;
    access::record(
        svc,
        me,
        ctx,
        <Officer as Aggregate>::TYPE,
        id,
        "personal_data_erased",
    )
    .await
}

async fn destroy_key(svc: &Service, subject: &privacy::Subject) -> Result<(), Error> {
    let keys = svc
        .ledger()
        .keys()
        .ok_or_else(|| Error::Internal("this service holds no data keys".into()))?;
    keys.erase(svc.db(), &subject.key_name())
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(())
}

/// Finishes erasures that a crash interrupted between the erasure event and
/// the key's destruction: every subject with an erasure event loses its key.
pub async fn finish_erasures(ledger: &Ledger) -> Result<u64, Error> {
    let Some(keys) = ledger.keys() else {
        return Ok(0);
    };
    let mut n = 0;
    for (aggregate_type, event_type, kind) in [
        (<Child as Aggregate>::TYPE, "PersonalDataErased", "Child"),
        (
            <Officer as Aggregate>::TYPE,
            "OfficerPersonalDataErased",
            "Officer",
        ),
    ] {
        for id in ledger
            .aggregates_with_event(aggregate_type, event_type)
            .await?
        {
            if keys
                .erase(ledger.db(), &format!("{kind}:{id}"))
                .await
                .map_err(|e| Error::Internal(e.to_string()))?
            {
                n += 1;
            }
            if kind == "Child" {
                crate::files::erase_of_child(ledger, &id).await?;
            }
        }
    }
    Ok(n)
}
