use super::*;

/// golang.org/x/mod/sumdb/note's example key and note (also in Cloudflare's
/// signed_note crate): deterministic Ed25519, so signing reproduces it.
const PN_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PN_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PN_NOTE: &str = "If you think cryptography is the answer to your problem,\n\
                       then you don't know what your problem is.\n\
                       \n\
                       — PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

/// A checkpoint of the public staging CT log arche2025h1 (Ed25519 log
/// signature by key ba2f06c0) cosigned by the public witness
/// remora.n621.de, among others; from a tlog client's test vectors.
const ARCHE: &str = "arche2025h1.staging.ct.transparency.dev\n\
    1432088532\n\
    U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n\
    \n\
    — arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=\n\
    — arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=\n\
    — transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==\n\
    — witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==\n\
    — remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==\n\
    — witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==\n";
const ARCHE_LOG: &str =
    "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f";
const REMORA: &str = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2";

#[test]
fn known_answer_ed25519_note() {
    let s = NoteSigner::parse(PN_SKEY).unwrap();
    assert_eq!(s.verifier().to_string(), PN_VKEY);
    assert_eq!(s.to_private_key_text(), PN_SKEY);
    let note = Note::parse(PN_NOTE).unwrap();
    assert_eq!(note.to_text(), PN_NOTE);
    assert_eq!(s.sign(&note.text), note.signatures[0]);
    let v = Verifier::parse(PN_VKEY).unwrap();
    let ok = note.verify(std::slice::from_ref(&v)).unwrap();
    assert_eq!((ok.len(), ok[0].timestamp), (1, None));
    let altered = Note::parse(&PN_NOTE.replace("answer", "Answer")).unwrap();
    assert!(matches!(
        altered.verify(&[v]),
        Err(NoteError::BadSignature { .. })
    ));
}

