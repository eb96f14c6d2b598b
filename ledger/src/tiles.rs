//! The Merkle log as c2sp.org/tlog-tiles resources, and RFC 9162 proofs
//! computed from stored state without holding the log in memory.
//!
//! Leaf `i` of the log is the event at position `i + 1`; its leaf hash is
//! `SHA-256(0x00 ‖ event hash)` (`crate::merkle`). The tree is cut into runs of
//! 256 leaves ("chunks"). [`TreeCache`] keeps the root of every complete chunk
//! in memory (32 bytes per 256 events, filled by reading each event hash
//! once) and reads at most a chunk of leaf hashes from the `events` table when
//! a proof or tile needs hashes below that level. Every node of the tree at
//! height ≥ 8 is a Merkle tree hash over consecutive chunk roots (the RFC 9162
//! split of `256·m` leaves is 256 × the split of `m` chunks), so no subtree
//! ever needs more than one chunk of leaves.
//!
//! Tiles (every byte in `docs/transparency.md`):
//! - `tile/<L>/<N>[.p/<W>]`: hash `i` of tile `N` at level `L` is
//!   `MTH(D[(N·256 + i)·256^L : (N·256 + i + 1)·256^L])`; 256 hashes (8,192
//!   bytes) when full, `W` (1–255) when partial.
//! - `tile/entries/<N>[.p/<W>]`: the entries of leaves `N·256 …`, each the
//!   32-byte event hash with its big-endian u16 length `00 20` before it.
//!
//! `N` is written in zero-padded three-digit path elements, all but the last
//! prefixed with `x` (1234067 → `x001/x234/067`).

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use thiserror::Error;
use tokio::sync::RwLock;

use crate::checkpoint::CheckpointError;
use crate::merkle::{empty_root, leaf_hash, node_hash, Hash};
use crate::store::Ledger;

/// Hashes per full tile, and leaves per chunk.
pub const TILE_WIDTH: u64 = 256;
/// Highest tile level in a path.
pub const MAX_LEVEL: u8 = 63;
/// Most consistency proof lines a witness accepts (c2sp.org/tlog-witness).
pub const MAX_PROOF_LINES: usize = 63;

#[derive(Debug, Error)]
pub enum ProofError {
    #[error(transparent)]
    Log(#[from] CheckpointError),
    #[error("sizes {old} and {new} do not make a proof (need old ≤ new)")]
    Sizes { old: u64, new: u64 },
    #[error("the log has {have} events, fewer than the {want} asked for")]
    BeyondLog { want: u64, have: u64 },
    #[error("event hash at position {0} is not 32 bytes")]
    BadEntry(i64),
    #[error("a proof line is not a base64 32-byte hash: {0:?}")]
    ProofLine(String),
}

// ---------------------------------------------------------------------------
// Tile paths

/// A tile or entry bundle resource under the log's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TilePath {
    /// `tile/<level>/<index>[.p/<width>]`
    Hashes {
        level: u8,
        index: u64,
        /// `None`: a full tile; `Some(w)`: a partial tile of `w` (1–255) hashes.
        width: Option<u8>,
    },
    /// `tile/entries/<index>[.p/<width>]`
    Entries { index: u64, width: Option<u8> },
}

/// `N` as path elements: 1234067 → `x001/x234/067`.
pub fn encode_index(mut n: u64) -> String {
    let mut parts = vec![format!("{:03}", n % 1000)];
    while n >= 1000 {
        n /= 1000;
        parts.push(format!("x{:03}", n % 1000));
    }
    parts.reverse();
    parts.join("/")
}

fn decimal_without_leading_zeros(s: &str) -> Option<u64> {
    let ok =
        s == "0" || (!s.is_empty() && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| s.parse().ok()).flatten()
}

