//! Students: enrolment, a latent engagement that really decays before churn, the activity it
//! drives, webinar registrations, purchases (a BG/NBD-like repeat-buying process) and, for the
//! learners who use flashcards, reviews that follow the memory model.

use super::assessments::Event;
use super::catalog::{FIRST_NAMES, LAST_NAMES};
use super::dist::{
    bernoulli, beta, entity_rng, exponential, gamma, lognormal, make_times_distinct, pick_weighted,
    poisson, unif, unif_in, Stream,
};
use super::memory::{simulate_reviews, Learner};
use super::webinars::{attend, between, registration_row, registration_time, Segment};
use super::{draw_seasonal_day, hour_of, season_factor, ts, weekday_of, Ctx, StudentTruth, DAY};
use crate::model::{
    Activity, ActivityKind, Purchase, Registration, Review, Student, StudentAttribute,
};
use rand::Rng;

/// Sessions per day of an average student (engagement 1) in an average hour and weekday.
const SESSIONS_PER_DAY: f64 = 0.075;
/// Every student stays at least this long (seconds) before they can churn.
const MIN_LIFETIME: i64 = 14 * DAY;
/// Relative activity by hour of day (UTC), before normalisation to mean 1.
const HOUR_WEIGHTS: [f64; 24] = [
    0.15, 0.05, 0.02, 0.02, 0.02, 0.05, 0.2, 0.5, 0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 1.0, 0.9, 0.9, 1.0,
    1.3, 1.7, 2.0, 1.9, 1.4, 0.6,
];
/// Relative activity by weekday (Monday first).
const WEEKDAY_WEIGHTS: [f64; 7] = [1.1, 1.1, 1.05, 1.0, 0.85, 0.75, 0.95];
/// Course price tiers (EUR), the number of lessons of each course and its share of students.
pub(crate) const COURSES: [(f64, u32, f64); 3] =
    [(99.0, 10, 0.30), (199.0, 20, 0.45), (499.0, 32, 0.25)];
/// Repeat-purchase price tiers (EUR).
const REPEAT_TIERS: [f64; 3] = [49.0, 99.0, 199.0];

/// Everything generated for a range of students.
#[derive(Default)]
pub(crate) struct StudentsOut {
    pub students: Vec<Student>,
    pub activity: Vec<Activity>,
    pub purchases: Vec<Purchase>,
    pub registrations: Vec<Registration>,
    pub reviews: Vec<Review>,
    pub attributes: Vec<StudentAttribute>,
    pub truth: Vec<StudentTruth>,
}

/// A student's latent state.
struct Latent {
    enrolled: i64,
    engagement: f64,
    churn_at: Option<i64>,
    decline_start: i64,
    stop: i64,
}

impl Latent {
    /// Engagement at `t`: the baseline, a novelty boost in the first weeks, and for students who
    /// churn a decline to zero over the weeks before they stop; zero after they stop.
    fn at(&self, t: i64) -> f64 {
        if t >= self.stop || t < self.enrolled {
            return 0.0;
        }
        let weeks = (t - self.enrolled) as f64 / DAY as f64 / 30.0;
        let novelty = 0.75 + 0.6 * (-weeks).exp();
        let decline = match self.churn_at {
            Some(c) if t > self.decline_start && c > self.decline_start => ((c - t) as f64
                / (c - self.decline_start) as f64)
                .clamp(0.0, 1.0)
                .powf(1.5),
            _ => 1.0,
        };
        self.engagement * novelty * decline
    }
}

