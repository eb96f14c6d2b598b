//! End to end, on SQLite and PostgreSQL: a witness cosigns the log's
//! checkpoints as it grows (the background loop and direct submissions,
//! starting from `old 0` and following the 409); then an attacker with the
//! database and the log's key rewrites history and submits it: the witness
//! refuses (409 / 422) and keeps the evidence, and verification with the
//! witness names the newest cosigned checkpoint the log no longer matches.
//! The witness restarted keeps its state and never goes back.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hoso_ledger::checkpoint::{self, Checkpoint, Signer};
use hoso_ledger::cosignature;
use hoso_ledger::note::Verifier;
use hoso_ledger::tiles::{TilePath, TreeCache};
use hoso_ledger::witnessed::{verify_witnessed, Mismatch};
use hoso_ledger::{Ledger, NewEvent};
use hoso_tests::{both_backends, Backend, TestDb};
use hoso_witness::state;
use hoso_witness::{
    spawn_witnessing, submit, SubmitError, Witness, WitnessEndpoint, WitnessingConfig,
};

fn event(case: &str, sequence: u64, text: &str) -> NewEvent {
    NewEvent {
        aggregate_type: "Case".into(),
        aggregate_id: case.into(),
        sequence,
        event_type: "NoteAdded".into(),
        event_version: "1".into(),
        payload: format!(r#"{{"text":"{text}"}}"#),
        metadata: r#"{"actor_id":"o-1","recorded_at":"2026-11-23T08:00:00.000000Z","role":"commune_worker","unit":"commune:42:18070"}"#.into(),
    }
}

fn log_key() -> Signer {
    Signer::from_seed(&[42; 32])
}

/// Appends events `from..to` (global positions), cases c-0 … c-3 in turn;
/// `changed` alters the text of that position (the attacker's rewrite).
async fn append(ledger: &Ledger, from: u64, to: u64, changed: Option<u64>) {
    for p in from..to {
        let case = format!("c-{}", p % 4);
        let seq = p / 4 + 1;
        let text = if Some(p) == changed {
            format!("step {p} (rewritten)")
        } else {
            format!("step {p}")
        };
        ledger.append(vec![event(&case, seq, &text)]).await.unwrap();
    }
}

async fn issue(ledger: &Ledger) -> Checkpoint {
    checkpoint::issue(ledger, &log_key(), "2026-11-23T08:00:00Z", false)
        .await
        .unwrap()
        .unwrap()
}

struct Running {
    url: String,
    witness: Arc<Witness>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

async fn start(state_file: &Path) -> Running {
    let key = state::load_key(&state::default_key_path(state_file)).unwrap();
    let witness = Arc::new(Witness::open(state_file, key).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/w1", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(hoso_witness::cli::serve(
        listener,
        witness.clone(),
        "/w1",
        async {
            let _ = stopped.await;
        },
    ));
    Running {
        url,
        witness,
        stop,
        task,
    }
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
        // Connection tasks drop their handles just after the server returns;
        // once this is the last reference, the state lock goes with it.
        for _ in 0..100 {
            if Arc::strong_count(&self.witness) == 1 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the witness is still referenced after the server stopped");
    }

    fn endpoint(&self) -> WitnessEndpoint {
        WitnessEndpoint::parse(&format!("{}@{}", self.witness.verifier(), self.url)).unwrap()
    }
}

fn evidence_files(state_file: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(state::sibling(state_file, ".evidence"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default()
}

async fn wait_for(what: &str, mut f: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

both_backends!(
    a_witness_catches_a_rewritten_history,
    |db: TestDb| async move {
        let tmp = tempfile::tempdir().unwrap();
        let state_file = tmp.path().join("witness.json");
        let wkey = state::init(
            &state_file,
            &state::default_key_path(&state_file),
            "witness.test/w1",
        )
        .unwrap();
        let signer = log_key();
        state::add_log(&state_file, &signer.verifier().to_string()).unwrap();
        let witness_vkey: Verifier = wkey.verifier().clone();
        let running = start(&state_file).await;
        let endpoint = running.endpoint();

        // The genuine log grows; the background loop gets each checkpoint cosigned.
        let ledger = Ledger::open(&db.url).await.unwrap().without_privacy();
        let cache = Arc::new(TreeCache::new());
        let witnessing = spawn_witnessing(
            ledger.clone(),
            cache.clone(),
            vec![endpoint.clone()],
            WitnessingConfig {
                poll: Duration::from_millis(50),
                min_backoff: Duration::from_millis(50),
                max_backoff: Duration::from_millis(200),
                timeout: Duration::from_secs(10),
            },
        );
        let mut cps = Vec::new();
        for (from, to) in [(0, 5), (5, 300), (300, 530)] {
            append(&ledger, from, to, None).await;
            let cp = issue(&ledger).await;
            let size = cp.tree_size;
            wait_for("the loop to get the checkpoint cosigned", async || {
                witnessing.status()[0].last_cosigned_size == Some(size)
            })
            .await;
            let st = &witnessing.status()[0];
            assert!(
                st.behind_since.is_none() && st.last_error.is_none(),
                "{st:?}"
            );
            cps.push(cp);
        }
        witnessing.stop().await;
        let stored = cosignature::all(&ledger).await.unwrap();
        assert_eq!(
            stored.iter().map(|c| c.tree_size).collect::<Vec<_>>(),
            vec![5, 300, 530]
        );
        assert!(stored.iter().all(|c| c.witness_name == "witness.test/w1"));
        // The cosignatures table is append-only.
        assert!(db
            .sql("UPDATE cosignatures SET tree_size = 1")
            .await
            .is_err());
        assert!(db.sql("DELETE FROM cosignatures").await.is_err());
        if db.backend == Backend::Postgres {
            assert!(db.sql("TRUNCATE cosignatures").await.is_err());
        }

        // A direct submission that does not know the witness's size: old 0, the
        // 409 names 530, sent again with the proof from 530.
        append(&ledger, 530, 777, None).await;
        let cp4 = issue(&ledger).await;
        let http = reqwest::Client::new();
        let got = submit(&http, &ledger, &cache, &endpoint, &cp4, None)
            .await
            .unwrap();
        assert_eq!(got.len(), 1);
        cps.push(cp4.clone());
        // Copies of the cosigned checkpoints kept outside the database.
        let mut outside = Vec::new();
        for cp in &cps {
            outside.push(cosignature::cosigned_note(&ledger, cp).await.unwrap());
        }
        let good = verify_witnessed(
            &ledger,
            &cache,
            signer.verifier(),
            std::slice::from_ref(&witness_vkey),
            1,
            &[],
        )
        .await
        .unwrap();
        assert!(good.is_ok(), "{good}");
        assert_eq!(good.newest_matching.as_ref().unwrap().size, 777);
        assert_eq!(good.accepted.len(), 4);
        // A quorum of 2 with one witness: nothing is accepted.
        let other = hoso_ledger::note::NoteSigner::cosigner("witness.test/w2", &[8; 32]).unwrap();
        let two = verify_witnessed(
            &ledger,
            &cache,
            signer.verifier(),
            &[witness_vkey.clone(), other.verifier().clone()],
            2,
            &[],
        )
        .await
        .unwrap();
        assert!(!two.is_ok() && two.accepted.is_empty(), "{two}");

        // Tiles of the genuine log reconstruct its root (served for the latest size).
        let t = cache
            .tile(
                &ledger,
                &TilePath::Hashes {
                    level: 0,
                    index: 1,
                    width: None,
                },
                777,
            )
            .await
            .unwrap()
            .unwrap();
        assert!(t.immutable && t.bytes.len() == 8192);
        let p = cache
            .tile_at(&ledger, "tile/1/000.p/3", 777)
            .await
            .unwrap()
            .unwrap();
        assert!(!p.immutable && p.bytes.len() == 96);
        assert!(cache
            .tile_at(&ledger, "tile/1/000.p/4", 777)
            .await
            .unwrap()
            .is_none());
        let b = cache
            .tile_at(&ledger, "tile/entries/003.p/9", 777)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(b.bytes.len(), 9 * 34);

        // The attacker: a fresh database, the same events with one changed
        // (position 400, after checkpoint #2 of 300 events), re-signed with the
        // log's own key.
        let db2 = TestDb::new(db.backend).await.unwrap();
        let forged = Ledger::open(&db2.url).await.unwrap().without_privacy();
        let fcache = TreeCache::new();
        append(&forged, 0, 777, Some(400)).await;
        let f777 = issue(&forged).await;
        assert_ne!(f777.root, cp4.root);
        // Same size as the witness's: another root → 409, evidence kept.
        let e = submit(&http, &forged, &fcache, &endpoint, &f777, None)
            .await
            .unwrap_err();
        assert!(matches!(e, SubmitError::Conflict { size: 777 }), "{e}");
        assert_eq!(evidence_files(&state_file).len(), 1);
        // Grown beyond: the 409 names 777, the proof from 777 does not verify → 422.
        append(&forged, 777, 900, None).await;
        let f900 = issue(&forged).await;
        let e = submit(&http, &forged, &fcache, &endpoint, &f900, None)
            .await
            .unwrap_err();
        assert!(
            matches!(e, SubmitError::Inconsistent { old: 777, new: 900 }),
            "{e}"
        );
        let ev = evidence_files(&state_file);
        assert_eq!(ev.len(), 2);
        for f in &ev {
            let req = hoso_witness::AddCheckpoint::parse(&std::fs::read(f).unwrap()).unwrap();
            assert!(signer.verifier().open_note(&req.checkpoint).is_some());
        }
        // Nor can a shorter forged history pass: the witness is at 777.
        let e = submit(&http, &forged, &fcache, &endpoint, &f777, Some(900))
            .await
            .unwrap_err();
        assert!(matches!(e, SubmitError::WitnessAhead { .. }), "{e}");
        assert_eq!(
            running.witness.latest(signer.origin()).await,
            Some((777, Some(cp4.root)))
        );
        assert!(cosignature::all(&forged).await.unwrap().is_empty());

        // Verification with the witness over the forged store and the copies kept
        // outside: #1 (5) and #2 (300) still match, #3 (530) is the first that no
        // longer does, and the newest mismatch named is the one of 777 events.
        let r = verify_witnessed(
            &forged,
            &fcache,
            signer.verifier(),
            std::slice::from_ref(&witness_vkey),
            1,
            &outside,
        )
        .await
        .unwrap();
        assert!(!r.is_ok());
        let (newest, why) = r.newest_mismatch.clone().unwrap();
        assert_eq!((newest.label.as_str(), newest.size), ("given 4", 777));
        assert!(matches!(why, Mismatch::RootDiffers { .. }));
        assert_eq!(r.newest_matching.as_ref().map(|m| m.size), Some(300));
        let text = r.to_string();
        assert!(text.contains("checkpoint given 4 (777 events)"), "{text}");
        assert!(text.contains("history was rewritten"), "{text}");
        assert!(
            text.contains("still matches checkpoint given 2 of 300 events"),
            "{text}"
        );
        // The forged store's own checkpoints have no cosignatures: none accepted.
        assert!(r.unwitnessed.iter().any(|(l, _)| l == "#1"));

        // The genuine store altered in place (an event hash rewritten): its own
        // stored cosignatures name the checkpoint.
        db.lift_guard().await;
        let zero = match db.backend {
            Backend::Postgres => format!("'\\x{}'::bytea", "00".repeat(32)),
            Backend::Sqlite => format!("X'{}'", "00".repeat(32)),
        };
        db.sql(&format!(
            "UPDATE events SET hash = {zero} WHERE position = 600"
        ))
        .await
        .unwrap();
        let r = verify_witnessed(
            &ledger,
            &TreeCache::new(),
            signer.verifier(),
            std::slice::from_ref(&witness_vkey),
            1,
            &[],
        )
        .await
        .unwrap();
        let (newest, _) = r.newest_mismatch.clone().unwrap();
        assert_eq!((newest.label.as_str(), newest.size), ("#4", 777));
        assert_eq!(
            r.newest_matching.as_ref().map(|m| m.label.as_str()),
            Some("#3")
        );

        // The witness restarted: the same state, and an old checkpoint is refused.
        running.stop().await;
        let running = start(&state_file).await;
        assert_eq!(
            running.witness.latest(signer.origin()).await,
            Some((777, Some(cp4.root)))
        );
        let e = submit(
            &http,
            &ledger,
            &TreeCache::new(),
            &running.endpoint(),
            &cps[2],
            Some(300),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                e,
                SubmitError::WitnessAhead {
                    witness: 777,
                    ours: 530
                }
            ),
            "{e}"
        );
        running.stop().await;

        ledger.db().close().await;
        forged.db().close().await;
        db2.drop_db().await;
        db.drop_db().await;
    }
);

both_backends!(
    a_down_witness_is_retried_and_reported,
    |db: TestDb| async move {
        let tmp = tempfile::tempdir().unwrap();
        let state_file = tmp.path().join("witness.json");
        let wkey = state::init(
            &state_file,
            &state::default_key_path(&state_file),
            "witness.test/w1",
        )
        .unwrap();
        state::add_log(&state_file, &log_key().verifier().to_string()).unwrap();
        // Nothing listens there yet.
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = probe.local_addr().unwrap();
        drop(probe);
        let endpoint =
            WitnessEndpoint::parse(&format!("{}@http://{addr}/w1", wkey.verifier())).unwrap();
        let ledger = Ledger::open(&db.url).await.unwrap().without_privacy();
        append(&ledger, 0, 20, None).await;
        let cp = issue(&ledger).await;
        let witnessing = spawn_witnessing(
            ledger.clone(),
            Arc::new(TreeCache::new()),
            vec![endpoint],
            WitnessingConfig {
                poll: Duration::from_millis(50),
                min_backoff: Duration::from_millis(50),
                max_backoff: Duration::from_millis(100),
                timeout: Duration::from_secs(5),
            },
        );
        wait_for("a failure to be reported", async || {
            witnessing.status()[0].failures >= 2
        })
        .await;
        let st = witnessing.status()[0].clone();
        assert!(
            st.behind_since.is_some() && st.last_error.is_some(),
            "{st:?}"
        );
        assert_eq!(st.last_cosigned_size, None);
        // The witness comes up on that address: the loop catches up.
        let key = state::load_key(&state::default_key_path(&state_file)).unwrap();
        let witness = Arc::new(Witness::open(&state_file, key).unwrap());
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(hoso_witness::cli::serve(listener, witness, "/w1", async {
            let _ = stopped.await;
        }));
        let size = cp.tree_size;
        wait_for("the witness to catch up", async || {
            witnessing.status()[0].last_cosigned_size == Some(size)
        })
        .await;
        let st = witnessing.status()[0].clone();
        assert!(
            st.behind_since.is_none() && st.last_error.is_none(),
            "{st:?}"
        );
        witnessing.stop().await;
        let _ = stop.send(());
        server.await.unwrap().unwrap();
        ledger.db().close().await;
        db.drop_db().await;
    }
);