#[test]
fn known_answer_signed_note_vector() {
    // c2sp.org/signed-note test vector (as used by an independent client).
    let v =
        Verifier::parse("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
            .unwrap();
    assert_eq!(
        hex::encode(v.public_key().as_bytes()),
        "e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4"
    );
    let note = Note::parse(
        "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
    )
    .unwrap();
    assert!(note.verify(&[v]).is_ok());
}

#[test]
fn known_answer_real_cosigned_checkpoint() {
    let note = Note::parse(ARCHE).unwrap();
    assert_eq!(note.signatures.len(), 6);
    let cp = CheckpointText::parse(&note.text).unwrap();
    assert_eq!(
        (cp.origin.as_str(), cp.size),
        ("arche2025h1.staging.ct.transparency.dev", 1432088532)
    );
    let log = Verifier::parse(ARCHE_LOG).unwrap();
    assert_eq!(log.alg(), ALG_ED25519);
    assert_eq!(note.verify(std::slice::from_ref(&log)).unwrap().len(), 1);
    let remora = Verifier::parse(REMORA).unwrap();
    assert_eq!(remora.alg(), ALG_COSIGNATURE_V1);
    let q = quorum(&note, std::slice::from_ref(&remora), 1).unwrap();
    assert_eq!(q[0].verifier.name(), "remora.n621.de");
    assert_eq!(q[0].timestamp, Some(0x6a12_2120));
    // Unknown witnesses and the log's own lines are ignored.
    assert_eq!(
        quorum(&note, std::slice::from_ref(&remora), 2),
        Err(QuorumError::TooFew { have: 1, need: 2 })
    );
    // The witness key as an Ed25519 vkey of the same name and key is taken
    // as that cosigner.
    let as_01 = {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(remora.public_key().as_bytes());
        let id = hex::encode(key_id(
            "remora.n621.de",
            ALG_ED25519,
            remora.public_key().as_bytes(),
        ));
        format!("remora.n621.de+{id}+{}", B64.encode(raw))
    };
    assert_eq!(Verifier::parse_cosigner(&as_01).unwrap(), remora);
    // A changed size breaks the cosignature.
    let clobbered = Note::parse(&ARCHE.replace("1432088532", "42")).unwrap();
    assert!(matches!(
        quorum(&clobbered, &[remora], 1),
        Err(QuorumError::Note(NoteError::BadSignature { .. }))
    ));
}

#[test]
fn spec_examples_parse() {
    // c2sp.org/tlog-cosignature: the example cosignature's timestamp is the
    // `time 1679315147` of the example signed message.
    let note = Note::parse(
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\
         — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
         — witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n",
    )
    .unwrap();
    let w = &note.signatures[1];
    assert_eq!(w.cosignature_timestamp(), Some(1679315147));
    assert_eq!(w.signature.len(), 72);
    assert_eq!(
        cosignature_message(1679315147, &note.text),
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    );
    let cp = CheckpointText::parse(&note.text).unwrap();
    assert_eq!(cp.size, 20852163);
    assert_eq!(cp.text(), note.text);
    // transparency-dev/formats: a cosignature's timestamp, and keys.
    let s = SignatureLine::parse("— x ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==").unwrap();
    assert_eq!(s.cosignature_timestamp(), Some(1727964367));
    assert!(Verifier::parse("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6").is_ok());
    for bad in [
        "bananas.sigstore.dev+12344556",
        "rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!",
        "rekor.sigstore.dev+12345678+AwEB",
        "TEST+00000000+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
        "TEST+7997405+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
        "+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
    ] {
        assert!(Verifier::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn malformed_notes_are_rejected() {
    let good = Note::parse(PN_NOTE).unwrap();
    let sig = good.signatures[0].to_line();
    let text = &good.text;
    for (why, bad) in [
        ("no blank line", format!("{text}{sig}")),
        ("no signature", format!("{text}\n")),
        ("no final newline", format!("{text}\n{}", sig.trim_end())),
        ("a tab", format!("{}\t\n\n{sig}", text.trim_end())),
        (
            "a carriage return",
            format!("{text}\n{}\r\n", sig.trim_end()),
        ),
        ("a NUL", format!("a\0\n\n{sig}")),
        (
            "text without newline",
            format!("\n{sig}").replacen('\n', "", 1),
        ),
        (
            "hyphen, not em dash",
            format!("{text}\n{}", sig.replacen('\u{2014}', "-", 1)),
        ),
        (
            "empty name",
            format!("{text}\n{}", sig.replacen("PeterNeumann", "", 1)),
        ),
        (
            "plus in name",
            format!(
                "{text}\n{}",
                sig.replacen("PeterNeumann", "Peter+Neumann", 1)
            ),
        ),
        (
            "short signature",
            format!("{text}\n— PeterNeumann AAAAAA==\n"),
        ),
        ("bad base64", format!("{text}\n— PeterNeumann AAAA*AAA\n")),
        ("blank signature line", format!("{text}\n{sig}\n")),
        ("trailing field", format!("{text}\n{} x\n", sig.trim_end())),
    ] {
        assert!(Note::parse(&bad).is_err(), "{why}: {bad:?}");
    }
    assert!(Note::parse_bytes(b"\xff\n\n").is_err());
    // 16 signatures are accepted, more than MAX_SIGNATURES are not.
    let many = |n: usize| format!("{text}\n{}", sig.repeat(n));
    assert_eq!(Note::parse(&many(16)).unwrap().signatures.len(), 16);
    assert!(Note::parse(&many(MAX_SIGNATURES + 1)).is_err());
    // Empty lines inside the text: the last empty line separates.
    let n = Note::parse(&format!("a\n\nb\n\n{sig}")).unwrap();
    assert_eq!(n.text, "a\n\nb\n");
}

#[test]
fn unknown_keys_are_ignored_and_known_bad_ones_reject() {
    let log = NoteSigner::ed25519("example.com/log", &[1; 32]).unwrap();
    let w1 = NoteSigner::cosigner("w1.example", &[2; 32]).unwrap();
    let w2 = NoteSigner::cosigner("w2.example", &[3; 32]).unwrap();
    let stranger = NoteSigner::cosigner("w3.example", &[4; 32]).unwrap();
    let body = "example.com/log\n5\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\n";
    let note = Note {
        text: body.into(),
        signatures: vec![
            log.sign(body),
            w1.cosign(body, 1700000000),
            stranger.cosign(body, 1700000001),
            w2.cosign(body, 1700000002),
            w2.cosign(body, 1700000003),
        ],
    };
    let note = Note::parse(&note.to_text()).unwrap();
    let ws = [w1.verifier().clone(), w2.verifier().clone()];
    let q = quorum(&note, &ws, 2).unwrap();
    assert_eq!(q.len(), 2);
    assert_eq!(q[1].timestamp, Some(1700000002));
    assert!(note.verify(&[log.verifier().clone()]).is_ok());
    // The log's key cannot pass for a witness: 0x01 keys do not count.
    assert_eq!(
        quorum(&note, &[log.verifier().clone()], 1),
        Err(QuorumError::TooFew { have: 0, need: 1 })
    );
    // A cosignature over another body fails; one with a changed timestamp too.
    let mut forged = w1.cosign(body, 1700000000);
    forged.signature[7] ^= 1;
    let n2 = Note {
        text: body.into(),
        signatures: vec![forged],
    };
    assert!(matches!(
        quorum(&n2, &ws, 1),
        Err(QuorumError::Note(NoteError::BadSignature { .. }))
    ));
    // Same name, another key (so another key id): ignored.
    let other = NoteSigner::cosigner("w1.example", &[9; 32]).unwrap();
    let n3 = Note {
        text: body.into(),
        signatures: vec![other.cosign(body, 1), w2.cosign(body, 1)],
    };
    assert_eq!(quorum(&n3, &ws, 1).unwrap().len(), 1);
    // A round trip of the verifier and private keys.
    assert_eq!(
        &Verifier::parse(&w1.verifier().to_string()).unwrap(),
        w1.verifier()
    );
    let back = NoteSigner::parse(&w1.to_private_key_text()).unwrap();
    assert_eq!(back.verifier(), w1.verifier());
    // The key id of a cosigner uses type 0x04.
    assert_eq!(
        w1.verifier().key_id(),
        key_id("w1.example", 0x04, w1.verifier().public_key().as_bytes())
    );
}

#[test]
fn checkpoint_texts() {
    let r = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=";
    assert!(CheckpointText::parse(&format!("o\n0\n{r}\n")).is_ok());
    let e = CheckpointText::parse(&format!("o\n7\n{r}\next one\n")).unwrap();
    assert_eq!(e.extensions, vec!["ext one".to_string()]);
    for bad in [
        format!("o\n07\n{r}\n"),
        format!("o\n-7\n{r}\n"),
        format!("o\n+7\n{r}\n"),
        format!("o\n\n{r}\n"),
        format!("\n7\n{r}\n"),
        format!("o\n7\n{r}"),
        "o\n7\nAwMD\n".to_string(),
        format!("o\n7\n{r}\n\n"),
        "o\n7\n".to_string(),
        "o\n18446744073709551616\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\n".into(),
    ] {
        assert!(CheckpointText::parse(&bad).is_err(), "{bad:?}");
    }
}
