//! The `hoso` program as a person runs it: demo data, verify, tampering done
//! directly in SQL, serve on the default store.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};

use hoso_tests::{both_backends, Backend, TestDb};
use sqlx::{Connection, Row};

/// One key-encryption key per test store, outside the source tree.
fn kek_of(url: &str) -> std::path::PathBuf {
    let name: String = url
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    std::env::temp_dir().join(format!("{name}.kek"))
}

fn hoso(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoso"))
        .arg("--database-url")
        .arg(url)
        // Not in the working directory (the crate's source) on PostgreSQL.
        .env(
            "HOSO_SIGNING_KEY",
            std::env::temp_dir().join("hoso-test-signing.key"),
        )
        .env("HOSO_KEK_FILE", kek_of(url))
        .args(args)
        .output()
        .expect("run hoso")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

async fn demo_db(db: TestDb) -> TestDb {
    let out = hoso(&db.url, &["demo", "--cases", "16"]);
    assert!(
        out.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = hoso(&db.url, &["verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).starts_with("verify: intact:"),
        "{}",
        stdout(&out)
    );
    db
}

/// A case with at least five events, and the positions of its events by sequence.
async fn long_case(db: &TestDb) -> (String, Vec<i64>) {
    let sql = "SELECT aggregate_id FROM events WHERE aggregate_type = 'Case' \
               GROUP BY aggregate_id HAVING count(*) >= 5 ORDER BY aggregate_id LIMIT 1";
    let positions_sql =
        "SELECT position FROM events WHERE aggregate_type = 'Case' AND aggregate_id = ";
    let (id, positions): (String, Vec<i64>) = match db.backend {
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
            let id: String = sqlx::query(sql).fetch_one(&mut c).await.unwrap().get(0);
            let rows = sqlx::query(&format!("{positions_sql}'{id}' ORDER BY sequence"))
                .fetch_all(&mut c)
                .await
                .unwrap();
            (id, rows.iter().map(|r| r.get(0)).collect())
        }
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            let id: String = sqlx::query(sql).fetch_one(&mut c).await.unwrap().get(0);
            let rows = sqlx::query(&format!("{positions_sql}'{id}' ORDER BY sequence"))
                .fetch_all(&mut c)
                .await
                .unwrap();
            (id, rows.iter().map(|r| r.get(0)).collect())
        }
    };
    (id, positions)
}

fn assert_broken_at(db: &TestDb, case: &str, sequence: i64) {
    let out = hoso(&db.url, &["verify"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "verify must fail: {text}");
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.contains(&format!("Case {case} sequence {sequence}")),
        "first line must name Case {case} sequence {sequence}: {first}"
    );
}

both_backends!(
    demo_then_verify_then_a_changed_payload_byte,
    |db: TestDb| async move {
        let db = demo_db(db).await;
        let (case, pos) = long_case(&db).await;
        db.lift_guard().await;
        // One byte: the first "a" of the payload becomes "b".
        let sql = match db.backend {
        Backend::Postgres => format!(
            "UPDATE events SET payload = overlay(payload placing 'b' from strpos(payload, 'a') for 1) WHERE position = {}",
            pos[2]
        ),
        Backend::Sqlite => format!(
            "UPDATE events SET payload = substr(payload, 1, instr(payload, 'a') - 1) || 'b' || substr(payload, instr(payload, 'a') + 1) WHERE position = {}",
            pos[2]
        ),
    };
        db.sql(&sql).await.unwrap();
        assert_broken_at(&db, &case, 3);
        db.drop_db().await;
    }
);

both_backends!(
    an_event_deleted_from_the_middle_of_a_case,
    |db: TestDb| async move {
        let db = demo_db(db).await;
        let (case, pos) = long_case(&db).await;
        db.lift_guard().await;
        db.sql(&format!("DELETE FROM events WHERE position = {}", pos[2]))
            .await
            .unwrap();
        assert_broken_at(&db, &case, 4);
        db.drop_db().await;
    }
);

both_backends!(two_events_of_a_case_swapped, |db: TestDb| async move {
    let db = demo_db(db).await;
    let (case, pos) = long_case(&db).await;
    db.lift_guard().await;
    db.sql(&format!(
        "UPDATE events SET sequence = 1000000 WHERE position = {a}; \
         UPDATE events SET sequence = 2 WHERE position = {b}; \
         UPDATE events SET sequence = 3 WHERE position = {a};",
        a = pos[1],
        b = pos[2]
    ))
    .await
    .unwrap();
    let out = hoso(&db.url, &["verify"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.lines()
            .next()
            .unwrap_or_default()
            .contains(&format!("Case {case} sequence")),
        "{text}"
    );
    db.drop_db().await;
});

both_backends!(
    a_forged_event_inserted_between_two_others,
    |db: TestDb| async move {
        let db = demo_db(db).await;
        let (case, _) = long_case(&db).await;
        let ledger = hoso_ledger::Ledger::open(&db.url).await.unwrap();
        let events = ledger.events_of("Case", &case, 0).await.unwrap();
        let head = ledger.head().await.unwrap();
        ledger.db().close().await;
        // A forged sequence 3 chained correctly onto sequence 2; later events moved up.
        let payload =
            r#"{"at":"2025-01-01T00:00:00Z","kind":"note","text":"forged","type":"note_added"}"#;
        let metadata = &events[2].metadata;
        let prev: [u8; 32] = events[1].hash.clone().try_into().unwrap();
        let hash = hoso_ledger::encoding::event_hash(
            &prev,
            &hoso_ledger::encoding::RecordRef {
                aggregate_type: "Case",
                aggregate_id: &case,
                sequence: 3,
                event_type: "NoteAdded",
                event_version: "1",
                payload,
                metadata,
                // The row below is inserted without a format: the table's default, 1.
                format: 1,
                sealed: "",
            },
        );
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let blob = |b: &[u8]| match db.backend {
            Backend::Postgres => format!("'\\x{}'::bytea", hex(b)),
            Backend::Sqlite => format!("X'{}'", hex(b)),
        };
        db.lift_guard().await;
        db.sql(&format!(
        "UPDATE events SET sequence = sequence + 1000 WHERE aggregate_type = 'Case' AND aggregate_id = '{case}' AND sequence >= 3; \
         UPDATE events SET sequence = sequence - 999 WHERE aggregate_type = 'Case' AND aggregate_id = '{case}' AND sequence > 1000; \
         INSERT INTO events (position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, prev_hash, hash) \
         VALUES ({p}, 'Case', '{case}', 3, 'NoteAdded', '1', '{payload}', '{metadata}', {prev}, {hash}); \
         UPDATE event_head SET last_position = {p};",
        p = head + 1,
        prev = blob(&prev),
        hash = blob(&hash),
    ))
    .await
    .unwrap();
        assert_broken_at(&db, &case, 4);
        db.drop_db().await;
    }
);

both_backends!(plain_update_and_delete_fail, |db: TestDb| async move {
    let db = demo_db(db).await;
    assert!(db
        .sql("UPDATE events SET event_type = 'X' WHERE position = 1")
        .await
        .is_err());
    assert!(db
        .sql("DELETE FROM events WHERE position = 1")
        .await
        .is_err());
    let out = hoso(&db.url, &["verify"]);
    assert_eq!(out.status.code(), Some(0));
    db.drop_db().await;
});

/// `hoso serve` on 127.0.0.1:0 in `dir` with nothing configured (the
/// default SQLite file there); the running child and its first line.
fn serve_in(dir: &std::path::Path) -> (std::process::Child, String) {
    serve_with(dir, &[])
}

/// `serve_in` with more arguments.
fn serve_with(dir: &std::path::Path, more: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(more)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

#[test]
fn serve_starts_on_the_default_sqlite_file_with_nothing_configured() {
    let dir = std::env::temp_dir().join(format!("hoso_serve_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut child, line) = serve_in(&dir);
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains(r#""backend":"sqlite""#), "{resp}");
    assert!(
        dir.join("hoso.db").exists(),
        "hoso.db created in the working directory"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A PostgreSQL URL as libpq's tools take it (without sqlx's own parameters).
fn libpq(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

// Backups: a checkpoint is kept outside the store first; then `hoso backup`
// (SQLite: a consistent copy that verifies on its own, never over an existing
// file) or `pg_dump -Fc` / `pg_restore` into an empty database (PostgreSQL,
// as docs/security.md says; `hoso backup` points there). The restored store
// verifies with `--checkpoint KEPT`: it holds the history that was signed.
// A checkpoint of a longer history than the backup's is refused.
both_backends!(backup_copies_the_same_history, |db: TestDb| async move {
    let db = demo_db(db).await;
    let tmp = std::env::temp_dir().join(format!("hoso_backup_{}_{}", std::process::id(), db.name));
    std::fs::create_dir_all(&tmp).unwrap();
    let kept = tmp.join("kept.checkpoint");
    let o = hoso(&db.url, &["checkpoint"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(&kept, &o.stdout).unwrap();

    let out = tmp.join("backup.db");
    let o = hoso(&db.url, &["backup", "--out", out.to_str().unwrap()]);
    let (restored_url, restored) = if db.backend == Backend::Postgres {
        assert!(!o.status.success());
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("pg_dump"),
            "{o:?}"
        );
        let dump = tmp.join("hoso.dump");
        let o = Command::new("pg_dump")
            .args(["-Fc", "--no-owner", "-f"])
            .arg(&dump)
            .arg(libpq(&db.url))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let target = TestDb::new(Backend::Postgres).await.unwrap();
        let o = Command::new("pg_restore")
            .args(["--no-owner", "--exit-on-error", "-d"])
            .arg(libpq(&target.url))
            .arg(&dump)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (target.url.clone(), Some(target))
    } else {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(
            stdout(&o).contains("verified; newest checkpoint"),
            "{}",
            stdout(&o)
        );
        // Never over an existing file.
        let again = hoso(&db.url, &["backup", "--out", out.to_str().unwrap()]);
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
        (format!("sqlite://{}", out.display()), None)
    };
    // The key-encryption key travels apart from the backup.
    std::fs::copy(kek_of(&db.url), kek_of(&restored_url)).unwrap();

    let live = stdout(&hoso(&db.url, &["verify"]));
    let check = hoso(
        &restored_url,
        &["verify", "--checkpoint", kept.to_str().unwrap()],
    );
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let events = |s: &str| {
        s.split(" events")
            .next()
            .unwrap()
            .rsplit(' ')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        events(&live),
        events(&stdout(&check)),
        "{live} / {}",
        stdout(&check)
    );

    // The live store grows and signs again; the backup does not hold that.
    let o = hoso(&db.url, &["demo", "--cases", "2", "--seed", "7"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let newer = tmp.join("newer.checkpoint");
    let o = hoso(&db.url, &["checkpoint"]);
    std::fs::write(&newer, &o.stdout).unwrap();
    let check = hoso(
        &restored_url,
        &["verify", "--checkpoint", newer.to_str().unwrap()],
    );
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));

    let _ = std::fs::remove_dir_all(&tmp);
    let _ = std::fs::remove_file(kek_of(&restored_url));
    if let Some(r) = restored {
        r.drop_db().await;
    }
    db.drop_db().await;
});

// `hoso serve --tls-cert --tls-key`: HTTPS with the given certificate (the
// client trusts only it), HSTS on every answer; plain HTTP on that port gets
// no page; a key that cannot be read stops the start with a clear message.
#[test]
fn serve_speaks_tls_with_the_given_certificate() {
    let dir = std::env::temp_dir().join(format!("hoso_tls_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.key_pair.serialize_pem()).unwrap();

    let bad = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert)
        .arg("--tls-key")
        .arg(dir.join("missing.pem"))
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(said.contains("private key"), "{said}");

    let (mut child, line) = serve_with(
        &dir,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let addr: std::net::SocketAddr = line
        .split("https://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no https address in {line:?}"))
        .parse()
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (status, hsts, untrusted) = rt.block_on(async {
        let trusted = reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(made.cert.pem().as_bytes()).unwrap(),
            )
            .resolve("localhost", addr)
            .build()
            .unwrap();
        let url = format!("https://localhost:{}/health", addr.port());
        let r = trusted.get(&url).send().await.unwrap();
        let hsts = r
            .headers()
            .get("strict-transport-security")
            .map(|v| v.to_str().unwrap().to_string());
        // A client that does not know the certificate refuses it.
        let untrusted = reqwest::Client::builder()
            .resolve("localhost", addr)
            .build()
            .unwrap()
            .get(&url)
            .send()
            .await;
        (r.status(), hsts, untrusted.is_err())
    });
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut plain = Vec::new();
    let _ = s.read_to_end(&mut plain);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, 200);
    assert!(
        hsts.as_deref().is_some_and(|h| h.contains("max-age=")),
        "{hsts:?}"
    );
    assert!(untrusted, "an unknown certificate was accepted");
    assert!(
        !String::from_utf8_lossy(&plain).contains("200 OK"),
        "plain HTTP was served on the TLS port"
    );
    std::fs::remove_dir_all(&dir).ok();
}

// SIGTERM (what systemd and container runtimes send): the service stops
// accepting, finishes what is in flight and exits 0.
#[test]
fn serve_stops_cleanly_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("hoso_sigterm_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut child, line) = serve_in(&dir);
    assert!(line.contains("http://"), "{line}");
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "still running 20 s after SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0), "{status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

// PostgreSQL roles: `hoso admin db-setup` as the owner makes the application
// role; the service runs as it (demo, rebuild of the projections, verify),
// and it cannot UPDATE, DELETE, TRUNCATE or disable the triggers of events
// and checkpoints: each attempt is refused with the role's own error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_application_role_cannot_change_history() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let role = format!("hoso_app_t{}_{}", std::process::id(), rand_suffix());
    let o = hoso(&db.url, &["admin", "db-setup", "--app-role", &role]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout(&o).contains("events: SELECT, INSERT"),
        "{}",
        stdout(&o)
    );
    // The same database as the application role (trust authentication here).
    let app_url = db
        .url
        .replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
    assert_ne!(app_url, db.url);
    let kek = kek_of(&db.url);
    let run_as_app = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hoso"))
            .arg("--database-url")
            .arg(&app_url)
            .env(
                "HOSO_SIGNING_KEY",
                std::env::temp_dir().join("hoso-test-signing.key"),
            )
            .env("HOSO_KEK_FILE", &kek)
            .args(args)
            .output()
            .expect("run hoso")
    };
    for args in [
        &["demo", "--cases", "6"][..],
        &["rebuild"][..],
        &["verify"][..],
    ] {
        let o = run_as_app(args);
        assert!(
            o.status.success(),
            "{args:?} as {role}: {} {}",
            stdout(&o),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let mut conn = sqlx::PgConnection::connect(&app_url).await.unwrap();
    for (table, column) in [("events", "aggregate_id"), ("checkpoints", "tree_size")] {
        for (sql, code) in [
            (format!("UPDATE {table} SET {column} = {column}"), "42501"),
            (format!("DELETE FROM {table}"), "42501"),
            (format!("TRUNCATE {table}"), "42501"),
            (format!("ALTER TABLE {table} DISABLE TRIGGER ALL"), "42501"),
        ] {
            let e = sqlx::query(&sql).execute(&mut conn).await.unwrap_err();
            let got = e
                .as_database_error()
                .and_then(|d| d.code())
                .map(|c| c.to_string());
            assert_eq!(got.as_deref(), Some(code), "{sql}: {e}");
        }
    }
    conn.close().await.unwrap();
    // Leave no role behind in the cluster.
    db.sql(&format!(
        "REASSIGN OWNED BY {role} TO postgres; DROP OWNED BY {role}; DROP ROLE {role}"
    ))
    .await
    .unwrap();
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
}
