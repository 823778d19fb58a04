//! Reading and checking a request head: a request line and headers of
//! bounded size, the two forms of request target a client may send, and the
//! `Host` values the server answers.
//!
//! Nothing here touches a socket, so every limit is tested on plain bytes;
//! `http.rs` supplies the reader (with its deadline) and writes the answers.

use std::io::{self, BufRead, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The longest request line accepted, CR LF included; a longer one gets 414.
pub(crate) const MAX_REQUEST_LINE: usize = 8 * 1024;

/// The most bytes of headers accepted after the request line; more gets 431.
pub(crate) const MAX_HEADERS: usize = 16 * 1024;

/// A request head that parsed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Head {
    /// `GET`, `HEAD`, or whatever else the client sent.
    pub(crate) method: String,
    /// The path and query, without scheme or authority.
    pub(crate) target: String,
    /// Who the request is for: the authority of an absolute-form target,
    /// else the `Host` header; `None` only for HTTP/1.0 without `Host`.
    pub(crate) host: Option<String>,
    /// The headers a write is judged by (`serve --edit`).
    pub(crate) write: WriteHeaders,
}

/// The headers that decide whether a `POST` is answered: who sent it and
/// how long its body is. Each may be written once; a second is a 400.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct WriteHeaders {
    /// `Origin`, as sent (`null` from a `file://` page).
    pub(crate) origin: Option<String>,
    /// `Sec-Fetch-Site`: `same-origin`, `same-site`, `cross-site` or `none`.
    pub(crate) fetch_site: Option<String>,
    /// `Content-Length`, when it is a number.
    pub(crate) content_length: Option<u64>,
    /// `Content-Type`, as sent.
    pub(crate) content_type: Option<String>,
    /// Whether `Transfer-Encoding` was sent: a body of unknown length, refused.
    pub(crate) chunked: bool,
}

impl Head {
    /// The target without its query or fragment.
    pub(crate) fn path(&self) -> &str {
        self.target.split(['?', '#']).next().unwrap_or("")
    }
}

/// Why a head was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HeadError {
    /// Not an HTTP/1.x request head (400), with the reason for the client.
    Bad(&'static str),
    /// The request line is longer than [`MAX_REQUEST_LINE`] (414).
    UriTooLong,
    /// The headers are longer than [`MAX_HEADERS`] (431).
    HeadersTooLarge,
    /// The head did not arrive before the deadline (408).
    TimedOut,
    /// The client closed or broke the connection first; nobody to answer.
    Gone,
}

impl From<io::Error> for HeadError {
    fn from(error: io::Error) -> HeadError {
        // Unix reports a socket read timeout as WouldBlock, Windows as TimedOut.
        match error.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => HeadError::TimedOut,
            _ => HeadError::Gone,
        }
    }
}

/// Reads a request line and headers, never more than the limits allow.
pub(crate) fn read_head<R: BufRead>(reader: &mut R) -> Result<Head, HeadError> {
    let line = read_line(reader, MAX_REQUEST_LINE)?.ok_or(HeadError::UriTooLong)?;
    let line = std::str::from_utf8(trim_line_end(&line))
        .map_err(|_| HeadError::Bad("the request line is not UTF-8"))?;
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::Bad(
            "the request line is not `METHOD TARGET HTTP/1.1`",
        ));
    };
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(HeadError::Bad("only HTTP/1.0 and HTTP/1.1 are spoken here"));
    }
    let (host_header, write) = read_headers(reader)?;
    let (authority, target) = split_target(target)?;
    // An absolute-form target names the host itself and overrides `Host` (RFC 9112, 3.2.2).
    let host = authority.or(host_header);
    if host.is_none() && version == "HTTP/1.1" {
        return Err(HeadError::Bad("an HTTP/1.1 request needs a Host header"));
    }
    Ok(Head {
        method: method.to_string(),
        target,
        host,
        write,
    })
}

