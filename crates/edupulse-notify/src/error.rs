//! The one error type of `edupulse-notify`, and the redaction applied to every error text before
//! it is stored or shown.

use edupulse_store::StoreError;
use std::time::Duration;

/// Errors raised by notifiers and the dispatcher.
///
/// A delivery failure is either [`NotifyError::Retryable`] (it may pass: network, timeout, a full
/// disk, HTTP 5xx or 429) or [`NotifyError::Permanent`] (waiting will not help: a rejected
/// payload, a misconfigured channel). The dispatcher retries the first kind with exponential
/// backoff, honouring [`NotifyError::retry_after`], and gives up at once on the second.
///
/// Messages name a channel by its [`Notifier::name`](crate::Notifier::name), a safe label, and
/// never contain the channel's address or credentials (the dispatcher also passes every stored
/// error text through [`redact`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// A delivery failed for a reason that may pass; try again later.
    #[error("channel `{channel}`: {message}")]
    Retryable {
        /// The channel's safe label.
        channel: String,
        /// What happened (no secrets).
        message: String,
        /// How long the channel asked us to wait (e.g. an HTTP `Retry-After` header).
        retry_after: Option<Duration>,
    },
    /// A delivery failed for a reason that waiting will not fix; do not try again.
    #[error("channel `{channel}`: {message} (permanent failure)")]
    Permanent {
        /// The channel's safe label.
        channel: String,
        /// What happened (no secrets).
        message: String,
    },
    /// The channel refused our credentials (HTTP 401 / 403): a configuration error (a missing or
    /// wrong secret), not the alert's fault. The dispatcher leaves the alert pending, untouched
    /// (no attempt used up), skips the channel for the rest of the run and reports it.
    #[error("channel `{channel}`: {message} (configuration error; the alert stays pending)")]
    Unauthorized {
        /// The channel's safe label.
        channel: String,
        /// What happened (no secrets).
        message: String,
    },
    /// The dispatcher's configuration or set of notifiers is invalid.
    #[error("invalid notify configuration `{name}`: {message}")]
    Config {
        /// The setting (e.g. `retry.max_attempts`, `notifiers`).
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The store failed while reading the outbox or recording a delivery.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl NotifyError {
    /// Credentials refused by `channel` (see [`NotifyError::Unauthorized`]).
    pub fn unauthorized(channel: impl Into<String>, message: impl Into<String>) -> Self {
        NotifyError::Unauthorized {
            channel: channel.into(),
            message: message.into(),
        }
    }

    /// Whether this is a refusal of our credentials ([`NotifyError::Unauthorized`]).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, NotifyError::Unauthorized { .. })
    }

    /// A retryable delivery failure on `channel`.
    pub fn retryable(channel: impl Into<String>, message: impl Into<String>) -> Self {
        NotifyError::Retryable {
            channel: channel.into(),
            message: message.into(),
            retry_after: None,
        }
    }

    /// A permanent delivery failure on `channel`.
    pub fn permanent(channel: impl Into<String>, message: impl Into<String>) -> Self {
        NotifyError::Permanent {
            channel: channel.into(),
            message: message.into(),
        }
    }

    /// A configuration error about the setting `name`.
    pub fn config(name: impl Into<String>, message: impl Into<String>) -> Self {
        NotifyError::Config {
            name: name.into(),
            message: message.into(),
        }
    }

    /// Attach a retry-after hint (no effect on errors that are not [`NotifyError::Retryable`]).
    pub fn with_retry_after(mut self, wait: Duration) -> Self {
        if let NotifyError::Retryable { retry_after, .. } = &mut self {
            *retry_after = Some(wait);
        }
        self
    }

    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, NotifyError::Retryable { .. })
    }

    /// The wait the channel asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            NotifyError::Retryable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The channel a delivery error is about.
    pub fn channel(&self) -> Option<&str> {
        match self {
            NotifyError::Retryable { channel, .. }
            | NotifyError::Permanent { channel, .. }
            | NotifyError::Unauthorized { channel, .. } => Some(channel),
            _ => None,
        }
    }
}

/// Remove anything that looks like a URL's secret parts from `text`: for every `scheme://…`
/// token, the user-info (`user:password@`), the path, the query and the fragment are replaced by
/// `<redacted>`, keeping the scheme and host so the message still says where it failed
/// (`https://hooks.slack.com/services/T0/B0/XYZ` → `https://hooks.slack.com/<redacted>`).
///
/// Notifiers must not put secrets in their errors in the first place; this is the second line of
/// defence the dispatcher applies to every error text it records (HTTP client errors, for one,
/// like to quote the URL they failed on).
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        // Walk back over the scheme characters.
        let before = &rest[..pos];
        let scheme_start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .last()
            .map_or(pos, |(i, _)| i);
        if scheme_start == pos {
            // `://` without a scheme: not a URL, copy it through.
            out.push_str(&rest[..pos + 3]);
            rest = &rest[pos + 3..];
            continue;
        }
        out.push_str(&rest[..pos + 3]);
        let after = &rest[pos + 3..];
        // The URL runs until whitespace or a delimiter that commonly surrounds it in messages.
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '(' | '"' | '\'' | '<' | '>'))
            .unwrap_or(after.len());
        let url = &after[..end];
        let authority_end = url.find(['/', '?', '#']).unwrap_or(url.len());
        let authority = &url[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("<redacted>@");
                out.push_str(&authority[at + 1..]);
            }
            None => out.push_str(authority),
        }
        if authority_end < url.len() {
            out.push_str("/<redacted>");
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_removes_paths_queries_and_passwords() {
        assert_eq!(
            redact("error sending request for url (https://hooks.slack.com/services/T0/B0/XYZ)"),
            "error sending request for url (https://hooks.slack.com/<redacted>)"
        );
        assert_eq!(
            redact("connect postgres://app:s3cret@db.internal:5432/edu failed"),
            "connect postgres://<redacted>@db.internal:5432/<redacted> failed"
        );
        assert_eq!(
            redact("https://x.test?token=abc and http://y.test"),
            "https://x.test/<redacted> and http://y.test"
        );
        assert_eq!(redact("no url :// here"), "no url :// here");
        assert_eq!(redact("plain text"), "plain text");
    }

    #[test]
    fn error_classification() {
        let e =
            NotifyError::retryable("hook", "HTTP 429").with_retry_after(Duration::from_secs(30));
        assert!(e.is_retryable());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
        assert_eq!(e.channel(), Some("hook"));
        let p = NotifyError::permanent("hook", "HTTP 400").with_retry_after(Duration::from_secs(1));
        assert!(!p.is_retryable());
        assert_eq!(p.retry_after(), None);
        assert!(p.to_string().contains("permanent"));
    }
}
