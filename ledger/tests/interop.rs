//! Interoperability with independent implementations: Cloudflare's
//! `signed_note` (a port of golang.org/x/mod/sumdb/note) and `tlog_tiles` (a
//! port of golang.org/x/mod/sumdb/tlog with c2sp.org/tlog-checkpoint).
//!
//! Notes and cosignatures made here verify there and the other way round;
//! our checkpoint bodies parse there; a client that knows only their tile
//! reader authenticates our tiles against our root and computes the same
//! root, consistency and inclusion proofs as `merkle.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use std::collections::HashMap;

use hoso_ledger::checkpoint::{Body, Signer};
use hoso_ledger::merkle::{leaf_hash, Hash, Tree};
use hoso_ledger::note::{quorum, CheckpointText, Note, NoteSigner, SignatureLine, Verifier};
use hoso_ledger::tiles::{bundle_bytes, parse_bundle, tile_bytes, ChunkView, TilePath, TILE_WIDTH};
use proptest::prelude::*;

/// cosignature/v1 for their `Verifier` trait: the key id with type 0x04 from
/// their `key_id`, the message as tlog-cosignature writes it.
struct TheirCosigV1 {
    name: String,
    id: u32,
    key: ed25519_dalek::VerifyingKey,
}

impl TheirCosigV1 {
    fn new(name: &str, key: ed25519_dalek::VerifyingKey) -> TheirCosigV1 {
        let mut k = vec![0x04];
        k.extend_from_slice(key.as_bytes());
        TheirCosigV1 {
            name: name.into(),
            id: signed_note::key_id(name, &k),
            key,
        }
    }
}

impl signed_note::Verifier for TheirCosigV1 {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        if sig.len() != 72 {
            return false;
        }
        let t = u64::from_be_bytes(sig[..8].try_into().unwrap());
        let mut m = format!("cosignature/v1\ntime {t}\n").into_bytes();
        m.extend_from_slice(msg);
        let s = ed25519_dalek::Signature::from_slice(&sig[8..]).unwrap();
        self.key.verify_strict(&m, &s).is_ok()
    }
}

fn their_list(v: Vec<Box<dyn signed_note::Verifier>>) -> signed_note::VerifierList {
    signed_note::VerifierList::new(v)
}

#[test]
fn our_checkpoints_and_cosignatures_verify_with_signed_note() {
    let log = Signer::from_seed(&[5; 32]);
    let body = Body {
        origin: log.origin().into(),
        tree_size: 1234,
        root: [9; 32],
        time: None,
    };
    let witness = NoteSigner::cosigner("witness.example/w1", &[6; 32]).unwrap();
    let mut note = Note::parse(&log.sign_note(&body.text())).unwrap();
    note.signatures
        .push(witness.cosign(&note.text, 1_700_000_000));
    let text = note.to_text();

    let theirs = signed_note::Note::from_bytes(text.as_bytes()).unwrap();
    assert_eq!(theirs.text(), body.text().as_bytes());
    // The log's verifier key as printed by `hoso key show`.
    let log_v = signed_note::StandardVerifier::new(&log.verifier().to_string()).unwrap();
    let (ok, unknown) = theirs.verify(&their_list(vec![Box::new(log_v)])).unwrap();
    assert_eq!((ok.len(), unknown.len()), (1, 1));
    let w = TheirCosigV1::new("witness.example/w1", *witness.verifier().public_key());
    assert_eq!(w.id.to_be_bytes(), witness.verifier().key_id());
    let (ok, _) = theirs.verify(&their_list(vec![Box::new(w)])).unwrap();
    assert_eq!(ok[0].name(), "witness.example/w1");
    // Their serialisation of our note is byte for byte ours.
    assert_eq!(theirs.to_bytes(), text.as_bytes());
    // Their checkpoint parser reads our body.
    let cp = tlog_tiles::Checkpoint::from_bytes(body.text().as_bytes()).unwrap();
    assert_eq!(
        (cp.origin(), cp.size(), cp.hash().0),
        (log.origin(), 1234, [9; 32])
    );
    assert_eq!(cp.extension(), "");
    // And a legacy body with its `time` line, as an extension.
    let legacy = Body {
        time: Some("2026-11-23T08:00:00Z".into()),
        ..body
    };
    let cp = tlog_tiles::Checkpoint::from_bytes(legacy.text().as_bytes()).unwrap();
    assert_eq!(cp.extension(), "time 2026-11-23T08:00:00Z\n");
}

#[test]
fn their_notes_verify_here() {
    let (skey, vkey) = signed_note::generate_key(&mut rand::rngs::OsRng, "their.example/log");
    let signer = signed_note::StandardSigner::new(&skey).unwrap();
    let text = "their.example/log\n7\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\n";
    let mut n = signed_note::Note::new(text.as_bytes(), &[]).unwrap();
    n.add_sigs(&[&signer]).unwrap();
    let bytes = n.to_bytes();
    let ours = Note::parse_bytes(&bytes).unwrap();
    let v = Verifier::parse(&vkey).unwrap();
    assert_eq!(v.to_string(), vkey);
    assert_eq!(ours.verify(&[v]).unwrap().len(), 1);
    // Their key id and ours agree; their signature line is ours.
    let line = signed_note::Signature::from_bytes(
        std::str::from_utf8(&bytes)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        SignatureLine::parse(std::str::from_utf8(&line.to_bytes()).unwrap().trim_end()).unwrap(),
        ours.signatures[0]
    );
    let cp = CheckpointText::parse(&ours.text).unwrap();
    assert_eq!(cp.size, 7);
}

