//! Local time through the job: `[job] timezone` reaches the KPI slots, months, alert keys and
//! weekly bounds, the demand features and slot grid, the trends and forecast days, across both
//! 2026 daylight-saving changes of Europe/Madrid (29 March and 25 October).

use super::*;
use crate::clock::LocalClock;
use crate::demand::{training_table, SlotParams};
use crate::learn::ColumnData;
use crate::model::{Purchase, Registration, Webinar};
use chrono::{NaiveDate, TimeZone, Weekday};

fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
}

fn madrid() -> LocalClock {
    LocalClock::new("Europe/Madrid").unwrap()
}

fn webinar(id: &str, starts_at: DateTime<Utc>) -> Webinar {
    Webinar {
        webinar_id: id.into(),
        title: id.into(),
        topic: "ia".into(),
        starts_at,
        duration_min: 60,
        industry: None,
        role: None,
        company_size: None,
        timezone: None,
    }
}

fn reg(w: &str, p: &str, attended: bool) -> Registration {
    Registration {
        webinar_id: w.into(),
        person_id: p.into(),
        registered_at: utc(2026, 1, 1, 9, 0),
        industry: "salud".into(),
        role: "analista".into(),
        company_size: "11-50".into(),
        attended,
        minutes_watched: None,
        questions: None,
        polls: None,
        chat_messages: None,
    }
}

/// Thursday 10:00 Madrid in winter (09:00 UTC) and the Thursday 10:00 after the spring change
/// (08:00 UTC), plus Monday 10:00 after the autumn change (09:00 UTC again).
fn ten_am_webinars() -> Tables {
    with_two_registrations(vec![
        webinar("winter", utc(2026, 3, 26, 9, 0)),
        webinar("summer", utc(2026, 4, 2, 8, 0)),
        webinar("autumn", utc(2026, 10, 26, 9, 0)),
    ])
}

/// The webinars, each with one attendee and one no-show.
fn with_two_registrations(ws: Vec<Webinar>) -> Tables {
    let regs = ws
        .iter()
        .flat_map(|w| {
            [
                reg(&w.webinar_id, "a", true),
                reg(&w.webinar_id, "b", false),
            ]
        })
        .collect();
    Tables {
        webinars: ws,
        registrations: regs,
        ..Tables::default()
    }
}

#[test]
fn kpi_slots_follow_the_local_clock_and_utc_splits_them() {
    let tables = ten_am_webinars();
    let as_of = utc(2026, 11, 1, 0, 0);
    let local = KpiConfig {
        clock: madrid(),
        ..KpiConfig::default()
    };
    let k = kpi::compute(&tables, as_of, &local).unwrap();
    let slots: Vec<(u32, u32, u64)> = k
        .slots
        .iter()
        .map(|s| (s.weekday, s.hour, s.webinars))
        .collect();
    // Thursday 10:00 holds the winter and the summer webinar; Monday 10:00 the autumn one.
    assert_eq!(slots, [(0, 10, 1), (3, 10, 2)]);
    let k = kpi::compute(&tables, as_of, &KpiConfig::default()).unwrap();
    let slots: Vec<(u32, u32, u64)> = k
        .slots
        .iter()
        .map(|s| (s.weekday, s.hour, s.webinars))
        .collect();
    assert_eq!(slots, [(0, 9, 1), (3, 8, 1), (3, 9, 1)]);
}

#[test]
fn kpi_months_digest_and_weekly_bounds_are_local() {
    // 23:30 UTC on 31 March is 01:30 on 1 April in Madrid.
    let tables = Tables {
        purchases: vec![Purchase {
            customer_id: "c".into(),
            at: utc(2026, 3, 31, 23, 30),
            amount: 10.0,
            currency: None,
        }],
        ..Tables::default()
    };
    let as_of = utc(2026, 4, 5, 22, 30); // Monday 6 April 00:30 in Madrid
    let cfg = KpiConfig {
        clock: madrid(),
        ..KpiConfig::default()
    };
    let k = kpi::compute(&tables, as_of, &cfg).unwrap();
    assert_eq!(k.revenue_by_month[0].month, "2026-04");
    let utc_k = kpi::compute(&tables, as_of, &KpiConfig::default()).unwrap();
    assert_eq!(utc_k.revenue_by_month[0].month, "2026-03");
    let digest = |k: &kpi::Kpis, c: &KpiConfig| k.notifications(c)[0].dedupe_key.clone();
    assert_eq!(digest(&k, &cfg), "digest:2026-04-06");
    assert_eq!(digest(&utc_k, &KpiConfig::default()), "digest:2026-04-05");
    // The weekly report's week: Monday 00:00 to Monday 00:00 local, and the last complete
    // week of a run early on Monday 6 April (local) is W14, not W13.
    use crate::kpi::weekly::{last_complete_week_in, week_start_in};
    assert_eq!(last_complete_week_in(as_of, &madrid()), (2026, 14));
    assert_eq!(kpi::weekly::last_complete_week(as_of), (2026, 13));
    // ISO week 13 of 2026 holds the spring change: it starts at 23:00 UTC on Sunday and is
    // 167 hours long.
    let w13 = week_start_in(2026, 13, &madrid()).unwrap();
    let w14 = week_start_in(2026, 14, &madrid()).unwrap();
    assert_eq!(w13, utc(2026, 3, 22, 23, 0));
    assert_eq!((w14 - w13).num_hours(), 167);
    let r = kpi::weekly::weekly_report(&tables, (2026, 14), &[], &cfg).unwrap();
    assert_eq!((r.start, r.end), (w14, utc(2026, 4, 5, 22, 0)));
    assert_eq!(r.revenue, 10.0);
}

