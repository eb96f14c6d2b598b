//! Excel workbooks (.xlsx) for managers and inspectors: statistics, case lists,
//! officer histories. Excel opens CSV files in the wrong code page unless they
//! carry a BOM and still turns dates into text; a workbook keeps Vietnamese
//! letters, numbers as numbers and dates as dates.
//!
//! Every sheet has the same layout:
//! - row 1: the title, merged over all columns (e.g. "Thống kê hồ sơ — tỉnh Hà
//!   Tĩnh — tháng 01/2026 đến tháng 06/2026"; see [`period_title`]);
//! - then the note lines, if any (source, time of export, filters);
//! - a blank row, then the header row (bold, framed, wrapped), frozen so it
//!   stays in view while scrolling, with an autofilter;
//! - the data rows, with typed cells ([`Cell`]): whole numbers and decimals
//!   as numbers, dates as dates shown `dd/mm/yyyy` (Vietnamese) or `yyyy-mm-dd`
//!   (English), times in Vietnam time, yes/no as the words "Có"/"Không".
//!
//! Column widths follow the longest text of each column (in characters, so
//! Vietnamese letters count once), between [`MIN_WIDTH`] and [`MAX_WIDTH`].

use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

pub use rust_xlsxwriter::XlsxError;

use crate::labels::{label, Lang};

/// Narrowest and widest column, in Excel's character units.
pub const MIN_WIDTH: f64 = 8.0;
pub const MAX_WIDTH: f64 = 60.0;

/// One cell of a data row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A count, a code number.
    Int(i64),
    /// A decimal number, shown with up to two decimals.
    Decimal(f64),
    /// A share: 0.25 is shown as 25.0 %.
    Percent(f64),
    Text(String),
    Date(NaiveDate),
    /// Shown in Vietnam time (UTC+7).
    DateTime(DateTime<Utc>),
    /// Written as the words yes/no of the sheet's language ("Có"/"Không").
    Bool(bool),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// `Empty` for `None`.
    pub fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Cell) -> Cell {
        v.map(f).unwrap_or(Cell::Empty)
    }
}

/// One worksheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The tab name; cut to Excel's 31 characters, `[]:*?/\` replaced.
    pub name: String,
    /// The first row.
    pub title: String,
    /// Lines under the title (source, time of export, filters); may be empty.
    pub notes: Vec<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// For date formats and the words of `Cell::Bool`.
    pub lang: Lang,
}

impl Sheet {
    pub fn new(lang: Lang, name: &str, title: &str, headers: &[&str]) -> Sheet {
        Sheet {
            name: name.to_string(),
            title: title.to_string(),
            notes: Vec::new(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            lang,
        }
    }

    /// The 0-based row of the headers.
    pub fn header_row(&self) -> u32 {
        // title, notes, one blank row
        1 + self.notes.len() as u32 + 1
    }

    fn columns(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(self.headers.len()))
            .max()
            .unwrap_or(0)
            .max(1)
    }
}

/// `Thống kê hồ sơ — tỉnh Hà Tĩnh — tháng 01/2026 đến tháng 06/2026` (vi) or
/// `Case statistics — Hà Tĩnh — 01/2026 to 06/2026` (en); the same month once
/// when `from == to`. Months are `(year, month)`.
pub fn period_title(
    lang: Lang,
    what: &str,
    place: &str,
    from: (i32, u32),
    to: (i32, u32),
) -> String {
    let m = |(y, mo): (i32, u32)| format!("{mo:02}/{y}");
    let period = match (lang, from == to) {
        (Lang::Vi, true) => format!("tháng {}", m(from)),
        (Lang::Vi, false) => format!("tháng {} đến tháng {}", m(from), m(to)),
        (Lang::En, true) => m(from),
        (Lang::En, false) => format!("{} to {}", m(from), m(to)),
    };
    [what, place, &period]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" — ")
}

/// A tab name Excel accepts: no `[]:*?/\`, at most 31 characters, not empty,
/// and not one of `taken` (a number is appended).
fn sheet_name(name: &str, taken: &[String]) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let clean = clean.trim().trim_matches('\'').to_string();
    let base = if clean.is_empty() {
        "Sheet".to_string()
    } else {
        clean
    };
    let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let mut candidate = cut(&base, 31);
    let mut n = 2;
    while taken
        .iter()
        .any(|t| t.to_lowercase() == candidate.to_lowercase())
    {
        let suffix = format!(" ({n})");
        candidate = format!("{}{suffix}", cut(&base, 31 - suffix.chars().count()));
        n += 1;
    }
    candidate
}

fn date_format(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "dd/mm/yyyy",
        Lang::En => "yyyy-mm-dd",
    }
}

