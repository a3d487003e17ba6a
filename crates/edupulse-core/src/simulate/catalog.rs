//! Fixed vocabularies of the simulated business: segments, topics, keywords and Spanish names.

/// Industries a person can work in, with their share of the population.
pub const INDUSTRIES: &[(&str, f64)] = &[
    ("tecnología", 0.24),
    ("educación", 0.18),
    ("salud", 0.11),
    ("finanzas", 0.13),
    ("retail", 0.10),
    ("manufactura", 0.09),
    ("consultoría", 0.15),
];

/// Roles, with their share of the population.
pub const ROLES: &[(&str, f64)] = &[
    ("director", 0.09),
    ("gerente", 0.16),
    ("analista", 0.22),
    ("desarrollador", 0.21),
    ("docente", 0.14),
    ("estudiante", 0.18),
];

/// Company sizes (employees), with their share of the population.
pub const COMPANY_SIZES: &[(&str, f64)] = &[
    ("1-10", 0.22),
    ("11-50", 0.22),
    ("51-200", 0.21),
    ("201-1000", 0.18),
    ("1000+", 0.17),
];

/// Webinar topics: (topic code, Spanish title, share of the programme).
pub const TOPICS: &[(&str, &str, f64)] = &[
    ("ia_generativa", "IA generativa en la práctica", 0.20),
    ("agentes_ia", "Agentes de IA: de la idea a producción", 0.12),
    (
        "prompt_engineering",
        "Prompt engineering para profesionales",
        0.14,
    ),
    ("machine_learning", "Machine learning sin misterios", 0.14),
    ("automatizacion", "Automatiza tu trabajo con IA", 0.14),
    ("ia_para_negocio", "IA para la toma de decisiones", 0.12),
    (
        "python_para_ia",
        "Python para inteligencia artificial",
        0.08,
    ),
    ("etica_ia", "Ética y regulación de la IA", 0.06),
];

/// What a keyword's search interest does over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pattern {
    Rising,
    Seasonal,
    Flat,
}

/// The keywords and their (fixed) behaviour; the rise dates and sizes are drawn per seed.
pub(crate) const KEYWORDS: &[(&str, Pattern)] = &[
    ("curso IA", Pattern::Rising),
    ("certificación IA", Pattern::Rising),
    ("agentes IA", Pattern::Rising),
    ("IA generativa empresas", Pattern::Rising),
    ("automatización con IA", Pattern::Rising),
    ("formación IA", Pattern::Seasonal),
    ("aprender inteligencia artificial", Pattern::Seasonal),
    ("máster inteligencia artificial", Pattern::Seasonal),
    ("curso python", Pattern::Seasonal),
    ("curso online gratis", Pattern::Seasonal),
    ("webinar IA", Pattern::Flat),
    ("inteligencia artificial", Pattern::Flat),
    ("machine learning", Pattern::Flat),
    ("deep learning", Pattern::Flat),
];

/// Which webinar topic a keyword stands for (`keyword_topics`): (keyword, topic, industry).
/// Keywords about the whole field ("inteligencia artificial", "curso online gratis") map to no
/// topic; "curso python" is a finance-only topic mapping, to exercise industry restrictions.
pub(crate) const KEYWORD_TOPICS: &[(&str, &str, Option<&str>)] = &[
    ("curso IA", "ia_generativa", None),
    ("IA generativa empresas", "ia_generativa", None),
    ("agentes IA", "agentes_ia", None),
    ("automatización con IA", "automatizacion", None),
    ("certificación IA", "ia_para_negocio", None),
    ("machine learning", "machine_learning", None),
    ("deep learning", "machine_learning", None),
    (
        "aprender inteligencia artificial",
        "prompt_engineering",
        None,
    ),
    ("curso python", "python_para_ia", Some("finanzas")),
];

/// Spanish first names.
pub(crate) const FIRST_NAMES: &[&str] = &[
    "Lucía",
    "Hugo",
    "Martina",
    "Mateo",
    "Sofía",
    "Martín",
    "María",
    "Lucas",
    "Julia",
    "Leo",
    "Paula",
    "Daniel",
    "Valeria",
    "Alejandro",
    "Emma",
    "Pablo",
    "Daniela",
    "Manuel",
    "Alba",
    "Álvaro",
    "Carla",
    "Adrián",
    "Sara",
    "David",
    "Noa",
    "Mario",
    "Carmen",
    "Diego",
    "Laura",
    "Javier",
    "Elena",
    "Sergio",
    "Ana",
    "Jorge",
    "Marta",
    "Carlos",
    "Irene",
    "Raúl",
    "Claudia",
    "Andrés",
    "Nerea",
    "Iván",
    "Cristina",
    "Rubén",
    "Beatriz",
    "Óscar",
    "Rocío",
    "Marcos",
];

/// Spanish surnames.
pub(crate) const LAST_NAMES: &[&str] = &[
    "García",
    "Rodríguez",
    "González",
    "Fernández",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Ramírez",
    "Serrano",
    "Blanco",
    "Molina",
    "Morales",
    "Suárez",
    "Ortega",
    "Delgado",
    "Castro",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Iglesias",
    "Núñez",
    "Medina",
    "Garrido",
];
