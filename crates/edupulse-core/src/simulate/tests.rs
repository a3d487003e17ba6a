use super::*;
use crate::model::{ActivityKind, LeadEventKind};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// One medium-sized run shared by the signal tests (seed 11, or `EDUPULSE_SIM_TEST_SEED` to
/// check that the signals do not depend on the seed).
fn run() -> &'static (Tables, GroundTruth) {
    static RUN: OnceLock<(Tables, GroundTruth)> = OnceLock::new();
    RUN.get_or_init(|| {
        let seed = std::env::var("EDUPULSE_SIM_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(11);
        let cfg = SimConfig {
            students: 3000,
            seed,
            ..SimConfig::default()
        };
        simulate_with_truth(&cfg).expect("simulation")
    })
}

fn secs(t: &DateTime<Utc>) -> i64 {
    t.timestamp()
}

#[test]
fn same_config_gives_identical_tables_and_truth() {
    let cfg = SimConfig {
        students: 300,
        seed: 5,
        ..SimConfig::default()
    };
    let (a, ta) = simulate_with_truth(&cfg).unwrap();
    let (b, tb) = simulate_with_truth(&cfg).unwrap();
    assert_eq!(a, b);
    assert_eq!(ta, tb);
    let c = simulate(&SimConfig { seed: 6, ..cfg }).unwrap();
    assert_ne!(a.activity, c.activity);
    assert_ne!(a.keyword_interest, c.keyword_interest);
}

#[test]
fn entities_are_prefix_stable() {
    // 2,100 students are generated in parallel chunks, 100 in one: the result must not care.
    let small = simulate(&SimConfig {
        students: 100,
        seed: 3,
        ..SimConfig::default()
    })
    .unwrap();
    let large = simulate(&SimConfig {
        students: 2100,
        seed: 3,
        ..SimConfig::default()
    })
    .unwrap();
    assert_eq!(small.students[..], large.students[..100]);
    assert_eq!(small.leads[..], large.leads[..100]);
    let first = |id: &str| id <= "s000100";
    let la: Vec<_> = large
        .activity
        .iter()
        .filter(|a| first(&a.student_id))
        .cloned()
        .collect();
    assert_eq!(small.activity, la);
    let lr: Vec<_> = large
        .reviews
        .iter()
        .filter(|r| first(&r.student_id))
        .cloned()
        .collect();
    assert_eq!(small.reviews, lr);
    assert_eq!(small.webinars, large.webinars);
    assert_eq!(small.keyword_interest, large.keyword_interest);
}

#[test]
fn every_row_validates_and_no_row_is_dropped() {
    let cfg = SimConfig {
        students: 800,
        seed: 9,
        ..SimConfig::default()
    };
    let (raw, _) = generate(&cfg).unwrap();
    let before = raw.counts();
    let mut validated = raw.clone();
    validated.validate().unwrap();
    assert_eq!(before, validated.counts());
    // Every table is filled, the optional risk-model inputs (student attributes, the
    // assessment schedule; issue 16) included.
    for (table, n) in &before {
        assert!(*n > 0, "table {table} is empty");
    }
    // simulate() returns exactly the validated, sorted batch.
    let out = simulate(&cfg).unwrap();
    assert_eq!(out, validated);
    // Validating again is a no-op.
    let mut again = out.clone();
    again.validate().unwrap();
    assert_eq!(again, out);
}

