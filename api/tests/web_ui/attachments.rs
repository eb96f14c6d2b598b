//! Attachments through the pages: multipart upload, hashes, downloads.

use super::*;

// ---------------------------------------------------------------------------
// Attachments

pub(crate) fn multipart(
    file_name: &str,
    media_type: &str,
    bytes: &[u8],
    description: &str,
) -> (String, Vec<u8>) {
    let boundary = "hoso-boundary-7d1f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n{description}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {media_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

both_backends!(
    attachments_are_stored_by_digest_and_checked,
    |db: TestDb| async move {
        let site = spawn(&db, false).await;
        let token = site.token("cb-1").await;
        let id = site.open_case(&token).await;
        let worker = site.sign_in("cb-1").await;
        let pdf =
            b"%PDF-1.4\n% bien ban xac minh\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
        let upload = |name: &str, media: &str, bytes: Vec<u8>| {
            let (ct, body) = multipart(name, media, &bytes, "Biên bản xác minh tại nhà");
            site.http
                .post(format!("{}/cases/{id}/attachments", site.root))
                .header(COOKIE, &worker)
                .header(ORIGIN, &site.root)
                .header("content-type", ct)
                .body(body)
                .send()
        };
        let r = upload("Biên bản.pdf", "application/octet-stream", pdf.clone())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let sha = hex_sha256(&pdf);
        let events = site.ledger.events_of("Case", &id, 0).await.unwrap();
        let last = events.last().unwrap();
        assert_eq!(last.event_type, "AttachmentAdded");
        let data: Value = serde_json::from_str(&last.payload).unwrap();
        assert_eq!(data["sha256"], sha.as_str());
        assert_eq!(data["size_bytes"], pdf.len());
        assert_eq!(data["media_type"], "application/pdf");
        // The name may name the child: sealed with the child's key.
        assert!(data.get("file_name").is_none(), "{data}");
        let opened = site.ledger.open_event(last).await.unwrap();
        assert_eq!(opened.payload["file_name"], "Biên bản.pdf");
        // Listed on the case, downloaded as stored, checked against the digest.
        let (_, page) = site.get(&worker, &format!("/cases/{id}")).await;
        assert!(
            page.contains(&sha) && page.contains("Biên bản.pdf"),
            "{page}"
        );
        let (s, ct, bytes) =
            get_bytes(&site, &worker, &format!("/cases/{id}/attachments/{sha}")).await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
        assert_eq!(bytes, pdf);
        // The same through the JSON API.
        let r = site
            .http
            .get(format!("{}/api/v1/cases/{id}/attachments/{sha}", site.root))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["x-content-sha256"], sha.as_str());
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert!(r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;"));
        assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
        let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
        let r = site
            .http
            .post(format!("{}/api/v1/cases/{id}/attachments", site.root))
            .bearer_auth(&token)
            .header("content-type", "image/png")
            .header("x-file-name", "%E1%BA%A2nh%20v%E1%BA%BFt%20b%E1%BA%A7m.png")
            .body(png.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = site
            .http
            .post(format!("{}/api/v1/cases/{id}/attachments", site.root))
            .bearer_auth(&token)
            .header("content-type", "text/html")
            .header("x-file-name", "trang.html")
            .body("<script>alert(1)</script>")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let r = site
            .http
            .post(format!("{}/api/v1/cases/{id}/attachments", site.root))
            .bearer_auth(&token)
            .header("content-type", "application/pdf")
            .header("x-file-name", "lon.pdf")
            .body(vec![b'%'; 10 * 1024 * 1024 + 1])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // On the page: a page disguised as a PDF, a file over the limit.
        let r = upload("gia.pdf", "application/pdf", b"<html>".to_vec())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("Nội dung tệp không phải là loại"), "{page}");
        let r = upload(
            "lon.pdf",
            "application/pdf",
            vec![b'%'; 10 * 1024 * 1024 + 10],
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(r.text().await.unwrap().contains("Tệp lớn hơn 10 MiB"));
        // Nobody outside the case's commune gets the file, and reading it is logged.
        let stranger = site.token("cb-9").await;
        let r = site
            .http
            .get(format!("{}/api/v1/cases/{id}/attachments/{sha}", site.root))
            .bearer_auth(&stranger)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // The inspector of the province lists the reads, giving a reason.
        let inspector = site.token("tt-42").await;
        let log: Value = site
            .http
            .get(format!("{}/api/v1/access-log?subject={id}", site.root))
            .bearer_auth(&inspector)
            .header("x-access-reason", "Thanh tra theo Quyết định 12/QĐ-TTr")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            log["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["what"] == "attachment"),
            "{log}"
        );
        db.drop_db().await;
    }
);

pub(crate) fn hex_sha256(bytes: &[u8]) -> String {
    hoso_service::files::digest(bytes)
}
