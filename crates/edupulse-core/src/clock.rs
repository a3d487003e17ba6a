//! Local time: the business's IANA time zone and the local calendar of a UTC instant.
//!
//! Every time in the input tables is an instant (UTC). The analytics that depend on the wall
//! clock — weekday, hour and month features, the slot grid (Mon–Fri × 9–20 h), heatmaps, KPI
//! slots, ISO weeks, months and the "day" of an instant (daily series, `as_of` day boundaries) —
//! read it through one [`LocalClock`], so a 10:00 Madrid webinar is hour 10 in winter (09:00
//! UTC) and in summer (08:00 UTC), and the 23-hour and 25-hour days of the daylight-saving
//! changes are one day each.
//!
//! The zone comes from `[job] timezone` (default `"UTC"`, where every result is the same as
//! reading the UTC calendar). Rules at the daylight-saving changes:
//! - a local wall time in the spring-forward gap does not exist: [`LocalClock::instant`] is an
//!   [`InvalidParameter`](crate::CoreError::InvalidParameter) error naming it, and a slot of the
//!   grid that falls in the gap is left out of the grid;
//! - a local wall time repeated at the fall-back change is its earlier instant;
//! - a local day starts at its first existing instant (midnight, or the end of a gap at
//!   midnight) and ends where the next day starts.
//!
//! ```
//! use chrono::{TimeZone, Timelike, Utc};
//! use edupulse_core::clock::LocalClock;
//! let madrid = LocalClock::new("Europe/Madrid")?;
//! let winter = Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).unwrap();
//! let summer = Utc.with_ymd_and_hms(2026, 7, 15, 8, 0, 0).unwrap();
//! assert_eq!((madrid.hour(winter), madrid.hour(summer)), (10, 10));
//! assert!(LocalClock::new("Europe/Nowhere").is_err());
//! # Ok::<(), edupulse_core::CoreError>(())
//! ```

use crate::error::{CoreError, Result};
use chrono::{
    DateTime, Datelike, Duration, IsoWeek, LocalResult, NaiveDate, NaiveDateTime, TimeZone,
    Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The parameter name of the job's zone in errors.
pub const TIMEZONE_PARAM: &str = "job.timezone";

/// An IANA time zone and the local calendar of instants in it. Serializes as the zone's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LocalClock {
    tz: Tz,
}

impl Default for LocalClock {
    fn default() -> Self {
        LocalClock::UTC
    }
}

impl std::fmt::Display for LocalClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl LocalClock {
    /// The UTC clock (the default).
    pub const UTC: LocalClock = LocalClock { tz: Tz::UTC };

    /// The clock of IANA zone `name` (e.g. `"Europe/Madrid"`); an unknown zone is an
    /// [`InvalidParameter`](CoreError::InvalidParameter) error on `job.timezone`.
    pub fn new(name: &str) -> Result<LocalClock> {
        LocalClock::parse(name, TIMEZONE_PARAM)
    }

    /// As [`LocalClock::new`], with the error naming parameter `param`.
    pub fn parse(name: &str, param: &str) -> Result<LocalClock> {
        let trimmed = name.trim();
        trimmed
            .parse::<Tz>()
            .map(|tz| LocalClock { tz })
            .map_err(|_| {
                CoreError::param(
                    param,
                    format!(
                        "unknown time zone `{name}` (expected an IANA name such as \
                         Europe/Madrid or UTC)"
                    ),
                )
            })
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &'static str {
        self.tz.name()
    }

    /// Whether this is UTC.
    pub fn is_utc(&self) -> bool {
        self.tz == Tz::UTC
    }

