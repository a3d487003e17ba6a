//! Daily search interest (a 0–100 index, like Google Trends) of Spanish AI-education keywords.
//!
//! `volume = 100 · raw / max(raw)` rounded to an integer, with
//! `raw = base · (1 + yearly · cycle(day of year)) · (1 + weekly · week(weekday)) · growth(t) · noise`,
//! where `cycle` is the business year (January and late-September peaks, August dip), `week`
//! lowers weekends, `growth` is 1 for seasonal and flat keywords and a logistic rise
//! `1 + (g − 1) · σ((t − t_mid) / τ)` for rising ones, and `noise` is log-normal.

use super::catalog::{Pattern, KEYWORDS};
use super::dist::{entity_rng, normal, sigmoid, unif_in, Stream};
use super::{date_of, yearly_cycle, KeywordPattern, KeywordTruth, SimConfig};
use crate::model::{KeywordInterest, RelatedKind, RelatedQuery};
use chrono::{Datelike, Days, NaiveDate};

/// The region code of every simulated series.
pub(crate) const GEO: &str = "ES";

/// Weekly shape: weekdays above, weekends below, mean ≈ 0.
fn week_shape(weekday0: u32) -> f64 {
    match weekday0 {
        0 => 0.08,
        1 | 2 => 0.12,
        3 => 0.08,
        4 => -0.05,
        5 => -0.20,
        _ => -0.15,
    }
}

pub(crate) fn generate(cfg: &SimConfig) -> (Vec<KeywordInterest>, Vec<KeywordTruth>) {
    let days = cfg.days as usize;
    let mut rows = Vec::with_capacity(KEYWORDS.len() * days);
    let mut truth = Vec::with_capacity(KEYWORDS.len());
    for (k, (keyword, pattern)) in KEYWORDS.iter().enumerate() {
        let mut rng = entity_rng(cfg.seed, Stream::Keyword, k as u64);
        let base = unif_in(&mut rng, 20.0, 60.0);
        let noise_sd = unif_in(&mut rng, 0.05, 0.10);
        let (yearly, weekly) = match pattern {
            Pattern::Seasonal => (unif_in(&mut rng, 0.7, 1.0), unif_in(&mut rng, 0.8, 1.2)),
            Pattern::Rising => (unif_in(&mut rng, 0.05, 0.2), unif_in(&mut rng, 0.3, 0.6)),
            Pattern::Flat => (unif_in(&mut rng, 0.0, 0.08), unif_in(&mut rng, 0.2, 0.5)),
        };
        // Rising keywords: logistic rise with its midpoint in the middle half of the history.
        let (growth, mid, tau) = match pattern {
            Pattern::Rising => (
                unif_in(&mut rng, 2.0, 3.5),
                unif_in(&mut rng, 0.30, 0.70) * days as f64,
                unif_in(&mut rng, 6.0, 20.0),
            ),
            _ => (1.0, 0.0, 1.0),
        };
        let mut raw = Vec::with_capacity(days);
        for d in 0..days {
            let date = date_of(cfg.start, d as i64);
            let doy = f64::from(date.ordinal0());
            let wd = date.weekday().num_days_from_monday();
            let g = if growth > 1.0 {
                1.0 + (growth - 1.0) * sigmoid((d as f64 - mid) / tau)
            } else {
                1.0
            };
            let v = base
                * (1.0 + yearly * yearly_cycle(doy)).max(0.05)
                * (1.0 + weekly * week_shape(wd))
                * g
                * (noise_sd * normal(&mut rng)).exp();
            raw.push(v.max(0.0));
        }
        let max = raw.iter().copied().fold(0.0f64, f64::max);
        for (d, v) in raw.iter().enumerate() {
            let volume = if max > 0.0 {
                (100.0 * v / max).round()
            } else {
                0.0
            };
            rows.push(KeywordInterest {
                keyword: (*keyword).to_string(),
                date: date_of(cfg.start, d as i64),
                volume,
                geo: Some(GEO.to_string()),
            });
        }
        let offset = |x: f64| -> Option<NaiveDate> {
            let x = x.round();
            if x >= 0.0 {
                cfg.start.checked_add_days(Days::new(x as u64))
            } else {
                cfg.start.checked_sub_days(Days::new((-x) as u64))
            }
        };
        let rising = *pattern == Pattern::Rising;
        truth.push(KeywordTruth {
            keyword: (*keyword).to_string(),
            geo: GEO.to_string(),
            pattern: match pattern {
                Pattern::Rising => KeywordPattern::Rising,
                Pattern::Seasonal => KeywordPattern::Seasonal,
                Pattern::Flat => KeywordPattern::Flat,
            },
            // The rise "starts" where the logistic reaches 10 % of its growth.
            rise_start: if rising {
                offset(mid - tau * 9f64.ln())
            } else {
                None
            },
            rise_midpoint: if rising { offset(mid) } else { None },
            rise_days: if rising { 2.0 * tau * 9f64.ln() } else { 0.0 },
            growth,
            yearly_amplitude: yearly,
            weekly_amplitude: weekly,
            noise_sd,
            breakout_query: None,
            breakout_date: None,
        });
    }
    (rows, truth)
}

