//! Store URLs: which backend to open, and where.
//!
//! | URL | Backend |
//! |---|---|
//! | `memory://` | [`StoreUrl::Memory`] |
//! | `sqlite://data/edupulse.db`, `sqlite://file.db` | [`StoreUrl::Sqlite`], relative path |
//! | `sqlite:///var/lib/edupulse.db` | [`StoreUrl::Sqlite`], absolute path |
//! | `postgres://user:pass@host:5432/db` (or `postgresql://`) | [`StoreUrl::Postgres`] |
//!
//! Passwords never appear in [`Display`](std::fmt::Display), [`Debug`] or error messages: they
//! are replaced by `***`.
//!
//! ```
//! use edupulse_store::StoreUrl;
//! let url = StoreUrl::parse("postgres://app:s3cret@db.example:5433/edu").unwrap();
//! assert_eq!(url.to_string(), "postgres://app:***@db.example:5433/edu");
//! ```

use crate::{StoreError, StoreResult};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// The default PostgreSQL port.
pub const POSTGRES_DEFAULT_PORT: u16 = 5432;

/// A parsed store URL.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreUrl {
    /// `memory://`: the in-memory backend.
    Memory,
    /// `sqlite://PATH`: an SQLite file (created if missing).
    Sqlite(PathBuf),
    /// `postgres://…`: a PostgreSQL server (kept for a backend that may not be compiled in).
    Postgres(PostgresUrl),
}

/// The parts of a `postgres://user:password@host:port/database?k=v` URL (percent-decoded).
///
/// `Debug` and `Display` never show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl {
    /// User name, if given.
    pub user: Option<String>,
    /// Password, if given. Never printed.
    pub password: Option<String>,
    /// Host name or address (IPv6 addresses without brackets).
    pub host: String,
    /// Port ([`POSTGRES_DEFAULT_PORT`] when not given).
    pub port: u16,
    /// Database name.
    pub database: String,
    /// Query parameters (e.g. `sslmode`).
    pub params: BTreeMap<String, String>,
}

impl StoreUrl {
    /// Parse a store URL. Errors are [`StoreError::Url`] carrying the URL with any password
    /// removed.
    pub fn parse(url: &str) -> StoreResult<StoreUrl> {
        let err = |message: &str| StoreError::Url {
            url: redact_raw(url),
            message: message.to_string(),
        };
        let trimmed = url.trim();
        let Some((scheme, rest)) = trimmed.split_once(':') else {
            return Err(err(
                "expected a URL such as memory://, sqlite://PATH or postgres://user@host/db",
            ));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "memory" => {
                if rest.is_empty() || rest == "//" {
                    Ok(StoreUrl::Memory)
                } else {
                    Err(err("a memory:// URL takes no host or path"))
                }
            }
            "sqlite" => {
                let path = rest.strip_prefix("//").unwrap_or(rest);
                if path.is_empty() {
                    return Err(err(
                        "missing database path (e.g. sqlite://edupulse.db or sqlite:///abs/path.db)",
                    ));
                }
                Ok(StoreUrl::Sqlite(PathBuf::from(path)))
            }
            "postgres" | "postgresql" => {
                let Some(rest) = rest.strip_prefix("//") else {
                    return Err(err("expected postgres://user:password@host:port/database"));
                };
                parse_postgres(rest)
                    .map(StoreUrl::Postgres)
                    .map_err(|m| err(&m))
            }
            "" => Err(err("missing scheme (memory://, sqlite://, postgres://)")),
            _ => Err(err(
                "unknown scheme (supported: memory://, sqlite://, postgres://)",
            )),
        }
    }

    /// The URL with any password replaced by `***` (the same as `to_string()`).
    pub fn redacted(&self) -> String {
        self.to_string()
    }

    /// The scheme name (`memory`, `sqlite`, `postgres`).
    pub fn scheme(&self) -> &'static str {
        match self {
            StoreUrl::Memory => "memory",
            StoreUrl::Sqlite(_) => "sqlite",
            StoreUrl::Postgres(_) => "postgres",
        }
    }
}

