//! `hoso`: the command line. Start-up code: errors end the program with a message.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hoso_api::app::DEFAULT_DATABASE;
use hoso_ledger::Ledger;
use hoso_projections::history::parse_time;
use hoso_projections::read::{PeriodKind, StatsQuery};
use hoso_projections::{runner, Projection};

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
    /// Checkpoint signing key file (created at first use, mode 0600). Default:
    /// hoso-signing.key beside the SQLite file, or in the working directory.
    #[arg(long, env = "HOSO_SIGNING_KEY", global = true)]
    key: Option<std::path::PathBuf>,
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
    /// Recompute every hash chain and the Merkle log against the signed
    /// checkpoints; exit 1 naming the first broken place.
    Verify(hoso_api::log_cli::VerifyArgs),
    #[command(flatten)]
    Log(hoso_api::log_cli::LogCommand),
    /// Load realistic sample data through the real command path.
    Demo {
        /// Number of cases to create.
        #[arg(long, default_value_t = 60)]
        cases: usize,
        /// Seed for the sample data (same seed, same data).
        #[arg(long, default_value_t = 111)]
        seed: u64,
    },
    /// Rebuild a projection (or all) from the first event, beside the live one.
    Rebuild {
        /// case_view, statistics or officer_history; all when omitted.
        name: Option<String>,
        /// Compare a fresh rebuild with the live tables instead; exit 1 on any difference.
        #[arg(long)]
        check: bool,
    },
    /// Statistics by place and period.
    Stats {
        /// day, month, year, or now (children by group and household).
        #[arg(long, default_value = "month")]
        period: String,
        /// One metric only (e.g. cases_opened, opened_by_harm, timeliness_plan).
        #[arg(long)]
        metric: Option<String>,
        /// Today's province code (e.g. 42 for Hà Tĩnh); old records roll up.
        #[arg(long)]
        province: Option<u32>,
        /// A commune code.
        #[arg(long)]
        commune: Option<u32>,
        /// An old (pre-2025) district code.
        #[arg(long)]
        district: Option<u32>,
        /// First period, e.g. 2026-01 (months), 2026 (years).
        #[arg(long)]
        from: Option<String>,
        /// Last period.
        #[arg(long)]
        to: Option<String>,
        /// One row per commune instead of per province.
        #[arg(long)]
        by_commune: bool,
        #[arg(long, value_enum, default_value = "vi")]
        lang: hoso_api::labels::Lang,
    },
    /// One case.
    Case {
        #[command(subcommand)]
        what: CaseCmd,
    },
    /// One officer.
    Officer {
        #[command(subcommand)]
        what: OfficerCmd,
    },
    /// Officer accounts and API tokens for the HTTP API.
    Admin {
        #[command(subcommand)]
        what: hoso_api::http::admin::AdminCommand,
    },
    /// Benchmarks that print figures.
    Bench {
        #[command(subcommand)]
        what: Bench,
    },
}

#[derive(Subcommand)]
enum CaseCmd {
    /// The case's state and timeline, now or as it stood at a moment.
    Show {
        id: String,
        /// RFC 3339 time (2026-03-02T09:00:00+07:00) or a date (end of that day, Vietnam time).
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value = "vi")]
        lang: hoso_api::labels::Lang,
    },
}

