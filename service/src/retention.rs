//! Retention (thời hạn lưu trữ): when a child's personal data is due for
//! erasure, by a policy kept as data (`data/retention.json`, or a file given
//! to `hoso retention --policy`). A child is due once every case of the child
//! is closed and every rule that applies to one of the child's cases has
//! passed: years after the last case closed, and the age the child must have
//! reached. The strictest applicable rule decides. Applying the policy erases
//! each due child's personal data (`privacy::erase_child`), each erasure an
//! event naming the rule.

use chrono::{DateTime, Months, NaiveDate, Utc};
use hoso_domain::child::Child;
use hoso_domain::privacy::Erasure;
use hoso_projections::read::{self, ChildFacts};
use hoso_projections::Projection;
use serde::Deserialize;

use crate::access::ReadContext;
use crate::{privacy, Error, Me, Service};

/// The policy compiled in (`data/retention.json`).
pub const DEFAULT_POLICY: &str = include_str!("../../data/retention.json");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub version: String,
    #[serde(default)]
    pub note: String,
    pub rules: Vec<Rule>,
    pub without_case: WithoutCase,
}

/// Keeping the data of children with cases of some harm types (every case
/// when `harm_types` is empty).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    #[serde(default)]
    pub harm_types: Vec<String>,
    pub years_after_last_close: u32,
    #[serde(default)]
    pub min_age: Option<u32>,
}

/// Keeping the data of children registered without any case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithoutCase {
    pub name: String,
    pub years_after_registration: u32,
    #[serde(default)]
    pub min_age: Option<u32>,
}

impl Policy {
    pub fn parse(text: &str) -> Result<Policy, Error> {
        let p: Policy = serde_json::from_str(text).map_err(|e| {
            Error::invalid("policy", format!("the retention policy does not read: {e}"))
        })?;
        for r in &p.rules {
            for h in &r.harm_types {
                if <hoso_domain::common::HarmType as hoso_domain::common::Code>::parse_code(h)
                    .is_none()
                {
                    return Err(Error::invalid(
                        "policy",
                        format!("rule {}: unknown harm type `{h}`", r.name),
                    ));
                }
            }
        }
        Ok(p)
    }
}

/// One child due for erasure, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub child_id: String,
    pub rule: String,
    pub due_since: NaiveDate,
    pub reason: String,
}

fn add_years(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_add_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MAX)
}

fn day(t: &str) -> Option<NaiveDate> {
    t.parse::<DateTime<Utc>>()
        .ok()
        .map(hoso_domain::calendar::local_date)
}

/// When the child is due under one rule: the later of the years after the
/// reference date and the age; `None` when the age cannot be known.
fn due_date(
    reference: NaiveDate,
    years: u32,
    min_age: Option<u32>,
    birth: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let by_years = add_years(reference, years);
    match (min_age, birth) {
        (None, _) => Some(by_years),
        (Some(age), Some(b)) => Some(by_years.max(add_years(b, age))),
        // The birth date is not known: the age cannot be proven reached.
        (Some(_), None) => None,
    }
}

