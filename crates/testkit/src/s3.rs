//! An S3 server for the Bucket tests: moto's server (`python3 -m moto.server`, PyPI `moto[server]`, which
//! `scripts/test` installs) on 127.0.0.1 and a free port, checking signatures like S3 does.
//!
//! moto checks nothing until asked. At start-up, while it still accepts anything, an IAM user with an access key
//! and an allow-all policy is created; then authentication is switched on (`/moto-api/reset-auth` with 0), so a
//! wrong secret key gets `SignatureDoesNotMatch` as on AWS. Fixtures are written unsigned (this client has no
//! SigV4) between two `/moto-api/reset-auth` calls that switch the checks off and on again (counting the
//! requests instead would be fragile: moto checks an overwrite twice). That also allows keys no S3 client would
//! send (`../x`).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::http::{HttpResponse, raw_request, try_raw_request};

/// How long moto may take to answer after it was started (importing moto takes a few seconds on a busy machine).
const START_DEADLINE: Duration = Duration::from_secs(60);

/// An Authorization header naming the IAM service: moto routes a request by the service in the credential scope,
/// and checks no signature while its checks are off.
const IAM_ROUTING: &str =
    "AWS4-HMAC-SHA256 Credential=fixture/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0";

/// The same for S3 fixture requests.
const S3_UNCHECKED: &str =
    "AWS4-HMAC-SHA256 Credential=fixture/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";

/// moto's server, killed (and reaped) on drop.
pub struct S3Server {
    child: Child,
    port: u16,
    dir: TempDir,
    access_key: String,
    secret_key: String,
}

impl S3Server {
    /// Starts moto and sets up the credentials. Panics, telling to run `scripts/test`, when moto is not
    /// installed, and with moto's log when it does not come up.
    pub fn start() -> S3Server {
        let probe = Command::new("python3").args(["-c", "import moto.server"]).stdin(Stdio::null()).output();
        match probe {
            Ok(output) if output.status.success() => {}
            Ok(output) => panic!(
                "moto's S3 server is not installed (python3 -c 'import moto.server' failed: {}); run scripts/test, \
                 which installs it with `python3 -m pip install 'moto[server]'`",
                String::from_utf8_lossy(&output.stderr).trim()
            ),
            Err(err) => panic!("python3 cannot run ({err}); run scripts/test, which installs python3 and moto"),
        }
        let dir = tempfile::Builder::new().prefix("fluxtui-s3-").tempdir().expect("create the S3 server's temp dir");
        let port = free_port();
        let log = File::create(dir.path().join("moto.log")).expect("create moto's log file");
        let child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            // Only the credentials below count: never the developer's own AWS settings.
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("INITIAL_NO_AUTH_ACTION_COUNT")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone the log handle"))
            // A file, not a pipe: nobody reads moto's output while it runs, and a full pipe would block it.
            .stderr(log)
            .spawn()
            .expect("spawn python3 -m moto.server");
        let mut server = S3Server { child, port, dir, access_key: String::new(), secret_key: String::new() };
        server.wait_until_ready();
        server.create_credentials();
        server
    }

    /// `127.0.0.1:PORT`, what a Bucket's `spec.endpoint` holds (with `insecure: true`).
    pub fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The data of a Bucket secret for this server: `accesskey` and `secretkey`.
    pub fn secret_data(&self) -> BTreeMap<String, Vec<u8>> {
        BTreeMap::from([
            ("accesskey".to_string(), self.access_key.as_bytes().to_vec()),
            ("secretkey".to_string(), self.secret_key.as_bytes().to_vec()),
        ])
    }

    /// Creates a bucket (a name of 3 to 63 lower-case letters, digits, `.` and `-`).
    pub fn create_bucket(&self, bucket: &str) {
        let response = self.unchecked(|| self.request("PUT", &format!("/{bucket}"), None));
        assert_eq!(response.status, 200, "create bucket {bucket}: {}{}", response.body, self.diagnostics());
    }

    /// Writes one object; its etag is the MD5 of `content`, as on S3 for a single-part upload.
    pub fn put_object(&self, bucket: &str, key: &str, content: &[u8]) {
        self.put_objects(bucket, &[(key, content)]);
    }

    /// Writes many objects in one unchecked batch.
    pub fn put_objects(&self, bucket: &str, objects: &[(&str, &[u8])]) {
        let responses = self.unchecked(|| {
            let put = |(key, content): &(&str, &[u8])| self.request("PUT", &object_path(bucket, key), Some(content));
            objects.iter().map(put).collect::<Vec<_>>()
        });
        for ((key, _), response) in objects.iter().zip(responses) {
            assert_eq!(response.status, 200, "put {bucket}/{key}: {}{}", response.body, self.diagnostics());
        }
    }