impl TilePath {
    /// Parses a path relative to the prefix (`tile/0/x001/234.p/5`); `None`
    /// for anything that is not exactly the form `to_path` writes.
    pub fn parse(path: &str) -> Option<TilePath> {
        let rest = path.strip_prefix("tile/")?;
        let (kind, rest) = rest.split_once('/')?;
        let (index_part, width) = match rest.rsplit_once(".p/") {
            Some((i, w)) => {
                let w = decimal_without_leading_zeros(w)?;
                if !(1..TILE_WIDTH).contains(&w) {
                    return None;
                }
                (i, Some(w as u8))
            }
            None => (rest, None),
        };
        let elements: Vec<&str> = index_part.split('/').collect();
        let mut index: u64 = 0;
        for (i, e) in elements.iter().enumerate() {
            let digits = if i + 1 < elements.len() {
                e.strip_prefix('x')?
            } else {
                e
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            index = index
                .checked_mul(1000)?
                .checked_add(digits.parse::<u64>().ok()?)?;
        }
        let tile = if kind == "entries" {
            TilePath::Entries { index, width }
        } else {
            let level = decimal_without_leading_zeros(kind)?;
            if level > u64::from(MAX_LEVEL) {
                return None;
            }
            TilePath::Hashes {
                level: level as u8,
                index,
                width,
            }
        };
        // Only the canonical spelling (no `x000/` in front, and so on).
        (tile.to_path() == path).then_some(tile)
    }

    /// The path relative to the prefix.
    pub fn to_path(&self) -> String {
        let (head, index, width) = match *self {
            TilePath::Hashes {
                level,
                index,
                width,
            } => (level.to_string(), index, width),
            TilePath::Entries { index, width } => ("entries".to_string(), index, width),
        };
        let mut p = format!("tile/{head}/{}", encode_index(index));
        if let Some(w) = width {
            p.push_str(&format!(".p/{w}"));
        }
        p
    }

    /// Full tiles and bundles never change.
    pub fn is_full(&self) -> bool {
        match self {
            TilePath::Hashes { width, .. } | TilePath::Entries { width, .. } => width.is_none(),
        }
    }

    /// Hashes (or entries) in it.
    pub fn width(&self) -> u64 {
        match self {
            TilePath::Hashes { width, .. } | TilePath::Entries { width, .. } => {
                width.map_or(TILE_WIDTH, u64::from)
            }
        }
    }

    /// The tree size it needs: the end of the leaves its hashes cover
    /// (`None` if beyond any u64 size).
    pub fn leaves_needed(&self) -> Option<u64> {
        let (level, index) = match *self {
            TilePath::Hashes { level, index, .. } => (u32::from(level), index),
            TilePath::Entries { index, .. } => (0, index),
        };
        let span = TILE_WIDTH.checked_pow(level)?;
        index
            .checked_mul(TILE_WIDTH)?
            .checked_add(self.width())?
            .checked_mul(span)
    }

    /// The partial tiles and bundles that a tree of `size` needs, and the full
    /// ones completed since `old`: the resources a mirror fetches after a new
    /// checkpoint.
    pub fn new_for(old: u64, size: u64) -> Vec<TilePath> {
        let mut out = Vec::new();
        let mut level = 0u32;
        while level <= u32::from(MAX_LEVEL) {
            let Some(span) = TILE_WIDTH.checked_pow(level) else {
                break;
            };
            let (o, n) = (old / span, size / span);
            if n == 0 {
                break;
            }
            for index in (o / TILE_WIDTH)..(n / TILE_WIDTH) {
                out.push(TilePath::Hashes {
                    level: level as u8,
                    index,
                    width: None,
                });
            }
            let w = n % TILE_WIDTH;
            if w > 0 && o != n {
                out.push(TilePath::Hashes {
                    level: level as u8,
                    index: n / TILE_WIDTH,
                    width: Some(w as u8),
                });
            }
            level += 1;
        }
        out
    }
}

// ---------------------------------------------------------------------------
// The pure core: a tree of `size` leaves seen through its chunk roots and
// whatever chunks of leaves have been loaded.

/// What a computation needs before it can finish: the leaves of this chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeedChunk(pub u64);

/// A tree of `size` leaves: the roots of its complete chunks and the leaf
/// hashes of some chunks (the last, partial chunk holds fewer than 256).
#[derive(Debug, Clone, Copy)]
pub struct ChunkView<'a> {
    pub size: u64,
    /// Roots of chunks `0 .. size / 256` (at least).
    pub roots: &'a [Hash],
    pub leaves: &'a HashMap<u64, Vec<Hash>>,
}

/// Largest power of two strictly below `n` (n ≥ 2).
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// MTH over a run of hashes taken as leaves of their own tree.
fn mth(hashes: &[Hash]) -> Hash {
    match hashes.len() {
        0 => empty_root(),
        1 => hashes[0],
        n => {
            let k = split(n as u64) as usize;
            node_hash(&mth(&hashes[..k]), &mth(&hashes[k..]))
        }
    }
}

