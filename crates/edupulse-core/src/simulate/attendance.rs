//! The attendance model: the probability that a registrant attends a webinar, as a known function
//! of the registrant's segment, the webinar's weekday and hour, and its topic.

use super::catalog::{COMPANY_SIZES, INDUSTRIES, ROLES};
use super::dist::sigmoid;
use chrono::Weekday;
use serde::{Deserialize, Serialize};

/// Intercept on the logit scale (a typical registrant in a neutral slot attends ~41 %).
const BASE_LOGIT: f64 = -0.35;

fn industry_effect(industry: &str) -> f64 {
    match industry {
        "tecnología" => 0.15,
        "educación" => 0.10,
        "salud" => -0.25,
        "finanzas" => -0.05,
        "retail" => -0.15,
        "manufactura" => -0.20,
        "consultoría" => 0.05,
        _ => 0.0,
    }
}

fn role_effect(role: &str) -> f64 {
    match role {
        "director" => -0.30,
        "gerente" => -0.10,
        "analista" => 0.10,
        "desarrollador" => 0.05,
        "docente" => 0.20,
        _ => 0.0,
    }
}

fn size_effect(size: &str) -> f64 {
    match size {
        "1-10" => 0.15,
        "11-50" => 0.05,
        "201-1000" => -0.05,
        "1000+" => -0.15,
        _ => 0.0,
    }
}

fn weekday_effect(day: Weekday) -> f64 {
    match day {
        Weekday::Mon => -0.25,
        Weekday::Tue => 0.20,
        Weekday::Wed => 0.25,
        Weekday::Thu => 0.20,
        Weekday::Fri => -0.30,
        Weekday::Sat => -0.50,
        Weekday::Sun => -0.60,
    }
}

fn hour_effect(hour: u32) -> f64 {
    match hour {
        8 => -0.45,
        9 => -0.10,
        10 | 11 => 0.25,
        12 => 0.0,
        13 => -0.25,
        14 => -0.35,
        15 => -0.20,
        16 => -0.10,
        17 => 0.05,
        18 => 0.25,
        19 => 0.20,
        20 => 0.0,
        21 => -0.25,
        _ => -0.80,
    }
}

fn topic_effect(topic: &str) -> f64 {
    match topic {
        "ia_generativa" => 0.15,
        "agentes_ia" => 0.10,
        "prompt_engineering" => 0.05,
        "ia_para_negocio" => -0.05,
        "python_para_ia" => -0.05,
        "etica_ia" => -0.15,
        _ => 0.0,
    }
}

/// Segment × time interactions: the reason the best slot differs between segments.
fn interactions(industry: &str, role: &str, day: Weekday, hour: u32) -> f64 {
    let morning = (8..=12).contains(&hour);
    let evening = (17..=21).contains(&hour);
    let mut x = 0.0;
    // Monday early and Friday afternoon are the worst slots for everyone.
    if day == Weekday::Mon && hour < 10 {
        x -= 0.35;
    }
    if day == Weekday::Fri && hour >= 13 {
        x -= 0.45;
    }
    match role {
        "docente" | "estudiante" => {
            if evening {
                x += 0.35;
            }
            if morning {
                x -= 0.30;
            }
        }
        "director" | "gerente" => {
            if morning {
                x += 0.25;
            }
            if evening {
                x -= 0.25;
            }
        }
        "desarrollador" if evening => x += 0.20,
        _ => {}
    }
    match industry {
        "salud" if morning => x -= 0.20,
        "educación" if evening => x += 0.15,
        "retail" if matches!(day, Weekday::Sat | Weekday::Sun) => x += 0.30,
        _ => {}
    }
    x
}