/// Reads header lines up to the blank line and returns the `Host` value
/// and the headers a write is judged by.
fn read_headers<R: BufRead>(reader: &mut R) -> Result<(Option<String>, WriteHeaders), HeadError> {
    let mut budget = MAX_HEADERS;
    let mut host = None;
    let mut write = WriteHeaders::default();
    loop {
        let raw = read_line(reader, budget)?.ok_or(HeadError::HeadersTooLarge)?;
        budget -= raw.len();
        let line = trim_line_end(&raw);
        if line.is_empty() {
            return Ok((host, write));
        }
        // A folded line could carry a second Host value past this check.
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(HeadError::Bad("folded header lines are not accepted"));
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Err(HeadError::Bad("a header line has no colon"));
        };
        let name = &line[..colon];
        if name.ends_with(b" ") || name.ends_with(b"\t") {
            return Err(HeadError::Bad("white space before a header's colon"));
        }
        if name.eq_ignore_ascii_case(b"host") {
            if host.is_some() {
                return Err(HeadError::Bad("more than one Host header"));
            }
            let value = std::str::from_utf8(&line[colon + 1..])
                .map_err(|_| HeadError::Bad("the Host header is not UTF-8"))?;
            host = Some(value.trim_matches([' ', '\t']).to_string());
        } else {
            read_write_header(name, &line[colon + 1..], &mut write)?;
        }
    }
}

/// Takes in one of the headers a write is judged by; ignores the rest.
fn read_write_header(name: &[u8], value: &[u8], write: &mut WriteHeaders) -> Result<(), HeadError> {
    let once = |slot: &mut Option<String>, what: &'static str| {
        if slot.is_some() {
            return Err(HeadError::Bad(what));
        }
        let value = std::str::from_utf8(value)
            .map_err(|_| HeadError::Bad("a header a write is judged by is not UTF-8"))?;
        *slot = Some(value.trim_matches([' ', '\t']).to_string());
        Ok(())
    };
    if name.eq_ignore_ascii_case(b"origin") {
        once(&mut write.origin, "more than one Origin header")
    } else if name.eq_ignore_ascii_case(b"sec-fetch-site") {
        once(&mut write.fetch_site, "more than one Sec-Fetch-Site header")
    } else if name.eq_ignore_ascii_case(b"content-type") {
        once(&mut write.content_type, "more than one Content-Type header")
    } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
        write.chunked = true;
        Ok(())
    } else if name.eq_ignore_ascii_case(b"content-length") {
        // Two lengths are how a request is smuggled past a proxy; refused.
        let mut length = None;
        once(&mut length, "more than one Content-Length header")?;
        let digits = length.unwrap_or_default();
        let parsed = (!digits.is_empty()
            && digits.len() <= 19
            && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse::<u64>().ok())
        .flatten()
        .ok_or(HeadError::Bad("Content-Length is not a number"))?;
        if write.content_length.replace(parsed).is_some() {
            return Err(HeadError::Bad("more than one Content-Length header"));
        }
        Ok(())
    } else {
        Ok(())
    }
}

