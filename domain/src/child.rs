//! The `Child` aggregate (hồ sơ trẻ em): who the child is (name, date of birth,
//! sex, ethnicity, personal identification number), where they live, their
//! household's poverty status (hộ nghèo, hộ cận nghèo) and the special-circumstance
//! groups they belong to over time (trẻ em có hoàn cảnh đặc biệt, Law on Children
//! Art. 10, plus the extra groups counted by the field registers). A child is a
//! person under 16 (Law Art. 1) when first registered.
//!
//! Who may act: the commune worker (công chức văn hóa–xã hội) and the commune
//! chairman (Chủ tịch UBND xã) of the child's commune; a village collaborator
//! (cộng tác viên) of that commune and a Hotline 111 operator may also register a
//! child. Every command carries its actor and time; nothing reads a clock.
//!
//! Commands are JSON like `{"actor": {...}, "at": "2025-09-01T08:00:00Z",
//! "action": {"type": "add_special_circumstance", "group": "dd", "since":
//! "2025-08-01", "note": "..."}}`; events are tagged the same way and carry `at`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::calendar::local_date;
use crate::common::{Actor, CommuneRef, Role, Unit};
use crate::places;
use crate::privacy::Erasure;

pub mod duplicates;

#[cfg(test)]
mod tests;

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

// ---------------------------------------------------------------------------
// Commands

/// One request about a child. The child id is the aggregate id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildCommand {
    pub actor: Actor,
    /// When the action happened; every event carries it. Never read from a clock.
    pub at: DateTime<Utc>,
    pub action: ChildAction,
}

/// What the actor asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChildAction {
    /// Lập hồ sơ trẻ em: the first record of the child.
    RegisterChild(Registration),
    /// Correct or update identity and address; at least one field.
    UpdateChildDetails(DetailsUpdate),
    ChangeHouseholdStatus(HouseholdStatusChange),
    /// The child enters a special-circumstance group.
    AddSpecialCircumstance(CircumstanceStart),
    /// The child leaves a special-circumstance group.
    EndSpecialCircumstance(CircumstanceEnd),
    /// Xóa dữ liệu cá nhân: records the decision to erase the child's personal
    /// data (the storage layer then destroys the child's data key). National
    /// admins only; afterwards every command on the child is refused.
    EraseChildData(Erasure),
}

