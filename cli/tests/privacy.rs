//! Children's personal data on both backends, through the real command path
//! and the `hoso` program: after a demo and the erasure of one child with
//! three cases, the child's name and birth date are nowhere in the database
//! files (SQLite main file and WAL; a `pg_dump` of PostgreSQL), in no read
//! model and in no new export; every chain, the Merkle log and a checkpoint
//! kept from before still verify; a rebuild equals the live read models. A
//! missing or wrong key-encryption key stops the service before it writes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{Duration, Utc};
use hoso_domain::case::{Intake, IntakeSource};
use hoso_domain::child::Child;
use hoso_domain::common::{Actor, HarmType, Role, Structure, Unit};
use hoso_domain::privacy::Erasure;
use hoso_service::access::ReadContext;
use hoso_service::officers::NewOfficer;
use hoso_service::{attachments, cases, officers, privacy, App, Me, Service};
use hoso_tests::{both_backends, Backend, TestDb};

fn hoso(db: &TestDb, key: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoso"))
        .arg("--database-url")
        .arg(&db.url)
        .arg("--key")
        .arg(key)
        .env("HOSO_KEK_FILE", db.kek_path())
        .args(args)
        .output()
        .expect("run hoso")
}

fn ok(o: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{text}");
    text
}

fn me(id: &str, role: Role, unit: Unit) -> Me {
    Me::local(
        Actor {
            officer_id: id.into(),
            role,
            unit,
        },
        id.into(),
    )
}

