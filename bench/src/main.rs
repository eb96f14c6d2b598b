//! `hoso-bench`: hoso's benchmarks, each in a scratch database beside the one
//! named by `--database-url` (dropped afterwards). They print figures, never
//! pass or fail. `hoso bench …` runs this program.

mod append;
mod http;
mod log;
mod projections;
mod reads;
mod witness;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "hoso-bench",
    about = "hoso's benchmarks: figures, never pass/fail"
)]
struct Cli {
    /// postgres://… selects PostgreSQL; a file path or sqlite://… selects SQLite.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://hoso.db")]
    database_url: String,
    #[command(subcommand)]
    what: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Events/s for appends through cqrs-es, in a scratch database.
    Append {
        #[arg(long, default_value_t = 20_000)]
        events: usize,
        #[arg(long, value_delimiter = ',', default_values_t = [1, 8, 64])]
        concurrency: Vec<usize>,
        /// Skip the plain cqrs-es + postgres-es baseline (PostgreSQL only).
        #[arg(long)]
        no_baseline: bool,
    },
    /// Projection rebuild throughput over about `events` events, beside a plain
    /// cqrs-es replay of the same case events, in a scratch database.
    Rebuild {
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
        /// Skip the plain cqrs-es replay beside it.
        #[arg(long)]
        no_baseline: bool,
    },
    /// Delay from commit to visible in the case view (median, p99) under a
    /// steady write load, in a scratch database.
    Lag {
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Commands per second.
        #[arg(long, default_value_t = 200)]
        rate: u32,
    },
    /// Latency of the reads officers wait on, over HTTP one at a time (the
    /// access-log write included): a 200-event case as of a moment and now;
    /// a province's case list, overdue list, dashboard and statistics with
    /// `cases` cases; in a scratch database.
    Reads {
        #[arg(long, default_value_t = 100_000)]
        cases: usize,
        #[arg(long, default_value_t = 500)]
        requests: usize,
    },
    /// `hoso verify` throughput (chains + Merkle log + signature) beside sha256sum.
    Verify {
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
    },
    /// Export throughput: every event with its inclusion proof.
    Export {
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
    },
    /// Commands/s and p50/p99 latency over HTTP (127.0.0.1) in a scratch database.
    Http {
        #[arg(long, value_delimiter = ',', default_values_t = [8, 64])]
        clients: Vec<usize>,
        /// Most commands per run.
        #[arg(long, default_value_t = 5_000)]
        commands: usize,
        /// Longest run.
        #[arg(long, default_value_t = 30)]
        seconds: u64,
    },
    /// Delay from an acknowledged command to its event being in a checkpoint
    /// cosigned by both of two witnesses (median, p99), under a steady load
    /// over HTTP; then one witness down for `down` seconds and restarted:
    /// how long until it caught up by itself.
    Witness {
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Commands per second.
        #[arg(long, default_value_t = 20)]
        rate: u32,
        #[arg(long, default_value_t = 10)]
        down: u64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli.what, &cli.database_url).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hoso-bench: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(what: Bench, url: &str) -> anyhow::Result<()> {
    match what {
        Bench::Append {
            events,
            concurrency,
            no_baseline,
        } => append::append(url, &concurrency, events, !no_baseline)
            .await
            .map(|_| ()),
        Bench::Rebuild {
            events,
            no_baseline,
        } => projections::rebuild(url, events, !no_baseline).await,
        Bench::Lag { seconds, rate } => projections::lag(url, seconds, rate).await,
        Bench::Reads { cases, requests } => reads::reads(url, cases, requests).await,
        Bench::Verify { events } => log::verify(url, events).await,
        Bench::Export { events } => log::export(url, events).await,
        Bench::Http {
            clients,
            commands,
            seconds,
        } => http::http(url, &clients, commands, seconds)
            .await
            .map(|_| ()),
        Bench::Witness {
            seconds,
            rate,
            down,
        } => witness::witness(url, seconds, rate, down).await,
    }
}
