//! Is this child already registered? Likely-duplicate matching of children's
//! records (pure: no I/O, no clock), for the officer who registers a child and
//! for the clean-up of records kept twice.
//!
//! Two records are a *likely duplicate* when all three hold:
//! 1. the names are similar ([`name_similarity`]): the same letters once case,
//!    spacing, punctuation and Vietnamese diacritics are set aside (so "Nguyễn
//!    Văn An", "Nguyen Van An", "nguyen van  an" and "Nguyễn Văn Ân" all match),
//!    the same words in another order ("An Nguyễn Văn"), or a small number of
//!    typing errors relative to the length of the name;
//! 2. the dates of birth are equal or at most [`BIRTH_DATE_TOLERANCE_DAYS`]
//!    days apart;
//! 3. the places are the same commune or "neighbouring" ([`place_proximity`]).
//!
//! No adjacency data exists for communes, so "neighbouring" means: in the
//! pre-2025 structure, the same district (huyện); in the 2025 structure (no
//! districts), the same province; between a pre-2025 and a 2025 code (which
//! cannot be compared directly), the same province once the old province is
//! rolled up to today's (Nghị quyết 202/2025/QH15). A candidate may carry the
//! commune it had before the 2025 reorganisation too; the closest pair counts.
//!
//! A match is a hint for a person to check, never a decision: hoso does not
//! merge records by itself.

use chrono::NaiveDate;

use crate::common::{CommuneRef, Structure};
use crate::places;

use super::Child;

/// Dates of birth at most this many days apart may be the same child (a date
/// recorded from memory, or the day of the report taken for the birthday).
pub const BIRTH_DATE_TOLERANCE_DAYS: u32 = 7;

/// What is compared: one child's name, date of birth and place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub date_of_birth: NaiveDate,
    /// The commune of the record (the structure its codes come from included).
    pub commune: CommuneRef,
    /// The same place in the other structure, if known (e.g. the pre-2025
    /// commune of a child now recorded with a 2025 code).
    pub former_commune: Option<CommuneRef>,
}

impl Candidate {
    pub fn new(name: &str, date_of_birth: NaiveDate, commune: CommuneRef) -> Candidate {
        Candidate {
            name: name.to_string(),
            date_of_birth,
            commune,
            former_commune: None,
        }
    }

    /// The candidate of a registered child (name, date of birth, commune of the
    /// current address); `None` before registration.
    pub fn from_child(child: &Child) -> Option<Candidate> {
        Some(Candidate::new(
            &child.full_name,
            child.date_of_birth?,
            child.commune()?,
        ))
    }

    fn communes(&self) -> impl Iterator<Item = &CommuneRef> {
        std::iter::once(&self.commune).chain(self.former_commune.as_ref())
    }
}

/// How two names are alike, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameSimilarity {
    /// The same name, diacritics included, once case, spacing and punctuation
    /// are set aside.
    Exact,
    /// The same letters without diacritics (Nguyễn Văn An / Nguyen Van An /
    /// Nguyễn Văn Ân).
    SameLetters,
    /// The same words in another order (An Nguyễn Văn / Nguyễn Văn An).
    Reordered,
    /// A few letters differ (typing errors): `edits` insertions, deletions,
    /// substitutions or swaps of neighbouring letters.
    Close { edits: usize },
}

/// How close two places are, closest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlaceProximity {
    /// The same commune (same structure and codes).
    SameCommune,
    /// Two pre-2025 communes of the same district (huyện).
    SameDistrict,
    /// Two 2025 communes of the same province, or a pre-2025 and a 2025 commune
    /// whose provinces roll up to the same province of today.
    SameProvince,
}

/// Why two candidates are likely the same child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub name: NameSimilarity,
    /// 0 when the dates of birth are equal.
    pub birth_days_apart: u32,
    pub place: PlaceProximity,
}

