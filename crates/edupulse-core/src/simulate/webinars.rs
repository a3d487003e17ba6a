//! The webinar programme and the registration / attendance process shared by leads and students.

use super::attendance::{expected_attendance_rate, WEBINAR_DAYS, WEBINAR_HOURS};
use super::catalog::{COMPANY_SIZES, INDUSTRIES, ROLES, TOPICS};
use super::dist::{bernoulli, entity_rng, exponential, pick, pick_weighted, poisson, unif, Stream};
use super::{ts, weekday_of, SimConfig, DAY};
use crate::model::{Registration, Webinar};
use chrono::Weekday;
use rand::Rng;

/// A person's segment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment {
    pub industry: &'static str,
    pub role: &'static str,
    pub size: &'static str,
}

impl Segment {
    /// A segment drawn from the population shares.
    pub fn draw<R: Rng>(rng: &mut R) -> Segment {
        Segment {
            industry: pick(rng, INDUSTRIES),
            role: pick(rng, ROLES),
            size: pick(rng, COMPANY_SIZES),
        }
    }
}

/// A scheduled webinar (internal form).
#[derive(Debug, Clone)]
pub(crate) struct WebinarPlan {
    pub id: String,
    pub start: i64,
    pub duration_min: u32,
    pub weekday: Weekday,
    pub hour: u32,
    pub topic: &'static str,
    pub title: String,
    pub industry: Option<&'static str>,
    pub role: Option<&'static str>,
    pub size: Option<&'static str>,
}

impl WebinarPlan {
    /// How much more likely a person of `seg` is to register than an average person: webinars
    /// that target a segment draw it, and draw other segments less.
    pub fn match_weight(&self, seg: &Segment) -> f64 {
        let f = |target: Option<&str>, mine: &str, hit: f64, miss: f64| match target {
            None => 1.0,
            Some(t) if t == mine => hit,
            Some(_) => miss,
        };
        f(self.industry, seg.industry, 2.5, 0.6)
            * f(self.role, seg.role, 1.8, 0.7)
            * f(self.size, seg.size, 1.4, 0.85)
    }

    /// The true attendance probability of a registrant of `seg`.
    pub fn rate(&self, seg: &Segment) -> f64 {
        expected_attendance_rate(
            seg.industry,
            seg.role,
            seg.size,
            self.weekday,
            self.hour,
            self.topic,
        )
    }
}

/// The programme: `n` webinars spread over the history, weekdays and hours drawn from the
/// business's scheduling habits, sorted by start and numbered `w0001…` in that order.
pub(crate) fn schedule(cfg: &SimConfig, start: i64, n: usize) -> Vec<WebinarPlan> {
    let days = i64::from(cfg.days);
    let max_w = WEBINAR_DAYS.iter().map(|d| d.1).fold(0.0, f64::max);
    let mut plans: Vec<(i64, usize, WebinarPlan)> = (0..n)
        .map(|i| {
            let mut rng = entity_rng(cfg.seed, Stream::Webinar, i as u64);
            // A day, accepted with the weight of its weekday (bounded tries for tiny windows).
            let mut day = 0;
            for _ in 0..64 {
                day = rng.gen_range(0..days);
                let wd = weekday_of(start + day * DAY);
                let w = WEBINAR_DAYS.iter().find(|d| d.0 == wd).map_or(0.0, |d| d.1);
                if unif(&mut rng) * max_w < w {
                    break;
                }
            }
            let hour = rng.gen_range(*WEBINAR_HOURS.start()..=*WEBINAR_HOURS.end());
            let minute = if bernoulli(&mut rng, 0.25) { 30 } else { 0 };
            let at = start + day * DAY + i64::from(hour) * 3600 + minute * 60;
            let t = pick_weighted(&mut rng, TOPICS, |t| t.2);
            let (topic, topic_title, _) = TOPICS[t];
            let industry = bernoulli(&mut rng, 0.6).then(|| pick(&mut rng, INDUSTRIES));
            let role = bernoulli(&mut rng, 0.45).then(|| pick(&mut rng, ROLES));
            let size = bernoulli(&mut rng, 0.25).then(|| pick(&mut rng, COMPANY_SIZES));
            let duration_min = [45, 60, 90][pick_weighted(&mut rng, &[0.3, 0.5, 0.2], |w| *w)];
            let title = match industry {
                Some(ind) => format!("{topic_title} para {ind}"),
                None => topic_title.to_string(),
            };
            let plan = WebinarPlan {
                id: String::new(),
                start: at,
                duration_min,
                weekday: weekday_of(at),
                hour,
                topic,
                title,
                industry,
                role,
                size,
            };
            (at, i, plan)
        })
        .collect();
    plans.sort_by_key(|p| (p.0, p.1));
    plans
        .into_iter()
        .enumerate()
        .map(|(rank, (_, _, mut p))| {
            p.id = format!("w{:04}", rank + 1);
            p
        })
        .collect()
}

