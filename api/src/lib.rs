//! hoso's two faces over HTTP, one service behind them: the JSON API under
//! `/api/v1` (`http`) and the Vietnamese web pages at `/` (`web`), started
//! together by `server::start` (the one start-up path of `hoso serve` and of
//! every test). Labels for people (`labels`) are shared with the command line.
//!
//! Architecture invariant: this crate knows HTTP, JSON shapes and HTML; it
//! holds no rule and no SQL. Every handler and page parses its input, calls
//! one `hoso_service` function with the signed-in officer and renders the
//! answer.

pub mod forms;
pub mod headers;
pub mod http;
pub mod labels;
pub mod log;
pub mod messages;
pub mod server;
pub mod tls;
pub mod web;
pub mod xlsx;
