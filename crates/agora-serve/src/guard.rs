//! Who may drive the server: the checks every request passes before it is
//! routed, as pure functions of its head (no socket, so they are fuzzed and
//! unit-tested directly).
//!
//! - Host: the name the browser used must be one of this server's (DNS
//!   rebinding: a page of `evil.example` whose name later resolves to
//!   127.0.0.1 sends `Host: evil.example`).
//! - Token: on an address other than loopback, every request carries the
//!   join URL's random token (query `token`, header `X-Agora-Token`, or the
//!   cookie the page gets when opened with the token).
//! - Cross-site requests: a browser marks them with `Origin` and
//!   `Sec-Fetch-Site`; a state-changing request from another origin is
//!   refused, and so is any API call a browser marks cross-site.
//! - Content type: a request with a body says `application/json` (a
//!   cross-site form or `text/plain` fetch cannot).

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use crate::Reply;

/// The cookie that carries the token once the page was opened with it.
pub(crate) const COOKIE: &str = "agora_token";
/// The header that may carry the token.
pub(crate) const TOKEN_HEADER: &str = "x-agora-token";

/// What a request says about where it comes from (its head only).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Head<'a> {
    pub method: &'a str,
    /// Path and query.
    pub target: &'a str,
    /// `Host`, or the authority of an absolute-form target.
    pub host: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub fetch_site: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub token: Option<&'a str>,
    pub cookie: Option<&'a str>,
    /// Whether a body is announced (a `Content-Length` above 0 or chunked).
    pub has_body: bool,
}

/// What a request that passed may be answered with besides its reply.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Pass {
    /// The page was opened with the token in its address: give it the cookie.
    pub set_cookie: bool,
}

/// The names and token this server accepts.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    port: u16,
    /// Bound to a loopback address: only this machine can connect.
    loopback: bool,
    /// Host names accepted (lower case), beside IP literals off loopback.
    names: Vec<String>,
    /// Required off loopback.
    token: Option<String>,
}

impl Access {
    /// The access rules of a server bound to `bound`: on loopback, the
    /// loopback names; elsewhere any IP literal and this machine's names,
    /// and `token` on every request.
    pub fn new(bound: SocketAddr, token: Option<String>) -> Access {
        let loopback = bound.ip().is_loopback();
        let mut names = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "[::1]".to_string(),
            literal(bound.ip()),
        ];
        if !loopback {
            let host = crate::hostname().to_ascii_lowercase();
            if !host.is_empty() {
                names.push(format!("{host}.local"));
                names.push(host);
            }
        }
        Access {
            port: bound.port(),
            loopback,
            names,
            token: if loopback { None } else { token },
        }
    }

    /// The token every request must carry, off loopback.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Whether `host` (a `Host` header: name and optional port) names this server.
    pub fn host_allowed(&self, host: &str) -> bool {
        let (name, port) = match split_host(host) {
            Some(parts) => parts,
            None => return false,
        };
        if port.unwrap_or(80) != self.port {
            return false;
        }
        let name = name.to_ascii_lowercase();
        if self.names.contains(&name) {
            return true;
        }
        // A browser sends an IP literal only when the user typed one: no
        // name was resolved, so no rebinding is possible. Off loopback the
        // machine may have many addresses; any of them is fine.
        let ip = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .map(|v6| v6.parse::<Ipv6Addr>().map(IpAddr::V6))
            .unwrap_or_else(|| name.parse::<std::net::Ipv4Addr>().map(IpAddr::V4));
        match ip {
            Ok(ip) => !self.loopback || ip.is_loopback(),
            Err(_) => false,
        }
    }

    /// Check a request before it is routed; `Err` is the refusal to send.
    pub fn check(&self, head: &Head<'_>) -> Result<Pass, Reply> {
        let mut pass = Pass::default();
        let Some(host) = head.host else {
            return Err(Reply::error(400, "a request needs a Host header"));
        };
        if !self.host_allowed(host) {
            return Err(Reply::error(
                403,
                format!(
                    "Host `{}` is not this server's address: open the address agora serve printed",
                    printable(host)
                ),
            ));
        }
        if let Some(token) = &self.token {
            let in_query = query_value(head.target, "token");
            let carried = in_query
                .or(head.token)
                .or_else(|| head.cookie.and_then(|c| cookie_value(c, COOKIE)));
            if !carried.is_some_and(|t| same(t, token)) {
                return Err(Reply::error(
                    403,
                    "this server is open to the network and needs its token: open the join URL \
                     that agora serve printed (it ends with ?token=...)",
                ));
            }
            pass.set_cookie = in_query.is_some() && head.method == "GET";
        }
        let path = head.target.split(['?', '#']).next().unwrap_or("");
        let api = path.starts_with("/api/") || path == "/api";
        let cross = matches!(head.fetch_site, Some(s) if !s.eq_ignore_ascii_case("same-origin") && !s.eq_ignore_ascii_case("none"));
        let changes = !matches!(head.method, "GET" | "HEAD" | "OPTIONS");
        if changes || api {
            if let Some(origin) = head.origin
                && !same_origin(origin, host)
            {
                return Err(Reply::error(
                    403,
                    format!(
                        "a request from the page of `{}` is refused: only this server's own page may drive it",
                        printable(origin)
                    ),
                ));
            }
            if cross {
                return Err(Reply::error(
                    403,
                    "a cross-site request is refused: only this server's own page may drive it",
                ));
            }
        }
        if changes {
            let json = head.content_type.is_some_and(is_json);
            if (head.content_type.is_some() || head.has_body) && !json {
                return Err(Reply::error(
                    415,
                    "a command's body is JSON and says so: Content-Type: application/json",
                ));
            }
        }
        Ok(pass)
    }
}

