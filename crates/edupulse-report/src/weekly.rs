//! The weekly report's HTML page (the digest of one ISO week,
//! [`edupulse_core::kpi::weekly::WeeklyReport`]), in Spanish or English; its JSON is the
//! report's serde form. Self-contained like the daily report: inline CSS, no script.

use crate::html::{close_table, empty, esc, h3, open_table, row, CSS};
use crate::lang::{fill, Lang};
use edupulse_core::kpi::weekly::WeeklyReport;
use std::fmt::Write as _;

/// The display name of KPI `id` in `lang`.
pub fn kpi_name(lang: Lang, id: &str) -> &'static str {
    let (es, en) = match id {
        "attendance_rate" => ("Asistencia", "Attendance rate"),
        "conversion_rate" => ("Conversión webinar → curso", "Webinar → course conversion"),
        "completion_rate" => ("Finalización", "Completion rate"),
        "certification_rate" => ("Certificación", "Certification rate"),
        "monthly_churn_rate" => ("Abandono mensual", "Monthly churn"),
        "ltv" => ("Valor de vida (LTV)", "Lifetime value (LTV)"),
        "referral_rate" => ("Referidos", "Referral rate"),
        "participation_rate" => ("Participación en la comunidad", "Community participation"),
        "engagement" => ("Compromiso (0–10)", "Engagement (0–10)"),
        "minutes_per_week" => ("Minutos por semana", "Minutes per week"),
        "lead_growth" => ("Crecimiento de leads", "Lead growth"),
        "revenue_per_webinar" => ("Ingresos por webinar", "Revenue per webinar"),
        "first_interaction_hours" => (
            "Horas hasta la primera interacción",
            "Hours to first interaction",
        ),
        "revenue" => ("Ingresos", "Revenue"),
        "new_enrolments" => ("Nuevas matrículas", "New enrolments"),
        "active_students" => ("Estudiantes activos", "Active students"),
        "webinars_held" => ("Webinars realizados", "Webinars held"),
        _ => ("?", "?"),
    };
    match lang {
        Lang::Es => es,
        Lang::En => en,
    }
}

/// The likely causes of a missed KPI `id` in `lang` (the scorecard's diagnosis rules;
/// English is `edupulse_core::kpi::targets::KPIS`).
pub fn kpi_causes(lang: Lang, id: &str, english: &str) -> String {
    if lang == Lang::En {
        return english.to_string();
    }
    match id {
        "attendance_rate" => "día u hora poco adecuados para el público; recordatorios no enviados o demasiado pronto; tema que no encaja con el segmento inscrito",
        "conversion_rate" => "oferta que no encaja con el segmento; leads calientes sin contactar a tiempo; seguimiento débil tras el webinar",
        "completion_rate" => "estudiantes atascados en conceptos; lecciones demasiado largas; sin seguimiento de los inactivos",
        "certification_rate" => "requisitos de certificación fuera de alcance; no se avisa a quien está cerca de lo que le falta",
        "monthly_churn_rate" => "poco compromiso en las primeras semanas; dificultad del contenido; sin contacto 1:1 con los estudiantes en riesgo",
        "ltv" => "pocas compras repetidas; ofertas de entrada de bajo precio; clientes perdidos pronto",
        "referral_rate" => "sin incentivo para referir; satisfacción baja; no se invita a compartir tras los logros",
        "participation_rate" => "comunidad sin preguntas iniciales; sin puntos ni insignias por participar; no se presenta el foro a los estudiantes",
        "engagement" => "correos sin abrir ni clicar; webinars sin preguntas ni encuestas; leads que se enfrían",
        "minutes_per_week" => "lecciones no planificadas en la semana; repasos atrasados; contenido demasiado largo para empezar",
        "lead_growth" => "temas de webinar que no siguen las búsquedas en alza; menos webinars; canales de captación que se frenan",
        "revenue_per_webinar" => "asistencia o conversión bajas por webinar; webinars para segmentos que no compran",
        "first_interaction_hours" => "leads nuevos sin contactar; correo de bienvenida ausente o lento",
        _ => english,
    }
    .to_string()
}

/// A KPI value in its unit (rates and growth as percentages), "–" when missing.
pub fn value(lang: Lang, unit: &str, v: Option<f64>) -> String {
    match (unit, v) {
        (_, None) => "–".to_string(),
        ("rate" | "growth", Some(x)) => lang.pct(x, 1),
        ("score" | "hours" | "minutes", Some(x)) => lang.num(x, 1),
        (_, Some(x)) => lang.num(x, 0),
    }
}

/// A scorecard status (`on_track`, `at_risk`, `missed`) in `lang`; "–" for the others.
pub fn status(lang: Lang, s: &str) -> &'static str {
    match (lang, s) {
        (Lang::Es, "on_track") => "en camino",
        (Lang::Es, "at_risk") => "en riesgo",
        (Lang::Es, "missed") => "no alcanzado",
        (Lang::En, "on_track") => "on track",
        (Lang::En, "at_risk") => "at risk",
        (Lang::En, "missed") => "missed",
        _ => "–",
    }
}

