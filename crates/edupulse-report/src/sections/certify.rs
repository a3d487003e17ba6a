//! Certifications: per certification how many students are eligible or close (from the daily
//! job's `cert_eligibility`), how many credentials are issued, expiring soon or revoked (from the
//! issuer's register `cert_issued`, written by `edupulse certs issue`), and what the close
//! students still miss.

use crate::html::{close_table, h3, open_section, open_table, para, row};
use crate::lang::Lang;
use crate::read::CertifySection;
use edupulse_core::certify::Standing;
use std::collections::BTreeMap;

/// How many close students are listed with what they miss.
const CLOSE_ROWS: usize = 20;

#[derive(Default)]
struct Counts {
    eligible: u64,
    close: u64,
    issued: u64,
    expiring: u64,
    revoked: u64,
}

/// Append the certifications section. A business with no certification configured and no
/// credential issued gets no section at all (there is nothing to decide).
pub fn render(h: &mut String, s: &CertifySection, lang: Lang) {
    let l = lang.labels();
    if s.eligibility.is_empty() && s.issued.is_empty() {
        return;
    }
    open_section(h, "certify", l.cert_title);
    para(h, l.cert_explain);
    let mut by: BTreeMap<&str, Counts> = BTreeMap::new();
    for r in &s.eligibility {
        let c = by.entry(r.certification_id.as_str()).or_default();
        match r.standing {
            Standing::Eligible => c.eligible += 1,
            Standing::Close => c.close += 1,
            _ => {}
        }
    }
    for r in &s.issued {
        let c = by.entry(r.certification_id.as_str()).or_default();
        if r.revoked {
            c.revoked += 1;
        } else if s
            .issued_as_of
            .is_none_or(|t| r.valid_until.is_none_or(|u| u > t))
        {
            c.issued += 1;
        }
        if r.expiring_soon {
            c.expiring += 1;
        }
    }
    h3(h, l.cert_by_certification);
    open_table(
        h,
        &[
            l.col_certification,
            l.col_eligible,
            l.col_close,
            l.col_issued_valid,
            l.col_expiring_soon,
            l.col_revoked,
        ],
        1,
    );
    for (id, c) in &by {
        row(
            h,
            &[
                id.to_string(),
                lang.int(c.eligible),
                lang.int(c.close),
                lang.int(c.issued),
                lang.int(c.expiring),
                lang.int(c.revoked),
            ],
            1,
        );
    }
    close_table(h);

    let mut close: Vec<_> = s
        .eligibility
        .iter()
        .filter(|r| r.standing == Standing::Close)
        .collect();
    if close.is_empty() {
        h.push_str("</section>");
        return;
    }
    // Nearest first: most requirements met, then by id for a stable page.
    close.sort_by(|a, b| {
        (b.met, &a.certification_id, &a.student_id).cmp(&(
            a.met,
            &b.certification_id,
            &b.student_id,
        ))
    });
    h3(h, l.cert_close);
    open_table(
        h,
        &[l.col_certification, l.col_student, l.col_missing, l.col_met],
        3,
    );
    for r in close.iter().take(CLOSE_ROWS) {
        row(
            h,
            &[
                r.certification_id.clone(),
                r.student_id.clone(),
                r.missing.join("; "),
                format!("{} / {}", r.met, r.required),
            ],
            3,
        );
    }
    close_table(h);
    h.push_str("</section>");
}
