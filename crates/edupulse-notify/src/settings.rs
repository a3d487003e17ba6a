//! Notification settings as a person writes them in a config file (the `[notify]` table of
//! `edupulse.toml`) or in the environment: webhooks with their secrets, and the dispatcher's
//! rate limits, retries and routing. [`NotifyConfig`] is plain serde (any format); the CLI reads
//! it from TOML.
//!
//! Secrets (webhook URLs, tokens) are [`Secret`]s: their `Debug`, `Display` and `Serialize` print
//! `<redacted>`, so a config can be logged or echoed without leaking them, and no error built here
//! quotes a value — only the setting's name. A secret can also stay out of the file entirely:
//! `url_env` / `secret_env` name the environment variable that holds it.
//!
//! The environment variables [`WEBHOOK_URL_VAR`] (`EDUPULSE_WEBHOOK_URL`),
//! [`WEBHOOK_FORMAT_VAR`], [`WEBHOOK_SECRET_VAR`] and [`WEBHOOK_HEADER_VAR`] override the
//! webhook named `webhook` (adding it when the URL is set and the file has none): the
//! environment wins over the file.

use crate::webhook::{WebhookFormat, WebhookNotifier, DEFAULT_TIMEOUT, WEBHOOK_URL_VAR};
use crate::{ChannelRoute, DispatchConfig, NotifyError, RateLimit, RetryPolicy};
use edupulse_core::results::Severity;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

/// The environment variable choosing the body of the `webhook` channel (`slack` or `json`).
pub const WEBHOOK_FORMAT_VAR: &str = "EDUPULSE_WEBHOOK_FORMAT";
/// The environment variable holding the `webhook` channel's secret (sent in a header).
pub const WEBHOOK_SECRET_VAR: &str = "EDUPULSE_WEBHOOK_SECRET";
/// The environment variable naming the header the secret goes in (default
/// `Authorization: Bearer <secret>`).
pub const WEBHOOK_HEADER_VAR: &str = "EDUPULSE_WEBHOOK_HEADER";

/// The name of the webhook the `EDUPULSE_WEBHOOK_*` variables configure.
pub const ENV_WEBHOOK_NAME: &str = "webhook";

/// A secret string (a webhook URL, a token). Every way of printing it — `Debug`, `Display`,
/// `Serialize` — gives `<redacted>`; [`Secret::expose`] is the only way to the value.
#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value (to use it, never to print it).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty or blank.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<redacted>")
    }
}

fn yes() -> bool {
    true
}

fn default_name() -> String {
    ENV_WEBHOOK_NAME.to_string()
}

/// One webhook channel (`[[notify.webhook]]` in `edupulse.toml`).
///
/// ```toml
/// [[notify.webhook]]
/// name = "slack-sales"            # a safe label, shown in summaries and stored with deliveries
/// kind = "slack"                  # or "json"
/// url_env = "SLACK_SALES_URL"     # or url = "https://hooks.slack.com/services/…" (secret)
/// timeout_secs = 10
/// min_severity = "high"           # routing: critical always passes; low never leaves local
/// rate_limit = { max = 5, window_secs = 3600 }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The channel's name (default `webhook`): a safe label, never a URL.
    #[serde(default = "default_name")]
    pub name: String,
    /// The body: `slack` (default) or `json`.
    #[serde(default)]
    pub kind: WebhookFormat,
    /// The URL (a secret: Slack's carry their token in the path).
    #[serde(default)]
    pub url: Option<Secret>,
    /// Or the environment variable holding the URL.
    #[serde(default)]
    pub url_env: Option<String>,
    /// A token sent with every request: `Authorization: Bearer <secret>`, or the raw value in
    /// `header` when that is set.
    #[serde(default)]
    pub secret: Option<Secret>,
    /// Or the environment variable holding the token.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// The header carrying the secret instead of `Authorization: Bearer` (e.g. `X-Api-Key`).
    #[serde(default)]
    pub header: Option<String>,
    /// Request timeout in seconds (default 10).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// This channel's rate limit (default: the `[notify]` one, 5 per hour).
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
    /// The lowest severity sent here (default `medium`; critical always passes, low never does).
    #[serde(default)]
    pub min_severity: Option<Severity>,
    /// `false` turns the channel off.
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            name: default_name(),
            kind: WebhookFormat::default(),
            url: None,
            url_env: None,
            secret: None,
            secret_env: None,
            header: None,
            timeout_secs: None,
            rate_limit: None,
            min_severity: None,
            enabled: true,
        }
    }
}