#[test]
fn rows_respect_the_data_contract() {
    let (t, truth) = run();
    let start = ts_of_date(truth.config.start);
    let end = ts_of_date(truth.end_date);
    let within = |x: i64| (start..end).contains(&x);
    assert_eq!(t.students.len(), 3000);
    assert_eq!(t.leads.len(), 3000);
    assert!(t.keyword_interest.len() >= 12 * 365);
    let keywords: std::collections::BTreeSet<_> =
        t.keyword_interest.iter().map(|k| &k.keyword).collect();
    assert!(keywords.len() >= 12);
    for k in [
        "curso IA",
        "webinar IA",
        "certificación IA",
        "aprender inteligencia artificial",
        "formación IA",
    ] {
        assert!(keywords.contains(&k.to_string()), "{k}");
    }
    for k in &t.keyword_interest {
        assert!((0.0..=100.0).contains(&k.volume), "{k:?}");
    }
    for s in &t.students {
        assert!(
            s.student_id.starts_with('s') && s.student_id.len() == 7,
            "{}",
            s.student_id
        );
        assert_eq!(s.email, format!("{}@example.com", s.student_id));
        assert_eq!(s.name.split(' ').count(), 3);
        assert!(within(secs(&s.enrolled_at)));
    }
    for w in &t.webinars {
        assert!(w.webinar_id.starts_with('w') && w.webinar_id.len() == 5);
        assert!(within(secs(&w.starts_at)));
    }
    let starts: HashMap<&str, i64> = t
        .webinars
        .iter()
        .map(|w| (w.webinar_id.as_str(), secs(&w.starts_at)))
        .collect();
    for r in &t.registrations {
        if !r.attended {
            assert_eq!(r.minutes_watched, Some(0.0));
            assert_eq!(r.questions, Some(0));
        } else {
            assert!(r.minutes_watched.is_some_and(|m| m > 0.0));
        }
        assert!(secs(&r.registered_at) < starts[r.webinar_id.as_str()]);
    }
    // Students: nothing after they stop, nothing before they enrol.
    let enrolled: HashMap<&str, i64> = t
        .students
        .iter()
        .map(|s| (s.student_id.as_str(), secs(&s.enrolled_at)))
        .collect();
    let stop = |id: &str| {
        truth
            .student(id)
            .and_then(|s| s.churned_at.as_ref())
            .map_or(end, secs)
    };
    for a in &t.activity {
        let at = secs(&a.at);
        assert!(
            at >= enrolled[a.student_id.as_str()] && at < stop(&a.student_id),
            "{a:?}"
        );
    }
    for r in &t.reviews {
        let at = secs(&r.at);
        assert!((1..=4).contains(&r.rating));
        assert!(r.card_id.starts_with('c') && r.card_id.len() == 5);
        assert!(at >= start && at < stop(&r.student_id), "{r:?}");
    }
    for p in &t.purchases {
        assert_eq!(p.currency.as_deref(), Some("EUR"));
        assert!([49.0, 99.0, 199.0, 499.0].contains(&p.amount), "{p:?}");
        assert!(within(secs(&p.at)));
        if p.customer_id.starts_with('s') {
            assert!(secs(&p.at) < stop(&p.customer_id));
        }
    }
    // Every student bought their course when they enrolled.
    let first_buy: HashMap<&str, i64> = t
        .purchases
        .iter()
        .filter(|p| p.customer_id.starts_with('s'))
        .fold(HashMap::new(), |mut m, p| {
            let e = m.entry(p.customer_id.as_str()).or_insert(i64::MAX);
            *e = (*e).min(secs(&p.at));
            m
        });
    for s in &t.students {
        assert_eq!(
            first_buy.get(s.student_id.as_str()),
            Some(&secs(&s.enrolled_at))
        );
    }
    // Leads: no event before creation; registrations match webinar_registered events.
    let created: HashMap<&str, i64> = t
        .leads
        .iter()
        .map(|l| (l.lead_id.as_str(), secs(&l.created_at)))
        .collect();
    let sources: std::collections::BTreeSet<&str> =
        t.leads.iter().map(|l| l.source.as_str()).collect();
    assert_eq!(sources.len(), SOURCES.len());
    let mut registered_events: HashMap<&str, Vec<i64>> = HashMap::new();
    for e in &t.lead_events {
        let at = secs(&e.at);
        assert!(at >= created[e.lead_id.as_str()] && at < end, "{e:?}");
        if e.kind == LeadEventKind::WebinarRegistered {
            registered_events
                .entry(e.lead_id.as_str())
                .or_default()
                .push(at);
        }
    }
    let mut registered_rows: HashMap<&str, Vec<i64>> = HashMap::new();
    for r in t
        .registrations
        .iter()
        .filter(|r| r.person_id.starts_with('l'))
    {
        assert!(secs(&r.registered_at) >= created[r.person_id.as_str()]);
        registered_rows
            .entry(r.person_id.as_str())
            .or_default()
            .push(secs(&r.registered_at));
    }
    for v in registered_events
        .values_mut()
        .chain(registered_rows.values_mut())
    {
        v.sort_unstable();
    }
    assert_eq!(registered_events, registered_rows);
    // Converted leads have exactly one purchase event and one purchase row.
    for l in &truth.leads {
        let n = t
            .lead_events
            .iter()
            .filter(|e| e.lead_id == l.lead_id && e.kind == LeadEventKind::Purchase)
            .count();
        assert_eq!(n, usize::from(l.converted), "{}", l.lead_id);
    }
    let lead_buyers = t
        .purchases
        .iter()
        .filter(|p| p.customer_id.starts_with('l'))
        .count();
    assert_eq!(
        lead_buyers,
        truth.leads.iter().filter(|l| l.converted).count()
    );
}

