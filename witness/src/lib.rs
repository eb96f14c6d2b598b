//! hoso's witness (c2sp.org/tlog-witness) and the log's witness client.
//!
//! - `server`: the witness — `POST <prefix>/add-checkpoint`, its answers
//!   (404/403/400/409/422/200) and its durable, never rolled back state.
//! - `state`: the witness's key, state and evidence files.
//! - `client`: the log's side — `submit` a checkpoint with its consistency
//!   proof, verify and store the cosignatures, and `spawn_witnessing`, the
//!   background loop with per-witness status for /health and the integrity
//!   page.
//! - `cli`: clap types for `hoso witness init|add-log|serve`, `--witness`
//!   for `hoso serve` and `hoso verify`, and `run`.
//!
//! Formats byte for byte in docs/transparency.md.

pub mod cli;
pub mod client;
pub mod server;
pub mod state;

pub use cli::{run, VerifyWitnessArgs, WitnessArgs, WitnessClientArgs, WitnessCommand};
pub use client::{
    spawn_witnessing, submit, StatusHandle, SubmitError, WitnessEndpoint, WitnessStatus,
    Witnessing, WitnessingConfig,
};
pub use server::{router, AddCheckpoint, Answer, Witness};
