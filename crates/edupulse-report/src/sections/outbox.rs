//! The outbox (the most recent notifications and their delivery) and the store's table sizes.

use crate::html::{close_table, empty, esc, open_section, open_table, para, row};
use crate::lang::{fill, Lang};
use crate::read::OutboxSection;
use std::fmt::Write as _;

/// Notifications listed.
const RECENT: usize = 50;

/// Append the notifications and store sections.
pub fn render(h: &mut String, s: &OutboxSection, lang: Lang) {
    let l = lang.labels();
    let n = s.notifications.len();
    open_section(h, "outbox", &fill(l.outbox_title, &[&lang.int(n as u64)]));
    if n == 0 {
        empty(h, l.outbox_empty);
    } else {
        if n > RECENT {
            para(h, l.outbox_note);
        }
        open_table(
            h,
            &[
                l.col_created,
                l.col_severity,
                l.col_title,
                l.col_status,
                l.col_delivered_to,
            ],
            5,
        );
        for item in s.notifications.iter().rev().take(RECENT) {
            let note = &item.notification;
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"sev-{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                lang.date(note.created_at.date_naive()),
                note.severity.as_str(),
                esc(lang.severity(note.severity)),
                esc(&note.title),
                esc(lang.status(item.status)),
                esc(&item.delivered_to.join(", ")),
            );
        }
        close_table(h);
    }
    h.push_str("</section>");

    open_section(h, "store", l.store_title);
    open_table(h, &[l.col_table, l.col_rows], 1);
    for (table, rows) in &s.counts {
        row(h, &[table.clone(), lang.int(*rows)], 1);
    }
    close_table(h);
    h.push_str("</section>");
}
