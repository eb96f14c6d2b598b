//! Record ids: checked when they come in, drawn at random when the service
//! assigns one. An id never encodes anything about the person (no name, no
//! birth date).

use chrono::Datelike;
use rand::Rng;

use crate::{now, Error};

/// 1 to 100 characters: letters, digits, `- _ . :`.
pub fn check(field: &str, id: &str) -> Result<(), Error> {
    let ok = !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            "1 to 100 characters: letters, digits, - _ . :",
        ))
    }
}

/// `HS-2026-1A2B3C4D`.
pub fn new_case() -> String {
    let n: u32 = rand::rngs::OsRng.gen();
    format!("HS-{}-{n:08X}", now().year())
}

/// `TE-1A2B3C4D5E6F`.
pub fn new_child() -> String {
    let n: u64 = rand::rngs::OsRng.gen();
    format!("TE-{:012X}", n & 0xFFFF_FFFF_FFFF)
}

/// `CB-1A2B3C4D`.
pub fn new_officer() -> String {
    let n: u32 = rand::rngs::OsRng.gen();
    format!("CB-{n:08X}")
}
