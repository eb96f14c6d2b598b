//! Read models built from the event store's global order: the case view for
//! managers, statistics by place and period, per-officer histories; and cases
//! reconstructed as of any moment from events alone.
//!
//! Architecture invariant: projections are disposable. They never write events;
//! every table here can be dropped and rebuilt from the store (`hoso rebuild`),
//! and every batch stores its checkpoint in the same transaction as its rows.

pub mod access;
pub mod case_view;
pub mod error;
pub mod event;
pub mod history;
pub mod officers;
pub mod read;
pub mod runner;
pub mod stats;

pub use error::ProjectionError;
pub use runner::{Projection, Target};