impl Match {
    /// A rank for sorting matches, 0–100 (higher: more likely the same child).
    pub fn score(&self) -> u32 {
        let name = match self.name {
            NameSimilarity::Exact => 40,
            NameSimilarity::SameLetters => 35,
            NameSimilarity::Reordered => 30,
            NameSimilarity::Close { edits } => 25u32.saturating_sub(5 * edits as u32),
        };
        let date = 30u32.saturating_sub(3 * self.birth_days_apart);
        let place = match self.place {
            PlaceProximity::SameCommune => 30,
            PlaceProximity::SameDistrict => 20,
            PlaceProximity::SameProvince => 10,
        };
        name + date + place
    }
}

/// A Vietnamese letter without its diacritics (tone marks, breve, circumflex,
/// horn; đ → d), for lowercase input. Other characters are returned as they are.
fn base_letter(c: char) -> char {
    match c {
        'à' | 'á' | 'ả' | 'ã' | 'ạ' | 'ă' | 'ằ' | 'ắ' | 'ẳ' | 'ẵ' | 'ặ' | 'â' | 'ầ' | 'ấ' | 'ẩ'
        | 'ẫ' | 'ậ' => 'a',
        'è' | 'é' | 'ẻ' | 'ẽ' | 'ẹ' | 'ê' | 'ề' | 'ế' | 'ể' | 'ễ' | 'ệ' => 'e',
        'ì' | 'í' | 'ỉ' | 'ĩ' | 'ị' => 'i',
        'ò' | 'ó' | 'ỏ' | 'õ' | 'ọ' | 'ô' | 'ồ' | 'ố' | 'ổ' | 'ỗ' | 'ộ' | 'ơ' | 'ờ' | 'ớ' | 'ở'
        | 'ỡ' | 'ợ' => 'o',
        'ù' | 'ú' | 'ủ' | 'ũ' | 'ụ' | 'ư' | 'ừ' | 'ứ' | 'ử' | 'ữ' | 'ự' => 'u',
        'ỳ' | 'ý' | 'ỷ' | 'ỹ' | 'ỵ' => 'y',
        'đ' => 'd',
        other => other,
    }
}

