//! `hoso admin create-officer` and `hoso admin token`: accounts from the
//! command line, which has database access anyway. The very first administrator
//! is created here (no default password exists anywhere): while no admin
//! account exists, `create-officer --role admin` registers the officer as its
//! own actor; afterwards `--by ADMIN_ID` names the admin who acts.

use std::io::BufRead;
use std::process::ExitCode;

use chrono::{Duration, NaiveDate};
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
        /// provincial_manager, inspector, admin.
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
    /// Issue an API token (for a system such as the Hotline 111 switchboard)
    /// acting as an officer; printed once, only its hash is kept.
    Token {
        #[arg(long)]
        officer: String,
        #[arg(long, default_value = "api")]
        label: String,
        #[arg(long, default_value_t = 365)]
        days: i64,
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
                Some(admin) => {
                    let (a, _) = accounts::current_actor(&svc, &admin)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?
                        .ok_or_else(|| {
                            anyhow::anyhow!("--by {admin}: no active officer with this id")
                        })?;
                    if a.role != Role::Admin {
                        anyhow::bail!("--by {admin}: not an admin");
                    }
                    a
                }
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
            let password = read_password()?;
            let new = NewOfficer {
                id: Some(id),
                full_name: name,
                role,
                unit,
                active_from,
                password: Some(password),
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
        } => {
            if !(1..=730).contains(&days) {
                anyhow::bail!("--days: from 1 to 730");
            }
            if accounts::current_actor(&svc, &officer)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .is_none()
            {
                anyhow::bail!("no registered, active officer {officer}");
            }
            let (token, expires) =
                accounts::issue_token(&svc, &officer, "api", &label, Duration::days(days))
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{token}");
            eprintln!("API token for {officer} ({label}), expires {expires}; shown once, only its hash is kept");
            Ok(ExitCode::SUCCESS)
        }
    }
}