#[test]
fn demand_features_and_grid_follow_the_local_clock() {
    let t = ten_am_webinars();
    let column = |clock: &LocalClock, name: &str| -> Vec<f64> {
        let (table, _) = training_table(&t.webinars, &t.registrations, None, 20.0, clock).unwrap();
        match table.column(name).unwrap() {
            ColumnData::Numeric(v) => v.clone(),
            _ => panic!("{name} is numeric"),
        }
    };
    // Rows are in time order, two registrations per webinar.
    assert_eq!(column(&madrid(), "hour"), [10.0; 6]);
    assert_eq!(
        column(&LocalClock::UTC, "hour"),
        [9.0, 9.0, 8.0, 8.0, 9.0, 9.0]
    );
    assert_eq!(column(&madrid(), "weekday"), [3.0, 3.0, 3.0, 3.0, 0.0, 0.0]);
    // The grid of the weeks of both changes: Mon–Fri × 9–20 local, 60 slots, each at its local
    // hour; a slot in the spring-forward gap (Sunday 02:00) is left out.
    let params = SlotParams::default();
    for monday in [
        NaiveDate::from_ymd_opt(2026, 3, 23).unwrap(),
        NaiveDate::from_ymd_opt(2026, 10, 19).unwrap(),
        NaiveDate::from_ymd_opt(2026, 10, 26).unwrap(),
    ] {
        let grid = params.grid_in(monday, &madrid());
        assert_eq!(grid.len(), 60);
        let hours: Vec<u32> = grid.iter().map(|s| madrid().hour(*s)).collect();
        assert_eq!(&hours[..12], &(9..=20).collect::<Vec<_>>()[..]);
        assert!(grid.iter().all(|s| madrid().weekday(*s) != Weekday::Sat));
    }
    let sunday_2am = SlotParams {
        weekdays: vec![Weekday::Sun],
        hours: vec![1, 2, 3],
        ..SlotParams::default()
    };
    let grid = sunday_2am.grid_in(NaiveDate::from_ymd_opt(2026, 3, 23).unwrap(), &madrid());
    assert_eq!(grid, [utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 1, 0)]);
    // Weekly blocks are local too: Thursday 10:00 blocks both the winter and the summer start.
    let blocked = SlotParams {
        blocked_weekly: vec![(Weekday::Thu, 10)],
        ..SlotParams::default()
    };
    for w in &t.webinars[..2] {
        assert!(!blocked.is_free_in(w.starts_at, &[], &madrid()));
        assert!(blocked.is_free(w.starts_at, &[]));
    }
}

#[test]
fn forecast_days_are_local_and_the_long_and_short_days_are_one_day() {
    // Purchases at 00:30 and 23:30 local on the 25-hour day (25 October) and the 23-hour day
    // (29 March): one day each, where UTC splits them over two days.
    let p = |at| Purchase {
        customer_id: "c".into(),
        at,
        amount: 1.0,
        currency: None,
    };
    let tables = Tables {
        purchases: vec![
            p(utc(2026, 3, 28, 23, 30)),  // 29 March 00:30 CET
            p(utc(2026, 3, 29, 21, 30)),  // 29 March 23:30 CEST
            p(utc(2026, 10, 24, 22, 30)), // 25 October 00:30 CEST
            p(utc(2026, 10, 25, 22, 30)), // 25 October 23:30 CET
        ],
        ..Tables::default()
    };
    let as_of = madrid().parse_as_of("2026-10-25").unwrap();
    let local = crate::forecast::step::daily_revenue_in(&tables, as_of, 730, &madrid());
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let get = |s: &[(NaiveDate, f64)], d| s.iter().find(|(x, _)| *x == d).map(|x| x.1);
    assert_eq!(get(&local, day(2026, 3, 29)), Some(2.0));
    assert_eq!(get(&local, day(2026, 10, 25)), Some(2.0));
    assert_eq!(local.last().unwrap().0, day(2026, 10, 25));
    let in_utc = crate::forecast::step::daily_revenue(&tables, as_of, 730);
    assert_eq!(get(&in_utc, day(2026, 3, 29)), Some(1.0));
    // Webinars per local day (the forecast's regressors): 00:30 and 23:30 on 29 March.
    let t = Tables {
        webinars: vec![
            webinar("a", utc(2026, 3, 28, 23, 30)),
            webinar("b", utc(2026, 3, 29, 21, 30)),
            webinar("c", utc(2026, 4, 2, 8, 0)),
        ],
        ..Tables::default()
    };
    let regs =
        crate::forecast::step::webinar_regressors(&t, day(2026, 3, 28), day(2026, 4, 5), &madrid())
            .unwrap();
    let row = |d| regs.by_date.get(&d).cloned().unwrap();
    assert_eq!(row(day(2026, 3, 28)), [0.0, 0.0]);
    assert_eq!(row(day(2026, 3, 29)), [2.0, 2.0]);
    assert_eq!(row(day(2026, 4, 2)), [1.0, 3.0]);
    assert_eq!(row(day(2026, 4, 5)), [0.0, 1.0]);
}