impl ChunkView<'_> {
    /// MTH(D[start:end]), `start ≤ end ≤ size`.
    pub fn range(&self, start: u64, end: u64) -> Result<Hash, NeedChunk> {
        let n = end - start;
        if n == 0 {
            return Ok(empty_root());
        }
        if start.is_multiple_of(TILE_WIDTH) && end.is_multiple_of(TILE_WIDTH) {
            let (a, b) = ((start / TILE_WIDTH) as usize, (end / TILE_WIDTH) as usize);
            if b <= self.roots.len() {
                return Ok(mth(&self.roots[a..b]));
            }
        }
        let chunk = start / TILE_WIDTH;
        if chunk == (end - 1) / TILE_WIDTH {
            let leaves = self.leaves.get(&chunk).ok_or(NeedChunk(chunk))?;
            let base = chunk * TILE_WIDTH;
            let (a, b) = ((start - base) as usize, (end - base) as usize);
            return leaves.get(a..b).map(mth).ok_or(NeedChunk(chunk));
        }
        let k = split(n);
        Ok(node_hash(
            &self.range(start, start + k)?,
            &self.range(start + k, end)?,
        ))
    }

    pub fn root(&self) -> Result<Hash, NeedChunk> {
        self.range(0, self.size)
    }

    /// RFC 9162 §2.1.4.1: the consistency proof from `old` to `self.size`
    /// (empty when `old` is 0 or equal to the size).
    pub fn consistency_proof(&self, old: u64) -> Result<Vec<Hash>, NeedChunk> {
        let mut proof = Vec::new();
        if old == 0 || old >= self.size {
            return Ok(proof);
        }
        self.subproof(old, 0, self.size, true, &mut proof)?;
        Ok(proof)
    }

    fn subproof(
        &self,
        m: u64,
        start: u64,
        end: u64,
        whole: bool,
        out: &mut Vec<Hash>,
    ) -> Result<(), NeedChunk> {
        let n = end - start;
        if m == n {
            if !whole {
                out.push(self.range(start, end)?);
            }
            return Ok(());
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, start, start + k, whole, out)?;
            out.push(self.range(start + k, end)?);
        } else {
            self.subproof(m - k, start + k, end, false, out)?;
            out.push(self.range(start, start + k)?);
        }
        Ok(())
    }

    /// RFC 9162 §2.1.3.1: the inclusion proof of leaf `index` (< size).
    pub fn inclusion_proof(&self, index: u64) -> Result<Vec<Hash>, NeedChunk> {
        let mut proof = Vec::new();
        let (mut start, mut end) = (0, self.size);
        let mut siblings = Vec::new();
        while end - start > 1 {
            let k = split(end - start);
            if index < start + k {
                siblings.push((start + k, end));
                end = start + k;
            } else {
                siblings.push((start, start + k));
                start += k;
            }
        }
        for (a, b) in siblings.into_iter().rev() {
            proof.push(self.range(a, b)?);
        }
        Ok(proof)
    }

    /// The hashes of a tile (level ≥ 0) or, for entries, the leaf hashes
    /// under the bundle. `None` when the tree is too small for it.
    pub fn tile_hashes(&self, tile: &TilePath) -> Option<Result<Vec<Hash>, NeedChunk>> {
        if tile.leaves_needed()? > self.size {
            return None;
        }
        let (level, index) = match *tile {
            TilePath::Hashes { level, index, .. } => (u32::from(level), index),
            TilePath::Entries { index, .. } => (0, index),
        };
        let span = TILE_WIDTH.pow(level);
        let first = index * TILE_WIDTH;
        Some(
            (0..tile.width())
                .map(|i| self.range((first + i) * span, (first + i + 1) * span))
                .collect(),
        )
    }
}

/// The bytes of a hash tile: its hashes concatenated.
pub fn tile_bytes(hashes: &[Hash]) -> Vec<u8> {
    hashes.concat()
}

/// The bytes of an entry bundle: each entry with its big-endian u16 length.
pub fn bundle_bytes<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        out.extend_from_slice(&(e.len() as u16).to_be_bytes());
        out.extend_from_slice(e);
    }
    out
}

/// Splits an entry bundle back into entries; `None` if it is cut short.
pub fn parse_bundle(mut bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = u16::from_be_bytes([*bytes.first()?, *bytes.get(1)?]) as usize;
        let e = bytes.get(2..2 + len)?;
        out.push(e);
        bytes = &bytes[2 + len..];
    }
    Some(out)
}

/// A proof as text for a CLI: one base64 hash per line.
pub fn proof_text(proof: &[Hash]) -> String {
    proof
        .iter()
        .map(|h| format!("{}\n", B64.encode(h)))
        .collect()
}

/// Reads `proof_text` back (blank lines and surrounding spaces are ignored).
pub fn parse_proof_text(text: &str) -> Result<Vec<Hash>, ProofError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            B64.decode(l)
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| ProofError::ProofLine(l.chars().take(60).collect()))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// From the ledger

mod cache;
pub use cache::{resource, TileData, TreeCache};

#[cfg(test)]
mod tests;
