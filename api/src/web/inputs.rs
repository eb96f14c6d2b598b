//! Dates, times and months as people in Vietnam write them, in the pages'
//! inputs too: `05/02/2026`, `05/02/2026 14:30` (24-hour, Vietnam time),
//! `12/2025` (shown as "tháng 12/2025"). The inputs are plain text inputs with
//! a pattern (no browser date widget, whose format follows the browser's
//! locale, and no script); the server parses what was typed.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::html::esc;
use super::tr;
use crate::labels::Lang;

const VN: chrono::FixedOffset = hoso_domain::calendar::VN_OFFSET;

/// `05/02/2026`.
pub fn date_text(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// `05/02/2026 14:30`, Vietnam time.
pub fn datetime_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&VN).format("%d/%m/%Y %H:%M").to_string()
}

/// `05/02/2026 14:30:05`, Vietnam time (the as-of picker: to the second).
pub fn datetime_seconds_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&VN).format("%d/%m/%Y %H:%M:%S").to_string()
}

/// `12/2025` of `2025-12`.
pub fn month_text(ym: &str) -> String {
    match ym.split_once('-') {
        Some((y, m)) => format!("{m}/{y}"),
        None => ym.to_string(),
    }
}

/// "tháng 12/2025" (vi) or "12/2025" (en), of `2025-12`.
pub fn month_label(ym: &str, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!("tháng {}", month_text(ym)),
        Lang::En => month_text(ym),
    }
}

/// `5/2/2026`, `05/02/2026`, or `2026-02-05`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Some((d, rest)) = s.split_once('/') {
        let (m, y) = rest.split_once('/')?;
        let (d, m, y) = (d.trim(), m.trim(), y.trim());
        if y.len() != 4 || d.is_empty() || m.is_empty() || d.len() > 2 || m.len() > 2 {
            return None;
        }
        return NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// `05/02/2026 14:30[:05]` (Vietnam time), a date alone (its start), or the
/// forms machines send (`2026-02-05T14:30`, RFC 3339).
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.contains('/') {
        let (d, t) = match s.split_once(' ') {
            Some((d, t)) => (d, t.trim()),
            None => (s, "00:00"),
        };
        let date = parse_date(d)?;
        let time = NaiveTime::parse_from_str(t, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
            .ok()?;
        return VN
            .from_local_datetime(&NaiveDateTime::new(date, time))
            .single()
            .map(|t| t.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return VN
                .from_local_datetime(&n)
                .single()
                .map(|t| t.with_timezone(&Utc));
        }
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `12/2025`, `tháng 12/2025` or `2025-12` → `2025-12`.
pub fn parse_month(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_prefix("tháng").map(str::trim).unwrap_or(s);
    let (y, m): (i32, u32) = if let Some((m, y)) = s.split_once('/') {
        if y.trim().len() != 4 {
            return None;
        }
        (y.trim().parse().ok()?, m.trim().parse().ok()?)
    } else {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 {
            return None;
        }
        (y.parse().ok()?, m.parse().ok()?)
    };
    NaiveDate::from_ymd_opt(y, m, 1).map(|d| format!("{:04}-{:02}", d.year(), d.month()))
}

pub const DATE_PATTERN: &str = r"\d{1,2}/\d{1,2}/\d{4}";
pub const DATETIME_PATTERN: &str = r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(:\d{2})?";
pub const MONTH_PATTERN: &str = r"\d{1,2}/\d{4}";

/// The hint under an input of this kind.
fn hint(lang: Lang, pattern: &str) -> &'static str {
    match pattern {
        DATE_PATTERN => tr(lang, "ngày/tháng/năm", "dd/mm/yyyy"),
        DATETIME_PATTERN => tr(lang, "ngày/tháng/năm giờ:phút", "dd/mm/yyyy hh:mm"),
        _ => tr(lang, "tháng/năm", "mm/yyyy"),
    }
}

/// A text input for a date, time or month (`pattern` one of the patterns
/// above), with its format as placeholder and title.
pub fn input(lang: Lang, id: &str, name: &str, value: &str, pattern: &str, extra: &str) -> String {
    let size = match pattern {
        DATETIME_PATTERN => 19,
        DATE_PATTERN => 11,
        _ => 8,
    };
    format!(
        "<input type=\"text\" id=\"{}\" name=\"{}\" value=\"{}\" inputmode=\"numeric\" \
         pattern=\"{}\" placeholder=\"{h}\" title=\"{h}\" size=\"{size}\" autocomplete=\"off\"{extra}>",
        esc(id),
        esc(name),
        esc(value),
        esc(pattern),
        h = hint(lang, pattern),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_times_and_months_as_written_in_vietnam() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 5).unwrap();
        assert_eq!(parse_date("05/02/2026"), Some(d));
        assert_eq!(parse_date("5/2/2026"), Some(d));
        assert_eq!(parse_date("2026-02-05"), Some(d));
        assert_eq!(parse_date("31/02/2026"), None);
        assert_eq!(parse_date("05/02/26"), None);
        assert_eq!(date_text(d), "05/02/2026");
        let t = parse_datetime("05/02/2026 14:30").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-02-05T07:30:00+00:00");
        assert_eq!(datetime_text(t), "05/02/2026 14:30");
        assert_eq!(
            parse_datetime("05/02/2026 14:30:05").unwrap().to_rfc3339(),
            "2026-02-05T07:30:05+00:00"
        );
        assert_eq!(parse_datetime("2026-02-05T14:30"), Some(t));
        assert_eq!(parse_datetime("05/02/2026 25:00"), None);
        assert_eq!(parse_month("12/2025").as_deref(), Some("2025-12"));
        assert_eq!(parse_month("tháng 1/2026").as_deref(), Some("2026-01"));
        assert_eq!(parse_month("2026-01").as_deref(), Some("2026-01"));
        assert_eq!(parse_month("13/2026"), None);
        assert_eq!(month_label("2025-12", Lang::Vi), "tháng 12/2025");
    }
}
