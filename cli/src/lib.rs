//! The `hoso` command line: one subcommand per thing an operator or an
//! inspector does from a shell (serve, verify, export, statistics, accounts,
//! sample data). Each parses its arguments and calls the service layer or the
//! ledger; the HTTP faces are `hoso_api`. Start-up code: errors end the
//! program with a message.

pub mod admin;
pub mod log;
pub mod privacy;
pub mod report;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hoso_api::labels::Lang;
use hoso_ledger::Ledger;
use hoso_projections::history::parse_time;
use hoso_projections::read::StatsQuery;
use hoso_projections::{runner, Projection};
use hoso_service::app::DEFAULT_DATABASE;

#[derive(Parser)]
#[command(
    name = "hoso",
    version,
    about = "Audit-grade records for child-protection case work"
)]
pub struct Cli {
    /// postgres://… selects PostgreSQL; a file path or sqlite://… selects SQLite.
    /// Default: the SQLite file hoso.db in the working directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Checkpoint signing key file (created at first use, mode 0600). Default:
    /// hoso-signing.key beside the SQLite file, or in the working directory.
    #[arg(long, env = "HOSO_SIGNING_KEY", global = true)]
    pub key: Option<std::path::PathBuf>,
    /// Log lines on standard error: `text` (coloured only on a terminal) or
    /// `json` (one object per line, for log collectors).
    #[arg(
        long,
        value_enum,
        env = "HOSO_LOG_FORMAT",
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
    /// Key-encryption key file of the children's and officers' personal data
    /// (made on a fresh store, mode 0600; HOSO_KEK holds the key itself
    /// instead). Default: hoso-kek.key beside the SQLite file, or in the
    /// working directory. Keep it apart from the database and its backups.
    #[arg(long, env = "HOSO_KEK_FILE", global = true)]
    pub kek: Option<std::path::PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the access log takes the client's address from.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ProxyArgs {
    /// A reverse proxy (its IP address) whose header says the client's
    /// address; repeat for several. Without it the connection's peer is the
    /// client, and forwarding headers are ignored.
    #[arg(long = "trusted-proxy", value_name = "IP")]
    pub trusted_proxy: Vec<std::net::IpAddr>,
    /// The header the trusted proxies set (default X-Forwarded-For).
    #[arg(long, value_name = "NAME", requires = "trusted_proxy")]
    pub client_ip_header: Option<String>,
}

impl ProxyArgs {
    pub fn trusted(&self) -> hoso_api::http::access::TrustedProxies {
        hoso_api::http::access::TrustedProxies {
            proxies: self.trusted_proxy.clone(),
            header: self
                .client_ip_header
                .as_ref()
                .map(|h| h.to_ascii_lowercase()),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run migrations and serve HTTP.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Witnesses that cosign every checkpoint.
        #[command(flatten)]
        witnesses: hoso_witness::WitnessClientArgs,
        /// The log's read API (tlog-tiles: checkpoint, tiles, proofs; hashes
        /// only) under /log/: on or off.
        #[arg(long, default_value = "on", value_parser = ["on", "off"])]
        log_api: String,
        #[command(flatten)]
        proxies: ProxyArgs,
        /// The URL people reach the site at, e.g. https://hoso.hatinh.gov.vn
        /// behind a TLS-terminating proxy (docs/security.md): when it is
        /// https, cookies are Secure and answers carry HSTS.
        #[arg(long, env = "HOSO_PUBLIC_URL")]
        public_url: Option<String>,
        /// Serve HTTPS: the certificate chain, PEM, leaf first.
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// The certificate's private key, PEM (PKCS#8, PKCS#1 or SEC1).
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
    },
    /// The Merkle log: consistency proofs.
    #[command(name = "log")]
    LogTree {
        #[command(subcommand)]
        what: crate::log::LogTree,
    },
    /// A witness (c2sp.org/tlog-witness) that cosigns the checkpoints of the
    /// logs it trusts: init, add-log, serve.
    Witness(hoso_witness::WitnessArgs),
    /// Erase a person's personal data (by destroying their data key).
    Erase {
        #[command(subcommand)]
        what: crate::privacy::EraseCmd,
    },
    /// The retention policy: who is due for erasure, and erasing them.
    Retention(crate::privacy::RetentionArgs),
    /// A consistent copy of the embedded (SQLite) store into a new file,
    /// taken while the service runs, then opened and verified (hash chains,
    /// Merkle log, checkpoints) and compared with the store: the same events
    /// and the same newest checkpoint. The key-encryption key and the signing
    /// key are not in it: keep copies of those files apart (docs/security.md).
    Backup {
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// The data keys: rotation of the key-encryption key.
    Keys {
        #[command(subcommand)]
        what: crate::privacy::KeysCmd,
    },
    /// Recompute every hash chain and the Merkle log against the signed
    /// checkpoints; exit 1 naming the first broken place.
    Verify(crate::log::VerifyArgs),
    #[command(flatten)]
    Log(crate::log::LogCommand),
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
        lang: Lang,
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
        what: crate::admin::AdminCommand,
    },
    /// Benchmarks that print figures: runs `hoso-bench` (built with
    /// `cargo build --release -p hoso-bench`) from beside this program.
    Bench {
        /// append, rebuild, lag, verify, export, http and their options
        /// (`hoso bench --help` shows them).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum CaseCmd {
    /// The case's state and timeline, now or as it stood at a moment.
    Show {
        id: String,
        /// RFC 3339 time (2026-03-02T09:00:00+07:00) or a date (end of that day, Vietnam time).
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value = "vi")]
        lang: Lang,
    },
}

