//! The report's languages: [`Lang`] (Spanish by default, English), number and date formatting,
//! and the names of the domain's enum values (decisions, grades, risk levels, weekdays…).
//! The fixed texts of the page are in [`labels`](crate::labels).

use crate::labels::{Labels, EN, ES};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use edupulse_core::churn::{Intervention, RiskLevel};
use edupulse_core::leads::{Grade, Track};
use edupulse_core::results::{OutboxStatus, Severity};
use edupulse_core::trends::{Decision, Emergence};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The language of the HTML report. Spanish is the default: the business speaks Spanish.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Spanish (`es`).
    #[default]
    Es,
    /// English (`en`).
    En,
}

impl Lang {
    /// Both languages, Spanish first.
    pub const ALL: [Lang; 2] = [Lang::Es, Lang::En];

    /// The BCP 47 code (`es`, `en`), as in `<html lang="…">`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

    /// The fixed texts of the page in this language.
    pub fn labels(self) -> &'static Labels {
        match self {
            Lang::Es => &ES,
            Lang::En => &EN,
        }
    }

    /// `x` with `decimals` decimals, the decimal separator of the language and thousands grouped
    /// (Spanish: `12.345,6`, groups only from five digits on as the RAE recommends; English:
    /// `12,345.6`). Not finite: `–`.
    pub fn num(self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return "–".to_string();
        }
        let s = format!("{:.*}", decimals, x.abs());
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let (group, point, min_digits) = match self {
            Lang::Es => ('.', ',', 5),
            Lang::En => (',', '.', 4),
        };
        let mut out = String::with_capacity(s.len() + 4);
        // "-0" and "-0,0" read badly: the sign only when the rounded number is not zero.
        if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
            out.push('-');
        }
        let digits: Vec<char> = int.chars().collect();
        for (i, c) in digits.iter().enumerate() {
            let left = digits.len() - i;
            if i > 0 && digits.len() >= min_digits && left.is_multiple_of(3) {
                out.push(group);
            }
            out.push(*c);
        }
        if !frac.is_empty() {
            out.push(point);
            out.push_str(frac);
        }
        out
    }

    /// An integer count.
    pub fn int(self, n: u64) -> String {
        self.num(n as f64, 0)
    }

    /// A share in [0, 1] as a percentage: `12,5 %` (Spanish, with a space) or `12.5%`.
    pub fn pct(self, share: f64, decimals: usize) -> String {
        self.percent(share * 100.0, decimals)
    }

    /// A number that already is a percentage: `12,5 %` / `12.5%`.
    pub fn percent(self, value: f64, decimals: usize) -> String {
        if !value.is_finite() {
            return "–".to_string();
        }
        match self {
            Lang::Es => format!("{}\u{a0}%", self.num(value, decimals)),
            Lang::En => format!("{}%", self.num(value, decimals)),
        }
    }

    /// A signed change in percent points of a share: `+12 %` / `+12%`.
    pub fn signed_pct(self, share: f64, decimals: usize) -> String {
        let p = self.pct(share, decimals);
        if share.is_finite() && share * 100.0 >= 0.5 * 10f64.powi(-(decimals as i32)) {
            format!("+{p}")
        } else {
            p
        }
    }

    /// An optional number, `–` when absent.
    pub fn opt_num(self, x: Option<f64>, decimals: usize) -> String {
        x.map_or_else(|| "–".to_string(), |x| self.num(x, decimals))
    }

    /// Why a person is a testimonial candidate (`certified`, `converted`,
    /// `certified_and_converted`).
    pub fn testimonial_reason(self, reason: &str) -> String {
        match (self, reason) {
            (Lang::Es, "certified") => "certificado".into(),
            (Lang::Es, "converted") => "compró".into(),
            (Lang::Es, "certified_and_converted") => "certificado y compró".into(),
            (Lang::En, "certified") => "certified".into(),
            (Lang::En, "converted") => "bought".into(),
            (Lang::En, "certified_and_converted") => "certified and bought".into(),
            (_, other) => other.to_string(),
        }
    }

    /// A feedback kind (`chat`, `question`, `survey`, `review`); another value as it is.
    pub fn feedback_source(self, kind: &str) -> String {
        let (es, en) = match kind {
            "chat" => ("chat", "chat"),
            "question" => ("pregunta", "question"),
            "survey" => ("encuesta", "survey"),
            "review" => ("reseña", "review"),
            other => return other.to_string(),
        };
        match self {
            Lang::Es => es,
            Lang::En => en,
        }
        .to_string()
    }

    /// The short weekday name of `weekday` (0 = Monday … 6 = Sunday): `lun`… / `Mon`….
    pub fn weekday(self, weekday: u32) -> &'static str {
        const ES_DAYS: [&str; 7] = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"];
        const EN_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let days = match self {
            Lang::Es => &ES_DAYS,
            Lang::En => &EN_DAYS,
        };
        days.get(weekday as usize).copied().unwrap_or("?")
    }

    /// A date as `2025-03-07`.
    pub fn date(self, d: NaiveDate) -> String {
        d.format("%Y-%m-%d").to_string()
    }

    /// A time (UTC) with its weekday: `vie 2025-03-07 18:00` / `Fri 2025-03-07 18:00`.
    pub fn datetime(self, t: DateTime<Utc>) -> String {
        format!(
            "{} {}",
            self.weekday(t.weekday().num_days_from_monday()),
            t.format("%Y-%m-%d %H:%M")
        )
    }

    /// A trend decision.
    pub fn decision(self, d: Decision) -> &'static str {
        match (self, d) {
            (Lang::Es, Decision::Rising) => "al alza",
            (Lang::Es, Decision::Stable) => "estable",
            (Lang::Es, Decision::Falling) => "a la baja",
            (Lang::Es, Decision::InsufficientData) => "datos insuficientes",
            (Lang::En, Decision::Rising) => "rising",
            (Lang::En, Decision::Stable) => "stable",
            (Lang::En, Decision::Falling) => "falling",
            (Lang::En, Decision::InsufficientData) => "insufficient data",
            // A value added to the core later: its own name.
            (_, d) => d.as_str(),
        }
    }

    /// An alert severity.
    pub fn severity(self, s: Severity) -> &'static str {
        match (self, s) {
            (Lang::Es, Severity::Low) => "baja",
            (Lang::Es, Severity::Medium) => "media",
            (Lang::Es, Severity::High) => "alta",
            (Lang::Es, Severity::Critical) => "crítica",
            (Lang::En, Severity::Low) => "low",
            (Lang::En, Severity::Medium) => "medium",
            (Lang::En, Severity::High) => "high",
            (Lang::En, Severity::Critical) => "critical",
            // A value added to the core later: its own name.
            (_, s) => s.as_str(),
        }
    }

    /// A related query's class.
    pub fn emergence(self, e: Emergence) -> &'static str {
        match (self, e) {
            (Lang::Es, Emergence::Breakout) => "aumento puntual",
            (Lang::Es, Emergence::Rising) => "en aumento",
            (Lang::En, Emergence::Breakout) => "breakout",
            (Lang::En, Emergence::Rising) => "rising",
            // A value added to the core later: its own name.
            (_, e) => e.as_str(),
        }
    }

    /// A churn risk level (the business's own words in Spanish).
    pub fn risk(self, r: RiskLevel) -> &'static str {
        match (self, r) {
            (Lang::Es, RiskLevel::Alto) => "Alto",
            (Lang::Es, RiskLevel::Medio) => "Medio",
            (Lang::Es, RiskLevel::Bajo) => "Bajo",
            (Lang::En, RiskLevel::Alto) => "High",
            (Lang::En, RiskLevel::Medio) => "Medium",
            (Lang::En, RiskLevel::Bajo) => "Low",
            // A value added to the core later: its own name.
            (_, r) => r.as_str(),
        }
    }

    /// A churn intervention.
    pub fn intervention(self, i: Intervention) -> &'static str {
        match (self, i) {
            (Lang::Es, i) => i.label(),
            (Lang::En, Intervention::OneToOneSession) => "1:1 session",
            (Lang::En, Intervention::PersonalisedResources) => "Personalised resources",
            (Lang::En, Intervention::Discount) => "Discount",
            // A value added to the core later: its own name.
            (_, i) => i.label(),
        }
    }

    /// The name of a next-step reason (`unmet_prerequisite`, `lowest_mastery`, `due_reviews`,
    /// `new_concept`); another value is shown as is.
    pub fn next_reason(self, reason: &str) -> String {
        let (es, en) = match reason {
            "unmet_prerequisite" => ("requisito previo sin dominar", "unmet prerequisite"),
            "lowest_mastery" => ("concepto con menor dominio", "lowest mastery"),
            "due_reviews" => ("repasos pendientes", "due reviews"),
            "new_concept" => ("concepto nuevo", "new concept"),
            other => return other.to_string(),
        };
        match self {
            Lang::Es => es,
            Lang::En => en,
        }
        .to_string()
    }

    /// A lead grade.
    pub fn grade(self, g: Grade) -> &'static str {
        match (self, g) {
            (Lang::Es, Grade::Hot) => "caliente",
            (Lang::Es, Grade::Warm) => "templado",
            (Lang::Es, Grade::Cold) => "frío",
            (Lang::En, Grade::Hot) => "hot",
            (Lang::En, Grade::Warm) => "warm",
            (Lang::En, Grade::Cold) => "cold",
            // A value added to the core later: its own name.
            (_, g) => g.as_str(),
        }
    }

    /// A nurture track.
    pub fn track(self, t: Track) -> &'static str {
        match (self, t) {
            (Lang::Es, Track::HighEngagementOffer) => "oferta (alto interés)",
            (Lang::Es, Track::EducationalNurturing) => "nutrición educativa",
            (Lang::Es, Track::ReEngagement) => "reactivación",
            (Lang::En, Track::HighEngagementOffer) => "high-engagement offer",
            (Lang::En, Track::EducationalNurturing) => "educational nurturing",
            (Lang::En, Track::ReEngagement) => "re-engagement",
            // A value added to the core later: its own name.
            (_, t) => t.as_str(),
        }
    }

    /// A notification's delivery status.
    pub fn status(self, s: OutboxStatus) -> &'static str {
        match (self, s) {
            (Lang::Es, OutboxStatus::Pending) => "pendiente",
            (Lang::Es, OutboxStatus::Sent) => "enviada",
            (Lang::Es, OutboxStatus::Failed) => "fallida",
            (Lang::En, OutboxStatus::Pending) => "pending",
            (Lang::En, OutboxStatus::Sent) => "sent",
            (Lang::En, OutboxStatus::Failed) => "failed",
            // A value added to the core later: its own name.
            (_, s) => s.as_str(),
        }
    }

    /// A funnel dimension (`industry`, `role`, `company_size`, `all`); others as they are.
    pub fn dimension(self, d: &str) -> String {
        let l = self.labels();
        match d {
            "industry" => l.dim_industry.to_string(),
            "role" => l.dim_role.to_string(),
            "company_size" => l.dim_company_size.to_string(),
            "all" => l.dim_all.to_string(),
            other => other.replace('_', " "),
        }
    }

    /// A target segment key (`industry/role/size`, `*` = any) as its set parts (`salud`,
    /// `salud · gerente`); `*/*/*` is "all registrants".
    pub fn target(self, key: &str) -> String {
        let parts: Vec<&str> = key
            .split('/')
            .filter(|p| *p != "*" && !p.is_empty())
            .collect();
        if parts.is_empty() {
            self.labels().all_registrants.to_string()
        } else {
            parts.join(" · ")
        }
    }

    /// A business metric's name (`attendance_rate`, `signups`…); unknown ones as they are.
    pub fn metric(self, name: &str) -> String {
        let es = match name {
            "attendance_rate" => "tasa de asistencia",
            "conversion_rate" => "tasa de conversión",
            "purchases" => "compras",
            "registrations" => "registros",
            "revenue" => "ingresos",
            "signups" => "altas",
            "active_students" => "estudiantes activos",
            other => other,
        };
        match self {
            Lang::Es => es.to_string(),
            Lang::En => name.replace('_', " "),
        }
    }

    /// A factor's value as the learner wrote it: numbers in this language's format (one
    /// decimal unless whole), anything else as it is.
    pub fn factor_value(self, value: &str) -> String {
        match value.parse::<f64>() {
            Ok(x) if x.is_finite() && x.fract() == 0.0 => self.num(x, 0),
            Ok(x) if x.is_finite() => self.num(x, 1),
            _ => value.to_string(),
        }
    }

    /// The scorer a lead model used (`rules` is translated; a model name is kept).
    pub fn scorer(self, used: &str) -> String {
        match (self, used) {
            (Lang::Es, "rules") => "reglas".to_string(),
            (_, other) => other.to_string(),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = crate::Error;

    /// `es` or `en` (any case, `es-ES`/`en-US` style tags too).
    fn from_str(s: &str) -> Result<Lang, crate::Error> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.split(['-', '_']).next() {
            Some("es") => Ok(Lang::Es),
            Some("en") => Ok(Lang::En),
            _ => Err(crate::Error::Lang(s.to_string())),
        }
    }
}

