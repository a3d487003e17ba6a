//! The webhook notifier against a local HTTP test server that answers 200, 429, 500, 400 or
//! hangs, alone and through the dispatcher: nothing lost, nothing sent twice, no secret in errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration as CDuration, TimeZone, Utc};
use edupulse_core::results::{Notification, OutboxStatus, RunOutput, Severity};
use edupulse_notify::webhook::{parse_retry_after, webhook_body};
use edupulse_notify::{
    DispatchConfig, Dispatcher, Notifier, NotifyError, RateLimit, WebhookFormat, WebhookNotifier,
};
use edupulse_store::memory::MemoryStore;
use edupulse_store::Store;
use serde_json::json;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How the test server answers one request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    Ok,
    TooMany(u64),
    ServerError,
    BadRequest,
    /// 401 or 403.
    Refused(u16),
    Hang,
}

/// One request the server received and answered with 200.
#[derive(Debug, Clone)]
struct Received {
    idempotency_key: String,
    /// The raw bytes of the `Idempotency-Key` header.
    idempotency_raw: Vec<u8>,
    /// The `Authorization` header ("" when absent).
    authorization: String,
    path: String,
    body: serde_json::Value,
}

#[derive(Default)]
struct State {
    script: VecDeque<Answer>,
    default: Option<Answer>,
    accepted: Vec<Received>,
    requests: usize,
}

/// A tiny HTTP/1.1 server on 127.0.0.1: answers by script, then by default.
struct TestServer {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl TestServer {
    async fn start(default: Answer) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            default: Some(default),
            ..State::default()
        }));
        let st = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let st = st.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    // Read the head, then the body by Content-Length.
                    let (head_end, len) = loop {
                        let n = match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..pos]).to_string();
                            let len = head
                                .lines()
                                .find_map(|l| {
                                    let (k, v) = l.split_once(':')?;
                                    k.eq_ignore_ascii_case("content-length")
                                        .then(|| v.trim().parse::<usize>().ok())?
                                })
                                .unwrap_or(0);
                            break (pos + 4, len);
                        }
                    };
                    while buf.len() < head_end + len {
                        let n = match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let path = head
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_string();
                    let key = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("idempotency-key")
                                .then(|| v.trim().to_string())
                        })
                        .unwrap_or_default();
                    let header = |name: &str| {
                        head.lines().find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
                        })
                    };
                    let authorization = header("authorization").unwrap_or_default();
                    let idempotency_raw = buf[..head_end]
                        .split(|&b| b == b'\n')
                        .find_map(|l| {
                            let lower = l.to_ascii_lowercase();
                            lower
                                .starts_with(b"idempotency-key:")
                                .then(|| l[16..].trim_ascii().to_vec())
                        })
                        .unwrap_or_default();
                    let answer = {
                        let mut s = st.lock().unwrap();
                        s.requests += 1;
                        let a = s.script.pop_front().or(s.default).unwrap();
                        if a == Answer::Ok {
                            s.accepted.push(Received {
                                idempotency_key: key,
                                idempotency_raw,
                                authorization,
                                path,
                                body: serde_json::from_slice(&buf[head_end..head_end + len])
                                    .unwrap_or(json!(null)),
                            });
                        }
                        a
                    };
                    let resp = match answer {
                        Answer::Ok => "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".to_string(),
                        Answer::TooMany(s) => format!(
                            "HTTP/1.1 429 Too Many Requests\r\nretry-after: {s}\r\ncontent-length: 0\r\n\r\n"
                        ),
                        Answer::ServerError => {
                            "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n"
                                .to_string()
                        }
                        Answer::BadRequest => {
                            "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n".to_string()
                        }
                        Answer::Refused(code) => {
                            format!("HTTP/1.1 {code} Refused\r\ncontent-length: 0\r\n\r\n")
                        }
                        Answer::Hang => {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            return;
                        }
                    };
                    let _ = sock.write_all(resp.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        TestServer { port, state }
    }

    /// A URL with a secret in its path, as Slack's are.
    fn url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/services/T000/B000/SECRETtoken123",
            self.port
        )
    }

    fn set_default(&self, a: Answer) {
        self.state.lock().unwrap().default = Some(a);
    }

    fn script(&self, answers: &[Answer]) {
        self.state
            .lock()
            .unwrap()
            .script
            .extend(answers.iter().copied());
    }

    fn accepted(&self) -> Vec<Received> {
        self.state.lock().unwrap().accepted.clone()
    }

    fn requests(&self) -> usize {
        self.state.lock().unwrap().requests
    }
}