pub(crate) fn generate(ctx: &Ctx<'_>, range: std::ops::Range<usize>) -> StudentsOut {
    let mut out = StudentsOut::default();
    let hour_mean = HOUR_WEIGHTS.iter().sum::<f64>() / 24.0;
    let week_mean = WEEKDAY_WEIGHTS.iter().sum::<f64>() / 7.0;
    let mut events: Vec<Event> = Vec::new();
    for i in range {
        let id = format!("s{:06}", i + 1);
        let mut rng = entity_rng(ctx.cfg.seed, Stream::StudentProfile, i as u64);
        let seg = Segment::draw(&mut rng);
        let name = format!(
            "{} {} {}",
            FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())],
            LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())],
            LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())]
        );
        let day = draw_seasonal_day(&mut rng, ctx);
        let enrolled = ctx.start + day * DAY + rng.gen_range(7 * 3600..23 * 3600);
        let engagement = gamma(&mut rng, 4.0, 0.25);
        let role_f = match seg.role {
            "estudiante" => 0.7,
            "docente" => 0.9,
            "director" => 1.2,
            "desarrollador" => 1.1,
            _ => 1.0,
        };
        let size_f = match seg.size {
            "1-10" => 0.85,
            "1000+" => 1.25,
            "201-1000" => 1.1,
            _ => 1.0,
        };
        let mean_life_days = 300.0 * engagement.powf(0.7) * role_f * size_f;
        let life = MIN_LIFETIME + (gamma(&mut rng, 1.5, mean_life_days / 1.5) * DAY as f64) as i64;
        let churn = enrolled + life;
        let churn_at = (churn < ctx.end).then_some(churn);
        let decline_len = (unif_in(&mut rng, 21.0, 56.0) * DAY as f64) as i64;
        let decline_start = (churn - decline_len).max(enrolled);
        let stop = churn.min(ctx.end);
        let lat = Latent {
            enrolled,
            engagement,
            churn_at,
            decline_start,
            stop,
        };
        let reviewer = bernoulli(&mut rng, ctx.cfg.reviewers_fraction);
        let memory_factor = lognormal(&mut rng, 0.0, ctx.memory.learner_sd);
        let course = pick_weighted(&mut rng, &COURSES, |c| c.2);
        let (price, lessons, _) = COURSES[course];

        out.students.push(Student {
            student_id: id.clone(),
            email: format!("{id}@example.com"),
            name,
            industry: seg.industry.to_string(),
            role: seg.role.to_string(),
            company_size: seg.size.to_string(),
            enrolled_at: ts(enrolled),
        });

        // Activity: sessions from a thinned Poisson process whose intensity is the engagement
        // times hour-of-day, weekday and business-season profiles.
        events.clear();
        let mut rng = entity_rng(ctx.cfg.seed, Stream::StudentActivity, i as u64);
        let hmax = HOUR_WEIGHTS.iter().copied().fold(0.0, f64::max) / hour_mean;
        let wmax = WEEKDAY_WEIGHTS.iter().copied().fold(0.0, f64::max) / week_mean;
        let lam_max = SESSIONS_PER_DAY * engagement * 1.35 * hmax * wmax * 1.3;
        let mut t = enrolled as f64;
        let mut lessons_done = 0u32;
        let mut certified = false;
        if lam_max > 0.0 {
            loop {
                t += exponential(&mut rng, DAY as f64 / lam_max);
                let s = t as i64;
                if s >= stop {
                    break;
                }
                let lam = SESSIONS_PER_DAY
                    * lat.at(s)
                    * (HOUR_WEIGHTS[hour_of(s) as usize] / hour_mean)
                    * (WEEKDAY_WEIGHTS[weekday_of(s).num_days_from_monday() as usize] / week_mean)
                    * season_factor(s);
                if unif(&mut rng) * lam_max >= lam {
                    continue;
                }
                session(
                    &mut rng,
                    s,
                    engagement,
                    lessons,
                    &mut lessons_done,
                    &mut certified,
                    &mut events,
                );
            }
        }

        // Webinars: registration likelier when engaged and targeted; attendance follows the
        // attendance model.
        let mut rng = entity_rng(ctx.cfg.seed, Stream::StudentWebinars, i as u64);
        for w in between(ctx.webinars, enrolled + 3600, stop) {
            let p = (0.02 * lat.at(w.start) * w.match_weight(&seg)).min(0.9);
            if !bernoulli(&mut rng, p) {
                continue;
            }
            let Some(reg_at) = registration_time(&mut rng, w.start, enrolled) else {
                continue;
            };
            let o = attend(&mut rng, w, &seg, (lat.at(w.start) / 2.0).min(1.0));
            out.registrations
                .push(registration_row(w, &id, &seg, reg_at, &o));
            if o.attended {
                let at = w.start + rng.gen_range(0..300);
                events.push((at, ActivityKind::WebinarAttended, Some(o.minutes), None));
            }
        }

        // Assessments: the student's cohort, attributes and submissions (own stream).
        let course_rows = super::assessments::student(
            ctx,
            i,
            &id,
            &COURSES,
            course,
            enrolled,
            stop,
            engagement,
            |t| lat.at(t),
        );
        out.attributes.extend(course_rows.attributes);
        events.extend(course_rows.submissions);

        events.retain(|e| e.0 < stop);
        events.sort_by_key(|e| (e.0, e.1));
        make_times_distinct(&mut events, |e| &mut e.0);
        out.activity
            .extend(events.drain(..).map(|(at, kind, value, ref_id)| Activity {
                student_id: id.clone(),
                at: ts(at),
                kind,
                value,
                ref_id,
            }));

        // Purchases: the course at enrolment, then repeat purchases at rate λ, each followed by a
        // dropout with probability p (BG/NBD), and none after the student churns.
        let mut rng = entity_rng(ctx.cfg.seed, Stream::StudentPurchases, i as u64);
        let rate = gamma(&mut rng, 2.0, 1.0 / (2.0 * 75.0)).max(1e-9);
        let dropout = beta(&mut rng, 1.2, 3.5);
        let spend = gamma(&mut rng, 6.0, 1.0 / 6.0);
        let mut buys = vec![(enrolled, price)];
        let mut alive = true;
        let mut t = enrolled as f64;
        loop {
            t += exponential(&mut rng, DAY as f64 / rate);
            if t as i64 >= stop {
                break;
            }
            let tier = pick_weighted(&mut rng, &REPEAT_TIERS, |&p| match p as u32 {
                49 => 1.0 / spend,
                99 => 1.0,
                _ => spend * spend,
            });
            buys.push((t as i64, REPEAT_TIERS[tier]));
            if bernoulli(&mut rng, dropout) {
                alive = false;
                break;
            }
        }
        make_times_distinct(&mut buys, |b| &mut b.0);
        out.purchases.extend(
            buys.iter()
                .filter(|b| b.0 < stop)
                .map(|&(at, amount)| Purchase {
                    customer_id: id.clone(),
                    at: ts(at),
                    amount,
                    currency: Some("EUR".to_string()),
                }),
        );

        // Reviews.
        if reviewer && ctx.cfg.cards_per_student > 0 && !ctx.deck.is_empty() {
            let mut rng = entity_rng(ctx.cfg.seed, Stream::StudentReviews, i as u64);
            let n = ctx.cfg.cards_per_student.min(ctx.deck.len());
            let cards = rand::seq::index::sample(&mut rng, ctx.deck.len(), n).into_vec();
            let study_hour = [7.5, 8.0, 13.5, 19.0, 20.5, 21.5, 22.0][rng.gen_range(0..7)];
            let first_day = (enrolled - ctx.start).div_euclid(DAY) + rng.gen_range(0..7);
            let learner = Learner {
                student_id: &id,
                cards,
                factor: memory_factor,
                study_time: (study_hour * 3600.0) as i64,
                first_day: ctx.start + first_day * DAY,
                stop,
            };
            let p_study = |t: i64| (0.3 + 0.35 * lat.at(t)).clamp(0.0, 0.9);
            simulate_reviews(
                &mut rng,
                ctx.memory,
                ctx.deck,
                &learner,
                p_study,
                &mut out.reviews,
            );
        }

        out.truth.push(StudentTruth {
            student_id: id,
            engagement,
            expected_lifetime_days: 14.0 + mean_life_days,
            churned: churn_at.is_some(),
            churned_at: churn_at.map(ts),
            decline_start: churn_at.map(|_| ts(decline_start)),
            completed: certified,
            purchase_rate_per_day: rate,
            dropout_probability: dropout,
            purchase_alive: alive && churn_at.is_none(),
            reviewer,
            memory_factor,
        });
    }
    out
}

