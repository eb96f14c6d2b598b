//! Sealed personal data on both backends: personal fields leave the stored
//! payload and come back only with their subject's data key; destroying the
//! key erases them while every chain still verifies; a missing or wrong
//! key-encryption key is refused before anything is written.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use std::sync::Arc;

use hoso_ledger::keys::{Kek, KeyError, Keys};
use hoso_ledger::seal::{Classifier, Sealing, SubjectRule};
use hoso_ledger::{Ledger, LedgerError, NewEvent};
use hoso_tests::{both_backends, TestDb};
use serde_json::json;

/// A classifier of top-level fields (the domain's own table is tested in the
/// domain and the service).
struct Cases;

impl Classifier for Cases {
    fn split(
        &self,
        aggregate_type: &str,
        event_type: &str,
        payload: &serde_json::Value,
    ) -> Option<(serde_json::Value, serde_json::Value)> {
        let personal: &[&str] = match (aggregate_type, event_type) {
            ("Case", "IntakeRecorded") => &["description", "date_of_birth", "reporter"],
            ("Case", "NoteAdded") => &["text"],
            ("Case", "PlanApproved") => &[],
            _ => return None,
        };
        let mut public = payload.as_object()?.clone();
        let mut sealed = serde_json::Map::new();
        for p in personal {
            if let Some(v) = public.remove(*p) {
                sealed.insert((*p).to_string(), v);
            }
        }
        Some((public.into(), sealed.into()))
    }

    fn merge(&self, public: &mut serde_json::Value, personal: serde_json::Value) {
        if let (Some(p), serde_json::Value::Object(s)) = (public.as_object_mut(), personal) {
            p.extend(s);
        }
    }

    fn subject(&self, aggregate_type: &str) -> Option<SubjectRule> {
        (aggregate_type == "Case").then_some(SubjectRule::FirstEventField {
            field: "child_id",
            prefix: "Child",
        })
    }
}

fn event(case: &str, sequence: u64, event_type: &str, payload: serde_json::Value) -> NewEvent {
    NewEvent {
        aggregate_type: "Case".into(),
        aggregate_id: case.into(),
        sequence,
        event_type: event_type.into(),
        event_version: "1".into(),
        payload: hoso_ledger::encoding::canonical_json(&payload).unwrap(),
        metadata: r#"{"actor_id":"cb-1"}"#.into(),
    }
}

fn kek_path(db: &TestDb) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "hoso-kek-{}.key",
        db.url.len() + rand::random::<u32>() as usize
    ))
}

both_backends!(
    personal_fields_are_sealed_and_erasable,
    |db: TestDb| async move {
        let path = kek_path(&db);
        let plain = Ledger::open(&db.url).await.unwrap();
        let keys = Keys::open(plain.db(), None, &path).await.unwrap();
        assert!(path.exists(), "a fresh store makes its KEK");
        let ledger = plain.with_privacy(keys, Arc::new(Cases));
        ledger
            .append(vec![event(
                "HS-1",
                1,
                "IntakeRecorded",
                json!({"type": "intake_recorded", "child_id": "TE-1", "date_of_birth": "2016-05-01",
                   "description": "Trẻ bị đánh bầm tím", "harm_types": ["violence"]}),
            )])
            .await
            .unwrap();
        ledger
            .append(vec![
                event(
                    "HS-1",
                    2,
                    "NoteAdded",
                    json!({"type": "note_added", "text": "Bà Lan kể lại"}),
                ),
                event(
                    "HS-1",
                    3,
                    "PlanApproved",
                    json!({"type": "plan_approved", "version": 1}),
                ),
            ])
            .await
            .unwrap();
        // An event type nobody classified is refused.
        let e = ledger
            .append(vec![event(
                "HS-1",
                4,
                "Unknown",
                json!({"type": "unknown"}),
            )])
            .await
            .unwrap_err();
        assert!(matches!(e, LedgerError::Unclassified { .. }), "{e}");

        let stored = ledger.events_of("Case", "HS-1", 0).await.unwrap();
        assert_eq!(stored.len(), 3);
        assert!(stored.iter().all(|e| e.format == 2));
        let first = &stored[0];
        assert!(!first.payload.contains("đánh") && !first.payload.contains("2016-05-01"));
        assert!(first.payload.contains("violence") && first.payload.contains("TE-1"));
        let sealed = first.sealed.as_deref().unwrap();
        assert!(!sealed.contains("đánh") && sealed.contains("Child:TE-1"));
        assert!(
            stored[2].sealed.is_none(),
            "no personal field, no sealed part"
        );
        let opened = ledger.open_event(first).await.unwrap();
        assert_eq!(opened.sealing, Sealing::Opened);
        assert_eq!(opened.payload["description"], "Trẻ bị đánh bầm tím");
        assert_eq!(opened.payload["date_of_birth"], "2016-05-01");
        let note = ledger.open_event(&stored[1]).await.unwrap();
        assert_eq!(note.payload["text"], "Bà Lan kể lại");
        assert!(hoso_ledger::verify::verify(&ledger)
            .await
            .unwrap()
            .is_intact());

        // A sealed part moved onto another event does not open.
        let mut moved = stored[1].clone();
        moved.sealed = first.sealed.clone();
        assert!(ledger.open_event(&moved).await.is_err());

        // Erasure: the key goes, the personal fields with it; hashes still verify.
        assert!(ledger
            .keys()
            .unwrap()
            .erase(ledger.db(), "Child:TE-1")
            .await
            .unwrap());
        let after = ledger.open_event(first).await.unwrap();
        assert_eq!(after.sealing, Sealing::Erased);
        assert!(after.payload.get("description").is_none());
        assert_eq!(after.payload["harm_types"], json!(["violence"]));
        assert!(hoso_ledger::verify::verify(&ledger)
            .await
            .unwrap()
            .is_intact());
        // No new key is made for an erased subject.
        let e = ledger
            .append(vec![event(
                "HS-1",
                4,
                "NoteAdded",
                json!({"type": "note_added", "text": "x"}),
            )])
            .await
            .unwrap_err();
        assert!(matches!(e, LedgerError::Key(KeyError::Erased(_))), "{e}");

        // The KEK: missing or wrong is refused.
        let e = Keys::open(ledger.db(), None, &path.with_extension("none"))
            .await
            .err()
            .unwrap();
        assert!(matches!(e, KeyError::Missing { .. }), "{e}");
        let e = Keys::open(ledger.db(), Some(Kek::from_bytes([9; 32])), &path)
            .await
            .err()
            .unwrap();
        assert!(matches!(e, KeyError::Wrong { .. }), "{e}");
        let again = Keys::open(ledger.db(), Some(Kek::load(&path).unwrap()), &path).await;
        assert!(again.is_ok());
        let _ = std::fs::remove_file(&path);
        ledger.db().close().await;
        db.drop_db().await;
    }
);