/// The `[notify]` table of `edupulse.toml`: webhooks, and the dispatcher's defaults.
///
/// ```toml
/// [notify]
/// rate_limit = { max = 5, window_secs = 3600 }   # every channel without its own
/// send_timeout_secs = 30
///
/// [notify.retry]
/// max_attempts = 5
/// backoff_base_secs = 60
/// jitter = 0.2
///
/// [notify.channels.file]                         # routing of any channel by name
/// rate_limit = { max = 100000, window_secs = 3600 }
///
/// [[notify.webhook]]
/// name = "slack-sales"
/// url_env = "SLACK_SALES_URL"
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    /// The webhooks.
    pub webhook: Vec<WebhookConfig>,
    /// The rate limit of channels without their own.
    pub rate_limit: Option<RateLimit>,
    /// Retries with exponential backoff.
    pub retry: Option<RetryPolicy>,
    /// Give up on one send after this many seconds.
    pub send_timeout_secs: Option<u64>,
    /// Minimum severity of remote channels without their own.
    pub remote_min_severity: Option<Severity>,
    /// Routing rules of any channel (`file`, `stdout`, a webhook) by name.
    pub channels: BTreeMap<String, ChannelRoute>,
    /// How long a dispatcher's claim on the outbox lasts, in seconds (default 600), renewed by
    /// its heartbeat; the longest another dispatcher waits for a live one. A dead one is
    /// detected sooner (its process is gone, or its heartbeat is stale).
    pub lease_secs: Option<u64>,
    /// How often a delivering dispatcher renews its heartbeat, in seconds (default 10); others
    /// presume it dead when its heartbeat is older than 6 intervals (60 s by default).
    pub heartbeat_secs: Option<u64>,
}