fn datetime_format(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "dd/mm/yyyy hh:mm",
        Lang::En => "yyyy-mm-dd hh:mm",
    }
}

fn yes_no(lang: Lang, b: bool) -> String {
    label(lang, if b { "w.yes" } else { "w.no" })
}

/// How wide a cell's text is, in characters.
fn cell_width(lang: Lang, c: &Cell) -> usize {
    match c {
        Cell::Int(n) => n.to_string().len(),
        Cell::Decimal(x) => format!("{x:.2}").len(),
        Cell::Percent(_) => 7,
        Cell::Text(s) => s.lines().map(|l| l.chars().count()).max().unwrap_or(0),
        Cell::Date(_) => 10,
        Cell::DateTime(_) => 16,
        Cell::Bool(b) => yes_no(lang, *b).chars().count(),
        Cell::Empty => 0,
    }
}

struct Formats {
    title: Format,
    note: Format,
    header: Format,
    int: Format,
    decimal: Format,
    percent: Format,
    text: Format,
    date: Format,
    datetime: Format,
}

impl Formats {
    fn new(lang: Lang) -> Formats {
        let cell = Format::new().set_border(FormatBorder::Thin);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Left),
            note: Format::new().set_italic(),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_border(FormatBorder::Thin)
                .set_background_color("D9D9D9"),
            int: cell.clone().set_num_format("#,##0"),
            decimal: cell.clone().set_num_format("#,##0.##"),
            percent: cell.clone().set_num_format("0.0%"),
            text: cell.clone().set_text_wrap().set_align(FormatAlign::Top),
            date: cell
                .clone()
                .set_num_format(date_format(lang))
                .set_align(FormatAlign::Left),
            datetime: cell
                .set_num_format(datetime_format(lang))
                .set_align(FormatAlign::Left),
        }
    }
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), XlsxError> {
    let f = Formats::new(sheet.lang);
    let cols = sheet.columns();
    let last_col = u16::try_from(cols - 1).map_err(|_| XlsxError::RowColumnLimitError)?;
    if last_col > 0 {
        ws.merge_range(0, 0, 0, last_col, &sheet.title, &f.title)?;
    } else {
        ws.write_string_with_format(0, 0, &sheet.title, &f.title)?;
    }
    ws.set_row_height(0, 24)?;
    for (i, n) in sheet.notes.iter().enumerate() {
        let row = 1 + i as u32;
        if last_col > 0 {
            ws.merge_range(row, 0, row, last_col, n, &f.note)?;
        } else {
            ws.write_string_with_format(row, 0, n, &f.note)?;
        }
    }
    let header_row = sheet.header_row();
    let mut widths: Vec<usize> = vec![0; cols];
    for (c, h) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(header_row, c as u16, h, &f.header)?;
        // headers wrap: count their longest word, and a little of the rest
        let longest_word = h
            .split_whitespace()
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        widths[c] = longest_word.max(h.chars().count().min(20));
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = header_row + 1 + u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            widths[c] = widths[c].max(cell_width(sheet.lang, cell));
            match cell {
                Cell::Int(n) => {
                    // f64 holds every count exactly up to 2^53
                    ws.write_number_with_format(r, col, *n as f64, &f.int)?;
                }
                Cell::Decimal(x) => {
                    ws.write_number_with_format(r, col, *x, &f.decimal)?;
                }
                Cell::Percent(x) => {
                    ws.write_number_with_format(r, col, *x, &f.percent)?;
                }
                Cell::Text(s) => {
                    ws.write_string_with_format(r, col, s, &f.text)?;
                }
                Cell::Date(d) => {
                    ws.write_datetime_with_format(r, col, d, &f.date)?;
                }
                Cell::DateTime(t) => {
                    let local = t
                        .with_timezone(&hoso_domain::calendar::VN_OFFSET)
                        .naive_local();
                    ws.write_datetime_with_format(r, col, local, &f.datetime)?;
                }
                Cell::Bool(b) => {
                    ws.write_string_with_format(r, col, yes_no(sheet.lang, *b), &f.text)?;
                }
                Cell::Empty => {
                    ws.write_blank(r, col, &f.text)?;
                }
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        let width = (*w as f64 + 2.0).clamp(MIN_WIDTH, MAX_WIDTH);
        ws.set_column_width(c as u16, width)?;
    }
    ws.set_freeze_panes(header_row + 1, 0)?;
    let last_row = header_row + sheet.rows.len() as u32;
    ws.autofilter(header_row, 0, last_row, last_col)?;
    Ok(())
}

/// A workbook of one sheet.
pub fn workbook(sheet: &Sheet) -> Result<Vec<u8>, XlsxError> {
    workbook_of(std::slice::from_ref(sheet))
}