/// Suffixes of the related queries of a keyword.
const RELATED_SUFFIXES: &[&str] = &[
    "gratis",
    "online",
    "precio",
    "certificado",
    "para empresas",
    "en español",
];

/// Novel queries that break out with a rising keyword.
const BREAKOUT_SUFFIXES: &[&str] = &[
    "con agentes",
    "con n8n",
    "para pymes",
    "con copilot",
    "práctico",
];

/// Weekly related-queries reports (every 7th day from the start) of every keyword; fills in the
/// breakout query and date of the rising keywords' truth.
pub(crate) fn related(cfg: &SimConfig, truth: &mut [KeywordTruth]) -> Vec<RelatedQuery> {
    let days = i64::from(cfg.days);
    let mut rows = Vec::new();
    for (k, t) in truth.iter_mut().enumerate() {
        let mut rng = entity_rng(cfg.seed, Stream::Related, k as u64);
        // Four distinct related queries with their popularity and typical growth.
        let mut idx: Vec<usize> = (0..RELATED_SUFFIXES.len()).collect();
        for i in 0..4 {
            let j = i
                + (unif_in(&mut rng, 0.0, (idx.len() - i) as f64) as usize).min(idx.len() - i - 1);
            idx.swap(i, j);
        }
        let queries: Vec<(String, f64, f64)> = idx[..4]
            .iter()
            .map(|&i| {
                (
                    format!("{} {}", t.keyword.to_lowercase(), RELATED_SUFFIXES[i]),
                    unif_in(&mut rng, 0.2, 1.0),
                    unif_in(&mut rng, 10.0, 60.0),
                )
            })
            .collect();
        let breakout = match (t.pattern, t.rise_midpoint) {
            (KeywordPattern::Rising, Some(mid)) if mid >= cfg.start && mid < cfg.end_date() => {
                let b = (unif_in(&mut rng, 0.0, BREAKOUT_SUFFIXES.len() as f64) as usize)
                    .min(BREAKOUT_SUFFIXES.len() - 1);
                let q = format!("{} {}", t.keyword.to_lowercase(), BREAKOUT_SUFFIXES[b]);
                Some((q, (mid - cfg.start).num_days()))
            }
            _ => None,
        };
        let mut first_report = None;
        let mut d = 6;
        while d < days {
            let date = date_of(cfg.start, d);
            let max_pop = queries.iter().map(|q| q.1).fold(0.0f64, f64::max);
            for (q, pop, growth) in &queries {
                let top = (100.0 * pop / max_pop * (0.05 * normal(&mut rng)).exp()).round();
                rows.push(RelatedQuery {
                    keyword: t.keyword.clone(),
                    related: q.clone(),
                    value: Some(top.clamp(0.0, 100.0)),
                    date,
                    kind: Some(RelatedKind::Top),
                });
                let g = (growth * (0.6 * normal(&mut rng)).exp()).round();
                rows.push(RelatedQuery {
                    keyword: t.keyword.clone(),
                    related: q.clone(),
                    value: Some(g),
                    date,
                    kind: Some(RelatedKind::Rising),
                });
            }
            if let Some((q, mid)) = &breakout {
                // Absent before the rise's midpoint; a breakout in its first three reports (the
                // first without a figure, as Google shows it), then a fading rise.
                let age = (d - mid).div_euclid(7);
                if d >= *mid {
                    let value = match age {
                        0 => None,
                        1 | 2 => Some((unif_in(&mut rng, 5200.0, 20000.0)).round()),
                        _ => Some((400.0 * 0.7f64.powi((age - 3) as i32)).round().max(5.0)),
                    };
                    if age == 0 {
                        first_report = Some(date);
                    }
                    rows.push(RelatedQuery {
                        keyword: t.keyword.clone(),
                        related: q.clone(),
                        value,
                        date,
                        kind: Some(RelatedKind::Rising),
                    });
                }
            }
            d += 7;
        }
        if let (Some((q, _)), Some(date)) = (breakout, first_report) {
            t.breakout_query = Some(q);
            t.breakout_date = Some(date);
        }
    }
    rows
}