#[test]
fn churned_students_fade_before_they_stop() {
    let (t, truth) = run();
    let end = ts_of_date(truth.end_date);
    let mut by_student: HashMap<&str, Vec<i64>> = HashMap::new();
    for a in t
        .activity
        .iter()
        .filter(|a| a.kind != ActivityKind::WebinarAttended)
    {
        by_student
            .entry(a.student_id.as_str())
            .or_default()
            .push(secs(&a.at));
    }
    let window = 28 * DAY;
    let count = |id: &str, from: i64, to: i64| {
        by_student
            .get(id)
            .map_or(0, |v| v.iter().filter(|&&x| x >= from && x < to).count()) as f64
    };
    let (mut cf, mut cl, mut nc) = (0.0, 0.0, 0usize);
    let (mut sf, mut sl, mut ns) = (0.0, 0.0, 0usize);
    for (s, st) in t.students.iter().zip(&truth.students) {
        let e = secs(&s.enrolled_at);
        match st.churned_at.as_ref().map(secs) {
            Some(c) if c - e >= 12 * 7 * DAY => {
                cf += count(&s.student_id, e, e + window);
                cl += count(&s.student_id, c - window, c);
                nc += 1;
            }
            None if end - e >= 12 * 7 * DAY => {
                sf += count(&s.student_id, e, e + window);
                sl += count(&s.student_id, end - window, end);
                ns += 1;
            }
            _ => {}
        }
    }
    assert!(nc > 200 && ns > 200, "{nc} churned, {ns} staying");
    let churn_ratio = cl / cf;
    let stay_ratio = sl / sf;
    eprintln!(
        "last/first 4 weeks: churned {churn_ratio:.3} ({nc}), staying {stay_ratio:.3} ({ns})"
    );
    assert!(churn_ratio < 0.4, "{churn_ratio}");
    assert!(
        churn_ratio < 0.5 * stay_ratio,
        "{churn_ratio} vs {stay_ratio}"
    );
    let share =
        truth.students.iter().filter(|s| s.churned).count() as f64 / truth.students.len() as f64;
    assert!((0.2..0.6).contains(&share), "churn share {share}");
}

fn monthly_means(t: &Tables, keyword: &str) -> Vec<f64> {
    let v: Vec<f64> = t
        .keyword_interest
        .iter()
        .filter(|k| k.keyword == keyword)
        .map(|k| k.volume)
        .collect();
    v.chunks(30)
        .map(|c| c.iter().sum::<f64>() / c.len() as f64)
        .collect()
}

#[test]
fn rising_keywords_rise_and_seasonal_ones_do_not_trend() {
    let (t, truth) = run();
    for k in &truth.keywords {
        let m = monthly_means(t, &k.keyword);
        let (first, last) = (m[0], m[m.len() - 2]);
        match k.pattern {
            KeywordPattern::Rising => {
                assert!(last > 1.5 * first, "{}: {first} → {last}", k.keyword);
                let rs = k.rise_start.unwrap();
                assert!(rs < k.rise_midpoint.unwrap() && k.rise_midpoint.unwrap() < truth.end_date);
            }
            _ => assert!(k.rise_start.is_none()),
        }
    }
    // Over two years, seasonal and flat series repeat themselves, rising ones do not.
    let cfg = SimConfig {
        students: 0,
        leads: Some(0),
        days: 730,
        seed: 4,
        ..SimConfig::default()
    };
    let (t2, truth2) = simulate_with_truth(&cfg).unwrap();
    for k in &truth2.keywords {
        let v: Vec<f64> = t2
            .keyword_interest
            .iter()
            .filter(|r| r.keyword == k.keyword)
            .map(|r| r.volume)
            .collect();
        let y1 = v[..365].iter().sum::<f64>();
        let y2 = v[365..].iter().sum::<f64>();
        let ratio = y2 / y1;
        match k.pattern {
            KeywordPattern::Rising => assert!(ratio > 1.3, "{} {ratio}", k.keyword),
            _ => assert!((0.93..1.07).contains(&ratio), "{} {ratio}", k.keyword),
        }
        if k.pattern == KeywordPattern::Seasonal {
            // Late September well above August.
            let sep: f64 = v[260..280].iter().sum::<f64>() / 20.0;
            let aug: f64 = v[213..233].iter().sum::<f64>() / 20.0;
            assert!(sep > 1.4 * aug, "{} sep {sep} aug {aug}", k.keyword);
        }
    }
}