impl ChildAction {
    /// The action in words, for error messages.
    pub fn describe(&self) -> &'static str {
        match self {
            ChildAction::RegisterChild(_) => "register a child",
            ChildAction::UpdateChildDetails(_) => "update a child's details",
            ChildAction::ChangeHouseholdStatus(_) => "change a household status",
            ChildAction::AddSpecialCircumstance(_) => "add a special circumstance",
            ChildAction::EndSpecialCircumstance(_) => "end a special circumstance",
            ChildAction::EraseChildData(_) => "erase a child's personal data",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// Họ và tên; must not be empty.
    pub full_name: String,
    /// Must not be after the command date; the child must be under 16 then.
    pub date_of_birth: NaiveDate,
    pub sex: Sex,
    /// Dân tộc, e.g. "Kinh", "Tày", "H'Mông"; must not be empty.
    pub ethnicity: String,
    /// Số định danh cá nhân (CCCD): 12 digits, if known.
    #[serde(default)]
    pub personal_id: Option<String>,
    pub address: Address,
    #[serde(default)]
    pub household_status: HouseholdStatus,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DetailsUpdate {
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub ethnicity: Option<String>,
    #[serde(default)]
    pub personal_id: Option<String>,
    /// A new address; the actor must belong to the child's current commune.
    #[serde(default)]
    pub address: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HouseholdStatusChange {
    pub status: HouseholdStatus,
    /// E.g. the commune's yearly poor-household review decision.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CircumstanceStart {
    pub group: CircumstanceGroup,
    /// First day in the group: not before birth, not after the command date.
    pub since: NaiveDate,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CircumstanceEnd {
    pub group: CircumstanceGroup,
    /// Last day in the group (inclusive): not before `since`, not after the command date.
    pub until: NaiveDate,
    /// Must not be empty.
    pub reason: String,
}

// ---------------------------------------------------------------------------
// Events

/// Something that happened to a child's record. Every event carries `at`, the
/// time of the action; the actor is in the event metadata.
///
/// Every personal field (see [`crate::privacy`]) has `#[serde(default)]`, so an
/// event whose personal part was erased still deserializes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChildEvent {
    ChildRegistered {
        at: DateTime<Utc>,
        #[serde(default)]
        full_name: String,
        /// Always `Some` when recorded; `None` once erased. Serializes as the
        /// date itself, as when it was a plain `NaiveDate`.
        #[serde(default)]
        date_of_birth: Option<NaiveDate>,
        sex: Sex,
        #[serde(default)]
        ethnicity: String,
        #[serde(default)]
        personal_id: Option<String>,
        address: Address,
        household_status: HouseholdStatus,
    },
    /// Only the changed fields are `Some`.
    ChildDetailsUpdated {
        at: DateTime<Utc>,
        #[serde(default)]
        full_name: Option<String>,
        #[serde(default)]
        ethnicity: Option<String>,
        #[serde(default)]
        personal_id: Option<String>,
        address: Option<Address>,
    },
    HouseholdStatusChanged {
        at: DateTime<Utc>,
        status: HouseholdStatus,
        #[serde(default)]
        reason: String,
    },
    SpecialCircumstanceAdded {
        at: DateTime<Utc>,
        group: CircumstanceGroup,
        since: NaiveDate,
        #[serde(default)]
        note: String,
    },
    SpecialCircumstanceEnded {
        at: DateTime<Utc>,
        group: CircumstanceGroup,
        until: NaiveDate,
        #[serde(default)]
        reason: String,
    },
    /// The child's personal data was erased by the decision `decision_ref`.
    /// Public: the history keeps who erased (metadata), when and why.
    PersonalDataErased {
        at: DateTime<Utc>,
        reason: String,
        decision_ref: String,
    },
}

impl ChildEvent {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            ChildEvent::ChildRegistered { at, .. }
            | ChildEvent::ChildDetailsUpdated { at, .. }
            | ChildEvent::HouseholdStatusChanged { at, .. }
            | ChildEvent::SpecialCircumstanceAdded { at, .. }
            | ChildEvent::SpecialCircumstanceEnded { at, .. }
            | ChildEvent::PersonalDataErased { at, .. } => *at,
        }
    }
}

impl DomainEvent for ChildEvent {
    fn event_type(&self) -> String {
        match self {
            ChildEvent::ChildRegistered { .. } => "ChildRegistered",
            ChildEvent::ChildDetailsUpdated { .. } => "ChildDetailsUpdated",
            ChildEvent::HouseholdStatusChanged { .. } => "HouseholdStatusChanged",
            ChildEvent::SpecialCircumstanceAdded { .. } => "SpecialCircumstanceAdded",
            ChildEvent::SpecialCircumstanceEnded { .. } => "SpecialCircumstanceEnded",
            ChildEvent::PersonalDataErased { .. } => "PersonalDataErased",
        }
        .to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}

// ---------------------------------------------------------------------------
// Errors

/// Why a child command was refused: one variant per rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChildError {
    #[error("the child has not been registered")]
    NotRegistered,
    #[error("the child is already registered")]
    AlreadyRegistered,
    /// The role may never do this action.
    #[error("a {} may not {action}", .role.as_str())]
    NotAuthorised { role: Role, action: &'static str },
    /// The role may do this, but not for a child of this commune.
    #[error("an officer of {} may not act on a child of commune {commune}", .unit.code())]
    OutsideUnit { unit: Unit, commune: u32 },
    #[error("the action time is earlier than the child's last recorded event ({last})")]
    BeforeLastEvent { last: DateTime<Utc> },
    #[error("missing required field: {0}")]
    MissingField(&'static str),
    #[error("the personal identification number must have exactly 12 digits")]
    InvalidPersonalId,
    #[error("commune {commune} of province {province} does not exist in that structure")]
    UnknownCommune { province: u32, commune: u32 },
    #[error("the date of birth is after the registration date")]
    BornAfterRegistration,
    #[error(
        "the person was 16 or older at registration; the Law on Children covers persons under 16"
    )]
    ChildTooOld,
    #[error("the update names no field to change")]
    NothingToUpdate,
    #[error("the update changes nothing: every given field already has that value")]
    NoChange,
    #[error("the household status is already {0:?}")]
    SameHouseholdStatus(HouseholdStatus),
    #[error("group {} is already active", .0.code())]
    GroupAlreadyActive(CircumstanceGroup),
    #[error("group {} is not active", .0.code())]
    GroupNotActive(CircumstanceGroup),
    #[error("group {} ended on {ended}; a new period must start after that", .group.code())]
    OverlapsEarlierPeriod {
        group: CircumstanceGroup,
        ended: NaiveDate,
    },
    #[error("the end date {until} is before the start date {since}")]
    EndBeforeStart { since: NaiveDate, until: NaiveDate },
    #[error("{field} is after the date of the action")]
    DateInFuture { field: &'static str },
    #[error("{field} is before the child's date of birth")]
    BeforeBirth { field: &'static str },
    #[error("group n requires a poor or near-poor household (Law Art. 10 n)")]
    GroupNRequiresPoorHousehold,
    #[error("the child's personal data has been erased; the record takes no more changes")]
    Erased,
}

// ---------------------------------------------------------------------------
// Aggregate

/// A child's record rebuilt from its events. Projections may read the fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Child {
    pub registered: bool,
    pub registered_at: Option<DateTime<Utc>>,
    pub last_event_at: Option<DateTime<Utc>>,
    pub full_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub ethnicity: String,
    pub personal_id: Option<String>,
    pub address: Option<Address>,
    pub household_status: HouseholdStatus,
    /// Every status with the time it took effect, oldest first.
    pub household_history: Vec<(DateTime<Utc>, HouseholdStatus)>,
    /// Every group period, open and closed, in the order they were added.
    pub circumstances: Vec<CircumstancePeriod>,
    /// The personal data was erased: names, date of birth, ethnicity, personal
    /// id, address detail and texts are empty; codes, dates and the commune
    /// remain.
    pub erased: bool,
}

impl Child {
    /// The commune of the current address.
    pub fn commune(&self) -> Option<CommuneRef> {
        self.address.as_ref().map(|a| a.commune)
    }

