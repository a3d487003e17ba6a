//! Simulated course content (the ground truth of [`crate::content`]): recordings of the last
//! webinars with Spanish transcripts whose subject changes at known times, the programme's
//! concept map and which flashcard practises which concept.
//!
//! - **Recordings**: the last [`RECORDED_WEBINARS`] webinars that ended before the end of the
//!   history each get a `webinar_recording` row (`rec-<webinar_id>`, its planned duration, the
//!   topic as course). Its transcript is a run of **sections**, each on one sub-topic of the
//!   webinar's topic (4 per topic, each with its own vocabulary), 5–10 minutes long (the last one
//!   takes what is left, at least 3 minutes, else it is merged into the one before). Cues last
//!   20–40 s and say one sentence from shared templates filled with the section's terms, so the
//!   vocabulary, not the wording, tells sections apart. The true section starts are exposed as
//!   [`RecordingTruth`].
//! - **Views**: each section has a hidden **appeal** in (0, 1) (Beta(2, 2), in
//!   [`RecordingTruth::section_appeal`]). 35 % of the webinar's registrants watch the recording
//!   within two weeks of the webinar (not past the end of the history): section by section, a
//!   share ≈ appeal of each section (one play range), then, when they did not finish it, they skip
//!   to the next section (60 %) or stop; with probability 0.6·appeal they go back and play 30–120 s
//!   of it again. One `content_views` row per play range.
//! - **Concepts**: one per topic, named by its Spanish title, with a prerequisite chain (Python →
//!   machine learning → IA generativa → prompt engineering → agentes / automatización).
//! - **Card concepts**: card `c{i}` practises the concept of topic `(i − 1) mod 8`.
//! - **Quizzes**: one quiz per topic (`quiz-<topic>`, a `quiz` content row). A student who
//!   reviewed cards of a concept takes its quiz with probability 0.5, a day after their last
//!   review of it (not past the end of the history), scoring Beta(1 + 8p, 1 + 8(1 − p)) with `p`
//!   the share of their reviews of the concept's cards rated Good or Easy.

use super::catalog::TOPICS;
use super::dist::{bernoulli, beta, entity_rng, normal, unif_in, Stream};
use super::ts;
use super::webinars::WebinarPlan;
use crate::model::{
    CardConcept, Concept, Content, ContentKind, ContentView, QuizResult, Registration, Review,
    TranscriptSegment,
};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// How many of the latest ended webinars have a recording with a transcript.
pub const RECORDED_WEBINARS: usize = 12;

/// The truth about one simulated recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingTruth {
    /// The recording (`content.content_id`).
    pub content_id: String,
    /// Start of every section after the first, seconds from the recording's start.
    pub section_starts_s: Vec<f64>,
    /// The sub-topic of every section, in order.
    pub sections: Vec<String>,
    /// The hidden appeal of every section, in (0, 1): how much of it viewers watch and replay.
    pub section_appeal: Vec<f64>,
}

/// The four content tables and the recordings' truth.
pub(super) struct SimContent {
    pub content: Vec<Content>,
    pub transcript_segments: Vec<TranscriptSegment>,
    pub concepts: Vec<Concept>,
    pub card_concepts: Vec<CardConcept>,
    pub content_views: Vec<ContentView>,
    pub quiz_results: Vec<QuizResult>,
    pub truth: Vec<RecordingTruth>,
}

/// Sentence templates; `{}` are filled with terms of the section's sub-topic.
const TEMPLATES: &[&str] = &[
    "Ahora vamos a ver {} y cómo se relaciona con {}.",
    "Un buen ejemplo de {} es usar {} con {}.",
    "Cuando trabajamos con {}, lo primero es revisar {}.",
    "Muchos alumnos preguntan por {} y por {}.",
    "Fijaos en que {} depende de {} y de {}.",
    "En la práctica, {} nos ayuda con {}.",
    "Repasemos {}: es la base de {}.",
    "Con {} conseguimos mejorar {} sin complicar {}.",
    "Os dejo una pregunta sobre {} y {}.",
    "La clave está en combinar {} con {}.",
];