fn note(key: &str, severity: Severity) -> Notification {
    Notification {
        dedupe_key: key.to_string(),
        kind: "trend".to_string(),
        severity,
        title: format!("Keyword {key} is rising"),
        body: "curso IA: +80% over its baseline".to_string(),
        payload: json!({"keyword": "curso IA", "growth": 0.8}),
        created_at: Utc.with_ymd_and_hms(2024, 5, 1, 6, 0, 0).unwrap(),
    }
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains("SECRETtoken123"), "secret leaked: {text}");
    assert!(!text.contains("/services/"), "URL path leaked: {text}");
}

#[tokio::test]
async fn success_posts_a_slack_payload_with_an_idempotency_key() {
    let server = TestServer::start(Answer::Ok).await;
    let hook = WebhookNotifier::new("slack-sales", &server.url(), WebhookFormat::Slack).unwrap();
    assert_no_secret(&format!("{hook:?}"));
    let n = note("trend:curso IA:2024-W18", Severity::Critical);
    hook.send(&n).await.unwrap();
    let got = server.accepted();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].idempotency_key, n.dedupe_key);
    assert_eq!(got[0].path, "/services/T000/B000/SECRETtoken123");
    let body = &got[0].body;
    assert_eq!(
        body["text"],
        json!("[CRITICAL] Keyword trend:curso IA:2024-W18 is rising")
    );
    assert!(body["blocks"].as_array().unwrap().len() >= 2);
    assert_eq!(body["attachments"][0]["color"], json!("#d62728"));
    assert_eq!(body, &webhook_body(&n, WebhookFormat::Slack));
}

#[tokio::test]
async fn generic_json_format_carries_the_notification() {
    let server = TestServer::start(Answer::Ok).await;
    let hook = WebhookNotifier::new("ops", &server.url(), WebhookFormat::Json)
        .unwrap()
        .with_bearer_token("tok-SECRETtoken123")
        .unwrap();
    let n = note("k1", Severity::High);
    hook.send(&n).await.unwrap();
    let body = &server.accepted()[0].body;
    assert_eq!(body["dedupe_key"], json!("k1"));
    assert_eq!(body["severity"], json!("high"));
    assert_eq!(body["payload"]["growth"], json!(0.8));
    assert_eq!(body["source"], json!("edupulse"));
}

#[tokio::test]
async fn failures_are_classified_and_never_show_the_url() {
    let server = TestServer::start(Answer::Ok).await;
    let hook = WebhookNotifier::with_timeout(
        "slack",
        &server.url(),
        WebhookFormat::Slack,
        Duration::from_millis(500),
    )
    .unwrap();
    let n = note("k", Severity::High);

    server.script(&[Answer::TooMany(120)]);
    let e = hook.send(&n).await.unwrap_err();
    assert!(e.is_retryable(), "{e}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
    assert!(e.to_string().contains("429"), "{e}");
    assert_no_secret(&e.to_string());

    server.script(&[Answer::ServerError]);
    let e = hook.send(&n).await.unwrap_err();
    assert!(e.is_retryable() && e.to_string().contains("500"), "{e}");
    assert_no_secret(&e.to_string());

    server.script(&[Answer::BadRequest]);
    let e = hook.send(&n).await.unwrap_err();
    assert!(matches!(e, NotifyError::Permanent { .. }), "{e}");
    assert_no_secret(&e.to_string());

    server.script(&[Answer::Hang]);
    let t0 = std::time::Instant::now();
    let e = hook.send(&n).await.unwrap_err();
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "timeout not honoured"
    );
    assert!(
        e.is_retryable() && e.to_string().contains("timed out"),
        "{e}"
    );
    assert_no_secret(&e.to_string());

    // Nobody listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = WebhookNotifier::new(
        "slack",
        &format!("http://127.0.0.1:{port}/services/T000/B000/SECRETtoken123"),
        WebhookFormat::Slack,
    )
    .unwrap();
    let e = down.send(&n).await.unwrap_err();
    assert!(e.is_retryable(), "{e}");
    assert_no_secret(&e.to_string());
}

