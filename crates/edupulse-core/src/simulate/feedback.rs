//! Written feedback of webinar attendees (the ground truth of [`crate::feedback`]).
//!
//! Every attendee has a hidden **satisfaction** `s` in (0, 1): Beta(1.5 + 3·w, 1.5 + 1.5·(1 − w))
//! with `w` the share of the webinar they watched, so those who stayed tend to be happier. From
//! it, for each registration that attended:
//! - one `chat` row per chat message of the registration (`chat_messages`), during the minutes
//!   they watched: 35 % are neutral chatter ("hola desde Lima"), the rest positive with
//!   probability `s`, otherwise negative;
//! - one `question` row per question asked (`questions`), neutral questions about the topic;
//! - a `survey` answer (rating 1–5 ≈ 1 + 4·s + noise) with probability 0.45, within a day after
//!   the end (dropped past the end of the history); its text agrees with the rating (≥ 4
//!   positive, ≤ 2 negative, 3 neutral).
//!
//! Lines are written Spanish as attendees type it: accents sometimes dropped, negation ("no me
//! gustó"), intensifiers ("muy", "súper"), emoji, "jaja", "!!". The intended polarity of every
//! row is exposed in [`FeedbackTruth`].

use super::dist::{bernoulli, beta, entity_rng, normal, splitmix64, unif, Stream};
use super::ts;
use crate::model::{Feedback, FeedbackKind, Tables};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The truth about one simulated feedback row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackTruth {
    /// Feedback id.
    pub feedback_id: String,
    /// The writer's hidden satisfaction with the webinar, in (0, 1).
    pub satisfaction: f64,
    /// The polarity the line was written with: 1 positive, 0 neutral, −1 negative.
    pub polarity: i8,
}

const POSITIVE: &[&str] = &[
    "Excelente explicación, muy clara",
    "¡Me encantó el webinar!",
    "Muchas gracias, muy útil",
    "Qué buen ejemplo, genial 👏",
    "Super interesante todo lo de hoy",
    "Gracias!! aprendí muchísimo",
    "Muy buena sesión, felicidades",
    "jajaja me encanta este profe",
    "Brutal la demo, increíble 🔥",
    "Todo muy bien explicado, gracias",
    "Me gustó mucho la parte práctica",
    "Buenísimo, justo lo que necesitaba 😍",
    "Excelente contenido, lo recomiendo",
    "Qué claro lo explicas, gracias 🙌",
];

const NEGATIVE: &[&str] = &[
    "No me gustó, muy lento",
    "Se escucha fatal, no se entiende nada",
    "Muy aburrido, esperaba más",
    "No quedó claro el ejemplo",
    "Demasiada publicidad, una pérdida de tiempo",
    "El audio es horrible 😡",
    "Pésima conexión, se corta todo el rato",
    "Me decepcionó, muy básico",
    "Qué desastre la demo 👎",
    "No sirve para nada lo que explica",
    "Confuso y desordenado",
    "Malo, no lo recomiendo",
    "Me aburrí, muy repetitivo",
];

const NEUTRAL: &[&str] = &[
    "Hola a todos, saludos desde Lima",
    "Buenas tardes desde Madrid",
    "¿Se va a compartir la grabación?",
    "Conectado desde Bogotá",
    "Hola, acabo de entrar",
    "¿Dónde se descargan las diapositivas?",
    "Saludos desde Ciudad de México",
    "Estoy tomando notas",
    "¿Cuánto dura la sesión?",
    "Hola desde Buenos Aires",
];

const QUESTIONS: &[&str] = &[
    "¿Qué herramienta usas para esto?",
    "¿Esto funciona también con datos en Excel?",
    "¿Cuánto cuesta el curso completo?",
    "¿Hay certificado al terminar?",
    "¿Se puede aplicar en una empresa pequeña?",
    "¿Qué modelo recomiendas para empezar?",
    "¿Cómo se integra con nuestro CRM?",
    "¿El curso tiene clases en directo?",
];

const SURVEY_POSITIVE: &[&str] = &[
    "Muy bien organizado y el ponente domina el tema",
    "Excelente, superó mis expectativas",
    "Contenido muy útil, lo aplicaré en mi trabajo",
    "Me gustó mucho, gracias por compartir",
    "Claro, práctico y ameno. ¡Felicidades!",
];

const SURVEY_NEUTRAL: &[&str] = &[
    "Estuvo bien, aunque algo largo",
    "Correcto, nada especial",
    "Normal, algunas partes ya las conocía",
    "Regular, interesante en parte",
];