/// A workbook of several sheets, in order. At least one sheet is written (an
/// empty list gives one empty sheet).
pub fn workbook_of(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let mut names: Vec<String> = Vec::new();
    for sheet in sheets {
        let name = sheet_name(&sheet.name, &names);
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        write_sheet(ws, sheet)?;
        names.push(name);
    }
    if sheets.is_empty() {
        wb.add_worksheet();
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook_from_rs, Data, DataType, Reader, Xlsx};
    use chrono::TimeZone;
    use std::io::{Cursor, Read};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn stats_sheet() -> Sheet {
        let title = period_title(
            Lang::Vi,
            "Thống kê hồ sơ",
            "tỉnh Hà Tĩnh",
            (2026, 1),
            (2026, 6),
        );
        let mut s = Sheet::new(
            Lang::Vi,
            "Thống kê",
            &title,
            &[
                "Xã, phường",
                "Hình thức xâm hại",
                "Số vụ việc tiếp nhận",
                "Tỷ lệ đúng hạn",
                "Ngày tiếp nhận đầu tiên",
                "Cập nhật lúc",
                "Có can thiệp khẩn cấp",
                "Ghi chú",
            ],
        );
        s.notes
            .push("Nguồn: hoso — sổ sự kiện đã kiểm chứng".to_string());
        s.rows.push(vec![
            Cell::text("Phường Sông Trí"),
            Cell::text("Bạo lực"),
            Cell::Int(12),
            Cell::Percent(0.75),
            Cell::Date(d(2026, 1, 5)),
            // 09:30 in Vietnam
            Cell::DateTime(
                Utc.with_ymd_and_hms(2026, 6, 30, 2, 30, 0)
                    .single()
                    .expect("valid"),
            ),
            Cell::Bool(true),
            Cell::Empty,
        ]);
        s.rows.push(vec![
            Cell::text("Phường Hải Ninh"),
            Cell::text("Xâm hại tình dục"),
            Cell::Int(3),
            Cell::Percent(1.0),
            Cell::opt(None, Cell::Date),
            Cell::DateTime(
                Utc.with_ymd_and_hms(2026, 6, 30, 2, 30, 0)
                    .single()
                    .expect("valid"),
            ),
            Cell::Bool(false),
            Cell::text("Đã chuyển gửi Bệnh viện đa khoa tỉnh"),
        ]);
        s
    }

    fn read(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        open_workbook_from_rs(Cursor::new(bytes)).expect("a workbook calamine can open")
    }

    #[test]
    fn period_titles() {
        assert_eq!(
            period_title(
                Lang::Vi,
                "Thống kê hồ sơ",
                "tỉnh Hà Tĩnh",
                (2026, 1),
                (2026, 6)
            ),
            "Thống kê hồ sơ — tỉnh Hà Tĩnh — tháng 01/2026 đến tháng 06/2026"
        );
        assert_eq!(
            period_title(Lang::Vi, "Thống kê hồ sơ", "", (2025, 12), (2025, 12)),
            "Thống kê hồ sơ — tháng 12/2025"
        );
        assert_eq!(
            period_title(Lang::En, "Case statistics", "Hà Tĩnh", (2026, 1), (2026, 6)),
            "Case statistics — Hà Tĩnh — 01/2026 to 06/2026"
        );
    }

    #[test]
    fn the_workbook_reads_back_with_types_and_diacritics() {
        let sheet = stats_sheet();
        let mut wb = read(workbook(&sheet).expect("written"));
        assert_eq!(wb.sheet_names(), vec!["Thống kê".to_string()]);
        let range = wb.worksheet_range("Thống kê").expect("the sheet");
        // absolute positions (row, column), 0-based
        let at = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(
            at(0, 0),
            Data::String("Thống kê hồ sơ — tỉnh Hà Tĩnh — tháng 01/2026 đến tháng 06/2026".into())
        );
        assert_eq!(
            at(1, 0),
            Data::String("Nguồn: hoso — sổ sự kiện đã kiểm chứng".into())
        );
        let h = sheet.header_row();
        assert_eq!(h, 3);
        assert_eq!(at(h, 0), Data::String("Xã, phường".into()));
        assert_eq!(at(h, 1), Data::String("Hình thức xâm hại".into()));
        assert_eq!(at(h, 2), Data::String("Số vụ việc tiếp nhận".into()));
        // first data row
        assert_eq!(at(h + 1, 0), Data::String("Phường Sông Trí".into()));
        let count = at(h + 1, 2);
        assert!(
            matches!(count, Data::Float(_) | Data::Int(_)),
            "numeric: {count:?}"
        );
        assert_eq!(count.as_i64(), Some(12));
        assert_eq!(at(h + 1, 3).as_f64(), Some(0.75));
        let day = at(h + 1, 4);
        assert!(day.is_datetime(), "a date cell: {day:?}");
        assert_eq!(day.as_date(), Some(d(2026, 1, 5)));
        let when = at(h + 1, 5);
        assert!(when.is_datetime(), "a date-time cell: {when:?}");
        assert_eq!(
            when.as_datetime(),
            d(2026, 6, 30).and_hms_opt(9, 30, 0),
            "shown in Vietnam time"
        );
        assert_eq!(at(h + 1, 6), Data::String("Có".into()));
        assert_eq!(at(h + 1, 7), Data::Empty);
        // second row
        assert_eq!(at(h + 2, 1), Data::String("Xâm hại tình dục".into()));
        assert_eq!(at(h + 2, 4), Data::Empty);
        assert_eq!(at(h + 2, 6), Data::String("Không".into()));
        assert_eq!(
            at(h + 2, 7),
            Data::String("Đã chuyển gửi Bệnh viện đa khoa tỉnh".into())
        );
    }

    /// The worksheet XML inside the .xlsx (a zip).
    fn sheet_xml(bytes: &[u8], n: usize) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
        let mut xml = String::new();
        zip.by_name(&format!("xl/worksheets/sheet{n}.xml"))
            .expect("the sheet part")
            .read_to_string(&mut xml)
            .expect("UTF-8 XML");
        xml
    }

    #[test]
    fn header_is_frozen_filtered_and_columns_are_sized() {
        let sheet = stats_sheet();
        let bytes = workbook(&sheet).expect("written");
        let xml = sheet_xml(&bytes, 1);
        // frozen below the header row (row 4 in Excel's 1-based numbering)
        assert!(xml.contains(r#"topLeftCell="A5""#), "{xml}");
        assert!(xml.contains(r#"state="frozen""#), "{xml}");
        assert!(xml.contains(r#"<autoFilter ref="A4:H6"/>"#), "{xml}");
        assert!(xml.contains(r#"<mergeCell ref="A1:H1"/>"#), "{xml}");
        // widths: the longest note of column H sets it; none under the minimum
        let widths: Vec<f64> = xml
            .split("<col ")
            .skip(1)
            .filter_map(|c| c.split("width=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        assert_eq!(widths.len(), 8, "{xml}");
        assert!(widths
            .iter()
            .all(|w| *w >= MIN_WIDTH && *w <= MAX_WIDTH + 1.0));
        assert!(widths[7] > widths[2], "{widths:?}");
    }

    #[test]
    fn english_sheets_use_iso_dates_and_english_words() {
        let mut s = Sheet::new(Lang::En, "Cases", "Cases — Hà Tĩnh", &["Opened", "Overdue"]);
        s.rows
            .push(vec![Cell::Date(d(2026, 2, 1)), Cell::Bool(true)]);
        let bytes = workbook(&s).expect("written");
        let mut wb = read(bytes);
        let range = wb.worksheet_range("Cases").expect("the sheet");
        let h = s.header_row();
        assert_eq!(
            range.get_value((h + 1, 1)),
            Some(&Data::String("Yes".into()))
        );
        assert_eq!(
            range.get_value((h + 1, 0)).and_then(|v| v.as_date()),
            Some(d(2026, 2, 1))
        );
    }

    #[test]
    fn several_sheets_get_valid_distinct_names() {
        let a = Sheet::new(Lang::Vi, "Theo tháng", "Thống kê theo tháng", &["Tháng"]);
        let b = Sheet::new(Lang::Vi, "Theo tháng", "Lặp lại", &["Tháng"]);
        let c = Sheet::new(
            Lang::Vi,
            "Hồ sơ/quá hạn: [tỉnh Hà Tĩnh] — danh sách đầy đủ",
            "Hồ sơ quá hạn",
            &["Mã hồ sơ"],
        );
        let mut wb = read(workbook_of(&[a, b, c]).expect("written"));
        let names = wb.sheet_names();
        assert_eq!(names[0], "Theo tháng");
        assert_eq!(names[1], "Theo tháng (2)");
        assert!(names[2].chars().count() <= 31, "{}", names[2]);
        assert!(!names[2].contains(['/', ':', '[', ']']), "{}", names[2]);
        assert!(names[2].starts_with("Hồ sơ-quá hạn"), "{}", names[2]);
        let range = wb.worksheet_range(&names[1]).expect("second sheet");
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String("Lặp lại".into()))
        );
        // an empty list still makes a valid workbook
        let wb = read(workbook_of(&[]).expect("written"));
        assert_eq!(wb.sheet_names().len(), 1);
    }
}