    /// The groups the child belonged to on `date`, in legal order, without repeats.
    pub fn groups_on(&self, date: NaiveDate) -> Vec<CircumstanceGroup> {
        let mut groups: Vec<CircumstanceGroup> = self
            .circumstances
            .iter()
            .filter(|p| p.covers(date))
            .map(|p| p.group)
            .collect();
        groups.sort();
        groups.dedup();
        groups
    }

    /// The groups with an open period, in legal order.
    pub fn active_groups(&self) -> Vec<CircumstanceGroup> {
        let mut groups: Vec<CircumstanceGroup> = self
            .circumstances
            .iter()
            .filter(|p| p.is_open())
            .map(|p| p.group)
            .collect();
        groups.sort();
        groups.dedup();
        groups
    }

    /// Every period of one group, oldest first.
    pub fn periods_of(
        &self,
        group: CircumstanceGroup,
    ) -> impl Iterator<Item = &CircumstancePeriod> {
        self.circumstances.iter().filter(move |p| p.group == group)
    }

    /// Age in completed years on `date`.
    pub fn age_on(&self, date: NaiveDate) -> Option<u32> {
        self.date_of_birth.map(|dob| age_on(dob, date))
    }

    /// The household status in effect at `at`.
    pub fn household_status_at(&self, at: DateTime<Utc>) -> Option<HouseholdStatus> {
        self.household_history
            .iter()
            .take_while(|(t, _)| *t <= at)
            .last()
            .map(|(_, s)| *s)
    }

