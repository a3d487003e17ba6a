//! The dispatcher's configuration: routing, rate limits, retries. Serde-friendly (durations are
//! whole seconds) with the source's defaults, and [`DispatchConfig::validate`].

use crate::{ChannelKind, NotifyError};
use edupulse_core::results::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Everything the [`Dispatcher`](crate::Dispatcher) decides from, besides the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DispatchConfig {
    /// Which notification goes to which channel.
    pub routing: Routing,
    /// The rate limit of every channel that has none of its own in `routing`
    /// (default: at most 5 per rolling hour, the source's rule).
    pub rate_limit: RateLimit,
    /// Retries with exponential backoff.
    pub retry: RetryPolicy,
    /// Give up on one `send` after this many seconds (a retryable failure); `None` waits forever.
    /// Default 30 s. Needs a tokio runtime with the time driver enabled.
    pub send_timeout_secs: Option<u64>,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        DispatchConfig {
            routing: Routing::default(),
            rate_limit: RateLimit::default(),
            retry: RetryPolicy::default(),
            send_timeout_secs: Some(30),
        }
    }
}

impl DispatchConfig {
    /// The default configuration (same as `Default`).
    pub fn new() -> Self {
        DispatchConfig::default()
    }

    /// The policy of local runs (the CLI's and Python's): the library defaults (push channels at
    /// most 5 per hour, the source's rule), except that the local `file` inbox takes every alert at
    /// once — it is the record a person reads in-app, and holding alerts back from it helps no one.
    pub fn local() -> Self {
        let mut cfg = DispatchConfig::default();
        cfg.routing.channels.insert(
            "file".to_string(),
            ChannelRoute {
                rate_limit: Some(RateLimit {
                    max: 100_000,
                    window_secs: 3600,
                }),
                ..ChannelRoute::default()
            },
        );
        cfg
    }

    /// Check every setting; the error names the bad one.
    pub fn validate(&self) -> Result<(), NotifyError> {
        self.rate_limit.validate("rate_limit")?;
        self.retry.validate()?;
        if self.send_timeout_secs == Some(0) {
            return Err(NotifyError::config(
                "send_timeout_secs",
                "must be at least 1 (or absent for no timeout)",
            ));
        }
        self.routing.validate()
    }

    /// The rate limit that applies to channel `name`.
    pub fn rate_limit_for(&self, name: &str) -> RateLimit {
        self.routing
            .channels
            .get(name)
            .and_then(|r| r.rate_limit)
            .unwrap_or(self.rate_limit)
    }

    /// The send timeout, if any.
    pub fn send_timeout(&self) -> Option<Duration> {
        self.send_timeout_secs.map(Duration::from_secs)
    }
}

/// Routing rules, per channel name.
///
/// A channel receives a notification when:
/// 1. the channel is enabled (default), and
/// 2. the severity is `Critical` (critical goes to **every** enabled channel), or
/// 3. the severity is at least the channel's minimum — which defaults to `Low` for local channels
///    (file, stdout: the in-app inbox gets everything) and to [`Routing::remote_min_severity`]
///    (default `Medium`) for remote ones — except that `Low` never leaves the local channels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Routing {
    /// Minimum severity of remote channels without a `min_severity` of their own
    /// (default `Medium`).
    pub remote_min_severity: Severity,
    /// Rules of individual channels, by notifier name. Names that match no notifier are ignored
    /// (a config may describe a webhook that is not set up on this machine).
    pub channels: BTreeMap<String, ChannelRoute>,
}

impl Default for Routing {
    fn default() -> Self {
        Routing {
            remote_min_severity: Severity::Medium,
            channels: BTreeMap::new(),
        }
    }
}

impl Routing {
    /// Check the rules.
    pub fn validate(&self) -> Result<(), NotifyError> {
        for (name, route) in &self.channels {
            if name.trim().is_empty() {
                return Err(NotifyError::config(
                    "routing.channels",
                    "channel names must not be empty",
                ));
            }
            if let Some(limit) = route.rate_limit {
                limit.validate(&format!("routing.channels.{name}.rate_limit"))?;
            }
        }
        Ok(())
    }

