//! [`SmtpServer`]: a mail server for the recipe tests, on a local port:
//! enough SMTP (RFC 5321) for a real client such as curl to log in with
//! `AUTH PLAIN` and deliver, strict where real servers are (a bare LF in a
//! message is refused, as servers refuse SMTP smuggling), and every
//! message kept for the test to read.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

use super::listener::Listener;

/// One message as the server received it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Mail {
    /// The user name and password of `AUTH PLAIN`, if the client logged in.
    pub(crate) login: Option<(String, String)>,
    /// `MAIL FROM:<…>`'s address.
    pub(crate) from: String,
    /// Each `RCPT TO:<…>`'s address.
    pub(crate) to: Vec<String>,
    /// The message, dot-stuffing undone, CRLF line ends kept.
    pub(crate) data: Vec<u8>,
}

/// A mail server on a local port ([`Listener::port`]).
pub(crate) struct SmtpServer(Listener<Mail>);

impl SmtpServer {
    pub(crate) fn start() -> SmtpServer {
        SmtpServer(Listener::start(|stream| {
            session(stream).unwrap_or_default()
        }))
    }

    /// The port it listens on, at 127.0.0.1.
    pub(crate) fn port(&self) -> u16 {
        self.0.port
    }

    /// Stops the server: the messages it received.
    pub(crate) fn received(self) -> Vec<Mail> {
        self.0.received()
    }
}

/// Answers one client until it quits: the messages it delivered (`None`
/// when the connection broke).
fn session(stream: TcpStream) -> Option<Vec<Mail>> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut out = stream;
    let mut say = |text: &str| out.write_all(format!("{text}\r\n").as_bytes()).ok();
    say("220 localhost ESMTP test")?;
    let mut mails = Vec::new();
    let mut mail = Mail::default();
    let mut login = None;
    loop {
        let line = read_line(&mut reader)?;
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            say("250-localhost")?;
            say("250-AUTH PLAIN")?;
            say("250 8BITMIME")?;
        } else if upper.starts_with("HELO") || upper == "NOOP" {
            say("250 OK")?;
        } else if let Some(rest) = upper.strip_prefix("AUTH PLAIN") {
            let initial = line[line.len() - rest.len()..].trim().to_string();
            let encoded = if initial.is_empty() {
                say("334 ")?;
                read_line(&mut reader)?
            } else {
                initial
            };
            match plain_login(&encoded) {
                Some(pair) => {
                    login = Some(pair);
                    say("235 2.7.0 Authentication successful")?;
                }
                None => say("535 5.7.8 Authentication credentials invalid")?,
            }
        } else if upper.starts_with("MAIL FROM:") {
            mail = Mail {
                login: login.clone(),
                from: address(&line),
                ..Mail::default()
            };
            say("250 OK")?;
        } else if upper.starts_with("RCPT TO:") {
            mail.to.push(address(&line));
            say("250 OK")?;
        } else if upper == "DATA" {
            say("354 End data with <CR><LF>.<CR><LF>")?;
            match read_data(&mut reader)? {
                Some(data) => {
                    mail.data = data;
                    mails.push(std::mem::take(&mut mail));
                    say("250 OK queued")?;
                }
                None => say("550 5.5.2 bare LF in the message")?,
            }
        } else if upper == "RSET" {
            mail = Mail::default();
            say("250 OK")?;
        } else if upper == "QUIT" {
            say("221 Bye")?;
            return Some(mails);
        } else {
            say("502 5.5.1 Unrecognized command")?;
        }
    }
}

/// A command line without its CRLF.
fn read_line(reader: &mut impl BufRead) -> Option<String> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    Some(line.trim_end_matches(['\r', '\n']).to_string())
}

/// The message after `DATA`, up to the line holding one dot; `Some(None)`
/// when a line ends in a bare LF.
fn read_data(reader: &mut impl BufRead) -> Option<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut bare_lf = false;
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).ok()? == 0 {
            return None;
        }
        if line == b".\r\n" {
            return Some((!bare_lf).then_some(data));
        }
        bare_lf |= !line.ends_with(b"\r\n");
        let unstuffed = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(unstuffed);
    }
}

/// The address between `<` and `>`.
fn address(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line.rfind('>').unwrap_or(line.len());
    line.get(start..end).unwrap_or_default().to_string()
}

/// `AUTH PLAIN`'s answer (RFC 4616): base64 of `authzid NUL user NUL password`.
fn plain_login(encoded: &str) -> Option<(String, String)> {
    let decoded = base64_decode(encoded)?;
    let mut parts = decoded.split(|&b| b == 0);
    let _authzid = parts.next()?;
    let user = String::from_utf8(parts.next()?.to_vec()).ok()?;
    let password = String::from_utf8(parts.next()?.to_vec()).ok()?;
    Some((user, password))
}

/// Standard base64 (RFC 4648), padding optional.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut bits, mut held) = (0u32, 0u32);
    for byte in text.trim().bytes().filter(|&b| b != b'=') {
        let value = DIGITS.iter().position(|&d| d == byte)? as u32;
        bits = (bits << 6) | value;
        held += 6;
        if held >= 8 {
            held -= 8;
            out.push((bits >> held) as u8);
            bits &= (1 << held) - 1;
        }
    }
    Some(out)
}

#[test]
fn base64_reads_what_rfc_4648_writes() {
    assert_eq!(base64_decode("Zm9vYmFy").as_deref(), Some(&b"foobar"[..]));
    assert_eq!(base64_decode("Zm9vYg==").as_deref(), Some(&b"foob"[..]));
    assert_eq!(
        plain_login("AHVzZXIAcGFzcw=="),
        Some(("user".into(), "pass".into()))
    );
    assert_eq!(base64_decode("Zm9v!"), None);
}
