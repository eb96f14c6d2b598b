//! The witness against c2sp.org/tlog-witness, without a database: every
//! answer, the state kept across restarts and never rolled back, concurrent
//! requests, the evidence kept, and the key and state files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hoso_ledger::checkpoint::{Body, Signer};
use hoso_ledger::merkle::{leaf_hash, Tree};
use hoso_ledger::note::{Note, SignatureLine};
use hoso_ledger::tiles::proof_text;
use hoso_witness::server::SIZE_CONTENT_TYPE;
use hoso_witness::state::{self, StateError};
use hoso_witness::{AddCheckpoint, Answer, Witness};

fn log_signer() -> Signer {
    Signer::from_seed(&[42; 32])
}

fn tree(n: u64, salt: u8) -> Tree {
    let leaves = (0..n)
        .map(|i| {
            let mut e = [salt; 32];
            e[..8].copy_from_slice(&i.to_be_bytes());
            leaf_hash(&e)
        })
        .collect();
    Tree::from_leaf_hashes(leaves)
}

fn note(s: &Signer, t: &Tree, size: u64) -> String {
    s.sign_note(
        &Body {
            origin: s.origin().into(),
            tree_size: size,
            root: t.root(size),
            time: None,
        }
        .text(),
    )
}

fn request(t: &Tree, old: u64, size: u64, note: &str) -> Vec<u8> {
    let proof = if old == 0 || old == size {
        String::new()
    } else {
        proof_text(&t.consistency_proof(old, size).unwrap())
    };
    format!("old {old}\n{proof}\n{note}").into_bytes()
}

struct Dir {
    path: PathBuf,
    _tmp: tempfile::TempDir,
}

fn new_witness_files() -> Dir {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("witness.json");
    let signer = state::init(&path, &state::default_key_path(&path), "witness.test/w1").unwrap();
    assert_eq!(signer.verifier().alg(), 0x04);
    state::add_log(&path, &log_signer().verifier().to_string()).unwrap();
    Dir { path, _tmp: tmp }
}

fn open(path: &Path) -> Witness {
    let key = state::load_key(&state::default_key_path(path)).unwrap();
    Witness::open(path, key)
        .unwrap()
        .with_clock(|| 1_800_000_000)
}

fn cosignature_of(w: &Witness, a: &Answer, note: &str) -> u64 {
    assert_eq!(a.status, 200, "{a:?}");
    let line = SignatureLine::parse(a.body.strip_suffix('\n').unwrap()).unwrap();
    let mut n = Note::parse(note).unwrap();
    n.signatures = vec![line];
    let v = n.verify(std::slice::from_ref(w.verifier())).unwrap();
    v[0].timestamp.unwrap()
}

