//! `hoso`: the command line (see `hoso_cli`).

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                "hoso=info,hoso_cli=info,hoso_api=info,hoso_service=info,hoso_ledger=info,warn"
                    .into()
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    hoso_cli::run(hoso_cli::Cli::parse()).await
}
