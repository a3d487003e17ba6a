use super::*;
use chrono::{NaiveDate, TimeZone, Utc, Weekday};

fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn utc_is_the_utc_calendar() {
    let c = LocalClock::default();
    assert!(c.is_utc());
    let t = utc(2026, 3, 29, 23, 30);
    assert_eq!(c.local(t), t.naive_utc());
    assert_eq!(c.date(t), t.date_naive());
    assert_eq!((c.weekday(t), c.hour(t), c.month(t)), (Weekday::Sun, 23, 3));
    assert_eq!(c.week_key(t), "2026-W13");
    assert_eq!(c.start_of_day(day(2026, 3, 29)), utc(2026, 3, 29, 0, 0));
    assert_eq!(
        c.parse_as_of("2025-12-31").unwrap(),
        crate::model::parse_as_of("2025-12-31").unwrap()
    );
    for t in [
        utc(2026, 1, 10, 0, 0),
        utc(2026, 1, 10, 12, 0),
        utc(2026, 1, 10, 23, 59),
    ] {
        assert_eq!(
            c.last_complete_day(t),
            crate::forecast::step::last_complete_day(t)
        );
    }
}

#[test]
fn a_10am_madrid_webinar_is_the_same_slot_in_winter_and_summer() {
    let m = LocalClock::new("Europe/Madrid").unwrap();
    // Winter (CET, UTC+1): 09:00 UTC; summer (CEST, UTC+2): 08:00 UTC. Both are Thursday 10:00.
    let (winter, summer) = (utc(2026, 1, 15, 9, 0), utc(2026, 7, 16, 8, 0));
    for t in [winter, summer] {
        assert_eq!((m.weekday(t), m.hour(t)), (Weekday::Thu, 10));
    }
    // Either side of both 2026 changes (29 March, 25 October): Friday before and Monday after.
    let before_spring = utc(2026, 3, 27, 9, 0);
    let after_spring = utc(2026, 3, 30, 8, 0);
    let before_autumn = utc(2026, 10, 23, 8, 0);
    let after_autumn = utc(2026, 10, 26, 9, 0);
    for t in [before_spring, after_spring, before_autumn, after_autumn] {
        assert_eq!(m.hour(t), 10, "{t}");
    }
    // The local wall time maps back to those instants.
    let ten = |d: NaiveDate| d.and_hms_opt(10, 0, 0).unwrap();
    assert_eq!(m.instant(ten(day(2026, 3, 27))).unwrap(), before_spring);
    assert_eq!(m.instant(ten(day(2026, 3, 30))).unwrap(), after_spring);
    assert_eq!(m.instant(ten(day(2026, 10, 23))).unwrap(), before_autumn);
    assert_eq!(m.instant(ten(day(2026, 10, 26))).unwrap(), after_autumn);
}

#[test]
fn the_23_and_25_hour_days_are_one_day_each() {
    let m = LocalClock::new("Europe/Madrid").unwrap();
    let spring = day(2026, 3, 29);
    let autumn = day(2026, 10, 25);
    let len = |d| (m.end_of_day(d) - m.start_of_day(d)).num_hours();
    assert_eq!(
        (len(spring), len(autumn), len(day(2026, 6, 1))),
        (23, 25, 24)
    );
    assert_eq!(m.start_of_day(spring), utc(2026, 3, 28, 23, 0));
    assert_eq!(m.end_of_day(autumn), utc(2026, 10, 25, 23, 0));
    // Every instant of those days reads as that day, the one before and after as the neighbours.
    for d in [spring, autumn] {
        let (s, e) = (m.start_of_day(d), m.end_of_day(d));
        let mut t = s;
        while t < e {
            assert_eq!(m.date(t), d, "{t}");
            t += Duration::minutes(30);
        }
        assert_eq!(m.date(s - Duration::seconds(1)), d.pred_opt().unwrap());
        assert_eq!(m.date(e), d.succ_opt().unwrap());
        // A run at the local end of the day sees the whole day as complete.
        let as_of = m.parse_as_of(&d.to_string()).unwrap();
        assert_eq!(as_of, e - Duration::seconds(1));
        assert_eq!(m.last_complete_day(as_of), d);
        assert_eq!(m.last_complete_day(e + Duration::hours(12)), d);
    }
    // The ISO week of the early hours of a Monday (still Sunday in UTC) is the local one.
    let monday_0030 = utc(2026, 3, 29, 22, 30);
    assert_eq!(m.week_key(monday_0030), "2026-W14");
    assert_eq!(LocalClock::UTC.week_key(monday_0030), "2026-W13");
}

#[test]
fn spring_forward_gap_is_a_named_error_and_fall_back_takes_the_earlier_instant() {
    let m = LocalClock::new("Europe/Madrid").unwrap();
    let gap = day(2026, 3, 29).and_hms_opt(2, 30, 0).unwrap();
    let err = m.instant(gap).unwrap_err().to_string();
    assert!(
        err.contains("timezone") && err.contains("2026-03-29T02:30:00"),
        "{err}"
    );
    assert!(
        err.contains("Europe/Madrid") && err.contains("gap"),
        "{err}"
    );
    assert_eq!(m.instant_opt(gap), None);
    let repeated = day(2026, 10, 25).and_hms_opt(2, 30, 0).unwrap();
    assert_eq!(m.instant(repeated).unwrap(), utc(2026, 10, 25, 0, 30));
}

#[test]
fn unknown_zone_is_a_named_error_and_serde_keeps_the_name() {
    let err = LocalClock::new("Europe/Atlantis").unwrap_err();
    assert!(
        matches!(&err, CoreError::InvalidParameter { name, .. } if name == "job.timezone"),
        "{err}"
    );
    assert!(err.to_string().contains("Europe/Atlantis"));
    let m = LocalClock::new(" Europe/Madrid ").unwrap();
    assert_eq!(m.name(), "Europe/Madrid");
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(json, "\"Europe/Madrid\"");
    assert_eq!(serde_json::from_str::<LocalClock>(&json).unwrap(), m);
    assert!(serde_json::from_str::<LocalClock>("\"Mars/Olympus\"").is_err());
}
