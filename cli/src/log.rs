//! The command line of the log: `verify` (chains + log against checkpoints),
//! `key show`, `checkpoint`, `export`, `verify-export`. Start-up code: errors
//! are reported by `main` with a message.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{Args, Subcommand};
use hoso_ledger::checkpoint::{NoteVerifier, Signer};
use hoso_ledger::Ledger;

use hoso_service::export::{self, Selection};
use hoso_service::{signing, App};

static KEY_PATH: OnceLock<PathBuf> = OnceLock::new();
static KEK_PATH: OnceLock<PathBuf> = OnceLock::new();

/// Remembers `--kek` / `HOSO_KEK_FILE` for every command of this run.
pub fn set_kek_path(path: Option<PathBuf>) {
    if let Some(p) = path {
        let _ = KEK_PATH.set(p);
    }
}

/// The key-encryption key file for `url` (see `hoso_service::privacy`).
pub fn kek_path(url: &str) -> PathBuf {
    hoso_service::privacy::kek_path(KEK_PATH.get().map(PathBuf::as_path), url)
}

/// The store with its data keys, for commands that record or show
/// personal data.
pub async fn app(url: &str) -> anyhow::Result<App> {
    Ok(App::open_with(url, &kek_path(url)).await?)
}

/// Remembers `--key` / `HOSO_SIGNING_KEY` for every command of this run.
pub fn set_key_path(path: Option<PathBuf>) {
    if let Some(p) = path {
        let _ = KEY_PATH.set(p);
    }
}

/// The signing key file for `url` (see `crate::signing`).
pub fn key_path(url: &str) -> PathBuf {
    signing::key_path(KEY_PATH.get().map(PathBuf::as_path), url)
}

/// The log's signing key: created at first use, while the log has no
/// checkpoint; after that only the key that signed checkpoint #1 (the log's
/// identity) is accepted, and a missing key file is an error, never a new key.
pub async fn signer(url: &str, ledger: &Ledger) -> anyhow::Result<Signer> {
    let path = key_path(url);
    if !path.exists() {
        if let Some(first) = hoso_ledger::checkpoint::by_id(ledger, 1).await? {
            anyhow::bail!(
                "the signing key file {} is missing, but this log's checkpoints are signed by key id {}: \
                 restore the key file from its backup (or give its path with --key / HOSO_SIGNING_KEY); \
                 no new key is made for a log that already has one",
                path.display(),
                first.key_id
            );
        }
    }
    let s = Signer::load_or_generate(&path)?;
    hoso_ledger::checkpoint::pinned(ledger, s.verifier())
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(s)
}

#[derive(Args, Debug, Default)]
pub struct VerifyArgs {
    /// Check checkpoint signatures with this public key (the text printed by
    /// `hoso key show`, or a file holding it). Default: the public half of the
    /// signing key file, if it exists.
    #[arg(long)]
    pub public_key: Option<String>,
    /// A checkpoint kept outside the store (a file as printed by `hoso
    /// checkpoint`, or a note cosigned by witnesses): the log must still
    /// contain what it signed.
    #[arg(long)]
    pub checkpoint: Vec<PathBuf>,
    /// Witnesses to require (`--witness VKEY … --quorum K`): the newest
    /// checkpoint cosigned by K of them must match the log.
    #[command(flatten)]
    pub witnesses: hoso_witness::VerifyWitnessArgs,
}