/// The true probability that a registrant of segment (`industry`, `role`, `company_size`) attends
/// a webinar on `topic` starting on `weekday` at `hour` (0–23, the UTC hour of `starts_at`).
///
/// A logistic model: intercept + industry + role + company size + weekday + hour + topic effects,
/// plus interactions (Monday before 10:00 and Friday from 13:00 are penalised for everyone; teachers
/// and students prefer evenings, directors and managers mornings, developers evenings; health
/// mornings are bad, education evenings good, retail weekends good). Tuesday–Thursday 10–11 h and
/// 18–19 h draw best, Friday afternoon and Monday early worst. Unknown segment or topic values
/// contribute 0. The result is clamped to [0.02, 0.95]. The simulator draws every registration's
/// `attended` as Bernoulli of this rate.
pub fn expected_attendance_rate(
    industry: &str,
    role: &str,
    company_size: &str,
    weekday: Weekday,
    hour: u32,
    topic: &str,
) -> f64 {
    let logit = BASE_LOGIT
        + industry_effect(industry)
        + role_effect(role)
        + size_effect(company_size)
        + weekday_effect(weekday)
        + hour_effect(hour)
        + topic_effect(topic)
        + interactions(industry, role, weekday, hour);
    sigmoid(logit).clamp(0.02, 0.95)
}

/// The hours (UTC) at which the simulated business schedules webinars.
pub const WEBINAR_HOURS: std::ops::RangeInclusive<u32> = 8..=20;

/// The weekdays on which the simulated business schedules webinars, with their share.
pub(crate) const WEBINAR_DAYS: &[(Weekday, f64)] = &[
    (Weekday::Mon, 0.18),
    (Weekday::Tue, 0.20),
    (Weekday::Wed, 0.20),
    (Weekday::Thu, 0.20),
    (Weekday::Fri, 0.17),
    (Weekday::Sat, 0.05),
];

/// The slot (weekday, hour) with the highest [`expected_attendance_rate`] for a segment and topic,
/// over Monday–Sunday × [`WEBINAR_HOURS`], and that rate.
pub fn best_slot(
    industry: &str,
    role: &str,
    company_size: &str,
    topic: &str,
) -> (Weekday, u32, f64) {
    let mut best = (Weekday::Wed, 10, f64::MIN);
    for d in 0..7u8 {
        let day = weekday_from_index(d);
        for h in WEBINAR_HOURS {
            let r = expected_attendance_rate(industry, role, company_size, day, h, topic);
            if r > best.2 {
                best = (day, h, r);
            }
        }
    }
    best
}

/// Monday = 0 … Sunday = 6.
pub(crate) fn weekday_from_index(i: u8) -> Weekday {
    match i % 7 {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

/// The population-average expected attendance rate of one slot (segments weighted by their share
/// in the simulated population, topics by their share of the programme).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotRate {
    /// Day of the week.
    pub weekday: Weekday,
    /// Hour (UTC) the webinar starts.
    pub hour: u32,
    /// Population-average attendance rate.
    pub rate: f64,
}

/// Population-average [`expected_attendance_rate`] for every weekday × [`WEBINAR_HOURS`] slot,
/// best first.
pub fn slot_rates() -> Vec<SlotRate> {
    let mut out = Vec::new();
    for d in 0..7u8 {
        let day = weekday_from_index(d);
        for hour in WEBINAR_HOURS {
            let mut acc = 0.0;
            let mut wsum = 0.0;
            for (ind, wi) in INDUSTRIES {
                for (role, wr) in ROLES {
                    for (size, ws) in COMPANY_SIZES {
                        for (topic, _, wt) in super::catalog::TOPICS {
                            let w = wi * wr * ws * wt;
                            acc += w * expected_attendance_rate(ind, role, size, day, hour, topic);
                            wsum += w;
                        }
                    }
                }
            }
            out.push(SlotRate {
                weekday: day,
                hour,
                rate: if wsum > 0.0 { acc / wsum } else { 0.0 },
            });
        }
    }
    out.sort_by(|a, b| b.rate.total_cmp(&a.rate));
    out
}