    /// Clears every personal field, as replaying the events without their
    /// personal parts would: the commune, sex, household status, groups and
    /// dates stay.
    fn erase_personal_data(&mut self) {
        self.erased = true;
        self.full_name.clear();
        self.date_of_birth = None;
        self.ethnicity.clear();
        self.personal_id = None;
        if let Some(a) = &mut self.address {
            a.detail.clear();
        }
        for p in &mut self.circumstances {
            p.note.clear();
            if let Some(r) = &mut p.end_reason {
                r.clear();
            }
        }
    }

    fn open_period(&self, group: CircumstanceGroup) -> Option<&CircumstancePeriod> {
        self.circumstances
            .iter()
            .find(|p| p.group == group && p.is_open())
    }

    fn open_period_mut(&mut self, group: CircumstanceGroup) -> Option<&mut CircumstancePeriod> {
        self.circumstances
            .iter_mut()
            .find(|p| p.group == group && p.is_open())
    }

    /// Validates a command against the current state and returns the event to
    /// record.
    pub fn decide(&self, command: ChildCommand) -> Result<ChildEvent, ChildError> {
        let ChildCommand { actor, at, action } = command;
        let what = action.describe();
        match action {
            ChildAction::RegisterChild(r) => {
                authorise_registration(&actor, &r.address.commune, what)?;
                if self.erased {
                    return Err(ChildError::Erased);
                }
                if self.registered {
                    return Err(ChildError::AlreadyRegistered);
                }
                decide_registration(at, r)
            }
            other => {
                let commune = match (&self.address, self.registered) {
                    (Some(a), true) => a.commune,
                    _ => return Err(ChildError::NotRegistered),
                };
                match &other {
                    ChildAction::EraseChildData(_) => authorise_erasure(&actor, what)?,
                    _ => authorise_record_keeping(&actor, &commune, what)?,
                }
                if self.erased {
                    return Err(ChildError::Erased);
                }
                if let Some(last) = self.last_event_at {
                    if at < last {
                        return Err(ChildError::BeforeLastEvent { last });
                    }
                }
                match other {
                    ChildAction::RegisterChild(_) => Err(ChildError::AlreadyRegistered),
                    ChildAction::UpdateChildDetails(u) => self.decide_update(at, u),
                    ChildAction::ChangeHouseholdStatus(c) => {
                        if c.status == self.household_status {
                            return Err(ChildError::SameHouseholdStatus(c.status));
                        }
                        Ok(ChildEvent::HouseholdStatusChanged {
                            at,
                            status: c.status,
                            reason: c.reason.trim().to_string(),
                        })
                    }
                    ChildAction::AddSpecialCircumstance(s) => self.decide_add(at, s),
                    ChildAction::EndSpecialCircumstance(e) => self.decide_end(at, e),
                    ChildAction::EraseChildData(e) => {
                        let (reason, decision_ref) = e.check().map_err(ChildError::MissingField)?;
                        Ok(ChildEvent::PersonalDataErased {
                            at,
                            reason,
                            decision_ref,
                        })
                    }
                }
            }
        }
    }

    fn decide_update(&self, at: DateTime<Utc>, u: DetailsUpdate) -> Result<ChildEvent, ChildError> {
        if u.full_name.is_none()
            && u.ethnicity.is_none()
            && u.personal_id.is_none()
            && u.address.is_none()
        {
            return Err(ChildError::NothingToUpdate);
        }
        let full_name = u
            .full_name
            .map(|n| required(&n, "full_name"))
            .transpose()?
            .filter(|n| *n != self.full_name);
        let ethnicity = u
            .ethnicity
            .map(|e| required(&e, "ethnicity"))
            .transpose()?
            .filter(|e| *e != self.ethnicity);
        let personal_id = match u.personal_id {
            Some(id) if !is_valid_personal_id(&id) => return Err(ChildError::InvalidPersonalId),
            other => other.filter(|id| Some(id) != self.personal_id.as_ref()),
        };
        let address = u
            .address
            .map(normalise_address)
            .transpose()?
            .filter(|a| Some(a) != self.address.as_ref());
        if full_name.is_none() && ethnicity.is_none() && personal_id.is_none() && address.is_none()
        {
            return Err(ChildError::NoChange);
        }
        Ok(ChildEvent::ChildDetailsUpdated {
            at,
            full_name,
            ethnicity,
            personal_id,
            address,
        })
    }

