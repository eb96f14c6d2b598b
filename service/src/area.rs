//! Who may see which records: the one place that decides it.
//!
//! An officer's area follows from their unit: a commune officer sees today's
//! commune (not an old, pre-2025 commune that happened to have the same code),
//! a provincial officer the whole province (old records rolled up to today's
//! province, NQ 202/2025/QH15), a national officer the whole country. The
//! rule is used for single records (`holds`), and pushed into the queries of
//! lists and statistics (`narrow_cases`, `narrow_stats`) so that paging and
//! totals are exact. Role rules (what an officer may *do*) live in the domain.

use hoso_domain::common::{CommuneRef, Structure, Unit};
use hoso_domain::places;
use hoso_projections::read::{AccessFilter, CaseFilter, StatsQuery};

/// The place whose records an officer may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Country,
    Province(u32),
    Commune { province: u32, commune: u32 },
}

const TODAY: &str = "2025";

impl Area {
    pub fn of(unit: &Unit) -> Area {
        match *unit {
            Unit::National => Area::Country,
            Unit::Province { province } => Area::Province(province),
            Unit::Commune { province, commune } => Area::Commune { province, commune },
        }
    }

    /// Today's province the area lies in (`None`: the whole country).
    pub fn province(&self) -> Option<u32> {
        match *self {
            Area::Country => None,
            Area::Province(p) | Area::Commune { province: p, .. } => Some(p),
        }
    }

    /// Whether a record of this commune is in the area.
    pub fn holds(&self, c: &CommuneRef) -> bool {
        match *self {
            Area::Country => true,
            Area::Province(p) => places::rolled_up_province(c) == Some(p),
            Area::Commune { province, commune } => {
                c.structure == Structure::Y2025 && c.province == province && c.commune == commune
            }
        }
    }

    /// Whether an officer of `unit` works inside the area.
    pub fn holds_unit(&self, unit: &Unit) -> bool {
        match *self {
            Area::Country => true,
            Area::Province(p) => unit.province() == Some(p),
            Area::Commune { province, commune } => *unit == Unit::Commune { province, commune },
        }
    }

    /// Narrows a case-list filter to the area. `false`: the filter asks for a
    /// place outside the area, so nothing may be shown.
    pub fn narrow_cases(&self, f: &mut CaseFilter) -> bool {
        match *self {
            Area::Country => true,
            Area::Province(p) => {
                if f.province.is_some_and(|x| x != p) {
                    return false;
                }
                f.province = Some(p);
                true
            }
            Area::Commune { province, commune } => {
                if f.province.is_some_and(|x| x != province)
                    || f.commune.is_some_and(|x| x != commune)
                    || f.structure.as_deref().is_some_and(|s| s != TODAY)
                {
                    return false;
                }
                f.province = Some(province);
                f.commune = Some(commune);
                f.structure = Some(TODAY.into());
                true
            }
        }
    }

    /// Narrows a statistics query to the area; `false` as for `narrow_cases`.
    pub fn narrow_stats(&self, q: &mut StatsQuery) -> bool {
        match *self {
            Area::Country => true,
            Area::Province(p) => {
                if q.province.is_some_and(|x| x != p) {
                    return false;
                }
                q.province = Some(p);
                true
            }
            Area::Commune { province, commune } => {
                if q.province.is_some_and(|x| x != province)
                    || q.commune.is_some_and(|x| x != commune)
                    || q.structure.as_deref().is_some_and(|s| s != TODAY)
                    || q.district.is_some()
                {
                    return false;
                }
                q.province = Some(province);
                q.commune = Some(commune);
                q.structure = Some(TODAY.into());
                true
            }
        }
    }

    /// Narrows an access-log filter to reads made by officers of the area's
    /// province (a commune's officers have no access-log rights at all).
    pub fn narrow_access(&self, f: &mut AccessFilter) {
        if let Some(p) = self.province() {
            f.province = Some(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(province: u32, commune: u32) -> CommuneRef {
        CommuneRef {
            structure: Structure::Pre2025,
            province,
            district: Some(1),
            commune,
        }
    }

    #[test]
    fn a_commune_holds_only_todays_commune_of_that_code() {
        let a = Area::of(&Unit::Commune {
            province: 42,
            commune: 18070,
        });
        assert!(a.holds(&CommuneRef::current(42, 18070)));
        assert!(!a.holds(&CommuneRef::current(42, 18071)));
        assert!(!a.holds(&old(42, 18070)));
        let mut f = CaseFilter::default();
        assert!(a.narrow_cases(&mut f));
        assert_eq!(
            (f.province, f.commune, f.structure.as_deref()),
            (Some(42), Some(18070), Some("2025"))
        );
        let mut other = CaseFilter {
            commune: Some(1),
            ..CaseFilter::default()
        };
        assert!(!a.narrow_cases(&mut other));
    }

    #[test]
    fn a_province_holds_its_old_records_rolled_up() {
        let p = places::current().province(42).expect("Hà Tĩnh");
        let a = Area::Province(42);
        assert!(a.holds(&CommuneRef::current(42, p.wards[0].code)));
        assert!(!Area::Province(1).holds(&CommuneRef::current(42, p.wards[0].code)));
        assert!(Area::Country.holds(&old(42, 1)));
        let mut q = StatsQuery {
            metric: None,
            province: Some(1),
            commune: None,
            structure: None,
            district: None,
            period: hoso_projections::read::PeriodKind::Month,
            from: None,
            to: None,
            by_commune: false,
        };
        assert!(!a.narrow_stats(&mut q));
    }
}
