//! The `Case` aggregate (hồ sơ vụ việc): one child-protection case about one child,
//! from intake (tiếp nhận thông tin) to closing (kết thúc), following Decree
//! 56/2017/NĐ-CP chapter III.
//!
//! - [`commands`]: what officers ask for (`CaseCommand` = actor + time + `CaseAction`).
//! - [`events`]: what happened (`CaseEvent`), the only thing stored.
//! - [`aggregate`]: the state rebuilt from events (`Case`), read by projections too,
//!   and the legal deadlines derived from it.
//! - [`decide`]: the rules — who may do what, in which step, with which fields.
//! - [`error`]: one `CaseError` variant per rule.
//! - [`types`]: value types (sources, risk factors, plans, outcomes).

pub mod aggregate;
pub mod commands;
pub mod decide;
pub mod error;
pub mod events;
pub mod types;

#[cfg(test)]
mod tests;

pub use aggregate::{Case, CaseStatus, DeadlineKind};
pub use commands::*;
pub use error::CaseError;
pub use events::CaseEvent;
pub use types::*;
