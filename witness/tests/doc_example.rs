//! The worked example of docs/transparency.md is what the code produces.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure ends the test

use hoso_ledger::checkpoint::{Body, Signer};
use hoso_ledger::merkle::{leaf_hash, Tree};
use hoso_ledger::note::{Note, NoteSigner};
use hoso_ledger::tiles::{bundle_bytes, proof_text};

pub fn example() -> String {
    let log = Signer::from_seed(&[42; 32]);
    let witness = NoteSigner::cosigner("witness.example/w1", &[7; 32]).unwrap();
    let entries: Vec<[u8; 32]> = (0u8..5).map(|i| [i; 32]).collect();
    let tree = Tree::from_leaf_hashes(entries.iter().map(|e| leaf_hash(e)).collect());
    let note3 = log.sign_note(
        &Body {
            origin: log.origin().into(),
            tree_size: 3,
            root: tree.root(3),
            time: None,
        }
        .text(),
    );
    let body5 = Body {
        origin: log.origin().into(),
        tree_size: 5,
        root: tree.root(5),
        time: None,
    }
    .text();
    let note5 = log.sign_note(&body5);
    let proof = tree.consistency_proof(3, 5).unwrap();
    let request = format!("old 3\n{}\n{note5}", proof_text(&proof));
    let cosig = witness.cosign(&body5, 1_800_000_000);
    let mut cosigned = Note::parse(&note5).unwrap();
    cosigned.signatures.push(cosig.clone());
    let bundle = bundle_bytes(entries.iter().map(|e| &e[..]));
    let tile: Vec<u8> = entries.iter().flat_map(|e| leaf_hash(e)).collect();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    format!(
        "log verifier key:\n{}\n\nwitness verifier key:\n{}\n\ncheckpoint of 3 (note):\n{note3}\nadd-checkpoint request body:\n{request}\n200 response body:\n{}\ncosignature line bytes (hex):\n{}\n\ncosigned checkpoint:\n{}\ntile/0/000.p/5 (hex):\n{}\n\ntile/entries/000.p/5 (hex):\n{}\n",
        log.verifier(),
        witness.verifier(),
        cosig.to_line(),
        hex(&{ let mut b = cosig.key_id.to_vec(); b.extend_from_slice(&cosig.signature); b }),
        cosigned.to_text(),
        hex(&tile),
        hex(&bundle),
    )
}

#[test]
fn the_documented_example_is_what_the_code_makes() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/transparency.md"
    ))
    .unwrap();
    let start = doc
        .find("<!-- example:begin -->\n```text\n")
        .expect("example block")
        + "<!-- example:begin -->\n```text\n".len();
    let end = doc[start..]
        .find("```\n<!-- example:end -->")
        .expect("example end")
        + start;
    let got = example();
    if doc[start..end] != got {
        std::fs::write(std::env::temp_dir().join("transparency-example.txt"), &got).unwrap();
        panic!(
            "docs/transparency.md example differs; the code's is in {}/transparency-example.txt",
            std::env::temp_dir().display()
        );
    }
}
