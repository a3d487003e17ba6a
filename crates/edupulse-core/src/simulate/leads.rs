//! Leads: a latent purchase intent (from source and segment) drives every event — email opens and
//! clicks, webinar registrations, attendance and questions, pricing views, demo requests — and the
//! conversion probability is a known function of those events and the intent.

use super::dist::{
    bernoulli, entity_rng, exponential, make_times_distinct, normal, pick, pick_weighted, poisson,
    sigmoid, unif, Stream,
};
use super::webinars::{attend, between, registration_row, registration_time, Segment};
use super::{draw_seasonal_day, ts, Ctx, LeadTruth, DAY};
use crate::model::{Lead, LeadEvent, LeadEventKind, Purchase, Registration};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// First-touch lead sources and their share.
pub const SOURCES: &[(&str, f64)] = &[
    ("webinar", 0.30),
    ("ads", 0.25),
    ("organic", 0.20),
    ("referral", 0.10),
    ("linkedin", 0.15),
];
/// How long (seconds) a lead is nurtured after it is created.
const HORIZON: i64 = 90 * DAY;
/// Products a converting lead buys (EUR) and their share.
const PRICES: [(f64, f64); 3] = [(99.0, 0.30), (199.0, 0.45), (499.0, 0.25)];

/// Counts of a lead's events (before its purchase), the inputs of its conversion propensity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadEventCounts {
    /// `email_click` events.
    pub clicks: u32,
    /// `webinar_registered` events.
    pub registered: u32,
    /// `webinar_attended` events.
    pub attended: u32,
    /// `question_asked` events.
    pub questions: u32,
    /// `pricing_view` events.
    pub pricing: u32,
    /// `demo_request` events.
    pub demo: u32,
}

impl LeadEventCounts {
    /// Counts one event of `kind`; `true` when it is one of the counted kinds.
    fn count(&mut self, kind: LeadEventKind) -> bool {
        let n = match kind {
            LeadEventKind::EmailClick => &mut self.clicks,
            LeadEventKind::WebinarRegistered => &mut self.registered,
            LeadEventKind::WebinarAttended => &mut self.attended,
            LeadEventKind::QuestionAsked => &mut self.questions,
            LeadEventKind::PricingView => &mut self.pricing,
            LeadEventKind::DemoRequest => &mut self.demo,
            _ => return false,
        };
        *n += 1;
        true
    }
}

/// The true probability that a lead with latent `intent` (0–1) and these events converts:
/// `σ(−4.6 + 1.2·intent + 0.30·min(clicks, 4) + 0.15·min(registered, 3) + 0.70·min(attended, 2)
/// + 0.45·min(questions, 3) + 0.60·min(pricing, 3) + 1.50·min(demo, 1))`.
///
/// The simulator makes it the lead's probability of converting, causally: at creation the lead
/// buys with the propensity of no events, and after each event that raises the propensity from
/// `p` to `p'` it buys with probability `(p' − p) / (1 − p)`, so that P(bought by then) is the
/// propensity of the events so far. The purchase comes a couple of days after the triggering
/// event (and is only recorded inside the window); nurturing stops there.
pub fn conversion_propensity(intent: f64, c: &LeadEventCounts) -> f64 {
    let logit = -4.6
        + 1.2 * intent
        + 0.30 * f64::from(c.clicks.min(4))
        + 0.15 * f64::from(c.registered.min(3))
        + 0.70 * f64::from(c.attended.min(2))
        + 0.45 * f64::from(c.questions.min(3))
        + 0.60 * f64::from(c.pricing.min(3))
        + 1.50 * f64::from(c.demo.min(1));
    sigmoid(logit)
}

/// Latent intent on the logit scale: source and segment shift the mean.
fn intent_logit<R: Rng>(rng: &mut R, source: &str, seg: &Segment) -> f64 {
    let s = match source {
        "referral" => 0.9,
        "webinar" => 0.5,
        "linkedin" => 0.2,
        "ads" => -0.4,
        _ => 0.0,
    };
    let r = match seg.role {
        "director" => 0.35,
        "gerente" => 0.25,
        "desarrollador" => 0.05,
        "docente" => -0.1,
        "estudiante" => -0.6,
        _ => 0.0,
    };
    let z = match seg.size {
        "1000+" => 0.2,
        "201-1000" => 0.1,
        "1-10" => -0.1,
        _ => 0.0,
    };
    -1.0 + s + r + z + normal(rng)
}

/// Everything generated for a range of leads.
#[derive(Default)]
pub(crate) struct LeadsOut {
    pub leads: Vec<Lead>,
    pub events: Vec<LeadEvent>,
    pub registrations: Vec<Registration>,
    pub purchases: Vec<Purchase>,
    pub truth: Vec<LeadTruth>,
}

