//! The access log, read by the area of the record that was read.

use super::*;

/// Which reads of the access log to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    /// Reads by this officer.
    pub officer: Option<String>,
    /// Reads of this record (case, child or officer id), exactly.
    pub subject: Option<String>,
    /// Reads of records of this province.
    pub province: Option<u32>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccessRow {
    pub position: i64,
    pub officer_id: String,
    pub sequence: i64,
    pub role: String,
    pub unit: String,
    pub recorded_at: String,
    pub subject_type: String,
    pub subject_id: String,
    /// The unit of the record read, when the read named it.
    pub subject_unit: Option<String>,
    pub what: String,
    /// Lists and searches: how many records matched.
    pub results: Option<i64>,
    /// Lists and searches: what was asked (personal: opened by the service).
    pub query: Option<String>,
    pub reason: Option<String>,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

/// The access log, newest first (served from its indexed projection).
pub async fn access_log(db: &Db, f: &AccessFilter) -> Result<Vec<AccessRow>, ProjectionError> {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    if let Some(o) = &f.officer {
        clauses.push("officer_id = ?");
        params.push(Val::from(o.as_str()));
    }
    if let Some(s) = &f.subject {
        clauses.push("subject_id = ?");
        params.push(Val::from(s.as_str()));
    }
    if let Some(p) = f.province {
        clauses.push("subject_province = ?");
        params.push(Val::from(p));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    params.push(Val::Int(f.limit.max(1)));
    params.push(Val::Int(f.offset.max(0)));
    rows(
        db,
        &format!("SELECT * FROM pa_read{filter} ORDER BY position DESC LIMIT ? OFFSET ?"),
        &params,
    )
    .await?
    .iter()
    .map(|r| {
        Ok(AccessRow {
            position: r.int("position")?,
            officer_id: r.text("officer_id")?,
            sequence: r.int("sequence")?,
            role: r.text("role")?,
            unit: r.text("unit")?,
            recorded_at: r.text("recorded_at")?,
            subject_type: r.text("subject_type")?,
            subject_id: r.text("subject_id")?,
            subject_unit: r.opt_text("subject_unit")?,
            what: r.text("what")?,
            results: r.opt_int("results")?,
            // Personal: opened from the event by the service.
            query: None,
            reason: None,
            client_ip: None,
            request_id: r.opt_text("request_id")?,
        })
    })
    .collect()
}
