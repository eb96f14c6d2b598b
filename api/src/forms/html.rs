//! The parts every form shares: the national heading, dates as
//! administrative documents write them, dotted blanks, the risk-factor table,
//! signature blocks, corrections and the provenance line.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use hoso_domain::case::{CaseEvent, RiskFactors, ServiceKind};
use hoso_domain::common::{CommuneRef, RiskLevel, Structure};
use hoso_domain::places;
use serde::Serialize;

use super::{CaseRecord, FormKind, Recorded, FORM_CSS_PATH};
use crate::labels::{label, Lang};

pub use crate::web::esc;

/// What a form body is, and which events (indices into `record.events`) it
/// was filled from.
pub(super) struct Page {
    pub body: String,
    pub used: Vec<usize>,
}

// ---------------------------------------------------------------------------
// Words and values

/// The Vietnamese label of a domain code.
pub(super) fn vi(code: &str) -> String {
    label(Lang::Vi, code)
}

/// The serde code of a value (`sexual_abuse`), for [`vi`].
pub(super) fn code<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The Vietnamese label of a domain value.
pub(super) fn vi_of<T: Serialize>(v: &T) -> String {
    vi(&code(v))
}

/// A kind of service in the fuller words of the glossary (the labels of the
/// web pages are shorter).
pub(super) fn service_vi(k: ServiceKind) -> &'static str {
    match k {
        ServiceKind::Healthcare => "Chăm sóc y tế",
        ServiceKind::Psychological => "Tư vấn, trị liệu tâm lý",
        ServiceKind::LegalAid => "Trợ giúp pháp lý",
        ServiceKind::Education => "Hỗ trợ giáo dục, học nghề",
        ServiceKind::AlternativeCare => "Chăm sóc thay thế",
        ServiceKind::SocialAssistance => "Trợ giúp xã hội",
        ServiceKind::FamilySupport => "Hỗ trợ gia đình, kỹ năng làm cha mẹ",
        ServiceKind::Reintegration => "Đoàn tụ gia đình, hòa nhập cộng đồng",
        ServiceKind::Other => "Dịch vụ khác",
    }
}

/// A dotted blank to fill in by hand.
pub(super) fn blank() -> String {
    r#"<span class="blank"></span>"#.to_string()
}

/// A whole dotted line to fill in by hand.
pub(super) fn blank_line() -> String {
    r#"<span class="blank line"></span>"#.to_string()
}

/// Recorded free text, escaped, line breaks kept; a blank when empty.
pub(super) fn text(s: &str) -> String {
    if s.trim().is_empty() {
        return blank();
    }
    format!(
        r#"<span class="free">{}</span>"#,
        s.trim().lines().map(esc).collect::<Vec<_>>().join("<br>")
    )
}

pub(super) fn opt_text(s: Option<&str>) -> String {
    s.map(text).unwrap_or_else(blank)
}

/// A list of recorded texts, escaped; a blank line when empty.
pub(super) fn items(list: &[String]) -> String {
    if list.is_empty() {
        return blank_line();
    }
    let mut out = String::from(r#"<ul class="items">"#);
    for i in list {
        out.push_str(&format!("<li>{}</li>", text(i)));
    }
    out.push_str("</ul>");
    out
}

/// ☒ or ☐.
pub(super) fn check(b: bool) -> String {
    format!(r#"<span class="box">{}</span>"#, if b { "☒" } else { "☐" })
}

pub(super) fn yes_no(b: bool) -> String {
    format!("{} Có &nbsp; {} Không", check(b), check(!b))
}

// ---------------------------------------------------------------------------
// Dates

fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&hoso_domain::calendar::VN_OFFSET)
        .naive_local()
}

pub(super) fn local_date(t: DateTime<Utc>) -> NaiveDate {
    local(t).date()
}