/// One study session starting at `t`: a login, some lessons, maybe a quiz, social actions, and
/// the certificate when the course's last lesson is done.
fn session<R: Rng>(
    rng: &mut R,
    t: i64,
    engagement: f64,
    course_lessons: u32,
    lessons_done: &mut u32,
    certified: &mut bool,
    events: &mut Vec<Event>,
) {
    events.push((t, ActivityKind::Login, None, None));
    let e = engagement.min(2.5);
    let n = poisson(rng, 1.0 * (0.6 + 0.4 * e));
    let mut at = t;
    for _ in 0..n {
        let secs = rng.gen_range(240..1500);
        at += secs;
        events.push((
            at,
            ActivityKind::LessonCompleted,
            Some((secs as f64 / 6.0).round() / 10.0),
            None,
        ));
    }
    *lessons_done += n;
    if n > 0 && bernoulli(rng, 0.35) {
        at += rng.gen_range(60..600);
        let score = (62.0 + 30.0 * unif(rng) + 4.0 * e).min(100.0).round();
        events.push((at, ActivityKind::QuizPassed, Some(score), None));
    }
    if !*certified && *lessons_done >= course_lessons {
        *certified = true;
        at += 60;
        events.push((at, ActivityKind::Certificate, None, None));
    }
    for (kind, p) in [
        (ActivityKind::Comment, 0.06 * e),
        (ActivityKind::Post, 0.02 * e),
        (ActivityKind::Share, 0.025 * e),
        (ActivityKind::Referral, 0.006 * e),
    ] {
        if bernoulli(rng, p) {
            events.push((t + rng.gen_range(30..1800), kind, None, None));
        }
    }
}
