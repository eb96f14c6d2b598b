//! Command-line pieces for the `hoso` binary: `hoso witness init|add-log|serve`
//! (with `run`), the log side's `--witness VKEY@URL` for `hoso serve`, and
//! `hoso verify --witness VKEY… --quorum K`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use hoso_ledger::checkpoint::NoteVerifier;
use hoso_ledger::note::Verifier;
use hoso_ledger::tiles::{proof_text, TreeCache};
use hoso_ledger::witnessed::{verify_witnessed, WitnessReport};
use hoso_ledger::Ledger;

use crate::client::WitnessEndpoint;
use crate::server::{router, Witness};
use crate::state;

/// `hoso witness …`
#[derive(Debug, Clone, clap::Args)]
pub struct WitnessArgs {
    #[command(subcommand)]
    pub command: WitnessCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum WitnessCommand {
    /// Creates a witness: a new key (mode 0600; never overwritten) and an empty
    /// state file. Prints the witness's verifier key: give it to the logs.
    Init {
        /// The state file to create.
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        /// The witness's name, a schema-less URL (`witness.example/w1`).
        #[arg(long)]
        name: String,
        /// The key file (default: the state file's name with `.key`).
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
    /// Trusts a log: its verifier key (as `hoso key show` prints it, or a file
    /// holding it); the log's origin is the key's name. Not while serving.
    AddLog {
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        /// `name+keyid+base64`, or a path to a file with it.
        #[arg(long, value_name = "VKEY")]
        vkey: String,
    },
    /// Serves `POST <prefix>/add-checkpoint` (c2sp.org/tlog-witness).
    Serve {
        #[arg(long, default_value = "127.0.0.1:7380", value_name = "ADDR")]
        listen: SocketAddr,
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// The submission prefix path (`/w1`); empty for the root.
        #[arg(long, default_value = "")]
        prefix: String,
    },
}

/// A key given as text or as a path to a file holding it.
fn key_text(arg: &str) -> String {
    std::fs::read_to_string(arg).unwrap_or_else(|_| arg.to_string())
}

/// Runs a `hoso witness` command. `serve` runs until Ctrl-C.
pub async fn run(cmd: WitnessCommand) -> anyhow::Result<()> {
    match cmd {
        WitnessCommand::Init { state, name, key } => {
            let key = key.unwrap_or_else(|| state::default_key_path(&state));
            let signer = state::init(&state, &key, &name)?;
            println!("{}", signer.verifier());
            eprintln!(
                "witness {name}: key in {}, state in {}",
                key.display(),
                state.display()
            );
            Ok(())
        }
        WitnessCommand::AddLog { state, vkey } => {
            let origin = state::add_log(&state, key_text(&vkey).trim())?;
            println!("trusting log {origin}");
            Ok(())
        }
        WitnessCommand::Serve {
            listen,
            state,
            key,
            prefix,
        } => {
            let key = key.unwrap_or_else(|| state::default_key_path(&state));
            let signer = state::load_key(&key)?;
            let witness = Arc::new(Witness::open(&state, signer)?);
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("listen on {listen}"))?;
            eprintln!(
                "witness {} listening on http://{}{}/add-checkpoint",
                witness.verifier(),
                listener.local_addr()?,
                prefix
            );
            serve(listener, witness, &prefix, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        }
    }
}

/// Serves the witness on `listener` under `prefix` until `shutdown`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    witness: Arc<Witness>,
    prefix: &str,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let prefix = prefix.trim_end_matches('/');
    let app = if prefix.is_empty() {
        router(witness)
    } else {
        axum::Router::new().nest(prefix, router(witness))
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// `hoso serve --witness VKEY=URL …`: the witnesses the log submits to.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WitnessClientArgs {
    /// A witness: its verifier key and submission prefix, `VKEY=URL`
    /// (repeat, or separate with commas in HOSO_WITNESSES).
    #[arg(
        long = "witness",
        value_name = "VKEY=URL",
        env = "HOSO_WITNESSES",
        value_delimiter = ','
    )]
    pub witnesses: Vec<String>,
    /// A file of witnesses, one `VKEY=URL` per line (`#` starts a comment).
    #[arg(long, value_name = "FILE", env = "HOSO_WITNESSES_FILE")]
    pub witnesses_file: Option<std::path::PathBuf>,
}

impl WitnessClientArgs {
    pub fn endpoints(&self) -> anyhow::Result<Vec<WitnessEndpoint>> {
        let mut specs: Vec<(String, String)> = self
            .witnesses
            .iter()
            .map(|w| (format!("--witness {w}"), w.clone()))
            .collect();
        if let Some(path) = &self.witnesses_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("--witnesses-file {}: {e}", path.display()))?;
            for (i, line) in text.lines().enumerate() {
                let line = line.split('#').next().unwrap_or("").trim();
                if !line.is_empty() {
                    specs.push((format!("{}:{}", path.display(), i + 1), line.to_string()));
                }
            }
        }
        specs
            .iter()
            .map(|(at, w)| WitnessEndpoint::parse(w).map_err(|e| anyhow::anyhow!("{at}: {e}")))
            .collect()
    }
}

