//! Small HTML helpers: escaping, times in Vietnam time, tables, selects and
//! SVG bar charts (drawn on the server; no script, no external assets).

use chrono::{DateTime, Utc};

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub use crate::labels::{when, when_text};

/// The value of a time input for `t`: `02/03/2026 09:00`, Vietnam time.
pub fn local_input(t: DateTime<Utc>) -> String {
    super::inputs::datetime_text(t)
}

/// Reads a time input (`02/03/2026 09:00[:00]`, Vietnam time; also the forms
/// machines send: `2026-03-02T09:00`, RFC 3339), or a bare date `02/03/2026`
/// or `2026-03-02` (the end of that day).
pub fn parse_local(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if !s.contains(' ') && !s.contains('T') {
        if let Some(d) = super::inputs::parse_date(s) {
            return Some(hoso_domain::calendar::end_of_local_day(d));
        }
    }
    super::inputs::parse_datetime(s)
}

/// A table with a header row; cells are already HTML.
pub fn table(headers: &[&str], rows: &[Vec<String>], class: &str) -> String {
    let mut out = format!("<div class=\"scroll\"><table class=\"{class}\"><thead><tr>");
    for h in headers {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<td>{c}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

/// `<select>` with an empty "all" choice first when `all` is given.
pub fn select(
    name: &str,
    options: &[(String, String)],
    chosen: Option<&str>,
    all: Option<&str>,
) -> String {
    let mut out = format!("<select name=\"{}\" id=\"f-{}\">", esc(name), esc(name));
    if let Some(a) = all {
        out.push_str(&format!("<option value=\"\">{}</option>", esc(a)));
    }
    for (v, l) in options {
        let sel = if Some(v.as_str()) == chosen {
            " selected"
        } else {
            ""
        };
        out.push_str(&format!(
            "<option value=\"{}\"{sel}>{}</option>",
            esc(v),
            esc(l)
        ));
    }
    out.push_str("</select>");
    out
}

/// One series of a bar chart.
pub struct Series {
    pub name: String,
    /// CSS class: `s0`, `s1`, … (colours in hoso.css).
    pub class: &'static str,
    pub values: Vec<i64>,
}

/// Vertical bars, one group per category (e.g. months), as inline SVG that
/// scales with its box.
pub fn column_chart(title: &str, categories: &[String], series: &[Series]) -> String {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let (w, h, left, bottom, top) = (760.0f64, 260.0f64, 36.0f64, 40.0f64, 14.0f64);
    let n = categories.len().max(1) as f64;
    let group = (w - left - 8.0) / n;
    let k = series.len().max(1) as f64;
    let bar = (group * 0.8 / k).min(36.0);
    let plot_h = h - bottom - top;
    let mut out = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" preserveAspectRatio=\"xMidYMid meet\">",
        esc(title)
    );
    // Grid: 0, half, max.
    let ticks: &[f64] = if max % 2 == 0 {
        &[0.0, 0.5, 1.0]
    } else {
        &[0.0, 1.0]
    };
    for &f in ticks {
        let y = top + plot_h * (1.0 - f);
        let v = (max as f64 * f).round() as i64;
        out.push_str(&format!(
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            w - 4.0,
            left - 4.0,
            y + 4.0
        ));
    }
    let every = ((n / 12.0).ceil() as usize).max(1);
    for (i, c) in categories.iter().enumerate() {
        let x0 = left + group * i as f64 + (group - bar * k) / 2.0;
        for (j, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0);
            let bh = plot_h * v as f64 / max as f64;
            let x = x0 + bar * j as f64;
            let y = top + plot_h - bh;
            out.push_str(&format!(
                "<rect class=\"{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bh:.1}\"><title>{}: {v}</title></rect>",
                s.class,
                (bar - 2.0).max(1.0),
                esc(&format!("{} {}", s.name, c))
            ));
            if v > 0 && bar >= 14.0 {
                out.push_str(&format!(
                    "<text class=\"val\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{v}</text>",
                    x + (bar - 2.0) / 2.0,
                    y - 3.0
                ));
            }
        }
        if i % every == 0 {
            // "tháng 12/2025" on two lines: "tháng 12" over "2025".
            let x = left + group * (i as f64 + 0.5);
            let (a, b) = match c.rsplit_once('/') {
                Some((a, b)) if c.contains(' ') => (a.to_string(), b.to_string()),
                _ => (c.clone(), String::new()),
            };
            out.push_str(&format!(
                "<text class=\"axis\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}",
                h - bottom + 14.0,
                esc(&a)
            ));
            if !b.is_empty() {
                out.push_str(&format!(
                    "<tspan x=\"{x:.1}\" dy=\"13\">{}</tspan>",
                    esc(&b)
                ));
            }
            out.push_str("</text>");
        }
    }
    out.push_str("</svg>");
    let legend: String = series
        .iter()
        .map(|s| {
            format!(
                "<span><i class=\"sw {}\"></i>{}</span>",
                s.class,
                esc(&s.name)
            )
        })
        .collect();
    format!(
        "<figure class=\"fig\">{out}<figcaption class=\"legend\">{legend}</figcaption></figure>"
    )
}

/// Horizontal bars with their labels, for long category names (communes,
/// groups): HTML so long Vietnamese names wrap; each bar is an SVG rectangle
/// whose width is an attribute, not an inline style (the pages' CSP allows
/// no inline style).
pub fn bar_list(items: &[(String, i64)], class: &str) -> String {
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let mut out = String::from("<div class=\"bars\">");
    for (name, v) in items {
        let pct = *v as f64 * 100.0 / max as f64;
        out.push_str(&format!(
            "<div class=\"bar-row\"><span class=\"bar-name\">{}</span>\
             <svg class=\"bar-track\" viewBox=\"0 0 100 1\" preserveAspectRatio=\"none\" aria-hidden=\"true\">\
             <rect class=\"bar {class}\" width=\"{pct:.1}\" height=\"1\"></rect></svg>\
             <span class=\"bar-val\">{v}</span></div>",
            esc(name)
        ));
    }
    out.push_str("</div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Lang;

    #[test]
    fn escapes_markup_and_reads_local_times() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let t = parse_local("2026-03-02T09:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-02T02:00:00+00:00");
        assert_eq!(local_input(t), "02/03/2026 09:00");
        assert_eq!(parse_local("02/03/2026 09:00"), Some(t));
        assert_eq!(when(t, Lang::Vi), "02/03/2026 09:00");
    }
}
