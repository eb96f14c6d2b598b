//! [`TreeCache`]: the roots of complete chunks in memory, and the tiles,
//! bundles and proofs computed from them and the `events` table.

use super::*;

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
