//! A minimal HTTP/1.1 client for requests kubectl cannot make: malformed or oversize bodies, odd media types, and
//! writes that must not go through kubectl's own client-side checks.
//!
//! Plain HTTP only, with no TLS: it is for clusters started without a token and without `tls` (a
//! [`crate::TestCluster`] with a token serves HTTPS, and kubectl is the client to use there).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// What the server answered.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    /// The raw body (not de-chunked): for assertions on its text and for failure messages.
    pub body: String,
}

/// Sends one request to `url` (`http://HOST:PORT`, a plain-HTTP cluster) with an optional bearer token and JSON
/// body, and reads the whole answer. Panics on a transport failure or a malformed status line, and on an
/// `https://` URL: a test cannot go on after any of them.
pub fn http_request(url: &str, method: &str, path: &str, token: Option<&str>, json_body: Option<&str>) -> HttpResponse {
    let mut headers = Vec::new();
    let auth;
    if let Some(token) = token {
        auth = format!("Bearer {token}");
        headers.push(("Authorization", auth.as_str()));
    }
    if json_body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    raw_request(url, method, path, &headers, json_body.map(str::as_bytes))
}

/// How long [`http_request`] and [`raw_request`] wait for the server before giving up.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends one request with arbitrary headers and body bytes (for malformed and oversize bodies). Panics where
/// [`try_raw_request`] fails.
pub fn raw_request(url: &str, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> HttpResponse {
    try_raw_request(url, method, path, headers, body, REQUEST_TIMEOUT)
        .unwrap_or_else(|err| panic!("{method} {url}{path} failed: {err}"))
}

/// Sends one request with arbitrary headers and body bytes and reads the whole answer, each read and write
/// waiting at most `timeout`. Fails when the server cannot be reached, the request head cannot be sent, nothing
/// comes back, or what comes back has no HTTP status line; for tests where that may happen (a server being
/// killed). A body the server stops reading (it answered early, with 413 say) is not a failure, and an answer
/// cut off part-way is returned as far as it came: callers that need the whole body check it.
///
/// `url` must be `http://HOST:PORT`: this client speaks plain HTTP only, so it serves clusters started without
/// TLS (no token and `tls` unset); an `https://` URL is refused.
pub fn try_raw_request(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    timeout: Duration,
) -> io::Result<HttpResponse> {
    let authority = url.strip_prefix("http://").ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("{url} is not an http:// URL (this client has no TLS)"))
    })?;
    let authority = authority.trim_end_matches('/');
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;

    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    if let Some(body) = body {
        // The server may answer (413) and close before reading a large body: that is not a failure here.
        let _ = stream.write_all(body);
    }

    let mut answer = Vec::new();
    if let Err(err) = stream.read_to_end(&mut answer) {
        // A reset after the answer (the server closed with the body unread) still leaves the answer to read.
        if answer.is_empty() {
            return Err(err);
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.split_whitespace().nth(1).and_then(|code| code.parse().ok()).ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidData, format!("no HTTP status line in the answer:\n{answer}"))
    })?;
    let body = answer.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
    Ok(HttpResponse { status, body })
}
