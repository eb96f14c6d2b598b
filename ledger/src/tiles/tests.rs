use super::*;
use crate::merkle::{verify_consistency, verify_inclusion, Tree};
use proptest::prelude::*;

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

/// A view with every chunk loaded (no database).
fn view_parts(l: &[Hash]) -> (Vec<Hash>, HashMap<u64, Vec<Hash>>) {
    let roots = l
        .chunks(TILE_WIDTH as usize)
        .filter(|c| c.len() == TILE_WIDTH as usize)
        .map(mth)
        .collect();
    let map = l
        .chunks(TILE_WIDTH as usize)
        .enumerate()
        .map(|(i, c)| (i as u64, c.to_vec()))
        .collect();
    (roots, map)
}

#[test]
fn paths_round_trip_and_odd_ones_are_refused() {
    assert_eq!(encode_index(1234067), "x001/x234/067");
    assert_eq!(encode_index(0), "000");
    assert_eq!(encode_index(1000), "x001/000");
    for (p, t) in [
        (
            "tile/0/x001/x234/067",
            TilePath::Hashes {
                level: 0,
                index: 1234067,
                width: None,
            },
        ),
        (
            "tile/1/000.p/17",
            TilePath::Hashes {
                level: 1,
                index: 0,
                width: Some(17),
            },
        ),
        (
            "tile/63/999",
            TilePath::Hashes {
                level: 63,
                index: 999,
                width: None,
            },
        ),
        (
            "tile/entries/x001/234.p/255",
            TilePath::Entries {
                index: 1234,
                width: Some(255),
            },
        ),
        (
            "tile/entries/273",
            TilePath::Entries {
                index: 273,
                width: None,
            },
        ),
        (
            "tile/0/x018/x446/x744/x073/x709/x551/615",
            TilePath::Hashes {
                level: 0,
                index: u64::MAX,
                width: None,
            },
        ),
    ] {
        assert_eq!(TilePath::parse(p), Some(t), "{p}");
        assert_eq!(t.to_path(), p);
    }
    for bad in [
        "tile/0/1",
        "tile/0/0001",
        "tile/00/000",
        "tile/64/000",
        "tile/0/x000/067",
        "tile/0/001/067",
        "tile/0/x01/067",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/05",
        "tile/0/000.p/",
        "tile/0/000/",
        "tile/data/000",
        "tile/0/x018/x446/x744/x073/x709/x551/616",
        "/tile/0/000",
        "tile/0/-01",
        "tile/+1/000",
        "checkpoint",
    ] {
        assert_eq!(TilePath::parse(bad), None, "{bad}");
    }
}

/// The spec's example: a tree of 70,000 leaves has 273 full level-0 tiles,
/// a partial one of 112, one full level-1 tile, a partial one of 17, and a
/// partial level-2 tile of 1. A tree of 256: one full level-0 tile and a
/// partial level-1 tile of width 1.
#[test]
fn the_tiles_of_a_tree() {
    let t = TilePath::new_for(0, 70_000);
    let full0 = t
        .iter()
        .filter(|p| {
            matches!(
                p,
                TilePath::Hashes {
                    level: 0,
                    width: None,
                    ..
                }
            )
        })
        .count();
    assert_eq!(full0, 273);
    assert!(t.contains(&TilePath::Hashes {
        level: 0,
        index: 273,
        width: Some(112)
    }));
    assert!(t.contains(&TilePath::Hashes {
        level: 1,
        index: 0,
        width: None
    }));
    assert!(t.contains(&TilePath::Hashes {
        level: 1,
        index: 1,
        width: Some(17)
    }));
    assert!(t.contains(&TilePath::Hashes {
        level: 2,
        index: 0,
        width: Some(1)
    }));
    assert_eq!(t.len(), 273 + 4);
    assert_eq!(
        TilePath::new_for(0, 256),
        vec![
            TilePath::Hashes {
                level: 0,
                index: 0,
                width: None
            },
            TilePath::Hashes {
                level: 1,
                index: 0,
                width: Some(1)
            }
        ]
    );
    let t = TilePath::Hashes {
        level: 1,
        index: 1,
        width: Some(17),
    };
    assert_eq!(t.leaves_needed(), Some((256 + 17) * 256));
    assert_eq!(
        TilePath::Hashes {
            level: 63,
            index: 1,
            width: None
        }
        .leaves_needed(),
        None
    );
}

