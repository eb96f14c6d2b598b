//! Attachments of a case (tài liệu đính kèm): the file goes into the
//! content-addressed store (`files`) and the case records `AddAttachment` with
//! the digest, size, type and name the service computed from the bytes
//! themselves; a download is served only from a case the officer can see,
//! only for a digest that case recorded, checked against it, and logged.

use hoso_domain::case::{Attachment, AttachmentInfo, Case, CaseAction, CaseCommand};

use crate::access::{self, ReadContext};
use crate::cases::{self, CaseResult};
use crate::error::Rule;
use crate::{files, now, Error, Me, Service};

/// A file as uploaded.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub description: String,
}

/// The file name as kept: the last path segment, without control characters,
/// at most 200 characters.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    last.chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Stores the file and records it on the case. The command is checked by the
/// domain before the file is stored, so a refused attachment stores nothing.
pub async fn upload(
    svc: &Service,
    me: &Me,
    case_id: &str,
    up: Upload,
) -> Result<CaseResult, Error> {
    let case: Case = cases::visible_case(svc, me, case_id).await?;
    files::check(&up.media_type, &up.bytes)?;
    let action = CaseAction::AddAttachment(Attachment {
        sha256: files::digest(&up.bytes),
        size_bytes: up.bytes.len() as u64,
        media_type: files::essence(&up.media_type),
        file_name: clean_name(&up.file_name),
        description: up.description.trim().to_string(),
    });
    case.decide(CaseCommand {
        actor: me.actor.clone(),
        at: now(),
        action: action.clone(),
    })
    .map_err(|e| Error::Rule(Rule::Case(e)))?;
    files::put(svc, &up.media_type, &up.bytes).await?;
    cases::act_checked(svc, me, case_id, action).await
}

/// A file of a case, as served.
#[derive(Debug, Clone)]
pub struct Download {
    pub info: AttachmentInfo,
    pub bytes: Vec<u8>,
}

/// The attachment `sha256` of a case the officer can see, its bytes checked
/// against the digest; the read is logged.
pub async fn download(
    svc: &Service,
    me: &Me,
    ctx: &ReadContext,
    case_id: &str,
    sha256: &str,
) -> Result<Download, Error> {
    let case = cases::visible_case(svc, me, case_id).await?;
    let Some(info) = case
        .attachments
        .iter()
        .rev()
        .find(|a| a.sha256 == sha256)
        .cloned()
    else {
        return Err(Error::not_found("attachment"));
    };
    let Some(file) = files::get(svc, sha256).await? else {
        return Err(Error::NotFound(
            "the file of this attachment is not in the store (erased with the child's personal data, or never stored)".into(),
        ));
    };
    access::record(svc, me, ctx, "Case", case_id, "attachment").await?;
    Ok(Download {
        info,
        bytes: file.bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_their_last_segment() {
        assert_eq!(
            clean_name("C:\\scan\\Quyết định 12.pdf"),
            "Quyết định 12.pdf"
        );
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\n.pdf"), "ab.pdf");
    }
}
