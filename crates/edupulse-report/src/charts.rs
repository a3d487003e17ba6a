//! Inline SVG charts: horizontal bars, columns, lines, weekday × hour heatmaps, sparklines and a
//! per-minute chart of messages and sentiment.
//! Every coordinate is finite (a missing or non-finite value is drawn as zero or left out), so the
//! browser never rejects an attribute.

use crate::html::esc;
use crate::lang::Lang;
use std::fmt::Write as _;

/// A finite value (non-finite becomes 0).
fn fin(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// Largest finite value of `values`, at least a tiny positive number.
fn max_of(values: impl Iterator<Item = f64>) -> f64 {
    values
        .map(fin)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE)
}

fn open_svg(w: f64, h: f64) -> String {
    format!(
        "<svg viewBox=\"0 0 {w:.0} {h:.0}\" width=\"100%\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    )
}

/// Light yellow (t = 0) to deep blue (t = 1), and the text colour that reads on it.
pub fn heat_colour(t: f64) -> (String, &'static str) {
    let t = fin(t).clamp(0.0, 1.0);
    let (r, g, b) = (
        (255.0 - 224.0 * t) as u8,
        (237.0 - 150.0 * t) as u8,
        (160.0 - 20.0 * t) as u8,
    );
    (
        format!("rgb({r},{g},{b})"),
        if t > 0.6 { "#fff" } else { "#1f2933" },
    )
}

/// Horizontal bars with their labels and values (`fmt` formats a value).
pub fn bar_chart(rows: &[(String, f64)], fmt: impl Fn(f64) -> String) -> String {
    let (w, label_w, bar_h, gap) = (720.0, 190.0, 18.0, 6.0);
    let max = max_of(rows.iter().map(|r| r.1));
    let height = rows.len() as f64 * (bar_h + gap) + gap;
    let mut s = open_svg(w, height);
    for (i, (label, v)) in rows.iter().enumerate() {
        let v = fin(*v);
        let y = gap + i as f64 * (bar_h + gap);
        let bw = (w - label_w - 100.0) * (v / max).max(0.0);
        let text = esc(&fmt(v));
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{l}</text><rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bar_h}\" rx=\"3\" fill=\"#3e7cb1\"><title>{l}: {text}</title></rect><text x=\"{:.1}\" y=\"{:.1}\">{text}</text>",
            label_w - 8.0,
            y + bar_h * 0.75,
            label_w + bw + 6.0,
            y + bar_h * 0.75,
            l = esc(label),
        );
    }
    s.push_str("</svg>");
    s
}

