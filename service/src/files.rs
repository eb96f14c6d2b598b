//! The attachment file store, content-addressed: a file is kept once under the
//! SHA-256 of its bytes (the digest the case's `AttachmentAdded` event names
//! and hashes into the chain), in the `files` table of the database itself
//! (migrations `0006_files`). So the files are backed up, restored and
//! replicated with the events that name them, on both backends, with nothing
//! to configure; a row is never changed (a trigger refuses UPDATE), and every
//! read recomputes the digest before the bytes are served.
//!
//! What is accepted: at most [`MAX_BYTES`], one of the [`ALLOWED`] media types,
//! and content that looks like that type (the first bytes of a PDF, PNG, JPEG,
//! Office file; UTF-8 for text), so a page cannot be stored as a "PDF".

use hoso_ledger::sql::{exec, rows, ts, Val};
use sha2::{Digest, Sha256};

use crate::{now, Error, Service};

/// Largest attachment: scanned decisions and photos, not videos.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// (media type, file name extension, what it is in Vietnamese).
pub const ALLOWED: &[(&str, &str, &str)] = &[
    ("application/pdf", "pdf", "tài liệu PDF"),
    ("image/jpeg", "jpg", "ảnh JPEG"),
    ("image/png", "png", "ảnh PNG"),
    ("text/plain", "txt", "văn bản"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        "văn bản Word",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        "bảng tính Excel",
    ),
];

/// The media type as compared: lower case, without parameters.
pub fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether files of this media type are accepted.
pub fn allowed(media_type: &str) -> bool {
    let m = essence(media_type);
    ALLOWED.iter().any(|(t, _, _)| *t == m)
}

/// The media type of a file name's extension, when it is an accepted one.
pub fn media_type_of_name(file_name: &str) -> Option<&'static str> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    let ext = if ext == "jpeg" {
        "jpg".to_string()
    } else {
        ext
    };
    ALLOWED
        .iter()
        .find(|(_, e, _)| *e == ext)
        .map(|(t, _, _)| *t)
}

fn looks_like(media_type: &str, bytes: &[u8]) -> bool {
    match media_type {
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "text/plain" => std::str::from_utf8(bytes).is_ok_and(|t| !t.contains('\0')),
        t if t.starts_with("application/vnd.openxmlformats") => bytes.starts_with(b"PK\x03\x04"),
        _ => false,
    }
}

/// Checks a file before it is stored: not empty, not over [`MAX_BYTES`], an
/// accepted type, content of that type.
pub fn check(media_type: &str, bytes: &[u8]) -> Result<(), Error> {
    if bytes.is_empty() {
        return Err(Error::invalid("file", "the file is empty"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(Error::invalid(
            "file",
            format!("the file is larger than {} MiB", MAX_BYTES / (1024 * 1024)),
        ));
    }
    let m = essence(media_type);
    if !allowed(&m) {
        return Err(Error::invalid(
            "media_type",
            format!("files of type `{m}` are not accepted"),
        ));
    }
    if !looks_like(&m, bytes) {
        return Err(Error::invalid(
            "file",
            format!("the content is not a `{m}` file"),
        ));
    }
    Ok(())
}

/// Lowercase hex SHA-256.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Stores the bytes (once per digest) and returns their digest.
pub async fn put(svc: &Service, media_type: &str, bytes: &[u8]) -> Result<String, Error> {
    check(media_type, bytes)?;
    let sha = digest(bytes);
    exec(
        svc.db(),
        "INSERT INTO files (sha256, size_bytes, media_type, content, stored_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (sha256) DO NOTHING",
        &[
            Val::Text(sha.clone()),
            Val::Int(bytes.len() as i64),
            Val::Text(essence(media_type)),
            Val::Bytes(bytes.to_vec()),
            Val::Text(ts(now())),
        ],
    )
    .await?;
    Ok(sha)
}

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// The file stored under `sha256`, checked against it; `None` when there is
/// none. A file whose bytes no longer match is an error, never served.
pub async fn get(svc: &Service, sha256: &str) -> Result<Option<StoredFile>, Error> {
    let found = rows(
        svc.db(),
        "SELECT media_type, content FROM files WHERE sha256 = ?",
        &[Val::Text(sha256.to_string())],
    )
    .await?;
    let Some(r) = found.first() else {
        return Ok(None);
    };
    let bytes = r.bytes("content")?;
    if digest(&bytes) != sha256 {
        return Err(Error::Internal(format!(
            "the stored file {sha256} does not match its SHA-256: it was altered"
        )));
    }
    Ok(Some(StoredFile {
        sha256: sha256.to_string(),
        media_type: r.text("media_type")?,
        bytes,
    }))
}

/// Deletes the attachment files of every case of an erased child: scanned
/// decisions and photos hold the child's personal data in the clear, so the
/// erasure that destroys the child's data key takes them too. The events keep
/// the digest (the chain still verifies); a download then answers that the
/// file was erased. A file also attached to another child's case goes as
/// well: it shows the erased child. Idempotent, so `finish_erasures` repeats
/// it after a crash. Returns how many files were deleted.
pub async fn erase_of_child(ledger: &hoso_ledger::Ledger, child_id: &str) -> Result<u64, Error> {
    crate::refresh(ledger, hoso_projections::Projection::CaseView).await?;
    let mut digests = std::collections::BTreeSet::new();
    for case_id in hoso_projections::read::cases_of_child(ledger.db(), child_id).await? {
        for e in ledger.events_of("Case", &case_id, 0).await? {
            if e.event_type != "AttachmentAdded" {
                continue;
            }
            let payload: serde_json::Value = serde_json::from_str(&e.payload).map_err(|err| {
                Error::Internal(format!(
                    "stored event {} does not decode: {err}",
                    e.position
                ))
            })?;
            if let Some(sha) = payload["sha256"].as_str() {
                digests.insert(sha.to_string());
            }
        }
    }
    let mut n = 0;
    for sha in digests {
        n += exec(
            ledger.db(),
            "DELETE FROM files WHERE sha256 = ?",
            &[Val::Text(sha)],
        )
        .await?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_types_are_checked_by_their_content() {
        assert!(check("application/pdf", b"%PDF-1.7\n...").is_ok());
        assert!(check("Application/PDF; charset=binary", b"%PDF-1.4").is_ok());
        assert!(check("image/png", b"\x89PNG\r\n\x1a\nrest").is_ok());
        assert!(check("text/plain", "Biên bản".as_bytes()).is_ok());
        // a page disguised as a PDF, an unknown type, nothing, too much
        assert!(check("application/pdf", b"<html>").is_err());
        assert!(check("text/html", b"<html>").is_err());
        assert!(check("application/pdf", b"").is_err());
        assert!(check("text/plain", &vec![b'a'; MAX_BYTES + 1]).is_err());
        assert_eq!(
            media_type_of_name("Quyết định.PDF"),
            Some("application/pdf")
        );
        assert_eq!(media_type_of_name("anh.jpeg"), Some("image/jpeg"));
        assert_eq!(media_type_of_name("trang.html"), None);
        assert_eq!(
            digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