/// Why one child is (or is not yet) due.
fn judge(
    policy: &Policy,
    c: &ChildFacts,
    birth: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<Due> {
    if c.erased {
        return None;
    }
    if c.cases.is_empty() {
        let w = &policy.without_case;
        let reg = c.registered_at.as_deref().and_then(day)?;
        let due = due_date(reg, w.years_after_registration, w.min_age, birth)?;
        return (due <= today).then(|| Due {
            child_id: c.child_id.clone(),
            rule: w.name.clone(),
            due_since: due,
            reason: format!(
                "registered {reg} without a case: kept {} years{}",
                w.years_after_registration,
                w.min_age
                    .map(|a| format!(" and until age {a}"))
                    .unwrap_or_default()
            ),
        });
    }
    // Every case closed, and the last closing date.
    let mut last_close = None;
    for case in &c.cases {
        let closed = case.closed_at.as_deref().and_then(day)?;
        last_close = last_close.max(Some(closed));
    }
    let last_close = last_close?;
    // The strictest rule that applies to any of the cases.
    let mut strictest: Option<(NaiveDate, &Rule)> = None;
    for r in &policy.rules {
        let applies = r.harm_types.is_empty()
            || c.cases
                .iter()
                .any(|case| case.harm_types.iter().any(|h| r.harm_types.contains(h)));
        if !applies {
            continue;
        }
        let due = due_date(last_close, r.years_after_last_close, r.min_age, birth)?;
        if strictest.is_none_or(|(d, _)| due > d) {
            strictest = Some((due, r));
        }
    }
    let (due, rule) = strictest?;
    (due <= today).then(|| Due {
        child_id: c.child_id.clone(),
        rule: rule.name.clone(),
        due_since: due,
        reason: format!(
            "{} case(s), the last closed {last_close}: rule {} keeps {} years after closing{}",
            c.cases.len(),
            rule.name,
            rule.years_after_last_close,
            rule.min_age
                .map(|a| format!(" and until age {a}"))
                .unwrap_or_default()
        ),
    })
}

/// Every child due for erasure under `policy` today.
pub async fn due(svc: &Service, policy: &Policy, now: DateTime<Utc>) -> Result<Vec<Due>, Error> {
    crate::refresh(svc.ledger(), Projection::CaseView).await?;
    let today = hoso_domain::calendar::local_date(now);
    let mut out = Vec::new();
    for c in read::retention_facts(svc.db()).await? {
        if c.erased {
            continue;
        }
        // The birth date is personal: read from the child's sealed record.
        let child: Child = svc.app.load(&c.child_id).await?;
        if let Some(d) = judge(policy, &c, child.date_of_birth, today) {
            out.push(d);
        }
    }
    Ok(out)
}

/// Erases every due child's personal data, one erasure event each, as `me`
/// (a national admin).
pub async fn apply(svc: &Service, me: &Me, policy: &Policy, due: &[Due]) -> Result<u64, Error> {
    let mut n = 0;
    for d in due {
        let order = Erasure {
            reason: format!(
                "retention policy {}, rule {}: {}",
                policy.version, d.rule, d.reason
            ),
            decision_ref: format!("retention:{}:{}", policy.version, d.rule),
        };
        let ctx = ReadContext {
            reason: Some(format!("retention policy {}", policy.version)),
            ..ReadContext::default()
        };
        privacy::erase_child(svc, me, &ctx, &d.child_id, order).await?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoso_projections::read::CaseFacts;

    fn child(cases: &[(&str, Option<&str>)]) -> ChildFacts {
        ChildFacts {
            child_id: "TE-1".into(),
            erased: false,
            registered_at: Some("2015-01-01T00:00:00Z".into()),
            cases: cases
                .iter()
                .enumerate()
                .map(|(i, (h, closed))| CaseFacts {
                    case_id: format!("HS-{i}"),
                    closed_at: closed.map(str::to_string),
                    harm_types: vec![(*h).to_string()],
                })
                .collect(),
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_strictest_rule_of_the_childs_cases_decides() {
        let p = Policy::parse(DEFAULT_POLICY).unwrap();
        let birth = Some(d("2010-03-01"));
        let neglect = child(&[("neglect", Some("2019-06-01T00:00:00Z"))]);
        // 5 years after closing (2024-06) but age 18 only on 2028-03-01.
        assert!(judge(&p, &neglect, birth, d("2027-12-31")).is_none());
        let due = judge(&p, &neglect, birth, d("2028-03-01")).unwrap();
        assert_eq!(
            (due.rule.as_str(), due.due_since),
            ("any-case", d("2028-03-01"))
        );
        // A sexual-abuse case among them keeps everything 20 years.
        let both = child(&[
            ("neglect", Some("2019-06-01T00:00:00Z")),
            ("sexual_abuse", Some("2018-01-01T00:00:00Z")),
        ]);
        assert!(judge(&p, &both, birth, d("2030-01-01")).is_none());
        let due = judge(&p, &both, birth, d("2039-06-01")).unwrap();
        assert_eq!(due.rule, "sexual-abuse-or-trafficking");
        // An open case: never due; an unknown birth date: never due by age.
        let open = child(&[("neglect", None)]);
        assert!(judge(&p, &open, birth, d("2100-01-01")).is_none());
        assert!(judge(&p, &neglect, None, d("2100-01-01")).is_none());
        // Registered without a case.
        let none = child(&[]);
        assert_eq!(
            judge(&p, &none, birth, d("2028-03-01")).unwrap().rule,
            "registered-without-case"
        );
        assert!(
            Policy::parse(&DEFAULT_POLICY.replace("\"trafficking\"", "\"smuggling\"")).is_err()
        );
    }
}