/// Vertical columns (a series by month or day): `label` under each, axis ticks in `lang`.
pub fn column_chart(rows: &[(String, f64)], lang: Lang) -> String {
    let (w, h, pad_l, pad_b, pad_t) = (720.0, 240.0, 64.0, 40.0, 16.0);
    let max = max_of(rows.iter().map(|r| r.1));
    let n = rows.len().max(1) as f64;
    let slot = (w - pad_l - 10.0) / n;
    let plot_h = h - pad_b - pad_t;
    // Label every column while they fit, else every k-th.
    let every = ((rows.len() as f64 * 38.0) / (w - pad_l)).ceil().max(1.0) as usize;
    let mut s = open_svg(w, h);
    for k in 0..=4 {
        let v = max * f64::from(k) / 4.0;
        let y = pad_t + plot_h * (1.0 - f64::from(k) / 4.0);
        let _ = write!(
            s,
            "<line x1=\"{pad_l}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e4e7eb\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - 10.0,
            pad_l - 6.0,
            y + 4.0,
            lang.num(v, if max < 10.0 { 1 } else { 0 })
        );
    }
    for (i, (label, v)) in rows.iter().enumerate() {
        let v = fin(*v);
        let bh = plot_h * (v / max).max(0.0);
        let x = pad_l + i as f64 * slot + slot * 0.15;
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" rx=\"2\" fill=\"#3e7cb1\"><title>{}: {}</title></rect>",
            pad_t + plot_h - bh,
            slot * 0.7,
            esc(label),
            lang.num(v, if v.fract() == 0.0 { 0 } else { 2 }),
        );
        if i % every == 0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + slot * 0.35,
                h - pad_b + 16.0,
                esc(label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

const COLOURS: [&str; 8] = [
    "#3e7cb1", "#e07a5f", "#81b29a", "#f2a541", "#6d597a", "#3d405b", "#c44536", "#2a9d8f",
];

/// Lines over an index axis (one per named series, values in [0, 1], drawn from 1 at x = 0),
/// with `x_label` under the axis and a legend on the right.
pub fn line_chart(series: &[(String, Vec<f64>)], x_label: &str) -> String {
    let (w, h, pad_l, pad_b, pad_t, pad_r) = (720.0, 260.0, 44.0, 28.0, 12.0, 110.0);
    let n = series.iter().map(|s| s.1.len()).max().unwrap_or(1).max(2) as f64;
    let plot_w = w - pad_l - pad_r;
    let plot_h = h - pad_b - pad_t;
    let mut s = open_svg(w, h);
    for k in 0..=4 {
        let y = pad_t + plot_h * (1.0 - f64::from(k) / 4.0);
        let _ = write!(
            s,
            "<line x1=\"{pad_l}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e4e7eb\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}%</text>",
            pad_l + plot_w,
            pad_l - 6.0,
            y + 4.0,
            k * 25
        );
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        pad_l + plot_w / 2.0,
        h - 6.0,
        esc(x_label)
    );
    for (i, (name, v)) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let pts: Vec<String> = std::iter::once(1.0)
            .chain(v.iter().copied().filter(|y| y.is_finite()))
            .enumerate()
            .map(|(j, y)| {
                format!(
                    "{:.1},{:.1}",
                    pad_l + plot_w * j as f64 / n,
                    pad_t + plot_h * (1.0 - y.clamp(0.0, 1.0))
                )
            })
            .collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.6\" points=\"{}\"><title>{}</title></polyline>",
            pts.join(" "),
            esc(name)
        );
        if i < 16 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" style=\"fill:{colour}\">{}</text>",
                w - pad_r + 8.0,
                pad_t + 14.0 * i as f64 + 10.0,
                esc(name)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// One cell of a weekday × hour heatmap: the value that colours it, its tooltip and its label.
pub struct HeatCell {
    /// The value that sets the colour.
    pub value: f64,
    /// Tooltip.
    pub title: String,
    /// Text in the cell.
    pub label: String,
}

/// A weekday × hour heatmap, light yellow (low) to deep blue (high); `cell(i, hour)` gives the
/// cell of row `i` (`rows[i]` is its label), `None` draws an empty grey cell.
pub fn weekday_hour_heatmap(
    rows: &[String],
    hours: &[u32],
    cell_h: f64,
    cell: impl Fn(usize, u32) -> Option<HeatCell>,
) -> String {
    let (cell_w, pad_l, pad_t) = (44.0, 48.0, 22.0);
    let grid: Vec<Vec<Option<HeatCell>>> = (0..rows.len())
        .map(|i| hours.iter().map(|&hr| cell(i, hr)).collect())
        .collect();
    let (lo, hi) = grid
        .iter()
        .flatten()
        .flatten()
        .map(|c| fin(c.value))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let span = (hi - lo).max(1e-9);
    let w = pad_l + cell_w * hours.len() as f64 + 4.0;
    let h = pad_t + cell_h * rows.len() as f64 + 4.0;
    let mut s = format!(
        "<svg viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{:.0}\" style=\"max-width:100%\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">",
        w.max(320.0)
    );
    for (j, hour) in hours.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"14\" text-anchor=\"middle\">{hour:02}h</text>",
            pad_l + cell_w * (j as f64 + 0.5)
        );
    }
    for (i, (label, cells)) in rows.iter().zip(&grid).enumerate() {
        let y = pad_t + cell_h * i as f64;
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            pad_l - 6.0,
            y + cell_h * 0.65,
            esc(label)
        );
        for (j, c) in cells.iter().enumerate() {
            let x = pad_l + cell_w * j as f64;
            let Some(c) = c else {
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#f0f2f5\"/>",
                    cell_w - 2.0,
                    cell_h - 2.0
                );
                continue;
            };
            let (fill, fg) = heat_colour((fin(c.value) - lo) / span);
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"><title>{}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" style=\"fill:{fg}\">{}</text>",
                cell_w - 2.0,
                cell_h - 2.0,
                esc(&c.title),
                x + cell_w * 0.5 - 1.0,
                y + cell_h * 0.62,
                esc(&c.label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// A small line of `values` (`w` × `h`), in `colour`, with extra marks appended by `marks`
/// (given the x of index `i` and the y of a value). Fewer than two finite points: empty.
pub fn sparkline(
    values: &[f64],
    w: f64,
    h: f64,
    colour: &str,
    marks: impl Fn(&dyn Fn(usize) -> f64, &dyn Fn(f64) -> f64) -> String,
) -> String {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.len() < 2 {
        return String::new();
    }
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let last = (values.len() - 1).max(1) as f64;
    let x = move |i: usize| 3.0 + (w - 6.0) * i as f64 / last;
    let y = move |v: f64| 3.0 + (h - 6.0) * (1.0 - (fin(v) - lo) / span).clamp(0.0, 1.0);
    let mut pts = String::new();
    for (i, v) in values.iter().enumerate() {
        if v.is_finite() {
            let _ = write!(pts, "{:.1},{:.1} ", x(i), y(*v));
        }
    }
    let mut s = format!(
        "<svg width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{}\"/>",
        pts.trim_end()
    );
    s.push_str(&marks(&x, &y));
    s.push_str("</svg>");
    s
}

/// One minute of [`minute_chart`].
pub struct MinutePoint {
    /// Minutes since the start (negative before it).
    pub minute: i64,
    /// Messages in the minute (the column).
    pub messages: f64,
    /// Mean sentiment of the minute in [−1, 1] (the line; `None` without messages).
    pub sentiment: Option<f64>,
    /// Tooltip of the minute.
    pub title: String,
}

/// Messages per minute as columns (left axis: whole counts, ticks in `lang`) and the mean
/// sentiment as a line with a dot per minute (right axis, −1 to +1, a dashed zero line), on an
/// x axis of minutes labelled `x_label` that spans `span` (first and last minute, widened to
/// the points). Minutes without a point are empty slots.
pub fn minute_chart(points: &[MinutePoint], span: (i64, i64), x_label: &str, lang: Lang) -> String {
    let (w, h, pad_l, pad_r, pad_t, pad_b) = (720.0, 260.0, 44.0, 40.0, 12.0, 40.0);
    let first = points.iter().map(|p| p.minute).fold(span.0, i64::min);
    let last = points.iter().map(|p| p.minute).fold(span.1, i64::max);
    let n = (last - first + 1).max(1) as f64;
    let plot_w = w - pad_l - pad_r;
    let plot_h = h - pad_t - pad_b;
    let slot = plot_w / n;
    // Counts: the top of the axis is a multiple of 4, so every tick is a whole number.
    let max = (max_of(points.iter().map(|p| p.messages)).ceil() / 4.0).ceil() * 4.0;
    let x_of = |m: i64| pad_l + slot * ((m - first) as f64 + 0.5);
    let y_sent = |v: f64| pad_t + plot_h * (1.0 - (fin(v).clamp(-1.0, 1.0) + 1.0) / 2.0);
    let mut s = open_svg(w, h);
    for k in 0..=4 {
        let y = pad_t + plot_h * (1.0 - f64::from(k) / 4.0);
        let _ = write!(
            s,
            "<line x1=\"{pad_l}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e4e7eb\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" style=\"fill:#e07a5f\">{}</text>",
            pad_l + plot_w,
            pad_l - 6.0,
            y + 4.0,
            lang.num(max * f64::from(k) / 4.0, 0),
            pad_l + plot_w + 4.0,
            y + 4.0,
            lang.num(-1.0 + f64::from(k) / 2.0, 1),
        );
    }
    let zero = y_sent(0.0);
    let _ = write!(
        s,
        "<line x1=\"{pad_l}\" x2=\"{:.1}\" y1=\"{zero:.1}\" y2=\"{zero:.1}\" stroke=\"#e07a5f\" stroke-dasharray=\"4 3\" stroke-opacity=\"0.6\"/>",
        pad_l + plot_w
    );
    // Label every k-th minute so the labels fit.
    let every = ((n * 30.0) / plot_w).ceil().max(1.0) as i64;
    let mut m = first;
    while m <= last {
        if (m - first) % every == 0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x_of(m),
                h - pad_b + 14.0,
                m
            );
        }
        m += 1;
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        pad_l + plot_w / 2.0,
        h - 6.0,
        esc(x_label)
    );
    for p in points {
        let v = fin(p.messages).max(0.0);
        let bh = plot_h * (v / max);
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"#3e7cb1\" fill-opacity=\"0.8\"><title>{}</title></rect>",
            x_of(p.minute) - slot * 0.4,
            pad_t + plot_h - bh,
            slot * 0.8,
            esc(&p.title)
        );
    }
    let line: Vec<(f64, f64, &str)> = points
        .iter()
        .filter_map(|p| {
            p.sentiment
                .filter(|v| v.is_finite())
                .map(|v| (x_of(p.minute), y_sent(v), p.title.as_str()))
        })
        .collect();
    if line.len() >= 2 {
        let pts: Vec<String> = line
            .iter()
            .map(|(x, y, _)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"#e07a5f\" stroke-width=\"1.6\" points=\"{}\"/>",
            pts.join(" ")
        );
    }
    for (x, y, title) in &line {
        let _ = write!(
            s,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"#e07a5f\"><title>{}</title></circle>",
            esc(title)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_never_write_non_finite_coordinates() {
        let rows = vec![("a".to_string(), f64::NAN), ("b".to_string(), 2.0)];
        for svg in [
            bar_chart(&rows, |v| format!("{v}")),
            column_chart(&rows, Lang::Es),
            line_chart(&[("c".to_string(), vec![0.5, f64::NAN])], "x"),
            sparkline(&[1.0, f64::NAN, 3.0], 100.0, 20.0, "#000", |_, _| {
                String::new()
            }),
            minute_chart(
                &[
                    MinutePoint {
                        minute: -2,
                        messages: f64::NAN,
                        sentiment: Some(f64::INFINITY),
                        title: "a".into(),
                    },
                    MinutePoint {
                        minute: 3,
                        messages: 4.0,
                        sentiment: Some(-0.5),
                        title: "b".into(),
                    },
                ],
                (0, 59),
                "min",
                Lang::Es,
            ),
        ] {
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
            assert!(svg.starts_with("<svg"), "{svg}");
        }
        assert!(sparkline(&[1.0], 100.0, 20.0, "#000", |_, _| String::new()).is_empty());
    }
}
