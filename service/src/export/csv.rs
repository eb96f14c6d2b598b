//! Spreadsheet files of a bundle: CSV in UTF-8 with a BOM and CRLF line ends,
//! so that Excel shows Vietnamese.

use serde::Serialize;

use super::ExtraFile;

/// A CSV field: quoted when it holds a comma, quote or line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn csv_row(fields: &[&str]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

pub const BOM: &[u8] = "\u{FEFF}".as_bytes();

/// The value as plain text for a spreadsheet cell.
pub fn cell<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) | Err(_) => String::new(),
        Ok(other) => other.to_string(),
    }
}

/// A whole CSV file: BOM, header, rows (for spreadsheets that must show Vietnamese).
pub fn csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = BOM.to_vec();
    out.extend_from_slice(csv_row(header).as_bytes());
    for r in rows {
        let fields: Vec<&str> = r.iter().map(String::as_str).collect();
        out.extend_from_slice(csv_row(&fields).as_bytes());
    }
    out
}

/// `statistics.csv` (monthly counts, for one province or all) and, for an
/// officer, `officer-history.csv` (the actions on the records `within` holds),
/// from the projections (brought up to date first): the spreadsheets that go
/// into a bundle beside the events.
pub async fn projection_csvs(
    ledger: &hoso_ledger::Ledger,
    province: Option<u32>,
    officer: Option<&str>,
    within: Option<&hoso_projections::read::Within<'_>>,
) -> Result<Vec<ExtraFile>, hoso_projections::ProjectionError> {
    use hoso_projections::read::{self, PeriodKind, StatsQuery};
    use hoso_projections::Projection;
    crate::refresh(ledger, Projection::Statistics).await?;
    let stats = read::statistics(
        ledger.db(),
        &StatsQuery {
            metric: None,
            province,
            commune: None,
            structure: None,
            district: None,
            period: PeriodKind::Month,
            from: None,
            to: None,
            by_commune: false,
        },
    )
    .await?;
    let mut extra = vec![ExtraFile {
        name: "statistics.csv".into(),
        bytes: csv(
            &["metric", "key", "province", "period", "count"],
            stats.iter().map(|r| {
                vec![
                    r.metric.clone(),
                    r.key.clone(),
                    r.province.to_string(),
                    r.period.clone(),
                    r.count.to_string(),
                ]
            }),
        ),
    }];
    if let Some(id) = officer {
        crate::refresh(ledger, Projection::OfficerHistory).await?;
        if let Some(h) = read::officer_history(ledger.db(), id, None, None, within).await? {
            extra.push(ExtraFile {
                name: "officer-history.csv".into(),
                bytes: csv(
                    &[
                        "position",
                        "recorded_at",
                        "at",
                        "role",
                        "unit",
                        "record_type",
                        "record_id",
                        "sequence",
                        "event_type",
                    ],
                    h.events.iter().map(|e| {
                        vec![
                            e.position.to_string(),
                            e.recorded_at.clone(),
                            e.at.clone().unwrap_or_default(),
                            e.role.clone(),
                            e.unit.clone(),
                            e.aggregate_type.clone(),
                            e.aggregate_id.clone(),
                            e.sequence.to_string(),
                            e.event_type.clone(),
                        ]
                    }),
                ),
            });
        }
    }
    Ok(extra)
}
