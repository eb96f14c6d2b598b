//! The child's value types: sex, household status, address, special-circumstance groups.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::common::CommuneRef;

/// The Law on Children covers persons under 16 (Law Art. 1).
pub const CHILD_AGE_LIMIT: u32 = 16;

// ---------------------------------------------------------------------------
// Value types

/// Giới tính.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Nam.
    Male,
    /// Nữ.
    Female,
    /// Khác / chưa xác định (e.g. not yet recorded for an abandoned infant).
    Other,
}

/// Household poverty status as certified by the commune.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HouseholdStatus {
    /// Not on the commune's poor or near-poor list.
    #[default]
    Normal,
    /// Hộ nghèo.
    Poor,
    /// Hộ cận nghèo.
    NearPoor,
}

crate::codes!(Sex { Male => "male", Female => "female", Other => "other" });
crate::codes!(HouseholdStatus {
    Normal => "normal",
    Poor => "poor",
    NearPoor => "near_poor",
});

impl HouseholdStatus {
    pub fn label_vi(self) -> &'static str {
        match self {
            HouseholdStatus::Normal => "Không thuộc hộ nghèo, cận nghèo",
            HouseholdStatus::Poor => "Hộ nghèo",
            HouseholdStatus::NearPoor => "Hộ cận nghèo",
        }
    }
}

/// Current address (nơi cư trú): the commune and the detail within it (village,
/// street, house number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Must be a real commune of its structure.
    pub commune: CommuneRef,
    /// Thôn/bản/tổ dân phố, street, house number; may be empty.
    #[serde(default)]
    pub detail: String,
}

/// A group of children in special circumstances (nhóm trẻ em có hoàn cảnh đặc
/// biệt). The first fourteen keep the letters of Law Art. 10 as their codes
/// (`dd` stands for đ); the last three are the extra groups of the field registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CircumstanceGroup {
    /// a. Mồ côi cả cha và mẹ.
    A,
    /// b. Bị bỏ rơi.
    B,
    /// c. Không nơi nương tựa.
    C,
    /// d. Khuyết tật.
    D,
    /// đ. Nhiễm HIV/AIDS.
    Dd,
    /// e. Vi phạm pháp luật.
    E,
    /// g. Nghiện ma túy.
    G,
    /// h. Bỏ học kiếm sống chưa hoàn thành phổ cập giáo dục THCS.
    H,
    /// i. Bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực.
    I,
    /// k. Bị bóc lột.
    K,
    /// l. Bị xâm hại tình dục.
    L,
    /// m. Bị mua bán.
    M,
    /// n. Mắc bệnh hiểm nghèo / điều trị dài ngày thuộc hộ nghèo, cận nghèo.
    N,
    /// o. Di cư, lánh nạn, tị nạn chưa xác định được cha mẹ / không có người chăm sóc.
    O,
    /// Có nguy cơ rơi vào hoàn cảnh đặc biệt (field register).
    AtRisk,
    /// Tai nạn thương tích, đuối nước (field register).
    InjuryDrowning,
    /// Bạo lực học đường (field register).
    SchoolViolence,
}

impl CircumstanceGroup {
    pub const ALL: [CircumstanceGroup; 17] = [
        CircumstanceGroup::A,
        CircumstanceGroup::B,
        CircumstanceGroup::C,
        CircumstanceGroup::D,
        CircumstanceGroup::Dd,
        CircumstanceGroup::E,
        CircumstanceGroup::G,
        CircumstanceGroup::H,
        CircumstanceGroup::I,
        CircumstanceGroup::K,
        CircumstanceGroup::L,
        CircumstanceGroup::M,
        CircumstanceGroup::N,
        CircumstanceGroup::O,
        CircumstanceGroup::AtRisk,
        CircumstanceGroup::InjuryDrowning,
        CircumstanceGroup::SchoolViolence,
    ];