#[derive(Subcommand)]
pub enum OfficerCmd {
    /// Everything the officer did, with counts and trainings.
    History {
        id: String,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_enum, default_value = "vi")]
        lang: Lang,
    },
}

/// Runs one command line; the exit code to end with.
pub async fn run(cli: Cli) -> ExitCode {
    crate::log::set_key_path(cli.key.clone());
    crate::log::set_kek_path(cli.kek.clone());
    let url = cli
        .database_url
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE.to_string());
    match dispatch(cli.command, &url).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hoso: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn dispatch(command: Command, url: &str) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve {
            listen,
            witnesses,
            log_api,
            proxies,
            public_url,
            tls_cert,
            tls_key,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(hoso_api::tls::load(&cert, &key)?),
                _ => None,
            };
            serve(
                url,
                listen,
                witnesses.endpoints()?,
                log_api == "on",
                proxies.trusted(),
                public_url,
                tls,
            )
            .await
        }
        Command::LogTree { what } => crate::log::log_tree(what, url).await,
        Command::Erase { what } => crate::privacy::erase(what, url).await,
        Command::Retention(args) => crate::privacy::retention(args, url).await,
        Command::Keys { what } => crate::privacy::keys(what, url).await,
        Command::Backup { out } => crate::log::backup(url, &out).await,
        Command::Witness(w) => {
            hoso_witness::run(w.command).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify(args) => crate::log::verify(args, url).await,
        Command::Admin { what } => crate::admin::run(what, url).await,
        Command::Log(c) => crate::log::run(c, url).await,
        Command::Demo { cases, seed } => demo(url, cases, seed).await,
        Command::Rebuild { name, check } => rebuild(url, name, check).await,
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
            let q = StatsQuery {
                metric,
                province,
                commune,
                structure: None,
                district,
                period: hoso_service::stats::period_kind(&period)?,
                from,
                to,
                by_commune,
            };
            stats(url, q, lang).await
        }
        Command::Case {
            what: CaseCmd::Show { id, as_of, lang },
        } => case_show(url, &id, as_of, lang).await,
        Command::Officer {
            what: OfficerCmd::History { id, from, to, lang },
        } => officer_history(url, &id, from, to, lang).await,
        Command::Bench { args } => bench(url, &args),
    }
}

