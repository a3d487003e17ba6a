//! Micro-lessons from a transcript: the transcript's timed segments (caption cues) are grouped
//! into blocks of about `block_seconds`, the blocks are segmented by lexical cohesion
//! ([`super::segment`]) with each lesson's duration kept within `[min_minutes, max_minutes]`
//! (a lesson outside pays a penalty, so a transcript shorter than the minimum is one lesson), and
//! each lesson gets its key terms (tf·idf against the transcript's other lessons) and a title made
//! of its top terms. Chapters render as WebVTT, SRT or JSON.

use super::segment::{best_segmentation, Cohesion};
use super::text::Vectors;
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One timed piece of a transcript: the `transcript_segments` input record.
pub use crate::model::TranscriptSegment;

/// Parameters of [`segment_transcript`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LessonParams {
    /// Shortest lesson, minutes.
    pub min_minutes: f64,
    /// Longest lesson, minutes.
    pub max_minutes: f64,
    /// Transcript segments are grouped into blocks of about this many seconds (the unit of
    /// segmentation; lesson boundaries fall on block starts).
    pub block_seconds: f64,
    /// Key terms per lesson.
    pub key_terms: usize,
    /// Terms in a lesson's title.
    pub title_terms: usize,
    /// Weight of the average-pair baseline (see [`super::SegmentParams::gamma`]).
    pub gamma: f64,
    /// Overlap tolerated between consecutive segments, seconds (caption cues often overlap a
    /// little); more is an error.
    pub overlap_tolerance_s: f64,
}

impl Default for LessonParams {
    fn default() -> Self {
        LessonParams {
            min_minutes: 5.0,
            max_minutes: 10.0,
            block_seconds: 30.0,
            key_terms: 5,
            title_terms: 3,
            gamma: 1.5,
            overlap_tolerance_s: 1.0,
        }
    }
}

impl LessonParams {
    /// Check every field.
    pub fn validate(&self) -> Result<()> {
        if !(self.min_minutes.is_finite() && self.min_minutes >= 0.0) {
            return Err(CoreError::param("min_minutes", "must be finite and ≥ 0"));
        }
        if !(self.max_minutes.is_finite()
            && self.max_minutes > 0.0
            && self.max_minutes >= self.min_minutes)
        {
            return Err(CoreError::param(
                "max_minutes",
                "must be finite, > 0 and ≥ min_minutes",
            ));
        }
        if !(self.block_seconds.is_finite()
            && self.block_seconds > 0.0
            && self.block_seconds <= 60.0 * self.max_minutes)
        {
            return Err(CoreError::param(
                "block_seconds",
                "must be > 0 and at most max_minutes",
            ));
        }
        if !(self.gamma.is_finite() && self.gamma > 0.0) {
            return Err(CoreError::param("gamma", "must be finite and > 0"));
        }
        if !(self.overlap_tolerance_s.is_finite() && self.overlap_tolerance_s >= 0.0) {
            return Err(CoreError::param(
                "overlap_tolerance_s",
                "must be finite and ≥ 0",
            ));
        }
        Ok(())
    }
}

/// A micro-lesson: a topical stretch of one recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MicroLesson {
    /// The recording.
    pub content_id: String,
    /// 1-based position within the recording.
    pub lesson: u32,
    /// Start, seconds.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
    /// Title: the lesson's top terms.
    pub title: String,
    /// Key terms, most characteristic first.
    pub key_terms: Vec<String>,
}

/// Split every recording of `segments` into micro-lessons (recordings in id order, lessons in
/// time order). Errors name the row (1-based, input order): non-finite or negative times, an end
/// before its start, overlaps beyond `overlap_tolerance_s`; an empty input is an error
/// (`transcript_segments`), a recording whose text has no content word is one lesson titled "".
pub fn segment_transcript(
    segments: &[TranscriptSegment],
    params: &LessonParams,
) -> Result<Vec<MicroLesson>> {
    params.validate()?;
    if segments.is_empty() {
        return Err(CoreError::validation(
            "transcript_segments",
            None,
            None,
            "the transcript is empty",
        ));
    }
    let mut by_content: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in segments.iter().enumerate() {
        let bad = |col: &str, m: String| {
            CoreError::validation("transcript_segments", Some(i + 1), Some(col), m)
        };
        if !(s.start_s.is_finite() && s.start_s >= 0.0) {
            return Err(bad(
                "start_s",
                format!("{} is not a finite time ≥ 0", s.start_s),
            ));
        }
        if !(s.end_s.is_finite() && s.end_s >= s.start_s) {
            return Err(bad(
                "end_s",
                format!(
                    "{} is before start_s {} (reversed segment)",
                    s.end_s, s.start_s
                ),
            ));
        }
        by_content.entry(s.content_id.as_str()).or_default().push(i);
    }
    let mut out = Vec::new();
    for (content, mut idx) in by_content {
        idx.sort_by(|&a, &b| segments[a].start_s.total_cmp(&segments[b].start_s));
        for w in idx.windows(2) {
            let (p, q) = (&segments[w[0]], &segments[w[1]]);
            if q.start_s < p.end_s - params.overlap_tolerance_s {
                return Err(CoreError::validation(
                    "transcript_segments",
                    Some(w[1] + 1),
                    Some("start_s"),
                    format!(
                        "content {content}: starts at {} s, {:.1} s before the previous segment ends ({} s)",
                        q.start_s,
                        p.end_s - q.start_s,
                        p.end_s
                    ),
                ));
            }
        }
        out.extend(lessons_of(
            content,
            &idx.iter().map(|&i| &segments[i]).collect::<Vec<_>>(),
            params,
        ));
    }
    Ok(out)
}