    /// Whether a channel named `name`, of kind `kind`, receives a notification of `severity`.
    pub fn routes(&self, name: &str, kind: ChannelKind, severity: Severity) -> bool {
        let route = self.channels.get(name);
        if route.is_some_and(|r| !r.enabled) {
            return false;
        }
        if severity == Severity::Critical {
            return true;
        }
        let local = route.and_then(|r| r.local).unwrap_or(kind.is_local());
        if !local && severity == Severity::Low {
            return false;
        }
        let min = route.and_then(|r| r.min_severity).unwrap_or(if local {
            Severity::Low
        } else {
            self.remote_min_severity
        });
        severity >= min
    }
}

/// Rules for one channel. Every field is optional; absent ones follow the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChannelRoute {
    /// `false` turns the channel off entirely (even for critical notifications).
    pub enabled: bool,
    /// Treat the channel as local (in-app: receives low severity too) or remote; default from its
    /// [`ChannelKind`].
    pub local: Option<bool>,
    /// Minimum severity (critical always passes).
    pub min_severity: Option<Severity>,
    /// This channel's rate limit instead of the dispatcher's default.
    pub rate_limit: Option<RateLimit>,
}

impl Default for ChannelRoute {
    fn default() -> Self {
        ChannelRoute {
            enabled: true,
            local: None,
            min_severity: None,
            rate_limit: None,
        }
    }
}

/// At most `max` successful deliveries per channel in any rolling window of `window_secs`,
/// counted from the store's delivery log (so the limit holds across runs and processes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimit {
    /// Deliveries allowed per window (default 5).
    pub max: u32,
    /// Window length in seconds (default 3600).
    pub window_secs: u64,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            max: 5,
            window_secs: 3600,
        }
    }
}

impl RateLimit {
    /// The window.
    pub fn window(&self) -> Duration {
        Duration::from_secs(self.window_secs)
    }

    fn validate(&self, name: &str) -> Result<(), NotifyError> {
        if self.max == 0 {
            return Err(NotifyError::config(
                name,
                "max must be at least 1 (disable the channel with `enabled = false` instead)",
            ));
        }
        if self.window_secs == 0 || self.window_secs > MAX_SECS {
            return Err(NotifyError::config(
                name,
                format!("window_secs must be between 1 and {MAX_SECS}"),
            ));
        }
        Ok(())
    }
}

/// Durations above this (about 100 years) are rejected, so time arithmetic cannot overflow.
const MAX_SECS: u64 = 100 * 366 * 24 * 3600;

/// Retries with exponential backoff: after the `n`-th failed attempt of a row, the next attempt
/// waits `min(backoff_cap, backoff_base · 2^(n−1))`, shortened by up to `jitter` of itself at
/// random, and at least as long as a retry-after hint from the channel (bounded by
/// `max_retry_after_secs`). After `max_attempts` failed attempts the row is given up (`Failed`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Failed attempts (over all channels of a row) before giving up (default 5).
    pub max_attempts: u32,
    /// First delay in seconds (default 60).
    pub backoff_base_secs: u64,
    /// Longest delay in seconds (default 3600).
    pub backoff_cap_secs: u64,
    /// Fraction of a delay that may be removed at random, 0–1 (default 0: no jitter).
    pub jitter: f64,
    /// Seed of the jitter: with a seed the delays are reproducible; without, they differ per
    /// dispatcher.
    pub jitter_seed: Option<u64>,
    /// Longest retry-after hint honoured, in seconds (default 86400); longer hints are cut.
    pub max_retry_after_secs: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            backoff_base_secs: 60,
            backoff_cap_secs: 3600,
            jitter: 0.0,
            jitter_seed: None,
            max_retry_after_secs: 86_400,
        }
    }
}

