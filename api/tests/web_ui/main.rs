//! The web pages at `/`: over plain HTTP on both backends (sign-in cookie,
//! unit rules, the API's validation messages, Origin check, CSV with BOM,
//! language switch), and end to end in headless Chromium through chromedriver
//! (fantoccini), with screenshots of every page under `target/screenshots/`.
//!
//! The browser test needs /usr/bin/chromium and /usr/bin/chromedriver (Debian's
//! `chromium` and `chromium-driver`; `HOSO_CHROMIUM` / `HOSO_CHROMEDRIVER`
//! override the paths). Without them it fails when `CI=true` and is skipped
//! with a message otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, Duration as Span, FixedOffset, Utc};
use fantoccini::{Client as Browser, ClientBuilder, Locator};
use hoso_api::server::{start, Config, Server};
use hoso_domain::common::{Actor, Role, Unit};
use hoso_domain::places;
use hoso_ledger::checkpoint::Signer;
use hoso_service::officers::{create, NewOfficer};
use hoso_service::Service;
use hoso_tests::{both_backends, Backend, TestDb};
use reqwest::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const PW: &str = "mật-khẩu-thử-nghiệm";
/// Every wait in the browser is bounded by this.
const WAIT: Duration = Duration::from_secs(10);

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn commune() -> u32 {
    places::current().province(42).expect("Hà Tĩnh").wards[0].code
}

fn other_commune() -> u32 {
    places::current().province(42).expect("Hà Tĩnh").wards[1].code
}

struct Site {
    root: String,
    ledger: hoso_ledger::Ledger,
    http: Client,
    _server: Server,
}

async fn officer(state: &Service, id: &str, name: &str, role: Role, unit: Unit) {
    let admin = Actor {
        officer_id: "admin-1".into(),
        role: Role::Admin,
        unit: Unit::National,
    };
    create(
        state,
        &admin,
        NewOfficer {
            id: Some(id.into()),
            full_name: name.into(),
            role,
            unit,
            active_from: None,
            password: Some(PW.into()),
        },
    )
    .await
    .unwrap();
}

/// A server with an admin, a commune worker and chairman, a worker of another
/// commune and a provincial inspector; with `demo`, sample cases too.
async fn spawn(db: &TestDb, demo: bool) -> Site {
    spawn_with(db, demo, Config::local()).await
}

/// The log's signing key of the test sites.
fn log_key() -> Signer {
    Signer::from_seed(&[7u8; 32])
}

/// `spawn` with the server configured by `config` (its signer is `log_key`).
async fn spawn_with(db: &TestDb, demo: bool, config: Config) -> Site {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let ledger = hoso_service::privacy::open_ledger(&db.url, &db.kek_path())
        .await
        .unwrap();
    let signer = log_key();
    let server = start(
        ledger.clone(),
        Config {
            signer: Some(log_key()),
            ..config
        },
    )
    .await
    .unwrap();
    if demo {
        hoso_demo::load(&server.svc.app, 40, 111).await.unwrap();
    }
    let state = server.svc.clone();
    let c = commune();
    officer(
        &state,
        "admin-1",
        "Quản trị viên",
        Role::Admin,
        Unit::National,
    )
    .await;
    let commune_unit = Unit::Commune {
        province: 42,
        commune: c,
    };
    officer(
        &state,
        "cb-1",
        "Nguyễn Thị Hạnh",
        Role::CommuneWorker,
        commune_unit,
    )
    .await;
    officer(
        &state,
        "ct-1",
        "Lê Văn Đức",
        Role::CommuneChairman,
        commune_unit,
    )
    .await;
    officer(
        &state,
        "cb-9",
        "Phạm Quốc Việt",
        Role::CommuneWorker,
        Unit::Commune {
            province: 42,
            commune: other_commune(),
        },
    )
    .await;
    officer(
        &state,
        "tt-42",
        "Trần Thị Thủy",
        Role::Inspector,
        Unit::Province { province: 42 },
    )
    .await;
    officer(
        &state,
        "ct-9",
        "Hoàng Minh Tuấn",
        Role::CommuneChairman,
        Unit::Commune {
            province: 42,
            commune: other_commune(),
        },
    )
    .await;
    officer(
        &state,
        "h-111",
        "Đỗ Thị Lan",
        Role::HotlineOperator,
        Unit::National,
    )
    .await;
    officer(
        &state,
        "so-42",
        "Vũ Đức Long",
        Role::ProvincialManager,
        Unit::Province { province: 42 },
    )
    .await;
    officer(
        &state,
        "ctv-1",
        "Bùi Thị Hoa",
        Role::Collaborator,
        commune_unit,
    )
    .await;
    hoso_service::signing::issue_now(&ledger, &signer, false)
        .await
        .unwrap();
    Site {
        root: server.url(),
        ledger,
        http: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _server: server,
    }
}

