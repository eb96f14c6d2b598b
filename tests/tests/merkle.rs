//! The Merkle log and its signed checkpoints on both backends: what the hash
//! chains alone cannot see (newest events cut off, a case removed, the whole
//! store re-hashed) and altered checkpoints are found and named by verify.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use hoso_ledger::checkpoint::{self, Signer};
use hoso_ledger::encoding::{event_hash, RecordRef};
use hoso_ledger::log::{LogFinding, LogProblem};
use hoso_ledger::verify::{verify, verify_with, Problem, Report};
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

fn signer() -> Signer {
    Signer::from_seed(&[42; 32])
}

/// Three cases of five events, interleaved (c-1/1 at 1, c-2/1 at 2, …), with
/// checkpoint #1 after 9 events and #2 after all 15.
async fn seeded(db: &TestDb) -> Ledger {
    let ledger = Ledger::open(&db.url).await.expect("open").without_privacy();
    let s = signer();
    for seq in 1..=5 {
        for case in ["c-1", "c-2", "c-3"] {
            ledger
                .append(vec![event(case, seq, &format!("{case} step {seq}"))])
                .await
                .expect("append");
        }
        if seq == 3 {
            let c = checkpoint::issue(&ledger, &s, "2026-11-23T08:00:00Z", true)
                .await
                .unwrap()
                .unwrap();
            assert_eq!((c.id, c.tree_size), (1, 9));
        }
    }
    let c = checkpoint::issue(&ledger, &s, "2026-11-23T08:00:10Z", true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c.id, c.tree_size), (2, 15));
    // Not grown: nothing new.
    assert!(checkpoint::issue(&ledger, &s, "2026-11-23T08:00:20Z", true)
        .await
        .unwrap()
        .is_none());
    let report = verify_with(&ledger, Some(s.verifier()), &[]).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.findings);
    ledger
}

fn log_findings(r: &Report) -> Vec<LogFinding> {
    r.findings
        .iter()
        .filter_map(|f| match &f.problem {
            Problem::Checkpoint(l) => Some(l.clone()),
            _ => None,
        })
        .collect()
}

async fn checked(ledger: &Ledger) -> Report {
    verify_with(ledger, Some(signer().verifier()), &[])
        .await
        .unwrap()
}

fn blob(db: &TestDb, b: &[u8]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    match db.backend {
        Backend::Postgres => format!("'\\x{hex}'::bytea"),
        Backend::Sqlite => format!("X'{hex}'"),
    }
}

async fn lift_checkpoint_guard(db: &TestDb) {
    let sql = match db.backend {
        Backend::Postgres => "ALTER TABLE checkpoints DISABLE TRIGGER USER",
        Backend::Sqlite => {
            "DROP TRIGGER checkpoints_no_update; DROP TRIGGER checkpoints_no_delete;"
        }
    };
    db.sql(sql).await.unwrap();
}

/// Renumbers positions 1, 2, 3, … and moves the head, as a careful attacker would.
async fn close_gaps(db: &TestDb) {
    db.sql(
        "UPDATE events SET position = position + 1000000; \
         UPDATE events SET position = (SELECT count(*) FROM events e2 WHERE e2.position <= events.position); \
         UPDATE event_head SET last_position = (SELECT count(*) FROM events);",
    )
    .await
    .unwrap();
}

both_backends!(checkpoints_are_append_only, |db: TestDb| async move {
    let ledger = seeded(&db).await;
    assert!(db
        .sql("UPDATE checkpoints SET tree_size = 3")
        .await
        .is_err());
    assert!(db.sql("DELETE FROM checkpoints").await.is_err());
    if db.backend == Backend::Postgres {
        assert!(db.sql("TRUNCATE checkpoints").await.is_err());
    }
    assert!(checked(&ledger).await.is_intact());
    db.drop_db().await;
});

both_backends!(
    a_changed_payload_byte_is_named_first_by_its_chain,
    |db: TestDb| async move {
        let ledger = seeded(&db).await;
        db.lift_guard().await;
        db.sql(
            "UPDATE events SET payload = replace(payload, 'step 2', 'step 9') WHERE position = 5",
        )
        .await
        .unwrap();
        let r = checked(&ledger).await;
        let first = r.first().unwrap();
        assert_eq!(
            (first.aggregate_id.as_deref(), first.sequence),
            (Some("c-2"), Some(2))
        );
        assert_eq!(first.problem, Problem::HashMismatch);
        // The leaves are the stored event hashes, which the attacker left alone: the
        // chain, not the log, is what finds this one.
        assert!(log_findings(&r).is_empty(), "{:?}", r.findings);
        db.drop_db().await;
    }
);

