//! The Merkle tree of RFC 9162 section 2.1 over the event hashes in global
//! order, with inclusion and consistency proofs and their verification.
//!
//! `leaf = SHA-256(0x00 ‖ event hash)`, `node = SHA-256(0x01 ‖ left ‖ right)`;
//! a tree of n > 1 leaves splits at the largest power of two below n; the empty
//! tree hashes to SHA-256(""). Leaf index = event position − 1.
//! Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by step.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// SHA-256 of the empty string: the root of the empty tree.
pub fn empty_root() -> Hash {
    Sha256::digest(b"").into()
}

/// `SHA-256(0x00 ‖ data)`: the leaf hash of one entry (for hoso, the event hash).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Largest power of two strictly below `n` (n ≥ 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// Every level of a tree held in memory: `levels[0]` are the leaf hashes,
/// `levels[k][i]` the root of the perfect subtree of leaves `i·2^k … (i+1)·2^k − 1`.
/// About 64 bytes per leaf; proofs cost O(log² n) hash operations at most.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    /// A tree over leaf hashes (already `leaf_hash`ed).
    pub fn from_leaf_hashes(leaves: Vec<Hash>) -> Tree {
        let mut levels = vec![leaves];
        while let Some(last) = levels.last() {
            if last.len() < 2 {
                break;
            }
            let next: Vec<Hash> = last
                .chunks_exact(2)
                .map(|p| node_hash(&p[0], &p[1]))
                .collect();
            levels.push(next);
        }
        Tree { levels }
    }

    /// A tree over entries (event hashes): each is leaf-hashed first.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Tree {
        Tree::from_leaf_hashes(entries.into_iter().map(leaf_hash).collect())
    }

    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// MTH of leaves `start .. end` (end ≤ size).
    fn range(&self, start: u64, end: u64) -> Hash {
        let n = end - start;
        if n == 0 {
            return empty_root();
        }
        if n.is_power_of_two() && start.is_multiple_of(n) {
            let level = n.trailing_zeros() as usize;
            if let Some(h) = self
                .levels
                .get(level)
                .and_then(|l| l.get((start / n) as usize))
            {
                return *h;
            }
        }
        if n == 1 {
            return empty_root(); // unreachable: level 0 holds every leaf
        }
        let k = split(n);
        node_hash(&self.range(start, start + k), &self.range(start + k, end))
    }

    /// Root of the first `size` leaves (`size` ≤ `self.size()`).
    pub fn root(&self, size: u64) -> Hash {
        self.range(0, size.min(self.size()))
    }

    /// RFC 9162 §2.1.3.1: the inclusion proof of leaf `index` in the tree of the
    /// first `size` leaves; `None` when `index ≥ size` or `size > self.size()`.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Option<Vec<Hash>> {
        if index >= size || size > self.size() {
            return None;
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof);
        Some(proof)
    }

    fn path(&self, m: u64, start: u64, end: u64, out: &mut Vec<Hash>) {
        let n = end - start;
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            self.path(m, start, start + k, out);
            out.push(self.range(start + k, end));
        } else {
            self.path(m - k, start + k, end, out);
            out.push(self.range(start, start + k));
        }
    }

    /// RFC 9162 §2.1.4.1: the consistency proof from the tree of the first `old`
    /// leaves to that of the first `new`; `None` unless `0 < old ≤ new ≤ size`.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Option<Vec<Hash>> {
        if old == 0 || old > new || new > self.size() {
            return None;
        }
        let mut proof = Vec::new();
        self.subproof(old, 0, new, true, &mut proof);
        Some(proof)
    }

    fn subproof(&self, m: u64, start: u64, end: u64, whole: bool, out: &mut Vec<Hash>) {
        let n = end - start;
        if m == n {
            if !whole {
                out.push(self.range(start, end));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, start, start + k, whole, out);
            out.push(self.range(start + k, end));
        } else {
            self.subproof(m - k, start + k, end, false, out);
            out.push(self.range(start, start + k));
        }
    }
}

/// RFC 9162 §2.1.3.2: does `proof` show the entry with leaf hash `leaf` at
/// `index` in the tree of `size` leaves whose root is `root`?
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && r == *root
}

/// RFC 9162 §2.1.4.2: does `proof` show that the tree of `size1` leaves with
/// root `root1` is a prefix of the tree of `size2` leaves with root `root2`?
/// Equal sizes need an empty proof and equal roots.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    proof: &[Hash],
) -> bool {
    if size1 > size2 {
        return false;
    }
    if size1 == size2 {
        return proof.is_empty() && root1 == root2;
    }
    if size1 == 0 {
        // Every tree extends the empty tree; RFC 9162 gives no proof for it.
        return proof.is_empty();
    }
    let mut path: Vec<Hash> = proof.to_vec();
    if size1.is_power_of_two() {
        path.insert(0, *root1);
    }
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut fn_, mut sn) = (size1 - 1, size2 - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    fr == *root1 && sr == *root2 && sn == 0
}

