//! `hoso`: the command line (see `hoso_cli`).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use hoso_cli::{Cli, LogFormat};

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        "hoso=info,hoso_cli=info,hoso_api=info,hoso_service=info,hoso_ledger=info,warn".into()
    });
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => logs.json().with_current_span(true).init(),
        // Colour codes only for a person at a terminal, never in a file or a pipe.
        LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    hoso_cli::run(cli).await
}
