//! The library-level read API over the projections: case list with filters and
//! paging, one case's view, statistics, officer histories, the access log,
//! retention facts; one submodule per read model.

use chrono::{DateTime, Utc};
use hoso_ledger::Db;

use crate::error::ProjectionError;
use hoso_ledger::sql::{one_int, rows, ts, Row, Val};

mod access;
mod cases;
mod history;
mod people;
mod stats;

pub use access::*;
pub use cases::*;
pub use history::*;
pub use people::*;
pub use stats::*;