#[test]
fn bundles_and_proof_text() {
    let e: Vec<[u8; 32]> = (0..3u8).map(|i| [i; 32]).collect();
    let b = bundle_bytes(e.iter().map(|x| &x[..]));
    assert_eq!(b.len(), 3 * 34);
    assert_eq!(&b[..2], &[0x00, 0x20]);
    assert_eq!(
        parse_bundle(&b).unwrap(),
        e.iter().map(|x| &x[..]).collect::<Vec<_>>()
    );
    assert!(parse_bundle(&b[..b.len() - 1]).is_none());
    let p = vec![[1u8; 32], [2u8; 32]];
    let t = proof_text(&p);
    assert_eq!(t.lines().count(), 2);
    assert_eq!(parse_proof_text(&t).unwrap(), p);
    assert!(parse_proof_text("AQ==\n").is_err());
}

fn check_size(n: u64, old: u64, index: u64) -> Result<(), TestCaseError> {
    let l = leaves(n);
    let tree = Tree::from_leaf_hashes(l.clone());
    let (roots, map) = view_parts(&l);
    let v = ChunkView {
        size: n,
        roots: &roots,
        leaves: &map,
    };
    let root = v.root().unwrap();
    prop_assert_eq!(root, tree.root(n));
    let old = old % (n + 1);
    let p = v.consistency_proof(old).unwrap();
    if old > 0 {
        prop_assert_eq!(&p, &tree.consistency_proof(old, n).unwrap());
    } else {
        prop_assert!(p.is_empty());
    }
    prop_assert!(verify_consistency(old, n, &tree.root(old), &root, &p));
    if n > 0 {
        let i = index % n;
        let ip = v.inclusion_proof(i).unwrap();
        prop_assert_eq!(&ip, &tree.inclusion_proof(i, n).unwrap());
        prop_assert!(verify_inclusion(i, n, &l[i as usize], &ip, &root));
    }
    // Only the chunks a proof touches are needed: with just the leaves of
    // the chunks holding `old − 1` … and the last one, an unloaded chunk
    // is named instead of a wrong answer.
    let empty = HashMap::new();
    let bare = ChunkView {
        size: n,
        roots: &roots,
        leaves: &empty,
    };
    if let Err(NeedChunk(c)) = bare.consistency_proof(old) {
        prop_assert!(c <= n / TILE_WIDTH);
    }
    // Every tile of the tree, rebuilt by a client from the tiles alone,
    // gives the same root.
    let mut level_hashes: Vec<Vec<Hash>> = Vec::new();
    for t in TilePath::new_for(0, n) {
        let hashes = v.tile_hashes(&t).unwrap().unwrap();
        let TilePath::Hashes { level, index, .. } = t else {
            unreachable!()
        };
        let level = level as usize;
        if level_hashes.len() <= level {
            level_hashes.resize(level + 1, Vec::new());
        }
        prop_assert_eq!(level_hashes[level].len() as u64, index * TILE_WIDTH);
        level_hashes[level].extend(hashes);
    }
    // Level-0 tiles are the leaves; each higher hash is a full tile's root.
    if let Some(l0) = level_hashes.first() {
        prop_assert_eq!(l0, &l);
    }
    for lv in 1..level_hashes.len() {
        for (i, h) in level_hashes[lv].iter().enumerate() {
            let below = &level_hashes[lv - 1][i * 256..(i + 1) * 256];
            prop_assert_eq!(*h, mth(below));
        }
    }
    Ok(())
}

#[test]
fn proofs_over_chunks_match_the_tree_at_edges() {
    for n in [
        0, 1, 2, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 70000,
    ] {
        for old in [0, 1, 255, 256, 257, 1000, 65536, n] {
            check_size(n, old, old.wrapping_mul(7919)).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn proofs_and_tiles_over_chunks_match_the_tree(
        n in 0u64..3000, old in any::<u64>(), index in any::<u64>()
    ) {
        check_size(n, old, index)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]
    #[test]
    fn large_trees_too(n in 65_000u64..140_000, old in any::<u64>(), index in any::<u64>()) {
        check_size(n, old, index)?;
    }
}
