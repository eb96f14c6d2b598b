//! PostgreSQL roles (`hoso admin db-setup`): the owner (who runs the
//! migrations and owns the ledger's tables and triggers) and an application
//! role for `hoso serve`, which may only read and append to `events`,
//! `checkpoints` and `cosignatures`. UPDATE, DELETE and TRUNCATE on them are
//! not granted, and only a table's owner may ALTER it (disable its triggers),
//! so the service's own account cannot rewrite or remove history.
//!
//! The application role may create tables in the schema: the projections
//! (disposable, rebuilt from events) are made and swapped by the service and
//! belong to it. Every other table gets exactly what the service does to it.

use crate::store::{Db, Ledger};
use crate::LedgerError;

/// Tables and what the application role may do on each.
const GRANTS: &[(&str, &str)] = &[
    ("events", "SELECT, INSERT"),
    ("checkpoints", "SELECT, INSERT"),
    ("cosignatures", "SELECT, INSERT"),
    // The writer moves the head row in the transaction of the events.
    ("event_head", "SELECT, UPDATE"),
    ("_sqlx_migrations", "SELECT"),
    ("kek_check", "SELECT"),
    // The one table where a row may be destroyed (erasure).
    ("data_keys", "SELECT, INSERT, UPDATE, DELETE"),
    ("erased_subjects", "SELECT, INSERT"),
    ("files", "SELECT, INSERT, DELETE"),
    ("accounts", "SELECT, INSERT, UPDATE"),
    ("auth_tokens", "SELECT, INSERT, UPDATE"),
    ("idempotency", "SELECT, INSERT, UPDATE, DELETE"),
];

/// A role name as PostgreSQL takes it unquoted: lower-case letters, digits
/// and `_`, starting with a letter, at most 63 bytes.
fn check_name(role: &str) -> Result<(), LedgerError> {
    let ok = !role.is_empty()
        && role.len() <= 63
        && role.starts_with(|c: char| c.is_ascii_lowercase())
        && role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(LedgerError::Url(format!(
            "role name {role:?}: lower-case letters, digits and _, starting with a letter"
        )))
    }
}

impl Ledger {
    /// Creates (or updates) the application role `role` with `password` (none
    /// for trust or peer authentication) and grants it what `hoso serve`
    /// needs, nothing more. Run by the owner of the tables, after the
    /// migrations (`Ledger::open` ran them). Projection tables the owner made
    /// earlier are handed to the role. PostgreSQL only.
    pub async fn setup_app_role(
        &self,
        role: &str,
        password: Option<&str>,
    ) -> Result<Vec<String>, LedgerError> {
        check_name(role)?;
        let Db::Postgres(pool) = self.db() else {
            return Err(LedgerError::Url(
                "database roles are for PostgreSQL; the embedded store is a file of the service's own user".into(),
            ));
        };
        let mut done = Vec::new();
        let mut tx = pool.begin().await?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                .bind(role)
                .fetch_one(&mut *tx)
                .await?;
        let pw = password
            .map(|p| format!(" PASSWORD '{}'", p.replace('\'', "''")))
            .unwrap_or_default();
        let verb = if exists { "ALTER" } else { "CREATE" };
        sqlx::query(&format!(
            "{verb} ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS{pw}"
        ))
        .execute(&mut *tx)
        .await?;
        done.push(format!("{} role {role}", verb.to_lowercase()));
        let database: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&mut *tx)
            .await?;
        for sql in [
            format!("GRANT CONNECT ON DATABASE \"{database}\" TO {role}"),
            format!("GRANT USAGE, CREATE ON SCHEMA public TO {role}"),
            // Whatever was granted before: never a change to history.
            format!(
                "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER \
                 ON events, checkpoints, cosignatures FROM {role}"
            ),
        ] {
            sqlx::query(&sql).execute(&mut *tx).await?;
        }
        for (table, privileges) in GRANTS {
            sqlx::query(&format!("GRANT {privileges} ON {table} TO {role}"))
                .execute(&mut *tx)
                .await?;
            done.push(format!("{table}: {privileges}"));
        }
        sqlx::query(&format!(
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"
        ))
        .execute(&mut *tx)
        .await?;
        // Projection tables made by the owner before: the role's from now on.
        let mine: Vec<String> = GRANTS.iter().map(|(t, _)| t.to_string()).collect();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' \
             AND (tablename LIKE 'p%\\_%' ESCAPE '\\' OR tablename LIKE 'projection\\_%' ESCAPE '\\')",
        )
        .fetch_all(&mut *tx)
        .await?;
        for t in tables.into_iter().filter(|t| !mine.contains(t)) {
            sqlx::query(&format!("ALTER TABLE \"{t}\" OWNER TO {role}"))
                .execute(&mut *tx)
                .await?;
            done.push(format!("{t}: owned by {role} (a projection)"));
        }
        tx.commit().await?;
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn role_names_are_plain_identifiers() {
        assert!(check_name("hoso_app").is_ok());
        assert!(check_name("hoso_app2").is_ok());
        for bad in [
            "",
            "Hoso",
            "2hoso",
            "hoso-app",
            "hoso; DROP TABLE events",
            "hoso app",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
