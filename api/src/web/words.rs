//! A refusal or a failure in the words of the page's language: the same
//! problem the API answers (status, kind), with its texts from the message
//! catalogue (`crate::messages`) instead of the API's English `detail`, so a
//! Vietnamese page never shows an English sentence.

use hoso_service::{Error, RuleKind};

use crate::http::error::ApiError;
use crate::labels::Lang;
use crate::messages::{self, FieldMessage};

/// What a page says about a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub title: String,
    /// One sentence (or a few) for the whole problem.
    pub detail: String,
    /// The fields to blame: (field path as the API names it, message).
    pub fields: Vec<(String, String)>,
}

fn slug(e: &ApiError) -> String {
    let (_, problem) = e.problem();
    problem["type"]
        .as_str()
        .unwrap_or("")
        .trim_start_matches("urn:hoso:problem:")
        .to_string()
}

/// A problem document kept for an idempotent replay (the first answer of a
/// form sent twice), in `lang`: its field messages through the catalogue.
pub fn say_problem(lang: Lang, problem: &serde_json::Value) -> Said {
    let slug = problem["type"]
        .as_str()
        .unwrap_or("")
        .trim_start_matches("urn:hoso:problem:");
    let fields: Vec<(String, String)> = problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or("").to_string(),
                messages::field_message(lang, e["message"].as_str().unwrap_or("")),
            )
        })
        .collect();
    let detail = match fields.first() {
        Some((_, m)) => m.clone(),
        None => messages::field_message(lang, problem["detail"].as_str().unwrap_or("")),
    };
    Said {
        title: messages::problem_title(lang, slug).unwrap_or_default(),
        detail,
        fields,
    }
}

/// The problem `e` in `lang`.
pub fn say(lang: Lang, e: &ApiError) -> Said {
    let title = messages::problem_title(lang, &slug(e)).unwrap_or_default();
    let (detail, fields) = match e {
        ApiError::Malformed { errors, .. } => (
            FieldMessage::BodyInvalidJson.text(lang),
            errors
                .iter()
                .map(|f| (f.field.clone(), messages::field_message(lang, &f.message)))
                .collect(),
        ),
        ApiError::TooLarge(text) | ApiError::UnsupportedMediaType(text) => {
            (messages::field_message(lang, text), Vec::new())
        }
        ApiError::Service(s) => {
            let detail = messages::service_error(lang, s);
            let fields = match s {
                Error::Invalid { errors, .. } => errors
                    .iter()
                    .map(|f| (f.field.clone(), messages::field_message(lang, &f.message)))
                    .collect(),
                Error::Rule(r) => match r.kind() {
                    RuleKind::Invalid(field) => vec![(field.to_string(), detail.clone())],
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
            (detail, fields)
        }
    };
    Said {
        title,
        detail,
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::tests::{case_errors, child_errors, officer_errors, ENGLISH, SENT};
    use hoso_service::{FieldError, Rule};

    fn vietnamese(s: &Said, what: &str) {
        let all = format!(
            " {} {} {} ",
            s.title,
            s.detail,
            s.fields
                .iter()
                .map(|(_, m)| m.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        )
        .to_lowercase();
        assert!(!s.detail.trim().is_empty(), "nothing said for {what}");
        for w in ENGLISH {
            assert!(
                !all.contains(w),
                "English {w:?} on a page for {what}: {all}"
            );
        }
    }

    /// Every error a page can show, as the page says it: every domain rule,
    /// every field message the API sends, every other kind of failure.
    #[test]
    fn every_problem_is_said_in_vietnamese_on_a_page() {
        let mut all: Vec<ApiError> = Vec::new();
        all.extend(
            case_errors()
                .into_iter()
                .map(|e| ApiError::Service(Error::Rule(Rule::Case(e)))),
        );
        all.extend(
            child_errors()
                .into_iter()
                .map(|e| ApiError::Service(Error::Rule(Rule::Child(e)))),
        );
        all.extend(
            officer_errors()
                .into_iter()
                .map(|e| ApiError::Service(Error::Rule(Rule::Officer(e)))),
        );
        for m in SENT {
            all.push(ApiError::Service(Error::invalid("field", *m)));
            all.push(ApiError::Malformed {
                detail: m.to_string(),
                errors: vec![FieldError::new("body", *m)],
            });
        }
        all.push(ApiError::TooLarge("the body is larger than 256 KiB".into()));
        all.push(ApiError::UnsupportedMediaType(
            "the body must be JSON with Content-Type: application/json (got `text/plain`)".into(),
        ));
        for e in [
            Error::Unauthenticated("the token is unknown, expired or signed out".into()),
            Error::Forbidden("a commune_worker may not read the access log".into()),
            Error::Forbidden(
                "a commune_worker may not read the report of likely duplicate children".into(),
            ),
            Error::Forbidden("something else entirely".into()),
            Error::not_found("case"),
            Error::not_found("child"),
            Error::not_found("attachment"),
            Error::NotFound("no such route; see /api/v1/openapi.json".into()),
            Error::NotFound("no event of this case was recorded by then".into()),
            Error::Conflict("the record is in another state".into()),
            Error::Concurrent("another command changed this record at the same time".into()),
            Error::Unavailable("pool timed out".into()),
            Error::Internal("disk full".into()),
            Error::Full("database or disk is full".into()),
            Error::invalid("x", "an English sentence nobody translated"),
        ] {
            all.push(ApiError::Service(e));
        }
        for e in &all {
            let s = say(Lang::Vi, e);
            vietnamese(&s, &format!("{e:?}"));
            let en = say(Lang::En, e);
            assert!(!en.detail.is_empty());
        }
    }

    #[test]
    fn a_rule_about_a_field_names_it() {
        let e = ApiError::Service(Error::Rule(Rule::Case(
            hoso_domain::case::CaseError::MissingField("findings"),
        )));
        let s = say(Lang::Vi, &e);
        assert_eq!(s.fields[0].0, "findings");
        assert!(s.detail.contains("kết quả kiểm tra"), "{}", s.detail);
        let e = ApiError::Service(Error::invalid("findings", "missing field `findings`"));
        assert_eq!(
            say(Lang::Vi, &e).fields,
            vec![(
                "findings".to_string(),
                "Thiếu thông tin bắt buộc: kết quả kiểm tra.".to_string()
            )]
        );
    }
}
