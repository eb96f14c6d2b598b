//! Proofs, roots and tiles computed from stored state (chunk roots and at most
//! a chunk of leaves read per subtree) equal those of the whole tree in
//! memory, on both backends; the read API serves the checkpoint and tiles.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use hoso_ledger::checkpoint::{self, Signer};
use hoso_ledger::merkle::{leaf_hash, verify_consistency, verify_inclusion};
use hoso_ledger::tiles::{resource, TilePath, TreeCache};
use hoso_ledger::{Ledger, NewEvent};
use hoso_tests::{both_backends, TestDb};

fn event(case: u64, sequence: u64) -> NewEvent {
    NewEvent {
        aggregate_type: "Case".into(),
        aggregate_id: format!("c-{case}"),
        sequence,
        event_type: "NoteAdded".into(),
        event_version: "1".into(),
        payload: format!(r#"{{"n":{sequence}}}"#),
        metadata: r#"{"actor_id":"o-1","recorded_at":"2026-11-23T08:00:00.000000Z","role":"commune_worker","unit":"commune:42:18070"}"#.into(),
    }
}

both_backends!(proofs_from_stored_state, |db: TestDb| async move {
    let ledger = Ledger::open(&db.url).await.unwrap().without_privacy();
    let n: u64 = 1300;
    for i in 0..n {
        ledger.append(vec![event(i % 3, i / 3 + 1)]).await.unwrap();
    }
    let tree = hoso_ledger::log::tree(&ledger, n).await.unwrap();
    let cache = TreeCache::new();
    // Sizes at and around chunk edges, and odd ones.
    for new in [1, 255, 256, 257, 511, 512, 513, 1024, 1299, 1300] {
        let root = cache.root(&ledger, new).await.unwrap();
        assert_eq!(root, tree.root(new), "root {new}");
        for old in [0, 1, 7, 255, 256, 300, 512, 1023, new - 1, new] {
            if old > new {
                continue;
            }
            let p = cache.consistency_proof(&ledger, old, new).await.unwrap();
            if old > 0 && old < new {
                assert_eq!(
                    p,
                    tree.consistency_proof(old, new).unwrap(),
                    "{old} → {new}"
                );
            } else {
                assert!(p.is_empty());
            }
            assert!(verify_consistency(old, new, &tree.root(old), &root, &p));
        }
        for pos in [1, new / 2 + 1, new] {
            let p = cache.inclusion_proof(&ledger, pos, new).await.unwrap();
            assert_eq!(p, tree.inclusion_proof(pos - 1, new).unwrap());
        }
    }
    assert!(cache.consistency_proof(&ledger, 5, 4).await.is_err());
    assert!(cache.consistency_proof(&ledger, 5, n + 1).await.is_err());
    assert_eq!(cache.chunks().await, n / 256);

    // The read API: nothing before a checkpoint; then the checkpoint and the
    // tiles it covers.
    assert!(resource(&ledger, &cache, "checkpoint")
        .await
        .unwrap()
        .is_none());
    let s = Signer::from_seed(&[42; 32]);
    let cp = checkpoint::issue(&ledger, &s, "2026-11-23T08:00:00Z", false)
        .await
        .unwrap()
        .unwrap();
    let c = resource(&ledger, &cache, "checkpoint")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.bytes, cp.note.as_bytes());
    assert!(!c.immutable);
    assert_eq!(c.content_type, "text/plain; charset=utf-8");
    // Level 0: the leaf hashes; entries: the event hashes, length-prefixed.
    let t0 = resource(&ledger, &cache, "tile/0/004.p/20")
        .await
        .unwrap()
        .unwrap();
    let b0 = resource(&ledger, &cache, "tile/entries/004.p/20")
        .await
        .unwrap()
        .unwrap();
    assert!(!t0.immutable && !b0.immutable);
    let entries = hoso_ledger::tiles::parse_bundle(&b0.bytes).unwrap();
    assert_eq!(entries.len(), 20);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(t0.bytes[i * 32..(i + 1) * 32], leaf_hash(e));
        let pos = 4 * 256 + i as u64 + 1;
        let proof = cache.inclusion_proof(&ledger, pos, n).await.unwrap();
        assert!(verify_inclusion(
            pos - 1,
            n,
            &leaf_hash(e),
            &proof,
            &cp.root
        ));
    }
    // Level 1: each hash is the root of a full level-0 tile.
    let t1 = resource(&ledger, &cache, "tile/1/000.p/5")
        .await
        .unwrap()
        .unwrap();
    for i in 0..5 {
        let l0 = resource(&ledger, &cache, &format!("tile/0/00{i}"))
            .await
            .unwrap()
            .unwrap();
        let leaves: Vec<[u8; 32]> = l0.bytes.chunks(32).map(|c| c.try_into().unwrap()).collect();
        let root = hoso_ledger::merkle::Tree::from_leaf_hashes(leaves).root(256);
        assert_eq!(t1.bytes[i * 32..(i + 1) * 32], root);
    }
    let full = resource(&ledger, &cache, "tile/0/003")
        .await
        .unwrap()
        .unwrap();
    assert!(full.immutable && full.bytes.len() == 8192);
    for missing in [
        "tile/0/005",
        "tile/0/005.p/21",
        "tile/1/000.p/6",
        "tile/entries/005",
        "tile/0/0005",
        "nonsense",
    ] {
        assert!(
            resource(&ledger, &cache, missing).await.unwrap().is_none(),
            "{missing}"
        );
    }
    assert_eq!(
        TilePath::parse("tile/1/000.p/5").unwrap().leaves_needed(),
        Some(1280)
    );
    db.drop_db().await;
});
