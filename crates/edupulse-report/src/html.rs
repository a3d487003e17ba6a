//! The HTML page: skeleton, style sheet, escaping and small table helpers shared by the
//! sections. The page is self-contained (inline CSS and SVG), runs no script and loads nothing.

use crate::lang::{fill, Lang};
use crate::read::Report;
use crate::sections;
use std::fmt::Write as _;

/// The whole page of `report` in `lang`.
pub fn page(report: &Report, lang: Lang) -> String {
    let l = lang.labels();
    let day = lang.date(report.as_of.date_naive());
    let mut h = String::with_capacity(128 * 1024);
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{CSS}</style></head><body>\
         <header><h1>edupulse</h1><p>{as_of} <b>{day}</b> · {time} UTC</p></header><main>",
        code = lang.code(),
        title = esc(&fill(l.page_title, &[&day])),
        as_of = esc(l.report_as_of),
        time = report.as_of.format("%H:%M"),
    );
    if !report.failed_steps.is_empty() {
        let _ = write!(
            h,
            "<p class=\"warn\">{}</p>",
            esc(&fill(l.run_failed, &[&report.failed_steps.join(", ")]))
        );
    }
    sections::kpis::render(&mut h, &report.kpis, lang);
    sections::repetition::render(&mut h, &report.repetition, lang);
    sections::content::render(&mut h, &report.content, lang);
    sections::community::render(&mut h, &report.community, lang);
    sections::trends::render(&mut h, &report.trends, lang);
    sections::churn::render(&mut h, &report.churn, lang);
    sections::leads::render(&mut h, &report.leads, lang);
    sections::demand::render(&mut h, &report.demand, lang);
    sections::forecast::render(&mut h, &report.forecast, lang);
    sections::experiments::render(&mut h, &report.experiments, lang);
    sections::certify::render(&mut h, &report.certify, lang);
    sections::feedback::render(&mut h, &report.feedback, lang);
    sections::outbox::render(&mut h, &report.outbox, lang);
    h.push_str("</main></body></html>\n");
    h
}

/// Open `<section id="{id}">` with its `<h2>` title.
pub fn open_section(h: &mut String, id: &str, title: &str) {
    let _ = write!(h, "<section id=\"{}\"><h2>{}</h2>", esc(id), esc(title));
}

/// A `<h3>` subtitle.
pub fn h3(h: &mut String, text: &str) {
    let _ = write!(h, "<h3>{}</h3>", esc(text));
}

/// A paragraph of plain text.
pub fn para(h: &mut String, text: &str) {
    let _ = write!(h, "<p>{}</p>", esc(text));
}

/// A paragraph of smaller, secondary text.
pub fn small(h: &mut String, text: &str) {
    let _ = write!(h, "<p class=\"small\">{}</p>", esc(text));
}

/// The message of an empty section or part.
pub fn empty(h: &mut String, text: &str) {
    let _ = write!(h, "<p class=\"empty\">{}</p>", esc(text));
}

/// Open a `<table>` with a header row of `headers` (the first `text_cols` left-aligned, the
/// others right-aligned as numbers) and open its `<tbody>`.
pub fn open_table(h: &mut String, headers: &[&str], text_cols: usize) {
    h.push_str("<table><thead><tr>");
    for (i, c) in headers.iter().enumerate() {
        if i < text_cols {
            let _ = write!(h, "<th>{}</th>", esc(c));
        } else {
            let _ = write!(h, "<th class=\"num\">{}</th>", esc(c));
        }
    }
    h.push_str("</tr></thead><tbody>");
}

/// Close the table opened by [`open_table`].
pub fn close_table(h: &mut String) {
    h.push_str("</tbody></table>");
}

/// One body row: the first `text_cols` cells as text, the others as numbers (all escaped).
pub fn row(h: &mut String, cells: &[String], text_cols: usize) {
    h.push_str("<tr>");
    for (i, c) in cells.iter().enumerate() {
        if i < text_cols {
            let _ = write!(h, "<td>{}</td>", esc(c));
        } else {
            let _ = write!(h, "<td class=\"num\">{}</td>", esc(c));
        }
    }
    h.push_str("</tr>");
}

/// Escape text for HTML (element content and attribute values).
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

pub(crate) const CSS: &str = "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,'DejaVu Sans',sans-serif;margin:0;color:#1f2933;background:#f7f8fa}\
header{background:#1f3a5f;color:#fff;padding:16px 32px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0}\
main{max-width:1100px;margin:0 auto;padding:16px 32px}section{background:#fff;border-radius:8px;padding:16px 20px;margin:16px 0;box-shadow:0 1px 3px rgba(0,0,0,.08);overflow-x:auto}\
h2{font-size:18px;margin:0 0 12px}h3{font-size:14px;margin:16px 0 6px;color:#52606d}p{line-height:1.45}\
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:8px}.tile{flex:1 1 150px;background:#f7f8fa;border-radius:8px;padding:14px}\
.tile .v{font-size:24px;font-weight:600;color:#1f3a5f}.tile .l{font-size:12px;color:#7b8794;text-transform:uppercase;letter-spacing:.04em}\
table{border-collapse:collapse;width:100%;font-size:13px;margin-top:12px}th,td{padding:4px 8px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:middle}\
th{color:#52606d;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}td.num{white-space:nowrap}p.small{font-size:13px;color:#52606d;margin:4px 0 12px}\
.empty{color:#7b8794;font-style:italic}.warn{background:#fdecea;color:#8a1c1c;border-radius:6px;padding:10px 14px}\
.sev-critical{color:#b91c1c;font-weight:600}.sev-high{color:#c2410c}.sev-medium{color:#a16207}.sev-low{color:#52606d}\
svg text{font-size:11px;fill:#3e4c59}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}
