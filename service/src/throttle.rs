//! Sign-in throttling: after `FREE` failed sign-ins in a row for an account
//! id, or `FREE_ADDRESS` from one client address (an office behind one
//! address has many people), the next attempt waits before it is even
//! checked, the wait doubling with every further failure (1 s, 2 s, 4 s, … up
//! to `MAX_WAIT`). A success clears the account's count; an admin can lift an
//! account's lock. Unknown ids are throttled exactly like known ones, so the
//! answers say nothing about which ids exist.
//!
//! The state is this process's memory (a restart forgets it; several
//! processes behind one proxy each count on their own): it slows guessing to
//! a handful of attempts per hour per account without a table to write on
//! every attempt. The refused sign-ins themselves are events of the account's
//! access chain (`access::record_sign_in`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures in a row of one account that cost nothing.
pub const FREE: u32 = 5;
/// Failures in a row from one address that cost nothing.
pub const FREE_ADDRESS: u32 = 20;
/// The longest wait.
pub const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Entries idle this long are forgotten (bounded memory).
const FORGET: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    until: Instant,
    last: Instant,
}

/// Failed sign-ins by account id and by client address.
#[derive(Debug, Default)]
pub struct Throttle {
    accounts: Mutex<HashMap<String, Entry>>,
    addresses: Mutex<HashMap<String, Entry>>,
}

fn wait_after(failures: u32, free: u32) -> Duration {
    if failures < free {
        return Duration::ZERO;
    }
    let doublings = (failures - free).min(20);
    Duration::from_secs(1u64 << doublings).min(MAX_WAIT)
}

fn left(map: &Mutex<HashMap<String, Entry>>, key: &str, now: Instant) -> Duration {
    map.lock()
        .ok()
        .and_then(|m| m.get(key).map(|e| e.until.saturating_duration_since(now)))
        .unwrap_or(Duration::ZERO)
}

fn fail(map: &Mutex<HashMap<String, Entry>>, key: &str, now: Instant, free: u32) {
    if let Ok(mut m) = map.lock() {
        if m.len() > 100_000 {
            m.retain(|_, e| now.saturating_duration_since(e.last) < FORGET);
        }
        let e = m.entry(key.to_string()).or_insert(Entry {
            failures: 0,
            until: now,
            last: now,
        });
        e.failures += 1;
        e.last = now;
        e.until = now + wait_after(e.failures, free);
    }
}

impl Throttle {
    /// How long the attempt must still wait (the longer of the account's and
    /// the address's); zero when it may be checked now.
    pub fn wait(&self, account: &str, address: Option<&str>, now: Instant) -> Duration {
        let a = left(&self.accounts, account, now);
        let b = address.map_or(Duration::ZERO, |ip| left(&self.addresses, ip, now));
        a.max(b)
    }

    /// A failed sign-in.
    pub fn failed(&self, account: &str, address: Option<&str>, now: Instant) {
        fail(&self.accounts, account, now, FREE);
        if let Some(ip) = address {
            fail(&self.addresses, ip, now, FREE_ADDRESS);
        }
    }

    /// A successful sign-in: the account starts again from zero (the
    /// address keeps its count: one address guessing many accounts).
    pub fn succeeded(&self, account: &str) {
        if let Ok(mut m) = self.accounts.lock() {
            m.remove(account);
        }
    }

    /// An admin lifts the account's lock; `true` when there was one.
    pub fn lift(&self, account: &str) -> bool {
        self.accounts
            .lock()
            .map(|mut m| m.remove(account).is_some())
            .unwrap_or(false)
    }

    /// Failed attempts in a row counted for the account.
    pub fn failures(&self, account: &str) -> u32 {
        self.accounts
            .lock()
            .ok()
            .and_then(|m| m.get(account).map(|e| e.failures))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_are_free_then_the_wait_doubles_up_to_fifteen_minutes() {
        let waits: Vec<u64> = (1..=16).map(|f| wait_after(f, FREE).as_secs()).collect();
        assert_eq!(
            waits,
            [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
        );
    }

    #[test]
    fn an_account_and_an_address_wait_then_success_or_an_admin_clears_the_account() {
        let t = Throttle::default();
        let now = Instant::now();
        for _ in 0..5 {
            assert_eq!(t.wait("cb-1", Some("203.0.113.7"), now), Duration::ZERO);
            t.failed("cb-1", Some("203.0.113.7"), now);
        }
        assert_eq!(t.wait("cb-1", None, now), Duration::from_secs(1));
        // Other accounts from that address are not slowed down yet…
        assert_eq!(t.wait("ct-1", Some("203.0.113.7"), now), Duration::ZERO);
        // …until the address has failed FREE_ADDRESS times.
        for i in 0..FREE_ADDRESS - 5 {
            t.failed(&format!("guess-{i}"), Some("203.0.113.7"), now);
        }
        assert_eq!(
            t.wait("ct-1", Some("203.0.113.7"), now),
            Duration::from_secs(1)
        );
        // After the wait, the attempt is checked again.
        assert_eq!(
            t.wait("cb-1", None, now + Duration::from_secs(1)),
            Duration::ZERO
        );
        t.failed("cb-1", None, now + Duration::from_secs(1));
        assert_eq!(
            t.wait("cb-1", None, now + Duration::from_secs(1)),
            Duration::from_secs(2)
        );
        assert_eq!(t.failures("cb-1"), 6);
        assert!(t.lift("cb-1"));
        assert_eq!(t.wait("cb-1", None, now), Duration::ZERO);
        assert!(!t.lift("cb-1"));
        t.failed("cb-1", None, now);
        t.succeeded("cb-1");
        assert_eq!(t.failures("cb-1"), 0);
    }
}