/// `ngày 05 tháng 02 năm 2026`, `ngày 15 tháng 9 năm 2025`: a zero before days
/// 1–9 and before months 1 and 2, as on administrative documents.
pub(super) fn ngay(d: NaiveDate) -> String {
    let month = if d.month() <= 2 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

/// `10/03/2015`.
pub(super) fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// `08 giờ 30, ngày 01/09/2025` (Vietnam time).
pub(super) fn at(t: DateTime<Utc>) -> String {
    let l = local(t);
    format!(
        "{} giờ {}, ngày {}",
        l.format("%H"),
        l.format("%M"),
        dmy(l.date())
    )
}

/// The day of a deadline that is stored as the exclusive instant 00:00 of
/// the next day (plan and approval deadlines).
pub(super) fn last_day_before(t: DateTime<Utc>) -> NaiveDate {
    local_date(t - chrono::Duration::seconds(1))
}

// ---------------------------------------------------------------------------
// Places and the heading

/// `Tỉnh Hà Tĩnh`, `Thành phố Hà Nội` (the 2025 list names provinces without
/// their type).
fn province_full(p: &places::Province) -> String {
    if p.name.starts_with("Tỉnh ") || p.name.starts_with("Thành phố ") {
        p.name.clone()
    } else if p.division_type == "tỉnh" {
        format!("Tỉnh {}", p.name)
    } else {
        format!("Thành phố {}", p.name)
    }
}

/// `Sông Trí` of `Phường Sông Trí`: the place name of the date line.
fn bare_name(name: &str) -> &str {
    for prefix in ["Xã ", "Phường ", "Thị trấn ", "Đặc khu "] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest;
        }
    }
    name
}

/// Who issues a form.
pub(super) struct Agency {
    /// The level above, e.g. `TỈNH HÀ TĨNH` (2025) or `HUYỆN HƯƠNG SƠN` (pre-2025).
    pub above: Option<String>,
    /// The issuing body, in bold, one line each.
    pub name: Vec<String>,
    /// Abbreviation for reference numbers: `UBND`, `TĐ111`.
    pub short: &'static str,
    /// Place name of the date line (`Sông Trí`).
    pub place: String,
    /// `Phường Sông Trí` (or the code when unknown).
    pub commune: String,
    /// `Phường Sông Trí, Tỉnh Hà Tĩnh`.
    pub commune_full: String,
}

impl Agency {
    /// The People's Committee of a commune.
    pub fn committee(c: Option<CommuneRef>) -> Agency {
        let dir = c.map(|c| places::directory(c.structure));
        let commune = c.and_then(|c| dir?.commune(&c).map(|x| x.name.clone()));
        let province = c.and_then(|c| dir?.province(c.province).map(province_full));
        let district = c.and_then(|c| {
            if c.structure != Structure::Pre2025 {
                return None;
            }
            let p = dir?.province(c.province)?;
            p.districts
                .iter()
                .find(|d| Some(d.code) == c.district)
                .map(|d| d.name.clone())
        });
        let above = district
            .clone()
            .or(province.clone())
            .map(|s| s.to_uppercase());
        let commune_name = commune.clone().unwrap_or_else(|| match c {
            Some(c) => format!("Xã, phường mã {}", c.commune),
            None => "Xã, phường".to_string(),
        });
        let mut name = vec!["ỦY BAN NHÂN DÂN".to_string()];
        name.push(commune_name.to_uppercase());
        let commune_full = [Some(commune_name.clone()), district, province]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        Agency {
            above,
            name,
            short: "UBND",
            place: commune
                .as_deref()
                .map(|n| bare_name(n).to_string())
                .unwrap_or_default(),
            commune: commune_name,
            commune_full,
        }
    }

    /// Tổng đài điện thoại quốc gia bảo vệ trẻ em 111 (intake by the hotline).
    pub fn hotline(case_commune: Option<CommuneRef>) -> Agency {
        let committee = Agency::committee(case_commune);
        Agency {
            above: None,
            name: vec![
                "TỔNG ĐÀI ĐIỆN THOẠI QUỐC GIA".to_string(),
                "BẢO VỆ TRẺ EM 111".to_string(),
            ],
            short: "TĐ111",
            place: "Hà Nội".to_string(),
            ..committee
        }
    }