/// The `webinars` rows.
pub(crate) fn rows(plans: &[WebinarPlan]) -> Vec<Webinar> {
    plans
        .iter()
        .map(|p| Webinar {
            webinar_id: p.id.clone(),
            title: p.title.clone(),
            topic: p.topic.to_string(),
            starts_at: ts(p.start),
            duration_min: p.duration_min,
            industry: p.industry.map(str::to_string),
            role: p.role.map(str::to_string),
            company_size: p.size.map(str::to_string),
            timezone: None,
        })
        .collect()
}

/// The webinars starting in `[from, to)` (plans are sorted by start).
pub(crate) fn between(plans: &[WebinarPlan], from: i64, to: i64) -> &[WebinarPlan] {
    let a = plans.partition_point(|p| p.start < from);
    let b = plans.partition_point(|p| p.start < to).max(a);
    &plans[a..b]
}

/// When a person registers for a webinar starting at `start`: an exponential lead time (mean
/// three days, at least 30 minutes); when that falls before `earliest` (the person did not exist
/// yet, or the history had not begun), uniformly between `earliest` and 30 minutes before the
/// start. `None` if there is no time left.
pub(crate) fn registration_time<R: Rng>(rng: &mut R, start: i64, earliest: i64) -> Option<i64> {
    let lead = 1800.0 + exponential(rng, 3.0 * DAY as f64);
    let t = start - lead.round() as i64;
    if t >= earliest {
        return Some(t);
    }
    let latest = if start - 1800 > earliest {
        start - 1800
    } else {
        start - 60
    };
    (latest > earliest).then(|| rng.gen_range(earliest..latest))
}

/// What a registrant did at the webinar.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outcome {
    pub attended: bool,
    pub minutes: f64,
    pub questions: u32,
    pub polls: u32,
    pub chat: u32,
}

/// Draw attendance (Bernoulli of the true rate) and, for attendees, how much they took part;
/// `engagement` in [0, 1] scales minutes watched, questions, polls and chat (not attendance).
pub(crate) fn attend<R: Rng>(
    rng: &mut R,
    w: &WebinarPlan,
    seg: &Segment,
    engagement: f64,
) -> Outcome {
    let attended = bernoulli(rng, w.rate(seg));
    if !attended {
        return Outcome {
            attended,
            minutes: 0.0,
            questions: 0,
            polls: 0,
            chat: 0,
        };
    }
    let e = engagement.clamp(0.0, 1.0);
    let share = (0.30 + 0.55 * e + 0.35 * (unif(rng) - 0.5)).clamp(0.05, 1.0);
    let minutes = (f64::from(w.duration_min) * share * 10.0).round().max(10.0) / 10.0;
    Outcome {
        attended,
        minutes,
        questions: poisson(rng, 0.1 + 0.9 * e).min(6),
        polls: poisson(rng, 0.6 + 1.6 * e).min(5),
        chat: poisson(rng, 0.4 + 3.0 * e).min(25),
    }
}

/// A `registrations` row.
pub(crate) fn registration_row(
    w: &WebinarPlan,
    person_id: &str,
    seg: &Segment,
    registered_at: i64,
    o: &Outcome,
) -> Registration {
    Registration {
        webinar_id: w.id.clone(),
        person_id: person_id.to_string(),
        registered_at: ts(registered_at),
        industry: seg.industry.to_string(),
        role: seg.role.to_string(),
        company_size: seg.size.to_string(),
        attended: o.attended,
        minutes_watched: Some(o.minutes),
        questions: Some(o.questions),
        polls: Some(o.polls),
        chat_messages: Some(o.chat),
    }
}
