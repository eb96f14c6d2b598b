//! Working days (ngày làm việc) and the legal deadlines of case work (Decree
//! 56/2017/NĐ-CP chapter III), counted in Vietnam's local time (UTC+7, no
//! daylight saving) from the public-holiday calendar in `data/holidays-vn.json`,
//! which is compiled into the binary: the calendar is data, not code.
//!
//! **Working day.** A local date is a working day when it is Monday–Friday and
//! not a public holiday or compensatory/swapped day off (ngày nghỉ lễ, nghỉ bù,
//! ngày nghỉ hoán đổi), or when it is a Saturday declared a working day in
//! exchange (ngày làm bù). Years outside the data file (see [`covered_years`])
//! know weekends only.
//!
//! **Counting rule.** "Within N working days from intake" (trong thời hạn N ngày
//! làm việc kể từ khi tiếp nhận thông tin) counts from the day after the local date
//! of intake: the intake day itself is never counted, whatever the hour, and
//! neither are days off. The deadline is the *end* of the N-th working day, given
//! as the instant 00:00 local time of the next calendar day (17:00 UTC of the
//! N-th working day). It is exclusive: an act is on time when it happens strictly
//! before the deadline instant. So an intake on Monday 2025-03-03 at any hour
//! has its plan deadline (5 working days) at the end of Monday 2025-03-10, i.e.
//! 2025-03-11 00:00 +07:00, and its approval deadline (7 working days in total)
//! at the end of Wednesday 2025-03-12. The emergency deadline (can thiệp khẩn
//! cấp) is 12 clock hours after the instant of intake, days off included.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

const HOLIDAYS_VN: &str = include_str!("../../data/holidays-vn.json");

/// Emergency measures: within 12 hours of intake (trong vòng 12 giờ).
pub const EMERGENCY_HOURS: i64 = 12;
/// Draft support/intervention plan (kế hoạch hỗ trợ, can thiệp): 5 working days.
pub const PLAN_WORKING_DAYS: u32 = 5;
/// Plan approval (phê duyệt kế hoạch): 7 working days in total from intake.
pub const APPROVAL_WORKING_DAYS: u32 = 7;

/// Vietnam's time zone, Asia/Ho_Chi_Minh: UTC+7 all year round.
pub const VN_OFFSET: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+7 is a valid offset"),
};

/// The three legal deadlines counted from intake (Decree 56/2017, chapter III).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// Emergency decision (can thiệp khẩn cấp): 12 hours after intake.
    pub emergency: DateTime<Utc>,
    /// Plan drafted (kế hoạch hỗ trợ, can thiệp): end of the 5th working day after
    /// intake, as the instant 00:00 local time of the following day (exclusive).
    pub plan: DateTime<Utc>,
    /// Plan approved (phê duyệt): end of the 7th working day after intake, as the
    /// instant 00:00 local time of the following day (exclusive).
    pub approval: DateTime<Utc>,
}

/// Deadlines for a case whose report was received at `intake_at`; see the module
/// documentation for the counting rule.
pub fn deadlines(intake_at: DateTime<Utc>) -> Deadlines {
    let day = local_date(intake_at);
    Deadlines {
        emergency: intake_at + Duration::hours(EMERGENCY_HOURS),
        plan: end_of_local_day(add_working_days(day, PLAN_WORKING_DAYS)),
        approval: end_of_local_day(add_working_days(day, APPROVAL_WORKING_DAYS)),
    }
}

/// The calendar date in Vietnam at this instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&VN_OFFSET).date_naive()
}

/// The instant 00:00 local time at the start of `date`.
pub fn start_of_local_day(date: NaiveDate) -> DateTime<Utc> {
    let offset = Duration::seconds(i64::from(VN_OFFSET.local_minus_utc()));
    (date.and_time(NaiveTime::MIN) - offset).and_utc()
}

/// The end of `date` in local time, as the (exclusive) instant 00:00 local time
/// of the following day.
pub fn end_of_local_day(date: NaiveDate) -> DateTime<Utc> {
    start_of_local_day(date) + Duration::days(1)
}

/// True when public employees work on this local date: Monday–Friday and not a
/// day off, or a Saturday declared a working day in exchange (làm bù).
pub fn is_working_day(date: NaiveDate) -> bool {
    let cal = calendar();
    if cal.extra_working_days.contains_key(&date) {
        return true;
    }
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !cal.holidays.contains_key(&date)
}

/// The `n`-th working day after `date`, not counting `date` itself; `date` when
/// `n` is 0.
pub fn add_working_days(date: NaiveDate, n: u32) -> NaiveDate {
    let mut day = date;
    let mut left = n;
    while left > 0 {
        match day.succ_opt() {
            Some(next) => day = next,
            // chrono's last representable date: nothing beyond it to count.
            None => return day,
        }
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// The number of working days `d` with `from < d <= to` (0 when `to <= from`):
/// how many working days have elapsed at the end of `to` for something received
/// on `from`, by the same rule as the deadlines.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| is_working_day(*d))
        .fold(0u32, |n, _| n.saturating_add(1))
}

/// One dated entry of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub name: String,
    /// Not yet officially announced: derived from the Labour Code and the pattern
    /// of past years; to be checked against the government's notice.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub provisional: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    source: String,
    #[serde(default)]
    scope: String,
    timezone: String,
    holidays: Vec<CalendarDay>,
    extra_working_days: Vec<CalendarDay>,
}