/// Per topic (in [`TOPICS`] order): four sub-topics, each a name and its vocabulary.
const SUBTOPICS: [[(&str, [&str; 6]); 4]; 8] = [
    // ia_generativa
    [
        (
            "modelos de lenguaje",
            [
                "tokens",
                "transformer",
                "contexto",
                "parámetros",
                "preentrenamiento",
                "vocabulario",
            ],
        ),
        (
            "imágenes generativas",
            [
                "difusión",
                "píxeles",
                "estilo",
                "ilustración",
                "resolución",
                "lienzo",
            ],
        ),
        (
            "alucinaciones",
            [
                "veracidad",
                "fuentes",
                "citas",
                "verificación",
                "errores",
                "hechos",
            ],
        ),
        (
            "costes de uso",
            [
                "facturación",
                "latencia",
                "cuota",
                "presupuesto",
                "consumo",
                "tarifa",
            ],
        ),
    ],
    // agentes_ia
    [
        (
            "herramientas del agente",
            [
                "funciones",
                "llamadas",
                "esquema",
                "argumentos",
                "integración",
                "conector",
            ],
        ),
        (
            "planificación",
            [
                "objetivos",
                "pasos",
                "subtareas",
                "estrategia",
                "replanificar",
                "metas",
            ],
        ),
        (
            "memoria del agente",
            [
                "historial",
                "recuerdos",
                "resumen",
                "almacenamiento",
                "sesiones",
                "estado",
            ],
        ),
        (
            "despliegue en producción",
            [
                "monitorización",
                "registros",
                "fallos",
                "escalado",
                "servidores",
                "alertas",
            ],
        ),
    ],
    // prompt_engineering
    [
        (
            "instrucciones claras",
            [
                "rol",
                "formato",
                "restricciones",
                "tono",
                "audiencia",
                "extensión",
            ],
        ),
        (
            "ejemplos en el prompt",
            [
                "demostraciones",
                "muestras",
                "plantilla",
                "patrón",
                "imitación",
                "casos",
            ],
        ),
        (
            "razonamiento paso a paso",
            [
                "cadena",
                "deducción",
                "lógica",
                "cálculo",
                "intermedios",
                "justificación",
            ],
        ),
        (
            "evaluación de prompts",
            [
                "métricas",
                "comparación",
                "versiones",
                "rúbrica",
                "puntuación",
                "pruebas",
            ],
        ),
    ],
    // machine_learning
    [
        (
            "datos de entrenamiento",
            [
                "muestras",
                "etiquetas",
                "limpieza",
                "columnas",
                "duplicados",
                "partición",
            ],
        ),
        (
            "modelos supervisados",
            [
                "regresión",
                "clasificación",
                "árboles",
                "bosques",
                "predicción",
                "variables",
            ],
        ),
        (
            "sobreajuste",
            [
                "validación",
                "regularización",
                "generalización",
                "varianza",
                "sesgo",
                "complejidad",
            ],
        ),
        (
            "métricas del modelo",
            [
                "precisión",
                "exhaustividad",
                "curva",
                "umbral",
                "matriz",
                "error",
            ],
        ),
    ],
    // automatizacion
    [
        (
            "flujos de trabajo",
            [
                "disparadores",
                "acciones",
                "secuencia",
                "aprobaciones",
                "tareas",
                "calendario",
            ],
        ),
        (
            "hojas de cálculo",
            [
                "fórmulas",
                "celdas",
                "tablas",
                "filtros",
                "macros",
                "importación",
            ],
        ),
        (
            "correo y documentos",
            [
                "bandeja",
                "adjuntos",
                "plantillas",
                "firmas",
                "borradores",
                "respuestas",
            ],
        ),
        (
            "integraciones sin código",
            [
                "zapier",
                "webhooks",
                "conectores",
                "plataformas",
                "sincronización",
                "api",
            ],
        ),
    ],
    // ia_para_negocio
    [
        (
            "casos de negocio",
            [
                "retorno",
                "inversión",
                "ahorro",
                "beneficio",
                "rentabilidad",
                "costes",
            ],
        ),
        (
            "datos del cliente",
            [
                "segmentos",
                "compras",
                "fidelidad",
                "encuestas",
                "perfiles",
                "historial",
            ],
        ),
        (
            "previsión de ventas",
            [
                "demanda",
                "temporada",
                "inventario",
                "pedidos",
                "tendencia",
                "trimestre",
            ],
        ),
        (
            "adopción en equipos",
            [
                "formación",
                "cambio",
                "resistencia",
                "liderazgo",
                "cultura",
                "responsables",
            ],
        ),
    ],
    // python_para_ia
    [
        (
            "sintaxis de python",
            [
                "variables",
                "bucles",
                "condiciones",
                "listas",
                "diccionarios",
                "sangría",
            ],
        ),
        (
            "funciones y módulos",
            [
                "parámetros",
                "retorno",
                "importar",
                "paquetes",
                "librerías",
                "reutilizar",
            ],
        ),
        (
            "pandas",
            ["dataframe", "columnas", "agrupar", "filas", "csv", "índice"],
        ),
        (
            "entornos",
            [
                "pip",
                "instalación",
                "versiones",
                "dependencias",
                "jupyter",
                "cuadernos",
            ],
        ),
    ],
    // etica_ia
    [
        (
            "sesgos algorítmicos",
            [
                "discriminación",
                "equidad",
                "colectivos",
                "auditoría",
                "representación",
                "justicia",
            ],
        ),
        (
            "privacidad",
            [
                "consentimiento",
                "anonimización",
                "personales",
                "protección",
                "rgpd",
                "cifrado",
            ],
        ),
        (
            "regulación europea",
            [
                "reglamento",
                "riesgo",
                "obligaciones",
                "sanciones",
                "cumplimiento",
                "transparencia",
            ],
        ),
        (
            "responsabilidad",
            [
                "supervisión",
                "rendición",
                "decisiones",
                "humanos",
                "explicabilidad",
                "confianza",
            ],
        ),
    ],
];