#[test]
fn attendance_follows_the_known_function() {
    let (t, truth) = run();
    let plan: HashMap<&str, (Weekday, u32, &str)> = truth
        .webinars
        .iter()
        .map(|w| (w.webinar_id.as_str(), (w.weekday, w.hour, w.topic.as_str())))
        .collect();
    let (mut best, mut best_n, mut worst, mut worst_n) = (0.0, 0.0, 0.0, 0.0);
    let (mut observed, mut expected, mut var) = (0.0, 0.0, 0.0);
    for r in &t.registrations {
        let (day, hour, topic) = plan[r.webinar_id.as_str()];
        let p = expected_attendance_rate(&r.industry, &r.role, &r.company_size, day, hour, topic);
        observed += f64::from(u8::from(r.attended));
        expected += p;
        var += p * (1.0 - p);
        let a = f64::from(u8::from(r.attended));
        if matches!(day, Weekday::Tue | Weekday::Wed | Weekday::Thu)
            && [10, 11, 18, 19].contains(&hour)
        {
            best += a;
            best_n += 1.0;
        }
        if (day == Weekday::Mon && hour < 10) || (day == Weekday::Fri && hour >= 13) {
            worst += a;
            worst_n += 1.0;
        }
    }
    let (best, worst) = (best / best_n, worst / worst_n);
    eprintln!("attendance best slots {best:.3} (n={best_n}), worst {worst:.3} (n={worst_n})");
    assert!(best_n > 100.0 && worst_n > 100.0);
    assert!(best > worst + 0.15, "best {best} worst {worst}");
    assert!(
        (observed - expected).abs() < 4.0 * var.sqrt(),
        "{observed} vs {expected}"
    );
    let sum_expected: f64 = truth.webinars.iter().map(|w| w.expected_attendees).sum();
    assert!((sum_expected - expected).abs() < 1e-6 * expected);
    // The function itself: segments differ in their best slot.
    let (_, h_teacher, _) = best_slot("educación", "docente", "11-50", "ia_generativa");
    let (_, h_director, _) = best_slot("finanzas", "director", "1000+", "ia_generativa");
    assert!(
        h_teacher >= 17 && h_director <= 12,
        "{h_teacher} {h_director}"
    );
    let top = &truth.attendance.slot_rates[0];
    assert!(matches!(
        top.weekday,
        Weekday::Tue | Weekday::Wed | Weekday::Thu
    ));
    for slot in &truth.attendance.slot_rates {
        assert!((0.02..=0.95).contains(&slot.rate));
    }
}

#[test]
fn lead_events_drive_conversion() {
    let (t, truth) = run();
    let mut high: HashMap<&str, f64> = HashMap::new();
    for e in &t.lead_events {
        if matches!(
            e.kind,
            LeadEventKind::PricingView
                | LeadEventKind::DemoRequest
                | LeadEventKind::WebinarAttended
                | LeadEventKind::QuestionAsked
        ) {
            *high.entry(e.lead_id.as_str()).or_default() += 1.0;
        }
    }
    let (mut conv, mut nconv, mut other, mut nother) = (0.0, 0.0, 0.0, 0.0);
    for l in &truth.leads {
        let h = high.get(l.lead_id.as_str()).copied().unwrap_or(0.0);
        if l.converted {
            conv += h;
            nconv += 1.0;
        } else {
            other += h;
            nother += 1.0;
        }
    }
    let rate = nconv / (nconv + nother);
    eprintln!(
        "lead conversion {rate:.3}; high-intent events converted {:.2} vs {:.2}",
        conv / nconv,
        other / nother
    );
    assert!((0.03..0.25).contains(&rate), "conversion rate {rate}");
    assert!(conv / nconv > 2.0 * other / nother);
    // Outcomes follow the propensity: top fifth converts far more than the bottom fifth.
    let mut by_p: Vec<&LeadTruth> = truth.leads.iter().collect();
    by_p.sort_by(|a, b| a.conversion_propensity.total_cmp(&b.conversion_propensity));
    let fifth = by_p.len() / 5;
    let conv_rate =
        |s: &[&LeadTruth]| s.iter().filter(|l| l.converted).count() as f64 / s.len() as f64;
    let (lo, hi) = (
        conv_rate(&by_p[..fifth]),
        conv_rate(&by_p[by_p.len() - fifth..]),
    );
    assert!(hi > 4.0 * lo.max(0.005), "{lo} {hi}");
}

