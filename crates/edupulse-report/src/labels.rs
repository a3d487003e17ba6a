//! Every fixed text of the HTML report, in Spanish and English, declared side by side so that
//! neither language can miss one. `{}` in a text is filled in order by [`fill`](crate::lang::fill).
//! Names of enum values (decisions, grades, weekdays…) are methods of [`Lang`](crate::Lang).

macro_rules! labels {
    ($( $name:ident : $es:literal , $en:literal ; )+) => {
        /// The fixed texts of the report in one language (see [`ES`] and [`EN`]).
        #[derive(Debug)]
        pub struct Labels {
            $(
                #[doc = concat!("English: \"", $en, "\"; Spanish: \"", $es, "\".")]
                pub $name: &'static str,
            )+
        }

        /// The Spanish texts.
        pub static ES: Labels = Labels { $( $name: $es, )+ };

        /// The English texts.
        pub static EN: Labels = Labels { $( $name: $en, )+ };
    };
}

labels! {
    // Page.
    page_title: "edupulse · informe del {}", "edupulse · report of {}";
    report_as_of: "Informe a fecha de", "Report as of";
    run_failed: "Esta ejecución tuvo pasos fallidos: {}. Sus secciones muestran lo que quedó guardado.",
        "This run had failed steps: {}. Their sections show what was stored.";
    hover_hint: "Pase el cursor sobre un gráfico para ver los valores.", "Hover a chart for its values.";
    none: "—", "—";

    // KPI tiles.
    tile_students: "Estudiantes", "Students";
    tile_active_7d: "Activos (7 días)", "Active (7 days)";
    tile_active_30d: "Activos (30 días)", "Active (30 days)";
    tile_completion: "Tasa de finalización", "Completion rate";
    tile_attendance_30d: "Asistencia (30 días)", "Attendance (30 days)";
    tile_revenue_last_month: "Ingresos, último mes", "Revenue, last month";

    // Funnel.
    funnel_title: "Embudo: registro → asistencia → conversión",
        "Funnel: registration → attendance → conversion";
    funnel_registered: "Registrados", "Registered";
    funnel_attended: "Asistieron", "Attended";
    funnel_converted: "Convirtieron", "Converted";
    funnel_rate_by: "Tasa de asistencia por {}", "Attendance rate by {}";
    col_dimension: "dimensión", "dimension";
    col_segment: "segmento", "segment";
    col_registered: "registrados", "registered";
    col_attended: "asistieron", "attended";
    col_converted: "convirtieron", "converted";
    col_attendance: "asistencia", "attendance";
    col_conversion: "conversión", "conversion";
    dim_industry: "sector", "industry";
    dim_role: "rol", "role";
    dim_company_size: "tamaño de empresa", "company size";
    dim_all: "total", "all";
    kpis_empty: "Esta ejecución no tiene KPI (el paso kpis no se ejecutó o falló).",
        "This run has no KPIs (the kpis step did not run or failed).";

    // Slots and revenue.
    slots_title: "Tasa de asistencia por día y hora (UTC)", "Attendance rate by day and hour (UTC)";
    slots_cell: "{} {}h: {} de {} registros, {} webinars", "{} {}h: {} of {} registrations, {} webinars";
    slots_empty: "Aún no hay webinars con registros.", "No webinars with registrations yet.";
    revenue_title: "Ingresos por mes", "Revenue by month";
    revenue_empty: "Aún no hay compras.", "No purchases yet.";

    // Keyword trends.
    trends_title: "Tendencias de palabras clave", "Keyword trends";
    trends_intro: "Interés semanal (semanas completas); las marcas rojas señalan puntos de cambio. Al alza = una subida significativa y sostenida (Mann-Kendall; un punto de cambio o una alarma CUSUM; nivel +50 %) o un salto (+50 % sobre la base de 12 semanas con z robusto ≥ 3).",
        "Weekly interest (complete weeks); red ticks mark change points. Rising = a significant, sustained rise (Mann-Kendall; a change point or a CUSUM alarm; level +50 %) or a breakout (+50 % on the 12-week baseline with robust z ≥ 3).";
    col_keyword: "palabra clave", "keyword";
    col_weekly_interest: "interés semanal", "weekly interest";
    col_decision: "decisión", "decision";
    col_alert: "alerta", "alert";
    col_vs_baseline: "última semana vs. base", "last week vs baseline";
    col_level_change: "cambio de nivel", "level change";
    col_slope: "pendiente / semana", "slope / week";
    col_p_value: "valor p", "p-value";
    col_robust_z: "z robusto", "robust z";
    change_point: "punto de cambio {}", "change point {}";
    trends_empty: "No hay series de interés de palabras clave en esta ejecución.",
        "No keyword interest series in this run.";

    // Related queries.
    related_title: "Consultas relacionadas emergentes", "Emerging related queries";
    related_intro: "Del último informe de consultas relacionadas de cada palabra clave: aumento puntual = crecimiento de más del 5000 % (la regla de Google; se avisa una vez por consulta), en aumento = +50 % o más.",
        "From each keyword's latest related-queries report: breakout = growth above 5000 % (Google's rule; alerted once per query), rising = +50 % or more.";
    col_related: "consulta relacionada", "related query";
    col_class: "clase", "class";
    col_growth: "crecimiento", "growth";
    col_report_date: "informe", "report";
    growth_over: "> 5000 %", "> 5000%";
    related_empty: "Ninguna consulta relacionada está en aumento.", "No related query is rising.";

    // Metric anomalies.
    metrics_title: "Métricas de negocio: anomalías", "Business metrics: anomalies";
    metrics_intro: "Cada punto se compara con una previsión hecha solo con los puntos anteriores (nivel + patrón semanal); los puntos rojos son inusuales (|z| > 1,5: media, > 2 alta, > 3 crítica). Se avisa una vez por métrica y episodio (una racha de puntos inusuales).",
        "Each point is scored against a forecast from the points before it only (level + weekday pattern); red dots mark unusual points (|z| > 1.5: medium, > 2 high, > 3 critical). An alert is sent once per metric and episode (a run of unusual points).";
    col_metric: "métrica", "metric";
    col_recent_points: "puntos recientes", "recent points";
    col_last_point: "último punto", "last point";
    col_value: "valor", "value";
    col_z: "z", "z";
    col_severity: "gravedad", "severity";
    col_unusual_since: "inusual desde", "unusual since";
    metrics_empty: "No hay métricas de negocio con historia suficiente.",
        "No business metric has enough history.";

    // Churn.
    churn_title: "Riesgo de abandono y valor de vida", "Churn risk and lifetime value";
    churn_distribution: "Distribución del riesgo ({} estudiantes actuales)",
        "Risk distribution ({} current students)";
    churn_at_risk: "En riesgo: a quién contactar", "At risk: who to contact";
    churn_none_at_risk: "Ningún estudiante tiene riesgo medio o alto.", "No student is at medium or high risk.";
    col_student: "estudiante", "student";
    col_p_churn: "P(abandono)", "P(churn)";
    col_level: "nivel", "level";
    col_top_factors: "principales factores", "top factors";
    col_intervention: "intervención", "intervention";
    col_p_alive: "P(activo) compras", "P(alive) purchases";
    col_clv: "CLV 12 meses", "CLV 12 months";
    churn_curves: "Curvas de retención (Kaplan-Meier, por cohorte de alta)",
        "Retention curves (Kaplan-Meier, by signup cohort)";
    months_since_signup: "meses desde el alta", "months since signup";
    churn_matrix: "Matriz de retención (% activos, meses desde el alta)",
        "Retention matrix (% active, months since signup)";
    col_cohort: "cohorte", "cohort";
    col_students: "estudiantes", "students";
    churn_ltv: "Valor de vida por estudiante y cohorte (ingresos hasta hoy; CLV BG/NBD × Gamma-Gamma de los próximos 12 meses)",
        "Lifetime value per student by cohort (revenue to date; BG/NBD × Gamma-Gamma CLV of the next 12 months)";
    ltv_observed: "{} observado", "{} observed";
    ltv_predicted: "{} +12 meses previsto", "{} +12 months predicted";
    churn_model_error: "Modelo no disponible: {}", "Model not available: {}";
    churn_empty: "Esta ejecución no tiene puntuaciones de abandono.", "This run has no churn scores.";

    // Leads.
    leads_title: "Leads", "Leads";
    leads_grades: "Distribución por calificación ({} leads)", "Grade distribution ({} leads)";
    leads_conversion: "Conversión por calificación (proporción que compró)",
        "Conversion by grade (share that purchased)";
    leads_scorer: "Puntuaciones de <b>{}</b>: {}.", "Scores from <b>{}</b>: {}.";
    leads_scorer_no_reason: "el modelo aprendido está desactivado", "the learned model is off";
    leads_hot: "Leads calientes: a quién debe llamar ventas", "Hot leads: who sales should call";
    leads_no_hot: "Ningún lead caliente sin convertir.", "No hot lead left to convert.";
    col_lead: "lead", "lead";
    col_engagement: "interacción", "engagement";
    col_score: "puntuación", "score";
    col_source: "origen", "source";
    col_hot_since: "caliente desde", "hot since";
    col_track: "seguimiento", "track";
    leads_empty: "Esta ejecución no tiene puntuaciones de leads.", "This run has no lead scores.";

    // Experiments.
    exp_title: "Experimentos (pruebas A/B)", "Experiments (A/B tests)";
    exp_empty: "Esta ejecución no tiene experimentos.", "This run has no experiments.";
    exp_heading: "{}: {} · métrica {} · control «{}»", "{}: {} · metric {} · control “{}”";
    exp_forest: "Mejora frente al control con su intervalo creíble (0 = igual que el control)",
        "Lift over control with its credible interval (0 = same as control)";
    exp_seq: "p siempre válido (mSPRT) en cada día: se puede mirar a diario sin inflar los falsos positivos",
        "Always-valid p (mSPRT) at each day: looking daily does not inflate false positives";
    exp_day: "día del experimento", "day of the experiment";
    exp_srm_ok: "Reparto correcto: el SRM p = {} no indica desajuste frente al reparto planificado.",
        "Split as planned: SRM p = {} shows no mismatch against the planned split.";
    exp_srm_bad: "Reparto roto: SRM p = {} (< 0,001). La asignación no sigue el plan; no se decide nada hasta corregirla.",
        "Broken split: SRM p = {} (< 0.001). The assignment does not follow the plan; nothing is decided until it is fixed.";
    exp_multi: "{} unidades vieron más de una variante: cuentan una vez, en la primera.",
        "{} units saw more than one variant: they count once, in their first.";
    exp_decision: "Decisión: {}", "Decision: {}";
    exp_explain: "Cómo leer los números: la «probabilidad de ganar» es la probabilidad (bayesiana) de que la variante sea mejor que el control; no es 1 − p. El «riesgo» es la pérdida esperada de elegir mal (en unidades de la mejora). El p siempre válido permite mirar cada día; el p de la prueba t solo vale al final planificado. El intervalo es el rango creíble al 95 % de la mejora.",
        "How to read the numbers: “chance to win” is the (Bayesian) probability that the variant beats control; it is not 1 − p. “Risk” is the expected loss of choosing wrong (in lift units). The always-valid p can be checked every day; the t-test p is only valid at the planned end. The interval is the 95 % credible range of the lift.";
    col_variant: "Variante", "Variant";
    col_units: "Unidades", "Units";
    col_control_units: "Unidades control", "Control units";
    col_rate: "Tasa / media", "Rate / mean";
    col_lift: "Mejora", "Lift";
    col_exp_interval: "Intervalo 95 %", "95 % interval";
    col_chance: "Prob. de ganar", "Chance to win";
    col_risk: "Riesgo control / variante", "Risk control / variant";
    col_p_valid: "p siempre válido (corr.)", "Always-valid p (adj.)";
    col_p_ttest: "p prueba t", "t-test p";
    col_reason: "Motivo", "Reason";

    // Certifications.
    cert_title: "Certificaciones", "Certifications";
    cert_explain: "«Aptos» cumplen todos los requisitos (la credencial se emite con `edupulse certs issue`); «cerca» cumplen cada requisito al menos en la proporción configurada. «Emitidas vigentes» son credenciales Open Badges 3.0 firmadas, no revocadas ni caducadas; «caducan pronto» vencen dentro del plazo de aviso de renovación (se envía un recordatorio por credencial).",
        "“Eligible” students meet every requirement (issue the credential with `edupulse certs issue`); “close” ones meet each requirement to at least the configured share. “Issued (valid)” are signed Open Badges 3.0 credentials neither revoked nor expired; “expiring soon” expire within the renewal-reminder window (one reminder is sent per credential).";
    cert_by_certification: "Por certificación", "By certification";
    cert_close: "Cerca de conseguirla: lo que falta", "Close: what is still missing";
    col_certification: "Certificación", "Certification";
    col_eligible: "Aptos", "Eligible";
    col_close: "Cerca", "Close";
    col_issued_valid: "Emitidas vigentes", "Issued (valid)";
    col_expiring_soon: "Caducan pronto", "Expiring soon";
    col_revoked: "Revocadas", "Revoked";
    col_missing: "Falta", "Missing";
    col_met: "Requisitos cumplidos", "Requirements met";

    // Demand.
    demand_title: "Demanda: asistencia prevista y mejores horarios",
        "Demand: predicted attendance and the best slots";
    demand_intro: "Asistentes previstos de un webinar la próxima semana por día y hora (UTC), por segmento objetivo (bosque aleatorio sobre segmento, tema, día, hora, mes, antelación y asistencia previa; pase el cursor por una celda para ver el intervalo del 90 %).",
        "Predicted attendees of a webinar next week by day and hour (UTC), per target segment (random forest over segment, topic, weekday, hour, month, lead time and previous attendance; hover a cell for the 90 % interval).";
    demand_cell: "{} {}h: {} asistentes (90 %: {}–{}), tasa {}", "{} {}h: {} attendees (90%: {}–{}), rate {}";
    demand_best: "Mejores horarios:", "Best slots:";
    demand_forecasts: "Previsión de los webinars planificados", "Forecast of the planned webinars";
    col_webinar: "webinar", "webinar";
    col_start: "inicio (UTC)", "start (UTC)";
    col_target: "segmento objetivo", "target";
    col_topic: "tema", "topic";
    col_predicted: "asistentes previstos", "predicted attendees";
    col_interval: "intervalo 90 %", "90% interval";
    demand_reschedule: "Sugerencias de reprogramación", "Rescheduling suggestions";
    demand_no_reschedule: "Ningún webinar planificado ganaría más del umbral al cambiar de horario.",
        "No planned webinar would gain more than the threshold by moving.";
    col_planned: "planificado", "planned";
    col_attendees: "asistentes", "attendees";
    col_suggested: "sugerido", "suggested";
    col_gain: "mejora", "gain";
    demand_calendar: "Calendario sugerido para el próximo mes", "Suggested calendar for next month";
    col_trend_score: "puntuación de tendencia", "trend score";
    all_registrants: "todos los inscritos", "all registrants";
    demand_empty: "Esta ejecución no tiene previsiones de demanda.", "This run has no demand forecasts.";

    // Spaced repetition.
    rep_title: "Repaso espaciado", "Spaced repetition";
    rep_summary: "{} estudiantes, {} tarjetas, {} repasos pendientes ahora, retención media {}, {} conceptos atascados, {} estudiantes atascados.",
        "{} learners, {} cards, {} reviews due now, mean retention {}, {} stuck concepts, {} stuck learners.";
    rep_forecast: "Previsión de carga (repasos pendientes por día; los atrasados, el primer día)",
        "Workload forecast (reviews due per day; overdue on the first day)";
    rep_retention: "Retención por concepto (las más bajas primero)", "Retention by concept (lowest first)";
    rep_stuck: "Conceptos atascados", "Stuck concepts";
    col_concept: "concepto", "concept";
    col_learners: "estudiantes", "learners";
    col_stuck_learners: "estudiantes atascados", "stuck learners";
    col_lapse_rate: "tasa de olvido", "lapse rate";
    col_difficulty: "dificultad media", "mean difficulty";
    col_retention: "retención media", "mean retention";
    rep_empty: "Esta ejecución no tiene repasos programados.", "This run has no review schedule.";

    // Content and learning paths.
    content_title: "Contenido: microlecciones y rutas de aprendizaje", "Content: micro-lessons and learning paths";
    content_summary: "{} grabaciones divididas en {} microlecciones; {} estudiantes con una recomendación; {} pares estudiante–concepto por debajo del umbral de dominio.",
        "{} recordings split into {} micro-lessons; {} learners with a recommendation; {} learner–concept pairs below the mastery threshold.";
    content_lessons: "Microlecciones (orden por implicación cuando hay datos)", "Micro-lessons (engagement order when there is data)";
    col_recording: "grabación", "recording";
    col_lesson: "n.º", "no.";
    col_span: "tramo", "span";
    col_key_terms: "términos clave", "key terms";
    col_engagement_rank: "puesto por implicación", "engagement rank";
    content_next: "Qué estudiar a continuación, por motivo", "What to study next, by reason";
    content_difficult: "Conceptos difíciles (estudiantes por debajo del umbral)", "Difficult concepts (learners below the threshold)";
    col_difficult_learners: "estudiantes con dificultad", "struggling learners";
    col_mean_mastery: "dominio medio", "mean mastery";
    content_lessons_more: "Y {} microlecciones más en content_lessons.", "And {} more micro-lessons in content_lessons.";

    // Community.
    community_title: "Comunidad: participación, puntos, mentorías y recomendaciones", "Community: participation, points, mentoring and recommendations";
    community_summary: "{} de los estudiantes participan activamente en la comunidad (objetivo {}); {} ocasionalmente y {} en silencio, en los últimos {} días.",
        "{} of the students take an active part in the community (target {}); {} occasionally and {} silent, over the last {} days.";
    community_meets: "Se cumple el objetivo de participación.", "The participation target is met.";
    community_misses: "No se cumple el objetivo de participación.", "The participation target is not met.";
    community_leaders: "Clasificación del mes ({})", "Leaderboard of the month ({})";
    community_badges: "Insignias conseguidas", "Badges earned";
    community_pairs: "Mentorías: {} parejas (asignación óptima por afinidad)", "Mentoring: {} pairs (optimal assignment by affinity)";
    community_groups: "{} grupos de estudio de 4 a 6 estudiantes.", "{} study groups of 4 to 6 students.";
    community_recs: "Webinars recomendados: {} estudiantes con recomendación; los más recomendados", "Recommended webinars: {} students with a recommendation; the most recommended";
    col_rank: "puesto", "rank";
    col_points: "puntos", "points";
    col_badge: "insignia", "badge";
    col_count: "número", "count";
    col_mentee: "mentorizado", "mentee";
    col_mentor: "mentor", "mentor";
    col_affinity: "afinidad", "affinity";
    col_starts: "empieza", "starts";
    // Feedback: webinar outcomes and testimonials.
    fb_title: "Webinars: resultados, opiniones y testimonios", "Webinars: outcomes, feedback and testimonials";
    fb_summary: "{} webinars terminados; {} por debajo del 30 % de asistencia; valoración media {} ({} valoraciones); {} personas a las que pedir un testimonio.",
        "{} ended webinars; {} below 30 % attendance; mean rating {} ({} ratings); {} people to ask for a testimonial.";
    fb_webinars: "Últimos webinars", "Latest webinars";
    fb_col_webinar: "webinar", "webinar";
    fb_col_terms: "términos destacados", "top terms";
    fb_col_date: "inicio", "start";
    fb_col_registrations: "inscritos", "registrations";
    fb_col_attendance: "asistencia", "attendance";
    fb_col_watch: "visto (media)", "watched (mean)";
    fb_col_conversions: "conversiones", "conversions";
    fb_col_rating: "valoración", "rating";
    fb_col_positive: "positivos", "positive";
    fb_col_negative: "negativos", "negative";
    fb_floor_note: "⚠: asistencia por debajo del mínimo (30 %). Conversiones: compras en los 30 días siguientes al inicio.",
        "⚠: attendance below the floor (30 %). Conversions: purchases within 30 days of the start.";
    fb_more: "Y {} webinars más en webinar_outcomes.", "And {} more webinars in webinar_outcomes.";
    fb_testimonials: "A quién pedir un testimonio", "Who to ask for a testimonial";
    fb_col_person: "persona", "person";
    fb_col_quote: "lo que escribió", "what they wrote";
    fb_col_reason: "motivo", "reason";
    fb_page_link: "Cada título abre la página de su webinar (la tienen los {} más recientes).",
        "Each title opens its webinar's page (the latest {} webinars have one).";
    fb_more_pages: "Páginas de webinars anteriores:", "Pages of earlier webinars:";
    // The per-webinar page (webinars/<id>.html).
    wp_title: "{} · webinar", "{} · webinar";
    wp_back: "← Volver al informe", "← Back to the report";
    wp_when: "{} a {} ({}) · tema: {}", "{} to {} ({}) · topic: {}";
    wp_below_floor: "⚠ Asistencia del {} por debajo del mínimo del {}.", "⚠ Attendance of {} below the {} floor.";
    wp_below_floor_unknown: "⚠ Asistencia del {} por debajo del mínimo.", "⚠ Attendance of {} below the floor.";
    wp_funnel: "Embudo", "Funnel";
    wp_registrations: "Inscritos", "Registrations";
    wp_attendees: "Asistentes", "Attendees";
    wp_conversions_days: "Compraron en {} días", "Bought within {} days";
    wp_conversions: "Compraron", "Bought";
    wp_revenue: "Ingresos en la ventana", "Revenue in the window";
    wp_window_open: "La ventana de conversión sigue abierta: pueden llegar más compras.",
        "The conversion window is still open: more purchases may come.";
    wp_engagement: "Participación", "Engagement";
    wp_watch: "Visto (media)", "Watched (mean)";
    wp_questions: "Preguntas por asistente", "Questions per attendee";
    wp_polls: "Sondeos por asistente", "Polls per attendee";
    wp_chat: "Chat por asistente", "Chat per attendee";
    wp_rating: "Valoración media", "Mean rating";
    wp_feedback_counts: "{} comentarios · {} positivos · {} negativos · sentimiento medio {}",
        "{} comments · {} positive · {} negative · mean sentiment {}";
    wp_timeline: "Mensajes y sentimiento por minuto", "Messages and sentiment per minute";
    wp_timeline_note: "Barras: mensajes de chat y preguntas por minuto desde el inicio (eje izquierdo). Línea: sentimiento medio del minuto, de −1 a +1 (eje derecho).",
        "Bars: chat messages and questions per minute since the start (left axis). Line: the minute's mean sentiment, −1 to +1 (right axis).";
    wp_timeline_empty: "Sin mensajes de chat ni preguntas durante la sesión.", "No chat messages or questions during the session.";
    wp_minutes_axis: "minutos desde el inicio", "minutes since the start";
    wp_minute_title: "min {}: {} mensajes, {} preguntas, sentimiento {}", "min {}: {} messages, {} questions, sentiment {}";
    wp_positive: "Los comentarios más positivos", "Most positive comments";
    wp_negative: "Los comentarios más negativos", "Most negative comments";
    wp_comments_empty: "Ninguno.", "None.";
    wp_questions_title: "Lo que más se preguntó", "What was asked most";
    wp_terms: "Términos destacados", "Top terms";
    wp_terms_empty: "Ningún término destaca frente al resto de webinars.", "No term stands out against the other webinars.";
    wp_cut_note: "Textos recortados a 280 caracteres (…); el texto completo está en la tabla feedback.",
        "Texts cut at 280 characters (…); the full text is in the feedback table.";
    wp_col_comment: "comentario", "comment";
    wp_col_source: "tipo", "kind";
    wp_col_when: "hora", "time";
    wp_col_score: "sentimiento", "sentiment";
    wp_col_rating: "valoración", "rating";
    wp_col_term: "término", "term";
    wp_col_asked: "preguntas", "questions";
    wp_col_example: "primera pregunta", "first question";

    // Notifications and the store.
    outbox_title: "Notificaciones ({})", "Notifications ({})";
    outbox_note: "Las 50 más recientes.", "The 50 most recent.";
    col_created: "creada", "created";
    col_title: "título", "title";
    col_status: "estado", "status";
    col_delivered_to: "entregada a", "delivered to";
    outbox_empty: "No hay notificaciones.", "No notifications.";
    store_title: "Almacén", "Store";
    col_table: "tabla", "table";
    col_rows: "filas", "rows";

    // Revenue forecast.
    forecast_title: "Previsión de ingresos", "Revenue forecast";
    forecast_explain: "Del {} al {} se esperan {} de ingresos (método elegido por backtest: {}).",
        "From {} to {}, {} of revenue is expected (method chosen by backtest: {}).";
    forecast_note: "Bandas: intervalos conformales del 80 % y el 95 % calibrados con los errores de un año de previsiones pasadas.",
        "Bands: 80 % and 95 % conformal intervals calibrated on a year of past forecast errors.";
    forecast_history: "Ingresos diarios", "Daily revenue";
    forecast_mean: "Previsión", "Forecast";
    forecast_band_80: "Intervalo 80 %", "80 % interval";
    forecast_band_95: "Intervalo 95 %", "95 % interval";

    // Weekly report.
    weekly_title: "edupulse · informe semanal {}", "edupulse · weekly report {}";
    weekly_period: "Semana del {} al {} (UTC)", "Week of {} to {} (UTC)";
    weekly_figures: "La semana en cifras", "The week in figures";
    weekly_webinars_held: "Webinars realizados", "Webinars held";
    weekly_attendance: "Asistencia", "Attendance";
    weekly_conversion: "Conversión", "Conversion";
    weekly_new_enrolments: "Nuevas matrículas", "New enrolments";
    weekly_completion: "Finalización", "Completion";
    weekly_churn: "Abandono mensual", "Monthly churn";
    weekly_revenue: "Ingresos", "Revenue";
    weekly_rating: "Valoración media (1–5)", "Average rating (1–5)";
    weekly_comments: "Comentarios destacados", "Top comments";
    weekly_comments_empty: "Sin encuestas ni reseñas esta semana.", "No surveys or reviews this week.";
    col_comment: "comentario", "comment";
    col_rating: "valoración", "rating";
    weekly_keywords: "Palabras clave en alza", "Top keywords";
    weekly_keywords_empty: "Sin datos de búsquedas esta semana.", "No search interest data this week.";
    weekly_alerts: "Alertas enviadas", "Alerts sent";
    weekly_alerts_empty: "Ninguna alerta esta semana.", "No alerts this week.";
    weekly_webinars_empty: "Ningún webinar esta semana.", "No webinars this week.";
    weekly_misses: "Los tres KPI más lejos de su objetivo (30 días)", "The three biggest KPI misses (30 days)";
    weekly_misses_empty: "Todos los KPI con objetivo están en camino.", "Every KPI with a target is on track.";
    col_interest: "interés medio", "mean interest";
    col_when: "cuándo", "when";
    col_registrations: "inscritos", "registrations";
    col_kpi: "KPI", "KPI";
    col_kpi_target: "objetivo", "target";
    col_causes: "causas probables", "likely causes";
    col_see: "dónde verlo", "where to look";
    scorecard_title: "Cuadro de mando: los KPI frente a sus objetivos", "Scorecard: the KPIs against their targets";
    scorecard_window: "Últimos {} días hasta el {}, comparados con los {} días anteriores; primero los que no alcanzan su objetivo.",
        "The last {} days to {}, against the {} days before; the missed ones first.";
    scorecard_empty: "Sin cuadro de mando: el paso kpis aún no lo ha calculado.", "No scorecard: the kpis step has not computed it yet.";
    col_kpi_previous: "periodo anterior", "previous period";
}
