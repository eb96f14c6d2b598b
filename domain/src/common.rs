//! Value types shared by every aggregate: who acts (`Actor`), where (`Unit`,
//! `CommuneRef`), and the legal vocabularies of SPEC.md.

use serde::{Deserialize, Serialize};

/// What an officer is, which decides what they may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Cộng tác viên thôn/bản: reports risks, records follow-up visits.
    Collaborator,
    /// Công chức văn hóa–xã hội / người làm công tác bảo vệ trẻ em cấp xã.
    CommuneWorker,
    /// Chủ tịch UBND xã: approves plans, orders emergency measures, closes cases.
    CommuneChairman,
    /// Tổng đài 111: intake of reports, referral to the commune.
    HotlineOperator,
    /// Sở / Cục: reads everything in the province.
    ProvincialManager,
    /// Thanh tra: read-only, everything in their area.
    Inspector,
    /// Manages officer accounts.
    Admin,
    /// Hệ thống: a system account such as the Hotline 111 switchboard. It
    /// signs in with an API token only (never a password) and does what the
    /// switchboard does: registers the child and records the intake, for any
    /// commune; it reads only the cases it opened.
    System,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Collaborator,
        Role::CommuneWorker,
        Role::CommuneChairman,
        Role::HotlineOperator,
        Role::ProvincialManager,
        Role::Inspector,
        Role::Admin,
        Role::System,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Collaborator => "collaborator",
            Role::CommuneWorker => "commune_worker",
            Role::CommuneChairman => "commune_chairman",
            Role::HotlineOperator => "hotline_operator",
            Role::ProvincialManager => "provincial_manager",
            Role::Inspector => "inspector",
            Role::Admin => "admin",
            Role::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Which administrative structure a place code belongs to. Codes of the two
/// structures overlap, so a code is meaningless without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Structure {
    /// Two tiers, in force since 1 July 2025: province → commune.
    #[serde(rename = "2025")]
    Y2025,
    /// Three tiers, before 1 July 2025: province → district → commune.
    #[serde(rename = "pre2025")]
    Pre2025,
}

/// The unit an officer belongs to (always in today's structure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "level", rename_all = "snake_case")]
pub enum Unit {
    /// National bodies: Hotline 111, the central administration.
    National,
    Province {
        province: u32,
    },
    Commune {
        province: u32,
        commune: u32,
    },
}

impl Unit {
    /// `national`, `province:42`, `commune:42:18070`: the form used in event metadata.
    pub fn code(&self) -> String {
        match self {
            Unit::National => "national".to_string(),
            Unit::Province { province } => format!("province:{province}"),
            Unit::Commune { province, commune } => format!("commune:{province}:{commune}"),
        }
    }

    pub fn parse_code(s: &str) -> Option<Unit> {
        let parts: Vec<&str> = s.split(':').collect();
        match parts.as_slice() {
            ["national"] => Some(Unit::National),
            ["province", p] => Some(Unit::Province {
                province: p.parse().ok()?,
            }),
            ["commune", p, c] => Some(Unit::Commune {
                province: p.parse().ok()?,
                commune: c.parse().ok()?,
            }),
            _ => None,
        }
    }

    pub fn province(&self) -> Option<u32> {
        match self {
            Unit::National => None,
            Unit::Province { province } | Unit::Commune { province, .. } => Some(*province),
        }
    }
}

/// The commune a record belongs to, with the structure its codes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommuneRef {
    pub structure: Structure,
    pub province: u32,
    /// Only in the pre-2025 structure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<u32>,
    pub commune: u32,
}

impl CommuneRef {
    pub fn current(province: u32, commune: u32) -> Self {
        CommuneRef {
            structure: Structure::Y2025,
            province,
            district: None,
            commune,
        }
    }

    /// The officer unit that has this commune, if it is in today's structure.
    pub fn as_unit(&self) -> Option<Unit> {
        match self.structure {
            Structure::Y2025 => Some(Unit::Commune {
                province: self.province,
                commune: self.commune,
            }),
            Structure::Pre2025 => None,
        }
    }
}

/// Who issues a command: carried by every command, checked by every aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actor {
    pub officer_id: String,
    pub role: Role,
    pub unit: Unit,
}