#[test]
fn reviews_follow_the_memory_model() {
    let (t, truth) = run();
    let difficulty: HashMap<&str, f64> = truth
        .cards
        .iter()
        .map(|c| (c.card_id.as_str(), c.difficulty))
        .collect();
    let m = &truth.memory;
    // Replay every (student, card) history through the model and compare predicted recall with
    // the observed ratings, in bins of predicted retrievability.
    let mut bins: BTreeMap<usize, (f64, f64, f64)> = BTreeMap::new();
    let mut growth = (0.0, 0.0);
    let mut i = 0;
    let rs = &t.reviews;
    while i < rs.len() {
        let mut j = i;
        while j < rs.len() && rs[j].student_id == rs[i].student_id && rs[j].card_id == rs[i].card_id
        {
            j += 1;
        }
        let f = truth.student(&rs[i].student_id).unwrap().memory_factor;
        let d = difficulty[rs[i].card_id.as_str()];
        let mut s = m.first_stability(rs[i].rating, f);
        let mut last = secs(&rs[i].at);
        let mut prev_interval: Option<f64> = None;
        for r in &rs[i + 1..j] {
            let elapsed = (secs(&r.at) - last) as f64 / DAY as f64;
            let p = m.retrievability(elapsed, s);
            let e = bins.entry((p * 10.0).floor() as usize).or_default();
            e.0 += p;
            e.1 += f64::from(u8::from(r.rating > 1));
            e.2 += 1.0;
            if r.rating > 1 {
                if let Some(pi) = prev_interval {
                    growth.0 += f64::from(u8::from(elapsed > pi));
                    growth.1 += 1.0;
                }
                prev_interval = Some(elapsed);
            } else {
                prev_interval = None;
            }
            s = m.next_stability(s, d, p, r.rating, f);
            last = secs(&r.at);
        }
        i = j;
    }
    let mut total = 0.0;
    for (bin, (p, ok, n)) in &bins {
        total += n;
        if *n >= 200.0 {
            let (p, ok) = (p / n, ok / n);
            eprintln!("R bin {bin}: predicted {p:.3}, observed {ok:.3} (n={n})");
            assert!(
                (p - ok).abs() < 4.0 * (p * (1.0 - p) / n).sqrt() + 0.01,
                "bin {bin}: {p} vs {ok}"
            );
        }
    }
    assert!(total > 5000.0, "{total} repeat reviews");
    assert!(
        growth.0 / growth.1 > 0.8,
        "intervals grew after {} of {} successes",
        growth.0,
        growth.1
    );
    let reviewers = truth.students.iter().filter(|s| s.reviewer).count();
    assert!(reviewers > 0);
}

#[test]
fn repeat_purchases_follow_the_buying_rate() {
    let (t, truth) = run();
    let mut n: HashMap<&str, usize> = HashMap::new();
    for p in t
        .purchases
        .iter()
        .filter(|p| p.customer_id.starts_with('s'))
    {
        *n.entry(p.customer_id.as_str()).or_default() += 1;
    }
    let mut by_rate: Vec<&StudentTruth> = truth.students.iter().collect();
    by_rate.sort_by(|a, b| a.purchase_rate_per_day.total_cmp(&b.purchase_rate_per_day));
    let q = by_rate.len() / 4;
    let mean = |s: &[&StudentTruth]| {
        s.iter()
            .map(|x| n[x.student_id.as_str()] as f64)
            .sum::<f64>()
            / s.len() as f64
    };
    let (lo, hi) = (mean(&by_rate[..q]), mean(&by_rate[by_rate.len() - q..]));
    assert!(hi > lo + 0.5, "{lo} {hi}");
    assert!(
        truth.students.iter().any(|s| !s.purchase_alive)
            && truth.students.iter().any(|s| s.purchase_alive)
    );
}

