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

/// The roots of the log's complete chunks, in memory; shared by the tile
/// server, the witness client and proof commands. Cheap to keep: 32 bytes per
/// 256 events. Filled from the `events` table on demand.
#[derive(Default)]
pub struct TreeCache {
    roots: RwLock<Vec<Hash>>,
}

/// A tile or bundle ready to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileData {
    pub bytes: Vec<u8>,
    /// Full tiles and bundles: cache forever. Partial ones: a short time.
    pub immutable: bool,
    pub content_type: &'static str,
}

/// Leaf hashes and event hashes of positions `first + 1 ..= first + count`.
async fn event_hashes(
    ledger: &Ledger,
    first: u64,
    count: u64,
) -> Result<Vec<[u8; 32]>, ProofError> {
    let rows = crate::log::hashes_after(ledger, first as i64, count as i64).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, (position, hash)) in rows.into_iter().enumerate() {
        let expected = first as i64 + i as i64 + 1;
        if position != expected {
            return Err(CheckpointError::Gap {
                expected,
                found: position,
            }
            .into());
        }
        out.push(
            hash.try_into()
                .map_err(|_| ProofError::BadEntry(position))?,
        );
    }
    if (out.len() as u64) < count {
        return Err(ProofError::BeyondLog {
            want: first + count,
            have: first + out.len() as u64,
        });
    }
    Ok(out)
}

impl TreeCache {
    pub fn new() -> TreeCache {
        TreeCache::default()
    }

    /// Complete chunks known.
    pub async fn chunks(&self) -> u64 {
        self.roots.read().await.len() as u64
    }

    /// Reads the events after the known chunks until the roots cover `size`
    /// leaves' complete chunks (all committed ones when `size` is `None`).
    pub async fn sync(&self, ledger: &Ledger, size: Option<u64>) -> Result<(), ProofError> {
        const CHUNKS_PER_PAGE: u64 = 200;
        loop {
            let have = self.chunks().await;
            if size.is_some_and(|s| have >= s / TILE_WIDTH) {
                return Ok(());
            }
            let want = size.map_or(CHUNKS_PER_PAGE, |s| {
                (s / TILE_WIDTH - have).min(CHUNKS_PER_PAGE)
            });
            let rows = crate::log::hashes_after(
                ledger,
                (have * TILE_WIDTH) as i64,
                (want * TILE_WIDTH) as i64,
            )
            .await?;
            let mut new_roots = Vec::new();
            for (c, chunk) in rows.chunks(TILE_WIDTH as usize).enumerate() {
                if chunk.len() < TILE_WIDTH as usize {
                    break;
                }
                let mut leaves = Vec::with_capacity(chunk.len());
                for (i, (position, hash)) in chunk.iter().enumerate() {
                    let expected = ((have + c as u64) * TILE_WIDTH + i as u64 + 1) as i64;
                    if *position != expected {
                        return Err(CheckpointError::Gap {
                            expected,
                            found: *position,
                        }
                        .into());
                    }
                    leaves.push(leaf_hash(hash));
                }
                new_roots.push(mth(&leaves));
            }
            let got = new_roots.len() as u64;
            {
                let mut roots = self.roots.write().await;
                // Another task may have extended it meanwhile.
                if roots.len() as u64 == have {
                    roots.extend(new_roots);
                }
            }
            if got < want {
                return match size {
                    Some(s) if have + got < s / TILE_WIDTH => Err(ProofError::BeyondLog {
                        want: s,
                        have: (have + got) * TILE_WIDTH,
                    }),
                    _ => Ok(()),
                };
            }
        }
    }