impl Site {
    async fn token(&self, id: &str) -> String {
        let r = self
            .http
            .post(format!("{}/api/v1/auth/login", self.root))
            .json(&json!({"officer_id": id, "password": PW}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Registers a child and opens a case through the JSON API.
    async fn open_case(&self, token: &str) -> String {
        let c = commune();
        let child = json!({
            "full_name": "Nguyễn Văn Ánh", "date_of_birth": "2016-05-01", "sex": "male",
            "ethnicity": "Kinh",
            "address": {"commune": {"structure": "2025", "province": 42, "commune": c}, "detail": "Thôn Đông Hà"},
        });
        let register = |distinct_from: String| {
            self.http
                .post(format!(
                    "{}/api/v1/children?distinct_from={distinct_from}",
                    self.root
                ))
                .bearer_auth(token)
                .json(&child)
                .send()
        };
        let mut r = register(String::new()).await.unwrap();
        if r.status() == StatusCode::CONFLICT {
            // A child of this name registered before (an earlier case of
            // the test): checked, another child.
            let problem: Value = r.json().await.unwrap();
            let ids: Vec<&str> = problem["candidates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["child_id"].as_str().unwrap())
                .collect();
            r = register(ids.join(",")).await.unwrap();
        }
        assert_eq!(r.status(), StatusCode::CREATED);
        let child = r.json::<Value>().await.unwrap()["child_id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = self
            .http
            .post(format!("{}/api/v1/cases", self.root))
            .bearer_auth(token)
            .json(&json!({
                "child_id": child, "date_of_birth": "2016-05-01",
                "commune": {"structure": "2025", "province": 42, "commune": c},
                "source": "school", "description": "Trẻ có vết bầm trên tay, giáo viên chủ nhiệm báo tin.",
                "harm_types": ["violence", "neglect"],
                "received_at": (Utc::now() - Span::hours(3)).to_rfc3339(),
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["case_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Signs in through the page and returns the session cookie (`name=value`).
    async fn sign_in(&self, id: &str) -> String {
        let r = self
            .http
            .post(format!("{}/login", self.root))
            .form(&[("officer_id", id), ("password", PW), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let set = r
            .headers()
            .get(SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(set.contains("HttpOnly"), "{set}");
        assert!(set.contains("SameSite=Strict"), "{set}");
        // Plain http (no https public URL): a Secure cookie would be dropped.
        assert!(!set.contains("Secure"), "{set}");
        set.split(';').next().unwrap().to_string()
    }

    /// Signs an inspector in and gives the reason for reading once, as the
    /// pages ask; returns the session and reason cookies together.
    async fn sign_in_with_reason(&self, id: &str) -> String {
        let session = self.sign_in(id).await;
        let r = self
            .http
            .post(format!("{}/ly-do", self.root))
            .header(COOKIE, &session)
            .header(ORIGIN, &self.root)
            .form(&[
                ("reason", "Thanh tra theo Quyết định 12/QĐ-TTr"),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let kept = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
        format!("{session}; {}", kept.split(';').next().unwrap())
    }

    async fn get(&self, cookie: &str, path: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.root))
            .header(COOKIE, cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn post(
        &self,
        cookie: &str,
        path: &str,
        form: &[(&str, &str)],
        origin: &str,
    ) -> (StatusCode, String, Option<String>) {
        let r = self
            .http
            .post(format!("{}{path}", self.root))
            .header(COOKIE, cookie)
            .header(ORIGIN, origin)
            .form(form)
            .send()
            .await
            .unwrap();
        let loc = r
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        (r.status(), r.text().await.unwrap(), loc)
    }
}

mod account;
mod attachments;
mod browser;
mod children;
mod excel;
mod headers;
mod http;
mod vietnamese;
mod walk;
mod witnesses;

use browser::*;
use excel::*;
use vietnamese::*;