fn evidence(w: &Witness) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(w.evidence_dir())
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[tokio::test]
async fn every_answer_of_add_checkpoint() {
    let d = new_witness_files();
    let w = open(&d.path);
    let s = log_signer();
    let t = tree(100, 1);

    // First contact: old 0, no proof.
    let n10 = note(&s, &t, 10);
    let a = w.add_checkpoint(&request(&t, 0, 10, &n10)).await;
    assert_eq!(cosignature_of(&w, &a, &n10), 1_800_000_000);
    assert_eq!(w.latest(s.origin()).await.unwrap().0, 10);

    // 409: old is not what the witness cosigned; the body names its size.
    let n20 = note(&s, &t, 20);
    let a = w.add_checkpoint(&request(&t, 0, 20, &n20)).await;
    assert_eq!(
        a,
        Answer {
            status: 409,
            content_type: SIZE_CONTENT_TYPE,
            body: "10\n".into()
        }
    );
    let a = w.add_checkpoint(&request(&t, 5, 20, &n20)).await;
    assert_eq!((a.status, a.body.as_str()), (409, "10\n"));
    // 200 from the right size with the proof.
    let a = w.add_checkpoint(&request(&t, 10, 20, &n20)).await;
    cosignature_of(&w, &a, &n20);
    // Same size and root again: cosigned again.
    let a = w.add_checkpoint(&request(&t, 20, 20, &n20)).await;
    cosignature_of(&w, &a, &n20);

    // 404: unknown origin (another key, another name).
    let stranger = Signer::from_seed(&[7; 32]);
    let a = w
        .add_checkpoint(&request(&t, 20, 30, &note(&stranger, &t, 30)))
        .await;
    assert_eq!(a.status, 404);
    // 403: the origin is known but no trusted signature verifies.
    let forged = note(&s, &t, 30).replace("\n30\n", "\n31\n");
    let a = w.add_checkpoint(&request(&t, 20, 31, &forged)).await;
    assert_eq!(a.status, 403);
    // A note whose only signature is by another key under the log's name.
    let body = Body {
        origin: s.origin().into(),
        tree_size: 30,
        root: t.root(30),
        time: None,
    }
    .text();
    let other_sig = stranger.sign_note(&body);
    let impostor = other_sig.replace(stranger.origin(), s.origin());
    let a = w.add_checkpoint(&request(&t, 20, 30, &impostor)).await;
    assert_eq!(a.status, 403);

    // 400: old larger than the checkpoint; malformed bodies.
    let a = w
        .add_checkpoint(&request(&t, 0, 15, &note(&s, &t, 15)).replace_old(25))
        .await;
    assert_eq!(a.status, 400);
    for bad in [
        b"old 20\n".to_vec(),
        b"nonsense".to_vec(),
        format!("old 020\n\n{n20}").into_bytes(),
        format!("old 0\n{}\n{n20}", proof_text(&[[0; 32]])).into_bytes(),
        format!("old 20\n\n{}", n20.replace("\n\n", "\n")).into_bytes(),
        format!(
            "old 20\n\nnot a checkpoint\n\n{}",
            n20.lines().last().unwrap()
        )
        .into_bytes(),
    ] {
        let a = w.add_checkpoint(&bad).await;
        assert_eq!(a.status, 400, "{:?} → {a:?}", String::from_utf8_lossy(&bad));
    }
    assert!(evidence(&w).is_empty());

    // 422: a proof that does not verify (a fork of the log after 20), kept.
    let fork = tree(100, 2);
    let n40_fork = note(&s, &fork, 40);
    let a = w.add_checkpoint(&request(&fork, 20, 40, &n40_fork)).await;
    assert_eq!(a.status, 422, "{a:?}");
    // A proof with a flipped byte.
    let n40 = note(&s, &t, 40);
    let mut req = AddCheckpoint::parse(&request(&t, 20, 40, &n40)).unwrap();
    req.proof[0][3] ^= 1;
    let a = w.add_checkpoint(req.to_body().as_bytes()).await;
    assert_eq!(a.status, 422);
    // 409: the cosigned size with another root, kept.
    let a = w
        .add_checkpoint(&request(&fork, 20, 20, &note(&s, &fork, 20)))
        .await;
    assert_eq!(
        (a.status, a.content_type, a.body.as_str()),
        (409, SIZE_CONTENT_TYPE, "20\n")
    );
    let ev = evidence(&w);
    assert_eq!(ev.len(), 3, "{ev:?}");
    assert_eq!(
        ev.iter().filter(|e| e.contains("-inconsistent-")).count(),
        2
    );
    assert_eq!(
        ev.iter()
            .filter(|e| e.contains("-conflicting-root-"))
            .count(),
        1
    );
    // The evidence is the request as sent: the log's signature in it verifies.
    let kept = std::fs::read(w.evidence_dir().join(&ev[0])).unwrap();
    let req = AddCheckpoint::parse(&kept).unwrap();
    assert!(s.verifier().open_note(&req.checkpoint).is_some());
    // None of this moved the witness.
    assert_eq!(w.latest(s.origin()).await.unwrap().0, 20);
    assert_eq!(w.latest(s.origin()).await.unwrap().1, Some(t.root(20)));
}

trait ReplaceOld {
    fn replace_old(self, old: u64) -> Vec<u8>;
}
impl ReplaceOld for Vec<u8> {
    fn replace_old(self, old: u64) -> Vec<u8> {
        let s = String::from_utf8(self).unwrap();
        let (_, rest) = s.split_once('\n').unwrap();
        format!("old {old}\n{rest}").into_bytes()
    }
}