/// `hoso verify --witness VKEY… --quorum K`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct VerifyWitnessArgs {
    /// A trusted witness's verifier key (or a file holding it); repeat.
    #[arg(long = "witness", value_name = "VKEY")]
    pub witnesses: Vec<String>,
    /// How many distinct given witnesses must have cosigned a checkpoint.
    #[arg(long, default_value_t = 1, value_name = "K")]
    pub quorum: usize,
}

impl VerifyWitnessArgs {
    pub fn verifiers(&self) -> anyhow::Result<Vec<Verifier>> {
        self.witnesses
            .iter()
            .map(|w| {
                Verifier::parse_cosigner(key_text(w).trim())
                    .map_err(|e| anyhow::anyhow!("--witness {w}: {e}"))
            })
            .collect()
    }

    /// Runs the check; `outside` are cosigned notes kept outside the store
    /// (`--checkpoint FILE`). `Ok(report)`; `report.is_ok()` decides the exit.
    pub async fn verify(
        &self,
        ledger: &Ledger,
        log_key: &NoteVerifier,
        outside: &[String],
    ) -> anyhow::Result<WitnessReport> {
        let ws = self.verifiers()?;
        if ws.is_empty() {
            anyhow::bail!("give at least one --witness");
        }
        if self.quorum == 0 || self.quorum > ws.len() {
            anyhow::bail!(
                "--quorum must be between 1 and the number of witnesses ({})",
                ws.len()
            );
        }
        let cache = TreeCache::new();
        Ok(verify_witnessed(ledger, &cache, log_key, &ws, self.quorum, outside).await?)
    }
}

/// `hoso log consistency OLD NEW`: the RFC 9162 proof, one base64 hash per line.
pub async fn consistency_proof_text(ledger: &Ledger, old: u64, new: u64) -> anyhow::Result<String> {
    let cache = TreeCache::new();
    Ok(proof_text(
        &cache.consistency_proof(ledger, old, new).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Debug, Parser)]
    struct Hoso {
        #[command(subcommand)]
        cmd: Top,
    }

    #[derive(Debug, clap::Subcommand)]
    enum Top {
        Witness(WitnessArgs),
        Serve(WitnessClientArgs),
        Verify(VerifyWitnessArgs),
    }

    #[tokio::test]
    async fn the_commands_parse_and_run() {
        Hoso::command().debug_assert();
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("w.json");
        let s = state.to_str().unwrap();
        let Top::Witness(init) = Hoso::parse_from([
            "hoso",
            "witness",
            "init",
            "--state",
            s,
            "--name",
            "w.example/1",
        ])
        .cmd
        else {
            panic!()
        };
        run(init.command).await.unwrap();
        let log = hoso_ledger::checkpoint::Signer::from_seed(&[1; 32]);
        let vkey_file = dir.path().join("log.pub");
        std::fs::write(&vkey_file, format!("{}\n", log.verifier())).unwrap();
        let Top::Witness(add) = Hoso::parse_from([
            "hoso",
            "witness",
            "add-log",
            "--state",
            s,
            "--vkey",
            vkey_file.to_str().unwrap(),
        ])
        .cmd
        else {
            panic!()
        };
        run(add.command).await.unwrap();
        let st = state::State::load(&state).unwrap();
        assert_eq!(st.logs[log.origin()].keys, vec![log.verifier().to_string()]);
        let Top::Witness(serve) = Hoso::parse_from([
            "hoso",
            "witness",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--state",
            s,
        ])
        .cmd
        else {
            panic!()
        };
        assert!(matches!(serve.command, WitnessCommand::Serve { .. }));
        // The log side: two witnesses, comma-separated or repeated.
        let key = state::load_key(&state::default_key_path(&state)).unwrap();
        let w = format!("{}@http://127.0.0.1:9/w1", key.verifier());
        let Top::Serve(c) =
            Hoso::parse_from(["hoso", "serve", "--witness", &format!("{w},{w}")]).cmd
        else {
            panic!()
        };
        let e = c.endpoints().unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].url, "http://127.0.0.1:9/w1");
        let Top::Verify(v) = Hoso::parse_from([
            "hoso",
            "verify",
            "--witness",
            &key.verifier().to_string(),
            "--quorum",
            "1",
        ])
        .cmd
        else {
            panic!()
        };
        assert_eq!(v.verifiers().unwrap(), vec![key.verifier().clone()]);
        assert!(WitnessEndpoint::parse("nonsense").is_err());
        assert!(WitnessEndpoint::parse(&format!("{}@ftp://x", key.verifier())).is_err());
    }
}
