//! [`WebhookNotifier`]: POST each notification to an HTTP(S) webhook — Slack-compatible (text,
//! blocks and a severity colour) or generic JSON.
//!
//! - **Secrets**: the URL (which carries the token for Slack incoming webhooks) and an optional
//!   token (`Authorization: Bearer`, or a named header: [`WebhookNotifier::with_secret_header`])
//!   come from the environment or a config file ([`crate::settings`]); they are never printed:
//!   `Debug` shows the channel name only, the token's header value is marked sensitive, and error
//!   messages name the channel (a safe label), the host and the HTTP status, never the URL.
//! - **Idempotency**: every request carries `Idempotency-Key: <dedupe_key>` (percent-encoded
//!   where it is not visible ASCII: [`idempotency_key`]), so a receiver that honours it drops the
//!   duplicate an at-least-once redelivery may cause.
//! - **Credentials refused**: HTTP 401 and 403 are [`NotifyError::Unauthorized`], a
//!   configuration error: the alert stays pending (no attempt used up) and the dispatcher reports
//!   it, instead of failing the alert for good.
//! - **Slack markup**: every text of a Slack message escapes `&`, `<`, `>` as `&amp;`, `&lt;`,
//!   `&gt;` ([`slack_escape`]), so a keyword like `<!channel>` cannot ping a channel or disguise a
//!   link.
//! - **Failures**: a timeout (default 10 s), a connection error, HTTP 408, 429 or 5xx are
//!   retryable; a 429's `Retry-After` (seconds or an HTTP date) is passed to the dispatcher, which
//!   waits at least that long (its exponential backoff with jitter is [`crate::RetryPolicy`]);
//!   other 4xx answers (but 401 / 403) are permanent (the payload or the URL is wrong). After
//!   `RetryPolicy::max_attempts` failures the outbox row is `Failed` with its last error.

use crate::{ChannelKind, Notifier, NotifyError};
use async_trait::async_trait;
use chrono::Utc;
use edupulse_core::results::{Notification, Severity};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;

/// The default request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The environment variable [`WebhookNotifier::from_env`] reads the URL from by default.
pub const WEBHOOK_URL_VAR: &str = "EDUPULSE_WEBHOOK_URL";

/// The body a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WebhookFormat {
    /// Slack incoming-webhook message: `text` (the fallback), `blocks`, and an attachment coloured
    /// by severity.
    #[default]
    Slack,
    /// The notification as a JSON object (`dedupe_key`, `kind`, `severity`, `title`, `body`,
    /// `payload`, `created_at`) plus `source: "edupulse"`.
    Json,
}

impl WebhookFormat {
    /// Parse `slack` or `json` (case-insensitive).
    pub fn parse(text: &str) -> Option<WebhookFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "slack" => Some(WebhookFormat::Slack),
            "json" => Some(WebhookFormat::Json),
            _ => None,
        }
    }
}

/// The colour of a severity in Slack attachments.
pub fn severity_colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "#d62728",
        Severity::High => "#ff7f0e",
        Severity::Medium => "#f2c744",
        _ => "#8c8c8c",
    }
}