impl RetryPolicy {
    /// Check the policy.
    pub fn validate(&self) -> Result<(), NotifyError> {
        if self.max_attempts == 0 {
            return Err(NotifyError::config(
                "retry.max_attempts",
                "must be at least 1",
            ));
        }
        if self.backoff_base_secs == 0 || self.backoff_base_secs > MAX_SECS {
            return Err(NotifyError::config(
                "retry.backoff_base_secs",
                format!("must be between 1 and {MAX_SECS}"),
            ));
        }
        if self.backoff_cap_secs < self.backoff_base_secs || self.backoff_cap_secs > MAX_SECS {
            return Err(NotifyError::config(
                "retry.backoff_cap_secs",
                format!("must be between backoff_base_secs and {MAX_SECS}"),
            ));
        }
        if !(0.0..=1.0).contains(&self.jitter) {
            return Err(NotifyError::config(
                "retry.jitter",
                "must be a fraction between 0 and 1",
            ));
        }
        if self.max_retry_after_secs > MAX_SECS {
            return Err(NotifyError::config(
                "retry.max_retry_after_secs",
                format!("must be at most {MAX_SECS}"),
            ));
        }
        Ok(())
    }

    /// The delay after the `attempt`-th failed attempt (1-based; 0 is treated as 1), given a
    /// uniform random `draw` in `[0, 1)` for the jitter (ignored when `jitter` is 0).
    pub fn backoff(&self, attempt: u32, draw: f64) -> Duration {
        let doublings = attempt.saturating_sub(1).min(62);
        let secs = self
            .backoff_base_secs
            .saturating_mul(1u64 << doublings)
            .min(self.backoff_cap_secs);
        let full = Duration::from_secs(secs);
        if self.jitter > 0.0 {
            let draw = if draw.is_finite() {
                draw.clamp(0.0, 1.0)
            } else {
                0.0
            };
            full.mul_f64(1.0 - self.jitter * draw)
        } else {
            full
        }
    }