#[test]
fn config_is_validated_and_deserialises_with_defaults() {
    for bad in [
        SimConfig {
            days: 0,
            ..SimConfig::default()
        },
        SimConfig {
            reviewers_fraction: 1.5,
            ..SimConfig::default()
        },
        SimConfig {
            cards_per_student: 500,
            deck_size: 100,
            ..SimConfig::default()
        },
        SimConfig {
            students: MAX_ENTITIES + 1,
            ..SimConfig::default()
        },
        SimConfig {
            deck_size: 0,
            cards_per_student: 0,
            ..SimConfig::default()
        },
    ] {
        assert!(
            matches!(simulate(&bad), Err(CoreError::InvalidParameter { .. })),
            "{bad:?}"
        );
    }
    let cfg: SimConfig = serde_json::from_str(r#"{"students": 5, "start": "2024-03-01"}"#).unwrap();
    assert_eq!(cfg.students, 5);
    assert_eq!(cfg.seed, SimConfig::default().seed);
    assert_eq!(cfg.end_date(), NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
    assert!(serde_json::from_str::<SimConfig>(r#"{"studentz": 5}"#).is_err());
    // Tiny and empty runs work.
    let t = simulate(&SimConfig {
        students: 0,
        leads: Some(0),
        days: 1,
        ..SimConfig::default()
    })
    .unwrap();
    assert!(t.students.is_empty() && t.keyword_interest.len() >= 12);
    let t = simulate(&SimConfig {
        students: 3,
        days: 2,
        webinars: Some(0),
        ..SimConfig::default()
    })
    .unwrap();
    assert_eq!(t.students.len(), 3);
    assert!(t.webinars.is_empty() && t.registrations.is_empty());
    let json = serde_json::to_string(&run().1).unwrap();
    let back: GroundTruth = serde_json::from_str(&json).unwrap();
    assert_eq!(back.students.len(), 3000);
}

#[test]
fn lead_conversion_rate_is_the_mean_propensity() {
    // The causal draw (a chance after each event that raises the propensity) must keep
    // P(converts) = the propensity of the window's events: check it on the leads whose 90-day
    // window and a fortnight for the purchase lie inside the history.
    let (t, truth) = run();
    let end = ts_of_date(truth.end_date);
    let created: HashMap<&str, i64> = t
        .leads
        .iter()
        .map(|l| (l.lead_id.as_str(), l.created_at.timestamp()))
        .collect();
    let done: Vec<&LeadTruth> = truth
        .leads
        .iter()
        .filter(|l| created[l.lead_id.as_str()] + 104 * 86_400 < end)
        .collect();
    let n = done.len() as f64;
    assert!(n > 1000.0, "{n} leads");
    let rate = done.iter().filter(|l| l.converted).count() as f64 / n;
    let p: f64 = done.iter().map(|l| l.conversion_propensity).sum::<f64>() / n;
    let se = done
        .iter()
        .map(|l| l.conversion_propensity * (1.0 - l.conversion_propensity))
        .sum::<f64>()
        .sqrt()
        / n;
    eprintln!("{n} leads: conversion rate {rate:.4}, mean propensity {p:.4} (se {se:.4})");
    assert!((rate - p).abs() < 4.0 * se, "rate {rate} vs propensity {p}");
}

#[test]
fn lead_registrations_and_lead_events_agree() {
    // Every lead registration has its `webinar_registered` event at `registered_at`; an attended
    // one has a `webinar_attended` event within 5 minutes of the start and as many
    // `question_asked` events during the webinar as its `questions` — also for a lead that
    // bought before the webinar (the purchase stops nurturing, not a webinar it registered for).
    let (t, _) = run();
    let starts: HashMap<&str, i64> = t
        .webinars
        .iter()
        .map(|w| (w.webinar_id.as_str(), w.starts_at.timestamp()))
        .collect();
    let mut events: HashMap<&str, Vec<(i64, LeadEventKind)>> = HashMap::new();
    for e in &t.lead_events {
        events
            .entry(e.lead_id.as_str())
            .or_default()
            .push((e.at.timestamp(), e.kind));
    }
    let purchased: HashMap<&str, i64> = t
        .lead_events
        .iter()
        .filter(|e| e.kind == LeadEventKind::Purchase)
        .map(|e| (e.lead_id.as_str(), e.at.timestamp()))
        .collect();
    let (mut checked, mut after_purchase) = (0, 0);
    for r in t
        .registrations
        .iter()
        .filter(|r| r.person_id.starts_with('l'))
    {
        let ev = events
            .get(r.person_id.as_str())
            .map_or(&[][..], Vec::as_slice);
        let reg = r.registered_at.timestamp();
        assert!(
            ev.contains(&(reg, LeadEventKind::WebinarRegistered)),
            "{} {}: no registration event",
            r.person_id,
            r.webinar_id
        );
        let start = starts[r.webinar_id.as_str()];
        let attended = ev
            .iter()
            .filter(|e| {
                e.1 == LeadEventKind::WebinarAttended && (start..start + 301).contains(&e.0)
            })
            .count();
        assert_eq!(
            attended,
            usize::from(r.attended),
            "{} {}",
            r.person_id,
            r.webinar_id
        );
        if r.attended {
            checked += 1;
            after_purchase += usize::from(
                purchased
                    .get(r.person_id.as_str())
                    .is_some_and(|&p| p < start),
            );
        }
    }
    let attended_events = t
        .lead_events
        .iter()
        .filter(|e| e.kind == LeadEventKind::WebinarAttended)
        .count();
    assert_eq!(
        attended_events, checked,
        "attended events without an attended registration"
    );
    assert!(checked > 100, "{checked}");
    eprintln!("{checked} attended lead registrations, {after_purchase} after the lead's purchase");
}

#[test]
fn recordings_have_the_planted_sections_and_the_content_step_finds_them() {
    let (tables, truth) = run();
    assert_eq!(tables.content.len(), RECORDED_WEBINARS + TOPICS.len());
    assert_eq!(truth.content.len(), RECORDED_WEBINARS);
    assert_eq!(tables.concepts.len(), TOPICS.len());
    let known: std::collections::HashSet<&str> = tables
        .concepts
        .iter()
        .map(|c| c.concept_id.as_str())
        .collect();
    for c in &tables.concepts {
        for p in c.prerequisites() {
            assert!(
                known.contains(p.as_str()),
                "{}: unknown prerequisite {p}",
                c.concept_id
            );
        }
    }
    let reviewed: std::collections::HashSet<&str> =
        tables.reviews.iter().map(|r| r.card_id.as_str()).collect();
    assert!(tables
        .card_concepts
        .iter()
        .any(|m| reviewed.contains(m.card_id.as_str())));
    // Every planted section start has a micro-lesson boundary within 90 s (cues are 20–40 s,
    // lessons 5–10 minutes like the sections), and there are not many more lessons than sections.
    let params = crate::content::LessonParams::default();
    let (mut found, mut planted, mut lessons, mut sections) = (0, 0, 0, 0);
    for rec in &truth.content {
        let cues: Vec<_> = tables
            .transcript_segments
            .iter()
            .filter(|s| s.content_id == rec.content_id)
            .cloned()
            .collect();
        let got = crate::content::segment_transcript(&cues, &params).unwrap();
        planted += rec.section_starts_s.len();
        sections += rec.sections.len();
        lessons += got.len();
        found += rec
            .section_starts_s
            .iter()
            .filter(|&&b| got.iter().skip(1).any(|l| (l.start_s - b).abs() <= 90.0))
            .count();
    }
    assert!(planted >= 2 * RECORDED_WEBINARS, "{planted} sections");
    let recall = found as f64 / planted as f64;
    assert!(
        recall >= 0.8,
        "{found} of {planted} planted boundaries found"
    );
    assert!(
        lessons as f64 <= 1.3 * sections as f64,
        "{lessons} lessons for {sections} sections"
    );
}

#[test]
fn lessons_of_more_appealing_sections_rank_higher_by_engagement() {
    let (tables, truth) = run();
    assert!(!tables.content_views.is_empty());
    let as_of = ts(ts_of_date(truth.end_date) - 1);
    let config = crate::content::step::ContentConfig::default();
    let rows = crate::content::step::lessons(
        &tables.transcript_segments,
        &tables.content_views,
        as_of,
        &config,
    )
    .unwrap();
    // (engagement score, appeal of the section holding the lesson's midpoint).
    let mut pairs = Vec::new();
    for rec in &truth.content {
        for l in rows.iter().filter(|l| l.content_id == rec.content_id) {
            let mid = 0.5 * (l.start_s + l.end_s);
            let k = rec.section_starts_s.iter().filter(|&&s| s <= mid).count();
            if let Some(score) = l.engagement {
                pairs.push((score, rec.section_appeal[k]));
            }
        }
    }
    assert!(
        pairs.len() >= 3 * RECORDED_WEBINARS,
        "{} scored lessons",
        pairs.len()
    );
    let rank = |v: Vec<f64>| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        for (pos, i) in idx.into_iter().enumerate() {
            r[i] = pos as f64;
        }
        r
    };
    let a = rank(pairs.iter().map(|p| p.0).collect());
    let b = rank(pairs.iter().map(|p| p.1).collect());
    let n = a.len() as f64;
    let mean = (n - 1.0) / 2.0;
    let cov: f64 = a.iter().zip(&b).map(|(x, y)| (x - mean) * (y - mean)).sum();
    let var: f64 = a.iter().map(|x| (x - mean).powi(2)).sum();
    let rho = cov / var;
    eprintln!(
        "{} lessons, Spearman(engagement, appeal) = {rho:.3}",
        pairs.len()
    );
    assert!(rho > 0.5, "Spearman {rho}");
}

#[test]
fn submissions_answer_the_students_cohort_and_follow_engagement() {
    let (t, truth) = run();
    let course: HashMap<&str, &str> = t
        .student_attributes
        .iter()
        .filter(|a| a.name == crate::model::COURSE_ATTRIBUTE)
        .map(|a| (a.student_id.as_str(), a.value.as_str()))
        .collect();
    assert_eq!(course.len(), t.students.len(), "one cohort per student");
    let due: HashMap<(&str, &str), i64> = t
        .assessment_schedule
        .iter()
        .map(|d| {
            (
                (d.course_id.as_str(), d.assessment_id.as_str()),
                secs(&d.due_at),
            )
        })
        .collect();
    let end = secs(&crate::model::date_to_datetime(truth.end_date));
    // Per student: (deadlines passed by the end of the history, submitted, late).
    let mut per: HashMap<&str, (usize, usize, usize)> = HashMap::new();
    for d in &t.assessment_schedule {
        if secs(&d.due_at) < end {
            for (s, c) in &course {
                if *c == d.course_id {
                    per.entry(*s).or_default().0 += 1;
                }
            }
        }
    }
    let mut once = std::collections::HashSet::new();
    for a in &t.activity {
        if a.kind != ActivityKind::AssessmentSubmitted {
            continue;
        }
        let r = a
            .ref_id
            .as_deref()
            .expect("a simulated submission names its assessment");
        let c = course[a.student_id.as_str()];
        // The assessment is one of the student's own cohort, submitted once.
        let d = due[&(c, r)];
        assert!(
            once.insert((a.student_id.as_str(), r)),
            "{} {r}",
            a.student_id
        );
        let e = per.entry(a.student_id.as_str()).or_default();
        e.1 += 1;
        if secs(&a.at) > d {
            e.2 += 1;
        }
        let v = a.value.expect("a score");
        assert!((0.0..=100.0).contains(&v), "{v}");
    }
    // Engaged students submit more of what is due and less of it late than disengaged ones.
    let rates = |keep: &dyn Fn(f64) -> bool| {
        let (mut due, mut sub, mut late) = (0, 0, 0);
        for s in &truth.students {
            if let Some(p) = per
                .get(s.student_id.as_str())
                .filter(|_| keep(s.engagement))
            {
                due += p.0;
                sub += p.1;
                late += p.2;
            }
        }
        (sub as f64 / due as f64, late as f64 / sub as f64, due)
    };
    let (hi_sub, hi_late, hi_n) = rates(&|e| e > 1.3);
    let (lo_sub, lo_late, lo_n) = rates(&|e| e < 0.7);
    assert!(hi_n > 300 && lo_n > 300, "{hi_n} {lo_n}");
    assert!(
        hi_sub > lo_sub + 0.1,
        "submitted {hi_sub:.3} vs {lo_sub:.3}"
    );
    assert!(hi_late < lo_late, "late {hi_late:.3} vs {lo_late:.3}");
    // Churners stop submitting: nothing after their dropout.
    let churned: HashMap<&str, i64> = truth
        .students
        .iter()
        .filter_map(|s| s.churned_at.map(|c| (s.student_id.as_str(), secs(&c))))
        .collect();
    assert!(t
        .activity
        .iter()
        .all(|a| a.kind != ActivityKind::AssessmentSubmitted
            || churned
                .get(a.student_id.as_str())
                .is_none_or(|c| secs(&a.at) < *c)));
}