    /// The local wall time of instant `t`.
    pub fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        if self.is_utc() {
            return t.naive_utc();
        }
        t.with_timezone(&self.tz).naive_local()
    }

    /// The local date of `t`.
    pub fn date(&self, t: DateTime<Utc>) -> NaiveDate {
        self.local(t).date()
    }

    /// The local weekday of `t`.
    pub fn weekday(&self, t: DateTime<Utc>) -> Weekday {
        self.local(t).weekday()
    }

    /// The local hour (0–23) of `t`.
    pub fn hour(&self, t: DateTime<Utc>) -> u32 {
        self.local(t).hour()
    }

    /// The local month (1–12) of `t`.
    pub fn month(&self, t: DateTime<Utc>) -> u32 {
        self.local(t).month()
    }

    /// The local year of `t`.
    pub fn year(&self, t: DateTime<Utc>) -> i32 {
        self.local(t).year()
    }

    /// The ISO week of the local date of `t`.
    pub fn iso_week(&self, t: DateTime<Utc>) -> IsoWeek {
        self.date(t).iso_week()
    }

    /// `YYYY-Www` of the local ISO week of `t` (the key of weekly alerts and reports).
    pub fn week_key(&self, t: DateTime<Utc>) -> String {
        let w = self.iso_week(t);
        format!("{:04}-W{:02}", w.year(), w.week())
    }

    /// `YYYY-MM` of the local month of `t`.
    pub fn month_key(&self, t: DateTime<Utc>) -> String {
        let l = self.local(t);
        format!("{:04}-{:02}", l.year(), l.month())
    }

    /// The local calendar month of `t` as one index (`year × 12 + month − 1`): months between
    /// two instants are the difference of their indices.
    pub fn month_index(&self, t: DateTime<Utc>) -> i64 {
        let l = self.local(t);
        i64::from(l.year()) * 12 + i64::from(l.month0())
    }

    /// The first instant of the local calendar month that is `offset` months after the month
    /// of `t` (`offset = 0`: the start of `t`'s month, 1: the start of the next one).
    pub fn month_start(&self, t: DateTime<Utc>, offset: i32) -> DateTime<Utc> {
        let m = self.month_index(t) + i64::from(offset);
        let (y, m0) = (m.div_euclid(12), m.rem_euclid(12));
        match i32::try_from(y)
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, m0 as u32 + 1, 1))
        {
            Some(d) => self.start_of_day(d),
            None => t,
        }
    }

    /// `t` moved by `days` local calendar days at the same local wall time (`days < 0`: back):
    /// a window of "the last 30 days" that crosses a daylight-saving change is 30 local days
    /// (719 or 721 hours), not 720 hours. A wall time that falls in a spring-forward gap moves
    /// to the end of the gap; a repeated one takes its earlier instant. With UTC this is exactly
    /// `t + days × 24 h`.
    pub fn add_days(&self, t: DateTime<Utc>, days: i64) -> DateTime<Utc> {
        if self.is_utc() {
            return t + Duration::days(days);
        }
        let wall = self.local(t) + Duration::days(days);
        self.instant_opt(wall)
            .or_else(|| (1..=24 * 60).find_map(|m| self.instant_opt(wall + Duration::minutes(m))))
            .unwrap_or(t + Duration::days(days))
    }

    /// `t` as RFC 3339 at its local offset (`2026-04-01T10:00:00+02:00`); with UTC the
    /// `…Z` form of [`crate::model::format_datetime`].
    pub fn rfc3339(&self, t: DateTime<Utc>) -> String {
        if self.is_utc() {
            return crate::model::format_datetime(&t);
        }
        t.with_timezone(&self.tz)
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
    }

    /// The instant of local wall time `local`. A time in the spring-forward gap does not exist
    /// and is an [`InvalidParameter`](CoreError::InvalidParameter) error on `timezone` that names
    /// it; a time repeated at the fall-back change is its earlier instant.
    pub fn instant(&self, local: NaiveDateTime) -> Result<DateTime<Utc>> {
        self.instant_opt(local).ok_or_else(|| {
            CoreError::param(
                "timezone",
                format!(
                    "local time {} does not exist in {} (it falls in the daylight-saving \
                     spring-forward gap)",
                    local.format("%Y-%m-%dT%H:%M:%S"),
                    self.name()
                ),
            )
        })
    }

    /// The instant of local wall time `local`, `None` in the spring-forward gap (the earlier
    /// instant of a repeated time).
    pub fn instant_opt(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        if self.is_utc() {
            return Some(local.and_utc());
        }
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
            LocalResult::None => None,
        }
    }

    /// The first instant of local day `d` (midnight, or the end of a gap that covers midnight).
    pub fn start_of_day(&self, d: NaiveDate) -> DateTime<Utc> {
        let midnight = d.and_time(chrono::NaiveTime::MIN);
        if let Some(t) = self.instant_opt(midnight) {
            return t;
        }
        // Midnight falls in a gap (a few zones change at 00:00): the day starts where the gap
        // ends. Gaps are at most a few hours; search by minute, then fall back to the UTC
        // reading of midnight (unreachable with the tz database's rules).
        (1..=24 * 60)
            .find_map(|m| self.instant_opt(midnight + Duration::minutes(m)))
            .unwrap_or_else(|| midnight.and_utc())
    }

    /// The first instant after local day `d` (the start of the next day): a local day is
    /// `[start_of_day(d), end_of_day(d))`, 23 or 25 hours long on the daylight-saving changes.
    pub fn end_of_day(&self, d: NaiveDate) -> DateTime<Utc> {
        match d.succ_opt() {
            Some(next) => self.start_of_day(next),
            None => self.start_of_day(d) + Duration::days(1),
        }
    }

    /// The last complete local day of a run at `as_of`: the day before `as_of`'s local date, or
    /// that date itself when `as_of` is its last second (a run at the end of day,
    /// [`LocalClock::as_of_end_of_day`]).
    pub fn last_complete_day(&self, as_of: DateTime<Utc>) -> NaiveDate {
        let d = self.date(as_of + Duration::seconds(1));
        d.pred_opt().unwrap_or(d)
    }

    /// The last second of local day `d` (`--as-of DATE` means this instant: the run sees the
    /// whole local day).
    pub fn as_of_end_of_day(&self, d: NaiveDate) -> DateTime<Utc> {
        self.end_of_day(d) - Duration::seconds(1)
    }

    /// Parse an `as_of`: a date `YYYY-MM-DD` is the last second of that local day, anything
    /// else an instant ([`crate::model::parse_datetime`]). With UTC this is
    /// [`crate::model::parse_as_of`].
    pub fn parse_as_of(&self, s: &str) -> std::result::Result<DateTime<Utc>, String> {
        match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(d) => Ok(self.as_of_end_of_day(d)),
            Err(_) => crate::model::parse_datetime(s),
        }
    }
}

impl Serialize for LocalClock {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for LocalClock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        LocalClock::parse(&name, "timezone").map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "clock_tests.rs"]
mod tests;