fn lessons_of(content: &str, segs: &[&TranscriptSegment], p: &LessonParams) -> Vec<MicroLesson> {
    // Blocks of about block_seconds.
    let mut blocks: Vec<(f64, f64, String)> = Vec::new();
    for s in segs {
        match blocks.last_mut() {
            Some(b) if s.start_s - b.0 < p.block_seconds => {
                b.1 = b.1.max(s.end_s);
                b.2.push(' ');
                b.2.push_str(&s.text);
            }
            _ => blocks.push((s.start_s, s.end_s, s.text.clone())),
        }
    }
    let v = Vectors::new(blocks.iter().map(|b| b.2.as_str()));
    let n = blocks.len();
    let (min_s, max_s) = (60.0 * p.min_minutes, 60.0 * p.max_minutes);
    // Longest lesson in blocks: enough blocks to cover max_minutes, at least one.
    let band = ((max_s / p.block_seconds).ceil() as usize + 2)
        .min(n)
        .max(1);
    let c = Cohesion::new(&v, band, 0);
    let starts: Vec<f64> = blocks.iter().map(|b| b.0).collect();
    let ends: Vec<f64> = blocks.iter().map(|b| b.1).collect();
    // Penalty per second outside the bounds, larger than any cohesion gain.
    let big = 1e3 * (band * band) as f64;
    let allowed = |a: usize, b: usize| {
        let dur = if b < n { starts[b] } else { ends[n - 1] } - starts[a];
        let over = (dur - max_s).max(0.0) + (min_s - dur).max(0.0);
        Some(big * over / 60.0)
    };
    let cuts = best_segmentation(&c, p.gamma, None, &allowed).unwrap_or_default();
    // Key terms: tf·idf of each lesson's words against the other lessons.
    let mut bounds = vec![0];
    bounds.extend(&cuts);
    bounds.push(n);
    let lessons: Vec<BTreeMap<u32, u32>> = bounds
        .windows(2)
        .map(|w| {
            let mut tf = BTreeMap::new();
            for row in &v.counts[w[0]..w[1]] {
                for &(k, t) in row {
                    *tf.entry(k).or_insert(0) += t;
                }
            }
            tf
        })
        .collect();
    let mut df: BTreeMap<u32, u32> = BTreeMap::new();
    for tf in &lessons {
        for &k in tf.keys() {
            *df.entry(k).or_insert(0) += 1;
        }
    }
    let m = lessons.len() as f64;
    bounds
        .windows(2)
        .zip(&lessons)
        .enumerate()
        .map(|(i, (w, tf))| {
            let mut scored: Vec<(f64, String)> = tf
                .iter()
                .map(|(&k, &t)| {
                    let idf = (1.0 + m / df[&k] as f64).ln();
                    (t as f64 * idf, v.surface_of(k))
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let key_terms: Vec<String> = scored
                .into_iter()
                .take(p.key_terms.max(p.title_terms))
                .map(|x| x.1)
                .collect();
            let title = title_of(&key_terms[..p.title_terms.min(key_terms.len())]);
            MicroLesson {
                content_id: content.to_string(),
                lesson: i as u32 + 1,
                start_s: starts[w[0]],
                end_s: if w[1] < n { starts[w[1]] } else { ends[n - 1] },
                title,
                key_terms: key_terms.into_iter().take(p.key_terms).collect(),
            }
        })
        .collect()
}

fn title_of(terms: &[String]) -> String {
    let mut t = terms.join(", ");
    if let Some(first) = t.chars().next() {
        let upper: String = first.to_uppercase().collect();
        t.replace_range(..first.len_utf8(), &upper);
    }
    t
}

/// Chapter formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ChapterFormat {
    /// WebVTT (`kind="chapters"` track).
    WebVtt,
    /// SubRip.
    Srt,
    /// A JSON array of `{lesson, start_s, end_s, title, key_terms}`.
    Json,
}

fn clock(s: f64, sep: char) -> String {
    let ms = (s * 1000.0).round().max(0.0) as u64;
    format!(
        "{:02}:{:02}:{:02}{sep}{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// The chapters of one recording's lessons in `format`.
pub fn chapters(lessons: &[MicroLesson], format: ChapterFormat) -> String {
    match format {
        ChapterFormat::WebVtt => {
            let mut s = String::from("WEBVTT\n");
            for l in lessons {
                s += &format!(
                    "\n{}\n{} --> {}\n{}\n",
                    l.lesson,
                    clock(l.start_s, '.'),
                    clock(l.end_s, '.'),
                    l.title
                );
            }
            s
        }
        ChapterFormat::Srt => {
            let mut s = String::new();
            for l in lessons {
                s += &format!(
                    "{}\n{} --> {}\n{}\n\n",
                    l.lesson,
                    clock(l.start_s, ','),
                    clock(l.end_s, ','),
                    l.title
                );
            }
            s
        }
        ChapterFormat::Json => {
            serde_json::to_string_pretty(lessons).unwrap_or_else(|_| "[]".to_string())
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Three topics of 7 minutes each, one 5-second cue per sentence.
    pub(crate) fn transcript(content: &str) -> Vec<TranscriptSegment> {
        let topics = [
            [
                "Python functions take arguments and return values",
                "A function is defined with def and its arguments",
                "Default arguments make a function easier to call",
            ],
            [
                "Las redes neuronales aprenden pesos con descenso de gradiente",
                "El gradiente de la pérdida ajusta los pesos de la red",
                "Una red neuronal profunda tiene muchas capas de pesos",
            ],
            [
                "Marketing emails bring students to the webinar",
                "The webinar registration page converts email visitors",
                "Email campaigns and webinar reminders raise attendance",
            ],
        ];
        let mut out = Vec::new();
        let mut t = 0.0;
        for topic in topics {
            for k in 0..84 {
                out.push(TranscriptSegment {
                    content_id: content.into(),
                    start_s: t,
                    end_s: t + 5.0,
                    text: topic[k % 3].to_string(),
                });
                t += 5.0;
            }
        }
        out
    }

    #[test]
    fn lessons_follow_the_topics_within_the_duration_bounds() {
        let mut segs = transcript("b");
        segs.extend(transcript("a"));
        let l = segment_transcript(&segs, &LessonParams::default()).unwrap();
        assert_eq!(l.len(), 6);
        assert_eq!(l[0].content_id, "a");
        let a: Vec<_> = l.iter().filter(|x| x.content_id == "a").collect();
        assert_eq!(
            a.iter().map(|x| x.start_s).collect::<Vec<_>>(),
            vec![0.0, 420.0, 840.0]
        );
        assert_eq!(a[2].end_s, 1260.0);
        assert!(
            a[0].key_terms.contains(&"arguments".to_string()),
            "{:?}",
            a[0].key_terms
        );
        assert!(a[1].title.starts_with(|c: char| c.is_uppercase()));
        assert!(
            a[1].key_terms.iter().any(|k| k == "pesos" || k == "red"),
            "{:?}",
            a[1].key_terms
        );
        for x in &l {
            let d = x.end_s - x.start_s;
            assert!((300.0..=600.0).contains(&d), "{d}");
        }
        let vtt = chapters(&l[..3], ChapterFormat::WebVtt);
        assert!(
            vtt.starts_with("WEBVTT\n\n1\n00:00:00.000 --> 00:07:00.000\n"),
            "{vtt}"
        );
        let srt = chapters(&l[..3], ChapterFormat::Srt);
        assert!(srt.contains("2\n00:07:00,000 --> 00:14:00,000\n"), "{srt}");
        let json: Vec<MicroLesson> =
            serde_json::from_str(&chapters(&l[..3], ChapterFormat::Json)).unwrap();
        assert_eq!(json, l[..3].to_vec());
    }

    #[test]
    fn bad_transcripts_are_named_errors() {
        let p = LessonParams::default();
        let e = segment_transcript(&[], &p).unwrap_err().to_string();
        assert!(
            e.contains("transcript_segments") && e.contains("empty"),
            "{e}"
        );
        let mut s = transcript("a");
        s[3].end_s = s[3].start_s - 1.0;
        let e = segment_transcript(&s, &p).unwrap_err().to_string();
        assert!(e.contains("end_s") && e.contains("row 4"), "{e}");
        let mut s = transcript("a");
        s[5].start_s = 2.0;
        s[5].end_s = 30.0;
        let e = segment_transcript(&s, &p).unwrap_err().to_string();
        assert!(e.contains("start_s"), "{e}");
        // Shorter than the minimum: one lesson.
        let s: Vec<_> = transcript("a").into_iter().take(10).collect();
        let l = segment_transcript(&s, &p).unwrap();
        assert_eq!(l.len(), 1);
        assert_eq!((l[0].start_s, l[0].end_s), (0.0, 50.0));
    }
}