#[test]
fn bad_urls_are_config_errors_without_the_value() {
    for bad in [
        "not a url SECRETtoken123",
        "ftp://host/services/SECRETtoken123",
    ] {
        let e = WebhookNotifier::new("slack", bad, WebhookFormat::Slack).unwrap_err();
        assert!(matches!(e, NotifyError::Config { .. }), "{e}");
        assert!(!e.to_string().contains("SECRETtoken123"), "{e}");
    }
    assert_eq!(parse_retry_after("17"), Some(Duration::from_secs(17)));
    assert_eq!(parse_retry_after("soon"), None);
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
        Some(Duration::ZERO)
    );
}

async fn store_with(keys: &[&str]) -> Arc<dyn Store> {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    store
        .write_run(&RunOutput {
            as_of: Utc.with_ymd_and_hms(2024, 5, 1, 23, 59, 59).unwrap(),
            results: vec![],
            notifications: keys.iter().map(|k| note(k, Severity::High)).collect(),
            summary: json!({}),
            failed: vec![],
        })
        .await
        .unwrap();
    store
}

fn config() -> DispatchConfig {
    DispatchConfig {
        rate_limit: RateLimit {
            max: 100,
            window_secs: 3600,
        },
        ..DispatchConfig::default()
    }
}

#[tokio::test]
async fn webhook_down_in_the_first_run_then_every_alert_exactly_once() {
    let keys = ["a", "b", "c", "d"];
    let store = store_with(&keys).await;
    let server = TestServer::start(Answer::ServerError).await;
    let hook: Arc<dyn Notifier> =
        Arc::new(WebhookNotifier::new("slack", &server.url(), WebhookFormat::Slack).unwrap());
    let d = Dispatcher::new(store.clone(), vec![hook], config()).unwrap();
    let t0 = Utc.with_ymd_and_hms(2024, 5, 2, 6, 0, 0).unwrap();

    let r1 = d.dispatch(t0).await.unwrap();
    assert_eq!(r1.delivered, 0);
    let pending = store.outbox(true).await.unwrap();
    assert_eq!(pending.len(), keys.len(), "nothing may be lost");
    let with_error: Vec<_> = pending.iter().filter(|i| i.last_error.is_some()).collect();
    assert!(!with_error.is_empty());
    for i in &with_error {
        let err = i.last_error.as_deref().unwrap();
        assert!(err.contains("500"), "{err}");
        assert_no_secret(err);
    }

    // The webhook recovers; a later run (after the backoff) delivers everything.
    server.set_default(Answer::Ok);
    let r2 = d.dispatch(t0 + CDuration::hours(2)).await.unwrap();
    assert_eq!(r2.delivered as usize, keys.len());
    // A third run sends nothing more.
    let r3 = d.dispatch(t0 + CDuration::hours(4)).await.unwrap();
    assert_eq!(r3.delivered, 0);
    let mut got: Vec<String> = server
        .accepted()
        .into_iter()
        .map(|r| r.idempotency_key)
        .collect();
    got.sort();
    assert_eq!(
        got,
        keys.map(String::from).to_vec(),
        "each alert exactly once"
    );
    assert!(store
        .outbox(false)
        .await
        .unwrap()
        .iter()
        .all(|i| i.status == OutboxStatus::Sent));
}

#[tokio::test]
async fn a_429_defers_by_retry_after_and_repeated_failures_end_failed() {
    let store = store_with(&["x"]).await;
    let server = TestServer::start(Answer::ServerError).await;
    server.script(&[Answer::TooMany(7200)]);
    let hook: Arc<dyn Notifier> =
        Arc::new(WebhookNotifier::new("slack", &server.url(), WebhookFormat::Slack).unwrap());
    let mut cfg = config();
    cfg.retry.max_attempts = 3;
    cfg.retry.jitter = 0.5;
    cfg.retry.jitter_seed = Some(7);
    let d = Dispatcher::new(store.clone(), vec![hook], cfg).unwrap();
    let t0 = Utc.with_ymd_and_hms(2024, 5, 2, 6, 0, 0).unwrap();
    d.dispatch(t0).await.unwrap();
    let item = &store.outbox(true).await.unwrap()[0];
    // Retry-After (2 h) beats the first backoff (≤ 60 s).
    assert_eq!(item.next_attempt_at, Some(t0 + CDuration::seconds(7200)));
    // Not due an hour later: no request.
    let before = server.requests();
    d.dispatch(t0 + CDuration::hours(1)).await.unwrap();
    assert_eq!(server.requests(), before);
    // Two more failures (500) reach max_attempts: the row is Failed, with its last error.
    let mut t = t0 + CDuration::hours(3);
    for _ in 0..2 {
        d.dispatch(t).await.unwrap();
        t += CDuration::hours(3);
    }
    let all = store.outbox(false).await.unwrap();
    assert_eq!(all[0].status, OutboxStatus::Failed);
    assert_eq!(all[0].attempts, 3);
    assert!(all[0].last_error.as_deref().unwrap().contains("500"));
    assert!(server.accepted().is_empty());
}