/// One raw line (its `\n` included) of at most `limit` bytes; `None` when
/// the line is longer, without reading more than `limit` bytes of it.
fn read_line<R: BufRead>(reader: &mut R, limit: usize) -> Result<Option<Vec<u8>>, HeadError> {
    let mut line = Vec::new();
    Read::take(&mut *reader, limit as u64).read_until(b'\n', &mut line)?;
    if line.ends_with(b"\n") {
        Ok(Some(line))
    } else if line.len() == limit {
        Ok(None)
    } else {
        Err(HeadError::Gone)
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Splits a request target into the authority (absolute form only) and the
/// path with its query.
fn split_target(target: &str) -> Result<(Option<String>, String), HeadError> {
    if target.starts_with('/') {
        return Ok((None, target.to_string()));
    }
    const SCHEME: &[u8] = b"http://";
    // Compared as bytes: slicing the str could split a multi-byte character.
    if !target
        .as_bytes()
        .get(..SCHEME.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(SCHEME))
    {
        return Err(HeadError::Bad(
            "the request target is neither a path nor an http:// URL",
        ));
    }
    let rest = &target[SCHEME.len()..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if authority.is_empty() || authority.contains('@') {
        return Err(HeadError::Bad(
            "the request target's authority is empty or carries user info",
        ));
    }
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    Ok((Some(authority.to_string()), path))
}

/// Which `Host` values the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostPolicy {
    /// Bound to loopback: only names and addresses of this machine, so a web
    /// page whose domain was rebound to 127.0.0.1 cannot read the site.
    Loopback,
    /// Bound beyond loopback, the user's explicit choice: any host.
    Any,
}

impl HostPolicy {
    /// The policy for a server listening on `address`.
    pub(crate) fn for_address(address: SocketAddr) -> HostPolicy {
        if address.ip().to_canonical().is_loopback() {
            HostPolicy::Loopback
        } else {
            HostPolicy::Any
        }
    }

    /// Whether a request for `host` is answered. Without a host (HTTP/1.0)
    /// it is: browsers always send one, so a rebinding page cannot omit it.
    pub(crate) fn allows(self, host: Option<&str>) -> bool {
        match (self, host) {
            (HostPolicy::Any, _) | (_, None) => true,
            (HostPolicy::Loopback, Some(host)) => is_local_host(host),
        }
    }
}

/// Whether `host` (`name[:port]`) names this machine: `localhost`,
/// `*.localhost`, 127.0.0.0/8 or `[::1]`, on any port. The bound address is
/// among them, since only a loopback server restricts hosts.
fn is_local_host(host: &str) -> bool {
    let (name, port) = split_port(host);
    port.is_none_or(is_port) && (is_loopback_literal(name) || is_localhost_name(name))
}

/// Splits off `:port`, leaving the colons of a bracketed IPv6 literal alone.
fn split_port(host: &str) -> (&str, Option<&str>) {
    match host.rsplit_once(':') {
        Some((name, port)) if !port.contains(']') => (name, Some(port)),
        _ => (host, None),
    }
}

fn is_port(port: &str) -> bool {
    // Empty is allowed by RFC 3986 (`localhost:` means the default port).
    port.is_empty()
        || (port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok())
}

fn is_loopback_literal(name: &str) -> bool {
    match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(v6) => v6
            .parse::<Ipv6Addr>()
            .is_ok_and(|ip| IpAddr::V6(ip).to_canonical().is_loopback()),
        None => name.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback()),
    }
}

