//! The integrity page with a witness: the witness's status (up to date, then
//! behind since when and why once it stops answering) and the newest
//! cosigned checkpoint with its cosignature.

use std::sync::Arc;

use hoso_witness::{state, Witness, WitnessEndpoint};

use super::*;

/// A witness on 127.0.0.1 trusting the test sites' log key.
async fn witness(
    dir: &Path,
) -> (
    WitnessEndpoint,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), String>>,
) {
    let state_file = dir.join("witness.json");
    let signer = state::init(
        &state_file,
        &state::default_key_path(&state_file),
        "witness.tinh-ha-tinh.example",
    )
    .unwrap();
    state::add_log(&state_file, &log_key().verifier().to_string()).unwrap();
    let w = Arc::new(Witness::open(&state_file, signer).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/w", listener.local_addr().unwrap());
    let endpoint = WitnessEndpoint::parse(&format!("{}={url}", w.verifier())).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        hoso_witness::cli::serve(listener, w, "/w", async {
            let _ = stopped.await;
        })
        .await
        .map_err(|e| e.to_string())
    });
    (endpoint, stop, task)
}

/// Polls the integrity page until `f` holds of it (10 s at most).
async fn page_until(site: &Site, cookie: &str, what: &str, f: impl Fn(&str) -> bool) -> String {
    let started = std::time::Instant::now();
    loop {
        let (s, page) = site.get(cookie, "/integrity").await;
        assert_eq!(s, StatusCode::OK);
        if f(&page) {
            return page;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what}: not on the integrity page within 10 s:\n{page}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

both_backends!(integrity_page_shows_witnesses, |db: TestDb| async move {
    let dir = std::env::temp_dir().join(format!(
        "hoso_web_witness_{}_{}",
        std::process::id(),
        rand_tag()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let (endpoint, stop, task) = witness(&dir).await;
    let site = spawn_with(
        &db,
        false,
        Config {
            checkpoint_every: Some(Duration::from_millis(200)),
            witnesses: vec![endpoint],
            ..Config::local()
        },
    )
    .await;
    let worker_token = site.token("cb-1").await;
    site.open_case(&worker_token).await;
    let inspector = site.sign_in_with_reason("tt-42").await;

    // Up to date: the witness's row, and its cosignature of the newest
    // cosigned checkpoint.
    let page = page_until(&site, &inspector, "the witness's cosignature", |p| {
        p.contains("id=\"cosignatures\"") && p.contains("Đã đồng ký mới nhất")
    })
    .await;
    assert!(page.contains("Bên chứng kiến độc lập"), "{page}");
    let table = page.split("id=\"cosignatures\"").nth(1).unwrap();
    assert!(table.contains("witness.tinh-ha-tinh.example"), "{table}");
    let status = page.split("id=\"witness-status\"").nth(1).unwrap();
    assert!(status.contains("witness.tinh-ha-tinh.example"), "{status}");

    // The witness stops answering and the log grows: behind, since when, why.
    let _ = stop.send(());
    task.await.unwrap().unwrap();
    site.open_case(&worker_token).await;
    let page = page_until(&site, &inspector, "the witness behind", |p| {
        p.contains("Chậm từ")
    })
    .await;
    let status = page.split("id=\"witness-status\"").nth(1).unwrap();
    assert!(status.contains("badge late"), "{status}");

    // A commune worker has no integrity page.
    let worker = site.sign_in("cb-1").await;
    let (s, _) = site.get(&worker, "/integrity").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let _ = std::fs::remove_dir_all(&dir);
});

fn rand_tag() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