/// The roots of the perfect subtrees that make up a tree of `size` leaves, left
/// to right (one per set bit of `size`): all that is needed to append leaves and
/// to compute the root. O(log n) memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompactRange {
    size: u64,
    hashes: Vec<Hash>,
}

impl CompactRange {
    /// From stored state: `hashes` must hold one hash per set bit of `size`.
    pub fn from_parts(size: u64, hashes: Vec<Hash>) -> Option<CompactRange> {
        (hashes.len() == size.count_ones() as usize).then_some(CompactRange { size, hashes })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// Appends one leaf hash (already `leaf_hash`ed).
    pub fn push(&mut self, leaf: Hash) {
        let mut h = leaf;
        let mut s = self.size;
        while s & 1 == 1 {
            let left = self.hashes.pop().unwrap_or(h);
            h = node_hash(&left, &h);
            s >>= 1;
        }
        self.hashes.push(h);
        self.size += 1;
    }

    /// The root of the tree so far.
    pub fn root(&self) -> Hash {
        let mut it = self.hashes.iter().rev();
        let Some(mut acc) = it.next().copied() else {
            return empty_root();
        };
        for h in it {
            acc = node_hash(h, &acc);
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entries(n: u64) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("entry {i}").into_bytes()).collect()
    }

    fn tree(n: u64) -> Tree {
        let e = entries(n);
        Tree::from_entries(e.iter().map(|v| v.as_slice()))
    }

    /// The definition of RFC 9162 §2.1.1, directly and slowly.
    fn mth(leaves: &[Vec<u8>]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaf_hash(&leaves[0]),
            n => {
                let k = split(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    /// Known-answer vectors: the RFC 6962 / 9162 reference tree of 8 leaves used
    /// by transparency-dev/merkle and certificate-transparency-go (leaves are raw
    /// bytes, roots for every prefix size).
    fn reference_leaves() -> Vec<Vec<u8>> {
        [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
        .iter()
        .map(|h| hex::decode(h).unwrap())
        .collect()
    }
    const REFERENCE_ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    #[test]
    fn known_answer_roots() {
        let leaves = reference_leaves();
        let t = Tree::from_entries(leaves.iter().map(|v| v.as_slice()));
        let mut c = CompactRange::default();
        for (i, l) in leaves.iter().enumerate() {
            c.push(leaf_hash(l));
            assert_eq!(
                hex::encode(t.root(i as u64 + 1)),
                REFERENCE_ROOTS[i],
                "size {}",
                i + 1
            );
            assert_eq!(hex::encode(c.root()), REFERENCE_ROOTS[i]);
        }
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn known_answer_proofs() {
        // transparency-dev/merkle testonly reference proofs over the tree above.
        let leaves = reference_leaves();
        let t = Tree::from_entries(leaves.iter().map(|v| v.as_slice()));
        let p = |v: &[&str]| {
            v.iter()
                .map(|h| hex::encode(hex::decode(h).unwrap()))
                .collect::<Vec<_>>()
        };
        let got = |v: Vec<Hash>| v.iter().map(hex::encode).collect::<Vec<_>>();
        assert_eq!(got(t.inclusion_proof(0, 1).unwrap()), p(&[]));
        assert_eq!(
            got(t.inclusion_proof(0, 8).unwrap()),
            p(&[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ])
        );
        assert_eq!(
            got(t.inclusion_proof(5, 8).unwrap()),
            p(&[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ])
        );
        assert_eq!(
            got(t.inclusion_proof(2, 3).unwrap()),
            p(&["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"])
        );
        assert_eq!(
            got(t.inclusion_proof(1, 5).unwrap()),
            p(&[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ])
        );
        assert_eq!(
            got(t.consistency_proof(1, 8).unwrap()),
            p(&[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ])
        );
        assert_eq!(
            got(t.consistency_proof(6, 8).unwrap()),
            p(&[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ])
        );
        assert_eq!(
            got(t.consistency_proof(2, 5).unwrap()),
            p(&[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
            ])
        );
    }

    #[test]
    fn edge_cases_of_verification() {
        let t = tree(7);
        let root = t.root(7);
        let leaf = leaf_hash(b"entry 3");
        let proof = t.inclusion_proof(3, 7).unwrap();
        assert!(verify_inclusion(3, 7, &leaf, &proof, &root));
        assert!(!verify_inclusion(3, 7, &leaf, &proof, &empty_root()));
        assert!(!verify_inclusion(7, 7, &leaf, &proof, &root));
        assert!(!verify_inclusion(3, 0, &leaf, &[], &root));
        // A leaf passed off as a node, and a node as a leaf.
        assert!(!verify_inclusion(
            0,
            1,
            &node_hash(&leaf, &leaf),
            &[],
            &leaf
        ));
        // Consistency: going backwards, empty proofs, swapped roots.
        let p = t.consistency_proof(3, 7).unwrap();
        let r3 = t.root(3);
        assert!(verify_consistency(3, 7, &r3, &root, &p));
        assert!(!verify_consistency(7, 3, &root, &r3, &p));
        assert!(!verify_consistency(3, 7, &root, &r3, &p));
        assert!(!verify_consistency(3, 7, &r3, &root, &[]));
        assert!(verify_consistency(7, 7, &root, &root, &[]));
        assert!(!verify_consistency(7, 7, &root, &r3, &[]));
        assert!(!verify_consistency(7, 7, &root, &root, &p));
        assert!(t.consistency_proof(0, 7).is_none());
        assert!(t.consistency_proof(8, 8).is_none());
    }

    fn flip(v: &[Hash], i: usize, bit: u8) -> Vec<Hash> {
        let mut v = v.to_vec();
        v[i][bit as usize % 32] ^= 1 << (bit % 8);
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn roots_match_the_definition(n in 0u64..70) {
            let e = entries(n);
            let t = Tree::from_entries(e.iter().map(|v| v.as_slice()));
            let mut c = CompactRange::default();
            for v in &e { c.push(leaf_hash(v)); }
            prop_assert_eq!(t.root(n), mth(&e));
            prop_assert_eq!(c.root(), mth(&e));
            prop_assert_eq!(CompactRange::from_parts(n, c.hashes().to_vec()), Some(c));
        }

        #[test]
        fn inclusion_proofs_verify_and_altered_ones_fail(
            n in 1u64..300, i in any::<u64>(), bit in any::<u8>(), pick in any::<usize>()
        ) {
            let t = tree(n);
            let i = i % n;
            let root = t.root(n);
            let leaf = leaf_hash(format!("entry {i}").as_bytes());
            let proof = t.inclusion_proof(i, n).unwrap();
            prop_assert!(verify_inclusion(i, n, &leaf, &proof, &root));
            // Wrong leaf, wrong index, wrong size, wrong root.
            prop_assert!(!verify_inclusion(i, n, &leaf_hash(b"other"), &proof, &root));
            prop_assert!(!verify_inclusion(i + 1, n, &leaf, &proof, &root));
            if i > 0 { prop_assert!(!verify_inclusion(i - 1, n, &leaf, &proof, &root)); }
            prop_assert!(!verify_inclusion(i, n * 2, &leaf, &proof, &root));
            if n / 2 > i && n / 2 != n { prop_assert!(!verify_inclusion(i, n / 2, &leaf, &proof, &root)); }
            prop_assert!(!verify_inclusion(i, n, &leaf, &proof, &empty_root()));
            // Garbage before or after, an element removed, each bit flipped.
            let mut longer = proof.clone(); longer.push([7; 32]);
            prop_assert!(!verify_inclusion(i, n, &leaf, &longer, &root));
            let mut before = vec![[7u8; 32]]; before.extend(proof.iter().copied());
            prop_assert!(!verify_inclusion(i, n, &leaf, &before, &root));
            if !proof.is_empty() {
                let k = pick % proof.len();
                prop_assert!(!verify_inclusion(i, n, &leaf, &flip(&proof, k, bit), &root));
                let mut shorter = proof.clone(); shorter.remove(k);
                prop_assert!(!verify_inclusion(i, n, &leaf, &shorter, &root));
            }
        }

        #[test]
        fn consistency_proofs_verify_and_altered_ones_fail(
            a in 1u64..300, b in 1u64..300, bit in any::<u8>(), pick in any::<usize>()
        ) {
            let (m, n) = (a.min(b), a.max(b));
            let t = tree(n);
            let (r1, r2) = (t.root(m), t.root(n));
            let proof = t.consistency_proof(m, n).unwrap();
            prop_assert!(verify_consistency(m, n, &r1, &r2, &proof));
            if m < n {
                prop_assert!(!verify_consistency(n, m, &r2, &r1, &proof));
                prop_assert!(!verify_consistency(m, n, &r2, &r1, &proof));
                prop_assert!(!verify_consistency(m + 1, n, &r1, &r2, &proof));
                prop_assert!(!verify_consistency(m, n * 2, &r1, &r2, &proof));
                if m > 1 { prop_assert!(!verify_consistency(m - 1, n, &r1, &r2, &proof)); }
                if n / 2 >= m { prop_assert!(!verify_consistency(m, n / 2, &r1, &r2, &proof)); }
                if m ^ 2 != m && (m ^ 2) <= n && (m ^ 2) > 0 { prop_assert!(!verify_consistency(m ^ 2, n, &r1, &r2, &proof)); }
                prop_assert!(!verify_consistency(m, n, &r1, &r2, &[]));
                let k = pick % proof.len();
                prop_assert!(!verify_consistency(m, n, &r1, &r2, &flip(&proof, k, bit)));
                let mut shorter = proof.clone(); shorter.pop();
                prop_assert!(!verify_consistency(m, n, &r1, &r2, &shorter));
                let mut longer = proof.clone(); longer.push([9; 32]);
                prop_assert!(!verify_consistency(m, n, &r1, &r2, &longer));
            }
        }
    }
}