/// The public-holiday calendar (lịch nghỉ lễ, Tết) of `data/holidays-vn.json`.
#[derive(Debug)]
pub struct HolidayCalendar {
    pub source: String,
    /// Whose days off these are (public employees, Monday–Friday).
    pub scope: String,
    pub timezone: String,
    holidays: BTreeMap<NaiveDate, CalendarDay>,
    extra_working_days: BTreeMap<NaiveDate, CalendarDay>,
}

impl HolidayCalendar {
    fn parse(json: &str) -> Result<HolidayCalendar, serde_json::Error> {
        let file: CalendarFile = serde_json::from_str(json)?;
        Ok(HolidayCalendar {
            source: file.source,
            scope: file.scope,
            timezone: file.timezone,
            holidays: file.holidays.into_iter().map(|d| (d.date, d)).collect(),
            extra_working_days: file
                .extra_working_days
                .into_iter()
                .map(|d| (d.date, d))
                .collect(),
        })
    }

    /// The day off on this date, if any (weekend holidays included).
    pub fn holiday(&self, date: NaiveDate) -> Option<&CalendarDay> {
        self.holidays.get(&date)
    }

    /// The Saturday worked in exchange (làm bù) on this date, if any.
    pub fn extra_working_day(&self, date: NaiveDate) -> Option<&CalendarDay> {
        self.extra_working_days.get(&date)
    }

    pub fn holidays(&self) -> impl Iterator<Item = &CalendarDay> {
        self.holidays.values()
    }

    pub fn extra_working_days(&self) -> impl Iterator<Item = &CalendarDay> {
        self.extra_working_days.values()
    }

    /// The years the data file lists days off for.
    pub fn covered_years(&self) -> RangeInclusive<i32> {
        let first = self.holidays.keys().next().map_or(0, |d| d.year());
        let last = self.holidays.keys().next_back().map_or(-1, |d| d.year());
        first..=last
    }
}

/// The embedded calendar, parsed on first use.
pub fn calendar() -> &'static HolidayCalendar {
    static CAL: OnceLock<HolidayCalendar> = OnceLock::new();
    CAL.get_or_init(|| {
        // The file is part of the source tree; a parse failure is a build defect
        // (covered by a test).
        // Compiled-in data, parsed by a test: a panic here is a build defect.
        #[allow(clippy::expect_used)]
        HolidayCalendar::parse(HOLIDAYS_VN).expect("embedded holidays-vn.json is valid")
    })
}