#[test]
fn they_reject_what_we_reject() {
    let s = NoteSigner::ed25519("x.example", &[1; 32]).unwrap();
    let sig = s.sign("hello\n").to_line();
    for bad in [
        format!("hello\n{sig}"),
        format!("hello\n\n{}", sig.trim_end()),
        format!("hel\tlo\n\n{sig}"),
        "hello\n\n— x.example AAAA\n".to_string(),
    ] {
        assert!(Note::parse(&bad).is_err(), "{bad:?}");
        assert!(
            signed_note::Note::from_bytes(bad.as_bytes()).is_err(),
            "{bad:?}"
        );
    }
    // A real cosigned checkpoint: both verify the log and the quorum alike.
    let good = format!("hello\n\n{sig}");
    assert!(Note::parse(&good).is_ok());
    assert!(signed_note::Note::from_bytes(good.as_bytes()).is_ok());
    let w = NoteSigner::cosigner("w.example", &[2; 32]).unwrap();
    let mut n = Note::parse(&good).unwrap();
    n.signatures.push(w.cosign("hello\n", 5));
    assert!(quorum(&n, &[w.verifier().clone()], 1).is_ok());
}

// ---------------------------------------------------------------------------
// Tiles

struct Tiles<'a> {
    view: ChunkView<'a>,
}

impl tlog_tiles::TileReader for Tiles<'_> {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                assert!(!t.is_data());
                // Their path has the height: `tile/8/L/N[.p/W]`; c2sp drops it.
                let theirs = t.path();
                let ours = theirs.replacen("tile/8/", "tile/", 1);
                let p = TilePath::parse(&ours).unwrap_or_else(|| panic!("{ours}"));
                assert_eq!(p.to_path(), ours);
                let hashes = self.view.tile_hashes(&p).expect("covered").expect("loaded");
                Ok(tile_bytes(&hashes))
            })
            .collect()
    }

    fn save_tiles(&self, _tiles: &[tlog_tiles::Tile], _data: &[Vec<u8>]) {}
}

fn entries(n: u64) -> Vec<[u8; 32]> {
    (0..n)
        .map(|i| {
            let mut e = [0u8; 32];
            e[..8].copy_from_slice(&i.to_be_bytes());
            e[31] = 0xee;
            e
        })
        .collect()
}

fn check(n: u64, old: u64, index: u64) -> Result<(), TestCaseError> {
    let e = entries(n);
    let leaves: Vec<Hash> = e.iter().map(|x| leaf_hash(x)).collect();
    let tree = Tree::from_leaf_hashes(leaves.clone());
    let roots: Vec<Hash> = leaves
        .chunks(256)
        .filter(|c| c.len() == 256)
        .map(|c| Tree::from_leaf_hashes(c.to_vec()).root(256))
        .collect();
    let map: HashMap<u64, Vec<Hash>> = leaves
        .chunks(256)
        .enumerate()
        .map(|(i, c)| (i as u64, c.to_vec()))
        .collect();
    let view = ChunkView {
        size: n,
        roots: &roots,
        leaves: &map,
    };
    let root = tree.root(n);
    let reader = Tiles { view };
    let thr = tlog_tiles::TileHashReader::new(n, tlog_tiles::Hash(root), &reader);
    prop_assert_eq!(tlog_tiles::tree_hash(n, &thr).unwrap().0, root);
    if n == 0 {
        return Ok(());
    }
    let old = 1 + old % n;
    let theirs: Vec<Hash> = tlog_tiles::prove_tree(n, old, &thr)
        .unwrap()
        .iter()
        .map(|h| h.0)
        .collect();
    let ours = view.consistency_proof(old).unwrap();
    prop_assert_eq!(&theirs, &ours);
    if old < n {
        prop_assert_eq!(&ours, &tree.consistency_proof(old, n).unwrap());
    }
    let as_theirs: Vec<tlog_tiles::Hash> = ours.iter().map(|h| tlog_tiles::Hash(*h)).collect();
    tlog_tiles::check_tree(
        &as_theirs,
        n,
        tlog_tiles::Hash(root),
        old,
        tlog_tiles::Hash(tree.root(old)),
    )
    .unwrap();
    let i = index % n;
    let theirs: Vec<Hash> = tlog_tiles::prove_record(n, i, &thr)
        .unwrap()
        .iter()
        .map(|h| h.0)
        .collect();
    prop_assert_eq!(&theirs, &view.inclusion_proof(i).unwrap());
    // Entry bundles: each entry hashes (their record hash) to the level-0 tile.
    let chunk = i / TILE_WIDTH;
    let width = (n - chunk * TILE_WIDTH).min(TILE_WIDTH);
    let p = if width == TILE_WIDTH {
        TilePath::Entries {
            index: chunk,
            width: None,
        }
    } else {
        TilePath::Entries {
            index: chunk,
            width: Some(width as u8),
        }
    };
    let start = (chunk * TILE_WIDTH) as usize;
    let bundle = bundle_bytes(e[start..start + width as usize].iter().map(|x| &x[..]));
    let level0 = view
        .tile_hashes(&TilePath::Hashes {
            level: 0,
            index: chunk,
            width: (!p.is_full()).then_some(width as u8),
        })
        .unwrap()
        .unwrap();
    let got: Vec<Hash> = parse_bundle(&bundle)
        .unwrap()
        .iter()
        .map(|x| tlog_tiles::record_hash(x).0)
        .collect();
    prop_assert_eq!(got, level0);
    Ok(())
}

#[test]
fn tiles_at_the_edges_read_by_their_client() {
    for n in [1, 2, 255, 256, 257, 511, 512, 65535, 65536, 65537, 70_000] {
        for old in [0, 254, 255, 256, 65535, n - 1] {
            check(n, old, old * 31 + 7).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn tiles_read_by_their_client(n in 0u64..5000, old in any::<u64>(), index in any::<u64>()) {
        check(n, old, index)?;
    }
}