/// `template` with each `{}` replaced by the next of `args` (extra `{}` stay empty).
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut parts = template.split("{}");
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        out.push_str(args.get(i).copied().unwrap_or(""));
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally_in_both_languages() {
        assert_eq!(Lang::Es.num(1234.5, 1), "1234,5");
        assert_eq!(Lang::Es.num(12345.5, 1), "12.345,5");
        assert_eq!(Lang::Es.num(1234567.0, 0), "1.234.567");
        assert_eq!(Lang::En.num(1234.5, 1), "1,234.5");
        assert_eq!(Lang::En.num(-1234567.0, 0), "-1,234,567");
        assert_eq!(Lang::Es.num(-0.01, 1), "0,0");
        assert_eq!(Lang::Es.pct(0.125, 1), "12,5\u{a0}%");
        assert_eq!(Lang::En.pct(0.125, 1), "12.5%");
        assert_eq!(Lang::En.signed_pct(0.5, 0), "+50%");
        assert_eq!(Lang::En.signed_pct(-0.5, 0), "-50%");
        assert_eq!(Lang::Es.num(f64::NAN, 1), "–");
        assert_eq!(Lang::Es.weekday(2), "mié");
        assert_eq!(Lang::En.weekday(6), "Sun");
        assert_eq!(Lang::Es.weekday(9), "?");
    }

    #[test]
    fn languages_parse_and_default_to_spanish() {
        assert_eq!(Lang::default(), Lang::Es);
        assert_eq!("EN".parse::<Lang>().ok(), Some(Lang::En));
        assert_eq!("es-ES".parse::<Lang>().ok(), Some(Lang::Es));
        assert!("fr".parse::<Lang>().is_err());
        assert_eq!(fill("a {} b {}", &["1", "2"]), "a 1 b 2");
        assert_eq!(fill("{} x", &[]), " x");
    }
}