both_backends!(
    deleted_and_swapped_events_are_named,
    |db: TestDb| async move {
        let ledger = seeded(&db).await;
        db.lift_guard().await;
        db.sql("DELETE FROM events WHERE position = 7")
            .await
            .unwrap();
        let r = checked(&ledger).await;
        let first = r.first().unwrap();
        assert_eq!(
            (first.aggregate_id.as_deref(), first.sequence),
            (Some("c-1"), Some(4))
        );
        assert!(!log_findings(&r).is_empty());
        // Swap two events of c-3 (sequences 2 and 4).
        let db2 = TestDb::new(db.backend).await.unwrap();
        let ledger2 = seeded(&db2).await;
        db2.lift_guard().await;
        db2.sql(
            "UPDATE events SET sequence = 99 WHERE position = 6; \
             UPDATE events SET sequence = 2 WHERE position = 12; \
             UPDATE events SET sequence = 4 WHERE position = 6;",
        )
        .await
        .unwrap();
        let r = checked(&ledger2).await;
        assert_eq!(r.first().unwrap().aggregate_id.as_deref(), Some("c-3"));
        db.drop_db().await;
        db2.drop_db().await;
    }
);

both_backends!(newest_events_cut_off_are_named, |db: TestDb| async move {
    let ledger = seeded(&db).await;
    db.lift_guard().await;
    // The last two events of c-2 and c-3 (positions 14, 15) and the head: every
    // chain and the global order still look whole.
    db.sql("DELETE FROM events WHERE position >= 14; UPDATE event_head SET last_position = 13;")
        .await
        .unwrap();
    let plain = verify(&ledger).await.unwrap();
    let r = checked(&ledger).await;
    for report in [&plain, &r] {
        assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
        let f = report.first().unwrap();
        assert_eq!(
            f.problem,
            Problem::Checkpoint(LogFinding {
                label: "#2".into(),
                problem: LogProblem::CutOff {
                    signed: 15,
                    found: 13
                }
            })
        );
        assert_eq!(
            f.to_string(),
            "log has 13 events but checkpoint #2 signed 15: newest events were cut off or events removed"
        );
    }
    db.drop_db().await;
});

both_backends!(a_whole_case_removed_is_found, |db: TestDb| async move {
    let ledger = seeded(&db).await;
    db.lift_guard().await;
    db.sql("DELETE FROM events WHERE aggregate_id = 'c-2'")
        .await
        .unwrap();
    close_gaps(&db).await;
    let r = checked(&ledger).await;
    // Chains and positions are whole again; only the log knows.
    let log = log_findings(&r);
    assert_eq!(log.len(), r.findings.len(), "{:?}", r.findings);
    assert!(log
        .iter()
        .any(|f| f.label == "#1" && matches!(f.problem, LogProblem::RootMismatch { size: 9, .. })));
    assert!(log.iter().any(|f| f.label == "#2"
        && matches!(
            f.problem,
            LogProblem::CutOff {
                signed: 15,
                found: 10
            }
        )));
    assert!(
        r.first().unwrap().to_string().contains("checkpoint #1"),
        "{}",
        r.first().unwrap()
    );
    db.drop_db().await;
});

both_backends!(
    a_store_rehashed_without_the_key_is_found,
    |db: TestDb| async move {
        let ledger = seeded(&db).await;
        // The attacker rewrites c-1/4 (position 10) and re-hashes every chain.
        let events = ledger.read_after(0, 100).await.unwrap();
        let mut heads: std::collections::HashMap<String, [u8; 32]> = Default::default();
        let mut sql = String::new();
        for e in &events {
            let payload = if e.position == 10 {
                r#"{"text":"rewritten"}"#.to_string()
            } else {
                e.payload.clone()
            };
            let prev = heads.get(&e.aggregate_id).copied().unwrap_or([0; 32]);
            let hash = event_hash(
                &prev,
                &RecordRef {
                    payload: &payload,
                    ..e.record()
                },
            );
            heads.insert(e.aggregate_id.clone(), hash);
            sql.push_str(&format!(
            "UPDATE events SET payload = '{payload}', prev_hash = {}, hash = {} WHERE position = {};",
            blob(&db, &prev),
            blob(&db, &hash),
            e.position
        ));
        }
        db.lift_guard().await;
        db.sql(&sql).await.unwrap();
        let r = checked(&ledger).await;
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        let f = r.first().unwrap();
        assert!(
            matches!(&f.problem, Problem::Checkpoint(LogFinding { label, problem: LogProblem::RootMismatch { size: 15, good_until: Some(9) } }) if label == "#2"),
            "{f}"
        );
        assert!(
            f.to_string().contains(
                "root over the first 15 events does not match checkpoint #2: history was rewritten"
            ),
            "{f}"
        );
        assert!(f.to_string().contains("between positions 10 and 15"), "{f}");
        // The attacker cannot sign a new checkpoint: another key is refused
        // (the log's key is the one that signed checkpoint #1).
        let forger = Signer::from_seed(&[1; 32]);
        let refused = checkpoint::issue(&ledger, &forger, "2026-11-23T09:00:00Z", false).await;
        assert!(
            matches!(
                refused,
                Err(checkpoint::CheckpointError::NotPinnedKey { .. })
            ),
            "{refused:?}"
        );
        db.drop_db().await;
    }
);

