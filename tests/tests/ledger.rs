//! The event store on both backends: append-only guard, tamper detection,
//! optimistic concurrency, and the global order under concurrent writers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use std::collections::HashSet;
use std::sync::Arc;

use hoso_ledger::verify::{verify, Problem};
use hoso_ledger::{Ledger, NewEvent};
use hoso_tests::{both_backends, Backend, TestDb};

fn event(aggregate: &str, sequence: u64, text: &str) -> NewEvent {
    NewEvent {
        aggregate_type: "Case".into(),
        aggregate_id: aggregate.into(),
        sequence,
        event_type: "NoteAdded".into(),
        event_version: "1".into(),
        payload: format!(r#"{{"text":"{text}"}}"#),
        metadata: r#"{"actor_id":"o-1","recorded_at":"2026-11-23T08:00:00.000000Z","role":"commune_worker","unit":"commune:42:18070"}"#.into(),
    }
}

/// Three cases of five events each, interleaved in the global order.
async fn seeded(db: &TestDb) -> Ledger {
    let ledger = Ledger::open(&db.url).await.expect("open").without_privacy();
    for seq in 1..=5 {
        for case in ["c-1", "c-2", "c-3"] {
            ledger
                .append(vec![event(case, seq, &format!("{case} step {seq}"))])
                .await
                .expect("append");
        }
    }
    let report = verify(&ledger).await.expect("verify");
    assert!(report.is_intact(), "{:?}", report.findings);
    assert_eq!((report.events, report.aggregates), (15, 3));
    ledger
}

/// The position of an event in the seeded layout.
fn pos(case: &str, seq: i64) -> String {
    let idx = ["c-1", "c-2", "c-3"]
        .iter()
        .position(|c| *c == case)
        .unwrap() as i64;
    ((seq - 1) * 3 + idx + 1).to_string()
}

both_backends!(
    update_delete_truncate_are_rejected_by_the_database,
    |db: TestDb| async move {
        let _ledger = seeded(&db).await;
        let update = db
            .sql("UPDATE events SET payload = '{}' WHERE position = 1")
            .await;
        assert!(update.is_err(), "UPDATE must fail");
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = db.sql("DELETE FROM events WHERE position = 2").await;
        assert!(delete.is_err(), "DELETE must fail");
        let delete_all = db.sql("DELETE FROM events").await;
        assert!(delete_all.is_err(), "DELETE without WHERE must fail");
        if db.backend == Backend::Postgres {
            assert!(
                db.sql("TRUNCATE events").await.is_err(),
                "TRUNCATE must fail"
            );
            // The guard holds in replication mode too.
            assert!(db
                .sql(
                    "SET session_replication_role = replica; DELETE FROM events WHERE position = 3"
                )
                .await
                .is_err());
        }
        let ledger = Ledger::open(&db.url).await.unwrap().without_privacy();
        assert!(verify(&ledger).await.unwrap().is_intact());
        db.drop_db().await;
    }
);

both_backends!(a_changed_payload_byte_is_named, |db: TestDb| async move {
    let ledger = seeded(&db).await;
    db.lift_guard().await;
    db.sql(&format!(
        "UPDATE events SET payload = replace(payload, 'step 3', 'step 8') WHERE position = {}",
        pos("c-2", 3)
    ))
    .await
    .unwrap();
    let report = verify(&ledger).await.unwrap();
    let first = report.first().expect("a finding");
    assert_eq!(first.aggregate_id.as_deref(), Some("c-2"));
    assert_eq!(first.sequence, Some(3));
    assert_eq!(first.problem, Problem::HashMismatch);
    db.drop_db().await;
});

both_backends!(a_deleted_event_is_named, |db: TestDb| async move {
    let ledger = seeded(&db).await;
    db.lift_guard().await;
    db.sql(&format!(
        "DELETE FROM events WHERE position = {}",
        pos("c-1", 3)
    ))
    .await
    .unwrap();
    let report = verify(&ledger).await.unwrap();
    let first = report.first().expect("a finding");
    assert_eq!(first.aggregate_id.as_deref(), Some("c-1"));
    assert_eq!(first.sequence, Some(4));
    assert_eq!(first.problem, Problem::SequenceGap { expected: 3 });
    db.drop_db().await;
});

both_backends!(swapped_events_are_named, |db: TestDb| async move {
    let ledger = seeded(&db).await;
    db.lift_guard().await;
    // Swap sequences 2 and 4 of c-3 (through a free number: the pair is unique).
    let (p2, p4) = (pos("c-3", 2), pos("c-3", 4));
    db.sql(&format!(
        "UPDATE events SET sequence = 99 WHERE position = {p2}; \
         UPDATE events SET sequence = 2 WHERE position = {p4}; \
         UPDATE events SET sequence = 4 WHERE position = {p2};"
    ))
    .await
    .unwrap();
    let report = verify(&ledger).await.unwrap();
    let first = report.first().expect("a finding");
    assert_eq!(first.aggregate_id.as_deref(), Some("c-3"));
    assert_eq!(first.problem, Problem::HashMismatch);
    // Swapping whole rows (positions) is found as well.
    let db2 = TestDb::new(db.backend).await.unwrap();
    let ledger2 = seeded(&db2).await;
    db2.lift_guard().await;
    let (p2, p4) = (pos("c-1", 2), pos("c-1", 4));
    db2.sql(&format!(
        "UPDATE events SET position = 1000 WHERE position = {p2}; \
         UPDATE events SET position = {p2} WHERE position = {p4}; \
         UPDATE events SET position = {p4} WHERE position = 1000;"
    ))
    .await
    .unwrap();
    let report = verify(&ledger2).await.unwrap();
    let first = report.first().expect("a finding");
    assert_eq!(first.aggregate_id.as_deref(), Some("c-1"));
    assert_eq!(first.sequence, Some(4));
    db.drop_db().await;
    db2.drop_db().await;
});

both_backends!(
    a_forged_insert_with_its_own_good_hash_is_named,
    |db: TestDb| async move {
        let ledger = seeded(&db).await;
        db.lift_guard().await;
        // The forger moves c-2's events 3..5 up by one and inserts a new sequence 3
        // whose hash is computed correctly over its own bytes and c-2/2's hash.
        let events = ledger.events_of("Case", "c-2", 0).await.unwrap();
        let prev: [u8; 32] = events[1].hash.clone().try_into().unwrap();
        let forged = event("c-2", 3, "forged");
        let rec = hoso_ledger::encoding::RecordRef {
            aggregate_type: &forged.aggregate_type,
            aggregate_id: &forged.aggregate_id,
            sequence: 3,
            event_type: &forged.event_type,
            event_version: &forged.event_version,
            payload: &forged.payload,
            metadata: &forged.metadata,
            // Inserted below without a format: the table's default, 1.
            format: 1,
            sealed: "",
        };
        let hash = hoso_ledger::encoding::event_hash(&prev, &rec);
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let blob = |b: &[u8]| match db.backend {
            Backend::Postgres => format!("'\\x{}'::bytea", hex(b)),
            Backend::Sqlite => format!("X'{}'", hex(b)),
        };
        db.sql(&format!(
        "UPDATE events SET sequence = sequence + 100 WHERE aggregate_id = 'c-2' AND sequence >= 3; \
         UPDATE events SET sequence = sequence - 99 WHERE aggregate_id = 'c-2' AND sequence > 100; \
         INSERT INTO events (position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, prev_hash, hash) \
         VALUES (16, 'Case', 'c-2', 3, 'NoteAdded', '1', '{}', '{}', {}, {}); \
         UPDATE event_head SET last_position = 16;",
        forged.payload,
        forged.metadata,
        blob(&prev),
        blob(&hash)
    ))
    .await
    .unwrap();
        let report = verify(&ledger).await.unwrap();
        let first = report.first().expect("a finding");
        assert_eq!(first.aggregate_id.as_deref(), Some("c-2"));
        assert!(report
            .findings
            .iter()
            .all(|f| f.aggregate_id.as_deref() != Some("c-1")));
        db.drop_db().await;
    }
);

both_backends!(
    a_stale_sequence_is_a_conflict_and_the_chain_stays_linear,
    |db: TestDb| async move {
        let ledger = Ledger::open(&db.url).await.unwrap().without_privacy();
        ledger.append(vec![event("c-9", 1, "first")]).await.unwrap();
        // Two writers both believe the case is at sequence 1.
        let (a, b) = tokio::join!(
            ledger.append(vec![event("c-9", 2, "writer a")]),
            ledger.append(vec![event("c-9", 2, "writer b")])
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} {b:?}");
        let loser = if a.is_err() { a } else { b };
        assert!(matches!(
            loser,
            Err(hoso_ledger::LedgerError::Conflict { .. })
        ));
        let events = ledger.events_of("Case", "c-9", 0).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.sequence).collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert!(verify(&ledger).await.unwrap().is_intact());
        db.drop_db().await;
    }
);

