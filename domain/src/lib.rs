//! The rules of child-protection case work (Law on Children 102/2016/QH13, Decree
//! 56/2017/NĐ-CP chapter III) as cqrs-es aggregates: `Case`, `Child`, `Officer`.
//!
//! Architecture invariant: this crate is pure. It does no I/O, reads no clock and
//! draws no random numbers; times and ids arrive inside commands as values.
//! Aggregates validate commands and emit events; that is all they do.

pub mod access;
pub mod calendar;
pub mod case;
pub mod child;
pub mod common;
pub mod officer;
pub mod places;
pub mod privacy;