/// Prerequisites of each topic's concept, by topic code.
const PREREQUISITES: &[(&str, &str)] = &[
    ("ia_generativa", "machine_learning"),
    ("agentes_ia", "prompt_engineering;python_para_ia"),
    ("prompt_engineering", "ia_generativa"),
    ("machine_learning", "python_para_ia"),
    ("automatizacion", "prompt_engineering"),
];

/// Generate the content tables from the webinar plans and the deck.
pub(super) fn generate(
    seed: u64,
    end: i64,
    plans: &[WebinarPlan],
    deck: &[(String, f64)],
    registrations: &[Registration],
    reviews: &[Review],
) -> SimContent {
    let mut ended: Vec<&WebinarPlan> = plans
        .iter()
        .filter(|p| p.start + i64::from(p.duration_min) * 60 <= end)
        .collect();
    ended.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| a.id.cmp(&b.id)));
    ended.truncate(RECORDED_WEBINARS);
    ended.reverse();
    let mut out = SimContent {
        content: Vec::new(),
        transcript_segments: Vec::new(),
        concepts: concepts(),
        card_concepts: deck
            .iter()
            .enumerate()
            .map(|(i, (card_id, _))| CardConcept {
                card_id: card_id.clone(),
                concept_id: TOPICS[i % TOPICS.len()].0.to_string(),
            })
            .collect(),
        content_views: Vec::new(),
        quiz_results: Vec::new(),
        truth: Vec::new(),
    };
    quizzes(seed, end, deck, reviews, &mut out);
    for (index, plan) in ended.into_iter().enumerate() {
        let mut rng = entity_rng(seed, Stream::Content, index as u64);
        let content_id = format!("rec-{}", plan.id);
        let duration_s = f64::from(plan.duration_min) * 60.0;
        out.content.push(Content {
            content_id: content_id.clone(),
            title: format!("Grabación: {}", plan.title),
            kind: ContentKind::WebinarRecording,
            duration_s,
            course_id: Some(plan.topic.to_string()),
            position: None,
        });
        let subtopics = TOPICS
            .iter()
            .position(|t| t.0 == plan.topic)
            .and_then(|i| SUBTOPICS.get(i))
            .unwrap_or(&SUBTOPICS[0]);
        let (starts, order) = sections(&mut rng, duration_s, subtopics.len());
        let mut t = 0.0;
        let mut section = 0;
        while t < duration_s - 1.0 {
            while section + 1 < starts.len() && t >= starts[section + 1] {
                section += 1;
            }
            let next_start = starts.get(section + 1).copied().unwrap_or(duration_s);
            let cue_end = (t + unif_in(&mut rng, 20.0, 40.0))
                .min(next_start)
                .min(duration_s);
            let (_, terms) = subtopics[order[section]];
            out.transcript_segments.push(TranscriptSegment {
                content_id: content_id.clone(),
                start_s: t,
                end_s: cue_end,
                text: sentence(&mut rng, &terms),
            });
            t = cue_end;
        }
        let appeal: Vec<f64> = (0..starts.len())
            .map(|_| beta(&mut rng, 2.0, 2.0))
            .collect();
        let webinar_end = plan.start + i64::from(plan.duration_min) * 60;
        let mut viewers: Vec<&str> = registrations
            .iter()
            .filter(|r| r.webinar_id == plan.id)
            .map(|r| r.person_id.as_str())
            .collect();
        viewers.sort_unstable();
        for person in viewers {
            if !bernoulli(&mut rng, 0.35) {
                continue;
            }
            let mut at = webinar_end + unif_in(&mut rng, 3_600.0, 14.0 * 86_400.0) as i64;
            for (k, &start) in starts.iter().enumerate() {
                let stop = starts.get(k + 1).copied().unwrap_or(duration_s);
                let len = stop - start;
                let share = (appeal[k] + 0.15 * normal(&mut rng)).clamp(0.05, 1.0);
                let watched_to = start + share * len;
                let mut plays = vec![(start, watched_to)];
                if bernoulli(&mut rng, 0.6 * appeal[k]) {
                    let span = unif_in(&mut rng, 30.0, 120.0).min(watched_to - start);
                    let from = unif_in(&mut rng, start, (watched_to - span).max(start + 1e-9));
                    plays.push((from, from + span));
                }
                for (s, e) in plays {
                    if at >= end {
                        break;
                    }
                    out.content_views.push(ContentView {
                        content_id: content_id.clone(),
                        person_id: person.to_string(),
                        at: ts(at),
                        start_s: (s * 10.0).round() / 10.0,
                        end_s: (e * 10.0).round() / 10.0,
                    });
                    at += (e - s).ceil() as i64 + 1;
                }
                if share < 0.999 && !bernoulli(&mut rng, 0.6) {
                    break;
                }
            }
        }
        out.truth.push(RecordingTruth {
            section_appeal: appeal,
            content_id,
            section_starts_s: starts[1..].to_vec(),
            sections: order.iter().map(|&i| subtopics[i].0.to_string()).collect(),
        });
    }
    out
}