both_backends!(an_altered_checkpoint_is_named, |db: TestDb| async move {
    let ledger = seeded(&db).await;
    lift_checkpoint_guard(&db).await;
    // Its note re-written (the origin changed): the signature no longer holds.
    db.sql("UPDATE checkpoints SET note = replace(note, 'hoso.log/', 'hoso.log/x') WHERE id = 2")
        .await
        .unwrap();
    let r = checked(&ledger).await;
    let log = log_findings(&r);
    assert_eq!(
        log,
        vec![LogFinding {
            label: "#2".into(),
            problem: LogProblem::SignatureInvalid
        }]
    );
    assert_eq!(
        r.first().unwrap().to_string(),
        "checkpoint #2 signature invalid: it was altered or not signed by this key"
    );
    // Its stored size or root changed while the note stayed.
    let db2 = TestDb::new(db.backend).await.unwrap();
    let ledger2 = seeded(&db2).await;
    lift_checkpoint_guard(&db2).await;
    db2.sql(&format!(
        "UPDATE checkpoints SET root_hash = {} WHERE id = 1",
        blob(&db2, &[0; 32])
    ))
    .await
    .unwrap();
    let r = checked(&ledger2).await;
    assert!(
        matches!(log_findings(&r)[0].problem, LogProblem::Altered { .. }),
        "{:?}",
        r.findings
    );
    // Its stored tree state changed: found, and a later checkpoint would not match.
    db2.sql(&format!(
        "UPDATE checkpoints SET compact_range = {} WHERE id = 2",
        blob(&db2, &[7; 96])
    ))
    .await
    .unwrap();
    let r = checked(&ledger2).await;
    assert!(
        log_findings(&r)
            .iter()
            .any(|f| f.label == "#2" && f.problem == LogProblem::StateMismatch),
        "{:?}",
        r.findings
    );
    db.drop_db().await;
    db2.drop_db().await;
});

both_backends!(
    a_checkpoint_kept_outside_catches_removed_checkpoints,
    |db: TestDb| async move {
        let ledger = seeded(&db).await;
        let kept = checkpoint::latest(&ledger).await.unwrap().unwrap().note;
        db.lift_guard().await;
        lift_checkpoint_guard(&db).await;
        db.sql("DELETE FROM checkpoints; DELETE FROM events WHERE position >= 14; UPDATE event_head SET last_position = 13;")
        .await
        .unwrap();
        assert!(
            checked(&ledger).await.is_intact(),
            "nothing left inside to compare with"
        );
        let r = verify_with(&ledger, Some(signer().verifier()), &[kept])
            .await
            .unwrap();
        assert_eq!(
            log_findings(&r),
            vec![LogFinding {
                label: "given".into(),
                problem: LogProblem::CutOff {
                    signed: 15,
                    found: 13
                }
            }]
        );
        db.drop_db().await;
    }
);

both_backends!(
    a_store_with_old_timed_checkpoints_still_verifies,
    |db: TestDb| async move {
        use base64::Engine as _;
        let ledger = seeded(&db).await;
        let s = signer();
        // New bodies are the three C2SP lines, nothing else.
        let latest = checkpoint::latest(&ledger).await.unwrap().unwrap();
        let body = &latest.note[..latest.note.rfind("\n\n").unwrap() + 1];
        assert_eq!(body.lines().count(), 3, "{body}");
        assert_eq!(body.lines().next(), Some(s.origin()));
        // A checkpoint as issued before: a fourth line `time …`, stored as it was.
        let root = base64::engine::general_purpose::STANDARD.encode(latest.root);
        let legacy = format!(
            "{}\n{}\n{root}\ntime 2026-11-23T08:00:30Z\n",
            s.origin(),
            latest.tree_size
        );
        let note = s.sign_note(&legacy);
        let compact: Vec<u8> = latest.compact_range.unwrap().hashes().concat();
        db.sql(&format!(
            "INSERT INTO checkpoints (id, tree_size, root_hash, issued_at, key_id, note, compact_range) \
             VALUES (3, {}, {}, '2026-11-23T08:00:30Z', '{}', '{}', {})",
            latest.tree_size,
            blob(&db, &latest.root),
            s.verifier().key_id_hex(),
            note,
            blob(&db, &compact)
        ))
        .await
        .unwrap();
        // More events and a new checkpoint on top of the old one's tree state.
        ledger.append(vec![event("c-9", 1, "later")]).await.unwrap();
        let c = checkpoint::issue(&ledger, &s, "2026-11-23T08:01:00Z", true)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((c.id, c.tree_size), (4, 16));
        let r = checked(&ledger).await;
        assert!(r.is_intact(), "{:?}", r.findings);
        db.drop_db().await;
    }
);