    fn decide_add(
        &self,
        at: DateTime<Utc>,
        s: CircumstanceStart,
    ) -> Result<ChildEvent, ChildError> {
        if self.open_period(s.group).is_some() {
            return Err(ChildError::GroupAlreadyActive(s.group));
        }
        self.check_date(at, s.since, "since")?;
        if let Some(ended) = self.periods_of(s.group).filter_map(|p| p.until).max() {
            if s.since <= ended {
                return Err(ChildError::OverlapsEarlierPeriod {
                    group: s.group,
                    ended,
                });
            }
        }
        if s.group == CircumstanceGroup::N && self.household_status == HouseholdStatus::Normal {
            return Err(ChildError::GroupNRequiresPoorHousehold);
        }
        Ok(ChildEvent::SpecialCircumstanceAdded {
            at,
            group: s.group,
            since: s.since,
            note: s.note.trim().to_string(),
        })
    }

    fn decide_end(&self, at: DateTime<Utc>, e: CircumstanceEnd) -> Result<ChildEvent, ChildError> {
        let period = self
            .open_period(e.group)
            .ok_or(ChildError::GroupNotActive(e.group))?;
        if e.until < period.since {
            return Err(ChildError::EndBeforeStart {
                since: period.since,
                until: e.until,
            });
        }
        self.check_date(at, e.until, "until")?;
        let reason = required(&e.reason, "reason")?;
        Ok(ChildEvent::SpecialCircumstanceEnded {
            at,
            group: e.group,
            until: e.until,
            reason,
        })
    }