    /// The serde code: `a` … `o` (`dd` for đ), `at_risk`, `injury_drowning`,
    /// `school_violence`.
    pub fn code(self) -> &'static str {
        match self {
            CircumstanceGroup::A => "a",
            CircumstanceGroup::B => "b",
            CircumstanceGroup::C => "c",
            CircumstanceGroup::D => "d",
            CircumstanceGroup::Dd => "dd",
            CircumstanceGroup::E => "e",
            CircumstanceGroup::G => "g",
            CircumstanceGroup::H => "h",
            CircumstanceGroup::I => "i",
            CircumstanceGroup::K => "k",
            CircumstanceGroup::L => "l",
            CircumstanceGroup::M => "m",
            CircumstanceGroup::N => "n",
            CircumstanceGroup::O => "o",
            CircumstanceGroup::AtRisk => "at_risk",
            CircumstanceGroup::InjuryDrowning => "injury_drowning",
            CircumstanceGroup::SchoolViolence => "school_violence",
        }
    }

    pub fn parse(code: &str) -> Option<CircumstanceGroup> {
        CircumstanceGroup::ALL
            .into_iter()
            .find(|g| g.code() == code)
    }

    /// The letter of Law Art. 10 as printed (`đ`), or `None` for the register extras.
    pub fn legal_letter(self) -> Option<&'static str> {
        match self {
            CircumstanceGroup::Dd => Some("đ"),
            CircumstanceGroup::AtRisk
            | CircumstanceGroup::InjuryDrowning
            | CircumstanceGroup::SchoolViolence => None,
            other => Some(other.code()),
        }
    }

    /// True for the fourteen groups of Law Art. 10.
    pub fn is_legal_group(self) -> bool {
        self.legal_letter().is_some()
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            CircumstanceGroup::A => "Trẻ em mồ côi cả cha và mẹ",
            CircumstanceGroup::B => "Trẻ em bị bỏ rơi",
            CircumstanceGroup::C => "Trẻ em không nơi nương tựa",
            CircumstanceGroup::D => "Trẻ em khuyết tật",
            CircumstanceGroup::Dd => "Trẻ em nhiễm HIV/AIDS",
            CircumstanceGroup::E => "Trẻ em vi phạm pháp luật",
            CircumstanceGroup::G => "Trẻ em nghiện ma túy",
            CircumstanceGroup::H => {
                "Trẻ em phải bỏ học kiếm sống chưa hoàn thành phổ cập giáo dục trung học cơ sở"
            }
            CircumstanceGroup::I => {
                "Trẻ em bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực"
            }
            CircumstanceGroup::K => "Trẻ em bị bóc lột",
            CircumstanceGroup::L => "Trẻ em bị xâm hại tình dục",
            CircumstanceGroup::M => "Trẻ em bị mua bán",
            CircumstanceGroup::N => {
                "Trẻ em mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày thuộc hộ nghèo hoặc hộ cận nghèo"
            }
            CircumstanceGroup::O => {
                "Trẻ em di cư, trẻ em lánh nạn, tị nạn chưa xác định được cha mẹ hoặc không có người chăm sóc"
            }
            CircumstanceGroup::AtRisk => "Trẻ em có nguy cơ rơi vào hoàn cảnh đặc biệt",
            CircumstanceGroup::InjuryDrowning => "Trẻ em bị tai nạn thương tích, đuối nước",
            CircumstanceGroup::SchoolViolence => "Trẻ em bị bạo lực học đường",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CircumstanceGroup::A => "Orphaned of both parents",
            CircumstanceGroup::B => "Abandoned",
            CircumstanceGroup::C => "With no one to depend on",
            CircumstanceGroup::D => "With a disability",
            CircumstanceGroup::Dd => "Living with HIV/AIDS",
            CircumstanceGroup::E => "In conflict with the law",
            CircumstanceGroup::G => "With a drug addiction",
            CircumstanceGroup::H => {
                "Left school to earn a living before completing lower secondary education"
            }
            CircumstanceGroup::I => "Seriously harmed in body and mind by violence",
            CircumstanceGroup::K => "Exploited",
            CircumstanceGroup::L => "Sexually abused",
            CircumstanceGroup::M => "Trafficked",
            CircumstanceGroup::N => {
                "With a grave or long-term illness in a poor or near-poor household"
            }
            CircumstanceGroup::O => {
                "Migrant or refugee child whose parents are unknown or who has no carer"
            }
            CircumstanceGroup::AtRisk => "At risk of falling into special circumstances",
            CircumstanceGroup::InjuryDrowning => "Injured in an accident or drowning",
            CircumstanceGroup::SchoolViolence => "Victim of school violence",
        }
    }
}

/// One period during which the child belonged to a group. `until` is the last
/// day in the group (inclusive); `None` while the period is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircumstancePeriod {
    pub group: CircumstanceGroup,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
    pub note: String,
    pub end_reason: Option<String>,
}

impl CircumstancePeriod {
    pub fn is_open(&self) -> bool {
        self.until.is_none()
    }

    /// True when the child was in the group on `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.since <= date && self.until.is_none_or(|u| date <= u)
    }
}

/// Age in completed years on `date` (a child born on 29 February turns a year
/// older on 1 March in common years).
pub fn age_on(date_of_birth: NaiveDate, date: NaiveDate) -> u32 {
    let mut years = date.year() - date_of_birth.year();
    if (date.month(), date.day()) < (date_of_birth.month(), date_of_birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// Số định danh cá nhân / căn cước công dân: exactly 12 digits.
pub fn is_valid_personal_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}