/// The request body for `notification` in `format`.
pub fn webhook_body(notification: &Notification, format: WebhookFormat) -> serde_json::Value {
    match format {
        WebhookFormat::Slack => {
            // Every text is escaped as Slack documents (`&`, `<`, `>`), so a keyword such as
            // `<!channel>` or `<https://evil|clic>` shows as typed instead of pinging everyone or
            // disguising a link. Truncation counts the escaped text and never cuts an entity.
            let sev = notification.severity.as_str().to_ascii_uppercase();
            let raw = format!("[{sev}] {}", notification.title);
            let text = slack_escape(&raw);
            let context = format!(
                "{} · {} · {}",
                notification.kind,
                notification.dedupe_key,
                notification.created_at.to_rfc3339()
            );
            let blocks = json!([
                {"type": "header", "text": {"type": "plain_text", "text": escape_truncate(&raw, 150)}},
                {"type": "section", "text": {"type": "mrkdwn", "text": escape_truncate(&notification.body, 3000)}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": escape_truncate(&context, 3000)}]}
            ]);
            json!({
                "text": text,
                "blocks": blocks,
                "attachments": [{
                    "color": severity_colour(notification.severity),
                    "fallback": text,
                    "blocks": blocks,
                }],
            })
        }
        WebhookFormat::Json => {
            let mut v = serde_json::to_value(notification).unwrap_or_else(|_| json!({}));
            if let Some(obj) = v.as_object_mut() {
                obj.insert("source".to_string(), json!("edupulse"));
            }
            v
        }
    }
}

/// Escape text for Slack as Slack documents: `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;` (so user
/// data cannot form `<!channel>` mentions or `<url|label>` links). Other characters, mrkdwn
/// emphasis included, are left alone.
pub fn slack_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// [`slack_escape`] then at most `max_chars` characters (an ellipsis marks a cut), never
/// cutting through an entity.
fn escape_truncate(text: &str, max_chars: usize) -> String {
    let escaped = slack_escape(text);
    if escaped.chars().count() <= max_chars {
        return escaped;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let piece = slack_escape(c.encode_utf8(&mut [0u8; 4]));
        let n = piece.chars().count();
        if used + n > max_chars.saturating_sub(1) {
            break;
        }
        out.push_str(&piece);
        used += n;
    }
    out.push('…');
    out
}

/// Delivers notifications by HTTP POST. See the [module docs](self).
pub struct WebhookNotifier {
    name: String,
    url: reqwest::Url,
    /// A secret header (`Authorization: Bearer …` or a named one), marked sensitive.
    secret: Option<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>,
    format: WebhookFormat,
    client: reqwest::Client,
}

impl std::fmt::Debug for WebhookNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL or the token.
        f.debug_struct("WebhookNotifier")
            .field("name", &self.name)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl WebhookNotifier {
    /// A webhook channel named `name` (a safe label such as `slack-sales`) posting to `url`
    /// (`http://` or `https://`) with the default timeout.
    ///
    /// Errors ([`NotifyError::Config`]) name the channel and what is wrong, never the URL.
    pub fn new(
        name: impl Into<String>,
        url: &str,
        format: WebhookFormat,
    ) -> Result<Self, NotifyError> {
        WebhookNotifier::with_timeout(name, url, format, DEFAULT_TIMEOUT)
    }

    /// [`WebhookNotifier::new`] with a request timeout (connect + send + answer).
    pub fn with_timeout(
        name: impl Into<String>,
        url: &str,
        format: WebhookFormat,
        timeout: Duration,
    ) -> Result<Self, NotifyError> {
        let name = name.into();
        let setting = format!("webhook `{name}` url");
        let parsed = reqwest::Url::parse(url.trim()).map_err(|_| {
            NotifyError::config(&setting, "not a valid URL (value not shown: it is secret)")
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(NotifyError::config(
                &setting,
                "must be an http:// or https:// URL with a host (value not shown)",
            ));
        }
        if timeout.is_zero() {
            return Err(NotifyError::config(
                format!("webhook `{name}` timeout"),
                "must be positive",
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("edupulse/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                NotifyError::config(
                    format!("webhook `{name}`"),
                    format!(
                        "cannot build the HTTP client: {}",
                        crate::redact(&e.to_string())
                    ),
                )
            })?;
        Ok(WebhookNotifier {
            name,
            url: parsed,
            secret: None,
            format,
            client,
        })
    }

    /// Send `Authorization: Bearer <token>` with every request (for generic webhooks).
    ///
    /// Surrounding whitespace (e.g. the trailing newline of a secret read from a file) is
    /// trimmed; a token that is empty or still holds a control character or non-ASCII text is a
    /// [`NotifyError::Config`] naming the channel's secret, never its value (it used to be
    /// dropped silently, and the requests went out without `Authorization`).
    pub fn with_bearer_token(mut self, token: impl Into<String>) -> Result<Self, NotifyError> {
        let token = token.into();
        if token.trim().is_empty() {
            return Err(NotifyError::config(
                format!("webhook `{}` secret", self.name),
                "is empty",
            ));
        }
        let mut value = secret_header_value(&self.name, &format!("Bearer {}", token.trim()))?;
        value.set_sensitive(true);
        self.secret = Some((reqwest::header::AUTHORIZATION, value));
        Ok(self)
    }

    /// Send `header: secret` with every request (e.g. `X-Api-Key`), the value marked sensitive.
    ///
    /// Errors name the channel and the header, never the secret.
    pub fn with_secret_header(mut self, header: &str, secret: &str) -> Result<Self, NotifyError> {
        let name =
            reqwest::header::HeaderName::from_bytes(header.trim().as_bytes()).map_err(|_| {
                NotifyError::config(
                    format!("webhook `{}` header", self.name),
                    "is not a valid HTTP header name",
                )
            })?;
        if secret.trim().is_empty() {
            return Err(NotifyError::config(
                format!("webhook `{}` secret", self.name),
                "is empty",
            ));
        }
        let mut value = secret_header_value(&self.name, secret.trim())?;
        value.set_sensitive(true);
        self.secret = Some((name, value));
        Ok(self)
    }

    /// A webhook whose URL is in the environment variable `var` (e.g. [`WEBHOOK_URL_VAR`]).
    /// `Ok(None)` when the variable is unset or empty.
    pub fn from_env(
        name: impl Into<String>,
        var: &str,
        format: WebhookFormat,
    ) -> Result<Option<Self>, NotifyError> {
        match std::env::var(var) {
            Ok(url) if !url.trim().is_empty() => WebhookNotifier::new(name, &url, format).map(Some),
            _ => Ok(None),
        }
    }

    /// The host the webhook posts to (safe to show; the path holds the token).
    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or("")
    }
}

/// A secret as a header value: visible ASCII and spaces only (after trimming), else a named
/// configuration error that never shows the value.
fn secret_header_value(
    channel: &str,
    text: &str,
) -> Result<reqwest::header::HeaderValue, NotifyError> {
    let bad = |why: &str| {
        NotifyError::config(
            format!("webhook `{channel}` secret"),
            format!("{why} (value not shown)"),
        )
    };
    if text.chars().any(char::is_control) {
        return Err(bad(
            "contains a control character (a newline or tab inside it?)",
        ));
    }
    if !text.is_ascii() {
        return Err(bad("contains non-ASCII characters"));
    }
    reqwest::header::HeaderValue::from_str(text).map_err(|_| bad("is not a valid header value"))
}

/// The `Idempotency-Key` header value of a dedupe key. HTTP header values must be ASCII, so
/// every byte outside printable ASCII (space to `~`) is percent-encoded (`%C3%B1` for `ñ`), and
/// so are `%` itself and a leading or trailing space (HTTP would trim it). Injective: distinct
/// keys stay distinct. A printable-ASCII key without `%` and without outer spaces is sent as is.
pub fn idempotency_key(dedupe_key: &str) -> String {
    let bytes = dedupe_key.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        let outer_space = b == b' ' && (i == 0 || i + 1 == bytes.len());
        if (0x20..=0x7e).contains(&b) && b != b'%' && !outer_space {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `Retry-After` value: delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let wait = at.with_timezone(&Utc) - Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[async_trait]
impl Notifier for WebhookNotifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> ChannelKind {
        ChannelKind::Webhook
    }

    async fn send(&self, notification: &Notification) -> Result<(), NotifyError> {
        let body = webhook_body(notification, self.format);
        let mut req = self
            .client
            .post(self.url.clone())
            .header("Idempotency-Key", idempotency_key(&notification.dedupe_key))
            .json(&body);
        if let Some((name, value)) = &self.secret {
            req = req.header(name.clone(), value.clone());
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                let what = if e.is_timeout() {
                    "timed out".to_string()
                } else if e.is_connect() {
                    format!("cannot connect to {}", self.host())
                } else {
                    // `without_url` drops the URL reqwest likes to quote.
                    format!("request failed: {}", e.without_url())
                };
                return Err(NotifyError::retryable(&self.name, crate::redact(&what)));
            }
        };
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let code = status.as_u16();
        let message = format!("HTTP {code} from {}", self.host());
        if code == 429 {
            let hint = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let err = NotifyError::retryable(&self.name, message);
            return Err(match hint {
                Some(h) => err.with_retry_after(h),
                None => err,
            });
        }
        if code == 401 || code == 403 {
            // Our credentials were refused: a configuration problem (a missing or wrong secret),
            // not the alert's. It stays pending, untouched, until the secret is fixed.
            return Err(NotifyError::unauthorized(
                &self.name,
                format!(
                    "{message}: the receiver refused our credentials; check this webhook's secret"
                ),
            ));
        }
        if code == 408 || status.is_server_error() {
            return Err(NotifyError::retryable(&self.name, message));
        }
        Err(NotifyError::permanent(&self.name, message))
    }
}
