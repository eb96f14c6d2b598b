//! The inspector-only export endpoint: a national inspector downloads a place's
//! bundle, which verifies offline; a provincial inspector cannot export another
//! province; other roles are refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use hoso_api::server::{start, Config};
use hoso_domain::common::{Actor, Role, Unit};
use hoso_ledger::checkpoint::Signer;
use hoso_service::officers::{create, NewOfficer};
use hoso_service::{App, Service};
use hoso_tests::{both_backends, TestDb};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const PW: &str = "mật-khẩu-thử-nghiệm";

async fn officer(state: &Service, admin: &Actor, id: &str, role: Role, unit: Unit) {
    create(
        state,
        admin,
        NewOfficer {
            id: Some(id.into()),
            full_name: format!("Cán bộ {id}"),
            role,
            unit,
            active_from: None,
            password: Some(PW.into()),
        },
    )
    .await
    .unwrap();
}

async fn login(http: &Client, base: &str, id: &str) -> String {
    let r = http
        .post(format!("{base}/auth/login"))
        .json(&json!({"officer_id": id, "password": PW}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let b: Value = r.json().await.unwrap();
    b["token"].as_str().unwrap().to_string()
}

both_backends!(
    inspectors_download_exports_that_verify_offline,
    |db: TestDb| async move {
        let app = App::open_with(&db.url, &db.kek_path()).await.unwrap();
        hoso_demo::load(&app, 14, 2).await.unwrap();
        let ledger = app.ledger.clone();
        let state = Service::new(app);
        let admin = Actor {
            officer_id: "admin-x".into(),
            role: Role::Admin,
            unit: Unit::National,
        };
        officer(&state, &admin, "admin-x", Role::Admin, Unit::National).await;
        officer(
            &state,
            &admin,
            "tt-national",
            Role::Inspector,
            Unit::National,
        )
        .await;
        officer(
            &state,
            &admin,
            "tt-20",
            Role::Inspector,
            Unit::Province { province: 20 },
        )
        .await;
        officer(
            &state,
            &admin,
            "so-42",
            Role::ProvincialManager,
            Unit::Province { province: 42 },
        )
        .await;
        let key_path = std::env::temp_dir().join(format!(
            "hoso_http_export_{}_{}.key",
            std::process::id(),
            db.url.len()
        ));
        let signer = Signer::load_or_generate(&key_path).unwrap();
        let public = signer.verifier().to_string();
        let server = start(
            ledger.clone(),
            Config {
                signer: Some(signer),
                ..Config::local()
            },
        )
        .await
        .unwrap();
        let base = format!("{}/api/v1", server.url());
        let http = Client::new();

        let national = login(&http, &base, "tt-national").await;
        let r = http
        .get(format!("{base}/exports?place=province:42&reason=thanh%20tra%20%C4%91%E1%BB%8Bnh%20k%E1%BB%B3"))
        .bearer_auth(&national)
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/x-tar");
        let bytes = r.bytes().await.unwrap();
        let dir = std::env::temp_dir().join(format!(
            "hoso_http_export_{}_{}",
            std::process::id(),
            db.url.len()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        tar::Archive::new(&bytes[..]).unpack(&dir).unwrap();
        let bundle = dir.join("bundle");
        for f in [
            "events.jsonl",
            "checkpoint.txt",
            "manifest.json",
            "statistics.csv",
        ] {
            assert!(bundle.join(f).exists(), "{f} in the bundle");
        }
        let stats = std::fs::read(bundle.join("statistics.csv")).unwrap();
        assert!(stats.starts_with("\u{feff}".as_bytes()), "CSV with BOM");
        // Offline verification with nothing but the bundle and the public key.
        let key = hoso_ledger::checkpoint::NoteVerifier::from_arg(&public).unwrap();
        let v = hoso_service::export::verify_bundle(&bundle, &key).unwrap();
        assert!(v.events > 0);

        // A provincial inspector: their province only, and they must name something.
        let tt20 = login(&http, &base, "tt-20").await;
        let status = |token: String, q: &'static str| {
            let http = http.clone();
            let base = base.clone();
            async move {
                http.get(format!("{base}/exports?{q}"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        assert_eq!(
            status(tt20.clone(), "place=province:42&reason=r").await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(tt20.clone(), "reason=r").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        // Without a reason, nothing.
        assert_eq!(
            status(tt20.clone(), "place=province:20").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status(tt20, "place=province:20&reason=r").await,
            StatusCode::OK
        );
        // Other roles may not export.
        let manager = login(&http, &base, "so-42").await;
        assert_eq!(
            status(manager, "place=province:42").await,
            StatusCode::FORBIDDEN
        );
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_file(&key_path);
        db.drop_db().await;
    }
);