/// `hoso serve`: the service until Ctrl-C (or SIGTERM).
async fn serve(
    url: &str,
    listen: SocketAddr,
    witnesses: Vec<hoso_witness::WitnessEndpoint>,
    log_api: bool,
    proxies: hoso_api::http::access::TrustedProxies,
    public_url: Option<String>,
    tls: Option<hoso_api::tls::TlsConfig>,
) -> anyhow::Result<ExitCode> {
    // Before anything is started: a SIGTERM from now on stops us cleanly.
    let stop = shutdown_signal();
    let ledger = hoso_service::privacy::open_ledger(url, &crate::log::kek_path(url)).await?;
    let config = hoso_api::server::Config {
        listen,
        signer: Some(crate::log::signer(url, &ledger).await?),
        // Often, so that witnesses cosign within moments; only when the log grew.
        checkpoint_every: Some(std::time::Duration::from_secs(1)),
        witnesses,
        log_api,
        proxies,
        public_url,
        tls,
    };
    let server = hoso_api::server::start(ledger, config).await?;
    println!(
        "hoso is listening on {} ({} store)",
        server.url(),
        server.svc.ledger().backend()
    );
    if let Some(hint) = hoso_service::accounts::first_start_hint(&server.svc).await {
        // Not println!: stdout may be a closed pipe, which must not stop the server.
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), "{hint}");
        tracing::warn!("no administrator account yet: see `hoso admin create-officer --help`");
    }
    stop.await;
    server.shutdown().await?;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C, or SIGTERM on Unix.
/// Ctrl-C or SIGTERM. The handlers are installed when this is called (not
/// when the future is first polled), so a signal that arrives while the
/// server is still starting is not lost to the default action.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = ctrl_c.await;
    }
}

/// `hoso demo`: sample data, then a signed checkpoint of it.
async fn demo(url: &str, cases: usize, seed: u64) -> anyhow::Result<ExitCode> {
    let app = crate::log::app(url).await?;
    let summary = hoso_demo::load(&app, cases, seed).await?;
    println!("{summary}");
    let signer = crate::log::signer(url, &app.ledger).await?;
    if let Some(c) = hoso_service::signing::issue_now(&app.ledger, &signer, true).await? {
        println!("checkpoint #{} of {} events signed", c.id, c.tree_size);
    }
    Ok(ExitCode::SUCCESS)
}

async fn rebuild(url: &str, name: Option<String>, check: bool) -> anyhow::Result<ExitCode> {
    let ledger = Ledger::open(url).await?;
    let projections = match name {
        Some(n) => vec![Projection::parse(&n)?],
        None => Projection::ALL.to_vec(),
    };
    if !check {
        // All in one read of the log, swapped in one transaction.
        let r = runner::rebuild_all(&ledger, &projections).await?;
        let names: Vec<&str> = projections.iter().map(|p| p.name()).collect();
        println!(
            "rebuild {}: {} events up to position {} in {:.2} s ({:.0} events/s)",
            names.join(","),
            r.events,
            r.position,
            r.seconds,
            r.events as f64 / r.seconds.max(1e-9)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut differ = false;
    for p in projections {
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
    }
    Ok(if differ {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn stats(url: &str, q: StatsQuery, lang: Lang) -> anyhow::Result<ExitCode> {
    let ledger = Ledger::open(url).await?;
    print!("{}", crate::report::stats(&ledger, &q, lang).await?);
    Ok(ExitCode::SUCCESS)
}

async fn case_show(
    url: &str,
    id: &str,
    as_of: Option<String>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let ledger = hoso_service::privacy::open_ledger(url, &crate::log::kek_path(url)).await?;
    let as_of = as_of.map(|t| parse_time(&t)).transpose()?;
    match crate::report::case_show(&ledger, id, as_of, lang).await? {
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

async fn officer_history(
    url: &str,
    id: &str,
    from: Option<String>,
    to: Option<String>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let ledger = Ledger::open(url).await?;
    let from = from.map(|t| parse_time(&t)).transpose()?;
    let to = to.map(|t| parse_time(&t)).transpose()?;
    match crate::report::officer_history(&ledger, id, from, to, lang).await? {
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

/// The benchmarks live in their own program so that this one does not link
/// their clients and baselines; `hoso bench …` runs it with the same store.
fn bench(url: &str, args: &[String]) -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe()?;
    let name = format!("hoso-bench{}", std::env::consts::EXE_SUFFIX);
    let path = exe.with_file_name(&name);
    if !path.exists() {
        anyhow::bail!(
            "{} is not built: run `cargo build --release -p hoso-bench` (or `cargo run --release -p hoso-bench -- …`)",
            path.display()
        );
    }
    let status = std::process::Command::new(&path)
        .arg("--database-url")
        .arg(url)
        .args(args)
        .status()?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
        None => ExitCode::from(1),
    })
}