/// Combining diacritical marks (U+0300–U+036F): text typed in decomposed form
/// ("a" + U+0301) carries its marks as separate characters.
fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// The words of a name: lowercase, split at whitespace and punctuation, with
/// diacritics kept (`fold = false`) or removed (`fold = true`).
fn words(name: &str, fold: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if is_combining_mark(c) {
            if !fold {
                word.push(c);
            }
        } else if c.is_alphanumeric() {
            word.push(if fold { base_letter(c) } else { c });
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The comparison key of a name: lowercase, without Vietnamese diacritics (đ/Đ
/// become d), without whitespace and punctuation. "Nguyễn  Văn-Ân" → "nguyenvanan".
pub fn name_key(name: &str) -> String {
    words(name, true).concat()
}

/// Edit distance with swaps of neighbouring letters counted as one edit
/// (optimal string alignment), on characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[n][m]
}

/// How many typing errors a key of this many letters may have and still match:
/// none below 4 letters, 1 below 12, 2 from 12 on.
pub fn allowed_edits(key_len: usize) -> usize {
    match key_len {
        0..=3 => 0,
        4..=11 => 1,
        _ => 2,
    }
}

/// How alike two names are, or `None` when they are different names.
pub fn name_similarity(a: &str, b: &str) -> Option<NameSimilarity> {
    let key_a = name_key(a);
    let key_b = name_key(b);
    if key_a.is_empty() || key_b.is_empty() {
        return None;
    }
    if key_a == key_b {
        return Some(if words(a, false).concat() == words(b, false).concat() {
            NameSimilarity::Exact
        } else {
            NameSimilarity::SameLetters
        });
    }
    let mut sorted_a = words(a, true);
    let mut sorted_b = words(b, true);
    sorted_a.sort();
    sorted_b.sort();
    let sorted_a = sorted_a.concat();
    let sorted_b = sorted_b.concat();
    if sorted_a == sorted_b {
        return Some(NameSimilarity::Reordered);
    }
    let edits = edit_distance(&key_a, &key_b).min(edit_distance(&sorted_a, &sorted_b));
    let shorter = key_a.chars().count().min(key_b.chars().count());
    (edits <= allowed_edits(shorter)).then_some(NameSimilarity::Close { edits })
}

/// How close two communes are, or `None` when they are not neighbours (see the
/// module documentation for what "neighbouring" means without adjacency data).
pub fn place_proximity(a: &CommuneRef, b: &CommuneRef) -> Option<PlaceProximity> {
    match (a.structure, b.structure) {
        (Structure::Pre2025, Structure::Pre2025) | (Structure::Y2025, Structure::Y2025)
            if a.commune == b.commune && a.province == b.province =>
        {
            Some(PlaceProximity::SameCommune)
        }
        (Structure::Pre2025, Structure::Pre2025) => {
            (a.province == b.province && a.district.is_some() && a.district == b.district)
                .then_some(PlaceProximity::SameDistrict)
        }
        (Structure::Y2025, Structure::Y2025) => {
            (a.province == b.province).then_some(PlaceProximity::SameProvince)
        }
        _ => {
            let pa = places::rolled_up_province(a)?;
            let pb = places::rolled_up_province(b)?;
            (pa == pb).then_some(PlaceProximity::SameProvince)
        }
    }
}

/// Days between two dates, if at most [`BIRTH_DATE_TOLERANCE_DAYS`].
fn birth_days_apart(a: NaiveDate, b: NaiveDate) -> Option<u32> {
    let days = u32::try_from((a - b).num_days().unsigned_abs()).ok()?;
    (days <= BIRTH_DATE_TOLERANCE_DAYS).then_some(days)
}

/// Whether two records are likely the same child, and why.
pub fn likely_duplicate(a: &Candidate, b: &Candidate) -> Option<Match> {
    let birth_days_apart = birth_days_apart(a.date_of_birth, b.date_of_birth)?;
    let place = a
        .communes()
        .flat_map(|x| b.communes().filter_map(move |y| place_proximity(x, y)))
        .min()?;
    let name = name_similarity(&a.name, &b.name)?;
    Some(Match {
        name,
        birth_days_apart,
        place,
    })
}

/// The records among `existing` that are likely the same child as `new`, most
/// likely first (ties keep the order of `existing`).
pub fn likely_duplicates<'a, K>(
    new: &Candidate,
    existing: &'a [(K, Candidate)],
) -> Vec<(&'a K, Match)> {
    let mut found: Vec<(&K, Match)> = existing
        .iter()
        .filter_map(|(k, c)| likely_duplicate(new, c).map(|m| (k, m)))
        .collect();
    found.sort_by_key(|(_, m)| std::cmp::Reverse(m.score()));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    /// Phường Sông Trí and Phường Hải Ninh, Hà Tĩnh (2025).
    fn song_tri() -> CommuneRef {
        CommuneRef::current(42, 18754)
    }
    fn hai_ninh() -> CommuneRef {
        CommuneRef::current(42, 18781)
    }
    /// Xã Anh Sơn, Nghệ An (2025).
    fn anh_son() -> CommuneRef {
        CommuneRef::current(40, 17329)
    }
    fn old(commune: u32) -> CommuneRef {
        places::pre_2025()
            .commune_ref(commune)
            .expect("pre-2025 commune exists")
    }

    #[test]
    fn name_key_folds_case_diacritics_spacing_and_punctuation() {
        for (name, key) in [
            ("Nguyễn Văn An", "nguyenvanan"),
            ("Nguyen Van An", "nguyenvanan"),
            ("nguyen van  an", "nguyenvanan"),
            ("Nguyễn Văn Ân", "nguyenvanan"),
            ("  NGUYỄN   VĂN AN ", "nguyenvanan"),
            ("Đặng Thị Đào", "dangthidao"),
            ("đỗ  đức-đạt.", "doducdat"),
            ("Lê Thị Hồng Nhung", "lethihongnhung"),
            ("Trương Ưng Ỷ", "truongungy"),
            ("H'Hen Niê", "hhennie"),
            // decomposed form: base letters followed by combining marks
            ("Nguye\u{0302}\u{0303}n", "nguyen"),
            ("", ""),
            (" - ", ""),
        ] {
            assert_eq!(name_key(name), key, "{name:?}");
        }
    }

    #[test]
    fn name_similarity_table() {
        use NameSimilarity::*;
        for (a, b, expected) in [
            ("Nguyễn Văn An", "Nguyễn Văn An", Some(Exact)),
            ("Nguyễn Văn An", "nguyễn  văn an", Some(Exact)),
            ("Nguyễn Văn An", "Nguyen Van An", Some(SameLetters)),
            ("Nguyễn Văn An", "nguyen van  an", Some(SameLetters)),
            ("Nguyễn Văn An", "Nguyễn Văn Ân", Some(SameLetters)),
            ("Nguyen Van An", "nguyen van  an", Some(Exact)),
            ("Nguyễn Văn An", "An Nguyễn Văn", Some(Reordered)),
            ("Nguyễn Văn An", "Van An Nguyen", Some(Reordered)),
            ("Nguyễn Văn An", "Nguyễn Văn Anh", Some(Close { edits: 1 })),
            ("Nguyễn Văn An", "Ngyuen Van An", Some(Close { edits: 1 })),
            (
                "Nguyễn Thị Minh Khai",
                "Nguyen Thi Min Kai",
                Some(Close { edits: 2 }),
            ),
            ("Nguyễn Văn An", "Nguyễn Văn Bình", None),
            ("Nguyễn Văn An", "Trần Văn An", None),
            ("Lê An", "Lê Ân", Some(SameLetters)),
            // short names allow no typing error
            ("An", "Anh", None),
            ("", "Nguyễn Văn An", None),
        ] {
            assert_eq!(name_similarity(a, b), expected, "{a:?} vs {b:?}");
            assert_eq!(name_similarity(b, a), expected, "{b:?} vs {a:?}");
        }
    }

    #[test]
    fn place_proximity_table() {
        use PlaceProximity::*;
        // Pre-2025 Hà Tĩnh: Phường Nam Hà and Phường Bắc Hà (district 436,
        // Thành phố Hà Tĩnh); Thị trấn Phố Châu (district 439, Hương Sơn).
        let nam_ha = old(18073);
        let bac_ha = old(18077);
        let pho_chau = old(18133);
        // Pre-2025 Nghệ An: Phường Đông Vĩnh (Thành phố Vinh).
        let dong_vinh = old(16663);
        for (a, b, expected) in [
            (song_tri(), song_tri(), Some(SameCommune)),
            (song_tri(), hai_ninh(), Some(SameProvince)),
            (song_tri(), anh_son(), None),
            (nam_ha, nam_ha, Some(SameCommune)),
            (nam_ha, bac_ha, Some(SameDistrict)),
            (nam_ha, pho_chau, None),
            (nam_ha, dong_vinh, None),
            // across structures: old Hà Tĩnh rolls up to today's Hà Tĩnh
            (nam_ha, song_tri(), Some(SameProvince)),
            (dong_vinh, anh_son(), Some(SameProvince)),
            (dong_vinh, song_tri(), None),
        ] {
            assert_eq!(place_proximity(&a, &b), expected, "{a:?} vs {b:?}");
            assert_eq!(place_proximity(&b, &a), expected, "{b:?} vs {a:?}");
        }
    }

    #[test]
    fn likely_duplicate_table() {
        let base = Candidate::new("Nguyễn Văn An", d(2015, 3, 10), song_tri());
        let with = |name: &str, dob: NaiveDate, commune: CommuneRef| Candidate {
            name: name.to_string(),
            date_of_birth: dob,
            commune,
            former_commune: None,
        };
        for (other, expected) in [
            (
                with("Nguyễn Văn An", d(2015, 3, 10), song_tri()),
                Some((NameSimilarity::Exact, 0, PlaceProximity::SameCommune)),
            ),
            (
                with("Nguyen Van An", d(2015, 3, 10), song_tri()),
                Some((NameSimilarity::SameLetters, 0, PlaceProximity::SameCommune)),
            ),
            (
                with("nguyen van  an", d(2015, 3, 12), hai_ninh()),
                Some((NameSimilarity::SameLetters, 2, PlaceProximity::SameProvince)),
            ),
            (
                with("Nguyễn Văn Ân", d(2015, 3, 3), song_tri()),
                Some((NameSimilarity::SameLetters, 7, PlaceProximity::SameCommune)),
            ),
            // 8 days apart: another child
            (with("Nguyễn Văn An", d(2015, 3, 18), song_tri()), None),
            // another year
            (with("Nguyễn Văn An", d(2016, 3, 10), song_tri()), None),
            // another province
            (with("Nguyễn Văn An", d(2015, 3, 10), anh_son()), None),
            // another name
            (with("Nguyễn Văn Bình", d(2015, 3, 10), song_tri()), None),
            // a pre-2025 record of a commune of old Hà Tĩnh
            (
                with("Nguyễn Văn An", d(2015, 3, 10), old(18073)),
                Some((NameSimilarity::Exact, 0, PlaceProximity::SameProvince)),
            ),
        ] {
            let got =
                likely_duplicate(&base, &other).map(|m| (m.name, m.birth_days_apart, m.place));
            assert_eq!(got, expected, "{other:?}");
            let back =
                likely_duplicate(&other, &base).map(|m| (m.name, m.birth_days_apart, m.place));
            assert_eq!(back, expected, "symmetric: {other:?}");
        }
    }

    #[test]
    fn the_former_commune_counts_too() {
        // Recorded today in Sông Trí, formerly in Phường Nam Hà (old district 436).
        let mut a = Candidate::new("Trần Thị Bình", d(2014, 1, 5), song_tri());
        a.former_commune = Some(old(18073));
        let b = Candidate::new("Tran Thi Binh", d(2014, 1, 5), old(18077));
        let m = likely_duplicate(&a, &b).expect("same old district");
        assert_eq!(m.place, PlaceProximity::SameDistrict);
    }

    #[test]
    fn duplicates_are_ranked_most_likely_first() {
        let new = Candidate::new("Nguyễn Văn An", d(2015, 3, 10), song_tri());
        let existing = vec![
            (
                "c",
                Candidate::new("Nguyen Van Anh", d(2015, 3, 15), hai_ninh()),
            ),
            (
                "x",
                Candidate::new("Lê Văn Tám", d(2015, 3, 10), song_tri()),
            ),
            (
                "a",
                Candidate::new("Nguyễn Văn An", d(2015, 3, 10), song_tri()),
            ),
            (
                "b",
                Candidate::new("Nguyen Van An", d(2015, 3, 11), song_tri()),
            ),
        ];
        let found: Vec<&str> = likely_duplicates(&new, &existing)
            .into_iter()
            .map(|(k, _)| *k)
            .collect();
        assert_eq!(found, vec!["a", "b", "c"]);
        let scores: Vec<u32> = likely_duplicates(&new, &existing)
            .iter()
            .map(|(_, m)| m.score())
            .collect();
        assert_eq!(scores[0], 100);
        assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn a_registered_child_is_a_candidate() {
        let mut child = Child::default();
        assert_eq!(Candidate::from_child(&child), None);
        child.full_name = "Nguyễn Văn An".to_string();
        child.date_of_birth = Some(d(2015, 3, 10));
        child.address = Some(super::super::Address {
            commune: song_tri(),
            detail: String::new(),
        });
        let c = Candidate::from_child(&child).expect("registered");
        assert_eq!(c.commune, song_tri());
        assert_eq!(c.name, "Nguyễn Văn An");
    }
}
