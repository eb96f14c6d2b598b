//! The `hoso` program: command line, HTTP service, sample data and benchmarks.
//!
//! Architecture invariant: this is the edge. Only this crate knows HTTP, the
//! command line and the wall clock; it turns them into domain commands with the
//! actor and time as values, and hands them to cqrs-es over the ledger.

pub mod app;
pub mod bench;
pub mod bench_log;
pub mod bench_projections;
pub mod demo;
pub mod export;
pub mod forms;
pub mod http;
pub mod labels;
pub mod log_cli;
pub mod messages;
pub mod report;
pub mod server;
pub mod signing;
pub mod web;
pub mod xlsx;