    /// Runs `f` over a view of the first `size` leaves, loading chunks of
    /// leaves from the ledger as it asks for them.
    async fn with_view<T>(
        &self,
        ledger: &Ledger,
        size: u64,
        f: impl Fn(&ChunkView<'_>) -> Result<T, NeedChunk>,
    ) -> Result<T, ProofError> {
        self.sync(ledger, Some(size)).await?;
        let mut leaves: HashMap<u64, Vec<Hash>> = HashMap::new();
        loop {
            let result = {
                let roots = self.roots.read().await;
                let full = (size / TILE_WIDTH) as usize;
                let view = ChunkView {
                    size,
                    roots: &roots[..full],
                    leaves: &leaves,
                };
                f(&view)
            };
            match result {
                Ok(t) => return Ok(t),
                Err(NeedChunk(c)) => {
                    if leaves.contains_key(&c) {
                        // Cannot happen: a loaded chunk answers every range in it.
                        return Err(ProofError::BeyondLog {
                            want: size,
                            have: c * TILE_WIDTH,
                        });
                    }
                    let first = c * TILE_WIDTH;
                    let count = TILE_WIDTH.min(size - first);
                    let hashes = event_hashes(ledger, first, count).await?;
                    leaves.insert(c, hashes.iter().map(|h| leaf_hash(h)).collect());
                }
            }
        }
    }

    /// The root of the tree of the first `size` events.
    pub async fn root(&self, ledger: &Ledger, size: u64) -> Result<Hash, ProofError> {
        self.with_view(ledger, size, |v| v.root()).await
    }

    /// RFC 9162 consistency proof between sizes `old` and `new` of the log
    /// (empty for `old` = 0 or `old` = `new`).
    pub async fn consistency_proof(
        &self,
        ledger: &Ledger,
        old: u64,
        new: u64,
    ) -> Result<Vec<Hash>, ProofError> {
        if old > new {
            return Err(ProofError::Sizes { old, new });
        }
        self.with_view(ledger, new, |v| v.consistency_proof(old))
            .await
    }

    /// RFC 9162 inclusion proof of the event at `position` (leaf
    /// `position − 1`) in the tree of `size` events.
    pub async fn inclusion_proof(
        &self,
        ledger: &Ledger,
        position: u64,
        size: u64,
    ) -> Result<Vec<Hash>, ProofError> {
        if position == 0 || position > size {
            return Err(ProofError::Sizes {
                old: position,
                new: size,
            });
        }
        self.with_view(ledger, size, |v| v.inclusion_proof(position - 1))
            .await
    }

    /// The bytes of a tile or entry bundle for a log whose latest checkpoint
    /// has `checkpoint_size` leaves; `None` (404) when that checkpoint does not
    /// cover it.
    pub async fn tile(
        &self,
        ledger: &Ledger,
        tile: &TilePath,
        checkpoint_size: u64,
    ) -> Result<Option<TileData>, ProofError> {
        let Some(end) = tile.leaves_needed().filter(|e| *e <= checkpoint_size) else {
            return Ok(None);
        };
        let immutable = tile.is_full();
        let content_type = "application/octet-stream";
        let bytes = match *tile {
            TilePath::Entries { index, .. } => {
                let hashes = event_hashes(ledger, index * TILE_WIDTH, tile.width()).await?;
                bundle_bytes(hashes.iter().map(|h| &h[..]))
            }
            TilePath::Hashes {
                level: 0, index, ..
            } => {
                let hashes = event_hashes(ledger, index * TILE_WIDTH, tile.width()).await?;
                hashes
                    .iter()
                    .map(|h| leaf_hash(h))
                    .collect::<Vec<_>>()
                    .concat()
            }
            TilePath::Hashes { .. } => {
                let t = *tile;
                let hashes = self
                    .with_view(ledger, end, move |v| v.tile_hashes(&t).transpose())
                    .await?;
                match hashes {
                    Some(h) => tile_bytes(&h),
                    None => return Ok(None),
                }
            }
        };
        Ok(Some(TileData {
            bytes,
            immutable,
            content_type,
        }))
    }

    /// `tile` of a path string relative to the prefix (`tile/1/000.p/3`);
    /// `None` for a path that is not a tile or is not covered.
    pub async fn tile_at(
        &self,
        ledger: &Ledger,
        path: &str,
        checkpoint_size: u64,
    ) -> Result<Option<TileData>, ProofError> {
        match TilePath::parse(path) {
            Some(t) => self.tile(ledger, &t, checkpoint_size).await,
            None => Ok(None),
        }
    }
}

/// One resource of the log's read API (c2sp.org/tlog-tiles) under its prefix:
/// `checkpoint` (the newest checkpoint's note with its stored cosignatures,
/// `text/plain; charset=utf-8`, mutable) or a tile or entry bundle covered by
/// that checkpoint. `None`: 404.
pub async fn resource(
    ledger: &Ledger,
    cache: &TreeCache,
    path: &str,
) -> Result<Option<TileData>, ProofError> {
    let Some(latest) = crate::checkpoint::latest(ledger).await? else {
        return Ok(None);
    };
    if path == "checkpoint" {
        let note = crate::cosignature::cosigned_note(ledger, &latest).await?;
        return Ok(Some(TileData {
            bytes: note.into_bytes(),
            immutable: false,
            content_type: "text/plain; charset=utf-8",
        }));
    }
    cache.tile_at(ledger, path, latest.tree_size).await
}

#[cfg(test)]
mod tests {
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
}