/// Issue 24 (3): a secret with a trailing newline (as `$(cat token-file)` or a secrets mount
/// gives it) is trimmed and sent — it used to be dropped silently, the alerts went out without
/// `Authorization`, and the receiver's 401 failed them for good.
#[tokio::test]
async fn a_secret_with_a_trailing_newline_is_trimmed_and_sent() {
    let server = TestServer::start(Answer::Ok).await;
    let mut cfg = edupulse_notify::NotifyConfig::default();
    cfg.apply_env(|k| match k {
        "EDUPULSE_WEBHOOK_URL" => Some(server.url()),
        "EDUPULSE_WEBHOOK_FORMAT" => Some("json".to_string()),
        "EDUPULSE_WEBHOOK_SECRET" => Some("tok-SECRETtoken123\n".to_string()),
        _ => None,
    })
    .unwrap();
    let hooks = cfg.webhooks(|_| None).unwrap();
    assert_eq!(hooks.len(), 1);
    hooks[0].send(&note("k", Severity::High)).await.unwrap();
    assert_eq!(
        server.accepted()[0].authorization,
        "Bearer tok-SECRETtoken123"
    );
    // The same with a custom header.
    let hook = WebhookNotifier::new("crm", &server.url(), WebhookFormat::Json)
        .unwrap()
        .with_secret_header("X-Api-Key", "  tok-SECRETtoken123\r\n")
        .unwrap();
    hook.send(&note("k2", Severity::High)).await.unwrap();
}

/// Issue 24 (3): a secret with a control character inside is a named configuration error that
/// never shows the value.
#[test]
fn a_secret_with_interior_control_characters_is_a_named_error() {
    for bad in ["tok-SECRET\ntoken123", "tok-SECRET\ttoken123", "   \n"] {
        let hook =
            WebhookNotifier::new("crm", "https://crm.example.com/h", WebhookFormat::Json).unwrap();
        let e = hook.with_bearer_token(bad).unwrap_err();
        assert!(matches!(e, NotifyError::Config { .. }), "{e}");
        assert!(e.to_string().contains("webhook `crm` secret"), "{e}");
        assert!(!e.to_string().contains("SECRET"), "{e}");
        let hook =
            WebhookNotifier::new("crm", "https://crm.example.com/h", WebhookFormat::Json).unwrap();
        let e = hook.with_secret_header("X-Api-Key", bad).unwrap_err();
        assert!(e.to_string().contains("webhook `crm` secret"), "{e}");
    }
}

/// Issue 24 (3): HTTP 401 / 403 is a configuration error: the alert stays pending (no attempt
/// used up, not `Failed`), the report and the notice say so, and once the secret is fixed the
/// next dispatch delivers it.
#[tokio::test]
async fn http_401_and_403_keep_the_alert_pending_and_are_reported() {
    for code in [401, 403] {
        let server = TestServer::start(Answer::Refused(code)).await;
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 6, 0, 0).unwrap();
        store
            .write_run(&RunOutput {
                as_of: t0,
                results: vec![],
                notifications: vec![note("a", Severity::High), note("b", Severity::High)],
                summary: json!({}),
                failed: vec![],
            })
            .await
            .unwrap();
        let hook = WebhookNotifier::new("crm", &server.url(), WebhookFormat::Json).unwrap();
        let e = hook.send(&note("x", Severity::High)).await.unwrap_err();
        assert!(e.is_unauthorized() && !e.is_retryable(), "{e}");
        assert_no_secret(&e.to_string());
        let notices = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = notices.clone();
        let d = Dispatcher::new(
            store.clone(),
            vec![Arc::new(hook)],
            DispatchConfig::default(),
        )
        .unwrap()
        .with_notice(move |l| sink.lock().unwrap().push(l.to_string()));
        let r = d.dispatch(t0).await.unwrap();
        assert_eq!((r.unauthorized, r.failed, r.delivered), (1, 0, 0), "{r:?}");
        assert_eq!(
            r.deferred, 1,
            "the channel is left alone for the run: {r:?}"
        );
        assert_eq!(r.channels["crm"].unauthorized, 1);
        assert_eq!(r.config_errors.len(), 1, "{r:?}");
        assert!(r.config_errors[0].contains(&code.to_string()), "{r:?}");
        assert_no_secret(&r.config_errors[0]);
        assert!(notices.lock().unwrap()[0].contains("credentials"));
        for item in store.outbox(false).await.unwrap() {
            assert_eq!(item.status, OutboxStatus::Pending, "{item:?}");
            assert_eq!(item.attempts, 0, "{item:?}");
        }
        // The secret is fixed: the next run delivers both.
        server.set_default(Answer::Ok);
        let r = d.dispatch(t0 + CDuration::minutes(1)).await.unwrap();
        assert_eq!(r.delivered, 2, "{r:?}");
    }
}