/// The years whose days off are known; outside them only weekends are days off.
pub fn covered_years() -> RangeInclusive<i32> {
    calendar().covered_years()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// An instant given in Vietnam local time.
    fn local(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        VN_OFFSET
            .with_ymd_and_hms(y, m, day, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn data_file_parses_and_covers_2024_to_2027() {
        let cal = HolidayCalendar::parse(HOLIDAYS_VN).unwrap();
        assert!(cal.timezone.contains("UTC+7"));
        assert!(!cal.source.is_empty());
        for year in 2024..=2027 {
            assert!(
                cal.holidays().filter(|h| h.date.year() == year).count() >= 8,
                "{year} has its holidays"
            );
            for (m, day) in [(1, 1), (4, 30), (5, 1), (9, 2)] {
                assert!(cal.holiday(d(year, m, day)).is_some(), "{year}-{m}-{day}");
            }
        }
        assert_eq!(covered_years(), 2024..=2027);
        // Every extra working day is a weekend day, and no day is both.
        for x in cal.extra_working_days() {
            assert!(matches!(x.date.weekday(), Weekday::Sat | Weekday::Sun));
            assert!(cal.holiday(x.date).is_none());
        }
        assert!(cal.holidays().any(|h| h.provisional));
        assert!(cal
            .holidays()
            .filter(|h| h.date.year() == 2025)
            .all(|h| !h.provisional));
    }

    #[test]
    fn weekends_are_skipped() {
        assert!(is_working_day(d(2025, 3, 7))); // Friday
        assert!(!is_working_day(d(2025, 3, 8))); // Saturday
        assert!(!is_working_day(d(2025, 3, 9))); // Sunday
                                                 // Friday + 1 working day = Monday.
        assert_eq!(add_working_days(d(2025, 3, 7), 1), d(2025, 3, 10));
        // Intake Monday 3 March 2025: plan by the end of Monday 10, approval by
        // the end of Wednesday 12.
        let dl = deadlines(local(2025, 3, 3, 9, 30));
        assert_eq!(dl.plan, local(2025, 3, 11, 0, 0));
        assert_eq!(dl.approval, local(2025, 3, 13, 0, 0));
        assert_eq!(add_working_days(d(2025, 3, 3), 0), d(2025, 3, 3));
    }

    #[test]
    fn intake_on_a_weekend_counts_from_monday() {
        let dl = deadlines(local(2025, 3, 8, 14, 0)); // Saturday
        assert_eq!(dl.plan, end_of_local_day(d(2025, 3, 14))); // Friday
        assert_eq!(dl.approval, end_of_local_day(d(2025, 3, 18))); // Tuesday
    }

    #[test]
    fn tet_2026_is_skipped() {
        // Intake Thursday 12 Feb 2026; days off 14–22 Feb (Tết Bính Ngọ).
        let dl = deadlines(local(2026, 2, 12, 10, 0));
        // Working days: Fri 13, Mon 23, Tue 24, Wed 25, Thu 26, Fri 27, Mon 2 Mar.
        assert_eq!(dl.plan, end_of_local_day(d(2026, 2, 26)));
        assert_eq!(dl.approval, end_of_local_day(d(2026, 3, 2)));
        for day in 16..=20 {
            assert!(!is_working_day(d(2026, 2, day)));
        }
        assert_eq!(working_days_between(d(2026, 2, 12), d(2026, 2, 26)), 5);
    }

    #[test]
    fn swapped_saturday_is_a_working_day() {
        // Saturday 26 April 2025 was worked in exchange for Friday 2 May.
        assert!(is_working_day(d(2025, 4, 26)));
        assert!(!is_working_day(d(2025, 5, 2)));
        assert!(calendar().extra_working_day(d(2025, 4, 26)).is_some());
        // Intake Friday 25 April: Sat 26, Mon 28, Tue 29, then 30/4–4/5 off,
        // Mon 5, Tue 6 May; approval Thu 8 May.
        let dl = deadlines(local(2025, 4, 25, 16, 0));
        assert_eq!(dl.plan, end_of_local_day(d(2025, 5, 6)));
        assert_eq!(dl.approval, end_of_local_day(d(2025, 5, 8)));
        // Saturday 10 January 2026 (for Friday 2 January).
        assert!(is_working_day(d(2026, 1, 10)));
        assert!(!is_working_day(d(2026, 1, 2)));
    }

    #[test]
    fn emergency_deadline_is_twelve_clock_hours() {
        let at = Utc.with_ymd_and_hms(2025, 1, 24, 20, 15, 0).unwrap();
        let dl = deadlines(at);
        assert_eq!(
            dl.emergency,
            Utc.with_ymd_and_hms(2025, 1, 25, 8, 15, 0).unwrap()
        );
        // Over Tết too: clock hours, not working hours.
        let at = local(2026, 2, 16, 22, 0);
        assert_eq!(deadlines(at).emergency, local(2026, 2, 17, 10, 0));
    }

    #[test]
    fn late_evening_utc_is_the_next_local_day() {
        // 18:30 UTC on Thursday 6 March 2025 is 01:30 on Friday 7 March in Vietnam.
        let at = Utc.with_ymd_and_hms(2025, 3, 6, 18, 30, 0).unwrap();
        assert_eq!(local_date(at), d(2025, 3, 7));
        // So counting starts on Monday 10: plan by the end of Friday 14.
        assert_eq!(deadlines(at).plan, end_of_local_day(d(2025, 3, 14)));
        // 16:59 UTC is still Thursday locally: plan by the end of Thursday 13.
        let at = Utc.with_ymd_and_hms(2025, 3, 6, 16, 59, 0).unwrap();
        assert_eq!(local_date(at), d(2025, 3, 6));
        assert_eq!(deadlines(at).plan, end_of_local_day(d(2025, 3, 13)));
    }

    #[test]
    fn end_of_day_is_local_midnight() {
        assert_eq!(
            end_of_local_day(d(2025, 3, 10)),
            Utc.with_ymd_and_hms(2025, 3, 10, 17, 0, 0).unwrap()
        );
        assert_eq!(
            start_of_local_day(d(2025, 3, 10)),
            Utc.with_ymd_and_hms(2025, 3, 9, 17, 0, 0).unwrap()
        );
    }

    #[test]
    fn national_day_and_reunification_day() {
        assert!(!is_working_day(d(2024, 9, 3)));
        assert!(!is_working_day(d(2025, 9, 1)));
        assert!(!is_working_day(d(2024, 4, 29)));
        assert!(is_working_day(d(2024, 5, 4)));
        assert!(!is_working_day(d(2026, 4, 27))); // compensatory for Sunday 26/4
        assert_eq!(working_days_between(d(2025, 3, 3), d(2025, 3, 3)), 0);
        assert_eq!(working_days_between(d(2025, 3, 10), d(2025, 3, 3)), 0);
        assert_eq!(working_days_between(d(2025, 3, 3), d(2025, 3, 12)), 7);
    }

    #[test]
    fn years_outside_the_data_know_weekends_only() {
        assert!(is_working_day(d(2030, 1, 2)));
        assert!(!is_working_day(d(2030, 1, 5)));
    }
}