#[test]
fn job_timezone_is_parsed_validated_and_reaches_the_steps() {
    let cfg: JobConfig = serde_json::from_str(r#"{"timezone": "Europe/Madrid"}"#).unwrap();
    assert_eq!(cfg.clock().unwrap(), madrid());
    assert_eq!(cfg.kpi_config().unwrap().clock, madrid());
    assert!(Job::new(&cfg).is_ok());
    assert_eq!(JobConfig::default().clock().unwrap(), LocalClock::UTC);
    let bad = JobConfig {
        timezone: "Madrid".into(),
        ..JobConfig::default()
    };
    let e = Job::new(&bad).unwrap_err();
    assert!(
        matches!(&e, crate::CoreError::InvalidParameter { name, .. } if name == "job.timezone"),
        "{e}"
    );
    // A different zone in the demand section is a conflict, named.
    let mut clash = cfg.clone();
    clash.demand.params.timezone = LocalClock::new("America/Mexico_City").unwrap();
    let e = clash.validate().unwrap_err().to_string();
    assert!(e.contains("demand.params.timezone"), "{e}");
    // The KPI step of a Madrid job writes the local slots.
    let job = Job::new(&cfg).unwrap().only(&["kpis"]).unwrap();
    let run = job
        .run(&ten_am_webinars(), utc(2026, 11, 1, 0, 0), |_, _, _| {})
        .unwrap();
    let slots: Vec<kpi::SlotRow> = crate::results::rows_of(&run.results).unwrap();
    assert!(slots.iter().all(|s| s.hour == 10), "{slots:?}");
}

/// 10:00 in Madrid (09:00 UTC in winter) and 10:00 in Mexico City (16:00 UTC: no daylight
/// saving there since 2022), the Mexican one with its own `timezone`, on a Madrid job.
fn madrid_and_mexico() -> Tables {
    let mut mx = webinar("mexico", utc(2026, 3, 5, 16, 0));
    mx.timezone = Some("America/Mexico_City".into());
    with_two_registrations(vec![webinar("madrid", utc(2026, 3, 5, 9, 0)), mx])
}

#[test]
fn a_webinar_with_its_own_zone_lands_in_its_local_slot() {
    let mut tables = madrid_and_mexico();
    tables.validate().unwrap();
    let cfg = KpiConfig {
        clock: madrid(),
        ..KpiConfig::default()
    };
    let slots = |t: &Tables| -> Vec<(u32, u32, u64)> {
        kpi::compute(t, utc(2026, 4, 1, 0, 0), &cfg)
            .unwrap()
            .slots
            .iter()
            .map(|s| (s.weekday, s.hour, s.webinars))
            .collect()
    };
    // Both Thursday 10:00 local; without its zone the Mexican one is 17:00 in Madrid.
    assert_eq!(slots(&tables), [(3, 10, 2)]);
    let mut no_zone = tables.clone();
    no_zone.webinars[1].timezone = None;
    assert_eq!(slots(&no_zone), [(3, 10, 1), (3, 17, 1)]);
    // The demand features read each webinar's own zone too.
    let (table, _) = training_table(
        &tables.webinars,
        &tables.registrations,
        None,
        20.0,
        &madrid(),
    )
    .unwrap();
    match table.column("hour").unwrap() {
        ColumnData::Numeric(v) => assert_eq!(v, &[10.0; 4]),
        _ => panic!("hour is numeric"),
    }
    // An unknown zone is a named error on the row and column.
    let mut bad = madrid_and_mexico();
    bad.webinars[1].timezone = Some("America/Atlantis".into());
    let e = bad.validate().unwrap_err();
    let loc = e.location().unwrap();
    assert_eq!(
        (loc.table.as_str(), loc.column.as_deref()),
        ("webinars", Some("timezone")),
        "{e}"
    );
}