/// Section starts (the first is 0) and the sub-topic of each: 5–10 minute sections, the last
/// at least 3 minutes (else merged), sub-topics in a random order, repeating after all four.
fn sections<R: Rng>(rng: &mut R, duration_s: f64, subtopics: usize) -> (Vec<f64>, Vec<usize>) {
    let mut starts = vec![0.0];
    let mut t = unif_in(rng, 300.0, 600.0);
    while t < duration_s - 180.0 {
        starts.push(t);
        t += unif_in(rng, 300.0, 600.0);
    }
    let mut pool: Vec<usize> = (0..subtopics).collect();
    let mut order = Vec::with_capacity(starts.len());
    for k in 0..starts.len() {
        if k % subtopics == 0 {
            pool = (0..subtopics).collect();
        }
        let pick = rng.gen_range(0..pool.len());
        let mut choice = pool.swap_remove(pick);
        // Two sections in a row never share a sub-topic (when the pool restarts).
        if order.last() == Some(&choice) && !pool.is_empty() {
            pool.push(choice);
            choice = pool.swap_remove(0);
        }
        order.push(choice);
    }
    (starts, order)
}

/// One sentence: a template filled with distinct terms of the section.
fn sentence<R: Rng>(rng: &mut R, terms: &[&str; 6]) -> String {
    let template = TEMPLATES[rng.gen_range(0..TEMPLATES.len())];
    let mut pool: Vec<&str> = terms.to_vec();
    let mut out = String::with_capacity(template.len() + 40);
    for (i, part) in template.split("{}").enumerate() {
        if i > 0 {
            let term = pool.swap_remove(rng.gen_range(0..pool.len()));
            out.push_str(term);
        }
        out.push_str(part);
    }
    out
}

