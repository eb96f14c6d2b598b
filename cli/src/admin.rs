//! `hoso admin create-officer` and `hoso admin token`: accounts from the
//! command line, which has database access anyway. The very first administrator
//! is created here (no default password exists anywhere): while no admin
//! account exists, `create-officer --role admin` registers the officer as its
//! own actor; afterwards `--by ADMIN_ID` names the admin who acts.

use std::io::BufRead;
use std::process::ExitCode;

use chrono::NaiveDate;
use hoso_domain::common::{Actor, Role, Unit};

use hoso_service::accounts;
use hoso_service::officers::{create, NewOfficer};
use hoso_service::Service;

#[derive(clap::Subcommand)]
pub enum AdminCommand {
    /// Register an officer through the Officer record and set their password.
    /// The password is read from standard input (one line) or HOSO_PASSWORD.
    CreateOfficer {
        /// Officer id they sign in with, e.g. cb-hatinh-01.
        #[arg(long)]
        id: String,
        /// Full name (họ và tên).
        #[arg(long)]
        name: String,
        /// collaborator, commune_worker, commune_chairman, hotline_operator,
        /// provincial_manager, inspector, admin, system (API tokens only).
        #[arg(long)]
        role: String,
        /// national, province:42 or commune:42:18070.
        #[arg(long)]
        unit: String,
        /// First day in service (default today).
        #[arg(long)]
        active_from: Option<NaiveDate>,
        /// The admin who registers them (not needed for the first admin).
        #[arg(long)]
        by: Option<String>,
    },
    /// Issue an API token to a system account (role system, such as the
    /// Hotline 111 switchboard; never a person), recorded in its chain as
    /// issued by the admin `--by`; printed once, only its hash is kept.
    Token {
        #[arg(long)]
        officer: String,
        #[arg(long, default_value = "api")]
        label: String,
        #[arg(long, default_value_t = 365)]
        days: i64,
        /// The admin who issues it.
        #[arg(long)]
        by: String,
    },
    /// PostgreSQL: run as the owner of the tables (the migrations' user) to
    /// create the application role `hoso serve` then connects as: SELECT and
    /// INSERT only on events, checkpoints and cosignatures (no UPDATE,
    /// DELETE, TRUNCATE, and not the owner, so it cannot disable their
    /// triggers). The password is read from HOSO_APP_PASSWORD (none: for
    /// trust or peer authentication).
    DbSetup {
        #[arg(long, default_value = "hoso_app")]
        app_role: String,
    },
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("HOSO_PASSWORD") {
        if !p.is_empty() {
            return Ok(p);
        }
    }
    eprintln!("password (one line on standard input):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub async fn run(cmd: AdminCommand, url: &str) -> anyhow::Result<ExitCode> {
    let svc = Service::new(crate::log::app(url).await?);
    match cmd {
        AdminCommand::DbSetup { app_role } => {
            let password = std::env::var("HOSO_APP_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty());
            for line in svc
                .ledger()
                .setup_app_role(&app_role, password.as_deref())
                .await?
            {
                println!("{line}");
            }
            println!(
                "hoso serve may now connect as {app_role} (e.g. postgres://{app_role}@HOST/DB); \
                 run hoso admin db-setup again after an upgrade's migrations"
            );
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::CreateOfficer {
            id,
            name,
            role,
            unit,
            active_from,
            by,
        } => {
            let role =
                Role::parse(&role).ok_or_else(|| anyhow::anyhow!("--role {role}: unknown role"))?;
            let unit = Unit::parse_code(&unit).ok_or_else(|| {
                anyhow::anyhow!("--unit {unit}: use national, province:P or commune:P:C")
            })?;
            let actor = match by {
                Some(admin) => acting_admin(&svc, &admin).await?.0,
                None => {
                    if accounts::admin_exists(&svc)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?
                    {
                        anyhow::bail!(
                            "an administrator exists: name the acting admin with --by ADMIN_ID"
                        );
                    }
                    if role != Role::Admin || unit != Unit::National {
                        anyhow::bail!("no administrator exists yet: create one first (--role admin --unit national)");
                    }
                    Actor {
                        officer_id: id.clone(),
                        role: Role::Admin,
                        unit: Unit::National,
                    }
                }
            };
            // A system account signs in with API tokens only.
            let password = if role == Role::System {
                None
            } else {
                Some(read_password()?)
            };
            let new = NewOfficer {
                id: Some(id),
                full_name: name,
                role,
                unit,
                active_from,
                password,
            };
            let id = create(&svc, &actor, new)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "officer {id} registered ({}, {}); they can sign in with POST /api/v1/auth/login",
                role.as_str(),
                unit.code()
            );
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::Token {
            officer,
            label,
            days,
            by,
        } => {
            let (admin, name) = acting_admin(&svc, &by).await?;
            let me = hoso_service::Me::local(admin, name);
            let issued = accounts::create_api_token(&svc, &me, &officer, &label, days)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", issued.token);
            eprintln!(
                "API token {} for {officer} ({label}), expires {}; shown once, only its hash is kept",
                issued.token_id, issued.expires_at
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The active admin named by `--by`, with their name.
async fn acting_admin(svc: &Service, id: &str) -> anyhow::Result<(Actor, String)> {
    let (a, name) = accounts::current_actor(svc, id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .ok_or_else(|| anyhow::anyhow!("--by {id}: no active officer with this id"))?;
    if a.role != Role::Admin {
        anyhow::bail!("--by {id}: not an admin");
    }
    Ok((a, name))
}
