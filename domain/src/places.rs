//! The official lists of provinces, districts and communes (GSO codes), both the
//! structure in force since 1 July 2025 and the one before. The lists are compiled
//! into the binary, so looking a place up is pure.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::common::{CommuneRef, Structure};

const UNITS_2025: &str = include_str!("../../data/admin-units/units-2025.json");
const UNITS_PRE_2025: &str = include_str!("../../data/admin-units/units-pre-2025.json");
const MERGER_2025: &str = include_str!("../../data/province-merger-2025.json");

#[derive(Debug, Clone, Deserialize)]
pub struct Commune {
    pub name: String,
    pub code: u32,
    pub division_type: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct District {
    pub name: String,
    pub code: u32,
    pub division_type: String,
    #[serde(default)]
    pub wards: Vec<Commune>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Province {
    pub name: String,
    pub code: u32,
    pub division_type: String,
    /// 2025 structure: communes hang directly under the province.
    #[serde(default)]
    pub wards: Vec<Commune>,
    /// Pre-2025 structure: districts, each with its communes.
    #[serde(default)]
    pub districts: Vec<District>,
}

/// One structure's list, indexed for lookups.
#[derive(Debug)]
pub struct Directory {
    pub structure: Structure,
    pub provinces: Vec<Province>,
    by_province: HashMap<u32, usize>,
    /// commune code → (province code, district code if any)
    communes: HashMap<u32, (u32, Option<u32>)>,
}

impl Directory {
    // The lists are part of the source tree, parsed by the tests; a parse
    // failure is a build defect.
    #[allow(clippy::expect_used)]
    fn parse(structure: Structure, json: &str) -> Directory {
        let provinces: Vec<Province> =
            serde_json::from_str(json).expect("embedded admin-unit list is valid JSON");
        let mut by_province = HashMap::new();
        let mut communes = HashMap::new();
        for (i, p) in provinces.iter().enumerate() {
            by_province.insert(p.code, i);
            for c in &p.wards {
                communes.insert(c.code, (p.code, None));
            }
            for d in &p.districts {
                for c in &d.wards {
                    communes.insert(c.code, (p.code, Some(d.code)));
                }
            }
        }
        Directory {
            structure,
            provinces,
            by_province,
            communes,
        }
    }

    pub fn province(&self, code: u32) -> Option<&Province> {
        self.by_province.get(&code).map(|&i| &self.provinces[i])
    }

    /// The full reference of a commune code, if it exists in this structure.
    pub fn commune_ref(&self, commune: u32) -> Option<CommuneRef> {
        self.communes
            .get(&commune)
            .map(|&(province, district)| CommuneRef {
                structure: self.structure,
                province,
                district,
                commune,
            })
    }

    pub fn commune(&self, r: &CommuneRef) -> Option<&Commune> {
        let p = self.province(r.province)?;
        match r.district {
            None => p.wards.iter().find(|c| c.code == r.commune),
            Some(d) => p
                .districts
                .iter()
                .find(|x| x.code == d)?
                .wards
                .iter()
                .find(|c| c.code == r.commune),
        }
    }

    /// True when the reference names a real commune of this structure, with the
    /// right province (and district, before 2025).
    pub fn is_valid(&self, r: &CommuneRef) -> bool {
        r.structure == self.structure
            && self.communes.get(&r.commune) == Some(&(r.province, r.district))
    }
}

/// The list in force since 1 July 2025.
pub fn current() -> &'static Directory {
    static DIR: OnceLock<Directory> = OnceLock::new();
    DIR.get_or_init(|| Directory::parse(Structure::Y2025, UNITS_2025))
}

/// The list in force before 1 July 2025.
pub fn pre_2025() -> &'static Directory {
    static DIR: OnceLock<Directory> = OnceLock::new();
    DIR.get_or_init(|| Directory::parse(Structure::Pre2025, UNITS_PRE_2025))
}

pub fn directory(structure: Structure) -> &'static Directory {
    match structure {
        Structure::Y2025 => current(),
        Structure::Pre2025 => pre_2025(),
    }
}

#[derive(Deserialize)]
struct Merger {
    provinces: Vec<MergedProvince>,
}

#[derive(Deserialize)]
struct MergedProvince {
    old_code: u32,
    new_code: u32,
}

/// Today's province (2025 structure) that an old province (pre-2025 code) became
/// part of (Nghị quyết 202/2025/QH15), for rolling old records up to today.
// Compiled-in data, parsed by the tests: a panic is a build defect.
#[allow(clippy::expect_used)]
pub fn current_province_of(old_province: u32) -> Option<u32> {
    static MAP: OnceLock<HashMap<u32, u32>> = OnceLock::new();
    MAP.get_or_init(|| {
        let m: Merger =
            serde_json::from_str(MERGER_2025).expect("embedded province merger list is valid JSON");
        m.provinces
            .into_iter()
            .map(|p| (p.old_code, p.new_code))
            .collect()
    })
    .get(&old_province)
    .copied()
}

/// The province, in today's structure, that a commune reference rolls up to.
pub fn rolled_up_province(r: &CommuneRef) -> Option<u32> {
    match r.structure {
        Structure::Y2025 => Some(r.province),
        Structure::Pre2025 => current_province_of(r.province),
    }
}

/// `Xã Cẩm Xuyên, Hà Tĩnh` style label, or the codes when unknown.
pub fn label(r: &CommuneRef) -> String {
    let dir = directory(r.structure);
    match (dir.commune(r), dir.province(r.province)) {
        (Some(c), Some(p)) => format!("{}, {}", c.name, p.name),
        _ => format!("commune {} / province {}", r.commune, r.province),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_the_official_lists() {
        assert_eq!(current().provinces.len(), 34);
        let communes: usize = current().provinces.iter().map(|p| p.wards.len()).sum();
        assert_eq!(communes, 3321);
        assert_eq!(pre_2025().provinces.len(), 63);
        let old: usize = pre_2025()
            .provinces
            .iter()
            .flat_map(|p| &p.districts)
            .map(|d| d.wards.len())
            .sum();
        assert_eq!(old, 10051);
    }

    #[test]
    fn every_old_province_rolls_up_to_one_of_today() {
        for p in &pre_2025().provinces {
            let new = current_province_of(p.code).expect("mapped");
            assert!(current().province(new).is_some(), "{} → {new}", p.name);
        }
        // Hà Giang joined Tuyên Quang; Bắc Kạn joined Thái Nguyên; Hà Tĩnh stayed.
        assert_eq!(current_province_of(2), Some(8));
        assert_eq!(current_province_of(6), Some(19));
        assert_eq!(current_province_of(42), Some(42));
        let covered: std::collections::HashSet<u32> = pre_2025()
            .provinces
            .iter()
            .filter_map(|p| current_province_of(p.code))
            .collect();
        assert_eq!(covered.len(), 34);
    }

    #[test]
    fn lookups_keep_the_structure() {
        let r = current().commune_ref(70).expect("Phường Hoàn Kiếm exists");
        assert_eq!(r.province, 1);
        assert!(current().is_valid(&r));
        assert!(!pre_2025().is_valid(&r));
        assert!(!current().is_valid(&CommuneRef::current(42, 70)));
        assert!(label(&r).contains("Hoàn Kiếm"));
    }
}
