//! Excel downloads: titles, Vietnamese headers and typed cells.

use super::*;

// ---------------------------------------------------------------------------
// Excel

pub(crate) async fn get_bytes(
    site: &Site,
    cookie: &str,
    path: &str,
) -> (StatusCode, String, Vec<u8>) {
    let r = site
        .http
        .get(format!("{}{path}", site.root))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

pub(crate) fn sheets(bytes: Vec<u8>) -> Vec<(String, calamine::Range<calamine::Data>)> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an .xlsx workbook");
    wb.sheet_names()
        .into_iter()
        .map(|n| {
            let r = wb.worksheet_range(&n).unwrap();
            (n, r)
        })
        .collect()
}

pub(crate) fn cell_text(r: &calamine::Range<calamine::Data>, row: usize, col: usize) -> String {
    r.get((row, col)).map(|c| c.to_string()).unwrap_or_default()
}

/// The header row: the first row after the title and notes whose every cell
/// is text.
pub(crate) fn header_row(r: &calamine::Range<calamine::Data>) -> usize {
    (1..r.height())
        .find(|&i| {
            r.get((i, 0))
                .is_some_and(|c| matches!(c, calamine::Data::String(_)))
                && r.get((i, 1))
                    .is_some_and(|c| matches!(c, calamine::Data::String(_)))
                && r.get((i - 1, 0))
                    .is_none_or(|c| matches!(c, calamine::Data::Empty))
        })
        .expect("a header row")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn excel_downloads_have_titles_vietnamese_headers_and_typed_cells() {
    use calamine::Data;
    let db = TestDb::new(Backend::Sqlite).await.expect("SQLite");
    let site = spawn(&db, true).await;
    let token = site.token("cb-1").await;
    site.open_case(&token).await;
    let inspector = site.sign_in_with_reason("tt-42").await;
    let worker = site.sign_in("cb-1").await;
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    // Statistics: a sheet per table, title with the area and the period.
    let (s, ct, bytes) = get_bytes(&site, &inspector, "/stats.xlsx?from=01/2020&to=12/2030").await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, xlsx));
    std::fs::write(shots().join("thong-ke.xlsx"), &bytes).unwrap();
    let all = sheets(bytes);
    assert_eq!(
        all.len(),
        4,
        "{:?}",
        all.iter().map(|s| &s.0).collect::<Vec<_>>()
    );
    let (_, month) = &all[0];
    let title = cell_text(month, 0, 0);
    assert!(title.contains("Hà Tĩnh"), "{title}");
    assert!(title.contains("tháng 01/2020 đến tháng 12/2030"), "{title}");
    let h = header_row(month);
    assert_eq!(cell_text(month, h, 1), "Tháng");
    assert_eq!(cell_text(month, h, 2), "Số vụ việc tiếp nhận");
    let counts: Vec<&Data> = (h + 1..month.height())
        .filter_map(|r| month.get((r, 2)))
        .collect();
    assert!(!counts.is_empty());
    assert!(
        counts.iter().all(|c| matches!(c, Data::Float(_))),
        "{counts:?}"
    );
    let opened: f64 = counts
        .iter()
        .take(counts.len() - 1)
        .map(|c| calamine::DataType::get_float(*c).unwrap())
        .sum();
    assert!(opened >= 1.0);
    assert!(
        cell_text(month, h + 1, 1).starts_with("tháng "),
        "months as tháng mm/yyyy"
    );

    // The case list: dates as dates, yes/no as words, counts as numbers.
    let (s, ct, bytes) = get_bytes(&site, &worker, "/cases.xlsx").await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, xlsx));
    std::fs::write(shots().join("danh-sach-ho-so.xlsx"), &bytes).unwrap();
    let all = sheets(bytes);
    let (_, cases) = &all[0];
    let title = cell_text(cases, 0, 0);
    assert!(title.starts_with("Danh sách hồ sơ"), "{title}");
    assert!(
        title.contains("Hà Tĩnh") && title.contains("tại thời điểm"),
        "{title}"
    );
    let h = header_row(cases);
    assert_eq!(cell_text(cases, h, 0), "Mã hồ sơ");
    assert_eq!(cell_text(cases, h, 10), "Ngày tiếp nhận");
    assert!(cases.height() > h + 1, "a case row");
    assert!(matches!(cases.get((h + 1, 10)), Some(Data::DateTime(_))));
    assert!(matches!(cases.get((h + 1, 15)), Some(Data::Float(_))));
    let overdue = cell_text(cases, h + 1, 14);
    assert!(overdue == "Có" || overdue == "Không", "{overdue}");

    // An officer's history: actions and trainings.
    let (s, ct, bytes) = get_bytes(&site, &inspector, "/officer.xlsx?id=cb-1").await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, xlsx));
    std::fs::write(shots().join("hoat-dong-can-bo.xlsx"), &bytes).unwrap();
    let all = sheets(bytes);
    assert_eq!(all.len(), 2);
    let (name, acts) = &all[0];
    assert_eq!(name, "Hoạt động");
    let title = cell_text(acts, 0, 0);
    assert!(
        title.contains("Nguyễn Thị Hạnh") && title.contains("toàn bộ thời gian"),
        "{title}"
    );
    let h = header_row(acts);
    assert_eq!(cell_text(acts, h, 0), "Ghi nhận lúc");
    assert!(matches!(acts.get((h + 1, 0)), Some(Data::DateTime(_))));
    let what: Vec<String> = (h + 1..acts.height())
        .map(|r| cell_text(acts, r, 5))
        .collect();
    assert!(
        what.iter().any(|w| w == "Tiếp nhận thông tin")
            && what.iter().any(|w| w == "Đăng ký trẻ em"),
        "{what:?}"
    );
    // Outside the area: no workbook.
    let stranger = site.sign_in("cb-9").await;
    let (s, _, _) = get_bytes(&site, &stranger, "/officer.xlsx?id=cb-1").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    db.drop_db().await;
}
