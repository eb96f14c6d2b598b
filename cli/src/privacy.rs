//! `hoso erase`, `hoso retention` and `hoso keys`: the command line of
//! personal data. Each acts as a named national admin (`--by`), like `hoso
//! admin`, so every erasure is an event in that admin's name.

use std::path::PathBuf;
use std::process::ExitCode;

use hoso_domain::privacy::Erasure;
use hoso_service::access::ReadContext;
use hoso_service::retention::{self, Policy};
use hoso_service::{accounts, privacy, Me, Service};

#[derive(clap::Subcommand, Debug)]
pub enum EraseCmd {
    /// Erase a child's personal data: the record and every case of the child
    /// keep their steps, who and when; names, birth date, address and every
    /// narrative are gone for good (the child's data key is destroyed).
    Child {
        id: String,
        /// Why (kept, public: it must not name or describe the child).
        #[arg(long)]
        reason: String,
        /// The number of the decision ordering it.
        #[arg(long)]
        decision_ref: String,
        /// The national admin who orders it.
        #[arg(long)]
        by: String,
    },
    /// Erase a deactivated officer's personal data (name, reasons).
    Officer {
        id: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        decision_ref: String,
        #[arg(long)]
        by: String,
    },
}

#[derive(clap::Args, Debug)]
pub struct RetentionArgs {
    /// List who is due and why; nothing is changed (the default).
    #[arg(long, conflicts_with = "apply")]
    pub dry_run: bool,
    /// Erase the personal data of every child that is due.
    #[arg(long, requires = "by")]
    pub apply: bool,
    /// A policy file instead of the one compiled in (data/retention.json).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// The national admin who applies it.
    #[arg(long)]
    pub by: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum KeysCmd {
    /// Re-wrap every data key under a new key-encryption key (its file is
    /// made, mode 0600, and must not exist). Then use the new file as --kek.
    RotateKek {
        #[arg(long)]
        new: PathBuf,
    },
}

async fn admin(svc: &Service, id: &str) -> anyhow::Result<Me> {
    let (actor, full_name) = accounts::current_actor(svc, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("--by {id}: no active officer with this id"))?;
    Ok(Me::local(actor, full_name))
}

pub async fn erase(cmd: EraseCmd, url: &str) -> anyhow::Result<ExitCode> {
    let svc = Service::new(crate::log::app(url).await?);
    let ctx = ReadContext {
        reason: Some("erasure from the command line".into()),
        ..ReadContext::default()
    };
    match cmd {
        EraseCmd::Child {
            id,
            reason,
            decision_ref,
            by,
        } => {
            let me = admin(&svc, &by).await?;
            privacy::erase_child(
                &svc,
                &me,
                &ctx,
                &id,
                Erasure {
                    reason,
                    decision_ref,
                },
            )
            .await?;
            println!("erase: the personal data of child {id} is erased (its data key destroyed)");
        }
        EraseCmd::Officer {
            id,
            reason,
            decision_ref,
            by,
        } => {
            let me = admin(&svc, &by).await?;
            privacy::erase_officer(
                &svc,
                &me,
                &ctx,
                &id,
                Erasure {
                    reason,
                    decision_ref,
                },
            )
            .await?;
            println!("erase: the personal data of officer {id} is erased (its data key destroyed)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn retention(args: RetentionArgs, url: &str) -> anyhow::Result<ExitCode> {
    let text = match &args.policy {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| anyhow::anyhow!("--policy {}: {e}", p.display()))?,
        None => retention::DEFAULT_POLICY.to_string(),
    };
    let policy = Policy::parse(&text)?;
    let svc = Service::new(crate::log::app(url).await?);
    let due = retention::due(&svc, &policy, hoso_service::now()).await?;
    for d in &due {
        println!(
            "retention: child {} due since {} (rule {}): {}",
            d.child_id, d.due_since, d.rule, d.reason
        );
    }
    if !args.apply {
        println!(
            "retention: {} child(ren) due under policy {}{}",
            due.len(),
            policy.version,
            if due.is_empty() {
                ""
            } else {
                "; run with --apply --by ADMIN to erase them"
            }
        );
        return Ok(ExitCode::SUCCESS);
    }
    let me = admin(&svc, args.by.as_deref().unwrap_or_default()).await?;
    let n = retention::apply(&svc, &me, &policy, &due).await?;
    println!("retention: erased the personal data of {n} child(ren)");
    Ok(ExitCode::SUCCESS)
}

pub async fn keys(cmd: KeysCmd, url: &str) -> anyhow::Result<ExitCode> {
    match cmd {
        KeysCmd::RotateKek { new } => {
            if new.exists() {
                anyhow::bail!(
                    "--new {}: exists already; give a path for the new key",
                    new.display()
                );
            }
            let ledger = privacy::open_ledger(url, &crate::log::kek_path(url)).await?;
            let kek = hoso_ledger::keys::Kek::create(&new)?;
            let keys = ledger
                .keys()
                .ok_or_else(|| anyhow::anyhow!("the store has no data keys"))?;
            let n = keys.rewrap(ledger.db(), &kek).await?;
            println!(
                "keys: {n} data key(s) re-wrapped under key-encryption key {} in {}; use it as --kek from now on and destroy the old one",
                kek.id(),
                new.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