impl Actor {
    /// True when the actor belongs to the unit of this commune (commune roles) or
    /// to its province (provincial roles) or is national.
    pub fn is_in_commune(&self, commune: &CommuneRef) -> bool {
        Some(self.unit) == commune.as_unit()
    }

    pub fn covers_commune(&self, commune: &CommuneRef) -> bool {
        match self.unit {
            Unit::National => true,
            Unit::Province { province } => {
                commune.structure == Structure::Y2025 && province == commune.province
            }
            Unit::Commune { .. } => self.is_in_commune(commune),
        }
    }
}

/// Cao / Trung bình / Thấp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

/// Law Art. 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HarmType {
    /// bạo lực
    Violence,
    /// bóc lột
    Exploitation,
    /// xâm hại tình dục
    SexualAbuse,
    /// mua bán
    Trafficking,
    /// bỏ rơi
    Abandonment,
    /// bỏ mặc
    Neglect,
    Other,
}

/// Law Arts. 48–50.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProtectionLevel {
    /// phòng ngừa
    Prevention,
    /// hỗ trợ
    Support,
    /// can thiệp
    Intervention,
}

/// A SHA-256 digest as 64 lowercase hex characters.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A fieldless enum whose values are written as codes (`high`, `violence`,
/// `plan_drafted`): the same codes as its serde form, so that lists offered
/// to people (form choices, filters) come from the domain, never from copies.
pub trait Code: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;

    fn parse_code(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == s)
    }

    /// Every code, in declaration order.
    fn codes() -> Vec<&'static str> {
        Self::ALL.iter().map(|v| v.code()).collect()
    }
}

/// `codes!(Type { Variant => "code", … })` implements `Code`; a test checks
/// every code against the serde form.
#[macro_export]
macro_rules! codes {
    ($t:ty { $($v:ident => $c:literal),+ $(,)? }) => {
        impl $crate::common::Code for $t {
            const ALL: &'static [Self] = &[$(<$t>::$v),+];
            fn code(self) -> &'static str {
                match self {
                    $(<$t>::$v => $c),+
                }
            }
        }
    };
}

codes!(RiskLevel { Low => "low", Medium => "medium", High => "high" });
codes!(HarmType {
    Violence => "violence",
    Exploitation => "exploitation",
    SexualAbuse => "sexual_abuse",
    Trafficking => "trafficking",
    Abandonment => "abandonment",
    Neglect => "neglect",
    Other => "other",
});
codes!(ProtectionLevel {
    Prevention => "prevention",
    Support => "support",
    Intervention => "intervention",
});
impl Code for Role {
    const ALL: &'static [Role] = &Role::ALL;
    fn code(self) -> &'static str {
        self.as_str()
    }
}

#[cfg(test)]
mod code_tests {
    use super::*;
    use crate::case::{
        CaseRelation, CaseStatus, CloseReason, DeadlineKind, EmergencyMeasure, IntakeSource,
        NoteKind, ReferralDirection, ReviewOutcome, ServiceKind,
    };

    fn same_as_serde<
        T: Code + Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    >() {
        for v in T::ALL {
            assert_eq!(
                serde_json::to_value(v).unwrap(),
                serde_json::Value::String(v.code().to_string())
            );
            assert_eq!(T::parse_code(v.code()), Some(*v));
            let back: T = serde_json::from_value(serde_json::json!(v.code())).unwrap();
            assert_eq!(&back, v);
        }
    }

    #[test]
    fn codes_are_the_serde_forms() {
        same_as_serde::<RiskLevel>();
        same_as_serde::<HarmType>();
        same_as_serde::<ProtectionLevel>();
        same_as_serde::<Role>();
        same_as_serde::<CaseStatus>();
        same_as_serde::<DeadlineKind>();
        same_as_serde::<IntakeSource>();
        same_as_serde::<EmergencyMeasure>();
        same_as_serde::<ServiceKind>();
        same_as_serde::<ReferralDirection>();
        same_as_serde::<ReviewOutcome>();
        same_as_serde::<CloseReason>();
        same_as_serde::<NoteKind>();
        same_as_serde::<CaseRelation>();
        same_as_serde::<crate::child::Sex>();
        same_as_serde::<crate::child::HouseholdStatus>();
    }
}