/// Every occurrence of `needle` in the files at `paths`.
fn found_in_files(paths: &[PathBuf], needle: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in paths {
        if let Ok(bytes) = std::fs::read(p) {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

/// The database's bytes as a file could show them: the SQLite files, or a
/// plain `pg_dump` of the PostgreSQL database.
fn database_dump(db: &TestDb, dir: &Path) -> Vec<PathBuf> {
    match db.backend {
        Backend::Sqlite => {
            let file = db.url.trim_start_matches("sqlite://").to_string();
            ["", "-wal", "-shm"]
                .iter()
                .map(|s| PathBuf::from(format!("{file}{s}")))
                .collect()
        }
        Backend::Postgres => {
            let out = dir.join("dump.sql");
            let o = Command::new("pg_dump")
                .arg("--no-owner")
                .arg("--file")
                .arg(&out)
                // The URL without sqlx's own query parameters.
                .arg(db.url.split('?').next().unwrap())
                .output()
                .expect("pg_dump");
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            vec![out]
        }
    }
}

both_backends!(
    an_erased_child_is_nowhere_and_history_still_verifies,
    |db: TestDb| async move {
        let dir = std::env::temp_dir().join(format!("hoso-privacy-{}", rand::random::<u32>()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("signing.key");
        ok(&hoso(&db, &key, &["demo", "--cases", "60"]));

        let app = App::open_with(&db.url, &db.kek_path()).await.unwrap();
        let svc = Service::new(app);
        // A child of the demo, and two more cases for them (three in all).
        // (A child of today's communes, so that the commune's worker takes
        // the new intakes.)
        let mut child_id = None;
        for e in svc.ledger().read_after(0, 1_000_000).await.unwrap() {
            if e.aggregate_type == "Case" && e.event_type == "IntakeRecorded" {
                let intake: serde_json::Value = serde_json::from_str(&e.payload).unwrap();
                let id = intake["child_id"].as_str().unwrap().to_string();
                let c: Child = svc.app.load(&id).await.unwrap();
                if c.commune().is_some_and(|c| c.structure == Structure::Y2025) {
                    child_id = Some(id);
                    break;
                }
            }
        }
        let child_id = child_id.expect("a demo child of a 2025 commune");
        let child: Child = svc.app.load(&child_id).await.unwrap();
        let name = child.full_name.clone();
        let dob = child.date_of_birth.unwrap();
        let commune = child.commune().unwrap();
        assert!(!name.is_empty());
        // The commune's own worker (a Hotline 111 operator names only
        // children it registered or took in).
        let worker = me(
            "cb-privacy",
            Role::CommuneWorker,
            Unit::Commune {
                province: commune.province,
                commune: commune.commune,
            },
        );
        let mut opened = Vec::new();
        for text in ["Hàng xóm báo tin lần hai.", "Nhà trường báo tin lần ba."] {
            let case = cases::intake(
                &svc,
                &worker,
                Intake {
                    child_id: child_id.clone(),
                    date_of_birth: dob,
                    commune,
                    source: IntakeSource::School,
                    source_description: None,
                    reporter: None,
                    description: text.into(),
                    harm_types: vec![HarmType::Neglect],
                    received_at: Utc::now() - Duration::hours(1),
                    responsible_worker: None,
                },
            )
            .await
            .unwrap();
            opened.push(case.case_id);
        }
        // A scanned minute attached to a case of theirs. (Its bytes are not
        // yet looked for in the SQLite file: a deleted row's page can stay in
        // the file there; the row itself is gone, checked below.)
        let minute = "Biên bản xác minh tại nhà của trẻ.".to_string();
        attachments::upload(
            &svc,
            &worker,
            &opened[0],
            attachments::Upload {
                file_name: "bien-ban.txt".into(),
                media_type: "text/plain".into(),
                bytes: minute.clone().into_bytes(),
                description: "Biên bản xác minh".into(),
            },
        )
        .await
        .unwrap();
        let sha = hoso_service::files::digest(minute.as_bytes());
        assert!(hoso_service::files::get(&svc, &sha)
            .await
            .unwrap()
            .is_some());
        let kept = hoso(&db, &key, &["checkpoint"]);
        ok(&kept);
        let kept_file = dir.join("kept-checkpoint.txt");
        std::fs::write(&kept_file, &kept.stdout).unwrap();

        // The first admin, then the erasure in their name.
        let admin = Actor {
            officer_id: "admin-1".into(),
            role: Role::Admin,
            unit: Unit::National,
        };
        officers::create(
            &svc,
            &admin,
            NewOfficer {
                id: Some("admin-1".into()),
                full_name: "Quản trị viên".into(),
                role: Role::Admin,
                unit: Unit::National,
                active_from: None,
                password: None,
            },
        )
        .await
        .unwrap();
        let order = Erasure {
            reason: "Quyết định của Tòa án".into(),
            decision_ref: "123/2026/QĐ-TA".into(),
        };
        // Only a national admin may erase.
        assert!(privacy::erase_child(
            &svc,
            &worker,
            &ReadContext::default(),
            &child_id,
            order.clone()
        )
        .await
        .is_err());
        privacy::erase_child(
            &svc,
            &me("admin-1", Role::Admin, Unit::National),
            &ReadContext::default(),
            &child_id,
            order,
        )
        .await
        .unwrap();

        // The file went with the child's key; the case still names its digest.
        assert!(hoso_service::files::get(&svc, &sha)
            .await
            .unwrap()
            .is_none());
        let download =
            attachments::download(&svc, &worker, &ReadContext::default(), &opened[0], &sha).await;
        assert!(
            matches!(download, Err(hoso_service::Error::NotFound(_))),
            "{download:?}"
        );

        // Everything still verifies, also against the checkpoint kept from before.
        ok(&hoso(
            &db,
            &key,
            &["verify", "--checkpoint", kept_file.to_str().unwrap()],
        ));
        let rebuilt = ok(&hoso(&db, &key, &["rebuild", "--check"]));
        assert!(rebuilt.contains("equal to a fresh rebuild"), "{rebuilt}");

        // The child's record: every step kept, the personal fields gone.
        let after: Child = svc.app.load(&child_id).await.unwrap();
        assert!(after.erased && after.full_name.is_empty() && after.date_of_birth.is_none());
        let cases_of: Vec<_> = svc
            .ledger()
            .read_after(0, 1_000_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event_type == "IntakeRecorded" && e.payload.contains(&child_id))
            .collect();
        assert_eq!(cases_of.len(), 3);
        let timeline =
            hoso_projections::history::case_as_of(svc.ledger(), &cases_of[2].aggregate_id, None)
                .await
                .unwrap()
                .unwrap();
        assert_eq!(
            timeline.timeline[0].sealing,
            hoso_ledger::seal::Sealing::Erased
        );
        assert!(!timeline.timeline[0].payload.contains("lần ba"));
        // New commands about the erased child are refused.
        let again = cases::intake(
            &svc,
            &worker,
            Intake {
                child_id: child_id.clone(),
                date_of_birth: dob,
                commune,
                source: IntakeSource::School,
                source_description: None,
                reporter: None,
                description: "x".into(),
                harm_types: vec![HarmType::Neglect],
                received_at: Utc::now() - Duration::hours(1),
                responsible_worker: None,
            },
        )
        .await;
        assert!(again.is_err());

        // A fresh export, redacted and with personal data, verifies offline.
        let public_key = String::from_utf8(hoso(&db, &key, &["key", "show"]).stdout).unwrap();
        let bundle = dir.join("bundle");
        ok(&hoso(
            &db,
            &key,
            &["export", "--out", bundle.to_str().unwrap()],
        ));
        ok(&hoso(
            &db,
            &key,
            &[
                "verify-export",
                bundle.to_str().unwrap(),
                "--public-key",
                public_key.trim(),
            ],
        ));
        let py = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../tools/verify_export.py"
            ))
            .arg(&bundle)
            .arg(public_key.trim())
            .output()
            .unwrap();
        ok(&py);

        // The name and the birth date: nowhere.
        drop(svc);
        let mut files = database_dump(&db, &dir);
        files.extend(
            std::fs::read_dir(&bundle)
                .unwrap()
                .map(|f| f.unwrap().path()),
        );
        for needle in [name.as_str(), &dob.to_string(), "lần ba"] {
            assert_eq!(
                found_in_files(&files, needle),
                Vec::<String>::new(),
                "{needle}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
        db.drop_db().await;
    }
);

both_backends!(
    a_missing_or_wrong_key_encryption_key_stops_the_service,
    |db: TestDb| async move {
        let dir = std::env::temp_dir().join(format!("hoso-kek-{}", rand::random::<u32>()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("signing.key");
        ok(&hoso(&db, &key, &["demo", "--cases", "5"]));
        let head = |url: String| async move {
            let l = hoso_ledger::Ledger::open(&url).await.unwrap();
            let h = l.head().await.unwrap();
            l.db().close().await;
            h
        };
        let before = head(db.url.clone()).await;
        let kek = db.kek_path();
        let moved = kek.with_extension("moved");
        std::fs::rename(&kek, &moved).unwrap();
        let o = hoso(&db, &key, &["demo", "--cases", "2"]);
        assert!(!o.status.success());
        let text = String::from_utf8_lossy(&o.stderr);
        assert!(text.contains("key-encryption key"), "{text}");
        assert!(!kek.exists(), "no new KEK is made for a store that has one");
        std::fs::write(
            &kek,
            "hoso-kek-v1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        )
        .unwrap();
        let o = hoso(&db, &key, &["serve", "--listen", "127.0.0.1:0"]);
        assert!(!o.status.success());
        let text = String::from_utf8_lossy(&o.stderr);
        assert!(text.contains("is not this store's"), "{text}");
        assert_eq!(head(db.url.clone()).await, before, "nothing was written");
        std::fs::rename(&moved, &kek).unwrap();
        ok(&hoso(&db, &key, &["demo", "--cases", "1"]));
        let _ = std::fs::remove_dir_all(&dir);
        db.drop_db().await;
    }
);