/// One event being built: time, kind, value, and the registration it belongs to (if any).
type Ev = (i64, LeadEventKind, Option<f64>, Option<usize>);

pub(crate) fn generate(ctx: &Ctx<'_>, range: std::ops::Range<usize>) -> LeadsOut {
    let mut out = LeadsOut::default();
    let mut ev: Vec<Ev> = Vec::new();
    let mut regs: Vec<Registration> = Vec::new();
    for j in range {
        let id = format!("l{:06}", j + 1);
        let mut rng = entity_rng(ctx.cfg.seed, Stream::LeadProfile, j as u64);
        let seg = Segment::draw(&mut rng);
        let source = pick(&mut rng, SOURCES);
        let intent = sigmoid(intent_logit(&mut rng, source, &seg));
        // A webinar lead is created when it registers for its first webinar.
        let first = if source == "webinar" && !ctx.webinars.is_empty() {
            let k = pick_weighted(&mut rng, ctx.webinars, |w| w.match_weight(&seg));
            ctx.webinars
                .get(k)
                .and_then(|w| registration_time(&mut rng, w.start, ctx.start).map(|t| (w, t)))
        } else {
            None
        };
        let created = match first {
            Some((_, t)) => t,
            None => {
                let day = draw_seasonal_day(&mut rng, ctx);
                ctx.start + day * DAY + rng.gen_range(6 * 3600..23 * 3600)
            }
        };
        let horizon = (created + HORIZON).min(ctx.end);
        // Interest fades over the weeks after the first touch.
        let q_at =
            |t: i64| intent * (0.35 + 0.65 * (-((t - created) as f64) / (40.0 * DAY as f64)).exp());

        out.leads.push(Lead {
            lead_id: id.clone(),
            email: format!("{id}@example.com"),
            source: source.to_string(),
            created_at: ts(created),
            industry: seg.industry.to_string(),
            role: seg.role.to_string(),
        });

        let mut rng = entity_rng(ctx.cfg.seed, Stream::LeadEvents, j as u64);
        ev.clear();
        regs.clear();
        let webinar = |rng: &mut rand_chacha::ChaCha8Rng,
                       w: &super::webinars::WebinarPlan,
                       reg_at: i64,
                       ev: &mut Vec<Ev>,
                       regs: &mut Vec<Registration>| {
            let q = q_at(w.start);
            let o = attend(rng, w, &seg, q);
            let k = Some(regs.len());
            ev.push((reg_at, LeadEventKind::WebinarRegistered, None, k));
            regs.push(registration_row(w, &id, &seg, reg_at, &o));
            if o.attended {
                ev.push((
                    w.start + rng.gen_range(0..300),
                    LeadEventKind::WebinarAttended,
                    Some(o.minutes),
                    k,
                ));
                let span = (o.minutes * 60.0) as i64;
                for _ in 0..o.questions {
                    let at = w.start + 300 + rng.gen_range(0..span.max(1));
                    ev.push((at, LeadEventKind::QuestionAsked, None, k));
                }
                if bernoulli(rng, 0.15 + 0.5 * q) {
                    let at = w.start + i64::from(w.duration_min) * 60 + rng.gen_range(60..2 * DAY);
                    ev.push((at, LeadEventKind::PricingView, None, None));
                    if bernoulli(rng, 0.05 + 0.4 * q * q) {
                        ev.push((
                            at + rng.gen_range(60..1800),
                            LeadEventKind::DemoRequest,
                            None,
                            None,
                        ));
                    }
                }
            }
        };
        if let Some((w, t)) = first {
            webinar(&mut rng, w, t, &mut ev, &mut regs);
        }
        // Weekly newsletter.
        let mut send = created + DAY + rng.gen_range(0..3600);
        while send < horizon {
            let q = q_at(send);
            if bernoulli(&mut rng, 0.1 + 0.55 * q) {
                let open = send + 60 + exponential(&mut rng, 6.0 * 3600.0) as i64;
                ev.push((open, LeadEventKind::EmailOpen, None, None));
                if bernoulli(&mut rng, 0.08 + 0.45 * q) {
                    let click = open + rng.gen_range(10..300);
                    ev.push((click, LeadEventKind::EmailClick, None, None));
                    if bernoulli(&mut rng, 0.15 + 0.4 * q) {
                        let view = click + rng.gen_range(30..600);
                        ev.push((view, LeadEventKind::PricingView, None, None));
                        if bernoulli(&mut rng, 0.05 + 0.4 * q * q) {
                            ev.push((
                                view + rng.gen_range(60..1800),
                                LeadEventKind::DemoRequest,
                                None,
                                None,
                            ));
                        }
                    }
                }
            }
            send += 7 * DAY;
        }
        // Further webinars.
        let first_id = first.map(|(w, _)| w.id.as_str());
        for w in between(ctx.webinars, created + 3600, horizon) {
            if Some(w.id.as_str()) == first_id {
                continue;
            }
            let p = (0.03 * (0.3 + 2.0 * q_at(w.start)) * w.match_weight(&seg)).min(0.9);
            if !bernoulli(&mut rng, p) {
                continue;
            }
            if let Some(reg_at) = registration_time(&mut rng, w.start, created) {
                webinar(&mut rng, w, reg_at, &mut ev, &mut regs);
            }
        }
        // Pricing visits on their own.
        for _ in 0..poisson(&mut rng, 0.6 * intent) {
            let at = created + (unif(&mut rng) * (horizon - created).max(1) as f64) as i64;
            ev.push((at, LeadEventKind::PricingView, None, None));
        }

        ev.retain(|e| e.0 < ctx.end);
        ev.sort_by_key(|e| (e.0, e.1));
        let mut c = LeadEventCounts::default();
        for e in ev.iter() {
            c.count(e.1);
        }
        let propensity = conversion_propensity(intent, &c);
        // The decision is causal: the lead may buy at its creation (with the propensity of no
        // events) and then after each event that raises the propensity, with the chance that
        // takes P(bought by now) from the propensity before the event to the one after it. So
        // P(converts) is `propensity` (of all the window's events), but only events up to the
        // trigger decide *when*: the purchase follows the triggering event by a couple of days.
        let mut anchor = None;
        let mut seen = LeadEventCounts::default();
        let mut p_before = conversion_propensity(intent, &seen);
        if bernoulli(&mut rng, p_before) {
            anchor = Some(created);
        } else {
            for e in ev.iter() {
                if !seen.count(e.1) {
                    continue;
                }
                let p = conversion_propensity(intent, &seen);
                if p > p_before {
                    if bernoulli(&mut rng, (p - p_before) / (1.0 - p_before)) {
                        anchor = Some(e.0);
                        break;
                    }
                    p_before = p;
                }
            }
        }
        let mut purchase: Option<(i64, f64)> = None;
        if let Some(anchor) = anchor {
            let at = anchor + 300 + exponential(&mut rng, 2.0 * DAY as f64) as i64;
            let amount = PRICES[pick_weighted(&mut rng, &PRICES, |p| p.1)].0;
            if at < ctx.end {
                // Nurturing stops at the purchase: later events never happen, and neither do
                // registrations after it; a webinar the lead registered for before buying is
                // still attended as its registration row says.
                let mut kept = vec![false; regs.len()];
                for e in ev.iter() {
                    if let (LeadEventKind::WebinarRegistered, Some(x)) =
                        (e.1, e.3.and_then(|k| kept.get_mut(k)))
                    {
                        *x = e.0 <= at;
                    }
                }
                ev.retain(|e| {
                    e.0 <= at
                        || (matches!(
                            e.1,
                            LeadEventKind::WebinarAttended | LeadEventKind::QuestionAsked
                        ) && e.3.and_then(|k| kept.get(k).copied()).unwrap_or(false))
                });
                let mut k = 0;
                regs.retain(|_| {
                    k += 1;
                    kept.get(k - 1).copied().unwrap_or(false)
                });
                // Re-index the registrations the remaining events point to.
                let mut new_index = Vec::with_capacity(kept.len());
                let mut n = 0;
                for &x in &kept {
                    new_index.push(n);
                    n += usize::from(x);
                }
                for e in ev.iter_mut() {
                    e.3 = e.3.and_then(|k| new_index.get(k).copied());
                }
                ev.push((at, LeadEventKind::Purchase, Some(amount), None));
                purchase = Some((at, amount));
            }
        }
        ev.sort_by_key(|e| (e.0, e.1));
        make_times_distinct(&mut ev, |e| &mut e.0);
        let mut converted_at = None;
        for e in ev.iter() {
            if let (LeadEventKind::WebinarRegistered, Some(r)) =
                (e.1, e.3.and_then(|k| regs.get_mut(k)))
            {
                r.registered_at = ts(e.0);
            }
            if e.1 == LeadEventKind::Purchase {
                converted_at = Some(e.0);
            }
            out.events.push(LeadEvent {
                lead_id: id.clone(),
                at: ts(e.0),
                kind: e.1,
                value: e.2,
            });
        }
        if let (Some(at), Some((_, amount))) = (converted_at, purchase) {
            out.purchases.push(Purchase {
                customer_id: id.clone(),
                at: ts(at),
                amount,
                currency: Some("EUR".to_string()),
            });
        }
        out.registrations.append(&mut regs);
        out.truth.push(LeadTruth {
            lead_id: id,
            intent,
            conversion_propensity: propensity,
            converted: converted_at.is_some(),
            converted_at: converted_at.map(ts),
        });
    }
    out
}