impl NotifyConfig {
    /// Apply the `EDUPULSE_WEBHOOK_*` variables, read through `env` (e.g.
    /// `|k| std::env::var(k).ok()`): they override the webhook named `webhook`, adding it when
    /// `EDUPULSE_WEBHOOK_URL` is set and the file has none. Blank values count as unset.
    pub fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), NotifyError> {
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let url = get(WEBHOOK_URL_VAR);
        let exists = self.webhook.iter().any(|w| w.name == ENV_WEBHOOK_NAME);
        if url.is_none() && !exists {
            return Ok(());
        }
        if !exists {
            self.webhook.push(WebhookConfig::default());
        }
        let Some(w) = self.webhook.iter_mut().find(|w| w.name == ENV_WEBHOOK_NAME) else {
            return Ok(());
        };
        if let Some(u) = url {
            w.url = Some(Secret::new(u));
            w.url_env = None;
        }
        if let Some(f) = get(WEBHOOK_FORMAT_VAR) {
            w.kind = WebhookFormat::parse(&f).ok_or_else(|| {
                NotifyError::config(WEBHOOK_FORMAT_VAR, "must be `slack` or `json`")
            })?;
        }
        if let Some(s) = get(WEBHOOK_SECRET_VAR) {
            w.secret = Some(Secret::new(s));
            w.secret_env = None;
        }
        if let Some(h) = get(WEBHOOK_HEADER_VAR) {
            w.header = Some(h);
        }
        Ok(())
    }

    /// Check every setting; errors name the setting, never a value.
    pub fn validate(&self) -> Result<(), NotifyError> {
        let mut names = HashSet::new();
        for w in &self.webhook {
            let at = format!("notify.webhook `{}`", w.name);
            if w.name.trim().is_empty() || w.name.contains("://") || w.name.contains('/') {
                return Err(NotifyError::config(
                    "notify.webhook.name",
                    "must be a non-empty label without `/` (not a URL)",
                ));
            }
            if !names.insert(w.name.as_str()) {
                return Err(NotifyError::config(
                    "notify.webhook.name",
                    format!("two webhooks are named `{}`", w.name),
                ));
            }
            if w.url.is_some() && w.url_env.is_some() {
                return Err(NotifyError::config(at, "set `url` or `url_env`, not both"));
            }
            if w.url.is_none() && w.url_env.is_none() {
                return Err(NotifyError::config(at, "needs `url` or `url_env`"));
            }
            if w.secret.is_some() && w.secret_env.is_some() {
                return Err(NotifyError::config(
                    at,
                    "set `secret` or `secret_env`, not both",
                ));
            }
            if let Some(h) = &w.header {
                if reqwest::header::HeaderName::from_bytes(h.trim().as_bytes()).is_err() {
                    return Err(NotifyError::config(
                        format!("{at} header"),
                        "is not a valid HTTP header name",
                    ));
                }
            }
            if w.timeout_secs == Some(0) {
                return Err(NotifyError::config(
                    format!("{at} timeout_secs"),
                    "must be at least 1",
                ));
            }
        }
        if self.heartbeat_secs == Some(0) {
            return Err(NotifyError::config(
                "notify.heartbeat_secs",
                "must be at least 1",
            ));
        }
        if let (Some(beat), lease) = (self.heartbeat_secs, self.lease().as_secs()) {
            if beat.saturating_mul(u64::from(crate::STALE_HEARTBEATS)) >= lease {
                return Err(NotifyError::config(
                    "notify.heartbeat_secs",
                    format!(
                        "must be less than lease_secs / {} ({lease} s / {})",
                        crate::STALE_HEARTBEATS,
                        crate::STALE_HEARTBEATS
                    ),
                ));
            }
        }
        if self.lease_secs == Some(0) {
            return Err(NotifyError::config(
                "notify.lease_secs",
                "must be at least 1",
            ));
        }
        self.apply_to(DispatchConfig::default()).validate()
    }

    /// The dispatcher's lease ([`crate::DEFAULT_LEASE`] unless `lease_secs` is set).
    pub fn lease(&self) -> Duration {
        self.lease_secs
            .map_or(crate::DEFAULT_LEASE, Duration::from_secs)
    }

    /// The dispatcher's heartbeat ([`crate::DEFAULT_HEARTBEAT`] unless `heartbeat_secs` is set).
    pub fn heartbeat(&self) -> Duration {
        self.heartbeat_secs
            .map_or(crate::DEFAULT_HEARTBEAT, Duration::from_secs)
    }

    /// `base` with this file's settings laid over it: the defaults, the `[notify.channels]`
    /// rules, then each webhook's `rate_limit`, `min_severity` and `enabled`.
    pub fn apply_to(&self, mut base: DispatchConfig) -> DispatchConfig {
        if let Some(r) = self.rate_limit {
            base.rate_limit = r;
        }
        if let Some(r) = self.retry {
            base.retry = r;
        }
        if let Some(t) = self.send_timeout_secs {
            base.send_timeout_secs = Some(t);
        }
        if let Some(s) = self.remote_min_severity {
            base.routing.remote_min_severity = s;
        }
        for (name, route) in &self.channels {
            base.routing.channels.insert(name.clone(), route.clone());
        }
        for w in &self.webhook {
            let route = base.routing.channels.entry(w.name.clone()).or_default();
            if w.rate_limit.is_some() {
                route.rate_limit = w.rate_limit;
            }
            if w.min_severity.is_some() {
                route.min_severity = w.min_severity;
            }
            if !w.enabled {
                route.enabled = false;
            }
        }
        base
    }

    /// Build the enabled webhooks, reading `url_env` / `secret_env` through `env`.
    ///
    /// Errors name the webhook and the setting (or the variable), never a value.
    pub fn webhooks(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Vec<WebhookNotifier>, NotifyError> {
        self.validate()?;
        let mut out = Vec::new();
        for w in self.webhook.iter().filter(|w| w.enabled) {
            out.push(w.build(&env)?);
        }
        Ok(out)
    }
}