/// The HTML page of `report` in `lang`.
pub fn weekly_html(report: &WeeklyReport, lang: Lang) -> String {
    let l = lang.labels();
    let mut h = String::with_capacity(16 * 1024);
    // The week's Monday and Sunday from its ISO name: `start`/`end` are the local midnights
    // as instants, whose UTC dates are a day early east of UTC.
    let monday = edupulse_core::kpi::weekly::parse_week(&report.week)
        .ok()
        .and_then(|(y, w)| chrono::NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon))
        .unwrap_or_else(|| report.start.date_naive());
    let last_day = monday + chrono::Duration::days(6);
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{CSS}</style></head><body>\
         <header><h1>{title}</h1><p>{period}</p></header><main>",
        code = lang.code(),
        title = esc(&fill(l.weekly_title, &[&report.week])),
        period = esc(&fill(
            l.weekly_period,
            &[&lang.date(monday), &lang.date(last_day)]
        )),
    );
    let pct = |v: Option<f64>| v.map_or_else(|| "–".to_string(), |x| lang.pct(x, 1));
    h.push_str("<section id=\"weekly-figures\">");
    let _ = write!(h, "<h2>{}</h2><div class=\"tiles\">", esc(l.weekly_figures));
    for (label, v) in [
        (
            l.weekly_webinars_held,
            lang.int(report.webinars.len() as u64),
        ),
        (l.weekly_attendance, pct(report.attendance_rate)),
        (l.weekly_conversion, pct(report.conversion_rate)),
        (l.weekly_new_enrolments, lang.int(report.new_enrolments)),
        (l.weekly_completion, pct(report.completion_rate)),
        (l.weekly_churn, pct(report.monthly_churn_rate)),
        (l.weekly_revenue, lang.num(report.revenue, 0)),
        (l.weekly_rating, lang.opt_num(report.average_rating, 1)),
    ] {
        let _ = write!(
            h,
            "<div class=\"tile\"><div class=\"v\">{}</div><div class=\"l\">{}</div></div>",
            esc(&v),
            esc(label)
        );
    }
    h.push_str("</div>");

    h3(&mut h, l.weekly_misses);
    if report.biggest_misses.is_empty() {
        empty(&mut h, l.weekly_misses_empty);
    } else {
        open_table(
            &mut h,
            &[
                l.col_kpi,
                l.col_status,
                l.col_causes,
                l.col_see,
                l.col_value,
                l.col_kpi_target,
            ],
            4,
        );
        for r in &report.biggest_misses {
            row(
                &mut h,
                &[
                    kpi_name(lang, &r.kpi).to_string(),
                    status(lang, &r.status).to_string(),
                    kpi_causes(lang, &r.kpi, &r.causes),
                    r.see.clone(),
                    value(lang, &r.unit, r.value),
                    value(lang, &r.unit, r.target),
                ],
                4,
            );
        }
        close_table(&mut h);
    }

    h3(&mut h, l.weekly_keywords);
    if report.top_keywords.is_empty() {
        empty(&mut h, l.weekly_keywords_empty);
    } else {
        open_table(&mut h, &[l.col_keyword, l.col_interest, l.col_growth], 1);
        for k in &report.top_keywords {
            row(
                &mut h,
                &[
                    k.keyword.clone(),
                    lang.num(k.volume, 1),
                    k.growth
                        .map_or_else(|| "–".to_string(), |g| lang.signed_pct(g, 0)),
                ],
                1,
            );
        }
        close_table(&mut h);
    }

    h3(&mut h, l.weekly_webinars_held);
    if report.webinars.is_empty() {
        empty(&mut h, l.weekly_webinars_empty);
    } else {
        open_table(
            &mut h,
            &[
                l.col_when,
                l.col_webinar,
                l.col_registrations,
                l.col_attended,
            ],
            2,
        );
        for w in &report.webinars {
            row(
                &mut h,
                &[
                    lang.datetime(w.starts_at),
                    w.title.clone(),
                    lang.int(w.registrations),
                    lang.int(w.attended),
                ],
                2,
            );
        }
        close_table(&mut h);
    }

    h3(&mut h, l.weekly_comments);
    if report.top_comments.is_empty() {
        empty(&mut h, l.weekly_comments_empty);
    } else {
        open_table(&mut h, &[l.col_webinar, l.col_comment, l.col_rating], 2);
        for c in &report.top_comments {
            row(
                &mut h,
                &[
                    c.webinar_id.clone(),
                    c.text.clone(),
                    c.rating.map_or_else(|| "–".to_string(), |r| r.to_string()),
                ],
                2,
            );
        }
        close_table(&mut h);
    }

    h3(&mut h, l.weekly_alerts);
    if report.alerts.is_empty() {
        empty(&mut h, l.weekly_alerts_empty);
    } else {
        open_table(&mut h, &[l.col_when, l.col_severity, l.col_alert], 3);
        for a in &report.alerts {
            row(
                &mut h,
                &[
                    lang.datetime(a.created_at),
                    a.severity.clone(),
                    a.title.clone(),
                ],
                3,
            );
        }
        close_table(&mut h);
    }
    h.push_str("</section></main></body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use edupulse_core::kpi::{weekly::weekly_report, KpiConfig};
    use edupulse_core::simulate::{simulate, SimConfig};

    #[test]
    fn weekly_page_in_both_languages() {
        let sim = SimConfig {
            students: 40,
            seed: 2,
            ..SimConfig::default()
        };
        let tables = simulate(&sim).unwrap();
        let end = edupulse_core::model::end_of_day(sim.end_date());
        let (y, w) = edupulse_core::kpi::weekly::last_complete_week(end);
        let r = weekly_report(&tables, (y, w), &[], &KpiConfig::default()).unwrap();
        let es = weekly_html(&r, Lang::Es);
        let en = weekly_html(&r, Lang::En);
        assert!(es.starts_with("<!doctype html>\n<html lang=\"es\">"));
        assert!(es.contains("informe semanal") && es.contains(&r.week));
        assert!(en.contains("weekly report") && en.contains("Webinars held"));
        assert!(!es.contains("<script"));
        for m in &r.biggest_misses {
            assert!(en.contains(&esc(kpi_name(Lang::En, &m.kpi))));
            assert!(es.contains(&esc(kpi_name(Lang::Es, &m.kpi))));
        }
    }
}
