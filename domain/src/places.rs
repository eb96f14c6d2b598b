//! The official lists of provinces, districts and communes (GSO codes), both the
//! structure in force since 1 July 2025 and the one before. The lists are compiled
//! into the binary, so looking a place up is pure.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::common::{CommuneRef, Structure};

const UNITS_2025: &str = include_str!("../../data/admin-units/units-2025.json");
const UNITS_PRE_2025: &str = include_str!("../../data/admin-units/units-pre-2025.json");

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
    fn parse(structure: Structure, json: &str) -> Directory {
        // The lists are part of the source tree; a parse failure is a build defect.
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
    fn lookups_keep_the_structure() {
        let r = current().commune_ref(70).expect("Phường Hoàn Kiếm exists");
        assert_eq!(r.province, 1);
        assert!(current().is_valid(&r));
        assert!(!pre_2025().is_valid(&r));
        assert!(!current().is_valid(&CommuneRef::current(42, 70)));
        assert!(label(&r).contains("Hoàn Kiếm"));
    }
}
