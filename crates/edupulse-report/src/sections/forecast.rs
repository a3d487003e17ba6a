//! Revenue forecast: the last 90 days of daily revenue, the forecast of the next 30 days and its
//! 80 % and 95 % intervals in one chart, and the month's outlook in words.

use crate::html::{esc, open_section, para, small};
use crate::lang::{fill, Lang};
use crate::read::ForecastSection;
use std::fmt::Write as _;

/// The chart: history (grey line), forecast mean (blue line), 80 % and 95 % bands (shaded).
pub fn forecast_chart(s: &ForecastSection, lang: Lang) -> String {
    let l = lang.labels();
    let (w, h, pad_l, pad_b, pad_t, pad_r) = (720.0, 260.0, 56.0, 28.0, 12.0, 120.0);
    let n_hist = s.history.len();
    let n = (n_hist + s.forecast.len()).max(2) as f64;
    let fin = |x: f64| if x.is_finite() { x } else { 0.0 };
    let top = s
        .history
        .iter()
        .map(|d| fin(d.1))
        .chain(s.forecast.iter().map(|r| fin(r.hi_95)))
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let (plot_w, plot_h) = (w - pad_l - pad_r, h - pad_b - pad_t);
    let x = |i: usize| pad_l + plot_w * i as f64 / (n - 1.0);
    let y = |v: f64| pad_t + plot_h * (1.0 - (fin(v) / top).clamp(0.0, 1.0));
    let mut o = format!(
        "<svg viewBox=\"0 0 {w:.0} {h:.0}\" width=\"100%\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for k in 0..=4 {
        let v = top * f64::from(k) / 4.0;
        let _ = write!(
            o,
            "<line x1=\"{pad_l}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e4e7eb\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            pad_l + plot_w,
            pad_l - 6.0,
            y(v) + 4.0,
            esc(&lang.num(v, 0)),
            y = y(v),
        );
    }
    let band = |lo: &dyn Fn(usize) -> f64, hi: &dyn Fn(usize) -> f64| -> String {
        let m = s.forecast.len();
        let up = (0..m).map(|i| format!("{:.1},{:.1}", x(n_hist + i), y(hi(i))));
        let down = (0..m)
            .rev()
            .map(|i| format!("{:.1},{:.1}", x(n_hist + i), y(lo(i))));
        up.chain(down).collect::<Vec<_>>().join(" ")
    };
    if !s.forecast.is_empty() {
        let _ = write!(
            o,
            "<polygon fill=\"#3e7cb1\" fill-opacity=\"0.15\" points=\"{}\"><title>{}</title></polygon>",
            band(&|i| s.forecast[i].lo_95, &|i| s.forecast[i].hi_95),
            esc(l.forecast_band_95)
        );
        let _ = write!(
            o,
            "<polygon fill=\"#3e7cb1\" fill-opacity=\"0.3\" points=\"{}\"><title>{}</title></polygon>",
            band(&|i| s.forecast[i].lo_80, &|i| s.forecast[i].hi_80),
            esc(l.forecast_band_80)
        );
    }
    let line = |pts: Vec<String>, colour: &str, name: &str| {
        format!(
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.6\" points=\"{}\"><title>{}</title></polyline>",
            pts.join(" "),
            esc(name)
        )
    };
    let hist: Vec<String> = s
        .history
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{:.1},{:.1}", x(i), y(d.1)))
        .collect();
    o.push_str(&line(hist, "#7b8794", l.forecast_history));
    let mean: Vec<String> = s
        .forecast
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{:.1},{:.1}", x(n_hist + i), y(r.mean)))
        .collect();
    o.push_str(&line(mean, "#1f3a5f", l.forecast_mean));
    for (i, (name, colour)) in [
        (l.forecast_history, "#7b8794"),
        (l.forecast_mean, "#1f3a5f"),
        (l.forecast_band_80, "#3e7cb1"),
        (l.forecast_band_95, "#9bbbd8"),
    ]
    .iter()
    .enumerate()
    {
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" style=\"fill:{colour}\">{}</text>",
            w - pad_r + 8.0,
            pad_t + 14.0 * i as f64 + 10.0,
            esc(name)
        );
    }
    if let (Some(a), Some(b)) = (s.history.first(), s.forecast.last()) {
        for (i, text) in [(0, lang.date(a.0)), (n as usize - 1, lang.date(b.date))] {
            let anchor = if i == 0 { "start" } else { "end" };
            let _ = write!(
                o,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
                x(i),
                h - 6.0,
                esc(&text)
            );
        }
    }
    o.push_str("</svg>");
    o
}

/// Append the revenue forecast section (none when the run has no forecast).
pub fn render(h: &mut String, s: &ForecastSection, lang: Lang) {
    let l = lang.labels();
    let (Some(first), Some(last)) = (s.forecast.first(), s.forecast.last()) else {
        return;
    };
    open_section(h, "forecast", l.forecast_title);
    let total: f64 = s.forecast.iter().map(|r| r.mean).sum();
    para(
        h,
        &fill(
            l.forecast_explain,
            &[
                &lang.date(first.date),
                &lang.date(last.date),
                &lang.num(total, 0),
                &first.model,
            ],
        ),
    );
    h.push_str(&forecast_chart(s, lang));
    small(h, l.forecast_note);
    h.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use edupulse_core::forecast::RevenueForecastRow;

    #[test]
    fn chart_draws_history_mean_and_both_bands_in_both_languages() {
        let d0 = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let s = ForecastSection {
            history: (0..10)
                .map(|k| (d0 + chrono::Duration::days(k), 100.0 + k as f64))
                .collect(),
            forecast: (0..5)
                .map(|k| RevenueForecastRow {
                    date: d0 + chrono::Duration::days(10 + k),
                    horizon: k as u32 + 1,
                    mean: 110.0,
                    lo_80: 90.0,
                    hi_80: 130.0,
                    lo_95: 80.0,
                    hi_95: f64::NAN,
                    model: "ets".into(),
                })
                .collect(),
        };
        for lang in Lang::ALL {
            let mut h = String::new();
            render(&mut h, &s, lang);
            assert_eq!(h.matches("<polygon").count(), 2);
            assert_eq!(h.matches("<polyline").count(), 2);
            assert!(!h.contains("NaN") && !h.contains("inf"));
            assert!(h.contains(lang.labels().forecast_title));
        }
        let mut h = String::new();
        render(&mut h, &ForecastSection::default(), Lang::Es);
        assert!(h.is_empty());
    }
}