both_backends!(
    kek_rotation_rewraps_every_data_key,
    |db: TestDb| async move {
        let path = kek_path(&db);
        let plain = Ledger::open(&db.url).await.unwrap();
        let keys = Keys::open(plain.db(), None, &path).await.unwrap();
        let ledger = plain.with_privacy(keys, Arc::new(Cases));
        for (case, child) in [("HS-1", "TE-1"), ("HS-2", "TE-2")] {
            ledger
                .append(vec![event(
                    case,
                    1,
                    "IntakeRecorded",
                    json!({"type": "intake_recorded", "child_id": child, "description": "mô tả"}),
                )])
                .await
                .unwrap();
        }
        let new = Kek::from_bytes([7; 32]);
        assert_eq!(
            ledger
                .keys()
                .unwrap()
                .rewrap(ledger.db(), &new)
                .await
                .unwrap(),
            2
        );
        let rotated = Ledger::open(&db.url).await.unwrap().with_privacy(
            Keys::open(ledger.db(), Some(new), &path).await.unwrap(),
            Arc::new(Cases),
        );
        let e = rotated.events_of("Case", "HS-2", 0).await.unwrap();
        assert_eq!(
            rotated.open_event(&e[0]).await.unwrap().payload["description"],
            "mô tả"
        );
        assert!(
            Keys::open(ledger.db(), Some(Kek::load(&path).unwrap()), &path)
                .await
                .is_err()
        );
        let _ = std::fs::remove_file(&path);
        ledger.db().close().await;
        db.drop_db().await;
    }
);

both_backends!(
    a_new_data_key_is_stored_with_the_events_it_seals,
    |db: TestDb| async move {
        let path = kek_path(&db);
        let kek = {
            let plain = Ledger::open(&db.url).await.unwrap();
            Keys::open(plain.db(), None, &path).await.unwrap();
            Kek::load(&path).unwrap()
        };
        // Two processes' worth of ledgers on one store, one KEK.
        let open = || async {
            let plain = Ledger::open(&db.url).await.unwrap();
            let keys = Keys::open(plain.db(), Some(kek.clone()), &path)
                .await
                .unwrap();
            plain.with_privacy(keys, Arc::new(Cases))
        };
        let (a, b) = (open().await, open().await);
        let intake = |case: &str| {
            event(
                case,
                1,
                "IntakeRecorded",
                json!({"type": "intake_recorded", "child_id": "TE-9", "description": format!("về {case}"),
                   "harm_types": ["violence"]}),
            )
        };
        // Both make a key for child TE-9 at once; one of them is stored, and
        // the other command is refused as a conflict (never stored under a key
        // that was not kept).
        let (x, y) = tokio::join!(
            a.append(vec![intake("HS-A")]),
            b.append(vec![intake("HS-B")])
        );
        let refused = [&x, &y].iter().filter(|r| r.is_err()).count();
        for r in [&x, &y] {
            if let Err(e) = r {
                assert!(matches!(e, LedgerError::Conflict { .. }), "{e}");
            }
        }
        // Tried again, the loser seals with the stored key.
        if x.is_err() {
            a.append(vec![intake("HS-A")]).await.unwrap();
        }
        if y.is_err() {
            b.append(vec![intake("HS-B")]).await.unwrap();
        }
        assert!(refused <= 1, "{x:?} {y:?}");
        let keys: i64 = hoso_ledger::sql::one_int(
            a.db(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM data_keys WHERE subject = 'Child:TE-9'",
            &[],
        )
        .await
        .unwrap();
        assert_eq!(keys, 1);
        for (ledger, case) in [(&a, "HS-A"), (&b, "HS-B"), (&a, "HS-B"), (&b, "HS-A")] {
            let e = &ledger.events_of("Case", case, 0).await.unwrap()[0];
            let opened = ledger.open_event(e).await.unwrap();
            assert_eq!(opened.payload["description"], format!("về {case}"));
        }
        assert!(hoso_ledger::verify::verify(&a).await.unwrap().is_intact());
    }
);