    pub fn delete_object(&self, bucket: &str, key: &str) {
        let response = self.unchecked(|| self.request("DELETE", &object_path(bucket, key), None));
        assert_eq!(response.status, 204, "delete {bucket}/{key}: {}{}", response.body, self.diagnostics());
    }

    /// Switches moto's signature checks off or on (they are on after [`S3Server::start`]). For requests moto
    /// itself verifies wrongly: it rejects a correct signature when a query value holds a `/` (a list `prefix`
    /// such as `apps/`), which AWS and MinIO accept.
    pub fn check_signatures(&self, on: bool) {
        self.set_unchecked_requests(if on { "0" } else { "inf" });
    }

    /// moto's log so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("moto.log")
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn diagnostics(&self) -> String {
        format!("\n--- moto log ---\n{}", self.log())
    }

    /// A fixture request, made while the checks are off. It still carries an Authorization header: moto
    /// refuses an anonymous overwrite of an existing object whatever the checks.
    fn request(&self, method: &str, path: &str, body: Option<&[u8]>) -> HttpResponse {
        let headers = [("Content-Type", "application/octet-stream"), ("Authorization", S3_UNCHECKED)];
        raw_request(&self.url(), method, path, &headers, body)
    }

    /// Polls moto's own API (not an AWS action, so it counts against no batch) until it answers.
    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("moto's server exited with {status} during start-up{}", self.diagnostics());
            }
            let probe = try_raw_request(&self.url(), "GET", "/moto-api/", &[], None, Duration::from_secs(2));
            if probe.is_ok_and(|response| response.status == 200) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "moto's server did not answer within {START_DEADLINE:?}{}",
                self.diagnostics()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// An IAM user with an access key and an allow-all policy, created while moto checks nothing; then every
    /// request must be signed with that key.
    fn create_credentials(&mut self) {
        let iam = |form: &str| {
            let headers = [("Authorization", IAM_ROUTING), ("Content-Type", "application/x-www-form-urlencoded")];
            let response = raw_request(&self.url(), "POST", "/", &headers, Some(form.as_bytes()));
            assert_eq!(response.status, 200, "IAM {form}: {}{}", response.body, self.diagnostics());
            response.body
        };
        iam("Action=CreateUser&UserName=flux&Version=2010-05-08");
        let key = iam("Action=CreateAccessKey&UserName=flux&Version=2010-05-08");
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        iam(&format!(
            "Action=PutUserPolicy&UserName=flux&PolicyName=all&Version=2010-05-08&PolicyDocument={}",
            form_encode(policy)
        ));
        self.access_key = xml_text(&key, "AccessKeyId").unwrap_or_else(|| panic!("no AccessKeyId in {key}"));
        self.secret_key = xml_text(&key, "SecretAccessKey").unwrap_or_else(|| panic!("no SecretAccessKey in {key}"));
        self.set_unchecked_requests("0");
    }

    /// Runs `requests` with the signature checks off, switching them on again afterwards whatever happened.
    fn unchecked<T>(&self, requests: impl FnOnce() -> T) -> T {
        self.set_unchecked_requests("inf");
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(requests));
        self.set_unchecked_requests("0");
        outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    /// How many AWS requests moto lets through unchecked from now on (`inf`: all of them; `0`: none).
    fn set_unchecked_requests(&self, count: &str) {
        let headers = [("Content-Type", "text/plain")];
        let response = raw_request(&self.url(), "POST", "/moto-api/reset-auth", &headers, Some(count.as_bytes()));
        assert_eq!(response.status, 200, "moto reset-auth: {}{}", response.body, self.diagnostics());
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now. moto binds it a moment later; another process taking it in between
/// would make the start-up fail loudly, not silently.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// `/<bucket>/<key>` with the key's bytes percent-encoded except unreserved characters and `/`, so that keys
/// such as `../x` reach moto verbatim.
fn object_path(bucket: &str, key: &str) -> String {
    let mut path = format!("/{bucket}/");
    for byte in key.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path
}

fn form_encode(text: &str) -> String {
    let mut encoded = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

fn xml_text(xml: &str, element: &str) -> Option<String> {
    let open = format!("<{element}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{element}>"))? + start;
    Some(xml[start..end].to_string())
}