/// `ip` as a URL writes it (IPv6 in brackets).
pub(crate) fn literal(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// A `Host` value's name and port (`None`: no port given); `None` if malformed.
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    if host.is_empty() || host.bytes().any(|b| b <= b' ' || b >= 0x7f || b == b'/' || b == b'@') {
        return None;
    }
    let (name, port) = if host.starts_with('[') {
        let end = host.find(']')?;
        let (name, rest) = host.split_at(end + 1);
        match rest {
            "" => (name, None),
            _ => (name, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    if name.is_empty() {
        return None;
    }
    let port = match port {
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
        None => None,
    };
    Some((name, port))
}

/// Whether `origin` (`scheme://host[:port]`) is this server's page as reached through `host`.
fn same_origin(origin: &str, host: &str) -> bool {
    origin
        .strip_prefix("http://")
        .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
}

fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// The value of `key` in the query of `target`.
pub(crate) fn query_value<'a>(target: &'a str, key: &str) -> Option<&'a str> {
    let query = target.split_once('?')?.1.split('#').next().unwrap_or("");
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(k, v)| (k == key).then_some(v))
}

fn cookie_value<'a>(cookies: &'a str, key: &str) -> Option<&'a str> {
    cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find_map(|(k, v)| (k == key).then_some(v))
}

/// Equal strings, compared in time that depends on their lengths only.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// At most 80 characters of `text` with control characters replaced, for a message.
fn printable(text: &str) -> String {
    text.chars()
        .take(80)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> Access {
        Access::new("127.0.0.1:8000".parse().unwrap(), Some("t".into()))
    }

    fn open() -> Access {
        Access::new("0.0.0.0:8000".parse().unwrap(), Some("secret".into()))
    }

    fn get<'a>(target: &'a str, host: &'a str) -> Head<'a> {
        Head {
            method: "GET",
            target,
            host: Some(host),
            ..Head::default()
        }
    }

    fn status(r: Result<Pass, Reply>) -> u16 {
        match r {
            Ok(_) => 200,
            Err(Reply::Body { status, .. }) => status,
            Err(_) => 0,
        }
    }

    #[test]
    fn hosts_on_loopback() {
        let a = local();
        for ok in ["127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "[::1]:8000"] {
            assert!(a.host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example:8000",
            "evil.example",
            "127.0.0.1:8001",
            "127.0.0.1",
            "localhost.:8000",
            "10.0.0.1:8000",
            "",
            "127.0.0.1:",
            "[::1",
            "a b:8000",
            "user@127.0.0.1:8000",
        ] {
            assert!(!a.host_allowed(bad), "{bad}");
        }
        assert_eq!(a.token, None, "no token on loopback");
    }

    #[test]
    fn hosts_off_loopback_and_the_token() {
        let a = open();
        assert!(a.host_allowed("192.168.1.20:8000") && a.host_allowed("[fe80::1]:8000"));
        assert!(!a.host_allowed("evil.example:8000"));
        assert_eq!(status(a.check(&get("/", "192.168.1.20:8000"))), 403);
        assert_eq!(status(a.check(&get("/?token=wrong", "192.168.1.20:8000"))), 403);
        let pass = a.check(&get("/?session=x&token=secret", "192.168.1.20:8000")).unwrap();
        assert!(pass.set_cookie);
        let mut head = get("/app.js", "192.168.1.20:8000");
        head.cookie = Some("a=b; agora_token=secret");
        assert_eq!(status(a.check(&head)), 200);
        head.cookie = None;
        head.token = Some("secret");
        assert_eq!(status(a.check(&head)), 200);
    }

    #[test]
    fn cross_site_commands_are_refused() {
        let a = local();
        let post = |origin, site, kind, body| Head {
            method: "POST",
            target: "/api/session",
            host: Some("127.0.0.1:8000"),
            origin,
            fetch_site: site,
            content_type: kind,
            has_body: body,
            ..Head::default()
        };
        let json = Some("application/json");
        assert_eq!(status(a.check(&post(None, None, json, true))), 200);
        assert_eq!(status(a.check(&post(None, None, None, false))), 200);
        assert_eq!(
            status(a.check(&post(Some("http://127.0.0.1:8000"), Some("same-origin"), json, true))),
            200
        );
        assert_eq!(
            status(a.check(&post(Some("http://evil.example"), None, json, true))),
            403
        );
        assert_eq!(status(a.check(&post(Some("null"), None, json, true))), 403);
        assert_eq!(
            status(a.check(&post(Some("http://localhost:8000"), None, json, true))),
            403
        );
        assert_eq!(status(a.check(&post(None, Some("cross-site"), json, true))), 403);
        assert_eq!(status(a.check(&post(None, Some("same-site"), json, true))), 403);
        assert_eq!(status(a.check(&post(None, None, Some("text/plain"), true))), 415);
        assert_eq!(status(a.check(&post(None, None, None, true))), 415);
        assert_eq!(
            status(a.check(&post(None, None, Some("application/json; charset=utf-8"), true))),
            200
        );
        // A link from another site to the page itself is fine; its API is not.
        let mut nav = get("/", "127.0.0.1:8000");
        nav.fetch_site = Some("cross-site");
        assert_eq!(status(a.check(&nav)), 200);
        nav.target = "/api/levers";
        assert_eq!(status(a.check(&nav)), 403);
    }
}
