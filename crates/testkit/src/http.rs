//! A minimal HTTP/1.1 client for requests kubectl cannot make: malformed or oversize bodies, odd media types, and
//! writes that must not go through kubectl's own client-side checks.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// What the server answered.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    /// The raw body (not de-chunked): for assertions on its text and for failure messages.
    pub body: String,
}

/// Sends one request to `url` (`http://HOST:PORT`) with an optional bearer token and JSON body, and reads the
/// whole answer. Panics on a transport failure or a malformed status line: a test cannot go on after either.
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

/// Sends one request with arbitrary headers and body bytes (for malformed and oversize bodies).
pub fn raw_request(url: &str, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> HttpResponse {
    let authority = url.strip_prefix("http://").expect("an http:// URL").trim_end_matches('/');
    let mut stream = TcpStream::connect(authority).expect("connect to the server");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("set a read timeout");

    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send the request");
    if let Some(body) = body {
        // The server may answer (413) and close before reading a large body: that is not a failure here.
        let _ = stream.write_all(body);
    }

    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status line in the answer:\n{answer}"));
    let body = answer.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
    HttpResponse { status, body }
}