    /// The wait before the next attempt after the `attempt`-th failure: the backoff, or the
    /// channel's `retry_after` hint (bounded by `max_retry_after_secs`) when that is longer.
    pub fn wait(&self, attempt: u32, draw: f64, retry_after: Option<Duration>) -> Duration {
        let backoff = self.backoff(attempt, draw);
        match retry_after {
            Some(hint) => backoff.max(hint.min(Duration::from_secs(self.max_retry_after_secs))),
            None => backoff,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_match_the_source() {
        let cfg = DispatchConfig::default();
        cfg.validate().unwrap();
        assert_eq!(cfg.rate_limit.max, 5);
        assert_eq!(cfg.rate_limit.window(), Duration::from_secs(3600));
        assert_eq!(cfg.retry.max_attempts, 5);
        assert_eq!(cfg.send_timeout(), Some(Duration::from_secs(30)));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::default();
        let secs: Vec<u64> = (1..=8).map(|n| p.backoff(n, 0.5).as_secs()).collect();
        assert_eq!(secs, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(p.backoff(0, 0.0).as_secs(), 60);
        assert_eq!(p.backoff(u32::MAX, 0.0).as_secs(), 3600);
    }

    #[test]
    fn jitter_shortens_within_bounds() {
        let p = RetryPolicy {
            jitter: 0.5,
            ..RetryPolicy::default()
        };
        assert_eq!(p.backoff(1, 0.0), Duration::from_secs(60));
        assert_eq!(p.backoff(1, 0.5), Duration::from_secs(45));
        assert!(p.backoff(1, 0.999) > Duration::from_secs(30));
        assert_eq!(p.backoff(1, f64::NAN), Duration::from_secs(60));
    }

    #[test]
    fn retry_after_hint_is_respected_and_bounded() {
        let p = RetryPolicy::default();
        assert_eq!(p.wait(1, 0.0, Some(Duration::from_secs(5))).as_secs(), 60);
        assert_eq!(
            p.wait(1, 0.0, Some(Duration::from_secs(600))).as_secs(),
            600
        );
        assert_eq!(
            p.wait(1, 0.0, Some(Duration::from_secs(10_000_000)))
                .as_secs(),
            86_400
        );
    }

    #[test]
    fn validation_names_the_bad_setting() {
        let mut cfg = DispatchConfig::default();
        cfg.retry.max_attempts = 0;
        assert!(cfg
            .validate()
            .unwrap_err()
            .to_string()
            .contains("retry.max_attempts"));
        let mut cfg = DispatchConfig::default();
        cfg.retry.jitter = 1.5;
        assert!(cfg
            .validate()
            .unwrap_err()
            .to_string()
            .contains("retry.jitter"));
        let mut cfg = DispatchConfig::default();
        cfg.retry.backoff_cap_secs = 10;
        assert!(cfg.validate().is_err());
        let mut cfg = DispatchConfig::default();
        cfg.routing.channels.insert(
            "slack".into(),
            ChannelRoute {
                rate_limit: Some(RateLimit {
                    max: 0,
                    window_secs: 60,
                }),
                ..ChannelRoute::default()
            },
        );
        assert!(cfg
            .validate()
            .unwrap_err()
            .to_string()
            .contains("routing.channels.slack.rate_limit"));
        let cfg = DispatchConfig {
            send_timeout_secs: Some(0),
            ..DispatchConfig::default()
        };
        assert!(cfg.validate().is_err());
    }

    #[test]
    fn routing_rules() {
        let mut r = Routing::default();
        r.channels.insert(
            "pager".into(),
            ChannelRoute {
                min_severity: Some(Severity::Critical),
                ..ChannelRoute::default()
            },
        );
        r.channels.insert(
            "off".into(),
            ChannelRoute {
                enabled: false,
                ..ChannelRoute::default()
            },
        );
        r.channels.insert(
            "inbox-api".into(),
            ChannelRoute {
                local: Some(true),
                ..ChannelRoute::default()
            },
        );
        use ChannelKind::*;
        use Severity::*;
        // Local channels get everything.
        for s in [Low, Medium, High, Critical] {
            assert!(r.routes("file", File, s));
            assert!(r.routes("stdout", Stdout, s));
            assert!(r.routes("inbox-api", Other, s));
        }
        // Remote default: medium and up, never low.
        assert!(!r.routes("slack", Webhook, Low));
        assert!(r.routes("slack", Webhook, Medium));
        assert!(r.routes("slack", Webhook, High));
        // Remote with its own minimum; critical always passes.
        assert!(!r.routes("pager", Webhook, High));
        assert!(r.routes("pager", Webhook, Critical));
        // Disabled: nothing, not even critical.
        assert!(!r.routes("off", File, Critical));
        // Low stays local even if a remote channel's minimum says low.
        r.channels.insert(
            "chatty".into(),
            ChannelRoute {
                min_severity: Some(Low),
                ..ChannelRoute::default()
            },
        );
        assert!(!r.routes("chatty", Webhook, Low));
        assert!(r.routes("chatty", Webhook, Medium));
    }

    #[test]
    fn config_round_trips_through_json_with_partial_input() {
        let cfg: DispatchConfig = serde_json::from_str(
            r#"{"rate_limit":{"max":10},"routing":{"channels":{"slack":{"min_severity":"high"}}}}"#,
        )
        .unwrap();
        assert_eq!(cfg.rate_limit.max, 10);
        assert_eq!(cfg.rate_limit.window_secs, 3600);
        assert_eq!(cfg.rate_limit_for("slack").max, 10);
        let back: DispatchConfig =
            serde_json::from_str(&serde_json::to_string(&cfg).unwrap()).unwrap();
        assert_eq!(back, cfg);
        assert!(serde_json::from_str::<DispatchConfig>(r#"{"rate_limt":{}}"#).is_err());
    }
}