impl WebhookConfig {
    /// The notifier this entry describes (see [`NotifyConfig::webhooks`]).
    pub fn build(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<WebhookNotifier, NotifyError> {
        let at = format!("notify.webhook `{}`", self.name);
        let from_env = |var: &str, what: &str| {
            env(var)
                .filter(|v| !v.trim().is_empty())
                .map(Secret::new)
                .ok_or_else(|| {
                    NotifyError::config(
                        format!("{at} {what}"),
                        format!("the environment variable `{var}` is not set"),
                    )
                })
        };
        let url = match (&self.url, &self.url_env) {
            (Some(u), _) => u.clone(),
            (None, Some(var)) => from_env(var, "url_env")?,
            (None, None) => return Err(NotifyError::config(at, "needs `url` or `url_env`")),
        };
        if url.is_blank() {
            return Err(NotifyError::config(format!("{at} url"), "is empty"));
        }
        let secret = match (&self.secret, &self.secret_env) {
            (Some(s), _) => Some(s.clone()),
            (None, Some(var)) => Some(from_env(var, "secret_env")?),
            (None, None) => None,
        };
        let timeout = self
            .timeout_secs
            .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
        let hook = WebhookNotifier::with_timeout(&self.name, url.expose(), self.kind, timeout)?;
        Ok(match (secret, &self.header) {
            (Some(s), Some(h)) => hook.with_secret_header(h, s.expose())?,
            (Some(s), None) => hook.with_bearer_token(s.expose())?,
            (None, _) => hook,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://hooks.example.test/services/T0/B0/XYZSECRET";

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| map.get(k).cloned()
    }

    #[test]
    fn secrets_never_print() {
        let w = WebhookConfig {
            url: Some(Secret::new(URL)),
            secret: Some(Secret::new("tok-XYZSECRET")),
            ..WebhookConfig::default()
        };
        let cfg = NotifyConfig {
            webhook: vec![w],
            ..NotifyConfig::default()
        };
        let debug = format!("{cfg:?}");
        let json = serde_json::to_string(&cfg).unwrap();
        for text in [&debug, &json] {
            assert!(!text.contains("XYZSECRET"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
        let hooks = cfg.webhooks(|_| None).unwrap();
        assert!(!format!("{hooks:?}").contains("XYZSECRET"));
        assert_eq!(hooks[0].host(), "hooks.example.test");
    }

    #[test]
    fn environment_overrides_and_adds_the_webhook() {
        let mut cfg = NotifyConfig::default();
        cfg.apply_env(env_of(&[])).unwrap();
        assert!(cfg.webhook.is_empty());
        cfg.apply_env(env_of(&[
            (WEBHOOK_URL_VAR, URL),
            (WEBHOOK_FORMAT_VAR, "json"),
            (WEBHOOK_SECRET_VAR, "s"),
        ]))
        .unwrap();
        assert_eq!(cfg.webhook.len(), 1);
        assert_eq!(cfg.webhook[0].kind, WebhookFormat::Json);
        assert_eq!(cfg.webhook[0].url.as_ref().unwrap().expose(), URL);
        // A file's `webhook` entry keeps its other settings; the URL comes from the environment.
        let mut cfg = NotifyConfig {
            webhook: vec![WebhookConfig {
                url_env: Some("OTHER".into()),
                timeout_secs: Some(3),
                ..WebhookConfig::default()
            }],
            ..NotifyConfig::default()
        };
        cfg.apply_env(env_of(&[(WEBHOOK_URL_VAR, URL)])).unwrap();
        assert_eq!(cfg.webhook.len(), 1);
        assert_eq!(cfg.webhook[0].timeout_secs, Some(3));
        assert!(cfg.webhook[0].url_env.is_none());
        cfg.validate().unwrap();
        let err = NotifyConfig::default()
            .apply_env(env_of(&[
                (WEBHOOK_URL_VAR, URL),
                (WEBHOOK_FORMAT_VAR, "xml"),
            ]))
            .unwrap_err();
        assert!(err.to_string().contains(WEBHOOK_FORMAT_VAR));
    }

    #[test]
    fn errors_name_the_setting_never_the_value() {
        let bad_url = "htps:/nope XYZSECRET";
        let cfg = NotifyConfig {
            webhook: vec![WebhookConfig {
                name: "sales".into(),
                url: Some(Secret::new(bad_url)),
                ..WebhookConfig::default()
            }],
            ..NotifyConfig::default()
        };
        let err = cfg.webhooks(|_| None).unwrap_err().to_string();
        assert!(err.contains("sales") && !err.contains("XYZSECRET"), "{err}");
        let cfg = NotifyConfig {
            webhook: vec![WebhookConfig {
                url_env: Some("HOOK_URL".into()),
                secret_env: Some("HOOK_TOKEN".into()),
                ..WebhookConfig::default()
            }],
            ..NotifyConfig::default()
        };
        let err = cfg
            .webhooks(env_of(&[("HOOK_URL", URL)]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("HOOK_TOKEN"), "{err}");
        assert!(!err.contains("XYZSECRET"), "{err}");
        let hooks = cfg
            .webhooks(env_of(&[("HOOK_URL", URL), ("HOOK_TOKEN", "t")]))
            .unwrap();
        assert_eq!(hooks.len(), 1);
        for (w, needle) in [
            (
                WebhookConfig {
                    url: Some(Secret::new(URL)),
                    url_env: Some("X".into()),
                    ..WebhookConfig::default()
                },
                "not both",
            ),
            (WebhookConfig::default(), "needs `url`"),
            (
                WebhookConfig {
                    name: URL.into(),
                    url: Some(Secret::new(URL)),
                    ..WebhookConfig::default()
                },
                "not a URL",
            ),
            (
                WebhookConfig {
                    url: Some(Secret::new(URL)),
                    header: Some("bad header".into()),
                    ..WebhookConfig::default()
                },
                "header",
            ),
            (
                WebhookConfig {
                    url: Some(Secret::new(URL)),
                    timeout_secs: Some(0),
                    ..WebhookConfig::default()
                },
                "timeout_secs",
            ),
        ] {
            let cfg = NotifyConfig {
                webhook: vec![w],
                ..NotifyConfig::default()
            };
            let err = cfg.validate().unwrap_err().to_string();
            assert!(err.contains(needle), "{needle}: {err}");
            assert!(!err.contains("XYZSECRET"), "{err}");
        }
    }

    #[test]
    fn routing_and_limits_reach_the_dispatch_config() {
        let cfg = NotifyConfig {
            rate_limit: Some(RateLimit {
                max: 7,
                window_secs: 60,
            }),
            webhook: vec![
                WebhookConfig {
                    name: "pager".into(),
                    url: Some(Secret::new(URL)),
                    min_severity: Some(Severity::Critical),
                    rate_limit: Some(RateLimit {
                        max: 100,
                        window_secs: 3600,
                    }),
                    ..WebhookConfig::default()
                },
                WebhookConfig {
                    name: "off".into(),
                    url: Some(Secret::new(URL)),
                    enabled: false,
                    ..WebhookConfig::default()
                },
            ],
            ..NotifyConfig::default()
        };
        let d = cfg.apply_to(DispatchConfig::default());
        d.validate().unwrap();
        assert_eq!(d.rate_limit_for("file").max, 7);
        assert_eq!(d.rate_limit_for("pager").max, 100);
        use crate::ChannelKind::Webhook;
        assert!(!d.routing.routes("pager", Webhook, Severity::High));
        assert!(d.routing.routes("pager", Webhook, Severity::Critical));
        assert!(!d.routing.routes("off", Webhook, Severity::Critical));
        let hooks = cfg.webhooks(|_| None).unwrap();
        assert_eq!(hooks.len(), 1, "disabled webhooks are not built");
    }
}