const SURVEY_NEGATIVE: &[&str] = &[
    "No me gustó, demasiado básico",
    "Mala calidad de audio y poco contenido",
    "Decepcionante, esperaba ejemplos reales",
    "Muy aburrido y desorganizado",
    "No recomendaría este webinar",
];

fn pick<'a, R: Rng>(rng: &mut R, list: &[&'a str]) -> &'a str {
    let i = ((unif(rng) * list.len() as f64) as usize).min(list.len().saturating_sub(1));
    list.get(i).copied().unwrap_or_default()
}

/// Chat typing habits: drop accents sometimes, lower-case sometimes, add "!!" or an emoji.
fn roughen<R: Rng>(rng: &mut R, line: &str, polarity: i8) -> String {
    let mut s = line.to_string();
    if bernoulli(rng, 0.25) {
        s = s
            .chars()
            .map(crate::content::text::unaccent_vowel)
            .collect();
    }
    if bernoulli(rng, 0.3) {
        s = s.to_lowercase();
    }
    if polarity > 0 && bernoulli(rng, 0.2) {
        s.push_str(if bernoulli(rng, 0.5) { "!!" } else { " 😊" });
    } else if polarity < 0 && bernoulli(rng, 0.15) {
        s.push_str(" 😒");
    }
    s
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The feedback rows and their truth, from the (already simulated) webinars and registrations.
pub(crate) fn generate(
    seed: u64,
    end: i64,
    tables: &Tables,
) -> (Vec<Feedback>, Vec<FeedbackTruth>) {
    let webinars: HashMap<&str, (i64, u32)> = tables
        .webinars
        .iter()
        .map(|w| {
            (
                w.webinar_id.as_str(),
                (w.starts_at.timestamp(), w.duration_min),
            )
        })
        .collect();
    let mut rows = Vec::new();
    let mut truth = Vec::new();
    for r in tables.registrations.iter().filter(|r| r.attended) {
        let Some(&(start, duration)) = webinars.get(r.webinar_id.as_str()) else {
            continue;
        };
        if start + i64::from(duration) * 60 >= end {
            continue;
        }
        let index = splitmix64(fnv(&r.webinar_id) ^ fnv(&r.person_id).rotate_left(17));
        let mut rng = entity_rng(seed, Stream::Feedback, index);
        let minutes = r
            .minutes_watched
            .unwrap_or(0.0)
            .clamp(1.0, f64::from(duration));
        let watched = minutes / f64::from(duration);
        let s = beta(&mut rng, 1.5 + 3.0 * watched, 1.5 + 1.5 * (1.0 - watched));
        let mut n = 0u32;
        let mut push = |kind: FeedbackKind, at: i64, text: String, rating, polarity: i8| {
            n += 1;
            let feedback_id = format!("f-{}-{}-{n}", r.webinar_id, r.person_id);
            truth.push(FeedbackTruth {
                feedback_id: feedback_id.clone(),
                satisfaction: s,
                polarity,
            });
            rows.push(Feedback {
                feedback_id,
                webinar_id: r.webinar_id.clone(),
                person_id: r.person_id.clone(),
                at: ts(at),
                kind,
                text,
                rating,
            });
        };
        let during =
            |rng: &mut rand_chacha::ChaCha8Rng| start + (unif(rng) * minutes * 60.0) as i64;
        for _ in 0..r.chat_messages.unwrap_or(0) {
            let at = during(&mut rng);
            let (polarity, list) = if bernoulli(&mut rng, 0.35) {
                (0, NEUTRAL)
            } else if bernoulli(&mut rng, s) {
                (1, POSITIVE)
            } else {
                (-1, NEGATIVE)
            };
            let line = pick(&mut rng, list);
            let text = roughen(&mut rng, line, polarity);
            push(FeedbackKind::Chat, at, text, None, polarity);
        }
        for _ in 0..r.questions.unwrap_or(0) {
            let at = during(&mut rng);
            let text = pick(&mut rng, QUESTIONS).to_string();
            push(FeedbackKind::Question, at, text, None, 0);
        }
        if bernoulli(&mut rng, 0.45) {
            let at = start + i64::from(duration) * 60 + (unif(&mut rng) * 86_400.0) as i64;
            if at < end {
                let rating = (1.0 + 4.0 * s + 0.6 * normal(&mut rng))
                    .round()
                    .clamp(1.0, 5.0) as u8;
                let (polarity, list) = match rating {
                    4.. => (1, SURVEY_POSITIVE),
                    3 => (0, SURVEY_NEUTRAL),
                    _ => (-1, SURVEY_NEGATIVE),
                };
                let text = pick(&mut rng, list).to_string();
                push(FeedbackKind::Survey, at, text, Some(rating), polarity);
            }
        }
    }
    (rows, truth)
}