    /// A date of the child's life: not before birth, not after the action.
    fn check_date(
        &self,
        at: DateTime<Utc>,
        date: NaiveDate,
        field: &'static str,
    ) -> Result<(), ChildError> {
        if date > local_date(at) {
            return Err(ChildError::DateInFuture { field });
        }
        if self.date_of_birth.is_some_and(|dob| date < dob) {
            return Err(ChildError::BeforeBirth { field });
        }
        Ok(())
    }
}

fn required(value: &str, field: &'static str) -> Result<String, ChildError> {
    let v = value.trim();
    if v.is_empty() {
        Err(ChildError::MissingField(field))
    } else {
        Ok(v.to_string())
    }
}

fn normalise_address(a: Address) -> Result<Address, ChildError> {
    let c = a.commune;
    if !places::directory(c.structure).is_valid(&c) {
        return Err(ChildError::UnknownCommune {
            province: c.province,
            commune: c.commune,
        });
    }
    Ok(Address {
        commune: c,
        detail: a.detail.trim().to_string(),
    })
}

fn decide_registration(at: DateTime<Utc>, r: Registration) -> Result<ChildEvent, ChildError> {
    let full_name = required(&r.full_name, "full_name")?;
    let ethnicity = required(&r.ethnicity, "ethnicity")?;
    if let Some(id) = &r.personal_id {
        if !is_valid_personal_id(id) {
            return Err(ChildError::InvalidPersonalId);
        }
    }
    let address = normalise_address(r.address)?;
    let today = local_date(at);
    if r.date_of_birth > today {
        return Err(ChildError::BornAfterRegistration);
    }
    if age_on(r.date_of_birth, today) >= CHILD_AGE_LIMIT {
        return Err(ChildError::ChildTooOld);
    }
    Ok(ChildEvent::ChildRegistered {
        at,
        full_name,
        date_of_birth: Some(r.date_of_birth),
        sex: r.sex,
        ethnicity,
        personal_id: r.personal_id,
        address,
        household_status: r.household_status,
    })
}

/// Commune worker, chairman or collaborator of the commune; a Hotline 111 operator.
fn authorise_registration(
    actor: &Actor,
    commune: &CommuneRef,
    action: &'static str,
) -> Result<(), ChildError> {
    match actor.role {
        Role::CommuneWorker | Role::CommuneChairman | Role::Collaborator => {
            in_commune(actor, commune)
        }
        Role::HotlineOperator if actor.unit == Unit::National => Ok(()),
        Role::HotlineOperator => Err(ChildError::OutsideUnit {
            unit: actor.unit,
            commune: commune.commune,
        }),
        role @ (Role::ProvincialManager | Role::Inspector | Role::Admin) => {
            Err(ChildError::NotAuthorised { role, action })
        }
    }
}

/// National admins only.
fn authorise_erasure(actor: &Actor, action: &'static str) -> Result<(), ChildError> {
    if crate::privacy::may_erase(actor) {
        Ok(())
    } else {
        Err(ChildError::NotAuthorised {
            role: actor.role,
            action,
        })
    }
}

/// Commune worker or chairman of the child's commune.
fn authorise_record_keeping(
    actor: &Actor,
    commune: &CommuneRef,
    action: &'static str,
) -> Result<(), ChildError> {
    match actor.role {
        Role::CommuneWorker | Role::CommuneChairman => in_commune(actor, commune),
        role => Err(ChildError::NotAuthorised { role, action }),
    }
}

fn in_commune(actor: &Actor, commune: &CommuneRef) -> Result<(), ChildError> {
    if actor.is_in_commune(commune) {
        Ok(())
    } else {
        Err(ChildError::OutsideUnit {
            unit: actor.unit,
            commune: commune.commune,
        })
    }
}

impl Aggregate for Child {
    const TYPE: &'static str = "Child";
    type Command = ChildCommand;
    type Event = ChildEvent;
    type Error = ChildError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _service: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = self.decide(command)?;
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.last_event_at = Some(event.at());
        match event {
            ChildEvent::ChildRegistered {
                at,
                full_name,
                date_of_birth,
                sex,
                ethnicity,
                personal_id,
                address,
                household_status,
            } => {
                self.registered = true;
                self.registered_at = Some(at);
                self.full_name = full_name;
                // `None` once erased.
                self.date_of_birth = date_of_birth;
                self.sex = Some(sex);
                self.ethnicity = ethnicity;
                self.personal_id = personal_id;
                self.address = Some(address);
                self.household_status = household_status;
                self.household_history = vec![(at, household_status)];
            }
            ChildEvent::ChildDetailsUpdated {
                full_name,
                ethnicity,
                personal_id,
                address,
                ..
            } => {
                if let Some(n) = full_name {
                    self.full_name = n;
                }
                if let Some(e) = ethnicity {
                    self.ethnicity = e;
                }
                if personal_id.is_some() {
                    self.personal_id = personal_id;
                }
                if address.is_some() {
                    self.address = address;
                }
            }
            ChildEvent::HouseholdStatusChanged { at, status, .. } => {
                self.household_status = status;
                self.household_history.push((at, status));
            }
            ChildEvent::SpecialCircumstanceAdded {
                group, since, note, ..
            } => self.circumstances.push(CircumstancePeriod {
                group,
                since,
                until: None,
                note,
                end_reason: None,
            }),
            ChildEvent::SpecialCircumstanceEnded {
                group,
                until,
                reason,
                ..
            } => {
                if let Some(p) = self.open_period_mut(group) {
                    p.until = Some(until);
                    p.end_reason = Some(reason);
                }
            }
            ChildEvent::PersonalDataErased { .. } => self.erase_personal_data(),
        }
    }
}