impl std::str::FromStr for StoreUrl {
    type Err = StoreError;
    fn from_str(s: &str) -> StoreResult<StoreUrl> {
        StoreUrl::parse(s)
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::Memory => f.write_str("memory://"),
            StoreUrl::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            StoreUrl::Postgres(pg) => pg.fmt(f),
        }
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreUrl({self})")
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("postgres://")?;
        if let Some(u) = &self.user {
            f.write_str(&percent_encode(u))?;
            if self.password.is_some() {
                f.write_str(":***")?;
            }
            f.write_str("@")?;
        } else if self.password.is_some() {
            f.write_str(":***@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        write!(f, ":{}/{}", self.port, percent_encode(&self.database))?;
        let mut sep = '?';
        for (k, v) in &self.params {
            write!(f, "{sep}{}={}", percent_encode(k), percent_encode(v))?;
            sep = '&';
        }
        Ok(())
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({self})")
    }
}

fn parse_postgres(rest: &str) -> Result<PostgresUrl, String> {
    let (main, query) = match rest.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match main.split_once('/') {
        Some((a, p)) => (a, p),
        None => (main, ""),
    };
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (user, password) = match userinfo {
        None => (None, None),
        Some(ui) => match ui.split_once(':') {
            Some((u, p)) => (non_empty(percent_decode(u)?), Some(percent_decode(p)?)),
            None => (non_empty(percent_decode(ui)?), None),
        },
    };
    let (host, port) = if let Some(after) = hostport.strip_prefix('[') {
        let (h, tail) = after
            .split_once(']')
            .ok_or("unclosed `[` in an IPv6 host")?;
        let port = match tail {
            "" => None,
            t => Some(t.strip_prefix(':').ok_or("unexpected text after `]`")?),
        };
        (h.to_string(), port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (hostport.to_string(), None),
        }
    };
    if host.is_empty() {
        return Err("missing host".to_string());
    }
    let port = match port {
        None | Some("") => POSTGRES_DEFAULT_PORT,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("`{p}` is not a port number"))?,
    };
    let database = percent_decode(path.trim_end_matches('/'))?;
    if database.is_empty() {
        return Err("missing database name (postgres://user@host:port/DATABASE)".to_string());
    }
    if database.contains('/') {
        return Err("the database name cannot contain `/`".to_string());
    }
    let mut params = BTreeMap::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        params.insert(percent_decode(k)?, percent_decode(v)?);
    }
    Ok(PostgresUrl {
        user,
        password,
        host,
        port,
        database,
        params,
    })
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("bad percent-escape (expected %XX)")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent-escapes do not decode to UTF-8".to_string())
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Remove the password from a raw, possibly malformed URL (for error messages).
fn redact_raw(url: &str) -> String {
    let (start, well_formed) = match url.find("://") {
        Some(i) => (i + 3, true),
        None => (url.find(':').map_or(0, |i| i + 1), false),
    };
    let rest = &url[start..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    let user = match userinfo.find(':') {
        Some(colon) => format!("{}:***", &userinfo[..colon]),
        // `user@host` is fine in a real URL; in a malformed one it may be a password.
        None if well_formed => userinfo.to_string(),
        None => "***".to_string(),
    };
    format!("{}{}{}", &url[..start], user, &url[start + at..])
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn memory_urls() {
        assert_eq!(StoreUrl::parse("memory://").unwrap(), StoreUrl::Memory);
        assert_eq!(StoreUrl::parse("memory:").unwrap(), StoreUrl::Memory);
        assert_eq!(StoreUrl::parse("MEMORY://").unwrap(), StoreUrl::Memory);
        assert!(StoreUrl::parse("memory://x").is_err());
        assert_eq!(StoreUrl::Memory.to_string(), "memory://");
    }

    #[test]
    fn sqlite_relative_and_absolute_paths() {
        let cases = [
            ("sqlite://file.db", "file.db"),
            ("sqlite://data/edu pulse.db", "data/edu pulse.db"),
            ("sqlite:///abs/path.db", "/abs/path.db"),
            ("sqlite:file.db", "file.db"),
            ("  sqlite://./x.db  ", "./x.db"),
        ];
        for (url, path) in cases {
            assert_eq!(
                StoreUrl::parse(url).unwrap(),
                StoreUrl::Sqlite(PathBuf::from(path)),
                "{url}"
            );
        }
        assert_eq!(
            StoreUrl::parse("sqlite:///abs/path.db")
                .unwrap()
                .to_string(),
            "sqlite:///abs/path.db"
        );
        assert_eq!(
            StoreUrl::parse("sqlite://file.db").unwrap().to_string(),
            "sqlite://file.db"
        );
        assert!(StoreUrl::parse("sqlite://").is_err());
        assert!(StoreUrl::parse("sqlite:").is_err());
    }

    #[test]
    fn postgres_urls_are_parsed_and_kept() {
        let url = StoreUrl::parse("postgres://app:p%40ss:w0rd@db.example:5433/edu?sslmode=require")
            .unwrap();
        let StoreUrl::Postgres(pg) = &url else {
            panic!("expected postgres, got {url}");
        };
        assert_eq!(pg.user.as_deref(), Some("app"));
        assert_eq!(pg.password.as_deref(), Some("p@ss:w0rd"));
        assert_eq!(pg.host, "db.example");
        assert_eq!(pg.port, 5433);
        assert_eq!(pg.database, "edu");
        assert_eq!(
            pg.params.get("sslmode").map(String::as_str),
            Some("require")
        );
        assert_eq!(url.scheme(), "postgres");

        let StoreUrl::Postgres(pg) = StoreUrl::parse("postgresql://h/db").unwrap() else {
            panic!("expected postgres");
        };
        assert_eq!(pg.user, None);
        assert_eq!(pg.password, None);
        assert_eq!(pg.port, POSTGRES_DEFAULT_PORT);

        let StoreUrl::Postgres(pg) = StoreUrl::parse("postgres://u@[::1]:6000/db").unwrap() else {
            panic!("expected postgres");
        };
        assert_eq!(pg.host, "::1");
        assert_eq!(pg.port, 6000);
        assert_eq!(pg.user.as_deref(), Some("u"));
    }

    #[test]
    fn passwords_never_printed() {
        let url = StoreUrl::parse("postgres://app:hunter2@db:5432/edu").unwrap();
        for shown in [url.to_string(), url.redacted(), format!("{url:?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("app:***@db:5432/edu"), "{shown}");
        }
        let round = StoreUrl::parse(&url.to_string()).unwrap();
        let StoreUrl::Postgres(pg) = round else {
            panic!("expected postgres");
        };
        assert_eq!(pg.password.as_deref(), Some("***"));
    }

    #[test]
    fn errors_redact_the_password() {
        for bad in [
            "postgres://app:hunter2@:5432/edu",
            "postgres://app:hunter2@db:99999/edu",
            "postgres://app:hunter2@db:5432/",
            "postgres://app:hunter2@db:5432/edu/x",
            "mysql://app:hunter2@db/edu",
            "postgres:app:hunter2@db",
            "app:hunter2@db",
        ] {
            let err = StoreUrl::parse(bad).unwrap_err();
            let msg = err.to_string();
            assert!(!msg.contains("hunter2"), "{bad}: {msg}");
            assert!(matches!(err, StoreError::Url { .. }), "{bad}: {err:?}");
        }
        let msg = StoreUrl::parse("mysql://app:hunter2@db/edu")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("mysql://app:***@db/edu"), "{msg}");
    }

    #[test]
    fn unknown_or_missing_schemes() {
        for bad in ["", "edupulse.db", "://x", "ftp://x"] {
            assert!(StoreUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