#[derive(Subcommand, Debug)]
pub enum LogCommand {
    /// The checkpoint signing key.
    Key {
        #[command(subcommand)]
        what: KeyCmd,
    },
    /// Sign a checkpoint of the log now and print it (keep a copy elsewhere).
    Checkpoint,
    /// Write a compliance bundle (docs/export-format.md) for a case, an officer,
    /// a place and/or a period; all events when nothing is given.
    Export {
        /// Output directory (created; must be empty).
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        officer: Option<String>,
        /// province:<code> or commune:<province>:<code> (cases of that place).
        #[arg(long)]
        place: Option<String>,
        /// Recorded at or after (date or RFC 3339 UTC).
        #[arg(long)]
        from: Option<String>,
        /// Recorded before.
        #[arg(long)]
        to: Option<String>,
        /// Add the children's and officers' personal data in clear
        /// (personal.jsonl). Needs `--by` (an inspector or admin, whose area
        /// rules apply) and `--reason`, both kept in the access log and the
        /// signed manifest. Without it the bundle is redacted.
        #[arg(long, requires_all = ["by", "reason"])]
        personal: bool,
        /// The officer the export is made by (with `--personal`).
        #[arg(long)]
        by: Option<String>,
        /// Why personal data is exported (with `--personal`).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Verify a bundle offline with nothing but the bundle and the public key.
    VerifyExport {
        bundle: PathBuf,
        /// The public key as printed by `hoso key show` (text or file).
        #[arg(long)]
        public_key: String,
        /// Require cosignatures of these witnesses on the bundle's checkpoint.
        #[command(flatten)]
        witnesses: hoso_witness::VerifyWitnessArgs,
    },
}

/// `hoso log …`: the Merkle log itself.
#[derive(Subcommand, Debug)]
pub enum LogTree {
    /// The RFC 9162 consistency proof between the trees of sizes OLD and NEW
    /// (default: the newest checkpoint's size), one base64 hash per line.
    Prove {
        #[arg(long)]
        old: u64,
        #[arg(long)]
        new: Option<u64>,
    },
}

/// `hoso log prove`.
pub async fn log_tree(what: LogTree, url: &str) -> anyhow::Result<ExitCode> {
    match what {
        LogTree::Prove { old, new } => {
            let ledger = Ledger::open(url).await?;
            let new = match new {
                Some(n) => n,
                None => hoso_ledger::checkpoint::latest(&ledger)
                    .await?
                    .map(|c| c.tree_size)
                    .ok_or_else(|| anyhow::anyhow!("no checkpoint yet: give --new"))?,
            };
            print!(
                "{}",
                hoso_witness::cli::consistency_proof_text(&ledger, old, new).await?
            );
            eprintln!("consistency proof from size {old} to size {new}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum KeyCmd {
    /// Print the public key (`name+keyid+base64(0x01 ‖ Ed25519 key)`); the key id
    /// and file go to standard error. Creates the key if there is none.
    Show,
}

/// `hoso verify`.
pub async fn verify(args: VerifyArgs, url: &str) -> anyhow::Result<ExitCode> {
    let ledger = Ledger::open(url).await?;
    let key = match &args.public_key {
        Some(k) => Some(NoteVerifier::from_arg(k)?),
        None => {
            let path = key_path(url);
            if path.exists() {
                Some(Signer::load(&path)?.verifier().clone())
            } else {
                None
            }
        }
    };
    let mut outside = Vec::new();
    for p in &args.checkpoint {
        outside.push(std::fs::read_to_string(p)?);
    }
    let report = hoso_ledger::verify::verify_with(&ledger, key.as_ref(), &outside).await?;
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
    match &key {
        Some(k) => match hoso_ledger::checkpoint::pinned(&ledger, k).await {
            Ok(Some(())) => println!(
                "verify: every checkpoint signature checked against key id {}, the log's pinned key (it signed checkpoint #1)",
                k.key_id_hex()
            ),
            Ok(None) => println!("verify: no checkpoint yet: nothing signed to check"),
            Err(e) => {
                println!("verify: BROKEN: {e}");
                return Ok(ExitCode::from(1));
            }
        },
        None => println!(
            "verify: checkpoint signatures NOT checked: no public key (give --public-key, or keep the key file beside the store)"
        ),
    }
    if !args.witnesses.witnesses.is_empty() {
        let Some(k) = &key else {
            anyhow::bail!("--witness needs the log's public key (--public-key or the key file)");
        };
        let report = args.witnesses.verify(&ledger, k, &outside).await?;
        if !report.is_ok() {
            println!("verify: NOT WITNESSED: {report}");
            return Ok(ExitCode::from(1));
        }
        println!("witnesses: {report}");
    }
    let checkpoints = hoso_ledger::checkpoint::load_all(&ledger).await?;
    match (checkpoints.last(), &key) {
        (None, _) => println!("log: no checkpoint yet (run `hoso checkpoint`)"),
        (Some(c), Some(k)) => println!(
            "log: matches {} checkpoint(s) signed by key {}; newest #{} of {} events",
            checkpoints.len(),
            k.key_id_hex(),
            c.id,
            c.tree_size
        ),
        (Some(c), None) => println!(
            "log: matches {} checkpoint(s), newest #{} of {} events; signatures NOT checked (no key: give --public-key)",
            checkpoints.len(),
            c.id,
            c.tree_size
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// The other log commands.
pub async fn run(command: LogCommand, url: &str) -> anyhow::Result<ExitCode> {
    match command {
        LogCommand::Key { what: KeyCmd::Show } => {
            let path = key_path(url);
            let ledger = Ledger::open(url).await?;
            let s = signer(url, &ledger).await?;
            println!("{}", s.verifier());
            eprintln!("key id {} in {}", s.verifier().key_id_hex(), path.display());
        }
        LogCommand::Checkpoint => {
            let ledger = Ledger::open(url).await?;
            let s = signer(url, &ledger).await?;
            let c = signing::issue_now(&ledger, &s, false).await?;
            if let Some(c) = c {
                eprintln!("checkpoint #{} of {} events", c.id, c.tree_size);
                print!("{}", c.note);
            }
        }
        LogCommand::Export {
            out,
            case,
            officer,
            place,
            from,
            to,
            personal,
            by,
            reason,
        } => {
            let app = app(url).await?;
            let s = signer(url, &app.ledger).await?;
            if personal {
                let svc = hoso_service::Service::new(app).with_signer(s);
                let id = by.unwrap_or_default();
                let (actor, full_name) = hoso_service::accounts::current_actor(&svc, &id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("--by {id}: no active officer with this id"))?;
                let me = hoso_service::Me::local(actor, full_name);
                let req = hoso_service::export::ExportRequest {
                    case,
                    officer,
                    place,
                    from,
                    to,
                    personal_reason: reason,
                };
                let ctx = hoso_service::access::ReadContext::default();
                let summary =
                    hoso_service::export::for_officer(&svc, &me, &ctx, &req, &out).await?;
                println!(
                    "export: {} events of {} cases, with personal data, into {} ({} bytes), proven against checkpoint #{} of {} events",
                    summary.events,
                    summary.cases,
                    summary.dir.display(),
                    summary.bytes,
                    summary.checkpoint_id,
                    summary.tree_size
                );
                return Ok(ExitCode::SUCCESS);
            }
            let sel = Selection {
                case,
                officer,
                place,
                from,
                to,
                area: None,
            };
            let province = sel
                .place
                .as_deref()
                .and_then(hoso_domain::common::Unit::parse_code)
                .and_then(|u| u.province());
            let extra =
                export::projection_csvs(&app.ledger, province, sel.officer.as_deref(), None)
                    .await?;
            let summary = export::export(&app, &s, &sel, &out, extra, None).await?;
            println!(
                "export: {} events of {} cases into {} ({} bytes), proven against checkpoint #{} of {} events",
                summary.events,
                summary.cases,
                summary.dir.display(),
                summary.bytes,
                summary.checkpoint_id,
                summary.tree_size
            );
        }
        LogCommand::VerifyExport {
            bundle,
            public_key,
            witnesses,
        } => {
            let key = NoteVerifier::from_arg(&public_key)?;
            let quorum = if witnesses.witnesses.is_empty() {
                0
            } else {
                witnesses.quorum
            };
            match export::verify_bundle_with(&bundle, &key, &witnesses.verifiers()?, quorum) {
                Ok(v) => println!(
                    "verify-export: intact: {} events, all included in the signed checkpoint of {} events of {}",
                    v.events, v.tree_size, v.origin
                ),
                Err(e) => {
                    println!("verify-export: REJECTED: {e}");
                    return Ok(ExitCode::from(1));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `hoso backup --out FILE`: the copy, then the proof that it is the same
/// history (verified on its own, same head and newest checkpoint).
pub async fn backup(url: &str, out: &std::path::Path) -> anyhow::Result<ExitCode> {
    let ledger = Ledger::open(url).await?;
    ledger.backup_sqlite(out).await?;
    let copy = Ledger::open(&format!("sqlite://{}", out.display())).await?;
    let report = hoso_ledger::verify::verify(&copy).await?;
    if let Some(f) = report.first() {
        anyhow::bail!("the copy in {} does not verify: {f}", out.display());
    }
    let (head, copied) = (ledger.head().await?, copy.head().await?);
    let newest = hoso_ledger::checkpoint::latest(&ledger).await?;
    let copied_cp = hoso_ledger::checkpoint::latest(&copy).await?;
    let same_cp = match (&newest, &copied_cp) {
        (Some(a), Some(b)) => a.id == b.id && a.root == b.root,
        (None, None) => true,
        _ => false,
    };
    // The copy is a snapshot: the live store may have grown since, never shrunk.
    if copied > head || (copied == head && !same_cp) {
        anyhow::bail!(
            "the copy in {} is not a snapshot of this store",
            out.display()
        );
    }
    println!(
        "backup {}: {} events, {} aggregates, verified; newest checkpoint {}",
        out.display(),
        report.events,
        report.aggregates,
        copied_cp
            .map(|c| format!(
                "#{} (size {}, root {})",
                c.id,
                c.tree_size,
                c.root
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            ))
            .unwrap_or_else(|| "none".into())
    );
    eprintln!(
        "keep copies of the key-encryption key ({}) and the signing key ({}) apart from this file: \
         without the first the personal data in it cannot be read",
        kek_path(url).display(),
        key_path(url).display()
    );
    copy.db().close().await;
    Ok(ExitCode::SUCCESS)
}