/// Issue 24 (6): the `Idempotency-Key` header is ASCII: a dedupe key with non-ASCII text is
/// percent-encoded (it used to go out as raw UTF-8 bytes), an ASCII one unchanged.
#[tokio::test]
async fn idempotency_key_header_is_ascii() {
    use edupulse_notify::webhook::idempotency_key;
    assert_eq!(
        idempotency_key("trend:curso-IA:2024-W18"),
        "trend:curso-IA:2024-W18"
    );
    assert_eq!(idempotency_key("Ñandú 50%"), "%C3%91and%C3%BA 50%25");
    assert_eq!(idempotency_key(" a b "), "%20a b%20");
    assert_ne!(idempotency_key("a%20b"), idempotency_key("a b"));
    assert_eq!(idempotency_key("k\0x"), "k%00x");
    let server = TestServer::start(Answer::Ok).await;
    let hook = WebhookNotifier::new("crm", &server.url(), WebhookFormat::Json).unwrap();
    hook.send(&note("trend:diseño «IA»", Severity::High))
        .await
        .unwrap();
    let got = &server.accepted()[0];
    assert!(got.idempotency_raw.is_ascii(), "{:?}", got.idempotency_raw);
    assert_eq!(got.idempotency_key, "trend:dise%C3%B1o %C2%ABIA%C2%BB");
}

/// Issue 24 (4): user data in a Slack message is escaped (`&`, `<`, `>`) in every text field:
/// the fallback text, the header, the body and the context (kind, dedupe key).
#[test]
fn slack_messages_escape_markup_in_every_field() {
    use edupulse_notify::webhook::slack_escape;
    assert_eq!(slack_escape("a & <b> c"), "a &amp; &lt;b&gt; c");
    let evil = "<!channel> <https://evil.example|clic> & co";
    let n = Notification {
        dedupe_key: format!("trend:{evil}"),
        kind: "trend<!here>".to_string(),
        severity: Severity::Critical,
        title: format!("Keyword {evil} is rising"),
        body: format!("*{evil}* sube un 80 %"),
        payload: json!({"keyword": evil}),
        created_at: Utc.with_ymd_and_hms(2024, 5, 1, 6, 0, 0).unwrap(),
    };
    let body = webhook_body(&n, WebhookFormat::Slack);
    // Every string in the message: none holds a raw `<` or `>`, and every `&` is an entity.
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    strings(&body, &mut all);
    let mut escaped_fields = 0;
    for s in &all {
        assert!(
            !s.contains('<') && !s.contains('>'),
            "unescaped markup: {s}"
        );
        let amps = s.matches('&').count();
        let entities =
            s.matches("&amp;").count() + s.matches("&lt;").count() + s.matches("&gt;").count();
        assert_eq!(amps, entities, "bare `&` in {s}");
        if s.contains("&lt;!channel&gt;") {
            escaped_fields += 1;
        }
    }
    // text, fallback, and header/section/context twice (blocks and attachment blocks).
    assert!(escaped_fields >= 8, "{escaped_fields}: {all:?}");
    assert_eq!(
        body["blocks"][2]["elements"][0]["text"]
            .as_str()
            .unwrap()
            .matches("&lt;!here&gt;")
            .count(),
        1
    );
    // Truncation never cuts an entity.
    let long = Notification {
        title: "<".repeat(200),
        ..n
    };
    let body = webhook_body(&long, WebhookFormat::Slack);
    let header = body["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(header.chars().count() <= 150, "{header}");
    assert!(header.trim_end_matches('…').ends_with("&lt;"), "{header}");
}
