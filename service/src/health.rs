//! Readiness: whether this service should get traffic now. The store must
//! answer; every live projection must be caught up or hold back only events
//! recorded less than [`MAX_LAG`] ago (else managers would read a stale
//! view); and, where the service signs checkpoints as the log grows, the
//! events no checkpoint covers yet must be that recent too (else witnesses
//! and inspectors are left behind).
//!
//! How far behind is measured in time, from the `recorded_at` of the oldest
//! event not yet taken in, so that a burst that is being worked off does not
//! count as trouble while a stuck follower does, however small its backlog.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hoso_projections::{runner, Projection, Target};

use crate::{Error, Service};

/// How old the oldest event a follower has not taken in may be.
pub const MAX_LAG: Duration = Duration::from_secs(60);

/// One follower of the log (a projection, or the checkpoints).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Lag {
    pub name: &'static str,
    /// The log's position it has taken in.
    pub position: i64,
    /// Events of the log after that.
    pub behind: i64,
    /// Age of the oldest of those, in seconds (0 when caught up).
    pub seconds: f64,
    pub ok: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Readiness {
    pub ready: bool,
    pub events: i64,
    pub projections: Vec<Lag>,
    /// With `checkpoints`: how far the newest signed checkpoint is behind.
    pub checkpoint: Option<Lag>,
}

/// Where the followers stand at `now`. `checkpoints`: this service signs a
/// checkpoint whenever the log grew (`hoso serve`), so one should be recent.
/// An error means the store did not answer.
pub async fn readiness(
    svc: &Service,
    checkpoints: bool,
    now: DateTime<Utc>,
) -> Result<Readiness, Error> {
    let ledger = svc.ledger();
    let head = ledger.head().await?;
    let mut projections = Vec::new();
    for p in Projection::ALL {
        let position = runner::checkpoint(ledger.db(), &Target::live(p)).await?;
        projections.push(lag(svc, p.name(), position, head, now).await?);
    }
    let checkpoint = if checkpoints && svc.signer.is_some() {
        let size = hoso_ledger::checkpoint::latest(ledger)
            .await?
            .map_or(0, |c| c.tree_size as i64);
        Some(lag(svc, "checkpoint", size, head, now).await?)
    } else {
        None
    };
    let ready = projections.iter().chain(checkpoint.iter()).all(|l| l.ok);
    Ok(Readiness {
        ready,
        events: head,
        projections,
        checkpoint,
    })
}

async fn lag(
    svc: &Service,
    name: &'static str,
    position: i64,
    head: i64,
    now: DateTime<Utc>,
) -> Result<Lag, Error> {
    let behind = (head - position).max(0);
    let seconds = if behind == 0 {
        0.0
    } else {
        let oldest = svc.ledger().events_at(&[position + 1]).await?;
        oldest
            .first()
            .and_then(|e| recorded_at(&e.metadata))
            .map_or(f64::INFINITY, |at| {
                (now - at).num_milliseconds().max(0) as f64 / 1000.0
            })
    };
    Ok(Lag {
        name,
        position,
        behind,
        seconds,
        ok: seconds <= MAX_LAG.as_secs_f64(),
    })
}

fn recorded_at(metadata: &str) -> Option<DateTime<Utc>> {
    let m: serde_json::Value = serde_json::from_str(metadata).ok()?;
    let at = m.get("recorded_at")?.as_str()?;
    DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::recorded_at;

    #[test]
    fn recorded_at_is_read_from_the_metadata() {
        let at = recorded_at(r#"{"actor_id":"a","recorded_at":"2026-12-04T09:00:00.000000Z"}"#);
        assert_eq!(
            at.map(|t| t.to_rfc3339()),
            Some("2026-12-04T09:00:00+00:00".into())
        );
        assert_eq!(recorded_at(r#"{"actor_id":"a"}"#), None);
        assert_eq!(recorded_at("not json"), None);
    }
}