/// One quiz per topic, and the results of the students who reviewed the topic's cards.
fn quizzes(seed: u64, end: i64, deck: &[(String, f64)], reviews: &[Review], out: &mut SimContent) {
    for (position, (code, title, _)) in TOPICS.iter().enumerate() {
        out.content.push(Content {
            content_id: format!("quiz-{code}"),
            title: format!("Cuestionario: {title}"),
            kind: ContentKind::Quiz,
            duration_s: 600.0,
            course_id: Some((*code).to_string()),
            position: Some(position as u32 + 1),
        });
    }
    let topic_of: std::collections::HashMap<&str, usize> = deck
        .iter()
        .enumerate()
        .map(|(i, (card, _))| (card.as_str(), i % TOPICS.len()))
        .collect();
    // (student, topic) -> (reviews, good or easy, last review time).
    let mut stats: std::collections::BTreeMap<(&str, usize), (u32, u32, i64)> =
        std::collections::BTreeMap::new();
    for r in reviews {
        let Some(&topic) = topic_of.get(r.card_id.as_str()) else {
            continue;
        };
        let e = stats
            .entry((r.student_id.as_str(), topic))
            .or_insert((0, 0, i64::MIN));
        e.0 += 1;
        e.1 += u32::from(r.rating >= 3);
        e.2 = e.2.max(r.at.timestamp());
    }
    for (k, ((student, topic), (n, good, last))) in stats.into_iter().enumerate() {
        let mut rng = entity_rng(seed, Stream::Quiz, k as u64);
        let at = last + 86_400;
        if !bernoulli(&mut rng, 0.5) || at >= end {
            continue;
        }
        let p = f64::from(good) / f64::from(n.max(1));
        let score = beta(&mut rng, 1.0 + 8.0 * p, 1.0 + 8.0 * (1.0 - p));
        out.quiz_results.push(QuizResult {
            student_id: student.to_string(),
            quiz_id: format!("quiz-{}", TOPICS[topic].0),
            concept_id: TOPICS[topic].0.to_string(),
            at: ts(at),
            score: (score * 100.0).round() / 100.0,
        });
    }
}

/// One concept per topic with the prerequisite chain.
fn concepts() -> Vec<Concept> {
    TOPICS
        .iter()
        .map(|(code, title, _)| Concept {
            concept_id: (*code).to_string(),
            name: (*title).to_string(),
            prerequisite_ids: PREREQUISITES
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, p)| (*p).to_string()),
        })
        .collect()
}
