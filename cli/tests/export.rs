//! Compliance bundles and the Merkle log from the command line: export, both
//! verifiers (Rust `hoso verify-export` and `tools/verify_export.py`) on good and
//! tampered bundles, and `hoso verify` against signed checkpoints.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hoso_ledger::checkpoint::{Body, Signer};
use hoso_tests::{both_backends, Backend, TestDb};

fn key_file(db: &TestDb) -> PathBuf {
    std::env::temp_dir().join(format!(
        "hoso-test-{}.key",
        db.url.len() + std::process::id() as usize + rand_tag()
    ))
}

fn rand_tag() -> usize {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as usize)
        .unwrap_or(0)
}

fn hoso(url: &str, key: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoso"))
        .arg("--database-url")
        .arg(url)
        .arg("--key")
        .arg(key)
        .arg("--kek")
        .arg(key.with_extension("kek"))
        .args(args)
        .output()
        .expect("run hoso")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn python(bundle: &Path, key: &str) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/verify_export.py");
    Command::new("python3")
        .arg(script)
        .arg(bundle)
        .arg(key)
        .output()
        .expect("python3 must be installed (with the `cryptography` package)")
}

/// Both verifiers: (rust accepted, python accepted, outputs).
fn both(url: &str, key_path: &Path, bundle: &Path, public: &str) -> (bool, bool, String) {
    let r = hoso(
        url,
        key_path,
        &[
            "verify-export",
            bundle.to_str().unwrap(),
            "--public-key",
            public,
        ],
    );
    let p = python(bundle, public);
    assert!(
        matches!(r.status.code(), Some(0 | 1)) && matches!(p.status.code(), Some(0 | 1)),
        "a verifier crashed: {} / {}",
        text(&r),
        text(&p)
    );
    (
        r.status.success(),
        p.status.success(),
        format!("rust: {}python: {}", text(&r), text(&p)),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn edit_lines(dir: &Path, f: impl FnOnce(&mut Vec<String>)) {
    let p = dir.join("events.jsonl");
    let mut lines: Vec<String> = std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    f(&mut lines);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
}

both_backends!(
    bundles_verify_and_every_tamper_is_rejected_by_both_verifiers,
    |db: TestDb| async move {
        let key = key_file(&db);
        let out = hoso(&db.url, &key, &["demo", "--cases", "8"]);
        assert!(out.status.success(), "{}", text(&out));
        let public = String::from_utf8(hoso(&db.url, &key, &["key", "show"]).stdout)
            .unwrap()
            .trim()
            .to_string();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let root = std::env::temp_dir().join(format!("hoso_bundles_{}", rand_tag()));
        let all = root.join("all");
        let out = hoso(&db.url, &key, &["export", "--out", all.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(
            both(&db.url, &key, &all, &public),
            (true, true, both(&db.url, &key, &all, &public).2)
        );

        // A case bundle, an officer bundle, a place and a period bundle verify too.
        let ledger = hoso_ledger::Ledger::open(&db.url).await.unwrap();
        let events = ledger.read_after(0, 10_000).await.unwrap();
        ledger.db().close().await;
        let case = events
            .iter()
            .find(|e| e.aggregate_type == "Case")
            .unwrap()
            .aggregate_id
            .clone();
        let meta: serde_json::Value =
            serde_json::from_str(&events[events.len() - 1].metadata).unwrap();
        let officer = meta["actor_id"].as_str().unwrap().to_string();
        for (name, args) in [
            ("case", vec!["--case", case.as_str()]),
            ("officer", vec!["--officer", officer.as_str()]),
            ("place", vec!["--place", "province:42"]),
            ("period", vec!["--from", "2000-01-01", "--to", "2100-01-01"]),
        ] {
            let dir = root.join(name);
            let mut a = vec!["export", "--out", dir.to_str().unwrap()];
            a.extend(args);
            let out = hoso(&db.url, &key, &a);
            assert!(out.status.success(), "{name}: {}", text(&out));
            let (r, p, why) = both(&db.url, &key, &dir, &public);
            assert!(r && p, "{name}: {why}");
            let csv = std::fs::read(dir.join("cases.csv")).unwrap();
            assert!(csv.starts_with("\u{FEFF}case_id,status".as_bytes()));
        }
        let case_lines = std::fs::read_to_string(root.join("case/events.jsonl")).unwrap();
        assert!(
            case_lines.lines().count() >= 1
                && case_lines
                    .lines()
                    .all(|l| l.contains(&format!("\"aggregate_id\":\"{case}\"")))
        );

        let other = Signer::from_seed(&[9; 32]);
        type Tamper = Box<dyn Fn(&Path)>;
        let tampers: Vec<(&str, Tamper)> = vec![
            (
                "an event changed",
                Box::new(|d: &Path| {
                    edit_lines(d, |l| {
                        l[3] = l[3].replacen("\"payload\":\"{", "\"payload\":\"{\\\"x\\\":1,", 1)
                    })
                }),
            ),
            (
                "an event dropped",
                Box::new(|d: &Path| {
                    edit_lines(d, |l| {
                        l.remove(3);
                    })
                }),
            ),
            (
                "an event duplicated",
                Box::new(|d: &Path| {
                    edit_lines(d, |l| {
                        let x = l[3].clone();
                        l.insert(4, x);
                    })
                }),
            ),
            (
                "events reordered",
                Box::new(|d: &Path| edit_lines(d, |l| l.swap(3, 4))),
            ),
            (
                "the newest event dropped",
                Box::new(|d: &Path| {
                    edit_lines(d, |l| {
                        l.pop();
                    })
                }),
            ),
            (
                "a proof altered",
                Box::new(|d: &Path| {
                    edit_lines(d, |l| {
                        let i = l[3].find("\"inclusion_proof\":[\"").unwrap() + 20;
                        let c = if &l[3][i..i + 1] == "0" { "1" } else { "0" };
                        l[3].replace_range(i..i + 1, c);
                    })
                }),
            ),
            ("the checkpoint re-signed by another key", {
                let other = Signer::from_seed(&[9; 32]);
                Box::new(move |d: &Path| {
                    let note = std::fs::read_to_string(d.join("checkpoint.txt")).unwrap();
                    let body = &note[..note.rfind("\n\n").unwrap() + 1];
                    let b = Body::parse(body).unwrap();
                    std::fs::write(d.join("checkpoint.txt"), other.sign_note(&b.text())).unwrap();
                })
            }),
            ("the manifest signature swapped", {
                let other = Signer::from_seed(&[9; 32]);
                Box::new(move |d: &Path| {
                    use base64::Engine;
                    let m = std::fs::read(d.join("manifest.json")).unwrap();
                    let sig =
                        base64::engine::general_purpose::STANDARD.encode(other.sign_manifest(&m));
                    std::fs::write(d.join("manifest.sig"), sig + "\n").unwrap();
                })
            }),
            (
                "a CSV file changed",
                Box::new(|d: &Path| {
                    let mut b = std::fs::read(d.join("events.csv")).unwrap();
                    b.extend_from_slice(b"1,x\r\n");
                    std::fs::write(d.join("events.csv"), b).unwrap();
                }),
            ),
            (
                "a file added",
                Box::new(|d: &Path| std::fs::write(d.join("extra.csv"), "x").unwrap()),
            ),
        ];
        for (i, (what, tamper)) in tampers.iter().enumerate() {
            let dir = root.join(format!("t{i}"));
            copy_dir(&all, &dir);
            tamper(&dir);
            let (r, p, why) = both(&db.url, &key, &dir, &public);
            assert!(!r && !p, "{what} must be rejected by both: {why}");
        }
        // The right bundle with another public key.
        let (r, p, why) = both(&db.url, &key, &all, &other.verifier().to_string());
        assert!(!r && !p, "key swapped must be rejected by both: {why}");

        std::fs::remove_dir_all(&root).ok();
        std::fs::remove_file(&key).ok();
        db.drop_db().await;
    }
);

both_backends!(
    verify_names_cut_off_events_and_altered_checkpoints,
    |db: TestDb| async move {
        let key = key_file(&db);
        let out = hoso(&db.url, &key, &["demo", "--cases", "6"]);
        assert!(out.status.success(), "{}", text(&out));
        let out = hoso(&db.url, &key, &["checkpoint"]);
        assert!(
            out.status.success() && text(&out).contains("— hoso.log/"),
            "{}",
            text(&out)
        );
        let out = hoso(&db.url, &key, &["verify"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(
            text(&out).contains("log: matches 2 checkpoint(s) signed by key"),
            "{}",
            text(&out)
        );

        let ledger = hoso_ledger::Ledger::open(&db.url).await.unwrap();
        let head = ledger.head().await.unwrap();
        ledger.db().close().await;
        db.lift_guard().await;
        db.sql(&format!(
            "DELETE FROM events WHERE position > {n}; UPDATE event_head SET last_position = {n};",
            n = head - 3
        ))
        .await
        .unwrap();
        let out = hoso(&db.url, &key, &["verify"]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let first = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        assert!(
            first.contains(&format!(
                "log has {} events but checkpoint #1 signed {head}: newest events were cut off",
                head - 3
            )),
            "{first}"
        );
        // A checkpoint altered in place: its signature fails.
        let sql = match db.backend {
            Backend::Postgres => "ALTER TABLE checkpoints DISABLE TRIGGER USER",
            Backend::Sqlite => "DROP TRIGGER checkpoints_no_update",
        };
        db.sql(sql).await.unwrap();
        db.sql(
            "UPDATE checkpoints SET note = replace(note, 'hoso.log/', 'hoso.log/x') WHERE id = 2",
        )
        .await
        .unwrap();
        let out = hoso(&db.url, &key, &["verify"]);
        assert!(
            text(&out).contains("checkpoint #2 signature invalid"),
            "{}",
            text(&out)
        );
        std::fs::remove_file(&key).ok();
        db.drop_db().await;
    }
);