fn is_localhost_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let hostname_bytes = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    hostname_bytes && (name == "localhost" || name.ends_with(".localhost"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &[u8]) -> Result<Head, HeadError> {
        read_head(&mut io::BufReader::new(raw))
    }

    #[test]
    fn an_origin_form_request_parses_with_its_host() {
        let head = parse(b"GET /a/?q=1 HTTP/1.1\r\nAccept: */*\r\nhOsT:  localhost:1111 \r\n\r\n")
            .expect("parses");
        assert_eq!(head.method, "GET");
        assert_eq!(head.target, "/a/?q=1");
        assert_eq!(head.path(), "/a/");
        assert_eq!(head.host.as_deref(), Some("localhost:1111"));
    }

    #[test]
    fn an_absolute_form_target_gives_its_authority_as_the_host() {
        let head = parse(b"GET http://127.0.0.1:1111/bets/ HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .expect("parses");
        assert_eq!(head.target, "/bets/");
        assert_eq!(head.host.as_deref(), Some("127.0.0.1:1111"));
        let bare = parse(b"GET HTTP://Example.com?x HTTP/1.1\r\n\r\n").expect("parses");
        assert_eq!(bare.target, "/?x");
        assert_eq!(bare.host.as_deref(), Some("Example.com"));
    }

    #[test]
    fn malformed_heads_are_refused_with_a_reason() {
        for raw in [
            &b"GET /\xff HTTP/1.1\r\nHost: localhost\r\n\r\n"[..],
            b"GET / HTTP/1.1 extra\r\nHost: localhost\r\n\r\n",
            b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n",
            b"GET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: localhost\r\n folded\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost : localhost\r\n\r\n",
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET http://user@localhost/ HTTP/1.1\r\n\r\n",
            b"GET http:///a HTTP/1.1\r\n\r\n",
            b"GET \xc3\xa9tr HTTP/1.1\r\nHost: localhost\r\n\r\n",
            b"GET * HTTP/1.1\r\nHost: localhost\r\n\r\n",
        ] {
            assert!(
                matches!(parse(raw), Err(HeadError::Bad(_))),
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
    }

    #[test]
    fn the_headers_a_write_is_judged_by_are_read_once_each() {
        let head = parse(
            b"POST /__throughline/edit HTTP/1.1\r\nHost: localhost\r\norigin: http://localhost:1111\r\nSec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 42\r\n\r\n",
        )
        .expect("parses");
        assert_eq!(
            head.write,
            WriteHeaders {
                origin: Some("http://localhost:1111".into()),
                fetch_site: Some("same-origin".into()),
                content_length: Some(42),
                content_type: Some("application/x-www-form-urlencoded".into()),
                chunked: false,
            }
        );
        let chunked = parse(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
            .expect("parses");
        assert!(chunked.write.chunked);
        for raw in [
            &b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n"[..],
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1,1\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: a\r\nOrigin: http://a\r\nOrigin: http://b\r\n\r\n",
        ] {
            assert!(
                matches!(parse(raw), Err(HeadError::Bad(_))),
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
    }

    #[test]
    fn http_1_0_may_leave_out_the_host() {
        let head = parse(b"GET / HTTP/1.0\r\n\r\n").expect("parses");
        assert_eq!(head.host, None);
    }

    #[test]
    fn the_size_limits_hold_without_reading_past_them() {
        let mut long = b"GET /".to_vec();
        long.resize(MAX_REQUEST_LINE * 4, b'a');
        let mut reader = io::Cursor::new(&long[..]);
        assert_eq!(read_head(&mut reader), Err(HeadError::UriTooLong));
        assert_eq!(
            reader.position(),
            MAX_REQUEST_LINE as u64,
            "read up to the limit only"
        );

        let fits = format!(
            "GET /{} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "a".repeat(8000)
        );
        assert!(parse(fits.as_bytes()).is_ok());

        let mut headers = b"GET / HTTP/1.1\r\nHost: localhost\r\n".to_vec();
        for _ in 0..MAX_HEADERS / 10 {
            headers.extend_from_slice(b"X-A: 1234\r\n");
        }
        headers.extend_from_slice(b"\r\n");
        assert_eq!(parse(&headers), Err(HeadError::HeadersTooLarge));
    }

    #[test]
    fn a_head_cut_short_has_nobody_to_answer() {
        assert_eq!(parse(b""), Err(HeadError::Gone));
        assert_eq!(parse(b"GET / HTTP/1.1\r\nHost: loc"), Err(HeadError::Gone));
    }

    #[test]
    fn on_loopback_only_names_of_this_machine_are_answered() {
        let policy = HostPolicy::Loopback;
        for host in [
            "localhost",
            "LOCALHOST:1111",
            "localhost.",
            "localhost:",
            "app.localhost:8080",
            "127.0.0.1",
            "127.0.0.1:1111",
            "127.45.6.7:80",
            "[::1]",
            "[::1]:1111",
            "[::ffff:127.0.0.1]:1111",
        ] {
            assert!(policy.allows(Some(host)), "{host}");
        }
        for host in [
            "",
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "localhost:99999",
            "localhost:+80",
            "localhost:http",
            "localhost@evil.example",
            "[::2]:1111",
            "[::1",
            "::1",
            "0.0.0.0:1111",
            "10.0.0.1",
            "0x7f.0.0.1",
            "2130706433",
            "loc alhost",
        ] {
            assert!(!policy.allows(Some(host)), "{host}");
        }
        assert!(policy.allows(None));
    }

    #[test]
    fn the_policy_follows_the_bound_address() {
        let at = |s: &str| HostPolicy::for_address(s.parse().expect("address"));
        assert_eq!(at("127.0.0.1:1111"), HostPolicy::Loopback);
        assert_eq!(at("127.0.0.2:0"), HostPolicy::Loopback);
        assert_eq!(at("[::1]:1111"), HostPolicy::Loopback);
        assert_eq!(at("0.0.0.0:1111"), HostPolicy::Any);
        assert_eq!(at("[::]:1111"), HostPolicy::Any);
        assert_eq!(at("192.168.1.5:1111"), HostPolicy::Any);
        assert!(HostPolicy::Any.allows(Some("evil.example")));
    }
}