both_backends!(
    a_follower_never_misses_an_event_under_concurrent_writers,
    |db: TestDb| async move {
        const WRITERS: usize = 6;
        const PER_WRITER: u64 = 150;
        // Separate Ledger instances: separate writer tasks and so concurrent
        // transactions, as separate processes would have.
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let ledger = Ledger::open(&db.url).await.unwrap().without_privacy();
            writers.push(tokio::spawn(async move {
                let mut seq = 0;
                for c in 1..=PER_WRITER {
                    // Commands of one to three events, so transactions differ in length.
                    let batch: Vec<NewEvent> = (0..1 + c % 3)
                        .map(|_| {
                            seq += 1;
                            event(&format!("w{w}"), seq, &format!("w{w} e{seq}"))
                        })
                        .collect();
                    ledger.append(batch).await.unwrap();
                }
                seq
            }));
        }
        let follower = Ledger::open(&db.url).await.unwrap().without_privacy();
        // 1 + c % 3 events for c in 1..=150: 50 × (2 + 3 + 1) = 300 per writer.
        let total = WRITERS as u64 * 300;
        let seen = Arc::new(tokio::sync::Mutex::new(Vec::<i64>::new()));
        let mut checkpoint = 0;
        let mut keys = HashSet::new();
        while (keys.len() as u64) < total {
            let page = follower.read_after(checkpoint, 37).await.unwrap();
            for e in &page {
                assert!(e.position > checkpoint, "positions only grow");
                assert!(
                    keys.insert((e.aggregate_id.clone(), e.sequence)),
                    "seen once"
                );
                seen.lock().await.push(e.position);
                checkpoint = e.position;
            }
            if page.is_empty() {
                tokio::task::yield_now().await;
            }
        }
        for w in writers {
            assert_eq!(w.await.unwrap(), 300);
        }
        // A second read from the start gives the same order, and positions have no gap.
        let all = follower.read_after(0, 100_000).await.unwrap();
        let order: Vec<i64> = all.iter().map(|e| e.position).collect();
        assert_eq!(order, *seen.lock().await);
        assert_eq!(order, (1..=total as i64).collect::<Vec<_>>());
        assert!(verify(&follower).await.unwrap().is_intact());
        db.drop_db().await;
    }
);