#[derive(Subcommand)]
enum OfficerCmd {
    /// Everything the officer did, with counts and trainings.
    History {
        id: String,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_enum, default_value = "vi")]
        lang: hoso_api::labels::Lang,
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
    /// Projection rebuild throughput over about `events` events, beside a plain
    /// cqrs-es replay of the same case events, in a scratch database.
    Rebuild {
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
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
    hoso_api::log_cli::set_key_path(cli.key.clone());
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
            let signer = hoso_api::log_cli::signer(url)?;
            hoso_api::signing::spawn_checkpointer(
                ledger.clone(),
                signer,
                std::time::Duration::from_secs(10),
            );
            hoso_api::server::serve(ledger, listen, Some(hoso_api::log_cli::signer(url)?)).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify(args) => hoso_api::log_cli::verify(args, url).await,
        Command::Admin { what } => hoso_api::http::admin::run(what, url).await,
        Command::Log(c) => hoso_api::log_cli::run(c, url).await,
        Command::Demo { cases, seed } => {
            let app = hoso_api::app::App::open(url).await?;
            let summary = hoso_api::demo::load(&app, cases, seed).await?;
            println!("{summary}");
            let signer = hoso_api::log_cli::signer(url)?;
            if let Some(c) = hoso_api::signing::issue_now(&app.ledger, &signer, true).await? {
                println!("checkpoint #{} of {} events signed", c.id, c.tree_size);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rebuild { name, check } => {
            let ledger = Ledger::open(url).await?;
            let projections = match name {
                Some(n) => vec![Projection::parse(&n)?],
                None => Projection::ALL.to_vec(),
            };
            let mut differ = false;
            for p in projections {
                if check {
                    let (at, diffs) = runner::check(&ledger, p).await?;
                    let head = ledger.head().await?;
                    let behind = if head > at {
                        format!(
                            " (the live projection is {} events behind the store)",
                            head - at
                        )
                    } else {
                        String::new()
                    };
                    if diffs.is_empty() {
                        println!(
                            "rebuild --check {}: equal to a fresh rebuild at position {at}{behind}",
                            p.name()
                        );
                    } else {
                        differ = true;
                        for d in diffs {
                            println!(
                                "rebuild --check {}: table {} differs: {} rows only live, {} rows only rebuilt",
                                p.name(),
                                d.table,
                                d.only_live.len(),
                                d.only_rebuilt.len()
                            );
                            for r in d.only_live.iter().take(3) {
                                eprintln!("  only live:    {r:?}");
                            }
                            for r in d.only_rebuilt.iter().take(3) {
                                eprintln!("  only rebuilt: {r:?}");
                            }
                        }
                    }
                } else {
                    let r = runner::rebuild(&ledger, p).await?;
                    println!(
                        "rebuild {}: {} events up to position {} in {:.2} s ({:.0} events/s)",
                        p.name(),
                        r.events,
                        r.position,
                        r.seconds,
                        r.events as f64 / r.seconds.max(1e-9)
                    );
                }
            }
            Ok(if differ {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Stats {
            period,
            metric,
            province,
            commune,
            district,
            from,
            to,
            by_commune,
            lang,
        } => {
            let ledger = Ledger::open(url).await?;
            let period = match period.as_str() {
                "day" => PeriodKind::Day,
                "month" => PeriodKind::Month,
                "year" => PeriodKind::Year,
                "now" => PeriodKind::Now,
                other => anyhow::bail!("--period {other}: use day, month, year or now"),
            };
            let q = StatsQuery {
                metric,
                province,
                commune,
                district,
                period,
                from,
                to,
                by_commune,
            };
            print!("{}", hoso_api::report::stats(&ledger, &q, lang).await?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Case {
            what: CaseCmd::Show { id, as_of, lang },
        } => {
            let ledger = Ledger::open(url).await?;
            let as_of = as_of.map(|t| parse_time(&t)).transpose()?;
            match hoso_api::report::case_show(&ledger, &id, as_of, lang).await? {
                Some(text) => {
                    print!("{text}");
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    eprintln!(
                        "hoso: no case {id}{}",
                        if as_of.is_some() {
                            " recorded by then"
                        } else {
                            ""
                        }
                    );
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Officer {
            what: OfficerCmd::History { id, from, to, lang },
        } => {
            let ledger = Ledger::open(url).await?;
            let from = from.map(|t| parse_time(&t)).transpose()?;
            let to = to.map(|t| parse_time(&t)).transpose()?;
            match hoso_api::report::officer_history(&ledger, &id, from, to, lang).await? {
                Some(text) => {
                    print!("{text}");
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    eprintln!("hoso: no officer {id}");
                    Ok(ExitCode::from(1))
                }
            }
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
        Command::Bench {
            what: Bench::Rebuild { events },
        } => {
            hoso_api::bench_projections::rebuild(url, events).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            what: Bench::Lag { seconds, rate },
        } => {
            hoso_api::bench_projections::lag(url, seconds, rate).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            what: Bench::Verify { events },
        } => {
            hoso_api::bench_log::verify(url, events).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            what:
                Bench::Http {
                    clients,
                    commands,
                    seconds,
                },
        } => {
            hoso_api::http::bench::http(url, &clients, commands, seconds).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            what: Bench::Export { events },
        } => {
            hoso_api::bench_log::export(url, events).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
