//! No personal field in any log line: the server's log (as a deployment writes
//! it, to a file) after a demo and an HTTP walk of one child and one case holds
//! none of the child's name, birth date or the case's narrative, nor a demo
//! child's name.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use hoso_domain::child::Child;
use hoso_service::App;
use hoso_tests::{both_backends, TestDb};
use serde_json::{json, Value};

const NAME: &str = "Trương Thị Mỹ Duyên";
const DOB: &str = "2015-08-19";
const STORY: &str = "vết bầm tím trên cánh tay trái";
const PW: &str = "mật-khẩu-rất-dài-1";

fn hoso(db: &TestDb, dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hoso"));
    c.arg("--database-url")
        .arg(&db.url)
        .arg("--key")
        .arg(dir.join("signing.key"))
        .env("HOSO_KEK_FILE", db.kek_path())
        .env_remove("RUST_LOG");
    c
}

both_backends!(logs_hold_no_personal_data, |db: TestDb| async move {
    let dir = std::env::temp_dir().join(format!("hoso-logs-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("server.log");
    let demo = hoso(&db, &dir)
        .args(["demo", "--cases", "12"])
        .output()
        .unwrap();
    assert!(demo.status.success());
    for (id, role, unit) in [
        ("admin-1", "admin", "national"),
        ("cb-1", "commune_worker", "commune:42:18754"),
    ] {
        let mut c = hoso(&db, &dir);
        c.args([
            "admin",
            "create-officer",
            "--id",
            id,
            "--name",
            "Cán bộ",
            "--role",
            role,
            "--unit",
            unit,
        ]);
        if id != "admin-1" {
            c.args(["--by", "admin-1"]);
        }
        let o = c.env("HOSO_PASSWORD", PW).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let mut server = hoso(&db, &dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = format!(
        "http://{}/api/v1",
        line.split("http://")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
    );
    let http = reqwest::Client::new();
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut r = http.post(format!("{base}{path}")).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let login: Value = post(
        "/auth/login",
        None,
        json!({"officer_id": "cb-1", "password": PW}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let token = login["token"].as_str().unwrap().to_string();
    let commune = json!({"structure": "2025", "province": 42, "commune": 18754});
    let child: Value = post(
        "/children",
        Some(&token),
        json!({"full_name": NAME, "date_of_birth": DOB, "sex": "female", "ethnicity": "Kinh",
               "address": {"commune": commune, "detail": "Thôn 3"}}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let child_id = child["child_id"].as_str().unwrap().to_string();
    let case: Value = post(
        "/cases",
        Some(&token),
        json!({"child_id": child_id, "date_of_birth": DOB, "commune": commune, "source": "school",
               "description": STORY, "harm_types": ["violence"],
               "received_at": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339()}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let case_id = case["case_id"].as_str().unwrap().to_string();
    // A refused command names a field; reads are logged as accesses.
    let bad = post(
        &format!("/cases/{case_id}/actions"),
        Some(&token),
        json!({"type": "add_note", "kind": "note", "text": ""}),
    )
    .await
    .unwrap();
    assert!(bad.status().is_client_error());
    for path in [
        format!("/cases/{case_id}"),
        format!("/cases/{case_id}/timeline"),
        format!("/children/{child_id}"),
    ] {
        let r = http
            .get(format!("{base}{path}?reason=th%C4%83m%20nh%C3%A0"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}");
    }
    server.kill().unwrap();
    server.wait().unwrap();

    // A demo child's name, from the store.
    let app = App::open_with(&db.url, &db.kek_path()).await.unwrap();
    let demo_child = app
        .ledger
        .read_after(0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.aggregate_type == "Child")
        .unwrap();
    let demo_name = app
        .load::<Child>(&demo_child.aggregate_id)
        .await
        .unwrap()
        .full_name;
    app.ledger.db().close().await;
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("answered"),
        "the log has request lines: {text}"
    );
    for needle in [NAME, DOB, STORY, "Thôn 3", demo_name.as_str(), "thăm nhà"] {
        assert!(!text.contains(needle), "{needle} in the log:\n{text}");
    }
    let demo_out = format!(
        "{}{}",
        String::from_utf8_lossy(&demo.stdout),
        String::from_utf8_lossy(&demo.stderr)
    );
    assert!(!demo_out.contains(demo_name.as_str()), "{demo_out}");
    let _ = std::fs::remove_dir_all(&dir);
    db.drop_db().await;
});