    /// `CHỦ TỊCH UBND PHƯỜNG SÔNG TRÍ`.
    pub fn chairman_title(&self) -> String {
        format!("Chủ tịch UBND {}", self.commune).to_uppercase()
    }
}

/// `Sông Trí, ngày 01 tháng 9 năm 2025`; the place as a blank when unknown.
pub(super) fn place_date(agency: &Agency, t: DateTime<Utc>) -> String {
    let place = if agency.place.is_empty() {
        "…………".to_string()
    } else {
        esc(&agency.place)
    };
    format!("{place}, {}", ngay(local_date(t)))
}

/// The national heading with the issuing body, the reference number line and
/// the place and date line.
pub(super) fn heading(agency: &Agency, reference: &str, place_date: &str) -> String {
    let mut left = String::new();
    if let Some(a) = &agency.above {
        left.push_str(&format!("{}<br>", esc(a)));
    }
    left.push_str(&format!(
        "<b>{}</b>",
        agency
            .name
            .iter()
            .map(|l| esc(l))
            .collect::<Vec<_>>()
            .join("<br>")
    ));
    left.push_str(r#"<span class="rule"></span>"#);
    format!(
        r#"<table class="heading"><tr><td class="agency">{left}</td><td class="nation"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b><span class="rule"></span></td></tr><tr><td class="ref">{reference}</td><td class="place-date">{place_date}</td></tr></table>"#
    )
}

/// `Số: …/BC-UBND`, or the recorded number.
pub(super) fn reference(kind_abbrev: &str, agency: &Agency, recorded: Option<&str>) -> String {
    match recorded {
        Some(r) if !r.trim().is_empty() => format!("Số: {}", esc(r.trim())),
        _ => format!("Số: ………/{kind_abbrev}-{}", agency.short),
    }
}

// ---------------------------------------------------------------------------
// Risk factors

/// The four factors of Mẫu số 02, 03 and 06, in the words of the domain's
/// glossary, with what each level means.
pub(super) const FACTORS: [(&str, &str); 4] = [
    (
        "Mức độ nghiêm trọng của tổn hại",
        "Cao: tổn hại nghiêm trọng, ảnh hưởng đến sự phát triển của trẻ em; Trung bình: tổn hại ít nghiêm trọng; Thấp: tổn hại không nghiêm trọng.",
    ),
    (
        "Khả năng người gây tổn hại tiếp cận trẻ em",
        "Cao: có thể tiếp cận trẻ em thường xuyên; Trung bình: có cơ hội tiếp cận nhưng không thường xuyên; Thấp: ít hoặc không thể tiếp cận.",
    ),
    (
        "Trở ngại đối với sự an toàn trong môi trường chăm sóc",
        "Cao: nhiều trở ngại đáng kể; Trung bình: có một vài trở ngại nhưng trẻ em vẫn được bảo vệ nhất định; Thấp: ít hoặc không có trở ngại.",
    ),
    (
        "Khả năng tự bảo vệ và phục hồi của trẻ em",
        "Đánh giá theo mức nguy cơ — Cao: trẻ em không có khả năng tự bảo vệ, phục hồi; Trung bình: có phần nào; Thấp: có khả năng tự bảo vệ, phục hồi.",
    ),
];

fn levels(f: &RiskFactors) -> [RiskLevel; 4] {
    [
        f.severity_of_harm,
        f.abuser_access,
        f.care_environment_obstacles,
        f.child_capacity,
    ]
}

/// The factor table; the level cells are empty when nothing was recorded
/// (`None`), for filling in by hand.
pub(super) fn factor_table(f: Option<&RiskFactors>) -> String {
    let levels = f.map(levels);
    let mut out = String::from(
        r#"<table class="grid"><thead><tr><th>STT</th><th>Yếu tố đánh giá</th><th>Cao</th><th>Trung bình</th><th>Thấp</th></tr></thead><tbody>"#,
    );
    let mut counts = [0u32; 3];
    for (i, (name, meaning)) in FACTORS.iter().enumerate() {
        let level = levels.map(|l| l[i]);
        let cell = |want: RiskLevel| match level {
            Some(l) if l == want => check(true),
            Some(_) => check(false),
            None => String::new(),
        };
        if let Some(l) = level {
            counts[match l {
                RiskLevel::High => 0,
                RiskLevel::Medium => 1,
                RiskLevel::Low => 2,
            }] += 1;
        }
        out.push_str(&format!(
            r#"<tr><td class="no">{}</td><td><b>{}</b><br><i>{}</i></td><td class="mark">{}</td><td class="mark">{}</td><td class="mark">{}</td></tr>"#,
            i + 1,
            esc(name),
            esc(meaning),
            cell(RiskLevel::High),
            cell(RiskLevel::Medium),
            cell(RiskLevel::Low),
        ));
    }
    let total = |n: u32| {
        if levels.is_some() {
            n.to_string()
        } else {
            String::new()
        }
    };
    out.push_str(&format!(
        r#"<tr><td></td><td><b>Tổng số</b></td><td class="mark">{}</td><td class="mark">{}</td><td class="mark">{}</td></tr></tbody></table>"#,
        total(counts[0]),
        total(counts[1]),
        total(counts[2])
    ));
    out
}

/// `Cao`, `Trung bình`, `Thấp` with check boxes.
pub(super) fn level_choice(l: RiskLevel) -> String {
    [RiskLevel::High, RiskLevel::Medium, RiskLevel::Low]
        .iter()
        .map(|x| format!("{} {}", check(*x == l), esc(&vi_of(x))))
        .collect::<Vec<_>>()
        .join(" &nbsp; ")
}

// ---------------------------------------------------------------------------
// Signatures

/// One signature block.
pub(super) struct Sig {
    /// Bold, upper case; one line each.
    pub role: Vec<String>,
    /// `(Ký, ghi rõ họ tên)`.
    pub how: &'static str,
    pub name: Option<String>,
}

pub(super) const SIGN: &str = "(Ký, ghi rõ họ tên)";
pub(super) const SIGN_STAMP: &str = "(Ký, ghi rõ họ tên, đóng dấu)";

pub(super) fn sig_cell(s: &Sig) -> String {
    format!(
        r#"<td><div class="role">{}</div><div class="how">{}</div><div class="space"></div><div class="name">{}</div></td>"#,
        s.role
            .iter()
            .map(|r| esc(r))
            .collect::<Vec<_>>()
            .join("<br>"),
        esc(s.how),
        s.name.as_deref().map(esc).unwrap_or_default()
    )
}

/// Two signature blocks side by side.
pub(super) fn signatures(left: &Sig, right: &Sig) -> String {
    format!(
        r#"<table class="signatures"><tr>{}{}</tr></table>"#,
        sig_cell(left),
        sig_cell(right)
    )
}

/// The block of the commune chairman, named when known.
pub(super) fn chairman_sig(agency: &Agency, name: Option<String>) -> Sig {
    Sig {
        role: vec![agency.chairman_title()],
        how: SIGN_STAMP,
        name,
    }
}

// ---------------------------------------------------------------------------
// The child

/// `Nguyễn Văn An`, escaped, or a blank.
pub(super) fn child_name(record: &CaseRecord) -> String {
    match &record.child {
        Some(c) if !c.full_name.trim().is_empty() => esc(&c.full_name),
        _ => blank(),
    }
}

/// `10/03/2015 (10 tuổi)`: the date of birth and the age on `day`.
pub(super) fn birth(record: &CaseRecord, day: NaiveDate) -> String {
    match record.state.date_of_birth {
        Some(dob) => format!(
            "{} ({} tuổi)",
            dmy(dob),
            hoso_domain::child::age_on(dob, day)
        ),
        None => blank(),
    }
}

/// Nam / Nữ / Không biết, with check boxes.
pub(super) fn sex(record: &CaseRecord) -> String {
    use hoso_domain::child::Sex;
    let s = record.child.as_ref().and_then(|c| c.sex);
    format!(
        "Nam {} &nbsp; Nữ {} &nbsp; Không biết {}",
        check(s == Some(Sex::Male)),
        check(s == Some(Sex::Female)),
        check(matches!(s, Some(Sex::Other) | None))
    )
}

/// The child's address: detail and commune.
pub(super) fn address(record: &CaseRecord) -> String {
    let Some(a) = record.child.as_ref().and_then(|c| c.address.as_ref()) else {
        return blank();
    };
    let commune = Agency::committee(Some(a.commune)).commune_full;
    let full = if a.detail.trim().is_empty() {
        commune
    } else {
        format!("{}, {commune}", a.detail.trim())
    };
    esc(&full)
}

// ---------------------------------------------------------------------------
// The document

/// Corrections recorded against the events a form used.
fn corrections(record: &CaseRecord, used: &[usize]) -> String {
    let sequences: Vec<u64> = used.iter().map(|&i| record.events[i].sequence).collect();
    let found: Vec<String> = record
        .events
        .iter()
        .filter_map(|r| match &r.event {
            CaseEvent::EventCorrected {
                at: when,
                corrects_sequence,
                reason,
                correction,
            } if sequences.contains(corrects_sequence) => Some(format!(
                "<li>Sự kiện số {corrects_sequence} được đính chính lúc {}: {}. Lý do: {}.</li>",
                at(*when),
                text(correction),
                text(reason)
            )),
            _ => None,
        })
        .collect();
    if found.is_empty() {
        return String::new();
    }
    format!(
        r#"<section class="corrections"><h3>Đính chính</h3><ul class="items">{}</ul></section>"#,
        found.concat()
    )
}

fn provenance(record: &CaseRecord, used: &[usize]) -> String {
    let events = used
        .iter()
        .map(|&i| {
            let r: &Recorded = &record.events[i];
            match &r.hash {
                Some(h) => format!("số {} (SHA-256 {})", r.sequence, esc(h)),
                None => format!("số {}", r.sequence),
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let moment = match record.as_of {
        Some(t) => format!("tình trạng hồ sơ tại {}", at(t)),
        None => "tình trạng hồ sơ hiện tại".to_string(),
    };
    format!(
        r#"<footer class="provenance">Lập từ hồ sơ điện tử {} ({moment}); sự kiện: {events}.</footer>"#,
        esc(&record.case_id)
    )
}

/// The whole HTML document of a form.
pub(super) fn document(kind: FormKind, record: &CaseRecord, page: &Page) -> String {
    let mut used = page.used.clone();
    used.sort_unstable();
    used.dedup();
    let number = match kind {
        FormKind::Minutes => format!(
            "<b>Kèm theo {}</b>",
            FormKind::SpecificAssessment03.number()
        ),
        other => format!("<b>{}</b>", other.number()),
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — {case}</title>
<link rel="stylesheet" href="{css}">
</head>
<body>
<main class="form">
<div class="form-no">{number}<i>(Ban hành kèm theo Nghị định số 56/2017/NĐ-CP ngày 09 tháng 5 năm 2017 của Chính phủ)</i></div>
{body}{corrections}{provenance}
</main>
</body>
</html>
"#,
        title = esc(&format!("{} — {}", kind.number(), kind.title_vi())),
        case = esc(&record.case_id),
        css = FORM_CSS_PATH,
        body = page.body,
        corrections = corrections(record, &used),
        provenance = provenance(record, &used),
    )
}
