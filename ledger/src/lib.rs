//! hoso's event store: every case action as an immutable, hash-chained record.
//!
//! What it is for: appending events (through cqrs-es's `PersistedEventRepository`),
//! reading them back by aggregate or in global order, and proving that none was
//! altered, removed, reordered or inserted (`verify`).
//!
//! Architecture invariant: this is the only crate that knows SQL of the event
//! table, and the only writer of it. It knows nothing of cases, children or
//! officers: payloads are opaque canonical JSON here.
//! API boundary: `Ledger`, `StoredEvent`, `verify`, `encoding` (the hash format
//! documented in docs/event-hash.md); the Merkle log and its transparency
//! (docs/transparency.md): `checkpoint` (signing, the `checkpoints` table),
//! `note` (signed notes, cosignature/v1, quorum), `tiles` (tlog-tiles
//! resources and proofs from stored state), `cosignature` (the
//! `cosignatures` table), `witnessed` (verification with witnesses).

/// Runs the same statement on whichever pool the database has: the SQL text
/// is written once (`$1` placeholders, which SQLite understands too).
macro_rules! on_pool {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            Db::Postgres($p) => $body,
            Db::Sqlite($p) => $body,
        }
    };
}

pub mod cached;
pub mod checkpoint;
pub mod cosignature;
pub mod encoding;
mod error;
pub mod keys;
pub mod log;
pub mod merkle;
pub mod note;
mod record;
mod repository;
pub mod roles;
pub mod seal;
pub mod sql;
mod store;
pub mod tiles;
pub mod verify;
pub mod witnessed;
mod writer;

pub use error::LedgerError;
pub use record::{NewEvent, StoredEvent};
pub use repository::serialized;
pub use store::{Db, Ledger};
