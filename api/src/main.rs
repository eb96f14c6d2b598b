//! `hoso`: the command line. Start-up code: errors end the program with a message.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hoso_api::app::DEFAULT_DATABASE;
use hoso_ledger::Ledger;

#[derive(Parser)]
#[command(
    name = "hoso",
    version,
    about = "Audit-grade records for child-protection case work"
)]
struct Cli {
    /// postgres://… selects PostgreSQL; a file path or sqlite://… selects SQLite.
    /// Default: the SQLite file hoso.db in the working directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations and serve HTTP.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
    },
    /// Recompute every hash chain; exit 1 naming the first broken place.
    Verify,
    /// Load realistic sample data through the real command path.
    Demo {
        /// Number of cases to create.
        #[arg(long, default_value_t = 60)]
        cases: usize,
        /// Seed for the sample data (same seed, same data).
        #[arg(long, default_value_t = 111)]
        seed: u64,
    },
    /// Benchmarks that print figures.
    Bench {
        #[command(subcommand)]
        what: Bench,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// Events/s for appends through cqrs-es, in a scratch database.
    Append {
        #[arg(long, default_value_t = 20_000)]
        events: usize,
        #[arg(long, value_delimiter = ',', default_values_t = [1, 8])]
        concurrency: Vec<usize>,
        /// Skip the plain cqrs-es + postgres-es baseline (PostgreSQL only).
        #[arg(long)]
        no_baseline: bool,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "hoso=info,hoso_api=info,hoso_ledger=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let url = cli
        .database_url
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE.to_string());
    match run(cli.command, &url).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hoso: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: Command, url: &str) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { listen } => {
            let ledger = Ledger::open(url).await?;
            hoso_api::server::serve(ledger, listen).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify => {
            let ledger = Ledger::open(url).await?;
            let report = hoso_ledger::verify::verify(&ledger).await?;
            if let Some(first) = report.first() {
                println!("verify: BROKEN: {first}");
                for f in &report.findings {
                    eprintln!("  {f}");
                }
                if report.more_findings > 0 {
                    eprintln!("  … and {} more", report.more_findings);
                }
                return Ok(ExitCode::from(1));
            }
            println!(
                "verify: intact: {} events, {} aggregates, {:.3} seconds",
                report.events, report.aggregates, report.seconds
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { cases, seed } => {
            let app = hoso_api::app::App::open(url).await?;
            let summary = hoso_api::demo::load(&app, cases, seed).await?;
            println!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            what:
                Bench::Append {
                    events,
                    concurrency,
                    no_baseline,
                },
        } => {
            hoso_api::bench::append(url, &concurrency, events, !no_baseline).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