#[tokio::test]
async fn the_state_survives_restarts_and_never_rolls_back() {
    let d = new_witness_files();
    let s = log_signer();
    let t = tree(300, 1);
    {
        let w = open(&d.path);
        // A second process cannot open the same state, nor add a log.
        let key = state::load_key(&state::default_key_path(&d.path)).unwrap();
        assert!(matches!(
            Witness::open(&d.path, key),
            Err(StateError::Locked(_))
        ));
        assert!(matches!(
            state::add_log(&d.path, &Signer::from_seed(&[3; 32]).verifier().to_string()),
            Err(StateError::Locked(_))
        ));
        let a = w
            .add_checkpoint(&request(&t, 0, 100, &note(&s, &t, 100)))
            .await;
        assert_eq!(a.status, 200);
        let a = w
            .add_checkpoint(&request(&t, 100, 257, &note(&s, &t, 257)))
            .await;
        assert_eq!(a.status, 200);
    }
    // Restarted: the same state; an older checkpoint is refused with 409.
    let w = open(&d.path);
    assert_eq!(w.latest(s.origin()).await, Some((257, Some(t.root(257)))));
    let a = w
        .add_checkpoint(&request(&t, 100, 200, &note(&s, &t, 200)))
        .await;
    assert_eq!((a.status, a.body.as_str()), (409, "257\n"));
    let a = w
        .add_checkpoint(&request(&t, 0, 50, &note(&s, &t, 50)))
        .await;
    assert_eq!((a.status, a.body.as_str()), (409, "257\n"));
    // The file itself says so, and no temporary file is left.
    let st = state::State::load(&d.path).unwrap();
    assert_eq!(st.logs[s.origin()].size, 257);
    assert!(!state::sibling(&d.path, ".tmp").exists());
    // Init refuses to overwrite the key or the state.
    assert!(matches!(
        state::init(
            &d.path,
            &state::default_key_path(&d.path),
            "witness.test/w1"
        ),
        Err(StateError::Exists(_))
    ));
    let other_state = d.path.with_file_name("other.json");
    assert!(matches!(
        state::init(
            &other_state,
            &state::default_key_path(&d.path),
            "witness.test/w1"
        ),
        Err(StateError::Exists(_))
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(state::default_key_path(&d.path))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_cannot_roll_the_state_back() {
    let d = new_witness_files();
    let s = Arc::new(log_signer());
    let t = Arc::new(tree(2000, 1));
    let w = Arc::new(open(&d.path));
    assert_eq!(
        w.add_checkpoint(&request(&t, 0, 10, &note(&s, &t, 10)))
            .await
            .status,
        200
    );
    // Many requests from the same old size at once: exactly one wins; the
    // others learn the new size from a 409.
    for round in 0..5u64 {
        let old = w.latest(s.origin()).await.unwrap().0;
        let mut tasks = Vec::new();
        for k in 1..=8u64 {
            let (w, s, t) = (w.clone(), s.clone(), t.clone());
            let size = old + k * 7 + round;
            tasks.push(tokio::spawn(async move {
                let a = w
                    .add_checkpoint(&request(&t, old, size, &note(&s, &t, size)))
                    .await;
                (size, a)
            }));
        }
        let mut won = Vec::new();
        let mut answers = Vec::new();
        for task in tasks {
            let (size, a) = task.await.unwrap();
            if a.status == 200 {
                won.push(size);
            } else {
                assert_eq!(a.status, 409, "{a:?}");
                answers.push(a.body);
            }
        }
        assert_eq!(won.len(), 1, "{won:?}");
        let now = w.latest(s.origin()).await.unwrap().0;
        assert_eq!(now, won[0]);
        assert!(answers.iter().all(|b| *b == format!("{now}\n")));
        assert!(now > old);
    }
    // The spec's race: B (N+K) answered, then A (N, from the same old) must not
    // bring the state back to N.
    let old = w.latest(s.origin()).await.unwrap().0;
    let b = w
        .add_checkpoint(&request(&t, old, old + 100, &note(&s, &t, old + 100)))
        .await;
    assert_eq!(b.status, 200);
    let a = w
        .add_checkpoint(&request(&t, old, old + 50, &note(&s, &t, old + 50)))
        .await;
    assert_eq!((a.status, a.body), (409, format!("{}\n", old + 100)));
    assert_eq!(w.latest(s.origin()).await.unwrap().0, old + 100);
    assert_eq!(
        state::State::load(&d.path).unwrap().logs[s.origin()].size,
        old + 100
    );
}

#[tokio::test]
async fn over_http() {
    let d = new_witness_files();
    let w = Arc::new(open(&d.path));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/w1/add-checkpoint",
        listener.local_addr().unwrap()
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(hoso_witness::cli::serve(
        listener,
        w.clone(),
        "/w1",
        async {
            let _ = stopped.await;
        },
    ));
    let s = log_signer();
    let t = tree(50, 1);
    let http = reqwest::Client::new();
    let r = http
        .post(&url)
        .body(request(&t, 0, 10, &note(&s, &t, 10)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(
        body.starts_with("— witness.test/w1 ") && body.ends_with('\n'),
        "{body}"
    );
    let r = http
        .post(&url)
        .body(request(&t, 0, 20, &note(&s, &t, 20)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(r.headers()["content-type"], "text/x.tlog.size");
    assert_eq!(r.text().await.unwrap(), "10\n");
    // Only POST.
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 405);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
